#!/bin/sh
# sig.sh: cosign signatures, --verify-key and --signed-identity (issue 12),
# against real cosign 2.5 (Debian trixie's, from make deps: toolchain/
# tools.lock) on the plain-http registry, one case on the https one.
#
# Set-up, once for the three boards: keys A and B (cosign generate-key-pair,
# P-256), a P-384 and an RSA-3072 key (openssl, wrapped as cosign key files
# by tests/lib/cosignkey.py: Debian's cosign refuses every key in
# import-key-pair); fixture/multi copied into one repository per case and
# signed by cosign, on the index digest, in the tag scheme
# (sha256-<hex>.sig) and in the OCI 1.1 referrers tag schema (sha256-<hex>,
# an index: the registry has no referrers API), and on each platform
# manifest; the hostile cases are cosign's own documents altered (oras,
# curl) or the registry's stored bytes changed. Then `cosign verify` judges
# every case, its verdicts kept for the boards.
#
# Each board: ocipull pull with --verify-key exits 0 and unpacks what an
# unsigned pull unpacks, or exits 12 with DEST untouched and a reason per
# signature; its verdict is cosign's (but where a comment says why not);
# inspect lists the signatures (also in --json).
#
# cosign runs unjailed (it is not ocipull) with HOME in the set-up's
# directory and a proxy on a closed port for anything but 127.0.0.1: with
# --key and no transparency log it needs no network, and this keeps it so.
. "$(dirname "$0")/../lib/t.sh"

COSIGN=$ROOT/build/tools/usr/bin/cosign
ORAS=$ROOT/build/tools/usr/bin/oras
if [ ! -x "$COSIGN" ] || [ ! -x "$ORAS" ]; then
	echo "skipped: $BOARD/sig (no $COSIGN or $ORAS: make deps extracts them on an amd64 host)"
	exit 0
fi
S=$WORK/sig
R=$REG_HTTP/sig
H=$REG_HTTPS/sig/tls
MT_MAN=application/vnd.oci.image.manifest.v1+json
MT_IDX=application/vnd.oci.image.index.v1+json

cos() {
	env HOME="$S/home" TUF_ROOT="$S/home/tuf" SIGSTORE_NO_CACHE=true \
		COSIGN_PASSWORD= HTTPS_PROXY=http://127.0.0.1:9 \
		HTTP_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost \
		"$COSIGN" "$@"
}
SIGN="--tlog-upload=false --allow-http-registry --allow-insecure-registry -y"
# --experimental-oci11 looks at the referrers first and falls back to the
# .sig tag: either scheme with a good signature passes.
VERIFY="--insecure-ignore-tlog=true --allow-http-registry --allow-insecure-registry --experimental-oci11"

