/*
 * source.c - open an image source by transport and read small blobs; see
 * source.h.  Transports follow containers-transports(5).
 */
#include "image/source.h"
#include "core/error.h"

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
		return sc_error_set(SC_EUNSUPPORTED, "docker:// sources are not supported yet");
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
	size_t start = out->len;
	char chunk[65536];
	char dg[SC_DIGEST_STRLEN];
	int rc;

	if (d->size != UINT64_MAX && d->size > max)
		return sc_error_set(SC_ELIMIT, "blob %s is %llu bytes, limit is %zu",
				    d->digest.set ? sc_digest_fmt(&d->digest, dg) : "(no digest)",
				    (unsigned long long)d->size, max);
	if ((rc = s->ops->open_blob(s, d, &st)) != 0)
		return rc;
	for (;;) {
		ssize_t n = sc_stream_read(st, chunk, sizeof(chunk));

		if (n < 0) {
			rc = (int)n;
			goto out;
		}
		if (n == 0)
			break; /* end of stream: the verifier has checked size and digest */
		if (out->len - start + (size_t)n > max) {
			rc = sc_error_set(SC_ELIMIT, "blob %s exceeds %zu bytes",
					  d->digest.set ? sc_digest_fmt(&d->digest, dg) : "(no digest)", max);
			goto out;
		}
		if ((rc = sc_buf_append(out, chunk, (size_t)n)) != 0)
			goto out;
	}
out:
	if (rc && out->data) {
		out->len = start;
		out->data[start] = '\0';
	}
	sc_stream_close(st);
	return rc;
}
