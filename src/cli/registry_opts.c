/*
 * registry_opts.c - registry options shared by the verbs; see registry_opts.h.
 */
#include "cli/registry_opts.h"
#include "cli/cli.h"

#include <string.h>

void sc_cli_registry_init(sc_cli_registry *r)
{
	memset(r, 0, sizeof(*r));
	r->tls_verify = r->src_tls_verify = r->dest_tls_verify = -1;
}

/* --tls-verify, --tls-verify=true, --tls-verify=false (skopeo's spelling). */
static int parse_bool(const char *verb, const char *opt, const char *arg, int *out)
{
	if (!arg || strcmp(arg, "true") == 0 || strcmp(arg, "1") == 0) {
		*out = 1;
		return 1;
	}
	if (strcmp(arg, "false") == 0 || strcmp(arg, "0") == 0) {
		*out = 0;
		return 1;
	}
	sc_cli_usage_error(verb, "--%s wants true or false, not '%.100s'", opt, arg);
	return -1;
}

static int parse_creds(const char *verb, const char *opt, const char *arg, const char **out)
{
	/* Never echo the value: it holds a password. */
	if (!arg || !strchr(arg, ':') || arg[0] == ':') {
		sc_cli_usage_error(verb, "--%s wants USER:PASS", opt);
		return -1;
	}
	*out = arg;
	return 1;
}

int sc_cli_registry_opt(sc_cli_registry *r, const char *verb, int c, const char *arg)
{
	switch (c) {
	case SC_OPT_CREDS: return parse_creds(verb, "creds", arg, &r->creds);
	case SC_OPT_SRC_CREDS: return parse_creds(verb, "src-creds", arg, &r->src_creds);
	case SC_OPT_DEST_CREDS: return parse_creds(verb, "dest-creds", arg, &r->dest_creds);
	case SC_OPT_AUTHFILE: r->authfile = arg; return 1;
	case SC_OPT_CA_FILE: r->ca_file = arg; return 1;
	case SC_OPT_PLAIN_HTTP: r->plain_http = 1; return 1;
	case SC_OPT_TLS_VERIFY: return parse_bool(verb, "tls-verify", arg, &r->tls_verify);
	case SC_OPT_SRC_TLS_VERIFY: return parse_bool(verb, "src-tls-verify", arg, &r->src_tls_verify);
	case SC_OPT_DEST_TLS_VERIFY: return parse_bool(verb, "dest-tls-verify", arg, &r->dest_tls_verify);
	default: return 0;
	}
}

static void resolve(const sc_cli_registry *r, sc_registry_opts *o, const char *creds, int tls_verify)
{
	sc_registry_opts_init(o);
	o->creds = creds ? creds : r->creds;
	o->auth_file = r->authfile;
	o->ca_file = r->ca_file;
	o->plain_http = r->plain_http;
	if (tls_verify >= 0)
		o->tls_verify = tls_verify;
	else if (r->tls_verify >= 0)
		o->tls_verify = r->tls_verify;
}

void sc_cli_registry_apply(sc_cli_registry *r)
{
	resolve(r, &r->common, NULL, -1);
	resolve(r, &r->src, r->src_creds, r->src_tls_verify);
	resolve(r, &r->dest, r->dest_creds, r->dest_tls_verify);
	sc_registry_set_defaults(&r->common);
}