# ---- set-up helpers -----------------------------------------------------------
# copy NAME: fixture/multi into sig/NAME:latest.
copy() {
	skopeo copy -q --all --src-tls-verify=false --dest-tls-verify=false \
		"docker://$REG_HTTP/fixture/multi:latest" "docker://$R/$1:latest"
}
# sign KEY NAME DIGEST [cosign options]: cosign's signature, tag scheme.
sign() {
	k=$1 n=$2 d=$3
	shift 3
	# shellcheck disable=SC2086 # SIGN is words
	cos sign --key "$S/$k.key" $SIGN "$@" "$R/$n@$d"
}
# get NAME REF: a manifest or index of sig/NAME, as the registry has it.
get() {
	curl -sf -H "Accept: $MT_MAN, $MT_IDX" "http://$REG_HTTP/v2/sig/$1/manifests/$2"
}
# put NAME TAG FILE [MEDIATYPE]: FILE as the manifest sig/NAME:TAG (oras).
put() {
	"$ORAS" manifest push --plain-http --media-type "${4:-$MT_MAN}" \
		"$R/$1:$2" "$3" > /dev/null
}
# blob NAME FILE: FILE as a blob of sig/NAME (oras); prints its digest.
blob() {
	"$ORAS" blob push --plain-http "$R/$1" "$2" > /dev/null &&
		echo "sha256:$(sha256sum "$2" | cut -d' ' -f1)"
}
# sigtag DIGEST: the tag of cosign's tag scheme for DIGEST.
sigtag() { echo "sha256-${1#sha256:}.sig"; }
# edit FILE PYTHON: FILE's JSON as d, changed by PYTHON, written back
# compact (cosign's documents are compact too).
edit() {
	python3 - "$1" "$2" <<'PY'
import json, sys
p, code = sys.argv[1], sys.argv[2]
d = json.load(open(p))
exec(code)
open(p, "w").write(json.dumps(d, separators=(",", ":")))
PY
}
# listed_times NAME N: sig/NAME's index signed by key A in the OCI 1.1
# scheme, its one referrer listed N times (each entry distinct) in the
# referrers tag schema's index.
listed_times() {
	COSIGN_EXPERIMENTAL=1 sign a "$1" "$IDX" --registry-referrers-mode=oci-1-1 &&
	get "$1" "sha256-${IDX#sha256:}" > "$1.idx.json" &&
	edit "$1.idx.json" "
m = d['manifests'][0]
d['manifests'] = [dict(m, annotations={'org.example.n': str(i)}) for i in range($2)]
" && put "$1" "sha256-${IDX#sha256:}" "$1.idx.json" "$MT_IDX"
}
# verdict NAME DIGEST KEY...: pass when cosign verifies a signature on
# sig/NAME@DIGEST with one of the keys, else fail.
verdict() {
	n=$1 d=$2
	shift 2
	for k in "$@"; do
		# shellcheck disable=SC2086 # VERIFY is words
		if cos verify --key "$S/$k.pub" $VERIFY "$R/$n@$d" > "$S/verify.out" 2>&1; then
			echo pass
			return
		fi
	done
	echo fail
}

# The set-up runs in a subshell: `die` ends it (and only it) with a reason.
die() { echo "sig set-up: $*"; exit 1; }
sig_setup() (
	mkdir -p "$S/home" && cd "$S" || die "no $S"
	for k in a b; do
		COSIGN_PASSWORD='' "$COSIGN" generate-key-pair --output-key-prefix "$k" \
			> /dev/null 2>&1 || die "cosign generate-key-pair $k"
	done
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.pem 2>/dev/null &&
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out rsa.pem 2>/dev/null &&
	# A "keyless" signer: its key in a certificate, as Fulcio would issue.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout kl.pem -out kl.crt -days 2 -subj "/CN=ocipull test keyless" \
		-addext "extendedKeyUsage=codeSigning" \
		-addext "subjectAltName=email:signer@example.com" 2>/dev/null || die "openssl keys"
	for k in p384 rsa kl; do
		python3 "$ROOT/tests/lib/cosignkey.py" "$k.pem" "$k.key" &&
			openssl pkey -in "$k.pem" -pubout -out "$k.pub" || die "cosign key file $k"
	done

	# The digests: the index and each platform's manifest.
	curl -sf -H "Accept: $MT_IDX" "http://$REG_HTTP/v2/fixture/multi/manifests/latest" \
		> index.json || die "fixture/multi's index"
	IDX=sha256:$(sha256sum index.json | cut -d' ' -f1)
	python3 - index.json > plat.env <<'PY' || die "platforms of fixture/multi"
import json, sys
for m in json.load(open(sys.argv[1]))["manifests"]:
    p = m["platform"]
    name = p["architecture"] + p.get("variant", "").replace("v8", "")
    print("PLAT_%s=%s" % (name, m["digest"]))
PY
	. ./plat.env
	# shellcheck disable=SC2154 # set by plat.env
	plats="$PLAT_amd64 $PLAT_arm64 $PLAT_armv7"
	[ "$(echo $plats | wc -w)" = 3 ] || die "fixture/multi has not amd64, arm64, arm/v7: $plats"

	for n in tag referrers platform p384 rsa otherkey unsigned payload payloadstore \
		badsig otherdigest identity big many keyless; do
		copy "$n" || die "copy to sig/$n"
	done
	# Accepted: tag scheme, referrers, each platform manifest, P-384, RSA.
	sign a tag "$IDX" || die "sign tag"
	COSIGN_EXPERIMENTAL=1 sign a referrers "$IDX" --registry-referrers-mode=oci-1-1 ||
		die "sign referrers"
	for p in $plats; do sign a platform "$p" || die "sign platform $p"; done
	sign p384 p384 "$IDX" || die "sign p384"
	sign rsa rsa "$IDX" || die "sign rsa"
	# P-384 over SHA-384: cosign 2.5 signs and verifies P-384 over SHA-256
	# only, so this one is cosign's payload (cosign generate) signed by
	# openssl and attached by cosign.
	copy p384s384 || die "copy to sig/p384s384"
	cos generate --allow-http-registry --allow-insecure-registry "$R/p384s384@$IDX" \
		> p384s384.payload 2>/dev/null &&
	openssl dgst -sha384 -sign p384.pem p384s384.payload | base64 -w0 > p384s384.sig &&
	cos attach signature --payload p384s384.payload --signature p384s384.sig \
		--allow-http-registry --allow-insecure-registry "$R/p384s384@$IDX" ||
		die "p384 over sha384"
	# Refused: another key.
	sign b otherkey "$IDX" || die "sign otherkey"
	for n in payload payloadstore badsig identity big; do
		sign a "$n" "$IDX" || die "sign $n"
	done
	# A payload altered after signing: a new blob, the same signature.
	get payload "$(sigtag "$IDX")" > payload.sig.json || die "get payload"
	pl=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][0]["digest"])' payload.sig.json)
	curl -sf "http://$REG_HTTP/v2/sig/payload/blobs/$pl" > payload.orig || die "payload blob"
	sed 's/"optional":null/"optional":{"x":"y"}/' payload.orig > payload.new
	cmp -s payload.orig payload.new && die "payload: no \"optional\":null to alter"
	nd=$(blob payload payload.new) || die "oras blob push"
	edit payload.sig.json "
