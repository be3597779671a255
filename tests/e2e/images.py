#!/usr/bin/python3
"""Builders for scute's end-to-end test images (OCI image layout spec:
https://github.com/opencontainers/image-spec/blob/main/image-layout.md).

Everything built here is cached OUTSIDE the checkout, under $SCUTE_CACHE
(default /var/tmp/scute-cache), in a directory named "<name>-<version>".
Changing a recipe means bumping its version string; the next run rebuilds.
Builds are atomic and race-safe: a builder runs under an exclusive flock on
"<name>.lock", writes into a fresh temporary directory in the cache and
renames it into place only when it is complete.

Two layers of helpers:
  * Layout: write an OCI layout from in-memory blobs (sha256, descriptors,
    manifest, config with correct diff_ids, index.json, oci-layout).
    Hostile tests use it to build broken images on purpose.
  * tar helpers (F, D, S, H, CHR, ...): build layer tars with tarfile.

Images (each function returns the cache directory):
  debian()   debootstrap minbase bookworm, umoci-packed, plus docker-archive
             and oci-archive copies made by skopeo            -> oci:<d>/oci:base
  layers()   multi-layer image: umoci whiteouts, a hand-made opaque dir,
             hard links, symlinks, setuid, overwrites         -> oci:<d>/oci:layers
  zstd()     debian recompressed with zstd                    -> oci:<d>/oci:base
  zstd_layers() layers recompressed with zstd                 -> oci:<d>/oci:layers
  index()    OCI image index for linux/amd64 + linux/arm64/v8 -> oci:<d>/oci:multi
  million()  one layer with 10^6 tar entries                  -> oci:<d>/oci:million
  sample(dest) the demo image of `make demo`
  bench()    ~1 GB+ multi-layer gzip image for bench/inspect.sh
SBOM images (each dir also holds truth.json, the ground truth):
  pydeb()    debootstrap + python3-numpy/requests/yaml/... + hand-written
             dist-info dirs (/usr/local, /opt/venv)           -> oci:<d>/oci:pydeb
  torch()    pydeb plus Debian's python3-torch, as a 2nd layer -> oci:<d>/oci:torch
  npm()      a node_modules tree from `npm install`            -> oci:<d>/oci:npm
  rpm()      rpmbuild'ed packages in a sqlite rpmdb            -> oci:<d>/oci:rpm
  models()   model files in real formats (safetensors, GGUF, ONNX, npy,
             pickle, PyTorch zip, HF config/tokenizer)          -> oci:<d>/oci:models
  sbom_hostile() hostile catalog inputs next to good packages  -> oci:<d>/oci:hostile
  bench_sbom() >= 2 GB multi-layer AI image for bench/sbom.sh  -> oci:<d>/oci:bench

Command line (used by scripts/ and bench/):
  images.py NAME            build (if needed) and print the cache directory
  images.py sample DEST     build the demo image at DEST (oci layout, tag demo)
Only the Python standard library is used.
"""

import contextlib
import fcntl
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile

MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
MT_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
MT_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
REF_ANNOTATION = "org.opencontainers.image.ref.name"

# A secret-looking value: "hf_" + 34 characters, 37 in all.
HF_TOKEN = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567"
assert len(HF_TOKEN) == 37

FIXED_TIME = "2024-01-02T03:04:05Z"
FIXED_MTIME = 1704164645

VERSIONS = {
    "rootfs": "bookworm-minbase-1",
    "debian": "3",
    "layers": "4",
    "zstd": "3",
    "zstd-layers": "4",
    "index": "2",
    "million": "1",
    "sample": "4",
    "pipai": "2",
    "bench": "1",
    # SBOM images (see "SBOM test images" below)
    "pyroot": "2",
    "pydeb": "2",
    "torchroot": "1",
    "torch": "1",
    "cuda": "1",
    "npm": "1",
    "rpm": "1",
    "models": "2",
    "sbom-hostile": "1",
    "bench-sbom": "1",
}


def log(msg):
    print("images.py: " + msg, file=sys.stderr, flush=True)


def run(*argv, **kw):
    kw.setdefault("check", True)
    return subprocess.run([str(a) for a in argv], **kw)


# --------------------------------------------------------------------------
# Cache


def cache_root():
    return os.environ.get("SCUTE_CACHE") or "/var/tmp/scute-cache"


def _mounts_under(path):
    path = os.path.realpath(path)
    out = []
    with open("/proc/self/mounts") as f:
        for line in f:
            mp = line.split()[1].replace("\\040", " ")
            if mp == path or mp.startswith(path + "/"):
                out.append(mp)
    return sorted(out, key=len, reverse=True)


