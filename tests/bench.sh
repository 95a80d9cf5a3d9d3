#!/bin/sh
# bench.sh: ocipull against skopeo+umoci and a curl|tar pipeline (`make bench`).
#
#  1. builds the benchmark images once (tests/bench/mkbench.py: realistic,
#     ~350 MB of /usr in 3 layers with whiteouts, an opaque directory, hard
#     and symbolic links; big, one ~1 GiB layer of random, text and zeros;
#     small, the multi fixture) into build/bench/images/KEY, KEY naming the
#     version of the generator and the sizes; a second run reuses them;
#     realistic-zstd and big-zstd, the same images with zstd layers, are
#     made from those through OCI layouts (skopeo --dest-compress-format
#     zstd: a registry-to-registry copy would reuse the gzip blobs), when
#     selected, and added to KEY's cache;
#  2. starts docker-registry on 127.0.0.1 (storage in a temporary directory)
#     and pushes the images with skopeo as bench/NAME:latest;
#  3. mounts a tmpfs for the destinations (or uses /dev/shm if the mount
#     fails, and says so);
#  4. runs tests/bench/run.py: per image one warm-up round then
#     BENCH_ROUNDS measured rounds of every contender, order rotated per
#     round, under GNU time; prints medians, per-round ocipull/contender
#     ratios and per-byte costs. ocipull runs in tests/lib/jail.sh's
#     bubblewrap jail (only the destination's directory writable) and is
#     timed inside it; the jail's start-up is measured and printed apart;
#     then issue 15's figures (K/B, zstd against gzip, peak RSS against its
#     limits) as facts;
#  5. prints the stripped sizes of build/*/ocipull next to skopeo and umoci.
# Everything printed, and the raw measurements, go to
# build/bench/results-DATE.txt. The registry is stopped and the tmpfs
# unmounted when it ends, also after a failure or ^C.
#
# Environment:
#   BENCH_ROUNDS=5          measured rounds (after one warm-up round)
#   BENCH_IMAGES="realistic realistic-zstd big big-zstd small"
#                           which images to time
#   BENCH_REALISTIC_MB=350  size of realistic (MB of tar, uncompressed)
#   BENCH_BIG_MB=1024       size of big (MiB of tar, uncompressed)
#   BENCH_TMPFS_SIZE=3g     size of the tmpfs mounted for the destinations
#   BENCH_DISK=1            also time realistic with the destination on the
#                           disk: a fresh ext4 in build/bench/disk.ext4,
#                           loop-mounted with direct I/O at build/bench/disk
#                           (why: see disk_mount), reported separately, with
#                           ocipull --no-sync and the pipeline followed by
#                           its sync as more contenders, and system calls
#                           per entry (strace -c) against GNU tar's
#   BENCH_DISK_SIZE=4g      size of that file system
#   KEEP=1                  keep the temporary directory (not the tmpfs)
# Needs what `make deps` installs (skopeo, umoci, docker-registry, curl,
# python3, GNU time, zstd, libdeflate-gunzip, igzip, strace) and build/host/ocipull;
# `make bench` does both first.
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
ROUNDS=${BENCH_ROUNDS:-5}
RMB=${BENCH_REALISTIC_MB:-350}
BMB=${BENCH_BIG_MB:-1024}
IMAGES=${BENCH_IMAGES:-realistic realistic-zstd big big-zstd small}
# Bump when mkbench.py changes what it builds: the cache key.
VERSION=1

NEED="skopeo umoci docker-registry curl python3 bash tar zcat sha256sum mkfifo bwrap zstd libdeflate-gunzip igzip"
[ "${BENCH_DISK:-0}" = 1 ] && NEED="$NEED strace"
for c in $NEED; do
	command -v "$c" >/dev/null 2>&1 || { echo "bench: $c is missing: run make deps" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "bench: GNU time (/usr/bin/time) is missing: run make deps" >&2; exit 2; }
[ -x build/host/ocipull ] || { echo "bench: build/host/ocipull is missing: run make" >&2; exit 2; }
case $ROUNDS in ''|*[!0-9]*|0) echo "bench: BENCH_ROUNDS must be a number >= 1" >&2; exit 2 ;; esac

mkdir -p build/bench/images
RESULTS=$ROOT/build/bench/results-$(date +%Y%m%d-%H%M%S).txt
: > "$RESULTS"
say() { echo "$*" | tee -a "$RESULTS"; }

# ---- 1. images ----------------------------------------------------------------
KEY=v$VERSION-r$RMB-b$BMB
IMG=$ROOT/build/bench/images/$KEY
if [ -f "$IMG/.done" ]; then
	say "bench: images from build/bench/images/$KEY (cached)"