l = d['layers'][0]
l['digest'] = '$nd'
l['size'] = $(wc -c < payload.new)
" && put payload "$(sigtag "$IDX")" payload.sig.json || die "put payload"
	# The payload's bytes changed in the registry's storage, the same
	# size: only its digest tells.
	get payloadstore "$(sigtag "$IDX")" > payloadstore.sig.json || die "get payloadstore"
	pl=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][0]["digest"])' payloadstore.sig.json)
	h=${pl#sha256:}
	data=$WORK/registry-plain/data/docker/registry/v2/blobs/sha256/$(echo "$h" | cut -c1-2)/$h/data
	sed 's/"cosign container image signature"/"cosign container image signaturE"/' \
		"$data" > payloadstore.new || die "no $data"
	[ "$(wc -c < payloadstore.new)" = "$(wc -c < "$data")" ] && ! cmp -s "$data" payloadstore.new ||
		die "payloadstore: nothing altered in $data"
	cat payloadstore.new > "$data"
	# A signature annotation with one base64 character changed.
	get badsig "$(sigtag "$IDX")" > badsig.sig.json &&
	edit badsig.sig.json "
a = d['layers'][0]['annotations']
s = a['dev.cosignproject.cosign/signature']
i = len(s) // 2
a['dev.cosignproject.cosign/signature'] = s[:i] + ('B' if s[i] != 'B' else 'C') + s[i + 1:]
" && put badsig "$(sigtag "$IDX")" badsig.sig.json || die "badsig"
	# Another digest: an image X (fixture/layers) signed in the same
	# repository, its signature manifest copied to the index's .sig tag.
	skopeo copy -q --all --src-tls-verify=false --dest-tls-verify=false \
		"docker://$REG_HTTP/fixture/layers:latest" "docker://$R/otherdigest:x" ||
		die "copy fixture/layers"
	X=sha256:$(get otherdigest x | sha256sum | cut -d' ' -f1)
	sign a otherdigest "$X" && get otherdigest "$(sigtag "$X")" > otherdigest.sig.json &&
		put otherdigest "$(sigtag "$IDX")" otherdigest.sig.json || die "otherdigest"
	# Oversized: cosign's signature manifest (its signature still good)
	# with 70,000 bytes of annotation.
	get big "$(sigtag "$IDX")" > big.sig.json &&
	edit big.sig.json "d['annotations'] = {'org.example.pad': 'x' * 70000}" &&
		put big "$(sigtag "$IDX")" big.sig.json || die "big"
	# 1,000 referrers: cosign's OCI 1.1 signature (good), listed 1,000
	# times in the referrers tag schema's index, each entry distinct.
	listed_times many 1000 || die "many"
	# The same with 100 entries: under 64 KiB, over a count cap of 64.
	copy many100 && listed_times many100 100 || die "many100"
	# Keyless-looking: signed by cosign with a key and its certificate
	# (the dev.sigstore.cosign/certificate annotation of keyless
	# signing), verified with key A.
	sign kl keyless "$IDX" --cert kl.crt || die "sign keyless"
	# The https registry's own copy, signed in the tag scheme.
	skopeo copy -q --all --src-tls-verify=false --dest-cert-dir "$WORK/certs.d" \
		"docker://$REG_HTTP/fixture/multi:latest" "docker://$H:latest" &&
	cos sign --key a.key --tlog-upload=false --registry-cacert "$CA_DIR/ca.crt" -y \
		"$H@$IDX" || die "sign $H"

	# cosign's verdicts, CV_NAME_KEYS_PLATFORM, for a pull of
	# sig/NAME:latest (a signature on the index or on that platform's
	# manifest, by one of the keys).
	{
		echo "IDX=$IDX X=$X"
		cat plat.env
		for c in tag:a referrers:a platform:a p384:p384 p384s384:p384 rsa:rsa otherkey:a \
			otherkey:a,b unsigned:a payload:a payloadstore:a badsig:a \
			otherdigest:a identity:a big:a many:a many100:a keyless:a; do
			n=${c%%:*} keys=$(echo "${c#*:}" | tr , ' ')
			# shellcheck disable=SC2086 # keys is words
			vi=$(verdict "$n" "$IDX" $keys)
			for p in amd64 arm64 armv7; do
				v=$vi
				eval "pd=\$PLAT_$p"
				# shellcheck disable=SC2086,SC2154
				[ "$v" = pass ] || v=$(verdict "$n" "$pd" $keys)
				echo "CV_${n}_$(echo "${c#*:}" | tr -d ,)_$p=$v"
			done
		done
		# --signed-identity: cosign verify checks the digest claim, not
		# docker-reference; its verdict here is its verification plus
		# the docker-reference of the payload it printed.
		# shellcheck disable=SC2086
		cos verify --key a.pub $VERIFY "$R/identity@$IDX" > identity.out 2>&1
		ref=$(python3 -c 'import json,sys
for line in open(sys.argv[1]):
    if line.startswith("["):
        print(json.loads(line)[0]["critical"]["identity"]["docker-reference"])' identity.out)
		echo "CV_IDREF=$ref"
	} > env.new || die "cosign verdicts"
	mv env.new env
)
setup_once "$S" sig_setup sig-setup "keys, signed images or cosign's verdicts" || exit 0

# ---- per board ----------------------------------------------------------------
case $BOARD in
host) P=amd64 ;;
generic-arm64) P=arm64 ;;
generic-armv7) P=armv7 ;;
*) fail sig-platform "no platform known for board $BOARD"; exit 0 ;;
esac
eval "PLAT=\$PLAT_$P"
# DEST alone in its directory (unchanged looks beside it).
D=$T_DIR/d/dest
mkdir -p "$T_DIR/d"
DIGESTS="sha256:(${IDX#sha256:}|${PLAT#sha256:})"

