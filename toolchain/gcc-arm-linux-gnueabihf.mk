# Debian's cross GCC for 32-bit ARM, hard-float EABI (ARMv7-A, Thumb-2, VFPv3-D16
# as Debian's armhf baseline). 32-bit: 64-bit file offsets and time_t are set
# by the Makefile for every target. Tests run the binary under qemu-user.
CC       := arm-linux-gnueabihf-gcc
STRIP    := arm-linux-gnueabihf-strip
AR       := arm-linux-gnueabihf-ar
KHDR     := /usr/arm-linux-gnueabihf/include
TRIPLET  := arm-linux-gnueabihf
DEB_ARCH := armhf
RUNNER   := qemu-arm-static
ARCH_CFLAGS :=
TOOLCHAIN_PKGS := gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user-static
