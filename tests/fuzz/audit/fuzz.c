/*
 * fuzz.c (audit) - the audit rules on hostile image content: the input is
 * split at NUL bytes into etc/passwd, etc/shadow, etc/group, a config User,
 * an Env entry, a .env file and a Keras .h5 file; they are written into a
 * one-layer tar, read with the audit's interests (and the catalogers'),
 * and every rule runs.  No crash, no leak, bounded time.
 */
#include "../../unit/tartest.h"
#include "audit/audit.h"
#include "catalog/catalog.h"
#include "core/error.h"
#include "core/stream.h"
#include "image/fsview.h"
#include "image/layer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = { "etc/passwd", "etc/shadow", "etc/group", NULL, NULL,
					     "app/.env", "app/model.h5" };
	const char *field[7] = { "", "", "", "", "", "", "" };
	char *buf, *p;
	size_t n = 0, i, k, n_ins = 0;
	const sc_interest *ins[160];
	tt_tar t;
	tt_blob b;
	sc_stream *m = NULL;
	sc_layer l;
	sc_layer_opts o;
	sc_fsview *v = NULL;
	sc_catalog cat;
	sc_findings fs;
	sc_image img;
	sc_audit_ctx ctx;
	char *env[2] = { NULL, NULL };
	static const sc_cataloger *const cats[] = { &sc_cataloger_os, &sc_cataloger_dpkg, &sc_cataloger_python,
						    &sc_cataloger_models };

	if (size > 65536)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (p = buf, field[n++] = buf; n < 7 && (p = memchr(p, '\0', (size_t)(buf + size - p))) && p < buf + size;)
		field[n++] = ++p;
	tt_tar_init(&t, size * 2 + 65536);
	tt_add(&t, "etc", 'd', 0755, NULL, 0, NULL);
	tt_add(&t, "app", 'd', 0755, NULL, 0, NULL);
	for (i = 0; i < 7; i++)
		if (paths[i])
			tt_add(&t, paths[i], 'f', 0644, field[i], strlen(field[i]), NULL);
	b = tt_finish(&t);
	if (sc_audit_interests(ins, &n_ins, 64) != 0)
		goto out_blob;
	for (i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
		for (k = 0; cats[i]->interests && cats[i]->interests[k] && n_ins < 160; k++)
			ins[n_ins++] = cats[i]->interests[k];
	sc_catalog_init(&cat);
	sc_findings_init(&fs);
	memset(&o, 0, sizeof(o));
	o.name = "fuzz layer";
	o.interests = ins;
	o.n_interests = n_ins;
	if (sc_fsview_new(&v) != 0)
		goto out;
	if (sc_stream_mem_new(&m, b.data, b.len) != 0 || sc_layer_read(&l, m, &o) != 0 ||
	    sc_fsview_apply(v, &l, "fuzz layer") != 0)
		goto out;
	for (i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
		if (cats[i]->collect(v, &cat) != 0)
			goto out;
	if (sc_catalog_finish(&cat) != 0)
		goto out;
	memset(&img, 0, sizeof(img));
	img.config.user = (char *)field[3];
	env[0] = (char *)field[4];
	img.config.env = env;
	ctx.img = &img;
	ctx.cat = &cat;
	ctx.view = v;
	if (sc_audit_run(&fs, &ctx) == 0)
		(void)sc_audit_score(&fs);
out:
	sc_error_clear();
	sc_findings_release(&fs);
	sc_catalog_release(&cat);
	sc_fsview_free(v);
out_blob:
	free(b.data);
	free(buf);
	return 0;
}
