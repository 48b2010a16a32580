"""make install: the exact tree it leaves under DESTDIR, file modes, and
that what it installs is what the tree holds (and the binaries run)."""

import filecmp
import os
import re
import secrets
import shutil
import stat
import subprocess
import tempfile

import pwtest
from pwtest import check, eq

PREFIX = "/usr/local"

# What the install target must leave, relative to DESTDIR, with modes.
BASE = {
    "usr/local/sbin/playwaved": (0o755, None),
    "usr/local/sbin/playwavectl": (0o755, None),
    "usr/local/share/man/man5/playwaved.conf.5": (0o644, "man/playwaved.conf.5"),
    "usr/local/share/man/man8/playwaved.8": (0o644, "man/playwaved.8"),
    "usr/local/share/man/man8/playwavectl.8": (0o644, "man/playwavectl.8"),
    "usr/local/etc/playwaved.conf.sample": (0o644, "etc/playwaved.conf"),
}

# The deployment examples, once the install target ships them.
EXAMPLES_DIR = "share/examples/playwaved"
EXAMPLES = {
    "usr/local/share/examples/playwaved/rc.d/playwaved": (0o755, "etc/rc.d/playwaved"),
    "usr/local/share/examples/playwaved/playwaved.service": (0o644, "etc/playwaved.service"),
    "usr/local/share/examples/playwaved/newsyslog.conf.sample":
        (0o644, "etc/newsyslog.conf.sample"),
    "usr/local/share/examples/playwaved/logrotate.conf.sample":
        (0o644, "etc/logrotate.conf.sample"),
    # The README's recipes: the proxy and its example cluster, the shipper.
    "usr/local/share/examples/playwaved/haproxy/haproxy.cfg":
        (0o644, "etc/haproxy/haproxy.cfg"),
    "usr/local/share/examples/playwaved/ship/billing.sql":
        (0o644, "tools/ship/billing.sql"),
    "usr/local/share/examples/playwaved/ship/pgload.py":
        (0o644, "tools/ship/pgload.py"),
}
for _n in ("cafes.map", "ids.map", "subs.map", "shards.cfg", "shard0.conf",
           "shard1.conf", "shard2.conf"):
    EXAMPLES["usr/local/share/examples/playwaved/haproxy/example/" + _n] = (
        0o644, "etc/haproxy/example/" + _n)


def expected():
    with open(os.path.join(pwtest.ROOT, "GNUmakefile")) as f:
        mk = f.read()
    want = dict(BASE)
    if EXAMPLES_DIR in mk:
        want.update(EXAMPLES)
    return want


def make_install(destdir):
    argv = ["make", "-s", "install", "PREFIX=" + PREFIX, "DESTDIR=" + destdir]
    build = os.environ.get("PW_BUILD", "build")
    if build.rstrip("/").endswith("asan"):
        argv.append("SANITIZE=1")
    return subprocess.run(argv, cwd=pwtest.ROOT, capture_output=True,
                          text=True, timeout=600)


def tree(destdir):
    files, dirs = {}, set()
    for top, dnames, fnames in os.walk(destdir):
        for d in dnames:
            dirs.add(os.path.relpath(os.path.join(top, d), destdir))
        for f in fnames:
            p = os.path.join(top, f)
            files[os.path.relpath(p, destdir)] = stat.S_IMODE(os.lstat(p).st_mode)
    return files, dirs


def parents(paths):
    out = set()
    for p in paths:
        d = os.path.dirname(p)
        while d:
            out.add(d)
            d = os.path.dirname(d)
    return out


def test_install_tree():
    dest = tempfile.mkdtemp(prefix="pwinstall.")
    try:
        p = make_install(dest)
        eq(p.returncode, 0, "make install failed:\n" + p.stdout + p.stderr)
        want = expected()
        files, dirs = tree(dest)
        # Exactly these files, and no directory that holds none of them.
        eq(sorted(files), sorted(want))
        eq(sorted(dirs), sorted(parents(want)))
        for rel, (mode, src) in want.items():
            eq(oct(files[rel]), oct(mode), rel)
            check(not os.path.islink(os.path.join(dest, rel)), rel + " is a link")
            if src is not None:
                check(filecmp.cmp(os.path.join(dest, rel),
                                  os.path.join(pwtest.ROOT, src), shallow=False),
                      "%s differs from %s" % (rel, src))
        # Nothing was written outside DESTDIR's prefix.
        eq(sorted(os.listdir(dest)), ["usr"])
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def test_installed_binaries_run():
    dest = tempfile.mkdtemp(prefix="pwinstall.")
    try:
        p = make_install(dest)
        eq(p.returncode, 0, "make install failed:\n" + p.stdout + p.stderr)
        sbin = os.path.join(dest, PREFIX.lstrip("/"), "sbin")
        # The installed daemon is the built one: same version, and it
        # checks the installed sample configuration.
        v = subprocess.run([os.path.join(sbin, "playwaved"), "-v"],
                           capture_output=True, text=True, timeout=10)
        eq(v.returncode, 0, v.stderr)
        check(v.stdout.startswith("playwaved "), v.stdout)
        built = subprocess.run([pwtest.DAEMON, "-v"], capture_output=True,
                               text=True, timeout=10)
        eq(v.stdout, built.stdout)
        sample = os.path.join(dest, PREFIX.lstrip("/"), "etc",
                              "playwaved.conf.sample")
        # The sample ships without secrets: refused, naming what is
        # missing, until every secret line is uncommented and filled in.
        n = subprocess.run([os.path.join(sbin, "playwaved"), "-n", "-f", sample],
                           capture_output=True, text=True, timeout=10)
        eq(n.returncode, 1, n.stderr)
        check("api-key" in n.stderr, n.stderr)
        with open(sample) as f:
            text = f.read()
        filled = re.sub(r'(?m)^(\s*)#(launcher-secret|launch-secret|api-key|'
                        r'hmac-secret)(\s+)""',
                        lambda m: '%s%s%s"%s"' % (m.group(1), m.group(2),
                                                  m.group(3),
                                                  secrets.token_hex(32)),
                        text)
        eq(len(re.findall(r'(?m)^\s*(launcher-secret|launch-secret|api-key|'
                          r'hmac-secret)\s+"[0-9a-f]{64}"', filled)), 4, filled)
        with open(sample, "w") as f:
            f.write(filled)
        n = subprocess.run([os.path.join(sbin, "playwaved"), "-n", "-f", sample],
                           capture_output=True, text=True, timeout=10)
        eq(n.returncode, 0, n.stderr)
        check("OK" in n.stderr, n.stderr)
        # The admin tool runs and reports a usage error as status 2.
        u = subprocess.run([os.path.join(sbin, "playwavectl")],
                           capture_output=True, text=True, timeout=10)
        eq(u.returncode, 2, u.stderr)
        check("usage:" in u.stderr, u.stderr)
    finally:
        shutil.rmtree(dest, ignore_errors=True)

