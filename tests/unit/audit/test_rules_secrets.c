/*
 * test_rules_secrets.c - SC-3001..SC-3006 on in-memory images: the config
 * is parsed from JSON, files come from tar layers read with the audit
 * interests (the same single pass the CLI runs), and every test checks
 * that no finding repeats a secret beyond its first 4 characters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "catalog/catalog.h"
#include "core/error.h"
#include "image/fsview.h"
#include "image/layer.h"
#include "tartest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Secrets used below; none may appear in a finding. */
#define HF_TOK "hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh"
#define GH_TOK "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
#define ANT_TOK "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcdefghij"
#define AWS_ID "AKIAIOSFODNN7EXAMPLE"
#define AWS_SECRET "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"
#define PLAIN_PW "correcthorsebatterystaple"
#define BEARER "xyzBearerSecret991"
#define KEY_BODY "MIIEpAIBAAKCAQEAteStKeYbOdYnOtArEaLkEy0123456789abcdefABCDEF"

static const char *const secrets[] = { HF_TOK, GH_TOK, ANT_TOK, AWS_SECRET, PLAIN_PW, BEARER, KEY_BODY,
				       /* and their tails beyond the 4 shown characters */
				       HF_TOK + 4, GH_TOK + 4, ANT_TOK + 4, AWS_SECRET + 4, PLAIN_PW + 4, BEARER + 4,
				       NULL };

#define RSA_KEY "-----BEGIN RSA PRIVATE KEY-----\n" KEY_BODY "\n-----END RSA PRIVATE KEY-----\n"
#define CERT "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END CERTIFICATE-----\n"

typedef struct fixture {
	sc_image img;
	sc_catalog cat;
	sc_fsview *view;
	sc_findings fs;
	sc_audit_ctx ctx;
} fixture;

static void no_leak(const sc_findings *fs)
{
	size_t i, k;

	for (i = 0; i < fs->n; i++) {
		const sc_finding *f = &fs->items[i];
		const char *fields[] = { f->title, f->description, f->remediation, f->path };

		for (k = 0; secrets[k]; k++) {
			size_t j;

			for (j = 0; j < 4; j++)
				if (fields[j] && strstr(fields[j], secrets[k])) {
					print_error("finding %s leaks a secret: %s\n", f->id, fields[j]);
					fail();
				}
		}
	}
}

/* Layers (each a NULL-terminated list of path, content pairs) read with the audit interests. */
static void fx_files(fixture *fx, const char *const *const *layers, size_t n_layers)
{
	const sc_interest *ins[64];
	size_t n = 0, i;

	assert_int_equal(sc_audit_interests(ins, &n, 64), 0);
	assert_int_equal(sc_fsview_new(&fx->view), 0);
	for (i = 0; i < n_layers; i++) {
		const char *const *f;
		sc_stream *m = NULL;
		sc_layer l;
		sc_layer_opts o;
		tt_tar t;
		tt_blob b;

		tt_tar_init(&t, 1 << 20);
		for (f = layers[i]; *f; f += 2)
			tt_file(&t, f[0], f[1]);
		b = tt_finish(&t);
		memset(&o, 0, sizeof(o));
		o.index = i;
		o.name = "test layer";
		o.interests = ins;
		o.n_interests = n;
		assert_int_equal(sc_stream_mem_new(&m, b.data, b.len), 0);
		assert_int_equal(sc_layer_read(&l, m, &o), 0);
		assert_int_equal(sc_fsview_apply(fx->view, &l, "test layer"), 0);
		free(b.data);
	}
}

static void fx_init(fixture *fx, const char *config_json)
{
	memset(fx, 0, sizeof(*fx));
	sc_catalog_init(&fx->cat);
	sc_findings_init(&fx->fs);
	if (config_json)
		assert_int_equal(sc_config_parse(&fx->img.config, config_json, strlen(config_json)), 0);
	fx->ctx.img = &fx->img;
	fx->ctx.cat = &fx->cat;
}

