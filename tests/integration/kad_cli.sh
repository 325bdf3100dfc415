#!/usr/bin/env bash
# kad_cli.sh - the DHT between ggen processes on 127.0.0.1 (issue #6):
# the diagnostic verbs, `p2p status`, bad input (oversized messages, a
# FIND_NODE flood, records over the size limit, a bad signature) refused
# without harming other peers, the subnet diversity limit with its
# default values, and a warm restart from the routing table saved in
# ggen.db.
. "$(dirname "$0")/../lib.sh"

BUILD=${GGEN_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
TOOL=$BUILD/tests/kad_tool
T=$(mktmp)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null' EXIT

home() { # home DIR [limits]: a GGEN_HOME; "default" keeps the DHT limits
	mkdir -p "$1"
	printf '[network]\nmdns = false\nmax_peers_per_ip = 64\n' >"$1/p2p-config.toml"
	[ "${2:-}" = default ] ||
		printf 'dht_max_per_subnet_bucket = 0\ndht_max_per_subnet_table = 0\n' \
			>>"$1/p2p-config.toml"
}
start() { # start NAME [bootstrap]: a node in the background
	local n=$1; shift
	GGEN_HOME=$T/$n "$GGEN" -v mp p2p start --listen /ip4/127.0.0.1/tcp/0 \
		${1:+--bootstrap "$1"} >"$T/$n.out" 2>"$T/$n.err" &
	PIDS+=($!)
	eval "PID_$n=$!"
	wait_for "node $n" 20 has_addr "$T/$n.out"
}

for n in a b c d e; do home "$T/$n"; done
start a
A=$(addr_of "$T/a.out")
for n in b c d e; do start $n "$A"; done
wait_for "E joined" 30 grep -q "DHT joined" "$T/e.err"
check_grep "a node joins through its bootstrap peer" 'DHT joined: [1-9][0-9]* peers' "$T/e.err"
B=$(addr_of "$T/b.out")
E_ID=$(awk '/^peer-id:/{print $2}' "$T/e.out")
export GGEN_HOME=$T/u
home "$GGEN_HOME"
DHT=(timeout 60 "$GGEN" mp p2p dht)

# ---- the verbs ----
check "p2p bootstrap" timeout 60 "$GGEN" mp p2p bootstrap "$A"
check_grep "prints the table size" '^routing table: [45] peers$' "$OUT_F"
check "p2p bootstrap --json" timeout 60 "$GGEN" mp p2p bootstrap "$A" --json
check_grep "json: table_size and peers" '^\{"table_size":[45],"peers":\[\{"peer_id":"12D3KooW' "$OUT_F"
check "find-peer E through B" "${DHT[@]}" find-peer "$E_ID" --bootstrap "$B"
check_grep "prints E and its address" "^$E_ID /ip4/127\.0\.0\.1/tcp/[0-9]+\$" "$OUT_F"
check_fail 1 "find-peer of an unknown peer fails" "${DHT[@]}" find-peer \
	12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq --bootstrap "$B"
check_fail 2 "find-peer of a bad ID is a usage error" "${DHT[@]}" find-peer nope
check_fail 1 "no bootstrap peers: a clear error" "${DHT[@]}" get x
check_grep "naming the fix" 'no bootstrap peers: give --bootstrap' "$ERR_F"

"$TOOL" mkrecord "$T/key" "$T/r1" demo 1.0.0 1 >"$T/signer"
check "put a record" "${DHT[@]}" put demo "$T/r1" --bootstrap "$A"
check "get it by name" "${DHT[@]}" get demo --bootstrap "$B" -o "$T/got"
check_grep "version line" '^version: 1\.0\.0$' "$OUT_F"
check_grep "signer line" "^signer: $(cat "$T/signer")\$" "$OUT_F"
check "the bytes are the same" cmp "$T/r1" "$T/got"
check "get by key, --json" "${DHT[@]}" get /ggen/pkg/demo --bootstrap "$B" --json
check_grep "json record" '"record":\{"name":"demo","version":"1\.0\.0"' "$OUT_F"
"$TOOL" mkrecord "$T/key" "$T/r2" demo 1.1.0 2 >/dev/null
check "the same signer's seq 2 replaces it" "${DHT[@]}" put demo "$T/r2" --bootstrap "$A"
check "get shows seq 2" "${DHT[@]}" get demo --bootstrap "$B"
check_grep "version 1.1.0" '^version: 1\.1\.0$' "$OUT_F"
"$TOOL" mkrecord "$T/other" "$T/r3" demo 9.0.0 5 >/dev/null
run "${DHT[@]}" put demo "$T/r3" --bootstrap "$A"
check "another signer does not displace it" "${DHT[@]}" get demo --bootstrap "$B"
check_grep "still 1.1.0" '^version: 1\.1\.0$' "$OUT_F"
check_fail 1 "get of an absent record fails" "${DHT[@]}" get absent --bootstrap "$B" --timeout 10
check_fail 2 "get of another namespace is a usage error" "${DHT[@]}" get /ipns/x
"$TOOL" mkbad "$T/bad" demo
check_fail 1 "put of a record with a bad signature fails" "${DHT[@]}" put demo "$T/bad" --bootstrap "$A"

H=$(printf 'some archive' | sha256sum | cut -c1-64)
check "provide" "${DHT[@]}" provide "sha256:$H" --bootstrap "$A" --listen /ip4/127.0.0.1/tcp/0
P_ID=$(awk '/^provided/{print $4}' "$OUT_F")
CID=$(awk '/^provided/{print $2}' "$OUT_F")
B58=$(python3 -c "
import sys
a='123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
n=int('1220$H',16); s=''
while n: n,r=divmod(n,58); s=a[r]+s
print(s)")
check_grep "provide prints the CID" '^provided bafkrei[a-z2-7]{52} as 12D3KooW' "$OUT_F"
for key in "sha256:$H" "$CID" "$B58"; do
	check "providers $key" "${DHT[@]}" providers "$key" --bootstrap "$B"
	check_grep "names the provider with an address" "^$P_ID /ip4/127\.0\.0\.1/tcp/" "$OUT_F"
done
check_fail 1 "no providers: exit 1" "${DHT[@]}" providers "sha256:$(printf n | sha256sum | cut -c1-64)" --bootstrap "$B" --timeout 10
check_fail 2 "a bad key is a usage error" "${DHT[@]}" providers sha256:abc

# ---- status ----
check "p2p status of A" env GGEN_HOME="$T/a" "$GGEN" mp p2p status
check_grep "shows the DHT mode and table" '^dht: \{"mode":"server","protocol":"/ggen/kad/1\.0\.0","routing_table":[1-9]' "$OUT_F"

# ---- bad input: refused, and the others are still served ----
run "$TOOL" oversize "$A"
check_grep "a 20000-byte message resets the stream" '^replies 0 reset 1$' "$OUT_F"
run "$TOOL" flood "$A" 300
check_grep "a FIND_NODE flood is cut off by the rate limit" '^replies ([1-9]|[1-7][0-9]) reset 1$' "$OUT_F"
check "another peer is still answered" "$TOOL" find "$A"
check_grep "with closer peers" '^closer [1-9]' "$OUT_F"
"$TOOL" mkrecord "$T/key" "$T/big" demo 1.2.0 3 9000 >/dev/null
run "$TOOL" put "$A" /ggen/pkg/demo "$T/big"
check_grep "a record over 8 KiB is refused" '^reset$' "$OUT_F"
run "$TOOL" put "$A" /ggen/pkg/demo "$T/bad"
check_grep "a record with a bad signature is refused" '^reset$' "$OUT_F"
check "the node still serves the DHT" "${DHT[@]}" get demo --bootstrap "$A"
check_grep "with the good record" '^version: 1\.1\.0$' "$OUT_F"

# ---- diversity: the default limits hold on loopback too ----
home "$T/f" default
start f
F=$(addr_of "$T/f.out")
for n in g h i j; do home "$T/$n"; start $n "$F"; done
sleep 2
run "$TOOL" find "$F"
check_grep "3 peers of 127.0.0.0/24 at most in the table" '^closer [1-3]$' "$OUT_F"

# ---- warm restart ----
kill -TERM "$PID_e"
wait "$PID_e"
check_eq "E stops cleanly" "$?" 0
N=$("$BUILD/tests/db_tool" count "$T/e/ggen.db" kad_routing 2>/dev/null)
check "E saved its routing table in ggen.db (${N:-no} rows)" test "${N:-0}" -ge 1
check "and wrote no kad.db" test ! -e "$T/e/kad.db"
start e
if wait_for "E rejoined" 30 grep -q "DHT joined" "$T/e.err"; then
	ok "E rejoins without bootstrap peers, from its saved table"
else not_ok "E rejoins from its saved table" "$(tail -3 "$T/e.err")"; fi
check "p2p status of E" env GGEN_HOME="$T/e" "$GGEN" mp p2p status --json
check_grep "its table is loaded" '"routing_table":[1-9]' "$OUT_F"
done_testing
