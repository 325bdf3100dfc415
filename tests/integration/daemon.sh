#!/usr/bin/env bash
# daemon.sh - `p2p start --daemon` and the verbs that talk to a running
# node over $GGEN_HOME/p2p.sock: status, stop, peer-list, peer-info, ping
# through the daemon; one node per home (the lock); a killed daemon's
# stale socket; the control protocol's version check, unknown commands and
# line cap from a raw AF_UNIX client; the socket's mode; the log file; a
# foreground node serving the same socket; SIGTERM cleanup.
. "$(dirname "$0")/../lib.sh"

T=$(mktmp)
HOMES=()
FG_PIDS=()
NO_NODE="no running node \\(start one with 'ggen marketplace p2p start --daemon'\\)"

cleanup() {
	local h p
	for h in "${HOMES[@]}"; do
		[ -f "$h/p2p.pid" ] && kill -TERM "$(cat "$h/p2p.pid")" 2>/dev/null
	done
	for p in "${FG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.3
	for h in "${HOMES[@]}"; do
		[ -f "$h/p2p.pid" ] && kill -KILL "$(cat "$h/p2p.pid")" 2>/dev/null
	done
	wait 2>/dev/null
}
trap cleanup EXIT

home() { # home DIR: a GGEN_HOME with a loopback-only config
	mkdir -p "$1"
	printf '[network]\nmdns = false\nlisten_addresses = ["/ip4/127.0.0.1/tcp/0"]\n' \
		>"$1/p2p-config.toml"
	HOMES+=("$1")
}
g() { # g HOME args...: ggen in that home, bounded
	local h=$1; shift
	GGEN_HOME=$h timeout 40 "$GGEN" "$@"
}
no_pid() { # gone, or a zombie not reaped yet (it has exited)
	! kill -0 "$1" 2>/dev/null ||
		awk '{ exit !($3 == "Z") }' "/proc/$1/stat" 2>/dev/null
}
gone() { [ ! -e "$1" ]; }
has_addr() { grep -q '^listening: ' "$1"; }

# a raw client: send each argument as one line, print each answer line
ctl() { # ctl SOCKET LINE...
	python3 - "$@" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
buf = b""
for line in sys.argv[2:]:
    data = line.encode()
    if line.startswith("BIG:"):
        data = b'{"v":1,"cmd":"' + b"x" * int(line[4:]) + b'"}'
    try:
        s.sendall(data + b"\n")
    except OSError as e:
        print("SEND:", e)
    while b"\n" not in buf:
        d = s.recv(65536)
        if not d:
            break
        buf += d
    if b"\n" not in buf:
        print("EOF")
        break
    one, buf = buf.split(b"\n", 1)
    print(one.decode())
EOF
}

# ---- no node ----
A=$T/a
home "$A"
check_fail 1 "status without a node fails" g "$A" mp p2p status
check_grep "and says how to start one" "$NO_NODE" "$ERR_F"
check_fail 1 "stop without a node fails" g "$A" mp p2p stop
check_grep "stop says no running node" "no running node" "$ERR_F"
check_fail 1 "peer-list without a node fails" g "$A" mp p2p peer-list
check_grep "peer-list says no running node" "no running node" "$ERR_F"
check_fail 1 "peer-info without a node fails" g "$A" mp p2p peer-info \
	12D3KooWBJJ116WS9MN7ovxwGhaGd322F9rVPrwPZm8gsFAzRXHc

