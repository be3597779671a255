/*
 * cmd_keygen.c - `scute keygen`: a cosign-compatible key pair, NAME.key
 * (ECDSA P-256, PKCS#8 encrypted with scrypt + nacl/secretbox; sign/key.h)
 * and NAME.pub (PKIX PEM).  The private key file is never readable by
 * others, not even for a moment: it is created 0600 with O_EXCL, or with
 * --force written to a 0600 temp file that is renamed over the old one.
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/error.h"
#include "sign/key.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void help(FILE *f)
{
	fprintf(f, "usage: scute keygen [options]\n"
		   "\n"
		   "Create a key pair for `scute sign` and `scute verify` in cosign's formats:\n"
		   "NAME.key, an ECDSA P-256 private key encrypted with a passphrase (mode 0600,\n"
		   "never overwritten without --force), and NAME.pub, its public key (PEM).\n"
		   "The passphrase is $SCUTE_PASSWORD, else $COSIGN_PASSWORD (either may be\n"
		   "empty), else asked twice on the terminal.\n"
		   "\n"
		   "  --output-key-prefix NAME  write NAME.key and NAME.pub (default: cosign)\n"
		   "  --compat legacy        label ENCRYPTED COSIGN PRIVATE KEY with scrypt N=32768,\n"
		   "                         for older cosign and containers/image (default:\n"
		   "                         ENCRYPTED SIGSTORE PRIVATE KEY, N=65536, as cosign 2.2+)\n"
		   "  --force                replace an existing NAME.key\n"
		   "  -h, --help             this help\n");
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * Write the private key file, mode 0600.  New: O_CREAT|O_EXCL, so an
 * existing file (or a symlink planted there) is never followed or
 * truncated.  replace: a 0600 temp file in the same directory, fsync,
 * rename.  *created says whether path is a file this call made (to be
 * removed if the public key then fails).
 */
static int write_private(const char *path, const char *data, size_t len, int replace, int *created)
{
	char *tmp = NULL;
	int fd, e;

	*created = 0;
	if (!replace) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 && errno == EEXIST)
			return sc_error_set(SC_EUSAGE, "%s exists (use --force to replace)", path);
		if (fd < 0)
			return sc_error_set_errno(SC_EIO, errno, "cannot create '%s'", path);
		if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
			e = errno;
			close(fd);
			unlink(path);
			return sc_error_set_errno(SC_EIO, e, "writing '%s' failed", path);
		}
		if (close(fd) != 0) {
			e = errno;
			unlink(path);
			return sc_error_set_errno(SC_EIO, e, "writing '%s' failed", path);
		}
		*created = 1;
		return 0;
	}
	if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0)
		return sc_error_set(SC_ENOMEM, "out of memory");
	fd = mkstemp(tmp); /* 0600 */
	if (fd < 0) {
		e = errno;
		free(tmp);
		return sc_error_set_errno(SC_EIO, e, "cannot create a file next to '%s'", path);
	}
	if (fchmod(fd, 0600) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		e = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		e = errno;
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	return sc_error_set_errno(SC_EIO, e, "writing '%s' failed", path);
}

int sc_cmd_keygen(int argc, char **argv)
{
	enum { O_PREFIX = 256, O_COMPAT, O_FORCE };
	static const struct option longopts[] = {
		{ "output-key-prefix", required_argument, NULL, O_PREFIX },
		{ "compat", required_argument, NULL, O_COMPAT },
		{ "force", no_argument, NULL, O_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prefix = "cosign";
	char *key_path = NULL, *pub_path = NULL, *pass = NULL;
	size_t pass_len = 0;
	int legacy = 0, force = 0, c, rc = 0, created = 0, status = SC_EXIT_OK;
	sc_key *k = NULL;
	sc_buf priv, pub;
	sc_out po = { 0 };
	int po_open = 0;
	struct stat st;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case O_PREFIX: prefix = optarg; break;
		case O_COMPAT:
			if (strcmp(optarg, "legacy") != 0)
				return sc_cli_usage_error("keygen", "--compat wants 'legacy', not '%s'", optarg);
			legacy = 1;
			break;
		case O_FORCE: force = 1; break;
		case 'h': help(stdout); return SC_EXIT_OK;
		case ':': return sc_cli_usage_error("keygen", "option '%s' needs a value", argv[optind - 1]);
		default: return sc_cli_usage_error("keygen", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return sc_cli_usage_error("keygen", "unexpected argument '%s'", argv[optind]);
	if (!*prefix)
		return sc_cli_usage_error("keygen", "--output-key-prefix must not be empty");
	sc_buf_init(&priv, SC_KEY_FILE_MAX, "private key");
	sc_buf_init(&pub, SC_KEY_FILE_MAX, "public key");
	if (asprintf(&key_path, "%s.key", prefix) < 0 || asprintf(&pub_path, "%s.pub", prefix) < 0) {
		key_path = pub_path = NULL;
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto fail;
	}
	/* Refuse before asking for a passphrase (O_EXCL still decides below). */
	if (!force && lstat(key_path, &st) == 0) {
		rc = sc_error_set(SC_EUSAGE, "%s exists (use --force to replace)", key_path);
		goto fail;
	}
	if ((rc = sc_key_passphrase(&pass, &pass_len, 1)) != 0)
		goto fail;
	if ((rc = sc_key_generate(&k)) != 0 || (rc = sc_key_encrypt_pem(k, pass, pass_len, legacy, &priv)) != 0 ||
	    (rc = sc_key_public_pem(k, &pub)) != 0)
		goto fail;
	sc_key_passphrase_free(pass, pass_len);
	pass = NULL;
	/* NAME.pub is staged first and named last: a failed run leaves neither file. */
	if ((rc = sc_out_open(&po, pub_path)) != 0)
		goto fail;
	po_open = 1;
	if (fwrite(pub.data, 1, pub.len, po.f) != pub.len) {
		rc = sc_error_set_errno(SC_EIO, errno, "writing '%s' failed", pub_path);
		goto fail;
	}
	if ((rc = write_private(key_path, priv.data, priv.len, force, &created)) != 0)
		goto fail;
	po_open = 0;
	if ((rc = sc_out_commit(&po)) != 0) {
		if (created)
			unlink(key_path);
		goto fail;
	}
	fprintf(stderr, "Private key written to %s\nPublic key written to %s\n", key_path, pub_path);
	goto done;
fail:
	status = sc_cli_fail(rc);
done:
	if (po_open)
		sc_out_abort(&po);
	sc_key_passphrase_free(pass, pass_len);
	sc_key_free(k);
	sc_buf_release(&priv);
	sc_buf_release(&pub);
	free(key_path);
	free(pub_path);
	return status;
}
