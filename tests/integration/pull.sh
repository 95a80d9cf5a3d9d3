#!/bin/sh
# pull.sh: `ocipull pull` against the real registries of the harness. Each
# pulled tree is compared, with tests/treecmp.py, to what umoci unpacks
# from the same image (umoci is the reference unpacker: whiteouts, opaque
# directories, hard links, modes, owners, mtimes, xattrs). Then the
# failures that must leave DEST as it was: a layer blob whose digest does
# not match, a config whose diff_id does not match, a missing image or
# platform; and replacing an existing DEST, --keep-old, --config-out,
# usage errors.
#
# The root directory of a pulled tree is compared with --ignore-root-meta:
# no layer has an entry for it, so its mode and mtime are the unpacker's
# choice (umoci gives it mtime 0, ocipull the time of the staging
# directory it renames into place). Everything below it must match.
#
# --keep-old: the spec says the previous tree is kept "beside" DEST; the
# implementer names it DEST.old. The test accepts any sibling of DEST whose
# name starts with DEST's name (and is not DEST) holding the old tree.
#
# Needs root (owners, setuid bits, as umoci unpack without --rootless).
. "$(dirname "$0")/../lib/t.sh"

expect() { python3 "$ROOT/tests/fixtures/expect.py" "$FIXTURES/$1" "$2" "$3"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
HOME=$T_DIR/home
export HOME
unset DOCKER_CONFIG

if [ "$(id -u)" != 0 ]; then
	fail pull-needs-root "pull.sh runs as root (chown, setuid, umoci unpack as root)"
	exit 0
fi
if ! command -v umoci >/dev/null 2>&1; then
	fail pull-needs-umoci "umoci is not installed (make deps)"
	exit 0
fi

# umoci_ref FIXTURE PLATFORM: print the rootfs umoci unpacks for that image
# of the fixture's layout, made once per run under $WORK/umoci-ref (the
# boards share it). umoci needs a name for the image manifest itself, so a
# copy of the layout gets an index.json entry "ref" for it. umoci knows
# only OCI media types: a Docker schema 2 manifest is rewritten with the
# OCI types (same config and layer blobs, so the same tree).
umoci_ref() {
	d=$WORK/umoci-ref/$1-$(echo "$2" | tr / -)
	if [ ! -d "$d/bundle/rootfs" ]; then
		rm -rf "$d"
		mkdir -p "$d"
		python3 - "$FIXTURES/$1" "$2" "$d/layout" ref > "$d/log" 2>&1 <<'PY' || return 1
import hashlib, json, os, shutil, sys
src, platform, dst, tag = sys.argv[1:5]
shutil.copytree(src, dst, ignore=shutil.ignore_patterns("dir"))
blobs = os.path.join(dst, "blobs", "sha256")
def read(d):
    with open(os.path.join(blobs, d.split(":", 1)[1]), "rb") as f:
        return f.read()
def put(data):
    h = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, h), "wb") as f:
        f.write(data)
    return "sha256:" + h
def plat(p):
    return "/".join([p["os"], p["architecture"]] + ([p["variant"]] if p.get("variant") else []))
with open(os.path.join(dst, "index.json")) as f:
    idx = json.load(f)
top = json.loads(read(idx["manifests"][0]["digest"]))
chosen = [m for m in top["manifests"] if plat(m["platform"]) == platform]
if not chosen:
    sys.exit("no %s in %s" % (platform, src))
desc = chosen[0]
if desc["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json":
    m = json.loads(read(desc["digest"]))
    m["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
    m["config"]["mediaType"] = "application/vnd.oci.image.config.v1+json"
    for l in m["layers"]:
        l["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
    data = json.dumps(m).encode()
    desc = {"mediaType": m["mediaType"], "digest": put(data), "size": len(data)}
desc = {k: desc[k] for k in ("mediaType", "digest", "size")}
desc["annotations"] = {"org.opencontainers.image.ref.name": tag}
idx["manifests"].append(desc)
with open(os.path.join(dst, "index.json"), "w") as f:
    json.dump(idx, f)
PY
		umoci unpack --image "$d/layout:ref" "$d/bundle" >> "$d/log" 2>&1 || {
			rm -rf "$d/bundle"
			return 1
		}
	fi
	echo "$d/bundle/rootfs"
}

# pull_cmp NAME FIXTURE PLATFORM|"" [ocipull options...]: pull the fixture
# from $REG_HTTP into a fresh $T_DIR/NAME/rootfs (default platform when
# PLATFORM is empty) and compare it with umoci's tree for REF_PLATFORM.
pull_cmp() {
	n=$1 fx=$2 p=$3
	shift 3
	rp=${p:-$own}
	dest=$T_DIR/$n/rootfs
	rm -rf "${dest%/rootfs}"
	mkdir -p "${dest%/rootfs}"
	if [ -n "$p" ]; then set -- --platform "$p" "$@"; fi
	run pull --plain-http "$@" "$REG_HTTP/fixture/$fx:latest" "$dest"
	expect_rc "$n-exit" 0
	if ! ref=$(umoci_ref "$fx" "$rp"); then
		fail "$n-tree" "umoci unpack of $fx $rp failed: $(tail -c 400 "$WORK/umoci-ref/$fx-$(echo "$rp" | tr / -)/log")"
	elif [ "$RC" -ne 0 ] || [ ! -d "$dest" ]; then
		fail "$n-tree" "no tree at $dest ('$LAST' exited $RC)"
	else
		same_tree "$n-tree" "$dest" "$ref" --ignore-root-meta
	fi
}



case $BOARD in
generic-arm64) own=linux/arm64/v8 ;;
generic-armv7) own=linux/arm/v7 ;;
*) own=linux/amd64 ;;
esac

