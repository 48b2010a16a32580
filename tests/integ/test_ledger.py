"""The billing log is the ledger: the store reconciled with it
after a power cut (stale pages put back), millisecond billing, the guarded
store format, bounded money and log tail --from."""

import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import time

import pwtest
from pwtest import REC, Server, check, eq, header_len, wait_until
from test_billing import check_exactly_once, check_money, events_by_session

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAGE = 4096
MAX = 2**53 - 1


def store_path(srv):
    return os.path.join(srv.tmp, "store")


def ckpt_seq(path):
    with open(path, "rb") as f:
        f.seek(64)
        return struct.unpack("=Q", f.read(8))[0]


def mixed_image(old, new, out, seed):
    """Each 4 KiB page from either copy; the header page from the older, as
    on a disk where any page may lag but none lags its last checkpoint."""
    rnd = random.Random(seed)
    with open(old, "rb") as a, open(new, "rb") as b, open(out, "wb") as o:
        n = 0
        while True:
            pa, pb = a.read(PAGE), b.read(PAGE)
            if not pa:
                break
            o.write(pa if n == 0 or rnd.random() < 0.5 else pb)
            n += 1


class Load(pwtest.Background):
    """Sessions made, heartbeated and ended from a thread; every OTT a
    session was started with is remembered."""

    PCS = ["pc-pl-%d" % i for i in range(8)]

    def __init__(self, srv):
        super().__init__(srv)
        self.started = []

    def step(self):
        ls = self.srv.launcher_session(random.choice(self.PCS))[
            "launcher_session_id"]
        ott = self.srv.ott(ls)
        v = self.srv.verify(ott, "42")
        if not v["is_valid"]:
            return
        self.started.append((ott, v["game_session_id"]))
        for _ in range(random.randint(0, 2)):
            self.srv.heartbeat(v["game_session_id"], "42")
        if random.random() < 0.6:
            self.srv.end(v["game_session_id"])
        time.sleep(0.005)


def money(srv, wallet="seoul-01"):
    """End everything, wait for the log to settle, then: wallet = its last
    logged balance = credits - charges - debits."""
    live = srv.ctl("sessions", "--state", "live", "--limit", "100000",
                   json_out=True) or []
    for s in live:
        srv.ctl("end", s["id"], check_rc=False)
    srv.log_settled()
    evs = check_exactly_once(srv, require_end=False)
    check_money(srv, evs, wallet)
    return evs


def after_power_loss(srv, load):
    evs = srv.log_events()
    by = events_by_session(evs)
    ended = [s for s, es in by.items() if es[-1]["type"] == "END"]
    check(len(ended) >= 5, len(ended))
    for gs in ended:
        st, _, d = srv.heartbeat(gs, "42")
        # A replaced session answers 200 SESSION_REPLACED to a heartbeat.
        ok = st in (404, 410) or (st == 200 and by[gs][-1]["reason"] == "REPLACED"
                                  and d["data"]["result"] == "SESSION_REPLACED")
        check(ok, "ended session %s (%s) answered %d %r" % (gs, by[gs][-1]["reason"],
                                                          st, d))
    check_exactly_once(srv, require_end=False)
    for ott, gs in load.started:
        if gs in by:
            v = srv.verify(ott, "42")
            check(not v["is_valid"], "consumed OTT of %s valid again" % gs)
    p = srv.ctl("log", "verify")
    check("reconciled at start" in p.stderr, p.stderr)
    money(srv)
    # Billing goes on: a new session is charged minute after minute.
    _, gs = srv.session("pc-pl-after", "42")
    wait_until(lambda: [e["minute"] for e in srv.log_events()
                        if e["session"] == gs and e["type"] == "CHARGE"][-1:] == [3],
               8, what="minute 3 of a new session")
    srv.end(gs)
    money(srv)


def test_power_loss_stale_store():
    # Ended sessions stay in the store for session-timeout: room for all.
    srv = Server(billing_unit=1, price=1, billing_fsync="always", workers=2,
                 store_slots=1 << 17).start()
    srv.credit("seoul-01", 10**6)
    copies = os.path.join(srv.tmp, "copies")
    os.mkdir(copies)
    try:
        with Load(srv) as load:
            time.sleep(2.0)
            shutil.copyfile(store_path(srv), os.path.join(copies, "a"))
            srv.credit("seoul-01", 1000)
            # A copy under the reaper's first checkpoint after its start.
            wait_until(lambda: ckpt_seq(store_path(srv)) > 2, 20, step=0.2,
                       what="a store checkpoint")
            time.sleep(0.5)
            shutil.copyfile(store_path(srv), os.path.join(copies, "b"))
            srv.credit("seoul-01", 500)
            time.sleep(2.5)
        srv.kill_all()
        mixed_image(os.path.join(copies, "a"), os.path.join(copies, "b"),
                    store_path(srv), 13)
        srv.start()
        after_power_loss(srv, load)
        check("reconciled the store" in srv.daemon_log(), srv.daemon_log()[-2000:])
        # Again, from copy b: its checkpoint is past seq 2, so only the
        # log after it is read.
        with Load(srv) as load2:
            time.sleep(2.0)
        srv.kill_all()
        shutil.copyfile(os.path.join(copies, "b"), store_path(srv))
        srv.start()
        load2.started += load.started
        after_power_loss(srv, load2)
        m = srv.request("GET", "/metrics", raw=True)[2].decode()
        check("playwaved_reconcile_changes{what=" in m, m)
    finally:
        srv.stop()


