# scripts/registry-lib.sh - start and stop Debian's docker-registry on a free
# loopback port, for the demo and the benchmarks; sourced, not run.
#   registry_start DIR   storage and config under DIR (created), log in
#                        DIR/log, pid in DIR/pid, "127.0.0.1:PORT" in DIR/host;
#                        returns when /v2/ answers (exit 4 after 10 s)
#   registry_stop DIR    stop it (waits for the process to end)
# Needs $PYTHON (a python3) for the free port and the readiness probe.

registry_start() {
	rdir=$1
	rport=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkdir -p "$rdir/data"
	cat > "$rdir/config.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $rdir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$rport
YML
	docker-registry serve "$rdir/config.yml" > "$rdir/log" 2>&1 &
	echo $! > "$rdir/pid"
	rtries=0  # sh functions share the caller's variables: names of our own
	until "$PYTHON" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$rport/v2/')" 2>/dev/null; do
		rtries=$((rtries + 1))
		[ "$rtries" -lt 100 ] || { echo "registry in $rdir did not start:" >&2; cat "$rdir/log" >&2; exit 4; }
		sleep 0.1
	done
	echo "127.0.0.1:$rport" > "$rdir/host"
}

registry_stop() {
	[ -f "$1/pid" ] || return 0
	kill "$(cat "$1/pid")" 2>/dev/null || true
	while kill -0 "$(cat "$1/pid")" 2>/dev/null; do sleep 0.05; done
	rm -f "$1/pid"
}