/* Run one rule; returns the number of its findings. */
static size_t fx_run(fixture *fx, const char *id)
{
	const sc_rule *r = sc_audit_rule(id);

	assert_non_null(r);
	fx->ctx.view = fx->view;
	sc_findings_release(&fx->fs);
	sc_findings_init(&fx->fs);
	assert_int_equal(r->check(&fx->ctx, r, &fx->fs), 0);
	if (getenv("AUDIT_TEST_VERBOSE")) {
		size_t i;

		for (i = 0; i < fx->fs.n; i++)
			fprintf(stderr, "  %s [%s] %s\n", fx->fs.items[i].id, sc_level_name(fx->fs.items[i].level),
				fx->fs.items[i].title);
	}
	no_leak(&fx->fs);
	return fx->fs.n;
}

/* The finding about path (or the first with no path when path is NULL), or NULL. */
static const sc_finding *fx_find(const fixture *fx, const char *path, const char *needle)
{
	size_t i;

	for (i = 0; i < fx->fs.n; i++) {
		const sc_finding *f = &fx->fs.items[i];

		if (path && (!f->path || strcmp(f->path, path) != 0))
			continue;
		if (needle && !strstr(f->title, needle))
			continue;
		return f;
	}
	return NULL;
}

static void fx_release(fixture *fx)
{
	sc_config_release(&fx->img.config);
	sc_catalog_release(&fx->cat);
	sc_fsview_free(fx->view);
	sc_findings_release(&fx->fs);
}

/* ---- SC-3001 ---- */

static void test_env(void **state)
{
	fixture fx;

	(void)state;
	fx_init(&fx, "{\"config\":{\"Env\":[\"PATH=/usr/bin\",\"HF_TOKEN=" HF_TOK "\",\"DB_PASSWORD=" PLAIN_PW
		     "\",\"PIP_INDEX_URL=https://ci:" PLAIN_PW "@pypi.example.com/simple\"]}}");
	assert_int_equal(fx_run(&fx, "SC-3001"), 3);
	assert_non_null(fx_find(&fx, NULL, "HF_TOKEN=hf_A"));
	assert_non_null(fx_find(&fx, NULL, "Hugging Face token"));
	assert_non_null(fx_find(&fx, NULL, "DB_PASSWORD=corr"));
	assert_non_null(fx_find(&fx, NULL, "PIP_INDEX_URL=https://ci:corr"));
	assert_int_equal(fx.fs.items[0].level, SC_LEVEL_CRITICAL);
	fx_release(&fx);
}

static void test_env_negative(void **state)
{
	fixture fx;

	(void)state;
	fx_init(&fx, "{\"config\":{\"Env\":[\"PATH=/usr/bin\",\"TOKENIZERS_PARALLELISM=false\","
		     "\"GOOGLE_APPLICATION_CREDENTIALS=/run/secrets/gcp.json\",\"MAX_TOKENS=4096\",\"HF_TOKEN=\","
		     "\"GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\"]}}");
	assert_int_equal(fx_run(&fx, "SC-3001"), 0);
	fx_release(&fx);
}

/* ---- SC-3002 ---- */

static void test_labels(void **state)
{
	fixture fx;

	(void)state;
	fx_init(&fx, "{\"config\":{\"Labels\":{\"com.example.api-token\":\"" PLAIN_PW "\","
		     "\"com.example.notes\":\"deploy with " GH_TOK "\","
		     "\"org.opencontainers.image.title\":\"app\"}}}");
	assert_int_equal(fx_run(&fx, "SC-3002"), 2);
	assert_non_null(fx_find(&fx, NULL, "com.example.api-token=corr"));
	assert_non_null(fx_find(&fx, NULL, "com.example.notes=deploy with ghp_"));
	fx_release(&fx);
}

/* A label key is shown too: a token inside it is masked like one in a value (no_leak checks). */
static void test_labels_token_in_key(void **state)
{
	fixture fx;

	(void)state;
	fx_init(&fx, "{\"config\":{\"Labels\":{\"auth." GH_TOK "\":\"somevalue\"}}}");
	assert_int_equal(fx_run(&fx, "SC-3002"), 1);
	assert_non_null(fx_find(&fx, NULL, "auth.ghp_"));
	fx_release(&fx);
}