def header_seqs(path):
    """(logged_seq, durable_seq) of a store file's header."""
    with open(path, "rb") as f:
        f.seek(104)
        return struct.unpack("=QQ", f.read(16))


def cut_log(path, seq):
    """What a power cut leaves of a log synced up to seq: its records up
    to seq and a torn part of the next."""
    hdr = header_len(path)
    with open(path, "r+b") as f:
        f.truncate(hdr + seq * REC + 57)


def test_power_loss_loses_the_unsynced_tail():
    """billing-fsync interval: a power cut takes the log written since its
    last fsync while every page of the store reached the disk.  The store
    never says an event is logged before the log is durable, so nothing it
    says is lost with the tail."""
    srv = Server(billing_unit=1, price=1, billing_fsync="interval",
                 workers=2, store_slots=1 << 17).start()
    srv.credit("seoul-01", 10**6)
    cut = 0
    try:
        for rnd in range(3):
            with Load(srv):
                time.sleep(1.5)
            # Live sessions are charged every second: catch the reaper
            # with events written and not yet synced, if it ever has any
            # marked as logged.
            end = time.time() + 3
            while time.time() < end:
                logged, durable = header_seqs(store_path(srv))
                if logged > durable:
                    break
                time.sleep(0.002)
            srv.kill_all()
            logged, durable = header_seqs(store_path(srv))
            size = os.path.getsize(os.path.join(srv.tmp, "billing.log"))
            check(logged <= durable, "round %d: the store marks seq %d as "
                  "logged, the log is synced to %d" % (rnd, logged, durable))
            log = os.path.join(srv.tmp, "billing.log")
            cut += (size - header_len(log)) // REC - durable
            cut_log(os.path.join(srv.tmp, "billing.log"), durable)
            srv.start()
            money(srv)
        # Not a proof by itself (it may lose nothing): what was lost.
        print("  (%d unsynced events lost in 3 power cuts)" % cut)
    finally:
        srv.stop()


def _align(frac):
    """Sleep until the wall clock's fraction of a second is frac."""
    d = (frac - time.time() % 1.0) % 1.0
    time.sleep(d)


def test_charge_never_before_its_minute():
    srv = Server(billing_unit=3, price=10, charge_grace=30).start()
    try:
        srv.credit("seoul-01", 10)      # the first minute only
        ls = srv.launcher_session("pc-prec")["launcher_session_id"]
        ott = srv.ott(ls)
        # A start late in its second: a whole-second clock runs ahead.
        _align(0.7)
        t0 = time.time()
        v = srv.verify(ott)
        t1 = time.time()
        check(v["is_valid"], v)
        gs = v["game_session_id"]
        seen = None
        while time.time() < t1 + 6:
            ts = time.time()
            st, _, d = srv.heartbeat(gs)
            if st == 200 and d["data"]["result"] == "CHARGE_EXHAUSTED":
                seen = (ts, time.time())
                break
            time.sleep(0.02)
        check(seen is not None, "never CHARGE_EXHAUSTED")
        check(seen[1] >= t0 + 3.0, "CHARGE_EXHAUSTED %.3f s after the verify"
              % (seen[1] - t0))
        check(seen[0] <= t1 + 3.0 + 1.0, "CHARGE_EXHAUSTED %.3f s late"
              % (seen[0] - t1 - 3.0))
    finally:
        srv.stop()


def _session_at(srv, pc, frac):
    ls = srv.launcher_session(pc)["launcher_session_id"]
    ott = srv.ott(ls)
    _align(frac)
    t0 = time.time()
    v = srv.verify(ott)
    check(v["is_valid"], v)
    return v["game_session_id"], t0, time.time()


def test_end_bills_the_minutes_due_at_its_instant():
    srv = Server(billing_unit=5, price=10).start()
    try:
        srv.credit("seoul-01", 10000)
        # 30 ms into minute 2: two minutes, even before the reaper's pass.
        gs, t0, t1 = _session_at(srv, "pc-end-a", 0.02)
        time.sleep(max(0.0, t1 + 5.03 - time.time()))
        st, _, d = srv.end(gs)
        eq(st, 200, d)
        eq((d["data"]["billed_minutes"], d["data"]["charged"]), (2, 20), d)
        eq(d["data"]["play_duration_sec"], 5, d)
        # Before minute 2 starts: one, whatever the clock's second says.
        gs, t0, t1 = _session_at(srv, "pc-end-b", 0.7)
        time.sleep(max(0.0, t1 + 4.75 - time.time()))
        ts = time.time()
        st, _, d = srv.end(gs)
        eq(st, 200, d)
        if time.time() < t0 + 5.0:      # the end landed before minute 2
            eq(d["data"]["billed_minutes"], 1, d)
            eq(d["data"]["play_duration_sec"], 4, d)
        check(ts >= t1 + 4.7, ts - t1)
        wait_until(lambda: len([e for e in srv.log_events() if e["type"] == "END"]) == 2, 5)
        check_exactly_once(srv)
    finally:
        srv.stop()


