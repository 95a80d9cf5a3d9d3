# Any 32-bit ARMv7-A Linux device with hardware floating point.
TOOLCHAIN := gcc-arm-linux-gnueabihf
PORT      := linux
BOARD_PLATFORM := linux/arm/v7
# gzip layers inflate with zlib: ISA-L has no 32-bit ARM kernels.
GZIP_ENGINE := zlib
