/*
 * runc.c - run a command in an extracted rootfs with runc; see runc.h and
 * docs/runtime.md.
 *
 * Specs:
 *   https://github.com/opencontainers/runtime-spec/blob/main/config.md
 *   https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md
 *   fanotify(7), fanotify_init(2), fanotify_mark(2), open_by_handle_at(2)
 *
 * How a run goes:
 *   1. config.json is written into the bundle (temp + rename).
 *   2. A supervisor child (a child subreaper, so that the container's init
 *      becomes its child when `runc create` exits) runs
 *      `runc --root STATE create --bundle B --pid-file STATE/pid ID` with
 *      stdin /dev/null and stdout/stderr on our pipes (runc create hands
 *      its own stdio to the container), reports create's status, then
 *      waits for the container's init and reports its wait status: this
 *      gives the real exit status or signal (`runc run` folds a signal into
 *      128+n) and separates "runc could not create it" from "it ran".
 *   3. With the probe, the rootfs filesystem is marked with fanotify only
 *      now: runc's own opens during create (/etc/passwd, /etc/group for the
 *      user) are over, and init is blocked on runc's exec fifo.
 *   4. `runc start ID` releases init, which execs argv.
 *   5. One poll() loop reads stdout/stderr into the bounded buffers, the
 *      supervisor's reports and the fanotify events until the supervisor is
 *      gone and both pipes are at EOF.  On the timeout: `runc kill ID KILL`.
 *   6. `runc delete -f ID`, the state directory is removed.
 */
#include "harden/runc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/path.h"
#include "core/utf8.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define RUNC_CMD_TIMEOUT_MS 30000   /* runc start / kill / delete */
#define KILL_GRACE_MS 10000         /* after a kill, before giving up on the container */
#define READ_CHUNK 65536
#define MSG_MAX 400                 /* bytes of runc's error line quoted */
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* ------------------------------------------------------------------------ */
/* Spec validation and config.json                                          */

/* Count a NULL-terminated list against the limits; every item UTF-8. */
static int check_list(const char *const *v, const char *what, int is_env, size_t *bytes)
{
	size_t i;

	for (i = 0; v && v[i]; i++) {
		if (i >= SC_RUN_MAX_ARGS)
			return sc_error_set(SC_EUSAGE, "run: more than %u %s entries", SC_RUN_MAX_ARGS, what);
		if (sc_add_overflow(*bytes, strlen(v[i]) + 1, bytes) || *bytes > SC_RUN_MAX_ARG_BYTES)
			return sc_error_set(SC_EUSAGE, "run: argv, env and cwd exceed %zu bytes",
					    SC_RUN_MAX_ARG_BYTES);
		if (!sc_utf8_valid(v[i], strlen(v[i])))
			return sc_error_set(SC_EUNSUPPORTED,
					    "run: %s[%zu] is not valid UTF-8 (an OCI config.json cannot carry it)",
					    what, i);
		if (is_env && (v[i][0] == '=' || !strchr(v[i], '=')))
			return sc_error_set(SC_EUSAGE, "run: env[%zu] '%.64s' is not NAME=value", i, v[i]);
	}
	return 0;
}

static int check_spec(const sc_run_spec *spec)
{
	size_t bytes = 0;
	int rc;

	if (!spec || !spec->argv || !spec->argv[0] || !spec->argv[0][0])
		return sc_error_set(SC_EUSAGE, "run: empty argv");
	if ((rc = check_list(spec->argv, "argv", 0, &bytes)) != 0)
		return rc;
	if ((rc = check_list(spec->env, "env", 1, &bytes)) != 0)
		return rc;
	if (spec->cwd) {
		const char *cwdv[2] = { spec->cwd, NULL };

		if (spec->cwd[0] != '/')
			return sc_error_set(SC_EUSAGE, "run: cwd '%.64s' is not absolute", spec->cwd);
		if ((rc = check_list(cwdv, "cwd", 0, &bytes)) != 0)
			return rc;
	}
	if (spec->uid == UINT32_MAX || spec->gid == UINT32_MAX)
		return sc_error_set(SC_EUSAGE, "run: uid/gid 4294967295 is not a valid id");
	if (spec->output_max > SC_RUN_MAX_OUTPUT)
		return sc_error_set(SC_EUSAGE, "run: output_max above %zu bytes", SC_RUN_MAX_OUTPUT);
	return 0;
}

