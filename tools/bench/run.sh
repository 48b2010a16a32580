#!/bin/sh
#
# make bench: playwaved against an nginx floor on loopback (wrk and ab),
# the store microbenchmark, the framing scan's microbenchmark, heartbeats
# through HAProxy over 3 shards against one host, and per-worker RSS
# after a long run.
#
#   sh tools/bench/run.sh [all | http | store | frame | cluster | rss]
#
# Environment: BENCH_SECS (seconds per run, default 6), BENCH_RUNS
# (default 3), BENCH_CONNS (default 64), BENCH_RSS_REQUESTS (default
# 1000000), PW_BUILD (default build).
#
# Everything runs from one temp directory; the trap stops whatever is
# still running from it (by the pids recorded there) and removes it, on
# success, failure or interrupt alike.

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$root/${PW_BUILD:-build}"
mode=${1:-all}
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pwbench.XXXXXX") || exit 1
export BENCH_TMP

stop_pid() {
	kill -0 "$1" 2>/dev/null || return 0
	kill -TERM "$1" 2>/dev/null
	n=0
	while kill -0 "$1" 2>/dev/null && [ $n -lt 50 ]; do
		sleep 0.2
		n=$((n + 1))
	done
	kill -KILL "$1" 2>/dev/null
}

cleanup() {
	trap - EXIT INT TERM HUP
	# The stage still running stops its servers itself on TERM.
	if [ -n "$child" ]; then
		kill -TERM "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	if [ -f "$BENCH_TMP/pids" ]; then
		while read -r pid; do
			[ -n "$pid" ] && stop_pid "$pid"
		done <"$BENCH_TMP/pids"
	fi
	# A child left without its master (killed -9) stops on its own once
	# orphaned; nginx's workers go with their master.
	rm -rf "$BENCH_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

need() {
	for t in "$@"; do
		if ! command -v "$t" >/dev/null 2>&1; then
			echo "bench: $t not found (Debian: apt-get install" \
			    "wrk apache2-utils nginx-light python3)" >&2
			exit 1
		fi
	done
}

# Bound every stage in time even if a tool hangs.  The stage runs in the
# background so that a signal reaches the trap at once (sh runs traps only
# after a foreground command ends); timeout(1) passes the TERM on.
child=
bounded() {
	secs=$1
	shift
	if command -v timeout >/dev/null 2>&1; then
		timeout -k 10 "$secs" "$@" &
	else
		"$@" &
	fi
	child=$!
	wait "$child"
	st=$?
	child=
	return $st
}

run_http() {
	need wrk ab nginx python3
	bounded 900 python3 "$here/bench.py" http
}

run_cluster() {
	need wrk haproxy python3
	bounded 600 python3 "$here/cluster.py"
}

run_rss() {
	need wrk nginx python3
	bounded 600 python3 "$here/bench.py" rss
}

run_frame() {
	fb="$build/framebench"
	if [ ! -x "$fb" ]; then
		echo "bench: build $fb first (make bench)" >&2
		return 1
	fi
	bounded 300 "$fb"
}

run_store() {
	sb="$build/storebench"
	if [ ! -x "$sb" ]; then
		# Until the makefile builds it: the same flags, by hand.
		pc="libevent"
		[ "$(uname -s)" = Linux ] && pc="$pc libbsd-overlay libmd"
		echo "bench: building $sb" >&2
		# shellcheck disable=SC2046
		${CC:-cc} -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -O2 \
		    -I"$root/include" $(pkg-config --cflags $pc) \
		    "$here/storebench.c" "$here/storebench_probe.c" \
		    "$build/libpw.a" \
		    $(pkg-config --libs $pc) -o "$sb" || return 1
	fi
	bounded 600 "$sb" "$BENCH_TMP" || return 1
	# Start-up reconciliation: 1 M live sessions, a 10 M-event log.
	[ -x "$build/reconbench" ] || return 0
	bounded 900 "$build/reconbench" ${RECON_ARGS:-} "$BENCH_TMP"
}

[ -x "$build/playwaved" ] || { echo "bench: build first (make)" >&2; exit 1; }

rc=0
case $mode in
all)
	run_http || rc=1
	run_store || rc=1
	run_frame || rc=1
	run_cluster || rc=1
	run_rss || rc=1
	;;
cluster) run_cluster || rc=1 ;;
http)	run_http || rc=1 ;;
store)	run_store || rc=1 ;;
frame)	run_frame || rc=1 ;;
rss)	run_rss || rc=1 ;;
*)	echo "usage: $0 [all | http | store | frame | cluster | rss]" >&2; rc=2 ;;
esac
exit $rc
