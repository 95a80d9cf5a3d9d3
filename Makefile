# ocipull: plain GNU make, one variable selects the board.
#
#   make                      host build          -> build/host/ocipull
#   make BOARD=generic-arm64  cross build         -> build/generic-arm64/ocipull
#   make deps                 install what building and testing need (apt)
#   make check                unit tests (ASan+UBSan) and the integration suite
#                             against all three boards; ends "N passed, N failed"
#   make size                 stripped size of every built binary, and each
#                             part's share of it (from the linker map)
#   make install              the stripped binary to $(DESTDIR)$(PREFIX)/bin
#   make demo                 the main job, end to end, on a local registry
#   make bench                timings against skopeo+umoci and curl|tar
#
# Dependencies are built from pinned sources into build/deps/ (see below);
# SYSROOT or MBEDTLS_DIR, ZLIB_DIR, ZSTD_DIR, ISAL_DIR, JSMN_DIR use a prebuilt set instead.
# CC, CPPFLAGS, CFLAGS and LDFLAGS are the user's: what ocipull needs is
# added in front of them, so a build system's own flags (Buildroot, Yocto)
# can be passed whole.

BOARD ?= host
BOARDS := host generic-arm64 generic-armv7

ifeq ($(wildcard board/$(BOARD)/board.mk),)
$(error unknown BOARD '$(BOARD)': see board/README.md)
endif
include board/$(BOARD)/board.mk
include toolchain/$(TOOLCHAIN).mk

B := build/$(BOARD)

# Dependencies. By default they are built here (make deps, or the first
# build of a board): musl, zlib, zstd and mbedTLS from the Debian source tarballs
# that toolchain/sources.lock pins, configured by toolchain/mbedtls-config.h
# (a board may set MBEDTLS_CONFIG), into build/deps/$(BOARD)/; ocipull is
# linked statically against that musl through its gcc specs file.
#
# A prebuilt set is used instead, and nothing is built, when SYSROOT or any
# of MBEDTLS_DIR, ZLIB_DIR, ZSTD_DIR, ISAL_DIR, JSMN_DIR is given (Buildroot, Yocto: see
# README.md). Each *_DIR holds include/ and lib/ (JSMN_DIR may also be
# jsmn's source tree, jsmn.h at its top), searched before the compiler's
# own directories; SYSROOT adds SYSROOT/usr/include and SYSROOT/usr/lib
# after them. The mbedTLS headers must be those of the library's own
# build (its mbedtls_config.h), and CC is the toolchain's, its C library
# whatever it is. --version reports what the build says: JSMN_VERSION,
# LIBC_VERSION ("musl 1.2.5") and ISAL_VERSION may be given; glibc tells its own.
ifeq ($(strip $(SYSROOT)$(MBEDTLS_DIR)$(ZLIB_DIR)$(ZSTD_DIR)$(ISAL_DIR)$(JSMN_DIR)),)
MBEDTLS_CONFIG ?= toolchain/mbedtls-config.h
DEPS := build/deps/$(BOARD)
DEPS_STAMP := $(DEPS)/.stamp
LIBC_SPECS := -specs=$(abspath $(DEPS))/lib/musl-gcc.specs
DEP_CPPFLAGS := -DMBEDTLS_CONFIG_FILE='"$(abspath $(MBEDTLS_CONFIG))"'
DEP_LDFLAGS :=
# musl's and ISA-L's versions from their pinned tarballs' names; jsmn's from Debian's
# libjsmn-dev, whose jsmn.h build-deps.sh copies.
LIBC_VERSION := musl $(or $(shell sed -n \
	's/^musl[[:space:]].*[[:space:]]musl_\([^[:space:]]*\)\.orig\.tar\..*/\1/p' \
	toolchain/sources.lock),unknown)
ISAL_VERSION := $(or $(shell sed -n \
	's/^libisal[[:space:]].*[[:space:]]libisal_\([^[:space:]]*\)\.orig\.tar\..*/\1/p' \
	toolchain/sources.lock),unknown)