# The reference pull: unsigned, no --verify-key (nothing changes without it).
U=$T_DIR/unsigned-tree
rm -rf "$U"
run pull --plain-http "$R/unsigned:latest" "$U"
expect_rc sig-no-key-unsigned-pulls 0

# cosign_agrees NAME CV: ocipull's last verdict (exit 0 or not) is cosign's.
cosign_agrees() {
	sg_v=fail
	[ "$RC" -eq 0 ] && sg_v=pass
	if [ "$sg_v" = "$2" ]; then pass "$1-cosign-agrees"
	else fail "$1-cosign-agrees" "ocipull: $sg_v (exit $RC), cosign verify: $2"; fi
}

# accept NAME REPO KEYS [options]: a pull that verifies, unpacking what the
# unsigned pull unpacked; cosign verified it too.
accept() {
	sg_n=$1 sg_repo=$2 sg_keys=$3
	shift 3
	rm -rf "$D"
	sg_args=""
	for sg_k in $(echo "$sg_keys" | tr , ' '); do sg_args="$sg_args --verify-key $S/$sg_k.pub"; done
	# shellcheck disable=SC2086 # args is words
	run pull --plain-http $sg_args "$@" "$R/${sg_repo}:latest" "$D"
	expect_rc "sig-$sg_n-exit" 0
	[ "$RC" -eq 0 ] && same_tree "sig-$sg_n-tree" "$U" "$D" --ignore-root-meta
	[ "$compare" = 1 ] || return 0
	eval "sg_cv=\${CV_${sg_repo}_$(echo "$sg_keys" | tr -d ,)_$P:-missing}"
	# shellcheck disable=SC2154 # sg_cv: eval
	cosign_agrees "sig-$sg_n" "$sg_cv"
}

