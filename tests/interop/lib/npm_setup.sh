# npm_setup.sh - sourced by the interop scripts: install js-libp2p from
# npm exactly as package-lock.json pins it (npm ci), once per lock file,
# serialised across the scripts that run at the same time.  A failed
# install is a failed test, never a skip.
#
#   interop_npm_setup PACKAGE   (a package directory that must exist)
# Needs HERE (tests/interop), BUILD (the build dir) and T (scratch dir).
interop_npm_ready() {
	local want have
	want=$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)
	have=$(cat "$HERE/node_modules/.ggen-lock-sha256" 2>/dev/null)
	[ "$want" = "$have" ] && [ -d "$HERE/node_modules/$1" ]
}

interop_npm_setup() {
	local pkg=$1
	if ! interop_npm_ready "$pkg"; then
		(
			flock 9
			interop_npm_ready "$pkg" && exit 0
			cd "$HERE" && timeout 600 npm ci --no-audit --no-fund \
				>"$T/npm.log" 2>&1 &&
				sha256sum package-lock.json | cut -d' ' -f1 \
					>node_modules/.ggen-lock-sha256
		) 9>"$BUILD/.npm-install.lock"
	fi
	if interop_npm_ready "$pkg"; then
		ok "js-libp2p installed from the lock file"
	else
		not_ok "npm ci in tests/interop failed" \
			"$(tail -5 "$T/npm.log" 2>/dev/null)"
		done_testing
	fi
}
