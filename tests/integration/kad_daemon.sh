#!/usr/bin/env bash
# kad_daemon.sh - the DHT diagnostic verbs (`p2p bootstrap`, `p2p dht
# find-peer/providers/get`) go through the node running for GGEN_HOME
# (ADR-002), and run a short-lived node when none runs:
#   - with a daemon they answer with no bootstrap peers at all (its table
#     is warm), its DHT request counter rises and its log names them;
#   - text and --json are the same from the daemon and the short-lived
#     node, failures too;
#   - a daemon in client DHT mode answers as well;
#   - a bad KEY is refused (exit 2) before anything is contacted; a node
#     that answers an error gives exit 1 with its message; one that does
#     not answer gives exit 1 in bounded time; --timeout is honoured;
#   - the daemon checks what comes over the socket itself, survives a
#     client that hangs up mid-lookup and answers a pending lookup when
#     it is stopped.
. "$(dirname "$0")/../lib.sh"

BUILD=${GGEN_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
TOOL=$BUILD/tests/kad_tool
T=$(mktmp)
PIDS=()
HOMES=()

cleanup() {
	local h p
	for h in "${HOMES[@]}"; do
		[ -f "$h/p2p.pid" ] && kill -TERM "$(cat "$h/p2p.pid")" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.3
	for h in "${HOMES[@]}"; do
		[ -f "$h/p2p.pid" ] && kill -KILL "$(cat "$h/p2p.pid")" 2>/dev/null
	done
	wait 2>/dev/null
}
trap cleanup EXIT
[ -n "${KEEP_T:-}" ] && echo "# T=$T"

home() { # home DIR [extra config lines]: loopback only, raised limits
	mkdir -p "$1"
	{
		printf '[network]\nmdns = false\nmax_peers_per_ip = 64\n'
		printf 'dht_max_per_subnet_bucket = 0\n'
		printf 'dht_max_per_subnet_table = 0\n'
		printf 'listen_addresses = ["/ip4/127.0.0.1/tcp/0"]\n'
		printf '%s\n' "${2:-}"
	} >"$1/p2p-config.toml"
	HOMES+=("$1")
}
id_of() { awk '/^peer-id: /{print $2; exit}' "$1"; }
fg_node() { # fg_node NAME [bootstrap]: a foreground node in the background
	local n=$1; shift
	GGEN_HOME=$T/$n "$GGEN" mp p2p start ${1:+--bootstrap "$1"} \
		>"$T/$n.out" 2>"$T/$n.err" &
	PIDS+=($!)
	wait_for "node $n" 20 has_addr "$T/$n.out"
}
g() { # g HOME args...: ggen in that home, bounded
	local h=$1; shift
	GGEN_HOME=$h timeout 60 "$GGEN" "$@"
}
# the DHT's counter of outbound requests in a node's status
req_out() {
	g "$1" mp p2p status --json |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["dht"]["requests_out"])'
}
same_out() { # same_out WHAT FILE: the last stdout equals FILE
	cp "$OUT_F" "$T/now"
	check "$1" cmp "$2" "$T/now"
}
same_err() {
	cp "$ERR_F" "$T/now"
	check "$1" cmp "$2" "$T/now"
}
table_at_least() { # HOME N
	local n
	n=$(g "$1" mp p2p status --json | python3 -c \
		'import json,sys; print(json.load(sys.stdin)["dht"]["routing_table"])')
	[ "${n:-0}" -ge "$2" ]
}
# a raw control client: each argument is one line; prints each answer
ctl() { # ctl SOCKET LINE...
	python3 - "$@" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(30)
s.connect(sys.argv[1])
buf = b""
for line in sys.argv[2:]:
    s.sendall(line.encode() + b"\n")
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

# ---- the network: A (hub), C (target); D a daemon; records in place ----
for n in a c u; do home "$T/$n"; done
fg_node a
A=$(addr_of "$T/a.out")
fg_node c "$A"
C=$(addr_of "$T/c.out")
C_ID=$(id_of "$T/c.out")
U=$T/u # a home where no node runs: the verbs run their own
"$TOOL" mkrecord "$T/key" "$T/r1" demo 1.0.0 1 >"$T/signer"
check "put a record (short-lived node)" g "$U" mp p2p dht put demo "$T/r1" --bootstrap "$A"
H=$(printf 'kad daemon archive' | sha256sum | cut -c1-64)
check "provide a key (short-lived node)" g "$U" mp p2p dht provide "sha256:$H" \
	--bootstrap "$A" --listen /ip4/127.0.0.1/tcp/0
P_ID=$(awk '/^provided/{print $4}' "$OUT_F")
CID=$(awk '/^provided/{print $2}' "$OUT_F")

D=$T/d
home "$D"
check "start a daemon" g "$D" mp p2p start --daemon --bootstrap "$A"
if wait_for "D's table" 30 table_at_least "$D" 2; then ok "the daemon joined (A and C in its table)"
else not_ok "the daemon joined" "$(tail -3 "$D/logs/ggen.log")"; fi

# ---- through the daemon: no bootstrap peers needed ----
check_fail 1 "without a daemon the same home needs bootstrap peers" \
	g "$U" mp p2p dht find-peer "$C_ID"
check_grep "(the short-lived node says so)" 'no bootstrap peers' "$ERR_F"
R0=$(req_out "$D")
check "find-peer C through the daemon" g "$D" mp p2p dht find-peer "$C_ID"
check_grep "prints C and its address" "^$C_ID /ip4/127\.0\.0\.1/tcp/[0-9]+\$" "$OUT_F"
cp "$OUT_F" "$T/fp.daemon"
R1=$(req_out "$D")
check "the daemon's DHT requests rose ($R0 -> $R1)" test "$R1" -gt "$R0"
check_grep "its log names the lookup" 'dht\.find_peer .*: found' "$D/logs/ggen.log"
check "find-peer --json" g "$D" mp p2p dht find-peer "$C_ID" --json
check_grep "json: peer and hops" "^\{\"peer\":\{\"peer_id\":\"$C_ID\",\"addrs\":\"/ip4/127\.0\.0\.1/tcp/[0-9]+\"\},\"hops\":-?[0-9]+\}\$" "$OUT_F"

for key in "sha256:$H" "$CID"; do
	check "providers $key through the daemon" g "$D" mp p2p dht providers "$key"
	check_grep "names the provider" "^$P_ID /ip4/127\.0\.0\.1/tcp/[0-9]+\$" "$OUT_F"
done
cp "$OUT_F" "$T/prov.daemon"
check "providers --json" g "$D" mp p2p dht providers "$CID" --json
cp "$OUT_F" "$T/provj.daemon"
check_grep "json providers" "^\{\"providers\":\[\{\"peer_id\":\"$P_ID\"" "$OUT_F"
check_grep "its log names it" "dht\.providers $CID: 1 found" "$D/logs/ggen.log"

check "get through the daemon" g "$D" mp p2p dht get demo -o "$T/got"
check_grep "version line" '^version: 1\.0\.0$' "$OUT_F"
check_grep "signer line" "^signer: $(cat "$T/signer")\$" "$OUT_F"
cp "$OUT_F" "$T/get.daemon"
check "the record's bytes are the same" cmp "$T/r1" "$T/got"
check "get --json through the daemon" g "$D" mp p2p dht get /ggen/pkg/demo --json
cp "$OUT_F" "$T/getj.daemon"
check_grep "json record" '"record":\{"name":"demo","version":"1\.0\.0"' "$OUT_F"

NOPE=12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq
ABSENT=sha256:$(printf absent | sha256sum | cut -c1-64)
check_fail 1 "find-peer of an unknown peer fails" g "$D" mp p2p dht find-peer "$NOPE" --timeout 10
cp "$ERR_F" "$T/fpn.daemon"
check_grep "naming it" "peer $NOPE not found" "$ERR_F"
check_fail 1 "providers of an absent key fail" g "$D" mp p2p dht providers "$ABSENT" --timeout 10
cp "$ERR_F" "$T/provn.daemon"
check_grep "naming the CID" "no providers found for bafkrei" "$ERR_F"
check_fail 1 "get of an absent record fails" g "$D" mp p2p dht get absent --timeout 10
cp "$ERR_F" "$T/getn.daemon"

check "bootstrap through the daemon" g "$D" mp p2p bootstrap "$C"
check_grep "prints the daemon's table" '^routing table: [2-9] peers$' "$OUT_F"
check_grep "with C in it" "^$C_ID /ip4/127\.0\.0\.1/tcp/" "$OUT_F"
check "bootstrap --json" g "$D" mp p2p bootstrap "$C" --json
check_grep "json: table_size and peers" '^\{"table_size":[2-9],"peers":\[\{"peer_id":"12D3KooW' "$OUT_F"
check_grep "its log names it" 'bootstrap: [2-9] peers in the routing table' "$D/logs/ggen.log"

# ---- the daemon checks the socket's bytes itself ----
S=$D/p2p.sock
run ctl "$S" '{"v":1,"cmd":"dht.providers","key":"sha256:abc"}' \
	'{"v":1,"cmd":"dht.get","key":"/ipns/x"}' \
	'{"v":1,"cmd":"dht.get","key":"/ggen/pkg/Bad Name"}' \
	'{"v":1,"cmd":"dht.find_peer","peer":"nope"}' \
	'{"v":1,"cmd":"dht.find_peer","peer":"'"$C_ID"'","timeout_ms":0}' \
	'{"v":1,"cmd":"dht.find_peer","peer":"'"$C_ID"'","bootstrap":["nope"]}' \
	'{"v":1,"cmd":"bootstrap","addrs":[]}' \
	'{"v":1,"cmd":"bootstrap","addrs":"'"$C"'"}' \
	'{"v":1,"cmd":"help"}'
check_eq "nine answers" "$(wc -l <"$OUT_F")" 9
check_eq "all but help refused with GG_EINVAL or GG_ERANGE" \
	"$(head -8 "$OUT_F" | grep -cE '"ok":false,.*"code":"GG_E(INVAL|RANGE)"')" 8
check_grep "a bad key is named" '"error":"dht.providers: \\"key\\" must be a package ID' "$OUT_F"
check_grep "another namespace is refused" 'dht.get: \\"key\\" must be /ggen/pkg/NAME' "$OUT_F"
check_grep "help lists the commands" '"name":"dht.find_peer".*"name":"bootstrap"' "$OUT_F"
check "the daemon goes on" g "$D" mp p2p status

# ---- a client that hangs up mid-lookup; a lookup pending at stop ----
# a TCP listener that never speaks: dials to it hang in the handshake
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1], flush=True)
time.sleep(300)' >"$T/hole" &
PIDS+=($!)
wait_for "the silent listener" 10 test -s "$T/hole"
HOLE=/ip4/127.0.0.1/tcp/$(cat "$T/hole")
t0=$(date +%s)
check_fail 1 "--timeout is honoured through the daemon" \
	g "$D" mp p2p dht find-peer "$C_ID" --bootstrap "$HOLE" --timeout 1