# refuse NAME REPO KEYS ERE [options]: exit 12, DEST untouched, stderr names
# the digest and the key files and says why (ERE, case-insensitive).
refuse() {
	sg_n=$1 sg_repo=$2 sg_keys=$3 sg_why=$4
	shift 4
	old_dest "$D"
	sg_args=""
	for sg_k in $(echo "$sg_keys" | tr , ' '); do sg_args="$sg_args --verify-key $S/$sg_k.pub"; done
	# shellcheck disable=SC2086
	run pull --plain-http $sg_args "$@" "$R/${sg_repo}:latest" "$D"
	expect_rc "sig-$sg_n-exit" 12
	unchanged "sig-$sg_n" "$D"
	if grep -Eiq -- "$sg_why" "$ERR_F"; then pass "sig-$sg_n-says-why"
	else fail "sig-$sg_n-says-why" "stderr does not match /$sg_why/: $(head -c 400 "$ERR_F")"; fi
	if grep -Eq -- "^ocipull:.*$DIGESTS" "$ERR_F"; then pass "sig-$sg_n-names-digest"
	else fail "sig-$sg_n-names-digest" "no ocipull: line names $IDX or $PLAT: $(head -c 300 "$ERR_F")"; fi
	for sg_k in $(echo "$sg_keys" | tr , ' '); do
		if grep -Fq -- "$S/$sg_k.pub" "$ERR_F"; then pass "sig-$sg_n-names-key-$sg_k"
		else fail "sig-$sg_n-names-key-$sg_k" "stderr does not name $S/$sg_k.pub: $(head -c 300 "$ERR_F")"; fi
	done
	[ "$compare" = 1 ] || return 0
	eval "sg_cv=\${CV_${sg_repo}_$(echo "$sg_keys" | tr -d ,)_$P:-missing}"
	cosign_agrees "sig-$sg_n" "$sg_cv"
}
compare=1

