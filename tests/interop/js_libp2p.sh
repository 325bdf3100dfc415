#!/usr/bin/env bash
# js_libp2p.sh - ggen's libp2p stack against js-libp2p 3 (issue #4).
#
# Peers: `ggen marketplace p2p start` (the real node), build/tests/c_peer
# (our host with the echo/sink test protocols), build/tests/raw_peer (a
# misbehaving client), and peer.mjs (js-libp2p, pinned by
# package-lock.json; installed here with `npm ci` when missing or stale -
# a failed install fails the test).  Everything listens on 127.0.0.1.
# The 30 s idle check runs in the background while the rest goes on.
. "$(dirname "$0")/../lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${GGEN_BUILD:-$HERE/../../build}
CPEER=$BUILD/tests/c_peer
RAW=$BUILD/tests/raw_peer
T=$(mktmp)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT

# ---- js-libp2p from npm, exactly as locked ----
. "$HERE/lib/npm_setup.sh"
interop_npm_setup "libp2p"
JS=(node --import "$HERE/shim.mjs" "$HERE/peer.mjs")
export PEER_TTL=240

# start_bg NAME OUTFILE cmd...: run in the background, remember the pid
start_bg() {
	local out=$1; shift
	"$@" >"$out" 2>"$out.err" &
	PIDS+=($!)
	LAST_PID=$!
}
# addr_of FILE: the first "listening:" address in FILE
addr_of() { awk '/^listening: /{print $2; exit}' "$1"; }
has_addr() { [ -n "$(addr_of "$1")" ]; }

# ---- our node ----
export GGEN_HOME=$T/home
mkdir -p "$GGEN_HOME"
cat >"$GGEN_HOME/p2p-config.toml" <<EOF
[network]
mdns = false
max_peers_per_ip = 32
EOF
start_bg "$T/node" "$GGEN" -v marketplace p2p start --listen /ip4/127.0.0.1/tcp/0
NODE_PID=$LAST_PID
if wait_for "ggen node listening" 20 has_addr "$T/node"; then
	ok "p2p start prints its address"
else
	not_ok "p2p start prints its address" "$(cat "$T/node.err")"
	done_testing
