/*
 * fuzz.c (simplesign) - cosign simple-signing payloads (src/sign/envelope.c).
 * The input is parsed; when it parses, the payload is written again with
 * sc_simplesign_payload and that must parse to the same fields (the
 * writer's Go-style output is always readable by the parser).
 */
#include "core/buf.h"
#include "core/error.h"
#include "sign/envelope.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* JSON equality where 1 and 1.0 are the same number (Go writes float64
 * 1.0 as "1", which reads back as an integer). */
static int equiv(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_typeof(a) != json_typeof(b))
		return 0;
	if (json_is_object(a)) {
		const char *k;
		json_t *v;

		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach((json_t *)a, k, v)
			if (!json_object_get(b, k) || !equiv(v, json_object_get(b, k)))
				return 0;
		return 1;
	}
	if (json_is_array(a)) {
		size_t i;

		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (i = 0; i < json_array_size(a); i++)
			if (!equiv(json_array_get(a, i), json_array_get(b, i)))
				return 0;
		return 1;
	}
	return json_equal(a, b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_simplesign s, t;
	sc_buf b;
	int rc;

	if (sc_simplesign_parse(&s, data, size) != 0) {
		sc_error_clear();
		return 0;
	}
	if (!s.docker_ref || !s.digest.set)
		abort();
	sc_buf_init(&b, 1u << 20, "payload");
	rc = sc_simplesign_payload(&b, s.docker_ref, &s.digest, s.optional ? json_incref(s.optional) : NULL);
	if (rc == SC_ELIMIT) /* escaping can grow a payload past SC_SIGN_PAYLOAD_MAX */
		goto out;
	if (rc != 0)
		abort();
	rc = sc_simplesign_parse(&t, b.data, b.len);
	if (rc != 0) {
		/* jansson reads no integer past int64, which Go's float
		 * format writes for doubles in [2^63, 1e21). */
		if (!strstr(sc_error_msg(), "too big"))
			abort();
		goto out;
	}
	if (strcmp(s.docker_ref, t.docker_ref) != 0 || !sc_digest_eq(&s.digest, &t.digest) ||
	    !s.optional != !t.optional || (s.optional && !equiv(s.optional, t.optional)))
		abort();
	sc_simplesign_release(&t);
out:
	sc_buf_release(&b);
	sc_simplesign_release(&s);
	sc_error_clear();
	return 0;
}