# ---- accepted -------------------------------------------------------------------
accept tag-scheme tag a
accept referrers referrers a
accept platform-manifest platform a
accept p384 p384 p384
accept rsa3072 rsa rsa
# P-384 over SHA-384 (what sigstore's newer tools write for P-384): ocipull
# takes it, cosign 2.5 refuses it ("invalid signature when validating ASN.1
# encoded signature"): the difference is asserted as such.
compare=0
accept p384-sha384 p384s384 p384
compare=1
# shellcheck disable=SC2154 # set by $S/env
if [ "$CV_p384s384_p384_amd64" = fail ]; then pass sig-p384-sha384-cosign25-refuses
else fail sig-p384-sha384-cosign25-refuses "cosign verify: $CV_p384s384_p384_amd64"; fi
accept two-keys-one-good otherkey a,b
accept identity-match identity a --signed-identity "$R/identity"
# shellcheck disable=SC2154 # set by $S/env
if [ "$CV_IDREF" = "$R/identity" ]; then pass sig-identity-match-cosign-agrees
else fail sig-identity-match-cosign-agrees "cosign's payload names '$CV_IDREF', not $R/identity"; fi
# A pull by the platform manifest's digest, signed on that digest.
rm -rf "$D"
run pull --plain-http --verify-key "$S/a.pub" "$R/platform@$PLAT" "$D"
expect_rc sig-platform-by-digest-exit 0

# ---- refused ----------------------------------------------------------------------
refuse unsigned unsigned a 'no signature found'
refuse other-key otherkey a 'signature does not verify with the key given'
refuse payload-altered payload a 'signature does not verify'
refuse payload-bytes-changed payloadstore a 'payload sha256:[0-9a-f]{64}: payload: digest mismatch'
refuse signature-altered badsig a 'signature does not verify with the key given'
refuse other-digest otherdigest a 'docker-manifest-digest'
# (cosign's verification passes; its docker-reference is compared below.)
compare=0
refuse identity-mismatch identity a 'docker-reference' --signed-identity "$R/other"
compare=1
if [ "$CV_IDREF" != "$R/other" ]; then pass sig-identity-mismatch-cosign-agrees
else fail sig-identity-mismatch-cosign-agrees "cosign's payload names $R/other"; fi
# The caps: cosign has none this small and verifies all three (a good signature
# is in each; its verdict is kept in $S/env, not compared): ocipull refuses
# them for their size, with memory fixed.
compare=0
refuse oversized-manifest big a '\.sig is larger than the 65536 bytes'
refuse referrers-1000 many a 'sha256-[0-9a-f]{64} is larger than the 65536 bytes'
refuse referrers-100 many100 a 'lists 100 referrers, more than the 64'
compare=1
# Keyless (a certificate on the signature): refused as such, whatever the
# key (cosign judges only that key A did not sign it).
refuse keyless keyless a 'keyless'

