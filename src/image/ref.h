/*
 * ref.h - image names in the containers-transports syntax used by skopeo and
 * podman (containers-transports(5)):
 *   oci:DIR[:REF]              an OCI image layout directory; REF is the
 *                              org.opencontainers.image.ref.name annotation
 *   oci-archive:FILE[:REF]     the same layout in a tar file
 *   docker-archive:FILE[:REF]  `docker save` output; REF is a repo:tag from
 *                              manifest.json RepoTags or @N (0-based index)
 *   docker://HOST/REPO[:TAG|@DIGEST]  a registry (registry/ref.c grammar)
 * The path ends at the first ':' as in containers/image.
 */
#ifndef SC_IMAGE_REF_H
#define SC_IMAGE_REF_H

typedef enum sc_transport {
	SC_TRANSPORT_OCI = 1,
	SC_TRANSPORT_OCI_ARCHIVE,
	SC_TRANSPORT_DOCKER_ARCHIVE,
	SC_TRANSPORT_DOCKER,
} sc_transport;

typedef struct sc_imgref {
	sc_transport transport;
	char *path; /* directory or file; for docker:// the "HOST/REPO[:TAG|@DIGEST]" part */
	char *ref;  /* part after the first ':' or NULL; for docker-archive may be "@N" */
} sc_imgref;

/* Parse; fails with SC_EUSAGE naming the problem.  Owns the strings. */
int sc_imgref_parse(sc_imgref *out, const char *name);
void sc_imgref_release(sc_imgref *r);
const char *sc_transport_name(sc_transport t); /* "oci", "oci-archive", ... */

#endif
