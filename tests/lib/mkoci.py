#!/usr/bin/env python3
"""mkoci.py: an oci-archive on standard output, generated as it is written,
for the tests that need sizes no fixture has (a 1 GiB layer through a pipe)
or an order no writer uses (the layers before the documents).

    mkoci.py MIB [--layers-first]

One image (linux/amd64, tagged "big") of one uncompressed tar layer that
holds big.bin, MIB MiB of a repeating pattern. The layer is generated twice:
once for its digest, once into the output, so nothing large is held in
memory. Default order: oci-layout, index.json, manifest, config, layer (as
`ocipull fetch` writes them); --layers-first puts the layer blob first.
"""
import hashlib
import json
import sys
import tarfile

CHUNK = 1 << 20


def pattern():
    return bytes(range(256)) * (CHUNK // 256)


def layer_chunks(mib):
    """The layer's bytes: a tar header, MIB MiB of data, the end blocks."""
    info = tarfile.TarInfo("big.bin")
    info.size = mib * CHUNK
    info.mode = 0o644
    info.mtime = 1700000000
    yield info.tobuf(format=tarfile.USTAR_FORMAT)
    block = pattern()
    for _ in range(mib):
        yield block
    yield b"\0" * 1024


def member(out, name, size, chunks):
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o644
    info.mtime = 1700000000
    out.write(info.tobuf(format=tarfile.USTAR_FORMAT))
    for c in chunks:
        out.write(c)
    if size % 512:
        out.write(b"\0" * (512 - size % 512))


def main():
    mib = int(sys.argv[1])
    layers_first = "--layers-first" in sys.argv
    h = hashlib.sha256()
    lsize = 0
    for c in layer_chunks(mib):
        h.update(c)
        lsize += len(c)
    ldig = "sha256:" + h.hexdigest()
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": [ldig]}}).encode()
    cdig = "sha256:" + hashlib.sha256(config).hexdigest()
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": cdig, "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": ldig, "size": lsize}]}).encode()
    mdig = "sha256:" + hashlib.sha256(manifest).hexdigest()
    index = json.dumps({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": mdig, "size": len(manifest),
        "annotations": {"org.opencontainers.image.ref.name": "big"}}]}).encode()
    out = sys.stdout.buffer
    small = [("oci-layout", b'{"imageLayoutVersion": "1.0.0"}'),
             ("index.json", index),
             ("blobs/sha256/" + mdig[7:], manifest),
             ("blobs/sha256/" + cdig[7:], config)]
    if layers_first:
        member(out, "blobs/sha256/" + ldig[7:], lsize, layer_chunks(mib))
    for name, data in small:
        member(out, name, len(data), [data])
    if not layers_first:
        member(out, "blobs/sha256/" + ldig[7:], lsize, layer_chunks(mib))
    out.write(b"\0" * 1024)
    out.flush()


if __name__ == "__main__":
    main()