def safe_rmtree(path):
    """rmtree that first unmounts anything left mounted below path (a killed
    debootstrap can leave /proc or /sys mounted in its target)."""
    if not os.path.lexists(path):
        return
    for mp in _mounts_under(path):
        run("umount", "-l", mp, check=False)
    if _mounts_under(path):
        raise RuntimeError("refusing to remove %s: still has mounts" % path)
    shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _locked(lockpath):
    fd = os.open(lockpath, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def cached(name, build, version=None):
    """Return $SCUTE_CACHE/<name>-<version>, building it with build(tmpdir)
    first if absent. Safe against concurrent callers (flock + rename)."""
    version = version or VERSIONS[name]
    root = cache_root()
    os.makedirs(root, exist_ok=True)
    final = os.path.join(root, "%s-%s" % (name, version))
    if os.path.isdir(final):
        return final
    with _locked(os.path.join(root, name + ".lock")):
        if os.path.isdir(final):
            return final
        # We hold the lock: any temp dir of this name is a killed build.
        for e in os.listdir(root):
            if e.startswith(".tmp-%s-" % name):
                safe_rmtree(os.path.join(root, e))
        tmp = tempfile.mkdtemp(prefix=".tmp-%s-" % name, dir=root)
        log("building %s (version %s) in %s" % (name, version, tmp))
        try:
            build(tmp)
            os.chmod(tmp, 0o755)
            os.rename(tmp, final)
        except BaseException:
            safe_rmtree(tmp)
            raise
        log("built %s" % final)
    return final


# --------------------------------------------------------------------------
# OCI layout writer


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def digest_of(data):
    return "sha256:" + sha256_hex(data)


def file_digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return "sha256:" + h.hexdigest()


def jdump(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


class Layout:
    """An OCI image layout directory."""

    def __init__(self, path, create=True):
        self.path = str(path)
        if create:
            os.makedirs(os.path.join(self.path, "blobs", "sha256"), exist_ok=True)
            p = os.path.join(self.path, "oci-layout")
            if not os.path.exists(p):
                with open(p, "wb") as f:
                    f.write(jdump({"imageLayoutVersion": "1.0.0"}))
            if not os.path.exists(os.path.join(self.path, "index.json")):
                self.write_index({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": []})

    # blobs
    def blob_path(self, digest):
        alg, hexd = digest.split(":", 1)
        return os.path.join(self.path, "blobs", alg, hexd)

    def put(self, data, media_type):
        d = digest_of(data)
        p = self.blob_path(d)
        if not os.path.exists(p):
            tmp = p + ".tmp%d" % os.getpid()
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, p)
        return {"mediaType": media_type, "digest": d, "size": len(data)}

    def put_file(self, src, media_type, move=False):
        d = file_digest(src)
        p = self.blob_path(d)
        if move:
            os.rename(src, p)
        elif not os.path.exists(p):
            shutil.copyfile(src, p)
        return {"mediaType": media_type, "digest": d, "size": os.path.getsize(p)}

    def put_json(self, obj, media_type):
        return self.put(jdump(obj), media_type)

    def read(self, digest):
        with open(self.blob_path(digest), "rb") as f:
            return f.read()

    def read_json(self, digest):
        return json.loads(self.read(digest))

    def overwrite_blob(self, digest, data):
        """Replace a blob's content, keeping its (now wrong) name."""
        p = self.blob_path(digest)
        with open(p, "wb") as f:
            f.write(data)

    # index.json
    def index(self):
        with open(os.path.join(self.path, "index.json")) as f:
            return json.load(f)

    def write_index(self, idx):
        p = os.path.join(self.path, "index.json")
        with open(p + ".tmp", "wb") as f:
            f.write(jdump(idx))
        os.rename(p + ".tmp", p)

    def tag(self, desc, ref, platform=None):
        """Point ref (annotation org.opencontainers.image.ref.name) at desc."""
        idx = self.index()
        ms = [m for m in idx.get("manifests", [])
              if m.get("annotations", {}).get(REF_ANNOTATION) != ref]
        d = dict(desc)
        if platform:
            d["platform"] = platform
        d["annotations"] = dict(d.get("annotations", {}), **{REF_ANNOTATION: ref})
        ms.append(d)
        idx["manifests"] = ms
        self.write_index(idx)

    def resolve(self, ref):
        for m in self.index()["manifests"]:
            if m.get("annotations", {}).get(REF_ANNOTATION) == ref:
                return m
        raise KeyError(ref)

    def manifest(self, ref):
        return self.read_json(self.resolve(ref)["digest"])

    def config(self, ref):
        return self.read_json(self.manifest(ref)["config"]["digest"])

    def gc(self):
        """Delete blobs not reachable from index.json."""
        live = set()

        def walk(desc):
            live.add(desc["digest"])
            if desc["mediaType"] in (MT_INDEX, "application/vnd.docker.distribution.manifest.list.v2+json"):
                for m in self.read_json(desc["digest"])["manifests"]:
                    walk(m)
            elif desc["mediaType"] in (MT_MANIFEST, "application/vnd.docker.distribution.manifest.v2+json"):
                m = self.read_json(desc["digest"])
                live.add(m["config"]["digest"])
                for l in m["layers"]:
                    live.add(l["digest"])
        for m in self.index()["manifests"]:
            walk(m)
        bdir = os.path.join(self.path, "blobs", "sha256")
        for h in os.listdir(bdir):
            if "sha256:" + h not in live:
                os.unlink(os.path.join(bdir, h))


def default_config(diff_ids, os_="linux", arch="amd64", variant=None, history=None, config=None):
    c = {
        "created": FIXED_TIME,
        "architecture": arch,
        "os": os_,
        "config": config if config is not None else {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": list(diff_ids)},
        "history": history if history is not None else
        [{"created": FIXED_TIME, "created_by": "scute-e2e layer %d" % i} for i in range(len(diff_ids))],
    }
    if variant:
        c["variant"] = variant
    return c


def write_image(layout, layers, ref="latest", config=None, platform=("linux", "amd64", None),
                history=None, tag=True, manifest_extra=None):
    """Write one image into layout.

    layers: list of tar bytes, or (tar_bytes, compression) with compression
    in gzip|zstd|none, or {"blob", "mediaType", "diff_id"} for a ready-made
    (possibly broken) blob. config: the "config" member of the image config.
    Returns {"manifest": desc, "config": desc, "layers": [desc], "diff_ids": [..]}.
    """
    if not isinstance(layout, Layout):
        layout = Layout(layout)
    descs, diff_ids = [], []
    for l in layers:
        if isinstance(l, dict):         # a ready-made blob: {"blob", "mediaType", "diff_id"}
            descs.append(layout.put(l["blob"], l["mediaType"]))
            diff_ids.append(l["diff_id"])
            continue
        tar_bytes, comp = (l, "gzip") if isinstance(l, (bytes, bytearray)) else l
        blob, mt = compress(tar_bytes, comp)
        descs.append(layout.put(blob, mt))
        diff_ids.append(digest_of(tar_bytes))
    os_, arch, variant = platform
    cfg = default_config(diff_ids, os_, arch, variant, history, config)
    cdesc = layout.put_json(cfg, MT_CONFIG)
    man = {"schemaVersion": 2, "mediaType": MT_MANIFEST, "config": cdesc, "layers": descs}
    if manifest_extra:
        man.update(manifest_extra)
    mdesc = layout.put_json(man, MT_MANIFEST)
    if tag:
        layout.tag(mdesc, ref)
    return {"manifest": mdesc, "config": cdesc, "layers": descs, "diff_ids": diff_ids,
            "layout": layout}


def append_layer(layout, ref, tar_bytes, compression="gzip", created_by="scute-e2e", new_ref=None,
                 config_update=None):
    """Add one layer on top of image ref (manifest and config rewritten)."""
    man = layout.manifest(ref)
    cfg = layout.read_json(man["config"]["digest"])
    blob, mt = compress(tar_bytes, compression)
    ldesc = layout.put(blob, mt)
    cfg["rootfs"]["diff_ids"].append(digest_of(tar_bytes))
    cfg.setdefault("history", []).append({"created": FIXED_TIME, "created_by": created_by})
    if config_update:
        config_update(cfg)
    man["config"] = layout.put_json(cfg, man["config"].get("mediaType", MT_CONFIG))
    man["layers"].append(ldesc)
    mdesc = layout.put_json(man, man.get("mediaType", MT_MANIFEST))
    layout.tag(mdesc, new_ref or ref)
    return mdesc


# --------------------------------------------------------------------------
# Compression


def compress(tar_bytes, comp):
    if comp == "gzip":
        return gzip.compress(bytes(tar_bytes), 6, mtime=0), MT_LAYER_GZIP
    if comp == "zstd":
        return run("zstd", "-q", "-3", "-c", input=bytes(tar_bytes), stdout=subprocess.PIPE).stdout, MT_LAYER_ZSTD
    if comp == "none":
        return bytes(tar_bytes), MT_LAYER_TAR
    raise ValueError(comp)


def decompress(blob, media_type):
    if media_type.endswith("gzip"):
        return gzip.decompress(blob)
    if media_type.endswith("zstd"):
        return run("zstd", "-q", "-d", "-c", input=blob, stdout=subprocess.PIPE).stdout
    return blob


# --------------------------------------------------------------------------
# Tar helpers. Each returns (TarInfo, data-or-None); tar_bytes() joins them.


def _ti(path, typ, mode, uid=0, gid=0):
    ti = tarfile.TarInfo(path)
    ti.type = typ
    ti.mode = mode
    ti.uid, ti.gid = uid, gid
    ti.uname = ti.gname = ""
    ti.mtime = FIXED_MTIME
    return ti


def F(path, data=b"", mode=0o644, uid=0, gid=0):
    if isinstance(data, str):
        data = data.encode()
    ti = _ti(path, tarfile.REGTYPE, mode, uid, gid)
    ti.size = len(data)
    return ti, data


def D(path, mode=0o755, uid=0, gid=0):
    return _ti(path, tarfile.DIRTYPE, mode, uid, gid), None


def S(path, target, uid=0, gid=0):
    ti = _ti(path, tarfile.SYMTYPE, 0o777, uid, gid)
    ti.linkname = target
    return ti, None


def H(path, target, mode=0o644, uid=0, gid=0):
    ti = _ti(path, tarfile.LNKTYPE, mode, uid, gid)
    ti.linkname = target
    return ti, None


def CHR(path, major=1, minor=3, mode=0o666):
    ti = _ti(path, tarfile.CHRTYPE, mode)
    ti.devmajor, ti.devminor = major, minor
    return ti, None


def BLK(path, major=8, minor=0, mode=0o660):
    ti = _ti(path, tarfile.BLKTYPE, mode)
    ti.devmajor, ti.devminor = major, minor
    return ti, None


def FIFO(path, mode=0o644):
    return _ti(path, tarfile.FIFOTYPE, mode), None


def WH(path):
    """OCI whiteout for path."""
    d, b = os.path.split(path)
    return F(os.path.join(d, ".wh." + b))


def OPQ(dirpath):
    """OCI opaque-directory marker for dirpath."""
    return F(os.path.join(dirpath, ".wh..wh..opq"))


def tar_bytes(entries, fmt=tarfile.PAX_FORMAT):
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=fmt) as tf:
        for ti, data in entries:
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
    return bio.getvalue()


def det_bytes(n, seed=b"scute"):
    """n deterministic pseudo-random (incompressible) bytes."""
    out = bytearray()
    ctr = 0
    while len(out) < n:
        out += hashlib.sha256(seed + ctr.to_bytes(8, "little")).digest()
        ctr += 1
    return bytes(out[:n])


# --------------------------------------------------------------------------
# Raw tar headers (fast, for huge entry counts)


def raw_header(name, size=0, mode=0o644, typeflag=b"0", linkname=b""):
    if isinstance(name, str):
        name = name.encode()
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b"%07o\0" % mode
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = b"%011o\0" % size
    h[136:148] = b"%011o\0" % FIXED_MTIME
    h[148:156] = b"        "
    h[156:157] = typeflag
    h[157:157 + len(linkname)] = linkname
    h[257:265] = b"ustar\x0000"
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)


def write_many_entries_tar_gz(path, n):
    """Stream a gzip'ed tar with one dir and n empty files to path; return
    (diff_id, entries)."""
    h = hashlib.sha256()
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as gz:
        def w(b):
            h.update(b)
            gz.write(b)
        w(raw_header("m/", mode=0o755, typeflag=b"5"))
        # Template-based header: only the name and checksum change.
        base = bytearray(raw_header("m/00000000"))
        base[148:156] = b"        "
        base_sum = sum(base) - sum(b"m/00000000")
        buf = []
        for i in range(n):
            name = b"m/%08d" % i
            hb = bytearray(base)
            hb[0:10] = name
            hb[148:156] = b"%06o\0 " % (base_sum + sum(name))
            buf.append(bytes(hb))
            if len(buf) == 4096:
                w(b"".join(buf))
                buf = []
        if buf:
            w(b"".join(buf))
        w(b"\0" * 1024)
    return "sha256:" + h.hexdigest(), n + 1


# --------------------------------------------------------------------------
# Debian rootfs (debootstrap) and the umoci/skopeo based debian image


def debian_mirror():
    """The Debian mirror apt uses on this machine (deb.debian.org otherwise)."""
    cands = []
    p = "/etc/apt/sources.list.d/debian.sources"
    if os.path.exists(p):
        with open(p) as f:
            for line in f:
                if line.startswith("URIs:"):
                    cands += line.split()[1:]
    p = "/etc/apt/sources.list"
    if os.path.exists(p):
        with open(p) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[0] == "deb":
                    cands.append(parts[1] if not parts[1].startswith("[") else parts[2])
    for c in cands:
        if "security" not in c and c.rstrip("/").endswith("/debian"):
            return c
    return "http://deb.debian.org/debian"


def rootfs():
    """Cached debootstrap minbase bookworm tree: <dir>/rootfs."""
    def build(tmp):
        target = os.path.join(tmp, "rootfs")
        try:
            run("debootstrap", "--variant=minbase", "bookworm", target, debian_mirror(),
                stdout=subprocess.DEVNULL)
        finally:
            for mp in _mounts_under(target):
                run("umount", "-l", mp, check=False)
        # Images never ship device nodes: empty /dev.
        dev = os.path.join(target, "dev")
        for e in os.listdir(dev):
            p = os.path.join(dev, e)
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            else:
                os.unlink(p)
        # Caches and logs that vary from run to run.
        for d in ("var/cache/apt/archives", "var/log", "var/lib/apt/lists", "tmp"):
            full = os.path.join(target, d)
            for e in os.listdir(full) if os.path.isdir(full) else []:
                p = os.path.join(full, e)
                if os.path.isfile(p) and not os.path.islink(p):
                    os.unlink(p)
    return cached("rootfs", build)


def umoci_config_args(extra_env=()):
    args = ["--config.user", "root",
            "--config.entrypoint", "/bin/bash",
            "--config.entrypoint", "-c",
            "--config.cmd", "echo hello",
            "--config.workingdir", "/root",
            "--config.env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "--config.env", "HF_TOKEN=" + HF_TOKEN,
            "--config.env", "LANG=C.UTF-8",
            "--config.exposedports", "8080/tcp",
            "--config.label", "org.opencontainers.image.title=scute-e2e-debian",
            "--config.label", "com.example.team=platform",
            "--author", "scute e2e <e2e@example.invalid>",
            "--created", FIXED_TIME]
    for e in extra_env:
        args += ["--config.env", e]
    return args


def debian():
    """<dir>/oci (tag base), <dir>/docker.tar (debian:test), <dir>/oci.tar (base)."""
    rfs = os.path.join(rootfs(), "rootfs")

    def build(tmp):
        lay = os.path.join(tmp, "oci")
        bundle = os.path.join(tmp, "bundle")
        run("umoci", "init", "--layout", lay)
        run("umoci", "new", "--image", lay + ":base")
        run("umoci", "unpack", "--image", lay + ":base", bundle)
        run("cp", "-a", rfs + "/.", os.path.join(bundle, "rootfs") + "/")
        run("umoci", "repack", "--image", lay + ":base", bundle)
        shutil.rmtree(bundle)
        run("umoci", "config", "--image", lay + ":base", *umoci_config_args())
        run("umoci", "gc", "--layout", lay)
        run("skopeo", "copy", "-q", "oci:%s:base" % lay, "docker-archive:%s:debian:test" % os.path.join(tmp, "docker.tar"))
        run("skopeo", "copy", "-q", "oci:%s:base" % lay, "oci-archive:%s:base" % os.path.join(tmp, "oci.tar"))
    return cached("debian", build)


# --------------------------------------------------------------------------
# The multi-layer image


def _populate_layer0(r):
    def mk(path, data=b"", mode=0o644, uid=0, gid=0):
        p = os.path.join(r, path)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        os.chown(p, uid, gid)
        os.chmod(p, mode)

    def mkd(path, mode=0o755, uid=0, gid=0):
        p = os.path.join(r, path)
        os.makedirs(p, exist_ok=True)
        os.chown(p, uid, gid)
        os.chmod(p, mode)

    os.chmod(r, 0o755)
    for d in ("etc", "bin", "usr", "usr/bin", "lib", "opt", "opt/data", "opt/data/sub", "srv", "srv/old",
              "var", "var/log", "var/lib", "var/lib/state", "home", "run", "data"):
        mkd(d)
    mkd("tmp", 0o1777)
    mkd("home/user", 0o700, 1000, 1000)
    mkd("srv/shared", 0o2775, 0, 50)
    mk("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n")
    mk("etc/group", "root:x:0:\nstaff:x:50:\nuser:x:1000:\n")
    mk("etc/hostname", "layers\n")
    mk("etc/config.txt", "version=1\n")
    mk("etc/shadow", "root:*:19000:0:99999:7:::\n", 0o640, 0, 42)
    mk("bin/tool", "#!/bin/sh\necho tool\n", 0o755)
    mk("bin/suid", "#!/bin/sh\nid\n", 0o4755)
    mk("bin/sgid", "#!/bin/sh\nid\n", 0o2755, 0, 50)
    mk("usr/bin/prog", det_bytes(70000, b"prog"), 0o755)
    os.link(os.path.join(r, "usr/bin/prog"), os.path.join(r, "usr/bin/prog-hard"))
    os.symlink("prog", os.path.join(r, "usr/bin/prog-link"))
    os.symlink("/usr/bin/prog", os.path.join(r, "usr/bin/abs-link"))
    os.symlink("../../bin/tool", os.path.join(r, "usr/bin/tool"))
    os.symlink("nowhere", os.path.join(r, "usr/bin/dangling"))
    mk("lib/libx.so.1", det_bytes(4000, b"libx"), 0o644)
    os.symlink("libx.so.1", os.path.join(r, "lib/libx.so"))
    mk("opt/data/a.txt", "a\n")
    mk("opt/data/b.txt", "b\n")
    mk("opt/data/sub/c.txt", "c\n")
    mk("opt/data/name with spaces.txt", "spaces\n")
    mk("opt/data/ünïcödé-ファイル.txt", "unicode\n")
    mk("opt/data/quote\"back\\slash.txt", "escapes\n")
    long_dir = "opt/" + "/".join(["d%02d-abcdefghijklmnopqrstuvwxyz" % i for i in range(8)])
    mk(long_dir + "/long-file-name-" + "x" * 120 + ".txt", "long\n")
    mk("srv/old/x", "x\n")
    mk("srv/old/y", "y\n")
    mk("var/log/app.log", "log line\n" * 100)
    mk("var/lib/keep", "keep\n")
    mk("var/lib/state/one", "1\n")
    mk("var/lib/state/two", "2\n")
    mk("home/user/.profile", "PS1='$ '\n", 0o644, 1000, 1000)
    mk("data/big.bin", det_bytes(300000, b"big"), 0o640, 1000, 1000)
    mk("data/zero", b"", 0o600)
    os.mkfifo(os.path.join(r, "run/ctl.fifo"), 0o600)
    os.chmod(os.path.join(r, "run/ctl.fifo"), 0o600)


def _mutate_layer1(r):
    os.unlink(os.path.join(r, "var/log/app.log"))                  # file whiteout
    shutil.rmtree(os.path.join(r, "srv/old"))                       # dir whiteout
    for e in ("a.txt", "b.txt"):                                    # replace a dir's contents
        os.unlink(os.path.join(r, "opt/data", e))
    shutil.rmtree(os.path.join(r, "opt/data/sub"))
    with open(os.path.join(r, "opt/data/new.txt"), "w") as f:
        f.write("new\n")
    p = os.path.join(r, "etc/config.txt")                           # overwrite, new mode/owner
    with open(p, "w") as f:
        f.write("version=2\nmore=yes\n")
    os.chmod(p, 0o600)
    os.chown(p, 1000, 1000)
    os.unlink(os.path.join(r, "lib/libx.so"))                       # symlink -> regular file
    with open(os.path.join(r, "lib/libx.so"), "w") as f:
        f.write("INPUT(libx.so.1)\n")
    os.unlink(os.path.join(r, "bin/tool"))                          # file -> symlink
    os.symlink("suid", os.path.join(r, "bin/tool"))
    with open(os.path.join(r, "usr/bin/prog2"), "wb") as f:
        f.write(det_bytes(5000, b"prog2"))
    os.chmod(os.path.join(r, "usr/bin/prog2"), 0o755)
    os.chmod(os.path.join(r, "srv/shared"), 0o3775)                 # dir metadata change only


def _layer2_entries():
    """Hand-made layer: an explicit opaque dir and a whiteout."""
    return [
        D("etc"),
        WH("etc/hostname"),
        F("etc/motd", "opaque layer was here\n"),
        D("var"), D("var/lib"),
        D("var/lib/state", 0o750),
        OPQ("var/lib/state"),
        F("var/lib/state/three", "3\n", 0o600),
        D("opt"), D("opt/data"),
        F("opt/data/new.txt", "new from layer 2\n", 0o664),    # overwrite again
        D("usr"), D("usr/share"), D("usr/share/doc", 0o755),
        F("usr/share/doc/README", "docs\n"),
        H("usr/share/doc/README.hard", "usr/share/doc/README"),
    ]


def _mutate_layer3(r):
    os.unlink(os.path.join(r, "usr/bin/prog2"))
    os.makedirs(os.path.join(r, "app"))
    p = os.path.join(r, "app/run.py")
    with open(p, "w") as f:
        f.write("#!/usr/bin/env python3\nprint('hi')\n")
    os.chmod(p, 0o755)
    os.mkdir(os.path.join(r, "opt/data/sub"))                      # recreate a whited-out dir
    with open(os.path.join(r, "opt/data/sub/d.txt"), "w") as f:
        f.write("d\n")
    os.unlink(os.path.join(r, "var/lib/keep"))
    with open(os.path.join(r, "var/lib/state/four"), "w") as f:     # add below the opaque dir
        f.write("4\n")


def layers():
    """<dir>/oci, tag layers: 4 gzip layers (umoci, umoci, hand-made, umoci)."""
    def build(tmp):
        lay = os.path.join(tmp, "oci")
        img = lay + ":layers"
        run("umoci", "init", "--layout", lay)
        run("umoci", "new", "--image", img)

        def step(n, mutate):
            b = os.path.join(tmp, "bundle%d" % n)
            run("umoci", "unpack", "--image", img, b)
            mutate(os.path.join(b, "rootfs"))
            run("umoci", "repack", "--history.created_by", "umoci step %d" % n, "--image", img, b)
            shutil.rmtree(b)
        step(0, _populate_layer0)
        step(1, _mutate_layer1)
        L = Layout(lay, create=False)
        append_layer(L, "layers", tar_bytes(_layer2_entries()), "gzip", created_by="hand-made opaque layer")
        step(3, _mutate_layer3)
        run("umoci", "config", "--image", img, *umoci_config_args())
        run("umoci", "gc", "--layout", lay)
    return cached("layers", build)


# --------------------------------------------------------------------------
# zstd recompression


def recompress_zstd(src_dir, dst_dir, ref):
    shutil.copytree(src_dir, dst_dir)
    L = Layout(dst_dir, create=False)
    man = L.manifest(ref)
    new_layers = []
    for l in man["layers"]:
        src = L.blob_path(l["digest"])
        out = os.path.join(dst_dir, "layer.tmp")
        dec = "gzip" if l["mediaType"].endswith("gzip") else "cat"
        with open(out, "wb") as fo:
            p1 = subprocess.Popen([dec, "-dc", src] if dec == "gzip" else [dec, src], stdout=subprocess.PIPE)
            p2 = subprocess.Popen(["zstd", "-q", "-3", "-c"], stdin=p1.stdout, stdout=fo)
            p1.stdout.close()
            if p2.wait() or p1.wait():
                raise RuntimeError("recompression failed")
        new_layers.append(L.put_file(out, MT_LAYER_ZSTD, move=True))
    man["layers"] = new_layers
    cfg = L.read_json(man["config"]["digest"])
    cfg.setdefault("config", {}).setdefault("Labels", {})["com.example.compression"] = "zstd"
    man["config"] = L.put_json(cfg, MT_CONFIG)
    L.tag(L.put_json(man, MT_MANIFEST), ref)
    L.gc()


def zstd():
    src = os.path.join(debian(), "oci")
    return cached("zstd", lambda tmp: recompress_zstd(src, os.path.join(tmp, "oci"), "base"))


def zstd_layers():
    src = os.path.join(layers(), "oci")
    return cached("zstd-layers", lambda tmp: recompress_zstd(src, os.path.join(tmp, "oci"), "layers"))


# --------------------------------------------------------------------------
# Multi-platform index


def index():
    """<dir>/oci: tag multi -> image index (linux/amd64, linux/arm64/v8)."""
    def build(tmp):
        L = Layout(os.path.join(tmp, "oci"))
        imgs = []
        for arch, variant, n in (("amd64", None, 3), ("arm64", "v8", 5)):
            base = tar_bytes([D("etc"), F("etc/arch", arch + "\n"), D("bin")] +
                             [F("bin/tool%d" % i, det_bytes(100 + i, arch.encode()), 0o755) for i in range(n)])
            top = tar_bytes([D("etc"), F("etc/os-release", "ID=scute-%s\n" % arch)])
            r = write_image(L, [base, top], tag=False, platform=("linux", arch, variant),
                            config={"Env": ["ARCH=" + arch], "Entrypoint": ["/bin/tool0"]})
            plat = {"architecture": arch, "os": "linux"}
            if variant:
                plat["variant"] = variant
            imgs.append(dict(r["manifest"], platform=plat))
        idesc = L.put_json({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": imgs}, MT_INDEX)
        L.tag(idesc, "multi")
    return cached("index", build)


# --------------------------------------------------------------------------
# 10^6 entries


MILLION = 1000000


def million():
    """<dir>/oci: tag million -> one gzip layer of MILLION empty files."""
    def build(tmp):
        L = Layout(os.path.join(tmp, "oci"))
        blob = os.path.join(tmp, "layer.tmp")
        diff_id, _ = write_many_entries_tar_gz(blob, MILLION)
        ldesc = L.put_file(blob, MT_LAYER_GZIP, move=True)
        cdesc = L.put_json(default_config([diff_id]), MT_CONFIG)
        L.tag(L.put_json({"schemaVersion": 2, "mediaType": MT_MANIFEST, "config": cdesc,
                          "layers": [ldesc]}, MT_MANIFEST), "million")
    return cached("million", build)


# --------------------------------------------------------------------------
# Demo image: debian + a small fake "AI app"


def safetensors_bytes():
    n = 64 * 64
    data = struct.pack("<%df" % n, *[((i * 7919) % 1000) / 1000.0 for i in range(n)])
    bias = struct.pack("<64f", *[0.0] * 64)
    header = {
        "__metadata__": {"format": "pt"},
        "dense.weight": {"dtype": "F32", "shape": [64, 64], "data_offsets": [0, len(data)]},
        "dense.bias": {"dtype": "F32", "shape": [64], "data_offsets": [len(data), len(data) + len(bias)]},
    }
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * (-len(hb) % 8)
    return struct.pack("<Q", len(hb)) + hb + data + bias


def _binunicode(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def torch_pt_bytes():
    """A zip shaped like torch.save() output whose data.pkl references
    torch._utils._rebuild_tensor_v2 (written opcode by opcode; no torch)."""
    storage = struct.pack("<16f", *[i / 16 for i in range(16)])
    p = bytearray(b"\x80\x02")                                  # PROTO 2
    p += b"ccollections\nOrderedDict\n)R"                        # OrderedDict()
    p += _binunicode("fc.weight")
    p += b"ctorch._utils\n_rebuild_tensor_v2\n("                 # GLOBAL, MARK
    p += b"(" + _binunicode("storage") + b"ctorch\nFloatStorage\n" + _binunicode("0") \
        + _binunicode("cpu") + b"K\x10tQ"                        # persistent id -> BINPERSID
    p += b"K\x00" + b"K\x04K\x04\x86" + b"K\x04K\x01\x86" + b"\x89" + b"ccollections\nOrderedDict\n)R"
    p += b"tR"                                                   # TUPLE, REDUCE
    p += b"s."                                                   # SETITEM, STOP
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", zipfile.ZIP_STORED) as z:
        for name, data in (("model/data.pkl", bytes(p)), ("model/byteorder", b"little"),
                           ("model/data/0", storage), ("model/version", b"3\n")):
            zi = zipfile.ZipInfo(name, (2024, 1, 2, 3, 4, 6))
            z.writestr(zi, data)
    return bio.getvalue()


def malicious_pickle_bytes():
    """A legacy pickle that would run a (harmless) shell command if loaded:
    the kind of file scute's pickle audit must flag. Never loaded here."""
    return b"\x80\x02cposix\nsystem\n" + _binunicode("echo pwned-by-pickle") + b"\x85R."


SAMPLE_APP = '''#!/usr/bin/env python3
"""Tiny fake inference server (demo content for scute; never run)."""
import json, os, struct

MODEL = "/app/models/model.safetensors"

def load_header(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n))

if __name__ == "__main__":
    token = os.environ.get("HF_TOKEN")
    print("tensors:", sorted(k for k in load_header(MODEL) if k != "__metadata__"))
'''


# Distributions pip installed for the demo app (versions with PyPA advisories).
SAMPLE_PIP = [("torch", "2.1.0"), ("transformers", "4.35.0"), ("safetensors", "0.4.0"),
              ("Pillow", "9.5.0"), ("Jinja2", "3.1.2"), ("requests", "2.28.0")]


def pip_dist_info(pkgs, site="usr/local/lib/python3.11/dist-packages"):
    """Tar entries of what `pip install` leaves for each (name, version):
    NAME-VERSION.dist-info/{METADATA,WHEEL,INSTALLER,RECORD} plus a package
    directory, the way pip writes them (name kept as the project spells it,
    '-' in the directory name turned into '_')."""
    out = [D("usr/local/lib"), D("usr/local/lib/python3.11"), D(site)]
    for name, version in pkgs:
        dist = "%s-%s.dist-info" % (name.replace("-", "_"), version)
        mod = name.lower().replace("-", "_")
        meta = ("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s for scute tests\n"
                "License: BSD-3-Clause\n\n" % (name, version, name))
        record = "%s/__init__.py,,\n%s/METADATA,,\n%s/RECORD,,\n" % (mod, dist, dist)
        out += [D("%s/%s" % (site, mod)), F("%s/%s/__init__.py" % (site, mod), "# %s\n" % name),
                D("%s/%s" % (site, dist)),
                F("%s/%s/METADATA" % (site, dist), meta),
                F("%s/%s/WHEEL" % (site, dist), "Wheel-Version: 1.0\nGenerator: bdist_wheel\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
                F("%s/%s/INSTALLER" % (site, dist), "pip\n"),
                F("%s/%s/RECORD" % (site, dist), record)]
    return out


def sample_layer():
    return tar_bytes(pip_dist_info(SAMPLE_PIP) + [
        D("app"), D("app/models"),
        F("app/serve.py", SAMPLE_APP, 0o755),
        F("app/requirements.txt", "torch==2.1.0\ntransformers==4.35.0\nsafetensors==0.4.0\n"),
        F("app/models/model.safetensors", safetensors_bytes()),
        F("app/models/model.pt", torch_pt_bytes()),
        F("app/models/legacy.pkl", malicious_pickle_bytes()),
        F("app/config.json", json.dumps({"model_type": "demo", "hidden_size": 64}, indent=2) + "\n"),
    ])


def build_sample(dest):
    """Write the demo OCI layout (tag demo) at dest (must not exist): the
    Debian + python3 image (pydeb) with the fake AI app on top, so that
    /app/serve.py really runs (make demo hardens it with --test-cmd)."""
    src = os.path.join(pydeb(), "oci")
    shutil.copytree(src, dest)
    L = Layout(dest, create=False)

    def cfg_update(cfg):
        c = cfg.setdefault("config", {})
        c["User"] = "root"
        c["Entrypoint"] = ["/usr/bin/python3", "/app/serve.py"]
        c["Cmd"] = ["--port", "8080"]
        c["WorkingDir"] = "/app"
        c["Env"] = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "HF_TOKEN=" + HF_TOKEN, "MODEL_PATH=/app/models/model.safetensors",
                    "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]
        c["ExposedPorts"] = {"8080/tcp": {}}
        c["Labels"] = {"org.opencontainers.image.title": "scute-demo-ai-app",
                       "org.opencontainers.image.description": "Debian 12 with a fake model server"}
    append_layer(L, "pydeb", sample_layer(), "gzip", created_by="pip install -r requirements.txt && COPY app /app",
                 new_ref="demo",
                 config_update=cfg_update)
    idx = L.index()
    idx["manifests"] = [m for m in idx["manifests"] if m["annotations"][REF_ANNOTATION] == "demo"]
    L.write_index(idx)
    L.gc()


def sample(dest):
    """Build the demo image at dest if dest's version stamp is stale; the
    swap is two renames under a lock (dest is never half-written)."""
    dest = os.path.abspath(dest)
    parent = os.path.dirname(dest)
    os.makedirs(parent, exist_ok=True)
    stamp = os.path.join(parent, ".%s.version" % os.path.basename(dest))

    def current():
        try:
            with open(stamp) as f:
                return f.read().strip() == VERSIONS["sample"] and os.path.isdir(dest)
        except OSError:
            return False
    if current():
        return dest
    pydeb()  # build the base outside our lock
    with _locked(os.path.join(parent, ".%s.lock" % os.path.basename(dest))):
        if current():
            return dest
        tmp = tempfile.mkdtemp(prefix=".tmp-", dir=parent)
        try:
            build_sample(os.path.join(tmp, "oci"))
            os.rename(os.path.join(tmp, "oci"), os.path.join(tmp, "new"))
            if os.path.exists(dest):
                os.rename(dest, os.path.join(tmp, "old"))
            os.rename(os.path.join(tmp, "new"), dest)
            with open(stamp + ".tmp", "w") as f:
                f.write(VERSIONS["sample"] + "\n")
            os.rename(stamp + ".tmp", stamp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return dest


# --------------------------------------------------------------------------
# AI-stack distributions installed by pip, at versions the PyPA advisory
# database has advisories for (and two it has none for), on Debian 12.
# tensorflow 2.5.0 meets TensorFlow's multi-window ranges (introduced 0 /
# fixed 2.4.4 / introduced 2.5.0 / fixed 2.5.2 / ...).

PIPAI = [("torch", "1.13.0+cu117"), ("tensorflow", "2.5.0"), ("numpy", "1.16.0"),
         ("Pillow", "9.0.0"), ("mlflow", "2.2.0"), ("gradio", "3.13.0"), ("Jinja2", "2.10"),
         ("langchain", "0.0.171"), ("requests", "2.25.0"), ("scikit-learn", "0.23.0"),
         ("transformers", "4.35.0"), ("safetensors", "0.4.0")]


def pipai():
    """<dir>/oci tag pipai: Debian 12 plus one layer of pip-written dist-info."""
    base = debian()

    def build(tmp):
        lay = os.path.join(tmp, "oci")
        shutil.copytree(os.path.join(base, "oci"), lay)
        L = Layout(lay, create=False)
        append_layer(L, "base", tar_bytes(pip_dist_info(PIPAI)), "gzip",
                     created_by="pip install torch tensorflow ...", new_ref="pipai")
        idx = L.index()
        idx["manifests"] = [m for m in idx["manifests"] if m["annotations"][REF_ANNOTATION] == "pipai"]
        L.write_index(idx)
        L.gc()
    return cached("pipai", build)


# --------------------------------------------------------------------------
# Benchmark image: ~1 GB+ of gzip layers of real files


MB = 1000 * 1000
BENCH_SOURCES = [
    # (layer name, [absolute paths], uncompressed byte budget); missing paths
    # are skipped, so a machine without CUDA gets a smaller image.
    ("rootfs", None, None),                  # the debootstrap tree, whole
    ("usr-lib-gnu", ["/usr/lib/x86_64-linux-gnu"], 700 * MB),
    ("cuda", ["/usr/local/cuda/lib", "/usr/local/cuda/lib64", "/usr/local/cuda/targets",
              "/usr/local/cuda/nvvm", "/usr/local/cuda/bin"], 700 * MB),
    ("usr-share", ["/usr/share"], 600 * MB),
    ("toolchain", ["/usr/lib/llvm-14", "/usr/lib/gcc", "/usr/libexec"], 600 * MB),
    ("python-bin", ["/usr/lib/python3", "/usr/lib/python3.11", "/usr/local/lib", "/usr/bin",
                    "/usr/sbin", "/usr/include"], 500 * MB),
]


def _bench_file_list(paths, budget):
    """Paths (relative to /) for tar -T: parents first, then a sorted walk of
    each source until budget bytes of regular files are taken."""
    out, seen, total = [], set(), 0

    def add(rel):
        if rel not in seen:
            seen.add(rel)
            out.append(rel)
    for src in paths:
        if not os.path.isdir(src) or os.path.islink(src):
            continue
        parts = src.strip("/").split("/")
        for i in range(1, len(parts)):
            add("/".join(parts[:i]))
        for dp, dn, fn in os.walk(src):
            dn.sort()
            add(dp.lstrip("/"))
            for n in sorted(fn):
                p = os.path.join(dp, n)
                st = os.lstat(p)
                if not (os.path.isfile(p) or os.path.islink(p)):
                    continue
                if total >= budget:
                    return out
                add(p.lstrip("/"))
                if not os.path.islink(p):
                    total += st.st_size
    return out


def _bench_layer(tmp, name, paths, budget, rfs):
    """Write <tmp>/<name>.tar.gz; return (path, diff_id) or None."""
    tarp = os.path.join(tmp, name + ".tar")
    if paths is None:
        run("tar", "--numeric-owner", "-cf", tarp, "-C", rfs, ".")
    else:
        files = _bench_file_list(paths, budget)
        if not files:
            return None
        lst = tarp + ".list"
        with open(lst, "w") as f:
            f.write("\n".join(files) + "\n")
        run("tar", "--numeric-owner", "--no-recursion", "--ignore-failed-read", "-cf", tarp,
            "-C", "/", "-T", lst, stderr=subprocess.DEVNULL)
        os.unlink(lst)
    diff_id = file_digest(tarp)
    with open(tarp + ".gz", "wb") as fo:
        run("gzip", "-6", "-n", "-c", tarp, stdout=fo)
    os.unlink(tarp)
    return tarp + ".gz", diff_id


def bench():
    """<dir>/oci: tag bench -> several gzip -6 layers of real files."""
    import concurrent.futures
    rfs = os.path.join(rootfs(), "rootfs")

    def build(tmp):
        L = Layout(os.path.join(tmp, "oci"))
        with concurrent.futures.ThreadPoolExecutor(max(1, min(4, os.cpu_count() or 1))) as ex:
            futs = [(name, ex.submit(_bench_layer, tmp, name, paths, budget, rfs))
                    for name, paths, budget in BENCH_SOURCES]
            results = [(name, f.result()) for name, f in futs]
        descs, diff_ids, hist = [], [], []
        for name, r in results:
            if r is None:
                continue
            d = L.put_file(r[0], MT_LAYER_GZIP, move=True)
            log("bench layer %s: %d bytes" % (name, d["size"]))
            descs.append(d)
            diff_ids.append(r[1])
            hist.append({"created": FIXED_TIME, "created_by": "bench layer " + name})
        cdesc = L.put_json(default_config(diff_ids, history=hist), MT_CONFIG)
        L.tag(L.put_json({"schemaVersion": 2, "mediaType": MT_MANIFEST, "config": cdesc,
                          "layers": descs}, MT_MANIFEST), "bench")
    return cached("bench", build)


# --------------------------------------------------------------------------
# SBOM test images. Each cache dir holds oci/ (the layout) and truth.json
# (what a correct SBOM must list, taken from the tools that installed it).


def _write(root, rel, data, mode=0o644):
    p = os.path.join(root, rel.lstrip("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    os.chmod(p, mode)
    os.utime(p, (FIXED_MTIME, FIXED_MTIME))
    return p


def _debs_cache():
    """Shared .deb cache for debootstrap --cache-dir (pydeb, torch, bench)."""
    d = os.path.join(cache_root(), "debs")
    os.makedirs(d, exist_ok=True)
    return d


def _clean_tree(target):
    """What rootfs() does after debootstrap: no device nodes, no caches/logs."""
    dev = os.path.join(target, "dev")
    for e in os.listdir(dev):
        p = os.path.join(dev, e)
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
        else:
            os.unlink(p)
    for d in ("var/cache/apt/archives", "var/log", "var/lib/apt/lists", "tmp"):
        full = os.path.join(target, d)
        for e in os.listdir(full) if os.path.isdir(full) else []:
            p = os.path.join(full, e)
            if os.path.isfile(p) and not os.path.islink(p):
                os.unlink(p)


def debootstrap_tree(target, include=()):
    """debootstrap --variant=minbase bookworm into target (with the shared
    .deb cache, serialised by a lock), then clean it like rootfs()."""
    argv = ["debootstrap", "--variant=minbase"]
    if include:
        argv.append("--include=" + ",".join(include))
    argv += ["--cache-dir=" + _debs_cache(), "bookworm", target, debian_mirror()]
    with _locked(os.path.join(cache_root(), "debs.lock")):
        try:
            run(*argv, stdout=subprocess.DEVNULL)
        finally:
            for mp in _mounts_under(target):
                run("umount", "-l", mp, check=False)
    _clean_tree(target)


def umoci_image_from_tree(tmp, tree, tag):
    """<tmp>/oci: one umoci layer holding tree, standard e2e config."""
    lay = os.path.join(tmp, "oci")
    img = lay + ":" + tag
    bundle = os.path.join(tmp, "bundle")
    run("umoci", "init", "--layout", lay)
    run("umoci", "new", "--image", img)
    run("umoci", "unpack", "--image", img, bundle)
    run("cp", "-a", tree + "/.", os.path.join(bundle, "rootfs") + "/")
    run("umoci", "repack", "--history.created_by", "rootfs", "--image", img, bundle)
    safe_rmtree(bundle)
    run("umoci", "config", "--image", img, *umoci_config_args())
    run("umoci", "gc", "--layout", lay)
    return lay


def write_truth(d, truth):
    with open(os.path.join(d, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1, sort_keys=True)


def read_truth(d):
    with open(os.path.join(d, "truth.json")) as f:
        return json.load(f)


# ---- Python: hand-written dist-info / egg-info (no pip, no PyPI)

PY_VENV_SITE = "opt/venv/lib/python3.11/site-packages"
PY_LOCAL_SITE = "usr/local/lib/python3.11/dist-packages"

# (site dir, Name as written in METADATA, version, dir-name stem, kind)
FAKE_PY_DISTS = [
    (PY_LOCAL_SITE, "scute-fake-alpha", "1.2.3", "scute_fake_alpha-1.2.3", "dist-info"),
    (PY_LOCAL_SITE, "Scute.Fake_Beta", "0.9.0rc1", "Scute.Fake_Beta-0.9.0rc1", "dist-info"),
    (PY_LOCAL_SITE, "scute-fake-egg", "2024.1", "scute_fake_egg-2024.1", "egg-info"),
    (PY_VENV_SITE, "scute-venv-gamma", "2.0.0.post1", "scute_venv_gamma-2.0.0.post1", "dist-info"),
    (PY_VENV_SITE, "Scute-Venv-Delta", "0.1.0+local.7", "scute_venv_delta-0.1.0+local.7", "dist-info"),
]


def _record_line(rel, data):
    import base64
    h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (rel, h, len(data))


def add_fake_python_dists(root):
    """Write FAKE_PY_DISTS into root as an installer would (METADATA,
    RECORD with real hashes, WHEEL, INSTALLER; egg-info: PKG-INFO), plus
    /opt/venv/pyvenv.cfg."""
    _write(root, "opt/venv/pyvenv.cfg",
           "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n")
    for site, name, ver, stem, kind in FAKE_PY_DISTS:
        mod = re.sub(r"[-.]+", "_", name).lower()
        src = ('"""%s (scute e2e fake distribution)."""\n__version__ = "%s"\n' % (name, ver)).encode()
        _write(root, "%s/%s/__init__.py" % (site, mod), src)
        meta = ("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: scute e2e fake package %s\n"
                "Home-page: https://example.invalid/%s\nAuthor: scute e2e\nLicense: MIT\n"
                "Requires-Python: >=3.8\n%s\nLong description of %s.\n"
                % (name, ver, name, mod, "Requires-Dist: requests (>=2.0)\n" if "alpha" in mod else "",
                   name))
        if kind == "egg-info":
            _write(root, "%s/%s.egg-info/PKG-INFO" % (site, stem), meta)
            _write(root, "%s/%s.egg-info/top_level.txt" % (site, stem), mod + "\n")
            continue
        di = "%s.dist-info" % stem
        files = {
            "%s/__init__.py" % mod: src,
            "%s/METADATA" % di: meta.encode(),
            "%s/WHEEL" % di: b"Wheel-Version: 1.0\nGenerator: hand (scute e2e)\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
            "%s/INSTALLER" % di: b"pip\n",
            "%s/top_level.txt" % di: (mod + "\n").encode(),
        }
        for rel, data in files.items():
            if not rel.startswith(mod + "/"):
                _write(root, "%s/%s" % (site, rel), data)
        rec = "\n".join(_record_line(r, d) for r, d in sorted(files.items())) + "\n%s/RECORD,,\n" % di
        _write(root, "%s/%s/RECORD" % (site, di), rec)


DPKG_QUERY_FMT = "${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n"

PY_TRUTH = r'''
import importlib.metadata as m, json, sys
paths = sys.path + ["/opt/venv/lib/python3.11/site-packages"]
out = []
for d in m.distributions(path=paths):
    out.append({"name": d.metadata["Name"], "version": d.version,
                "path": str(getattr(d, "_path", ""))})
print(json.dumps(out))
'''


def debian_truth(root):
    """dpkg-query and importlib.metadata run inside root (chroot)."""
    pkgs = []
    out = run("chroot", root, "dpkg-query", "-W", "-f", DPKG_QUERY_FMT,
              stdout=subprocess.PIPE).stdout.decode()
    for line in out.splitlines():
        st, name, ver, arch, src, srcver = line.split("\t")
        if not st.startswith("ii"):
            continue
        pkgs.append({"name": name, "version": ver, "arch": arch, "source": src, "sourceVersion": srcver})
    py = json.loads(run(shutil.which("chroot") or "/usr/sbin/chroot", root, "/usr/bin/python3", "-I", "-c", PY_TRUTH,
                        stdout=subprocess.PIPE, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}).stdout)
    # importlib lists a distribution once per path entry it is found on.
    seen, pyd = set(), []
    for d in py:
        k = (d["name"], d["version"], d["path"])
        if k not in seen:
            seen.add(k)
            pyd.append(d)
    osr = {}
    with open(os.path.join(root, "usr/lib/os-release")) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                osr[k] = v.strip('"')
    return {"dpkg": sorted(pkgs, key=lambda p: p["name"]), "python": pyd,
            "elf": elf_truth(root),
            "os": {"id": osr.get("ID"), "versionId": osr.get("VERSION_ID"),
                   "codename": osr.get("VERSION_CODENAME"), "prettyName": osr.get("PRETTY_NAME")},
            "fakePython": [{"site": s, "name": n, "version": v, "kind": k} for s, n, v, _, k in FAKE_PY_DISTS]}


def _canon(root, rel):
    """rel (no leading '/') with symlinked parent dirs resolved inside root
    (merged /usr: lib/x -> usr/lib/x); the last component is kept."""
    d, b = os.path.split(rel)
    parts, out = [p for p in d.split("/") if p], []
    hops = 0
    while parts:
        p = parts.pop(0)
        full = os.path.join(root, *(out + [p]))
        if os.path.islink(full) and hops < 40:
            hops += 1
            t = os.readlink(full)
            if t.startswith("/"):
                out = []
            parts = [x for x in t.split("/") if x] + parts
            continue
        if p == "..":
            out = out[:-1]
        elif p != ".":
            out.append(p)
    return "/".join(out + [b])


def elf_truth(root):
    """{path: owned-by-a-dpkg-package} for every regular ELF file in root
    (paths without leading '/', parents canonical as in the image)."""
    owned = set()
    info = os.path.join(root, "var/lib/dpkg/info")
    for n in os.listdir(info):
        if n.endswith(".list"):
            with open(os.path.join(info, n), errors="surrogateescape") as f:
                for line in f:
                    line = line.rstrip("\n").lstrip("/")
                    if line:
                        owned.add(_canon(root, line))
    out = {}
    for dp, dn, fn in os.walk(root):
        if dp == root:
            dn[:] = [d for d in dn if d not in ("proc", "sys", "dev")]
        for n in fn:
            p = os.path.join(dp, n)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            with open(p, "rb") as f:
                if f.read(4) != b"\x7fELF":
                    continue
            rel = os.path.relpath(p, root)
            out[rel] = rel in owned
    return out


def readelf_dynamic(root, paths):
    """{path: {"needed": [...], "soname", "rpath", "runpath"}} from binutils'
    `readelf -dW` run on root/path for each path (no leading '/')."""
    out = {}
    paths = sorted(paths)
    for i in range(0, len(paths), 200):
        chunk = paths[i:i + 200]
        argv = ["readelf", "-dW"] + [os.path.join(root, p) for p in chunk]
        if len(chunk) == 1:
            argv.append("/dev/null")  # force "File:" headers
        text = run(*argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                   check=False).stdout.decode("utf-8", "surrogateescape")
        cur = None
        for line in text.splitlines():
            if line.startswith("File: "):
                cur = os.path.relpath(line[6:], root)
                out[cur] = {"needed": [], "soname": None, "rpath": None, "runpath": None}
                continue
            m = re.search(r"\((NEEDED|SONAME|RPATH|RUNPATH)\)\s+[^\[]*\[(.*)\]\s*$", line)
            if m and cur in out:
                k, v = m.group(1).lower(), m.group(2)
                if k == "needed":
                    out[cur]["needed"].append(v)
                else:
                    out[cur][k] = v
    return out


def elf_dynamic_truth(tree_dir):
    """Cached readelf truth for the tree <tree_dir>/rootfs (a cache dir of
    rootfs(), pyroot() or torchroot()): {path: dynamic facts}."""
    rfs = os.path.join(tree_dir, "rootfs")
    name = "readelf-" + os.path.basename(tree_dir)

    def build(tmp):
        elves = elf_truth(rfs)
        write_truth(tmp, readelf_dynamic(rfs, list(elves)))
    return read_truth(cached(name, build, version="1"))


PYDEB_INCLUDE = ["python3-numpy", "python3-requests", "python3-yaml", "python3-six", "python3-attr",
                 "python3-jinja2", "python3-packaging", "python3-click", "python3-certifi"]


def add_unpackaged_elf(root):
    """ELF files no package owns: a copied executable and a copied library
    under /usr/local (what `make install` or a COPY leaves behind)."""
    shutil.copy2(os.path.join(root, "usr/bin/true"), os.path.join(root, "usr/local/bin/scute-unpackaged"))
    lib = sorted(n for n in os.listdir(os.path.join(root, "usr/lib/x86_64-linux-gnu"))
                 if re.match(r"^libz\.so\.1\.[0-9.]+$", n))[0]
    shutil.copy2(os.path.join(root, "usr/lib/x86_64-linux-gnu", lib),
                 os.path.join(root, "usr/local/lib/libscute-unpackaged.so.1"))


def _py_tree(name, include):
    def build(tmp):
        target = os.path.join(tmp, "rootfs")
        debootstrap_tree(target, include)
        add_fake_python_dists(target)
        add_unpackaged_elf(target)
        write_truth(tmp, debian_truth(target))
    return cached(name, build)


def pyroot():
    """Cached tree: <dir>/rootfs (+ truth.json)."""
    return _py_tree("pyroot", PYDEB_INCLUDE)


def torchroot():
    """Cached tree: pyroot's packages plus python3-torch (+ truth.json)."""
    return _py_tree("torchroot", PYDEB_INCLUDE + ["python3-torch"])


def pydeb():
    """<dir>/oci tag pydeb (one layer), <dir>/truth.json."""
    src = pyroot()

    def build(tmp):
        umoci_image_from_tree(tmp, os.path.join(src, "rootfs"), "pydeb")
        shutil.copy(os.path.join(src, "truth.json"), tmp)
    return cached("pydeb", build)


def torch():
    """<dir>/oci tag torch: pydeb's layer plus a second layer that turns
    it into the torchroot tree (umoci diff); <dir>/truth.json."""
    base = pydeb()
    src = torchroot()

    def build(tmp):
        lay = os.path.join(tmp, "oci")
        shutil.copytree(os.path.join(base, "oci"), lay)
        run("umoci", "tag", "--image", lay + ":pydeb", "torch")
        run("umoci", "rm", "--image", lay + ":pydeb")
        bundle = os.path.join(tmp, "bundle")
        run("umoci", "unpack", "--image", lay + ":torch", bundle)
        rfs = os.path.join(bundle, "rootfs")
        for e in os.listdir(rfs):
            p = os.path.join(rfs, e)
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            else:
                os.unlink(p)
        run("cp", "-a", os.path.join(src, "rootfs") + "/.", rfs + "/")
        run("umoci", "repack", "--history.created_by", "apt-get install python3-torch",
            "--image", lay + ":torch", bundle)
        safe_rmtree(bundle)
        run("umoci", "config", "--image", lay + ":torch", "--created", FIXED_TIME)
        run("umoci", "gc", "--layout", lay)
        shutil.copy(os.path.join(src, "truth.json"), tmp)
    return cached("torch", build)


# ---- npm

NPM_PACKAGES = ["lodash@4.17.21", "express@4.18.2", "@types/node@20.11.5", "@sindresorhus/is@4.6.0"]
NPM_APP = "app"


def npm_tree_truth(nm_root):
    """[{name, version, path}] for every installed package below
    <nm_root>/node_modules, walking the tree as node does (scoped dirs,
    nested node_modules)."""
    out = []

    def walk(nm, rel):
        if not os.path.isdir(nm):
            return
        for e in sorted(os.listdir(nm)):
            if e.startswith("."):
                continue
            dirs = [e] if not e.startswith("@") else [e + "/" + s for s in sorted(os.listdir(os.path.join(nm, e)))]
            for d in dirs:
                pj = os.path.join(nm, d, "package.json")
                if not os.path.isfile(pj):
                    continue
                with open(pj) as f:
                    j = json.load(f)
                out.append({"name": j["name"], "version": j["version"],
                            "path": "%s/node_modules/%s/package.json" % (rel, d)})
                walk(os.path.join(nm, d, "node_modules"), "%s/node_modules/%s" % (rel, d))
    walk(os.path.join(nm_root, "node_modules"), NPM_APP)
    return out


def npm():
    """<dir>/oci tag npm: one layer with /app/{package.json,node_modules};
    truth.json: the installed tree and `npm ls --all --json`."""
    def build(tmp):
        app = os.path.join(tmp, "work", NPM_APP)
        os.makedirs(app)
        with open(os.path.join(app, "package.json"), "w") as f:
            json.dump({"name": "scute-e2e-app", "version": "0.0.0", "private": True}, f)
        env = dict(os.environ, npm_config_cache=os.path.join(tmp, "npm-cache"),
                   npm_config_update_notifier="false")
        run("npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--save-exact",
            *NPM_PACKAGES, cwd=app, env=env, stdout=subprocess.DEVNULL)
        ls = run("npm", "ls", "--all", "--json", cwd=app, env=env, stdout=subprocess.PIPE, check=False).stdout
        truth = {"tree": npm_tree_truth(app), "npmLs": json.loads(ls), "root": "scute-e2e-app",
                 "npmVersion": run("npm", "--version", stdout=subprocess.PIPE, env=env).stdout.decode().strip()}
        tarp = os.path.join(tmp, "layer.tar")
        run("tar", "--numeric-owner", "--owner=0", "--group=0", "--sort=name",
            "--mtime=@%d" % FIXED_MTIME, "-cf", tarp, "-C", os.path.join(tmp, "work"), NPM_APP)
        with open(tarp, "rb") as f:
            layer = f.read()
        write_image(Layout(os.path.join(tmp, "oci")), [layer], ref="npm")
        shutil.rmtree(os.path.join(tmp, "work"))
        shutil.rmtree(os.path.join(tmp, "npm-cache"), ignore_errors=True)
        os.unlink(tarp)
        write_truth(tmp, truth)
    return cached("npm", build)


# ---- rpm

# (name, epoch or None, version, release, arch, license, summary)
RPM_PACKAGES = [
    ("scute-tiny", None, "1.0.0", "1", "x86_64", "MIT", "A tiny test package"),
    ("scute-epoch", 2, "3.4", "5.el9", "noarch", "Apache-2.0", "A package with an epoch"),
    ("scute-lib", None, "0.9~beta1", "0.1", "x86_64", "BSD-3-Clause", "A library-like package"),
]


def _rpm_spec(name, epoch, ver, rel, arch, lic, summ):
    return ("Name: %s\n%sVersion: %s\nRelease: %s\nSummary: %s\nLicense: %s\nBuildArch: %s\n"
            "%%description\n%s (scute e2e).\n"
            "%%install\nmkdir -p %%{buildroot}/usr/share/%s\n"
            "echo %s > %%{buildroot}/usr/share/%s/README\n"
            "%%files\n/usr/share/%s/README\n"
            % (name, "Epoch: %d\n" % epoch if epoch is not None else "", ver, rel, summ, lic, arch,
               summ, name, name, name, name))


def rpm():
    """<dir>/oci tag rpm: one layer with /var/lib/rpm/rpmdb.sqlite and the
    installed files; truth.json from `rpm -qa`."""
    def build(tmp):
        top = os.path.join(tmp, "rpmbuild")
        root = os.path.join(tmp, "root")
        os.makedirs(root)
        _write(root, "etc/os-release", 'NAME="Scute RPM Test"\nID=rhel\nVERSION_ID="9.3"\n'
               'PRETTY_NAME="Scute RPM test (RHEL-like)"\nID_LIKE="fedora"\n')
        defs = ["--define", "_topdir " + top, "--define", "_db_backend sqlite",
                "--define", "_build_id_links none", "--define", "__os_install_post %{nil}"]
        rpms = []
        for p in RPM_PACKAGES:
            spec = os.path.join(tmp, p[0] + ".spec")
            with open(spec, "w") as f:
                f.write(_rpm_spec(*p))
            run("rpmbuild", "-bb", "--quiet", *defs, spec, stdout=subprocess.DEVNULL)
        for dp, _, fn in os.walk(os.path.join(top, "RPMS")):
            rpms += [os.path.join(dp, n) for n in fn if n.endswith(".rpm")]
        run("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "--define", "_db_backend sqlite",
            "-i", "--nodeps", "--ignorearch", "--ignoreos", "--noscripts", *sorted(rpms))
        q = run("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "--define", "_db_backend sqlite", "-qa",
                "--qf", "%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\t%{ARCH}\t%{LICENSE}\t%{SOURCERPM}\n",
                stdout=subprocess.PIPE).stdout.decode()
        truth = []
        for line in q.splitlines():
            n, evr, a, lic, srpm = line.split("\t")
            truth.append({"name": n, "evr": evr, "arch": a, "license": lic, "sourceRpm": srpm})
        if not os.path.isfile(os.path.join(root, "var/lib/rpm/rpmdb.sqlite")):
            raise RuntimeError("rpm did not write var/lib/rpm/rpmdb.sqlite")
        for e in os.listdir(os.path.join(root, "var/lib/rpm")):    # sqlite side files
            if e.endswith(("-shm", "-wal")) or e.startswith("."):
                os.unlink(os.path.join(root, "var/lib/rpm", e))
        umoci_image_from_tree(tmp, root, "rpm")
        safe_rmtree(root)
        shutil.rmtree(top)
        write_truth(tmp, {"rpm": sorted(truth, key=lambda t: t["name"])})
    return cached("rpm", build)


# ---- model files, written per their specs

def safetensors_file(tensors, metadata=None):
    """tensors: [(name, dtype, shape)]; deterministic data. Spec:
    https://github.com/huggingface/safetensors#format"""
    size = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I8": 1, "U8": 1, "BOOL": 1}
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, dt, shape in tensors:
        n = size[dt]
        for d in shape:
            n *= d
        header[name] = {"dtype": dt, "shape": list(shape), "data_offsets": [off, off + n]}
        blobs.append(det_bytes(n, name.encode()))
        off += n
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * (-len(hb) % 8)
    return struct.pack("<Q", len(hb)) + hb + b"".join(blobs)


def _gguf_str(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def _gguf_kv(key, typ, value):
    out = _gguf_str(key) + struct.pack("<I", typ)
    if typ == 8:
        return out + _gguf_str(value)
    if typ == 4:
        return out + struct.pack("<I", value)
    if typ == 6:
        return out + struct.pack("<f", value)
    if typ == 10:
        return out + struct.pack("<Q", value)
    if typ == 9:                         # array of strings
        return out + struct.pack("<IQ", 8, len(value)) + b"".join(_gguf_str(v) for v in value)
    raise ValueError(typ)


# ggml type -> (block elements, block bytes)
GGML_TYPES = {0: (1, 4), 1: (1, 2), 12: (256, 144), 14: (256, 210)}


def gguf_file(kvs, tensors, alignment=32):
    """GGUF v3 (https://github.com/ggerganov/ggml/blob/master/docs/gguf.md).
    kvs: [(key, type, value)]; tensors: [(name, [ne0, ne1, ...], ggml_type)]."""
    hdr = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs))
    hdr += b"".join(_gguf_kv(*kv) for kv in kvs)
    infos, datas, off = b"", [], 0
    for name, dims, typ in tensors:
        n = 1
        for d in dims:
            n *= d
        be, bb = GGML_TYPES[typ]
        nbytes = n // be * bb
        infos += _gguf_str(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        infos += struct.pack("<IQ", typ, off)
        data = det_bytes(nbytes, name.encode())
        data += b"\0" * (-len(data) % alignment)
        datas.append(data)
        off += len(data)
    out = hdr + infos
    out += b"\0" * (-len(out) % alignment)
    return out + b"".join(datas)


def npy_file(shape, descr="<f4"):
    """NumPy .npy format 1.0 (numpy/lib/format.py)."""
    n = 1
    for d in shape:
        n *= d
    item = int(descr[2:])
    shp = repr(tuple(shape))
    h = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shp)
    h += " " * (-(10 + len(h) + 1) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + det_bytes(n * item, b"npy")


def _pb_varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _pb(field, value):
    """One protobuf field: int -> varint, bytes/str -> length-delimited."""
    if isinstance(value, int):
        return _pb_varint(field << 3) + _pb_varint(value)
    if isinstance(value, str):
        value = value.encode()
    return _pb_varint(field << 3 | 2) + _pb_varint(len(value)) + value


def onnx_file():
    """A one-MatMul ONNX ModelProto (onnx/onnx.proto), hand-encoded:
    Y[1,2] = X[1,4] @ W[4,2], W an 8-float initializer."""
    def vi(name, dims):
        shape = b"".join(_pb(1, _pb(1, d)) for d in dims)                     # dim { dim_value }
        return _pb(1, name) + _pb(2, _pb(1, _pb(1, 1) + _pb(2, shape)))      # type.tensor_type
    w = _pb(1, 4) + _pb(1, 2) + _pb(2, 1) + _pb(8, "W") + _pb(9, struct.pack("<8f", *[i / 8 for i in range(8)]))
    node = _pb(1, "X") + _pb(1, "W") + _pb(2, "Y") + _pb(3, "matmul0") + _pb(4, "MatMul")
    graph = _pb(1, node) + _pb(2, "scute-tiny") + _pb(5, w) + _pb(11, vi("X", [1, 4])) + _pb(12, vi("Y", [1, 2]))
    return (_pb(1, 8) + _pb(2, "scute-e2e") + _pb(3, "1.0") + _pb(7, graph)
            + _pb(8, _pb(1, "") + _pb(2, 17)))


def torch_zip_file(prefix="archive"):
    """torch.save()'s zip layout (<prefix>/data.pkl, data/0, version,
    byteorder), the pickle written opcode by opcode (protocol 2)."""
    storage = struct.pack("<6f", *[i / 6 for i in range(6)])
    p = bytearray(b"\x80\x02")
    p += b"ccollections\nOrderedDict\n)R"
    p += _binunicode("linear.weight")
    p += b"ctorch._utils\n_rebuild_tensor_v2\n("
    p += b"(" + _binunicode("storage") + b"ctorch\nFloatStorage\n" + _binunicode("0") \
        + _binunicode("cpu") + b"K\x06tQ"
    p += b"K\x00" + b"K\x02K\x03\x86" + b"K\x03K\x01\x86" + b"\x89" + b"ccollections\nOrderedDict\n)R"
    p += b"tR" + b"s."
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", zipfile.ZIP_STORED) as z:
        for name, data in (("data.pkl", bytes(p)), ("byteorder", b"little"), ("data/0", storage),
                           ("version", b"3\n")):
            z.writestr(zipfile.ZipInfo(prefix + "/" + name, (2024, 1, 2, 3, 4, 6)), data)
    return bio.getvalue()


def evil_pickle_file():
    """GLOBAL os.system + REDUCE (protocol 4 header): runs a command if
    loaded. Only ever written, never loaded."""
    return b"\x80\x04cos\nsystem\n" + _binunicode("echo pwned-by-scute-e2e") + b"\x85R."


HF_CONFIG = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64,
             "intermediate_size": 128, "num_attention_heads": 4, "num_hidden_layers": 1,
             "vocab_size": 32, "max_position_embeddings": 2048, "torch_dtype": "float16",
             "transformers_version": "4.38.2"}
HF_TOKENIZER = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": [
    {"id": 0, "content": "<unk>", "single_word": False, "lstrip": False, "rstrip": False,
     "normalized": False, "special": True}],
    "normalizer": None, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False,
                                          "trim_offsets": True, "use_regex": True},
    "post_processor": None, "decoder": None,
    "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
              "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
              "vocab": {"<unk>": 0, "a": 1, "b": 2, "ab": 3}, "merges": ["a b"]}}


def model_files():
    """[(path, bytes, facts)] of the models image; facts are the fields
    scute's models[] entry must carry (besides path, size, sha256)."""
    st_tensors = [("model.embed_tokens.weight", "F16", (32, 64)), ("model.norm.weight", "F16", (64,)),
                  ("lm_head.weight", "BF16", (32, 64)), ("model.layers.0.mlp.up_proj.weight", "F32", (128, 64))]
    st_params = sum(_prod(s) for _, _, s in st_tensors)
    gg_tensors = [("token_embd.weight", [64, 32], 1), ("blk.0.attn_q.weight", [256, 2], 12),
                  ("blk.0.ffn_down.weight", [256, 1], 14), ("output_norm.weight", [64], 0)]
    gg_params = sum(_prod(d) for _, d, _ in gg_tensors)
    gg_kvs = [("general.architecture", 8, "llama"), ("general.name", 8, "scute-tiny"),
              ("general.alignment", 4, 32), ("general.file_type", 4, 15),
              ("llama.context_length", 4, 2048), ("llama.embedding_length", 4, 64),
              ("llama.block_count", 4, 1), ("llama.attention.head_count", 4, 4),
              ("llama.rope.freq_base", 6, 10000.0),
              ("tokenizer.ggml.model", 8, "llama"), ("tokenizer.ggml.tokens", 9, ["<unk>", "a", "b", "ab"])]
    import pickle
    plain = pickle.dumps({"weights": [0.5, 0.25, 0.125], "epoch": 3, "name": "scute-tiny"}, protocol=4)
    return [
        ("models/llama-tiny/model.safetensors",
         safetensors_file(st_tensors, {"format": "pt"}),
         {"format": "safetensors", "pickleBased": False, "parameters": st_params}),
        ("models/llama-tiny/config.json", (json.dumps(HF_CONFIG, indent=2) + "\n").encode(),
         {"format": "model-config", "pickleBased": False, "architecture": "LlamaForCausalLM"}),
        ("models/llama-tiny/tokenizer.json", json.dumps(HF_TOKENIZER).encode(),
         {"format": "tokenizer", "pickleBased": False}),
        ("models/gguf/scute-tiny-Q4_K_M.gguf", gguf_file(gg_kvs, gg_tensors),
         {"format": "gguf", "pickleBased": False, "architecture": "llama", "quantization": "Q4_K_M",
          "parameters": gg_params}),
        ("models/onnx/tiny.onnx", onnx_file(), {"format": "onnx", "pickleBased": False}),
        ("models/numpy/weights.npy", npy_file((3, 4)), {"format": "numpy", "pickleBased": False}),
        ("models/pickle/state.pkl", plain, {"format": "pickle", "pickleBased": True}),
        ("models/pickle/evil.pkl", evil_pickle_file(), {"format": "pickle", "pickleBased": True}),
        ("models/torch/checkpoint.pt", torch_zip_file("checkpoint"),
         {"format": "pytorch-zip", "pickleBased": True}),
    ]


def _prod(dims):
    n = 1
    for d in dims:
        n *= d
    return n


def _torch_save_bytes():
    """A real torch.save() checkpoint made by Debian's python3-torch: the
    host's when torch is importable there, else the one inside the cached
    torchroot tree (run in a chroot), so every machine that runs the suite
    gets the real format. None only if neither works."""
    code = ("import io, sys, torch\n"
            "torch.manual_seed(0)\n"
            "sd = {'fc.weight': torch.arange(12, dtype=torch.float32).reshape(3, 4), 'fc.bias': torch.zeros(3)}\n"
            "b = io.BytesIO(); torch.save(sd, b); sys.stdout.buffer.write(b.getvalue())\n")
    cmds = [["/usr/bin/python3", "-c", code]]
    try:
        root = os.path.join(torchroot(), "rootfs")
        # torch opens /dev/urandom and the tree has an empty /dev: bind the
        # host's /dev in a private mount namespace (gone when the command ends).
        cmds.append(["unshare", "-m", "sh", "-c", 'mount --bind /dev "$0/dev" && exec chroot "$0" "$@"',
                     root, "/usr/bin/python3", "-c", code])
    except Exception as e:  # noqa: BLE001 - building the tree needs the Debian mirror
        log("torchroot unavailable for torch.save: %s" % e)
    for cmd in cmds:
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=300)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if p.returncode == 0 and p.stdout.startswith(b"PK"):
            return p.stdout
    return None


def _check_with_libraries(files, tmp):
    """Where numpy / onnx are importable on the host, check our hand-written
    files load (best effort: the files follow the specs either way)."""
    code = ("import sys\nimport numpy\n"
            "a = numpy.load(sys.argv[1], allow_pickle=False)\nassert a.shape == (3, 4), a.shape\n")
    d = dict((p, b) for p, b, _ in files)
    npy = os.path.join(tmp, "check.npy")
    with open(npy, "wb") as f:
        f.write(d["models/numpy/weights.npy"])
    p = subprocess.run(["/usr/bin/python3", "-c", code, npy], stderr=subprocess.PIPE)
    if p.returncode and b"No module named" not in p.stderr:
        raise RuntimeError("numpy rejects our .npy: " + p.stderr.decode())
    onnxp = os.path.join(tmp, "check.onnx")
    with open(onnxp, "wb") as f:
        f.write(d["models/onnx/tiny.onnx"])
    code = "import sys, onnx\nonnx.checker.check_model(onnx.load(sys.argv[1]))\n"
    p = subprocess.run(["/usr/bin/python3", "-c", code, onnxp], stderr=subprocess.PIPE)
    if p.returncode and b"No module named" not in p.stderr:
        raise RuntimeError("onnx rejects our model: " + p.stderr.decode())
    os.unlink(npy)
    os.unlink(onnxp)


def models():
    """<dir>/oci tag models: layer 1 the model files (and one that layer 2
    deletes), layer 2 a whiteout; truth.json {"models": {path: facts}}."""
    def build(tmp):
        files = model_files()
        real = _torch_save_bytes()
        if real:
            files.append(("models/torch/real-torch-save.pt", real, {"format": "pytorch-zip", "pickleBased": True}))
        _check_with_libraries(files, tmp)
        deleted = ("models/old/deleted.safetensors", safetensors_file([("w", "F32", (4, 4))]))
        dirs = sorted({os.path.dirname(p) for p, _, _ in files} | {"models/old"})
        ents = [D("models")] + [D(d) for d in dirs if d != "models"]
        ents += [F(p, b) for p, b, _ in files] + [F(*deleted)]
        top = tar_bytes([D("models"), D("models/old"), WH(deleted[0])])
        write_image(Layout(os.path.join(tmp, "oci")), [tar_bytes(ents), top], ref="models")
        truth = {}
        for p, b, facts in files:
            truth[p] = dict(facts, size=len(b), sha256=sha256_hex(b))
        write_truth(tmp, {"models": truth, "deleted": [deleted[0]], "realTorchSave": bool(real)})
    return cached("models", build)


# ---- hostile catalog inputs (the SBOM "Bad input" list)

HOSTILE_FIELD = 100 * 1000 * 1000


def sbom_hostile():
    """<dir>/oci tag hostile. truth.json: {"hostile": [paths that must get
    a note], "good": {"pypi": [...], "npm": [...], "models": [...]}}."""
    def build(tmp):
        big = b"Package: hugefield\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n" \
              b"Description: " + b"a" * HOSTILE_FIELD + b"\n\n"
        status = (b"Package: gooddeb\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n"
                  b"Description: fine\n\n") + big + \
                 (b"Package: gooddeb2\nStatus: install ok installed\nVersion: 2.0-1\nArchitecture: all\n"
                  b"Description: fine too\n\n")
        good_meta = "Metadata-Version: 2.1\nName: goodpy\nVersion: 2.0\nSummary: fine\n"
        bad_meta = b"Metadata-Version: 2.1\nName: bad\xff\xfeutf8\nVersion: 1.\xc3\x28\nSummary: \xed\xa0\x80\x80\n"
        gguf = b"GGUF" + struct.pack("<IQQ", 3, 0, 1 << 40) + _gguf_kv("general.architecture", 8, "llama")
        st = struct.pack("<Q", 1 << 63) + b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'
        endless = b"\x80\x04" + b"]" + b"K\x01a" * (4 << 20)             # APPENDs, no STOP, ever
        sp = "usr/lib/python3/dist-packages"
        hostile = {
            "var/lib/dpkg/status": status,
            sp + "/badutf8-1.0.dist-info/METADATA": bad_meta,
            "models/bad-header.safetensors": st,
            "models/many-kv.gguf": gguf,
            "models/endless.pkl": endless,
        }
        good = {
            "etc/os-release": b'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
            sp + "/goodpy-2.0.dist-info/METADATA": good_meta.encode(),
            sp + "/goodpy-2.0.dist-info/RECORD": b"goodpy-2.0.dist-info/METADATA,,\n",
            "app/node_modules/goodnpm/package.json": b'{"name": "goodnpm", "version": "1.2.3"}\n',
            "models/good.safetensors": safetensors_bytes(),
        }
        allf = dict(good, **hostile)
        dirs = set()
        for p in allf:
            parts = p.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:i]))
        ents = [D(d) for d in sorted(dirs)] + [F(p, allf[p]) for p in sorted(allf)]
        write_image(Layout(os.path.join(tmp, "oci")), [tar_bytes(ents)], ref="hostile")
        write_truth(tmp, {"hostile": sorted(hostile), "good": {
            "pypi": ["goodpy"], "npm": ["goodnpm"], "models": ["models/good.safetensors"],
            "deb": ["gooddeb", "gooddeb2"]}})
    return cached("sbom-hostile", build)