static json_t *str_array(const char *const *v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && v && v[i]; i++)
		if (json_array_append_new(a, json_string(v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* runc's default capability set (what `runc spec` writes) for root, none otherwise. */
static json_t *capabilities(int root)
{
	static const char *const deflt[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
	static const char *const none[] = { NULL };
	static const char *const sets[] = { "bounding", "effective", "permitted", "ambient" };
	json_t *caps = json_object();
	size_t i;

	for (i = 0; caps && i < sizeof(sets) / sizeof(sets[0]); i++)
		if (json_object_set_new(caps, sets[i], str_array(root ? deflt : none)) != 0) {
			json_decref(caps);
			return NULL;
		}
	return caps;
}

/* The mounts of `runc spec` (runc 1.1), with /sys/fs/cgroup read-only. */
static json_t *mounts(void)
{
	return json_pack(
		"[{s:s,s:s,s:s},"
		"{s:s,s:s,s:s,s:[s,s,s,s]},"
		"{s:s,s:s,s:s,s:[s,s,s,s,s,s]},"
		"{s:s,s:s,s:s,s:[s,s,s,s,s]},"
		"{s:s,s:s,s:s,s:[s,s,s]},"
		"{s:s,s:s,s:s,s:[s,s,s,s]},"
		"{s:s,s:s,s:s,s:[s,s,s,s,s]}]",
		"destination", "/proc", "type", "proc", "source", "proc",
		"destination", "/dev", "type", "tmpfs", "source", "tmpfs",
		"options", "nosuid", "strictatime", "mode=755", "size=65536k",
		"destination", "/dev/pts", "type", "devpts", "source", "devpts",
		"options", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5",
		"destination", "/dev/shm", "type", "tmpfs", "source", "shm",
		"options", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k",
		"destination", "/dev/mqueue", "type", "mqueue", "source", "mqueue",
		"options", "nosuid", "noexec", "nodev",
		"destination", "/sys", "type", "sysfs", "source", "sysfs",
		"options", "nosuid", "noexec", "nodev", "ro",
		"destination", "/sys/fs/cgroup", "type", "cgroup", "source", "cgroup",
		"options", "nosuid", "noexec", "nodev", "relatime", "ro");
}

static json_t *linux_section(void)
{
	return json_pack(
		"{s:{s:[{s:b,s:s}]},"
		"s:[{s:s},{s:s},{s:s},{s:s},{s:s},{s:s}],"
		"s:[s,s,s,s,s,s,s,s,s,s],"
		"s:[s,s,s,s,s]}",
		"resources", "devices", "allow", 0, "access", "rwm",
		"namespaces", "type", "pid", "type", "network", "type", "ipc", "type", "uts",
		"type", "mount", "type", "cgroup",
		"maskedPaths", "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
		"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
		"/sys/firmware", "/proc/scsi",
		"readonlyPaths", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");
}

int sc_run_config_json(json_t **out, const sc_run_spec *spec)
{
	static const char *const default_env[] = { SC_RUN_DEFAULT_PATH, NULL };
	json_t *cfg = NULL, *process = NULL, *args, *env, *caps, *mnt, *lnx;
	int rc;

	if (!out)
		return sc_error_set(SC_EUSAGE, "run: NULL output");
	if ((rc = check_spec(spec)) != 0)
		return rc;
	args = str_array(spec->argv);
	env = str_array(spec->env ? spec->env : default_env);
	caps = capabilities(spec->uid == 0);
	process = json_pack("{s:b,s:{s:I,s:I},s:o*,s:o*,s:s,s:o*,s:[{s:s,s:I,s:I}],s:b}",
			    "terminal", 0,
			    "user", "uid", (json_int_t)spec->uid, "gid", (json_int_t)spec->gid,
			    "args", args, "env", env,
			    "cwd", spec->cwd ? spec->cwd : "/",
			    "capabilities", caps,
			    "rlimits", "type", "RLIMIT_NOFILE", "hard", (json_int_t)1024, "soft", (json_int_t)1024,
			    "noNewPrivileges", 1);
	mnt = mounts();
	lnx = linux_section();
	/* "o" steals the references even on failure; a NULL member fails the pack. */
	if (process && args && env && caps && mnt && lnx)
		cfg = json_pack("{s:s,s:o,s:{s:s,s:b},s:s,s:o,s:o}",
				"ociVersion", "1.0.2",
				"process", process,
				"root", "path", "rootfs", "readonly", 0,
				"hostname", "scute",
				"mounts", mnt,
				"linux", lnx);
	else {
		json_decref(process);
		json_decref(mnt);
		json_decref(lnx);
	}
	if (!cfg)
		return sc_error_set(SC_ENOMEM, "run: out of memory building config.json");
	*out = cfg;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Environment                                                              */

/* Absolute path of runc from PATH (relative PATH entries are skipped). */
static int find_runc(char *out, size_t outsz)
{
	const char *path = getenv("PATH"), *p, *e;

	if (!path || !*path)
		path = &SC_RUN_DEFAULT_PATH[5]; /* past "PATH=" */
	for (p = path; *p; p = *e ? e + 1 : e) {
		struct stat st;
		size_t n;

		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		n = (size_t)(e - p);
		if (n == 0 || p[0] != '/' || n + 6 > outsz)
			continue;
		memcpy(out, p, n);
		memcpy(out + n, "/runc", 6);
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return 0;
	}
	return sc_error_set(SC_ENOTFOUND, "run: runc is not on PATH (Debian package runc)");
}

int sc_run_available(void)
{
	char p[PATH_MAX];

	return geteuid() == 0 && find_runc(p, sizeof(p)) == 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Write config.json into the bundle: temp file beside it, then rename. */
static int write_config(const char *bundle, const json_t *cfg)
{
	char tmp[PATH_MAX], final[PATH_MAX];
	char *s = NULL;
	size_t len, off = 0;
	int fd = -1, rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s/.config.json.XXXXXX", bundle) >= (int)sizeof(tmp) ||
	    snprintf(final, sizeof(final), "%s/config.json", bundle) >= (int)sizeof(final))
		return sc_error_set(SC_ELIMIT, "run: bundle path too long");
	s = json_dumps(cfg, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!s)
		return sc_error_set(SC_ENOMEM, "run: out of memory writing config.json");
	len = strlen(s);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = sc_error_set_errno(SC_EIO, errno, "run: cannot create a file in bundle '%s'", bundle);
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, s + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = sc_error_set_errno(SC_EIO, errno, "run: cannot write '%s'", tmp);
			goto out;
		}
		off += (size_t)n;
	}
	if (fchmod(fd, 0644) != 0 || close(fd) != 0) {
		fd = -1;
		rc = sc_error_set_errno(SC_EIO, errno, "run: cannot write '%s'", tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, final) != 0)
		rc = sc_error_set_errno(SC_EIO, errno, "run: cannot rename into '%s'", final);
out:
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
	free(s);
	return rc;
}

/* Remove a directory tree we created (runc's state: a few levels deep). */
static void rm_tree_at(int dfd, const char *name, int depth)
{
	int fd;
	DIR *d;
	struct dirent *de;

	if (depth > 8)
		return;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && (d = fdopendir(fd)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if (unlinkat(dirfd(d), de->d_name, 0) != 0 && (errno == EISDIR || errno == EPERM))
				rm_tree_at(dirfd(d), de->d_name, depth + 1);
		}
		closedir(d);
	} else if (fd >= 0) {
		close(fd);
	}
	unlinkat(dfd, name, AT_REMOVEDIR);
}

/* Last non-empty line of text, bounded and made printable, into out. */
static void last_line(const char *text, size_t len, char *out, size_t outsz)
{
	size_t end = len, start;

	while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == ' '))
		end--;
	start = end;
	while (start > 0 && text[start - 1] != '\n')
		start--;
	if (end - start >= outsz)
		start = end - (outsz - 1);
	memcpy(out, text + start, end - start);
	out[end - start] = '\0';
	sc_utf8_sanitize(out);
}

/* ------------------------------------------------------------------------ */
/* Processes                                                                */

/*
 * In a forked child: stdio from in/out/err, everything else close-on-exec,
 * signals as a fresh process has them, then exec.  Async-signal-safe only
 * (the caller may have threads).
 */
static void exec_child(const char *path, char *const argv[], int in, int out, int err)
{
	int fds[3] = { in, out, err }, hi[3], i;
	sigset_t none;
	struct sigaction dfl;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &dfl, NULL);
	sigaction(SIGCHLD, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Move the three out of 0..2 first so that dup2 cannot clobber one. */
	for (i = 0; i < 3; i++)
		if ((hi[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3)) < 0)
			_exit(127);
	for (i = 0; i < 3; i++)
		if (dup2(hi[i], i) < 0)
			_exit(127);
	syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC);
	execve(path, argv, environ);
	_exit(127);
}