# ---- start --daemon ----
check "start --daemon exits 0" g "$A" mp p2p start --daemon
cp "$OUT_F" "$T/a.out"
check_grep "it prints the peer ID" '^peer-id: 12D3KooW' "$T/a.out"
check_grep "and where it listens" '^listening: /ip4/127\.0\.0\.1/tcp/[1-9][0-9]*/p2p/12D3KooW' "$T/a.out"
A_ID=$(awk '/^peer-id:/{print $2}' "$T/a.out")
check "p2p.pid exists" test -s "$A/p2p.pid"
A_PID=$(cat "$A/p2p.pid")
check "the daemon runs" kill -0 "$A_PID"
check_eq "the socket is mode 0600" "$(stat -c %a "$A/p2p.sock" 2>/dev/null)" 600
check_eq "the socket is a socket" "$(stat -c %F "$A/p2p.sock" 2>/dev/null)" socket
check "status exits 0" g "$A" mp p2p status
check_grep "status names the peer ID" "^peer-id: $A_ID\$" "$OUT_F"
check_grep "status names the daemon's pid" "^pid: $A_PID\$" "$OUT_F"
check_grep "status shows uptime" '^uptime: [0-9]+s$' "$OUT_F"
check_grep "status shows the listen address" "^listening: /ip4/127\.0\.0\.1/tcp/[0-9]+/p2p/$A_ID\$" "$OUT_F"
check "status --json" g "$A" mp p2p status --json
check_grep "status --json has peer_id and pid" "\"peer_id\":\"$A_ID\".*\"pid\":$A_PID" "$OUT_F"
check_eq "status --json is one line" "$(wc -l <"$OUT_F")" 1
check_fail 1 "a second start --daemon is refused" g "$A" mp p2p start --daemon
check_grep "naming the running pid" "already running in .*\(pid $A_PID\)" "$ERR_F"
check_fail 1 "so is a foreground start in the same home" g "$A" mp p2p start
check "the first daemon still runs" kill -0 "$A_PID"
if wait_for "log file" 5 test -s "$A/logs/ggen.log"; then ok "logs/ggen.log is written"; else not_ok "logs/ggen.log is written"; fi
check_grep "the log says the node runs" "daemon: node running, pid $A_PID" "$A/logs/ggen.log"

# ---- another node, in the foreground: it serves the control socket too ----
B=$T/b
home "$B"
GGEN_HOME=$B "$GGEN" mp p2p start >"$T/b.out" 2>"$T/b.err" &
B_PID=$!
FG_PIDS+=("$B_PID")
wait_for "node B" 20 has_addr "$T/b.out"
B_ADDR=$(awk '/^listening:/{print $2; exit}' "$T/b.out")
B_ID=$(awk '/^peer-id:/{print $2}' "$T/b.out")
check "a foreground node answers status" g "$B" mp p2p status
check_grep "with its own peer ID" "^peer-id: $B_ID\$" "$OUT_F"
check_eq "and its pid" "$(cat "$B/p2p.pid" 2>/dev/null)" "$B_PID"

# ---- ping through the daemon; the peer stays connected ----
check "ping B through the daemon" g "$A" mp p2p ping "$B_ADDR" --count 2 --interval 0
check_grep "PING names B" "^PING $B_ID\$" "$OUT_F"
check_eq "two pongs" "$(grep -c '^Pong received: time=' "$OUT_F")" 2
check_grep "and the summary" '^2 pings sent, 2 pongs received, average latency' "$OUT_F"
check_grep "the daemon dialled B (not a short-lived node)" "connection to $B_ID" "$A/logs/ggen.log"
check "peer-list" g "$A" mp p2p peer-list
check_grep "peer-list shows B" "^$B_ID /ip4/127\.0\.0\.1/tcp/[0-9]+ outbound ggen/" "$OUT_F"
check "peer-list --json" g "$A" mp p2p peer-list --json
check_grep "peer-list --json lists B with its protocols" "\"id\":\"$B_ID\".*\"/ipfs/ping/1.0.0\"" "$OUT_F"
check "peer-info B" g "$A" mp p2p peer-info "$B_ID"
check_grep "peer-info: connected" '^connected: yes \(outbound, /ip4/127\.0\.0\.1/tcp/[0-9]+\)$' "$OUT_F"
check_grep "peer-info: agent" '^agent: ggen/' "$OUT_F"
check_grep "peer-info: protocols" '^protocol: /ipfs/id/1\.0\.0$' "$OUT_F"
check_grep "peer-info: addresses" '^addr: /ip4/127\.0\.0\.1/tcp/[0-9]+$' "$OUT_F"
check "status counts B" g "$A" mp p2p status
check_grep "connected peers: 1" '^connected peers: 1$' "$OUT_F"
check_grep "and names it" "^peer: $B_ID\$" "$OUT_F"
check_fail 1 "peer-info of an unknown peer fails" g "$A" mp p2p peer-info \
	12D3KooWBJJ116WS9MN7ovxwGhaGd322F9rVPrwPZm8gsFAzRXHc
