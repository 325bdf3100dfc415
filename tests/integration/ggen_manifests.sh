#!/usr/bin/env bash
# ggen_manifests.sh - every package.toml of the ggen project's own registry
# ($SHARED/ggen-registry/packages) through our manifest parser.  The valid
# TOML 1.0 files must be accepted; the invalid ones (listed explicitly
# below, each checked by eye) must be refused with FILE:LINE:COL.
#
# Why those six are invalid TOML 1.0:
#   [features] followed by lines '- "text"': '-' is a bare key, and a key
#   must be followed by '=' (column 3 holds the '"')
#     customer-loyalty-rewards 60:3, iso-20022-payments 36:3,
#     kyc-aml-compliance 26:3, order-management-system 60:3,
#     trading-platform 26:3
#   an inline table spread over several lines (allowed only from TOML 1.1)
#     rest-api-template 35:15 ('frameworks = {' ends the line)
. "$(dirname "$0")/../lib.sh"

TOOL=${GGEN_BUILD:-$(dirname "$GGEN")}/tests/manifest_check
PKGS=$SHARED/ggen-registry/packages

declare -A INVALID=(
	[customer-loyalty-rewards]=60:3
	[iso-20022-payments]=36:3
	[kyc-aml-compliance]=26:3
	[order-management-system]=60:3
	[rest-api-template]=35:15
	[trading-platform]=26:3
)

if [ ! -x "$TOOL" ] || [ ! -d "$PKGS" ]; then
	not_ok "helper $TOOL and $PKGS exist"
	done_testing
fi

n_ok=0 n_bad=0 n_total=0
for f in "$PKGS"/*/package.toml; do
	pkg=$(basename "$(dirname "$f")")
	n_total=$((n_total + 1))
	run "$TOOL" "$f"
	if [ -n "${INVALID[$pkg]:-}" ]; then
		want="^error $f:${INVALID[$pkg]}: "
		if [ "$RC" -eq 1 ] && grep -Eq -- "$want" "$OUT_F"; then
			ok "$pkg refused at ${INVALID[$pkg]}"
			n_bad=$((n_bad + 1))
		else
			not_ok "$pkg refused at ${INVALID[$pkg]}" "$(cat "$OUT_F")"
		fi
	elif [ "$RC" -eq 0 ] && grep -q '^ok ' "$OUT_F"; then
		ok "$pkg accepted ($(cut -d' ' -f2- "$OUT_F"))"
		n_ok=$((n_ok + 1))
	else
		not_ok "$pkg accepted" "$(cat "$OUT_F")"
	fi
done
check_eq "55 manifests seen" "$n_total" 55
check_eq "49 accepted" "$n_ok" 49
check_eq "6 refused" "$n_bad" 6

# The name and version come through (the other fields: test_manifest.c).
run "$TOOL" "$PKGS/hello-world/package.toml"
check_grep "hello-world name and version" '^ok hello-world 1\.0\.0$' "$OUT_F"
done_testing
