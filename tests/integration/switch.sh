#!/bin/sh
# switch.sh: failures at and after the switch lose nothing, and the exit
# code and message say what DEST, DEST.old and the staging directory hold
# (host binary; root for the mounts, strace for injected errors).
#
#   - --config-out inside DEST or DEST.old is refused up front (exit 2);
#     one whose rename fails (it names a directory) fails the pull before
#     the switch (exit 9, a file system error), DEST unchanged;
#   - --keep-old with a DEST.old that cannot be moved (a read-only bind
#     mount; as nobody, a non-empty directory owned by root): the new tree is
#     switched out again: exit 9, DEST and DEST.old unchanged, no staging
#     left;
#   - switching back failing too (strace makes every rename after the
#     first fail): exit 11, DEST the new tree, DEST.old unchanged, the
#     previous tree in the staging directory, which the next pull refuses
#     to remove;
#   - the parent's fsync after the switch failing, or the replaced tree
#     holding a mount point that cannot be removed: exit 11, DEST the new
#     tree.
. "$(dirname "$0")/../lib/t.sh"
[ -z "$RUNNER" ] || exit 0
[ "$(id -u)" = 0 ] || exit 0

IMG=$REG_HTTP/fixture/layers:latest
W=$T_DIR/sw
D=$W/dest
S=$W/.dest.ocipull-staging
REF=$T_DIR/ref
rm -rf "$W" "$REF"
mkdir -p "$W"
run pull --plain-http --no-sync --platform linux/amd64 "$IMG" "$REF"
expect_rc switch-ref 0

# fresh [keep]: an old DEST (t.sh old_dest), and with keep a DEST.old too.
fresh() {
	rm -rf "$W"
	mkdir -p "$W"
	old_dest "$D"
	if [ "${1:-}" = keep ]; then
		mkdir -p "$D.old/sub"
		echo "older tree" > "$D.old/MARKER"
		cp -a "$D.old" "$W/dest.old.before"
	fi
}
# olds NAME: DEST and DEST.old are as fresh made them, no staging left.
olds() {
	same_tree "$1-dest-unchanged" "$D" "$D.before"
	same_tree "$1-dest-old-unchanged" "$D.old" "$W/dest.old.before"
	if [ -e "$S" ]; then fail "$1-no-staging-left" "$S: $(ls "$S")"
	else pass "$1-no-staging-left"; fi
}

# ---- --config-out ------------------------------------------------------------
fresh
run pull --plain-http --platform linux/amd64 --config-out "$D/sub/config.json" "$IMG" "$D"
expect_rc config-in-dest-refused 2
expect_err config-in-dest-message "is inside"
unchanged config-in-dest "$D"
fresh keep
run pull --plain-http --platform linux/amd64 --keep-old --force --config-out "$D.old/c.json" "$IMG" "$D"
expect_rc config-in-dest-old-refused 2
run pull --plain-http --platform linux/amd64 --config-out "$D" "$IMG" "$D"
expect_rc config-is-dest-refused 2
mkdir -p "$W/cfgdir/sub"
run pull --plain-http --platform linux/amd64 --config-out "$W/cfgdir" "$IMG" "$D"
expect_rc config-rename-fails 9
expect_err config-rename-fails-message "dest is unchanged"
same_tree config-rename-fails-dest "$D" "$D.before"

# ---- --keep-old: DEST.old cannot be moved -------------------------------------
fresh keep
jailed -r "$D.old" "$OCIPULL" pull --plain-http --platform linux/amd64 --keep-old --force \
	"$IMG" "$D" >"$OUT_F" 2>"$ERR_F" </dev/null
RC=$?
LAST="ocipull pull --keep-old (DEST.old a read-only mount)"
expect_rc keep-old-mount 9
expect_err keep-old-mount-message "dest and .*dest.old are unchanged: the previous tree could not become"
olds keep-old-mount

if command -v setpriv >/dev/null 2>&1; then
	fresh keep
	chown -R 65534:65534 "$W" "$D"
	chown -R 0:0 "$D.old" "$W/dest.old.before"
	chmod 0755 "$WORK" "$T_DIR"
	jailed env HOME="$W" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$OCIPULL" pull --plain-http --platform linux/amd64 --keep-old --force "$IMG" "$D" \
		>"$OUT_F" 2>"$ERR_F" </dev/null
	RC=$?
	chmod 0700 "$WORK"
	LAST="(as nobody) ocipull pull --keep-old (DEST.old owned by root)"
	expect_rc keep-old-root-owned 9
	expect_err keep-old-root-owned-message "are unchanged"
	same_tree keep-old-root-owned-dest-unchanged "$D" "$D.before"
	same_tree keep-old-root-owned-dest-old-unchanged "$D.old" "$W/dest.old.before"
fi

if ! command -v strace >/dev/null 2>&1; then
	fail switch-strace "strace is not installed (make deps installs it)"
	exit 0
fi

# ---- switching back fails too ---------------------------------------------------
# failing CALL WHEN ARGS...: pull with strace making the system call CALL
# fail with EIO at the calls WHEN counts (strace's syntax).
failing() {
	c=$1 when=$2
	shift 2
	jailed strace -f -o /dev/null -e trace="$c" -e inject="$c:error=EIO:when=$when" \
		"$OCIPULL" pull --plain-http --platform linux/amd64 "$@" "$IMG" "$D" \
		>"$OUT_F" 2>"$ERR_F" </dev/null
	RC=$?
	LAST="ocipull pull $* ($c number $when fails)"
}

fresh keep
failing renameat2 2+ --keep-old --force
expect_rc previous-kept-exit 11
expect_err previous-kept-message "dest holds the new tree and .*dest.old is unchanged, but the previous tree is in .*rootfs"
same_tree previous-kept-dest-new "$D" "$REF" --ignore-root-meta
same_tree previous-kept-dest-old "$D.old" "$W/dest.old.before"
same_tree previous-kept-previous-tree "$S/rootfs" "$D.before"
run pull --plain-http --platform linux/amd64 "$IMG" "$D"
expect_rc previous-kept-next-pull-refuses 9
expect_err previous-kept-next-pull-message "move it away first"
same_tree previous-kept-still-there "$S/rootfs" "$D.before"

# ---- after the switch ----------------------------------------------------------
# The last fsync of a pull is the parent's, after the switch (before it:
# the journal's head, each layer's record header and journal line, the
# commit line): counted on a clean pull first.
fresh
jailed strace -f -o "$W/fsyncs" -e trace=fsync \
	"$OCIPULL" pull --plain-http --platform linux/amd64 "$IMG" "$D" >/dev/null 2>&1
nfs=$(grep -c 'fsync(.*= 0' "$W/fsyncs")
fresh
failing fsync "$nfs"
expect_rc parent-fsync-exit 11
expect_err parent-fsync-message "dest holds the new tree, but syncing its parent"
same_tree parent-fsync-dest-new "$D" "$REF" --ignore-root-meta

# The replaced tree holds a mount point: it cannot be removed.
fresh
jailed sh -c 'mount -t tmpfs none "$1/sub" && "$2" pull --plain-http --platform linux/amd64 "$3" "$4"' \
	sh "$D" "$OCIPULL" "$IMG" "$D" >"$OUT_F" 2>"$ERR_F" </dev/null
RC=$?
LAST="ocipull pull (a mount point in the replaced tree)"
expect_rc replaced-not-removed-exit 11
expect_err replaced-not-removed-message "dest holds the new tree, but removing .*ocipull-staging failed"
same_tree replaced-not-removed-dest-new "$D" "$REF" --ignore-root-meta
