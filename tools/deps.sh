#!/bin/sh
# Install what building, testing and benchmarking playwaved needs and the
# machine lacks: apt-get on Debian and Ubuntu, pkg on FreeBSD.
#
# It never stops, disables or restarts a service that was there before:
# on a host that already runs nginx, HAProxy or PostgreSQL those stay as
# they are.  A service package it installs itself (the tests and the
# bench run their own nginx, HAProxy, PostgreSQL) is kept from starting
# by policy-rc.d(8) during the install and left disabled.
set -eu

# Where invoke-rc.d looks for the local policy; a test points it elsewhere.
POLICY_RC_D=${PW_POLICY_RC_D:-/usr/sbin/policy-rc.d}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The services these packages would start, by package.
service_of() {
	case "$1" in
	nginx-light)	echo nginx ;;
	haproxy)	echo haproxy ;;
	postgresql)	echo postgresql ;;
	prometheus)	echo prometheus ;;
	esac
}

# apt-get install with invoke-rc.d told "not now" (exit 101), unless the
# host has a policy of its own, which then decides as it always does.
apt_install() {
	own=""
	if [ ! -e "$POLICY_RC_D" ]; then
		as_root sh -c 'printf "%s\n" "#!/bin/sh" "exit 101" >"$1" &&
		    chmod 755 "$1"' sh "$POLICY_RC_D"
		own=yes
		trap 'as_root rm -f "$POLICY_RC_D"' EXIT INT TERM
	fi
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends "$@"
	if [ -n "$own" ]; then
		as_root rm -f "$POLICY_RC_D"
		trap - EXIT INT TERM
	fi
}

# Just installed, so never running before: keep it off at boot too.
disable_new_services() {
	for p in "$@"; do
		s=$(service_of "$p")
		[ -n "$s" ] || continue
		if command -v systemctl >/dev/null 2>&1; then
			as_root systemctl disable --quiet "$s" >/dev/null 2>&1 ||
			    true
		elif command -v update-rc.d >/dev/null 2>&1; then
			as_root update-rc.d "$s" disable >/dev/null 2>&1 || true
		fi
		echo "deps: $s installed and left stopped and disabled" \
		    "(the tests run their own)"
	done
}

debian() {
	pkgs="build-essential pkg-config libevent-dev libbsd-dev libmd-dev
	    libsodium-dev
	    libjsmn-dev check python3 curl openssl lua5.1 mandoc apache2-utils
	    nginx-light wrk clang libncurses-dev dpkg-dev debhelper lintian
	    fakeroot haproxy postgresql faketime prometheus"
	missing=""
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "install ok installed" || missing="$missing $p"
	done
	if [ -n "$(echo "$missing" | tr -d ' ')" ]; then
		echo "deps: installing$missing"
		as_root apt-get update -q
		# shellcheck disable=SC2086
		apt_install $missing
		# shellcheck disable=SC2086
		disable_new_services $missing
	fi
	# libFuzzer's runtime ships apart from clang, versioned like it.
	if ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a \
	    >/dev/null 2>&1; then
		major=$(clang -dumpversion | cut -d. -f1)
		echo "deps: installing libclang-rt-$major-dev"
		apt_install "libclang-rt-$major-dev"
	fi
	echo "deps: all present"
}

# ncurses is part of the FreeBSD base system; pkg starts no service.
freebsd() {
	as_root pkg install -y pkgconf libevent libsodium jsmn check python3 curl \
	    lua51 apache24 nginx wrk llvm haproxy postgresql15-server \
	    libfaketime prometheus
}

case "$(uname -s)" in
Linux)
	if command -v apt-get >/dev/null 2>&1; then
		debian
	else
		echo "deps: no apt-get; install by hand: libevent, libsodium, libbsd," \
		    "libmd, jsmn, check, python3, curl, openssl, lua5.1, mandoc," \
		    "ab, nginx, wrk, clang, ncurses, haproxy, postgresql," \
		    "libfaketime, prometheus (promtool)" >&2
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
