#!/bin/sh
# build.sh: the build system as an embedded build (Buildroot, Yocto) and a
# second `make deps` meet it. Run by tests/run.sh; alone: sh tests/build.sh
# (as root it jails the binaries it runs, as the suite does). One PASS/FAIL
# line per check, "skipped: NAME (why)" when build/deps lacks what a check
# copies from.
#
# 1. prebuilt dependencies, in a copy of the sources (no build/deps/): a
#    C library for the compiler, musl from build/deps/host behind a gcc
#    specs file (as musl-gcc does), and a prebuilt mbedTLS (its headers
#    with our configuration as mbedtls_config.h, as an installed mbedTLS
#    has it), zlib, zstd and jsmn, reachable only through SYSROOT (first
#    build) or MBEDTLS_DIR, ZLIB_DIR, ZSTD_DIR, JSMN_DIR (second build); the user's CC,
#    CPPFLAGS, CFLAGS and LDFLAGS on the command line, as Buildroot passes
#    them. Our deps step must not run (the Debian mirror is unreachable),
#    and --version, jailed, names what was linked.
# 2. make install DESTDIR= PREFIX=: the stripped binary and nothing else.
# 3. toolchain/fetch-sources.sh refuses a tarball whose sha256 is not its
#    pin, naming it, and keeps one that matches without the network.
# 4. `make deps` again does nothing: make -q finds every stamp up to date
#    (with the tools of toolchain/tools.lock on an amd64 host), and a run
#    builds, downloads, extracts and touches nothing.
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd -P)
own_work=0
if [ -z "${WORK:-}" ]; then
	WORK=$(mktemp -d /tmp/ocipull-build.XXXXXX)
	own_work=1
	trap 'rm -rf "$WORK"' EXIT
fi
T=$WORK/build
rm -rf "$T"
mkdir -p "$T"
# No step may reach Debian: a deps step that runs fails at once.
DEBIAN_MIRROR=http://127.0.0.1:9/debian
export DEBIAN_MIRROR

pass() { echo "PASS build/$1"; }
fail() { echo "FAIL build/$1: $2"; }
skip() { echo "skipped: build/$1 ($2)"; }
jailed() { sh "$ROOT/tests/lib/jail.sh" -w "$WORK" "$@"; }
# check NAME FILE ERE: FILE has a line matching ERE.
check() {
	if grep -Eq -- "$3" "$2"; then pass "$1"
	else fail "$1" "no line matches /$3/ in $(basename "$2"): $(head -c 400 "$2" | tr '\n' '|')"; fi
}
# A make of the sources at $1 with the rest as arguments, not part of the
# make that runs this script (its flags and jobserver stay out).
submake() {
	d=$1
	shift
	MAKEFLAGS= MAKELEVEL= make -C "$d" --no-print-directory "$@"
}
copy_tree() {
	rm -rf "$1"
	mkdir -p "$1"
	cp -R "$ROOT/Makefile" "$ROOT/board" "$ROOT/port" "$ROOT/src" "$ROOT/toolchain" "$1/"
}

# ---- 1. prebuilt dependencies -----------------------------------------------
D=$ROOT/build/deps/host
if [ ! -f "$D/.stamp" ]; then
	skip prebuilt "no $D: make BOARD=host first"