else
	say "bench: building the images into build/bench/images/$KEY (once)"
	# A build that was interrupted: its literal path, KEY is never empty.
	rm -rf "build/bench/images/$KEY"
	t=$(date +%s)
	BENCH_REALISTIC_MB=$RMB BENCH_BIG_MB=$BMB python3 tests/bench/mkbench.py "$IMG" |
		tee -a "$RESULTS"
	[ -f "$IMG/small/index.json" ] || { echo "bench: mkbench.py failed" >&2; exit 1; }
	touch "$IMG/.done"
	say "bench: images built in $(($(date +%s) - t)) s"
fi
for n in $IMAGES; do
	case $n in realistic-zstd|big-zstd) ;; *) continue ;; esac
	[ -f "$IMG/$n/index.json" ] && continue
	say "bench: making $n from ${n%-zstd} into build/bench/images/$KEY (once)"
	rm -rf "$IMG/.$n.tmp"
	t=$(date +%s)
	skopeo copy -q --dest-compress-format zstd "oci:$IMG/${n%-zstd}:latest" \
		"oci:$IMG/.$n.tmp:latest" > "$IMG/.$n.log" 2>&1 ||
		{ echo "bench: making $n failed:" >&2; cat "$IMG/.$n.log" >&2; exit 1; }
	mv "$IMG/.$n.tmp" "$IMG/$n" || exit 1
	say "bench: $n made in $(($(date +%s) - t)) s"
done

# ---- 2. registry, tmpfs ---------------------------------------------------------
WORK=$(mktemp -d /tmp/ocipull-bench.XXXXXX) || exit 1
export WORK
. "$ROOT/tests/lib/registry.sh"
# The binary under test, pinned: others may rebuild build/host meanwhile.
OCIPULL=$WORK/ocipull
cp build/host/ocipull "$OCIPULL" || exit 1
# Where the host inflates with ISA-L, the same ocipull with zlib's inflate
# (the engine of boards without ISA-L) is timed beside it on gzip images.
ZLIB_ARGS=""
if [ "$(make -s --no-print-directory BOARD=host print-gzip-engine)" = isal ]; then
	if make -s --no-print-directory BOARD=host GZIP_ENGINE=zlib B=build/host-zlib \
		> "$WORK/zlib-build.log" 2>&1 && cp build/host-zlib/ocipull "$WORK/ocipull-zlib"; then
		ZLIB_ARGS="--ocipull-zlib $WORK/ocipull-zlib"
	else
		echo "bench: the zlib-engine build failed, ocipull-zlib left out:" >&2
		tail -5 "$WORK/zlib-build.log" >&2
	fi
fi
TMPFS=$WORK/tmpfs
MOUNTED=0
SHM=""
# BENCH_DISK's destination: a fresh ext4 made with mkfs.ext4's defaults
# (a journal, as a device's ext4 has) in a file on this disk, mounted
# through a loop device with direct I/O, so that its writes reach the disk
# and not the page cache of the file. Not the disk's own file system: a
# build machine's root may be ext4 without a journal (no /proc/fs/jbd2
# entry), whose inode allocator passes over every inode deleted in the
# last 30 s (dirty_expire_centisecs), so that each run paid for the tree
# the run before it removed: ext4's recently_deleted() took 60% of a
# tar -xzf's samples there, and a pull took 13 s instead of 1.5 s. If the
# loop device cannot be had, build/bench/disk on the disk's own file
# system is used, and the header says so.
DISK=$ROOT/build/bench/disk
DISK_IMG=$ROOT/build/bench/disk.ext4
DISK_LOOP=""
DISK_MOUNTED=0
disk_mount() {
	mkdir -p "$DISK" || exit 1
	rm -f "$DISK_IMG"
	if truncate -s "${BENCH_DISK_SIZE:-4g}" "$DISK_IMG" &&
		mkfs.ext4 -q -F "$DISK_IMG" > "$WORK/mkfs.log" 2>&1 &&
		DISK_LOOP=$(losetup --direct-io=on --find --show "$DISK_IMG" 2>"$WORK/losetup.err") &&
		mount "$DISK_LOOP" "$DISK" 2>"$WORK/disk-mount.err"; then
		DISK_MOUNTED=1
		DISK_WHERE="ext4 with a journal (mkfs.ext4 defaults, ${BENCH_DISK_SIZE:-4g}) in $DISK_IMG on $(df --output=fstype "$DISK_IMG" | tail -1), loop device with direct I/O, at $DISK"
	else
		[ -n "$DISK_LOOP" ] && losetup -d "$DISK_LOOP"
		DISK_LOOP=""
		rm -f "$DISK_IMG"
		DISK_WHERE="$DISK on the disk's own file system ($(df --output=fstype "$DISK" | tail -1); a loop-mounted ext4 could not be made: $(cat "$WORK/mkfs.log" "$WORK/losetup.err" "$WORK/disk-mount.err" 2>/dev/null | head -1))"
	fi
}

