# t.sh: helpers for integration tests, sourced by each tests/integration/*.sh.
#
# The harness exports BOARD, RUNNER (qemu-user or empty), OCIPULL (the
# binary), WORK, REG_HTTP, REG_HTTPS, CA_DIR. Each check prints one line
# "PASS BOARD/name" or "FAIL BOARD/name: why", which tests/run.sh counts.
#
#   run ARGS...            run ocipull (under the board's qemu), keeping
#                          $RC, and stdout/stderr in $OUT_F/$ERR_F
#   expect_rc NAME N       the last run exited with N
#   expect_out NAME ERE    stdout of the last run matches ERE
#   expect_err NAME ERE    stderr of the last run matches ERE
#   pass NAME / fail NAME WHY

T_DIR=$WORK/t-$BOARD-$(basename "$0" .sh)
mkdir -p "$T_DIR"
OUT_F=$T_DIR/out
ERR_F=$T_DIR/err

pass() { echo "PASS $BOARD/$1"; }
fail() { echo "FAIL $BOARD/$1: $2"; }

run() {
	# shellcheck disable=SC2086
	$RUNNER "$OCIPULL" "$@" >"$OUT_F" 2>"$ERR_F" </dev/null
	RC=$?
	LAST="ocipull $*"
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
