"""The FreeBSD side, as far as this machine can check it: the rc.d
scripts check the configuration before a start, a restart and a reload
(run under a stand-in for /etc/rc.subr that records what rc.subr would
do); the port installs the newsyslog entry as an example only, builds
without -Werror and names the tree's licence."""

import os
import re
import subprocess
import tempfile

import pwtest
from pwtest import Server, check, eq

# rc.subr's run_rc_command, cut down to what these scripts use: the
# precmd of the action (its failure ends the action), then the action.
RC_SUBR = r"""
load_rc_config() { :; }
checkyesno() { return 0; }
run_rc_command() {
	case "$1" in
	start)		pre=$start_precmd ;;
	restart)	pre=$restart_precmd ;;
	reload)		pre=$reload_precmd ;;
	configtest)	pre=; eval "$configtest_cmd"; return ;;
	esac
	if [ -n "$pre" ]; then
		eval "$pre" || { echo "precmd failed" >>"$RC_LOG"; return 1; }
	fi
	case "$1" in
	restart)	echo "stop" >>"$RC_LOG"; echo "start" >>"$RC_LOG" ;;
	*)		echo "$1" >>"$RC_LOG" ;;
	esac
}
"""


def rc(script, action, conf):
    tmp = tempfile.mkdtemp(prefix="rcd.")
    subr = os.path.join(tmp, "rc.subr")
    with open(subr, "w") as f:
        f.write(RC_SUBR)
    with open(os.path.join(pwtest.ROOT, script)) as f:
        text = f.read()
    text = text.replace(". /etc/rc.subr", ". " + subr)
    text = re.sub(r'(?m)^command=.*$', 'command="%s"' % pwtest.DAEMON, text)
    text = text.replace("install -d", ": install -d")
    path = os.path.join(tmp, "playwaved")
    with open(path, "w") as f:
        f.write(text)
    log = os.path.join(tmp, "log")
    open(log, "w").close()
    p = subprocess.run(["sh", path, action], capture_output=True, text=True,
                       timeout=30, env=dict(os.environ, RC_LOG=log,
                                            playwaved_config=conf))
    with open(log) as f:
        return p.returncode, f.read().split(), p.stderr


def test_rc_scripts_check_the_config_before_restart():
    srv = Server()
    bad = os.path.join(srv.tmp, "bad.conf")
    with open(bad, "w") as f:
        f.write("workers two\n")
    for script in ("etc/rc.d/playwaved", "etc/freebsd/files/playwaved.in"):
        for action in ("start", "restart", "reload"):
            rc_, log, err = rc(script, action, bad)
            check(rc_ != 0, (script, action))
            eq(log, ["precmd", "failed"], (script, action, err))
            check("bad.conf:1:" in err, err)
        rc_, log, err = rc(script, "restart", srv.conf)
        eq((rc_, log), (0, ["stop", "start"]), (script, err))


def test_port_keeps_newsyslog_an_example_and_builds_without_werror():
    port = os.path.join(pwtest.ROOT, "etc", "freebsd")
    with open(os.path.join(port, "pkg-plist")) as f:
        plist = f.read()
    with open(os.path.join(port, "Makefile")) as f:
        mk = f.read()
    check("newsyslog.conf.d" not in plist and "newsyslog.conf.d" not in mk,
          "the newsyslog entry would be active on install")
    check("%%EXAMPLESDIR%%/newsyslog.conf.sample" in plist)
    check(re.search(r"(?m)^LICENSE=\s+BSD2CLAUSE$", mk), "no LICENSE")
    check(os.path.isfile(os.path.join(pwtest.ROOT, "LICENSE")))
    with open(os.path.join(pwtest.ROOT, "GNUmakefile")) as f:
        gm = f.read()
    warn = re.search(r"(?ms)^WARN\s+\?=(.*?)^\S", gm).group(1)
    check("-Werror" not in warn, "-Werror in the default WARN")
    with open(os.path.join(pwtest.ROOT, ".ci", "run")) as f:
        check("WERROR=1" in f.read(), "CI builds without -Werror")


def test_man_pages_name_each_systems_paths():
    """FILES of the man pages give the Debian package's paths and the
    FreeBSD port's (not only the latter); playwaved(8) has EXIT STATUS
    and DIAGNOSTICS, as playwavectl(8) does."""
    man = {}
    for page in ("playwaved.8", "playwavectl.8", "playwaved.conf.5"):
        with open(os.path.join(pwtest.ROOT, "man", page)) as f:
            man[page] = f.read()
    for page, text in man.items():
        files = text[text.index("\n.Sh FILES\n"):]
        files = files[:files.index("\n.Sh ", 1)]
        for path in ("/etc/playwaved/playwaved.conf",
                     "/usr/local/etc/playwaved.conf"):
            check(path in files, "%s FILES: no %s" % (page, path))
    check("/var/lib/playwave/billing.log" in man["playwaved.8"])
    for page in ("playwaved.8", "playwavectl.8"):
        for sec in ("EXIT STATUS", "DIAGNOSTICS"):
            check("\n.Sh %s\n" % sec in man[page], "%s: no %s" % (page, sec))
    with open(os.path.join(pwtest.ROOT, "debian", "playwaved.service")) as f:
        unit = f.read()
    check(re.search(r"(?m)^Type=notify$", unit), "the unit is not Type=notify")