check_grep "saying so" 'unknown peer 12D3KooWBJJ116WS9MN7ovxwGhaGd322F9rVPrwPZm8gsFAzRXHc' "$ERR_F"
check_fail 2 "peer-info of a malformed ID is a usage error" g "$A" mp p2p peer-info nope
check_fail 1 "ping through the daemon to a closed port fails" g "$A" mp p2p ping /ip4/127.0.0.1/tcp/1 --count 1
check_grep "and says why" 'cannot connect to /ip4/127.0.0.1/tcp/1: connection refused' "$ERR_F"
WRONG=${B_ADDR%/p2p/*}/p2p/$A_ID
check_fail 1 "ping through the daemon with the wrong ID fails" g "$A" mp p2p ping "$WRONG" --count 1
check_grep "naming both IDs" "peer ID mismatch: dialed $A_ID, remote is $B_ID" "$ERR_F"

# ---- the protocol from a raw client ----
run ctl "$A/p2p.sock" '{"v":2,"cmd":"status"}' '{"v":1,"cmd":"frobnicate"}' \
	'not json' '{"v":1,"cmd":"status"}' 'BIG:1100000'
cp "$OUT_F" "$T/raw"
check_eq "five answers, in order" "$(wc -l <"$T/raw")" 5
check_eq "an unknown version is refused clearly" "$(sed -n 1p "$T/raw")" \
	'{"v":1,"ok":false,"error":"unsupported control protocol version 2 (this daemon speaks 1)","code":"GG_EUNSUPPORTED"}'
check_grep "an unknown command is named" '"ok":false,"error":"unknown command \\"frobnicate\\"' "$T/raw"
check_grep "malformed JSON is refused" '"error":"malformed request: ' "$T/raw"
check_grep "the connection goes on after errors" "^\{\"v\":1,\"ok\":true,\"peer_id\":\"$A_ID\"" "$T/raw"
check_eq "a line over 1 MiB is refused" "$(sed -n 5p "$T/raw")" \
	'{"v":1,"ok":false,"error":"request line longer than 1048576 bytes","code":"GG_ETOOBIG"}'
check "the daemon survived all that" g "$A" mp p2p status

# ---- stop ----
check "stop" g "$A" mp p2p stop
check_grep "stop names the pid" "stopped the node \(pid $A_PID\)" "$OUT_F"
check "the daemon has exited when stop returns" no_pid "$A_PID"
check "the socket is gone" gone "$A/p2p.sock"
check "the pid file is gone" gone "$A/p2p.pid"
check_fail 1 "status after stop fails" g "$A" mp p2p status
check_grep "no running node" "$NO_NODE" "$ERR_F"

# ---- ping without a daemon: a short-lived node, as before ----
check "ping without a daemon uses a short-lived node" g "$A" mp p2p ping "$B_ADDR" --count 1
check_grep "and pongs" '^Pong received: time=' "$OUT_F"

# ---- kill -9: stale socket and pid, then a clean restart ----
check "start --daemon again" g "$A" mp p2p start --daemon
A_PID=$(cat "$A/p2p.pid")
kill -KILL "$A_PID"
wait_for "killed daemon" 10 no_pid "$A_PID"
check "a killed daemon leaves its socket behind" test -S "$A/p2p.sock"
check_fail 1 "status with a stale socket fails" g "$A" mp p2p status
check_grep "with the no-node message" "$NO_NODE" "$ERR_F"
check_fail 1 "stop with a stale socket fails" g "$A" mp p2p stop
check "start --daemon after kill -9 works" g "$A" mp p2p start --daemon
A_PID2=$(cat "$A/p2p.pid")
check "a new daemon runs" kill -0 "$A_PID2"
check "and answers" g "$A" mp p2p status
check_grep "with its pid" "^pid: $A_PID2\$" "$OUT_F"

# ---- SIGTERM: clean shutdown ----
kill -TERM "$A_PID2"
wait_for "SIGTERM" 10 no_pid "$A_PID2"
check "SIGTERM: the daemon exits" no_pid "$A_PID2"
check "SIGTERM: socket removed" gone "$A/p2p.sock"
check "SIGTERM: pid file removed" gone "$A/p2p.pid"
check_grep "the log records the stop" "daemon: node stopped" "$A/logs/ggen.log"

# ---- a daemon that cannot start: the parent reports the error ----
B_HOSTPORT=${B_ADDR%/p2p/*}
check_fail 1 "start --daemon on a busy port fails" g "$A" mp p2p start --daemon --listen "$B_HOSTPORT"
check_grep "with the daemon's own error" "cannot listen on $B_HOSTPORT" "$ERR_F"
check_fail 1 "and no node is left running" g "$A" mp p2p status
check "nor its socket" gone "$A/p2p.sock"

# ---- the foreground node: SIGTERM removes its socket too ----
kill -TERM "$B_PID"
wait "$B_PID"
check_eq "foreground node: SIGTERM exit 0" "$?" 0
check "foreground node: socket removed" gone "$B/p2p.sock"
check "foreground node: pid file removed" gone "$B/p2p.pid"
done_testing