JSMN_VERSION := $(shell dpkg-query -W -f='$${Version}' libjsmn-dev 2>/dev/null | \
	sed 's/^[0-9]*://; s/-[^-]*$$//')
else
DEP_DIRS := $(MBEDTLS_DIR) $(ZLIB_DIR) $(ZSTD_DIR) $(ISAL_DIR) $(JSMN_DIR)
ISAL_VERSION ?= unknown
DEP_CPPFLAGS := $(foreach d,$(DEP_DIRS),-isystem $(d)/include) \
	$(if $(JSMN_DIR),-isystem $(JSMN_DIR)) \
	$(if $(SYSROOT),-idirafter $(SYSROOT)/usr/include)
DEP_LDFLAGS := $(foreach d,$(DEP_DIRS) $(if $(SYSROOT),$(SYSROOT)/usr),\
	-L$(d)/lib -L$(d)/lib/$(TRIPLET))
endif
LIBS := -lmbedtls -lmbedx509 -lmbedcrypto -lzstd -lz

# The gzip engine, the board's choice (board.mk): isal, ISA-L's igzip
# inflate, for a CPU it has kernels for (ISAL_CPU: x86_64 or aarch64), or
# zlib's inflate (the default, and every other CPU). A prebuilt set gives
# ISA-L with ISAL_DIR.
GZIP_ENGINE ?= zlib
ifeq ($(GZIP_ENGINE),isal)
ifeq ($(filter x86_64 aarch64,$(ISAL_CPU)),)
$(error GZIP_ENGINE=isal needs ISAL_CPU x86_64 or aarch64, not '$(ISAL_CPU)')
endif
LIBS := -lmbedtls -lmbedx509 -lmbedcrypto -lzstd -lisal -lz
OCIPULL_GZIP := -DBOARD_GZIP_ISAL=1 -DOCIPULL_ISAL_VERSION='"$(ISAL_VERSION)"'
DEPS_ISAL_CPU := $(ISAL_CPU)
else ifneq ($(GZIP_ENGINE),zlib)
$(error GZIP_ENGINE '$(GZIP_ENGINE)': isal or zlib)
endif

WARN := -Wall -Wextra -Wshadow -Wconversion -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wvla -Wformat=2 \
	-Wundef -Wold-style-definition -Wnull-dereference
ifeq ($(WERROR),1)
WARN += -Werror
endif
OCIPULL_CPPFLAGS := -Iboard/$(BOARD) -Isrc -Iport $(DEP_CPPFLAGS) $(OCIPULL_GZIP) \
	-DBOARD_PLATFORM='"$(BOARD_PLATFORM)"' \
	-D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
# No unwind tables: C without exceptions needs none (debuggers read the
# -g frame information), and on arm64 they were 50 KiB of the binary.
OCIPULL_CFLAGS := -std=c11 -g $(WARN) $(ARCH_CFLAGS) -ffunction-sections \
	-fdata-sections -fno-strict-aliasing -fno-asynchronous-unwind-tables \
	-fno-unwind-tables
OCIPULL_LDFLAGS := -static -Wl,--gc-sections
CFLAGS ?= -O2
# One object's own -D flags: `$(B)/obj/src/x.o: OBJ_DEFS += -D...`.
OBJ_DEFS :=
$(B)/obj/src/main.o: OBJ_DEFS += \
	$(if $(JSMN_VERSION),-DOCIPULL_JSMN_VERSION='"$(JSMN_VERSION)"')
$(B)/obj/port/$(PORT)/libc.o: OBJ_DEFS += \
	$(if $(LIBC_VERSION),-DOCIPULL_LIBC_VERSION='"$(LIBC_VERSION)"')

