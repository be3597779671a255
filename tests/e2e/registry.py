#!/usr/bin/python3
"""Real registries for scute's end-to-end tests (issue 7).

Everything here runs on loopback, started and stopped by the tests:

  Registry(kind, tmpdir)  Debian's docker-registry (CNCF distribution 2.8,
                          /usr/bin/docker-registry) with a generated config:
                          kind "plain"    http, no auth
                               "htpasswd" http, Basic auth (htpasswd -Bbn)
                               "tls"      https with a CA generated here
                               "token"    http, bearer tokens from a
                                          TokenServer run in this process
  TokenServer             the docker token flow
                          (https://distribution.github.io/distribution/spec/auth/token/):
                          GET realm?service=&scope= (and the OAuth2 POST form),
                          JWTs signed ES256 with x5c = a self-signed cert that
                          is the registry's auth.token.rootcertbundle
  FaultProxy(upstream)    an HTTP/1.1 loopback proxy in front of a registry with
                          switchable faults (status injection, corrupted blob
                          bodies, connections cut mid-body, actions fired
                          mid-upload) and a request log
  RegistryAPI             a small independent client of the distribution API
                          (http.client; Basic and bearer auth) to check what a
                          registry holds and to push raw artifacts
  skopeo(), push_with_skopeo(), skopeo_inspect_digest(): the independent peer

No pytest in here: fixtures live in conftest.py and the test modules.
Only the standard library plus python3-cryptography and python3-jwt
(Debian packages) are used.
"""

import atexit
import base64
import datetime
import hashlib
import http.client
import http.server
import json
import os
import re
import secrets
import shutil
import signal
import socket
import socketserver
import ssl
import subprocess
import threading
import time
import urllib.parse
import weakref

REGISTRY_BIN = os.environ.get("SCUTE_REGISTRY_BIN") or "/usr/bin/docker-registry"
SKOPEO_BIN = shutil.which("skopeo") or "/usr/bin/skopeo"
HTPASSWD_BIN = shutil.which("htpasswd") or "/usr/bin/htpasswd"

KINDS = ("plain", "htpasswd", "tls", "token")
USER = "scute"
TOKEN_SERVICE = "scute-test-registry"
TOKEN_ISSUER = "scute-test-token-issuer"

MT_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MT_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MT_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MANIFEST_ACCEPT = ", ".join((MT_OCI_INDEX, MT_OCI_MANIFEST, MT_DOCKER_LIST, MT_DOCKER_MANIFEST))

BLOB_RE = r"/v2/.+/blobs/sha256:[0-9a-f]{64}$"
UPLOAD_RE = r"/v2/.+/blobs/uploads/"
MANIFEST_RE = r"/v2/.+/manifests/"


def missing_tools():
    """Names of the external programs this module needs that are absent."""
    out = []
    if not (os.path.isfile(REGISTRY_BIN) and os.access(REGISTRY_BIN, os.X_OK)):
        out.append("docker-registry (Debian package docker-registry)")
    if not shutil.which("skopeo"):
        out.append("skopeo")
    if not shutil.which("htpasswd"):
        out.append("htpasswd (Debian package apache2-utils)")
    try:
        import cryptography  # noqa: F401
        import jwt  # noqa: F401
    except ImportError:
        out.append("python3-cryptography and python3-jwt")
    return out


def sha256_digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


# Everything started here is stopped at interpreter exit even when a test
# run is interrupted (fixtures normally stop them earlier).
_LIVE = weakref.WeakSet()


@atexit.register
def _cleanup():
    for obj in list(_LIVE):
        try:
            obj.close()
        except Exception:
            pass


# --------------------------------------------------------------------------
# Certificates (python3-cryptography)


def _x509():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID
    return x509, hashes, serialization, ec, NameOID, ExtendedKeyUsageOID


def _write_pem(path, data, mode=0o644):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def make_ca(dirpath, name="scute test CA", keydir=None):
    """A self-signed EC P-256 CA: returns (cert_path, key_path, cert, key).
    The key goes to keydir (default dirpath): skopeo's cert dirs must hold
    no *.key without its client certificate."""
    x509, hashes, serialization, ec, NameOID, _ = _x509()
    key = ec.generate_private_key(ec.SECP256R1())
    subj = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subj).issuer_name(subj)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    cp, kp = os.path.join(dirpath, "ca.crt"), os.path.join(keydir or dirpath, "ca.key")
    _write_pem(cp, cert.public_bytes(serialization.Encoding.PEM))
    _write_pem(kp, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()), 0o600)
    return cp, kp, cert, key


def make_server_cert(dirpath, ca_cert, ca_key, names=("localhost",), ips=("127.0.0.1",)):
    """A server certificate signed by the CA with the SANs given:
    returns (cert_path, key_path)."""
    import ipaddress
    x509, hashes, serialization, ec, NameOID, EKU = _x509()
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    san = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(san), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([EKU.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    cp, kp = os.path.join(dirpath, "server.crt"), os.path.join(dirpath, "server.key")
    _write_pem(cp, cert.public_bytes(serialization.Encoding.PEM))
    _write_pem(kp, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()), 0o600)
    return cp, kp


# --------------------------------------------------------------------------
# Small HTTP server base (threaded, loopback, stoppable)


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        pass            # a client that went away is not a test failure


class _Background:
    """An HTTPServer on 127.0.0.1 served by a daemon thread."""

    def _serve(self, handler_cls, port=0):
        self.httpd = _Server(("127.0.0.1", port), handler_cls)
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.host = "127.0.0.1:%d" % self.port
        self.url = "http://" + self.host
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name=type(self).__name__)
        self._thread.start()
        _LIVE.add(self)

    def close(self):
        h = getattr(self, "httpd", None)
        if h is not None:
            self.httpd = None
            h.shutdown()
            h.server_close()

    stop = close

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


