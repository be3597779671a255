#!/usr/bin/env python3
"""Regenerate the small seed inputs of the archive, image and ref fuzz corpora.

Usage: python3 tests/fuzz/image/make_seeds.py   (from the repository root)
Deterministic: fixed mtimes and owners, so re-running rewrites identical files.
"""
import hashlib
import io
import json
import os
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tar_bytes(members, fmt=tarfile.GNU_FORMAT):
    """members: list of (name, bytes | ('sym', target) | ('hard', target) | 'dir')."""
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=fmt) as t:
        for name, v in members:
            ti = tarfile.TarInfo(name)
            ti.mtime = 1700000000
            ti.uname = ti.gname = ""
            if v == "dir":
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
                t.addfile(ti)
            elif isinstance(v, tuple):
                ti.type = tarfile.SYMTYPE if v[0] == "sym" else tarfile.LNKTYPE
                ti.linkname = v[1]
                t.addfile(ti)
            else:
                ti.size = len(v)
                ti.mode = 0o644
                t.addfile(ti, io.BytesIO(v))
    return bio.getvalue()


def dig(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def jdump(o):
    return json.dumps(o, separators=(",", ":"), sort_keys=True).encode()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def layer(text):
    return tar_bytes([("etc/", "dir"), ("etc/os-release", text.encode())])


def oci_archive(multi, fmt=tarfile.GNU_FORMAT, prefix="./"):
    blobs = {}

    def put(b):
        d = dig(b)
        blobs[d] = b
        return {"digest": d, "size": len(b)}

    def image(arch):
        l = layer("ID=" + arch + "\n")
        cfg = jdump({"architecture": arch, "os": "linux",
                     "rootfs": {"type": "layers", "diff_ids": [dig(l)]}})
        man = jdump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                     "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **put(cfg)),
                     "layers": [dict(mediaType="application/vnd.oci.image.layer.v1.tar", **put(l))]})
        return dict(mediaType="application/vnd.oci.image.manifest.v1+json", **put(man))

    if multi:
        ms = []
        for arch in ("amd64", "arm64"):
            d = image(arch)
            d["platform"] = {"architecture": arch, "os": "linux"}
            ms.append(d)
        ix = jdump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                    "manifests": ms})
        root = dict(mediaType="application/vnd.oci.image.index.v1+json", **put(ix))
    else:
        root = image("amd64")
    root["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
    members = [(prefix + "oci-layout", b'{"imageLayoutVersion":"1.0.0"}'),
               (prefix + "index.json", jdump({"schemaVersion": 2, "manifests": [root]})),
               (prefix + "blobs/", "dir"), (prefix + "blobs/sha256/", "dir")]
    for d, b in sorted(blobs.items()):
        members.append((prefix + "blobs/sha256/" + d[7:], b))
    return tar_bytes(members, fmt)


def docker_archive(layout):
    l1, l2 = layer("ID=one\n"), layer("ID=two\n")
    cfg = jdump({"architecture": "amd64", "os": "linux",
                 "rootfs": {"type": "layers", "diff_ids": [dig(l1), dig(l2), dig(l1)]}})
    ch = dig(cfg)[7:]
    if layout == "legacy":
        names = ["aaa/layer.tar", "bbb/layer.tar", "ccc/layer.tar"]
        members = [("aaa/", "dir"), ("aaa/layer.tar", l1), ("bbb/", "dir"), ("bbb/layer.tar", l2),
                   ("ccc/", "dir"), ("ccc/layer.tar", ("sym", "../aaa/layer.tar"))]
        cname = ch + ".json"
    else:  # docker 25+: blobs/sha256 inside
        names = ["blobs/sha256/" + dig(l1)[7:], "blobs/sha256/" + dig(l2)[7:], "blobs/sha256/" + dig(l1)[7:]]
        members = [("blobs/sha256/" + dig(l1)[7:], l1), ("blobs/sha256/" + dig(l2)[7:], l2)]
        cname = "blobs/sha256/" + ch
    man = jdump([{"Config": cname, "RepoTags": ["busybox:latest"], "Layers": names}])
    return tar_bytes([("manifest.json", man), (cname, cfg)] + members)


def main():
    img = os.path.join(ROOT, "image", "corpus")
    write(os.path.join(img, "oci-single.tar"), oci_archive(False))
    write(os.path.join(img, "oci-index.tar"), oci_archive(True, tarfile.PAX_FORMAT, ""))
    write(os.path.join(img, "docker-legacy.tar"), docker_archive("legacy"))
    write(os.path.join(img, "docker-blobs.tar"), docker_archive("blobs"))

    arc = os.path.join(ROOT, "archive", "corpus")
    long = "d" * 120 + "/long-name.txt"
    base = [("a", b"hello"), ("b", ("sym", "a")), ("link", ("hard", "a")), ("dir/", "dir"),
            (long, b"long"), ("./index.json", b"{}")]
    write(os.path.join(arc, "gnu.tar"), tar_bytes(base, tarfile.GNU_FORMAT))
    write(os.path.join(arc, "pax.tar"), tar_bytes(base, tarfile.PAX_FORMAT))
    write(os.path.join(arc, "ustar.tar"), tar_bytes(base[:4], tarfile.USTAR_FORMAT))
    write(os.path.join(arc, "loop.tar"), tar_bytes([("a", ("sym", "b")), ("b", ("sym", "a"))]))
    write(os.path.join(arc, "truncated.tar"), tar_bytes(base)[:1100])
    write(os.path.join(arc, "empty.tar"), b"")
    write(os.path.join(arc, "gzip-magic.tar"), b"\x1f\x8b\x08\x00" + b"\0" * 60)

    ref = os.path.join(ROOT, "ref", "corpus")
    for i, s in enumerate(["oci:/tmp/layout:latest", "oci-archive:img.tar", "docker-archive:save.tar:busybox:latest",
                           "docker-archive:save.tar:@1", "docker://docker.io/library/alpine:3.19",
                           "oci::", "docker://", "nonsense", ""]):
        write(os.path.join(ref, "seed-%d" % i), s.encode())


if __name__ == "__main__":
    main()
