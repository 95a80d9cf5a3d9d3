#!/usr/bin/env python3
"""mkbench.py: build the benchmark images as OCI image layouts, streaming.

    mkbench.py OUTDIR [realistic|big|small ...]

Writes OUTDIR/NAME/ (an OCI image layout whose index.json names the image
"latest") for each NAME (default: all three). Layers are written as they
are made: the tar stream is hashed (diff_id), gzipped (level 6, no name,
mtime 0), hashed again (digest) and written to a file, so not even the
1 GiB image is ever held in memory. Entries carry fixed owners (0:0) and
mtimes; the file lists are walked in sorted order; so the images are the
same on every run on one machine (realistic depends on the machine's /usr).

  realistic  about BENCH_REALISTIC_MB (default 350) MB uncompressed, three
             gzip layers of real files from /usr (tens of thousands):
             1. /usr/share and /usr/lib/x86_64-linux-gnu (subsets);
             2. /usr/bin, /usr/sbin, /usr/include (subsets);
             3. upper changes: whiteouts of files of layer 1 and of one
                whole directory, an opaque directory with new files in it,
                modified files of layer 1, new files (/usr/lib/python3),
                hard links (within the layer and to a file of layer 1),
                relative and absolute symlinks.
             Files over 8 MiB, unreadable files, sockets, FIFOs and devices
             are skipped; hard links inside one layer stay hard links.
  big        one layer of about BENCH_BIG_MB (default 1024) MiB: 16 MiB
             files of pseudo-random data (shake_256), of generated text, of
             zeros and of both mixed, and 256 small text files
  small      the `multi` fixture of tests/fixtures/mkimage.py (an index of
             linux/amd64, linux/arm64/v8 and linux/arm/v7)

Also writes OUTDIR/NAME/bench-meta.json: layer digests, compressed and
uncompressed sizes, entry counts.
"""
import gzip
import hashlib
import json
import os
import shutil
import stat
import sys
import tarfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "fixtures"))
import mkimage  # noqa: E402
from mkimage import (MTIME, OCI_CONFIG, OCI_LAYER_GZ, OCI_MANIFEST,  # noqa: E402
                     Layout, canon)

MAX_FILE = 8 << 20
CHUNK = 1 << 20


class HashSink:
    """A write-only file object that hashes and counts what passes."""

    def __init__(self, out):
        self.out = out
        self.h = hashlib.sha256()
        self.n = 0

    def write(self, b):
        self.h.update(b)
        self.n += len(b)
        self.out.write(b)
        return len(b)

    def flush(self):
        pass


class LayerWriter:
    """tar stream -> sha256 (diff_id) -> gzip -> sha256 (digest) -> file."""

    def __init__(self, layout):
        self.dir = os.path.join(layout.path, "blobs", "sha256")
        self.tmp = os.path.join(self.dir, ".layer.tmp")
        self.file = open(self.tmp, "wb")
        self.comp = HashSink(self.file)
        self.gz = gzip.GzipFile(filename="", mode="wb", fileobj=self.comp,
                                mtime=0, compresslevel=6)
        self.raw = HashSink(self.gz)
        self.tar = tarfile.open(fileobj=self.raw, mode="w|",
                                format=tarfile.PAX_FORMAT)
        self.entries = 0
        self.inodes = {}

    def add(self, ti, fileobj=None):
        ti.uid = ti.gid = 0
        ti.uname = ti.gname = ""
        ti.mtime = MTIME
        self.tar.addfile(ti, fileobj)
        self.entries += 1

    def finish(self):
        self.tar.close()
        self.gz.close()
        self.file.close()
        digest = self.comp.h.hexdigest()
        os.replace(self.tmp, os.path.join(self.dir, digest))
        return {"desc": {"mediaType": OCI_LAYER_GZ, "digest": "sha256:" + digest,
                         "size": self.comp.n},
                "diff_id": "sha256:" + self.raw.h.hexdigest(),
                "uncompressed": self.raw.n, "entries": self.entries}


class GenReader:
    """read(n) over a generator of byte chunks."""

    def __init__(self, gen):
        self.gen = gen
        self.buf = b""

    def read(self, n=-1):
        while n < 0 or len(self.buf) < n:
            try:
                self.buf += next(self.gen)
            except StopIteration:
                break
        if n < 0:
            n = len(self.buf)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def tinfo(name, kind, mode=None, size=0, target=""):
    ti = tarfile.TarInfo(name)
    ti.type = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE,
               "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE}[kind]
    ti.mode = mode if mode is not None else (0o755 if kind == "dir" else 0o644)
    ti.size = size
    ti.linkname = target
    return ti