# --------------------------------------------------------------------------
# Token server


def _b64url_json(s):
    s += "=" * (-len(s) % 4)
    return json.loads(base64.urlsafe_b64decode(s))


def decode_jwt_unverified(token):
    """(header, claims) of a JWT, without checking the signature."""
    h, c, _ = token.split(".")
    return _b64url_json(h), _b64url_json(c)


def parse_scope(s):
    """"repository:team/app:pull,push" -> ("repository", "team/app", ["pull", "push"])."""
    typ, rest = s.split(":", 1)
    name, _, actions = rest.rpartition(":")
    if not name:                      # "registry:catalog" without actions
        name, actions = rest, ""
    return typ, name, [a for a in actions.split(",") if a]


class TokenServer(_Background):
    """Issues registry bearer tokens on loopback.

    users: {"name": "password"} allowed to authenticate (they get every
    action a scope asks for unless grant() says otherwise).
    anonymous: what a request without credentials gets:
      "deny" -> 401, "none" -> a token with no access, "pull" -> pull only.
    expires_in: token lifetime in seconds (also what the answer announces).
    expired_next: that many next tokens are issued already expired (the
    answer still announces expires_in), to test refresh on 401.
    grant: optional fn(user_or_None, type, name, actions) -> actions.
    Every request is recorded in .requests (dicts: method, path, user,
    service, scopes, status, time, granted); .clear() empties the record.
    """

    def __init__(self, users=None, anonymous="none", expires_in=300, service=TOKEN_SERVICE,
                 issuer=TOKEN_ISSUER, tmpdir=None, grant=None, port=0):
        x509, hashes, serialization, ec, NameOID, _ = _x509()
        self.users = dict(users or {})
        self.anonymous = anonymous
        self.expires_in = expires_in
        self.service = service
        self.issuer = issuer
        self.grant = grant
        self.expired_next = 0       # that many next tokens are issued already expired
        self.requests = []
        self._lock = threading.Lock()
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        subj = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "scute test token signer")])
        self.cert = (x509.CertificateBuilder().subject_name(subj).issuer_name(subj)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - datetime.timedelta(days=1))
                     .not_valid_after(now + datetime.timedelta(days=30))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.cert_pem = self.cert.public_bytes(serialization.Encoding.PEM)
        self.cert_der_b64 = base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()
        self.rootcertbundle = None
        if tmpdir:
            self.rootcertbundle = os.path.join(tmpdir, "token-signer.crt")
            _write_pem(self.rootcertbundle, self.cert_pem)
        self._serve(_TokenHandler, port)
        self.realm = self.url + "/token"

    def clear(self):
        with self._lock:
            del self.requests[:]

    def token_requests(self):
        with self._lock:
            return [r for r in self.requests if r["path"].startswith("/token")]

    def _authorise(self, user, scopes):
        access = []
        for s in scopes:
            try:
                typ, name, actions = parse_scope(s)
            except ValueError:
                continue
            if user is None:
                if self.anonymous == "pull":
                    actions = [a for a in actions if a == "pull"]
                else:
                    actions = []
            if self.grant:
                actions = self.grant(user, typ, name, actions)
            if actions:
                access.append({"type": typ, "name": name, "actions": sorted(set(actions))})
        return access

    def issue(self, user, access, service=None):
        import jwt
        now = int(time.time())
        exp = now + self.expires_in
        with self._lock:
            if self.expired_next > 0:       # to test refresh on 401
                self.expired_next -= 1
                exp = now - 600     # distribution allows 60 s of leeway
        claims = {"iss": self.issuer, "sub": user or "", "aud": service or self.service,
                  "exp": exp, "nbf": now - 10, "iat": now,
                  "jti": secrets.token_hex(16), "access": access}
        tok = jwt.encode(claims, self.key, algorithm="ES256", headers={"x5c": [self.cert_der_b64]})
        return tok if isinstance(tok, str) else tok.decode()


class _TokenHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def _reply(self, status, obj, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _handle(self, params, user, password, via):
        ts = self.server.owner
        rec = {"method": self.command, "path": self.path, "user": user, "via": via,
               "service": (params.get("service") or [None])[0],
               "scopes": [x for s in params.get("scope", []) for x in s.split(" ") if x],
               "time": time.time(), "status": None, "granted": None}
        challenge = {"WWW-Authenticate": 'Basic realm="scute token server"'}
        if urllib.parse.urlsplit(self.path).path != "/token":
            status, obj, extra = 404, {"errors": [{"code": "NOT_FOUND"}]}, None
        elif user is not None and ts.users.get(user) != password:
            status, obj, extra = 401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]}, challenge
        elif user is None and ts.anonymous == "deny":
            status, obj, extra = 401, {"errors": [{"code": "UNAUTHORIZED",
                                                   "message": "authentication required"}]}, challenge
        else:
            access = ts._authorise(user, rec["scopes"])
            tok = ts.issue(user, access, rec["service"])
            rec["granted"] = access
            now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
            status, extra = 200, None
            obj = {"token": tok, "access_token": tok, "expires_in": ts.expires_in,
                   "issued_at": now.isoformat().replace("+00:00", "Z")}
        rec["status"] = status
        with ts._lock:              # recorded before the client can see the answer
            ts.requests.append(rec)
        self._reply(status, obj, extra)

    def _basic(self):
        h = self.headers.get("Authorization", "")
        if not h.lower().startswith("basic "):
            return None, None
        try:
            u, _, p = base64.b64decode(h[6:].strip()).decode().partition(":")
        except Exception:
            return "", ""
        return u, p

    def do_GET(self):
        params = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        u, p = self._basic()
        self._handle(params, u, p, "get")

    def do_POST(self):
        # OAuth2 password grant (docker/distribution token spec, "oauth").
        n = int(self.headers.get("Content-Length") or 0)
        params = urllib.parse.parse_qs(self.rfile.read(n).decode("utf-8", "replace"))
        u, p = self._basic()
        if params.get("grant_type", [""])[0] == "password":
            u, p = params.get("username", [""])[0], params.get("password", [""])[0]
        self._handle(params, u, p, "post")


