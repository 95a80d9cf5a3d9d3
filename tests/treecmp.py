#!/usr/bin/env python3
"""treecmp.py: compare two directory trees exactly.

    treecmp.py A B [--ignore-root-meta] [--no-owner] [--no-xattrs]

Compares, for every path below A and B (neither followed if a symlink):
the set of relative paths, file type, permission bits with setuid, setgid
and sticky, uid and gid, size and sha256 of regular files, symlink
targets, hard-link groups (the paths that share one inode inside each
tree must form the same groups in both), device major/minor of character
and block devices, mtimes in whole seconds (lstat: files, symlinks and
directories alike) and extended attributes (listed without following
symlinks; security.selinux is ignored, as it depends on the host).

  --ignore-root-meta  skip the metadata (mode, owner, mtime, xattrs) of A
                      and B themselves: a root directory has no tar entry,
                      so its metadata is whatever the unpacker chose
  --no-owner          skip uid and gid
  --no-xattrs         skip extended attributes

Prints one line per difference, "PATH: WHAT: A-VALUE vs B-VALUE", and
exits 1 if there is any; prints "identical: N paths" and exits 0 if not.
Exits 2 on a usage error or if A or B is not a directory.
"""
import hashlib
import os
import stat
import sys

IGNORED_XATTRS = {"security.selinux"}


def kind(mode):
    for test, name in ((stat.S_ISREG, "file"), (stat.S_ISDIR, "dir"),
                       (stat.S_ISLNK, "symlink"), (stat.S_ISCHR, "chr"),
                       (stat.S_ISBLK, "blk"), (stat.S_ISFIFO, "fifo"),
                       (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "unknown"


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 16)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def xattrs(path):
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError as e:
        return {"<error>": str(e).encode()}
    out = {}
    for n in names:
        if n in IGNORED_XATTRS:
            continue
        try:
            out[n] = os.getxattr(path, n, follow_symlinks=False)
        except OSError as e:
            out[n] = ("<error %s>" % e).encode()
    return out


def scan(root, opts):
    """Map relative path ("." for the root) to a dict of properties, and
    return the hard-link groups: inode -> sorted tuple of paths."""
    entries = {}
    inodes = {}

    def add(rel, full):
        st = os.lstat(full)
        k = kind(st.st_mode)
        p = {"type": k, "mode": "%04o" % stat.S_IMODE(st.st_mode),
             "mtime": int(st.st_mtime)}
        if opts["owner"]:
            p["uid"] = st.st_uid
            p["gid"] = st.st_gid
        if k == "file":
            p["size"] = st.st_size
            p["sha256"] = sha256(full)
        elif k == "symlink":
            p["target"] = os.readlink(full)
        elif k in ("chr", "blk"):
            p["device"] = "%d:%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
        if opts["xattrs"]:
            p["xattrs"] = xattrs(full)
        if k != "dir":
            inodes.setdefault((st.st_dev, st.st_ino), []).append(rel)
        entries[rel] = p

    add(".", root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            full = os.path.join(dirpath, name)
            add(os.path.relpath(full, root), full)
    groups = {}
    for paths in inodes.values():
        if len(paths) > 1:
            g = tuple(sorted(paths))
            for rel in paths:
                groups[rel] = g
    return entries, groups


def fmt(v):
    if isinstance(v, dict):
        return "{" + ", ".join("%s=%r" % (k, v[k]) for k in sorted(v)) + "}"
    if isinstance(v, tuple):
        return "[" + " ".join(v) + "]"
    return str(v)


def compare(a, b, opts):
    ea, ga = scan(a, opts)
    eb, gb = scan(b, opts)
    diffs = []
    for rel in sorted(set(ea) | set(eb)):
        if rel not in eb:
            diffs.append("%s: presence: %s vs missing" % (rel, ea[rel]["type"]))
            continue
        if rel not in ea:
            diffs.append("%s: presence: missing vs %s" % (rel, eb[rel]["type"]))
            continue
        pa, pb = ea[rel], eb[rel]
        if pa["type"] != pb["type"]:
            diffs.append("%s: type: %s vs %s" % (rel, pa["type"], pb["type"]))
            continue
        for key in ("mode", "uid", "gid", "mtime", "size", "sha256",
                    "target", "device", "xattrs"):
            if rel == "." and opts["ignore_root"]:
                break
            if key not in pa and key not in pb:
                continue
            va, vb = pa.get(key), pb.get(key)
            if va != vb:
                diffs.append("%s: %s: %s vs %s" % (rel, key, fmt(va), fmt(vb)))
        la, lb = ga.get(rel, (rel,)), gb.get(rel, (rel,))
        if la != lb:
            diffs.append("%s: hardlinks: %s vs %s" % (rel, fmt(la), fmt(lb)))
    return diffs, len(set(ea) | set(eb))


def main(argv):
    opts = {"ignore_root": False, "owner": True, "xattrs": True}
    dirs = []
    for arg in argv[1:]:
        if arg == "--ignore-root-meta":
            opts["ignore_root"] = True
        elif arg == "--no-owner":
            opts["owner"] = False
        elif arg == "--no-xattrs":
            opts["xattrs"] = False
        elif arg in ("-h", "--help"):
            sys.stdout.write(__doc__)
            return 0
        elif arg.startswith("--"):
            sys.stderr.write("treecmp.py: unknown option %r\n" % arg)
            return 2
        else:
            dirs.append(arg)
    if len(dirs) != 2:
        sys.stderr.write("usage: treecmp.py A B [--ignore-root-meta] [--no-owner] [--no-xattrs]\n")
        return 2
    for d in dirs:
        if not os.path.isdir(d) or os.path.islink(d):
            sys.stderr.write("treecmp.py: %s is not a directory\n" % d)
            return 2
    diffs, n = compare(dirs[0], dirs[1], opts)
    for line in diffs:
        print(line)
    if diffs:
        return 1
    print("identical: %d paths" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
