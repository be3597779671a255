/*
 * fuzz.c (archive) - the tar indexer of src/image/fileset.c: the input is
 * an archive in a memfd, opened with sc_fileset_open_tar_fd(), then a few
 * likely names are looked up and read (following links).
 */
#include "core/buf.h"
#include "core/error.h"
#include "image/fileset.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[] = {
		"index.json", "oci-layout", "manifest.json", "a", "b", "link", "aaa/layer.tar",
		"blobs/sha256/0000000000000000000000000000000000000000000000000000000000000000",
	};
	sc_fileset *fs = NULL;
	size_t i, off = 0;
	int fd;

	fd = memfd_create("fuzz-archive", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0) {
			close(fd);
			return 0;
		}
		off += (size_t)n;
	}
	if (sc_fileset_open_tar_fd(&fs, fd, "fuzz.tar") == 0) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			uint64_t sz;
			sc_buf b;

			if (sc_fileset_stat(fs, names[i], &sz) != 0)
				continue;
			sc_buf_init(&b, 1 << 20, "member");
			(void)sc_fileset_read(fs, names[i], 1 << 20, &b);
			sc_buf_release(&b);
		}
		sc_fileset_free(fs);
	}
	close(fd);
	return 0;
}
