# t.sh: helpers for integration tests, sourced by each tests/integration/*.sh.
#
# The harness exports BOARD, RUNNER (qemu-user or empty), OCIPULL (the
# binary), WORK, REG_HTTP, REG_HTTPS, CA_DIR. Each check prints one line
# "PASS BOARD/name" or "FAIL BOARD/name: why", which tests/run.sh counts.
#
# ocipull runs only in the jail of tests/lib/jail.sh, through run or
# jailed (tests/lint.sh fails on any other use of $OCIPULL):
#
#   run ARGS...            run ocipull (under the board's qemu), jailed with
#                          $WORK writable, keeping $RC, and stdout/stderr
#                          in $OUT_F/$ERR_F
#   jailed [-w DIR]... CMD...   CMD in the jail, $WORK and each DIR writable
#   expect_rc NAME N       the last run exited with N
#   expect_out NAME ERE    stdout of the last run matches ERE
#   expect_err NAME ERE    stderr of the last run matches ERE
#   pass NAME / fail NAME WHY
#   same_tree NAME A B [treecmp options]   trees A and B are identical
#   fault_proxy NAME       FP (the fault proxy's control URL) and PX (its
#                          registry's fixture/ prefix) once the proxy
#                          answers a reset; else FAIL NAME and return 1
#   old_dest DIR           a DEST that an earlier pull left (a marker file,
#                          a subdirectory, a symlink, and ocipull's state
#                          record beside it, for another image), snapshot
#                          in DIR.before
#   unchanged NAME DEST    DEST is what old_dest made (root included), its
#                          state record is as it was, and nothing else is
#                          left beside it (no staging directory; the lock
#                          file stays by design)

# The CA variables of whoever runs the suite would change which CA
# certificates ocipull trusts: tests set them where they mean to.
unset SSL_CERT_FILE SSL_CERT_DIR

T_DIR=$WORK/t-$BOARD-$(basename "$0" .sh)
mkdir -p "$T_DIR"
OUT_F=$T_DIR/out
ERR_F=$T_DIR/err

pass() { echo "PASS $BOARD/$1"; }
fail() { echo "FAIL $BOARD/$1: $2"; }

jailed() { sh "$ROOT/tests/lib/jail.sh" -w "$WORK" "$@"; }

run() {
	# shellcheck disable=SC2086
	jailed $RUNNER "$OCIPULL" "$@" >"$OUT_F" 2>"$ERR_F" </dev/null
	RC=$?
	LAST="ocipull $*"
}

# run_stdin FILE ARGS: as run, with the standard input redirected from
# FILE (a regular file: ocipull may seek in it). run_piped CMD ARGS: the
# output of the shell command CMD through a pipe (read forward only);
# run_pipe FILE ARGS: FILE through a pipe.
run_stdin() { f=$1; shift; jailed $RUNNER "$OCIPULL" "$@" >"$OUT_F" 2>"$ERR_F" <"$f"; RC=$?; LAST="ocipull $* < $f"; }
run_piped() {
	gen=$1
	shift
	sh -c "$gen" | jailed $RUNNER "$OCIPULL" "$@" >"$OUT_F" 2>"$ERR_F"
	RC=$?
	LAST="$gen | ocipull $*"
}
run_pipe() { f=$1; shift; run_piped "cat '$f'" "$@"; }

# skopeo_copy CHECK SRC-IMAGE DEST [skopeo options]: skopeo copies
# fixture/SRC-IMAGE from the suite's plain registry to DEST (oci:DIR:TAG,
# oci-archive:FILE, docker-archive:FILE:NAME:TAG), a PASS or FAIL named
# CHECK; returns 1 when it failed.
skopeo_copy() {
	n=$1 src=$2 dst=$3
	shift 3
	if skopeo copy -q --src-tls-verify=false "$@" "docker://$REG_HTTP/fixture/$src" \
		"$dst" > "$T_DIR/skopeo.log" 2>&1; then
		pass "$n"
	else
		fail "$n" "$(tail -3 "$T_DIR/skopeo.log")"
		return 1
	fi
}

expect_rc() {
	if [ "$RC" -eq "$2" ]; then pass "$1"
	else fail "$1" "'$LAST' exited $RC, expected $2; stderr: $(head -c 300 "$ERR_F")"; fi
}

