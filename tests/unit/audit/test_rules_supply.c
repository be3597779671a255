/*
 * test_rules_supply.c - SC-4001..SC-4005 on images whose manifest and
 * config are parsed from JSON (the supply-chain rules read nothing else).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define D1 "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"
#define D2 "sha256:7e4b4a5d6c1bbd4d1ee2b4a6b0a3f6b2a8c0b9e2d7f1c4a3b5e6d7f8091a2b3c"

typedef struct fixture {
	sc_image img;
	sc_findings fs;
	sc_audit_ctx ctx;
} fixture;

/* annotations: the body of the manifest's annotations object, or NULL for none. */
static void fx_init(fixture *fx, const char *annotations, const char *config_json)
{
	char man[4096];

	memset(fx, 0, sizeof(*fx));
	sc_findings_init(&fx->fs);
	snprintf(man, sizeof(man),
		 "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
		 "\"digest\":\"" D1 "\",\"size\":2},\"layers\":[]%s%s%s}",
		 annotations ? ",\"annotations\":{" : "", annotations ? annotations : "", annotations ? "}" : "");
	assert_int_equal(sc_manifest_parse(&fx->img.manifest, man, strlen(man)), 0);
	assert_int_equal(sc_config_parse(&fx->img.config, config_json, strlen(config_json)), 0);
	fx->ctx.img = &fx->img;
}

static size_t fx_run(fixture *fx, const char *id)
{
	const sc_rule *r = sc_audit_rule(id);

	assert_non_null(r);
	sc_findings_release(&fx->fs);
	sc_findings_init(&fx->fs);
	assert_int_equal(r->check(&fx->ctx, r, &fx->fs), 0);
	if (getenv("AUDIT_TEST_VERBOSE")) {
		size_t i;

		for (i = 0; i < fx->fs.n; i++)
			fprintf(stderr, "  %s [%s] %s\n", fx->fs.items[i].id, sc_level_name(fx->fs.items[i].level),
				fx->fs.items[i].title);
	}
	return fx->fs.n;
}

static int has(const fixture *fx, const char *needle)
{
	size_t i;

	for (i = 0; i < fx->fs.n; i++)
		if (strstr(fx->fs.items[i].title, needle))
			return 1;
	return 0;
}

static void fx_release(fixture *fx)
{
	sc_manifest_release(&fx->img.manifest);
	sc_config_release(&fx->img.config);
	sc_findings_release(&fx->fs);
}

/* ---- SC-4001 ---- */

static void test_base_missing(void **state)
{
	fixture fx;

	(void)state;
	fx_init(&fx, NULL, "{}");
	assert_int_equal(fx_run(&fx, "SC-4001"), 1);
	assert_true(has(&fx, "neither the manifest annotations nor the config labels"));
	assert_int_equal(fx.fs.items[0].level, SC_LEVEL_LOW);
	fx_release(&fx);
	/* A name without a digest is not pinned. */
	fx_init(&fx, "\"org.opencontainers.image.base.name\":\"docker.io/library/debian:12\"", "{}");
	assert_int_equal(fx_run(&fx, "SC-4001"), 1);
	assert_true(has(&fx, "not pinned"));
	fx_release(&fx);
}

static void test_base_present(void **state)
{
	fixture fx;

	(void)state;
	/* In the manifest annotations (buildkit)... */
	fx_init(&fx,
		"\"org.opencontainers.image.base.name\":\"docker.io/library/debian:12\","
		"\"org.opencontainers.image.base.digest\":\"" D2 "\"",
		"{}");
	assert_int_equal(fx_run(&fx, "SC-4001"), 0);
	fx_release(&fx);
	/* ...or copied into the config labels. */
	fx_init(&fx, NULL,
		"{\"config\":{\"Labels\":{\"org.opencontainers.image.base.name\":\"debian:12\","
		"\"org.opencontainers.image.base.digest\":\"" D2 "\"}}}");
	assert_int_equal(fx_run(&fx, "SC-4001"), 0);
	fx_release(&fx);
}

/* ---- SC-4002 ---- */

static void test_remote_fetch(void **state)
{
	fixture fx;

	(void)state;
	fx_init(&fx, NULL,
		"{\"history\":["
		"{\"created_by\":\"ADD https://example.com/tool.tar.gz /opt/ # buildkit\"},"
		"{\"created_by\":\"/bin/sh -c #(nop) ADD https://example.com/x.bin /usr/local/bin/x\"},"
		"{\"created_by\":\"RUN /bin/sh -c curl -fsSL https://get.example.com | sh # buildkit\"},"
		"{\"created_by\":\"/bin/sh -c apt-get update && wget -qO- https://x.example/install|sudo -E bash -s -- -y\"},"
		"{\"created_by\":\"RUN /bin/sh -c bash <(curl -s https://x.example/i.sh)\"},"
		"{\"created_by\":\"RUN /bin/sh -c sh -c \\\"$(curl -fsSL https://x.example/install.sh)\\\"\"},"
		"{\"created_by\":\"RUN /bin/sh -c curl -sSL https://install.python-poetry.org | /usr/bin/python3.11 -\"},"
		"{\"created_by\":\"RUN |1 TOKEN=abcdef123456 /bin/sh -c curl -H \\\"Authorization: Bearer $TOKEN\\\" "
		"https://x.example/s.sh | bash\"}"
		"]}");
	assert_int_equal(fx_run(&fx, "SC-4002"), 8);
	assert_true(has(&fx, "history[0] ADDs a remote URL"));
	assert_true(has(&fx, "history[1] ADDs a remote URL"));
	assert_true(has(&fx, "history[2] pipes a download"));
	assert_true(has(&fx, "history[6] pipes a download"));
	assert_int_equal(fx.fs.items[0].level, SC_LEVEL_HIGH);
	/* History text is shown masked. */
	assert_false(has(&fx, "abcdef123456"));
	fx_release(&fx);
}

