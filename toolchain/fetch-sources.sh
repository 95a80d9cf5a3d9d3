#!/bin/sh
# fetch-sources.sh LOCK DIR: put every file that LOCK pins into DIR,
# downloaded from Debian, and refuse any whose sha256 is not the pinned one.
# A file ending in .deb is an amd64 binary package (toolchain/tools.lock);
# any other is a tarball of a source package (toolchain/sources.lock).
#
# A file already in DIR with the right sha256 is kept: a second run does
# not touch the network. Otherwise the URIs come from a private apt state
# under DIR/apt (its own deb-src lines for source packages, deb lines for
# binary ones, and lists; the machine's apt configuration, architectures
# and packages are never changed), and only the pinned file is downloaded
# (of a source package, not the packaging).
# A file whose sha256 differs is moved aside to FILE.rejected and the run
# fails naming it, the sha256 it has and the one pinned.
set -eu
lock=$1
dir=$2
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$dir"

sha() { sha256sum "$1" | cut -d' ' -f1; }

apt_ready=0
apt_setup() {
	[ $apt_ready = 1 ] && return 0
	a=$(cd "$dir" && pwd)/apt
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial"
	: > "$a/status"
	pins=$(grep -v '^#' "$lock" | awk 'NF == 4')
	src=$(echo "$pins" | awk '$3 !~ /\.deb$/ { print $2 }' | sort -u)
	bin=$(echo "$pins" | awk '$3 ~ /\.deb$/ { print $2 }' | sort -u)
	suites=$(echo "$pins" | awk '{ print $2 }' | sort -u)
	: > "$a/sources.list"
	for s in $src; do
		echo "deb-src $mirror $s main" >> "$a/sources.list"
	done
	for s in $bin; do
		echo "deb [arch=amd64] $mirror $s main" >> "$a/sources.list"
	done
	APT="-o Dir::Etc::SourceList=$a/sources.list -o Dir::Etc::SourceParts=/dev/null
	    -o Dir::State::Lists=$a/lists -o Dir::State::status=$a/status
	    -o Dir::Cache=$a/cache -o Debug::NoLocking=1 -o APT::Sandbox::User=root -q"
	echo "sources: package lists for $(echo $suites)"
	# One failing index must not stop us: a missing file fails below,
	# by name.
	# shellcheck disable=SC2086
	apt-get $APT update > "$a/update.log" 2>&1 ||
		echo "sources: apt-get update reported errors (see $a/update.log)" >&2
	apt_ready=1
}

grep -v '^#' "$lock" | awk 'NF == 4' | while read -r pkg suite file want; do
	f=$dir/$file
	if [ -f "$f" ] && [ "$(sha "$f")" = "$want" ]; then
		continue
	fi
	if [ ! -f "$f" ]; then
		apt_setup
		case $file in
		*.deb) what="binary package"; how=download ;;
		*) what="source package"; how=source ;;
		esac
		# shellcheck disable=SC2086
		uri=$(apt-get $APT $how --print-uris "$pkg/$suite" 2>/dev/null |
			awk -v f="$file" '$2 == f { gsub("\047", "", $1); print $1 }')
		if [ -z "$uri" ]; then
			echo "sources: $file is not in the $suite $what $pkg" >&2
			exit 1
		fi
		echo "sources: download $file"
		# shellcheck disable=SC2086
		/usr/lib/apt/apt-helper $APT download-file "$uri" "$f.part" > /dev/null ||
			{ echo "sources: downloading $uri failed" >&2; rm -f "$f.part"; exit 1; }
		mv "$f.part" "$f"
	fi
	got=$(sha "$f")
	if [ "$got" != "$want" ]; then
		mv "$f" "$f.rejected"
		echo "sources: refusing $file: its sha256 is $got, $lock pins $want (moved to $f.rejected)" >&2
		exit 1
	fi
	echo "sources: $file sha256 ok"
done
