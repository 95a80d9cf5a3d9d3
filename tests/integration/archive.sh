#!/bin/sh
# archive.sh: `ocipull pull oci-archive:FILE|-` and `docker-archive:FILE|-`
# (issue 14). skopeo writes the archives from the suite's registry; each
# pull must give the same tree as a pull of the same image from the
# registry: from a file, from standard input redirected from a file, and
# (oci-archive, documents first) through a pipe. An archive whose layers
# come before its documents cannot be streamed through a pipe: refused,
# naming the member. Hostile and truncated archives are refused with DEST
# left as it was.
. "$(dirname "$0")/../lib/t.sh"

if ! command -v skopeo >/dev/null 2>&1; then
	fail archive-needs-skopeo "skopeo is not installed"
	exit 0
fi
W=$T_DIR/arc
rm -rf "$W"
mkdir -p "$W"
skopeo_copy archive-skopeo-oci-archive-index multi:latest "oci-archive:$W/multi.tar:multi" --all || exit 0
skopeo_copy archive-skopeo-oci-archive layers:latest "oci-archive:$W/layers.tar" --override-arch amd64 || exit 0
skopeo_copy archive-skopeo-docker-archive layers:latest "docker-archive:$W/docker.tar:fixture/layers:v1" \
	--override-arch amd64 || exit 0

run pull --plain-http --no-sync --platform linux/arm64/v8 "$REG_HTTP/fixture/multi:latest" "$W/reg-multi"
expect_rc archive-registry-multi 0
run pull --plain-http --no-sync --platform linux/amd64 "$REG_HTTP/fixture/layers:latest" "$W/reg-layers"
expect_rc archive-registry-layers 0

# From files: an index by tag, one image without a tag, docker-archive
# with and without the name, and NAME as docker normalises it.
run pull --no-sync --platform linux/arm64/v8 "oci-archive:$W/multi.tar:multi" "$W/d-multi"
expect_rc archive-oci-file-index 0
same_tree archive-same-tree-oci-file-index "$W/reg-multi" "$W/d-multi" --ignore-root-meta
run pull --no-sync --platform linux/amd64 "oci-archive:$W/layers.tar" "$W/d-oci"
expect_rc archive-oci-file 0
same_tree archive-same-tree-oci-file "$W/reg-layers" "$W/d-oci" --ignore-root-meta
run pull --no-sync --platform linux/amd64 "docker-archive:$W/docker.tar" "$W/d-docker"
expect_rc archive-docker-file 0
same_tree archive-same-tree-docker-file "$W/reg-layers" "$W/d-docker" --ignore-root-meta
run pull --no-sync --platform linux/amd64 "docker-archive:$W/docker.tar:fixture/layers:v1" "$W/d-docker-tag"
expect_rc archive-docker-file-tag 0
run pull --no-sync --platform linux/amd64 "docker-archive:$W/docker.tar:docker.io/fixture/layers:v1" "$W/d-docker-norm"
expect_rc archive-docker-file-normalised-tag 0
run pull --no-sync --platform linux/amd64 "docker-archive:$W/docker.tar:fixture/layers:v2" "$W/d-none"
expect_err archive-docker-unknown-tag "no image tagged \"fixture/layers:v2\""
run inspect --platform linux/amd64 "docker-archive:$W/docker.tar"
expect_out archive-docker-inspect-layer "application/vnd.oci.image.layer.v1.tar "

# Standard input redirected from the file: read in any order.
run_stdin "$W/layers.tar" pull --no-sync --platform linux/amd64 oci-archive:- "$W/d-oci-stdin"
expect_rc archive-oci-stdin-file 0
same_tree archive-same-tree-oci-stdin-file "$W/reg-layers" "$W/d-oci-stdin" --ignore-root-meta
run_stdin "$W/docker.tar" pull --no-sync --platform linux/amd64 docker-archive:- "$W/d-docker-stdin"
expect_rc archive-docker-stdin-file 0
same_tree archive-same-tree-docker-stdin-file "$W/reg-layers" "$W/d-docker-stdin" --ignore-root-meta

# Through a pipe, a layer (1 MiB, more than the bytes ocipull keeps of
# members it passes) before the documents that name it: refused, naming
# it, DEST untouched. (skopeo and docker write blobs/ before index.json.)
mkdir -p "$W/alone"
old_dest "$W/alone/d"
run_piped "python3 '$ROOT/tests/lib/mkoci.py' 1 --layers-first" pull --no-sync --force --platform linux/amd64 oci-archive:- "$W/alone/d"
expect_rc archive-pipe-layers-first-refused 9
expect_err archive-pipe-layers-first-says "cannot be streamed: member blobs/sha256/[0-9a-f]{64} \([0-9]+ bytes\) came before"
unchanged archive-pipe-layers-first "$W/alone/d"
run_pipe "$W/docker.tar" pull --no-sync --force --platform linux/amd64 docker-archive:- "$W/alone/d"
expect_err archive-pipe-docker-refused "cannot be read from a pipe"
unchanged archive-pipe-docker "$W/alone/d"

# The same layout written documents first (oci-layout, index.json, the
# manifest, the config, the layers in order), as `ocipull fetch` writes:
# streamed through a pipe with fixed memory.
X=$W/x
mkdir -p "$X"
tar -xf "$W/layers.tar" -C "$X"
python3 - "$X" > "$W/order" <<'EOF'
import json, sys
d = sys.argv[1]
ix = json.load(open(d + "/index.json"))
m = ix["manifests"][0]["digest"][7:]
man = json.load(open(d + "/blobs/sha256/" + m))
print("oci-layout\nindex.json\nblobs/sha256/" + m)
print("blobs/sha256/" + man["config"]["digest"][7:])
for l in man["layers"]:
    print("blobs/sha256/" + l["digest"][7:])
