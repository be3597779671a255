/*
 * dest.c - open an image destination by transport (containers-transports(5)
 * names, as for sources); see dest.h.
 */
#include "image/dest.h"
#include "core/error.h"

#include <stdlib.h>

int sc_dest_open(sc_dest **out, const char *name, const sc_dest_opts *opts)
{
	sc_imgref ref;
	int rc;

	if ((rc = sc_imgref_parse(&ref, name)) != 0)
		return rc;
	switch (ref.transport) {
	case SC_TRANSPORT_OCI:
	case SC_TRANSPORT_OCI_ARCHIVE:
	case SC_TRANSPORT_DOCKER_ARCHIVE:
		rc = sc_dest_layout_open(out, name, opts);
		break;
	case SC_TRANSPORT_DOCKER:
		rc = sc_dest_registry_open(out, name, opts);
		break;
	default:
		rc = sc_error_set(SC_EUSAGE, "%s: unknown image transport", name);
		break;
	}
	sc_imgref_release(&ref);
	return rc;
}

void sc_dest_free(sc_dest *d)
{
	if (d)
		d->ops->free(d);
}
