/*
 * fuzz.c (image) - the whole open path over hostile archives: the input is
 * put in a memfd and opened as "oci-archive:/proc/self/fd/N" and as
 * "docker-archive:/proc/self/fd/N" (source, index, manifest, config, the
 * synthesized docker manifest); each layer of an image that opens is read
 * through its verified stream.
 */
#include "core/error.h"
#include "image/image.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void try_open(const char *name)
{
	sc_image *img = NULL;
	size_t i;

	if (sc_image_open(&img, name, NULL) != 0)
		return;
	for (i = 0; i < img->manifest.n_layers && i < 8; i++) {
		sc_stream *s = NULL;
		char buf[4096], lname[80];
		ssize_t n;
		size_t total = 0;

		(void)sc_image_layer_name(img, i, lname, sizeof(lname));
		if (sc_image_open_layer(img, i, &s) != 0)
			continue;
		while ((n = sc_stream_read(s, buf, sizeof(buf))) > 0 && total < (1u << 22))
			total += (size_t)n;
		sc_stream_close(s);
	}
	sc_image_free(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[128];
	size_t off = 0;
	int fd;

	fd = memfd_create("fuzz-image", MFD_CLOEXEC);
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
	snprintf(name, sizeof(name), "oci-archive:/proc/self/fd/%d", fd);
	try_open(name);
	snprintf(name, sizeof(name), "docker-archive:/proc/self/fd/%d", fd);
	try_open(name);
	snprintf(name, sizeof(name), "docker-archive:/proc/self/fd/%d:@0", fd);
	try_open(name);
	close(fd);
	return 0;
}
