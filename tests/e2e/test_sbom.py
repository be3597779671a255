"""End-to-end tests of `scute sbom` (CycloneDX 1.6, SPDX 2.3, scute's own
catalog JSON, the table) against ground truth taken from the tools that
built each image (images.py writes it next to the cached image as
truth.json):

  pydeb   dpkg-query and importlib.metadata run in the tree (chroot)
  torch   the same, with Debian's python3-torch            (marked slow)
  npm     the node_modules tree `npm install` wrote
  rpm     `rpm -qa` on the rpmdb.sqlite rpm wrote
  models  the facts of the model files the builder wrote (size, sha256, ...)
  hostile the SBOM "Bad input" list: notes, exit 0, the good packages listed

CycloneDX and SPDX output is validated with python3-jsonschema against
../shared/data/schemas (relative to the checkout; $SCUTE_SCHEMAS overrides);
without that folder the schema tests are skipped with the reason.
Every scute run is cached per session (one run per image and format).
"""

import functools
import json
import os
import re
import urllib.parse

import pytest

from conftest import CHECKOUT, assert_error, describe, image_ref, scute, scute_ok
import images

SCHEMAS = os.environ.get("SCUTE_SCHEMAS") or os.path.join(os.path.dirname(CHECKOUT), "shared", "data", "schemas")
CDX_SCHEMA = "cyclonedx-bom-1.6.schema.json"
SPDX_SCHEMA = "spdx-2.3.schema.json"
ECOSYSTEMS = {"deb", "apk", "rpm", "pypi", "npm", "golang", "binary"}
PURL_TYPE = {"deb": "deb", "apk": "apk", "rpm": "rpm", "pypi": "pypi", "npm": "npm", "golang": "golang"}
FIXED_TIME = images.FIXED_TIME


# --------------------------------------------------------------------------
# Images and cached runs


@pytest.fixture(scope="session")
def pydeb_dir():
    return images.pydeb()


@pytest.fixture(scope="session")
def torch_dir():
    return images.torch()


@pytest.fixture(scope="session")
def npm_dir():
    return images.npm()


@pytest.fixture(scope="session")
def rpm_dir():
    return images.rpm()


@pytest.fixture(scope="session")
def models_dir():
    return images.models()


@pytest.fixture(scope="session")
def hostile_dir():
    return images.sbom_hostile()


TAGS = {"pydeb": "pydeb", "torch": "torch", "npm": "npm", "rpm": "rpm", "models": "models",
        "sbom-hostile": "hostile"}


def ref_of(d):
    """oci:<d>/oci:<tag> for an SBOM image cache dir."""
    name = os.path.basename(d).rsplit("-", 1)[0]
    return image_ref("oci", os.path.join(d, "oci"), TAGS[name])


@functools.lru_cache(maxsize=None)
def sbom_raw(image, fmt, *extra):
    """stdout of a successful `scute sbom --format fmt [extra] image` (cached)."""
    return scute_ok("sbom", "--format", fmt, *extra, image).stdout


def sbom_json(image, fmt="json", *extra):
    out = sbom_raw(image, fmt, *extra)
    try:
        return json.loads(out)
    except ValueError as e:
        pytest.fail("scute sbom --format %s: stdout is not JSON (%s)\n%s" % (fmt, e, out[:2000]))


def truth(d):
    return images.read_truth(d)


def pkgs(sb, eco):
    return [p for p in sb["packages"] if p["ecosystem"] == eco]


def strip_slash(p):
    return p.lstrip("/") if isinstance(p, str) else p


