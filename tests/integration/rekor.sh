#!/bin/sh
# rekor.sh: --rekor-key, a cosign signature's Rekor bundle (the annotation
# dev.sigstore.cosign/bundle), against cosign 2.5 on the plain registry.
#
# A throwaway Rekor log key (openssl, P-256) stands in for Rekor: the image
# is signed with `cosign sign --key --tlog-upload=false --upload=false`,
# tests/fixtures/mkrekor.py makes the hashedrekord entry and the log's SET
# over it, and `cosign attach signature --rekor-response` pushes the
# signature with its bundle, one repository per case:
#
#   good      a valid bundle: accepted with --rekor-key;
#   otherlog  the SET made by another log key: refused;
#   othersig  an entry (signed by the log) for another signature by the
#             same key over the same payload: refused;
#   none      no bundle: refused with --rekor-key;
#   and without --rekor-key the bad bundle of otherlog is ignored: accepted.
#
# Each case is checked first with `cosign verify --key --offline` and the
# log key as SIGSTORE_REKOR_PUBLIC_KEY (with --insecure-ignore-tlog for the
# last), and ocipull must agree: pull exits 0, or 12 with DEST untouched.
# The set-up runs once, on the first board; cosign runs unjailed with HOME
# in the test directory. Without cosign (build/tools, make deps) the
# script says it skipped.
. "$(dirname "$0")/../lib/t.sh"

HOME=$T_DIR/home
export HOME
unset DOCKER_CONFIG
COSIGN=$ROOT/build/tools/usr/bin/cosign
K=$WORK/rekor
if [ ! -x "$COSIGN" ]; then
	echo "skipped: $BOARD/rekor (no $COSIGN: make deps)"
	exit 0
fi

# cosign verify of case $1 (extra options after it): its exit code.
rekor_cosign_verify() {
	n=$1
	shift
	SIGSTORE_REKOR_PUBLIC_KEY=$K/rekor.pub "$COSIGN" verify --key "$K/cosign.pub" \
		--offline=true --allow-http-registry --allow-insecure-registry "$@" \
		"$REG_HTTP/rekor/$n@$D" > "$K/verify-$n.out" 2>&1
	echo $?
}