# ---- inspect --------------------------------------------------------------------------
hex=${IDX#sha256:}
run inspect --plain-http --verify-key "$S/a.pub" "$R/tag:latest"
expect_rc sig-inspect-tag-exit 0
expect_out sig-inspect-tag-verified "^signature +sha256:$hex +tag +verified +$S/a\\.pub( |$)"
run inspect --plain-http --verify-key "$S/a.pub" "$R/referrers:latest"
expect_out sig-inspect-referrers-verified "^signature +sha256:$hex +referrers +verified +$S/a\\.pub( |$)"
# Without --verify-key nothing changes: no signature is looked for.
run inspect --plain-http "$R/tag:latest"
expect_rc sig-inspect-no-key-exit 0
if grep -q '^signature' "$OUT_F"; then
	fail sig-inspect-no-key-no-signatures "$(grep '^signature' "$OUT_F" | head -3)"
else
	pass sig-inspect-no-key-no-signatures
fi
run inspect --plain-http --verify-key "$S/a.pub" "$R/unsigned:latest"
expect_rc sig-inspect-unsigned-exit 12
expect_out sig-inspect-unsigned-none "^signature +none found"
run inspect --plain-http --verify-key "$S/a.pub" "$R/badsig:latest"
expect_rc sig-inspect-rejected-exit 12
expect_out sig-inspect-rejected "^signature +sha256:$hex +tag +rejected: .*(does not verify|not verified)"
run inspect --plain-http --verify-key "$S/a.pub" "$R/platform:latest"
expect_out sig-inspect-platform "^signature +${PLAT} +tag +verified +$S/a\\.pub( |$)"
run inspect --plain-http --json --verify-key "$S/a.pub" --verify-key "$S/b.pub" "$R/otherkey:latest"
if python3 - "$OUT_F" "$IDX" "$S/b.pub" 2>"$T_DIR/json.err" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = [x for x in d["signatures"] if x["digest"] == sys.argv[2]]
assert len(s) == 1, d["signatures"]
assert s[0]["scheme"] == "tag" and s[0]["status"] == "verified", s[0]
assert s[0]["key"] == sys.argv[3], s[0]
PY
then pass sig-inspect-json
else fail sig-inspect-json "$(tail -1 "$T_DIR/json.err"): $(head -c 400 "$OUT_F")"; fi

# ---- https: the tag scheme through the https registry, with --ca-file ----------
rm -rf "$D"
run pull --ca-file "$CA_DIR/ca.crt" --verify-key "$S/a.pub" "$H:latest" "$D"
expect_rc sig-https-exit 0
old_dest "$D"
run pull --ca-file "$CA_DIR/ca.crt" --verify-key "$S/b.pub" "$H:latest" "$D"
expect_rc sig-https-other-key-exit 12
unchanged sig-https-other-key "$D"

# ---- order: signatures are checked before the first layer byte ------------------
# Accepted: the "signed" event (the digest signed, the key) comes before the
# pull's "resolved" and its first "layer" event.
rm -rf "$D"
run pull --plain-http --progress=json --verify-key "$S/a.pub" "$R/tag:latest" "$D"
expect_rc sig-order-exit 0
if python3 - "$ERR_F" "$IDX" "$S/a.pub" 2>"$T_DIR/order.err" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
kinds = [e["event"] for e in ev]
assert "signed" in kinds and "layer" in kinds, kinds
assert kinds.index("signed") < kinds.index("resolved") < kinds.index("layer"), kinds
s = ev[kinds.index("signed")]
assert s["digest"] == sys.argv[2] and s["key"] == sys.argv[3], s
assert s["kind"] == "ECDSA P-256", s
PY
then pass sig-order-signed-before-layers
else fail sig-order-signed-before-layers "$(tail -1 "$T_DIR/order.err")"; fi
# DEST up to date: with --verify-key the signature is checked all the same
# (the record does not say which keys DEST was pulled with): the right key
# makes it a no-op, another key is refused (12) and DEST stays as it is.
run pull --plain-http --verify-key "$S/a.pub" "$R/tag:latest" "$D"
expect_rc sig-uptodate-signed-exit 0
expect_err sig-uptodate-signed-says "is up to date"
cp -a "$D" "$D.uptodate"
run pull --plain-http --verify-key "$S/b.pub" "$R/tag:latest" "$D"
expect_rc sig-uptodate-other-key-exit 12
same_tree sig-uptodate-other-key-unchanged "$D" "$D.uptodate"
rm -rf "$D.uptodate"
# Refused: no layer started, no layer byte fetched (--stats).
old_dest "$D"
run pull --plain-http --progress=json --stats --verify-key "$S/b.pub" "$R/tag:latest" "$D"
expect_rc sig-refused-early-exit 12
if grep -q '"event":"layer"' "$ERR_F"; then
	fail sig-refused-no-layer-event "$(grep '"event":"layer"' "$ERR_F" | head -1)"
else
	pass sig-refused-no-layer-event
fi
expect_err sig-refused-no-layer-bytes '^\{"event":"stats","text":"fetched [0-9]+ bytes \(0 in layers\)'
expect_err sig-refused-error-event '"event":"error","code":12,'
unchanged sig-refused-early "$D"

# ---- usage: at most 8 --verify-key, said before anything is fetched ------------
old_dest "$D"
# shellcheck disable=SC2046 # nine words
run pull --plain-http $(for i in 1 2 3 4 5 6 7 8 9; do echo --verify-key "$S/a.pub"; done) \
	"$R/tag:latest" "$D"
expect_rc sig-nine-keys-exit 2
expect_err sig-nine-keys-says "^ocipull: too many --verify-key options; the most is '8'"
unchanged sig-nine-keys "$D"