/* Wait for pid at most timeout_ms, then SIGKILL it; *status its wait status. */
static int wait_child(pid_t pid, uint64_t timeout_ms, int *status)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (pfd >= 0) {
		uint64_t end = now_ms() + timeout_ms;

		for (;;) {
			uint64_t t = now_ms();
			struct pollfd p = { pfd, POLLIN, 0 };
			int r;

			if (t >= end) {
				kill(pid, SIGKILL);
				break;
			}
			r = poll(&p, 1, (int)(end - t > 1000 ? 1000 : end - t));
			if (r > 0)
				break;
		}
		close(pfd);
	}
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return sc_error_set_errno(SC_EINTERNAL, errno, "run: waitpid");
	}
	return 0;
}

/* What a run needs to talk to runc: paths and names fixed before any fork. */
typedef struct runc_ctx {
	char runc[PATH_MAX];
	char root[256];         /* private --root state directory (TMPDIR is at most 200 bytes) */
	char log[PATH_MAX];     /* root/runc.log: runc --log */
	char cmdout[PATH_MAX];  /* root/cmd.out: stdout+stderr of start/kill/delete */
	char pidfile[PATH_MAX];
	char bundle[PATH_MAX];
	char id[64];
} runc_ctx;

/*
 * Run `runc --root R --log L <args...>` to completion (bounded), output to
 * cmd.out.  0 when it exited 0; else SC_EINTERNAL with "what: <last line>".
 */
