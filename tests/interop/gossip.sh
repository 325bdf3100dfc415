#!/usr/bin/env bash
# gossip.sh - ggen's gossipsub against js-libp2p's (@libp2p/gossipsub 17,
# issue #7).
#
# Peers: build/tests/gossip_tool mesh (our nodes, one process), gossip.mjs
# mesh (js nodes, one process), and one real `ggen marketplace p2p start`
# node.  Both tools read commands on a FIFO and print one JSON object per
# line.  Everything listens on 127.0.0.1.
#   1. a mixed mesh of 4 of ours, 4 js and the ggen node: one record
#      published by each of the 8 tool nodes reaches every other node
#      exactly once at the application (and the ggen node, per its
#      `p2p status`);
#   2. js_a - ours - js_b: an invalid record js_a publishes is rejected
#      by ours and never reaches js_b, although js would forward it; a
#      valid one afterwards does.
. "$(dirname "$0")/../lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${GGEN_BUILD:-$HERE/../../build}
TOOL=$BUILD/tests/gossip_tool
T=$(mktmp)
PIDS=()
cleanup() {
	local p
	exec 3>&- 4>&- 5>&- 6>&- 2>/dev/null
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT

# ---- js-libp2p from npm, exactly as locked ----
. "$HERE/lib/npm_setup.sh"
interop_npm_setup "@libp2p/gossipsub"
export PEER_TTL=240
JS=(node --import "$HERE/shim.mjs" "$HERE/gossip.mjs")

# start_mesh NAME FD cmd...: run cmd reading the FIFO $T/NAME.in (held
# open on FD), output in $T/NAME.out
start_mesh() {
	local name=$1 fd=$2; shift 2
	mkfifo "$T/$name.in"
	"$@" <"$T/$name.in" >"$T/$name.out" 2>"$T/$name.err" &
	PIDS+=($!)
	eval "exec $fd>\"$T/$name.in\""
}
count() { grep -c -- "$1" "$2" 2>/dev/null || true; }
has_n() { [ "$(count "$1" "$2")" -ge "$3" ]; }
addr() { awk -v i="$2" '$1 == "listening:" && $2 == i {print $3; exit}' "$T/$1.out"; }
# deliveries of message ID $2 in output $1
got() { count "\"ev\":\"deliver\".*\"id\":\"$2\"" "$T/$1.out"; }
pub_id() { # NAME NODE: the ID the node's last publication printed
	grep '"ev":"published"' "$T/$1.out" | grep "\"node\":$2," | tail -1 |
		sed 's/.*"id":"\([0-9a-f]*\)".*/\1/'
}

SECONDS=0
# ---- 1. the mixed mesh ----
start_mesh c 3 "$TOOL" mesh 4
start_mesh j 4 "${JS[@]}" mesh 4
if wait_for "our nodes" 20 has_n '^listening: ' "$T/c.out" 4 &&
	wait_for "js nodes" 60 has_n '^listening: ' "$T/j.out" 4; then
	ok "4 of our nodes and 4 js nodes listen"
else
	not_ok "nodes listening" "$(tail -3 "$T/c.err" "$T/j.err")"
	done_testing
fi
echo "connect 1 0" >&3; echo "connect 2 1" >&3; echo "connect 3 2" >&3
echo "connect 1 0" >&4; echo "connect 2 1" >&4; echo "connect 3 2" >&4
echo "dial 0 $(addr j 0)" >&3
echo "dial 2 $(addr j 2)" >&3
echo "dial 1 $(addr c 1)" >&4
echo "dial 3 $(addr c 3)" >&4

# the ggen node joins through our node 0 and js node 3
export GGEN_HOME=$T/home
mkdir -p "$GGEN_HOME"
cat >"$GGEN_HOME/p2p-config.toml" <<EOF
[network]
mdns = false
max_peers_per_ip = 64
pubsub_ip_whitelist = ["127."]
bootstrap_nodes = ["$(addr c 0)", "$(addr j 3)"]
EOF
"$GGEN" mp p2p start --listen /ip4/127.0.0.1/tcp/0 >"$T/g.out" 2>"$T/g.err" &
PIDS+=($!)
gg_status() { "$GGEN" mp p2p status --json >"$T/g.status" 2>/dev/null; }
g_mesh() { gg_status && [ "$(jq '.pubsub.topics[0].mesh' "$T/g.status")" -ge 1 ]; }
echo "# ${SECONDS}s: nodes up"
check "the ggen node is in the topic mesh" wait_for "ggen mesh" 30 g_mesh

our_mesh() {
	local i
	for i in 0 1 2 3; do echo "stats $i" >&3; done
	sleep 0.2
	[ "$(grep '"ev":"stats"' "$T/c.out" | tail -4 | grep -c '"mesh":[1-9]')" = 4 ]
}
check "each of our nodes has a mesh" wait_for "our meshes" 30 our_mesh
echo "# ${SECONDS}s: meshes formed"
sleep 2 # js grafts on its own heartbeat

for k in 0 1 2 3; do
	"$TOOL" mkrecord "$T/rec$k" "js-record-$k" 1 >/dev/null
done
for k in 0 1 2 3; do echo "publish $k our-record-$k 1" >&3; done
for k in 0 1 2 3; do echo "publish-file $k $T/rec$k" >&4; done
wait_for "publications" 20 has_n '"ev":"published"' "$T/c.out" 4
wait_for "js publications" 20 has_n '"ev":"published"' "$T/j.out" 4
IDS=()
for k in 0 1 2 3; do IDS+=("c$k:$(pub_id c $k)" "j$k:$(pub_id j $k)"); done
all_in() {
	local x n
	for x in "${IDS[@]}"; do
		n=$(( $(got c "${x#*:}") + $(got j "${x#*:}") ))
		[ "$n" -ge 7 ] || return 1
	done
}
wait_for "every message everywhere" 30 all_in
echo "# ${SECONDS}s: messages delivered"
sleep 2 # late duplicates would show up now
for x in "${IDS[@]}"; do
	id=${x#*:}
	check_eq "message from ${x%%:*} delivered to the 7 others" \
		"$(( $(got c "$id") + $(got j "$id") ))" 7
	pubr=${x:0:1}; pubn=${x:1:1}
	check_eq "... never to its publisher" \
		"$(grep "\"id\":\"$id\"" "$T/$pubr.out" | grep '"ev":"deliver"' |
			grep -c "\"node\":$pubn,")" 0
done
# the two files number their nodes alike: count per file
dups=$(( $(grep '"ev":"deliver"' "$T/c.out" | sed 's/.*"node":\([0-9]*\),"id":"\([0-9a-f]*\)".*/\1 \2/' | sort | uniq -d | wc -l) +
	$(grep '"ev":"deliver"' "$T/j.out" | sed 's/.*"node":\([0-9]*\),"id":"\([0-9a-f]*\)".*/\1 \2/' | sort | uniq -d | wc -l) ))
check_eq "no node got a message twice" "$dups" 0
g_all() { gg_status && [ "$(jq '.pubsub.delivered' "$T/g.status")" -ge 8 ]; }
check "the ggen node delivered all 8 (p2p status)" wait_for "ggen deliveries" 20 g_all
check_eq "... exactly 8" "$(jq '.pubsub.delivered' "$T/g.status")" 8
check_eq "... and rejected none" "$(jq '.pubsub.rejected' "$T/g.status")" 0
"$GGEN" mp p2p status >"$T/g.text" 2>&1
check_grep "p2p status shows the pubsub topic" '^pubsub: .*"topic":"/ggen/packages/v1"' "$T/g.text"
exec 3>&- 4>&-

# ---- 2. js_a - ours - js_b: a rejected message is not forwarded ----
start_mesh r 5 "$TOOL" mesh 1
start_mesh k 6 "${JS[@]}" mesh 2
wait_for "our relay" 20 has_n '^listening: ' "$T/r.out" 1
wait_for "js pair" 60 has_n '^listening: ' "$T/k.out" 2
echo "dial 0 $(addr r 0)" >&6
echo "dial 1 $(addr r 0)" >&6
relay_mesh() {
	echo "stats 0" >&5; sleep 0.2
	grep '"ev":"stats"' "$T/r.out" | tail -1 | grep -q '"mesh":2,'
}
echo "# ${SECONDS}s: part 2"
check "our relay meshes with both js nodes" wait_for "relay mesh" 30 relay_mesh
sleep 2
echo "publish-text 0 this is not a package record" >&6
wait_for "js_a published" 10 has_n '"ev":"published"' "$T/k.out" 1
BAD=$(pub_id k 0)
rej() { echo "stats 0" >&5; sleep 0.2; grep '"ev":"stats"' "$T/r.out" | tail -1 | grep -q '"rejected":1,'; }
check "our relay rejected the invalid record" wait_for "rejection" 10 rej
"$TOOL" mkrecord "$T/good" good-record 1 >/dev/null
echo "publish-file 0 $T/good" >&6
wait_for "js_a published again" 10 has_n '"ev":"published"' "$T/k.out" 2
GOOD=$(pub_id k 0)
good_at_b() { grep '"ev":"deliver"' "$T/k.out" | grep '"node":1,' | grep -q "$GOOD"; }
check "a valid record from js_a reaches js_b through our relay" wait_for "valid at js_b" 20 good_at_b
sleep 2
check_eq "js_b never received the invalid record" \
	"$(grep '"ev":"deliver"' "$T/k.out" | grep -c "$BAD")" 0
check_eq "our relay did not deliver it either" "$(got r "$BAD")" 0

done_testing
