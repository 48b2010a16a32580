"""One writer: a second daemon on the same store or billing log, in any
mode, is refused naming the first one's pid; the children of a dead
master are waited for, a bounded time."""

import os
import signal
import subprocess
import time

import pwtest
from pwtest import Server, check, eq, wait_until


def second_config(srv, **changes):
    """srv's configuration on another port, with changes (old -> new)."""
    with open(srv.conf) as f:
        text = f.read()
    text = text.replace("127.0.0.1:%d" % srv.port,
                        "127.0.0.1:%d" % pwtest.free_port())
    for old, new in changes.items():
        text = text.replace(old, new)
    path = os.path.join(srv.tmp, "second-%d.conf" % len(os.listdir(srv.tmp)))
    with open(path, "w") as f:
        f.write(text)
    return path


def run_second(srv, conf, *flags):
    return subprocess.run([pwtest.DAEMON] + list(flags) + ["-f", conf],
                          capture_output=True, text=True, cwd=srv.tmp,
                          timeout=30)


def test_second_daemon_refused_naming_the_first():
    srv = Server(price=0).start()
    try:
        srv.credit("player:w1", 5)
        master = srv.proc.pid
        # Foreground, only the port changed: the packaged unit's mode.
        p = run_second(srv, second_config(srv), "-d")
        eq(p.returncode, 1, p.stderr)
        check("pid %d" % master in p.stderr, p.stderr)
        check("billing.log.lock" in p.stderr, p.stderr)
        # Daemonized, with its own pidfile and log file: refused before
        # it forks, the same message in its log.
        log = os.path.join(srv.tmp, "second.log")
        conf = second_config(srv, **{
            "playwaved.pid": "second.pid",
            "currency-truncation": 'log-file "%s"\ncurrency-truncation' % log})
        p = run_second(srv, conf)
        eq(p.returncode, 1, p.stderr)
        with open(log) as f:
            text = f.read()
        check("pid %d" % master in text, text)
        # The same store with another billing log: the store's lock.
        p = run_second(srv, second_config(srv, **{"billing.log": "other.log"}),
                       "-d")
        eq(p.returncode, 1, p.stderr)
        check("pid %d" % master in p.stderr and "/store" in p.stderr, p.stderr)
        # The first one is untouched and the log has one writer.
        srv.credit("player:w1", 6)
        evs = srv.log_events()
        eq([e["seq"] for e in evs], list(range(1, len(evs) + 1)))
        eq(srv.ctl("wallet", "show", "player:w1", json_out=True)["balance"], 11)
    finally:
        eq(srv.stop(), 0)


def test_children_of_a_dead_master_are_waited_for():
    srv = Server(price=0).start()
    srv.credit("player:w2", 1)
    os.kill(srv.proc.pid, signal.SIGKILL)
    srv.proc.wait()
    srv.logf.close()
    srv.proc = None
    # At once: the orphans still hold the lock while they drain.
    srv.start()
    try:
        eq(srv.ctl("wallet", "show", "player:w2", json_out=True)["balance"], 1)
    finally:
        eq(srv.stop(), 0)


def test_children_that_never_drain_are_refused_after_10s():
    srv = Server(price=0).start()
    worker = srv.pid_of("playwaved: worker 0")
    os.kill(worker, signal.SIGSTOP)
    master = srv.proc.pid
    try:
        os.kill(master, signal.SIGKILL)
        srv.proc.wait()
        srv.logf.close()
        srv.proc = None
        t0 = time.time()
        p = run_second(srv, srv.conf, "-d")
        took = time.time() - t0
        eq(p.returncode, 1, p.stderr)
        check("children of a dead master" in p.stderr and
              "pid %d" % master in p.stderr, p.stderr)
        check(9.5 <= took <= 20, "refused after %.1f s" % took)
    finally:
        os.kill(worker, signal.SIGKILL)
        wait_until(lambda: not srv.children(), 10, what="the orphans to exit")
    srv.start()
    eq(srv.stop(), 0)
