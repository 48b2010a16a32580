"""The Debian package: make deb builds it from a clean copy of the tree,
as dpkg-buildpackage -us -uc -b does (its own unit tests run), and with
DEB_BUILD_OPTIONS=nocheck; lintian --pedantic says nothing about it;
dpkg-deb -c shows the expected tree; and it installs, upgrades, is
removed and purged in a throwaway root, each step checked.

The throwaway root is this machine's own file system under an overlay
(unshare(1) -m, mount -t overlay with / below and a scratch directory
above, chroot(8)): dpkg, adduser and the maintainer scripts run as they
would on a host, everything they write lands in the scratch directory,
and nothing is installed here.  No container runtime, no image to
fetch.  systemctl is a fake in that root that records what it is asked
(a service manager cannot run there), with /run/systemd/system present
so that the scripts talk to it."""

import glob
import os
import re
import shutil
import subprocess
import tempfile

import pwtest
from pwtest import check, eq

OUT = os.path.join(pwtest.ROOT, "build", "deb")

# path -> mode; every file the package must hold, and only these.
FILES = {
    "etc/logrotate.d/playwaved": "-rw-r--r--",
    "etc/playwaved/playwaved.conf": "-rw-r--r--",
    "lib/systemd/system/playwaved.service": "-rw-r--r--",
    "usr/sbin/playwavectl": "-rwxr-xr-x",
    "usr/sbin/playwaved": "-rwxr-xr-x",
    "usr/share/doc/playwaved/README.Debian": "-rw-r--r--",
    "usr/share/doc/playwaved/changelog.gz": "-rw-r--r--",
    "usr/share/doc/playwaved/copyright": "-rw-r--r--",
    "usr/share/doc/playwaved/examples/haproxy/haproxy.cfg": "-rw-r--r--",
    "usr/share/doc/playwaved/examples/haproxy/example/cafes.map": "-rw-r--r--",
    "usr/share/doc/playwaved/examples/haproxy/example/ids.map": "-rw-r--r--",
    "usr/share/doc/playwaved/examples/haproxy/example/subs.map": "-rw-r--r--",
    "usr/share/doc/playwaved/examples/haproxy/example/shards.cfg": "-rw-r--r--",
    "usr/share/doc/playwaved/examples/haproxy/example/shard0.conf": "-rw-r--r--",
    "usr/share/doc/playwaved/examples/haproxy/example/shard1.conf": "-rw-r--r--",
    "usr/share/doc/playwaved/examples/haproxy/example/shard2.conf": "-rw-r--r--",
    "usr/share/doc/playwaved/examples/ship/billing.sql": "-rw-r--r--",
    "usr/share/doc/playwaved/examples/ship/pgload.py": "-rw-r--r--",
    "usr/share/man/man5/playwaved.conf.5.gz": "-rw-r--r--",
    "usr/share/man/man8/playwavectl.8.gz": "-rw-r--r--",
    "usr/share/man/man8/playwaved.8.gz": "-rw-r--r--",
}
SECRETS = ("launcher-secret", "launch-secret", "api-key", "hmac-secret")


def skip_reason():
    if os.environ.get("PW_BUILD", "build").rstrip("/").endswith("asan"):
        return "sanitizer pass (the package is built in the plain one)"
    for tool in ("dpkg-buildpackage", "dh", "fakeroot", "lintian"):
        if shutil.which(tool) is None:
            return "%s missing (make deps installs it)" % tool
    if shutil.which("git") is None or not os.path.isdir(
            os.path.join(pwtest.ROOT, ".git")) and not os.path.isfile(
            os.path.join(pwtest.ROOT, ".git")):
        return "not a git checkout"
    return None


def version():
    with open(os.path.join(pwtest.ROOT, "include", "pw.h")) as f:
        return re.search(r'PW_VERSION\s+"([^"]+)"', f.read()).group(1)


def arch():
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True,
                          text=True, check=True).stdout.strip()