rekor_setup() (
	mkdir -p "$K/home" || return 1
	export HOME="$K/home" COSIGN_PASSWORD=
	cd "$K" || return 1
	"$COSIGN" generate-key-pair > /dev/null || return 1
	for k in rekor rekor2; do
		openssl ecparam -name prime256v1 -genkey -noout -out $k.key || return 1
		openssl ec -in $k.key -pubout -out $k.pub 2>/dev/null || return 1
	done
	openssl genrsa -out rsa.key 2048 2>/dev/null &&
		openssl rsa -in rsa.key -pubout -out rsa.pub 2>/dev/null || return 1
	for n in good otherlog othersig none; do
		skopeo copy -q --all --src-tls-verify=false --dest-tls-verify=false \
			"docker://$REG_HTTP/fixture/multi:latest" \
			"docker://$REG_HTTP/rekor/$n:latest" || return 1
	done
	D=$(curl -sfI -H 'Accept: application/vnd.oci.image.index.v1+json' \
		"http://$REG_HTTP/v2/rekor/good/manifests/latest" | tr -d '\r' |
		sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p')
	[ -n "$D" ] || return 1
	for s in 1 2; do
		"$COSIGN" sign --key cosign.key --tlog-upload=false --upload=false \
			--output-payload payload.json --output-signature sig$s.b64 -y \
			--allow-http-registry --allow-insecure-registry \
			"$REG_HTTP/rekor/good@$D" || return 1
	done
	m="python3 $ROOT/tests/fixtures/mkrekor.py payload.json sig1.b64 cosign.pub rekor.key"
	$m > good.json && $m set-key=rekor2.key > otherlog.json &&
		$m body-sig="$(cat sig2.b64)" > othersig.json || return 1
	for n in good otherlog othersig none; do
		r="--rekor-response $n.json"
		[ $n = none ] && r=
		# shellcheck disable=SC2086 # r is two words or none
		"$COSIGN" attach signature --payload payload.json --signature sig1.b64 \
			$r --allow-http-registry --allow-insecure-registry \
			"$REG_HTTP/rekor/$n@$D" || return 1
	done
	{
		echo "D=$D"
		for n in good otherlog othersig none; do
			echo "CV_$n=$(rekor_cosign_verify $n)"
		done
		echo "CV_ignored=$(rekor_cosign_verify otherlog --insecure-ignore-tlog=true)"
	} > env.new && mv env.new env
)
setup_once "$K" rekor_setup rekor-setup "keys, bundles or cosign attach" || exit 0

# cosign's verdict on a case: NAME CV WANT (0 accepted, else refused).
rekor_cosign_agrees() {
	if { [ "$2" -eq 0 ] && [ "$3" -eq 0 ]; } || { [ "$2" -ne 0 ] && [ "$3" -ne 0 ]; }
	then pass "rekor-$1-cosign-agrees"
	else fail "rekor-$1-cosign-agrees" "cosign verify exited $2: $(tail -c 300 "$K/verify-$1.out")"; fi
}

VK="--verify-key $K/cosign.pub"
RK="--rekor-key $K/rekor.pub"

# Accepted: a valid bundle, with one --rekor-key and with two.
rekor_cosign_agrees good "$CV_good" 0
# shellcheck disable=SC2086
run pull --plain-http $VK $RK --no-sync "$REG_HTTP/rekor/good@$D" "$T_DIR/good"
expect_rc rekor-good-exit 0
expect_err rekor-good-says 'signature on sha256:[0-9a-f]{64} verified with .*cosign\.pub \(ECDSA P-256\), with its Rekor bundle'
if [ -n "$(ls -A "$T_DIR/good" 2>/dev/null)" ]; then pass rekor-good-unpacked; else fail rekor-good-unpacked "$T_DIR/good is empty"; fi
# shellcheck disable=SC2086
run inspect --plain-http $VK --rekor-key "$K/rekor2.pub" $RK "$REG_HTTP/rekor/good@$D"
expect_rc rekor-good-second-log-exit 0

# Refused: exit 12, DEST untouched, the reason said.
rekor_refused() {
	n=$1 cv=$2 why=$3
	rekor_cosign_agrees "$n" "$cv" 1
	mkdir -p "$T_DIR/$n"
	old_dest "$T_DIR/$n/dest"
	# shellcheck disable=SC2086
	run pull --plain-http $VK $RK --no-sync "$REG_HTTP/rekor/$n@$D" "$T_DIR/$n/dest"
	expect_rc "rekor-$n-exit" 12
	expect_err "rekor-$n-says" "$why"
	unchanged "rekor-$n" "$T_DIR/$n/dest"
}
rekor_refused otherlog "$CV_otherlog" 'layer 1: the Rekor entry timestamp \(SignedEntryTimestamp\) does not verify with --rekor-key .*/rekor\.pub'
rekor_refused othersig "$CV_othersig" 'layer 1: the Rekor entry is for another signature'
rekor_refused none "$CV_none" 'layer 1: no Rekor bundle \(dev\.sigstore\.cosign/bundle annotation\)'

# Without --rekor-key a bundle, even a bad one, is ignored (as cosign with
# --insecure-ignore-tlog ignores it).
rekor_cosign_agrees ignored "$CV_ignored" 0
# shellcheck disable=SC2086
run pull --plain-http $VK --no-sync "$REG_HTTP/rekor/otherlog@$D" "$T_DIR/ignored"
expect_rc rekor-ignored-without-rekor-key-exit 0

# Usage: --rekor-key needs --verify-key; a Rekor key is ECDSA.
# shellcheck disable=SC2086
run inspect --plain-http $RK "$REG_HTTP/rekor/good@$D"
expect_rc rekor-needs-verify-key-exit 2
expect_err rekor-needs-verify-key-says '--rekor-key needs --verify-key'
# shellcheck disable=SC2086
run inspect --plain-http $VK --rekor-key "$K/rsa.pub" "$REG_HTTP/rekor/good@$D"
expect_rc rekor-rsa-log-key-exit 2
expect_err rekor-rsa-log-key-says "rsa\.pub: RSA 2048; a Rekor log key is ECDSA"
