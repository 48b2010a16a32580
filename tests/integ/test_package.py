"""The Debian package: make deb builds it from a clean copy of the tree
(DEB_BUILD_OPTIONS=nocheck: the package build does not rerun this suite),
lintian finds no error in it and dpkg-deb -c shows the expected tree."""

import glob
import os
import re
import shutil
import subprocess

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


def build():
    env = dict(os.environ, DEB_BUILD_OPTIONS="nocheck")
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


def test_deb_tree_and_lintian():
    why = skip_reason()
    if why:
        print("  skipped: " + why)
        return
    deb = build()
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
    conf = conffile_text(deb)
    for key in SECRETS:
        live = [ln for ln in conf.splitlines()
                if ln.split("#")[0].split()[:1] == [key]]
        eq(live, [], "packaged conf sets %s" % key)
    lint = subprocess.run(["lintian", "--allow-root", "--fail-on", "error",
                           deb], capture_output=True, text=True, timeout=600)
    errors = [ln for ln in lint.stdout.splitlines() if ln.startswith("E:")]
    eq(errors, [], "lintian")
    eq(lint.returncode, 0, "lintian: " + lint.stdout + lint.stderr)


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