static void test_remote_fetch_negative(void **state)
{
	fixture fx;

	(void)state;
	fx_init(&fx, NULL,
		"{\"history\":["
		"{\"created_by\":\"/bin/sh -c #(nop) ADD file:4a5b6c in / \"},"
		"{\"created_by\":\"ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d "
		"https://example.com/x.tar.gz /x # buildkit\"},"
		"{\"created_by\":\"COPY https-notes.txt /app/ # buildkit\"},"
		"{\"created_by\":\"RUN /bin/sh -c curl -fsSLo /tmp/i.sh https://x.example/i.sh && sha256sum -c i.sha && sh /tmp/i.sh\"},"
		"{\"created_by\":\"RUN /bin/sh -c wget -qO- https://x.example/a.tgz | tar xz -C /opt\"},"
		"{\"created_by\":\"RUN /bin/sh -c V=$(curl -s https://api.example/v) & wait; echo $V\"},"
		"{\"created_by\":\"RUN /bin/sh -c pip install torch | tee log; sh ./post.sh\"}"
		"]}");
	assert_int_equal(fx_run(&fx, "SC-4002"), 0);
	fx_release(&fx);
}

/* ---- SC-4003 ---- */

static void test_mutable_tags(void **state)
{
	fixture fx;

	(void)state;
	fx_init(&fx, "\"org.opencontainers.image.base.name\":\"docker.io/library/python:latest\"",
		"{\"config\":{\"Labels\":{\"com.example.base-image\":\"registry.example.com:5000/team/cuda\"}}}");
	assert_int_equal(fx_run(&fx, "SC-4003"), 2);
	assert_true(has(&fx, "mutable tag 'docker.io/library/python:latest'"));
	assert_true(has(&fx, "without a tag or digest ('registry.example.com:5000/team/cuda')"));
	assert_int_equal(fx.fs.items[0].level, SC_LEVEL_LOW);
	fx_release(&fx);
}

static void test_mutable_tags_negative(void **state)
{
	fixture fx;

	(void)state;
	fx_init(&fx, "\"org.opencontainers.image.base.name\":\"registry.example.com:5000/python:3.12-slim\"",
		"{\"config\":{\"Labels\":{\"base_image\":\"python@" D2 "\",\"com.example.image\":\"app:latest\"}}}");
	assert_int_equal(fx_run(&fx, "SC-4003"), 0);
	fx_release(&fx);
}

/* ---- SC-4004 ---- */

static void test_healthcheck(void **state)
{
	fixture fx;

	(void)state;
	fx_init(&fx, NULL, "{\"config\":{}}");
	assert_int_equal(fx_run(&fx, "SC-4004"), 1);
	assert_int_equal(fx.fs.items[0].level, SC_LEVEL_NEGLIGIBLE);
	fx_release(&fx);
	fx_init(&fx, NULL, "{\"config\":{\"Healthcheck\":{\"Test\":[\"CMD\",\"/bin/true\"]}}}");
	assert_int_equal(fx_run(&fx, "SC-4004"), 0);
	fx_release(&fx);
}

/* ---- SC-4005 ---- */

static void test_created(void **state)
{
	fixture fx;

	(void)state;
	fx_init(&fx, NULL, "{}");
	assert_int_equal(fx_run(&fx, "SC-4005"), 1);
	assert_true(has(&fx, "no 'created' date"));
	assert_int_equal(fx.fs.items[0].level, SC_LEVEL_NEGLIGIBLE);
	fx_release(&fx);
	fx_init(&fx, NULL, "{\"created\":\"1970-01-01T00:00:00Z\"}");
	assert_int_equal(fx_run(&fx, "SC-4005"), 1);
	assert_true(has(&fx, "reproducible build"));
	fx_release(&fx);
	fx_init(&fx, NULL, "{\"created\":\"2024-05-01T10:00:00.123456789Z\"}");
	assert_int_equal(fx_run(&fx, "SC-4005"), 0);
	fx_release(&fx);
}

/* No image (e.g. a directory audit): the config rules say nothing. */
static void test_no_image(void **state)
{
	static const char *const ids[] = { "SC-4001", "SC-4002", "SC-4003", "SC-4004", "SC-4005" };
	sc_audit_ctx ctx;
	sc_findings fs;
	size_t i;

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	sc_findings_init(&fs);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const sc_rule *r = sc_audit_rule(ids[i]);

		assert_non_null(r);
		assert_int_equal(r->check(&ctx, r, &fs), 0);
	}
	assert_int_equal(fs.n, 0);
	sc_findings_release(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_missing),
		cmocka_unit_test(test_base_present),
		cmocka_unit_test(test_remote_fetch),
		cmocka_unit_test(test_remote_fetch_negative),
		cmocka_unit_test(test_mutable_tags),
		cmocka_unit_test(test_mutable_tags_negative),
		cmocka_unit_test(test_healthcheck),
		cmocka_unit_test(test_created),
		cmocka_unit_test(test_no_image),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
