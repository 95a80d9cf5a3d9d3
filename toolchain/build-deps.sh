#!/bin/sh
# build-deps.sh OUT: build the dependencies of one board into OUT (a
# prefix with include/ and lib/), from the tarballs toolchain/sources.lock
# pins (already in $SRC, see fetch-sources.sh). Called by the Makefile with:
#
#   CC              the board's compiler (Debian's gcc or cross gcc)
#   TARGET          its triplet (aarch64-linux-gnu, ...)
#   LIBC            musl: build musl first and everything against it, and
#                   leave OUT/lib/musl-gcc.specs for the Makefile;
#                   glibc: the compiler's own C library (the unit tests)
#   KHDR            the directories holding the target's linux/, asm/ and
#                   asm-generic/ kernel headers (musl has none of its own)
#   MBEDTLS_CONFIG  the mbedTLS configuration header (absolute path)
#   MBEDTLS_CFLAGS  extra -D flags for mbedTLS (the unit tests add MD5)
#   SRC             where the tarballs are
#   ISAL_CPU        x86_64 or aarch64: also build ISA-L's igzip for that
#                   CPU (its inflate is the board's gzip engine); empty:
#                   the board inflates with zlib and ISA-L is not built
#
# Everything is built with one section per function, so the linker keeps
# only what ocipull calls, without unwind tables (as ocipull), and with
# -Os, but zlib and zstd with -O2: inflate is where a pull spends its time, and -O2
# inflates 5-10% faster (1 GiB layer, host: 2.38-2.46 s against 2.56-2.82
# s) for 4 KiB more code.
#
# The whole prefix is rebuilt from scratch: the Makefile calls this only
# when a pin, this script or the configuration changed, and the stamp
# OUT/.stamp is written last, so an interrupted build is redone, never
# half-used.
set -eu
out=$1
: "${CC:?}" "${TARGET:?}" "${LIBC:?}" "${MBEDTLS_CONFIG:?}" "${SRC:?}"
MBEDTLS_CFLAGS=${MBEDTLS_CFLAGS:-}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
lock=$(dirname "$0")/sources.lock
SECTIONS="-ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables"
DEP_CFLAGS="-Os -g $SECTIONS"
ZLIB_CFLAGS="-O2 -g $SECTIONS"

tarball() { grep -v '^#' "$lock" | awk -v p="$1" '$1 == p { print $3 }'; }

rm -rf "$out"
mkdir -p "$out/work" "$out/include" "$out/lib"
out=$(cd "$out" && pwd)
SRC=$(cd "$SRC" && pwd)

unpack() {   # unpack PKG: extract its tarball into $out/work/PKG
	t=$(tarball "$1")
	[ -n "$t" ] || { echo "deps: no $1 in $lock" >&2; exit 1; }
	mkdir -p "$out/work/$1"
	tar -xf "$SRC/$t" -C "$out/work/$1" --strip-components=1
}

log() {      # log NAME CMD...: run CMD, its output in $out/work/NAME.log
	n=$1
	shift
	if ! "$@" > "$out/work/$n.log" 2>&1; then
		tail -n 30 "$out/work/$n.log" >&2
		echo "deps: $n failed for $TARGET (log: $out/work/$n.log)" >&2
		exit 1
	fi
}

cc=$CC
if [ "$LIBC" = musl ]; then
	echo "deps: musl for $TARGET"
	unpack musl
	(cd "$out/work/musl" &&
		log musl-configure ./configure --prefix="$out" --target="$TARGET" \
			--disable-shared CC="$CC" CFLAGS="$DEP_CFLAGS" &&
		log musl-make make -j"$JOBS" &&
		log musl-install make install)
	# The kernel's headers beside musl's, as Debian's musl-tools does.
	for d in linux asm asm-generic; do
		for k in ${KHDR:?}; do
			if [ -d "$k/$d" ]; then
				ln -s "$k/$d" "$out/include/$d"
				break
			fi
		done
		[ -e "$out/include/$d" ] ||
			{ echo "deps: no $d/ kernel headers in $KHDR" >&2; exit 1; }
	done
	cc="$CC -specs=$out/lib/musl-gcc.specs"
fi

echo "deps: zlib for $TARGET ($LIBC)"
unpack zlib
(cd "$out/work/zlib" &&
	CC="$cc" CFLAGS="$ZLIB_CFLAGS" CHOST="$TARGET" \
		log zlib-configure ./configure --static --prefix="$out" &&
	log zlib-make make -j"$JOBS" libz.a &&
	cp libz.a "$out/lib/" && cp zlib.h zconf.h "$out/include/")

echo "deps: mbedTLS for $TARGET ($LIBC)"
unpack mbedtls
(cd "$out/work/mbedtls" &&
	log mbedtls-make make -C library -j"$JOBS" CC="$cc" AR="${AR:-ar}" \
		CFLAGS="$DEP_CFLAGS -DMBEDTLS_CONFIG_FILE='\"$MBEDTLS_CONFIG\"' $MBEDTLS_CFLAGS" \
		libmbedcrypto.a libmbedx509.a libmbedtls.a &&
	cp library/libmbedcrypto.a library/libmbedx509.a library/libmbedtls.a \
		"$out/lib/" &&
	cp -R include/mbedtls include/psa "$out/include/")

# zstd decompression only: no compressor, dictionary builder, deprecated
# API or legacy (pre-1.0) formats; the static library is single-threaded.
# -O2 as zlib, for the same reason.
echo "deps: zstd for $TARGET ($LIBC)"
unpack libzstd
(cd "$out/work/libzstd/lib" &&
	log zstd-make make -j"$JOBS" CC="$cc" AR="${AR:-ar}" \
		CFLAGS="$ZLIB_CFLAGS" ZSTD_LIB_COMPRESSION=0 \
		ZSTD_LIB_DICTBUILDER=0 ZSTD_LIB_DEPRECATED=0 \
		ZSTD_LEGACY_SUPPORT=0 libzstd.a &&
	cp libzstd.a "$out/lib/" && cp zstd.h zstd_errors.h "$out/include/")

# ISA-L: its igzip and crc units only (the linker keeps the inflate and
# the gzip CRC with their CPU variants); -O2 as zlib. nasm assembles the
# x86-64 kernels, the compiler the AArch64 ones.
if [ -n "${ISAL_CPU:-}" ]; then
	echo "deps: ISA-L for $TARGET ($LIBC, $ISAL_CPU)"
	unpack libisal
	case $ISAL_CPU in
	x86_64) isal_arch="" ;;
	aarch64) isal_arch=aarch64 ;;
	*) echo "deps: ISAL_CPU=$ISAL_CPU: ISA-L has kernels for x86_64 and aarch64" >&2
	   exit 1 ;;
	esac
	(cd "$out/work/libisal" &&
		log isal-make make -f Makefile.unx -j"$JOBS" units=igzip \
			host_cpu="$ISAL_CPU" arch="$isal_arch" CC="$cc" AR="${AR:-ar}" \
			"CFLAGS_$isal_arch=$ZLIB_CFLAGS" lib &&
		mkdir -p "$out/include/isa-l" &&
		cp bin/isa-l.a "$out/lib/libisal.a" &&
		cp include/igzip_lib.h "$out/include/isa-l/")
fi

# jsmn is one header, from Debian's libjsmn-dev (make deps installs it).
cp /usr/include/jsmn.h "$out/include/"
rm -rf "$out/work"
touch "$out/.stamp"
