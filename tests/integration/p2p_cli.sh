#!/usr/bin/env bash
# p2p_cli.sh - `p2p start` and `p2p ping` between ggen processes on
# 127.0.0.1: output formats, bootstrap dialling, identity checks, exit
# codes, the per-IP connection limit and clean shutdown.
. "$(dirname "$0")/../lib.sh"

BUILD=${GGEN_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
RAW=$BUILD/tests/raw_peer
T=$(mktmp)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null' EXIT

home() { # home DIR [per-ip-limit]: a GGEN_HOME with a loopback config
	mkdir -p "$1"
	printf '[network]\nmdns = false\nmax_peers_per_ip = %s\n' "${2:-8}" \
		>"$1/p2p-config.toml"
}
has_json() { grep -q '"listen_addrs"' "$1"; }

# ---- node A, --json ----
home "$T/a"
GGEN_HOME=$T/a "$GGEN" mp p2p start --listen /ip4/127.0.0.1/tcp/0 --json \
	>"$T/a.out" 2>"$T/a.err" &
A_PID=$!
PIDS+=($A_PID)
wait_for "node A" 20 has_json "$T/a.out"
A_ID=$(sed -n 's/.*"peer_id":"\([^"]*\)".*/\1/p' "$T/a.out")
A=$(sed -n 's/.*"listen_addrs":\["\([^"]*\)".*/\1/p' "$T/a.out")
check_eq "--json prints one object" "$(wc -l <"$T/a.out")" 1
check_grep "peer_id is an Ed25519 peer ID" '"peer_id":"12D3KooW' "$T/a.out"
case $A in
/ip4/127.0.0.1/tcp/[1-9]*/p2p/"$A_ID") ok "listen_addrs has the real port and /p2p/" ;;
*) not_ok "listen_addrs has the real port and /p2p/" "$A" ;;
esac
check "identity.key was created" test -f "$T/a/identity.key"
check_eq "identity.key is 0600" "$(stat -c %a "$T/a/identity.key")" 600

# ---- node B bootstraps from A ----
home "$T/b"
GGEN_HOME=$T/b "$GGEN" -v mp p2p start --listen /ip4/127.0.0.1/tcp/0 \
	--bootstrap "$A" >"$T/b.out" 2>"$T/b.err" &
B_PID=$!
PIDS+=($B_PID)
wait_for "node B" 20 has_addr "$T/b.out"
check_grep "text output: peer-id line" '^peer-id: 12D3KooW' "$T/b.out"
check_grep "text output: listening line" '^listening: /ip4/127\.0\.0\.1/tcp/[0-9]+/p2p/12D3KooW' "$T/b.out"
if wait_for "bootstrap" 20 grep -q "connected to bootstrap peer" "$T/b.err"; then
	ok "B dialled its bootstrap peer"
else
	not_ok "B dialled its bootstrap peer" "$(cat "$T/b.err")"
fi

# ---- ping ----
home "$T/c"
export GGEN_HOME=$T/c
check "ping A" timeout 30 "$GGEN" mp p2p ping "$A" --count 2 --interval 0
check_grep "PING line names A" "^PING $A_ID\$" "$OUT_F"
check_eq "two pongs" "$(grep -c '^Pong received: time=' "$OUT_F")" 2
B_ID=$(awk '/^peer-id:/{print $2}' "$T/b.out")
WRONG=${A%/p2p/*}/p2p/$B_ID
check_fail 1 "ping with the wrong /p2p/ ID fails" timeout 30 "$GGEN" mp p2p ping "$WRONG" --count 1
check_grep "the error names both IDs" "peer ID mismatch: dialed $B_ID, remote is $A_ID" "$ERR_F"
check_fail 2 "ping with a bad multiaddr is a usage error" "$GGEN" mp p2p ping /ip4/nope
check_fail 2 "ping --count 0 is a usage error" "$GGEN" mp p2p ping "$A" --count 0
check_fail 1 "ping to a closed port fails" timeout 30 "$GGEN" mp p2p ping /ip4/127.0.0.1/tcp/1 --count 1
check_grep "and says why" 'cannot connect to /ip4/127.0.0.1/tcp/1: connection refused' "$ERR_F"

# ---- the per-IP limit ----
home "$T/d" 1
GGEN_HOME=$T/d "$GGEN" mp p2p start --listen /ip4/127.0.0.1/tcp/0 \
	>"$T/d.out" 2>"$T/d.err" &
D_PID=$!
PIDS+=($D_PID)
wait_for "node D" 20 has_addr "$T/d.out"
D_PORT=$(addr_of "$T/d.out" | cut -d/ -f5)
"$RAW" silent 127.0.0.1 "$D_PORT" 5 >"$T/first" &
PIDS+=($!)
sleep 0.5
run "$RAW" silent 127.0.0.1 "$D_PORT" 3
check_grep "a second connection from the IP is refused at once" '^closed after [0-9]{1,3} ms$' "$OUT_F"
check_grep "the refusal is logged" 'max_peers_per_ip \(1\) reached' "$T/d.err"

# ---- clean shutdown ----
kill -INT "$A_PID"
wait "$A_PID"
check_eq "SIGINT: exit 0" "$?" 0
kill -TERM "$B_PID"
wait "$B_PID"
check_eq "SIGTERM: exit 0" "$?" 0
if wait_for "B saw A go" 5 grep -q "closed" "$T/b.err"; then
	ok "B logged the closed connection"
else
	not_ok "B logged the closed connection" "$(cat "$T/b.err")"
fi
done_testing
