/*
 * registry_opts.h - the registry options every verb that names an image
 * accepts (skopeo's spelling): --creds USER:PASS, --authfile FILE,
 * --tls-verify[=true|false], --ca-file FILE, --plain-http; `mirror` also
 * takes --src-creds, --dest-creds, --src-tls-verify, --dest-tls-verify,
 * which override the common ones for one side.
 *
 * A verb adds SC_CLI_REGISTRY_LONGOPTS (or SC_CLI_MIRROR_LONGOPTS) to its
 * getopt_long table, passes every option it does not know itself to
 * sc_cli_registry_opt(), and calls sc_cli_registry_apply() after parsing
 * (which sets sc_registry_set_defaults for the docker:// source).
 */
#ifndef SC_CLI_REGISTRY_OPTS_H
#define SC_CLI_REGISTRY_OPTS_H

#include "registry/client.h"

#include <getopt.h>

enum {
	SC_OPT_CREDS = 0x1000,
	SC_OPT_AUTHFILE,
	SC_OPT_TLS_VERIFY,
	SC_OPT_CA_FILE,
	SC_OPT_PLAIN_HTTP,
	SC_OPT_SRC_CREDS,
	SC_OPT_DEST_CREDS,
	SC_OPT_SRC_TLS_VERIFY,
	SC_OPT_DEST_TLS_VERIFY,
};

#define SC_CLI_REGISTRY_LONGOPTS                                        \
	{ "creds", required_argument, NULL, SC_OPT_CREDS },             \
	{ "authfile", required_argument, NULL, SC_OPT_AUTHFILE },       \
	{ "tls-verify", optional_argument, NULL, SC_OPT_TLS_VERIFY },   \
	{ "ca-file", required_argument, NULL, SC_OPT_CA_FILE },         \
	{ "plain-http", no_argument, NULL, SC_OPT_PLAIN_HTTP }

#define SC_CLI_MIRROR_LONGOPTS                                                  \
	SC_CLI_REGISTRY_LONGOPTS,                                               \
	{ "src-creds", required_argument, NULL, SC_OPT_SRC_CREDS },             \
	{ "dest-creds", required_argument, NULL, SC_OPT_DEST_CREDS },           \
	{ "src-tls-verify", optional_argument, NULL, SC_OPT_SRC_TLS_VERIFY },   \
	{ "dest-tls-verify", optional_argument, NULL, SC_OPT_DEST_TLS_VERIFY }

#define SC_CLI_REGISTRY_HELP                                                              \
	"registry options (docker://HOST[:PORT]/REPO[:TAG|@DIGEST] images):\n"            \
	"  --creds USER:PASS     credentials (else --authfile, $REGISTRY_AUTH_FILE,\n"     \
	"                        $XDG_RUNTIME_DIR/containers/auth.json, ~/.docker/config.json)\n" \
	"  --authfile FILE       a containers auth.json / docker config.json\n"           \
	"  --tls-verify=false    do not verify the registry's certificate\n"              \
	"  --ca-file FILE        trust the CAs in FILE (PEM) as well\n"                   \
	"  --plain-http          allow http:// to a non-loopback registry\n"

typedef struct sc_cli_registry {
	const char *creds, *src_creds, *dest_creds;
	const char *authfile, *ca_file;
	int tls_verify, src_tls_verify, dest_tls_verify; /* -1 unset, 0, 1 */
	int plain_http;
	/* resolved by sc_cli_registry_apply() */
	sc_registry_opts common, src, dest;
} sc_cli_registry;

void sc_cli_registry_init(sc_cli_registry *r);
/*
 * Handle option c (arg = optarg).  Returns 1 when c is a registry option
 * and was taken, 0 when c is not one, or -1 after printing a usage error
 * (the verb returns SC_EXIT_USAGE).
 */
int sc_cli_registry_opt(sc_cli_registry *r, const char *verb, int c, const char *arg);
/* Resolve common/src/dest and make `common` the process default. */
void sc_cli_registry_apply(sc_cli_registry *r);

#endif
