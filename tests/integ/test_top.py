"""playwavectl top in a pseudo-terminal: the screen (read through a small
VT100 emulator) shows the counters moving under load, p freezes and
resumes it, q quits."""

import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import threading
import time

import pwtest
from pwtest import Server, check, eq
from vtscreen import Screen

SERVER = dict(billing_unit=60)
ROWS, COLS = 64, 132


class Top:
    def __init__(self, srv, *args):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ,
                    struct.pack("HHHH", ROWS, COLS, 0, 0))
        env = srv.sanitizer_env()
        env["TERM"] = "vt100"
        self.proc = subprocess.Popen([pwtest.CTL, "-f", srv.conf, "top"] + list(args),
                                     stdin=slave, stdout=slave, stderr=slave,
                                     env=env, cwd=srv.tmp, start_new_session=True)
        os.close(slave)
        self.screen = Screen(ROWS, COLS)

    def pump(self, secs):
        end = time.time() + secs
        while time.time() < end:
            r, _, _ = select.select([self.master], [], [], max(0, end - time.time()))
            if not r:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:     # the slave side closed: top exited
                return
            if not data:
                return
            self.screen.feed(data.decode("utf-8", "replace"))

    def wait_for(self, pred, timeout=10, what="screen"):
        end = time.time() + timeout
        while time.time() < end:
            self.pump(0.2)
            v = pred(self.screen.text())
            if v:
                return v
        raise pwtest.TestFailure("top: timed out waiting for %s; screen:\n%s"
                                 % (what, "\n".join(self.screen.text())))

    def key(self, k):
        os.write(self.master, k.encode())

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        os.close(self.master)


def row(lines, name):
    """(current, per_sec) of the row so named, or None."""
    for ln in lines:
        f = ln.split()
        if f and f[0] == name and len(f) >= 3:
            try:
                return int(f[1]), 0.0 if f[2] == "-" else float(f[2])
            except ValueError:
                return None
    return None


def load(srv, stop):
    """Launcher OTTs, verifies and heartbeats until stopped (bounded)."""
    ls = srv.launcher_session("pc-top")["launcher_session_id"]
    for _ in range(20000):
        if stop.is_set():
            return
        v = srv.verify(srv.ott(ls))
        check(v["is_valid"], v)
        for _ in range(5):
            srv.heartbeat(v["game_session_id"])
        time.sleep(0.01)


def test_top_moves_pauses_quits(srv):
    srv.credit("seoul-01", 10 ** 9)     # cafe sessions need G-coin
    top = Top(srv)
    stop = threading.Event()
    loader = threading.Thread(target=load, args=(srv, stop), daemon=True)
    try:
        first = top.wait_for(lambda s: row(s, "endpoint_requests{heartbeat}"),
                             what="the heartbeat row")
        text = "\n".join(top.screen.text())
        for want in ("playwavectl top", "master ", "max probe", "reaper last pass",
                     "billing log lag", "otts_issued", "otts_consumed",
                     "game_sessions_alive", "game_sessions_exhausted",
                     "endpoint_requests{verify}", "requests{2xx}",
                     "game_sessions_ended{REPLACED}", "store_tombstones"):
            check(want in text, "%r not on the screen:\n%s" % (want, text))
        loader.start()
        # Moving: totals grow and the per-second columns show traffic.
        top.wait_for(lambda s: (row(s, "endpoint_requests{heartbeat}") or (0, 0))[0]
                     > first[0] + 20, what="heartbeats to rise")
        top.wait_for(lambda s: (row(s, "endpoint_requests{heartbeat}") or (0, 0))[1] > 0
                     and (row(s, "otts_issued") or (0, 0))[1] > 0
                     and (row(s, "otts_consumed") or (0, 0))[1] > 0,
                     what="per-second rates under load")
        top.wait_for(lambda s: (row(s, "game_sessions_alive") or (0, 0))[0] >= 1,
                     what="a live game session")
        # p: frozen while the load goes on.
        top.key("p")
        top.wait_for(lambda s: "PAUSED" in s[0], what="PAUSED")
        frozen = row(top.screen.text(), "endpoint_requests{heartbeat}")
        top.pump(2.5)
        eq(row(top.screen.text(), "endpoint_requests{heartbeat}"), frozen,
           "the screen moved while paused")
        top.key("p")
        top.wait_for(lambda s: "PAUSED" not in s[0] and
                     row(s, "endpoint_requests{heartbeat}")[0] > frozen[0],
                     what="resumed counters")
        top.key("q")
        eq(top.proc.wait(5), 0, "top's exit status after q")
    finally:
        stop.set()
        if loader.is_alive():
            loader.join(30)
        top.close()


def test_top_needs_a_terminal(srv):
    p = subprocess.run([pwtest.CTL, "-f", srv.conf, "top"], capture_output=True,
                       text=True, timeout=10, stdin=subprocess.DEVNULL,
                       env=srv.sanitizer_env())
    eq(p.returncode, 1)
    check("terminal" in p.stderr, p.stderr)
