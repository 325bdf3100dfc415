#!/usr/bin/env bash
# handshake_throughput.sh - our libp2p stack against js-libp2p 3, C<->C and
# js<->js on loopback in the same run (issue #4):
#   handshake + 1 RTT: a fresh TCP+Noise+yamux connection, then one ping;
#                      the median of N (default 20)
#   throughput:        BYTES (default 256 MiB) over one stream through
#                      Noise+yamux into a sink that acknowledges the count
# Goals: handshake <= 1 ms and <= 1/20 of js; throughput >= 1.5 GB/s and
# >= 8x js.  Uses build/tests/c_peer and tests/interop/peer.mjs (run
# `make tests-bins` and `npm ci` in tests/interop first).
#
#   bash bench/handshake_throughput.sh [N] [BYTES]
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-20}
BYTES=${2:-268435456}
CPEER=$ROOT/build/tests/c_peer
JS=(node --import "$ROOT/tests/interop/shim.mjs" "$ROOT/tests/interop/peer.mjs")
T=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"' EXIT
export PEER_TTL=600

[ -x "$CPEER" ] || { echo "build first: make tests-bins" >&2; exit 1; }
[ -d "$ROOT/tests/interop/node_modules/libp2p" ] ||
	{ echo "install first: (cd tests/interop && npm ci)" >&2; exit 1; }

listen() { # listen OUT cmd...: start a listener, print its address
	local out=$1 i; shift
	"$@" >"$out" 2>/dev/null &
	PIDS+=($!)
	for ((i = 0; i < 300; i++)); do
		grep -q '^listening: ' "$out" && break
		sleep 0.1
	done
	awk '/^listening: /{print $2; exit}' "$out"
}
num() { grep -Eo '[0-9]+\.[0-9]+' | head -1; }

C_MA=$(listen "$T/c" "$CPEER" listen)
J_MA=$(listen "$T/j" "${JS[@]}" listen)
[ -n "$C_MA" ] && [ -n "$J_MA" ] || { echo "listeners did not start" >&2; exit 1; }

C_HS=$("$CPEER" bench-hs "$C_MA" "$N" | num)
J_HS=$("${JS[@]}" bench-hs "$J_MA" "$N" | num)
C_TP=$("$CPEER" bench-tput "$C_MA" "$BYTES" | num)
J_TP=$("${JS[@]}" bench-tput "$J_MA" "$BYTES" | num)

echo "handshake + 1 RTT, median of $N fresh connections:"
printf '  C <-> C   %8.3f ms   (goal <= 1 ms)\n' "$C_HS"
printf '  js <-> js %8.3f ms\n' "$J_HS"
awk -v c="$C_HS" -v j="$J_HS" 'BEGIN { printf "  ratio     js/C = %.1fx   (goal >= 20x)\n", j / c }'
echo "stream throughput over noise+yamux, $BYTES bytes on one stream:"
printf '  C <-> C   %8.1f MB/s (goal >= 1500 MB/s)\n' "$C_TP"
printf '  js <-> js %8.1f MB/s\n' "$J_TP"
awk -v c="$C_TP" -v j="$J_TP" 'BEGIN { printf "  ratio     C/js = %.1fx   (goal >= 8x)\n", c / j }'
