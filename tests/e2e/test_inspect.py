"""End-to-end tests of `scute inspect` on real images (see images.py).

Ground truth is `umoci unpack`: the set of paths, types, permission modes,
owners, regular-file sizes and symlink targets under the unpacked rootfs must
equal scute's --files view exactly (hard links are regular files on disk).
"""

import gzip
import io
import json
import os
import re
import tarfile

import pytest

import images
from conftest import (assert_error, describe, inspect_json, scute, scute_ok, short)

PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
FILE_TYPES = {"file", "dir", "symlink", "hardlink", "char", "block", "fifo", "socket"}


def oci(d, ref):
    return "oci:%s:%s" % (os.path.join(d, "oci"), ref)


# --------------------------------------------------------------------------
# JSON shape


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_digest(v):
    return isinstance(v, str) and re.fullmatch(r"sha256:[0-9a-f]{64}", v) is not None


def check_shape(doc, with_files):
    """Strict structural check of the --json document (contract v1)."""
    errs = []

    def want(cond, what):
        if not cond:
            errs.append(what)

    keys = {"scuteInspectVersion", "image", "transport", "digest", "mediaType", "index", "id",
            "platform", "created", "author", "config", "history", "layers", "totals", "largestFiles"}
    if with_files:
        keys.add("files")
    want(set(doc) == keys, "top-level keys: extra %s missing %s" % (sorted(set(doc) - keys), sorted(keys - set(doc))))
    want(doc.get("scuteInspectVersion") == 1, "scuteInspectVersion != 1")
    want(isinstance(doc.get("image"), str), "image not a string")
    want(doc.get("transport") in ("oci", "oci-archive", "docker-archive"), "transport %r" % doc.get("transport"))
    want(_is_digest(doc.get("digest")), "digest %r" % doc.get("digest"))
    want(isinstance(doc.get("mediaType"), str) and doc["mediaType"], "mediaType")
    idx = doc.get("index")
    want(idx is None or (isinstance(idx, dict) and set(idx) == {"digest", "mediaType"} and _is_digest(idx["digest"])),
         "index %r" % (idx,))
    want(_is_digest(doc.get("id")), "id %r" % doc.get("id"))
    pl = doc.get("platform") or {}
    want(set(pl) == {"os", "architecture", "variant"} and isinstance(pl.get("os"), str)
         and isinstance(pl.get("architecture"), str) and (pl.get("variant") is None or isinstance(pl["variant"], str)),
         "platform %r" % (pl,))
    want(doc.get("created") is None or isinstance(doc["created"], str), "created")
    want(doc.get("author") is None or isinstance(doc["author"], str), "author")
    c = doc.get("config") or {}
    ckeys = {"user", "entrypoint", "cmd", "workingDir", "exposedPorts", "volumes", "labels", "env",
             "stopSignal", "healthcheck"}
    want(set(c) == ckeys, "config keys: extra %s missing %s" % (sorted(set(c) - ckeys), sorted(ckeys - set(c))))
    want(isinstance(c.get("user"), str), "config.user")
    for k in ("entrypoint", "cmd"):
        v = c.get(k)
        want(v is None or (isinstance(v, list) and all(isinstance(x, str) for x in v)), "config.%s %r" % (k, v))
    want(isinstance(c.get("workingDir"), str), "config.workingDir")
    for k in ("exposedPorts", "volumes"):
        v = c.get(k)
        want(isinstance(v, list) and all(isinstance(x, str) for x in v), "config.%s %r" % (k, v))
    want(isinstance(c.get("labels"), dict) and all(isinstance(v, str) for v in c["labels"].values()), "config.labels")
    env = c.get("env")
    want(isinstance(env, list) and all(isinstance(e, dict) and set(e) == {"name", "value", "masked"}
                                       and isinstance(e["name"], str) and isinstance(e["value"], str)
                                       and isinstance(e["masked"], bool) for e in env), "config.env %r" % (env,))
    want(c.get("stopSignal") is None or isinstance(c["stopSignal"], str), "config.stopSignal")
    want(isinstance(c.get("healthcheck"), bool), "config.healthcheck")
    for h in doc.get("history") or []:
        want(set(h) == {"created", "createdBy", "comment", "emptyLayer"}, "history keys %r" % sorted(h))
        want(isinstance(h.get("emptyLayer"), bool), "history.emptyLayer")
        for k in ("created", "createdBy", "comment"):
            want(h.get(k) is None or isinstance(h[k], str), "history.%s" % k)
    want(isinstance(doc.get("history"), list), "history not a list")
    lkeys = {"index", "digest", "mediaType", "compression", "size", "uncompressedSize", "diffId", "entries",
             "files", "whiteouts"}
    for i, l in enumerate(doc.get("layers") or []):
        want(set(l) == lkeys, "layer keys: extra %s missing %s" % (sorted(set(l) - lkeys), sorted(lkeys - set(l))))
        want(l.get("index") == i, "layer index %r != %d" % (l.get("index"), i))
        want(_is_digest(l.get("digest")), "layer digest")
        want(l.get("compression") in ("gzip", "zstd", "none"), "layer compression %r" % l.get("compression"))
        want(l.get("diffId") is None or _is_digest(l["diffId"]), "layer diffId")
        for k in ("size", "uncompressedSize", "entries", "files", "whiteouts"):
            want(_is_int(l.get(k)) and l[k] >= 0, "layer.%s %r" % (k, l.get(k)))
    want(isinstance(doc.get("layers"), list) and doc["layers"], "layers empty")
    t = doc.get("totals") or {}
    tkeys = {"layers", "compressedSize", "uncompressedSize", "entries", "files", "directories", "symlinks",
             "other", "fileBytes"}
    want(set(t) == tkeys, "totals keys: extra %s missing %s" % (sorted(set(t) - tkeys), sorted(tkeys - set(t))))
    want(all(_is_int(v) and v >= 0 for v in t.values()), "totals values %r" % (t,))
    for f in doc.get("largestFiles") or []:
        want(set(f) == {"path", "size", "layer"} and f["path"].startswith("/") and _is_int(f["size"])
             and _is_int(f["layer"]), "largestFiles entry %r" % (f,))
    want(isinstance(doc.get("largestFiles"), list), "largestFiles")
    if with_files:
        fk = {"path", "type", "mode", "uid", "gid", "size", "link", "layer"}
        bad = [f for f in doc.get("files") or [] if not (
            set(f) == fk and isinstance(f["path"], str) and f["path"].startswith("/") and f["path"] != "/"
            and f["type"] in FILE_TYPES and _is_int(f["mode"]) and 0 <= f["mode"] <= 0o7777
            and _is_int(f["uid"]) and _is_int(f["gid"]) and _is_int(f["size"])
            and (f["link"] is None or isinstance(f["link"], str))
            and ((f["link"] is not None) == (f["type"] in ("symlink", "hardlink")))
            and _is_int(f["layer"]) and 0 <= f["layer"] < len(doc["layers"]))]
        want(not bad, "malformed files entries (first 5): %r" % bad[:5])
    assert not errs, "JSON shape errors:\n  " + "\n  ".join(errs)


