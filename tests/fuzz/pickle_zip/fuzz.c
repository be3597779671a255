/*
 * fuzz.c (pickle_zip) - arbitrary bytes as a model file through
 * sc_pickle_scan_file() (pread on a memfd) and sc_pickle_scan_buffer()
 * (src/audit/pickle_zip.c), with small caps so that inflation stays cheap;
 * both paths must agree.  Corpus: tests/fuzz/pickle_zip/corpus/ (replayed
 * by the fuzz-pickle_zip test).
 */
#include "audit/pickle_zip.h"
#include "core/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_pickle_file_report a, b;
	sc_pickle_file_opts o;
	int fd, ra, rb;
	size_t i;

	memset(&o, 0, sizeof(o));
	o.member_cap = 1u << 20;
	o.total_cap = 4u << 20;
	rb = sc_pickle_scan_buffer(&b, data, size, "fuzz", &o);
	fd = memfd_create("pickle_zip_fuzz", MFD_CLOEXEC);
	if (fd >= 0) {
		if (size == 0 || write(fd, data, size) == (ssize_t)size) {
			ra = sc_pickle_scan_file_ex(&a, fd, size, "fuzz", &o);
			if (ra != rb)
				abort();
			if (ra == 0) {
				if (rb == 0 && (a.verdict != b.verdict || a.n_members != b.n_members))
					abort();
				sc_pickle_file_report_release(&a);
			}
		}
		close(fd);
	}
	if (rb == 0) {
		if (b.n_members > SC_PICKLE_FILE_MAX_MEMBERS)
			abort();
		for (i = 0; i < b.n_members; i++)
			if (b.members[i].scanned_bytes > o.member_cap)
				abort();
		sc_pickle_file_report_release(&b);
	}
	sc_error_clear();
	return 0;
}
