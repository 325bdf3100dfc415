#!/usr/bin/env bash
# gossip_scale.sh - 64 gossipsub nodes (issue #7): build/tests/gossip_tool
# runs them in one process, each a real host on 127.0.0.1 talking over
# TCP/Noise/yamux; every node dials up to 4 earlier ones, and 20 package
# records published from random nodes must each reach all 63 others
# exactly once.
. "$(dirname "$0")/../lib.sh"

BUILD=${GGEN_BUILD:-$(dirname "$0")/../../build}
TOOL=$BUILD/tests/gossip_tool

check "64 nodes: 20 records from random nodes reach every node" \
	timeout 150 "$TOOL" scale 64 20 90
check_grep "all 20 x 63 deliveries, none twice" \
	'^nodes 64 messages 20 delivered 1260 missing 0 twice 0$' "$OUT_F"
done_testing