t1=$(date +%s)
check_grep "it says the join timed out" 'cannot join the DHT: .*timed out' "$ERR_F"
check "within the timeout and the margin ($((t1 - t0)) s)" test $((t1 - t0)) -le 4
python3 - "$S" "$C_ID" "$HOLE" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(('{"v":1,"cmd":"dht.find_peer","peer":"%s","bootstrap":["%s"],'
           '"timeout_ms":20000}\n' % (sys.argv[2], sys.argv[3])).encode())
s.close()
EOF
check "the daemon serves on after a client hung up mid-lookup" g "$D" mp p2p status
python3 - "$S" "$HOLE" "$T/sent" >"$T/pending" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(30)
s.connect(sys.argv[1])
s.sendall(('{"v":1,"cmd":"dht.providers","key":"%s","bootstrap":["%s"],'
           '"timeout_ms":20000}\n' % ("sha256:" + "ab" * 32, sys.argv[2])).encode())
open(sys.argv[3], "w").write("sent\n")
print(s.makefile().readline().strip())
EOF
PEND=$!
wait_for "the lookup request" 10 test -s "$T/sent"
sleep 0.3 # the daemon reads it and starts the join
t0=$(date +%s)
check "stop the daemon during a lookup" g "$D" mp p2p stop
t1=$(date +%s)
wait "$PEND"
check_grep "the pending lookup is answered" '"ok":false,.*"error":"the node is shutting down","code":"GG_ECANCELED"' "$T/pending"
check "the daemon stopped promptly ($((t1 - t0)) s)" test $((t1 - t0)) -le 5
check "and is gone" test ! -e "$S"