static int runc_sync(const runc_ctx *c, const char *what, const char *a1, const char *a2, const char *a3)
{
	char *argv[10];
	char text[4096], line[MSG_MAX];
	int n = 0, out, in, st = 0, rc;
	pid_t pid;
	ssize_t got;

	argv[n++] = (char *)"runc";
	argv[n++] = (char *)"--root";
	argv[n++] = (char *)c->root;
	argv[n++] = (char *)"--log";
	argv[n++] = (char *)c->log;
	argv[n++] = (char *)a1;
	if (a2)
		argv[n++] = (char *)a2;
	if (a3)
		argv[n++] = (char *)a3;
	argv[n] = NULL;
	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	out = open(c->cmdout, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (in < 0 || out < 0) {
		rc = sc_error_set_errno(SC_EIO, errno, "run: cannot open '%s'", c->cmdout);
		goto out;
	}
	pid = fork();
	if (pid == 0)
		exec_child(c->runc, argv, in, out, out);
	if (pid < 0) {
		rc = sc_error_set_errno(SC_EINTERNAL, errno, "run: fork");
		goto out;
	}
	if ((rc = wait_child(pid, RUNC_CMD_TIMEOUT_MS, &st)) != 0)
		goto out;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		goto out;
	got = pread(out, text, sizeof(text) - 1, 0);
	if (got < 0)
		got = 0;
	text[got] = '\0';
	last_line(text, (size_t)got, line, sizeof(line));
	if (WIFSIGNALED(st))
		rc = sc_error_set(SC_EINTERNAL, "%s: runc killed by signal %d%s%s", what, WTERMSIG(st),
				  line[0] ? ": " : "", line);
	else
		rc = sc_error_set(SC_EINTERNAL, "%s: runc exited with status %d%s%s", what, WEXITSTATUS(st),
				  line[0] ? ": " : "", line);
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

/*
 * runc_sync() for cleanup: its failure becomes the error only when there
 * is none yet (rc == 0); an earlier message is kept.
 */
static int runc_cleanup(const runc_ctx *c, int rc, const char *what, const char *a1, const char *a2,
			const char *a3)
{
	sc_error_info saved;
	int r;

	sc_error_save(&saved);
	r = runc_sync(c, what, a1, a2, a3);
	if (rc) {
		sc_error_restore(&saved);
		return rc;
	}
	return r;
}

/* Reports from the supervisor, one write each (atomic on a pipe). */
enum { MSG_CREATED = 'C', MSG_PID = 'P', MSG_EXIT = 'X', MSG_LOST = 'L', MSG_FAIL = 'F' };
typedef struct sup_msg {
	int32_t kind, value;
} sup_msg;

typedef struct sup_args {
	const runc_ctx *c;
	char *const *create_argv;
	int devnull, out_w, err_w, status_w;
	pid_t parent;
} sup_args;

static void sup_send(int fd, int kind, int value)
{
	sup_msg m = { kind, value };

	while (write(fd, &m, sizeof(m)) < 0 && errno == EINTR)
		;
}

/* Container init's pid from runc's --pid-file (async-signal-safe). */
static pid_t read_pidfile(const char *path)
{
	char b[32];
	ssize_t n;
	long v = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), i;

	if (fd < 0)
		return -1;
	n = read(fd, b, sizeof(b) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	for (i = 0; i < n && b[i] >= '0' && b[i] <= '9'; i++) {
		v = v * 10 + (b[i] - '0');
		if (v > INT_MAX)
			return -1;
	}
	return (i > 0 && v > 0) ? (pid_t)v : -1;
}

/* The supervisor process (forked; async-signal-safe calls only). */
static void supervise(const sup_args *a) __attribute__((noreturn));
static void supervise(const sup_args *a)
{
	pid_t create, cont, r;
	int st = 0, sent = 0;
	sigset_t none;
	struct sigaction dfl;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &dfl, NULL);
	sigaction(SIGPIPE, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != a->parent ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
		sup_send(a->status_w, MSG_FAIL, errno);
		_exit(1);
	}
	create = fork();
	if (create == 0)
		exec_child(a->c->runc, a->create_argv, a->devnull, a->out_w, a->err_w);
	if (create < 0) {
		sup_send(a->status_w, MSG_FAIL, errno);
		_exit(1);
	}
	close(a->out_w);
	close(a->err_w);
	close(a->devnull);
	while (waitpid(create, &st, 0) < 0)
		if (errno != EINTR) {
			sup_send(a->status_w, MSG_FAIL, errno);
			_exit(1);
		}
	sup_send(a->status_w, MSG_CREATED, st);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		_exit(0);
	cont = read_pidfile(a->c->pidfile);
	sup_send(a->status_w, MSG_PID, cont);
	/* init was reparented to us when runc create exited. */
	for (;;) {
		r = waitpid(-1, &st, sent ? WNOHANG : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (!sent && (r == cont || cont < 0)) {
			sup_send(a->status_w, MSG_EXIT, st);
			sent = 1;
		}
	}
	if (!sent)
		sup_send(a->status_w, MSG_LOST, 0);
	_exit(0);
}

/* ------------------------------------------------------------------------ */
/* Probe: fanotify on the rootfs filesystem                                 */

typedef struct probe {
	int fan;              /* fanotify group, -1 when unused */
	int mfd;              /* the rootfs directory: mount fd for open_by_handle_at */
	char prefix[PATH_MAX];/* the rootfs as /proc/self/fd shows it */
	size_t plen;
	char **slot;          /* open-addressing set of relative paths */
	size_t cap, n, bytes;
	char *ev;             /* event read buffer */
} probe;

static void probe_release(probe *p)
{
	size_t i;

	if (p->fan >= 0)
		close(p->fan);
	if (p->mfd >= 0)
		close(p->mfd);
	for (i = 0; i < p->cap; i++)
		free(p->slot[i]);
	free(p->slot);
	free(p->ev);
	p->fan = p->mfd = -1;
	p->slot = NULL;
	p->ev = NULL;
	p->cap = p->n = 0;
}

static uint64_t hash_str(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static int set_grow(probe *p)
{
	size_t ncap = p->cap ? p->cap * 2 : 1024, i;
	char **ns = sc_calloc(ncap, sizeof(*ns));

	if (!ns)
		return SC_ENOMEM;
	for (i = 0; i < p->cap; i++) {
		size_t j;

		if (!p->slot[i])
			continue;
		j = hash_str(p->slot[i], strlen(p->slot[i])) & (ncap - 1);
		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = p->slot[i];
	}
	free(p->slot);
	p->slot = ns;
	p->cap = ncap;
	return 0;
}

/* Add the len bytes at s to the set (a copy), within the probe's limits. */
static int set_add(probe *p, const char *s, size_t len)
{
	size_t j;
	int rc;

	if (p->cap) {
		for (j = hash_str(s, len) & (p->cap - 1); p->slot[j]; j = (j + 1) & (p->cap - 1))
			if (strncmp(p->slot[j], s, len) == 0 && p->slot[j][len] == '\0')
				return 0;
	}
	if (p->n >= SC_RUN_MAX_OPENED)
		return sc_error_set(SC_ELIMIT, "run: probe: more than %u distinct files opened", SC_RUN_MAX_OPENED);
	if (p->bytes + len + 1 > SC_RUN_MAX_OPENED_BYTES)
		return sc_error_set(SC_ELIMIT, "run: probe: names of the files opened exceed %zu bytes",
				    SC_RUN_MAX_OPENED_BYTES);
	if ((p->n + 1) * 2 > p->cap && (rc = set_grow(p)) != 0)
		return rc;
	for (j = hash_str(s, len) & (p->cap - 1); p->slot[j]; j = (j + 1) & (p->cap - 1))
		;
	if (!(p->slot[j] = sc_strndup(s, len)))
		return SC_ENOMEM;
	p->n++;
	p->bytes += len + 1;
	return 0;
}

static int fan_error(int err, const char *what)
{
	switch (err) {
	case EPERM:
		return sc_error_set(SC_EUNSUPPORTED, "run: probe: %s needs CAP_SYS_ADMIN (run as root)", what);
	case ENOSYS:
		return sc_error_set(SC_EUNSUPPORTED, "run: probe: this kernel has no fanotify");
	case EINVAL:
		return sc_error_set(SC_EUNSUPPORTED,
				    "run: probe: %s: this kernel lacks fanotify file-handle reports "
				    "(FAN_REPORT_DFID_NAME, Linux 5.9) or FAN_OPEN_EXEC", what);
	case EXDEV:
	case ENODEV:
	case EOPNOTSUPP:
		return sc_error_set(SC_EUNSUPPORTED,
				    "run: probe: the rootfs filesystem cannot report file handles to fanotify "
				    "(put the rootfs on a tmpfs: sc_run_tmpfs_mount)");
	default:
		return sc_error_set_errno(SC_EIO, err, "run: probe: %s", what);
	}
}

static int probe_mark(probe *p, unsigned flags)
{
	if (fanotify_mark(p->fan, flags | FAN_MARK_FILESYSTEM, FAN_OPEN | FAN_OPEN_EXEC, p->mfd, NULL) != 0)
		return fan_error(errno, "fanotify_mark");
	return 0;
}

/*
 * Open the fanotify group and check that the rootfs filesystem can be
 * marked (marked and unmarked again: the mark proper comes after create).
 */
static int probe_open(probe *p, const char *rootfs)
{
	struct stat st, rst;
	char lnk[64];
	ssize_t n;
	int rc;

	p->mfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->mfd < 0)
		return sc_error_set_errno(SC_ENOTFOUND, errno, "run: probe: cannot open '%s'", rootfs);
	if (fstat(p->mfd, &st) != 0 || stat("/", &rst) != 0)
		return sc_error_set_errno(SC_EIO, errno, "run: probe: stat '%s'", rootfs);
	if (st.st_dev == rst.st_dev)
		return sc_error_set(SC_EUSAGE,
				    "run: probe: rootfs '%s' is on the host's root filesystem; put it on a "
				    "filesystem of its own (sc_run_tmpfs_mount) so that only the container's "
				    "opens are seen", rootfs);
	snprintf(lnk, sizeof(lnk), "/proc/self/fd/%d", p->mfd);
	n = readlink(lnk, p->prefix, sizeof(p->prefix));
	if (n <= 0 || (size_t)n >= sizeof(p->prefix) || p->prefix[0] != '/')
		return sc_error_set(SC_EIO, "run: probe: cannot resolve '%s' through /proc/self/fd", rootfs);
	p->prefix[n] = '\0';
	if (n == 1)
		return sc_error_set(SC_EUSAGE, "run: probe: rootfs cannot be /");
	p->plen = (size_t)n;
	p->fan = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_UNLIMITED_QUEUE |
				       FAN_REPORT_DFID_NAME,
			       O_RDONLY | O_CLOEXEC | O_LARGEFILE);
	if (p->fan < 0)
		return fan_error(errno, "fanotify_init");
	if ((rc = probe_mark(p, FAN_MARK_ADD)) != 0 || (rc = probe_mark(p, FAN_MARK_REMOVE)) != 0)
		return rc;
	if (!(p->ev = sc_malloc(READ_CHUNK)))
		return SC_ENOMEM;
	return 0;
}

/*
 * One DFID_NAME record: open the directory by its handle through our own
 * mount of the rootfs, read its path, keep it when it lies in the rootfs.
 */
static int probe_record(probe *p, const unsigned char *rec, size_t len)
{
	struct file_handle fh;
	const size_t hoff = sizeof(struct fanotify_event_info_fid);
	struct {
		struct file_handle h;
		unsigned char bytes[MAX_HANDLE_SZ];
	} hb;
	const char *name;
	char lnk[64], dir[PATH_MAX], rel[PATH_MAX + NAME_MAX + 2];
	size_t namemax, nlen, rl;
	struct stat st;
	ssize_t n;
	int dfd;

	if (len < hoff + sizeof(fh))
		return sc_error_set(SC_EINTERNAL, "run: probe: short fanotify record");
	memcpy(&fh, rec + hoff, sizeof(fh));
	if (fh.handle_bytes > MAX_HANDLE_SZ || fh.handle_bytes >= len - hoff - sizeof(fh))
		return sc_error_set(SC_EINTERNAL, "run: probe: bad file handle in a fanotify record");
	name = (const char *)rec + hoff + sizeof(fh) + fh.handle_bytes;
	namemax = len - hoff - sizeof(fh) - fh.handle_bytes;
	if (!memchr(name, '\0', namemax))
		return sc_error_set(SC_EINTERNAL, "run: probe: unterminated name in a fanotify record");
	nlen = strlen(name);
	if (nlen == 0 || nlen > NAME_MAX || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	hb.h = fh;
	memcpy(hb.bytes, rec + hoff + sizeof(fh), fh.handle_bytes);
	dfd = open_by_handle_at(p->mfd, &hb.h, O_PATH | O_CLOEXEC);
	if (dfd < 0) {
		if (errno == ESTALE || errno == ENOENT)
			return 0; /* the directory is gone */
		return sc_error_set_errno(SC_EIO, errno, "run: probe: open_by_handle_at");
	}
	if (fstat(dfd, &st) != 0 || st.st_nlink == 0) {
		close(dfd);
		return 0; /* removed since */
	}
	snprintf(lnk, sizeof(lnk), "/proc/self/fd/%d", dfd);
	n = readlink(lnk, dir, sizeof(dir));
	close(dfd);
	if (n < 0 && errno == ENAMETOOLONG)
		n = (ssize_t)sizeof(dir);
	if (n < 0)
		return sc_error_set_errno(SC_EIO, errno, "run: probe: readlink %s", lnk);
	if ((size_t)n >= sizeof(dir))
		return sc_error_set(SC_ELIMIT, "run: probe: the container opened a file below a directory whose "
				    "path is longer than %d bytes", PATH_MAX - 1);
	if ((size_t)n < p->plen || memcmp(dir, p->prefix, p->plen) != 0 ||
	    ((size_t)n > p->plen && dir[p->plen] != '/'))
		return 0; /* outside the rootfs (the bundle, or another tree on the same filesystem) */
	rl = (size_t)n - p->plen;
	if (rl > 0) {
		memcpy(rel, dir + p->plen + 1, rl - 1);
		rel[rl - 1] = '/';
	}
	memcpy(rel + rl, name, nlen);
	return set_add(p, rel, rl + nlen);
}

/*
 * Read and record queued events until none is left.  Events are only
 * 4-byte aligned (records with names are padded to 4): the metadata is
 * copied out rather than accessed in place.
 */
static int probe_drain(probe *p)
{
	for (;;) {
		ssize_t n = read(p->fan, p->ev, READ_CHUNK);
		struct fanotify_event_metadata m;
		size_t len, at;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0)
			return sc_error_set_errno(SC_EIO, errno, "run: probe: reading fanotify events");
		if (n == 0)
			return 0;
		len = (size_t)n;
		for (at = 0; len - at >= sizeof(m); at += m.event_len) {
			const unsigned char *ev = (const unsigned char *)p->ev + at;
			size_t off;
			int rc;

			memcpy(&m, ev, sizeof(m));
			if (m.vers != FANOTIFY_METADATA_VERSION)
				return sc_error_set(SC_EUNSUPPORTED, "run: probe: fanotify metadata version %u",
						    m.vers);
			if (m.event_len < sizeof(m) || m.event_len > len - at || m.metadata_len < sizeof(m) ||
			    m.metadata_len > m.event_len)
				return sc_error_set(SC_EINTERNAL, "run: probe: bad fanotify event length");
			if (m.fd >= 0)
				close(m.fd);
			if (m.mask & FAN_Q_OVERFLOW)
				return sc_error_set(SC_ELIMIT, "run: probe: fanotify event queue overflowed; the "
						    "list of opened files would be incomplete");
			for (off = m.metadata_len; m.event_len - off >= sizeof(struct fanotify_event_info_header);) {
				struct fanotify_event_info_header h;

				memcpy(&h, ev + off, sizeof(h));
				if (h.len < sizeof(h) || h.len > m.event_len - off)
					return sc_error_set(SC_EINTERNAL, "run: probe: bad fanotify info record");
				if (h.info_type == FAN_EVENT_INFO_TYPE_DFID_NAME &&
				    (rc = probe_record(p, ev + off, h.len)) != 0)
					return rc;
				off += h.len;
			}
		}
	}
}

/* ------------------------------------------------------------------------ */
/* sc_run                                                                   */

void sc_run_result_release(sc_run_result *r)
{
	if (!r)
		return;
	sc_buf_release(&r->out);
	sc_buf_release(&r->err);
	sc_strv_release(&r->opened);
}

/* Keep what fits of n bytes in b (whose max is the cap), count them all. */
static int keep(sc_buf *b, uint64_t *total, const char *data, size_t n)
{
	size_t room = b->max - b->len;

	*total += n;
	return room ? sc_buf_append(b, data, n < room ? n : room) : 0;
}

/* Read what is there on fd into b; *eof when the writers are gone. */
static int drain_pipe(int fd, sc_buf *b, uint64_t *total, int *eof)
{
	char chunk[READ_CHUNK];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n > 0) {
			int rc = keep(b, total, chunk, (size_t)n);

			if (rc)
				return rc;
			continue;
		}
		if (n == 0) {
			*eof = 1;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return 0;
		return sc_error_set_errno(SC_EIO, errno, "run: reading the container's output");
	}
}