# ---- trees like umoci's ------------------------------------------------------
for p in linux/amd64 linux/arm64/v8 linux/arm/v7; do
	pull_cmp "multi-$(echo "$p" | tr / -)" multi "$p"
done
pull_cmp multi-default-platform multi ""
pull_cmp layers layers linux/amd64
pull_cmp plain-tar plain-tar linux/amd64
pull_cmp docker-types-amd64 docker-types linux/amd64
pull_cmp docker-types-arm64 docker-types linux/arm64/v8

# Over HTTPS with the run's CA, same tree.
dest=$T_DIR/https/rootfs
rm -rf "$T_DIR/https"
mkdir -p "$T_DIR/https"
run pull --ca-file "$CA_DIR/ca.crt" --platform linux/arm/v7 "$REG_HTTPS/fixture/multi:latest" "$dest"
expect_rc https-exit 0
if [ "$RC" -eq 0 ] && ref=$(umoci_ref multi linux/arm/v7); then
	same_tree https-tree "$dest" "$ref" --ignore-root-meta
else
	fail https-tree "no tree at $dest"
fi

# ---- verification failures leave DEST alone -----------------------------------
# $REG_BADLAYER serves multi with one byte of the amd64 image's first layer
# changed (run.sh: the gzip header's MTIME, same size, still inflates to
# the same tar): only the blob's sha256 can tell.
want=$(expect multi linux/amd64 layers | head -1)
h=${want#sha256:}
data=$WORK/registry-badlayer/data/docker/registry/v2/blobs/sha256/$(echo "$h" | cut -c1-2)/$h/data
got=sha256:$(sha "$data")
dest=$T_DIR/badlayer/rootfs
old_dest "$dest"
run pull --plain-http --platform linux/amd64 "$REG_BADLAYER/fixture/multi:latest" "$dest"
expect_rc badlayer-exit 8
expect_err badlayer-names-expected "$want"
expect_err badlayer-names-got "$got"
unchanged badlayer "$dest"
# The other images of that registry are intact.
rm -rf "$T_DIR/badlayer-arm64"
run pull --plain-http --platform linux/arm64/v8 "$REG_BADLAYER/fixture/multi:latest" "$T_DIR/badlayer-arm64"
expect_rc badlayer-other-platform-exit 0

# bad-diffid: the config promises a diff_id that layer 1 does not have; its
# real diff_id is that of multi's amd64 layer 1 (same content).
wrong=$(expect bad-diffid linux/amd64 diff_ids | head -1)
real=$(expect multi linux/amd64 diff_ids | head -1)
dest=$T_DIR/baddiffid/rootfs
old_dest "$dest"
run pull --plain-http --platform linux/amd64 "$REG_HTTP/fixture/bad-diffid:latest" "$dest"
expect_rc bad-diffid-exit 8
expect_err bad-diffid-names-config-value "$wrong"
expect_err bad-diffid-names-real-value "$real"
unchanged bad-diffid "$dest"
# The same with the layer on the one thread (relay.h without its worker):
# the same refusal, naming the same digests.
export OCIPULL_ONE_THREAD=1
run pull --plain-http --platform linux/amd64 "$REG_HTTP/fixture/bad-diffid:latest" "$dest"
unset OCIPULL_ONE_THREAD
expect_rc bad-diffid-one-thread-exit 8
expect_err bad-diffid-one-thread-names-real-value "$real"
unchanged bad-diffid-one-thread "$dest"

# Not found, no such platform: nothing changes either.
dest=$T_DIR/notfound/rootfs
old_dest "$dest"
run pull --plain-http "$REG_HTTP/fixture/nothere:latest" "$dest"
expect_rc not-found-exit 6
unchanged not-found "$dest"
dest=$T_DIR/noplatform/rootfs
old_dest "$dest"
run pull --plain-http --platform linux/arm64 "$REG_HTTP/fixture/layers:latest" "$dest"
expect_rc no-platform-exit 7
unchanged no-platform "$dest"
rm -rf "$T_DIR/absent"
mkdir -p "$T_DIR/absent"
run pull --plain-http "$REG_HTTP/fixture/nothere:latest" "$T_DIR/absent/rootfs"
if [ -z "$(ls -A "$T_DIR/absent")" ]; then pass not-found-creates-nothing
else fail not-found-creates-nothing "left in $T_DIR/absent: $(ls -A "$T_DIR/absent" | tr '\n' ' ')"; fi

# ---- over an existing DEST ------------------------------------------------------
ref=$(umoci_ref multi linux/arm64/v8) || ref=/nonexistent
dest=$T_DIR/replace/rootfs
old_dest "$dest"
run pull --plain-http --platform linux/arm64/v8 "$REG_HTTP/fixture/multi:latest" "$dest"
expect_rc replace-exit 0
if [ -e "$dest/MARKER" ]; then fail replace-old-gone "$dest/MARKER is still there"
else pass replace-old-gone; fi
same_tree replace-tree "$dest" "$ref" --ignore-root-meta
rm -rf "$dest.before"
left=$(find "$T_DIR/replace" -mindepth 1 -maxdepth 1 ! -name rootfs \
	! -name .rootfs.ocipull-lock ! -name .rootfs.ocipull.json \
	! -name rootfs.record.before | tr '\n' ' ')
if [ -z "$left" ]; then pass replace-nothing-beside
else fail replace-nothing-beside "without --keep-old, beside $dest: $left"; fi

dest=$T_DIR/keepold/rootfs
old_dest "$dest"
run pull --plain-http --keep-old --platform linux/arm64/v8 "$REG_HTTP/fixture/multi:latest" "$dest"
expect_rc keep-old-exit 0
same_tree keep-old-tree "$dest" "$ref" --ignore-root-meta
kept=""
[ -d "$dest.old" ] && kept=$dest.old
if [ -z "$kept" ]; then
	fail keep-old-kept "no $dest.old holds the previous tree: $(ls -A "$T_DIR/keepold" | tr '\n' ' ')"
else
	pass keep-old-kept
	# The old tree as it was, apart from its root (renamed, so its
	# parent-relative metadata may change).
	same_tree keep-old-content "$kept" "$dest.before" --ignore-root-meta
fi

# ---- --config-out -----------------------------------------------------------------
rm -rf "$T_DIR/cfg"
mkdir -p "$T_DIR/cfg"
run pull --plain-http --platform linux/arm/v7 --config-out "$T_DIR/cfg/config.json" \
	"$REG_HTTP/fixture/multi:latest" "$T_DIR/cfg/rootfs"
expect_rc config-out-exit 0
cfg=$(expect multi linux/arm/v7 config)
if [ -f "$T_DIR/cfg/config.json" ] && [ "sha256:$(sha "$T_DIR/cfg/config.json")" = "$cfg" ]; then
	pass config-out-digest
else
	fail config-out-digest "$T_DIR/cfg/config.json is not the blob $cfg"
fi
rm -rf "$T_DIR/cfg"
mkdir -p "$T_DIR/cfg"
run pull --plain-http --platform linux/amd64 --config-out "$T_DIR/cfg/config.json" \
	"$REG_HTTP/fixture/docker-types:latest" "$T_DIR/cfg/rootfs"
expect_rc config-out-docker-exit 0
cfg=$(expect docker-types linux/amd64 config)
if [ -f "$T_DIR/cfg/config.json" ] && [ "sha256:$(sha "$T_DIR/cfg/config.json")" = "$cfg" ]; then
	pass config-out-docker-digest
else
	fail config-out-docker-digest "$T_DIR/cfg/config.json is not the blob $cfg"
fi

# ---- usage ------------------------------------------------------------------------
run pull
expect_rc pull-no-args-exit 2
run pull --plain-http "$REG_HTTP/fixture/multi:latest"
expect_rc pull-missing-dest-exit 2
run pull --plain-http --frobnicate "$REG_HTTP/fixture/multi:latest" "$T_DIR/usage"
expect_rc pull-unknown-option-exit 2
run pull --plain-http --config-out
expect_rc pull-option-without-value-exit 2
if [ -e "$T_DIR/usage" ]; then fail pull-usage-creates-nothing "$T_DIR/usage exists"
else pass pull-usage-creates-nothing; fi

# ---- foreign (non-distributable) layers ---------------------------------------------
# The layer's bytes are not in the registry that serves the manifest but at
# an https URL (a blob of the https registry, trusted with --ca-file).
dest=$T_DIR/foreign/rootfs
mkdir -p "$T_DIR/foreign"
run pull --plain-http --platform linux/amd64 "$REG_HTTP/fixture/foreign:latest" "$dest"
expect_rc foreign-refused-exit 9
expect_err foreign-refused-says-flag 'allow-foreign-layers'
run pull --plain-http --ca-file "$CA_DIR/ca.crt" --allow-foreign-layers \
	--platform linux/amd64 "$REG_HTTP/fixture/foreign:latest" "$dest"
expect_rc foreign-allowed-exit 0
if [ "$(cat "$dest/etc/hostname" 2>/dev/null)" = ocipull-fixture ]; then pass foreign-content
else fail foreign-content "etc/hostname missing or wrong"; fi
rm -rf "$dest"
run pull --plain-http --allow-foreign-layers --platform linux/amd64 \
	"$REG_HTTP/fixture/foreign:latest" "$dest"
expect_rc foreign-untrusted-https-exit 4