# --------------------------------------------------------------------------
# The registry


class RegistryError(RuntimeError):
    pass


class Registry:
    """A docker-registry process on 127.0.0.1:<port> (see module doc).

    Attributes: kind, host ("127.0.0.1:PORT"), url, scheme, creds ("user:pass"
    for htpasswd/token, else None), user, password, ca_file and cert_dir (tls:
    the CA that signed the server cert; cert_dir holds ca.crt for skopeo's
    --*-cert-dir), storage (the filesystem root), token_server (token kind),
    config_path, log_path, proc.
    """

    def __init__(self, kind, tmpdir, anonymous="none", expires_in=300, token_server=None,
                 start=True):
        if kind not in KINDS:
            raise ValueError("kind must be one of %s" % (KINDS,))
        self.kind = kind
        self.dir = os.path.abspath(str(tmpdir))
        os.makedirs(self.dir, exist_ok=True)
        self.storage = os.path.join(self.dir, "storage")
        os.makedirs(self.storage, exist_ok=True)
        self.config_path = os.path.join(self.dir, "config.yml")
        self.log_path = os.path.join(self.dir, "registry.log")
        self.proc = None
        self.user = self.password = self.creds = None
        self.ca_file = self.cert_dir = None
        self.token_server = None
        self.scheme = "https" if kind == "tls" else "http"
        self.port = None
        if kind in ("htpasswd", "token"):
            self.user = USER
            self.password = "pw-" + secrets.token_hex(12)
            self.creds = "%s:%s" % (self.user, self.password)
        if kind == "htpasswd":
            out = subprocess.run([HTPASSWD_BIN, "-Bbn", self.user, self.password], check=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout
            self.htpasswd = os.path.join(self.dir, "htpasswd")
            _write_pem(self.htpasswd, out, 0o600)
        if kind == "tls":
            self.cert_dir = os.path.join(self.dir, "certs")
            os.makedirs(self.cert_dir, exist_ok=True)
            srv_dir = os.path.join(self.dir, "server")
            os.makedirs(srv_dir, exist_ok=True)
            ca_path, _, ca_cert, ca_key = make_ca(self.cert_dir, keydir=srv_dir)
            self.ca_file = ca_path
            self.server_cert, self.server_key = make_server_cert(srv_dir, ca_cert, ca_key)
        if kind == "token":
            self.token_server = token_server or TokenServer(
                users={self.user: self.password}, anonymous=anonymous, expires_in=expires_in,
                tmpdir=self.dir)
            if self.token_server.rootcertbundle is None:
                self.token_server.rootcertbundle = os.path.join(self.dir, "token-signer.crt")
                _write_pem(self.token_server.rootcertbundle, self.token_server.cert_pem)
            if token_server is not None:
                # a shared server: add our user
                self.token_server.users[self.user] = self.password
        _LIVE.add(self)
        if start:
            self.start()

    # -- config

    def config(self):
        cfg = {
            "version": 0.1,
            "log": {"level": "warn", "formatter": "text", "accesslog": {"disabled": True}},
            "storage": {
                "filesystem": {"rootdirectory": self.storage},
                "delete": {"enabled": True},
                "maintenance": {"uploadpurging": {"enabled": False}},
            },
            "http": {
                "addr": self.host,
                "secret": "scute-e2e-" + hashlib.sha256(self.dir.encode()).hexdigest()[:24],
                "headers": {"X-Content-Type-Options": ["nosniff"]},
            },
        }
        if self.kind == "htpasswd":
            cfg["auth"] = {"htpasswd": {"realm": "scute-test-realm", "path": self.htpasswd}}
        elif self.kind == "tls":
            cfg["http"]["tls"] = {"certificate": self.server_cert, "key": self.server_key}
            # The access log names each request's protocol ("GET /v2/ HTTP/2.0"):
            # the tests check that clients negotiate HTTP/2 over TLS.
            cfg["log"]["accesslog"] = {"disabled": False}
        elif self.kind == "token":
            cfg["auth"] = {"token": {"realm": self.token_server.realm, "service": self.token_server.service,
                                     "issuer": self.token_server.issuer,
                                     "rootcertbundle": self.token_server.rootcertbundle}}
        return cfg

    @property
    def host(self):
        return "127.0.0.1:%d" % self.port

    @property
    def url(self):
        return "%s://%s" % (self.scheme, self.host)

    def ssl_context(self):
        if self.scheme != "https":
            return None
        return ssl.create_default_context(cafile=self.ca_file)

    # -- process

    def start(self, timeout=20):
        if self.proc is not None and self.proc.poll() is None:
            raise RegistryError("already running")
        fixed_port = self.port is not None
        for attempt in range(5):
            if not fixed_port:
                self.port = free_port()
            with open(self.config_path, "w") as f:
                json.dump(self.config(), f, indent=2)     # JSON is YAML
            # REGISTRY_* variables override the config (REGISTRY_AUTH_FILE,
            # containers' auth file variable, would become auth.file).
            env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
            log = open(self.log_path, "ab")
            try:
                self.proc = subprocess.Popen([REGISTRY_BIN, "serve", self.config_path], stdin=subprocess.DEVNULL,
                                             stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.dir)
            finally:
                log.close()
            try:
                self._wait_ready(timeout)
                return self
            except RegistryError:
                self.kill()
                if fixed_port or "address already in use" not in self.logs():
                    raise
        raise RegistryError("could not find a free port for the registry")

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RegistryError("docker-registry exited with %s:\n%s" % (self.proc.returncode, self.logs()[-3000:]))
            try:
                st, _, _ = http_request("GET", self.url + "/v2/", ssl_context=self.ssl_context(), timeout=2)
                if st in (200, 401):
                    return
                last = "status %d" % st
            except (OSError, http.client.HTTPException) as e:
                last = str(e)
            time.sleep(0.05)
        raise RegistryError("docker-registry did not answer /v2/ within %ss (%s):\n%s"
                            % (timeout, last, self.logs()[-3000:]))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=10):
        """SIGTERM, then SIGKILL if it does not exit within timeout."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill(self):
        """SIGKILL (a crash: uploads in progress are left as they are)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc = None

    def restart(self, timeout=20):
        """Stop if running, start again on the same port with the same storage."""
        self.stop()
        return self.start(timeout)

    def close(self):
        self.stop()
        if self.token_server is not None:
            self.token_server.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def logs(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # -- storage (read directly, independent of any client)

    def storage_blobs(self):
        """Digests of the blobs in the storage directory."""
        root = os.path.join(self.storage, "docker", "registry", "v2", "blobs", "sha256")
        out = set()
        if os.path.isdir(root):
            for pre in os.listdir(root):
                for hx in os.listdir(os.path.join(root, pre)):
                    if os.path.exists(os.path.join(root, pre, hx, "data")):
                        out.add("sha256:" + hx)
        return out

    def storage_repos(self):
        root = os.path.join(self.storage, "docker", "registry", "v2", "repositories")
        out = []
        for dirpath, dirnames, _ in os.walk(root):
            if "_manifests" in dirnames:
                out.append(os.path.relpath(dirpath, root))
                dirnames[:] = [d for d in dirnames if not d.startswith("_")]
        return sorted(out)

    def api(self, creds="default"):
        """A RegistryAPI for this registry (its own credentials by default)."""
        return RegistryAPI(self.url, creds=self.creds if creds == "default" else creds,
                           ssl_context=self.ssl_context())

    def __repr__(self):
        return "<Registry %s %s>" % (self.kind, self.url if self.port else "(not started)")


# --------------------------------------------------------------------------
# A raw HTTP client of the distribution API


def http_request(method, url, headers=None, body=None, ssl_context=None, timeout=30):
    """One request with http.client: (status, headers as HTTPMessage, body bytes).
    Redirects are not followed."""
    u = urllib.parse.urlsplit(url)
    if u.scheme == "https":
        c = http.client.HTTPSConnection(u.hostname, u.port or 443, timeout=timeout,
                                        context=ssl_context or ssl.create_default_context())
    else:
        c = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=timeout)
    try:
        path = u.path or "/"
        if u.query:
            path += "?" + u.query
        c.request(method, path, body=body, headers=dict(headers or {}))
        r = c.getresponse()
        data = r.read() if method != "HEAD" else b""
        return r.status, r.headers, data
    finally:
        c.close()