def pep503(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def set_diff(got, want, what):
    """Assertion message for two sets."""
    missing, extra = sorted(want - got), sorted(got - want)
    return "%s differ: %d missing %r%s, %d unexpected %r%s" % (
        what, len(missing), missing[:20], "..." if len(missing) > 20 else "",
        len(extra), extra[:20], "..." if len(extra) > 20 else "")


# --------------------------------------------------------------------------
# purl (https://github.com/package-url/purl-spec)

PURL_RE = re.compile(r"^pkg:(?P<type>[a-z][a-z0-9.+-]*)/(?P<path>[^?#@]+)@(?P<version>[^?#@]+)"
                     r"(?:\?(?P<qual>[^#]+))?(?:#(?P<sub>.+))?$")
# What a canonical purl may carry unencoded in a segment (plus %XX escapes);
# ':' is tolerated by the spec in versions.
SEGMENT_RE = re.compile(r"^(?:[A-Za-z0-9._~:-]|%[0-9A-F]{2})+$")


def parse_purl(purl):
    """(type, namespace-decoded-or-None, name-decoded, version-decoded,
    {qualifiers}); fails the test on a syntax error."""
    m = PURL_RE.match(purl)
    assert m, "bad purl syntax: %r" % purl
    segs = m.group("path").split("/")
    for s in segs + [m.group("version")]:
        assert SEGMENT_RE.match(s), "purl %r: segment %r has characters that must be percent-encoded" % (purl, s)
    quals = {}
    if m.group("qual"):
        keys = []
        for kv in m.group("qual").split("&"):
            assert "=" in kv, "purl %r: qualifier %r without '='" % (purl, kv)
            k, v = kv.split("=", 1)
            assert re.match(r"^[a-z][a-z0-9._-]*$", k), "purl %r: qualifier key %r not canonical" % (purl, k)
            assert v and re.match(r"^(?:[A-Za-z0-9._~:/-]|%[0-9A-F]{2})+$", v), \
                "purl %r: qualifier value %r not canonical" % (purl, v)
            keys.append(k)
            quals[k] = urllib.parse.unquote(v)
        assert keys == sorted(keys), "purl %r: qualifiers must be sorted by key" % purl
    ns = "/".join(urllib.parse.unquote(s) for s in segs[:-1]) or None
    return (m.group("type"), ns, urllib.parse.unquote(segs[-1]),
            urllib.parse.unquote(m.group("version")), quals)


def check_package_purl(p, os_info=None):
    """The purl of one json package agrees with its fields."""
    eco = p["ecosystem"]
    purl = p.get("purl")
    if eco == "binary" and not purl:
        return
    assert purl, "package without purl: %r" % p
    typ, ns, name, ver, quals = parse_purl(purl)
    if eco in PURL_TYPE:
        assert typ == PURL_TYPE[eco], "%s package with purl type %s: %s" % (eco, typ, purl)
    if eco == "npm":
        full = (ns + "/" + name) if ns else name
        assert full == p["name"], "npm purl %s does not decode to %s" % (purl, p["name"])
        if p["name"].startswith("@"):
            assert "/%40" in purl, "scoped npm name must be %%40-encoded: %s" % purl
    elif eco == "pypi":
        assert name == name.lower() and "_" not in name, "pypi purl name not canonical: %s" % purl
        assert pep503(name) == pep503(p["name"]), "pypi purl %s vs name %s" % (purl, p["name"])
    elif eco in ("deb", "rpm", "apk"):
        assert name == p["name"], "purl %s vs name %s" % (purl, p["name"])
    if eco == "rpm":
        v = p["version"]
        ep = quals.get("epoch")
        assert ver == v or (ep and "%s:%s" % (ep, ver) == v), "rpm purl %s vs version %s" % (purl, v)
    elif eco != "golang":
        assert ver == p["version"], "purl %s does not decode to version %r" % (purl, p["version"])
    if eco == "deb":
        assert ns == (os_info or {}).get("id", ns), "deb purl namespace: %s" % purl
        if p.get("arch"):
            assert quals.get("arch") == p["arch"], "deb purl lacks arch=%s: %s" % (p["arch"], purl)
        if os_info and os_info.get("id") and os_info.get("versionId"):
            assert quals.get("distro") == "%s-%s" % (os_info["id"], os_info["versionId"]), \
                "deb purl distro qualifier: %s" % purl


def test_purl_parser_self_check():
    assert parse_purl("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12") == \
        ("deb", "debian", "libc6", "2.36-9+deb12u4", {"arch": "amd64", "distro": "debian-12"})
    assert parse_purl("pkg:npm/%40scope/name@1.0.0")[1:3] == ("@scope", "name")
    for bad in ("pkg:deb/debian/libc6@2.36-9+deb12u4", "pkg:npm/@scope/name@1.0.0",
                "pkg:pypi/numpy@1.0?b=1&a=2", "npm/x@1", "pkg:pypi/a b@1"):
        with pytest.raises(AssertionError):
            parse_purl(bad)


# --------------------------------------------------------------------------
# Schema validation


def _load_schema(name):
    p = os.path.join(SCHEMAS, name)
    if not os.path.isfile(p):
        pytest.skip("schema %s not found in %s (the shared data folder ../shared/data/schemas "
                    "next to the checkout, or $SCUTE_SCHEMAS)" % (name, SCHEMAS))
    with open(p) as f:
        return json.load(f)


@functools.lru_cache(maxsize=None)
def validator(name):
    """A jsonschema validator for schema file `name`, resolving the
    CycloneDX schema's relative $refs (spdx.schema.json,
    jsf-0.82.schema.json) to the files next to it."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = _load_schema(name)
    others = {}
    for n in os.listdir(SCHEMAS):
        if n.endswith(".json"):
            with open(os.path.join(SCHEMAS, n)) as f:
                s = json.load(f)
            others[n] = s
    cls = jsonschema.validators.validator_for(schema)
    try:  # jsonschema >= 4.18
        import referencing
        import referencing.jsonschema
        resources = []
        for n, s in others.items():
            res = referencing.Resource.from_contents(s, default_specification=referencing.jsonschema.DRAFT7)
            resources.append((n, res))
            if s.get("$id"):
                resources.append((s["$id"], res))
        registry = referencing.Registry().with_resources(resources)
        return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)
    except ImportError:
        store = {}
        for n, s in others.items():
            store[n] = s
            if s.get("$id"):
                store[s["$id"]] = s
                store[s["$id"].rsplit("/", 1)[0] + "/" + n] = s
        resolver = jsonschema.RefResolver.from_schema(schema, store=store)
        return cls(schema, resolver=resolver, format_checker=jsonschema.FormatChecker())


def assert_valid(doc, schema_name):
    v = validator(schema_name)
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        msg = "\n".join("  at /%s: %s" % ("/".join(map(str, e.absolute_path)), e.message[:300])
                        for e in errors[:15])
        pytest.fail("%d schema error(s) against %s:\n%s" % (len(errors), schema_name, msg))


def test_schema_validator_self_check():
    """The validator resolves the CycloneDX schema's relative refs and
    rejects an invalid BOM (so a pass below means something)."""
    good = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "components": [{"type": "library", "name": "x", "version": "1",
                            "licenses": [{"license": {"id": "MIT"}}]}]}
    assert_valid(good, CDX_SCHEMA)
    v = validator(CDX_SCHEMA)
    bad = dict(good, components=[{"type": "no-such-type", "name": "x"}])
    assert list(v.iter_errors(bad)), "CycloneDX schema accepted an invalid component type"
    bad = dict(good, components=[{"type": "library", "name": "x",
                                  "licenses": [{"license": {"id": "Not-An-SPDX-Id-Really"}}]}])
    assert list(v.iter_errors(bad)), "spdx.schema.json was not resolved (bad license id accepted)"


# --------------------------------------------------------------------------
# The catalog JSON: shape


def check_catalog_shape(sb):
    assert sb.get("scuteSbomVersion") == 1, "scuteSbomVersion must be 1"
    for k in ("image", "os", "packages", "elf", "models", "notes"):
        assert k in sb, "catalog JSON lacks %r (has %r)" % (k, sorted(sb))
    for k in ("id", "versionId", "codename", "prettyName"):
        assert k in sb["os"], "os lacks %r" % k
    for p in sb["packages"]:
        for k in ("ecosystem", "name", "version", "arch", "sourceName", "sourceVersion", "license",
                  "location", "osManaged", "purl", "files", "properties"):
            assert k in p, "package lacks %r: %r" % (k, p)
        assert p["ecosystem"] in ECOSYSTEMS, p
        assert isinstance(p["osManaged"], bool), p
        assert isinstance(p["files"], int) and p["files"] >= 0, p
        assert isinstance(p["properties"], dict), p
    for e in sb["elf"]:
        for k in ("path", "soname", "needed", "rpath", "runpath", "packaged"):
            assert k in e, "elf record lacks %r: %r" % (k, e)
    for m in sb["models"]:
        for k in ("path", "format", "size", "sha256", "pickleBased", "architecture", "quantization",
                  "parameters", "properties"):
            assert k in m, "model lacks %r: %r" % (k, m)
    for n in sb["notes"]:
        for k in ("level", "cataloger", "path", "message"):
            assert k in n, "note lacks %r: %r" % (k, n)


# --------------------------------------------------------------------------
# pydeb: dpkg + Python


@pytest.fixture(scope="session")
def pydeb_sbom(pydeb_dir):
    return sbom_json(ref_of(pydeb_dir))


def test_pydeb_catalog_shape(pydeb_sbom):
    check_catalog_shape(pydeb_sbom)


def test_pydeb_os(pydeb_sbom, pydeb_dir):
    want = truth(pydeb_dir)["os"]
    got = pydeb_sbom["os"]
    assert (got["id"], got["versionId"], got["codename"]) == (want["id"], want["versionId"], want["codename"])
    assert got["prettyName"] == want["prettyName"]


def check_dpkg(sb, t):
    got = {(p["name"], p["version"]) for p in pkgs(sb, "deb")}
    want = {(p["name"], p["version"]) for p in t["dpkg"]}
    assert got == want, set_diff(got, want, "deb (name, version) vs dpkg-query")
    assert len(pkgs(sb, "deb")) == len(t["dpkg"]), "a deb package is listed twice"
    by = {p["name"]: p for p in pkgs(sb, "deb")}
    for w in t["dpkg"]:
        p = by[w["name"]]
        assert p["arch"] == w["arch"], "%s: arch %r, dpkg says %r" % (w["name"], p["arch"], w["arch"])
        if w["source"] != w["name"]:
            assert p["sourceName"] == w["source"], "%s: sourceName %r, dpkg says %r" % (
                w["name"], p["sourceName"], w["source"])
        else:
            assert p["sourceName"] in (None, w["name"]), p
        if w["sourceVersion"] != w["version"]:
            assert p["sourceVersion"] == w["sourceVersion"], "%s: sourceVersion %r, dpkg says %r" % (
                w["name"], p["sourceVersion"], w["sourceVersion"])
        else:
            assert p["sourceVersion"] in (None, w["version"]), p
        assert strip_slash(p["location"]) == "var/lib/dpkg/status", p
    # files: dpkg's .list for a few packages with many files
    assert by["libc6"]["files"] > 10, by["libc6"]
    assert by["dpkg"]["files"] > 10, by["dpkg"]


def test_pydeb_dpkg_matches_dpkg_query(pydeb_sbom, pydeb_dir):
    check_dpkg(pydeb_sbom, truth(pydeb_dir))


def check_python(sb, t):
    got = {(pep503(p["name"]), p["version"]) for p in pkgs(sb, "pypi")}
    want = {(pep503(d["name"]), d["version"]) for d in t["python"]}
    assert got == want, set_diff(got, want, "pypi (name, version) vs importlib.metadata")
    for p in pkgs(sb, "pypi"):
        assert p["name"] == pep503(p["name"]), "pypi names are PEP 503-normalised: %r" % p["name"]
    by = {}
    for p in pkgs(sb, "pypi"):
        by.setdefault(p["name"], []).append(p)
    for f in t["fakePython"]:
        ps = by.get(pep503(f["name"]), [])
        assert len(ps) == 1, "hand-written %s: %r" % (f["name"], ps)
        p = ps[0]
        assert p["version"] == f["version"]
        assert p["osManaged"] is False, "%s is not from dpkg: %r" % (f["name"], p)
        assert strip_slash(p["location"] or "").startswith(f["site"] + "/"), \
            "%s: location %r not under %s" % (f["name"], p["location"], f["site"])
        if f["kind"] == "dist-info":
            assert p["files"] == 6, "%s: RECORD lists 6 files, got %r" % (f["name"], p["files"])
            assert p["license"] == "MIT", p
    for name in ("numpy", "pyyaml", "requests"):
        assert name in by, "%s (python3-* from Debian) not listed" % name
        for p in by[name]:
            assert p["osManaged"] is True, "%s comes from a dpkg package: %r" % (name, p)
            assert strip_slash(p["location"]).startswith("usr/lib/python3/dist-packages/"), p


def test_pydeb_python_matches_importlib(pydeb_sbom, pydeb_dir):
    check_python(pydeb_sbom, truth(pydeb_dir))


def check_elf_dynamic(sb, dyn):
    """needed/soname/rpath/runpath of every ELF record == readelf -d."""
    got = {strip_slash(e["path"]): e for e in sb["elf"]}
    assert set(got) == set(dyn), set_diff(set(got), set(dyn), "ELF files vs the tree's ELF magic")
    wrong = []
    for path, w in sorted(dyn.items()):
        g = got[path]
        for k in ("needed", "soname", "rpath", "runpath"):
            gv = g[k] if k != "needed" else list(g[k] or [])
            if gv != w[k]:
                wrong.append((path, k, gv, w[k]))
    assert not wrong, "%d ELF facts differ from readelf -d, e.g. (path, field, scute, readelf): %r" % (
        len(wrong), wrong[:8])


def check_elf(sb, t, dyn=None):
    want = t["elf"]
    got = {strip_slash(e["path"]): e for e in sb["elf"]}
    assert set(got) == set(want), set_diff(set(got), set(want), "ELF files vs the tree's ELF magic")
    wrong = sorted(p for p, owned in want.items() if got[p]["packaged"] is not owned)
    assert not wrong, "packaged flag disagrees with dpkg's file lists for %d files, e.g. %r" % (
        len(wrong), [(p, got[p]["packaged"], want[p]) for p in wrong[:10]])
    assert not all(want.values()), "the truth should hold unpackaged ELF files (add_unpackaged_elf)"
    if dyn is not None:
        check_elf_dynamic(sb, dyn)
    libc = got["usr/lib/x86_64-linux-gnu/libc.so.6"]
    assert libc["soname"] == "libc.so.6", libc
    bash = got.get("usr/bin/bash")
    assert bash and "libc.so.6" in bash["needed"], bash


def test_pydeb_elf(pydeb_sbom, pydeb_dir):
    check_elf(pydeb_sbom, truth(pydeb_dir), images.elf_dynamic_truth(images.pyroot()))


def test_pydeb_purls(pydeb_sbom):
    for p in pydeb_sbom["packages"]:
        check_package_purl(p, pydeb_sbom["os"])
    libc = [p for p in pkgs(pydeb_sbom, "deb") if p["name"] == "libc6"][0]
    assert libc["purl"].startswith("pkg:deb/debian/libc6@%s?arch=amd64&distro=debian-12" % (
        urllib.parse.quote(libc["version"], safe=""))), libc["purl"]
    quals = parse_purl(libc["purl"])[4]
    assert set(quals) <= {"arch", "distro", "upstream", "epoch"}, libc["purl"]
    if "upstream" in quals:
        assert quals["upstream"] == "glibc", libc["purl"]


# --------------------------------------------------------------------------
# torch (slow: a ~1 GB image)


@pytest.fixture(scope="session")
def torch_sbom(torch_dir):
    return sbom_json(ref_of(torch_dir))


@pytest.mark.slow
def test_torch_dpkg_python_elf(torch_sbom, torch_dir):
    t = truth(torch_dir)
    check_catalog_shape(torch_sbom)
    check_dpkg(torch_sbom, t)
    check_python(torch_sbom, t)
    check_elf(torch_sbom, t, images.elf_dynamic_truth(images.torchroot()))
    assert "python3-torch" in {p["name"] for p in pkgs(torch_sbom, "deb")}
    torch_py = [p for p in pkgs(torch_sbom, "pypi") if p["name"] == "torch"]
    want = [d["version"] for d in t["python"] if pep503(d["name"]) == "torch"]
    assert want and [p["version"] for p in torch_py] == want, (torch_py, want)


@pytest.mark.slow
def test_torch_cyclonedx_valid(torch_dir):
    assert_valid(sbom_json(ref_of(torch_dir), "cyclonedx"), CDX_SCHEMA)


# --------------------------------------------------------------------------
# npm


@pytest.fixture(scope="session")
def npm_sbom(npm_dir):
    return sbom_json(ref_of(npm_dir))


def test_npm_matches_installed_tree(npm_sbom, npm_dir):
    t = truth(npm_dir)
    check_catalog_shape(npm_sbom)
    ps = [p for p in pkgs(npm_sbom, "npm") if p["name"] != t["root"]]
    got = sorted((p["name"], p["version"]) for p in ps)
    want = sorted((w["name"], w["version"]) for w in t["tree"])
    assert set(got) == set(want), set_diff(set(got), set(want), "npm (name, version) vs node_modules")
    assert got == want, "npm: a package installed once is listed %r, tree has %r" % (
        [g for g in got if got.count(g) != want.count(g)][:10], len(want))
    locs = {strip_slash(p["location"]) for p in ps}
    assert locs == {w["path"] for w in t["tree"]}, set_diff(locs, {w["path"] for w in t["tree"]},
                                                            "npm locations")
    for p in ps:
        assert p["osManaged"] is False
        check_package_purl(p)
    scoped = [p for p in ps if p["name"] == "@types/node"]
    assert scoped and scoped[0]["purl"] == "pkg:npm/%40types/node@" + scoped[0]["version"]


def test_npm_matches_npm_ls(npm_sbom, npm_dir):
    """The tree walk agrees with `npm ls --all --json` (a check of the truth)."""
    t = truth(npm_dir)

    def walk(deps, out):
        for name, d in (deps or {}).items():
            if "version" in d:
                out.add((name, d["version"]))
            walk(d.get("dependencies"), out)
        return out
    ls = walk(t["npmLs"].get("dependencies"), set())
    assert ls == {(w["name"], w["version"]) for w in t["tree"]}
    got = {(p["name"], p["version"]) for p in pkgs(npm_sbom, "npm") if p["name"] != t["root"]}
    assert got == ls, set_diff(got, ls, "npm vs npm ls")


# --------------------------------------------------------------------------
# rpm


@pytest.fixture(scope="session")
def rpm_sbom(rpm_dir):
    return sbom_json(ref_of(rpm_dir))


def test_rpm_matches_rpm_qa(rpm_sbom, rpm_dir):
    t = truth(rpm_dir)["rpm"]
    check_catalog_shape(rpm_sbom)

    def evr(v):
        return v[2:] if v.startswith("0:") else v
    got = {(p["name"], evr(p["version"]), p["arch"]) for p in pkgs(rpm_sbom, "rpm")}
    want = {(w["name"], evr(w["evr"]), w["arch"]) for w in t}
    assert got == want, set_diff(got, want, "rpm (name, [epoch:]version-release, arch) vs rpm -qa")
    by = {p["name"]: p for p in pkgs(rpm_sbom, "rpm")}
    for w in t:
        p = by[w["name"]]
        assert p["license"] == w["license"], p
        assert strip_slash(p["location"]).startswith("var/lib/rpm/rpmdb.sqlite"), p
        assert p["files"] == 1, p
        check_package_purl(p, rpm_sbom["os"])
    ep = by["scute-epoch"]
    typ, ns, name, ver, quals = parse_purl(ep["purl"])
    assert quals.get("epoch") == "2" or ver.startswith("2:"), "epoch 2 lost in purl %s" % ep["purl"]
    assert quals.get("arch") == "noarch", ep["purl"]


# --------------------------------------------------------------------------
# models


@pytest.fixture(scope="session")
def models_sbom(models_dir):
    return sbom_json(ref_of(models_dir))


def test_models_match_generated_facts(models_sbom, models_dir):
    t = truth(models_dir)
    check_catalog_shape(models_sbom)
    got = {strip_slash(m["path"]): m for m in models_sbom["models"]}
    assert set(got) == set(t["models"]), set_diff(set(got), set(t["models"]), "model files")
    for path, facts in sorted(t["models"].items()):
        m = got[path]
        for k, v in sorted(facts.items()):
            assert m[k] == v, "%s: %s is %r, the file was written with %r" % (path, k, m[k], v)


def test_models_deleted_file_not_listed(models_sbom, models_dir):
    paths = {strip_slash(m["path"]) for m in models_sbom["models"]}
    for d in truth(models_dir)["deleted"]:
        assert d not in paths, "%s is whited out by layer 2" % d


def test_models_cyclonedx_components(models_dir):
    t = truth(models_dir)["models"]
    bom = sbom_json(ref_of(models_dir), "cyclonedx")
    assert_valid(bom, CDX_SCHEMA)
    ml = [c for c in bom.get("components", []) if c["type"] == "machine-learning-model"]
    weights = {p: f for p, f in t.items() if f["format"] not in ("tokenizer", "model-config")}
    by_hash = {}
    for c in ml:
        for h in c.get("hashes", []):
            if h["alg"] == "SHA-256":
                by_hash.setdefault(h["content"], []).append(c)
    for path, f in sorted(weights.items()):
        assert f["sha256"] in by_hash, "no machine-learning-model component with SHA-256 of %s" % path
    for c in ml:
        assert "modelCard" in c, "machine-learning-model component without modelCard: %r" % c
        assert any(h["alg"] == "SHA-256" for h in c.get("hashes", [])), c
    gg = by_hash[t["models/gguf/scute-tiny-Q4_K_M.gguf"]["sha256"]][0]
    props = {p["name"]: p.get("value") for p in gg.get("properties", [])}
    assert any(n.startswith("scute:") for n in props), gg
    assert "scute:location" in props and props["scute:location"].lstrip("/") == "models/gguf/scute-tiny-Q4_K_M.gguf", props


# --------------------------------------------------------------------------
# CycloneDX content and validity


def cdx_checks(bom, image_dir, tag, sb):
    assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.6"
    meta = bom["metadata"]
    comp = meta["component"]
    assert comp["type"] == "container", comp
    L = images.Layout(os.path.join(image_dir, "oci"), create=False)
    mdigest = L.resolve(tag)["digest"]
    typ, ns, name, ver, quals = parse_purl(comp["purl"])
    assert typ == "oci", comp["purl"]
    assert ver == mdigest, "container purl version %r, manifest digest %s" % (ver, mdigest)
    assert "@sha256%3A" + mdigest.split(":", 1)[1] in comp["purl"], comp["purl"]
    assert meta["timestamp"] == FIXED_TIME, "metadata.timestamp must be the config's created"
    comps = bom.get("components", [])
    refs = [c.get("bom-ref") for c in comps] + [comp.get("bom-ref")]
    assert all(refs) and len(set(refs)) == len(refs), "bom-refs missing or not unique"
    # same packages as the catalog JSON (purls)
    want = {p["purl"] for p in sb["packages"] if p.get("purl")}
    got = {c["purl"] for c in comps if c.get("purl") and c["type"] not in ("operating-system", "container")}
    assert want <= got, set_diff(got & want, want, "CycloneDX purls vs catalog purls")
    for c in comps:
        for pr in c.get("properties", []):
            assert pr["name"].startswith(("scute:", "cdx:")), "property %r not scute:-prefixed" % pr["name"]
    if sb["os"].get("id"):
        oses = [c for c in comps if c["type"] == "operating-system"]
        assert len(oses) == 1 and oses[0]["name"] == sb["os"]["id"], oses
    for e in sb["elf"]:
        if not e["packaged"]:
            files = [c for c in comps if c["type"] == "file" and (
                c["name"].lstrip("/") == e["path"].lstrip("/") or
                any(pr["name"] == "scute:location" and pr.get("value", "").lstrip("/") == e["path"].lstrip("/")
                    for pr in c.get("properties", [])))]
            assert files, "unpackaged ELF %s is not a file component" % e["path"]
    known = set(refs)
    for d in bom.get("dependencies", []):
        assert d["ref"] in known, "dependency ref %r is no component" % d["ref"]
        for x in d.get("dependsOn", []):
            assert x in known, "dependsOn %r is no component" % x


@pytest.mark.parametrize("name", ["pydeb", "npm", "rpm", "models"])
def test_cyclonedx_valid_and_consistent(name, request):
    d = request.getfixturevalue(name + "_dir")
    ref = ref_of(d)
    bom = sbom_json(ref, "cyclonedx")
    assert_valid(bom, CDX_SCHEMA)
    cdx_checks(bom, d, TAGS[name], sbom_json(ref))


def test_cyclonedx_dependencies_graph(pydeb_dir):
    """dpkg Depends become edges: libc6 is depended on, python3-numpy
    depends on something."""
    bom = sbom_json(ref_of(pydeb_dir), "cyclonedx")
    comps = {c["bom-ref"]: c for c in bom["components"]}
    edges = {d["ref"]: d.get("dependsOn", []) for d in bom.get("dependencies", [])}
    name_of = {r: c.get("name") for r, c in comps.items()}
    numpy_refs = [r for r, c in comps.items() if c.get("name") == "python3-numpy"]
    assert numpy_refs and edges.get(numpy_refs[0]), "python3-numpy has no dependsOn"
    targets = {name_of.get(x) for deps in edges.values() for x in deps}
    assert "libc6" in targets, "nothing depends on libc6"


def test_cyclonedx_source_date_epoch(models_dir):
    bom = json.loads(scute_ok("sbom", "--format", "cyclonedx", ref_of(models_dir),
                              env={"SOURCE_DATE_EPOCH": "1700000000"}).stdout)
    assert bom["metadata"]["timestamp"] == "2023-11-14T22:13:20Z"


# --------------------------------------------------------------------------
# SPDX


@pytest.mark.parametrize("name", ["pydeb", "npm", "rpm", "models"])
def test_spdx_valid_and_consistent(name, request):
    d = request.getfixturevalue(name + "_dir")
    ref = ref_of(d)
    doc = sbom_json(ref, "spdx")
    assert_valid(doc, SPDX_SCHEMA)
    assert doc["spdxVersion"] == "SPDX-2.3" and doc["dataLicense"] == "CC0-1.0"
    assert doc["SPDXID"] == "SPDXRef-DOCUMENT"
    ids = [p["SPDXID"] for p in doc.get("packages", [])] + [f["SPDXID"] for f in doc.get("files", [])]
    assert len(ids) == len(set(ids)), "SPDXIDs not unique"
    known = set(ids) | {"SPDXRef-DOCUMENT"}
    purls = set()
    for p in doc.get("packages", []):
        for r in p.get("externalRefs", []):
            if r["referenceType"] == "purl":
                assert r["referenceCategory"] == "PACKAGE-MANAGER", r
                parse_purl(r["referenceLocator"])
                purls.add(r["referenceLocator"])
    want = {p["purl"] for p in sbom_json(ref)["packages"] if p.get("purl")}
    assert want <= purls, set_diff(purls & want, want, "SPDX purls vs catalog purls")
    rels = doc.get("relationships", [])
    types = {r["relationshipType"] for r in rels}
    assert "DESCRIBES" in types, types
    if want:
        assert "CONTAINS" in types, types
    for r in rels:
        assert r["spdxElementId"] in known, r
        assert r["relatedSpdxElement"] in known or r["relatedSpdxElement"] in ("NONE", "NOASSERTION"), r
    if name == "pydeb":
        assert "DEPENDS_ON" in types, types


# --------------------------------------------------------------------------
# Determinism, -o, transports, errors


@pytest.mark.parametrize("fmt", ["cyclonedx", "spdx", "json", "table"])
def test_deterministic_across_runs_and_jobs(fmt, pydeb_dir, models_dir):
    for d in (pydeb_dir, models_dir):
        ref = ref_of(d)
        a = scute_ok("sbom", "--format", fmt, "--jobs", "1", ref).stdout
        b = scute_ok("sbom", "--format", fmt, "--jobs", "1", ref).stdout
        c = scute_ok("sbom", "--format", fmt, "--jobs", "2", ref).stdout
        assert a == b, "%s output differs between two identical runs on %s" % (fmt, ref)
        assert a == c, "%s output differs between --jobs 1 and --jobs 2 on %s" % (fmt, ref)


def test_output_file(models_dir, tmp_path):
    out = tmp_path / "bom.json"
    p = scute_ok("sbom", "--format", "cyclonedx", "-o", str(out), ref_of(models_dir))
    assert p.stdout == "", "with -o nothing goes to stdout"
    assert out.read_text() == sbom_raw(ref_of(models_dir), "cyclonedx")


def test_output_onto_device_keeps_device(models_dir, tmp_path):
    """-o onto a character device (think `-o /dev/null` as root) must write
    to it, not rename a regular file over it. Uses a private node (1,3) in
    tmp_path, never the real /dev/null."""
    import stat
    node = tmp_path / "null"
    try:
        os.mknod(str(node), stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except OSError as e:
        pytest.skip("cannot create a device node here (%s)" % e)
    p = scute("sbom", "--format", "json", "-o", str(node), ref_of(models_dir))
    st = os.lstat(str(node))
    assert stat.S_ISCHR(st.st_mode), "scute replaced the device node with a regular file\n" + describe(p)
    assert os.listdir(str(tmp_path)) == ["null"], "temporary files left: %r" % os.listdir(str(tmp_path))


def test_default_format_is_table(models_dir):
    assert sbom_raw(ref_of(models_dir), "table") == scute_ok("sbom", ref_of(models_dir)).stdout


@pytest.mark.parametrize("transport", ["oci-archive", "docker-archive"])
def test_transports_agree(transport, debian_dir):
    a = sbom_json(image_ref("oci", debian_dir), "json")
    b = sbom_json(image_ref(transport, debian_dir), "json")
    assert a["packages"] == b["packages"] and a["elf"] == b["elf"] and a["os"] == b["os"]
    assert len(pkgs(a, "deb")) > 50


@pytest.mark.parametrize("transport", ["oci", "docker-archive"])
def test_debian_elf_matches_readelf(transport, debian_dir):
    """The debian image is the rootfs() tree: DT_NEEDED & co. as readelf
    reads them, whatever the layer compression (gzip in oci, none in
    docker-archive)."""
    check_elf_dynamic(sbom_json(image_ref(transport, debian_dir), "json"),
                      images.elf_dynamic_truth(images.rootfs()))


def test_bad_image_exit_3(tmp_path):
    assert_error(scute("sbom", "oci:%s/nothing-here" % tmp_path), 3)
    p = tmp_path / "junk.tar"
    p.write_bytes(b"not a tar at all")
    assert_error(scute("sbom", "--format", "cyclonedx", "docker-archive:%s" % p), 3)


def test_bad_format_is_usage_error(models_dir):
    assert_error(scute("sbom", "--format", "xml", ref_of(models_dir)), 2)


# --------------------------------------------------------------------------
# The table


@pytest.fixture(scope="session")
def sample_ref():
    dest = images.sample(os.path.join(images.cache_root(), "sample", "oci"))
    return image_ref("oci", dest, "demo")


def test_sample_table(sample_ref):
    out = scute_ok("sbom", sample_ref).stdout
    sb = sbom_json(sample_ref)
    assert out.strip() and not out.lstrip().startswith("{"), "table output expected"
    for path in ("app/models/model.safetensors", "app/models/model.pt", "app/models/legacy.pkl"):
        assert path in out, "table lacks model file %s\n%s" % (path, out[:3000])
    i_model = out.index("app/models/model.safetensors")
    i_deb = out.index("libc6")
    assert i_model < i_deb, "model files must come before OS packages in the table"
    assert "deb" in out.lower()
    n_deb = len(pkgs(sb, "deb"))
    assert n_deb > 50 and str(n_deb) in out, "table should state the %d deb packages" % n_deb
    for p in pkgs(sb, "deb")[:20]:
        assert p["name"] in out, "table lacks deb package %s" % p["name"]
    legacy = [m for m in sb["models"] if strip_slash(m["path"]) == "app/models/legacy.pkl"]
    assert legacy and legacy[0]["pickleBased"] is True
    assert not any(ord(c) == 27 for c in out), "no colour off a TTY"


# --------------------------------------------------------------------------
# Hostile inputs


@pytest.fixture(scope="session")
def hostile_run(hostile_dir):
    p = scute("sbom", "--format", "json", ref_of(hostile_dir))
    assert p.returncode == 0, "bad files inside an image must not fail the run\n" + describe(p)
    try:
        return json.loads(p.stdout)
    except ValueError as e:
        pytest.fail("stdout is not JSON (%s)\n%s" % (e, describe(p)))


def test_hostile_notes_name_each_file(hostile_run, hostile_dir):
    t = truth(hostile_dir)
    noted = {strip_slash(n["path"]) for n in hostile_run["notes"] if n.get("path")}
    missing = [h for h in t["hostile"] if h not in noted]
    assert not missing, "no note names %r; notes: %r" % (missing, hostile_run["notes"][:20])
    for n in hostile_run["notes"]:
        assert n["level"] in ("info", "warning", "error"), n
        assert len(n["message"]) < 1000 and "\n" not in n["message"], n


def test_hostile_good_packages_still_listed(hostile_run, hostile_dir):
    good = truth(hostile_dir)["good"]
    check_catalog_shape(hostile_run)
    for eco in ("pypi", "npm"):
        names = {p["name"] for p in pkgs(hostile_run, eco)}
        for g in good[eco]:
            assert g in names, "%s package %s missing next to hostile files" % (eco, g)
    paths = {strip_slash(m["path"]) for m in hostile_run["models"]}
    for g in good["models"]:
        assert g in paths, "model %s missing next to hostile files" % g
    assert len(json.dumps(hostile_run)) < 10 * 1000 * 1000, "the 100 MB field leaked into the output"


@pytest.mark.parametrize("fmt", ["cyclonedx", "spdx", "table"])
def test_hostile_other_formats(fmt, hostile_dir):
    p = scute("sbom", "--format", fmt, ref_of(hostile_dir))
    assert p.returncode == 0, describe(p)
    assert len(p.stdout) < 10 * 1000 * 1000
    if fmt == "cyclonedx":
        assert_valid(json.loads(p.stdout), CDX_SCHEMA)
    elif fmt == "spdx":
        assert_valid(json.loads(p.stdout), SPDX_SCHEMA)
