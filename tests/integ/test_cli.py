"""The command lines: -h, --help and --version on both programs; -n lists
every error of a file and exits 1, and -v never hides it; -T prints the
configuration in effect with every directive and its default, secrets
as <set>; playwavectl finds its file from -f, $PLAYWAVED_CONF or the
installed default and says which it used."""

import os
import re
import subprocess

import pwtest
from pwtest import Server, check, eq


def run(*argv, **kw):
    env = dict(os.environ)
    env.update(kw.pop("env", {}))
    return subprocess.run(list(argv), capture_output=True, text=True,
                          timeout=30, env=env, **kw)


def test_help_and_version():
    for prog, name in ((pwtest.DAEMON, "playwaved"), (pwtest.CTL, "playwavectl")):
        for flag in ("-h", "--help"):
            p = run(prog, flag)
            eq(p.returncode, 0, (prog, flag, p.stderr))
            check(p.stdout.startswith("usage: %s" % name), p.stdout)
        p = run(prog, "--version")
        eq(p.returncode, 0, p.stderr)
        check(re.match(r"^%s \d+\.\d+\.\d+ \(store format \d+\)\n$" % name,
                       p.stdout), p.stdout)


BAD = """listen 127.0.0.1:1
workers two
launch-secret "short"
game g {
    price -1
    api-key "a-long-enough-api-key-0001"
    hmac-secret "a-long-enough-hmac-secret-01"
    frob 1
}
bogus 2
cafe c {
    network 10.1.0.0/16
}
"""


def test_check_lists_every_error_and_v_never_hides_it():
    srv = Server()
    bad = os.path.join(srv.tmp, "bad.conf")
    with open(bad, "w") as f:
        f.write(BAD)
    p = run(pwtest.DAEMON, "-n", "-f", bad)
    eq(p.returncode, 1, p.stderr)
    lines = [ln for ln in p.stderr.splitlines() if re.match(
        r"playwaved: %s:\d+: " % re.escape(bad), ln)]
    got = [int(re.match(r"playwaved: .*?:(\d+):", ln).group(1)) for ln in lines]
    eq(got, [2, 3, 5, 8, 10, 13], p.stderr)
    check("launcher-secret is not set" in lines[-1], lines)
    check(p.stderr.rstrip().endswith("6 errors"), p.stderr)
    # -v prints the version, then checks: both, never one silently.
    p = run(pwtest.DAEMON, "-v", "-n", "-f", bad)
    eq(p.returncode, 1)
    check(p.stdout.startswith("playwaved "), p.stdout)
    check("bad.conf:2:" in p.stderr, p.stderr)
    p = run(pwtest.DAEMON, "-n", "-v", "-f", srv.conf)
    eq(p.returncode, 0, p.stderr)
    check(p.stdout.startswith("playwaved ") and "OK" in p.stderr)


def directives():
    names = []
    for f in ("config.c", "config_block.c"):
        with open(os.path.join(pwtest.ROOT, "src", "config", f)) as fh:
            text = fh.read()
        names += re.findall(r'(?:CFG_\w+|GAME_\w+|BLOCK_FN)\("([a-z-]+)"', text)
        names += re.findall(r'\.name = "([a-z-]+)"', text)
    return set(names) - {"game", "cafe"}


def test_T_prints_every_directive_and_no_secret():
    srv = Server(extra="access-log \"%s/access.log\"" % "/nonexistent")
    p = run(pwtest.DAEMON, "-T", "-f", srv.conf)
    eq(p.returncode, 0, p.stderr)
    out = p.stdout
    seen = {ln.lstrip("\t#").split()[0] for ln in out.splitlines()
            if ln.strip() and not ln.startswith("# ")}
    missing = directives() - seen
    eq(missing, set(), "directives -T leaves out")
    # Defaults the file never names, as the daemon uses them.
    check(re.search(r"(?m)^max-header +8192$", out), out)
    check(re.search(r"(?m)^log-format +text$", out), out)
    check(re.search(r"(?m)^store-slots +16384$", out), out)
    for secret in (pwtest.LAUNCHER_SECRET, pwtest.LAUNCH_SECRET, pwtest.API_KEY,
                   pwtest.HMAC_SECRET, pwtest.CAFE_KEY):
        check(secret not in out, "a secret in -T's output")
    check(re.search(r"(?m)^launcher-secret +<set>$", out), out)
    check(re.search(r"(?m)^\tapi-key +<set>$", out), out)
    check(re.search(r"(?m)^\tlauncher-key +%s <set>$" % pwtest.CAFE_KEY_ID, out),
          out)


def test_ctl_finds_its_configuration():
    srv = Server()
    os.makedirs(os.path.join(srv.tmp, "elsewhere"))
    # $PLAYWAVED_CONF: the store of that file, named on error.
    p = run(pwtest.CTL, "sessions", env={"PLAYWAVED_CONF": srv.conf},
            cwd=os.path.join(srv.tmp, "elsewhere"))
    eq(p.returncode, 1)
    check("store %s/store" % srv.tmp in p.stderr, p.stderr)
    check("configuration %s ($PLAYWAVED_CONF)" % srv.conf in p.stderr, p.stderr)
    # -f wins over the variable.
    p = run(pwtest.CTL, "-f", "/nonexistent.conf", "sessions",
            env={"PLAYWAVED_CONF": srv.conf})
    eq(p.returncode, 1)
    check("/nonexistent.conf" in p.stderr and "(-f)" in p.stderr, p.stderr)
    # Neither: the installed default if there is one, else the built-in
    # development configuration, and it says which.
    p = run(pwtest.CTL, "sessions", env={"PLAYWAVED_CONF": ""}, cwd=srv.tmp)
    eq(p.returncode, 1)
    check("(configuration /usr/local/etc/playwaved.conf (the default" in
          p.stderr or "built-in development configuration" in p.stderr,
          p.stderr)
    p = run(pwtest.CTL, "--help")
    check("$PLAYWAVED_CONF" in p.stdout, p.stdout)
