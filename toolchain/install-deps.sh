#!/bin/sh
# install-deps.sh PKG...: install Debian packages that are missing, as root
# (or through sudo). Idempotent: when everything is installed it does not
# touch the network. A failing `apt-get update` of one index does not stop
# it; the install that follows says what is really missing.
set -u
missing=""
for p in "$@"; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	[ "$s" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && { echo "deps: all installed"; exit 0; }
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update || echo "deps: apt-get update reported errors; going on" >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y --no-install-recommends $missing
