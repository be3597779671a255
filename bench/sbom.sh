#!/bin/sh
# Benchmark `scute sbom` against the decompression floor on a multi-layer
# AI image.
#
# Builds (once, cached under $SCUTE_CACHE/bench-sbom-*) with
# tests/e2e/images.py bench-sbom an OCI image of >= 2 GB uncompressed, gzip -6:
#   rootfs  debootstrap bookworm + python3-numpy/requests/yaml/... + Debian's
#           python3-torch (the torchroot tree of the e2e tests)
#   cuda    /usr/local/cuda/lib64 copied in when the machine has it
#   models  a 500 MB safetensors of pseudo-random F16 data, GGUF, ONNX,
#           pickles, a PyTorch zip, config.json
# warms the page cache, then measures with /usr/bin/time -f '%e s %M KB',
# best wall time of $RUNS (default 3), peak RSS the worst of the runs:
#   floor   every layer, one after another: igzip -dc BLOB | tar t >/dev/null
#   jobs1   scute sbom --format cyclonedx --jobs 1 -q IMAGE > FILE
#   jobs2   scute sbom --format cyclonedx --jobs 2 -q IMAGE > FILE
# (not `-o /dev/null`: -o writes a temporary file and renames it over the
# target, which as root would replace the /dev/null device node)
#   audit1  scute audit --format json --jobs 1 -q IMAGE (the same single pass plus the rules)
#   audit2  scute audit --format json --jobs 2 -q IMAGE
# Targets: jobs1, jobs2, audit1, audit2 <= 1.3x floor, peak RSS < 200 MB.
# Exit 0 unless a run fails; with BENCH_STRICT=1 also exit 1 on a missed target.
set -eu

. "$(dirname "$0")/common.sh"
RSS_MB=200
RATIO=1.3

bench_require "$TIME" igzip tar

dir=$("$PYTHON" "$root/tests/e2e/images.py" bench-sbom)
layout=$dir/oci
IMAGE="oci:$layout:bench"

# Layer blobs in manifest order, and the image's sizes.
info=$("$PYTHON" - "$layout" <<'PY'
import gzip, json, os, struct, sys
lay = sys.argv[1]
def blob(d): return os.path.join(lay, "blobs", *d.split(":", 1))
idx = json.load(open(os.path.join(lay, "index.json")))
m = [x for x in idx["manifests"] if x["annotations"]["org.opencontainers.image.ref.name"] == "bench"][0]
man = json.load(open(blob(m["digest"])))
# uncompressed size: gzip's ISIZE is mod 2^32, so this is a lower bound per
# layer for layers over 4 GiB; good enough for a headline figure
usize = 0
for l in man["layers"]:
    with open(blob(l["digest"]), "rb") as f:
        f.seek(-4, 2)
        usize += struct.unpack("<I", f.read(4))[0]
print(len(man["layers"]), sum(l["size"] for l in man["layers"]), usize)
for l in man["layers"]:
    print(blob(l["digest"]))
PY
)
nlayers=$(echo "$info" | head -1 | cut -d' ' -f1)
csize=$(echo "$info" | head -1 | cut -d' ' -f2)
usize=$(echo "$info" | head -1 | cut -d' ' -f3)
blobs=$(echo "$info" | tail -n +2)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
echo "$blobs" > "$tmp/blobs"

# Warm the page cache.
# shellcheck disable=SC2086
cat $blobs > /dev/null

cat > "$tmp/floor.sh" <<'EOS'
set -e
while read -r b; do
	igzip -dc "$b" | tar t > /dev/null
done < "$1"
EOS

echo "bench: image $IMAGE"
echo "bench: $nlayers layers, $(awk -v b="$csize" -v u="$usize" 'BEGIN{printf "%.2f GB compressed, %.2f GB uncompressed", b/1e9, u/1e9}'); $(nproc) CPUs; best of $RUNS runs, page cache warm"
measure floor sh "$tmp/floor.sh" "$tmp/blobs"
measure jobs1 "$SCUTE" sbom --format cyclonedx --jobs 1 -q "$IMAGE"
measure jobs2 "$SCUTE" sbom --format cyclonedx --jobs 2 -q "$IMAGE"
measure audit1 "$SCUTE" audit --format json --jobs 1 -q "$IMAGE"
measure audit2 "$SCUTE" audit --format json --jobs 2 -q "$IMAGE"

floor=$(cat "$tmp/floor.best")
row() {  # name label target-op target-ratio
	wall=$(cat "$tmp/$1.best"); rss=$(cat "$tmp/$1.rss")
	awk -v l="$2" -v w="$wall" -v r="$rss" -v f="$floor" -v op="$3" -v tr="$4" -v rmax="$RSS_MB" 'BEGIN{
		ratio = (f > 0) ? w / f : 0
		ok = "";
		if (op == "<=") ok = (ratio <= tr) ? "ok" : "MISSED";
		tgt = (op == "") ? "" : sprintf("%s %.2fx", op, tr)
		rssok = (op == "") ? "" : ((r / 1024 < rmax) ? "ok" : "MISSED")
		printf "%-44s %9.2f s %9.1f MB %8.2fx   %-9s %-6s %s\n", l, w, r / 1024, ratio, tgt, ok, rssok
	}'
}
echo
printf "%-44s %11s %12s %9s   %-16s %s\n" "measurement" "best wall" "peak RSS" "/floor" "time target" "RSS<${RSS_MB}MB"
printf "%-44s %11s %12s %9s   %-16s %s\n" "--------------------------------------------" "-----------" "------------" "---------" "----------------" "---------"
row floor "floor: igzip -dc | tar t (serial)" "" ""
row jobs1 "scute sbom -f cyclonedx --jobs 1 -q" "<=" "$RATIO"
row jobs2 "scute sbom -f cyclonedx --jobs 2 -q" "<=" "$RATIO"
row audit1 "scute audit --format json --jobs 1 -q" "<=" "$RATIO"
row audit2 "scute audit --format json --jobs 2 -q" "<=" "$RATIO"
echo
echo "all runs (wall, peak RSS):"
for n in floor jobs1 jobs2 audit1 audit2; do
	printf "  %-6s %s\n" "$n" "$(tr '\n' ';' < "$tmp/$n.all" | sed 's/;$//; s/;/;  /g')"
done

strict_fail=0
if [ "${BENCH_STRICT:-0}" = 1 ]; then
	awk -v f="$floor" -v a="$(cat "$tmp/jobs1.best")" -v b="$(cat "$tmp/jobs2.best")" \
	    -v ra="$(cat "$tmp/jobs1.rss")" -v rb="$(cat "$tmp/jobs2.rss")" -v t="$RATIO" -v m="$RSS_MB" \
	    'BEGIN{ exit !(a <= t * f && b <= t * f && ra < m * 1024 && rb < m * 1024) }' || strict_fail=1
fi
exit "$strict_fail"
