/*
 * source.c - open an image source by transport and read small blobs; see
 * source.h.  Transports follow containers-transports(5).
 */
#include "image/source.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sc_source_open(sc_source **out, const sc_imgref *ref)
{
	switch (ref->transport) {
	case SC_TRANSPORT_OCI:
	case SC_TRANSPORT_OCI_ARCHIVE:
		return sc_source_oci_open(out, ref);
	case SC_TRANSPORT_DOCKER_ARCHIVE:
		return sc_source_docker_archive_open(out, ref);
	case SC_TRANSPORT_DOCKER:
		return sc_source_registry_open(out, ref);
	}
	return sc_error_set(SC_EUSAGE, "unknown image transport %d", (int)ref->transport);
}

void sc_source_free(sc_source *s)
{
	if (s)
		s->ops->free(s);
}

int sc_source_read_blob(sc_source *s, const sc_descriptor *d, size_t max, sc_buf *out)
{
	sc_stream *st = NULL;
	char dg[SC_DIGEST_STRLEN];
	int rc;

	if (d->size != UINT64_MAX && d->size > max)
		return sc_error_set(SC_ELIMIT, "blob %s is %llu bytes, limit is %zu",
				    d->digest.set ? sc_digest_fmt(&d->digest, dg) : "(no digest)",
				    (unsigned long long)d->size, max);
	if ((rc = s->ops->open_blob(s, d, &st)) != 0)
		return rc;
	{
		char what[100];

		/* At end of stream the verifier has checked size and digest. */
		snprintf(what, sizeof(what), "blob %s", d->digest.set ? sc_digest_fmt(&d->digest, dg) : "(no digest)");
		rc = sc_stream_read_all(st, out, max, what);
	}
	sc_stream_close(st);
	return rc;
}