SRC := $(wildcard src/*.c)
PORT_SRC := $(wildcard port/$(PORT)/*.c)
OBJ := $(patsubst %.c,$(B)/obj/%.o,$(SRC) $(PORT_SRC))
HDR := $(wildcard src/*.h port/*.h port/$(PORT)/*.h board/$(BOARD)/*.h)

.PHONY: all deps deps-board deps-tools check unit size size-board install demo bench clean \
	print-runner print-gzip-engine fuzz fuzz-deps test-bins FORCE
all: $(B)/ocipull

# V=1 shows the full commands.
Q := $(if $(filter 1,$(V)),,@)

# Each link leaves its map beside the binary, for make size.
$(B)/ocipull: $(OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(LIBC_SPECS) $(OCIPULL_CFLAGS) $(CFLAGS) $(OCIPULL_LDFLAGS) \
		-Wl,-Map=$@.map $(LDFLAGS) -o $@ $(OBJ) $(DEP_LDFLAGS) $(LIBS)

$(B)/obj/%.o: %.c $(HDR) $(DEPS_STAMP) board/$(BOARD)/board.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(LIBC_SPECS) $(OCIPULL_CPPFLAGS) $(OBJ_DEFS) $(CPPFLAGS) \
		$(OCIPULL_CFLAGS) $(CFLAGS) -c -o $@ $<

# The build's time, the floor under the clock for certificate dates
# (src/clockfloor.h): SOURCE_DATE_EPOCH when set, else the newest source
# file's mtime, never later than now. Only build_time.o is compiled with
# it, and only when it changed ($(B)/build-time keeps the last value).
BUILD_TIME_FILES := src port board/$(BOARD) toolchain Makefile
BUILD_TIME := $(or $(SOURCE_DATE_EPOCH),$(shell now=$$(date +%s); \
	t=$$(find $(BUILD_TIME_FILES) -type f -printf '%T@\n' | sort -n | tail -n 1); \
	t=$${t%.*}; [ "$${t:-0}" -le "$$now" ] && echo "$${t:-0}" || echo "$$now"))
$(B)/build-time: FORCE
	@mkdir -p $(B)
	@echo "$(BUILD_TIME)" | cmp -s - $@ || echo "$(BUILD_TIME)" > $@
$(B)/obj/src/build_time.o: $(B)/build-time
$(B)/obj/src/build_time.o: OBJ_DEFS += -DOCIPULL_BUILD_TIME=$(BUILD_TIME)
FORCE:

# For make check: the same objects linked a second time with the floor at
# 2100-01-01, so that the clock of the machine running the tests is behind
# the floor, as a device's at boot (tests/integration/clockfloor.sh).
FLOOR_TEST_TIME := 4102444800
$(B)/test/build_time.o: src/build_time.c $(HDR) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (floor $(FLOOR_TEST_TIME))"
	$(Q)$(CC) $(LIBC_SPECS) $(OCIPULL_CPPFLAGS) -DOCIPULL_BUILD_TIME=$(FLOOR_TEST_TIME) \
		$(CPPFLAGS) $(OCIPULL_CFLAGS) $(CFLAGS) -c -o $@ $<
$(B)/test/ocipull-floor2100: $(filter-out $(B)/obj/src/build_time.o,$(OBJ)) \
		$(B)/test/build_time.o
	@echo "  LD      $@"
	$(Q)$(CC) $(LIBC_SPECS) $(OCIPULL_CFLAGS) $(CFLAGS) \
		$(OCIPULL_LDFLAGS) $(LDFLAGS) \
		-o $@ $^ $(DEP_LDFLAGS) $(LIBS)
test-bins: $(B)/test/ocipull-floor2100

# The pinned tarballs, checked (toolchain/fetch-sources.sh), then one
# board's dependencies, rebuilt whenever a pin, the script or the mbedTLS
# configuration changes.
DEPS_SRC := build/deps/src
$(DEPS_SRC)/.stamp: toolchain/sources.lock toolchain/fetch-sources.sh
	sh toolchain/fetch-sources.sh toolchain/sources.lock $(DEPS_SRC)
	@touch $@

$(DEPS_STAMP): $(DEPS_SRC)/.stamp toolchain/build-deps.sh $(MBEDTLS_CONFIG) \
		board/$(BOARD)/board.mk
	$(Q)CC="$(CC)" AR="$(AR)" TARGET=$(TRIPLET) LIBC=musl KHDR="$(KHDR)" \
		ISAL_CPU=$(DEPS_ISAL_CPU) MBEDTLS_CONFIG=$(abspath $(MBEDTLS_CONFIG)) SRC=$(DEPS_SRC) \
		sh toolchain/build-deps.sh $(DEPS)

# The unit tests' copy: the same sources and configuration (plus MD5, which
# test_tar checks archives with) against the host's glibc, for ASan.
UNIT_DEPS := build/deps/unit
# With ISA-L where this machine has its kernels: the unit tests cover
# both gzip engines (test_gunzip with ISA-L, test_gunzip_zlib with zlib).
UNIT_ISAL_CPU := $(filter x86_64 aarch64,$(shell uname -m))
UNIT_MBEDTLS_CFLAGS := -DMBEDTLS_MD5_C
$(UNIT_DEPS)/.stamp: $(DEPS_SRC)/.stamp toolchain/build-deps.sh toolchain/mbedtls-config.h
	$(Q)CC=gcc AR=ar TARGET=$$(gcc -dumpmachine) LIBC=glibc \
		ISAL_CPU=$(UNIT_ISAL_CPU) MBEDTLS_CONFIG=$(abspath toolchain/mbedtls-config.h) \
		MBEDTLS_CFLAGS="$(UNIT_MBEDTLS_CFLAGS)" SRC=$(DEPS_SRC) \
		sh toolchain/build-deps.sh $(UNIT_DEPS)

# ---- set-up ---------------------------------------------------------------

# Everything the three boards and the test suite need, from Debian.
DEB_PKGS := make gcc libc6-dev zlib1g-dev libjsmn-dev bzip2 xz-utils zstd \
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
	gcc-arm-linux-gnueabihf libc6-dev-armhf-cross \
	qemu-user-static binutils-aarch64-linux-gnu binutils-arm-linux-gnueabihf \
	docker-registry skopeo umoci openssl apache2-utils curl python3 libdeflate-tools isal \
	file busybox-static ca-certificates dpkg-dev time strace bubblewrap nasm
deps:
	@sh toolchain/install-deps.sh $(DEB_PKGS)
	@$(MAKE) --no-print-directory $(UNIT_DEPS)/.stamp
	@for b in $(BOARDS); do \
		$(MAKE) --no-print-directory BOARD=$$b deps-board || exit 1; done
	@$(MAKE) --no-print-directory deps-tools

deps-board: $(DEPS_STAMP)

# The tools the test suite runs beside ocipull, cosign and oras
# (tests/integration/sig.sh): the amd64 packages toolchain/tools.lock pins,
# checked, then extracted, not installed, into build/tools/ (so
# build/tools/usr/bin/cosign). On another host the signature tests are
# skipped.
TOOLS := build/tools
$(TOOLS)/.stamp: toolchain/tools.lock toolchain/fetch-sources.sh
	sh toolchain/fetch-sources.sh toolchain/tools.lock $(TOOLS)/debs
	@rm -rf $(TOOLS)/usr
	@for f in $$(awk '!/^#/ && NF == 4 { print $$3 }' toolchain/tools.lock); do \
		echo "deps: extract $$f into $(TOOLS)"; \
		dpkg-deb -x $(TOOLS)/debs/$$f $(TOOLS) || exit 1; done
	@touch $@

deps-tools:
	@arch=$$(dpkg --print-architecture 2>/dev/null); \
	if [ "$$arch" = amd64 ]; then $(MAKE) -s --no-print-directory $(TOOLS)/.stamp; \
	else echo "deps: toolchain/tools.lock pins amd64 packages, this host is" \
		"'$$arch': the signature tests (tests/integration/sig.sh) will be skipped"; fi

# ---- tests ----------------------------------------------------------------

# Unit tests: src/ (without main) and the port, built for the host with
# AddressSanitizer and UndefinedBehaviorSanitizer, one binary per test file.
UNIT_CFLAGS := -std=c11 -g -O1 $(WARN) -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
# The deadline for response headers is 3 s instead of 30 s, so that
# test_registry's slow server is refused quickly; the code is the same.
UNIT_CPPFLAGS := -Iboard/host -Isrc -Iport -Itests/unit -isystem $(UNIT_DEPS)/include \
	-DMBEDTLS_CONFIG_FILE='"$(abspath toolchain/mbedtls-config.h)"' \
	$(UNIT_MBEDTLS_CFLAGS) \
	-DBOARD_PLATFORM='"linux/amd64"' -D_FILE_OFFSET_BITS=64 \
	-DBOARD_HEADER_TIMEOUT_MS=3000u \
	$(if $(UNIT_ISAL_CPU),-DBOARD_GZIP_ISAL=1 -DOCIPULL_ISAL_VERSION='"$(ISAL_VERSION)"')
# port/linux/malloc.c replaces libc's malloc: not under ASan.
UNIT_LIB_SRC := $(filter-out src/main.c,$(wildcard src/*.c)) \
	$(filter-out port/linux/malloc.c,$(wildcard port/linux/*.c))
UNIT_TESTS := $(patsubst tests/unit/%.c,build/unit/%,$(wildcard tests/unit/test_*.c))
UNIT_HDR := $(wildcard src/*.h port/*.h port/linux/*.h tests/unit/*.h)

UNIT_LIBS := -L$(UNIT_DEPS)/lib -lmbedtls -lmbedx509 -lmbedcrypto -lzstd \
	$(if $(UNIT_ISAL_CPU),-lisal) -lz
# The code under test is compiled once, not once per test binary.
UNIT_OBJ := $(patsubst %.c,build/unit/obj/%.o,$(UNIT_LIB_SRC))

build/unit/obj/%.o: %.c $(UNIT_HDR) $(UNIT_DEPS)/.stamp
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (ASan, UBSan)"
	$(Q)gcc $(UNIT_CPPFLAGS) $(UNIT_CFLAGS) -c -o $@ $<

build/unit/%: tests/unit/%.c $(UNIT_OBJ) $(UNIT_HDR) $(UNIT_DEPS)/.stamp
	@mkdir -p build/unit
	@echo "  CC      $@ (ASan, UBSan)"
	$(Q)gcc $(UNIT_CPPFLAGS) $(UNIT_CFLAGS) -o $@ $< $(UNIT_OBJ) $(UNIT_LIBS)

# Fault injection: test_faults and test_clockfloor link port/fake/ around
# the real port with GNU ld's --wrap (this rule takes precedence over the
# pattern).
FAKE_WRAP := -Wl,--wrap=port_net_read,--wrap=port_net_write,--wrap=port_fs_write,--wrap=port_fs_fsync,--wrap=port_fs_syncfs,--wrap=port_wall_s
FAKE_TESTS := build/unit/test_faults build/unit/test_clockfloor
$(FAKE_TESTS): build/unit/%: tests/unit/%.c port/fake/fake.c port/fake/fake.h \
		$(UNIT_OBJ) $(UNIT_HDR) $(UNIT_DEPS)/.stamp
	@mkdir -p build/unit
	@echo "  CC      $@ (ASan, UBSan, fake port)"
	$(Q)gcc $(UNIT_CPPFLAGS) -Iport/fake $(UNIT_CFLAGS) -o $@ $< port/fake/fake.c \
		$(UNIT_OBJ) $(FAKE_WRAP) $(UNIT_LIBS) -lpthread

# test_gunzip again over zlib's inflate, when the unit tests' own engine is
# ISA-L: the fallback's code is tested here as well as on generic-armv7.
ifneq ($(UNIT_ISAL_CPU),)
UNIT_TESTS += build/unit/test_gunzip_zlib
build/unit/obj/gunzip_zlib.o: src/gunzip.c $(UNIT_HDR) $(UNIT_DEPS)/.stamp
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (ASan, UBSan, zlib)"
	$(Q)gcc $(UNIT_CPPFLAGS) -UBOARD_GZIP_ISAL -DBOARD_GZIP_ISAL=0 $(UNIT_CFLAGS) -c -o $@ $<
build/unit/test_gunzip_zlib: tests/unit/test_gunzip.c build/unit/obj/gunzip_zlib.o \
		build/unit/obj/src/err.o $(UNIT_HDR)
	@echo "  CC      $@ (ASan, UBSan, zlib)"
	$(Q)gcc $(UNIT_CPPFLAGS) -UBOARD_GZIP_ISAL -DBOARD_GZIP_ISAL=0 $(UNIT_CFLAGS) -o $@ $< \
		build/unit/obj/gunzip_zlib.o build/unit/obj/src/err.o $(UNIT_LIBS)
endif

unit: $(UNIT_TESTS)

CHECK_BOARDS ?= $(BOARDS)
check: unit
	@for b in $(CHECK_BOARDS); do \
		$(MAKE) --no-print-directory BOARD=$$b all test-bins || exit 1; done
	sh tests/run.sh $(CHECK_BOARDS)

# Every built board: the stripped size and each part's share of it, from
# the linker map (toolchain/size.sh).
size:
	@for f in $(wildcard build/*/ocipull); do \
		b=$$(basename $$(dirname $$f)); \
		[ -f board/$$b/board.mk ] || continue; \
		$(MAKE) --no-print-directory BOARD=$$b size-board || exit 1; \
	done

