#!/bin/sh
# Install what building, testing and benchmarking playwaved needs and the
# machine lacks: apt-get on Debian and Ubuntu, pkg on FreeBSD.
set -eu

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

debian() {
	pkgs="build-essential pkg-config libevent-dev libbsd-dev libmd-dev
	    libsodium-dev
	    libjsmn-dev check python3 curl openssl lua5.1 mandoc apache2-utils
	    nginx-light wrk clang libncurses-dev dpkg-dev debhelper lintian
	    fakeroot haproxy postgresql faketime"
	missing=""
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "install ok installed" || missing="$missing $p"
	done
	if [ -n "$(echo "$missing" | tr -d ' ')" ]; then
		echo "deps: installing$missing"
		as_root apt-get update -q
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		    --no-install-recommends $missing
	fi
	# libFuzzer's runtime ships apart from clang, versioned like it.
	if ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a \
	    >/dev/null 2>&1; then
		major=$(clang -dumpversion | cut -d. -f1)
		echo "deps: installing libclang-rt-$major-dev"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		    --no-install-recommends "libclang-rt-$major-dev"
	fi
	echo "deps: all present"
	# nginx-light starts a system nginx on port 80; the bench runs its own.
	if command -v systemctl >/dev/null 2>&1; then
		as_root systemctl disable --now nginx >/dev/null 2>&1 || true
	fi
	as_root service nginx stop >/dev/null 2>&1 || true
	# haproxy and postgresql likewise start system services; the
	# cluster test and bench run their own.
	for s in haproxy postgresql; do
		if command -v systemctl >/dev/null 2>&1; then
			as_root systemctl disable --now $s >/dev/null 2>&1 || true
		fi
		as_root service $s stop >/dev/null 2>&1 || true
	done
}

# ncurses is part of the FreeBSD base system.
freebsd() {
	as_root pkg install -y pkgconf libevent libsodium jsmn check python3 curl \
	    lua51 apache24 nginx wrk llvm haproxy postgresql15-server \
	    libfaketime
}

case "$(uname -s)" in
Linux)
	if command -v apt-get >/dev/null 2>&1; then
		debian
	else
		echo "deps: no apt-get; install by hand: libevent, libsodium, libbsd," \
		    "libmd, jsmn, check, python3, curl, openssl, lua5.1, mandoc," \
		    "ab, nginx, wrk, clang, ncurses, haproxy, postgresql," \
		    "libfaketime" >&2
		exit 1
	fi
	;;
FreeBSD)
	freebsd
	;;
*)
	echo "deps: unsupported system $(uname -s)" >&2
	exit 1
	;;
esac