# ---- the daemon stopped: the same home runs a short-lived node ----
B=(--bootstrap "$A")
check "find-peer without the daemon" g "$D" mp p2p dht find-peer "$C_ID" "${B[@]}"
same_out "same text as through the daemon" "$T/fp.daemon"
check "providers without the daemon" g "$D" mp p2p dht providers "$CID" "${B[@]}"
same_out "same text" "$T/prov.daemon"
check "providers --json without the daemon" g "$D" mp p2p dht providers "sha256:$H" "${B[@]}" --json
same_out "same json" "$T/provj.daemon"
check "get without the daemon" g "$D" mp p2p dht get /ggen/pkg/demo "${B[@]}"
same_out "same text" "$T/get.daemon"
check "get --json without the daemon" g "$D" mp p2p dht get demo "${B[@]}" --json
same_out "same json" "$T/getj.daemon"
check_fail 1 "unknown peer without the daemon" g "$D" mp p2p dht find-peer "$NOPE" "${B[@]}" --timeout 10
same_err "same message" "$T/fpn.daemon"
check_fail 1 "absent providers without the daemon" g "$D" mp p2p dht providers "$ABSENT" "${B[@]}" --timeout 10
same_err "same message" "$T/provn.daemon"
check_fail 1 "absent record without the daemon" g "$D" mp p2p dht get absent "${B[@]}" --timeout 10
same_err "same message" "$T/getn.daemon"
check "bootstrap without the daemon" g "$D" mp p2p bootstrap "$A"
check_grep "a short-lived table" '^routing table: [1-9] peers$' "$OUT_F"
t0=$(date +%s)
check_fail 1 "--timeout is honoured by the short-lived node" \
	g "$D" mp p2p dht find-peer "$C_ID" --bootstrap "$HOLE" --timeout 1
