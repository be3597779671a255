# bench/common.sh - what every bench script shares; sourced, not run.
# Sets root, SCUTE_CACHE, PYTHON, SCUTE, RUNS (default: $1 or 3), TIME, and
# defines:
#   bench_require TOOL...   exit 4 unless each TOOL and the scute binary exist
#   measure_once NAME CMD   one timed run of CMD (/usr/bin/time -f '%e s %M KB'),
#                           appended to $tmp/NAME.all; exit 1 when CMD fails
#   measure NAME CMD        $RUNS runs; best wall time into $tmp/NAME.best,
#                           the worst run's peak RSS (KB) into $tmp/NAME.rss
#   best NAME / rss NAME    the same figures printed from $tmp/NAME.all
# The caller sets $tmp (a scratch directory) before measuring.

root=$(cd "$(dirname "$0")/.." && pwd)
: "${SCUTE_CACHE:=/var/tmp/scute-cache}"
export SCUTE_CACHE
PYTHON=${PYTHON:-/usr/bin/python3}
SCUTE=${SCUTE:-$root/build/src/scute}
RUNS=${RUNS:-${BENCH_DEFAULT_RUNS:-3}}
TIME=/usr/bin/time

bench_require() {
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || { echo "bench: $t not found (run scripts/deps.sh)" >&2; exit 4; }
	done
	[ -x "$SCUTE" ] || { echo "bench: scute binary not found at $SCUTE (run make build)" >&2; exit 4; }
}

measure_once() {
	name=$1; shift
	"$TIME" -f '%e s %M KB' -o "$tmp/$name.t" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" || {
		echo "bench: $name failed:" >&2
		cat "$tmp/$name.err" "$tmp/$name.t" >&2
		exit 1
	}
	tail -1 "$tmp/$name.t" >> "$tmp/$name.all"
}

best() { sort -n "$tmp/$1.all" | head -1 | cut -d' ' -f1; }
rss() { sort -n -k3 "$tmp/$1.all" | tail -1 | cut -d' ' -f3; }

measure() {
	name=$1; shift
	i=0
	: > "$tmp/$name.all"
	while [ "$i" -lt "$RUNS" ]; do
		measure_once "$name" "$@"
		i=$((i + 1))
	done
	best "$name" > "$tmp/$name.best"
	rss "$name" > "$tmp/$name.rss"
}
