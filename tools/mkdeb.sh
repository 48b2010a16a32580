#!/bin/sh
# make deb: build the Debian package from a clean copy of the tracked
# files (what a fresh checkout holds, with uncommitted edits), so that
# neither the build tree nor anything outside OUT is touched.
#   tools/mkdeb.sh OUT     leaves OUT/playwaved_<version>_<arch>.deb
set -eu

out=${1:?usage: mkdeb.sh OUT}
for t in dpkg-buildpackage dh fakeroot; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "mkdeb: $t missing (make deps installs it)" >&2
		exit 3
	fi
done
rm -rf "$out"
mkdir -p "$out/src"
git ls-files -z --cached --others --exclude-standard |
    xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    tar -c --null -T - -f - | tar -x -f - -C "$out/src"
cd "$out/src"
# The package's own make must not inherit this one's variables (BUILD,
# SANITIZE, ...): debian/ installs from the default build/.
unset MAKEFLAGS MFLAGS MAKELEVEL BUILD SANITIZE PW_BUILD
dpkg-buildpackage -us -uc -b >../build.log 2>&1 || {
	tail -40 ../build.log >&2
	exit 1
}
ls ../*.deb
