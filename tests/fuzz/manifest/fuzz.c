/*
 * fuzz.c - libFuzzer harness for src/image/manifest.c: every input goes
 * through document detection, index parsing and platform selection,
 * manifest parsing and config parsing; everything is released.
 * Corpus: tests/fuzz/manifest/corpus/ (replayed by the fuzz-manifest test).
 */
#include "core/error.h"
#include "image/manifest.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	sc_doc_kind kind = SC_DOC_UNKNOWN;
	sc_index ix;
	sc_manifest m;
	sc_config c;
	sc_platform want;
	const sc_descriptor *d = NULL;
	char buf[128];
	size_t i;

	if (sc_doc_detect(&kind, s, size, NULL) == 0 && kind == SC_DOC_UNKNOWN)
		__builtin_trap(); /* success always names a kind */
	(void)sc_doc_detect(&kind, s, size, SC_MT_OCI_INDEX);

	if (sc_index_parse(&ix, s, size) == 0) {
		for (i = 0; i < ix.n_manifests; i++) {
			(void)sc_doc_kind_of(ix.manifests[i].media_type);
			(void)sc_platform_fmt(&ix.manifests[i].platform, buf, sizeof(buf));
		}
		if (sc_platform_parse(&want, "linux/arm64/v8") == 0) {
			if (sc_index_select(&ix, &want, &d) == 0 &&
			    (d < ix.manifests || d >= ix.manifests + ix.n_manifests))
				__builtin_trap();
			sc_platform_release(&want);
		}
		if (sc_platform_parse(&want, "linux/amd64") == 0) {
			(void)sc_index_select(&ix, &want, &d);
			sc_platform_release(&want);
		}
		sc_index_release(&ix);
	}

	if (sc_manifest_parse(&m, s, size) == 0) {
		(void)sc_layer_compression(m.config.media_type);
		for (i = 0; i < m.n_layers; i++)
			(void)sc_compression_name(sc_layer_compression(m.layers[i].media_type));
		sc_manifest_release(&m);
	}

	if (sc_config_parse(&c, s, size) == 0) {
		/* sortedness is part of the contract */
		for (i = 1; i < c.n_labels; i++)
			if (strcmp(c.labels[i - 1].key, c.labels[i].key) >= 0)
				__builtin_trap();
		sc_config_release(&c);
	}

	/* platform strings are user input too */
	if (size < 256) {
		memcpy(buf, s, size < sizeof(buf) - 1 ? size : sizeof(buf) - 1);
		buf[size < sizeof(buf) - 1 ? size : sizeof(buf) - 1] = '\0';
		if (sc_platform_parse(&want, buf) == 0)
			sc_platform_release(&want);
	}
	sc_error_clear();
	return 0;
}
