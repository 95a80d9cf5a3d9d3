#!/bin/sh
# stagesafe.sh: the staging directory beside DEST, and what a pull leaves
# when it fails.
#
#   outage (every board): with --retries 0, a connection cut by the fault
#     proxy in the middle of the second of three layers fails the pull,
#     which keeps the staging directory and says so; the next pull fetches
#     neither the first, verified layer (none of its bytes at the proxy,
#     and --stats' layer byte count) and commits the right tree; a pull of
#     another image removes a kept staging directory; a verification
#     failure removes it.
#   resume conditions (host): a kept staging directory is not resumed, but
#     removed (a symlink: the link only) and fetched afresh, when it is
#     another user's, not mode 0700, from a --no-sync run, or its journal
#     lacks the marker; one on another file system is refused untouched;
#     a non-root run resumes its own and cannot remove root's.
#   after the switch (host): see switch.sh.
. "$(dirname "$0")/../lib/t.sh"

fault_proxy stage-proxy || exit 0

expect() { python3 "$ROOT/tests/fixtures/expect.py" "$FIXTURES/$1" "$2" "$3"; }
bsize() { wc -c < "$FIXTURES/$1/blobs/sha256/${2#sha256:}"; }
set -- $(expect layers linux/amd64 layers)
L1=$1 L2=$2 L3=$3
S1=$(bsize layers "$L1") S2=$(bsize layers "$L2") S3=$(bsize layers "$L3")
CUT="[{\"path\":\"/blobs/$L2\$\",\"action\":\"drop_at\",\"at\":$((S2 / 2))}]"

# rules JSON: reset the proxy (rules, counters), then set the rules.
rules() {
	curl -sf -o /dev/null -X POST "$FP/_reset" &&
	curl -sf -o /dev/null -X POST --data-binary "$1" "$FP/_fault"
}
# requests REGEX: requests the proxy saw for paths matching REGEX.
requests() {
	curl -sf "$FP/_stats" | python3 -c 'import json, re, sys
st = json.load(sys.stdin)
print(sum(c["requests"] for p, c in st["paths"].items() if re.search(sys.argv[1], p)))' "$1"
}
# layer_bytes: the layer byte count of the last run's --stats.
layer_bytes() {
	sed -n 's/^stats: fetched [0-9]* bytes (\([0-9]*\) in layers).*/\1/p' "$ERR_F"
}
# is NAME GOT WANT
is() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', expected '$3'"; fi
}

D=$T_DIR/dest
S=$T_DIR/.dest.ocipull-staging
REF=$T_DIR/ref
rm -rf "$REF" "$T_DIR/other-ref"
run pull --plain-http --platform linux/amd64 "$REG_HTTP/fixture/layers:latest" "$REF"
expect_rc stage-ref 0
run pull --plain-http --platform linux/amd64 "$REG_HTTP/fixture/rss-small:latest" "$T_DIR/other-ref"
expect_rc stage-other-ref 0

# cut NAME [ocipull options]: a pull of layers into a fresh $D that the
# proxy cuts half-way through layer 2, with --retries 0.
cut() {
	n=$1
	shift
	rm -rf "$D" "$S"
	rules "$CUT" || fail "$n-rules" "the proxy refused $CUT"
	run pull --plain-http --stats --retries 0 --platform linux/amd64 "$@" \
		"$PX/layers:latest" "$D"
}
# again NAME [ocipull options]: the same pull, the proxy passing all.
again() {
	n=$1
	shift
	rules '[]'
	run pull --plain-http --stats --platform linux/amd64 "$@" "$PX/layers:latest" "$D"
	expect_rc "$n-exit" 0
	same_tree "$n-tree" "$D" "$REF" --ignore-root-meta
}

# ---- outage ------------------------------------------------------------------
cut outage
expect_rc outage-fails 3
expect_err outage-message "the 1 verified layer is kept in .*\.dest\.ocipull-staging; the next pull of this image resumes"
if [ -d "$S" ] && [ "$(grep -c '^layer ' "$S/journal")" = 1 ] &&
   [ ! -e "$D" ]; then pass outage-staging-kept
else fail outage-staging-kept "staging: $(ls -a "$S" 2>&1 | tr '\n' ' '); DEST: $(ls -d "$D" 2>&1)"; fi
again outage-resumed
is outage-resumed-first-layer-not-fetched "$(requests "/blobs/$L1\$")" 0
is outage-resumed-layer-bytes "$(layer_bytes)" $((S2 + S3))

# Another image removes it.
cut outage-other
run pull --plain-http --stats --platform linux/amd64 "$PX/rss-small:latest" "$D"
expect_rc outage-other-exit 0
same_tree outage-other-tree "$D" "$T_DIR/other-ref" --ignore-root-meta
if [ -e "$S" ]; then fail outage-other-staging-removed "$S is still there"
else pass outage-other-staging-removed; fi