def parse_challenge(h):
    """'Bearer realm="x",service="y",scope="z"' -> ("bearer", {realm, service, scope})."""
    scheme, _, rest = (h or "").strip().partition(" ")
    params = dict((k.lower(), v) for k, v in re.findall(r'(\w+)="([^"]*)"', rest))
    return scheme.lower(), params


class APIError(RuntimeError):
    def __init__(self, status, msg):
        RuntimeError.__init__(self, "%s: HTTP %d" % (msg, status))
        self.status = status


class RegistryAPI:
    """Independent client of the distribution API (no skopeo, no scute):
    GET/HEAD/PUT manifests, blobs (monolithic upload), tags, with Basic or
    bearer auth following the registry's WWW-Authenticate challenge.
    base: "http(s)://HOST:PORT" (a Registry's or a FaultProxy's url)."""

    def __init__(self, base, creds=None, ssl_context=None, timeout=30):
        self.base = base.rstrip("/")
        self.creds = creds
        self.ssl_context = ssl_context
        self.timeout = timeout
        self._tokens = {}
        self._basic_ok = False      # Basic worked once: send it up front

    def _basic(self):
        return "Basic " + base64.b64encode(self.creds.encode()).decode()

    def request(self, method, path, headers=None, body=None, scope=None):
        """A request with auth; returns (status, headers, body)."""
        hdrs = dict(headers or {})
        tok = self._tokens.get(scope)
        if tok:
            hdrs["Authorization"] = "Bearer " + tok
        elif self._basic_ok:
            hdrs["Authorization"] = self._basic()
        st, h, data = http_request(method, self.base + path, hdrs, body, self.ssl_context, self.timeout)
        if st != 401:
            return st, h, data
        scheme, params = parse_challenge(h.get("WWW-Authenticate"))
        if scheme == "basic" and self.creds:
            if self._basic_ok:
                return st, h, data          # the credentials were refused
            hdrs["Authorization"] = self._basic()
            r = http_request(method, self.base + path, hdrs, body, self.ssl_context, self.timeout)
            self._basic_ok = r[0] != 401
            return r
        elif scheme == "bearer":
            q = {"service": params.get("service", "")}
            if params.get("scope") or scope:
                q["scope"] = params.get("scope") or scope
            th = {"Authorization": self._basic()} if self.creds else {}
            tst, _, tbody = http_request("GET", params["realm"] + "?" + urllib.parse.urlencode(q), th,
                                         None, None, self.timeout)
            if tst != 200:
                return st, h, data
            tj = json.loads(tbody)
            tok = tj.get("token") or tj.get("access_token")
            self._tokens[scope] = tok
            hdrs["Authorization"] = "Bearer " + tok
        else:
            return st, h, data
        return http_request(method, self.base + path, hdrs, body, self.ssl_context, self.timeout)

    @staticmethod
    def _scope(repo, push=False):
        return "repository:%s:%s" % (repo, "pull,push" if push else "pull")

    def ping(self):
        return self.request("GET", "/v2/")[0]

    def manifest(self, repo, ref, accept=MANIFEST_ACCEPT):
        """(body, media_type, digest) or raises APIError."""
        st, h, data = self.request("GET", "/v2/%s/manifests/%s" % (repo, ref), {"Accept": accept},
                                   scope=self._scope(repo))
        if st != 200:
            raise APIError(st, "manifest %s:%s" % (repo, ref))
        return data, h.get("Content-Type"), sha256_digest(data)

    def manifest_digest(self, repo, ref):
        return self.manifest(repo, ref)[2]

    def manifest_exists(self, repo, ref):
        st, _, _ = self.request("HEAD", "/v2/%s/manifests/%s" % (repo, ref), {"Accept": MANIFEST_ACCEPT},
                                scope=self._scope(repo))
        return st == 200

    def tags(self, repo):
        st, _, data = self.request("GET", "/v2/%s/tags/list" % repo, scope=self._scope(repo))
        if st == 404:
            return []
        if st != 200:
            raise APIError(st, "tags of %s" % repo)
        return sorted(json.loads(data).get("tags") or [])

    def blob_exists(self, repo, digest):
        st, _, _ = self.request("HEAD", "/v2/%s/blobs/%s" % (repo, digest), scope=self._scope(repo))
        return st == 200

    def blob(self, repo, digest, headers=None):
        """(status, headers, body) of a blob GET."""
        return self.request("GET", "/v2/%s/blobs/%s" % (repo, digest), headers, scope=self._scope(repo))

    def push_blob(self, repo, data):
        """Monolithic upload (POST then PUT ?digest=); returns the descriptor-ish dict."""
        d = sha256_digest(data)
        sc = self._scope(repo, True)
        st, h, _ = self.request("POST", "/v2/%s/blobs/uploads/" % repo, {"Content-Length": "0"}, b"", scope=sc)
        if st != 202:
            raise APIError(st, "start upload to %s" % repo)
        loc = h["Location"]
        u = urllib.parse.urlsplit(loc)
        path = u.path + "?" + (u.query + "&" if u.query else "") + "digest=" + urllib.parse.quote(d)
        st, _, _ = self.request("PUT", path, {"Content-Type": "application/octet-stream",
                                              "Content-Length": str(len(data))}, data, scope=sc)
        if st != 201:
            raise APIError(st, "upload of %s to %s" % (d, repo))
        return {"digest": d, "size": len(data)}

    def put_manifest(self, repo, ref, body, media_type=MT_OCI_MANIFEST):
        if not isinstance(body, bytes):
            body = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
        st, h, data = self.request("PUT", "/v2/%s/manifests/%s" % (repo, ref),
                                   {"Content-Type": media_type, "Content-Length": str(len(body))}, body,
                                   scope=self._scope(repo, True))
        if st != 201:
            raise APIError(st, "put manifest %s:%s (%s)" % (repo, ref, data[:300]))
        return sha256_digest(body)

    def delete_manifest(self, repo, digest):
        st, _, _ = self.request("DELETE", "/v2/%s/manifests/%s" % (repo, digest), scope="repository:%s:*" % repo)
        return st

    def pull_all(self, repo, ref):
        """Every blob and manifest reachable from repo:ref (verified):
        {digest: bytes}; the root's digest under key None."""
        out = {}

        def walk(r):
            body, mt, d = self.manifest(repo, r)
            out[d] = body
            m = json.loads(body)
            for c in m.get("manifests", []):
                walk(c["digest"])
            for b in ([m["config"]] if "config" in m else []) + m.get("layers", []):
                st, _, data = self.blob(repo, b["digest"])
                if st != 200:
                    raise APIError(st, "blob %s" % b["digest"])
                if sha256_digest(data) != b["digest"]:
                    raise APIError(st, "blob %s has wrong content" % b["digest"])
                out[b["digest"]] = data
            return d
        out[None] = walk(ref)
        return out