def build(nocheck=False):
    env = dict(os.environ)
    env.pop("DEB_BUILD_OPTIONS", None)
    if nocheck:
        env["DEB_BUILD_OPTIONS"] = "nocheck"
    p = subprocess.run(["make", "-s", "deb"], cwd=pwtest.ROOT, env=env,
                       capture_output=True, text=True, timeout=900)
    check(p.returncode == 0, "make deb: rc %d\n%s%s" % (p.returncode, p.stdout,
                                                       p.stderr))
    deb = os.path.join(OUT, "playwaved_%s_%s.deb" % (version(), arch()))
    check(os.path.isfile(deb), "no %s; built: %s" % (
        deb, glob.glob(os.path.join(OUT, "*.deb"))))
    return deb


def contents(deb):
    out = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True,
                         text=True, check=True).stdout
    files = {}
    for line in out.splitlines():
        f = line.split()
        path = f[-1][2:] if f[-1].startswith("./") else f[-1]
        if not f[0].startswith("d"):
            files[path] = (f[0], f[1])
    return files


def control(deb, name):
    return subprocess.run(["dpkg-deb", "-I", deb, name], capture_output=True,
                          text=True).stdout


def conffile_text(deb):
    p = subprocess.run("dpkg-deb --fsys-tarfile %s | tar -xOf - "
                       "./etc/playwaved/playwaved.conf" % deb, shell=True,
                       capture_output=True, text=True)
    eq(p.returncode, 0, p.stderr)
    return p.stdout


def test_builds_with_nocheck():
    """DEB_BUILD_OPTIONS=nocheck builds without the unit tests (the next
    test builds without it: the documented dpkg-buildpackage -us -uc -b,
    unit tests under Debian's hardening flags, _FORTIFY_SOURCE)."""
    why = skip_reason()
    if why:
        print("  skipped: " + why)
        return
    build(nocheck=True)
    with open(os.path.join(OUT, "build.log")) as f:
        check("Running suite(s)" not in f.read(), "nocheck ran the tests")


def test_deb_tree_and_lintian():
    why = skip_reason()
    if why:
        print("  skipped: " + why)
        return
    deb = build()
    with open(os.path.join(OUT, "build.log")) as f:
        log = f.read()
    check("Running suite(s): file" in log, "the unit tests did not run:\n" +
          log[-3000:])
    files = contents(deb)
    eq(sorted(files), sorted(FILES), "dpkg-deb -c")
    for path, mode in FILES.items():
        eq(files[path][0], mode, path)
        eq(files[path][1], "root/root", path)
    eq(control(deb, "conffiles").split(),
       ["/etc/logrotate.d/playwaved", "/etc/playwaved/playwaved.conf"])
    check("adduser" in control(deb, "postinst"), "postinst creates no user")
    check("billing.log" not in control(deb, "postrm"),
          "postrm touches the billing log")
    # No init.d script, and no claim of one: systemd is the init.
    check(not any(f.startswith("etc/init.d") for f in files))
    with open(os.path.join(pwtest.ROOT, "debian", "README.Debian")) as f:
        check("systemd only" in f.read(), "README.Debian: systemd only")
    conf = conffile_text(deb)
    for key in SECRETS:
        live = [ln for ln in conf.splitlines()
                if ln.split("#")[0].split()[:1] == [key]]
        eq(live, [], "packaged conf sets %s" % key)
    lint = subprocess.run(["lintian", "--allow-root", "--pedantic",
                           "--fail-on", "error,warning,pedantic", deb],
                          capture_output=True, text=True, timeout=600)
    eq(lint.stdout.strip(), "", "lintian --pedantic")
    eq(lint.returncode, 0, "lintian: " + lint.stdout + lint.stderr)


# Runs as root inside unshare -m: the overlay root, then one step in it.
STEP = r"""
set -eu
top=$1; deb=$2; shift 2
r=$top/root
mount -t overlay overlay -o lowerdir=/,upperdir=$top/up,workdir=$top/work $r
mount --rbind /dev $r/dev
mount -t proc proc $r/proc
cp "$deb" $r/tmp/playwaved.deb
chroot $r /bin/sh -c "$*"
"""

