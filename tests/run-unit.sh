#!/bin/sh
# Run every Check unit-test binary given; fail if any fails.
# CK_FORK stays at Check's default (fork per test) unless the caller set it.
rc=0
for t in "$@"; do
	echo "== $t"
	"$t" || rc=1
done
exit $rc