else
	# The compiler's C library: musl alone (without the other
	# dependencies build-deps.sh put beside it), and a specs file for it.
	TC=$T/musl
	mkdir -p "$TC"
	cp -a "$D/include" "$D/lib" "$TC/"
	rm -rf "$TC/include/mbedtls" "$TC/include/psa" "$TC/include/zlib.h" \
		"$TC/include/zconf.h" "$TC/include/jsmn.h" "$TC"/lib/libmbed*.a \
		"$TC/lib/libz.a" "$TC/include/zstd.h" "$TC/include/zstd_errors.h" \
		"$TC/lib/libzstd.a" "$TC/lib/musl-gcc.specs" "$TC/include/isa-l" \
		"$TC/lib/libisal.a"
	sed "s|$D/|$TC/|g" "$D/lib/musl-gcc.specs" > "$TC/musl-gcc.specs"
	if grep -q "$D" "$TC/musl-gcc.specs"; then
		fail prebuilt-specs "$TC/musl-gcc.specs still names $D"
	fi
	# The prebuilt set, twice: a sysroot, and one prefix per library.
	P=$T/prebuilt
	mkdir -p "$P/sysroot/usr/include" "$P/sysroot/usr/lib" "$P/mbedtls/lib" \
		"$P/zlib/include" "$P/zlib/lib" "$P/zstd/include" "$P/zstd/lib" \
		"$P/isal/include" "$P/isal/lib" "$P/jsmn-src"
	cp -R "$D/include/mbedtls" "$D/include/psa" "$D/include/zlib.h" \
		"$D/include/zconf.h" "$D/include/zstd.h" "$D/include/zstd_errors.h" \
		"$D/include/jsmn.h" "$P/sysroot/usr/include/"
	cp toolchain/mbedtls-config.h "$P/sysroot/usr/include/mbedtls/mbedtls_config.h"
	cp "$D"/lib/libmbed*.a "$D/lib/libz.a" "$D/lib/libzstd.a" "$P/sysroot/usr/lib/"
	mkdir -p "$P/mbedtls/include"
	cp -R "$P/sysroot/usr/include/mbedtls" "$P/sysroot/usr/include/psa" "$P/mbedtls/include/"
	cp "$D"/lib/libmbed*.a "$P/mbedtls/lib/"
	cp "$D/include/zlib.h" "$D/include/zconf.h" "$P/zlib/include/"
	cp "$D/lib/libz.a" "$P/zlib/lib/"
	cp "$D/include/zstd.h" "$D/include/zstd_errors.h" "$P/zstd/include/"
	cp "$D/lib/libzstd.a" "$P/zstd/lib/"
	cp "$D/include/jsmn.h" "$P/jsmn-src/"
	# ISA-L, when the host board inflates with it: its own prefix only,
	# and the sysroot build takes zlib instead (the engine a board
	# without ISA-L has, built on this machine).
	ENGINE=$(make -s --no-print-directory BOARD=host print-gzip-engine)
	ISAL=""
	gz_want='zlib 1\.3\.1'
	if [ "$ENGINE" = isal ]; then
		cp -R "$D/include/isa-l" "$P/isal/include/"
		cp "$D/lib/libisal.a" "$P/isal/lib/"
		ISAL="ISAL_DIR=$P/isal"
		gz_want='isa-l unknown'
	fi

	CC_MUSL="gcc -specs=$TC/musl-gcc.specs"
	USER_CPPFLAGS="-D_LARGEFILE_SOURCE -D_FILE_OFFSET_BITS=64 -DOCIPULL_TEST_CPPFLAGS"
	USER_CFLAGS="-Os -frecord-gcc-switches"
	USER_LDFLAGS="-Wl,--defsym=ocipull_test_ldflags=0x4c44"

	# prebuilt NAME VERSION-ERE... -- MAKE-ARGS...: build the host board
	# in a fresh copy with MAKE-ARGS and the user's flags, then check it.
	prebuilt() {
		n=$1
		shift
		want=""
		while [ "$1" != -- ]; do want="$want$1
"; shift; done
		shift
		tree=$T/tree-$n
		copy_tree "$tree"
		if submake "$tree" -j2 V=1 BOARD=host CC="$CC_MUSL" CPPFLAGS="$USER_CPPFLAGS" \
			CFLAGS="$USER_CFLAGS" LDFLAGS="$USER_LDFLAGS" "$@" \
			> "$T/$n.log" 2>&1 && [ -x "$tree/build/host/ocipull" ]; then
			pass "$n-builds"
		else
			fail "$n-builds" "$(tail -5 "$T/$n.log" | tr '\n' '|' | head -c 600)"
			return 1
		fi
		OCIPULL=$tree/build/host/ocipull
		if [ -e "$tree/build/deps" ]; then
			fail "$n-skips-deps" "the deps step ran: $(ls "$tree/build/deps" | tr '\n' ' ')"
		else
			pass "$n-skips-deps"
		fi
		# The user's flags reached the compiler after ours, and the linker.
		# (V=1 shows each command as the recipe has it: continued lines.)
		if sed -e :a -e '/\\$/N; s/\\\n//; ta' "$T/$n.log" | tr '\t' ' ' |
			grep -E -- ' -c -o build/host/obj/src/main\.o ' | grep -Eq -- \
			'-Iboard/host .* -DOCIPULL_TEST_CPPFLAGS .* -std=c11 .* -Wall .* -Os -frecord-gcc-switches '; then
			pass "$n-cppflags-cflags-after-ours"
		else
			fail "$n-cppflags-cflags-after-ours" "$(grep -- 'obj/src/main\.o ' "$T/$n.log" | head -c 600)"
		fi
		jailed readelf -p .GCC.command.line "$OCIPULL" > "$T/$n.switches" 2>&1
		if grep -q -- '-std=c11' "$T/$n.switches" && grep -q -- ' -Os ' "$T/$n.switches" &&
		   ! grep -q -- '-O2' "$T/$n.switches"; then
			pass "$n-cflags-in-binary"
		else
			fail "$n-cflags-in-binary" "$(head -c 400 "$T/$n.switches")"
		fi
		if jailed nm "$OCIPULL" | grep -Eq '^0+4c44 A ocipull_test_ldflags$'; then
			pass "$n-ldflags"
		else
			fail "$n-ldflags" "no symbol ocipull_test_ldflags from LDFLAGS"
		fi
		f=$(file -b "$OCIPULL")
		case $f in
		*"statically linked"*) pass "$n-static" ;;
		*) fail "$n-static" "file says: $f" ;;
		esac
		jailed "$OCIPULL" --version > "$T/$n.version" 2>&1
		echo "$want" | while read -r w; do
			[ -n "$w" ] || continue
			check "$n-version-$(echo "$w" | cut -d' ' -f1)" "$T/$n.version" "^$w\$"
		done
	}
	prebuilt sysroot 'mbedtls 3\.6\.6' 'zlib 1\.3\.1' 'zstd 1\.5\.7' 'jsmn 1\.1\.0' 'musl 1\.2\.5' -- \
		SYSROOT="$P/sysroot" JSMN_VERSION=1.1.0 LIBC_VERSION="musl 1.2.5" \
		GZIP_ENGINE=zlib
	DIRS="MBEDTLS_DIR=$P/mbedtls ZLIB_DIR=$P/zlib ZSTD_DIR=$P/zstd $ISAL JSMN_DIR=$P/jsmn-src"
	# shellcheck disable=SC2086 # DIRS is words
	if prebuilt dirs 'mbedtls 3\.6\.6' "$gz_want" 'zstd 1\.5\.7' 'jsmn unknown' 'libc unknown' -- $DIRS; then
		# ---- 2. make install ------------------------------------------------
		tree=$T/tree-dirs
		OCIPULL=$tree/build/host/ocipull
		jailed strip -o "$T/stripped" "$OCIPULL"
		for pre in /usr ""; do
			want=${pre:-/usr/local}/bin/ocipull
			n=install-prefix-$(echo "${pre:-default}" | tr -d /)
			dest=$T/$n
			# The same variables as the build: nothing is rebuilt.
			# shellcheck disable=SC2086
			submake "$tree" BOARD=host CC="$CC_MUSL" CPPFLAGS="$USER_CPPFLAGS" \
				CFLAGS="$USER_CFLAGS" LDFLAGS="$USER_LDFLAGS" $DIRS \
				DESTDIR="$dest" ${pre:+PREFIX=$pre} install > "$T/$n.log" 2>&1
			rc=$?
			got=$(cd "$dest" 2>/dev/null && find . -type f | sed 's|^\.||')
			if [ $rc -eq 0 ] && [ "$got" = "$want" ] &&
			   [ "$(stat -c %a "$dest$want")" = 755 ] &&
			   cmp -s "$dest$want" "$T/stripped" &&
			   ! grep -Eq '^  (CC|LD) ' "$T/$n.log"; then
				pass "$n"
			else
				fail "$n" "exit $rc, files '$got' (want $want); $(tail -3 "$T/$n.log" | tr '\n' '|')"
			fi
		done
	fi