# systemctl in the throwaway root: records each call, keeps enabled and
# running units as files, answers is-enabled and is-active from them.
FAKE_SYSTEMCTL = r"""#!/bin/sh
d=/var/lib/fake-systemd
mkdir -p $d
echo "$*" >>$d/calls
for a; do u=$a; done
case "$*" in
*is-enabled*)	if [ -e $d/enabled.$u ]; then echo enabled; exit 0; fi
		echo disabled; exit 1 ;;
*is-active*)	[ -e $d/running.$u ]; exit ;;
*restart*|*start*)	touch $d/running.$u ;;
*stop*)		rm -f $d/running.$u ;;
*disable*)	rm -f $d/enabled.$u ;;
*enable*)	touch $d/enabled.$u ;;
esac
exit 0
"""


def overlay_reason():
    if os.geteuid() != 0:
        return "needs root (dpkg, unshare, mount)"
    for tool in ("unshare", "chroot", "dpkg"):
        if shutil.which(tool) is None:
            return "%s missing" % tool
    tmp = tempfile.mkdtemp(prefix="pkgroot.")
    try:
        for d in ("up", "work", "root"):
            os.mkdir(os.path.join(tmp, d))
        p = subprocess.run(["unshare", "-m", "sh", "-c",
                            "mount -t overlay overlay -o lowerdir=/,upperdir="
                            "%s/up,workdir=%s/work %s/root" % (tmp, tmp, tmp)],
                           capture_output=True, text=True, timeout=30)
        if p.returncode != 0:
            return "no overlay mount here: " + p.stderr.strip()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return None


class Root:
    """The throwaway root: each step runs in a new mount namespace over
    the same scratch directory, so what one step left the next sees."""

    def __init__(self, deb):
        self.top = tempfile.mkdtemp(prefix="pkgroot.")
        self.deb = deb
        for d in ("up", "work", "root"):
            os.mkdir(os.path.join(self.top, d))
        self.run("mkdir -p /run/systemd/system /usr/local/sbin && "
                 "rm -f /usr/sbin/policy-rc.d && cat >/usr/local/sbin/systemctl "
                 "<<'EOF'\n%sEOF\nchmod 755 /usr/local/sbin/systemctl && "
                 "cp /usr/local/sbin/systemctl /usr/bin/systemctl"
                 % FAKE_SYSTEMCTL)

    def run(self, cmd, ok=True):
        p = subprocess.run(["unshare", "-m", "sh", "-c", STEP, "step", self.top,
                            self.deb, cmd], capture_output=True, text=True,
                           timeout=300, env=dict(os.environ, PATH=
                           "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
                           "/sbin:/bin", DEBIAN_FRONTEND="noninteractive"))
        if ok:
            eq(p.returncode, 0, "%s:\n%s%s" % (cmd, p.stdout, p.stderr))
        return p

    def out(self, cmd):
        return self.run(cmd).stdout

    def calls(self):
        """The systemctl calls about the unit since the last look."""
        out = self.out("cat /var/lib/fake-systemd/calls 2>/dev/null; "
                       ": >/var/lib/fake-systemd/calls 2>/dev/null || true")
        return [c for c in out.splitlines() if "playwaved" in c]

    def exists(self, path):
        return self.run("test -e %s" % path, ok=False).returncode == 0

    def stat(self, path):
        return self.out("stat -c '%%U:%%G %%a' %s" % path).strip()

    def running(self):
        return self.exists("/var/lib/fake-systemd/running.playwaved.service")

    def cleanup(self):
        shutil.rmtree(self.top, ignore_errors=True)


def starts(calls):
    return [c for c in calls if re.search(r"\b(re)?start\b", c)]


