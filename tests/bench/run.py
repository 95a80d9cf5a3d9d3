#!/usr/bin/env python3
"""run.py: time ocipull against its contenders on images in a registry.

    run.py --reg HOST:PORT --tmp DIR --ocipull PATH --out FILE
           [--rounds N] [--dest DIR] [--label SUFFIX] [--stats]
           [--jail JAIL.SH] [--jail-cost] [--strace] IMAGE...

For each IMAGE (pushed as REG/bench/IMAGE:latest) it fetches the manifest
and the layer blobs once with curl (not timed: the blobs go to DIR/blobs-*
for the per-byte costs), then runs one warm-up round and N measured rounds.
In each round every contender runs once, the order rotated from round to
round, each under GNU time (`/usr/bin/time -f '%e %U %S %M'`: wall, user,
sys, peak RSS in KiB; as GNU time counts in 10 ms steps, wall and CPU are
taken at microsecond precision around the time process, see timed(), and
GNU time's own figures go to the raw lines), each into a fresh directory
below --dest (default DIR) that is removed after the run:

  ocipull            build/host/ocipull pull --plain-http REF DEST
  skopeo+umoci       sh -c 'skopeo copy docker://REF oci:D/oci:latest &&
                            umoci unpack --image D/oci:latest D/bundle'
  skopeo+umoci-raw   the same with `umoci raw unpack --image ... D/rootfs`
  curl|tar           per layer, in order: curl BLOB | tee FIFO | tar -xz,
                     sha256sum < FIFO compared with the layer digest (the
                     practical floor: no whiteouts, no diff_id, no atomicity)
  sha256sum          per-byte cost: sha256sum of the local blobs
  zcat               per-byte cost: zcat of the local blobs > /dev/null
  libdeflate-gunzip  per-byte cost: libdeflate-gunzip -c of the local blobs
                     > /dev/null (whole-buffer: the blob and its output in
                     memory; see its RSS)
  igzip-d            per-byte cost: igzip -d -c (ISA-L's own streaming
                     inflate, Debian's isal) of the local blobs > /dev/null:
                     the decoder bound of the host's gzip engine
  tar-xzf            per-byte cost: tar -xzf of each local blob, in order

For an image of zstd layers (media type ...tar+zstd) the pipeline is
curl|zstd|tar (the same script with tar --zstd, which runs zstd -d), the
decoder bound zstd-d (zstd -dc of the local blobs > /dev/null) and tar-x-zstd
(tar --zstd -xf); zcat, libdeflate and igzip do not apply. The two decoder
bounds, zstd-d over igzip-d on the same content, say how far below ocipull's
own gzip time a zstd pull can go at all. The largest window of
the blobs' zstd frames is read from their headers. umoci 0.4.7 refuses zstd
layers: a skopeo+umoci contender that fails in the warm-up of a zstd image
is said so and left out of the measured rounds.

With --jail (tests/lib/jail.sh), ocipull runs in that bubblewrap jail, with
only DIR and its run directory writable, and is timed inside it: run.py
starts itself in the jail (--time-inside) and measures there as it does
outside, so the jail's start-up is not in ocipull's figures and the
contenders, which run unjailed, are measured the same way. --jail-cost
prints that start-up, the median of 20 `sh JAIL.SH true`, for the record.

For a shell command GNU time reports what wait4() returned for the shell:
user and sys times include every descendant that was waited for, and the
peak RSS is the largest of the shell and those descendants (Linux keeps
the max RSS of reaped children), so for skopeo+umoci it is max(skopeo,
umoci). The script checks that at start and prints the result.

In the warm-up round the ocipull tree is kept and compared with
tests/treecmp.py against the trees of umoci unpack and umoci raw unpack
(images under 600 MB only); the tree of a zstd image is also compared with
that of its gzip twin (NAME-zstd against NAME) when both ran in this call.
After the images: the issue 15 figures (K/B = ocipull/pipeline wall ratio,
zstd against gzip wall, peak RSS against the memory limits), as facts.

With --strace (on disk), one more, untimed, ocipull run (strace -f around
the jail, less the jail's own start-up) and one tar -xzf of the local blobs
are counted with strace -f -c; their system calls per layer entry are
printed side by side.

Appends the raw measurements and the tables to --out, prints the tables.
"""
import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ACCEPT = ("application/vnd.oci.image.index.v1+json,"
          "application/vnd.oci.image.manifest.v1+json,"
          "application/vnd.docker.distribution.manifest.list.v2+json,"
          "application/vnd.docker.distribution.manifest.v2+json")
INDEX_TYPES = ("application/vnd.oci.image.index.v1+json",
               "application/vnd.docker.distribution.manifest.list.v2+json")
UMOCI = ("skopeo+umoci", "skopeo+umoci-raw")
CONTENDERS = {"gzip": ("ocipull",) + UMOCI + ("curl|tar", "sha256sum", "zcat",
                                             "libdeflate-gunzip", "igzip-d", "tar-xzf"),
              "zstd": ("ocipull",) + UMOCI + ("curl|zstd|tar", "sha256sum", "zstd-d",
                                             "tar-x-zstd")}
