#!/usr/bin/env bash
# handshake_throughput.sh - our libp2p stack against js-libp2p 3, C<->C and
# js<->js on loopback in the same run (issue #4):
#   handshake + 1 RTT: a fresh TCP+Noise+yamux connection, then one ping;
#                      the median of N (default 20)
#   throughput:        BYTES (default 256 MiB) over one stream through
#                      Noise+yamux into a sink that acknowledges the count;
#                      the median of R runs (default 5) on one connection
#                      each, every run printed (on two cores, where the
#                      scheduler puts sender and receiver moves a run by
#                      up to a third)
# Goals: handshake <= 1 ms and <= 1/20 of js; throughput >= 1.5 GB/s and
# >= 8x js.  Uses $GGEN_BUILD/tests/c_peer (default build/; run `make
# tests-bins` first) and tests/interop/peer.mjs (`npm ci` in tests/interop).
#
# Wall-clock figures suffer when other jobs share the cores, so CPU time
# is printed too: the listener's from /proc/PID/task/*/schedstat around
# each phase, the C dialer's as it reports it (getrusage).
#
#   bash bench/handshake_throughput.sh [N] [BYTES] [R]
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-20}
BYTES=${2:-268435456}
R=${3:-5}
CPEER=${GGEN_BUILD:-$ROOT/build}/tests/c_peer
JS=(node --import "$ROOT/tests/interop/shim.mjs" "$ROOT/tests/interop/peer.mjs")
T=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"' EXIT
export PEER_TTL=600

[ -x "$CPEER" ] || { echo "build first: make tests-bins" >&2; exit 1; }
[ -d "$ROOT/tests/interop/node_modules/libp2p" ] ||
	{ echo "install first: (cd tests/interop && npm ci)" >&2; exit 1; }

LAST=
listen() { # listen OUT cmd...: start a listener, print its address
	local out=$1 i; shift
	"$@" >"$out" 2>/dev/null &
	PIDS+=($!)
	LAST=$!
	for ((i = 0; i < 300; i++)); do
		grep -q '^listening: ' "$out" && break
		sleep 0.1
	done
}
addr() { awk '/^listening: /{print $2; exit}' "$1"; }
num() { grep -Eo '[0-9]+\.[0-9]+' | head -1; }
cpu_ns() { # CPU time of every thread of process $1, in ns
	# %.0f: %d stops at 2^31 in mawk, 2.1 s of CPU
	cat /proc/"$1"/task/*/schedstat 2>/dev/null |
		awk '{s += $1} END {printf "%.0f\n", s}'
}
# phase PID OUTVAR cmd...: run cmd, keep its output in OUTVAR and the
# listener's CPU ms for it in OUTVAR_SRV
phase() {
	local pid=$1 var=$2 a b out; shift 2
	a=$(cpu_ns "$pid")
	out=$("$@")
	b=$(cpu_ns "$pid")
	printf -v "$var" '%s' "$out"
	printf -v "${var}_SRV" '%s' "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')"
}

listen "$T/c" "$CPEER" listen; C_PID=$LAST; C_MA=$(addr "$T/c")
listen "$T/j" "${JS[@]}" listen; J_PID=$LAST; J_MA=$(addr "$T/j")
[ -n "$C_MA" ] && [ -n "$J_MA" ] || { echo "listeners did not start" >&2; exit 1; }

phase "$C_PID" C_HS_OUT "$CPEER" bench-hs "$C_MA" "$N"
phase "$J_PID" J_HS_OUT "${JS[@]}" bench-hs "$J_MA" "$N"
# tput NAME PID cmd...: R runs; NAME_ALL = the figures, NAME = median
# (with its CPU figures in NAME_CPU and NAME_SRV)
tput() {
	local name=$1 pid=$2 i all= out cpu srv; shift 2
	for ((i = 0; i < R; i++)); do
		phase "$pid" ONE "$@"
		cpu=$(echo "$ONE" | grep -Eo 'cpu [0-9.]+' | grep -Eo '[0-9.]+$')
		all+="$(echo "$ONE" | num) ${cpu:-0} ${ONE_SRV}"$'\n'
	done
	read -r out cpu srv < <(printf '%s' "$all" | sort -n |
		awk -v m=$(((R + 1) / 2)) 'NR == m')
	printf -v "$name" '%s' "$out"
	printf -v "${name}_CPU" '%s' "$cpu"
	printf -v "${name}_SRV" '%s' "$srv"
	printf -v "${name}_ALL" '%s' "$(printf '%s' "$all" | awk '{print $1}' | tr '\n' ' ')"
}
tput C_TP "$C_PID" "$CPEER" bench-tput "$C_MA" "$BYTES"
tput J_TP "$J_PID" "${JS[@]}" bench-tput "$J_MA" "$BYTES"
C_HS=$(echo "$C_HS_OUT" | num); J_HS=$(echo "$J_HS_OUT" | num)
C_HS_CPU=$(echo "$C_HS_OUT" | grep -Eo 'cpu [0-9.]+' | grep -Eo '[0-9.]+$')

echo "handshake + 1 RTT, median of $N fresh connections:"
printf '  C <-> C   %8.3f ms   (goal <= 1 ms)\n' "$C_HS"
printf '  js <-> js %8.3f ms\n' "$J_HS"
awk -v c="$C_HS" -v j="$J_HS" 'BEGIN { printf "  ratio     js/C = %.1fx   (goal >= 20x)\n", j / c }'
awk -v d="${C_HS_CPU:-0}" -v s="$C_HS_OUT_SRV" -v n="$N" -v j="$J_HS_OUT_SRV" 'BEGIN {
	printf "  cpu per connection: C dialer %.3f ms, C listener %.3f ms; js listener %.3f ms\n", d, s / n, j / n }'
echo "stream throughput over noise+yamux, $BYTES bytes on one stream, median of $R:"
printf '  C <-> C   %8.1f MB/s (goal >= 1500 MB/s)   runs: %s\n' "$C_TP" "$C_TP_ALL"
printf '  js <-> js %8.1f MB/s                        runs: %s\n' "$J_TP" "$J_TP_ALL"
awk -v c="$C_TP" -v j="$J_TP" 'BEGIN { printf "  ratio     C/js = %.1fx   (goal >= 8x)\n", c / j }'
awk -v b="$BYTES" -v d="${C_TP_CPU:-0}" -v s="$C_TP_SRV" -v j="$J_TP_SRV" 'BEGIN {
	printf "  cpu: C sender %.3f s (%.0f MB per cpu s), C receiver %.3f s (%.0f MB per cpu s); js receiver %.3f s\n",
		d, (d > 0 ? b / d / 1e6 : 0), s / 1e3, (s > 0 ? b / s / 1e3 : 0), j / 1e3 }'