cleanup() {
	reg_stop_all
	if [ $DISK_MOUNTED = 1 ] && ! umount "$DISK"; then
		echo "bench: could not unmount $DISK: $DISK_LOOP and $DISK_IMG left" >&2
		DISK_LOOP=""
	fi
	if [ -n "$DISK_LOOP" ]; then
		losetup -d "$DISK_LOOP" || echo "bench: could not detach $DISK_LOOP" >&2
		rm -f "$DISK_IMG"
	fi
	if [ $MOUNTED = 1 ]; then
		umount "$TMPFS" || echo "bench: could not unmount $TMPFS" >&2
	fi
	case $SHM in /dev/shm/ocipull-bench.?*) rm -rf "$SHM" ;; esac
	case $WORK in
	/tmp/ocipull-bench.?*)
		if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"
		elif [ $MOUNTED = 1 ] && mountpoint -q "$TMPFS"; then echo "bench: $TMPFS still mounted, $WORK left" >&2
		else rm -rf "$WORK"; fi ;;
	esac
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir "$TMPFS"
if mount -t tmpfs -o "size=${BENCH_TMPFS_SIZE:-3g}" tmpfs "$TMPFS" 2>"$WORK/mount.err"; then
	MOUNTED=1
	DEST=$TMPFS
	WHERE="tmpfs (size=${BENCH_TMPFS_SIZE:-3g}, mounted for this run)"
else
	SHM=$(mktemp -d /dev/shm/ocipull-bench.XXXXXX) || exit 1
	DEST=$SHM
	WHERE="/dev/shm (tmpfs; mounting one failed: $(head -1 "$WORK/mount.err"))"
fi

port=$(reg_free_port)
reg_start bench "$port" || exit 1
REG=127.0.0.1:$port
# The same storage over https, with a CA made for this run (an ECDSA P-256
# chain; the server certificate names IP:127.0.0.1).
reg_make_ca "$WORK/ca" || { echo "bench: making the CA failed" >&2; exit 1; }
tport=$(reg_free_port)
reg_start bench-tls "$tport" tls "$WORK/ca" storage "$WORK/registry-bench/data" || exit 1
TREG=127.0.0.1:$tport
# ocipull over https trusts what a device would: the system's whole bundle
# (Debian's, 144 roots), with the run's CA added.
cat /etc/ssl/certs/ca-certificates.crt "$WORK/ca/ca.crt" > "$WORK/ca/bundle.crt" ||
	{ echo "bench: no /etc/ssl/certs/ca-certificates.crt: run make deps" >&2; exit 1; }
# small always: the TLS hand-shake figures below use it.
PUSH=$IMAGES
case " $PUSH " in *" small "*) ;; *) PUSH="$PUSH small" ;; esac
if [ "${BENCH_DISK:-0}" = 1 ]; then
	case " $IMAGES " in *" realistic "*) ;; *) PUSH="$PUSH realistic" ;; esac
fi
for n in $PUSH; do
	[ -d "$IMG/$n" ] || { echo "bench: unknown image $n" >&2; exit 2; }
	skopeo copy -q --all "oci:$IMG/$n:latest" "docker://$REG/bench/$n:latest" \
		--dest-tls-verify=false > "$WORK/push.log" 2>&1 ||
		{ echo "bench: pushing $n failed:" >&2; cat "$WORK/push.log" >&2; exit 1; }
done

# ---- 3. header -------------------------------------------------------------------
JAIL=$ROOT/tests/lib/jail.sh
STATS=""
sh "$JAIL" "$OCIPULL" help pull 2>&1 | grep -q -- '--stats' && STATS=--stats
say ""
say "ocipull benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/^MemTotal/ {printf "%d MiB RAM", $2 / 1024}' /proc/meminfo), kernel $(uname -r)"
say "ocipull: $(sh "$JAIL" "$OCIPULL" --version 2>&1 | head -1)${STATS:+ (with --stats)}, a copy of build/host/ocipull, sha256 $(sha256sum < "$OCIPULL" | cut -c1-16)"
say "skopeo: $(skopeo --version 2>&1 | head -1); umoci: $(umoci --version 2>&1 | head -1)"
say "curl: $(curl --version | head -1 | cut -d' ' -f1-2); tar: $(tar --version | head -1); gzip: $(gzip --version | head -1)"
say "zstd: $(zstd -qV); libdeflate-gunzip: $(dpkg-query -W -f='${Version}' libdeflate-tools 2>/dev/null || echo '?')"
say "registry: docker-registry on $REG (plain HTTP, loopback, storage on $(df --output=fstype "$WORK" | tail -1)), the same storage over https on $TREG (ECDSA P-256 certificate; ocipull trusts Debian's bundle and the run's CA)"
say "destination: $WHERE"
say "rounds: 1 warm-up + $ROUNDS measured per image, contenders rotated per round"

