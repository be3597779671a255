/*
 * error.c - thread-local error message store; see error.h for the contract.
 */
#include "core/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local sc_error_info tls_err;

static void vset(int code, const char *fmt, va_list ap)
{
	tls_err.code = code;
	vsnprintf(tls_err.msg, sizeof(tls_err.msg), fmt, ap);
}

int sc_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(code, fmt, ap);
	va_end(ap);
	return code;
}

int sc_error_set_errno(int code, int errno_value, const char *fmt, ...)
{
	va_list ap;
	size_t len;
	char ebuf[128];

	va_start(ap, fmt);
	vset(code, fmt, ap);
	va_end(ap);
	len = strlen(tls_err.msg);
	snprintf(ebuf, sizeof(ebuf), "%s", strerror(errno_value));
	snprintf(tls_err.msg + len, sizeof(tls_err.msg) - len, ": %s", ebuf);
	return code;
}

int sc_error_prefix(int code, const char *fmt, ...)
{
	char old[sizeof(tls_err.msg)];
	char pre[512];
	va_list ap;

	memcpy(old, tls_err.msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	/* Truncation is intended: messages are one bounded line. */
	if (old[0]) {
		if (snprintf(tls_err.msg, sizeof(tls_err.msg), "%s: %s", pre, old) < 0)
			tls_err.msg[0] = '\0';
	} else if (snprintf(tls_err.msg, sizeof(tls_err.msg), "%s", pre) < 0) {
		tls_err.msg[0] = '\0';
	}
	tls_err.code = code;
	return code;
}

const char *sc_error_msg(void)
{
	return tls_err.msg;
}

int sc_error_code(void)
{
	return tls_err.code;
}

void sc_error_clear(void)
{
	tls_err.code = 0;
	tls_err.msg[0] = '\0';
}

void sc_error_save(sc_error_info *out)
{
	*out = tls_err;
}

int sc_error_restore(const sc_error_info *info)
{
	tls_err = *info;
	return info->code;
}

const char *sc_error_name(int code)
{
	switch (code) {
	case SC_OK: return "ok";
	case SC_ENOMEM: return "out of memory";
	case SC_EUSAGE: return "usage error";
	case SC_EINPUT: return "input error";
	case SC_EDIGEST: return "digest mismatch";
	case SC_ENOTFOUND: return "not found";
	case SC_ELIMIT: return "limit exceeded";
	case SC_EUNSUPPORTED: return "unsupported";
	case SC_EIO: return "I/O error";
	case SC_ECANCELED: return "canceled";
	case SC_ECHECK: return "check failed";
	case SC_ENET: return "network error";
	case SC_EAUTH: return "authentication failed";
	default: return "internal error";
	}
}

int sc_error_exit_status(int code)
{
	switch (code) {
	case SC_OK: return SC_EXIT_OK;
	case SC_EUSAGE: return SC_EXIT_USAGE;
	case SC_ECHECK: return SC_EXIT_POLICY;
	case SC_EINPUT:
	case SC_EDIGEST:
	case SC_ENOTFOUND:
	case SC_ELIMIT:
	case SC_EUNSUPPORTED:
	case SC_EAUTH:
		return SC_EXIT_INPUT;
	default:
		return SC_EXIT_INTERNAL;
	}
}
