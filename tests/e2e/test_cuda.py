"""The GPU stack of a real CUDA installation.

Copies the CUDA runtime, cuBLAS and cuDNN libraries, the runtime and cuDNN
version headers and NVIDIA's wheel metadata from the machine's
/usr/local/cuda into an image layer, and checks that `scute sbom` reports
the versions those files state. Skips where /usr/local/cuda is absent."""

import glob
import io
import json
import os
import re
import tarfile

import pytest

import images
from conftest import scute_ok

CUDA = "/usr/local/cuda"
LIBS = ["libcudart.so.*", "libcublas.so.*", "libcudnn.so.*"]


def _define(path, name):
    with open(path, errors="replace") as f:
        m = re.search(r"#define\s+%s\s+(\d+)" % name, f.read())
    return int(m.group(1)) if m else None


@pytest.fixture(scope="module")
def cuda_image(tmp_path_factory):
    lib64 = os.path.join(CUDA, "lib64")
    if not os.path.isdir(lib64) or not glob.glob(os.path.join(lib64, "libcudart.so.*")):
        pytest.skip("no CUDA runtime in %s on this machine" % lib64)
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.PAX_FORMAT) as t:
        for pat in LIBS:
            for p in sorted(glob.glob(os.path.join(lib64, pat))):
                if os.path.isfile(p) and not os.path.islink(p):
                    t.add(p, arcname="usr/local/cuda/lib64/" + os.path.basename(p))
        for h in ("cuda_runtime_api.h", "cudnn_version.h"):
            p = os.path.join(CUDA, "include", h)
            if os.path.isfile(p):
                t.add(p, arcname="usr/local/cuda/include/" + h)
        di = os.path.join(CUDA, "dist-info")
        if os.path.isdir(di):
            t.add(di, arcname="usr/local/cuda/dist-info")
    lay = str(tmp_path_factory.mktemp("cuda") / "oci")
    images.write_image(lay, [bio.getvalue()], ref="cuda")
    return "oci:%s:cuda" % lay


def test_cuda_stack_versions(cuda_image):
    cat = json.loads(scute_ok("sbom", "--format", "json", cuda_image).stdout)
    by = {}
    for p in cat["packages"]:
        comp = p["properties"].get("ai.component")
        if comp:
            by.setdefault(comp, []).append(p)
    assert "cuda-runtime" in by, "no CUDA runtime reported: %r" % sorted(by)
    cv = _define(os.path.join(CUDA, "include", "cuda_runtime_api.h"), "CUDART_VERSION")
    if cv:
        want = "%d.%d" % (cv // 1000, (cv % 1000) // 10)
        toolkit = [p for p in by.get("cuda-toolkit", []) if p["version"] == want]
        assert toolkit, "CUDART_VERSION %d should give cuda-toolkit %s: %r" % (cv, want, by.get("cuda-toolkit"))
        assert toolkit[0]["properties"].get("cuda.version") == want
        majors = {p["properties"].get("cuda.major") or p["properties"].get("cuda.version", "").split(".")[0]
                  for p in by["cuda-runtime"]}
        assert str(cv // 1000) in majors, majors
    ch = os.path.join(CUDA, "include", "cudnn_version.h")
    if os.path.isfile(ch) and glob.glob(os.path.join(CUDA, "lib64", "libcudnn.so.*")):
        want = "%d.%d.%d" % (_define(ch, "CUDNN_MAJOR"), _define(ch, "CUDNN_MINOR"), _define(ch, "CUDNN_PATCHLEVEL"))
        assert want in [p["version"] for p in by.get("cudnn", [])], by.get("cudnn")
    # NVIDIA's wheel metadata: every dist-info is a PyPI package with its version.
    for d in glob.glob(os.path.join(CUDA, "dist-info", "*.dist-info")):
        name, version = os.path.basename(d)[:-len(".dist-info")].rsplit("-", 1)
        norm = re.sub(r"[-_.]+", "-", name).lower()
        found = [p for p in cat["packages"] if p["ecosystem"] == "pypi" and p["name"] == norm]
        assert found and found[0]["version"] == version, (norm, version, found)


def test_cuda_stack_in_table(cuda_image):
    out = scute_ok("sbom", cuda_image).stdout
    head, _, rest = out.partition("AI STACK")
    assert rest, "the table has no AI STACK section:\n" + out
    assert "cuda-runtime" in rest.split("PACKAGES")[0]