def check_totals(doc):
    """totals must agree with layers[] and files[]."""
    t, ls, fs = doc["totals"], doc["layers"], doc["files"]
    assert t["layers"] == len(ls)
    assert t["compressedSize"] == sum(l["size"] for l in ls)
    assert t["uncompressedSize"] == sum(l["uncompressedSize"] for l in ls)
    assert t["entries"] == len(fs)
    assert t["files"] == sum(1 for f in fs if f["type"] in ("file", "hardlink"))
    assert t["directories"] == sum(1 for f in fs if f["type"] == "dir")
    assert t["symlinks"] == sum(1 for f in fs if f["type"] == "symlink")
    assert t["other"] == sum(1 for f in fs if f["type"] not in ("file", "hardlink", "dir", "symlink"))
    # fileBytes: regular-file bytes; hard links may or may not be counted again.
    regular = sum(f["size"] for f in fs if f["type"] == "file")
    with_links = regular + sum(f["size"] for f in fs if f["type"] == "hardlink")
    assert t["fileBytes"] in (regular, with_links), (t["fileBytes"], regular, with_links)
    paths = [f["path"] for f in fs]
    assert len(paths) == len(set(paths)), "duplicate paths in files[]"
    assert not [p for p in paths if "/.wh." in p], "whiteout markers leaked into files[]"


# --------------------------------------------------------------------------
# Ground-truth comparison


