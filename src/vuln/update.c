/*
 * update.c - download OSV bulk archives with libcurl and import them
 * atomically (update.h).
 *
 * libcurl easy interface: https://curl.se/libcurl/c/libcurl-easy.html
 * OSV data dumps:         https://google.github.io/osv.dev/data/#data-dumps
 */
#include "vuln/update.h"

#include "core/buf.h"
#include "core/digest.h"
#include "core/error.h"
#include "registry/http.h" /* sc_http_global_init: one curl_global_init for the process */

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ECOSYSTEMS 64

typedef struct dl {
	int fd;
	uint64_t bytes, max;
	sc_sha256 *h;
	int err;       /* errno of a failed write */
	int too_big;
} dl;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	dl *d = ud;
	size_t len = size * n, off = 0;

	if (d->bytes + len > d->max) {
		d->too_big = 1;
		return 0;
	}
	while (off < len) {
		ssize_t w = write(d->fd, p + off, len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			d->err = errno;
			return 0;
		}
		off += (size_t)w;
	}
	sc_sha256_update(d->h, p, len);
	d->bytes += len;
	return len;
}

int sc_http_download(const char *url, int fd, uint64_t max, long timeout_s, uint64_t *bytes_out,
		     char sha256_hex[65])
{
	CURL *c = NULL;
	CURLcode cc;
	char errbuf[CURL_ERROR_SIZE] = "";
	long status = 0;
	curl_off_t clen = -1;
	sc_digest dg;
	dl d;
	int ret = 0;

	if ((ret = sc_http_global_init()) != 0)
		return ret;
	memset(&d, 0, sizeof(d));
	d.fd = fd;
	d.max = max;
	if (!(d.h = sc_sha256_new()))
		return sc_error_set(SC_ENOMEM, "out of memory");
	if (!(c = curl_easy_init())) {
		ret = sc_error_set(SC_EINTERNAL, "libcurl: cannot create a handle");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &d);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s > 0 ? timeout_s : 1800L);
	/* A stalled transfer (under 1 KB/s for a minute) is a failure, not a hang. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "scute (vulnerability database update)");
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
	cc = curl_easy_perform(c);
	if (d.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		ret = sc_error_set(SC_ELIMIT, "%s: larger than the %llu-byte limit", url, (unsigned long long)max);
		goto out;
	}
	if (d.err) {
		ret = sc_error_set_errno(SC_EIO, d.err, "%s: writing the download", url);
		goto out;
	}
	if (cc != CURLE_OK) {
		ret = sc_error_set(cc == CURLE_PARTIAL_FILE ? SC_EINPUT : SC_EIO, "%s: %s", url,
				   errbuf[0] ? errbuf : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (strncmp(url, "file:", 5) != 0 && status != 200) {
		ret = sc_error_set(status == 404 ? SC_ENOTFOUND : SC_EIO, "%s: HTTP status %ld", url, status);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &clen);
	if (clen >= 0 && (uint64_t)clen != d.bytes) {
		ret = sc_error_set(SC_EINPUT, "%s: download stopped after %llu of %lld bytes", url,
				   (unsigned long long)d.bytes, (long long)clen);
		goto out;
	}
	sc_sha256_final(d.h, &dg);
	sc_digest_hex(&dg, sha256_hex);
	*bytes_out = d.bytes;
out:
	if (c)
		curl_easy_cleanup(c);
	sc_sha256_free(d.h);
	return ret;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return sc_strdup(".");
	if (slash == path)
		return sc_strdup("/");
	return sc_strndup(path, (size_t)(slash - path));
}

static int valid_ecosystem(const char *e)
{
	const char *p;

	if (!*e)
		return 0;
	for (p = e; *p; p++)
		if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') || ('0' <= *p && *p <= '9') ||
		      *p == '.' || *p == '-' || *p == '_' || *p == ':' || *p == ' '))
			return 0;
	return strstr(e, "..") == NULL;
}

/* Download + import one ecosystem; *r is filled in either way. */
static int update_one(sc_vulndb *db, const char *tmpdir, const char *base, const char *eco, long timeout_s,
		      sc_update_result *r)
{
	sc_buf url, tmpl, name;
	char *tmp = NULL;
	int fd = -1, ret;
	size_t i;

	sc_buf_init(&url, 8192, "URL");
	sc_buf_init(&tmpl, 8192, "path");
	sc_buf_init(&name, 1024, "source name");
	if (!(r->ecosystem = sc_strdup(eco))) {
		ret = SC_ENOMEM;
		goto out;
	}
	/* Path segment: spaces (e.g. "Red Hat") are percent-encoded. */
	sc_buf_puts(&url, base);
	while (url.len && url.data[url.len - 1] == '/')
		url.len--;
	sc_buf_putc(&url, '/');
	for (i = 0; eco[i]; i++)
		if (eco[i] == ' ')
			sc_buf_puts(&url, "%20");
		else
			sc_buf_putc(&url, eco[i]);
	sc_buf_puts(&url, "/all.zip");
	sc_buf_printf(&tmpl, "%s/.scute-update-XXXXXX.zip", tmpdir);
	sc_buf_printf(&name, "osv:%s", eco);
	if ((ret = sc_buf_putc(&url, '\0')) != 0 || (ret = sc_buf_putc(&tmpl, '\0')) != 0 ||
	    (ret = sc_buf_putc(&name, '\0')) != 0)
		goto out;
	if (!(r->url = sc_strdup(url.data))) {
		ret = SC_ENOMEM;
		goto out;
	}
	tmp = tmpl.data;
	fd = mkostemps(tmp, 4, O_CLOEXEC);
	if (fd < 0) {
		ret = sc_error_set_errno(SC_EIO, errno, "creating a temporary file in %s", tmpdir);
		tmp = NULL;
		goto out;
	}
	if ((ret = sc_http_download(url.data, fd, SC_UPDATE_MAX_DOWNLOAD, timeout_s, &r->bytes, r->sha256)) != 0)
		goto out;
	if (fsync(fd) != 0) {
		ret = sc_error_set_errno(SC_EIO, errno, "writing %s", tmp);
		goto out;
	}
	if ((ret = sc_vulndb_begin_source(db, name.data, "osv", url.data)) != 0)
		goto out;
	ret = sc_import_path(tmp, SC_IMPORT_OSV, sc_vulndb_add, db, &r->stats, NULL);
	if (ret == 0)
		ret = sc_vulndb_commit(db, r->stats.records, r->stats.skipped);
	else
		sc_vulndb_rollback(db);
out:
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	if (ret) {
		r->failed = 1;
		r->error = sc_strdup(sc_error_msg());
	}
	sc_buf_release(&url);
	sc_buf_release(&tmpl);
	sc_buf_release(&name);
	return ret;
}