size-board:
	@$(STRIP) -o $(B)/ocipull.stripped $(B)/ocipull
	@sh toolchain/size.sh $(BOARD) $(B)/ocipull.stripped $(B)/ocipull.map \
		"$(LIBC_VERSION)"

# The stripped binary into $(DESTDIR)$(PREFIX)/bin (STRIP=true keeps the
# symbols, for a build system that strips and splits debug info itself).
PREFIX ?= /usr/local
install: $(B)/ocipull
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(B)/ocipull $(DESTDIR)$(PREFIX)/bin/ocipull
	$(STRIP) $(DESTDIR)$(PREFIX)/bin/ocipull

demo:
	sh tests/demo.sh

# Timings against skopeo+umoci and curl|tar on a local registry (not part
# of check; see tests/bench.sh for BENCH_ROUNDS and the other knobs).
bench:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory BOARD=host all
	@for b in generic-arm64 generic-armv7; do \
		$(MAKE) --no-print-directory BOARD=$$b all || \
		echo "bench: the $$b build failed; its size is left out"; done
	sh tests/bench.sh

clean:
	rm -rf build/host build/host-zlib build/generic-arm64 build/generic-armv7 build/unit

# The qemu-user runner of the board's toolchain (empty for the host).
print-runner:
	@echo $(RUNNER)