fi
NODE=$(addr_of "$T/node")
NODE_ID=${NODE##*/p2p/}
NODE_PORT=$(echo "$NODE" | cut -d/ -f5)
check_grep "peer-id line comes first" "^peer-id: $NODE_ID\$" "$T/node"

# ---- background: 30 s idle, and a handshake that never starts ----
start_bg "$T/idle" "${JS[@]}" idle "$NODE" 32
IDLE_PID=$LAST_PID
start_bg "$T/silent" "$RAW" silent 127.0.0.1 "$NODE_PORT" 20
SILENT_PID=$LAST_PID

# ---- js dials our node: ping and identify ----
run timeout 60 "${JS[@]}" check "$NODE"
if [ "$RC" -eq 0 ]; then ok "js dials ggen: ping and identify"; else
	T_SHOW=1 not_ok "js dials ggen: ping and identify"; fi
cp "$OUT_F" "$T/check"
check_grep "js saw 3 pongs" '^ping: [0-9]+ ms' "$T/check"
check_eq "three pings" "$(grep -c '^ping: ' "$T/check")" 3
check_grep "identify: agent ggen/" '^agent: ggen/' "$T/check"
check_grep "identify: protocol version" '^protocolVersion: ipfs/0\.1\.0$' "$T/check"
check_grep "identify: public key is the peer ID" "^identify-key-peer: $NODE_ID\$" "$T/check"
check_grep "identify lists ping" '^protocol: /ipfs/ping/1\.0\.0$' "$T/check"
check_grep "identify lists identify" '^protocol: /ipfs/id/1\.0\.0$' "$T/check"
check_grep "identify lists push" '^protocol: /ipfs/id/push/1\.0\.0$' "$T/check"
check_grep "identify lists the DHT (server mode)" '^protocol: /ggen/kad/1\.0\.0$' "$T/check"
check_grep "identify lists gossipsub 1.1" '^protocol: /meshsub/1\.1\.0$' "$T/check"
check_grep "identify lists gossipsub 1.0" '^protocol: /meshsub/1\.0\.0$' "$T/check"
check_eq "identify lists exactly our handlers" "$(grep -c '^protocol: ' "$T/check")" 6
check_grep "identify: listen address" "^listenAddr: /ip4/127\.0\.0\.1/tcp/$NODE_PORT\$" "$T/check"
check_grep "identify: observed address" '^observedAddr: /ip4/127\.0\.0\.1/tcp/' "$T/check"

# ---- a js node, and the C test peer ----
start_bg "$T/js" "${JS[@]}" listen
start_bg "$T/cpeer" "$CPEER" listen
wait_for "js peer listening" 30 has_addr "$T/js"
wait_for "C peer listening" 10 has_addr "$T/cpeer"
JSMA=$(addr_of "$T/js")
CMA=$(addr_of "$T/cpeer")
JS_PORT=$(echo "$JSMA" | cut -d/ -f5)

# ---- our ping dials js ----
check "p2p ping dials a js node" timeout 60 "$GGEN" mp p2p ping "$JSMA" --count 3 --interval 0.1
check_eq "three pongs printed" "$(grep -c '^Pong received: time=[0-9.]* ms$' "$OUT_F")" 3
check_grep "summary line" '^3 pings sent, 3 pongs received' "$OUT_F"
WRONG=/ip4/127.0.0.1/tcp/$JS_PORT/p2p/$NODE_ID
check_fail 1 "p2p ping refuses a wrong /p2p/ ID" timeout 60 "$GGEN" mp p2p ping "$WRONG" --count 1
check_grep "the mismatch names both IDs" "peer ID mismatch: dialed $NODE_ID, remote is ${JSMA##*/p2p/}" "$ERR_F"

# ---- 64 MiB each way over one stream ----
check "js -> C: 64 MiB echoed byte-exact" timeout 120 "${JS[@]}" echo "$CMA" 67108864
check "C -> js: 64 MiB echoed byte-exact" timeout 120 "$CPEER" echo "$JSMA" 67108864

# ---- 200 concurrent streams on one connection ----
check "js -> C: 200 concurrent streams" timeout 120 "${JS[@]}" streams "$CMA" 200 65536
check "C -> js: 200 concurrent streams" timeout 120 "$CPEER" streams "$JSMA" 200 16384

# ---- bad input closes only that connection ----
check "junk instead of a Noise frame: closed" timeout 30 "$RAW" junk-raw 127.0.0.1 "$NODE_PORT"
check "a bad yamux header inside Noise: closed" timeout 30 "$RAW" junk-mux 127.0.0.1 "$NODE_PORT"
check "the node still answers a fresh ping" timeout 60 "${JS[@]}" check "$NODE"

# ---- the background checks ----
wait "$SILENT_PID"
run cat "$T/silent"
if grep -Eq '^closed after (9[0-9]{3}|1[0-4][0-9]{3}) ms$' "$T/silent"; then
	ok "a silent client is cut off after the 10 s handshake timeout"
else
	not_ok "a silent client is cut off after the 10 s handshake timeout" "$(cat "$T/silent")"
fi
wait "$IDLE_PID"
IDLE_RC=$?
if [ "$IDLE_RC" -eq 0 ]; then ok "a connection survives 32 s idle (js pings every 10 s)"; else
	not_ok "a connection survives 32 s idle" "$(cat "$T/idle" "$T/idle.err")"; fi
check_grep "the node logged the handshake timeout" 'handshake not finished after 10000 ms' "$T/node.err"
check_grep "the node logged the bad frame" 'closing connection .*noise: cryptographic failure' "$T/node.err"
check_grep "the node logged connections" 'connection from 12D3KooW.* open' "$T/node.err"

# ---- clean shutdown ----
kill -TERM "$NODE_PID"
wait "$NODE_PID"
check_eq "SIGTERM: exit 0" "$?" 0
done_testing