static void test_labels_negative(void **state)
{
	fixture fx;

	(void)state;
	fx_init(&fx, "{\"config\":{\"Labels\":{\"org.opencontainers.image.authors\":\"Jane <jane@example.com>\","
		     "\"maintainer\":\"ops\",\"max_tokens\":\"512\",\"com.example.auth-mode\":\"\"}}}");
	assert_int_equal(fx_run(&fx, "SC-3002"), 0);
	fx_release(&fx);
}

/* ---- SC-3003 ---- */

static void test_history(void **state)
{
	fixture fx;

	(void)state;
	fx_init(&fx, "{\"history\":["
		     "{\"created_by\":\"/bin/sh -c #(nop) ADD file:abc in / \"},"
		     "{\"created_by\":\"/bin/sh -c #(nop)  ENV AWS_SECRET_ACCESS_KEY=" AWS_SECRET "\",\"empty_layer\":true},"
		     "{\"created_by\":\"RUN /bin/sh -c curl -H \\\"Authorization: Bearer " BEARER "\\\" https://x.example/m\"},"
		     "{\"created_by\":\"RUN |1 HF_TOKEN=" HF_TOK " /bin/sh -c python download.py # buildkit\"},"
		     "{\"created_by\":\"/bin/sh -c apt-get update\",\"comment\":\"token " GH_TOK "\"}"
		     "]}");
	assert_int_equal(fx_run(&fx, "SC-3003"), 4);
	assert_non_null(fx_find(&fx, NULL, "history[1].created_by"));
	assert_non_null(fx_find(&fx, NULL, "AWS_SECRET_ACCESS_KEY=wJal"));
	assert_non_null(fx_find(&fx, NULL, "Bearer xyzB"));
	assert_non_null(fx_find(&fx, NULL, "HF_TOKEN=hf_A"));
	assert_non_null(fx_find(&fx, NULL, "history[4].comment"));
	fx_release(&fx);
}

static void test_history_negative(void **state)
{
	fixture fx;

	(void)state;
	fx_init(&fx, "{\"history\":["
		     "{\"created_by\":\"/bin/sh -c #(nop)  ENV TOKENIZERS_PARALLELISM=false HF_HOME=/models\"},"
		     "{\"created_by\":\"RUN /bin/sh -c curl -H \\\"Authorization: Bearer $HF_TOKEN\\\" https://x/m\"},"
		     "{\"created_by\":\"RUN --mount=type=secret,id=hf /bin/sh -c HF_TOKEN=$(cat /run/secrets/hf) make\"},"
		     "{\"created_by\":\"ARG PASSWORD\"}"
		     "]}");
	assert_int_equal(fx_run(&fx, "SC-3003"), 0);
	fx_release(&fx);
}

/* ---- SC-3004 ---- */

