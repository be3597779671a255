#!/bin/sh
# Benchmark `scute mirror` against `skopeo copy` on the >= 2 GB AI image of
# bench/sbom.sh (Debian + python3-torch, CUDA libraries when the machine has
# them, a 500 MB safetensors model), in the same run, on loopback:
#   src       Debian's docker-registry (distribution 2.8) on 127.0.0.1,
#             seeded once with `skopeo copy oci:... docker://` (not timed)
#   reg->reg  a fresh second registry (empty storage) for each run and tool
#             (scute mirror docker://SRC docker://DST  vs  skopeo copy); fresh,
#             because skopeo's blob-info cache would otherwise mount blobs it
#             saw in an earlier run's repository instead of copying them
#   reg->oci  a fresh OCI layout for each run and tool
#   again     the same reg->reg copy repeated onto the existing copy: scute
#             must move no layer bytes (its --json bytes_sent), and the time
#             is printed next to skopeo's
# Each figure is the best wall time of $RUNS (default 3) with the peak RSS of
# the worst run (/usr/bin/time).  Target: scute at least 1.5x faster than
# skopeo (skopeo time / scute time >= 1.5) for reg->reg and reg->oci, and
# 0 layer bytes on the repeat.
# Exit 0 unless a run fails; with BENCH_STRICT=1 also exit 1 on a missed target.
set -eu

. "$(dirname "$0")/common.sh"
RATIO=1.5

bench_require "$TIME" skopeo docker-registry

dir=$("$PYTHON" "$root/tests/e2e/images.py" bench-sbom)
layout=$dir/oci

tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/scute-bench-mirror.XXXXXX")
. "$root/scripts/registry-lib.sh"
cleanup() {
	for d in "$tmp"/*/; do registry_stop "$d"; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

start_registry() {  # NAME: a fresh registry with empty storage; HOST:PORT in $tmp/NAME/host
	rm -rf "$tmp/$1"
	registry_start "$tmp/$1"
}
stop_registry() {  # NAME: stop it and drop its storage
	registry_stop "$tmp/$1"
	rm -rf "$tmp/$1"
}

start_registry src
src=$(cat "$tmp/src/host")
SK="skopeo copy -q --src-tls-verify=false --dest-tls-verify=false"
$SK "oci:$layout:bench" "docker://$src/ai:bench"
# "total-bytes largest-digest largest-path"
set -- $("$PYTHON" - "$layout" <<'PY'
import json, os, sys
lay = sys.argv[1]
def blob(d): return os.path.join(lay, "blobs", *d.split(":", 1))
idx = json.load(open(os.path.join(lay, "index.json")))
m = [x for x in idx["manifests"] if x["annotations"]["org.opencontainers.image.ref.name"] == "bench"][0]
man = json.load(open(blob(m["digest"])))
big = max(man["layers"], key=lambda l: l["size"])
print(sum(l["size"] for l in man["layers"]) + man["config"]["size"], big["digest"], blob(big["digest"]))
PY
)
csize=$1 big_digest=$2 big_path=$3
cat > "$tmp/floor.sh" <<'EOS'
# The floor of any registry -> registry copy: the destination registry
# ingesting the largest blob alone, sent by curl from the page cache
# (POST an upload session, one monolithic PUT ?digest=).
set -e
loc=$(curl -sf -D - -o /dev/null -X POST "http://$1/v2/floor/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
case $loc in http*) ;; *) loc="http://$1$loc" ;; esac
curl -sf -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' -T "$3" "$loc&digest=$2"
EOS


echo "bench: image oci:$layout:bench, $(awk -v b="$csize" 'BEGIN{printf "%.2f GB", b/1e9}') of blobs; $(nproc) CPUs; source registry $src (distribution $(docker-registry --version | awk '{print $3}')); best of $RUNS runs"
i=0
while [ "$i" -lt "$RUNS" ]; do
	i=$((i + 1))
	# Alternate which tool goes first so page-cache effects favour neither.
	if [ $((i % 2)) -eq 1 ]; then order="scute skopeo"; else order="skopeo scute"; fi
	start_registry dst
	cat "$big_path" > /dev/null
	measure_once floor sh "$tmp/floor.sh" "$(cat "$tmp/dst/host")" "$big_digest" "$big_path"
	stop_registry dst
	for tool in $order; do
		case $tool in
		scute)
			start_registry dst
			dst=$(cat "$tmp/dst/host")
			measure_once scute-reg "$SCUTE" mirror -q --json "docker://$src/ai:bench" "docker://$dst/ai:bench"
			stop_registry dst
			measure_once scute-oci "$SCUTE" mirror -q --json "docker://$src/ai:bench" "oci:$tmp/scute-oci$i:bench"
			rm -rf "$tmp/scute-oci$i"
			;;
		skopeo)
			start_registry dst
			dst=$(cat "$tmp/dst/host")
			measure_once skopeo-reg $SK "docker://$src/ai:bench" "docker://$dst/ai:bench"
			stop_registry dst
			measure_once skopeo-oci $SK "docker://$src/ai:bench" "oci:$tmp/skopeo-oci$i:bench"
			rm -rf "$tmp/skopeo-oci$i"
			;;
		esac
	done
done
# The repeat: each tool copies onto its own finished copy.
start_registry dst
dst=$(cat "$tmp/dst/host")
"$SCUTE" mirror -q "docker://$src/ai:bench" "docker://$dst/scute:bench" > /dev/null
$SK "docker://$src/ai:bench" "docker://$dst/skopeo:bench"
i=0
while [ "$i" -lt "$RUNS" ]; do
	i=$((i + 1))
	measure_once scute-again "$SCUTE" mirror -q --json "docker://$src/ai:bench" "docker://$dst/scute:bench"
	again_bytes=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytes_sent"])' "$tmp/scute-again.out")
	measure_once skopeo-again $SK "docker://$src/ai:bench" "docker://$dst/skopeo:bench"
done
sd=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$dst/scute:bench")
kd=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$src/ai:bench")
[ "$sd" = "$kd" ] || { echo "bench: scute's copy has digest $sd, the source $kd" >&2; exit 1; }

echo
printf "%-44s %11s %11s %12s %12s %9s   %s\n" "copy" "scute" "skopeo" "scute RSS" "skopeo RSS" "speedup" "target"
row() {  # LABEL NAME TARGET
	awk -v l="$1" -v a="$(best "scute-$2")" -v b="$(best "skopeo-$2")" -v ra="$(rss "scute-$2")" \
	    -v rb="$(rss "skopeo-$2")" -v t="$3" 'BEGIN{
		s = b / a
		printf "%-44s %9.2f s %9.2f s %9.1f MB %9.1f MB %8.2fx   %s\n", l, a, b, ra / 1024, rb / 1024, s,
		       t == "" ? "-" : (s >= t ? ">= " t "x ok" : ">= " t "x MISSED")
	}'
}
row "registry -> registry (fresh registry)" reg "$RATIO"
row "registry -> OCI layout (fresh directory)" oci "$RATIO"
row "registry -> registry again (all present)" again ""
awk -v f="$(best floor)" -v a="$(best scute-reg)" -v b="$(best skopeo-reg)" -v s="$(awk -v c="$(stat -c %s "$big_path")" 'BEGIN{printf "%.2f", c/1e9}')" 'BEGIN{
	printf "floor: the destination registry ingesting the largest blob (%s GB) alone, from curl: %.2f s\n", s, f
	printf "       (scute reg->reg = %.2fx the floor, skopeo = %.2fx)\n", a / f, b / f
}'
echo "scute layer bytes sent on the repeat: $again_bytes (target 0); digest kept: $sd"
echo
echo "all runs (wall, peak RSS):"
for n in floor scute-reg skopeo-reg scute-oci skopeo-oci scute-again skopeo-again; do
	printf "  %-12s %s\n" "$n" "$(tr '\n' ';' < "$tmp/$n.all" | sed 's/;$//; s/;/;  /g')"
done
if [ "${BENCH_STRICT:-0}" = 1 ]; then
	for n in reg oci; do
		awk -v a="$(best "scute-$n")" -v b="$(best "skopeo-$n")" -v t="$RATIO" 'BEGIN{exit !(b / a >= t)}' || exit 1
	done
	[ "$again_bytes" = 0 ] || exit 1
fi
exit 0
