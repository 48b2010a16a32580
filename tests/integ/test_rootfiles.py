"""Files opened as root for the service user (playwaved(8), "Running as root:
files"): a link the service user plants in its state directory never makes
root open, truncate or chown another file, at start or on SIGUSR1."""

import os
import pwd
import shutil
import signal
import stat
import tempfile
import time

import pwtest
from pwtest import Server, check, eq, wait_until

SECRET = b"root only\n" * 7 + b"\x00\x01torn?"


def _root():
    if os.geteuid() != 0:
        print("  skipped: not root (the attack needs playwaved started as root)")
        return False
    return True


def _victim():
    """A root-only file outside the state directory."""
    d = tempfile.mkdtemp(prefix="pwvictim.")
    p = os.path.join(d, "victim")
    with open(p, "wb") as f:
        f.write(SECRET)
    os.chmod(p, 0o600)
    return d, p


def _snapshot(p):
    st = os.stat(p)
    with open(p, "rb") as f:
        return f.read(), st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)


def _service_state(**kw):
    """A server whose state directory belongs to the service user."""
    nobody = pwd.getpwnam("nobody")
    srv = Server(price=0, workers=1, **kw)
    os.chown(srv.tmp, nobody.pw_uid, nobody.pw_gid)
    os.chmod(srv.tmp, 0o755)
    return srv, nobody


def _plant(link, target, nobody):
    os.symlink(target, link)
    os.lchown(link, nobody.pw_uid, nobody.pw_gid)


def _refused_to_start(srv, what, victim, before):
    """Start; whether it refused or came up, the victim must be as it was,
    and then it must have refused."""
    srv.start(wait=False)
    wait_until(lambda: srv.proc.poll() is not None or srv.healthy(), 15,
               what="playwaved to exit or answer")
    rc = srv.proc.poll()
    if rc is None:
        srv.stop()
    else:
        srv.proc = None
        srv.logf.close()
    eq(_snapshot(victim), before, "the victim file changed (%s)" % what)
    check(rc is not None and rc != 0, "started with %s" % what)
    return srv.daemon_log()


def test_billing_log_link_at_start_refused():
    if not _root():
        return
    vdir, victim = _victim()
    before = _snapshot(victim)
    try:
        srv, nobody = _service_state(extra="user nobody")
        _plant(os.path.join(srv.tmp, "billing.log"), victim, nobody)
        log = _refused_to_start(srv, "billing.log a link to a root file",
                                victim, before)
        check("symbolic link" in log, log[-2000:])
        eq(_snapshot(victim), before, "the victim file changed")
        # A hard link is refused as well (made by root here: Linux keeps
        # the service user from linking a file it does not own).
        os.unlink(os.path.join(srv.tmp, "billing.log"))
        os.link(victim, os.path.join(srv.tmp, "billing.log"))
        log = _refused_to_start(srv, "billing.log a hard link to a root file",
                                victim, before)
        check("hard link" in log, log[-2000:])
        eq(_snapshot(victim), before, "the victim file changed")
        # The store, and its temporary file, the same way.
        os.unlink(os.path.join(srv.tmp, "billing.log"))
        os.unlink(os.path.join(srv.tmp, "store"))   # made by the first start
        _plant(os.path.join(srv.tmp, "store.new"), victim, nobody)
        _plant(os.path.join(srv.tmp, "store"), os.path.join(vdir, "nostore"),
               nobody)
        log = _refused_to_start(srv, "store a link", victim, before)
        check("symbolic link" in log, log[-2000:])
        eq(_snapshot(victim), before, "the victim file changed")
        check(not os.path.exists(os.path.join(vdir, "nostore")))
        # With the links gone it starts, its files the service user's.
        os.unlink(os.path.join(srv.tmp, "store"))
        srv.start()
        try:
            for f in ("store", "billing.log"):
                st = os.lstat(os.path.join(srv.tmp, f))
                check(stat.S_ISREG(st.st_mode), f)
                eq(st.st_uid, nobody.pw_uid, f)
        finally:
            eq(srv.stop(), 0)
        check(not os.path.lexists(os.path.join(srv.tmp, "store.new")))
        eq(_snapshot(victim), before, "the victim file changed")
    finally:
        shutil.rmtree(vdir, ignore_errors=True)


def test_access_log_swapped_for_link_before_sigusr1():
    if not _root():
        return
    vdir, victim = _victim()
    before = _snapshot(victim)
    try:
        srv, nobody = _service_state()
        access = os.path.join(srv.tmp, "access.log")
        logf = os.path.join(srv.tmp, "playwaved.log")
        srv.write_config(extra='user nobody\naccess-log "%s"\nlog-file "%s"'
                         % (access, logf))
        srv.start()
        try:
            eq(srv.request("GET", "/healthz")[0], 200)
            wait_until(lambda: os.path.getsize(access) > 0, 5,
                       what="the access log line")
            eq(os.stat(access).st_uid, nobody.pw_uid)
            # The service user rotates its own way: both files become links.
            for p in (access, logf):
                os.rename(p, p + ".1")
                _plant(p, victim, nobody)
            os.kill(srv.proc.pid, signal.SIGUSR1)
            for pid, _ in srv.children():
                os.kill(pid, signal.SIGUSR1)
            # Reopened (refused) or, in a build that follows the link, the
            # victim taken over: whichever shows first.
            wait_until(lambda: "symbolic link" in open(logf + ".1").read() or
                       _snapshot(victim) != before, 5, what="the reopen")
            eq(_snapshot(victim), before, "the victim file changed")
            for _ in range(20):
                eq(srv.request("GET", "/healthz")[0], 200)
            # Workers forked after the reopen inherit the master's files.
            old = [p for p, t in srv.children() if "worker" in t]
            os.kill(old[0], signal.SIGKILL)
            wait_until(lambda: [p for p, t in srv.children()
                                if "worker" in t and p not in old], 10,
                       what="a new worker")
            wait_until(lambda: srv.healthy(), 10, what="the new worker")
            eq(srv.request("GET", "/healthz")[0], 200)
            eq(_snapshot(victim), before, "the victim file changed")
        finally:
            eq(srv.stop(), 0)
        eq(_snapshot(victim), before, "the victim file changed")
    finally:
        shutil.rmtree(vdir, ignore_errors=True)