# ---- 4. measurements ----------------------------------------------------------
# shellcheck disable=SC2086 # IMAGES, STATS and ZLIB_ARGS are words
python3 tests/bench/run.py --reg "$REG" --tmp "$DEST" --where "$WHERE" \
	--ocipull "$OCIPULL" --out "$RESULTS" --rounds "$ROUNDS" \
	--https-reg "$TREG" --ca "$WORK/ca/bundle.crt" $ZLIB_ARGS \
	--jail "$JAIL" --jail-cost --rss-check $STATS $IMAGES || exit 1
# TLS hand-shake cost: inspect over https against plain http, every board
# (ARM under qemu-user, as in the tests).
HS=""
for b in host generic-arm64 generic-armv7; do
	[ -x "build/$b/ocipull" ] || continue
	cp "build/$b/ocipull" "$WORK/ocipull-$b" || exit 1
	HS="$HS $b=$(make -s --no-print-directory BOARD=$b print-runner):$WORK/ocipull-$b"
done
# shellcheck disable=SC2086
python3 tests/bench/run.py --reg "$REG" --tmp "$DEST" --ocipull "$OCIPULL" \
	--out "$RESULTS" --https-reg "$TREG" --ca "$WORK/ca/bundle.crt" \
	--jail "$JAIL" --handshake $HS || exit 1
# Signature cost: bench/small's index signed with cosign (from make deps),
# inspect with and without --verify-key, every board.
COSIGN=$ROOT/build/tools/usr/bin/cosign
if [ -x "$COSIGN" ]; then
	dig=$(skopeo inspect --raw --tls-verify=false "docker://$REG/bench/small:latest" |
		sha256sum | cut -d' ' -f1)
	(cd "$WORK" && HOME=$WORK COSIGN_PASSWORD='' "$COSIGN" generate-key-pair \
		--output-key-prefix bench-sig > cosign.log 2>&1 &&
	 HOME=$WORK COSIGN_PASSWORD='' "$COSIGN" sign --key bench-sig.key --tlog-upload=false \
		--allow-http-registry --allow-insecure-registry -y \
		"$REG/bench/small@sha256:$dig" >> cosign.log 2>&1) ||
		{ echo "bench: signing with cosign failed:" >&2; cat "$WORK/cosign.log" >&2; exit 1; }
	# shellcheck disable=SC2086
	python3 tests/bench/run.py --reg "$REG" --tmp "$DEST" --ocipull "$OCIPULL" \
		--out "$RESULTS" --jail "$JAIL" --signatures "$WORK/bench-sig.pub" $HS || exit 1
else
	say ""
	say "Signature cost: skipped (no $COSIGN: make deps fetches it)"
fi
if [ "${BENCH_DISK:-0}" = 1 ]; then
	disk_mount
	# shellcheck disable=SC2086
	python3 tests/bench/run.py --reg "$REG" --tmp "$DEST" \
		--dest "$DISK" --label=-disk \
		--where "$DISK_WHERE; sync after each run, not timed" \
		--ocipull "$OCIPULL" --out "$RESULTS" --rounds "$ROUNDS" \
		--jail "$JAIL" --strace $STATS realistic || exit 1
fi

# ---- 5. sizes ------------------------------------------------------------------
say ""
say "binary sizes (bytes)"
for b in host generic-arm64 generic-armv7; do
	f=build/$b/ocipull
	case $b in generic-arm64) s=aarch64-linux-gnu-strip ;;
		generic-armv7) s=arm-linux-gnueabihf-strip ;; *) s=strip ;; esac
	if [ -f "$f" ] && $s -o "$WORK/ocipull-$b" "$f"; then
		say "$(printf '%-28s %10d  stripped, static (%s)' "ocipull $b" "$(stat -c %s "$WORK/ocipull-$b")" "$f")"
	else
		say "$(printf '%-28s %10s  (%s not built)' "ocipull $b" - "$f")"
	fi
done
for c in skopeo umoci; do
	p=$(command -v $c)
	say "$(printf '%-28s %10d  as installed (%s, %s)' "$c" "$(stat -L -c %s "$p")" "$p" \
		"$(file -bL "$p" | cut -d, -f1-2)")"
done
say ""
say "bench: results in $RESULTS"