EOF
tar -cf "$W/stream.tar" -C "$X" -T "$W/order"
run_pipe "$W/stream.tar" pull --no-sync --platform linux/amd64 oci-archive:- "$W/d-pipe"
expect_rc archive-oci-pipe 0
same_tree archive-same-tree-oci-pipe "$W/reg-layers" "$W/d-pipe" --ignore-root-meta
run_pipe "$W/stream.tar" check --platform linux/amd64 oci-archive:- "$W/d-pipe"
expect_rc archive-oci-pipe-check 0

# Hostile archives, each refused with DEST as it was.
hostile() {
	python3 - "$X" "$W/h.tar" "$1" <<'EOF'
import io, json, sys, tarfile
d, out, kind = sys.argv[1:4]
names = [l.strip() for l in open(d + "/../order")]
t = tarfile.open(out, "w", format=tarfile.PAX_FORMAT)
def add(name, arcname=None):
    t.add(d + "/" + name, arcname=arcname or name, recursive=False)
for i, n in enumerate(names):
    last = i == len(names) - 1
    if kind == "dotdot" and last:
        add(n, "../" + n)
    elif kind == "absolute" and last:
        ti = t.gettarinfo(d + "/" + n, arcname=n)
        ti.name = "/" + n
        t.addfile(ti, open(d + "/" + n, "rb"))
    elif kind == "symlink" and last:
        ti = tarfile.TarInfo(n)
        ti.type = tarfile.SYMTYPE
        ti.linkname = "/etc/passwd"
        t.addfile(ti)
    elif kind == "hardlink" and last:
        ti = tarfile.TarInfo(n)
        ti.type = tarfile.LNKTYPE
        ti.linkname = names[0]
        t.addfile(ti)
    else:
        add(n)
    if kind == "duplicate" and n == "index.json":
        add(n)
t.close()
EOF
}
for k in dotdot absolute symlink hardlink duplicate; do
	rm -f "$W/h.tar"
	hostile $k
	case $k in
	dotdot) says='has a "\.\." component' ;;
	absolute) says='has an absolute name' ;;
	symlink|hardlink) says='is not a regular file \(links in an archive are not followed\)' ;;
	duplicate) says='member "index.json" appears twice' ;;
	esac
	for how in run_stdin run_pipe; do
		$how "$W/h.tar" pull --no-sync --force --platform linux/amd64 oci-archive:- "$W/alone/d"
		if [ "$RC" -ne 0 ]; then pass "archive-hostile-$k-$how-refused"
		else fail "archive-hostile-$k-$how-refused" "exit 0"; fi
		expect_err "archive-hostile-$k-$how-says" "$says"
		unchanged "archive-hostile-$k-$how" "$W/alone/d"
	done
done

# Unreferenced members (a README, a directory) are ignored.
cp "$W/stream.tar" "$W/extra.tar"
echo hello > "$X/README"
tar -rf "$W/extra.tar" -C "$X" README
run_pipe "$W/extra.tar" pull --no-sync --platform linux/amd64 oci-archive:- "$W/d-extra"
expect_rc archive-unreferenced-ignored 0

# Truncated: inside the last layer's data.
python3 - "$W/stream.tar" "$W/trunc.tar" <<'EOF'
import sys, tarfile
src, dst = sys.argv[1:3]
last = tarfile.open(src).getmembers()[-1]
data = open(src, "rb").read()
open(dst, "wb").write(data[:last.offset_data + last.size // 2])
EOF
for how in run_stdin run_pipe; do
	$how "$W/trunc.tar" pull --no-sync --force --platform linux/amd64 oci-archive:- "$W/alone/d"
	expect_err "archive-truncated-$how-says" "truncated"
	unchanged "archive-truncated-$how" "$W/alone/d"
done
run pull --no-sync --force --platform linux/amd64 "oci-archive:$W/trunc.tar" "$W/alone/d"
expect_err archive-truncated-file-says "archive .* is truncated"
unchanged archive-truncated-file "$W/alone/d"

# Memory from a pipe: the peak RSS of a 1 GiB layer is that of a 1 MiB one,
# within 5% (host only: under qemu the RSS is qemu's).
[ -z "$RUNNER" ] || exit 0
rss() {
	rm -rf "$W/big"
	run_piped "python3 '$ROOT/tests/lib/mkoci.py' $1" pull --stats --no-sync --platform linux/amd64 oci-archive:- "$W/big"
	sed -n 's/^stats: peak RSS \([0-9]*\) KiB$/\1/p' "$ERR_F"
}
small=$(rss 1)
expect_err archive-pipe-stats-read "^stats: read 1050112 bytes of layers from the archive; wrote 1048576 bytes: 1 files"
large=$(rss 1024)
size=$(stat -c %s "$W/big/big.bin" 2>/dev/null)
rm -rf "$W/big"
if [ "$size" = 1073741824 ]; then pass archive-pipe-1GiB-layer-pulled
else fail archive-pipe-1GiB-layer-pulled "big.bin has ${size:-no} bytes; $(head -c 300 "$ERR_F")"; fi
if [ -n "$small" ] && [ -n "$large" ] && [ $((large * 100)) -le $((small * 105)) ]; then
	pass archive-pipe-rss-does-not-grow
else
	fail archive-pipe-rss-does-not-grow "peak RSS from a pipe: 1 MiB layer $small KiB, 1 GiB layer $large KiB (allowed: 5% more)"
fi
