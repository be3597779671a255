#!/bin/sh
# Benchmark `scute harden --minimize --layering squash` against its floor on
# the >= 2 GB AI image of bench/sbom.sh (Debian + python3-torch, CUDA
# libraries when the machine has them, a 500 MB safetensors model...).
#
# The floor is what any tool that rewrites the image must do at least:
#   read     every layer decompressed and walked once: igzip -dc BLOB | tar t
#   write    the result written and compressed once: gzip -6 -n of the
#            uncompressed squashed layer scute produced (taken from its
#            output before timing), to a file
#   floor    read + write
# scute's run (best wall time of $RUNS, default 3, page cache warm; peak RSS
# the worst run, /usr/bin/time -f '%e s %M KB'):
#   harden   scute harden -q --jobs 2 --minimize --layering squash
#            --entrypoint "/usr/bin/python3 -c 'import torch, numpy'"
#            --keep /opt/models IMAGE oci:OUT:h  (OUT removed before each run)
# Targets: harden <= 1.5x floor, peak RSS < 300 MB.
# Exit 0 unless a run fails; with BENCH_STRICT=1 also exit 1 on a missed target.
set -eu

. "$(dirname "$0")/common.sh"
RSS_MB=300
RATIO=1.5

bench_require "$TIME" igzip tar gzip

dir=$("$PYTHON" "$root/tests/e2e/images.py" bench-sbom)
layout=$dir/oci
IMAGE="oci:$layout:bench"

tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/scute-bench-harden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

blobs() {  # layout tag -> layer blob paths, one per line
	"$PYTHON" - "$1" "$2" <<'PY'
import json, os, sys
lay, tag = sys.argv[1], sys.argv[2]
def blob(d): return os.path.join(lay, "blobs", *d.split(":", 1))
idx = json.load(open(os.path.join(lay, "index.json")))
m = [x for x in idx["manifests"] if x["annotations"]["org.opencontainers.image.ref.name"] == tag][0]
for l in json.load(open(blob(m["digest"])))["layers"]:
    print(blob(l["digest"]))
PY
}
blobs "$layout" bench > "$tmp/blobs"
csize=$(xargs stat -c %s < "$tmp/blobs" | awk '{s+=$1} END {print s}')
# shellcheck disable=SC2046
cat $(cat "$tmp/blobs") > /dev/null  # warm the page cache

cat > "$tmp/read.sh" <<'EOS'
set -e
while read -r b; do
	igzip -dc "$b" | tar t > /dev/null
done < "$1"
EOS
cat > "$tmp/harden.sh" <<EOS
rm -rf "$tmp/out"
exec "$SCUTE" harden -q --jobs 2 --minimize --layering squash \\
	--entrypoint "/usr/bin/python3 -c 'import torch, numpy'" --keep /opt/models \\
	--scratch "$tmp" "$IMAGE" "oci:$tmp/out:h"
EOS

echo "bench: image $IMAGE, $(wc -l < "$tmp/blobs") layers, $(awk -v b="$csize" 'BEGIN{printf "%.2f GB", b/1e9}') compressed; $(nproc) CPUs; best of $RUNS runs"
measure harden sh "$tmp/harden.sh"
# The result's single layer, uncompressed once (not timed), is what the write floor compresses.
blobs "$tmp/out" h > "$tmp/outblobs"
igzip -dc "$(head -1 "$tmp/outblobs")" > "$tmp/out.tar"
osize=$(stat -c %s "$(head -1 "$tmp/outblobs")")
cat > "$tmp/write.sh" <<EOS
gzip -6 -n -c "$tmp/out.tar" > "$tmp/out.tar.gz"
EOS
measure read sh "$tmp/read.sh" "$tmp/blobs"
measure write sh "$tmp/write.sh"

read_t=$(cat "$tmp/read.best"); write_t=$(cat "$tmp/write.best"); h=$(cat "$tmp/harden.best")
floor=$(awk -v a="$read_t" -v b="$write_t" 'BEGIN{printf "%.2f", a + b}')
echo "bench: result $(awk -v o="$osize" -v b="$csize" -v u="$(stat -c %s "$tmp/out.tar")" 'BEGIN{printf "%.2f GB compressed (%.0f%% of the source), %.2f GB uncompressed", o/1e9, 100*o/b, u/1e9}')"
echo
printf "%-58s %11s %12s %9s   %-10s %s\n" "measurement" "best wall" "peak RSS" "/floor" "target" "RSS<${RSS_MB}MB"
awk -v l="floor: read (igzip -dc | tar t, serial)" -v w="$read_t" 'BEGIN{printf "%-58s %9.2f s\n", l, w}'
awk -v l="floor: write (gzip -6 -n of the squashed tar)" -v w="$write_t" 'BEGIN{printf "%-58s %9.2f s\n", l, w}'
awk -v l="floor: read + write" -v w="$floor" 'BEGIN{printf "%-58s %9.2f s %12s %8.2fx\n", l, w, "", 1}'
awk -v l="scute harden --minimize --layering squash --jobs 2" -v w="$h" -v f="$floor" -v r="$(cat "$tmp/harden.rss")" \
    -v t="$RATIO" -v m="$RSS_MB" 'BEGIN{
	ratio = w / f
	printf "%-58s %9.2f s %9.1f MB %8.2fx   <= %.2fx %-6s %s\n", l, w, r / 1024, ratio, t,
	       (ratio <= t) ? "ok" : "MISSED", (r / 1024 < m) ? "ok" : "MISSED"
}'
echo
echo "all runs (wall, peak RSS):"
for n in harden read write; do
	printf "  %-6s %s\n" "$n" "$(tr '\n' ';' < "$tmp/$n.all" | sed 's/;$//; s/;/;  /g')"
done
if [ "${BENCH_STRICT:-0}" = 1 ]; then
	awk -v w="$h" -v f="$floor" -v t="$RATIO" -v r="$(cat "$tmp/harden.rss")" -v m="$RSS_MB" \
	    'BEGIN{exit !(w / f <= t && r / 1024 < m)}' || exit 1
fi
exit 0