t1=$(date +%s)
check_grep "it says the join timed out" 'cannot join the DHT: .*timed out' "$ERR_F"
check "in bounded time ($((t1 - t0)) s)" test $((t1 - t0)) -le 6

# ---- a daemon in client DHT mode answers too ----
E=$T/e
home "$E" 'dht_server_mode = false'
check "start a client-mode daemon" g "$E" mp p2p start --daemon --bootstrap "$A"
if wait_for "E's table" 30 table_at_least "$E" 1; then ok "it joined"
else not_ok "it joined" "$(tail -3 "$E/logs/ggen.log")"; fi
check "its status says client" g "$E" mp p2p status
check_grep "(mode client)" '"mode":"client"' "$OUT_F"
check "find-peer C through the client-mode daemon" g "$E" mp p2p dht find-peer "$C_ID"
same_out "same text" "$T/fp.daemon"
check "get through it" g "$E" mp p2p dht get demo
same_out "same text" "$T/get.daemon"

# ---- bad input refused first; a node that says no or says nothing ----
F=$T/f
home "$F"
fake() { # fake MODE: a control socket that logs connections; MODE
	# "error" answers every line with an error, "silent" never answers
	rm -f "$F/p2p.sock" "$F/conns"
	timeout 60 python3 - "$F/p2p.sock" "$F/conns" "$1" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(8)
held = []
while True:
    c, _ = s.accept()
    open(sys.argv[2], "a").write("conn\n")
    held.append(c)
    if sys.argv[3] == "error":
        c.makefile().readline()
        c.sendall(b'{"v":1,"ok":false,"error":"the fake node says no",'
                  b'"code":"GG_EINVAL"}\n')
EOF
	PIDS+=($!)
	wait_for "the fake socket" 10 test -S "$F/p2p.sock"
}
fake error
check_fail 2 "providers of a bad key: usage error" g "$F" mp p2p dht providers sha256:abc
check_fail 2 "find-peer of a bad ID: usage error" g "$F" mp p2p dht find-peer nope
check_fail 2 "get of a bad name: usage error" g "$F" mp p2p dht get 'Bad Name'
check_fail 2 "get of another namespace: usage error" g "$F" mp p2p dht get /ipns/x
check_fail 2 "bootstrap of a bad address: usage error" g "$F" mp p2p bootstrap nope
check "none of them contacted the node" test ! -e "$F/conns"
check_fail 1 "a node that answers an error: exit 1" g "$F" mp p2p dht providers "$CID"
check_grep "with its message" '^ggen: error: the fake node says no$' "$ERR_F"
check_fail 1 "bootstrap too" g "$F" mp p2p bootstrap "$A"
check_grep "with its message" 'the fake node says no' "$ERR_F"
fake silent
t0=$(date +%s)
check_fail 1 "a node that does not answer: exit 1" g "$F" mp p2p dht get demo --timeout 1
t1=$(date +%s)
check_grep "saying so" 'the node did not answer within 6000 ms' "$ERR_F"
check "in bounded time ($((t1 - t0)) s)" test $((t1 - t0)) -le 9

check "stop the client-mode daemon" g "$E" mp p2p stop
done_testing