int sc_vuln_update(sc_vulndb *db, const char *db_path, const sc_update_opts *opts, sc_update_result **out,
		   size_t *n_out)
{
	const char *base = opts && opts->base_url ? opts->base_url : SC_UPDATE_DEFAULT_BASE;
	const char *list = opts && opts->ecosystems ? opts->ecosystems : SC_UPDATE_DEFAULT_ECOSYSTEMS;
	char *copy = NULL, *tok, *save = NULL, *tmpdir = NULL;
	sc_update_result *res = NULL;
	size_t n = 0;
	int ret = 0, first = 0, rc;

	*out = NULL;
	*n_out = 0;
	if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0 && strncmp(base, "file://", 7) != 0)
		return sc_error_set(SC_EUSAGE, "--source %s: not an http://, https:// or file:// URL", base);
	if (!(copy = sc_strdup(list)) || !(res = sc_calloc(MAX_ECOSYSTEMS, sizeof(*res))) ||
	    !(tmpdir = opts && opts->tmp_dir ? sc_strdup(opts->tmp_dir) : dir_of(db_path))) {
		ret = SC_ENOMEM;
		goto out;
	}
	/* Check every name before downloading anything: a usage error must not follow half an update. */
	{
		const char *p = list;
		size_t count = 0;

		while (*p) {
			size_t len = strcspn(p, ",");
			char name[128];

			if (len > 0) {
				if (len >= sizeof(name)) {
					ret = sc_error_set(SC_EUSAGE, "--ecosystem: a name is longer than %zu bytes",
							   sizeof(name) - 1);
					goto out;
				}
				memcpy(name, p, len);
				name[len] = '\0';
				if (!valid_ecosystem(name)) {
					ret = sc_error_set(SC_EUSAGE, "--ecosystem: '%s' is not an ecosystem name", name);
					goto out;
				}
				if (++count > MAX_ECOSYSTEMS) {
					ret = sc_error_set(SC_EUSAGE, "--ecosystem: more than %d ecosystems", MAX_ECOSYSTEMS);
					goto out;
				}
			}
			p += len;
			if (*p == ',')
				p++;
		}
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		rc = update_one(db, tmpdir, base, tok, opts ? opts->timeout_s : 0, &res[n++]);
		if (rc == SC_ENOMEM) {
			ret = rc;
			goto out;
		}
		if (rc && !first)
			first = rc;
		sc_error_clear();
	}
	if (n == 0) {
		ret = sc_error_set(SC_EUSAGE, "--ecosystem: no ecosystem given");
		goto out;
	}
	*out = res;
	*n_out = n;
	res = NULL;
	ret = first;
	if (first) {
		size_t i;

		for (i = 0; i < *n_out; i++)
			if ((*out)[i].failed) {
				sc_error_set(first, "%s", (*out)[i].error ? (*out)[i].error : "update failed");
				break;
			}
	}
out:
	if (res)
		sc_update_results_free(res, n);
	free(copy);
	free(tmpdir);
	return ret;
}

void sc_update_results_free(sc_update_result *r, size_t n)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < n; i++) {
		free(r[i].ecosystem);
		free(r[i].url);
		free(r[i].error);
		sc_import_stats_release(&r[i].stats);
	}
	free(r);
}
