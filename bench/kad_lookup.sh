#!/usr/bin/env bash
# kad_lookup.sh - DHT lookup latency, ours against js-libp2p kad-dht, in
# the same run (issue #6).  Not part of `make test`.
#
#   bash bench/kad_lookup.sh [OUR_NODES] [JS_NODES] [LOOKUPS] [JS_LOOKUPS]
#
# Ours: build/bench/kad_lookup OUR_NODES LOOKUPS (all nodes in one
# process, real TCP/Noise/yamux on 127.0.0.1).  js: tests/interop/
# kad_peer.mjs with JS_NODES kad-dht servers in one node process, joined
# through its node 0.  Both measure whole iterative FIND_NODE lookups
# (kad_find_node / getClosestPeers: the lookup ends when the 20 closest
# have answered) between random pairs, one at a time.  Prints p50/p99 of
# each, the ratio, and our hops against log2(N).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-200}
JN=${2:-40}
L=${3:-200}
JL=${4:-50}
make -s -C "$ROOT" bench-bins >/dev/null || exit 1
OURS=$("$ROOT/build/bench/kad_lookup" "$N" "$L" 2>/dev/null | tail -3)
echo "$OURS"
T=$(mktemp -d)
mkfifo "$T/in"
( sleep 1; echo "lookups $JL"; sleep 1200 ) >"$T/in" &
FEED=$!
( cd "$ROOT/tests/interop" && READY_SECS=120 PEER_TTL=1500 timeout 1500 \
	node --import ./shim.mjs kad_peer.mjs "$JN" self <"$T/in" >"$T/js" 2>&1 ) &
JSP=$!
for ((i = 0; i < 1400; i++)); do grep -qs '^lookups' "$T/js" && break; sleep 1; done
kill "$FEED" "$JSP" 2>/dev/null
JS=$(grep '^lookups' "$T/js")
echo "js ($JN nodes): $JS"
o50=$(echo "$OURS" | sed -n 's/.*p50 \([0-9.]*\).*/\1/p' | tail -1)
j50=$(echo "$JS" | sed -n 's/.*p50 \([0-9.]*\).*/\1/p')
o99=$(echo "$OURS" | sed -n 's/.*p99 \([0-9.]*\).*/\1/p' | tail -1)
j99=$(echo "$JS" | sed -n 's/.*p99 \([0-9.]*\).*/\1/p')
if [ -n "$o50" ] && [ -n "$j50" ]; then
	awk -v a="$o50" -v b="$j50" -v c="$o99" -v d="$j99" 'BEGIN {
		printf "ratio ours/js: p50 %.3f  p99 %.3f\n", a / b, c / d }'
fi
rm -rf "$T"