def cosign_signature_for(api, repo, digest, payload=None):
    """Push a fake cosign signature for repo@digest (an OCI manifest whose
    layer is application/vnd.dev.cosign.simplesigning.v1+json, as `cosign
    sign` writes) tagged "sha256-<hex>.sig"; returns (tag, manifest digest)."""
    if payload is None:
        payload = json.dumps({"critical": {"identity": {"docker-reference": repo},
                                           "image": {"docker-manifest-digest": digest},
                                           "type": "cosign container image signature"},
                              "optional": None}, separators=(",", ":")).encode()
    layer = api.push_blob(repo, payload)
    cfg = json.dumps({"architecture": "", "os": "", "config": {}, "rootfs": {"type": "layers",
                      "diff_ids": [layer["digest"]]}}, separators=(",", ":")).encode()
    cdesc = api.push_blob(repo, cfg)
    man = {"schemaVersion": 2, "mediaType": MT_OCI_MANIFEST,
           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cdesc["digest"],
                      "size": cdesc["size"]},
           "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json",
                       "digest": layer["digest"], "size": layer["size"],
                       "annotations": {"dev.cosignproject.cosign/signature":
                                       base64.b64encode(b"not-a-real-signature").decode()}}]}
    tag = "sha256-%s.sig" % digest.split(":", 1)[1]
    return tag, api.put_manifest(repo, tag, man)


# --------------------------------------------------------------------------
# Fault-injecting proxy


HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
              "trailers", "transfer-encoding", "upgrade", "expect", "host", "content-length"}


