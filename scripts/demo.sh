#!/usr/bin/env bash
# demo.sh - the marketplace working offline on the bundled examples.
#
# Packs every package in examples/packages/ into a temporary directory,
# builds a central registry index there (`registry build`), points
# GGEN_REGISTRY_URL at it through file:// and GGEN_HOME at a temporary
# home, then searches, shows, installs and lists.  Nothing leaves the
# machine.  Exits non-zero as soon as a step fails or prints something
# other than what it should.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GGEN=${GGEN:-$ROOT/build/ggen}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ggen-demo.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export GGEN_HOME="$WORK/home"
unset GGEN_REGISTRY_URL
REG="$WORK/registry"
mkdir -p "$REG"

# Run ggen, echoing the command as a user would type it.
B='' N=''
if [ -t 1 ]; then B=$'\033[1m' N=$'\033[0m'; fi
step() {
	printf '\n%s$ ggen %s%s\n' "$B" "$*" "$N"
	"$GGEN" "$@" | tee "$WORK/last.out"
}
expect() { # PATTERN: the last step's output must match
	if ! grep -Eq -- "$1" "$WORK/last.out"; then
		echo "demo: expected /$1/ in the output above" >&2
		exit 1
	fi
}

for dir in "$ROOT"/examples/packages/*/; do
	name=$(basename "$dir")
	step marketplace pack "$dir" -o "$REG/$name.tar.gz"
	expect '^id: +sha256:[0-9a-f]{64}'
done
step marketplace registry build "$REG"
export GGEN_REGISTRY_URL="file://$REG/index.json"
printf '\n# GGEN_REGISTRY_URL=%s\n# GGEN_HOME=%s\n' "$GGEN_REGISTRY_URL" \
	"$GGEN_HOME"

step marketplace search rust
expect '^rust-cli-starter 1\.2\.0'
step mp search "web api" --limit 3
expect '^python-fastapi-service'
step mp search fastpai
expect 'python-fastapi-service .*close match'
step mp info rust-cli-starter
expect '^installable: +yes'
step mp install rust-cli-starter@^1.0
expect '^installed rust-cli-starter 1\.2\.0'
step mp list
expect '^ci-workflows 0\.2\.0'
expect '^rust-cli-starter 1\.2\.0'
printf '\n# installed files:\n'
(cd "$GGEN_HOME/packages" && find . -type f ! -name '.*' | sort)
printf '\ndemo: ok\n'
