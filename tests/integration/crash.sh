#!/bin/sh
# crash.sh: kill -9 in the middle of a pull, at many points spread over
# the run. After each kill DEST must still be the old tree, whole (or the
# new one, when the kill came after the switch); a rerun must give the same
# tree as a clean pull and fetch only the layers the journal does not
# record as verified. Host binary only (under qemu the timing says
# nothing about the binary). Every kill is sent inside ocipull's jail
# (tests/lib/jail.sh), which ends only once ocipull is gone, and is timed
# from ocipull's start there, not from the jail's.
. "$(dirname "$0")/../lib/t.sh"
[ -z "$RUNNER" ] || exit 0

IMG=$REG_HTTP/fixture/crash:latest
OLD=$REG_HTTP/fixture/multi:latest
TC="python3 $ROOT/tests/treecmp.py"
C=$T_DIR/crash
rm -rf "$C"
mkdir -p "$C"
# References: a clean pull of the new image, and the old tree.
jailed "$OCIPULL" pull --plain-http --platform linux/amd64 "$IMG" "$C/new-ref" 2>/dev/null &&
jailed "$OCIPULL" pull --plain-http --platform linux/amd64 "$OLD" "$C/old-ref" 2>/dev/null ||
	{ fail crash-references "clean pulls failed"; exit 0; }
sizes=$(python3 "$ROOT/tests/fixtures/expect.py" "$FIXTURES/crash" linux/amd64 layers |
	while read -r d; do stat -c %s "$FIXTURES/crash/blobs/sha256/${d#sha256:}"; done)
total=0
for z in $sizes; do total=$((total + z)); done
# How long a pull takes here (in the jail, the jail's start-up not
# counted), to spread the kill points over it.
dur_ms=$(jailed sh -c 't0=$(date +%s%N); "$@" 2>/dev/null
	echo $(( ($(date +%s%N) - t0) / 1000000 ))' sh \
	"$OCIPULL" pull --plain-http --platform linux/amd64 "$IMG" "$C/timing")
[ "${dur_ms:-0}" -gt 0 ] || dur_ms=1

points=20 tried=0 bad_dest=0 bad_rerun=0 bad_fetch=0 partial=0

# check_after_kill K: the checks after a pull into $D was killed.
check_after_kill() {
	tried=$((tried + 1))
	# The old tree exactly (root included), or the new one (whose root is
	# the staging directory's, renamed in).
	if $TC "$D" "$C/old-ref" >/dev/null 2>&1 ||
	   $TC "$D" "$C/new-ref" --ignore-root-meta >/dev/null 2>&1; then :
	else bad_dest=$((bad_dest + 1)); echo "crash point $1: DEST is neither tree" >&2; fi
	# Layers the journal records as verified are not fetched again.
	kept=0
	if [ -f "$C/.dest.ocipull-staging/journal" ] &&
	   ! grep -q '^commit$' "$C/.dest.ocipull-staging/journal"; then
		kept=$(grep -c '^layer ' "$C/.dest.ocipull-staging/journal")
	fi
	[ "$kept" -gt 0 ] && partial=$((partial + 1))
	want=0 i=0
	for z in $sizes; do
		[ $i -ge "$kept" ] && want=$((want + z))
		i=$((i + 1))
	done
	# A kill after the state record's rename: DEST is up to date, and the
	# rerun fetches no layer. (A record whose tree is not DEST's root
	# does not count: a kill between the switch and the record.)
	if [ "$(field manifest "$C/.dest.ocipull.json")" = "$NEW_MANIFEST" ] &&
	   [ "$(field tree "$C/.dest.ocipull.json")" = "$(stat -c %i "$D")" ]; then
		want=0
	fi
	jailed "$OCIPULL" pull --stats --plain-http --platform linux/amd64 "$IMG" "$D" 2>"$C/rerun.err"
	if [ $? -ne 0 ] || ! $TC "$D" "$C/new-ref" --ignore-root-meta >/dev/null 2>&1; then
		bad_rerun=$((bad_rerun + 1))
		echo "crash point $1: rerun failed or differs: $(tail -1 "$C/rerun.err")" >&2
	fi
	got=$(sed -n 's/^stats: fetched [0-9]* bytes (\([0-9]*\) in layers).*/\1/p' "$C/rerun.err")
	if [ "$got" != "$want" ]; then
		bad_fetch=$((bad_fetch + 1))
		echo "crash point $1: rerun fetched $got layer bytes, expected $want ($kept of 4 layers kept)" >&2
	fi
}

# field NAME FILE: a member of a state record (string or number).
field() {
	sed -n 's/.*"'"$1"'":"\{0,1\}\([^",]*\).*/\1/p' "$2" 2>/dev/null
}
NEW_MANIFEST=$(field manifest "$C/.new-ref.ocipull.json")

# The old tree, as a pull of it leaves it: its state record beside it.
fresh_dest() {
	D=$C/dest
	rm -rf "$D" "$C/.dest.ocipull-staging"
	cp -a "$C/old-ref" "$D"
	old_record "$D" > "$C/.dest.ocipull.json"
}

# Kill points by time, from 5% to 100% of a clean run's duration.
k=1
while [ $k -le $points ]; do
	fresh_dest
	wait_ms=$((dur_ms * k / points))
	jailed sh -c 's=$1; shift; "$@" 2>/dev/null & sleep "$s"; kill -9 $! 2>/dev/null
		wait $! 2>/dev/null' sh "$((wait_ms / 1000)).$(printf '%03d' $((wait_ms % 1000)))" \
		"$OCIPULL" pull --plain-http --platform linux/amd64 "$IMG" "$D"
	check_after_kill "$k"
	k=$((k + 1))
done

# Kill points at every durability step, exactly: the n-th syncfs (after
# each of the 4 layers, then before the commit line) and the n-th fsync
# (journal lines, each layer record's header, commit line, the parent
# directory after the switch),
# with strace delivering SIGKILL as the call is made.
if command -v strace >/dev/null 2>&1; then
	for call in syncfs:1 syncfs:2 syncfs:3 syncfs:4 syncfs:5 fsync:1 fsync:3 \
	    fsync:5 fsync:6 fsync:7 renameat2:1; do
		fresh_dest
		jailed strace -f -o /dev/null -e trace="${call%%:*}" \
			-e inject="${call%%:*}:signal=KILL:when=${call##*:}" \
			"$OCIPULL" pull --plain-http --platform linux/amd64 "$IMG" "$D" \
			>/dev/null 2>&1
		check_after_kill "$call"
	done
else
	fail crash-strace "strace is not installed (make deps installs it)"
fi
echo "crash: $tried kill points over ${dur_ms} ms; $partial left verified layers to resume from" >&2
if [ "$tried" -ge "$points" ]; then pass crash-kill-points-tried; else fail crash-kill-points-tried "$tried of $points"; fi
if [ "$bad_dest" -eq 0 ]; then pass crash-dest-old-or-new-whole; else fail crash-dest-old-or-new-whole "$bad_dest of $tried kill points left a DEST that is neither tree"; fi
if [ "$bad_rerun" -eq 0 ]; then pass crash-rerun-identical; else fail crash-rerun-identical "$bad_rerun reruns failed or differ from a clean pull"; fi
if [ "$bad_fetch" -eq 0 ]; then pass crash-rerun-fetches-only-unfinished; else fail crash-rerun-fetches-only-unfinished "$bad_fetch reruns fetched other than the unfinished layers"; fi
