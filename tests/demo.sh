#!/bin/sh
# demo.sh: the main job on this machine, end to end (`make demo`).
#
#  1. installs what is missing (make deps), builds ocipull for the host and
#     for generic-arm64;
#  2. downloads Debian's busybox-static for arm64 and armhf
#     (tests/fixtures/fetch-busybox.sh, a private apt state: the machine's
#     dpkg is not touched) and builds the demo image, an index of
#     linux/arm64/v8 and linux/arm/v7 (tests/fixtures/mkimage.py demo);
#  3. pushes it with skopeo as demo/busybox:latest to a registry started on
#     127.0.0.1, or to $REGISTRY when set;
#  4. runs the arm64 ocipull under qemu-aarch64-static to pull it into
#     build/demo/rootfs-arm64, then runs the pulled busybox under qemu;
#     both in tests/lib/jail.sh's bubblewrap jail (ocipull may write to
#     build/demo only, busybox nowhere).
#
# Environment:
#   REGISTRY=host:port          push to and pull from that registry instead
#                               (skopeo and ocipull use their usual
#                               credentials: ~/.docker/config.json, or
#                               $DOCKER_CONFIG; skopeo also its auth.json)
#   REGISTRY_TLS_VERIFY=false   for skopeo: do not verify its certificate
#                               (or use plain HTTP); ocipull then gets
#                               --plain-http if the registry answers plain
#                               HTTP, else --insecure
#   OCIPULL_FLAGS="..."         ocipull's transport options, instead of the
#                               ones guessed above (e.g. "--ca-file ca.crt")
set -eu
cd "$(dirname "$0")/.."
make -s deps
make -s BOARD=host
make -s BOARD=generic-arm64

DEMO=build/demo
ROOTFS=$DEMO/rootfs-arm64
IMAGE=demo/busybox:latest
mkdir -p "$DEMO"
echo "demo: busybox-static for arm64 and armhf"
bb_arm64=$(sh tests/fixtures/fetch-busybox.sh arm64 "$DEMO/busybox-arm64" | tail -1)
bb_armhf=$(sh tests/fixtures/fetch-busybox.sh armhf "$DEMO/busybox-armhf" | tail -1)
rm -rf "$DEMO/layouts"
BUSYBOX_ARM64=$bb_arm64 BUSYBOX_ARMHF=$bb_armhf \
	python3 tests/fixtures/mkimage.py "$DEMO/layouts" demo
index=$(python3 tests/fixtures/expect.py "$DEMO/layouts/demo" x index)
echo "demo: image $index (linux/arm64/v8, linux/arm/v7) in $DEMO/layouts/demo"

WORK=$(mktemp -d /tmp/ocipull-demo.XXXXXX)
export WORK
. tests/lib/registry.sh
trap 'reg_stop_all; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
if [ -z "${REGISTRY:-}" ]; then
	port=$(reg_free_port)
	reg_start demo "$port"
	REGISTRY=127.0.0.1:$port
	push_tls=--dest-tls-verify=false
	flags=${OCIPULL_FLAGS:---plain-http}
	where="a registry started for the demo (stopped when it ends)"
else
	push_tls=--dest-tls-verify=${REGISTRY_TLS_VERIFY:-true}
	if [ -n "${OCIPULL_FLAGS:-}" ]; then
		flags=$OCIPULL_FLAGS
	elif [ "${REGISTRY_TLS_VERIFY:-true}" = false ]; then
		code=$(curl -s -o /dev/null -w '%{http_code}' "http://$REGISTRY/v2/" 2>/dev/null) || true
		case $code in 200|401) flags=--plain-http ;; *) flags=--insecure ;; esac
	else
		flags=""
	fi
	where="\$REGISTRY"
fi
skopeo copy -q --all "oci:$DEMO/layouts/demo:latest" "docker://$REGISTRY/$IMAGE" "$push_tls"
echo "demo: pushed $IMAGE to $REGISTRY, $where"

# A rootfs an older ocipull left here has no state record: ocipull would
# refuse to replace it (it did not write it, as far as it can tell).
[ -e "$(dirname "$ROOTFS")/.$(basename "$ROOTFS").ocipull.json" ] || rm -rf "$ROOTFS"
echo "demo: qemu-aarch64-static build/generic-arm64/ocipull pull $flags $REGISTRY/$IMAGE $ROOTFS"
# shellcheck disable=SC2086 # flags are words
sh tests/lib/jail.sh -w "$(pwd)/$DEMO" \
	qemu-aarch64-static build/generic-arm64/ocipull pull $flags "$REGISTRY/$IMAGE" "$ROOTFS"

echo "demo: the pulled busybox, under qemu:"
echo "demo: \$ qemu-aarch64-static $ROOTFS/bin/busybox uname -m"
sh tests/lib/jail.sh qemu-aarch64-static -L "$ROOTFS" "$ROOTFS/bin/busybox" uname -m
echo "demo: \$ qemu-aarch64-static $ROOTFS/bin/sh -c 'echo hello from the pulled rootfs'"
sh tests/lib/jail.sh qemu-aarch64-static -L "$ROOTFS" "$ROOTFS/bin/sh" -c 'echo hello from the pulled rootfs'
echo "demo: \$ cat $ROOTFS/etc/os-release"
cat "$ROOTFS/etc/os-release"

cat <<EOF

demo: the arm64 root file system is in $(pwd)/$ROOTFS
demo: against another registry:
  REGISTRY=host:port make demo                 (pushes there, then pulls)
  REGISTRY=host:port REGISTRY_TLS_VERIFY=false make demo
or run ocipull yourself, on the device or under qemu:
  qemu-aarch64-static build/generic-arm64/ocipull pull [--plain-http] \\
      [--ca-file CA.crt] [--auth-file config.json] REGISTRY/REPO:TAG DEST
  build/host/ocipull pull --platform linux/arm64/v8 REGISTRY/REPO:TAG DEST
EOF
