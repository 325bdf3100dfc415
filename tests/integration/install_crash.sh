#!/usr/bin/env bash
# install_crash.sh - `kill -9` in the middle of an install, then a rerun.
# A 3 MB package is served by a throttled HTTP server (python3, about
# 200 KB/s) so the install is reliably still downloading when it is killed.
# Afterwards: no half-installed package, ggen.lock intact (valid JSON, the
# earlier entry kept), and the rerun (server no longer throttled) succeeds
# with the right bytes and sweeps the leftover download.
# Then the same during extraction: a package of 2,000 files (32 MB) is
# killed as soon as its temporary tree appears; the rerun installs it and
# leaves no temporary tree.  Last, `gc` sweeps leftovers whose process is
# gone and keeps the one of a live process.
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
mkdir -p "$T/tree"
cat >"$T/tree/package.toml" <<'TOML'
[package]
name = "many-files"
version = "1.0.0"
description = "Many files, for the crash test during extraction"
TOML
python3 - "$T/tree" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(20):
    os.makedirs(os.path.join(root, "d%02d" % d))
    for f in range(100):
        with open(os.path.join(root, "d%02d" % d, "f%03d.bin" % f), "wb") as o:
            o.write(os.urandom(16384))
PY
check "pack the many-files package" "$GGEN" -q mp pack "$T/tree" \
	-o "$WWW/many-files.tar.gz"
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
cp "$LOCK" "$T/lock.before2"

# ---- kill -9 during extraction ----
MF=$GGEN_HOME/packages/many-files
"$GGEN" mp install many-files >"$T/out2" 2>"$T/err2" &
PID=$!
seen=0
for ((i = 0; i < 6000; i++)); do # polls every 5 ms, at most ~30 s
	if compgen -G "$MF/.1.0.0.tmp-*" >/dev/null; then
		kill -9 "$PID"
		seen=1
		break
	fi
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.005
done
[ "$seen" = 1 ] || kill -9 "$PID" 2>/dev/null
wait "$PID" 2>/dev/null
check_eq "killed while its temporary tree existed" "$seen" 1
check "a temporary tree is left behind" compgen -G "$MF/.1.0.0.tmp-*"
check "no many-files/1.0.0" test ! -e "$MF/1.0.0"
check "the lock is unchanged by the killed extraction" \
	cmp -s "$LOCK" "$T/lock.before2"
check "the rerun succeeds" "$GGEN" mp install many-files
check "the rerun left no temporary tree" bash -c \
	"! compgen -G '$MF/.*' >/dev/null"
check "every file is there" test "$(find "$MF/1.0.0" -type f | wc -l)" -eq 2001
check "a file's bytes are right" cmp "$T/tree/d07/f042.bin" "$MF/1.0.0/d07/f042.bin"
check "the lock holds all three" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(p["name"] for p in d["packages"]) == ["big-data", "ci-workflows", "many-files"], d' "$LOCK"

# ---- gc sweeps leftovers of dead processes only ----
sleep 0.01 &
DEAD=$!
wait "$DEAD"
P=$GGEN_HOME/packages
mkdir -p "$P/big-data/.2.0.0.tmp-$DEAD-abcdef/sub" "$P/big-data/.trash-$DEAD-0.9.0" \
	"$P/big-data/.3.0.0.tmp-$$-live00"
echo x >"$P/big-data/.2.0.0.tmp-$DEAD-abcdef/sub/f"
echo x >"$GGEN_HOME/store/sha256/.tmp-$DEAD-zzzzzz"
check "gc --dry-run" "$GGEN" mp gc --dry-run
check_grep "it would remove the three dead leftovers" 'would remove 3 leftovers' "$OUT_F"
check "dry run removed nothing" test -d "$P/big-data/.2.0.0.tmp-$DEAD-abcdef"
check "gc" "$GGEN" mp gc
check_grep "it removed them" 'removed 3 leftovers' "$OUT_F"
check "the dead extraction is gone" test ! -e "$P/big-data/.2.0.0.tmp-$DEAD-abcdef"
check "the dead removal is gone" test ! -e "$P/big-data/.trash-$DEAD-0.9.0"
check "the dead store temp is gone" test ! -e "$GGEN_HOME/store/sha256/.tmp-$DEAD-zzzzzz"
check "a live process's tree is kept" test -d "$P/big-data/.3.0.0.tmp-$$-live00"
check "installed packages are untouched" cmp "$T/big/data/blob.bin" \
	"$P/big-data/1.0.0/data/blob.bin"
done_testing