def compare_with_truth(files, truth):
    """Fail with a readable diff unless scute's files[] equals the unpacked tree."""
    problems = []
    by = {}
    for f in files:
        if f["path"] in by:
            problems.append("duplicate path in scute output: %s" % f["path"])
        by[f["path"]] = f
    for p in sorted(set(truth) - set(by)):
        problems.append("missing in scute:   %s (%s)" % (p, truth[p]["type"]))
    for p in sorted(set(by) - set(truth)):
        problems.append("extra in scute:     %s (%s)" % (p, by[p]["type"]))
    for p in sorted(set(by) & set(truth)):
        s, t = by[p], truth[p]
        stype = "file" if s["type"] == "hardlink" else s["type"]
        if stype != t["type"]:
            problems.append("%s: type scute=%s unpacked=%s" % (p, s["type"], t["type"]))
            continue
        if s["mode"] != t["mode"]:
            problems.append("%s: mode scute=%04o unpacked=%04o" % (p, s["mode"], t["mode"]))
        for k in ("uid", "gid"):
            if s[k] != t[k]:
                problems.append("%s: %s scute=%d unpacked=%d" % (p, k, s[k], t[k]))
        if stype == "file" and s["size"] != t["size"]:
            problems.append("%s: size scute=%d unpacked=%d" % (p, s["size"], t["size"]))
        if stype == "symlink" and s["link"] != t["link"]:
            problems.append("%s: symlink target scute=%r unpacked=%r" % (p, s["link"], t["link"]))
        if s["type"] == "hardlink":
            tgt = "/" + s["link"].lstrip("/")
            if tgt not in truth or truth[tgt]["ino"] != t["ino"]:
                problems.append("%s: hard link to %r but unpacked tree links it elsewhere" % (p, s["link"]))
    # Every multiply-linked inode on disk must be one file + hard links in scute.
    groups = {}
    for p, t in truth.items():
        if t["type"] == "file" and t["nlink"] > 1:
            groups.setdefault(t["ino"], []).append(p)
    for ino, ps in groups.items():
        if len(ps) < 2 or not all(p in by for p in ps):
            continue
        kinds = sorted(by[p]["type"] for p in ps)
        if kinds.count("file") != 1:
            problems.append("hard-linked group %s: scute types %s (want one file + hardlinks)" % (sorted(ps), kinds))
    if problems:
        pytest.fail("%d difference(s) between scute --files and `umoci unpack`:\n  %s%s" % (
            len(problems), "\n  ".join(problems[:150]),
            "\n  ... and %d more" % (len(problems) - 150) if len(problems) > 150 else ""))


# --------------------------------------------------------------------------
# Fixtures: inspect results cached per session


@pytest.fixture(scope="session")
def debian_doc(debian_dir):
    return inspect_json(oci(debian_dir, "base"), "--files")


@pytest.fixture(scope="session")
def layers_doc(layers_dir):
    return inspect_json(oci(layers_dir, "layers"), "--files")


# --------------------------------------------------------------------------
# debian: shape, config, env masking, ground truth, transports


def test_debian_json_shape(debian_doc):
    check_shape(debian_doc, with_files=True)
    check_totals(debian_doc)


def test_json_without_files_has_no_files_key(debian_dir):
    doc = inspect_json(oci(debian_dir, "base"))
    check_shape(doc, with_files=False)


def test_debian_identity(debian_dir, debian_doc):
    L = images.Layout(os.path.join(debian_dir, "oci"), create=False)
    mdesc = L.resolve("base")
    man = L.read_json(mdesc["digest"])
    d = debian_doc
    assert d["image"] == oci(debian_dir, "base")
    assert d["transport"] == "oci"
    assert d["digest"] == mdesc["digest"]
    assert d["mediaType"] == images.MT_MANIFEST
    assert d["index"] is None
    assert d["id"] == man["config"]["digest"]
    assert d["platform"] == {"os": "linux", "architecture": "amd64", "variant": None}
    assert d["created"] == images.FIXED_TIME
    assert d["author"] == "scute e2e <e2e@example.invalid>"
    cfg = L.read_json(man["config"]["digest"])
    assert [l["digest"] for l in d["layers"]] == [l["digest"] for l in man["layers"]]
    assert [l["size"] for l in d["layers"]] == [l["size"] for l in man["layers"]]
    assert [l["mediaType"] for l in d["layers"]] == [l["mediaType"] for l in man["layers"]]
    assert [l["diffId"] for l in d["layers"]] == cfg["rootfs"]["diff_ids"]
    assert all(l["compression"] == "gzip" for l in d["layers"])
    for l in d["layers"]:
        with gzip.open(L.blob_path(l["digest"])) as g:
            n = 0
            while True:
                b = g.read(1 << 20)
                if not b:
                    break
                n += len(b)
        assert l["uncompressedSize"] == n, "layer %d uncompressedSize" % l["index"]


def test_debian_config(debian_doc):
    c = debian_doc["config"]
    assert c["user"] == "root"
    assert c["entrypoint"] == ["/bin/bash", "-c"]
    assert c["cmd"] == ["echo hello"]
    assert c["workingDir"] == "/root"
    assert c["exposedPorts"] == ["8080/tcp"]
    assert c["volumes"] == []
    assert c["labels"] == {"org.opencontainers.image.title": "scute-e2e-debian", "com.example.team": "platform"}
    assert c["stopSignal"] is None
    assert c["healthcheck"] is False


