#!/usr/bin/env bash
# gossip_attack.sh - bad gossipsub input over real streams (issue #7).
#
# A mesh of 4 of our nodes (build/tests/gossip_tool mesh, commands on a
# FIFO) is attacked at node 0 by `gossip_tool attack`, a fresh peer each
# time: IHAVE floods, oversized frames, malformed RPCs and invalid records
# end with the attacker's score below the graylist threshold (-80); IWANT
# repeats are served at most 3 times; replays are dropped as duplicates
# and delivered nowhere.  Afterwards a record published by node 1 still
# reaches all the others.  A real `ggen marketplace p2p start` node then
# takes malformed RPCs and answers `p2p status` with the count.
. "$(dirname "$0")/../lib.sh"

BUILD=${GGEN_BUILD:-$(dirname "$0")/../../build}
TOOL=$BUILD/tests/gossip_tool
T=$(mktmp)
PIDS=()
cleanup() {
	local p
	exec 3>&- 2>/dev/null
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT
export ATTACK_LINGER=3

mkfifo "$T/m.in"
"$TOOL" mesh 4 <"$T/m.in" >"$T/m.out" 2>"$T/m.err" &
PIDS+=($!)
exec 3>"$T/m.in"
has_n() { [ "$(grep -c -- "$1" "$2" 2>/dev/null)" -ge "$3" ]; }
if ! wait_for "mesh listening" 20 has_n '^listening: ' "$T/m.out" 4; then
	not_ok "mesh of 4 started" "$(tail -3 "$T/m.err")"
	done_testing
fi
A0=$(awk '$1 == "listening:" && $2 == 0 {print $3}' "$T/m.out")
for e in "1 0" "2 1" "3 2" "3 0"; do echo "connect $e" >&3; done

# stat NODE FIELD: the field of a fresh stats line of NODE
stat() {
	local before
	before=$(grep -c '"ev":"stats"' "$T/m.out")
	echo "stats $1" >&3
	wait_for "stats" 5 has_n '"ev":"stats"' "$T/m.out" $((before + 1))
	grep '"ev":"stats"' "$T/m.out" | tail -1 | jq ".$2"
}
meshed() { [ "$(stat 0 mesh)" -ge 1 ]; }
check "node 0 has a mesh" wait_for "mesh" 20 meshed

# attack KIND N [ID]: run the attacker; its output in $T/att.KIND, its
# score at node 0 (asked while it lingers) in $SCORE
attack() {
	local kind=$1 out=$T/att.$1 id before
	timeout 60 "$TOOL" attack "$@" >"$out" 2>"$out.err" &
	PIDS+=($!)
	wait_for "$kind attacker done" 45 grep -q '^done$' "$out"
	id=$(awk '/^peer:/{print $2}' "$out")
	before=$(grep -c '"ev":"score"' "$T/m.out")
	echo "score 0 $id" >&3
	wait_for "score" 5 has_n '"ev":"score"' "$T/m.out" $((before + 1))
	SCORE=$(grep '"ev":"score"' "$T/m.out" | tail -1 | jq '.score')
}
graylisted() { awk -v s="$1" 'BEGIN { exit !(s <= -80) }'; }

attack ihave "$A0" 30
check "IHAVE flood: attacker graylisted (score $SCORE)" graylisted "$SCORE"
check "IHAVE flood: IHAVEs past the per-heartbeat cap dropped" \
	test "$(stat 0 ihave_dropped)" -gt 0

attack oversized "$A0" 8
check "oversized RPCs: attacker graylisted (score $SCORE)" graylisted "$SCORE"
check_grep "oversized RPCs: every stream reset" '^resets 8$' "$T/att.oversized"
check "oversized RPCs counted" test "$(stat 0 oversized)" -ge 8

attack garbage "$A0" 6
check "malformed RPCs: attacker graylisted (score $SCORE)" graylisted "$SCORE"
# once graylisted, its frames are discarded unread: no more resets
check_grep "malformed RPCs: streams reset until graylisted" '^resets [4-6]$' "$T/att.garbage"
check "malformed RPCs counted" test "$(stat 0 malformed)" -ge 4

attack invalid "$A0" 4
check "invalid records: attacker graylisted (score $SCORE)" graylisted "$SCORE"
check "invalid records rejected" test "$(stat 0 rejected)" -ge 3
check_nogrep "its valid record after the graylist is dropped" \
	'"name":"after-graylist"' "$T/m.out"

echo "publish 1 probe 1" >&3
wait_for "probe published" 5 grep -q '"ev":"published","node":1' "$T/m.out"
ID=$(grep '"ev":"published","node":1' "$T/m.out" | tail -1 | jq -r '.id')
attack iwant "$A0" 40 "$ID"
check_grep "IWANT repeats: served at most 3 times" '^served [0-3]$' "$T/att.iwant"

timeout 60 "$TOOL" attack replay "$A0" 40 >"$T/att.replay" 2>&1 &
PIDS+=($!)
sleep 2.5 # the attacker has joined node 0's mesh (one heartbeat)
DUP0=$(stat 0 duplicate)
echo "publish 2 replayed 1" >&3
wait_for "replay done" 30 grep -q '^done$' "$T/att.replay"
check_grep "replay: the attacker got a message to replay" '^got a message$' "$T/att.replay"
check "replays dropped as duplicates" test "$(stat 0 duplicate)" -ge $((DUP0 + 40))
check_eq "the replayed record was delivered once per node" \
	"$(grep '"ev":"deliver"' "$T/m.out" | grep -c '"name":"replayed"')" 3

echo "publish 1 after-attacks 1" >&3
after() { [ "$(grep '"ev":"deliver"' "$T/m.out" | grep -c '"name":"after-attacks"')" -ge 3 ]; }
check "the others are unaffected: a record still reaches all 3" \
	wait_for "after-attacks" 10 after
echo quit >&3

# ---- a real node ----
export GGEN_HOME=$T/home
mkdir -p "$GGEN_HOME"
printf '[network]\nmdns = false\nmax_peers_per_ip = 64\n' >"$GGEN_HOME/p2p-config.toml"
"$GGEN" mp p2p start --listen /ip4/127.0.0.1/tcp/0 >"$T/g.out" 2>"$T/g.err" &
PIDS+=($!)
g_addr() { grep -q '^listening: ' "$T/g.out"; }
if wait_for "ggen node" 20 g_addr; then
	G=$(awk '/^listening: /{print $2; exit}' "$T/g.out")
	timeout 60 "$TOOL" attack garbage "$G" 6 >"$T/att.g" 2>&1
	check_grep "garbage at the ggen node: streams reset" '^resets [4-6]$' "$T/att.g"
	check "p2p status answers" "$GGEN" mp p2p status --json
	cp "$OUT_F" "$T/g.status"
	check "p2p status counts the malformed RPCs" \
		test "$(jq '.pubsub.malformed' "$T/g.status")" -ge 4
else
	not_ok "ggen node started" "$(tail -3 "$T/g.err")"
fi
done_testing
