"""The image cache itself: builds are atomic and run once under a race."""

import multiprocessing
import os
import time

import pytest

import images


def _build(tmp):
    with open(os.environ["RACE_COUNTER"], "a") as f:
        f.write("built\n")
    time.sleep(0.5)
    with open(os.path.join(tmp, "payload"), "w") as f:
        f.write("ok")


def _worker(cache, counter, q):
    os.environ["SCUTE_CACHE"] = cache
    os.environ["RACE_COUNTER"] = counter
    q.put(images.cached("race", _build, version="1"))


def test_cache_race_builds_once(tmp_path):
    cache, counter = str(tmp_path / "cache"), str(tmp_path / "counter")
    q = multiprocessing.get_context("fork").Queue()
    ps = [multiprocessing.get_context("fork").Process(target=_worker, args=(cache, counter, q)) for _ in range(4)]
    for p in ps:
        p.start()
    for p in ps:
        p.join(30)
        assert p.exitcode == 0
    results = {q.get(timeout=5) for _ in ps}
    assert results == {os.path.join(cache, "race-1")}
    with open(counter) as f:
        assert f.read() == "built\n"
    assert sorted(os.listdir(cache)) == ["race-1", "race.lock"]
    with open(os.path.join(cache, "race-1", "payload")) as f:
        assert f.read() == "ok"


def test_failed_build_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SCUTE_CACHE", str(tmp_path))

    def bad(tmp):
        open(os.path.join(tmp, "half"), "w").close()
        raise RuntimeError("boom")
    with pytest.raises(RuntimeError):
        images.cached("bad", bad, version="1")
    assert sorted(os.listdir(tmp_path)) == ["bad.lock"]
    # A version bump is a different cache entry.
    d = images.cached("bad", lambda t: None, version="2")
    assert d.endswith("bad-2")


def test_layout_writer_roundtrip(tmp_path):
    tar = images.tar_bytes([images.D("etc"), images.F("etc/x", "1")])
    info = images.write_image(str(tmp_path / "oci"), [tar, (tar, "zstd"), (tar, "none")], ref="r")
    L = images.Layout(str(tmp_path / "oci"), create=False)
    man = L.manifest("r")
    assert man == L.read_json(info["manifest"]["digest"])
    assert [l["mediaType"] for l in man["layers"]] == [images.MT_LAYER_GZIP, images.MT_LAYER_ZSTD,
                                                         images.MT_LAYER_TAR]
    for l in man["layers"]:
        blob = L.read(l["digest"])
        assert images.digest_of(blob) == l["digest"] and len(blob) == l["size"]
        assert images.decompress(blob, l["mediaType"]) == tar
    assert L.config("r")["rootfs"]["diff_ids"] == [images.digest_of(tar)] * 3