static void test_private_keys(void **state)
{
	static const char *const l1[] = {
		"root/.ssh/id_rsa", RSA_KEY,
		/* A certificate bundle with the key after the certificate. */
		"app/certs/server.pem", CERT RSA_KEY,
		/* Starts with the PEM magic, any name. */
		"srv/tls/server-key.txt", "-----BEGIN PRIVATE KEY-----\n" KEY_BODY "\n-----END PRIVATE KEY-----\n",
		"etc/ssl/private/enc.key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" KEY_BODY "\n-----END ENCRYPTED PRIVATE KEY-----\n",
		"home/u/.ssh/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n" KEY_BODY "\n-----END OPENSSH PRIVATE KEY-----\n",
		/* Legacy encrypted PEM (RFC 1421 headers). */
		"opt/app/legacy.key", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
				      "DEK-Info: AES-128-CBC,0123456789ABCDEF\n\n" KEY_BODY "\n-----END RSA PRIVATE KEY-----\n",
		NULL,
	};
	const char *const *layers[] = { l1 };
	const sc_finding *f;
	fixture fx;

	(void)state;
	fx_init(&fx, NULL);
	fx_files(&fx, layers, 1);
	assert_int_equal(fx_run(&fx, "SC-3004"), 6);
	assert_non_null(f = fx_find(&fx, "root/.ssh/id_rsa", "RSA PRIVATE KEY"));
	assert_int_equal(f->level, SC_LEVEL_CRITICAL);
	assert_non_null(fx_find(&fx, "app/certs/server.pem", "RSA PRIVATE KEY"));
	assert_non_null(fx_find(&fx, "srv/tls/server-key.txt", "PRIVATE KEY"));
	assert_non_null(fx_find(&fx, "home/u/.ssh/id_ed25519", "OPENSSH PRIVATE KEY"));
	/* Passphrase-protected: reported, one level lower. */
	assert_non_null(f = fx_find(&fx, "etc/ssl/private/enc.key", "encrypted"));
	assert_int_equal(f->level, SC_LEVEL_HIGH);
	assert_non_null(f = fx_find(&fx, "opt/app/legacy.key", "RSA PRIVATE KEY, encrypted"));
	assert_int_equal(f->level, SC_LEVEL_HIGH);
	fx_release(&fx);
}

static void test_private_keys_negative(void **state)
{
	static const char *const l1[] = {
		"etc/ssl/certs/ca.pem", CERT,
		"usr/share/doc/libfoo/examples/test.key", RSA_KEY,
		"usr/lib/python3.11/test/keycert.pem", RSA_KEY,
		"usr/local/lib/python3.12/site-packages/tornado/test/test.key", RSA_KEY,
		"usr/local/go/src/crypto/tls/testdata/example-key.pem", RSA_KEY,
		"usr/lib/ssl/owned.pem", RSA_KEY,
		/* Not scanned: neither a key name nor the PEM magic at the start (documented limit). */
		"app/notes.txt", "see below\n" RSA_KEY,
		/* Deleted by a later layer. */
		"root/.ssh/id_rsa", RSA_KEY,
		NULL,
	};
	static const char *const l2[] = { "root/.ssh/.wh.id_rsa", "", NULL };
	const char *const *layers[] = { l1, l2 };
	char *files[] = { "usr/lib/ssl/owned.pem", NULL };
	sc_package p;
	fixture fx;

	(void)state;
	fx_init(&fx, NULL);
	memset(&p, 0, sizeof(p));
	p.eco = SC_ECO_DEB;
	p.name = "libfoo-test";
	p.version = "1.0";
	p.files = files;
	assert_int_equal(sc_catalog_add_package(&fx.cat, &p, NULL), 0);
	fx_files(&fx, layers, 2);
	assert_int_equal(fx_run(&fx, "SC-3004"), 0);
	/* Without the catalog, the dpkg-owned key is reported. */
	fx.ctx.cat = NULL;
	assert_int_equal(fx_run(&fx, "SC-3004"), 1);
	assert_non_null(fx_find(&fx, "usr/lib/ssl/owned.pem", NULL));
	fx_release(&fx);
}

/* ---- SC-3005 ---- */

