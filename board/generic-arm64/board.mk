# Any 64-bit ARM Linux device (Cortex-A53 and up) with glibc-compatible kernel ABI.
TOOLCHAIN := gcc-aarch64-linux-gnu
PORT      := linux
BOARD_PLATFORM := linux/arm64/v8
# gzip layers inflate with ISA-L's AArch64 kernels.
GZIP_ENGINE := isal
ISAL_CPU := aarch64
