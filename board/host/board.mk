# The build machine itself: native compiler, Linux port, platform of the host.
TOOLCHAIN := gcc-host
PORT      := linux
# Default platform follows the machine that builds.
BOARD_PLATFORM := $(shell sh board/host/platform.sh)
# gzip layers inflate with ISA-L where it has kernels for the machine
# (x86-64, AArch64), else with zlib.
ISAL_CPU := $(filter x86_64 aarch64,$(shell uname -m))
GZIP_ENGINE := $(if $(ISAL_CPU),isal,zlib)
