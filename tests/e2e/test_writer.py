"""The image writer (src/image/writer.c) end to end, through the
tests/tools/write_image hook: the Debian test image copied through scute's
reader and writer into one squashed, deterministic layer.

- skopeo accepts the result (`skopeo inspect oci:DST:TAG`);
- `umoci unpack` of the result gives the same files, types, modes,
  ownership, sizes and symlink targets as `umoci unpack` of the source;
- scute's own inspector sees the same file list in both;
- writing it twice (two processes, two layouts) gives the same manifest
  digest and the same blobs; without --replace an existing tag is refused.
"""
import json
import os
import subprocess

import pytest

import images
from conftest import SCUTE, walk_rootfs

WRITE_IMAGE = os.path.join(os.path.dirname(SCUTE), "..", "tests", "write_image")


def write_image(*args):
    if not os.access(WRITE_IMAGE, os.X_OK):
        pytest.skip("write_image not built at %s" % WRITE_IMAGE)
    return subprocess.run([WRITE_IMAGE] + [str(a) for a in args], capture_output=True, text=True,
                          timeout=600)


def unpack(ref, tmp):
    ref = ref[len("oci:"):]  # umoci takes DIR:TAG
    bundle = os.path.join(tmp, "bundle-" + ref.replace("/", "_").replace(":", "_"))
    images.run("umoci", "unpack", "--image", ref, bundle, stdout=subprocess.DEVNULL,
               stderr=subprocess.DEVNULL)
    tree = walk_rootfs(os.path.join(bundle, "rootfs"))
    images.safe_rmtree(bundle)
    for e in tree.values():
        e.pop("ino", None)
    return tree


def files(ref):
    p = subprocess.run([SCUTE, "inspect", "--json", "--files", ref], capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    fl = doc.get("files")
    assert isinstance(fl, list) and fl
    return sorted((f.get("path"), f.get("type"), f.get("mode"), f.get("uid"), f.get("gid"),
                   f.get("size"), f.get("link")) for f in fl)


@pytest.fixture(scope="module")
def written(debian_dir, tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("writer"))
    src = "oci:" + os.path.join(debian_dir, "oci") + ":base"
    out = {}
    for name in ("a", "b"):
        dst = "oci:%s:squashed" % os.path.join(tmp, name)
        p = write_image("--epoch", "1700000000", src, dst)
        assert p.returncode == 0, p.stderr
        out[name] = (dst, p.stdout.strip())
    return src, tmp, out


def test_skopeo_accepts(written):
    _, _, out = written
    p = subprocess.run(["skopeo", "inspect", out["a"][0]], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert len(doc["Layers"]) == 1
    assert doc["Digest"] == out["a"][1]


def test_same_tree_as_source(written):
    src, tmp, out = written
    before = unpack(src, tmp)
    after = unpack(out["a"][0], tmp)
    # umoci stamps nothing else; compare everything but inode numbers.
    missing = sorted(set(before) - set(after))
    extra = sorted(set(after) - set(before))
    assert not missing and not extra, (missing[:10], extra[:10])
    diff = [(p, before[p], after[p]) for p in before if before[p] != after[p]]
    assert not diff, diff[:10]


def test_same_files_for_scute(written):
    src, _, out = written
    assert files(src) == files(out["a"][0])


def test_deterministic(written):
    _, tmp, out = written
    assert out["a"][1] == out["b"][1]
    assert out["a"][1].startswith("sha256:")
    blobs = lambda d: sorted(os.listdir(os.path.join(tmp, d, "blobs", "sha256")))
    assert blobs("a") == blobs("b")


def test_replace(written):
    src, _, out = written
    p = write_image("--epoch", "1700000000", src, out["a"][0])
    assert p.returncode == 2 and "exists" in p.stderr
    p = write_image("--replace", "--epoch", "1700000000", src, out["a"][0])
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == out["a"][1]
