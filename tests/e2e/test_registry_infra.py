"""The registry test infrastructure (registry.py) against the real peers,
without scute: Debian's docker-registry in its four set-ups, the token
server, the fault proxy, and skopeo as the client.  If these fail, the
scute registry tests (test_mirror_registry.py) cannot be trusted."""

import json
import os
import socket
import ssl
import subprocess
import time

import pytest

import images
import registry as R
from conftest import require_registry_tools


@pytest.fixture(scope="module")
def small(registry_stack):
    """An OCI layout with tag v1: three gzip layers (one of 2 MB) and a config."""
    lay = images.Layout(os.path.join(registry_stack.tmpdir("img-"), "oci"))
    layers = [images.tar_bytes([images.D("etc"), images.F("etc/hello", b"hello\n")]),
              images.tar_bytes([images.D("data"), images.F("data/big", images.det_bytes(2 << 20, b"infra"))]),
              images.tar_bytes([images.F("etc/motd", b"scute infra test\n")])]
    r = images.write_image(lay, layers, ref="v1")
    r["ref"] = "oci:%s:v1" % lay.path
    r["big"] = r["layers"][1]
    return r


@pytest.fixture(scope="module")
def regs(registry_stack):
    return {k: registry_stack.registry(k) for k in R.KINDS}


def blob_digests(img):
    return [img["config"]["digest"]] + [l["digest"] for l in img["layers"]]


@pytest.mark.parametrize("kind", R.KINDS)
def test_skopeo_push_and_inspect(regs, small, kind):
    reg = regs[kind]
    d = R.push_with_skopeo(small["ref"], reg, "infra/app:v1")
    assert d == small["manifest"]["digest"]
    # Independently of skopeo: the HTTP API and the storage directory.
    api = reg.api()
    body, mt, dd = api.manifest("infra/app", "v1")
    assert dd == d and mt == R.MT_OCI_MANIFEST
    assert api.tags("infra/app") == ["v1"]
    for b in blob_digests(small):
        assert api.blob_exists("infra/app", b), b
    assert set(blob_digests(small)) <= reg.storage_blobs()
    assert "infra/app" in reg.storage_repos()
    assert R.skopeo_list_tags(reg, "infra/app") == ["v1"]


@pytest.mark.parametrize("kind", R.KINDS)
def test_skopeo_pull_back(regs, small, kind, registry_stack):
    reg = regs[kind]
    R.push_with_skopeo(small["ref"], reg, "infra/pull:v1")
    out = os.path.join(registry_stack.tmpdir("pull-"), "oci")
    R.pull_with_skopeo(reg, "infra/pull:v1", "oci:%s:got" % out)
    assert images.Layout(out, create=False).resolve("got")["digest"] == small["manifest"]["digest"]


def test_debian_and_index_on_plain(regs, registry_stack):
    """The real debootstrap image and a two-platform index keep their digests."""
    reg = regs["plain"]
    deb = os.path.join(images.debian(), "oci")
    src = images.Layout(deb, create=False).resolve("base")["digest"]
    assert R.push_with_skopeo("oci:%s:base" % deb, reg, "library/debian:base") == src
    idx = os.path.join(images.index(), "oci")
    isrc = images.Layout(idx, create=False).resolve("multi")
    assert R.push_with_skopeo("oci:%s:multi" % idx, reg, "infra/multi:v1") == isrc["digest"]
    api = reg.api()
    got = api.pull_all("infra/multi", "v1")
    assert got[None] == isrc["digest"]
    assert len(json.loads(got[isrc["digest"]])["manifests"]) == 2


def test_htpasswd_refuses_wrong_password(regs, small):
    reg = regs["htpasswd"]
    R.push_with_skopeo(small["ref"], reg, "infra/auth:v1")
    p = R.skopeo("inspect", "--raw", "--tls-verify=false", "--creds", "scute:wrong",
                 R.docker_ref(reg, "infra/auth:v1"), check=False)
    assert p.returncode != 0
    assert "unauthorized" in p.stderr.lower() or "authentication required" in p.stderr.lower(), p.stderr
    p = R.skopeo("inspect", "--raw", "--tls-verify=false", "--no-creds",
                 R.docker_ref(reg, "infra/auth:v1"), check=False)
    assert p.returncode != 0
    assert reg.api(creds="scute:wrong").request("GET", "/v2/")[0] == 401
    assert reg.api(creds=None).request("GET", "/v2/")[0] == 401
    st, h, _ = R.http_request("GET", reg.url + "/v2/")
    assert st == 401 and R.parse_challenge(h["WWW-Authenticate"])[0] == "basic"
    assert reg.api().ping() == 200


