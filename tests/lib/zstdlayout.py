"""zstdlayout.py SRC DST MODE: copy the OCI layout SRC (one image manifest
in its index.json, zstd layers, as `skopeo copy --dest-compress-format
zstd ... oci:SRC` writes it) to DST with its first layer's blob replaced
as MODE says, the manifest and index.json naming the new blob. The config
(and so the diff_ids) stays: every mode but the refusals keeps the layer's
tar bytes.

  frames   a skippable frame, then the tar in two zstd frames (the second
           without a checksum), and zstd:chunked annotations on the layer
  window   one frame with a 16 MiB window (--long=24 through a pipe)
  truncated, corrupt, garbage   a zstd frame cut short by 9 bytes, with a
           byte changed in its middle, with "junk" after it
  gzip     the tar gzip-compressed, the media type still saying zstd
"""
import gzip, hashlib, json, os, shutil, struct, subprocess, sys

src, dst, mode = sys.argv[1:4]
shutil.rmtree(dst, ignore_errors=True)
shutil.copytree(src, dst)
blobs = os.path.join(dst, "blobs", "sha256")


def read(d):
    with open(os.path.join(blobs, d.split(":", 1)[1]), "rb") as f:
        return f.read()


def put(data):
    h = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, h), "wb") as f:
        f.write(data)
    return "sha256:" + h


def zstd(data, *opts):
    return subprocess.run(["zstd", "-q", "-c"] + list(opts), input=data,
                          stdout=subprocess.PIPE, check=True).stdout


with open(os.path.join(dst, "index.json")) as f:
    idx = json.load(f)
mdesc = idx["manifests"][0]
m = json.loads(read(mdesc["digest"]))
layer = m["layers"][0]
if not layer["mediaType"].endswith("+zstd"):
    sys.exit("layer 1 of %s is %s, not zstd" % (src, layer["mediaType"]))
tar = subprocess.run(["zstd", "-dcq"], input=read(layer["digest"]),
                     stdout=subprocess.PIPE, check=True).stdout
if mode == "frames":
    half = len(tar) // 2
    skip = b"skippable payload"
    blob = (struct.pack("<II", 0x184D2A5E, len(skip)) + skip + zstd(tar[:half], "-3") +
            zstd(tar[half:], "-19", "--no-check"))
    layer["annotations"] = {
        "io.github.containers.zstd-chunked.manifest-checksum": "sha256:" + "0" * 64,
        "io.github.containers.zstd-chunked.manifest-position": "1:2:3:1"}
elif mode == "window":
    blob = zstd(tar, "--long=24")    # from a pipe: the window stays 16 MiB
    if blob[5] >> 3 != 24 - 10:
        sys.exit("zstd wrote window descriptor %#x, not 16 MiB" % blob[5])
elif mode in ("truncated", "corrupt", "garbage"):
    blob = bytearray(zstd(tar, "-3"))
    if mode == "truncated":
        del blob[-9:]
    elif mode == "corrupt":
        blob[len(blob) // 2] ^= 0x55
    else:
        blob += b"junk"
    blob = bytes(blob)
elif mode == "gzip":
    blob = gzip.compress(tar, mtime=0)
else:
    sys.exit("unknown mode " + mode)
layer["digest"] = put(blob)
layer["size"] = len(blob)
data = json.dumps(m, separators=(",", ":")).encode()
mdesc["digest"] = put(data)
mdesc["size"] = len(data)
with open(os.path.join(dst, "index.json"), "w") as f:
    json.dump(idx, f)
