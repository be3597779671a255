/*
 * ref.c - parse containers-transports image names; see ref.h.
 */
#include "image/ref.h"
#include "core/buf.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *prefix;
	sc_transport t;
} transports[] = {
	{ "oci-archive:", SC_TRANSPORT_OCI_ARCHIVE },
	{ "oci:", SC_TRANSPORT_OCI },
	{ "docker-archive:", SC_TRANSPORT_DOCKER_ARCHIVE },
	{ "docker://", SC_TRANSPORT_DOCKER },
};

const char *sc_transport_name(sc_transport t)
{
	switch (t) {
	case SC_TRANSPORT_OCI: return "oci";
	case SC_TRANSPORT_OCI_ARCHIVE: return "oci-archive";
	case SC_TRANSPORT_DOCKER_ARCHIVE: return "docker-archive";
	case SC_TRANSPORT_DOCKER: return "docker";
	}
	return "unknown";
}

int sc_imgref_parse(sc_imgref *out, const char *name)
{
	size_t i;
	const char *rest = NULL, *colon;
	sc_imgref r = { 0 };

	if (!name || !*name)
		return sc_error_set(SC_EUSAGE, "empty image name");
	if (strlen(name) > 4096)
		return sc_error_set(SC_EUSAGE, "image name longer than 4096 bytes");
	for (i = 0; i < sizeof(transports) / sizeof(transports[0]); i++) {
		size_t n = strlen(transports[i].prefix);

		if (strncmp(name, transports[i].prefix, n) == 0) {
			r.transport = transports[i].t;
			rest = name + n;
			break;
		}
	}
	if (!rest)
		return sc_error_set(SC_EUSAGE,
				    "image name '%.200s' has no known transport (use oci:DIR[:REF], "
				    "oci-archive:FILE[:REF], docker-archive:FILE[:REF] or docker://REF)",
				    name);
	if (r.transport == SC_TRANSPORT_DOCKER) {
		if (!*rest)
			return sc_error_set(SC_EUSAGE, "image name '%.200s': missing registry reference", name);
		r.path = sc_strdup(rest);
		if (!r.path)
			return SC_ENOMEM;
		*out = r;
		return 0;
	}
	colon = strchr(rest, ':');
	r.path = colon ? sc_strndup(rest, (size_t)(colon - rest)) : sc_strdup(rest);
	if (!r.path)
		return SC_ENOMEM;
	if (!r.path[0]) {
		free(r.path);
		return sc_error_set(SC_EUSAGE, "image name '%.200s': missing path", name);
	}
	if (colon) {
		if (!colon[1]) {
			free(r.path);
			return sc_error_set(SC_EUSAGE, "image name '%.200s': empty reference after ':'", name);
		}
		r.ref = sc_strdup(colon + 1);
		if (!r.ref) {
			free(r.path);
			return SC_ENOMEM;
		}
	}
	*out = r;
	return 0;
}

void sc_imgref_release(sc_imgref *r)
{
	free(r->path);
	free(r->ref);
	r->path = NULL;
	r->ref = NULL;
}