def test_tls_needs_the_ca(regs, small):
    reg = regs["tls"]
    R.push_with_skopeo(small["ref"], reg, "infra/tls:v1")
    ref = R.docker_ref(reg, "infra/tls:v1")
    # No CA: refused by certificate verification (skopeo and Python alike).
    p = R.skopeo("inspect", "--raw", ref, check=False)
    assert p.returncode != 0 and "certificate" in p.stderr.lower(), p.stderr
    with pytest.raises(ssl.SSLCertVerificationError):
        R.http_request("GET", reg.url + "/v2/")
    # Verification off, or the CA given: accepted.
    assert R.sha256_digest(R.skopeo("inspect", "--raw", "--tls-verify=false", ref).stdout.encode()) \
        == small["manifest"]["digest"]
    assert R.http_request("GET", reg.url + "/v2/", ssl_context=reg.ssl_context())[0] == 200
    # The certificate names both loopback forms.
    p = subprocess.run(["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", reg.server_cert],
                       capture_output=True, text=True, check=True)
    assert "IP Address:127.0.0.1" in p.stdout and "DNS:localhost" in p.stdout
    # Plain http to the TLS port does not work.
    st, _, _ = R.http_request("GET", "http://%s/v2/" % reg.host)
    assert st == 400


def test_token_server_tokens_accepted(regs, small):
    reg = regs["token"]
    ts = reg.token_server
    ts.clear()
    R.push_with_skopeo(small["ref"], reg, "infra/tok:v1")
    reqs = ts.token_requests()
    assert reqs and all(r["status"] == 200 and r["user"] == R.USER for r in reqs), reqs
    assert any("repository:infra/tok:pull,push" in r["scopes"] for r in reqs), reqs
    assert all(r["service"] == R.TOKEN_SERVICE for r in reqs)
    # The registry verified every token (a rejected token is logged as a warning).
    log = reg.logs().lower()
    for bad in ("invalid token", "token signed by untrusted key", "unable to verify", "token has expired"):
        assert bad not in log, reg.logs()[-3000:]
    # What the tokens look like.
    api = reg.api()
    assert api.manifest_digest("infra/tok", "v1") == small["manifest"]["digest"]
    tok = list(api._tokens.values())[0]
    hdr, claims = R.decode_jwt_unverified(tok)
    assert hdr["alg"] == "ES256" and len(hdr["x5c"]) == 1
    assert claims["aud"] == R.TOKEN_SERVICE and claims["iss"] == R.TOKEN_ISSUER
    assert claims["access"] == [{"type": "repository", "name": "infra/tok", "actions": ["pull"]}]
    assert claims["nbf"] <= time.time() < claims["exp"]


def test_token_wrong_password_and_anonymous(regs, small):
    reg = regs["token"]
    R.push_with_skopeo(small["ref"], reg, "infra/tok2:v1")
    ts = reg.token_server
    ts.clear()
    p = R.skopeo("inspect", "--raw", "--tls-verify=false", "--creds", "scute:wrong",
                 R.docker_ref(reg, "infra/tok2:v1"), check=False)
    assert p.returncode != 0
    assert [r["status"] for r in ts.token_requests()] and all(r["status"] == 401 for r in ts.token_requests())
    # Anonymous (the registry's default here: a token with no access) cannot pull.
    p = R.skopeo("inspect", "--raw", "--tls-verify=false", "--no-creds",
                 R.docker_ref(reg, "infra/tok2:v1"), check=False)
    assert p.returncode != 0
    with pytest.raises(R.APIError) as e:
        reg.api(creds=None).manifest("infra/tok2", "v1")
    assert e.value.status == 401


def test_token_from_another_key_is_refused(regs, small):
    """The registry really verifies the signature chain: a well-formed token
    from a signer outside its rootcertbundle is rejected."""
    reg = regs["token"]
    R.push_with_skopeo(small["ref"], reg, "infra/tok3:v1")
    rogue = R.TokenServer(users={})
    try:
        tok = rogue.issue(R.USER, [{"type": "repository", "name": "infra/tok3", "actions": ["pull"]}])
    finally:
        rogue.close()
    st, h, _ = R.http_request("GET", reg.url + "/v2/infra/tok3/manifests/v1",
                              {"Authorization": "Bearer " + tok, "Accept": R.MANIFEST_ACCEPT})
    assert st == 401
    assert "invalid_token" in h.get("WWW-Authenticate", "")
    # an expired token from the right signer is refused too
    reg.token_server.expired_next = 1
    old = reg.token_server.issue(R.USER, [{"type": "repository", "name": "infra/tok3", "actions": ["pull"]}])
    st, h, _ = R.http_request("GET", reg.url + "/v2/infra/tok3/manifests/v1",
                              {"Authorization": "Bearer " + old, "Accept": R.MANIFEST_ACCEPT})
    assert st == 401 and "invalid_token" in h.get("WWW-Authenticate", "")
    good = reg.token_server.issue(R.USER, [{"type": "repository", "name": "infra/tok3", "actions": ["pull"]}])
    st, _, _ = R.http_request("GET", reg.url + "/v2/infra/tok3/manifests/v1",
                              {"Authorization": "Bearer " + good, "Accept": R.MANIFEST_ACCEPT})
    assert st == 200


