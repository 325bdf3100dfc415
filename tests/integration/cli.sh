#!/usr/bin/env bash
# cli.sh - the command table as a user meets it: help at every level,
# prefixes, aliases, ambiguity, unknown words, exit codes, completions.
. "$(dirname "$0")/../lib.sh"

check "ggen --help" "$GGEN" --help
check_grep "top help lists marketplace" '^  marketplace' "$OUT_F"
check_grep "top help documents exit codes" 'Exit codes: 0 success, 1 .*, 2 usage error' "$OUT_F"
check "ggen -h" "$GGEN" -h
check "ggen help" "$GGEN" help
check_grep "help lists version" '^  version' "$OUT_F"

check "ggen marketplace --help" "$GGEN" marketplace --help
check_grep "marketplace help names its usage" '^Usage: ggen marketplace <command>' "$OUT_F"
check_grep "marketplace help lists p2p" '^  p2p ' "$OUT_F"
check "ggen market (prefix)" "$GGEN" market
check_grep "prefix resolves to marketplace" '^Usage: ggen marketplace <command>' "$OUT_F"
check "ggen mp p2p --help (alias)" "$GGEN" mp p2p --help
check_grep "alias resolves to the p2p noun" '^Usage: ggen marketplace p2p <command>' "$OUT_F"
check "ggen help marketplace p2p" "$GGEN" help marketplace p2p
check_grep "help <cmd> shows that command" '^Usage: ggen marketplace p2p' "$OUT_F"
check "ggen mp help p2p" "$GGEN" mp help p2p
check_grep "help at the noun level" '^Usage: ggen marketplace p2p' "$OUT_F"
check "ggen market p2p -h" "$GGEN" market p2p -h

check_fail 2 "unknown word is a usage error" "$GGEN" marketplce
check_grep "unknown word suggests the nearest" "Did you mean 'marketplace'" "$ERR_F"
check_fail 2 "unknown verb under a noun" "$GGEN" mp zzzzzz
check_grep "unknown verb is named" "unknown command 'zzzzzz'" "$ERR_F"
check_fail 2 "unknown option" "$GGEN" version --jsn
check_grep "unknown option suggests" "Did you mean '--json'" "$ERR_F"
check_fail 2 "too many arguments" "$GGEN" version extra
check_fail 2 "missing argument" "$GGEN" completions
check_grep "missing argument names it" 'missing argument' "$ERR_F"

# Ambiguity: find a prefix shared by two visible commands at some level.
amb=$("$GGEN" mp p2p --help | awk '/^Commands:/{f=1;next} f&&/^  [a-z]/{print $1}' | sort)
pair=$(printf '%s\n' $amb | awk '{p=substr($1,1,1); if (p==last) {print p; exit} last=p}')
if [ -n "$pair" ]; then
	check_fail 2 "ambiguous prefix '$pair' is a usage error" "$GGEN" mp p2p "$pair"
	check_grep "ambiguity names the candidates" "'$pair' is ambiguous; it could be: " "$ERR_F"
else
	amb=$("$GGEN" mp --help | awk '/^Commands:/{f=1;next} f&&/^  [a-z]/{print $1}' | sort)
	pair=$(printf '%s\n' $amb | awk '{p=substr($1,1,1); if (p==last) {print p; exit} last=p}')
	if [ -n "$pair" ]; then
		check_fail 2 "ambiguous prefix '$pair' is a usage error" "$GGEN" mp "$pair"
		check_grep "ambiguity names the candidates" "'$pair' is ambiguous; it could be: " "$ERR_F"
	else
		not_ok "no two commands share a first letter yet: ambiguity untested"
	fi
fi

check "--version" "$GGEN" --version
check_grep "--version prints the version" '^ggen [0-9]+\.[0-9]+\.[0-9]+$' "$OUT_F"
check "version --json" "$GGEN" version --json
cp "$OUT_F" "$TMPDIR_BASE/version.json"
check "version --json is JSON" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["agent"].startswith("ggen/")' "$TMPDIR_BASE/version.json"

for sh in bash zsh fish; do
	check "completions $sh" "$GGEN" completions "$sh"
	check_grep "$sh completion knows the p2p noun under the alias" '/mp/p2p' "$OUT_F"
done
"$GGEN" completions bash >"$TMPDIR_BASE/comp.bash"
got=$(bash -c '. "$1"; COMP_WORDS=(ggen mp p2p ""); COMP_CWORD=3; _ggen; echo "${COMPREPLY[*]}"' _ "$TMPDIR_BASE/comp.bash")
want=$("$GGEN" mp p2p --help | awk '/^Commands:/{f=1;next} f&&/^  [a-z]/{print $1} /^$/{if(f)exit}' | tr '\n' ' ')
check_eq "bash completion offers the p2p verbs" "$got" "${want}--help"
got=$(bash -c '. "$1"; COMP_WORDS=(ggen ma); COMP_CWORD=1; _ggen; echo "${COMPREPLY[*]}"' _ "$TMPDIR_BASE/comp.bash")
check_eq "bash completion completes a prefix" "$got" "marketplace"
check_fail 2 "completions for an unknown shell" "$GGEN" completions tcsh
check "manpage" "$GGEN" manpage
check_grep "man page is roff with the commands" '^\.SH COMMANDS' "$OUT_F"
if command -v groff >/dev/null || command -v man >/dev/null; then
	check "man page renders" bash -c "man -l '$OUT_F' >/dev/null 2>&1 || groff -man -Tutf8 '$OUT_F' >/dev/null"
fi
done_testing