PIPE = {"gzip": "curl|tar", "zstd": "curl|zstd|tar"}
DECODER = {"gzip": "igzip-d", "zstd": "zstd-d"}     # the decoders alone
# Issue 15's must-show: K/B targets, the zstd/gzip target, RSS limits (KiB).
KB_TARGET = {"realistic": 0.55, "big": 0.35, "realistic-disk": 0.7}
ZSTD_TARGET = {"realistic": 0.6}
RSS_LIMIT_KIB = 2048

CURL_TAR = r"""#!/bin/bash
# curl-tar.sh REGISTRY REPO DEST WORKDIR TAROPT DIGEST...: the shell floor.
# Equivalent to `curl | tee >(sha256sum > f) | tar -xz` per layer (TAROPT
# -z; --zstd for zstd layers), with a FIFO instead of the process
# substitution so that sha256sum is waited for (and counted by GNU time).
set -u -o pipefail
reg=$1 repo=$2 dest=$3 work=$4 z=$5
shift 5
for d in "$@"; do
	rm -f "$work/fifo"
	mkfifo "$work/fifo"
	sha256sum < "$work/fifo" > "$work/sum" &
	curl -sf "http://$reg/v2/$repo/blobs/$d" | tee "$work/fifo" | tar -x "$z" -C "$dest" || exit 1
	wait $! || exit 1
	got=$(cut -d' ' -f1 "$work/sum")
	[ "sha256:$got" = "$d" ] || { echo "curl|tar: $d: got sha256:$got" >&2; exit 1; }
done
"""


def time_process(argv, out):
    """Run argv (GNU time and the command under it), its stdout and stderr
    to out (None: ours). Returns rc, wall (perf_counter around fork, exec
    and wait) and CPU (user+sys from wait4(): argv and all it waited for)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = rc = os.waitstatus_to_exitcode(status)
    return rc, wall, ru.ru_utime + ru.ru_stime


def time_inside(argv):
    """run.py --time-inside FILE -- ARGV...: time_process(ARGV) here (in the
    jail), "rc wall cpu" to FILE; exits with ARGV's status."""
    out, argv = argv[0], argv[2:]
    rc, wall, cpu = time_process(argv, None)
    with open(out, "w") as f:
        f.write("%d %.6f %.6f\n" % (rc, wall, cpu))
    return rc


def jail_cost(jail):
    """Median wall time of 20 `sh JAIL true`, and of 20 `true`, in ms."""
    def med(cmd):
        v = []
        for _ in range(20):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True)
            v.append(time.perf_counter() - t0)
        return statistics.median(v) * 1000
    return med(["sh", jail, "true"]), med(["true"])


def uncompressed_size(path, kind):
    """Bytes that path (a gzip or zstd blob) decompresses to."""
    n = 0
    if kind == "gzip":
        z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        with open(path, "rb") as f:
            for b in iter(lambda: f.read(1 << 20), b""):
                n += len(z.decompress(b))
        return n
    with open(path, "rb") as f:
        p = subprocess.Popen(["zstd", "-dcq"], stdin=f, stdout=subprocess.PIPE)
        for b in iter(lambda: p.stdout.read(1 << 20), b""):
            n += len(b)
    if p.wait() != 0:
        raise SystemExit("run.py: zstd -d %s failed" % path)
    return n


def zstd_window(path):
    """The largest window size (bytes) of the zstd frames in path, read from
    their headers (RFC 8878, 3.1.1); the blocks and skippable frames are
    stepped over."""
    win = 0
    with open(path, "rb") as f:
        while True:
            magic = f.read(4)
            if len(magic) < 4:
                return win
            magic = int.from_bytes(magic, "little")
            if magic & 0xFFFFFFF0 == 0x184D2A50:       # skippable frame
                f.seek(int.from_bytes(f.read(4), "little"), 1)
                continue
            if magic != 0xFD2FB528:
                raise SystemExit("run.py: %s: not a zstd frame" % path)
            fhd = f.read(1)[0]
            single = fhd >> 5 & 1
            if not single:
                wd = f.read(1)[0]
                base = 1 << (10 + (wd >> 3))
                w = base + base // 8 * (wd & 7)
            f.seek((0, 1, 2, 4)[fhd & 3], 1)            # dictionary id
            fcs = f.read((single, 2, 4, 8)[fhd >> 6])
            if single:                                   # window = content size
                w = int.from_bytes(fcs, "little") + (256 if len(fcs) == 2 else 0)
            win = max(win, w)
            last = 0
            while not last:
                bh = int.from_bytes(f.read(3), "little")
                last = bh & 1
                f.seek(1 if bh >> 1 & 3 == 1 else bh >> 3, 1)   # RLE: one byte
            if fhd >> 2 & 1:
                f.seek(4, 1)                             # content checksum