def test_token_server_policies():
    ts = R.TokenServer(users={"u": "p"}, anonymous="pull", expires_in=5)
    try:
        st, _, body = R.http_request("GET", ts.realm + "?service=s&scope=repository:a/b:pull,push")
        assert st == 200
        claims = R.decode_jwt_unverified(json.loads(body)["token"])[1]
        assert claims["access"] == [{"type": "repository", "name": "a/b", "actions": ["pull"]}]
        assert claims["exp"] - claims["iat"] == 5
        import base64
        auth = {"Authorization": "Basic " + base64.b64encode(b"u:p").decode()}
        st, _, body = R.http_request("GET", ts.realm + "?service=s&scope=repository:a/b:pull,push"
                                     "&scope=repository:c:pull", auth)
        j = json.loads(body)
        assert st == 200 and j["token"] == j["access_token"] and j["expires_in"] == 5 and j["issued_at"]
        claims = R.decode_jwt_unverified(j["token"])[1]
        assert claims["sub"] == "u" and claims["access"] == [
            {"type": "repository", "name": "a/b", "actions": ["pull", "push"]},
            {"type": "repository", "name": "c", "actions": ["pull"]}]
        # OAuth2 password grant.
        st, _, body = R.http_request("POST", ts.realm, {"Content-Type": "application/x-www-form-urlencoded"},
                                     b"grant_type=password&username=u&password=p&service=s"
                                     b"&scope=repository%3Aa%2Fb%3Apush")
        assert st == 200 and R.decode_jwt_unverified(json.loads(body)["access_token"])[1]["sub"] == "u"
        ts.anonymous = "deny"
        assert R.http_request("GET", ts.realm + "?service=s")[0] == 401
        assert len(ts.token_requests()) == 4
    finally:
        ts.close()


# --------------------------------------------------------------------------
# The fault proxy, seen by raw clients


@pytest.fixture(scope="module")
def proxied(regs, small, registry_stack):
    reg = regs["plain"]
    R.push_with_skopeo(small["ref"], reg, "infra/px:v1")
    return registry_stack.proxy(reg)


def test_proxy_transparent_for_skopeo(regs, small, registry_stack):
    """skopeo pushes and pulls through the proxy (auth challenges and
    upload Locations pass); the log records what moved."""
    for kind in ("token", "tls"):
        px = registry_stack.proxy(regs[kind])
        assert R.push_with_skopeo(small["ref"], px, "infra/viaproxy:v1") == small["manifest"]["digest"]
        ups = px.blob_uploads()
        assert sum(e["bytes_in"] for e in ups) == sum(l["size"] for l in small["layers"]) + small["config"]["size"]
        posts = px.requests("POST", R.UPLOAD_RE, status=202)
        assert posts
        px.clear_log()
        # Second push: every blob is already there; nothing is uploaded.
        R.push_with_skopeo(small["ref"], px, "infra/viaproxy:v2")
        assert px.blob_uploads() == []
        px.close()


def test_proxy_rewrites_location(proxied):
    api = R.RegistryAPI(proxied.url)
    st, h, _ = api.request("POST", "/v2/infra/px/blobs/uploads/", {"Content-Length": "0"}, b"")
    assert st == 202
    assert h["Location"].startswith(proxied.url + "/v2/infra/px/blobs/uploads/"), h["Location"]
    assert api.push_blob("infra/px", b"through the proxy")["digest"] == R.sha256_digest(b"through the proxy")


def test_proxy_429(proxied, small):
    api = R.RegistryAPI(proxied.url)
    big = small["big"]["digest"]
    proxied.clear_log()
    proxied.fail_next(2, 429, retry_after=3, path_re=R.BLOB_RE)
    st, h, body = api.blob("infra/px", big)
    assert st == 429 and h["Retry-After"] == "3"
    assert json.loads(body)["errors"][0]["code"] == "TOOMANYREQUESTS"
    assert api.request("HEAD", "/v2/infra/px/blobs/" + big)[0] == 429
    st, _, body = api.blob("infra/px", big)
    assert st == 200 and R.sha256_digest(body) == big
    # Manifests were not affected by the blob-only fault.
    assert [e["status"] for e in proxied.requests(path_re=R.BLOB_RE[:-1])] == [429, 429, 200]
    assert [e["fault"] for e in proxied.requests()] == ["status", "status", None]