static void test_credential_files(void **state)
{
	static const char *const l1[] = {
		"root/.aws/credentials", "[default]\naws_access_key_id = " AWS_ID "\naws_secret_access_key = " AWS_SECRET "\n",
		"app/keys/sa.json", "{\n  \"type\": \"service_account\",\n  \"project_id\": \"p\",\n"
				    "  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n" KEY_BODY "\\n-----END PRIVATE KEY-----\\n\",\n"
				    "  \"client_email\": \"x@p.iam.gserviceaccount.com\"\n}\n",
		"root/.cache/huggingface/token", HF_TOK "\n",
		"root/.netrc", "machine api.example.com\n  login bot\n  password " PLAIN_PW "\n",
		"root/.docker/config.json", "{\"auths\":{\"registry.example.com\":{\"auth\":\"" PLAIN_PW "\"}}}",
		"home/dev/.kube/config", "users:\n- name: dev\n  user:\n    token: " PLAIN_PW "\n",
		"app/.env", "# settings\nDEBUG=false\nexport OPENAI_API_KEY=\"" PLAIN_PW "\"\nDATABASE_URL=postgres://app:" PLAIN_PW "@db/app\n",
		"root/.pypirc", "[pypi]\nusername = __token__\npassword = " PLAIN_PW "\n",
		"app/.npmrc", "//registry.npmjs.org/:_authToken=" PLAIN_PW "\n",
		"root/.git-credentials", "https://bot:" PLAIN_PW "@github.com\n",
		NULL,
	};
	const char *const *layers[] = { l1 };
	const sc_finding *f;
	fixture fx;

	(void)state;
	fx_init(&fx, NULL);
	fx_files(&fx, layers, 1);
	assert_int_equal(fx_run(&fx, "SC-3005"), 10);
	assert_non_null(fx_find(&fx, "root/.aws/credentials", "aws_secret_access_key=wJal"));
	assert_non_null(fx_find(&fx, "app/keys/sa.json", "service-account key"));
	assert_non_null(fx_find(&fx, "root/.cache/huggingface/token", "token=hf_A"));
	assert_non_null(fx_find(&fx, "root/.netrc", "password=corr"));
	assert_non_null(fx_find(&fx, "root/.docker/config.json", "registry.example.com auth=corr"));
	assert_non_null(fx_find(&fx, "home/dev/.kube/config", "token=corr"));
	assert_non_null(f = fx_find(&fx, "app/.env", "OPENAI_API_KEY=corr"));
	assert_non_null(strstr(f->title, "DATABASE_URL=postgres://app:corr"));
	assert_null(strstr(f->title, "DEBUG"));
	assert_non_null(fx_find(&fx, "root/.pypirc", "password=corr"));
	assert_non_null(fx_find(&fx, "app/.npmrc", "_authToken=corr"));
	assert_non_null(fx_find(&fx, "root/.git-credentials", "https://bot:corr"));
	assert_int_equal(fx.fs.items[0].level, SC_LEVEL_CRITICAL);
	fx_release(&fx);
}

static void test_credential_files_negative(void **state)
{
	static const char *const l1[] = {
		"root/.aws/credentials", "[default]\nregion = eu-west-1\n",
		"root/.docker/config.json", "{\"credsStore\":\"desktop\",\"auths\":{\"registry.example.com\":{}}}",
		"app/.npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
		"app/.env", "DEBUG=true\nPORT=8080\nSECRET_FILE=/run/secrets/app\n",
		"root/.netrc", "machine x login y\n",
		"app/keys/not-sa.json", "{\"type\": \"authorized_user_but_not\", \"x\": 1}",
		"app/service_account.json", "not json at all",
		"usr/lib/python3/dist-packages/foo/tests/.env", "API_KEY=" PLAIN_PW "\n",
		NULL,
	};
	const char *const *layers[] = { l1 };
	fixture fx;

	(void)state;
	fx_init(&fx, NULL);
	fx_files(&fx, layers, 1);
	assert_int_equal(fx_run(&fx, "SC-3005"), 0);
	fx_release(&fx);
}

/* ---- SC-3006 ---- */

static void test_tokens(void **state)
{
	static const char *const l1[] = {
		"app/config.yaml", "server:\n  port: 8080\ngithub:\n  token: " GH_TOK "\n",
		"etc/myapp/app.conf", "[aws]\nkey_id=" AWS_ID "\n",
		"home/u/agent.py", "import anthropic\nclient = anthropic.Anthropic(api_key=\"" ANT_TOK "\")\n",
		"opt/svc/settings.json", "{\"tls\": \"-----BEGIN EC PRIVATE KEY-----\\n" KEY_BODY "\\n-----END EC PRIVATE KEY-----\"}",
		NULL,
	};
	const char *const *layers[] = { l1 };
	const sc_finding *f;
	fixture fx;

	(void)state;
	fx_init(&fx, NULL);
	fx_files(&fx, layers, 1);
	assert_int_equal(fx_run(&fx, "SC-3006"), 4);
	assert_non_null(f = fx_find(&fx, "app/config.yaml", "GitHub token ghp_"));
	assert_non_null(strstr(f->title, "line 4"));
	assert_int_equal(f->level, SC_LEVEL_HIGH);
	assert_non_null(fx_find(&fx, "etc/myapp/app.conf", "AWS access key id AKIA"));
	assert_non_null(fx_find(&fx, "home/u/agent.py", "Anthropic API key sk-a"));
	assert_non_null(fx_find(&fx, "opt/svc/settings.json", "PEM private key block at line 1"));
	fx_release(&fx);
}