def test_credit_bound():
    srv = Server(price=0).start()
    try:
        srv.credit("player:big", MAX - 10)
        n = len(srv.log_events())
        p = srv.ctl("wallet", "credit", "player:big", "11", check_rc=False)
        eq(p.returncode, 1, p.stdout)
        check("2^53 - 1" in p.stderr, p.stderr)
        p = srv.ctl("wallet", "credit", "player:big", str(2**53), check_rc=False)
        eq(p.returncode, 1, p.stdout)
        time.sleep(1.2)                 # a credit would be logged by now
        eq(len(srv.log_events()), n)
        eq(srv.ctl("wallet", "show", "player:big", json_out=True)["balance"], MAX - 10)
        srv.credit("player:big", 10)
        eq(srv.ctl("wallet", "show", "player:big", json_out=True)["balance"], MAX)
        check_exactly_once(srv)
    finally:
        srv.stop()


def test_log_tail_from_resumes_after_seq():
    srv = Server(price=0).start()
    try:
        for i in range(4):
            srv.credit("player:tail-%d" % i, 1 + i)
        p = srv.ctl("log", "tail", "--from", "2", json_out=True)
        eq([e["seq"] for e in p], [3, 4])
        eq(srv.ctl("log", "tail", "--from", "4", json_out=True) or [], [])
        # Past the end: an error naming where the log ends, not a wait.
        for args in (["--from", "99"], ["-f", "--from", "99"]):
            p = subprocess.run([pwtest.CTL, "-f", srv.conf, "log", "tail"] +
                               args, capture_output=True, text=True,
                               cwd=srv.tmp, timeout=10)
            eq(p.returncode, 1, (args, p.stdout, p.stderr))
            check("the billing log ends at seq 4" in p.stderr, p.stderr)
        f = subprocess.Popen([pwtest.CTL, "-f", srv.conf, "-j", "log", "tail", "-f",
                              "--from", "3"], stdout=subprocess.PIPE, text=True,
                             cwd=srv.tmp)
        try:
            srv.credit("player:tail-x", 7)
            srv.credit("player:tail-y", 8)
            got = []
            deadline = time.time() + 10
            while len(got) < 3 and time.time() < deadline:
                line = f.stdout.readline()
                if line.strip():
                    got.append(json.loads(line))
            eq([e["seq"] for e in got], [4, 5, 6])
            eq([e["wallet"] for e in got], ["player:tail-3", "player:tail-x", "player:tail-y"])
        finally:
            f.kill()
            f.wait()
    finally:
        srv.stop()


def _sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_format_guard_refuses_another_layout():
    """A build with one more gauge refuses a store made by this one, names
    both layouts, and leaves the file as it was (daemon and tool)."""
    alt = os.path.join("build", "fmtguard")
    subprocess.run(["make", "-s", "-j2", "BUILD=" + alt, "SANITIZE=",
                    "CFLAGS=-O0 -DPW_STORE_TEST_EXTRA_GAUGE", "all"], cwd=ROOT,
                   check=True, timeout=1200, stdout=subprocess.DEVNULL)
    alt = os.path.join(ROOT, alt)
    srv = Server(price=0).start()
    srv.credit("seoul-01", 5)
    eq(srv.stop(), 0)
    store = store_path(srv)
    with open(store, "rb") as f:
        f.seek(32)
        ours = "%016x" % struct.unpack("=Q", f.read(8))[0]
    before = _sha(store)
    p = subprocess.run([os.path.join(alt, "playwaved"), "-d", "-f", srv.conf],
                       capture_output=True, text=True, timeout=30, cwd=srv.tmp)
    check(p.returncode != 0, p.returncode)
    msg = p.stderr + srv.daemon_log()
    check("store layout " + ours in msg and "this build's layout is" in msg, msg)
    eq(_sha(store), before, "store changed by the refusing daemon")
    p = subprocess.run([os.path.join(alt, "playwavectl"), "-s", store, "status"],
                       capture_output=True, text=True, timeout=30)
    eq(p.returncode, 4, p.stdout)       # LSB status: unknown
    check("store layout " + ours in p.stderr, p.stderr)
    eq(_sha(store), before, "store changed by the refusing tool")
    # The other build is sound: it makes and serves its own store.
    other = Server(price=0)
    p = subprocess.Popen([os.path.join(alt, "playwaved"), "-d", "-f", other.conf],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         cwd=other.tmp)
    try:
        wait_until(other.healthy, 10, what="the other build to serve")
    finally:
        p.terminate()
        p.wait(15)
    # And this build still opens the store it made.
    srv.start()
    eq(srv.ctl("wallet", "show", "seoul-01", json_out=True)["balance"], 5)
    eq(srv.stop(), 0)
