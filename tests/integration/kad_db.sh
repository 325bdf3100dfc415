#!/usr/bin/env bash
# kad_db.sh - the DHT's state lives in $GGEN_HOME/ggen.db (DESIGN §4):
# a stopped node's routing table is there (no kad.db), a kad.db left by
# an older ggen is imported once and removed, and while another process
# holds a write transaction on ggen.db for ~2 s the node keeps answering
# (`p2p status`, DHT requests), refuses the DHT writes it cannot make
# with a log line, and stores them again once the lock is gone.
. "$(dirname "$0")/../lib.sh"

BUILD=${GGEN_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
KT=$BUILD/tests/kad_tool
DBT=$BUILD/tests/db_tool
T=$(mktmp)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null' EXIT

home() {
	mkdir -p "$1"
	printf '[network]\nmdns = false\nmax_peers_per_ip = 64\n%s\n%s\n' \
		'dht_max_per_subnet_bucket = 0' 'dht_max_per_subnet_table = 0' \
		>"$1/p2p-config.toml"
}
start() { # start NAME [bootstrap]: a node in the background
	local n=$1; shift
	GGEN_HOME=$T/$n "$GGEN" -v mp p2p start --listen /ip4/127.0.0.1/tcp/0 \
		${1:+--bootstrap "$1"} >"$T/$n.out" 2>"$T/$n.err" &
	PIDS+=($!)
	eval "PID_$n=$!"
	wait_for "node $n" 20 has_addr "$T/$n.out"
}
stop() { # stop NAME: SIGTERM, the node saves and exits 0
	local p
	eval "p=\$PID_$1"
	kill -TERM "$p"
	wait "$p"
}
rows() { "$DBT" count "$1" "$2" 2>/dev/null || echo -1; }
ms() { date +%s%3N; }

home "$T/a"; home "$T/b"
start a
A=$(addr_of "$T/a.out")

# ---- the routing table is saved in ggen.db ----
start b "$A"
wait_for "B joined" 30 grep -q "DHT joined" "$T/b.err"
stop b
check_eq "B stops cleanly" "$?" 0
check "no kad.db is written" test ! -e "$T/b/kad.db"
N=$(rows "$T/b/ggen.db" kad_routing)
check "the table is in ggen.db (kad_routing: $N rows)" test "$N" -ge 1

# ---- a kad.db of an older ggen: imported once, then removed ----
for s in "" -wal -shm; do
	[ -e "$T/b/ggen.db$s" ] && mv "$T/b/ggen.db$s" "$T/b/kad.db$s"
done
start b
if wait_for "B rejoined" 30 grep -q "DHT joined" "$T/b.err"; then
	ok "B rejoins without bootstrap peers from the imported table"
else not_ok "B rejoins from the imported table" "$(tail -3 "$T/b.err")"; fi
check_grep "the import is logged" "imported $N rows of .*/kad\.db into ggen\.db" "$T/b.err"
check "kad.db is removed" test ! -e "$T/b/kad.db"
check_eq "its rows are in ggen.db" "$(rows "$T/b/ggen.db" kad_routing)" "$N"
stop b

# ---- another process writes ggen.db: the node goes on ----
"$KT" mkrecord "$T/key" "$T/r1" demo 1.0.0 1 >/dev/null
"$KT" mkrecord "$T/key" "$T/r2" other 1.0.0 1 >/dev/null
run "$KT" put "$A" /ggen/pkg/demo "$T/r1"
check_grep "a PUT_VALUE is stored" '^echo$' "$OUT_F"
"$DBT" lock "$T/a/ggen.db" "$T/release" 10000 >"$T/lock.out" 2>&1 &
LOCK=$!
PIDS+=("$LOCK")
T0=$(ms)
wait_for "the lock" 10 grep -q '^locked$' "$T/lock.out"
for i in 1 2 3; do # writes the node cannot make, all at once
	timeout 20 "$KT" put "$A" /ggen/pkg/other "$T/r2" >"$T/put$i.out" 2>&1 &
done
S0=$(ms)
check "p2p status answers while ggen.db is locked" \
	env GGEN_HOME="$T/a" timeout 10 "$GGEN" mp p2p status --json
S=$(($(ms) - S0))
check_grep "with the DHT" '"dht":\{"mode":"server"' "$OUT_F"
check "within 2 s (took ${S} ms)" test "$S" -lt 2000
wait_for "the PUTs" 20 bash -c "cat $T/put[123].out | grep -Ec '^(echo|reset)$' | grep -qx 3"
check_eq "each PUT_VALUE is refused, not stored" \
	"$(cat "$T"/put[123].out | grep -c '^reset$')" 3
check "all that while the lock was held" kill -0 "$LOCK"
check_grep "the node logs why" 'kad: store: the database is locked by another process' "$T/a.err"
sleep "$(awk -v t=$(($(ms) - T0)) 'BEGIN { s = (2000 - t) / 1000; print (s > 0 ? s : 0) }')"
touch "$T/release"
wait_for "the release" 10 grep -q '^released' "$T/lock.out"
check_grep "the lock was held about 2 s" '^released after (1[89][0-9][0-9]|[2-9][0-9]{3}) ms$' "$T/lock.out"
sleep 1.1 # the store's back-off (KAD_STORE_BUSY_BACKOFF_MS) runs out
run "$KT" put "$A" /ggen/pkg/other "$T/r2"
check_grep "afterwards the same PUT_VALUE is stored" '^echo$' "$OUT_F"
check_eq "both records are in ggen.db" "$(rows "$T/a/ggen.db" kad_records)" 2
check "and p2p status still answers" env GGEN_HOME="$T/a" timeout 10 "$GGEN" mp p2p status
stop a
check_eq "A stops cleanly" "$?" 0
check "A saved its table in ggen.db" test "$(rows "$T/a/ggen.db" kad_routing)" -ge 1
done_testing