class _Fault:
    def __init__(self, kind, method=None, path_re=None, times=1, **kw):
        self.kind = kind
        self.method = method
        self.path_re = re.compile(path_re) if path_re else None
        self.times = times            # None = forever
        self.__dict__.update(kw)

    def matches(self, method, path):
        if self.times is not None and self.times <= 0:
            return False
        if self.method and method not in self.method.split("|"):
            return False
        if self.path_re and not self.path_re.search(path):      # path with its query
            return False
        return True

    def use(self):
        if self.times is not None:
            self.times -= 1


class FaultProxy(_Background):
    """A loopback HTTP/1.1 proxy (plain http on the client side) in front of
    upstream (a Registry, or a base URL plus optional ssl_context).

    Bodies are streamed both ways; headers are forwarded (Authorization and
    WWW-Authenticate untouched), hop-by-hop ones dropped, and Location
    headers pointing at the upstream rewritten to the proxy.

    Faults (each matches by method "GET|HEAD|..." and a regex searched in
    the URL path with its query; the first matching fault wins):
      fail_next(n, status=429, retry_after=None, ...) answer n requests with
          status (a distribution error body) without forwarding them
      corrupt_blob(digest)   blob GETs of digest: one byte in the middle of
          the blob altered, length unchanged (until clear_faults)
      cut_after(nbytes, ...) the next matching response: headers and nbytes
          of body, then the connection is closed (FIN: the client receives
          exactly nbytes, then end of stream short of Content-Length)
      on_body(action, nbytes, ..., when=None) call action() once nbytes of a
          matching request body were forwarded (e.g. reg.kill mid-upload)
      after(action, count=1, ...) call action() after the count-th matching
          response was sent
    Upstream connection failures become 502.

    .log: a list of dicts: method, path (with query), status, bytes_in
    (request body bytes), bytes_out (response body bytes sent), range (the
    Range request header), fault (the injected fault kind or None),
    auth (the Authorization scheme), time.
    """

    def __init__(self, upstream, ssl_context=None, port=0):
        if isinstance(upstream, Registry):
            ssl_context = ssl_context or upstream.ssl_context()
            self._upstream_fn = lambda: upstream.url
        else:
            base = str(upstream).rstrip("/")
            self._upstream_fn = lambda: base
        self.ssl_context = ssl_context
        self.upstream = upstream
        self.log = []
        self.faults = []
        self._lock = threading.Lock()
        self._serve(_ProxyHandler, port)

    @property
    def upstream_url(self):
        return self._upstream_fn()

    # -- faults

    def _add(self, f):
        with self._lock:
            self.faults.append(f)
        return f

    def fail_next(self, n=1, status=429, retry_after=None, path_re=None, method=None):
        return self._add(_Fault("status", method, path_re, n, status=status, retry_after=retry_after))

    def corrupt_blob(self, digest):
        return self._add(_Fault("corrupt", "GET", r"/blobs/" + re.escape(digest) + "$", None, digest=digest))

    def cut_after(self, nbytes, path_re=BLOB_RE, method="GET", times=1):
        return self._add(_Fault("cut", method, path_re, times, nbytes=nbytes))

    def on_body(self, action, nbytes, path_re=UPLOAD_RE, method="PUT|PATCH", when=None):
        """Call action() once, when a matching request body has passed nbytes
        and when() (if given) is true at that moment, e.g.
        when=lambda: len(px.finished_uploads()) >= 2."""
        return self._add(_Fault("on_body", method, path_re, 1, nbytes=nbytes, action=action, when=when))

    def after(self, action, count=1, path_re=None, method=None, status=None):
        return self._add(_Fault("after", method, path_re, 1, count=count, action=action, status=status))

    def clear_faults(self):
        with self._lock:
            del self.faults[:]

    def _take(self, kinds, method, path):
        with self._lock:
            for f in self.faults:
                if f.kind in kinds and f.matches(method, path):
                    if f.kind not in ("corrupt", "after", "on_body"):   # those count when they fire
                        f.use()
                    return f
        return None

    # -- log

    def clear_log(self):
        with self._lock:
            del self.log[:]

    def requests(self, method=None, path_re=None, status=None):
        """Log entries filtered by method ("GET|PUT"), path regex (searched in
        the path with its query) and status."""
        rx = re.compile(path_re) if path_re else None
        with self._lock:
            entries = list(self.log)
        return [e for e in entries
                if (method is None or e["method"] in method.split("|"))
                and (rx is None or rx.search(e["path"]))
                and (status is None or e["status"] == status)]

    def blob_uploads(self):
        """Requests that carried blob bytes (PATCH / PUT to an upload URL with a body)."""
        return [e for e in self.requests("PUT|PATCH", UPLOAD_RE) if e["bytes_in"] > 0]

    def finished_uploads(self):
        """Digests of the blob uploads that completed (PUT ...?digest= answered 201)."""
        out = []
        for e in self.requests("PUT", r"[?&]digest=", status=201):
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(e["path"]).query)
            out.append(q["digest"][0])
        return out

    def mounts(self):
        """(digest, from, status) of the cross-repository mount POSTs."""
        out = []
        for e in self.requests("POST", r"[?&]mount="):
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(e["path"]).query)
            out.append((q["mount"][0], (q.get("from") or [None])[0], e["status"]))
        return out

    def blob_gets(self):
        return self.requests("GET", BLOB_RE)

    def dump_log(self):
        return "\n".join("%-6s %-3s in=%-8d out=%-8d %s%s%s" % (
            e["method"], e["status"], e["bytes_in"], e["bytes_out"], e["path"],
            " range=" + e["range"] if e["range"] else "", " FAULT=" + e["fault"] if e["fault"] else "")
            for e in self.requests())


