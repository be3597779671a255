/*
 * error.h - scute error codes and the thread-local error message.
 *
 * Convention (libgit2/systemd style): every fallible function returns an int,
 * 0 on success or a negative SC_E* code.  The failure site records a one-line
 * message with sc_error_set() exactly once; callers propagate the code
 * without touching the message.  Library code never prints and never exits:
 * the CLI maps codes to messages and exit statuses (sc_error_exit_status()).
 */
#ifndef SC_CORE_ERROR_H
#define SC_CORE_ERROR_H

#include <stddef.h>

enum sc_error_code {
	SC_OK = 0,
	SC_ENOMEM = -1,       /* allocation failed */
	SC_EUSAGE = -2,       /* bad command line or API misuse by the caller */
	SC_EINPUT = -3,       /* malformed or hostile input (image, file, archive) */
	SC_EDIGEST = -4,      /* content does not match its digest or size */
	SC_ENOTFOUND = -5,    /* a referenced blob, file or image is missing */
	SC_ELIMIT = -6,       /* input exceeds a configured limit */
	SC_EUNSUPPORTED = -7, /* valid input we do not handle */
	SC_EIO = -8,          /* operating-system I/O failure */
	SC_EINTERNAL = -9,    /* bug or environment failure */
	SC_ECANCELED = -10,   /* work stopped because another part failed */
	SC_ECHECK = -11,      /* a check the user asked for failed (harden --test-cmd): exit 1 */
	SC_ENET = -12,        /* network or registry failure after retries: exit 4 */
	SC_EAUTH = -13,       /* registry refused the credentials (401/403): exit 3 */
};

/* Documented process exit statuses (README "Exit status"). */
enum sc_exit_status {
	SC_EXIT_OK = 0,
	SC_EXIT_POLICY = 1,
	SC_EXIT_USAGE = 2,
	SC_EXIT_INPUT = 3,
	SC_EXIT_INTERNAL = 4,
};

/* Record the message for the current thread and return `code`. */
int sc_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like sc_error_set() but appends ": strerror(errno_value)". */
int sc_error_set_errno(int code, int errno_value, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix the current message with "prefix: " (adds context while propagating). */
int sc_error_prefix(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The current thread's last message ("" when none) and code (0 when none). */
const char *sc_error_msg(void);
int sc_error_code(void);
void sc_error_clear(void);

/* Carry an error from a worker thread to another thread. */
typedef struct sc_error_info {
	int code;
	char msg[1024];
} sc_error_info;
void sc_error_save(sc_error_info *out);
int sc_error_restore(const sc_error_info *info); /* returns info->code */

/* Short name of a code ("input error", ...) and the exit status for it. */
const char *sc_error_name(int code);
int sc_error_exit_status(int code);

#endif
