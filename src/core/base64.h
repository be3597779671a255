/*
 * base64.h - RFC 4648 base64 (standard alphabet), strict decoding.
 *
 * Signatures, key files, DSSE envelopes and Sigstore bundles carry binary
 * data as base64.  Decoding accepts the standard alphabet with or without
 * '=' padding (cosign and sigstore-go write padded, some producers do not)
 * and the URL-safe alphabet when SC_B64_URL is given; whitespace, stray
 * characters and non-zero trailing bits are rejected.  The output is
 * NUL-terminated (not counted) so decoded text can be used as a string.
 */
#ifndef SC_CORE_BASE64_H
#define SC_CORE_BASE64_H

#include <stddef.h>

enum { SC_B64_URL = 1 /* also accept '-' and '_' (base64url) */ };

/* Length of the padded encoding of n bytes (excluding the NUL). */
size_t sc_base64_encoded_len(size_t n);
/* Encode: *out is malloc'd, NUL-terminated, padded, standard alphabet. */
int sc_base64_encode(char **out, const void *data, size_t len);
/*
 * Decode len chars of in: *out malloc'd (caller frees; wipe it when it held
 * a secret), *out_len bytes.  Input longer than max chars is SC_ELIMIT;
 * malformed input is SC_EINPUT naming `what`.
 */
int sc_base64_decode(unsigned char **out, size_t *out_len, const char *in, size_t len, size_t max,
		     int flags, const char *what);

#endif
