# Debian's cross GCC for 64-bit ARM (glibc, LP64). Tests run the binary under
# qemu-user.
CC       := aarch64-linux-gnu-gcc
STRIP    := aarch64-linux-gnu-strip
TRIPLET  := aarch64-linux-gnu
DEB_ARCH := arm64
RUNNER   := qemu-aarch64-static
ARCH_CFLAGS :=
TOOLCHAIN_PKGS := gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static
