# Native GCC of the build machine (Debian's gcc). Tests run the binary directly.
CC       ?= gcc
CC       := $(if $(filter default,$(origin CC)),gcc,$(CC))
STRIP    := strip
AR       := ar
KHDR     := /usr/include /usr/include/$(shell gcc -dumpmachine)
TRIPLET  := $(shell gcc -dumpmachine)
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
RUNNER   :=
ARCH_CFLAGS :=
# Debian package that provides the compiler; `make deps` installs it.
TOOLCHAIN_PKGS := gcc libc6-dev
