#!/bin/sh
# Benchmark `scute inspect` against the decompression floor.
#
# Builds (once, cached under $SCUTE_CACHE/bench-*) a multi-layer OCI image of
# real files (debootstrap rootfs, /usr/lib, CUDA libraries if present,
# /usr/share, toolchains, python; gzip -6; ~1.2-1.5 GB compressed) with
# tests/e2e/images.py, warms the page cache, then measures with
# /usr/bin/time -f '%e s %M KB', best of $RUNS (default 3):
#   floor   every layer, one after another: igzip -dc BLOB | tar t >/dev/null
#   jobs1   scute inspect --jobs 1 --quiet IMAGE
#   jobs2   scute inspect --jobs 2 --quiet IMAGE
# and prints a table with peak RSS and scute/floor ratios.
# Targets: jobs1 <= 1.3x floor, jobs2 < 1.0x floor, peak RSS < 150 MB.
# Exit 0 unless a run fails; with BENCH_STRICT=1 also exit 1 on a missed target.
set -eu

. "$(dirname "$0")/common.sh"

bench_require "$TIME" igzip tar

dir=$("$PYTHON" "$root/tests/e2e/images.py" bench)
layout=$dir/oci
IMAGE="oci:$layout:bench"

# Layer blobs in manifest order, and the image's sizes.
info=$("$PYTHON" - "$layout" <<'PY'
import json, os, sys
lay = sys.argv[1]
def blob(d): return os.path.join(lay, "blobs", *d.split(":", 1))
idx = json.load(open(os.path.join(lay, "index.json")))
m = [x for x in idx["manifests"] if x["annotations"]["org.opencontainers.image.ref.name"] == "bench"][0]
man = json.load(open(blob(m["digest"])))
print(len(man["layers"]), sum(l["size"] for l in man["layers"]))
for l in man["layers"]:
    print(blob(l["digest"]))
PY
)
nlayers=$(echo "$info" | head -1 | cut -d' ' -f1)
csize=$(echo "$info" | head -1 | cut -d' ' -f2)
blobs=$(echo "$info" | tail -n +2)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
echo "$blobs" > "$tmp/blobs"

# Warm the page cache.
# shellcheck disable=SC2086
cat $blobs > /dev/null

cat > "$tmp/floor.sh" <<'SH'
set -e
while read -r b; do
	igzip -dc "$b" | tar t > /dev/null
done < "$1"
SH

echo "bench: image $IMAGE"
echo "bench: $nlayers layers, $(awk -v b="$csize" 'BEGIN{printf "%.2f GB", b/1e9}') compressed; $(nproc) CPUs; best of $RUNS runs, page cache warm"
measure floor sh "$tmp/floor.sh" "$tmp/blobs"
measure jobs1 "$SCUTE" inspect --jobs 1 --quiet "$IMAGE"
measure jobs2 "$SCUTE" inspect --jobs 2 --quiet "$IMAGE"

floor=$(cat "$tmp/floor.best")
strict_fail=0
row() {  # name label wall rss target-ratio-op target-ratio
	wall=$(cat "$tmp/$1.best"); rss=$(cat "$tmp/$1.rss")
	awk -v l="$2" -v w="$wall" -v r="$rss" -v f="$floor" -v op="$3" -v tr="$4" 'BEGIN{
		ratio = (f > 0) ? w / f : 0
		ok = "";
		if (op == "<=") ok = (ratio <= tr) ? "ok" : "MISSED";
		if (op == "<")  ok = (ratio <  tr) ? "ok" : "MISSED";
		tgt = (op == "") ? "" : sprintf("%s %.2fx", op, tr)
		rssok = (op == "") ? "" : ((r / 1024 < 150) ? "ok" : "MISSED")
		printf "%-34s %9.2f s %9.1f MB %8.2fx   %-9s %-6s %s\n", l, w, r / 1024, ratio, tgt, ok, rssok
	}'
}
echo
printf "%-34s %11s %12s %9s   %-16s %s\n" "measurement" "best wall" "peak RSS" "/floor" "time target" "RSS<150MB"
printf "%-34s %11s %12s %9s   %-16s %s\n" "----------------------------------" "-----------" "------------" "---------" "----------------" "---------"
row floor "floor: igzip -dc | tar t (serial)" "" ""
row jobs1 "scute inspect --jobs 1 --quiet" "<=" 1.3
row jobs2 "scute inspect --jobs 2 --quiet" "<" 1.0
echo
echo "all runs (wall, peak RSS):"
for n in floor jobs1 jobs2; do
	printf "  %-6s %s\n" "$n" "$(tr '\n' ';' < "$tmp/$n.all" | sed 's/;$//; s/;/;  /g')"
done

if [ "${BENCH_STRICT:-0}" = 1 ]; then
	awk -v f="$floor" -v a="$(cat "$tmp/jobs1.best")" -v b="$(cat "$tmp/jobs2.best")" \
	    -v ra="$(cat "$tmp/jobs1.rss")" -v rb="$(cat "$tmp/jobs2.rss")" \
	    'BEGIN{ exit !(a <= 1.3 * f && b < f && ra < 150 * 1024 && rb < 150 * 1024) }' || strict_fail=1
fi
exit "$strict_fail"