def add_bytes(lw, name, data, mode=0o644):
    lw.add(tinfo(name, "file", mode, len(data)), GenReader(iter([data])))


def tar_cost(size):
    return 512 + (size + 511) // 512 * 512


def walk(root):
    """Yield (path, lstat) below root, directories before their content,
    names in sorted order, symlinks not followed."""
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return
    for n in names:
        p = os.path.join(root, n)
        try:
            st = os.lstat(p)
        except OSError:
            continue
        yield p, st
        if stat.S_ISDIR(st.st_mode):
            yield from walk(p)


def ensure_dir(lw, arc, dirs_done):
    """Add arc and its parents (modes of the host's directories) unless
    added already; return the tar bytes spent."""
    spent = 0
    parts = arc.split("/")
    for i in range(1, len(parts) + 1):
        d = "/".join(parts[:i])
        if d not in dirs_done:
            lw.add(tinfo(d, "dir", stat.S_IMODE(os.lstat("/" + d).st_mode)))
            dirs_done.add(d)
            spent += 512
    return spent


def add_tree(lw, src, budget, dirs_done, record=None, skip=()):
    """Add the files below src (arcnames without the leading /) until
    budget tar bytes are spent; return the bytes spent. record(arc, st)
    is called for each regular file and directory added."""
    spent = ensure_dir(lw, src.lstrip("/"), dirs_done)
    for p, st in walk(src):
        arc = p.lstrip("/")
        if any(arc == s or arc.startswith(s + "/") for s in skip):
            continue
        m = st.st_mode
        if stat.S_ISDIR(m):
            if arc not in dirs_done:
                spent += ensure_dir(lw, arc, dirs_done)
                if record:
                    record(arc, st)
            continue
        parent = os.path.dirname(arc)
        if parent not in dirs_done:
            continue        # its directory was not added (budget)
        if stat.S_ISLNK(m):
            try:
                target = os.readlink(p)
            except OSError:
                continue
            lw.add(tinfo(arc, "symlink", 0o777, target=target))
            spent += 512
        elif stat.S_ISREG(m):
            if st.st_size > MAX_FILE:
                continue
            if spent + tar_cost(st.st_size) > budget:
                if spent > budget - (64 << 10):
                    break
                continue    # too big for what is left: try smaller ones
            key = (st.st_dev, st.st_ino)
            if st.st_nlink > 1 and key in lw.inodes:
                lw.add(tinfo(arc, "hardlink", stat.S_IMODE(m),
                             target=lw.inodes[key]))
                spent += 512
                continue
            try:
                f = open(p, "rb")
            except OSError:
                continue
            with f:
                # Read it whole (at most MAX_FILE): a file that changed size
                # since lstat must not break the tar stream.
                data = f.read(MAX_FILE + 1)
            if len(data) > MAX_FILE:
                continue
            lw.add(tinfo(arc, "file", stat.S_IMODE(m), len(data)),
                   GenReader(iter([data])))
            spent += tar_cost(len(data))
            if st.st_nlink > 1:
                lw.inodes[key] = arc
            if record:
                record(arc, st)
        # sockets, FIFOs, devices: skipped
    return spent


def write_image(layout, layers, arch="amd64"):
    config = {
        "architecture": arch, "os": "linux", "created": "2023-11-14T22:13:20Z",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": [ly["diff_id"] for ly in layers]},
        "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "mkbench.py"}
                    for _ in layers],
    }
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": layout.blob(canon(config), OCI_CONFIG),
                "layers": [ly["desc"] for ly in layers]}
    desc = layout.blob(canon(manifest), OCI_MANIFEST,
                       platform={"os": "linux", "architecture": arch})
    layout.finish(desc)
    meta = {"layers": [{"digest": ly["desc"]["digest"], "size": ly["desc"]["size"],
                        "uncompressed": ly["uncompressed"], "entries": ly["entries"]}
                       for ly in layers]}
    with open(os.path.join(layout.path, "bench-meta.json"), "w") as f:
        json.dump(meta, f, indent=1)