# ---- benchmark image for bench/sbom.sh

BENCH_SBOM_MODEL_BYTES = 500 * MB


def _random_safetensors(path, total, seed):
    """A safetensors file of about `total` bytes of pseudo-random F16 data,
    written in 16 MB chunks (random.Random: fast and deterministic)."""
    import random
    rng = random.Random(seed)
    per = 64 * 1024 * 1024                                # bytes per tensor
    n = max(1, total // per)
    tensors = [("model.layers.%d.mlp.weight" % i, "F16", (per // 2 // 4096, 4096)) for i in range(n)]
    header, off = {"__metadata__": {"format": "pt"}}, 0
    for name, dt, shape in tensors:
        header[name] = {"dtype": dt, "shape": list(shape), "data_offsets": [off, off + per]}
        off += per
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * (-len(hb) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)) + hb)
        for _ in range(n * 4):
            f.write(rng.randbytes(per // 4))


def _tar_gz_dir(tmp, name, base, members):
    """<tmp>/<name>.tar.gz of members (relative to base); (path, diff_id)."""
    tarp = os.path.join(tmp, name + ".tar")
    run("tar", "--numeric-owner", "--sort=name", "-cf", tarp, "-C", base, *members)
    diff_id = file_digest(tarp)
    with open(tarp + ".gz", "wb") as fo:
        run("gzip", "-6", "-n", "-c", tarp, stdout=fo)
    os.unlink(tarp)
    return tarp + ".gz", diff_id


def bench_sbom():
    """<dir>/oci tag bench: torchroot (Debian + python3-torch), CUDA
    libraries from /usr/local/cuda/lib64 if present, a 500 MB safetensors
    + GGUF + config, an app layer with the fake dists; gzip -6."""
    import concurrent.futures
    src = os.path.join(torchroot(), "rootfs")

    def build(tmp):
        stage = os.path.join(tmp, "stage")
        mdir = os.path.join(stage, "models", "opt", "models", "llm")
        os.makedirs(mdir)
        _random_safetensors(os.path.join(mdir, "model.safetensors"), BENCH_SBOM_MODEL_BYTES, 1)
        with open(os.path.join(mdir, "config.json"), "w") as f:
            json.dump(HF_CONFIG, f, indent=2)
        for p, b, _ in model_files():
            if p.endswith((".gguf", ".onnx", ".pkl", ".pt", "tokenizer.json")):
                _write(os.path.join(stage, "models"), "opt/models/small/" + os.path.basename(p), b)
        jobs = [("rootfs", src, ["."])]
        cuda = "/usr/local/cuda/lib64"
        if os.path.isdir(cuda):
            cstage = os.path.join(stage, "cuda")
            os.makedirs(os.path.join(cstage, "usr/local/cuda/lib64"))
            run("cp", "-a", os.path.realpath(cuda) + "/.", os.path.join(cstage, "usr/local/cuda/lib64") + "/")
            jobs.append(("cuda", cstage, ["usr"]))
        jobs.append(("models", os.path.join(stage, "models"), ["opt"]))
        with concurrent.futures.ThreadPoolExecutor(max(1, min(3, os.cpu_count() or 1))) as ex:
            futs = [(n, ex.submit(_tar_gz_dir, tmp, n, b, m)) for n, b, m in jobs]
            results = [(n, f.result()) for n, f in futs]
        L = Layout(os.path.join(tmp, "oci"))
        descs, diff_ids, hist = [], [], []
        for n, (path, did) in results:
            d = L.put_file(path, MT_LAYER_GZIP, move=True)
            log("bench-sbom layer %s: %d bytes" % (n, d["size"]))
            descs.append(d)
            diff_ids.append(did)
            hist.append({"created": FIXED_TIME, "created_by": "bench-sbom layer " + n})
        cdesc = L.put_json(default_config(diff_ids, history=hist), MT_CONFIG)
        L.tag(L.put_json({"schemaVersion": 2, "mediaType": MT_MANIFEST, "config": cdesc,
                          "layers": descs}, MT_MANIFEST), "bench")
        safe_rmtree(stage)
    return cached("bench-sbom", build)


BUILDERS = {"rootfs": rootfs, "debian": debian, "layers": layers, "zstd": zstd,
            "zstd-layers": zstd_layers, "index": index, "million": million, "bench": bench,
            "pyroot": pyroot, "pydeb": pydeb, "torchroot": torchroot, "torch": torch, "npm": npm,
            "rpm": rpm, "models": models, "sbom-hostile": sbom_hostile, "bench-sbom": bench_sbom,
            "pipai": pipai}


def main(argv):
    if len(argv) == 3 and argv[1] == "sample":
        print(sample(argv[2]))
        return 0
    if len(argv) == 2 and argv[1] in BUILDERS:
        print(BUILDERS[argv[1]]())
        return 0
    if len(argv) == 2 and argv[1] == "all":
        for n in ("debian", "layers", "zstd", "zstd-layers", "index", "million"):
            print(BUILDERS[n]())
        return 0
    print("usage: images.py {%s|all} | images.py sample DEST" % "|".join(BUILDERS), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))


# --------------------------------------------------------------------------
# A CUDA layout image: the host's CUDA toolkit libraries in an image


CUDA_HOME = "/usr/local/cuda"
CUDA_LIB_GLOBS = ["libcudart.so*", "libcublas.so*", "libcublasLt.so*", "libcudnn*.so*", "libnvvm.so*"]

CUDATEST_SRC = r"""
#include <cuda_runtime_api.h>
#include <dlfcn.h>
#include <stdio.h>

/* Links libcudart; dlopens each library named on the command line the way
   frameworks do.  Needs no GPU: nothing is launched. */
int main(int argc, char **argv)
{
	int v = 0, bad = 0, i;

	cudaRuntimeGetVersion(&v);
	printf("cudart %d\n", v);
	for (i = 1; i < argc; i++) {
		void *h = dlopen(argv[i], RTLD_LAZY | RTLD_LOCAL);

		printf("%s %s\n", argv[i], h ? "ok" : dlerror());
		bad |= !h;
	}
	return bad;
}
"""


def cuda_sonames():
    """SONAME-style names (libX.so.N) of the GPU libraries the cuda image
    holds that frameworks dlopen (cudart itself is linked)."""
    import fnmatch
    lib = os.path.join(CUDA_HOME, "lib64")
    names = sorted(n for n in os.listdir(lib)
                   if re.fullmatch(r"lib[A-Za-z_]+\.so\.[0-9]+", n)
                   and any(fnmatch.fnmatch(n, g) for g in CUDA_LIB_GLOBS)
                   and not n.startswith(("libcudart", "libnvvm")))
    return names


def cuda():
    """<dir>/oci tag cuda: the Debian image plus the host toolkit's cudart,
    cuBLAS/cublasLt, every cuDNN sub-library and libnvvm (not needed by
    anything: --minimize must drop it) under /usr/local/cuda/lib64, and
    /app/cudatest built with nvcc (gcc when nvcc is absent), in one
    uncompressed layer (1.x GB: compressing it would dominate the test).
    Entrypoint /app/cudatest, LD_LIBRARY_PATH=/usr/local/cuda/lib64.
    None when the machine has no CUDA toolkit."""
    import fnmatch
    lib = os.path.join(CUDA_HOME, "lib64")
    if not os.path.isdir(lib) or not os.path.exists(os.path.join(CUDA_HOME, "include", "cuda_runtime_api.h")):
        return None
    base = debian()

    def build(tmp):
        lay = os.path.join(tmp, "oci")
        shutil.copytree(os.path.join(base, "oci"), lay)
        layout = Layout(lay, create=False)
        src = os.path.join(tmp, "cudatest.cu")
        exe = os.path.join(tmp, "cudatest")
        with open(src, "w") as f:
            f.write(CUDATEST_SRC)
        nvcc = os.path.join(CUDA_HOME, "bin", "nvcc")
        if os.access(nvcc, os.X_OK):
            run(nvcc, "-o", exe, src, "-I" + os.path.join(CUDA_HOME, "include"), "-L" + lib, "-lcudart", "-ldl",
                "-cudart", "shared")
        else:
            csrc = os.path.join(tmp, "cudatest.c")
            shutil.copy(src, csrc)
            run("gcc", "-o", exe, csrc, "-I" + os.path.join(CUDA_HOME, "include"), "-L" + lib, "-lcudart", "-ldl")
        tpath = os.path.join(tmp, "layer.tar")

        def info(name, typ, mode, size=0, link=""):
            ti = tarfile.TarInfo(name)
            ti.type, ti.mode, ti.size, ti.linkname, ti.mtime = typ, mode, size, link, FIXED_MTIME
            return ti

        with tarfile.open(tpath, "w", format=tarfile.PAX_FORMAT) as tf:
            for d in ("app", "usr/local/cuda", "usr/local/cuda/lib64"):
                tf.addfile(info(d, tarfile.DIRTYPE, 0o755))
            with open(exe, "rb") as f:
                tf.addfile(info("app/cudatest", tarfile.REGTYPE, 0o755, os.path.getsize(exe)), f)
            for n in sorted(os.listdir(lib)):
                if not any(fnmatch.fnmatch(n, g) for g in CUDA_LIB_GLOBS):
                    continue
                p = os.path.join(lib, n)
                arc = "usr/local/cuda/lib64/" + n
                if os.path.islink(p):
                    tf.addfile(info(arc, tarfile.SYMTYPE, 0o777, link=os.readlink(p)))
                elif os.path.isfile(p):
                    with open(p, "rb") as f:
                        tf.addfile(info(arc, tarfile.REGTYPE, 0o755, os.path.getsize(p)), f)
        diff_id = file_digest(tpath)
        ldesc = layout.put_file(tpath, MT_LAYER_TAR, move=True)
        man = layout.manifest("base")
        cfg = layout.read_json(man["config"]["digest"])
        cfg["rootfs"]["diff_ids"].append(diff_id)
        cfg.setdefault("history", []).append({"created": FIXED_TIME, "created_by": "COPY cuda libraries"})
        c = cfg["config"]
        c["Entrypoint"] = ["/app/cudatest"]
        c["Cmd"] = cuda_sonames()
        c["Env"] = [e for e in c.get("Env", []) if not e.startswith("HF_TOKEN=")] + \
            ["LD_LIBRARY_PATH=/usr/local/cuda/lib64"]
        c["WorkingDir"] = "/app"
        man["config"] = layout.put_json(cfg, man["config"].get("mediaType", MT_CONFIG))
        man["layers"].append(ldesc)
        layout.tag(layout.put_json(man, man.get("mediaType", MT_MANIFEST)), "cuda")
        layout.gc()
    return cached("cuda", build)
