"""The billing log in segments, as an operator runs it: past
billing-segment-size the reaper begins the next segment; closed segments
are archived while the daemon serves (only those below a checkpoint on
disk), and read back with --archive; a restart after a SIGKILL
reconciles, and the settlement totals do not move; a store lost is
rebuilt from the newest segment's snapshot; log tail -f follows the
switches, and --from resumes exactly after a seq."""

import json
import os
import shutil
import struct
import subprocess
import time

import pwtest
from pwtest import Server, check, eq, wait_until
from test_billing import check_money

SEG = "64K"                     # the smallest billing-segment-size


def closed(srv):
    return sorted(f for f in os.listdir(srv.tmp)
                  if f.startswith("billing.log.0"))


def disk_ckpt(srv):
    """The store header's checkpoint known to be on disk (ledger state)."""
    with open(os.path.join(srv.tmp, "store"), "rb") as f:
        f.seek(512 + 80)
        return struct.unpack("=Q", f.read(8))[0]


def events(srv, *args):
    out = srv.ctl("-j", "log", "cat", *args).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def totals(srv, *args):
    rows = srv.ctl("-j", "log", "report", *args).stdout
    return sorted(rows.splitlines())


class Traffic(pwtest.Background):
    """Cafe sessions from a thread, on six PCs whose launchers stay: each
    new one replaces its PC's last, the others charge every minute."""

    def __init__(self, srv):
        super().__init__(srv)
        self.n = self.i = 0
        self.ls = [srv.launcher_session("pc-seg-%d" % i)["launcher_session_id"]
                   for i in range(6)]

    def step(self):
        i, self.i = self.i, self.i + 1
        ls = self.ls[i % len(self.ls)]
        gs = self.srv.verify(self.srv.ott(ls))["game_session_id"]
        self.srv.heartbeat(gs)
        self.srv.launcher("session/heartbeat", {"launcher_session_id": ls},
                          method="PATCH")
        if i % 4 == 0:
            self.srv.end(gs)
        self.n += 1
        time.sleep(0.02)


