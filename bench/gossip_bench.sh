#!/usr/bin/env bash
# gossip_bench.sh - gossipsub propagation on loopback, ours against
# js-libp2p's @libp2p/gossipsub 17 in the same run (issue #7).
#
# One publisher, N-1 receivers, MSGS package records (ours) or messages
# (js) one INTERVAL_MS apart; every node dials up to 4 earlier ones and
# meshes form before the first message.  Both sides run all their nodes
# in ONE process on one core (gossip_tool bench / gossip.mjs bench), so
# the figures include the serialised CPU of every node: a message reaches
# the last of 100 nodes only after all 100 have verified it.  Printed:
#   delivery latency   publish -> each node's application, p50/p99
#   time to reach all  publish -> the last node's delivery, p50/p99
# Goal (ours, 100 nodes): delivery p99 < 100 ms.
#
#   bash bench/gossip_bench.sh [N] [MSGS] [INTERVAL_MS] [JS_N]
# Uses $GGEN_BUILD/tests/gossip_tool (default build/; `make tests-bins`)
# and tests/interop/gossip.mjs (`npm ci` in tests/interop).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-100}
MSGS=${2:-100}
GAP=${3:-100}
JSN=${4:-$N}
TOOL=${GGEN_BUILD:-$ROOT/build}/tests/gossip_tool
JS=(node --import "$ROOT/tests/interop/shim.mjs" "$ROOT/tests/interop/gossip.mjs")

[ -x "$TOOL" ] || { echo "build first: make tests-bins" >&2; exit 1; }
[ -d "$ROOT/tests/interop/node_modules/@libp2p/gossipsub" ] ||
	{ echo "install first: (cd tests/interop && npm ci)" >&2; exit 1; }

echo "== ggen: $N nodes, $MSGS messages every $GAP ms"
/usr/bin/time -f "cpu: %U s user %S s sys, %e s wall, %M KB max RSS" \
	timeout 600 "$TOOL" bench "$N" "$MSGS" "$GAP"
for n in $(echo "$JSN" | tr ',' ' '); do
	echo "== js-libp2p: $n nodes, $MSGS messages every $GAP ms"
	/usr/bin/time -f "cpu: %U s user %S s sys, %e s wall, %M KB max RSS" \
		timeout 900 "${JS[@]}" bench "$n" "$MSGS" "$GAP"
done