def test_env_masking(debian_doc):
    env = debian_doc["config"]["env"]
    assert [e["name"] for e in env] == ["PATH", "HF_TOKEN", "LANG"]
    path, tok, lang = env
    assert path == {"name": "PATH", "value": PATH_ENV.split("=", 1)[1], "masked": False}
    assert lang == {"name": "LANG", "value": "C.UTF-8", "masked": False}
    assert tok["masked"] is True
    secret = images.HF_TOKEN
    assert tok["value"] == "%s…(%d chars)" % (secret[:4], len(secret)), tok


def test_secret_never_printed(debian_dir):
    img = oci(debian_dir, "base")
    for args in (["--json"], ["--json", "--files"], []):
        p = scute_ok("inspect", *args, img)
        assert images.HF_TOKEN not in p.stdout, "raw secret printed with %r" % args
        assert images.HF_TOKEN[4:] not in p.stdout, "secret tail printed with %r" % args


def test_history(debian_dir, debian_doc):
    L = images.Layout(os.path.join(debian_dir, "oci"), create=False)
    cfg = L.config("base")
    h = debian_doc["history"]
    assert len(h) == len(cfg["history"])
    for got, want in zip(h, cfg["history"]):
        assert got["createdBy"] == want.get("created_by")
        assert got["created"] == want.get("created")
        assert got["comment"] == want.get("comment")
        assert got["emptyLayer"] == bool(want.get("empty_layer", False))


def test_debian_matches_umoci_unpack(debian_doc, debian_truth):
    compare_with_truth(debian_doc["files"], debian_truth)


def test_debian_totals_match_unpack(debian_doc, debian_truth):
    t = debian_doc["totals"]
    kinds = [e["type"] for e in debian_truth.values()]
    assert t["entries"] == len(debian_truth)
    assert t["files"] == kinds.count("file")
    assert t["directories"] == kinds.count("dir")
    assert t["symlinks"] == kinds.count("symlink")
    assert t["other"] == len(kinds) - kinds.count("file") - kinds.count("dir") - kinds.count("symlink")
    # Sanity: this is a real Debian tree.
    paths = {f["path"] for f in debian_doc["files"]}
    for p in ("/etc/debian_version", "/usr/bin/dpkg", "/var/lib/dpkg/status", "/usr/bin/bash"):
        assert p in paths, p
    assert not [p for p in paths if p.startswith("/dev/")], "device nodes must have been removed"


def test_largest_files(debian_doc, debian_truth):
    lf = debian_doc["largestFiles"]
    assert lf, "largestFiles empty"
    sizes = [f["size"] for f in lf]
    assert sizes == sorted(sizes, reverse=True)
    truth_sizes = sorted((e["size"] for e in debian_truth.values() if e["type"] == "file"), reverse=True)
    assert sizes[0] == truth_sizes[0]
    by = {f["path"]: f for f in debian_doc["files"]}
    for f in lf:
        assert by[f["path"]]["size"] == f["size"] and by[f["path"]]["layer"] == f["layer"], f


def test_top_option(debian_dir):
    doc = inspect_json(oci(debian_dir, "base"), "--top", "3")
    assert len(doc["largestFiles"]) == 3
    doc1 = inspect_json(oci(debian_dir, "base"), "--top", "1")
    assert doc1["largestFiles"] == doc["largestFiles"][:1]


def comparable(doc):
    """The digest-independent part of an inspect document."""
    return {
        "platform": doc["platform"], "created": doc["created"], "author": doc["author"],
        "config": doc["config"], "history": doc["history"],
        "layers": [{k: l[k] for k in ("uncompressedSize", "diffId", "entries", "files", "whiteouts")}
                   for l in doc["layers"]],
        "totals": {k: v for k, v in doc["totals"].items() if k != "compressedSize"},
        "largestFiles": doc["largestFiles"],
        "files": doc["files"],
    }


@pytest.mark.parametrize("transport,suffix", [
    ("oci-archive", "oci.tar:base"),
    ("oci-archive", "oci.tar"),
    ("docker-archive", "docker.tar:debian:test"),
    ("docker-archive", "docker.tar"),
    ("docker-archive", "docker.tar:@0"),
])
def test_transports_agree(debian_dir, debian_doc, transport, suffix, workdir):
    img = "%s:%s" % (transport, os.path.join(debian_dir, suffix))
    doc = inspect_json(img, "--files", cwd=workdir)
    check_shape(doc, with_files=True)
    check_totals(doc)
    assert doc["image"] == img
    assert doc["transport"] == transport
    if transport == "oci-archive":
        assert doc["digest"] == debian_doc["digest"]
    else:
        assert doc["layers"][0]["compression"] == "none"
    a, b = comparable(doc), comparable(debian_doc)
    for k in a:
        assert a[k] == b[k], "%s differs between %s and oci" % (k, img)


