#!/usr/bin/env bash
# toml.sh - the official toml-test suite (TOML 1.0 list) against our parser,
# through build/tests/toml-decoder: 100% of valid and invalid cases.
set -u
exec bash "$(dirname "$0")/../toml/run-suite.sh" "$GGEN_BUILD/tests/toml-decoder" "$SHARED/toml-test/tests"