# The board's gzip engine (isal or zlib).
print-gzip-engine:
	@echo $(GZIP_ENGINE)

# ---- fuzzing (not part of check) ------------------------------------------

# libFuzzer targets of the pure parsers (tests/fuzz/fuzz_<name>.c), built
# with clang, ASan and UBSan into build/fuzz/, each run for FUZZ_SECONDS.
# New inputs go to build/fuzz/corpus/<name>/, seeds are read from
# tests/fuzz/corpus/<name>/ (tests/fixtures/mkseeds.py writes the archives
# and documents; for tar also the shared corpus's Go archives when they are
# there: $OCIPULL_TESTDATA, else ../shared/testdata), crashes
# land in build/fuzz/artifacts/<name>/ and stop make (make -k goes on).
# One fuzzer alone: make fuzz FUZZ_NAMES=tar. Reproduce a crash:
# build/fuzz/fuzz_<name> <file>.
FUZZ_SECONDS ?= 60
FUZZ_NAMES ?= tar http json manifest ref auth gunzip igzip unzstd sig archive
FUZZ_CC ?= clang
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CPPFLAGS := -Iboard/host -Isrc -Iport -DBOARD_PLATFORM='"linux/amd64"' \
	-D_FILE_OFFSET_BITS=64
FUZZ_SRC_tar := src/tar.c src/tar_ext.c src/xattr.c src/lex.c
FUZZ_SRC_http := src/http.c src/http_url.c src/lex.c
FUZZ_SRC_json := src/json.c src/lex.c
FUZZ_SRC_manifest := src/manifest.c src/platform.c src/json.c src/ref.c \
	src/lex.c
