# Debian's cross GCC for 64-bit ARM (LP64); ocipull is linked statically
# against musl built with it (toolchain/build-deps.sh). Tests run it under
# qemu-user.
CC       := aarch64-linux-gnu-gcc
STRIP    := aarch64-linux-gnu-strip
AR       := aarch64-linux-gnu-ar
KHDR     := /usr/aarch64-linux-gnu/include
TRIPLET  := aarch64-linux-gnu
DEB_ARCH := arm64
RUNNER   := qemu-aarch64-static
ARCH_CFLAGS :=
TOOLCHAIN_PKGS := gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static
