#!/usr/bin/env bash
# kad_scale.sh - 64 DHT nodes on 127.0.0.1 (issue #6): every node finds
# every other node's provider record, in bounded time.
#
# The nodes live in one helper process (build/tests/kad_tool scale, see
# tests/p2p/kad_net.h): real hosts with real TCP/Noise/yamux connections
# on one event loop, which 64 separate ASan processes on two cores could
# not afford.  Each node provides its own key, then each of the 64 x 63
# GET_PROVIDERS lookups must name the right provider.
. "$(dirname "$0")/../lib.sh"

BUILD=${GGEN_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
TOOL=$BUILD/tests/kad_tool

run timeout 240 "$TOOL" scale 64 200
sed 's/^/# /' "$OUT_F"
if [ "$RC" -eq 0 ]; then ok "64 nodes: every provider record found by every node"
else T_SHOW=1 not_ok "64 nodes: every provider record found by every node" "exit $RC"; fi
check_grep "all 4032 lookups succeeded" '^found 4032 of 4032 in [0-9]+ ms' "$OUT_F"
done_testing