FUZZ_SRC_ref := src/ref.c src/lex.c
FUZZ_SRC_auth := src/auth.c src/auth_cred.c src/json.c src/lex.c
FUZZ_SRC_gunzip := src/gunzip.c
# archive: the member reader over the port's files (a memfd, a pipe).
FUZZ_SRC_archive := src/archive.c src/tar.c src/tar_ext.c src/xattr.c \
	src/lex.c port/linux/fs.c port/linux/sys.c
FUZZ_LIBS_gunzip := -lz
# igzip: the same harness over ISA-L (the unit tests' build of it).
FUZZ_SRC_igzip := src/gunzip.c
FUZZ_LIBS_igzip := -L$(UNIT_DEPS)/lib -lisal
FUZZ_CPPFLAGS_igzip := -isystem $(UNIT_DEPS)/include -DBOARD_GZIP_ISAL=1 \
	-DOCIPULL_ISAL_VERSION='"$(ISAL_VERSION)"'
# unzstd: over the unit tests' libzstd (not instrumented itself).
FUZZ_SRC_unzstd := src/unzstd.c
FUZZ_LIBS_unzstd := -L$(UNIT_DEPS)/lib -lzstd
FUZZ_CPPFLAGS_unzstd := -isystem $(UNIT_DEPS)/include
# sig: the signature code over mbedTLS (the unit tests' glibc build); the
# harness gives the three port functions it needs.
FUZZ_SRC_sig := src/sig.c src/sigkey.c src/rekor.c src/manifest.c \
	src/platform.c src/ref.c src/json.c src/lex.c src/auth_cred.c \
	src/digest.c src/sha256.c