class _CutConnection(Exception):
    pass


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120

    def log_message(self, *a):
        pass

    def do_GET(self):
        self._proxy()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    # -- request body (streamed)

    def _body_chunks(self):
        """Yield the client's request body in chunks (Content-Length or chunked)."""
        te = self.headers.get("Transfer-Encoding", "").lower()
        if "chunked" in te:
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise ConnectionError("client closed mid-body")
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while True:      # trailers
                        t = self.rfile.readline(65537)
                        if t in (b"\r\n", b"\n", b""):
                            return
                data = self.rfile.read(size)
                self.rfile.readline()
                yield data
        else:
            n = int(self.headers.get("Content-Length") or 0)
            while n > 0:
                data = self.rfile.read(min(n, 1 << 16))
                if not data:
                    raise ConnectionError("client closed mid-body")
                n -= len(data)
                yield data

    def _has_body(self):
        return ("chunked" in self.headers.get("Transfer-Encoding", "").lower()
                or int(self.headers.get("Content-Length") or 0) > 0)

    def _send_simple(self, status, obj, extra=None, entry=None):
        body = json.dumps(obj).encode()
        if entry is not None:       # counted before the client can see it
            entry["status"] = status
            entry["bytes_out"] = len(body) if self.command != "HEAD" else 0
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, str(v))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return len(body) if self.command != "HEAD" else 0

    def _proxy(self):
        px = self.server.owner
        method, path = self.command, self.path
        entry = {"method": method, "path": path, "status": None, "bytes_in": 0, "bytes_out": 0,
                 "range": self.headers.get("Range"), "fault": None, "time": time.time(),
                 "auth": (self.headers.get("Authorization") or " ").split(" ", 1)[0] or None}
        # Logged at arrival and completed in place; every field is final
        # before the last byte of the response leaves.
        with px._lock:
            px.log.append(entry)
        try:
            self._proxy1(px, method, path, entry)
        except _CutConnection:
            # FIN, not RST: an RST makes the client's kernel drop bytes it
            # has not read yet, so the client would not get exactly nbytes.
            self.close_connection = True
            try:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        except (ConnectionError, BrokenPipeError, socket.timeout, ssl.SSLError) as e:
            self.close_connection = True
            entry.setdefault("error", str(e))
        finally:
            after = None
            with px._lock:
                for f in px.faults:
                    if (f.kind == "after" and f.matches(method, path)
                            and (f.status is None or f.status == entry["status"])):
                        f.count -= 1
                        if f.count <= 0:
                            f.use()
                            after = f
                        break
            if after is not None:
                after.action()

    def _proxy1(self, px, method, path, entry):
        f = px._take(("status",), method, path)
        if f is not None:
            for chunk in self._body_chunks():
                entry["bytes_in"] += len(chunk)
            entry["fault"] = "status"
            entry["status"] = f.status
            extra = {}
            if f.retry_after is not None:
                extra["Retry-After"] = f.retry_after
            code = {429: "TOOMANYREQUESTS"}.get(f.status, "UNAVAILABLE")
            self._send_simple(
                f.status, {"errors": [{"code": code, "message": "injected by the test proxy", "detail": None}]},
                extra, entry)
            return

        up = urllib.parse.urlsplit(px.upstream_url)
        if up.scheme == "https":
            conn = http.client.HTTPSConnection(up.hostname, up.port, timeout=120,
                                               context=px.ssl_context or ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(up.hostname, up.port, timeout=120)
        try:
            # a list: repeated headers (Go clients send one Accept per type) stay
            headers = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP]
            body = None
            chunked = False
            if self._has_body():
                fb = px._take(("on_body",), method, path)
                if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                    headers.append(("Transfer-Encoding", "chunked"))
                    chunked = True
                else:
                    headers.append(("Content-Length", self.headers.get("Content-Length")))

                def gen():
                    fired = False
                    for chunk in self._body_chunks():
                        entry["bytes_in"] += len(chunk)
                        yield chunk
                        if fb is not None and not fired and entry["bytes_in"] >= fb.nbytes:
                            fired = True
                            ok = fb.when is None or fb.when()
                            with px._lock:
                                go = ok and (fb.times is None or fb.times > 0)
                                if go:
                                    fb.use()
                            if go:
                                entry["fault"] = "on_body"
                                fb.action()
                body = gen()
            elif self.headers.get("Content-Length") is not None:
                headers.append(("Content-Length", "0"))
            try:
                conn.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
                for k, v in headers:
                    conn.putheader(k, v)
                conn.endheaders()
                if body is not None:
                    for chunk in body:
                        if chunked:
                            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        else:
                            conn.send(chunk)
                    if chunked:
                        conn.send(b"0\r\n\r\n")
                resp = conn.getresponse()
            except (OSError, http.client.HTTPException) as e:
                if body is not None:          # drain what the client still sends
                    for _ in body:
                        pass
                entry["status"] = 502
                entry["fault"] = entry["fault"] or "upstream-error"
                entry["error"] = str(e)
                self._send_simple(502, {"errors": [{"code": "UNAVAILABLE", "message": "upstream: %s" % e}]},
                                  {"Connection": "close"}, entry)
                self.close_connection = True
                return

            entry["status"] = resp.status
            fc = px._take(("corrupt",), method, path) if resp.status in (200, 206) else None
            cut = px._take(("cut",), method, path) if resp.status in (200, 206) and method != "HEAD" else None
            upstream_base = "%s://%s" % (up.scheme, up.netloc)
            self.send_response(resp.status, resp.reason)
            length = None
            for k, v in resp.getheaders():
                kl = k.lower()
                if kl in HOP_BY_HOP and kl != "content-length":
                    continue
                if kl == "content-length":
                    length = int(v)
                if kl == "location" and v.startswith(upstream_base):
                    v = px.url + v[len(upstream_base):]
                self.send_header(k, v)
            chunked_out = length is None and method != "HEAD" and resp.status not in (204, 304) \
                and resp.status >= 200
            if chunked_out:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if method == "HEAD":
                return

            # Position of the body within the blob (for corrupt: Range resumes).
            offset = 0
            if resp.status == 206:
                m = re.match(r"bytes (\d+)-(\d+)/(\d+|\*)", resp.getheader("Content-Range") or "")
                if m:
                    offset = int(m.group(1))
            total = None
            if fc is not None:
                m = re.match(r"bytes \d+-\d+/(\d+)", resp.getheader("Content-Range") or "")
                total = int(m.group(1)) if m else length
                entry["fault"] = "corrupt"
            pos = offset
            while True:
                data = resp.read(1 << 16)
                if not data:
                    break
                if fc is not None and total:
                    flip = total // 2
                    if pos <= flip < pos + len(data):
                        b = bytearray(data)
                        b[flip - pos] ^= 0xFF
                        data = bytes(b)
                if cut is not None and entry["bytes_out"] + len(data) >= cut.nbytes:
                    data = data[:max(0, cut.nbytes - entry["bytes_out"])]
                    entry["bytes_out"] += len(data)
                    entry["fault"] = "cut"
                    self.wfile.write(data)
                    self.wfile.flush()
                    raise _CutConnection()
                entry["bytes_out"] += len(data)
                pos += len(data)
                if chunked_out:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                else:
                    self.wfile.write(data)
            if chunked_out:
                self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        finally:
            conn.close()


