#!/usr/bin/env bash
# config.sh - `ggen marketplace p2p config show|init|validate|path` as a
# user meets them: precedence (default < file < env < flag), every error
# path (wrong type, out of bounds, unknown key, unreadable file, syntax
# error, enable_tls, missing --config file), init -> validate round trip,
# init refusing to overwrite, --force, file modes, --json, and that
# docs/config.md is what the key table generates.  Each case has its own
# GGEN_HOME under $TMPDIR_BASE.
. "$(dirname "$0")/../lib.sh"
ROOT=${GGEN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
unset GGEN_REGISTRY_URL
CFG=(marketplace p2p config)

# A fresh home for one case: sets H and F (its config file).
new_home() { H=$(mktmp)/home; F=$H/p2p-config.toml; export GGEN_HOME=$H; }
# The source column of one key in `config show` ("default", "F:3", ...).
source_of() { "$GGEN" "${CFG[@]}" show "${@:2}" | awk -v k="$1" '$1 == k { sub(/.*# /, ""); print }'; }
value_of() { "$GGEN" "${CFG[@]}" show "${@:2}" | awk -v k="$1" '$1 == k { sub(/^[^=]*= /, ""); sub(/ +# .*/, ""); print }'; }

# ---- path, defaults ----
new_home
check "config path" "$GGEN" "${CFG[@]}" path
check_eq "path is \$GGEN_HOME/p2p-config.toml" "$(cat "$OUT_F")" "$F"
check "config path --config" "$GGEN" --config /x/y.toml "${CFG[@]}" path
check_eq "--config wins for path" "$(cat "$OUT_F")" "/x/y.toml"
check_eq "GGEN_HOME defaults to ~/.ggen" \
	"$(env -u GGEN_HOME HOME=/nonexistent/u "$GGEN" "${CFG[@]}" path)" \
	"/nonexistent/u/.ggen/p2p-config.toml"
check "show without a file" "$GGEN" "${CFG[@]}" show
NKEYS=$(grep -c ' # ' "$OUT_F")
check_eq "show prints every key of the table (20 or more)" "$([ "$NKEYS" -ge 20 ] && echo yes)" yes
check_grep "defaults from DESIGN" '^performance\.max_peers = 50 +# default$' "$OUT_F"
check_grep "listen default" '^network\.listen_addresses = \["/ip4/0\.0\.0\.0/tcp/0"\] +# default$' "$OUT_F"
check_eq "no home directory was created by show" "$([ -e "$H" ] && echo yes || echo no)" no

# ---- init, validate, round trip ----
check "config init" "$GGEN" "${CFG[@]}" init
check_grep "init says where" "^wrote $F\$" "$OUT_F"
check_eq "GGEN_HOME created 0700" "$(stat -c %a "$H")" 700
check_eq "config file is 0644" "$(stat -c %a "$F")" 644
check_eq "no temp files left" "$(ls -A "$H" | wc -l)" 1
check_grep "registry example is the ggen public index, commented" \
	'^# url = "https://raw\.githubusercontent\.com/seanchatmangpt/ggen/master/marketplace/registry/index\.json"$' "$F"
check_grep "listen address written" '^listen_addresses = \["/ip4/0\.0\.0\.0/tcp/0"\]$' "$F"
check "validate the written file" "$GGEN" "${CFG[@]}" validate
check_eq "validate says ok" "$(cat "$OUT_F")" "$F: ok"
check_eq "validate is silent on stderr" "$(cat "$ERR_F")" ""
check "show after init" "$GGEN" "${CFG[@]}" show
check_grep "sources are file lines now" "^performance\.max_peers = 50 +# $F:[0-9]+\$" "$OUT_F"
check_grep "commented key stays default" '^registry\.url = "" +# default$' "$OUT_F"
cp "$F" "$F.orig"
echo "# edited" >>"$F"
check_fail 1 "init refuses to overwrite" "$GGEN" "${CFG[@]}" init
check_grep "refusal names the file and --force" "$F already exists; use --force" "$ERR_F"
check_grep "file untouched" '^# edited$' "$F"
check "init --force" "$GGEN" "${CFG[@]}" init --force
check_eq "--force rewrote the file" "$(cmp -s "$F" "$F.orig" && echo same)" same
check_eq "still 0644 after --force" "$(stat -c %a "$F")" 644
sed 's/^# url = /url = /' "$F" >"$H/uncommented.toml"
check "validate PATH (example uncommented)" "$GGEN" "${CFG[@]}" validate "$H/uncommented.toml"
check_eq "validate PATH says ok" "$(cat "$OUT_F")" "$H/uncommented.toml: ok"
new_home
check "init --config PATH" "$GGEN" --config "$(dirname "$H")/other.toml" "${CFG[@]}" init
check_eq "--config file written" "$([ -f "$(dirname "$H")/other.toml" ] && echo yes)" yes

# ---- precedence: default < file < env < flag ----
new_home
mkdir -p "$H"
printf '[registry]\nurl = "http://127.0.0.1:9/file.json"\n[network]\nlisten_addresses = ["/ip4/127.0.0.1/tcp/4001"]\n' >"$F"
check_eq "file beats default (source)" "$(source_of registry.url)" "$F:2"
check_eq "file beats default (value)" "$(value_of registry.url)" '"http://127.0.0.1:9/file.json"'
export GGEN_REGISTRY_URL=http://127.0.0.1:9/env.json
check_eq "env beats file (source)" "$(source_of registry.url)" "env GGEN_REGISTRY_URL"
check_eq "env beats file (value)" "$(value_of registry.url)" '"http://127.0.0.1:9/env.json"'
check_eq "flag beats env" "$(source_of registry.url --set registry.url=http://127.0.0.1:9/flag.json)" "flag --set"
unset GGEN_REGISTRY_URL
check_eq "listen from file" "$(source_of network.listen_addresses)" "$F:4"
check_eq "--listen beats file" "$(source_of network.listen_addresses --listen /ip4/127.0.0.1/tcp/5)" "flag --listen"
check_eq "a flag list replaces the list" \
	"$(value_of network.listen_addresses --listen /ip4/127.0.0.1/tcp/5 --listen /ip6/::1/tcp/6)" \
	'["/ip4/127.0.0.1/tcp/5", "/ip6/::1/tcp/6"]'
check_eq "--bootstrap sets the bootstrap list" \
	"$(source_of network.bootstrap_nodes --bootstrap /ip4/127.0.0.1/tcp/7)" "flag --bootstrap"
check_fail 1 "a bad --listen is refused" "$GGEN" "${CFG[@]}" show --listen /ip4/127.0.0.1/udp/1
check_grep "bad flag value named" "flag --listen: key 'network.listen_addresses': \"/ip4/127.0.0.1/udp/1\" is not a valid TCP multiaddr" "$ERR_F"
check_fail 1 "an out-of-range --set is refused" "$GGEN" "${CFG[@]}" show --set performance.max_peers=0
check_grep "--set names what is allowed" "flag --set: key 'performance.max_peers' must be an integer from 1 to 10000, not 0" "$ERR_F"
GGEN_HOME=$(dirname "$H")/nohome GGEN_REGISTRY_URL=http://127.0.0.1:9/e run "$GGEN" "${CFG[@]}" show
check_grep "env beats default without a file" '^registry\.url = "http://127\.0\.0\.1:9/e" +# env GGEN_REGISTRY_URL$' "$OUT_F"

# ---- --json ----
check "show --json" "$GGEN" "${CFG[@]}" show --json --listen /ip4/127.0.0.1/tcp/5
J=$(mktmp)/show.json; cp "$OUT_F" "$J"
check "--json parses, one {value, source} per key" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == int(sys.argv[2]), len(d)
assert all(set(v) == {"value", "source"} for v in d.values())
assert d["performance.max_peers"] == {"value": 50, "source": "default"}
assert d["network.listen_addresses"]["value"] == ["/ip4/127.0.0.1/tcp/5"]
assert d["network.listen_addresses"]["source"] == "flag --listen"
assert d["security.min_peer_reputation"]["value"] == 0.7
assert d["network.mdns"]["value"] is True
assert d["registry.url"]["value"] == "http://127.0.0.1:9/file.json"
' "$J" "$NKEYS"

# ---- errors ----
# bad WHAT FILE-CONTENT PATTERN: validate and show fail with the pattern
# on stderr; @F@ in the pattern stands for the file's path.
bad() {
	new_home; mkdir -p "$H"; printf "$2" >"$F"
	check_fail 1 "validate: $1" "$GGEN" "${CFG[@]}" validate
	check_grep "$1: message" "${3//@F@/$F}" "$ERR_F"
	check_fail 1 "show: $1" "$GGEN" "${CFG[@]}" show
	check_eq "$1: nothing on stdout" "$(cat "$OUT_F")" ""
}
bad "wrong type" '[performance]\nmax_peers = "abc"\n' \
	"^ggen: error: @F@:2: key 'performance.max_peers' must be an integer from 1 to 10000, not \"abc\"\$"
bad "out of bounds" '[performance]\n\ndht_query_timeout = 0\n' \
	"^ggen: error: @F@:3: key 'performance.dht_query_timeout' must be an integer from 1 to 3600 \\(seconds\\), not 0\$"
bad "float out of bounds" '[security]\nmin_peer_reputation = 1.5\n' \
	"p2p-config.toml:2: key 'security.min_peer_reputation' must be a number from 0 to 1, not 1.5"
bad "bad multiaddr in a list" '[network]\nbootstrap_nodes = [\n  "/ip4/127.0.0.1/tcp/1",\n  "127.0.0.1:4001",\n]\n' \
	"p2p-config.toml:4: key 'network.bootstrap_nodes': \"127.0.0.1:4001\" is not a valid TCP multiaddr"
bad "enable_tls refused" '[security]\nenable_tls = true\n' \
	"p2p-config.toml:2: key 'security.enable_tls' = true is refused: the libp2p TLS transport does not exist yet \\(connections are always encrypted with Noise\\)"
bad "syntax error with line:col" '[network]\nmdns = fals\n' \
	"^ggen: error: @F@:2:8: "
bad "table given a value" 'network = 5\n' "p2p-config.toml:1: 'network' must be a table"
new_home; mkdir -p "$H"
printf '[performance]\nmax_peers = 0\ndht_alpha = 99\n' >"$F"
check_fail 1 "every error is reported" "$GGEN" "${CFG[@]}" validate
check_eq "two errors, two lines" "$(grep -c '^ggen: error: ' "$ERR_F")" 2

# unknown keys and tables warn with the nearest key, and do not fail
new_home; mkdir -p "$H"
printf '[performance]\nmax_peer = 5\n[netwrk]\nmdns = false\n[network]\nmdn = true\n' >"$F"
check "unknown keys only warn" "$GGEN" "${CFG[@]}" validate
check_eq "validate still ok" "$(cat "$OUT_F")" "$F: ok"
check_grep "unknown key suggests the nearest" "^ggen: warning: $F:2: unknown key 'performance\\.max_peer' \\(did you mean 'performance\\.max_peers'\\?\\)\$" "$ERR_F"
check_grep "unknown table suggests the nearest" "$F:3: unknown table 'netwrk' \\(did you mean 'network'\\?\\)" "$ERR_F"
check_grep "unknown key in a known table" "$F:6: unknown key 'network\\.mdn' \\(did you mean 'network\\.mdns'\\?\\)" "$ERR_F"
check "warnings also from show" "$GGEN" "${CFG[@]}" show
check_grep "show warns too" "unknown key 'performance\\.max_peer'" "$ERR_F"
check "-q silences warnings" "$GGEN" -q "${CFG[@]}" show
check_eq "-q: stderr empty" "$(cat "$ERR_F")" ""

# unreadable files and missing --config files
new_home
check_fail 1 "missing --config file" "$GGEN" --config "$H/none.toml" "${CFG[@]}" show
check_grep "missing file named" "^ggen: error: cannot read $H/none\\.toml: No such file or directory\$" "$ERR_F"
check_fail 1 "validate of a missing file" "$GGEN" "${CFG[@]}" validate "$H/none.toml"
check_grep "validate names the missing file" "cannot read $H/none\\.toml" "$ERR_F"
mkdir -p "$F"
check_fail 1 "a directory as the config file" "$GGEN" "${CFG[@]}" show
check_grep "unreadable file named" "cannot read $F: Is a directory" "$ERR_F"
rmdir "$F"
if [ "$(id -u)" != 0 ]; then
	printf '[network]\nmdns = false\n' >"$F"; chmod 000 "$F"
	check_fail 1 "a file without read permission" "$GGEN" "${CFG[@]}" show
	check_grep "permission error named" "cannot read $F: Permission denied" "$ERR_F"
	chmod 644 "$F"
fi
check_fail 2 "validate takes at most one PATH" "$GGEN" "${CFG[@]}" validate a b

# ---- the docs are generated from the table ----
check "config docs" "$GGEN" "${CFG[@]}" docs
D=$(mktmp)/config.md; cp "$OUT_F" "$D"
check "docs/config.md is current (run: ggen mp p2p config docs > docs/config.md)" \
	cmp -s "$D" "$ROOT/docs/config.md"

done_testing
