#!/usr/bin/env bash
# ggen_index.sh - the ggen project's own central index (48 packages, none
# with a checksum) read through file://: it is searchable, info says why
# nothing is installable, and installing any entry is refused with the
# no-checksum message and exit 1, writing nothing.
. "$(dirname "$0")/../lib.sh"

INDEX=$SHARED/ggen-registry/index.json
T=$(mktmp)
export GGEN_HOME=$T/home
export GGEN_REGISTRY_URL=file://$INDEX

check "search rust" "$GGEN" marketplace search rust
check_grep "rust finds advanced-rust-project" '^advanced-rust-project 1\.0\.0 \(central\)' "$OUT_F"
check "search agent --limit 20 --json" "$GGEN" mp search agent --limit 20 --json
cp "$OUT_F" "$T/hits.json"
check "every hit has name, version, description and sources" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert len(a) >= 3, a
for h in a:
    assert h["name"] and h["version"] and "description" in h, h
    assert h["sources"] == ["central"] and "id" not in h, h' "$T/hits.json"
check "search by category, any case" "$GGEN" mp search "" --category ENTERPRISE --limit 50
check_eq "both spellings of the category match" \
	"$(grep -c '^[a-z]' "$OUT_F")" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(sum(1 for p in d["packages"] if p["category"].lower() == "enterprise"))' "$INDEX")"
check "a plain path works too" env GGEN_HOME="$T/home-path" \
	GGEN_REGISTRY_URL="$INDEX" "$GGEN" mp search sparql
check_grep "the plain path is searchable" '^[a-z]' "$OUT_F"

check "info advanced-rust-project" "$GGEN" mp info advanced-rust-project
check_grep "info says why it cannot be installed" \
	'^installable: +no: advanced-rust-project 1\.0\.0 has no checksum in the registry index' "$OUT_F"

names=$(python3 -c '
import json, sys
print(" ".join(p["name"] for p in json.load(open(sys.argv[1]))["packages"]))' "$INDEX")
refused=0 total=0 wrong=""
for n in $names; do
	total=$((total + 1))
	run "$GGEN" mp install "$n"
	if [ "$RC" -eq 1 ] && grep -q "^ggen: error: $n [0-9.]* has no checksum in the registry index; ggen installs only verified packages$" "$ERR_F"; then
		refused=$((refused + 1))
	else
		wrong="$wrong $n(exit $RC)"
	fi
done
check_eq "all $total entries are refused with the message" "$refused$wrong" "$total"
check_eq "nothing was installed" "$(ls "$GGEN_HOME/packages" 2>/dev/null | grep -vc '^\.\|ggen.lock')" 0
check "list is empty" "$GGEN" mp list
check_grep "list says so" 'No packages installed' "$OUT_F"
done_testing