static atomic_uint id_counter;

static int make_ctx(runc_ctx *c, const sc_run_spec *spec)
{
	const char *tmp = getenv("TMPDIR");
	unsigned rnd = 0;
	int rc;

	if ((rc = find_runc(c->runc, sizeof(c->runc))) != 0)
		return rc;
	if (!tmp || tmp[0] != '/' || strlen(tmp) > 200)
		tmp = "/tmp";
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd))
		rnd = (unsigned)now_ms();
	snprintf(c->id, sizeof(c->id), "scute-%ld-%u-%08x", (long)getpid(),
		 atomic_fetch_add(&id_counter, 1u), rnd);
	snprintf(c->root, sizeof(c->root), "%s/scute-runc-XXXXXX", tmp);
	if (!mkdtemp(c->root))
		return sc_error_set_errno(SC_EIO, errno, "run: cannot create a state directory in %s", tmp);
	snprintf(c->log, sizeof(c->log), "%s/runc.log", c->root);
	snprintf(c->cmdout, sizeof(c->cmdout), "%s/cmd.out", c->root);
	snprintf(c->pidfile, sizeof(c->pidfile), "%s/pid", c->root);
	snprintf(c->bundle, sizeof(c->bundle), "%s", spec->bundle);
	return 0;
}

static void remove_state(const runc_ctx *c)
{
	rm_tree_at(AT_FDCWD, c->root, 0);
}