def test_table_output(debian_dir, debian_doc):
    p = scute_ok("inspect", oci(debian_dir, "base"))
    out = p.stdout
    assert out.strip(), "empty table output"
    with pytest.raises(ValueError):
        json.loads(out)
    for want in (short(debian_doc["digest"]), "linux/amd64", "HF_TOKEN", "8080/tcp", "/bin/bash"):
        assert want in out, "table output lacks %r:\n%s" % (want, out)
    assert "\x1b[" not in out, "colour escapes off a TTY"


def test_output_file(debian_dir, tmp_path, workdir):
    out = tmp_path / "out" / "inspect.json"
    out.parent.mkdir()
    p = scute_ok("inspect", "--json", "-o", str(out), oci(debian_dir, "base"), cwd=workdir)
    assert p.stdout == ""
    assert json.loads(out.read_text()) == inspect_json(oci(debian_dir, "base"))
    assert os.listdir(out.parent) == ["inspect.json"], "temp files left next to -o FILE"


def test_quiet_and_verify_diff_ids_same_output(layers_dir):
    img = oci(layers_dir, "layers")
    base = scute_ok("inspect", "--json", img).stdout
    assert scute_ok("inspect", "--json", "--quiet", img).stdout == base
    assert scute_ok("inspect", "--json", "--verify-diff-ids", img).stdout == base


@pytest.mark.parametrize("name", ["debian", "layers"])
def test_jobs_identical(name, debian_dir, layers_dir):
    img = oci(debian_dir, "base") if name == "debian" else oci(layers_dir, "layers")
    j1 = scute_ok("inspect", "--json", "--files", "--jobs", "1", img).stdout
    j2 = scute_ok("inspect", "--json", "--files", "--jobs", "2", img).stdout
    assert j1 == j2, "--jobs 1 and --jobs 2 differ"
    j4 = scute_ok("inspect", "--json", "--files", "--jobs", "4", img).stdout
    assert j1 == j4, "--jobs 1 and --jobs 4 differ"


# --------------------------------------------------------------------------
# layers: whiteouts, opaque dirs, hard links, overwrites


def test_layers_json_shape(layers_doc):
    check_shape(layers_doc, with_files=True)
    check_totals(layers_doc)


def test_layers_matches_umoci_unpack(layers_doc, layers_truth):
    compare_with_truth(layers_doc["files"], layers_truth)


