"""Secrets a configuration file may not run on: a placeholder (a value
beginning with "change-me", as the samples and the manual show them) and
a key of the built-in development configuration.  `playwaved -n` and a
start refuse the file naming its line and the directive, a reload keeps
the running configuration, and the shipped examples are refused as they
are and accepted once filled in; without -f the built-in configuration
keeps its printed keys."""

import os
import re
import signal
import subprocess
import tempfile

import pwtest
from pwtest import check, eq, wait_until

EXAMPLES = os.path.join(pwtest.ROOT, "etc", "haproxy", "example")
# directive -> the value pwtest's configuration gives it (its first one).
SECRETS = {
    "launcher-secret": pwtest.LAUNCHER_SECRET,
    "launch-secret": pwtest.LAUNCH_SECRET,
    "api-key": pwtest.API_KEY,
    "hmac-secret": pwtest.HMAC_SECRET,
}


def check_flag(conf, cwd=None):
    return subprocess.run([pwtest.DAEMON, "-n"] + (["-f", conf] if conf else []),
                          capture_output=True, text=True, timeout=30, cwd=cwd)


def with_value(srv, directive, value):
    """srv's configuration with the first value of directive replaced;
    the line it is on."""
    with open(srv.conf) as f:
        text = f.read()
    old = '%s "%s"' % (directive, SECRETS[directive])
    eq(text.count(old), 1, old)
    with open(srv.conf, "w") as f:
        f.write(text.replace(old, '%s "%s"' % (directive, value)))
    return text[:text.index(old)].count("\n") + 1


def where(directive):
    return directive if directive in ("launcher-secret", "launch-secret") \
        else "%s of game 'fantasyquest'" % directive


def test_placeholder_refused_by_check():
    for directive in SECRETS:
        srv = pwtest.Server()
        line = with_value(srv, directive, "Change-Me-qx81tail")
        p = check_flag(srv.conf)
        eq(p.returncode, 1, (directive, p.stderr))
        check("%s:%d: %s is a placeholder" % (srv.conf, line, where(directive))
              in p.stderr, p.stderr)
        check("qx81tail" not in p.stderr, p.stderr)


def test_dev_key_refused_in_file():
    for directive, value in (("launcher-secret", "dev-launcher-secret"),
                             ("api-key", "dev-game-key"),
                             ("hmac-secret", "dev-launch-secret")):
        srv = pwtest.Server()
        line = with_value(srv, directive, value)
        p = check_flag(srv.conf)
        eq(p.returncode, 1, (directive, p.stderr))
        check("%s:%d: %s is a key of the built-in development configuration"
              % (srv.conf, line, where(directive)) in p.stderr, p.stderr)
    # Without -f: the built-in configuration and its printed keys.
    p = check_flag(None, cwd=tempfile.mkdtemp(prefix="pwtest."))
    eq(p.returncode, 0, p.stderr)


def test_placeholder_refused_at_start():
    """A start fails at once, before binding, with the same message."""
    srv = pwtest.Server()
    line = with_value(srv, "launch-secret", "change-me-launch-token-secret")
    p = subprocess.run([pwtest.DAEMON, "-d", "-f", srv.conf], cwd=srv.tmp,
                       capture_output=True, text=True, timeout=30)
    eq(p.returncode, 1, p.stderr)
    check("%s:%d: launch-secret is a placeholder" % (srv.conf, line) in p.stderr,
          p.stderr)
    check(not srv.healthy(), "something answers on the port")


def test_placeholder_refused_on_reload():
    """SIGHUP with a placeholder written in: refused, the running
    configuration and its key stay."""
    srv = pwtest.Server(price=0).start()
    try:
        line = with_value(srv, "api-key", "change-me-fantasyquest-key")
        os.kill(srv.proc.pid, signal.SIGHUP)
        wait_until(lambda: "reload failed" in srv.daemon_log(), 5,
                   what="the reload to fail")
        check(":%d: api-key of game 'fantasyquest' is a placeholder" % line
              in srv.daemon_log(), srv.daemon_log()[-2000:])
        _, gs = srv.session("pc-secret")
        st, _, d = srv.heartbeat(gs)
        eq(st, 200, d)
        st, _, d = srv.heartbeat(gs, key="change-me-fantasyquest-key")
        eq(st, 401, d)
    finally:
        eq(srv.stop(), 0)


def test_example_shards_refused_until_filled():
    out = tempfile.mkdtemp(prefix="pwtest.")
    for k in range(3):
        path = os.path.join(EXAMPLES, "shard%d.conf" % k)
        with open(path) as f:
            text = f.read()
        lines = {m.group(1): text[:m.start()].count("\n") + 1 for m in
                 reversed(list(re.finditer(r'(?m)^\s*(\S+)\s+"change-me-', text)))}
        eq(sorted(lines), sorted(SECRETS), path)
        p = check_flag(path)
        eq(p.returncode, 1, p.stderr)
        check("%s:%d: launcher-secret is a placeholder"
              % (path, lines["launcher-secret"]) in p.stderr, p.stderr)
        # Each placeholder is refused on its own line, in file order.
        for directive in sorted(lines, key=lines.get)[1:]:
            text = re.sub(r'(?m)^(\s*)(\S+)(\s+)"change-me-([^"]*)"',
                          lambda m: m.group(0) if lines[m.group(2)] >= lines[directive]
                          else '%s%s%s"filled-in-%s"' % m.groups(), text)
            filled = os.path.join(out, "shard%d.conf" % k)
            with open(filled, "w") as f:
                f.write(text)
            p = check_flag(filled)
            eq(p.returncode, 1, p.stderr)
            check("%s:%d: %s is a placeholder" % (filled, lines[directive],
                                                  where(directive)) in p.stderr,
                  p.stderr)
        with open(filled, "w") as f:
            f.write(text.replace('"change-me-', '"filled-in-'))
        p = check_flag(filled)
        eq(p.returncode, 0, p.stderr)


def test_manual_example_refused_until_filled():
    """The configuration of playwaved.conf(5)'s EXAMPLES, as printed: its
    change-me values are refused, and it loads once they are replaced."""
    with open(os.path.join(pwtest.ROOT, "man", "playwaved.conf.5")) as f:
        man = f.read()
    ex = man[man.index("\n.Sh EXAMPLES"):]
    ex = ex[ex.index("\n.Bd -literal"):]
    text = ex[ex.index("\n", 1) + 1:ex.index("\n.Ed\n") + 1]
    check("\\" not in text, "roff escapes in the example")
    eq(len(re.findall(r'"change-me-', text)), 7, text)
    out = tempfile.mkdtemp(prefix="pwtest.")
    path = os.path.join(out, "example.conf")
    with open(path, "w") as f:
        f.write(text)
    line = text[:text.index("launcher-secret")].count("\n") + 1
    p = check_flag(path)
    eq(p.returncode, 1, p.stderr)
    check("%s:%d: launcher-secret is a placeholder" % (path, line) in p.stderr,
          p.stderr)
    with open(path, "w") as f:
        f.write(text.replace('"change-me-', '"filled-in-'))
    p = check_flag(path)
    eq(p.returncode, 0, p.stderr)