class Bench:
    def __init__(self, a):
        self.a = a
        self.tmp = os.path.realpath(a.tmp)
        self.dest = os.path.realpath(a.dest or a.tmp)
        self.allowed = [self.tmp, os.path.realpath(os.path.join(ROOT, "build", "bench", "disk"))]
        self.out = open(a.out, "a")
        self.figures = {}   # label: what issue_figures() prints
        self.curl_tar = os.path.join(self.tmp, "curl-tar.sh")
        with open(self.curl_tar, "w") as f:
            f.write(CURL_TAR)

    def log(self, line=""):
        print(line, flush=True)
        self.out.write(line + "\n")
        self.out.flush()

    def raw(self, line):
        self.out.write("raw " + line + "\n")
        self.out.flush()

    def safe_rm(self, path):
        """Remove path, which must be strictly below an allowed root."""
        rp = os.path.realpath(path)
        if not any(rp.startswith(r + "/") and len(rp) > len(r) + 1 for r in self.allowed
                   if len(r) > 8):
            raise SystemExit("run.py: refusing to remove %r" % path)
        if os.path.lexists(rp):
            shutil.rmtree(rp)

    def curl(self, url, accept=None, out=None):
        cmd = ["curl", "-sSf"]
        if accept:
            cmd += ["-H", "Accept: " + accept]
        if out:
            cmd += ["-o", out]
        cmd.append(url)
        return subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout

    def set_contenders(self, kind):
        """The contenders of an image of kind's layers; ocipull over https
        beside ocipull over plain http, when given."""
        self.contenders = CONTENDERS[kind]
        if self.a.https_reg:
            self.contenders = ("ocipull", "ocipull-https") + self.contenders[1:]
        if kind == "gzip" and self.a.ocipull_zlib:
            # The same ocipull with the zlib engine (the board fallback).
            i = self.contenders.index("ocipull") + 1 + bool(self.a.https_reg)
            self.contenders = self.contenders[:i] + ("ocipull-zlib",) + self.contenders[i:]
        if self.a.dest:
            # On a disk, syncing is part of the job: the pipeline once
            # more with its sync in the clock, and ocipull without its own.
            i = self.contenders.index(PIPE[kind]) + 1
            self.contenders = (("ocipull", "ocipull-nosync") + self.contenders[1:i] +
                               (PIPE[kind] + "+sync",) + self.contenders[i:])

    def prepare(self, name):
        """Manifest, layers, local blobs, sizes."""
        base = "http://%s/v2/bench/%s" % (self.a.reg, name)
        m = json.loads(self.curl(base + "/manifests/latest", ACCEPT))
        if m.get("mediaType") in INDEX_TYPES or "manifests" in m:
            pick = [d for d in m["manifests"]
                    if d.get("platform", {}).get("os") == "linux"
                    and d["platform"].get("architecture") == "amd64"]
            m = json.loads(self.curl(base + "/manifests/" + pick[0]["digest"], ACCEPT))
        layers = [ly["digest"] for ly in m["layers"]]
        kinds = {"zstd" if ly["mediaType"].endswith("+zstd") else "gzip" for ly in m["layers"]}
        if len(kinds) != 1:
            raise SystemExit("run.py: %s mixes gzip and zstd layers" % name)
        kind = kinds.pop()
        bdir = os.path.join(self.tmp, "blobs-" + name)
        os.makedirs(bdir, exist_ok=True)
        blobs, comp, unc, window = [], 0, 0, 0
        for i, d in enumerate(layers):
            p = os.path.join(bdir, "%02d-%s" % (i, d.split(":")[1][:12]))
            self.curl(base + "/blobs/" + d, out=p)
            h = hashlib.sha256()
            with open(p, "rb") as f:
                for b in iter(lambda: f.read(1 << 20), b""):
                    h.update(b)
            if "sha256:" + h.hexdigest() != d:
                raise SystemExit("run.py: blob %s does not match its digest" % d)
            blobs.append(p)
            comp += os.path.getsize(p)
            unc += uncompressed_size(p, kind)
            if kind == "zstd":
                window = max(window, zstd_window(p))
        return {"name": name, "ref": "%s/bench/%s:latest" % (self.a.reg, name),
                "repo": "bench/" + name, "layers": layers, "blobs": blobs,
                "comp": comp, "unc": unc, "kind": kind, "window": window}

    def command(self, c, img, run):
        ref = img["ref"]
        if c in ("ocipull", "ocipull-https", "ocipull-zlib", "ocipull-nosync"):
            if c != "ocipull-https":
                cmd = [self.a.ocipull_zlib if c == "ocipull-zlib" else self.a.ocipull,
                       "pull", "--plain-http"] + (["--no-sync"] if c == "ocipull-nosync" else [])
            else:
                cmd = [self.a.ocipull, "pull", "--ca-file", self.a.ca]
                ref = ref.replace(self.a.reg, self.a.https_reg, 1)
            if self.a.stats:
                cmd.append("--stats")
            return cmd + [ref, os.path.join(run, "rootfs")], os.path.join(run, "rootfs")
        if c in ("skopeo+umoci", "skopeo+umoci-raw"):
            if c == "skopeo+umoci":
                unpack = 'umoci unpack --image "$2:latest" "$3"'
                tree = os.path.join(run, "bundle")
                res = os.path.join(tree, "rootfs")
            else:
                unpack = 'umoci raw unpack --image "$2:latest" "$3"'
                tree = res = os.path.join(run, "rootfs")
            return (["sh", "-c", 'skopeo copy -q --src-tls-verify=false "docker://$1" '
                     '"oci:$2:latest" && ' + unpack, "sh", ref,
                     os.path.join(run, "oci"), tree], res)
        z = "-z" if img["kind"] == "gzip" else "--zstd"
        if c in ("curl|tar", "curl|zstd|tar"):
            d = os.path.join(run, "rootfs")
            os.mkdir(d)
            return (["bash", self.curl_tar, self.a.reg, img["repo"], d, run, z] + img["layers"], d)
        if c in ("curl|tar+sync", "curl|zstd|tar+sync"):
            # $3 is the script's DEST: the file system written is synced.
            d = os.path.join(run, "rootfs")
            os.mkdir(d)
            return (["bash", "-c", 'bash "$0" "$@" && sync -f "$3"', self.curl_tar,
                     self.a.reg, img["repo"], d, run, z] + img["layers"], d)
        cat = {"sha256sum": "sha256sum", "zcat": "zcat", "zstd-d": "zstd -dcq",
               "libdeflate-gunzip": "libdeflate-gunzip -c", "igzip-d": "igzip -d -c"}
        if c in cat:
            return ["sh", "-c", cat[c] + ' "$@" > /dev/null', "sh"] + img["blobs"], None
        if c in ("tar-xzf", "tar-x-zstd"):
            d = os.path.join(run, "rootfs")
            os.mkdir(d)
            return (["sh", "-c", 'z=$1 d=$2; shift 2; for b; do tar -x "$z" -f "$b" -C "$d" || exit 1; done',
                     "sh", z, d] + img["blobs"], d)
        raise ValueError(c)

    def timed(self, cmd, logf, jail_dirs=None):
        """Run cmd under GNU time, in the jail with jail_dirs writable if
        given (timed inside it). Returns rc, wall, CPU, peak RSS (KiB) and
        GNU time's own "wall user+sys". GNU time prints 10 ms steps, too
        coarse for the small image: wall is measured around the time
        process (perf_counter; includes its fork and exec, about 1 ms), CPU
        is the user+sys rusage of the time process from wait4(), which
        counts GNU time and everything it waited for, in microseconds (see
        time_process); the peak RSS is GNU time's %M (that of the time
        process itself is not wanted)."""
        tf = os.path.join(self.tmp, "time.out")
        argv = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf] + cmd
        with open(logf, "wb") as lf:
            if not jail_dirs:
                rc, wall, cpu = time_process(argv, lf)
            else:
                inner = os.path.join(self.tmp, "inside.out")
                if os.path.exists(inner):
                    os.unlink(inner)
                jail = ["sh", self.a.jail]
                for d in jail_dirs:
                    jail += ["-w", d]
                rc, wall, cpu = time_process(jail + ["--", sys.executable, os.path.abspath(__file__),
                                                     "--time-inside", inner, "--"] + argv, lf)
                if os.path.exists(inner):
                    with open(inner) as f:
                        rc, wall, cpu = f.read().split()
                    rc, wall, cpu = int(rc), float(wall), float(cpu)
                elif rc == 0:
                    rc = 1      # the jail ran but the timer in it did not report
        with open(tf) as f:
            last = f.read().strip().splitlines()[-1].split()
        gnu = "%s %.2f" % (last[0], float(last[1]) + float(last[2]))
        return rc, wall, cpu, int(last[3]), gnu

    def one(self, c, img, rnd, label, keep_ref=False, compare_to=None):
        run = os.path.join(self.dest, "run")
        self.safe_rm(run)
        os.makedirs(run)
        cmd, tree = self.command(c, img, run)
        logf = os.path.join(self.tmp, "last-%s.log" % c.replace("|", "-"))
        jail_dirs = None
        if c.startswith("ocipull") and self.a.jail:
            jail_dirs = [self.tmp] + ([run] if not run.startswith(self.tmp + "/") else [])
        rc, wall, cpu, rss, gnu = self.timed(cmd, logf, jail_dirs)
        if self.a.dest:
            subprocess.run(["sync"])    # not timed: no dirty pages for the next run
        with open(logf, "rb") as f:
            text = f.read().decode(errors="replace")
        stats = [ln for ln in text.splitlines() if ln.startswith("stats:")]
        self.raw("%s round=%s %-17s rc=%d wall=%.4f cpu=%.4f rss_kib=%d gnu_time_wall_cpu=%s%s" % (
            label, rnd, c, rc, wall, cpu, rss, gnu,
            (" | " + " | ".join(stats)) if stats else ""))
        note = None
        if rc != 0:
            note = "%s round %s: exit %d: %s" % (c, rnd, rc, " / ".join(text.strip().splitlines()[-3:]))
        if rc == 0 and compare_to and tree and c in UMOCI:
            self.compare("ocipull vs " + c, compare_to, tree)
        if rc == 0 and keep_ref and tree:
            ref = os.path.join(self.tmp, "ref")
            self.safe_rm(ref)
            os.rename(tree, ref)
            n = sum(len(fs) + len(ds) for _, ds, fs in os.walk(ref))
            self.entries = n
        self.safe_rm(run)
        return rc, wall, cpu, rss, stats, note

    def compare(self, what, a, b):
        """tests/treecmp.py a b, its verdict kept for the table."""
        p = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "treecmp.py"),
                            a, b, "--ignore-root-meta"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        lines = p.stdout.decode(errors="replace").strip().splitlines()
        self.treecmp.append("%s: %s" % (
            what, lines[-1] if p.returncode == 0 else
            "%d differences, e.g. %s" % (len(lines), " / ".join(lines[:4]))))

    def twin(self, name, ref):
        """After the warm-up: keep a gzip image's ocipull tree (ref) while its
        zstd twin NAME-zstd is still to come in this call; compare a zstd
        image's tree with its twin's, if kept."""
        if name.endswith("-zstd"):
            other = os.path.join(self.tmp, "ref-" + name[:-5])
            if os.path.isdir(ref) and os.path.isdir(other):
                self.compare("ocipull %s vs ocipull %s" % (name, name[:-5]), other, ref)
            self.safe_rm(other)
        elif os.path.isdir(ref) and name + "-zstd" in self.a.images[self.a.images.index(name):]:
            os.rename(ref, os.path.join(self.tmp, "ref-" + name))
        self.safe_rm(ref)

    def image(self, name):
        self.treecmp, self.entries, left_out = [], None, []
        img = self.prepare(name)
        self.set_contenders(img["kind"])
        label = name + (self.a.label or "")
        small_enough = img["unc"] < 600 * 1000 * 1000
        res = {c: [] for c in self.contenders}   # per measured round: tuple or None
        notes, last_stats = [], {}
        n = len(self.contenders)
        self.log("\n== %s: %s, %d layer(s), %d bytes compressed, %d uncompressed ==" % (
            label, img["ref"], len(img["layers"]), img["comp"], img["unc"]))
        t0 = time.time()
        for rnd in range(self.a.rounds + 1):
            order = self.contenders[rnd % n:] + self.contenders[:rnd % n]
            ref = os.path.join(self.tmp, "ref")
            for c in order:
                warm = rnd == 0
                if c in left_out:
                    continue
                r = self.one(c, img, "warmup" if warm else rnd, label,
                             keep_ref=warm and small_enough and c == "ocipull" and not self.a.dest,
                             compare_to=ref if warm and os.path.isdir(ref) else None)
                if r[5] and warm and c in UMOCI and img["kind"] == "zstd":
                    left_out.append(c)
                    said = r[5].split(": ", 2)[-1].split(" / ")[-1].lstrip("\u2a2f\u2022 ")
                    notes.append("%s: %s cannot unpack zstd layers (%s); left out of the "
                                 "measured rounds" % (c, umoci_version(), said))
                elif r[5]:
                    notes.append("FAILED: " + r[5])
                if c.startswith("ocipull") and r[4]:
                    last_stats[c] = r[4]
                if not warm:
                    res[c].append(r[:4] if r[0] == 0 else None)
            if rnd == 0:
                self.twin(name, ref)
                print("  warm-up done (%.0f s)" % (time.time() - t0), flush=True)
            else:
                print("  round %d/%d done (%.0f s)" % (rnd, self.a.rounds, time.time() - t0),
                      flush=True)
        self.table(img, label, res, notes, last_stats)
        if self.a.strace:
            self.syscalls(img, label)
        self.safe_rm(os.path.join(self.tmp, "blobs-" + name))

    def table(self, img, label, res, notes, last_stats):
        def med(c, i):
            v = [r[i] for r in res.get(c, []) if r]
            return statistics.median(v) if v else None

        def paired(a, b, i):
            """Median over the rounds of a's figure i over b's (None if
            either was not run)."""
            v = [x[i] / y[i] for x, y in zip(res.get(a, []), res.get(b, []))
                 if x and y and y[i] > 0]
            return statistics.median(v) if v else None

        def ratio(c, i):
            return paired("ocipull", c, i)

        def f(v, fmt):
            return fmt % v if v is not None else "-"

        ok = {c: sum(1 for r in res[c] if r) for c in self.contenders}
        self.log("")
        self.log("%s: medians of %d measured rounds (after 1 warm-up), destination %s" % (
            label, self.a.rounds, self.a.where))
        if self.entries:
            self.log("ocipull's tree: %d entries" % self.entries)
        hdr = "%-17s | %8s | %8s | %9s | %11s | %9s | %s" % (
            "contender", "wall (s)", "CPU (s)", "RSS (MiB)", "wall ratio", "CPU ratio", "ok")
        self.log(hdr)
        self.log("-" * len(hdr))
        for c in self.contenders:
            rss = med(c, 3)
            self.log("%-17s | %8s | %8s | %9s | %11s | %9s | %d/%d" % (
                c, f(med(c, 1), "%.3f"), f(med(c, 2), "%.3f"),
                f(rss / 1024 if rss is not None else None, "%.1f"),
                f(ratio(c, 1), "%.2f") if c != "ocipull" else "1",
                f(ratio(c, 2), "%.2f") if c != "ocipull" else "1",
                ok[c], len(res[c])))
        self.log("(ratio = ocipull/contender in the same round, median over rounds; "
                 "CPU = user+sys of the process and its children)")
        self.log("")
        self.log("%s: cost per byte (median wall and CPU over %d compressed, %d uncompressed bytes)" % (
            label, img["comp"], img["unc"]))
        hdr = "%-17s | %13s | %13s | %13s | %13s" % (
            "contender", "wall ns/cB", "wall ns/uB", "CPU ns/cB", "CPU ns/uB")
        self.log(hdr)
        self.log("-" * len(hdr))
        for c in self.contenders:
            w, u = med(c, 1), med(c, 2)
            if w is None:
                self.log("%-17s | %13s | %13s | %13s | %13s" % (c, "-", "-", "-", "-"))
                continue
            self.log("%-17s | %13.2f | %13.2f | %13.2f | %13.2f" % (
                c, w * 1e9 / img["comp"], w * 1e9 / img["unc"],
                u * 1e9 / img["comp"], u * 1e9 / img["unc"]))
        for c, st in sorted(last_stats.items()):
            self.log("%s --stats (last measured run): %s" % (c, " | ".join(st)))
        for t in self.treecmp:
            self.log("tree check: " + t)
        for nt in notes:
            self.log(nt)
        self.figures[label] = {
            "name": img["name"], "kind": img["kind"], "window": img["window"],
            "kb": ratio(PIPE[img["kind"]], 1), "wall": med("ocipull", 1),
            "kb_sync": ratio(PIPE[img["kind"]] + "+sync", 1),
            "kb_nosync": paired("ocipull-nosync", PIPE[img["kind"]], 1),
            "wall_zlib": med("ocipull-zlib", 1),
            "decoder": med(DECODER[img["kind"]], 1),
            "rss": max((r[3] for r in res["ocipull"] if r), default=None),
            "rss_https": max((r[3] for r in res.get("ocipull-https", []) if r), default=None)}

    def issue_figures(self):
        """Issue 15's must-show, from this call's tables: facts, not checks."""
        fg = self.figures
        self.log("")
        self.log("Issue 15 figures (this run; the issue's targets beside them, not checked)")
        for label, v in fg.items():
            t = KB_TARGET.get(label)
            self.log("%s: K/B = ocipull wall / %s wall (median of per-round ratios) = %s%s" % (
                label, PIPE[v["kind"]], "%.2f" % v["kb"] if v["kb"] else "-",
                "   (target <= %.2f)" % t if t else ""))
            if v.get("kb_sync"):
                self.log("%s: ocipull wall / (%s; sync -f) wall, both durable = %.2f" % (
                    label, PIPE[v["kind"]], v["kb_sync"]))
            if v.get("kb_nosync"):
                self.log("%s: ocipull --no-sync wall / %s wall, neither synced = %.2f" % (
                    label, PIPE[v["kind"]], v["kb_nosync"]))
        for label, v in fg.items():
            g = fg.get(v["name"][:-5] + (self.a.label or ""))
            if v["kind"] != "zstd" or not g or not v["wall"] or not g["wall"]:
                continue
            t = ZSTD_TARGET.get(g["name"])
            self.log("%s: zstd wall / gzip wall (ocipull, same content) = %.3f s / %.3f s = %.2f%s" % (
                g["name"] + (self.a.label or ""), v["wall"], g["wall"], v["wall"] / g["wall"],
                "   (target <= %.1f)" % t if t else ""))
            if g.get("wall_zlib"):
                self.log("%s: zstd wall / gzip wall with the zlib engine (ocipull-zlib) = "
                         "%.3f s / %.3f s = %.2f" % (g["name"] + (self.a.label or ""), v["wall"],
                                                     g["wall_zlib"], v["wall"] / g["wall_zlib"]))
            if v.get("decoder") and g.get("decoder"):
                self.log("%s: decoders alone, zstd -d wall / igzip -d wall (same content) = "
                         "%.3f s / %.3f s = %.2f" % (g["name"] + (self.a.label or ""),
                                                     v["decoder"], g["decoder"],
                                                     v["decoder"] / g["decoder"]))
        for label, v in fg.items():
            if v["rss"] is None:
                continue
            lim = RSS_LIMIT_KIB + v["window"] / 1024
            self.log("%s: ocipull peak RSS %.2f MiB (max of the measured rounds%s); limit %s "
                     "= %.2f MiB: %s" % (
                         label, v["rss"] / 1024,
                         "; over https %.2f MiB" % (v["rss_https"] / 1024)
                         if v["rss_https"] else "",
                         "2 MiB + the %g MiB frame window" % (v["window"] / 1048576)
                         if v["kind"] == "zstd" else "2 MiB", lim / 1024,
                         "within" if v["rss"] <= lim else "over by %.2f MiB" % (
                             (v["rss"] - lim) / 1024)))

    def syscalls(self, img, label):
        """System calls per layer entry, strace -f -c, one untimed run each:
        ocipull's pull in the jail (strace around the jail, less a `sh JAIL
        true` under the same strace, which bwrap's and sh's start-up are)
        and tar -x of the local blobs (with the decompressor it starts)."""
        z = "-z" if img["kind"] == "gzip" else "--zstd"
        entries = sum(int(subprocess.run(["sh", "-c", 'tar -t "$1" -f "$2" | wc -l', "sh", z, b],
                                         check=True, stdout=subprocess.PIPE).stdout)
                      for b in img["blobs"])
        run = os.path.join(self.dest, "run")
        jail = ["sh", self.a.jail, "-w", self.tmp, "-w", run, "--"]
        tar = "tar-xzf" if img["kind"] == "gzip" else "tar-x-zstd"
        desc = "tar -xzf" if img["kind"] == "gzip" else "tar --zstd -xf"
        n = {}
        for what in ("jail", "ocipull", tar):
            self.safe_rm(run)
            os.makedirs(run)
            if what == tar:
                cmd = self.command(tar, img, run)[0]
            else:
                cmd = jail + (self.command(what, img, run)[0] if what == "ocipull" else ["true"])
            so = os.path.join(self.tmp, "strace.out")
            p = subprocess.run(["strace", "-f", "-c", "-S", "calls", "-o", so] + cmd,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if p.returncode != 0:
                raise SystemExit("run.py: strace of %s failed: %s" % (
                    what, p.stderr.decode(errors="replace")[-300:]))
            n[what] = strace_counts(so)
            subprocess.run(["sync"])
        self.safe_rm(run)
        o = {k: (max(c - n["jail"].get(k, (0, 0))[0], 0), max(e - n["jail"].get(k, (0, 0))[1], 0))
             for k, (c, e) in n["ocipull"].items()}
        t = n[tar]
        self.log("")
        self.log("%s: system calls per layer entry (%d entries in the %d layers, tar -t), "
                 "strace -f -c of one more, untimed, run each" % (label, entries, len(img["blobs"])))
        self.log("ocipull: the pull over plain http, in the jail, less the jail's own start-up "
                 "(`sh jail.sh true`: %d calls); %s: %s of each local blob, with the "
                 "decompressor it starts" % (n["jail"]["total"][0], tar, desc))
        hdr = "%-16s | %9s | %7s | %8s | %9s | %7s | %8s" % (
            "syscall", "ocipull", "/entry", "errors", tar, "/entry", "errors")
        self.log(hdr)
        self.log("-" * len(hdr))
        top = sorted((k for k in set(o) | set(t) if k != "total"),
                     key=lambda k: -max(o.get(k, (0, 0))[0], t.get(k, (0, 0))[0]))[:12]
        for k in ["total"] + top:
            oc, oe = o.get(k, (0, 0))
            tc, te = t.get(k, (0, 0))
            self.log("%-16s | %9d | %7.2f | %8d | %9d | %7.2f | %8d" % (
                k, oc, oc / entries, oe, tc, tc / entries, te))


def umoci_version():
    p = subprocess.run(["umoci", "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return p.stdout.decode(errors="replace").strip().replace(" version", "")


def strace_counts(path):
    """{syscall: (calls, errors)} and "total" from strace -c's table."""
    n = {}
    with open(path) as f:
        for ln in f:
            w = ln.split()
            if len(w) in (5, 6) and w[3].isdigit():
                n[w[-1]] = (int(w[3]), int(w[4]) if len(w) == 6 else 0)
    return n


def paired(b, boards, n, tag, cols, commands):
    """Per board (NAME=RUNNER:BINARY, RUNNER empty for the host): the
    median wall time of n runs of each of two commands, alternating, in the
    jail, and their difference. commands(pre, binary) gives the two argument
    lists (pre: the runner, or nothing); cols names the two and the
    difference in the table; tag marks the raw lines."""
    hdr = "%-21s | %12s | %12s | %14s" % (("board",) + cols)
    b.log(hdr)
    b.log("-" * len(hdr))
    log = os.path.join(b.tmp, tag + ".log")
    for spec in boards:
        name, rest = spec.split("=", 1)
        runner, binary = rest.split(":", 1)
        cmds = commands([runner] if runner else [], binary)
        t = ([], [])
        for _ in range(n):
            for k in (0, 1):
                rc, wall, _, _, _ = b.timed(cmds[k], log, [b.tmp])
                if rc != 0:
                    with open(log, errors="replace") as f:
                        raise SystemExit("run.py: %s %s failed: %s" % (
                            name, " ".join(cmds[k][-4:]), f.read().strip()[-300:]))
                t[k].append(wall * 1000)
                b.raw("%s %s %s wall_ms=%.2f" % (tag, name, cols[k].split()[0], wall * 1000))
        m0, m1 = statistics.median(t[0]), statistics.median(t[1])
        b.log("%-21s | %12.1f | %12.1f | %14.1f" % (
            name + (" (qemu)" if runner else ""), m0, m1, m1 - m0))


def handshake(b, boards, n=15):
    """The median wall time of n `inspect` of bench/small over plain http
    and over https, per board (paired); the difference is what TLS costs
    one inspect (one connection: hand-shake and certificate check)."""
    a = b.a
    b.log("")
    b.log("TLS cost: median of %d `ocipull inspect bench/small` per board, plain http "
          "against https (one connection each), in the jail" % n)
    paired(b, boards, n, "handshake", ("http (ms)", "https (ms)", "TLS cost (ms)"),
           lambda pre, binary: (
               pre + [binary, "inspect", "--plain-http", "%s/bench/small:latest" % a.reg],
               pre + [binary, "inspect", "--ca-file", a.ca,
                      "%s/bench/small:latest" % a.https_reg]))


def signatures(b, boards, n=15):
    """The median wall time of n pulls of bench/small (--no-sync --force,
    into the same DEST, replaced each time: without --force a pull into a
    DEST that holds the image does nothing) over plain http without and with
    --verify-key, per board (paired); the image's index carries one cosign
    signature (tag scheme). The difference is what a device pays for the
    check: a pull stops at the first signature that verifies (the index's
    .sig tag and its payload, one ECDSA P-256 verification); inspect,
    which lists every signature, looks in all six places."""
    a = b.a
    b.log("")
    b.log("Signature cost: median of %d `ocipull pull --no-sync bench/small` per board, "
          "without and with --verify-key (one cosign P-256 signature on the index), "
          "in the jail" % n)
    ref = "%s/bench/small:latest" % a.reg
    dest = os.path.join(b.tmp, "sig-dest")
    paired(b, boards, n, "signatures", ("plain (ms)", "signed (ms)", "cost (ms)"),
           lambda pre, binary: (
               pre + [binary, "pull", "--no-sync", "--force", "--plain-http", ref,
                      dest],
               pre + [binary, "pull", "--no-sync", "--force", "--plain-http",
                      "--verify-key", a.signatures, ref, dest]))
    shutil.rmtree(dest, ignore_errors=True)


def rss_check():
    """Does GNU time's %M on `sh -c` see a child's peak RSS?"""
    p = subprocess.run(["/usr/bin/time", "-f", "%M", "sh", "-c",
                        sys.executable + " -c 'b = bytearray(200 << 20); b[::4096] = b\"x\" * len(b[::4096])'; true"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    kib = int(p.stderr.decode().strip().splitlines()[-1])
    return kib


def main():
    if sys.argv[1:2] == ["--time-inside"]:
        return time_inside(sys.argv[2:])
    ap = argparse.ArgumentParser()
    ap.add_argument("--reg", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--dest")
    ap.add_argument("--where", default="tmpfs")
    ap.add_argument("--ocipull", required=True)
    ap.add_argument("--ocipull-zlib", help="ocipull built with GZIP_ENGINE=zlib, "
                    "timed beside ocipull on gzip images")
    ap.add_argument("--out", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--label", default="")
    ap.add_argument("--stats", action="store_true")
    ap.add_argument("--rss-check", action="store_true")
    ap.add_argument("--jail")
    ap.add_argument("--jail-cost", action="store_true")
    ap.add_argument("--https-reg")
    ap.add_argument("--ca")
    ap.add_argument("--handshake", action="store_true")
    ap.add_argument("--signatures", metavar="KEY")
    ap.add_argument("--strace", action="store_true")
    ap.add_argument("images", nargs="+")
    a = ap.parse_args()
    b = Bench(a)
    if a.handshake:
        handshake(b, a.images)
        return 0
    if a.signatures:
        signatures(b, a.images)
        return 0
    if a.rss_check:
        kib = rss_check()
        b.log("GNU time on `sh -c 'python3 (touches 200 MiB); true'` reports %d KiB peak RSS: %s" % (
            kib, "the children's peak is seen (max over the waited-for processes)"
            if kib > 150 * 1024 else "children NOT seen: RSS of shell pairs is wrong"))
    if a.jail and a.jail_cost:
        j, t = jail_cost(a.jail)
        b.log("jail: ocipull runs in %s's bubblewrap jail, timed inside it; the contenders "
              "run unjailed" % os.path.relpath(a.jail, ROOT))
        b.log("jail start-up, not in ocipull's figures: %.1f ms (median of 20 `sh %s true`; "
              "`true` alone: %.1f ms)" % (j, os.path.relpath(a.jail, ROOT), t))
    for name in a.images:
        b.image(name)
    b.issue_figures()
    return 0


if __name__ == "__main__":
    sys.exit(main())