static void test_tokens_negative(void **state)
{
	static const char *const l1[] = {
		"app/config.yaml", "server:\n  port: 8080\n  token: ${GITHUB_TOKEN}\nmodel: sk-learn-a-very-long-name\n",
		"usr/lib/python3/dist-packages/github/conf.py", "TOKEN = \"" GH_TOK "\"\n",
		"usr/local/lib/python3.12/site-packages/x/settings.json", "{\"t\": \"" GH_TOK "\"}",
		"app/node_modules/pkg/config.json", "{\"t\": \"" GH_TOK "\"}",
		/* Not a configuration file by name. */
		"app/README.md", GH_TOK "\n",
		/* Too big to be scanned (256 KiB limit) is covered by max_size; a credential file is SC-3005's. */
		"app/.env", "GH=" GH_TOK "\n",
		NULL,
	};
	const char *const *layers[] = { l1 };
	fixture fx;

	(void)state;
	fx_init(&fx, NULL);
	fx_files(&fx, layers, 1);
	assert_int_equal(fx_run(&fx, "SC-3006"), 0);
	/* The .env file is reported once, by SC-3005. */
	assert_int_equal(fx_run(&fx, "SC-3005"), 1);
	fx_release(&fx);
}

/* A token split across the reader's data blocks is still found: a file bigger than one block. */
static void test_tokens_large_file(void **state)
{
	static char big[200 * 1024];
	const char *l1[] = { "app/big.json", big, NULL };
	const char *const *layers[] = { l1 };
	size_t off;
	fixture fx;

	(void)state;
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (off = 10000; off + 64 < sizeof(big) - 1; off += 15013)
		memcpy(big + off, GH_TOK, strlen(GH_TOK));
	fx_init(&fx, NULL);
	fx_files(&fx, layers, 1);
	assert_int_equal(fx_run(&fx, "SC-3006"), 1);
	assert_non_null(fx_find(&fx, "app/big.json", "and 9 more"));
	fx_release(&fx);
}

/* Everything together through sc_audit_run: sorted, nothing leaks. */
static void test_run_all(void **state)
{
	static const char *const l1[] = { "root/.ssh/id_rsa", RSA_KEY, "app/config.yaml", "t: " GH_TOK "\n", NULL };
	const char *const *layers[] = { l1 };
	fixture fx;
	size_t i, secrets_found = 0;

	(void)state;
	fx_init(&fx, "{\"config\":{\"Env\":[\"HF_TOKEN=" HF_TOK "\"]}}");
	fx_files(&fx, layers, 1);
	fx.ctx.view = fx.view;
	assert_int_equal(sc_audit_run(&fx.fs, &fx.ctx), 0);
	no_leak(&fx.fs);
	for (i = 0; i < fx.fs.n; i++)
		if (strncmp(fx.fs.items[i].id, "SC-300", 6) == 0)
			secrets_found++;
	assert_int_equal(secrets_found, 3);
	fx_release(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_env_negative),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_labels_token_in_key),
		cmocka_unit_test(test_labels_negative),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_history_negative),
		cmocka_unit_test(test_private_keys),
		cmocka_unit_test(test_private_keys_negative),
		cmocka_unit_test(test_credential_files),
		cmocka_unit_test(test_credential_files_negative),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_tokens_negative),
		cmocka_unit_test(test_tokens_large_file),
		cmocka_unit_test(test_run_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
