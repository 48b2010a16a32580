#!/bin/sh
# Build every libFuzzer harness under tests/fuzz and run each one for a
# bounded time on a scratch copy of its seed corpus.
#
#	sh tests/fuzz/run.sh [cc] [seconds]
#
# cc defaults to clang, seconds to 30.  Everything the fuzzer writes
# (binaries, the growing corpus, logs, crash files) stays in build/fuzz.
# Exits 0 when no harness crashed, 1 when one did (its crash file is
# named in the output), and 0 with a message when the compiler or the
# libFuzzer runtime is missing (`make deps' installs both on Debian).
set -u
cd "$(dirname "$0")/../.." || exit 1

CC_FUZZ=${1:-clang}
SECS=${2:-30}
OUT=build/fuzz
WORK=$OUT/work
# As the GNUmakefile: libbsd on Linux, the BSDs' libc and libmd elsewhere.
PKGS="libbsd-overlay libmd libevent libsodium"
SYSLIBS=""
case "$(uname -s)" in
Linux)	;;
*)	PKGS="libevent libsodium"
	SYSLIBS="-lmd" ;;
esac

case "$SECS" in
''|*[!0-9]*)
	echo "fuzz: seconds must be a number, got '$SECS'" >&2
	exit 2
	;;
esac

# The library sources each harness needs; a harness not listed here is
# linked against all of them.
srcs_of() {
	case "$1" in
	json)		echo "src/lib/json.c src/lib/json_get.c src/lib/json_lex.c
			    src/lib/json_quote.c src/lib/ids.c" ;;
	jwt)		echo "src/lib/jwt.c src/lib/b64url.c src/lib/json.c src/lib/json_get.c src/lib/json_lex.c
			    src/lib/json_quote.c src/lib/hmac.c src/lib/ids.c" ;;
	config)		echo "src/config/config.c src/config/config_block.c src/config/config_lex.c
			    src/config/config_lookup.c src/config/config_net.c
			    src/config/config_games.c src/config/config_secret.c
			    src/lib/json_quote.c src/lib/hmac.c src/lib/ids.c" ;;
	launcher_sig)	echo "src/lib/launcher_sig.c src/lib/hmac.c src/lib/ids.c" ;;
	billing)	echo "src/billing/billing.c src/billing/blog_tail.c
			    src/billing/fault.c src/billing/ledger.c src/billing/logset.c
			    src/billing/record.c src/billing/scan.c src/billing/segment.c
			    src/lib/names.c src/core/log.c src/core/file.c src/core/clock.c
			    src/lib/hmac.c src/lib/ids.c" ;;
	request)	echo "src/lib/json.c src/lib/json_get.c src/lib/json_lex.c
			    src/lib/json_quote.c src/lib/ids.c src/store/store.c
			    src/store/store_clock.c src/lib/launcher_sig.c src/core/log.c
			    src/core/file.c src/core/clock.c src/lib/hmac.c
			    src/http/http_frame.c" ;;
	*)		for f in src/*/*.c; do
				[ "$f" = src/daemon/main.c ] || printf '%s\n' "$f"
			done ;;
	esac
}

if ! command -v "$CC_FUZZ" >/dev/null 2>&1; then
	echo "fuzz: skipped: $CC_FUZZ not found (make deps installs clang)"
	exit 0
fi

mkdir -p "$WORK"
# shellcheck disable=SC2086
if ! CFLAGS_PKG=$(pkg-config --cflags $PKGS) ||
    ! LIBS_PKG=$(pkg-config --libs $PKGS); then
	echo "fuzz: pkg-config cannot find $PKGS" >&2
	exit 1
fi
FLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -std=c11
    -D_DEFAULT_SOURCE -D_GNU_SOURCE -Iinclude $CFLAGS_PKG"

# The sanitizer runtimes ship apart from the compiler on some systems.
probe=$WORK/probe
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *, size_t);' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
    '{ (void)d; (void)n; return (0); }' > "$probe.c"
if ! "$CC_FUZZ" -fsanitize=fuzzer,address,undefined -o "$probe" \
    "$probe.c" >"$probe.log" 2>&1; then
	echo "fuzz: skipped: $CC_FUZZ cannot link -fsanitize=fuzzer" \
	    "(not clang, or no libFuzzer runtime; make deps installs it)"
	exit 0
fi

names=""
for h in tests/fuzz/fuzz_*.c; do
	[ -f "$h" ] || continue
	n=${h#tests/fuzz/fuzz_}
	n=${n%.c}
	echo "fuzz: building $OUT/fuzz_$n"
	# shellcheck disable=SC2046,SC2086
	if ! "$CC_FUZZ" $FLAGS -o "$OUT/fuzz_$n" "$h" $(srcs_of "$n") \
	    $LIBS_PKG $SYSLIBS; then
		echo "fuzz: $n: build failed" >&2
		exit 1
	fi
	names="$names $n"
done
if [ -z "$names" ]; then
	echo "fuzz: no harnesses in tests/fuzz" >&2
	exit 1
fi

# The billing harness writes (and fsyncs) a scratch log per input: in
# memory where the system has a tmpfs for it, or fsync alone costs a
# hundred-fold in speed; else in build/.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	TMPDIR=/dev/shm
else
	mkdir -p "$WORK/tmp"
	TMPDIR=$(cd "$WORK/tmp" && pwd)
fi
export TMPDIR

failed=0
for n in $names; do
	corpus=$WORK/$n
	crashes=$WORK/$n-crash
	log=$WORK/$n.log
	rm -rf "$corpus" "$crashes"
	mkdir -p "$corpus" "$crashes"
	if [ -d "tests/fuzz/corpus/$n" ]; then
		cp tests/fuzz/corpus/"$n"/* "$corpus"/ 2>/dev/null
	fi
	echo "fuzz: running $n for $SECS s (log $log)"
	"$OUT/fuzz_$n" -max_len=8192 -max_total_time="$SECS" -timeout=25 \
	    -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" \
	    >"$log" 2>&1
	rc=$?
	# "Done N runs in S second(s)" at a normal end; only the final
	# statistics after a crash.
	runs=$(sed -n -e 's/^Done \([0-9][0-9]*\) runs in .*/\1/p' \
	    -e 's/^stat::number_of_executed_units: *\([0-9][0-9]*\).*/\1/p' \
	    "$log" | tail -n 1)
	found=""
	for f in "$crashes"/*; do
		[ -e "$f" ] && found="$found $f"
	done
	if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
		failed=1
		echo "$n: ${runs:-?} execs, CRASHED (exit $rc)"
		tail -n 40 "$log" | sed 's/^/    /'
		for f in $found; do
			echo "$n: crash file $f"
		done
		continue
	fi
	echo "$n: ${runs:-?} execs, 0 crashes"
done
# A crash leaves its scratch log behind.
rm -rf "$TMPDIR"/fuzz_billing.*
exit $failed
