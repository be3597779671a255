#!/usr/bin/env python3
"""Synthetic data for bench/vuln.sh (deterministic, seed fixed):

  gen_vuln.py db N OUT.zip       N OSV JSON records in the all.zip layout, spread
                                 over PyPI / npm / Go / Debian:12 packages
                                 (N / 4 package names, ~4 advisories each, 1-3
                                 ranges, some `versions` lists)
  gen_vuln.py sbom M OUT.json    a CycloneDX 1.6 SBOM of M packages, half of them
                                 named like advisory packages, debian-12 distro
  gen_vuln.py naive DB.zip SBOM  the baseline: the same matching in Python
                                 (dict index + packaging.version), prints ms
"""
import io
import json
import random
import sys
import time
import zipfile

ECOS = [("PyPI", "pypi"), ("npm", "npm"), ("Go", "golang"), ("Debian:12", "deb")]


def pkg_name(eco, i):
    if eco == "Go":
        return "example.com/mod%d/pkg" % i
    if eco == "Debian:12":
        return "src%d" % i
    return "pkg-%d" % i


def ver(r, eco):
    v = "%d.%d.%d" % (r.randrange(0, 5), r.randrange(0, 20), r.randrange(0, 20))
    if eco == "Debian:12":
        v += "-%d" % r.randrange(1, 5)
    return v


def gen_db(n, out):
    r = random.Random(42)
    names = max(1, n // 4)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for i in range(n):
            eco, _ = ECOS[i % len(ECOS)]
            name = pkg_name(eco, r.randrange(names))
            ranges = []
            for _ in range(r.randrange(1, 4)):
                a, b = sorted([ver(r, eco), ver(r, eco)])
                typ = "SEMVER" if eco in ("npm", "Go") else "ECOSYSTEM"
                ranges.append({"type": typ, "events": [{"introduced": a}, {"fixed": b}]})
            rec = {"schema_version": "1.6.0", "id": "BENCH-%06d" % i, "modified": "2024-01-01T00:00:00Z",
                   "summary": "synthetic advisory %d" % i, "aliases": ["CVE-2099-%06d" % i],
                   "affected": [{"package": {"ecosystem": eco, "name": name}, "ranges": ranges}]}
            if i % 5 == 0:
                rec["affected"][0]["versions"] = [ver(r, eco) for _ in range(5)]
            if i % 3 == 0:
                rec["severity"] = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]
            z.writestr("BENCH-%06d.json" % i, json.dumps(rec))


def gen_sbom(m, names, out):
    r = random.Random(7)
    comps = [{"type": "operating-system", "name": "debian", "version": "12", "bom-ref": "os"}]
    for i in range(m):
        eco, ptype = ECOS[i % len(ECOS)]
        name = pkg_name(eco, r.randrange(names) if i % 2 == 0 else names + i)
        v = ver(r, eco)
        if ptype == "deb":
            purl = "pkg:deb/debian/%s-bin@%s?arch=amd64&distro=debian-12&upstream=%s" % (name, v, name)
        elif ptype == "golang":
            ns, base = name.rsplit("/", 1)
            purl = "pkg:golang/%s/%s@v%s" % (ns, base, v)
        else:
            purl = "pkg:%s/%s@%s" % (ptype, name, v)
        comps.append({"type": "library", "bom-ref": "c%d" % i, "name": name, "version": v, "purl": purl})
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
           "metadata": {"component": {"type": "container", "name": "bench", "bom-ref": "root"}},
           "components": comps}
    with open(out, "w") as f:
        json.dump(doc, f)


def naive(dbzip, sbom):
    from packaging.version import InvalidVersion, Version
    t0 = time.perf_counter()
    index = {}
    with zipfile.ZipFile(dbzip) as z:
        for n in z.namelist():
            rec = json.loads(z.read(n))
            for a in rec["affected"]:
                index.setdefault((a["package"]["ecosystem"], a["package"]["name"]), []).append((rec["id"], a))
    t1 = time.perf_counter()
    doc = json.load(open(sbom))
    hits = 0
    for c in doc["components"]:
        purl = c.get("purl")
        if not purl:
            continue
        eco = {"pypi": "PyPI", "npm": "npm", "golang": "Go", "deb": "Debian:12"}[purl[4:purl.index("/")]]
        name = c["name"]
        v = Version(c["version"].replace("-", "+"))
        for _, a in index.get((eco, name), []):
            for rg in a["ranges"]:
                ev = rg["events"]
                if Version(ev[0]["introduced"].replace("-", "+")) <= v < Version(ev[1]["fixed"].replace("-", "+")):
                    hits += 1
                    break
    t2 = time.perf_counter()
    print("%.1f %.1f %d" % ((t1 - t0) * 1e3, (t2 - t1) * 1e3, hits))


if __name__ == "__main__":
    if sys.argv[1] == "db":
        gen_db(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "sbom":
        gen_sbom(int(sys.argv[2]), max(1, int(sys.argv[4]) // 4), sys.argv[3])
    elif sys.argv[1] == "naive":
        naive(sys.argv[2], sys.argv[3])
