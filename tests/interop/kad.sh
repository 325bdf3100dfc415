#!/usr/bin/env bash
# kad.sh - the Kademlia DHT between ggen and js-libp2p kad-dht (issue #6).
#
# A mixed network on 127.0.0.1: four `ggen marketplace p2p start` nodes
# (A, then B C D bootstrapping from A) and four js-libp2p kad-dht servers
# in one process (kad_peer.mjs, driven by commands on a fifo) that
# bootstrap from A.  Each side finds the other's peers (FIND_NODE), reads
# the records the other side PUT (GET_VALUE) and the providers it added
# (GET_PROVIDERS); a PUT_VALUE from js of a record with a bad signature,
# and one over 8 KiB, are refused by our nodes.  Our side acts through the
# diagnostic verbs (`p2p dht ...`, `p2p bootstrap`).  Records are real
# package records made by build/tests/kad_tool.
. "$(dirname "$0")/../lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${GGEN_BUILD:-$HERE/../../build}
TOOL=$BUILD/tests/kad_tool
T=$(mktmp)
PIDS=()
cleanup() {
	local p
	exec 7>&- 2>/dev/null
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT

# ---- js-libp2p from npm, exactly as locked ----
. "$HERE/lib/npm_setup.sh"
interop_npm_setup "@libp2p/kad-dht"

addr_of() { awk '/^listening: /{print $2; exit}' "$1"; }
has_addr() { [ -n "$(addr_of "$1")" ]; }
home() { # a GGEN_HOME for 8 nodes on one IP
	mkdir -p "$1"
	cat >"$1/p2p-config.toml" <<EOF
[network]
mdns = false
max_peers_per_ip = 64
dht_max_per_subnet_bucket = 0
dht_max_per_subnet_table = 0
[performance]
dht_query_timeout = 20
EOF
}

# ---- our four nodes ----
for n in a b c d; do home "$T/$n"; done
GGEN_HOME=$T/a "$GGEN" -v mp p2p start --listen /ip4/127.0.0.1/tcp/0 \
	>"$T/a.out" 2>"$T/a.err" &
PIDS+=($!)
wait_for "node A" 20 has_addr "$T/a.out" || { not_ok "node A starts"; done_testing; }
A=$(addr_of "$T/a.out")
for n in b c d; do
	GGEN_HOME=$T/$n "$GGEN" -v mp p2p start --listen /ip4/127.0.0.1/tcp/0 \
		--bootstrap "$A" >"$T/$n.out" 2>"$T/$n.err" &
	PIDS+=($!)
done
for n in b c d; do wait_for "node $n" 20 has_addr "$T/$n.out"; done
if wait_for "D joined" 30 grep -q "DHT joined" "$T/d.err"; then
	ok "our nodes join the DHT through A"
else
	not_ok "our nodes join the DHT through A" "$(tail -5 "$T/d.err")"
fi
B=$(addr_of "$T/b.out")
C=$(addr_of "$T/c.out")
D=$(addr_of "$T/d.out")

# ---- four js nodes, commands on a fifo ----
mkfifo "$T/js.in"
PEER_TTL=170 timeout 180 node --import "$HERE/shim.mjs" "$HERE/kad_peer.mjs" 4 "$A" \
	<"$T/js.in" >"$T/js.out" 2>"$T/js.err" &
PIDS+=($!)
exec 7>"$T/js.in"
if wait_for "js ready" 60 grep -q '^ready$' "$T/js.out"; then
	ok "js kad-dht nodes have ggen peers in their routing tables"
else
	not_ok "js kad-dht nodes have ggen peers in their routing tables" \
		"$(tail -5 "$T/js.out")" "$(tail -5 "$T/js.err")"
	done_testing
fi
jsid() { awk -v i="$1" '$1 == "node" && $2 == i {print $3}' "$T/js.out"; }
jsma() { awk -v i="$1" '$1 == "node" && $2 == i {print $4}' "$T/js.out"; }
js() { # js PATTERN SECONDS COMMAND...: send, wait for a line matching
	local pat=$1 secs=$2; shift 2
	echo "$*" >&7
	wait_for "js: $*" "$secs" grep -Eq -- "$pat" "$T/js.out"
}
export GGEN_HOME=$T/u
home "$GGEN_HOME"
DHT=(timeout 60 "$GGEN" mp p2p dht)

# ---- our bootstrap sees the js nodes ----
boot_has_js() { # js nodes reach A's table a moment after their identify push
	timeout 30 "$GGEN" mp p2p bootstrap "$A" >"$T/boot" 2>&1 &&
		grep -Eq "^($(jsid 0)|$(jsid 1)|$(jsid 2)|$(jsid 3)) " "$T/boot"
}
check "p2p bootstrap through A" timeout 60 "$GGEN" mp p2p bootstrap "$A"
check_grep "prints the table size" '^routing table: [1-9][0-9]* peers$' "$OUT_F"
if wait_for "a js node in the table" 20 boot_has_js; then
	ok "the table holds js nodes"
else not_ok "the table holds js nodes" "$(cat "$T/boot")"; fi
check "p2p bootstrap through a js node" timeout 60 "$GGEN" mp p2p bootstrap "$(jsma 2)"
check_grep "which lands in the table" "^$(jsid 2) /ip4/127\.0\.0\.1/tcp/" "$OUT_F"

# ---- FIND_NODE both ways ----
for n in b c d; do
	id=$(awk '/^peer-id:/{print $2}' "$T/$n.out")
	if js "^found $id" 40 find-peer 1 "$id"; then ok "js finds our node $n"
	else not_ok "js finds our node $n" "$(tail -3 "$T/js.out")"; fi
done
for i in 1 2 3; do
	check "ggen finds js node $i (bootstrap B)" "${DHT[@]}" find-peer "$(jsid $i)" --bootstrap "$B"
	check_grep "with its address" "^$(jsid $i) /ip4/127\.0\.0\.1/tcp/$(jsma $i | cut -d/ -f5)" "$OUT_F"
done

# ---- GET_VALUE of records the other side PUT ----
"$TOOL" mkrecord "$T/k1" "$T/ours" ours-pkg 1.2.3 1 >"$T/ours.signer"
check "ggen PUTs a package record" "${DHT[@]}" put ours-pkg "$T/ours" --bootstrap "$C"
check_grep "stored on several peers" '^stored /ggen/pkg/ours-pkg on [2-9][0-9]* peers' "$OUT_F"
SUM=$(sha256sum "$T/ours" | cut -c1-64)
for i in 0 3; do
	if js "^get ok /ggen/pkg/ours-pkg $SUM" 40 get $i /ggen/pkg/ours-pkg; then
		ok "js node $i GETs our record, byte-exact"
	else not_ok "js node $i GETs our record" "$(grep get "$T/js.out")"; fi
done
"$TOOL" mkrecord "$T/k2" "$T/theirs" js-pkg 0.1.0 7 >"$T/theirs.signer"
if js "^put ok /ggen/pkg/js-pkg" 40 put 2 /ggen/pkg/js-pkg "$T/theirs"; then
	ok "js PUTs a package record"
else not_ok "js PUTs a package record" "$(grep put "$T/js.out")"; fi
check "ggen GETs the js record" "${DHT[@]}" get js-pkg --bootstrap "$D" -o "$T/got"
check_grep "the record is shown" '^version: 0\.1\.0$' "$OUT_F"
check_grep "with its signer" "^signer: $(cat "$T/theirs.signer")\$" "$OUT_F"
check "byte-exact" cmp "$T/theirs" "$T/got"

# ---- GET_PROVIDERS of providers the other side added ----
HJ=$(printf 'js-provided' | sha256sum | cut -c1-64)
if js "^provide ok $HJ" 40 provide 1 "$HJ"; then ok "js adds a provider"
else not_ok "js adds a provider" "$(grep provide "$T/js.out")"; fi
check "ggen finds the js provider" "${DHT[@]}" providers "sha256:$HJ" --bootstrap "$B"
check_grep "it is js node 1" "^$(jsid 1) " "$OUT_F"
HG=$(printf 'ggen-provided' | sha256sum | cut -c1-64)
check "ggen adds a provider" "${DHT[@]}" provide "sha256:$HG" --bootstrap "$C" \
	--listen /ip4/127.0.0.1/tcp/0
GP=$(awk '/^provided/{print $4}' "$OUT_F")
if js "^providers done $HG" 40 providers 3 "$HG" &&
	grep -q "^provider $HG $GP" "$T/js.out"; then
	ok "js finds the ggen provider"
else not_ok "js finds the ggen provider ($GP)" "$(grep "$HG" "$T/js.out")"; fi

# ---- bad records from js are refused by our nodes ----
"$TOOL" mkbad "$T/bad" bad-pkg
if js "^rawput [a-z]+ /ggen/pkg/bad-pkg" 30 rawput 0 "$A" /ggen/pkg/bad-pkg "$T/bad"; then
	check_grep "a PUT with a bad signature is refused" '^rawput refused /ggen/pkg/bad-pkg' "$T/js.out"
else not_ok "rawput answered" "$(tail -3 "$T/js.out")"; fi
"$TOOL" mkrecord "$T/k3" "$T/big" big-pkg 1.0.0 1 9000 >/dev/null
if js "^rawput [a-z]+ /ggen/pkg/big-pkg" 30 rawput 0 "$B" /ggen/pkg/big-pkg "$T/big"; then
	check_grep "a record over 8 KiB is refused" '^rawput refused /ggen/pkg/big-pkg' "$T/js.out"
else not_ok "rawput answered" "$(tail -3 "$T/js.out")"; fi
"$TOOL" mkrecord "$T/k3" "$T/fine" fine-pkg 1.0.0 1 >/dev/null
if js "^rawput [a-z]+ /ggen/pkg/fine-pkg" 30 rawput 0 "$A" /ggen/pkg/fine-pkg "$T/fine"; then
	check_grep "a valid raw PUT is echoed" '^rawput echo /ggen/pkg/fine-pkg' "$T/js.out"
else not_ok "rawput answered" "$(tail -3 "$T/js.out")"; fi
check_fail 1 "the bad record is nowhere" "${DHT[@]}" get bad-pkg --bootstrap "$A" --timeout 10
check "the same js peer is still served" "$TOOL" find "$A"
if js "^found $(awk '/^peer-id:/{print $2}' "$T/d.out")" 40 find-peer 0 "$(awk '/^peer-id:/{print $2}' "$T/d.out")"; then
	ok "js node 0 still finds our peers after its refused PUTs"
else not_ok "js node 0 still finds our peers"; fi

check_nogrep "no ggen node crashed or warned of a broken peer" 'AddressSanitizer|runtime error' "$T/a.err"
echo quit >&7
done_testing