/* A wait status into the result. */
static void set_status(sc_run_result *r, int st)
{
	if (WIFEXITED(st)) {
		r->exited = 1;
		r->status = WEXITSTATUS(st);
	} else if (WIFSIGNALED(st)) {
		r->signaled = 1;
		r->signo = WTERMSIG(st);
	}
}

/* runc create failed: the message from its stderr (our err pipe). */
static int create_error(const sc_run_spec *spec, const sc_buf *err, int st)
{
	char line[MSG_MAX];
	int code;

	last_line(err->data ? err->data : "", err->len, line, sizeof(line));
	code = (strstr(line, "no such file or directory") || strstr(line, "not found in $PATH"))
		       ? SC_ENOTFOUND : SC_EINTERNAL;
	if (WIFSIGNALED(st))
		return sc_error_set(code, "run: runc could not create the container for '%.200s' (runc killed "
				    "by signal %d)%s%s", spec->argv[0], WTERMSIG(st), line[0] ? ": " : "", line);
	return sc_error_set(code, "run: runc could not run '%.200s'%s%s", spec->argv[0],
			    line[0] ? ": " : "", line[0] ? line : "(no message)");
}

typedef struct run_state {
	const sc_run_spec *spec;
	runc_ctx *c;
	probe *p;
	sc_run_result *r;
	pid_t sup;
	int out_r, err_r, st_r;
	int out_eof, err_eof, st_eof;
	int created, started, exited, create_st, killed;
	uint64_t deadline, hard_deadline;
	int rc;                  /* first error; the container is killed when set */
	char stbuf[sizeof(sup_msg)];
	size_t stlen;
} run_state;

