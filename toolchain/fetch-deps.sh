#!/bin/sh
# fetch-deps.sh DEB_ARCH OUTDIR: download the target architecture's -dev
# packages of the dependencies (mbedTLS, zlib, jsmn) from the machine's apt
# sources and extract them into OUTDIR, a build-local sysroot.
#
# It uses a private apt state under OUTDIR (its own package lists for that
# one architecture), so the machine's dpkg architectures and installed
# packages are never changed: no multiarch install can break.
set -eu
arch=$1
out=$2
pkgs="libmbedtls-dev zlib1g-dev libjsmn-dev"
apt_dir=$(pwd)/$out/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
: > "$apt_dir/status"
set -- -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" \
	-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::State::status=$apt_dir/status" \
	-o "Dir::Cache=$apt_dir/cache" -o Debug::NoLocking=1 \
	-o APT::Sandbox::User=root -q
echo "fetch-deps: package lists for $arch"
# One failing index (a mirror in the middle of an update) must not stop us:
# the download below fails clearly if a package really is missing.
apt-get "$@" update >"$apt_dir/update.log" 2>&1 || \
	echo "fetch-deps: apt-get update reported errors (see $apt_dir/update.log)" >&2
rm -f "$apt_dir/debs"/*.deb
(cd "$apt_dir/debs" && apt-get "$@" download $pkgs)
for d in "$apt_dir/debs"/*.deb; do
	echo "fetch-deps: extract $(basename "$d")"
	dpkg-deb -x "$d" "$out"
done
test -f "$out/usr/include/mbedtls/ssl.h"
test -f "$out/usr/include/jsmn.h"
touch "$out/.stamp"
