#!/bin/sh
# hostile.sh: images whose layers try to leave the rootfs, pulled end to end
# through the registry. ocipull runs chrooted in a jail (it is static, and
# so is the qemu-user runner), so that even a broken build could only
# damage the jail; canaries beside DEST inside the jail must not change.
# The chroot itself runs in tests/lib/jail.sh's jail, like every ocipull.
. "$(dirname "$0")/../lib/t.sh"

if [ "$(id -u)" != 0 ]; then
	fail jail "needs root for chroot"
	exit 0
fi
J=$T_DIR/jail
rm -rf "$J"
mkdir -p "$J/pulls" "$J/outside"
cp "$OCIPULL" "$J/ocipull"
jail_run=/ocipull
if [ -n "$RUNNER" ]; then
	cp "$(command -v "$RUNNER")" "$J/runner"
	jail_run="/runner /ocipull"
fi
printf 'canary\n' > "$J/outside/canary"
printf 'canary\n' > "$J/canary"
snap() { (cd "$J" && find . -path ./pulls -prune -o -print0 | sort -z |
	xargs -0 stat -c '%n %f %s %Y %i' ; cat outside/canary canary) 2>/dev/null; }
before=$(snap)

jrun() {
	# shellcheck disable=SC2086
	jailed chroot "$J" $jail_run "$@" >"$OUT_F" 2>"$ERR_F" </dev/null
	RC=$?
	LAST="ocipull $*"
}

jrun pull --plain-http --platform linux/amd64 "$REG_HTTP/fixture/hostile:latest" /pulls/h
expect_rc hostile-contained-exit 0
R=$J/pulls/h
check() { if eval "$2"; then pass "$1"; else fail "$1" "$3"; fi; }
check abs-symlink-write-stays-inside '[ -f "$R/pwned-via-abs-symlink" ]' "not inside: $(ls -A "$R" | tr '\n' ' ')"
check dotdot-symlink-write-stays-inside '[ -f "$R/pwned-via-dotdot-symlink" ]' "not inside"
check absolute-name-stays-inside '[ -f "$R/abs-name" ]' "not inside"
check dotdot-name-cleaned '[ "$(cat "$R/d/inner" 2>/dev/null)" = fine ]' "d/inner missing"
check symlink-target-kept-verbatim '[ "$(readlink "$R/evil")" = / ]' "evil -> $(readlink "$R/evil")"
check hardlink-through-symlink-inside '[ "$(stat -c %i "$R/hl")" = "$(stat -c %i "$R/etc-canary")" ]' "hl not linked to etc-canary"
check whiteout-through-symlink-inside '[ ! -e "$R/victim" ]' "victim still there"
check nothing-written-outside '[ "$(snap)" = "$before" ]' "the jail outside DEST changed"
check no-file-at-jail-root '[ ! -e "$J/pwned-via-abs-symlink" ] && [ ! -e "$J/abs-name" ]' "files at the jail root"

mkdir -p "$J/pulls/old"
printf 'old\n' > "$J/pulls/old/marker"
for img in escape-dotdot escape-hardlink; do
	jrun pull --plain-http --force --platform linux/amd64 "$REG_HTTP/fixture/$img:latest" /pulls/old
	expect_rc "$img-refused-exit" 9
	expect_err "$img-says-why" 'escape|outside|leaves the root'
	check "$img-dest-unchanged" '[ "$(cat "$J/pulls/old/marker")" = old ] && [ "$(ls -A "$J/pulls/old")" = marker ]' "DEST changed"
	check "$img-nothing-outside" '[ "$(snap)" = "$before" ] && [ ! -e "$J/escaped-dotdot" ] && [ ! -e "$J/pulls/escaped-dotdot" ]' "something changed outside"
done

# Tar members other readers see differently (tests/fixtures/mkimage.py
# hostile-tar): read as Go's archive/tar and containerd read them.
uxattrs() {   # the user.* xattrs of $1 as "name=value ..." (sorted)
	python3 -c 'import os, sys
p = sys.argv[1]
print(" ".join(sorted("%s=%s" % (n, os.getxattr(p, n, follow_symlinks=False).decode())
                      for n in os.listxattr(p, follow_symlinks=False) if n.startswith("user."))))' "$1"
}
jrun pull --plain-http --platform linux/amd64 "$REG_HTTP/fixture/hostile-tar:latest" /pulls/t
expect_rc hostile-tar-exit 0
R=$J/pulls/t
check type0-slash-is-a-file '[ -f "$R/sneaky" ] && [ "$(wc -c < "$R/sneaky")" -eq 1024 ]' "sneaky: $(ls -ld "$R/sneaky" 2>&1)"
check type0-slash-data-not-headers '[ -z "$(find "$R" -name hidden)" ]' "a member hidden in the data was unpacked"
check wh-dir-name-ordinary '[ "$(cat "$R/.wh.etc/somefile" 2>&1)" = non-empty ] && [ "$(cat "$R/etc/passwd" 2>&1)" = "all users" ]' "$(ls -A "$R" | tr '\n' ' ')"
check wh-dir-whited-out '[ ! -e "$R/.wh.old" ] && [ ! -e "$R/.wh..wh.old" ]' "$(ls -A "$R" | tr '\n' ' ')"
check redeclared-dir-xattrs-replaced '[ "$(uxattrs "$R/xdir")" = "user.b=new user.c=3" ]' "xdir: $(uxattrs "$R/xdir")"
check redeclared-file-xattrs-replaced '[ -z "$(uxattrs "$R/xfile")" ] && [ "$(cat "$R/xfile")" = v2 ]' "xfile: $(uxattrs "$R/xfile")"

# (uid_t)-1 and (gid_t)-1: chown would leave root's owner in place.
for img in uid-minus1 gid-minus1; do
	jrun pull --plain-http --force --platform linux/amd64 "$REG_HTTP/fixture/$img:latest" /pulls/old
	expect_rc "$img-refused-exit" 9
	expect_err "$img-says-why" "entry f: ${img%%-*} 4294967295"
	check "$img-dest-unchanged" '[ "$(cat "$J/pulls/old/marker")" = old ] && [ "$(ls -A "$J/pulls/old")" = marker ]' "DEST changed"
done