def test_proxy_corrupt_blob(proxied, small):
    api = R.RegistryAPI(proxied.url)
    big = small["big"]
    proxied.corrupt_blob(big["digest"])
    try:
        st, h, body = api.blob("infra/px", big["digest"])
        assert st == 200 and len(body) == big["size"] == int(h["Content-Length"])
        assert R.sha256_digest(body) != big["digest"]
        # A resumed read is corrupted at the same place.
        st, h, tail = api.blob("infra/px", big["digest"], {"Range": "bytes=1000-"})
        assert st == 206 and tail == body[1000:]
        # Other blobs pass untouched; HEAD is untouched.
        cfg = small["config"]["digest"]
        assert R.sha256_digest(api.blob("infra/px", cfg)[2]) == cfg
        assert api.blob_exists("infra/px", big["digest"])
    finally:
        proxied.clear_faults()
    assert R.sha256_digest(api.blob("infra/px", big["digest"])[2]) == big["digest"]


def test_proxy_cut_mid_body_then_range(proxied, small):
    import http.client
    api = R.RegistryAPI(proxied.url)
    big = small["big"]
    proxied.clear_log()
    proxied.cut_after(300000)
    with pytest.raises((http.client.IncompleteRead, ConnectionError)):
        api.blob("infra/px", big["digest"])
    st, h, tail = api.blob("infra/px", big["digest"], {"Range": "bytes=300000-"})
    assert st == 206 and len(tail) == big["size"] - 300000
    e = proxied.requests("GET")
    assert e[0]["fault"] == "cut" and e[0]["bytes_out"] == 300000
    assert e[1]["range"] == "bytes=300000-" and e[1]["status"] == 206


def test_proxy_upstream_down_is_502(regs, small, registry_stack):
    reg = registry_stack.registry("plain")
    px = registry_stack.proxy(reg)
    reg.kill()
    st, _, _ = R.http_request("GET", px.url + "/v2/")
    assert st == 502
    assert px.requests()[-1]["fault"] == "upstream-error"
    reg.start()
    assert R.http_request("GET", px.url + "/v2/")[0] == 200


# --------------------------------------------------------------------------
# Kill and restart


def test_kill_restart_keeps_storage(regs, small, registry_stack):
    reg = registry_stack.registry("htpasswd")
    R.push_with_skopeo(small["ref"], reg, "infra/keep:v1")
    port, pid = reg.port, reg.proc.pid
    reg.kill()
    assert not reg.running()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    reg.restart()
    assert reg.port == port and reg.running()
    assert reg.api().manifest_digest("infra/keep", "v1") == small["manifest"]["digest"]
    assert R.skopeo_inspect_digest(R.docker_ref(reg, "infra/keep:v1"), reg) == small["manifest"]["digest"]
    reg.stop()
    assert not reg.running()


def test_kill_mid_push_then_rerun_skips_finished_blobs(small, registry_stack):
    """The scenario of the scute fault test, with skopeo: the registry dies
    while the 2 MB layer is being uploaded; after a restart the rerun
    uploads only what was not finished."""
    reg = registry_stack.registry("plain")
    px = registry_stack.proxy(reg)
    px.on_body(reg.kill, 256 * 1024, method="PUT|PATCH")
    p = R.skopeo("copy", "-q", "--dest-tls-verify=false", "--retry-times", "0", small["ref"],
                 R.docker_ref(px, "infra/crash:v1"), check=False)
    assert p.returncode != 0
    assert not reg.running()
    done = {e["path"].split("digest=sha256%3A")[1][:64] for e in px.requests("PUT", "digest=", status=201)}
    assert small["big"]["digest"][7:] not in done
    reg.restart()
    px.clear_log()
    R.push_with_skopeo(small["ref"], px, "infra/crash:v1")
    resent = {e["path"].split("digest=sha256%3A")[1][:64] for e in px.requests("PUT", "digest=", status=201)}
    assert resent and not (resent & done), px.dump_log()
    assert small["big"]["digest"][7:] in resent


def test_tools_reported_missing(monkeypatch):
    """The skip path: a missing docker-registry is reported by name."""
    monkeypatch.setattr(R, "REGISTRY_BIN", "/nonexistent/docker-registry")
    assert any("docker-registry" in m for m in R.missing_tools())
    with pytest.raises(pytest.skip.Exception) as e:
        require_registry_tools()
    assert "docker-registry" in str(e.value)