FUZZ_LIBS_sig := -L$(UNIT_DEPS)/lib -lmbedcrypto
FUZZ_CPPFLAGS_sig := -isystem $(UNIT_DEPS)/include \
	-DMBEDTLS_CONFIG_FILE='"$(abspath toolchain/mbedtls-config.h)"'
FUZZ_SEEDS_tar := $(or $(OCIPULL_TESTDATA),../shared/testdata)/tar/go
FUZZ_ARGS_tar := -max_len=131072
FUZZ_ARGS := -timeout=10 -print_final_stats=1

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(wildcard src/*.c src/*.h)
	@mkdir -p build/fuzz
	@echo "  CC      $@ (libFuzzer, ASan, UBSan)"
	$(Q)$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CPPFLAGS_$*) $(FUZZ_CFLAGS) -o $@ $< \
		$(FUZZ_SRC_$*) src/err.c $(FUZZ_LIBS_$*)

# clang and its fuzzer runtime are installed here, not by make deps: only
# fuzzing needs them.
fuzz-deps:
	sh toolchain/install-deps.sh clang libclang-rt-14-dev

build/fuzz/fuzz_%: | fuzz-deps

fuzz: $(patsubst %,build/fuzz/fuzz_%,$(FUZZ_NAMES))
	@set -e; for n in $(FUZZ_NAMES); do \
		mkdir -p build/fuzz/corpus/$$n build/fuzz/artifacts/$$n; \
		seeds=; \
		[ -d tests/fuzz/corpus/$$n ] && seeds=tests/fuzz/corpus/$$n; \
		case $$n in \
		tar) [ -d $(FUZZ_SEEDS_tar) ] && seeds="$$seeds $(FUZZ_SEEDS_tar)"; \
			args="$(FUZZ_ARGS_tar)";; \
		archive) seeds="$$seeds tests/fuzz/corpus/tar"; args="-max_len=60000";; \
		igzip) seeds="$$seeds tests/fuzz/corpus/gunzip"; args=;; \
		*) args=;; \
		esac; \
		echo "  FUZZ    $$n for $(FUZZ_SECONDS) s"; \
		build/fuzz/fuzz_$$n $(FUZZ_ARGS) $$args \
			-max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=build/fuzz/artifacts/$$n/ \
			build/fuzz/corpus/$$n $$seeds \
			> build/fuzz/$$n.log 2>&1 || \
			{ tail -n 40 build/fuzz/$$n.log; exit 1; }; \
		grep -E '^#[0-9]+.*DONE' build/fuzz/$$n.log | tail -n 1; \
	done
