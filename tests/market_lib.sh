# market_lib.sh - helpers for the marketplace integration tests (sourced
# after lib.sh): a free loopback port, nginx serving a directory with
# ETags, and a registry built from examples/packages.
#
#   free_port                   prints a free TCP port on 127.0.0.1
#   nginx_start DIR ROOT        serves ROOT on 127.0.0.1:$NGINX_PORT; state,
#                               logs ($NGINX_ACCESS) and temp files in DIR
#   nginx_stop                  stops it (also done by the EXIT trap)
#   build_registry DIR          packs examples/packages into DIR and writes
#                               DIR/index.json with `registry build`
NGINX_PID=""
NGINX_PORT=""
NGINX_ACCESS=""
MK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

nginx_stop() {
	if [ -n "$NGINX_PID" ]; then
		kill "$NGINX_PID" 2>/dev/null
		wait "$NGINX_PID" 2>/dev/null
	fi
	NGINX_PID=""
}

nginx_start() { # DIR ROOT
	local dir=$1 root=$2 user=""
	mkdir -p "$dir/tmp"
	NGINX_PORT=$(free_port)
	NGINX_ACCESS=$dir/access.log
	[ "$(id -u)" -eq 0 ] && user="user root;"
	cat >"$dir/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
$user
events { worker_connections 64; }
http {
	access_log $dir/access.log;
	client_body_temp_path $dir/tmp/body;
	proxy_temp_path $dir/tmp/proxy;
	fastcgi_temp_path $dir/tmp/fastcgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	types { application/json json; application/gzip gz; }
	server { listen 127.0.0.1:$NGINX_PORT; root $root; etag on; }
}
CONF
	/usr/sbin/nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" &
	NGINX_PID=$!
	trap nginx_stop EXIT
	# any HTTP answer (403 for a directory) means it is up
	wait_for "nginx on port $NGINX_PORT" 10 \
		curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/"
}

build_registry() { # DIR
	local dir=$1 p
	mkdir -p "$dir"
	for p in "$MK_ROOT"/examples/packages/*/; do
		"$GGEN" -q marketplace pack "$p" -o "$dir/$(basename "$p").tar.gz" \
			>/dev/null || return 1
	done
	"$GGEN" -q marketplace registry build "$dir" >/dev/null
}