/* Stop the container (KILL), once; used on timeout and on errors. */
static void kill_container(run_state *s)
{
	if (s->killed)
		return;
	s->killed = 1;
	s->hard_deadline = now_ms() + KILL_GRACE_MS;
	if (s->created) {
		/* Already stopped is fine; delete -f also ends an init never started. */
		if (runc_cleanup(s->c, 1, "run: runc kill", "kill", s->c->id, "KILL") != 0)
			(void)runc_cleanup(s->c, 1, "run: runc delete", "delete", "-f", s->c->id);
	} else {
		kill(-s->sup, SIGKILL);
	}
}

static void fail(run_state *s, int rc)
{
	if (!s->rc)
		s->rc = rc;
	kill_container(s);
}

static void on_created(run_state *s)
{
	int rc;

	if (s->rc || s->killed)
		return;
	if (s->p->fan >= 0 && (rc = probe_mark(s->p, FAN_MARK_ADD)) != 0) {
		fail(s, rc);
		return;
	}
	if ((rc = runc_sync(s->c, "run: runc start", "start", s->c->id, NULL)) != 0) {
		fail(s, rc);
		return;
	}
	s->started = 1;
}

static void on_message(run_state *s, const sup_msg *m)
{
	switch (m->kind) {
	case MSG_CREATED:
		s->create_st = m->value;
		if (WIFEXITED(m->value) && WEXITSTATUS(m->value) == 0) {
			s->created = 1;
			on_created(s);
		}
		break;
	case MSG_EXIT:
		s->exited = 1;
		set_status(s->r, m->value);
		break;
	case MSG_LOST:
		if (!s->rc)
			s->rc = sc_error_set(SC_EINTERNAL, "run: the container's init was not seen exiting");
		break;
	case MSG_FAIL:
		if (!s->rc)
			s->rc = sc_error_set_errno(SC_EINTERNAL, m->value, "run: supervisor process");
		break;
	default:
		break;
	}
}

static void read_status(run_state *s)
{
	for (;;) {
		ssize_t n = read(s->st_r, s->stbuf + s->stlen, sizeof(s->stbuf) - s->stlen);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return; /* EAGAIN */
		if (n == 0) {
			s->st_eof = 1;
			return;
		}
		s->stlen += (size_t)n;
		if (s->stlen == sizeof(s->stbuf)) {
			sup_msg m;

			memcpy(&m, s->stbuf, sizeof(m));
			s->stlen = 0;
			on_message(s, &m);
		}
	}
}

/* The poll loop: output, supervisor reports, probe events, timeouts. */
static void run_loop(run_state *s)
{
	while (!(s->st_eof && s->out_eof && s->err_eof)) {
		struct pollfd pf[4];
		int np = 0, i_out = -1, i_err = -1, i_st = -1, i_fan = -1, r, rc;
		uint64_t t = now_ms(), until = s->killed ? s->hard_deadline : s->deadline;

		if (t >= until) {
			if (s->killed)
				break; /* the container did not go away: give up on it */
			s->r->timed_out = 1;
			kill_container(s);
			continue;
		}
		if (!s->out_eof)
			pf[i_out = np++] = (struct pollfd){ s->out_r, POLLIN, 0 };
		if (!s->err_eof)
			pf[i_err = np++] = (struct pollfd){ s->err_r, POLLIN, 0 };
		if (!s->st_eof)
			pf[i_st = np++] = (struct pollfd){ s->st_r, POLLIN, 0 };
		if (s->p->fan >= 0 && !s->rc)
			pf[i_fan = np++] = (struct pollfd){ s->p->fan, POLLIN, 0 };
		r = poll(pf, (nfds_t)np, (int)(until - t > 1000 ? 1000 : until - t));
		if (r < 0 && errno != EINTR) {
			fail(s, sc_error_set_errno(SC_EINTERNAL, errno, "run: poll"));
			break;
		}
		if (r <= 0)
			continue;
		if (i_out >= 0 && pf[i_out].revents &&
		    (rc = drain_pipe(s->out_r, &s->r->out, &s->r->out_total, &s->out_eof)) != 0) {
			s->out_eof = 1;
			fail(s, rc);
		}
		if (i_err >= 0 && pf[i_err].revents &&
		    (rc = drain_pipe(s->err_r, &s->r->err, &s->r->err_total, &s->err_eof)) != 0) {
			s->err_eof = 1;
			fail(s, rc);
		}
		if (i_fan >= 0 && pf[i_fan].revents && (rc = probe_drain(s->p)) != 0)
			fail(s, rc);
		if (i_st >= 0 && pf[i_st].revents)
			read_status(s);
	}
}