fi

# ---- 3. fetch-sources.sh refuses a wrong tarball ------------------------------
lock=toolchain/sources.lock
tb=$(awk '$1 == "musl" { print $3 }' "$lock")
pin=$(awk '$1 == "musl" { print $4 }' "$lock")
if [ ! -f "build/deps/src/$tb" ]; then
	skip fetch-refuses "no build/deps/src/$tb to copy: make deps first"
else
	F=$T/fetch
	mkdir -p "$F/src"
	cp "build/deps/src/$tb" "$F/src/"
	# Every hex digit of the pin moved one on: a valid pin of other bytes.
	bad=$(printf '%s' "$pin" | tr '0-9a-f' '1-9a-f0')
	awk -v bad="$bad" '$1 == "musl" { $4 = bad; print }' "$lock" > "$F/wrong.lock"
	sh toolchain/fetch-sources.sh "$F/wrong.lock" "$F/src" > "$F/out" 2> "$F/err"
	rc=$?
	if [ $rc -ne 0 ] &&
	   grep -Fq "refusing $tb: its sha256 is $pin, $F/wrong.lock pins $bad" "$F/err" &&
	   [ ! -e "$F/src/$tb" ] && [ -f "$F/src/$tb.rejected" ]; then
		pass fetch-refuses-wrong-sha256
	else
		fail fetch-refuses-wrong-sha256 "exit $rc: $(cat "$F/out" "$F/err" | head -c 400)"
	fi
	# The right pin: kept silently, no package list fetched.
	cp "build/deps/src/$tb" "$F/src/"
	awk '$1 == "musl"' "$lock" > "$F/right.lock"
	for run in 1 2; do
		sh toolchain/fetch-sources.sh "$F/right.lock" "$F/src" > "$F/out" 2>&1
		rc=$?
		if [ $rc -eq 0 ] && [ ! -s "$F/out" ] && [ -f "$F/src/$tb" ] &&
		   [ ! -e "$F/src/apt" ]; then
			pass "fetch-keeps-pinned-offline-$run"
		else
			fail "fetch-keeps-pinned-offline-$run" "exit $rc: $(head -c 400 "$F/out")"
		fi
	done
