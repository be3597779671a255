/*
 * table.c - findings as a human table (`scute scan --format table`).
 *
 * Layout (docs/scan.md, "Output formats"):
 *
 *   PACKAGE     INSTALLED  ADVISORY                     STATUS          TITLE
 *   CRITICAL
 *   torch       2.0.0      PYSEC-2024-1 [CVE-2024-5480] fixed in 2.2.0  Remote code execution in ...
 *   HIGH
 *   ...
 *
 *   3 vulnerabilities: 1 critical, 2 high (1 suppressed by VEX)
 *
 * Suppressed findings are not listed, only counted.  Every field is
 * printed through a filter that replaces control bytes and invalid UTF-8
 * (advisory text is untrusted and must not drive the terminal); titles are
 * cut to TITLE_COLS characters.  No spec.
 */
#include "core/buf.h"
#include "report/report.h"
#include "report/util.h"

#include <ctype.h>
#include <string.h>

#define TITLE_COLS 60
/* Columns wider than this are not padded further: long values just push the row. */
#define MAX_PAD 40

static const char *level_color(sc_level l)
{
	switch (l) {
	case SC_LEVEL_CRITICAL: return "\033[1;31m";
	case SC_LEVEL_HIGH: return "\033[31m";
	case SC_LEVEL_MEDIUM: return "\033[33m";
	case SC_LEVEL_LOW: return "\033[36m";
	default: return "\033[2m";
	}
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s)
{
	size_t n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/*
 * Copy s into b as printable text: control bytes and invalid UTF-8 become
 * '?' (whitespace runs become one space), at most max_cols characters
 * (0: no limit) with "..." when cut.  Returns the number of characters.
 */
size_t sc_report_clean(sc_buf *b, const char *s, size_t max_cols)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t cols = 0, total = 0, n, i;
	const unsigned char *q;

	/* Count characters first to know whether to cut. */
	for (q = p; *q; q += n, total++)
		n = utf8_seq(q) ? utf8_seq(q) : 1;
	sc_buf_reset(b);
	for (; *p; p += n) {
		if (max_cols && total > max_cols && cols + 3 >= max_cols) {
			sc_buf_puts(b, "...");
			cols += 3;
			break;
		}
		n = utf8_seq(p);
		if (n == 0) {
			n = 1;
			sc_buf_putc(b, '?');
		} else if (n == 1 && (*p < 0x20 || *p == 0x7f)) {
			if (*p == '\n' || *p == '\t' || *p == '\r') {
				if (b->len && b->data[b->len - 1] == ' ')
					continue;
				sc_buf_putc(b, ' ');
			} else {
				sc_buf_putc(b, '?');
			}
		} else {
			for (i = 0; i < n; i++)
				sc_buf_putc(b, (char)p[i]);
		}
		cols++;
	}
	if (!b->data)
		sc_buf_puts(b, "");
	return cols;
}

typedef struct row {
	sc_buf pkg, ver, adv, status, title;
} row;

static void row_init(row *r)
{
	sc_buf_init(&r->pkg, 4096, "table cell");
	sc_buf_init(&r->ver, 4096, "table cell");
	sc_buf_init(&r->adv, 4096, "table cell");
	sc_buf_init(&r->status, 4096, "table cell");
	sc_buf_init(&r->title, 4096, "table cell");
}

static void row_release(row *r)
{
	sc_buf_release(&r->pkg);
	sc_buf_release(&r->ver);
	sc_buf_release(&r->adv);
	sc_buf_release(&r->status);
	sc_buf_release(&r->title);
}

static size_t status_text(sc_buf *out, const sc_finding *f)
{
	const sc_finding_vuln *v = &f->vuln;
	sc_buf tmp;
	size_t i, cols;

	sc_buf_init(&tmp, 4096, "status");
	if (v->status && strcmp(v->status, "fixed") == 0 && v->fixed_in && v->fixed_in[0]) {
		sc_buf_puts(&tmp, "fixed in ");
		for (i = 0; v->fixed_in[i] && i < 3; i++)
			sc_buf_printf(&tmp, "%s%s", i ? ", " : "", v->fixed_in[i]);
		if (v->fixed_in[i])
			sc_buf_puts(&tmp, ", ...");
	} else {
		sc_buf_puts(&tmp, v->status ? v->status : "-");
	}
	if (v->vex_status)
		sc_buf_printf(&tmp, " (VEX: %s)", v->vex_status);
	cols = sc_report_clean(out, tmp.data, 0);
	sc_buf_release(&tmp);
	return cols;
}

