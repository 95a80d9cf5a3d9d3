#!/bin/sh
# Print the OCI platform (os/arch[/variant]) of the machine that builds.
arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
case "$arch" in
amd64|x86_64) echo linux/amd64 ;;
arm64|aarch64) echo linux/arm64/v8 ;;
armhf|armv7l) echo linux/arm/v7 ;;
armel|armv6l) echo linux/arm/v6 ;;
i386|i686) echo linux/386 ;;
ppc64el|ppc64le) echo linux/ppc64le ;;
s390x) echo linux/s390x ;;
riscv64) echo linux/riscv64 ;;
*) echo "linux/$arch" ;;
esac
