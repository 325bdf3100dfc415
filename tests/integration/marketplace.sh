#!/usr/bin/env bash
# marketplace.sh - the marketplace end to end against a real HTTP server
# (nginx with ETags on 127.0.0.1): build a registry from examples/packages,
# then search, info, install, list, remove; a 304 on revalidation; the
# server down (cache used, one warning with its age); a wrong checksum
# (nothing installed, exit 1); a malformed index (the problem named); a
# 404 (never retried); a missing dependency (nothing written); publish
# and gc.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../market_lib.sh"

T=$(mktmp)
WWW=$T/www
build_registry "$WWW/good" || { not_ok "build the example registry"; done_testing; }
ok "packed the examples and built index.json"
nginx_start "$T/nginx" "$WWW" || { not_ok "start nginx"; done_testing; }
ok "nginx serves on 127.0.0.1:$NGINX_PORT"
URL=http://127.0.0.1:$NGINX_PORT
export GGEN_HOME=$T/home
export GGEN_REGISTRY_URL=$URL/good/index.json
printf '[registry]\ncache_ttl = 0\ntimeout = 5\n' >"$T/ttl0.toml"
J=$T/last.json
keep() { cp "$OUT_F" "$J"; }

# --- search / info -------------------------------------------------------
check "search rust" "$GGEN" marketplace search rust
check_grep "search finds rust-cli-starter" '^rust-cli-starter 1\.2\.0 \(central\)' "$OUT_F"
check "search --json" "$GGEN" mp search rust --json
keep
check "search --json is one JSON array with sources" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
h = [x for x in a if x["name"] == "rust-cli-starter"][0]
assert h["sources"] == ["central"] and h["id"].startswith("sha256:"), h
assert h["version"] == "1.2.0" and h["description"]' "$J"
check "search by tag, case-insensitive" "$GGEN" mp search "" --tag PYTHON
check_grep "tag filter keeps python-fastapi-service" '^python-fastapi-service' "$OUT_F"
check_nogrep "tag filter drops the others" '^rust-cli-starter' "$OUT_F"
check "search a typo" "$GGEN" mp search rust-cli-startr
check_grep "a typo still finds the package" '^rust-cli-starter' "$OUT_F"
check "search without hits" "$GGEN" mp search qqqzzzxx
check_grep "no hits is a friendly line" 'No packages match' "$OUT_F"
check "info" "$GGEN" mp info rust-cli-starter
check_grep "info shows the dependency" '^dependencies: +ci-workflows@\^0\.2' "$OUT_F"
check_grep "info says installable" '^installable: +yes' "$OUT_F"
check_fail 1 "info of an unknown package" "$GGEN" mp info no-such-package

# --- install / list / remove ---------------------------------------------
check "install --dry-run" "$GGEN" mp install rust-cli-starter --dry-run
check_grep "dry run names the dependency" 'would install ci-workflows 0\.2\.0' "$OUT_F"
check_eq "dry run wrote nothing" "$(ls "$GGEN_HOME/packages" 2>/dev/null | grep -v '^\.' | wc -l)" 0
check "install rust-cli-starter@^1.0" "$GGEN" mp install 'rust-cli-starter@^1.0'
check_grep "install reports the package" '^installed rust-cli-starter 1\.2\.0' "$OUT_F"
check "installed files are there" test -f "$GGEN_HOME/packages/rust-cli-starter/1.2.0/templates/src/main.rs"
check "the dependency was installed too" test -f "$GGEN_HOME/packages/ci-workflows/0.2.0/package.toml"
check "list --json" "$GGEN" mp list --json
keep
check "list shows both with their IDs" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert sorted(x["name"] for x in a) == ["ci-workflows", "rust-cli-starter"], a
assert all(x["id"].startswith("sha256:") and x["source"] == "central" for x in a)' "$J"
check "install again" "$GGEN" mp install rust-cli-starter
check_grep "already installed is said" 'already installed' "$OUT_F"
check "install --target" "$GGEN" mp install c-library-skeleton@0.3.0 --target "$T/proj"
check "--target extracts to DIR/NAME" test -f "$T/proj/c-library-skeleton/templates/Makefile"
check_fail 1 "install an unknown version" "$GGEN" mp install rust-cli-starter@9.9.9
check_grep "unknown version is named" 'no version of rust-cli-starter matches' "$ERR_F"
cp "$GGEN_HOME/packages/ggen.lock" "$T/lock.deps"
check_fail 1 "remove refuses a package another one needs" \
	"$GGEN" mp remove ci-workflows