fi

# ---- 4. a second make deps does nothing ----------------------------------------
stamps="build/deps/src/.stamp build/deps/unit/.stamp"
for b in host generic-arm64 generic-armv7; do stamps="$stamps build/deps/$b/.stamp"; done
# cosign and oras (toolchain/tools.lock), on an amd64 host only.
tools=""
if [ "$(dpkg --print-architecture 2>/dev/null)" = amd64 ]; then
	tools=build/tools/.stamp
	stamps="$stamps $tools"
fi
missing=""
for s in $stamps; do [ -f "$s" ] || missing="$missing $s"; done
if [ -n "$missing" ]; then
	skip deps-second-run "not built yet:$missing"
else
	q=ok
	submake "$ROOT" -q build/deps/src/.stamp build/deps/unit/.stamp > /dev/null 2>&1 || q="src or unit"
	for b in host generic-arm64 generic-armv7; do
		submake "$ROOT" -q BOARD=$b "build/deps/$b/.stamp" > /dev/null 2>&1 || q="$q $b"
	done
	[ -z "$tools" ] || submake "$ROOT" -q "$tools" > /dev/null 2>&1 || q="$q tools"
	if [ "$q" = ok ]; then pass deps-up-to-date
	else fail deps-up-to-date "make -q says out of date: $q"; fi
	touch "$T/before"
	submake "$ROOT" deps > "$T/deps.log" 2>&1
	rc=$?
	changed=$(find build/deps ${tools:+build/tools} -newer "$T/before" | head -5 | tr '\n' ' ')
	work=$(grep -E '^(sources|deps): (package lists|download|musl|zlib|mbedTLS|installing|extract)' "$T/deps.log" | head -3)
	if [ $rc -eq 0 ] && [ -z "$changed" ] && [ -z "$work" ]; then
		pass deps-second-run-does-nothing
	else
		fail deps-second-run-does-nothing "exit $rc; changed: $changed; $work $(tail -3 "$T/deps.log" | tr '\n' '|')"
	fi
fi
[ $own_work = 0 ] || rm -rf "$WORK"