/* Fill the cells of one row; returns the display widths through w[4]. */
static void fill_row(row *r, const sc_report_ctx *ctx, const sc_finding *f, size_t w[4])
{
	const sc_package *p = sc_rp_pkg(ctx, f);
	const char *cve = sc_rp_first_cve(f->vuln.aliases);
	sc_buf tmp;

	sc_buf_init(&tmp, 8192, "cell");
	if (p) {
		w[0] = sc_report_clean(&r->pkg, p->name, 0);
		w[1] = sc_report_clean(&r->ver, p->version ? p->version : "-", 0);
	} else {
		sc_buf_printf(&tmp, "/%s", f->path ? f->path : "");
		w[0] = sc_report_clean(&r->pkg, f->path ? tmp.data : "-", 0);
		w[1] = sc_report_clean(&r->ver, "-", 0);
	}
	sc_buf_reset(&tmp);
	if (cve && f->id && strncmp(f->id, "CVE-", 4) != 0)
		sc_buf_printf(&tmp, "%s [%s]", f->id, cve);
	else
		sc_buf_puts(&tmp, f->id ? f->id : "-");
	w[2] = sc_report_clean(&r->adv, tmp.data, 0);
	w[3] = status_text(&r->status, f);
	sc_report_clean(&r->title, f->title ? f->title : "", TITLE_COLS);
	sc_buf_release(&tmp);
}

static void cell(FILE *f, const sc_buf *b, size_t width, size_t pad, int sep)
{
	fputs(b->data ? b->data : "", f);
	for (; width < pad; width++)
		fputc(' ', f);
	if (sep)
		fputc(' ', f);
}

void sc_report_table(FILE *f, const sc_report_ctx *ctx, const sc_findings *fs, int color)
{
	static const char *const heads[4] = { "PACKAGE", "INSTALLED", "ADVISORY", "STATUS" };
	const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";
	size_t pad[4], w[4], i, k;
	sc_rp_counts c;
	row r;
	int lv, first;

	sc_rp_count(&c, ctx, fs);
	if (!c.shown) {
		fprintf(f, "No vulnerabilities found");
		if (c.suppressed)
			fprintf(f, " (%zu suppressed by VEX)", c.suppressed);
		fputc('\n', f);
		return;
	}
	row_init(&r);
	for (k = 0; k < 4; k++)
		pad[k] = strlen(heads[k]);
	for (i = 0; i < fs->n; i++) {
		if (fs->items[i].suppressed)
			continue;
		fill_row(&r, ctx, &fs->items[i], w);
		for (k = 0; k < 4; k++)
			if (w[k] > pad[k])
				pad[k] = w[k] < MAX_PAD ? w[k] : MAX_PAD;
	}
	fputs(bold, f);
	for (k = 0; k < 4; k++) {
		fputs(heads[k], f);
		for (w[0] = strlen(heads[k]); w[0] <= pad[k]; w[0]++)
			fputc(' ', f);
	}
	fprintf(f, "TITLE%s\n", reset);
	/* Grouped by level, critical first, in list order within a level. */
	for (lv = SC_LEVEL_CRITICAL; lv >= SC_LEVEL_UNKNOWN; lv--) {
		if (!c.level[lv])
			continue;
		first = 1;
		for (i = 0; i < fs->n; i++) {
			const sc_finding *x = &fs->items[i];
			sc_level xl = (unsigned)x->level <= SC_LEVEL_CRITICAL ? x->level : SC_LEVEL_UNKNOWN;

			if (x->suppressed || (int)xl != lv)
				continue;
			if (first) {
				char name[16];

				for (k = 0; sc_level_name(xl)[k] && k < sizeof(name) - 1; k++)
					name[k] = (char)toupper((unsigned char)sc_level_name(xl)[k]);
				name[k] = '\0';
				fprintf(f, "%s%s%s (%zu)%s\n", color ? level_color(xl) : "", bold, name, c.level[lv], reset);
				first = 0;
			}
			fill_row(&r, ctx, x, w);
			for (k = 0; k < 4; k++) {
				const sc_buf *b = k == 0 ? &r.pkg : k == 1 ? &r.ver : k == 2 ? &r.adv : &r.status;

				if (k == 2 && color)
					fputs(level_color(xl), f);
				cell(f, b, w[k], k == 3 && !r.title.len ? 0 : pad[k], k < 3 || r.title.len);
				if (k == 2 && color)
					fputs(reset, f);
			}
			fprintf(f, "%s\n", r.title.data ? r.title.data : "");
		}
	}
	row_release(&r);

	fprintf(f, "\n%s%zu %s%s:", bold, c.shown, c.shown == 1 ? "vulnerability" : "vulnerabilities", reset);
	first = 1;
	for (lv = SC_LEVEL_CRITICAL; lv >= SC_LEVEL_UNKNOWN; lv--) {
		if (!c.level[lv])
			continue;
		fprintf(f, "%s %s%zu %s%s", first ? "" : ",", color ? level_color((sc_level)lv) : "", c.level[lv],
			sc_level_name((sc_level)lv), reset);
		first = 0;
	}
	if (c.suppressed)
		fprintf(f, " (%zu suppressed by VEX)", c.suppressed);
	fputc('\n', f);
}