expect_out() {
	if grep -Eq -- "$2" "$OUT_F"; then pass "$1"
	else fail "$1" "stdout of '$LAST' does not match /$2/: $(head -c 300 "$OUT_F")"; fi
}

expect_err() {
	if grep -Eq -- "$2" "$ERR_F"; then pass "$1"
	else fail "$1" "stderr of '$LAST' does not match /$2/: $(head -c 300 "$ERR_F")"; fi
}

# setup_once DIR FUNC NAME WHAT: the set-up a script shares across boards.
# The first board runs FUNC (its output in $T_DIR/setup.log), which leaves
# DIR/env; every board then sources DIR/env. A failure is kept as
# DIR/failed and reported by every board as FAIL NAME; returns 1 then.
setup_once() {
	mkdir -p "$1"
	if [ ! -f "$1/env" ] && [ ! -f "$1/failed" ]; then
		"$2" > "$T_DIR/setup.log" 2>&1 || cp "$T_DIR/setup.log" "$1/failed"
	fi
	if [ -f "$1/failed" ]; then
		fail "$3" "$4: $(tail -c 300 "$1/failed")"
		return 1
	fi
	. "$1/env"
}

fault_proxy() {
	FP=http://127.0.0.1:${FP_PORT:-0}
	PX=127.0.0.1:${FP_PORT:-0}/fixture
	if [ -z "${FP_PORT:-}" ] || ! curl -sf -o /dev/null -X POST "$FP/_reset"; then
		fail "$1" "the fault proxy does not answer on 127.0.0.1:${FP_PORT:-unset} (tests/run.sh starts it)"
		return 1
	fi
}

same_tree() {
	n=$1 a=$2 b=$3
	shift 3
	if python3 "$ROOT/tests/treecmp.py" "$a" "$b" "$@" > "$T_DIR/cmp" 2>&1; then
		pass "$n"
	else
		fail "$n" "$a vs $b: $(head -20 "$T_DIR/cmp" | tr '\n' ';' | head -c 700)"
	fi
}

old_dest() {
	rm -rf "$1" "$1.before"
	mkdir -p "$1/sub"
	echo "old tree" > "$1/MARKER"
	echo "old" > "$1/sub/file"
	ln -s MARKER "$1/link"
	touch -d @1600000000 "$1/sub/file" "$1/sub"
	old_record "$1" > "$(dirname "$1")/.$(basename "$1").ocipull.json"
	cp -a "$1" "$1.before"
	cp "$(dirname "$1")/.$(basename "$1").ocipull.json" "$1.record.before"
}

# old_record DIR: a state record (see src/state.h) that says DIR holds an
# image of three layers made up for the test.
old_record() {
	z=sha256:$(printf '%064d' 0)
	printf '{"ocipull":1,"reference":"127.0.0.1:1/old/image:1","index":null,'
	printf '"manifest":"%s","config":"%s","platform":"linux/amd64",' "$z" "$z"
	printf '"layers":["%s","%s","%s"],"tree":%s,' "$z" "$z" "$z" "$(stat -c %i "$1")"
	printf '"time":"2026-01-01T00:00:00Z","version":"0.1.0"}\n'
}

unchanged() {
	same_tree "$1-dest-unchanged" "$2" "$2.before"
	# The lock file beside DEST stays by design (see pull.h).
	rec=$(dirname "$2")/.$(basename "$2").ocipull.json
	if [ -f "$2.record.before" ] && ! cmp -s "$rec" "$2.record.before"; then
		fail "$1-record-unchanged" "$rec differs from what it was"
	elif [ -f "$2.record.before" ]; then
		pass "$1-record-unchanged"
	fi
	left=$(find "$(dirname "$2")" -mindepth 1 -maxdepth 1 ! -name "$(basename "$2")" \
		! -name "$(basename "$2").before" ! -name ".$(basename "$2").ocipull-lock" \
		! -name "$(basename "$2").record.before" ! -name ".$(basename "$2").ocipull.json" |
		tr '\n' ' ')
	if [ -z "$left" ]; then pass "$1-no-staging-left"
	else fail "$1-no-staging-left" "beside $2: $left"; fi
}