int sc_run(const sc_run_spec *spec, sc_run_result *out)
{
	runc_ctx *c = NULL;
	probe p = { .fan = -1, .mfd = -1 };
	sc_run_result res;
	run_state s;
	json_t *cfg = NULL;
	char rootfs[PATH_MAX], *create_argv[12];
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, stp[2] = { -1, -1 }, devnull = -1, rc, st, have_state = 0;
	struct stat sb;
	size_t i, omax;
	pid_t sup = -1;
	sup_args a;

	memset(&res, 0, sizeof(res));
	memset(&s, 0, sizeof(s));
	omax = spec && spec->output_max ? spec->output_max : SC_RUN_DEFAULT_OUTPUT;
	sc_buf_init(&res.out, omax, "container stdout");
	sc_buf_init(&res.err, omax, "container stderr");
	if (!out)
		return sc_error_set(SC_EUSAGE, "run: NULL result");
	if ((rc = sc_run_config_json(&cfg, spec)) != 0)
		goto out;
	if (!spec->bundle || spec->bundle[0] != '/') {
		rc = sc_error_set(SC_EUSAGE, "run: the bundle must be an absolute path");
		goto out;
	}
	if (snprintf(rootfs, sizeof(rootfs), "%s/rootfs", spec->bundle) >= (int)sizeof(rootfs) - 64) {
		rc = sc_error_set(SC_ELIMIT, "run: bundle path too long");
		goto out;
	}
	if (stat(rootfs, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		rc = sc_error_set(SC_ENOTFOUND, "run: no rootfs directory in bundle '%s'", spec->bundle);
		goto out;
	}
	if (geteuid() != 0) {
		rc = sc_error_set(SC_EUNSUPPORTED, "run: running a container with runc needs root");
		goto out;
	}
	if (spec->probe && (rc = probe_open(&p, rootfs)) != 0)
		goto out;
	if (!(c = sc_calloc(1, sizeof(*c)))) {
		rc = SC_ENOMEM;
		goto out;
	}
	if ((rc = make_ctx(c, spec)) != 0)
		goto out;
	have_state = 1;
	if ((rc = write_config(spec->bundle, cfg)) != 0)
		goto out;
	if (pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0 || pipe2(stp, O_CLOEXEC) != 0 ||
	    (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		rc = sc_error_set_errno(SC_EIO, errno, "run: pipe");
		goto out;
	}
	i = 0;
	create_argv[i++] = (char *)"runc";
	create_argv[i++] = (char *)"--root";
	create_argv[i++] = c->root;
	create_argv[i++] = (char *)"--log";
	create_argv[i++] = c->log;
	create_argv[i++] = (char *)"create";
	create_argv[i++] = (char *)"--bundle";
	create_argv[i++] = c->bundle;
	create_argv[i++] = (char *)"--pid-file";
	create_argv[i++] = c->pidfile;
	create_argv[i++] = c->id;
	create_argv[i] = NULL;
	a = (sup_args){ c, create_argv, devnull, outp[1], errp[1], stp[1], getpid() };
	sup = fork();
	if (sup == 0) {
		close(outp[0]);
		close(errp[0]);
		close(stp[0]);
		supervise(&a);
	}
	if (sup < 0) {
		rc = sc_error_set_errno(SC_EINTERNAL, errno, "run: fork");
		goto out;
	}
	setpgid(sup, sup); /* also done by the child: no race on kill(-sup) */
	close(outp[1]);
	close(errp[1]);
	close(stp[1]);
	close(devnull);
	outp[1] = errp[1] = stp[1] = devnull = -1;
	if (fcntl(outp[0], F_SETFL, O_NONBLOCK) != 0 || fcntl(errp[0], F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(stp[0], F_SETFL, O_NONBLOCK) != 0) {
		rc = sc_error_set_errno(SC_EIO, errno, "run: fcntl");
		kill(-sup, SIGKILL);
		goto reap;
	}

	s.spec = spec;
	s.c = c;
	s.p = &p;
	s.r = &res;
	s.sup = sup;
	s.out_r = outp[0];
	s.err_r = errp[0];
	s.st_r = stp[0];
	s.deadline = now_ms() + 1000ull * (spec->timeout_s ? spec->timeout_s : SC_RUN_DEFAULT_TIMEOUT_S);
	run_loop(&s);
	if (!(s.st_eof && s.out_eof && s.err_eof)) {
		/* The container would not die within the grace period. */
		kill(-sup, SIGKILL);
		(void)runc_cleanup(c, 1, "run: runc delete", "delete", "-f", c->id);
		if (!s.rc)
			s.rc = sc_error_set(SC_EINTERNAL, "run: the container did not stop after runc kill");
	}
	if (p.fan >= 0 && !s.rc && (rc = probe_drain(&p)) != 0)
		s.rc = rc;
	rc = s.rc;
	if (!rc && !s.created && res.timed_out)
		rc = sc_error_set(SC_EINTERNAL, "run: runc create did not finish within the %u s timeout",
				  spec->timeout_s ? spec->timeout_s : SC_RUN_DEFAULT_TIMEOUT_S);
	else if (!rc && !s.created && s.st_eof)
		rc = create_error(spec, &res.err, s.create_st);
	else if (!rc && !s.exited)
		rc = sc_error_set(SC_EINTERNAL, "run: the container's exit status was not seen");
reap:
	while (waitpid(sup, &st, 0) < 0 && errno == EINTR)
		;
	if (s.created)
		rc = runc_cleanup(c, rc, "run: runc delete", "delete", "-f", c->id);
	else if (s.killed) /* create may have got far before it was killed */
		(void)runc_cleanup(c, 1, "run: runc delete", "delete", "-f", c->id);
out:
	for (i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
		if (stp[i] >= 0)
			close(stp[i]);
	}
	if (devnull >= 0)
		close(devnull);
	if (have_state)
		remove_state(c);
	if (!rc && p.fan >= 0) {
		for (i = 0; i < p.cap && !rc; i++)
			if (p.slot[i]) {
				rc = sc_strv_push(&res.opened, p.slot[i]);
				p.slot[i] = NULL;
			}
		sc_strv_sort_uniq(&res.opened);
	}
	probe_release(&p);
	free(c);
	json_decref(cfg);
	if (rc) {
		sc_run_result_release(&res);
		return rc;
	}
	*out = res;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* tmpfs for the probe                                                      */

int sc_run_tmpfs_mount(const char *dir, uint64_t size_bytes)
{
	char opts[64];

	if (!dir || dir[0] != '/')
		return sc_error_set(SC_EUSAGE, "run: tmpfs mount point must be an absolute path");
	if (size_bytes == 0)
		return sc_error_set(SC_EUSAGE, "run: tmpfs size must be > 0");
	snprintf(opts, sizeof(opts), "size=%llu,mode=0755", (unsigned long long)size_bytes);
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0)
		return sc_error_set_errno(errno == EPERM ? SC_EUNSUPPORTED : SC_EIO, errno,
					  "run: cannot mount a tmpfs on '%s'", dir);
	return 0;
}

int sc_run_tmpfs_umount(const char *dir)
{
	if (!dir)
		return sc_error_set(SC_EUSAGE, "run: NULL mount point");
	if (umount2(dir, UMOUNT_NOFOLLOW) != 0)
		return sc_error_set_errno(SC_EIO, errno, "run: cannot unmount '%s'", dir);
	return 0;
}