check_grep "the refusal names the dependent and --force" \
	'cannot remove ci-workflows: rust-cli-starter 1\.2\.0 \(ci-workflows@\^0\.2\) still depends on it; remove it first, or use --force' "$ERR_F"
check "nothing was removed" test -f "$GGEN_HOME/packages/ci-workflows/0.2.0/package.toml"
check "the lock is unchanged" cmp -s "$GGEN_HOME/packages/ggen.lock" "$T/lock.deps"
check "remove one version" "$GGEN" mp remove c-library-skeleton@0.3.0
check "its directory is gone" test ! -e "$T/proj/c-library-skeleton"
check "remove every version" "$GGEN" mp remove rust-cli-starter
check "its directory is gone too" test ! -e "$GGEN_HOME/packages/rust-cli-starter"
check "list after remove" "$GGEN" mp list
check_grep "the dependency stays" '^ci-workflows 0\.2\.0' "$OUT_F"
check_nogrep "the removed package is gone" 'rust-cli-starter' "$OUT_F"
check_fail 1 "remove an unknown package" "$GGEN" mp remove rust-cli-starter
check "reinstall rust-cli-starter" "$GGEN" mp install rust-cli-starter
check "remove --force a needed package" "$GGEN" mp remove ci-workflows --force --json
keep
check "--force reports the broken dependent" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["removed"] == 1, d
assert d["broken_dependents"] == ["rust-cli-starter 1.2.0 (ci-workflows@^0.2)"], d' "$J"
check "ci-workflows is gone" test ! -e "$GGEN_HOME/packages/ci-workflows"
check "reinstall ci-workflows" "$GGEN" mp install ci-workflows
check "remove --force without dependents left" "$GGEN" mp remove ci-workflows@0.2.0 --force
check_grep "the text form warns about the dependent" \
	'rust-cli-starter 1\.2\.0 \(ci-workflows@\^0\.2\) depends on ci-workflows, which is no longer installed' "$ERR_F"
check "a dependent can be removed" "$GGEN" mp remove rust-cli-starter
check "reinstall ci-workflows for what follows" "$GGEN" mp install ci-workflows

# --- 304 on revalidation ---------------------------------------------------
check "search with cache_ttl = 0 (revalidates)" "$GGEN" -v --config "$T/ttl0.toml" mp search rust
check_grep "-v logs the 304" 'GET .*/good/index.json: 304 not modified' "$ERR_F"
check_grep "nginx answered 304" '"GET /good/index.json HTTP/1.1" 304 ' "$NGINX_ACCESS"

# --- the server down ------------------------------------------------------
nginx_stop
check "search with the server down" "$GGEN" --config "$T/ttl0.toml" mp search rust
check_grep "results still come from the cache" '^rust-cli-starter' "$OUT_F"
check_eq "exactly one line on stderr" "$(wc -l <"$ERR_F")" 1
check_grep "the warning names the cache and its age" \
	'warning: registry .* unreachable .*; using the cached index from [0-9]+ seconds? ago' "$ERR_F"
check_fail 1 "no cache and no server is an error" env GGEN_HOME="$T/home2" \
	"$GGEN" mp search rust
check_grep "the error names the registry" "registry $URL/good/index.json" "$ERR_F"