def build_realistic(out, total_mb):
    total = total_mb * 1000 * 1000
    layout = Layout(os.path.join(out, "realistic"))
    layers = []

    # ---- layer 1 -------------------------------------------------------
    lw = LayerWriter(layout)
    dirs = set()
    l1_files, l1_dirs = [], {}

    def rec(arc, st):
        if stat.S_ISDIR(st.st_mode):
            l1_dirs[arc] = 0
        else:
            l1_files.append(arc)
            d = os.path.dirname(arc)
            if d in l1_dirs:
                l1_dirs[d] += 1

    add_tree(lw, "/usr/share", int(total * 0.32), dirs, rec)
    add_tree(lw, "/usr/lib/x86_64-linux-gnu", int(total * 0.30), dirs, rec)
    layers.append(lw.finish())

    # ---- layer 2 -------------------------------------------------------
    lw = LayerWriter(layout)
    dirs = set()
    add_tree(lw, "/usr/bin", int(total * 0.16), dirs)
    add_tree(lw, "/usr/sbin", int(total * 0.03), dirs)
    add_tree(lw, "/usr/include", int(total * 0.05), dirs)
    layers.append(lw.finish())

    # ---- layer 3: upper changes ----------------------------------------
    lw = LayerWriter(layout)
    dirs = set()
    # Two directories of layer 1 with 20..200 files, not nested in each
    # other, at depth >= 3: one whited out, one made opaque.
    cands = [d for d in sorted(l1_dirs) if 20 <= l1_dirs[d] <= 200 and d.count("/") >= 2]
    gone_dir = cands[len(cands) // 3] if cands else None
    opaque_dir = None
    for d in cands[len(cands) * 2 // 3:]:
        if gone_dir is None or not (d.startswith(gone_dir + "/") or gone_dir.startswith(d + "/")):
            opaque_dir = d
            break
    special = [d for d in (gone_dir, opaque_dir) if d]

    def under_special(a):
        return any(a.startswith(d + "/") for d in special)

    free = [a for a in l1_files if not under_special(a)]
    wh_files = free[5::97]
    wh_set = set(wh_files)
    modified = [a for a in free[11::29] if a not in wh_set]
    changed = wh_set | set(modified)
    untouched = [a for a in free if a not in changed]
    if gone_dir:
        parent, base = os.path.split(gone_dir)
        lw.add(tinfo(os.path.join(parent, ".wh." + base), "file", 0o644))
    for a in wh_files:
        parent, base = os.path.split(a)
        lw.add(tinfo(os.path.join(parent, ".wh." + base), "file", 0o644))
    if opaque_dir:
        lw.add(tinfo(opaque_dir, "dir", 0o755))
        lw.add(tinfo(opaque_dir + "/.wh..wh..opq", "file", 0o644))
        for i in range(3):
            add_bytes(lw, "%s/new-%d.txt" % (opaque_dir, i),
                      ("new file %d of the opaque directory\n" % i).encode() * 50)
    budget = int(total * 0.04)
    for a in modified:
        try:
            with open("/" + a, "rb") as f:
                data = f.read(MAX_FILE)
        except OSError:
            continue
        data += b"\n# changed by layer 3 of the bench image\n"
        if budget < tar_cost(len(data)):
            break
        budget -= tar_cost(len(data))
        mode = stat.S_IMODE(os.lstat("/" + a).st_mode)
        lw.add(tinfo(a, "file", mode, len(data)), GenReader(iter([data])))
    if os.path.isdir("/usr/lib/python3"):
        add_tree(lw, "/usr/lib/python3", int(total * 0.07), dirs)
    for d in ("usr", "usr/local", "usr/local/bin", "usr/local/lib"):
        if d not in dirs:
            lw.add(tinfo(d, "dir", 0o755))
            dirs.add(d)
    add_bytes(lw, "usr/local/bin/bench-tool", hashlib.shake_256(b"bench-tool").digest(1 << 20),
              0o755)
    for s in ("a", "b", "c"):
        lw.add(tinfo("usr/local/bin/bench-tool-" + s, "hardlink", 0o755,
                     target="usr/local/bin/bench-tool"))
    for i, a in enumerate(untouched[7::1000][:5]):
        st = os.lstat("/" + a)
        lw.add(tinfo("usr/local/lib/lower-link-%d" % i, "hardlink",
                     stat.S_IMODE(st.st_mode), target=a))
    for i, a in enumerate(untouched[3::500][:40]):
        lw.add(tinfo("usr/local/lib/abs-%d" % i, "symlink", 0o777, target="/" + a))
        lw.add(tinfo("usr/local/lib/rel-%d" % i, "symlink", 0o777, target="../../../" + a))
    lw.add(tinfo("usr/local/bin/tool", "symlink", 0o777, target="bench-tool"))
    layers.append(lw.finish())
    write_image(layout, layers)
    print("realistic: %d layers, %d bytes uncompressed, %d compressed; whiteouts: "
          "%d files, dir %s; opaque %s" % (
              len(layers), sum(ly["uncompressed"] for ly in layers),
              sum(ly["desc"]["size"] for ly in layers), len(wh_files), gone_dir, opaque_dir))


WORDS = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod "
         "tempor incididunt ut labore et dolore magna aliqua ocipull stream "
         "verify unpack layer digest registry manifest").split()


def random_chunks(seed, n):
    i = 0
    while n > 0:
        k = min(n, CHUNK)
        yield hashlib.shake_256(b"%s/%d" % (seed, i)).digest(k)
        n -= k
        i += 1


def text_chunks(seed, n):
    i = 0
    while n > 0:
        lines = []
        size = 0
        j = 0
        want = min(n, CHUNK)
        while size < want:
            w = WORDS[(i * 7 + j * 13 + seed) % len(WORDS)]
            line = "%06d:%05d %s %s %s line of generated text %d\n" % (
                i, j, w, WORDS[(j * 3 + seed) % len(WORDS)], WORDS[(i + j) % len(WORDS)],
                (i * 31 + j * 17) % 9973)
            lines.append(line)
            size += len(line)
            j += 1
        b = "".join(lines).encode()[:want]
        yield b
        n -= len(b)
        i += 1


def zero_chunks(n):
    z = bytes(CHUNK)
    while n > 0:
        k = min(n, CHUNK)
        yield z[:k]
        n -= k


def mixed_chunks(seed, n):
    i = 0
    while n > 0:
        k = min(n, 64 << 10)
        if i % 2:
            yield hashlib.shake_256(b"mixed%d/%d" % (seed, i)).digest(k)
        else:
            yield next(text_chunks(seed + i, k))
        n -= k
        i += 1


def build_big(out, total_mib):
    total = total_mib << 20
    layout = Layout(os.path.join(out, "big"))
    lw = LayerWriter(layout)
    for d in ("data", "data/random", "data/text", "data/zero", "data/mixed", "data/small"):
        lw.add(tinfo(d, "dir"))
    small = 256
    smalls = 0
    for i in range(small):
        n = 1024 + (i * 2654435761) % (63 << 10)
        data = b"".join(text_chunks(i, n))
        add_bytes(lw, "data/small/f%03d.txt" % i, data)
        smalls += n
    left = max(total - smalls, 0)
    i = 0
    kinds = ("random", "text", "zero", "mixed")
    while left > 0:
        n = min(left, 16 << 20)
        k = kinds[i % 4]
        if k == "random":
            gen = random_chunks(b"big%d" % i, n)
        elif k == "text":
            gen = text_chunks(i, n)
        elif k == "zero":
            gen = zero_chunks(n)
        else:
            gen = mixed_chunks(i, n)
        lw.add(tinfo("data/%s/f%03d.bin" % (k, i), "file", 0o644, n), GenReader(gen))
        left -= n
        i += 1
    ly = lw.finish()
    write_image(layout, [ly])
    print("big: 1 layer, %d bytes uncompressed, %d compressed" % (
        ly["uncompressed"], ly["desc"]["size"]))


def build_small(out):
    tmp = os.path.join(out, ".small.tmp")
    if os.path.isdir(tmp):
        shutil.rmtree(tmp)
    mkimage.fixture_multi(tmp)
    os.replace(os.path.join(tmp, "multi"), os.path.join(out, "small"))
    os.rmdir(tmp)
    print("small: the multi fixture")


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    out = argv[1]
    names = argv[2:] or ["realistic", "big", "small"]
    os.makedirs(out, exist_ok=True)
    for n in names:
        if os.path.exists(os.path.join(out, n)):
            sys.stderr.write("mkbench.py: %s exists, remove it first\n" % os.path.join(out, n))
            return 1
        if n == "realistic":
            build_realistic(out, int(os.environ.get("BENCH_REALISTIC_MB", "350")))
        elif n == "big":
            build_big(out, int(os.environ.get("BENCH_BIG_MB", "1024")))
        elif n == "small":
            build_small(out)
        else:
            sys.stderr.write("mkbench.py: unknown image %r\n" % n)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