def test_install_upgrade_remove_purge():
    why = skip_reason() or overlay_reason()
    if why:
        print("  skipped: " + why)
        return
    deb = os.path.join(OUT, "playwaved_%s_%s.deb" % (version(), arch()))
    if not os.path.isfile(deb):
        deb = build()
    root = Root(deb)
    try:
        # Install: files, the user, the state and log directories; the
        # service is neither enabled nor started (its secrets are unset).
        root.run("dpkg -i /tmp/playwaved.deb")
        check(root.exists("/usr/sbin/playwaved"))
        check(root.out("getent passwd _playwave").startswith("_playwave:"))
        eq(root.stat("/var/lib/playwave"), "_playwave:_playwave 750")
        eq(root.stat("/var/log/playwave"), "_playwave:_playwave 750")
        eq(root.stat("/etc/playwaved/playwaved.conf"), "root:_playwave 640")
        eq(starts(root.calls()), [], "a fresh install starts nothing")
        check(not root.running())
        check(not root.exists("/etc/init.d/playwaved"))
        # playwavectl finds the packaged configuration by itself.
        p = root.run("playwavectl status", ok=False)
        check("/etc/playwaved/playwaved.conf" in p.stdout + p.stderr,
              p.stdout + p.stderr)
        # The administrator enables and starts it; state accumulates.
        root.run("systemctl enable playwaved.service && "
                 "systemctl start playwaved.service && "
                 "echo ledger >/var/lib/playwave/billing.log && "
                 "echo seg >/var/lib/playwave/billing.log.00000000000000000001 "
                 "&& echo store >/var/lib/playwave/store && "
                 "echo a >/var/log/playwave/access.log")
        root.calls()
        # Upgrade (the same version again): an enabled service restarts.
        root.run("dpkg -i /tmp/playwaved.deb")
        up = starts(root.calls())
        check(len(up) == 1 and up[0].endswith(" restart playwaved.service"),
              "upgrade: %r" % up)
        check(root.running(), "running after the upgrade")
        # Remove: stopped before its binary goes; state and conf stay.
        root.run("dpkg -r playwaved")
        calls = root.calls()
        check(any(re.search(r"\bstop playwaved.service", c) for c in calls),
              calls)
        check(not root.running(), "still running after dpkg -r")
        check(not root.exists("/usr/sbin/playwaved"))
        for f in ("/etc/playwaved/playwaved.conf", "/var/lib/playwave/store",
                  "/var/lib/playwave/billing.log"):
            check(root.exists(f), f + " gone at remove")
        # Purge: the store and access logs go, the ledger never.
        root.run("dpkg -P playwaved")
        check(not root.exists("/var/lib/playwave/store"), "store kept")
        check(not root.exists("/var/log/playwave/access.log"))
        check(not root.exists("/etc/playwaved/playwaved.conf"))
        eq(root.out("cat /var/lib/playwave/billing.log"), "ledger\n")
        check(root.exists("/var/lib/playwave/billing.log.00000000000000000001"))
        check(root.out("getent passwd _playwave").startswith("_playwave:"),
              "the ledger's owner stays")
    finally:
        root.cleanup()


def test_packaged_conf_refused_until_secrets_filled():
    path = os.path.join(pwtest.ROOT, "debian", "conf", "playwaved.conf")
    p = subprocess.run([pwtest.DAEMON, "-n", "-f", path], capture_output=True,
                       text=True, timeout=30)
    check(p.returncode != 0, "playwaved -n accepted the unfilled conf")
    # Filled in (paths aside), the same file passes: only secrets are missing.
    with open(path) as f:
        text = f.read()
    for key in SECRETS:
        text = re.sub(r'(?m)^(\s*)#%s\s+""' % key, r'\1%s "x%s-0123456789abcdef"'
                      % (key, key), text)
    filled = os.path.join(OUT + ".conf")
    os.makedirs(os.path.dirname(filled), exist_ok=True)
    with open(filled, "w") as f:
        f.write(text)
    p = subprocess.run([pwtest.DAEMON, "-n", "-f", filled], capture_output=True,
                       text=True, timeout=30)
    eq(p.returncode, 0, "filled-in conf refused: " + p.stderr)