def test_segments_archived_while_serving():
    srv = Server(billing_unit=1, price=1,
                 extra="billing-segment-size " + SEG).start()
    arch = os.path.join(srv.tmp, "archive")
    os.mkdir(arch)
    # A follower from the start; to a file, so that it never waits for us.
    followed = open(os.path.join(srv.tmp, "followed"), "w+")
    tail = subprocess.Popen([pwtest.CTL, "-f", srv.conf, "-j", "log", "tail",
                             "-f", "--from", "0", "--archive", arch],
                            stdout=followed, stderr=subprocess.DEVNULL,
                            cwd=srv.tmp)
    try:
        srv.credit("seoul-01", 10**7)
        with Traffic(srv):
            wait_until(lambda: len(closed(srv)) >= 4, 120, step=0.5,
                       what="four closed segments")
            # Archived while serving: only what a checkpoint on disk is
            # past (a sweep every 10 s, the one before it named on disk).
            first = closed(srv)[:3]
            last_of_third = int(closed(srv)[3].rsplit(".", 1)[1]) - 1
            wait_until(lambda: disk_ckpt(srv) >= last_of_third, 60,
                       step=0.5, what="a checkpoint on disk past them")
            p = srv.ctl("log", "archive", arch)
            check(p.stdout.count("archived ") >= 3, p.stdout)
            for name in first:
                check(not os.path.exists(os.path.join(srv.tmp, name)), name)
                check(os.path.exists(os.path.join(arch, name)), name)
            time.sleep(1)
        live = srv.ctl("sessions", "--state", "live", "--limit", "100000",
                       json_out=True) or []
        for s in live:
            srv.ctl("end", s["id"], check_rc=False)
        srv.log_settled()
        before = totals(srv, "--archive", arch)
        evs = events(srv, "--archive", arch)
        eq([e["seq"] for e in evs], list(range(1, len(evs) + 1)))
        eq(srv.ctl("log", "verify", "--archive", arch,
                   check_rc=False).returncode, 0)
        # Without the archive: the oldest segment there is, from its
        # snapshot on, still verifies.
        p = srv.ctl("log", "verify", check_rc=False)
        eq(p.returncode, 0, p.stdout + p.stderr)
        # tail -f followed every switch: every seq once, in order.
        def followed_all():
            followed.seek(0)
            return len(followed.read().splitlines()) >= len(evs)
        wait_until(followed_all, 10, what="the follower to catch up")
        followed.seek(0)
        got = [json.loads(x)["seq"] for x in followed.read().splitlines()]
        eq(got, [e["seq"] for e in evs])
        # --from resumes exactly after a seq, across segments.
        mid = evs[len(evs) // 2]["seq"]
        after = srv.ctl("-j", "log", "tail", "--from", str(mid), "--archive",
                        arch).stdout.splitlines()
        eq([json.loads(x)["seq"] for x in after],
           list(range(mid + 1, len(evs) + 1)))
    finally:
        tail.kill()
        tail.wait()
        followed.close()
    # A power cut's worth of kill, then a start: the store reconciled,
    # the totals unchanged, the money the log's.
    srv.kill_all()
    srv.start()
    try:
        eq(totals(srv, "--archive", arch), before)
        check_money(srv, events(srv, "--archive", arch), "seoul-01")
        eq(srv.ctl("log", "verify", "--archive", arch,
                   check_rc=False).returncode, 0)
    finally:
        eq(srv.stop(), 0)
    # The store lost: rebuilt from the newest segment's snapshot.
    want = srv.ctl("wallet", "show", "seoul-01", json_out=True)["balance"]
    os.unlink(os.path.join(srv.tmp, "store"))
    srv.start()
    try:
        eq(srv.ctl("wallet", "show", "seoul-01", json_out=True)["balance"],
           want)
        eq(totals(srv, "--archive", arch), before)
        eq(srv.ctl("log", "verify", "--archive", arch,
                   check_rc=False).returncode, 0)
    finally:
        eq(srv.stop(), 0)


def test_archive_moves_nothing_above_the_disk_checkpoint():
    srv = Server(billing_unit=1, price=1,
                 extra="billing-segment-size " + SEG).start()
    arch = os.path.join(srv.tmp, "archive")
    os.mkdir(arch)
    try:
        srv.credit("seoul-01", 10**7)
        with Traffic(srv):
            wait_until(lambda: len(closed(srv)) >= 1, 60, step=0.3,
                       what="a closed segment")
        n = len(closed(srv))
        ckpt = disk_ckpt(srv)
        p = srv.ctl("log", "archive", arch)
        moved = p.stdout.count("archived ")
        # Moved: exactly those that end at or below the checkpoint.
        firsts = [int(x.rsplit(".", 1)[1]) for x in closed(srv)]
        for first in firsts:
            check(first > ckpt, (first, ckpt, p.stdout))
        check(moved + len(closed(srv)) == n, (moved, n))
        # Its own lock: a second archive at once is refused.
        lock = subprocess.Popen(["flock", os.path.join(srv.tmp,
                                 "billing.log.archive.lock"), "sleep", "3"])
        time.sleep(0.3)
        p = srv.ctl("log", "archive", arch, check_rc=False)
        lock.wait()
        eq(p.returncode, 1, p.stdout)
        check("another one is running" in p.stderr, p.stderr)
        # DIR the state directory itself: refused.
        eq(srv.ctl("log", "archive", srv.tmp, check_rc=False).returncode, 2)
    finally:
        eq(srv.stop(), 0)
    shutil.rmtree(arch)


def test_damage_at_start_refused_naming_verify():
    """Two writers' seq 2, a record edited and its check made right:
    damage, not a torn tail; the daemon does not start and names
    playwavectl log verify; nothing is cut."""
    srv = Server(price=0).start()
    try:
        for w in ("a", "b", "c"):
            srv.credit("player:dmg-" + w, 5)
    finally:
        eq(srv.stop(), 0)
    path = os.path.join(srv.tmp, "billing.log")
    with open(path, "rb") as f:
        data = f.read()
    hdr = pwtest.header_len(path)
    rec = pwtest.REC
    # The third record again, as a second writer would have made it.
    dup = data + data[hdr + rec:hdr + 2 * rec]
    for image in (dup,):
        with open(path, "wb") as f:
            f.write(image)
        p = subprocess.run([pwtest.DAEMON, "-d", "-f", srv.conf],
                           capture_output=True, text=True, timeout=30,
                           cwd=srv.tmp)
        eq(p.returncode, 1, p.stderr)
        check("playwavectl log verify" in p.stderr and "damaged" in p.stderr,
              p.stderr)
        with open(path, "rb") as f:
            eq(f.read(), image)
    with open(path, "wb") as f:
        f.write(data)
    srv.start()
    eq(srv.stop(), 0)
