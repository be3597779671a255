/*
 * fuzz.c (intoto) - in-toto Statements (src/sign/envelope.c).  The input is
 * parsed; a parsed statement has a known _type, a bounded subject list
 * whose every digest it reports as its own, and, written again as v1 for
 * its first subject, parses to the same predicate type.
 */
#include "core/buf.h"
#include "core/error.h"
#include "sign/envelope.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_intoto st, again;
	sc_buf b;
	size_t i;
	int rc;

	if (sc_intoto_parse(&st, data, size) != 0) {
		sc_error_clear();
		return 0;
	}
	if (!st.type || !st.predicate_type || st.nsubjects > SC_SIGN_MAX_SUBJECTS ||
	    (strcmp(st.type, SC_INTOTO_STATEMENT_V1) != 0 && strcmp(st.type, SC_INTOTO_STATEMENT_V01) != 0))
		abort();
	for (i = 0; i < st.nsubjects; i++)
		if (!sc_intoto_has_subject(&st, &st.subjects[i]))
			abort();
	if (st.nsubjects) {
		sc_buf_init(&b, 2 * SC_SIGN_DOC_MAX, "statement");
		rc = sc_intoto_statement(&b, "subject", &st.subjects[0], st.predicate_type, st.predicate);
		if (rc != 0 && rc != SC_ELIMIT)
			abort();
		if (rc == 0) {
			rc = sc_intoto_parse(&again, b.data, b.len);
			/* As for simplesign: a huge double is written as an
			 * integer jansson cannot read back. */
			if (rc != 0 && !strstr(sc_error_msg(), "too big"))
				abort();
			if (rc == 0) {
				if (strcmp(again.predicate_type, st.predicate_type) != 0 || again.nsubjects != 1 ||
				    !sc_intoto_has_subject(&again, &st.subjects[0]) || !st.predicate != !again.predicate)
					abort();
				sc_intoto_release(&again);
			}
		}
		sc_buf_release(&b);
	}
	sc_intoto_release(&st);
	sc_error_clear();
	return 0;
}