def test_layers_merged_semantics(layers_doc):
    """The expected merged view, spelled out (independent of umoci)."""
    by = {f["path"]: f for f in layers_doc["files"]}
    gone = ["/var/log/app.log", "/srv/old", "/srv/old/x", "/opt/data/a.txt", "/opt/data/b.txt",
            "/opt/data/sub/c.txt", "/etc/hostname", "/var/lib/state/one", "/var/lib/state/two",
            "/var/lib/keep", "/usr/bin/prog2"]
    assert [p for p in gone if p in by] == [], "whited-out paths still present"
    expect = {
        # path: (type, mode, uid, gid, layer, size or link)
        "/var/lib/state": ("dir", 0o750, 0, 0, None, None),
        "/var/lib/state/three": ("file", 0o600, 0, 0, 2, 2),
        "/var/lib/state/four": ("file", 0o644, 0, 0, 3, 2),
        "/opt/data/new.txt": ("file", 0o664, 0, 0, 2, 17),
        "/opt/data/sub/d.txt": ("file", 0o644, 0, 0, 3, 2),
        "/etc/config.txt": ("file", 0o600, 1000, 1000, 1, 19),
        "/etc/motd": ("file", 0o644, 0, 0, 2, 22),
        "/etc/shadow": ("file", 0o640, 0, 42, 0, 26),
        "/bin/suid": ("file", 0o4755, 0, 0, 0, 13),
        "/bin/sgid": ("file", 0o2755, 0, 50, 0, 13),
        "/bin/tool": ("symlink", None, 0, 0, 1, "suid"),
        "/tmp": ("dir", 0o1777, 0, 0, 0, None),
        "/srv/shared": ("dir", 0o3775, 0, 50, None, None),
        "/home/user": ("dir", 0o700, 1000, 1000, 0, None),
        "/usr/bin/prog": ("file", 0o755, 0, 0, 0, 70000),
        "/usr/bin/prog-hard": ("hardlink", 0o755, 0, 0, 0, "/usr/bin/prog"),
        "/usr/bin/prog-link": ("symlink", None, 0, 0, 0, "prog"),
        "/usr/bin/abs-link": ("symlink", None, 0, 0, 0, "/usr/bin/prog"),
        "/usr/share/doc/README.hard": ("hardlink", 0o644, 0, 0, 2, "/usr/share/doc/README"),
        "/lib/libx.so": ("file", 0o644, 0, 0, 1, 17),
        "/run/ctl.fifo": ("fifo", 0o600, 0, 0, 0, None),
        "/data/big.bin": ("file", 0o640, 1000, 1000, 0, 300000),
        "/data/zero": ("file", 0o600, 0, 0, 0, 0),
        "/app/run.py": ("file", 0o755, 0, 0, 3, 35),
        "/opt/data/name with spaces.txt": ("file", 0o644, 0, 0, 0, 7),
        "/opt/data/ünïcödé-ファイル.txt": ("file", 0o644, 0, 0, 0, 8),
        "/opt/data/quote\"back\\slash.txt": ("file", 0o644, 0, 0, 0, 8),
    }
    errs = []
    for p, (typ, mode, uid, gid, layer, extra) in expect.items():
        f = by.get(p)
        if f is None:
            errs.append("%s: missing" % p)
            continue
        if f["type"] != typ:
            errs.append("%s: type %s, want %s" % (p, f["type"], typ))
        if mode is not None and f["mode"] != mode:
            errs.append("%s: mode %04o, want %04o" % (p, f["mode"], mode))
        if (f["uid"], f["gid"]) != (uid, gid):
            errs.append("%s: owner %d:%d, want %d:%d" % (p, f["uid"], f["gid"], uid, gid))
        if layer is not None and f["layer"] != layer:
            errs.append("%s: layer %d, want %d" % (p, f["layer"], layer))
        if typ == "file" and f["size"] != extra:
            errs.append("%s: size %d, want %d" % (p, f["size"], extra))
        if typ == "symlink" and f["link"] != extra:
            errs.append("%s: link %r, want %r" % (p, f["link"], extra))
        if typ == "hardlink" and "/" + (f["link"] or "").lstrip("/") != extra:
            errs.append("%s: hard link to %r, want %r" % (p, f["link"], extra))
    assert not errs, "merged view errors:\n  " + "\n  ".join(errs)
    long = [p for p in by if "long-file-name-" in p]
    assert len(long) == 1 and len(long[0]) > 300, long
    assert layers_doc["largestFiles"][0] == {"path": "/data/big.bin", "size": 300000, "layer": 0}


def test_layers_per_layer_stats(layers_dir, layers_doc):
    L = images.Layout(os.path.join(layers_dir, "oci"), create=False)
    man = L.manifest("layers")
    cfg = L.config("layers")
    assert len(layers_doc["layers"]) == 4
    for i, (got, desc) in enumerate(zip(layers_doc["layers"], man["layers"])):
        raw = images.decompress(L.read(desc["digest"]), desc["mediaType"])
        members = tarfile.open(fileobj=io.BytesIO(raw)).getmembers()
        names = [m.name.rstrip("/") for m in members]
        wh = sum(1 for n in names if os.path.basename(n).startswith(".wh."))
        files = sum(1 for m in members if (m.isreg() or m.islnk())
                    and not os.path.basename(m.name).startswith(".wh."))
        dots = sum(1 for n in names if n in (".", ""))
        assert got["digest"] == desc["digest"]
        assert got["size"] == desc["size"]
        assert got["uncompressedSize"] == len(raw)
        assert got["diffId"] == cfg["rootfs"]["diff_ids"][i]
        assert got["whiteouts"] == wh, "layer %d whiteouts" % i
        assert got["files"] == files, "layer %d files" % i
        assert got["entries"] in (len(members), len(members) - dots), "layer %d entries %d, tar has %d" % (
            i, got["entries"], len(members))
    assert [h["createdBy"] for h in layers_doc["history"]] == [h.get("created_by") for h in cfg["history"]]
    assert [h["emptyLayer"] for h in layers_doc["history"]] == [False, False, False, False, True]


# --------------------------------------------------------------------------
# zstd


