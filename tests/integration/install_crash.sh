#!/usr/bin/env bash
# install_crash.sh - `kill -9` in the middle of an install, then a rerun.
# A 3 MB package is served by a throttled HTTP server (python3, about
# 200 KB/s) so the install is reliably still downloading when it is killed.
# Afterwards: no half-installed package, ggen.lock intact (valid JSON, the
# earlier entry kept), and the rerun (server no longer throttled) succeeds
# with the right bytes and sweeps the leftover download.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../market_lib.sh"

T=$(mktmp)
WWW=$T/www
mkdir -p "$WWW" "$T/big/data"
cat >"$T/big/package.toml" <<'TOML'
[package]
name = "big-data"
version = "1.0.0"
description = "A large package, for the crash test"
TOML
head -c 3000000 /dev/urandom >"$T/big/data/blob.bin"
check "pack the big package" "$GGEN" -q mp pack "$T/big" -o "$WWW/big-data.tar.gz"
check "pack a small one" "$GGEN" -q mp pack "$MK_ROOT/examples/packages/ci-workflows" \
	-o "$WWW/ci-workflows.tar.gz"
check "registry build" "$GGEN" -q mp registry build "$WWW"

cat >"$T/slow.py" <<'PY'
import http.server, os, sys, time
root, port, fast = sys.argv[1], int(sys.argv[2]), sys.argv[3]
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)
    def log_message(self, *a):
        pass
    def copyfile(self, src, dst):
        while True:
            b = src.read(16384)
            if not b:
                break
            try:
                dst.write(b)
            except (BrokenPipeError, ConnectionResetError):
                return  # the client was killed: expected here
            if not os.path.exists(fast):
                time.sleep(0.08)
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
PORT=$(free_port)
python3 "$T/slow.py" "$WWW" "$PORT" "$T/fast" &
SRV=$!
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null' EXIT
wait_for "the throttled server" 10 curl -s -o /dev/null "http://127.0.0.1:$PORT/index.json"
export GGEN_HOME=$T/home GGEN_REGISTRY_URL=http://127.0.0.1:$PORT/index.json
LOCK=$GGEN_HOME/packages/ggen.lock

check "install a first package" "$GGEN" mp install ci-workflows
cp "$LOCK" "$T/lock.before"

"$GGEN" mp install big-data >"$T/out1" 2>"$T/err1" &
PID=$!
downloading() {
	local f
	for f in "$GGEN_HOME"/cache/download-*; do
		[ -f "$f" ] && [ "$(stat -c %s "$f")" -gt 65536 ] && return 0
	done
	return 1
}
if wait_for "the download to be under way" 20 downloading; then
	ok "the install is downloading"
else
	not_ok "the install is downloading"
fi
kill -9 "$PID"
wait "$PID" 2>/dev/null
check_eq "it was killed by SIGKILL" "$?" 137

check "no big-data directory" test ! -e "$GGEN_HOME/packages/big-data"
check "the lock is valid JSON with the first entry kept" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [p["name"] for p in d["packages"]] == ["ci-workflows"], d' "$LOCK"
check "the lock is unchanged" cmp -s "$LOCK" "$T/lock.before"
check "list still works" "$GGEN" mp list
check_nogrep "list does not show big-data" 'big-data' "$OUT_F"
check "the store holds no big-data object" bash -c \
	"! find '$GGEN_HOME/store' -type f -size +1000k | grep -q ."

touch "$T/fast"
check "the rerun succeeds" "$GGEN" mp install big-data
check "the bytes are right" cmp "$T/big/data/blob.bin" \
	"$GGEN_HOME/packages/big-data/1.0.0/data/blob.bin"
check "the leftover download was swept" bash -c \
	"! ls '$GGEN_HOME'/cache/download-* >/dev/null 2>&1"
check "both are in the lock" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(p["name"] for p in d["packages"]) == ["big-data", "ci-workflows"], d' "$LOCK"
done_testing
