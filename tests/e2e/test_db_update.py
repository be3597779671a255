"""scute db update against a real HTTP server on 127.0.0.1 serving the OSV
bulk-export layout (BASE/<Ecosystem>/all.zip), including the failure modes
that must leave the previous database usable: a truncated zip, a download
that stops halfway, a missing archive."""
import http.server
import io
import json
import os
import threading
import zipfile

import pytest

from conftest import assert_error, describe, scute, scute_ok


def osv(i, fixed="2.0.0", name="demo-pkg"):
    return {"schema_version": "1.6.0", "id": "TEST-%04d" % i, "modified": "2024-05-01T00:00:00Z",
            "summary": "test advisory %d" % i, "aliases": ["CVE-2099-%04d" % i],
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
            "affected": [{"package": {"ecosystem": "PyPI", "name": name},
                          "ranges": [{"type": "ECOSYSTEM",
                                      "events": [{"introduced": "0"}, {"fixed": fixed}]}]}]}


def make_zip(records):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for r in records:
            z.writestr(r["id"] + ".json", json.dumps(r))
    return b.getvalue()


class Server:
    """Serves self.files {path: bytes}; self.cut[path] = n sends a full
    Content-Length but closes the connection after n bytes."""

    def __init__(self):
        self.files, self.cut, self.requests = {}, {}, []
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append(self.path)
                body = outer.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/zip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                n = outer.cut.get(self.path)
                self.wfile.write(body if n is None else body[:n])
                if n is not None:
                    self.wfile.flush()
                    self.close_connection = True

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.t = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.t.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


def status(db):
    return json.loads(scute_ok("db", "status", "--db", db, "--format", "json").stdout)


def test_update_then_failures_keep_previous(server, tmp_path):
    db = str(tmp_path / "cache" / "vulndb.sqlite")
    good = make_zip([osv(i) for i in range(1, 51)])
    server.files["/PyPI/all.zip"] = good
    p = scute("db", "update", "--db", db, "--source", server.url, "--ecosystem", "PyPI")
    assert p.returncode == 0, describe(p)
    assert "/PyPI/all.zip" in server.requests
    st = status(db)
    src = {s["name"]: s for s in st["sources"]}
    assert src["osv:PyPI"]["records"] == 50 and src["osv:PyPI"]["location"] == server.url + "/PyPI/all.zip"
    assert "sha256" in p.stdout

    # A newer archive truncated in the middle: refused, the 50 records stay.
    newer = make_zip([osv(i) for i in range(1, 81)])
    server.files["/PyPI/all.zip"] = newer[: len(newer) // 2]
    p = scute("db", "update", "--db", db, "--source", server.url, "--ecosystem", "PyPI")
    assert p.returncode == 3, describe(p)
    assert "PyPI" in p.stderr and "previous records kept" in p.stderr
    assert status(db)["sources"][0]["records"] == 50

    # The full archive, but the connection drops after half of it.
    server.files["/PyPI/all.zip"] = newer
    server.cut["/PyPI/all.zip"] = len(newer) // 2
    p = scute("db", "update", "--db", db, "--source", server.url, "--ecosystem", "PyPI")
    assert p.returncode in (3, 4), describe(p)
    assert status(db)["sources"][0]["records"] == 50
    assert not [f for f in os.listdir(os.path.dirname(db)) if f.startswith(".scute-update")], \
        "temporary downloads are removed"

    # A missing ecosystem fails alone; the others are still updated.
    del server.cut["/PyPI/all.zip"]
    p = scute("db", "update", "--db", db, "--source", server.url, "--ecosystem", "PyPI,npm")
    assert p.returncode != 0, describe(p)
    assert "npm" in p.stderr and "404" in p.stderr
    assert {s["name"]: s for s in status(db)["sources"]}["osv:PyPI"]["records"] == 80


def test_update_bad_source(tmp_path):
    p = scute("db", "update", "--db", str(tmp_path / "d.sqlite"), "--source", "ftp://example.org")
    assert_error(p, 2, "--source")
    p = scute("db", "update", "--db", str(tmp_path / "d.sqlite"), "--source", "http://127.0.0.1:9",
              "--ecosystem", "../etc")
    assert_error(p, 2, "ecosystem")
    # a bad name after a good one: refused before anything is downloaded
    p = scute("db", "update", "--db", str(tmp_path / "d.sqlite"), "--source", "http://127.0.0.1:9",
              "--ecosystem", "PyPI,bad/x")
    assert_error(p, 2, "bad/x")


def test_update_unreachable_keeps_db(server, tmp_path):
    db = str(tmp_path / "vulndb.sqlite")
    server.files["/PyPI/all.zip"] = make_zip([osv(1)])
    scute_ok("db", "update", "--db", db, "--source", server.url, "--ecosystem", "PyPI")
    p = scute("db", "update", "--db", db, "--source", "http://127.0.0.1:9", "--ecosystem", "PyPI")
    assert p.returncode == 4, describe(p)
    assert status(db)["sources"][0]["records"] == 1