@pytest.mark.parametrize("name", ["debian", "layers"])
def test_zstd_same_as_gzip(name, debian_doc, layers_doc, zstd_dir, zstd_layers_dir):
    gz = debian_doc if name == "debian" else layers_doc
    img = oci(zstd_dir, "base") if name == "debian" else oci(zstd_layers_dir, "layers")
    doc = inspect_json(img, "--files")
    check_shape(doc, with_files=True)
    check_totals(doc)
    assert all(l["compression"] == "zstd" and l["mediaType"] == images.MT_LAYER_ZSTD for l in doc["layers"])
    assert [l["diffId"] for l in doc["layers"]] == [l["diffId"] for l in gz["layers"]]
    assert [l["uncompressedSize"] for l in doc["layers"]] == [l["uncompressedSize"] for l in gz["layers"]]
    assert doc["files"] == gz["files"], "zstd and gzip file lists differ"
    assert {k: v for k, v in doc["totals"].items() if k != "compressedSize"} == \
        {k: v for k, v in gz["totals"].items() if k != "compressedSize"}


# --------------------------------------------------------------------------
# Multi-platform index


@pytest.mark.parametrize("plat,arch,variant", [
    ("linux/amd64", "amd64", None),
    ("linux/arm64/v8", "arm64", "v8"),
])
def test_platform_selection(index_dir, plat, arch, variant):
    L = images.Layout(os.path.join(index_dir, "oci"), create=False)
    idesc = L.resolve("multi")
    idx = L.read_json(idesc["digest"])
    want = [m for m in idx["manifests"] if m["platform"]["architecture"] == arch][0]
    doc = inspect_json(oci(index_dir, "multi"), "--files", "--platform", plat)
    check_shape(doc, with_files=True)
    assert doc["index"] == {"digest": idesc["digest"], "mediaType": images.MT_INDEX}
    assert doc["digest"] == want["digest"]
    assert doc["platform"] == {"os": "linux", "architecture": arch, "variant": variant}
    by = {f["path"]: f for f in doc["files"]}
    assert by["/etc/arch"]["size"] == len(arch) + 1
    assert len([p for p in by if p.startswith("/bin/tool")]) == (3 if arch == "amd64" else 5)
    assert doc["config"]["env"] == [{"name": "ARCH", "value": arch, "masked": False}]


def test_unknown_platform_names_available(index_dir):
    p = scute("inspect", "--json", "--platform", "linux/s390x", oci(index_dir, "multi"))
    assert_error(p, 3, "linux/amd64", "linux/arm64")
    assert p.stdout == ""


# --------------------------------------------------------------------------
# Contract details on small synthetic images


def test_missing_parents_and_dot_slash(tmp_path):
    lay = tmp_path / "oci"
    images.write_image(str(lay), [images.tar_bytes([
        images.F("a/b/c.txt", "x", 0o640, 7, 8),
        images.F("./d/e.txt", "yy"),
        images.D("./f/", 0o700),
    ])], ref="t")
    doc = inspect_json("oci:%s:t" % lay, "--files")
    got = {f["path"]: (f["type"], f["mode"], f["uid"], f["gid"]) for f in doc["files"]}
    assert got == {
        "/a": ("dir", 0o755, 0, 0), "/a/b": ("dir", 0o755, 0, 0), "/a/b/c.txt": ("file", 0o640, 7, 8),
        "/d": ("dir", 0o755, 0, 0), "/d/e.txt": ("file", 0o644, 0, 0), "/f": ("dir", 0o700, 0, 0),
    }


def test_whiteout_semantics(tmp_path):
    """Whiteouts hide lower layers only; an opaque dir keeps its own layer's
    entries; a hard link may point into a lower layer."""
    F, D, WH, OPQ, H = images.F, images.D, images.WH, images.OPQ, images.H
    l0 = images.tar_bytes([D("a"), F("a/f"), F("a/g"), D("o"), F("o/old"), D("o/sub"), F("o/sub/x"),
                           F("keep", "k")])
    l1 = images.tar_bytes([D("a"), WH("a/f"), D("o"), OPQ("o"), F("o/new"), WH("a/g"), F("a/g", "again"),
                           H("k2", "keep")])
    lay = tmp_path / "oci"
    images.write_image(str(lay), [l0, l1], ref="t")
    doc = inspect_json("oci:%s:t" % lay, "--files")
    got = {f["path"]: (f["type"], None if f["type"] == "dir" else f["layer"]) for f in doc["files"]}
    assert got == {"/a": ("dir", None), "/a/g": ("file", 1), "/o": ("dir", None), "/o/new": ("file", 1),
                   "/keep": ("file", 0), "/k2": ("hardlink", 1)}, got
    assert [(l["whiteouts"], l["files"]) for l in doc["layers"]] == [(0, 5), (3, 3)]


def test_allow_devices(tmp_path):
    lay = tmp_path / "oci"
    images.write_image(str(lay), [images.tar_bytes([images.D("dev"), images.CHR("dev/null", 1, 3),
                                                    images.BLK("dev/sda", 8, 0)])], ref="t")
    doc = inspect_json("oci:%s:t" % lay, "--files", "--allow-devices")
    got = {f["path"]: (f["type"], f["mode"]) for f in doc["files"]}
    assert got == {"/dev": ("dir", 0o755), "/dev/null": ("char", 0o666), "/dev/sda": ("block", 0o660)}
    assert doc["totals"]["other"] == 2


