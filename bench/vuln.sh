#!/bin/sh
# Benchmark the vulnerability database: import throughput and matching time.
#
#   import-pypa   scute db import of the PyPA advisory database (OSV YAML,
#                 ../shared/data/osv/pypa-advisory-database), records/s;
#                 baseline: Python's yaml.safe_load of the same files (the
#                 parse alone, no database), records/s
#   import-100k   scute db import of 100,000 synthetic OSV JSON records in the
#                 all.zip layout (bench/gen_vuln.py), records/s
#   match         scute scan --timings of a 1,000-package CycloneDX SBOM against
#                 the 100k-record database: the match phase alone (the SBOM is
#                 read before it), best of $RUNS; baseline: the same matching
#                 in Python (dict index + packaging.version), index build
#                 excluded
# Targets: import > 5,000 records/s; match < 50 ms.
# Exit 0 unless a run fails; with BENCH_STRICT=1 also exit 1 on a missed target.
set -eu

BENCH_DEFAULT_RUNS=5
. "$(dirname "$0")/common.sh"
here=$root/bench
PYPA=${PYPA:-$(dirname "$root")/shared/data/osv/pypa-advisory-database}
bench_require

work=$(mktemp -d /tmp/scute-bench-vuln.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
missed=0

rate() { # records seconds
	awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'
}

if [ -d "$PYPA/vulns" ]; then
	best=""
	for i in 1 2 3; do
		rm -f "$work/pypa.sqlite"
		out=$("$SCUTE" db import --db "$work/pypa.sqlite" "$PYPA")
		r=$(echo "$out" | sed -n 's/.*(\([0-9]*\) records\/s).*/\1/p')
		if [ -z "$best" ] || [ "$r" -gt "$best" ]; then best=$r; line=$out; fi
	done
	base=$("$PYTHON" - "$PYPA" <<'PY'
import glob, os, sys, time, yaml
files = glob.glob(os.path.join(sys.argv[1], "vulns", "*", "*.yaml"))
t = time.perf_counter()
for f in files:
    with open(f) as fh:
        yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
print("%.0f" % (len(files) / (time.perf_counter() - t)))
PY
)
	echo "import-pypa   scute $best records/s   baseline (python yaml parse only) $base records/s   target > 5000"
	echo "              $line"
	[ "$best" -gt 5000 ] || missed=1
else
	echo "import-pypa   skipped: $PYPA not found"
fi

"$PYTHON" "$here/gen_vuln.py" db 100000 "$work/all.zip"
"$PYTHON" "$here/gen_vuln.py" sbom 1000 "$work/sbom.json" 100000
out=$("$SCUTE" db import --db "$work/big.sqlite" "$work/all.zip")
r=$(echo "$out" | sed -n 's/.*(\([0-9]*\) records\/s).*/\1/p')
echo "import-100k   scute $r records/s   target > 5000"
echo "              $out"
[ "$r" -gt 5000 ] || missed=1

best=""
i=0
while [ "$i" -lt "$RUNS" ]; do
	"$SCUTE" scan --db "$work/big.sqlite" --timings --format json -o "$work/scan.json" "$work/sbom.json" 2>"$work/t"
	ms=$(sed -n 's/.*match \([0-9.]*\) ms.*/\1/p' "$work/t")
	if [ -z "$best" ] || awk -v a="$ms" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$ms; tl=$(cat "$work/t"); fi
	i=$((i + 1))
done
naive=$("$PYTHON" "$here/gen_vuln.py" naive "$work/all.zip" "$work/sbom.json")
echo "match         scute $best ms   baseline (python, in-memory index) $(echo "$naive" | cut -d' ' -f2) ms   target < 50 ms"
echo "              $tl"
awk -v a="$best" 'BEGIN { exit !(a < 50) }' || missed=1

if [ "$missed" -ne 0 ]; then
	echo "bench: a target was missed" >&2
	[ "${BENCH_STRICT:-0}" = 1 ] && exit 1
fi
exit 0
