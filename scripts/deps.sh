#!/bin/sh
# deps.sh - install the Debian packages ggen builds and tests with, and
# only those that are missing; silent when nothing is.
set -e
PKGS="build-essential pkg-config libuv1-dev libssl-dev libprotobuf-c-dev
protobuf-c-compiler libsqlite3-dev libcurl4-openssl-dev libarchive-dev
libjansson-dev libcmocka-dev clang libclang-rt-14-dev nginx-light nodejs npm
python3 curl"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
# node and npm may come from outside Debian (e.g. a preinstalled toolchain)
case " $missing " in *" nodejs "*) command -v node >/dev/null && missing=$(echo "$missing" | sed 's/ nodejs//') ;; esac
case " $missing " in *" npm "*) command -v npm >/dev/null && missing=$(echo "$missing" | sed 's/ npm//') ;; esac
case " $missing " in *" python3 "*) command -v python3 >/dev/null && missing=$(echo "$missing" | sed 's/ python3//') ;; esac
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