def test_oci_default_ref_is_single_manifest(tmp_path):
    """oci:DIR with no REF works when index.json lists exactly one manifest."""
    lay = tmp_path / "oci"
    images.write_image(str(lay), [images.tar_bytes([images.F("x", "1")])], ref="only")
    doc = inspect_json("oci:%s" % lay)
    assert doc["totals"]["entries"] == 1


def test_help_and_usage():
    p = scute("inspect")
    assert p.returncode == 2, describe(p)
    p = scute("inspect", "--no-such-option", "oci:/x")
    assert p.returncode == 2, describe(p)
    assert len(p.stderr.splitlines()) >= 1


# --------------------------------------------------------------------------
# Small edge cases, each compared with `umoci unpack` (which, like
# containerd's archive.Apply, resolves a tar entry's parent directories
# through symlinks inside the root).

F_, D_, S_, H_, WH_, OPQ_ = images.F, images.D, images.S, images.H, images.WH, images.OPQ
tb = images.tar_bytes

EDGE_CASES = {
    # usrmerge: /bin -> usr/bin; a later layer writes bin/x and whites out bin/a
    "dir_replaced_by_file_and_back": [
        tb([D_("d"), F_("d/x"), F_("f", "1")]),
        tb([F_("d", "now a file"), D_("f", 0o700), F_("f/y")])],
    "duplicate_entries_last_wins": [
        tb([D_("d", 0o700), F_("x", "1", 0o600), D_("d", 0o750), F_("x", "22", 0o640)])],
    "hardlink_into_lower_layer": [tb([F_("a", "aaaa")]), tb([H_("b", "a")])],
    "hardlink_target_replaced_later": [tb([F_("a", "aaaa"), H_("b", "a")]), tb([F_("a", "new content")])],
    "opaque_with_nested_dirs": [
        tb([D_("o"), D_("o/s"), F_("o/s/x"), F_("o/y")]),
        tb([D_("o"), OPQ_("o"), D_("o/s"), F_("o/s/z")])],
    "whiteout_dir_then_recreate": [tb([D_("d"), F_("d/x")]), tb([WH_("d"), D_("d"), F_("d/y")])],
    "symlink_replaced_by_dir": [tb([D_("real"), F_("real/f"), S_("l", "real")]), tb([D_("l"), F_("l/g")])],
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_case_matches_umoci(name, tmp_path):
    lay = tmp_path / "oci"
    images.write_image(str(lay), EDGE_CASES[name], ref="t")
    doc = inspect_json("oci:%s:t" % lay, "--files")
    images.run("umoci", "unpack", "--image", "%s:t" % lay, tmp_path / "bundle", capture_output=True)
    from conftest import walk_rootfs
    compare_with_truth(doc["files"], walk_rootfs(str(tmp_path / "bundle" / "rootfs")))


def test_symlinked_parent_follows_overlay_semantics(tmp_path):
    """A layer entry under a path that is a symlink in a lower layer.

    containerd's and Docker's overlay drivers and containers/storage unpack
    each layer into its own empty directory, so `bin/x` creates a real
    directory `bin` in the upper layer that hides the lower `bin -> usr/bin`
    symlink; that is what a container sees, and what scute's merged view
    shows. umoci unpack (like containerd's native snapshotter) writes
    through the symlink instead; this is the one place where scute's view
    deliberately differs from umoci's (docs/architecture.md, fsview.h)."""
    lay = tmp_path / "oci"
    images.write_image(str(lay), [
        tb([D_("usr"), D_("usr/bin"), S_("bin", "usr/bin"), D_("etc"), S_("cfg", "/etc"),
            F_("usr/bin/a", "a"), F_("etc/passwd", "root")]),
        tb([F_("bin/x", "x"), F_("cfg/passwd", "p"), WH_("bin/a")])], ref="t")
    files = {f["path"]: f for f in inspect_json("oci:%s:t" % lay, "--files")["files"]}
    assert files["/bin"]["type"] == "dir"
    assert files["/cfg"]["type"] == "dir"
    assert files["/bin/x"]["type"] == "file"
    assert files["/cfg/passwd"]["size"] == 1
    # The lower layer's files are untouched: the whiteout of bin/a names
    # nothing that exists below the new directory.
    assert files["/usr/bin/a"]["type"] == "file"
    assert files["/etc/passwd"]["size"] == 4
    assert "/bin/a" not in files
