# The build machine itself: native compiler, Linux port, platform of the host.
TOOLCHAIN := gcc-host
PORT      := linux
# Default platform follows the machine that builds.
BOARD_PLATFORM := $(shell sh board/host/platform.sh)