# --- a wrong checksum ------------------------------------------------------
mkdir -p "$WWW/bad"
cp "$WWW"/good/*.tar.gz "$WWW/bad/"
python3 - "$WWW/good/index.json" "$WWW/bad/index.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
by = {p["name"]: p for p in d["packages"]}
# the c library's entry carries the python package's checksum
by["c-library-skeleton"]["checksum"] = by["python-fastapi-service"]["checksum"]
# and one package depends on something no registry has
by["python-fastapi-service"]["dependencies"] = ["no-such-dependency@^1"]
json.dump(d, open(sys.argv[2], "w"))
PY
nginx_start "$T/nginx" "$WWW"
URL=http://127.0.0.1:$NGINX_PORT
export GGEN_HOME=$T/home3 GGEN_REGISTRY_URL=$URL/bad/index.json
check_fail 1 "install with a wrong checksum" "$GGEN" mp install c-library-skeleton
check_grep "the error says checksum mismatch" 'c-library-skeleton 0\.3\.0: checksum mismatch' "$ERR_F"
check "nothing was extracted" test ! -e "$GGEN_HOME/packages/c-library-skeleton"
check_eq "nothing entered the store" "$(find "$GGEN_HOME/store" -type f 2>/dev/null | wc -l)" 0
check "the lock is empty" bash -c "[ ! -s '$GGEN_HOME/packages/ggen.lock' ] || python3 -c 'import json,sys; assert not json.load(open(sys.argv[1]))[\"packages\"]' '$GGEN_HOME/packages/ggen.lock'"
check_fail 1 "install with a missing dependency" "$GGEN" mp install python-fastapi-service
check_grep "the missing dependency is named" "unknown package 'no-such-dependency' \(a dependency of python-fastapi-service\)" "$ERR_F"
check "nothing was written for it" test ! -e "$GGEN_HOME/packages/python-fastapi-service"

# --- a malformed index ------------------------------------------------------
mkdir -p "$WWW/malformed" "$WWW/notjson"
python3 - "$WWW/good/index.json" "$WWW/malformed/index.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["packages"][1]["name"] = 42
json.dump(d, open(sys.argv[2], "w"))
PY
printf '{"packages": [\n  {"name": "x",\n' >"$WWW/notjson/index.json"
check_fail 1 "a malformed index is an error" env GGEN_HOME="$T/home4" \
	GGEN_REGISTRY_URL="$URL/malformed/index.json" "$GGEN" mp search rust
check_grep "the error names the field" 'index\.json: packages\[1\]\.name: expected a string' "$ERR_F"
check_fail 1 "an index that is not JSON is an error" env GGEN_HOME="$T/home4" \
	GGEN_REGISTRY_URL="$URL/notjson/index.json" "$GGEN" mp search rust
check_grep "the error names line and column" 'index\.json:[0-9]+:[0-9]+: ' "$ERR_F"

# --- 4xx is never retried -------------------------------------------------
check_fail 1 "a 404 index is an error" env GGEN_HOME="$T/home5" \
	GGEN_REGISTRY_URL="$URL/missing/index.json" "$GGEN" mp search rust
check_grep "the error says 404" 'HTTP 404' "$ERR_F"
check_eq "a 404 is asked once" "$(grep -c 'GET /missing/index.json' "$NGINX_ACCESS")" 1

# --- publish and gc ----------------------------------------------------------
export GGEN_HOME=$T/home6 GGEN_REGISTRY_URL=$URL/good/index.json
cp -r "$MK_ROOT/examples/packages/c-library-skeleton" "$T/mylib"
sed -i 's/^version = "0.3.0"/version = "0.5.0"/' "$T/mylib/package.toml"
check "publish" "$GGEN" mp publish "$T/mylib"
check_grep "publish prints the ID" '^id: +sha256:[0-9a-f]{64}$' "$OUT_F"
check "search sees central and local" "$GGEN" mp search c-library-skeleton --json
keep
check "the hit merges both sources at the newest version" python3 -c '
import json, sys
h = json.load(open(sys.argv[1]))[0]
assert h["name"] == "c-library-skeleton" and h["version"] == "0.5.0", h
assert h["sources"] == ["central", "local"], h' "$J"
check "install the published version" "$GGEN" mp install c-library-skeleton
check_grep "it comes from the local store" 'installed c-library-skeleton 0\.5\.0' "$OUT_F"
check "install the central one too" "$GGEN" mp install ci-workflows
check "remove it again" "$GGEN" mp remove ci-workflows
check "gc --dry-run" "$GGEN" mp gc --dry-run
check_grep "gc would free the unreferenced download" 'would free 1 object' "$OUT_F"
check "gc" "$GGEN" mp gc
check_grep "gc freed it" '^freed 1 object, [0-9]+ bytes; 1 referenced object kept' "$OUT_F"
check "the installed package is still verifiable" "$GGEN" mp install c-library-skeleton --force

done_testing