# A verification failure removes it (layer 2 corrupted on its first try).
rm -rf "$D" "$S"
rules "[{\"path\":\"/blobs/$L2\$\",\"action\":\"corrupt_at\",\"at\":$((S2 / 2))}]"
run pull --plain-http --retries 0 --platform linux/amd64 "$PX/layers:latest" "$D"
expect_rc outage-verify-fails 8
if [ -e "$S" ] || [ -e "$D" ]; then
	fail outage-verify-staging-removed "left: $(ls -a "$T_DIR" | tr '\n' ' ')"
else pass outage-verify-staging-removed; fi

[ -z "$RUNNER" ] || exit 0

# ---- resume conditions ------------------------------------------------------
# refetched NAME: a pull after TAMPER fetched layer 1 again and gave the tree.
refetched() {
	again "$1"
	is "$1-first-layer-fetched-again" "$(requests "/blobs/$L1\$")" 1
}
if [ "$(id -u)" = 0 ]; then
	cut other-owner
	chown 65534:65534 "$S"
	refetched other-owner
fi
cut mode-0750
chmod 0750 "$S"
refetched mode-0750
cut nosync --no-sync
refetched nosync
cut no-marker
sed -i '1s/^ocipull-journal/ocipull-journey/' "$S/journal"
refetched no-marker
cut journal-symlink
mv "$S/journal" "$T_DIR/journal.elsewhere"
ln -s "$T_DIR/journal.elsewhere" "$S/journal"
refetched journal-symlink

# The staging name a symlink to a staging directory that would pass every
# check: the link goes, what it points to stays.
cut symlink
rm -rf "$T_DIR/elsewhere"
mv "$S" "$T_DIR/elsewhere"
ln -s elsewhere "$S"
refetched symlink
if [ -f "$T_DIR/elsewhere/journal" ] && [ -d "$T_DIR/elsewhere/rootfs" ]; then
	pass symlink-target-kept
else fail symlink-target-kept "$T_DIR/elsewhere: $(ls "$T_DIR/elsewhere" 2>&1)"; fi

# On another file system (a tmpfs mounted at the staging name, inside the
# jail, holding a copy of a valid one): refused, nothing in it removed.
if [ "$(id -u)" = 0 ]; then
	cut other-fs
	rm -rf "$T_DIR/saved"
	mv "$S" "$T_DIR/saved"
	mkdir -m 0700 "$S"
	rules '[]'
	jailed sh -c 'mount -t tmpfs -o mode=0700 none "$1" && cp -a "$2/." "$1/" &&
		"$3" pull --plain-http --platform linux/amd64 "$4" "$5" 2>"$6"
		rc=$?; [ -f "$1/journal" ] && [ -d "$1/rootfs" ] && echo kept; exit $rc' \
		sh "$S" "$T_DIR/saved" "$OCIPULL" "$PX/layers:latest" "$D" "$ERR_F" >"$OUT_F"
	RC=$?
	LAST="pull with $S on a tmpfs"
	expect_rc other-fs-refused 9
	expect_err other-fs-message "another file system"
	expect_out other-fs-untouched '^kept$'
	rmdir "$S"
fi

# Not root: nobody resumes its own staging directory, and cannot remove
# one root left (the pull fails and says why; nothing is removed).
if [ "$(id -u)" = 0 ]; then
	NR=$T_DIR/nobody
	rm -rf "$NR"
	mkdir -p "$NR"
	chown 65534:65534 "$NR"
	chmod 0755 "$WORK" "$T_DIR"
	asnobody() {
		jailed env HOME="$NR" setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$OCIPULL" pull --plain-http --stats --platform linux/amd64 "$@" \
			>"$OUT_F" 2>"$ERR_F" </dev/null
		RC=$?
		LAST="(as nobody) ocipull pull $*"
	}
	rules '[]'
	asnobody "$PX/layers:latest" "$NR/ref"
	expect_rc nobody-ref 0
	rules "$CUT"
	asnobody --retries 0 "$PX/layers:latest" "$NR/dest"
	expect_rc nobody-outage-fails 3
	rules '[]'
	asnobody "$PX/layers:latest" "$NR/dest"
	expect_rc nobody-resumed-exit 0
	is nobody-resumed-first-layer-not-fetched "$(requests "/blobs/$L1\$")" 0
	same_tree nobody-resumed-tree "$NR/dest" "$NR/ref" --ignore-root-meta
	cut root-staging
	mv "$S" "$NR/.dest2.ocipull-staging"
	rules '[]'
	asnobody "$PX/layers:latest" "$NR/dest2"
	if [ "$RC" -ne 0 ] && grep -q "cannot be resumed, nor removed" "$ERR_F" &&
	   [ -f "$NR/.dest2.ocipull-staging/journal" ] && [ ! -e "$NR/dest2" ]; then
		pass nobody-root-staging-refused
	else
		fail nobody-root-staging-refused "exit $RC: $(head -c 300 "$ERR_F")"
	fi
	chmod 0700 "$WORK"
fi
rules '[]'