# --------------------------------------------------------------------------
# skopeo, the independent peer


class SkopeoError(RuntimeError):
    pass


def skopeo(*args, check=True, timeout=300, env=None):
    """Run skopeo (with --insecure-policy); CompletedProcess with text output."""
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run([SKOPEO_BIN, "--insecure-policy"] + [str(a) for a in args], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, env=e)
    p.stdout = p.stdout.decode("utf-8", "replace")
    p.stderr = p.stderr.decode("utf-8", "replace")
    if check and p.returncode != 0:
        raise SkopeoError("skopeo %s failed (exit %d):\n%s" % (" ".join(map(str, args)), p.returncode, p.stderr))
    return p


def _endpoint(reg):
    """(host, creds, tls) of a Registry or FaultProxy (a proxy takes its
    upstream's creds; it speaks plain http)."""
    if isinstance(reg, FaultProxy):
        up = reg.upstream
        creds = up.creds if isinstance(up, Registry) else None
        return reg.host, creds, None
    return reg.host, reg.creds, reg.cert_dir


def skopeo_flags(reg, side, creds="default"):
    """skopeo's flags for a registry endpoint; side: "src", "dest" or ""
    (inspect, list-tags)."""
    host, rcreds, cert_dir = _endpoint(reg)
    pre = "--%s-" % side if side else "--"
    out = []
    if cert_dir:
        out.append(pre + "cert-dir=" + cert_dir)
    else:
        out.append(pre + "tls-verify=false")
    c = rcreds if creds == "default" else creds
    if c:
        out.append(pre + "creds=" + c)
    elif side:
        out.append(pre + "no-creds")
    return out


def docker_ref(reg, repo_ref):
    return "docker://%s/%s" % (_endpoint(reg)[0], repo_ref)


def push_with_skopeo(src, reg, repo_tag, all_images=True, preserve_digests=True, creds="default", extra=()):
    """skopeo copy src (e.g. "oci:/dir:tag") to docker://reg.host/repo_tag;
    returns the pushed manifest's digest as the registry reports it."""
    args = ["copy", "-q"] + skopeo_flags(reg, "dest", creds)
    if all_images:
        args.append("--all")
    if preserve_digests:
        args.append("--preserve-digests")
    args += list(extra) + [src, docker_ref(reg, repo_tag)]
    skopeo(*args)
    return skopeo_inspect_digest(docker_ref(reg, repo_tag), reg, creds=creds)


def pull_with_skopeo(reg, repo_ref, dest, all_images=True, creds="default", extra=()):
    """skopeo copy docker://reg/repo_ref to dest (e.g. "oci:/dir:tag")."""
    args = ["copy", "-q"] + skopeo_flags(reg, "src", creds)
    if all_images:
        args.append("--all")
    args += list(extra) + [docker_ref(reg, repo_ref), dest]
    return skopeo(*args)


def skopeo_inspect_raw(ref, reg=None, creds="default"):
    """The raw manifest bytes skopeo fetches for ref ("docker://...",
    "oci:...")."""
    args = ["inspect", "--raw"]
    if reg is not None:
        args += skopeo_flags(reg, "", creds)
    args.append(ref)
    return skopeo(*args).stdout.encode()


def skopeo_inspect_digest(ref, reg=None, creds="default"):
    """sha256 of the manifest (or index) at ref, as skopeo fetches it."""
    return sha256_digest(skopeo_inspect_raw(ref, reg, creds))


def skopeo_list_tags(reg, repo, creds="default"):
    args = ["list-tags"] + skopeo_flags(reg, "", creds) + [docker_ref(reg, repo)]
    return sorted(json.loads(skopeo(*args).stdout)["Tags"])


# --------------------------------------------------------------------------
# Credentials files


def write_containers_auth(path, host, creds):
    """containers-auth.json(5): {"auths": {host: {"auth": base64(user:pass)}}}."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"auths": {host: {"auth": base64.b64encode(creds.encode()).decode()}}}, f)
    os.chmod(path, 0o600)
    return path


def write_docker_config(home, host, creds):
    """$HOME/.docker/config.json with an "auths" entry for host."""
    return write_containers_auth(os.path.join(str(home), ".docker", "config.json"), host, creds)
