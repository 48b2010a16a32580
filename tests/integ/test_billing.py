"""The reaper and the billing log: expiry, per-minute charging
with grace, credits, exactly-once events across SIGKILLs, torn tails and
rebuilding wallets from the log.  billing-unit is a few seconds here."""

import collections
import os
import random
import signal
import threading
import time
import uuid

from pwtest import REC, Server, check, eq, header_len, wait_until


def events_by_session(evs):
    by = collections.defaultdict(list)
    for e in evs:
        if e["type"] not in ("CREDIT", "DEBIT"):
            by[e["session"]].append(e)
    return by


def check_exactly_once(srv, require_end=True):
    """Every session: one START first, CHARGE minutes 1..n, at most one END
    (exactly one when require_end), END totals equal the charges."""
    evs = srv.log_events()
    seqs = [e["seq"] for e in evs]
    eq(seqs, list(range(1, len(evs) + 1)), "seq continuity")
    for sid, es in events_by_session(evs).items():
        types = [e["type"] for e in es]
        eq(types[0], "START", sid)
        eq(types.count("START"), 1, sid)
        check(types.count("END") <= 1, (sid, types))
        if require_end:
            eq(types.count("END"), 1, (sid, types))
        charges = [e for e in es if e["type"] == "CHARGE"]
        eq([c["minute"] for c in charges], list(range(1, len(charges) + 1)), sid)
        if "END" in types:
            eq(types[-1], "END", sid)
            end = es[-1]
            eq(end["amount"], sum(c["amount"] for c in charges), sid)
            if charges:
                eq(end["minute"], len(charges), sid)
    p = srv.ctl("log", "verify", check_rc=False)
    eq(p.returncode, 0, p.stdout + p.stderr)
    return evs


def hb_result(srv, gs):
    st, _, d = srv.heartbeat(gs)
    return d["data"]["result"] if st == 200 else (st, d["error"]["message"])


def test_charge_arithmetic_to_no_balance():
    srv = Server(billing_unit=2, charge_grace=2, price=10).start()
    try:
        srv.credit("seoul-01", 25)
        _, gs = srv.session("pc-bill")
        eq(hb_result(srv, gs), "OK")
        wait_until(lambda: hb_result(srv, gs) == "CHARGE_EXHAUSTED", 8,
                   what="CHARGE_EXHAUSTED at minute 3")
        wait_until(lambda: hb_result(srv, gs) == (410, "session ended: NO_BALANCE"),
                   6, what="NO_BALANCE after the grace")
        wait_until(lambda: any(e["type"] == "END" for e in srv.log_events()), 3)
        evs = check_exactly_once(srv)
        mine = events_by_session(evs)[gs]
        eq([e["type"] for e in mine], ["START", "CHARGE", "CHARGE", "END"])
        eq([e["balance"] for e in mine[1:3]], [15, 5])
        eq(mine[3]["reason"], "NO_BALANCE")
        eq(mine[3]["amount"], 20)
        w = srv.ctl("wallet", "show", "seoul-01", json_out=True)
        eq(w["balance"], 5)
    finally:
        eq(srv.stop(), 0)


def test_credit_in_grace_resumes():
    srv = Server(billing_unit=2, charge_grace=3, price=10).start()
    try:
        srv.credit("seoul-01", 15)
        _, gs = srv.session("pc-grace")
        wait_until(lambda: hb_result(srv, gs) == "CHARGE_EXHAUSTED", 6)
        srv.credit("seoul-01", 100)
        wait_until(lambda: hb_result(srv, gs) == "OK", 2, what="billing to resume")
        st, _, d = srv.end(gs)
        eq(st, 200, d)
        check(d["data"]["billed_minutes"] >= 2, d)
        eq(d["data"]["charged"], 10 * d["data"]["billed_minutes"])
        wait_until(lambda: any(e["type"] == "END" for e in srv.log_events()), 3)
        evs = check_exactly_once(srv)
        mine = events_by_session(evs)[gs]
        eq(mine[-1]["reason"], "ENDED")
        eq(mine[-1]["amount"], d["data"]["charged"])
        credits = [e for e in evs if e["type"] == "CREDIT"]
        eq([c["amount"] for c in credits], [15, 100])
    finally:
        eq(srv.stop(), 0)


def test_not_chargeable_consumes():
    srv = Server(price=10).start()
    try:
        srv.credit("seoul-01", 5)
        ls = srv.launcher_session("pc-nc")["launcher_session_id"]
        ott = srv.ott(ls)
        eq(srv.verify(ott), {"is_valid": False, "reason": "NOT_CHARGEABLE"})
        eq(srv.verify(ott), {"is_valid": False, "reason": "OTT_ALREADY_USED"})
    finally:
        eq(srv.stop(), 0)


def test_expiry_of_otts_sessions_and_launchers():
    srv = Server(ott_ttl=1, session_timeout=2, launcher_timeout=3, price=0).start()
    try:
        _, gs = srv.session("pc-exp2")
        # A game session with no heartbeat expires (polling with
        # heartbeats would keep it alive: wait, then ask once).
        time.sleep(3.0)
        eq(hb_result(srv, gs), (410, "session ended: EXPIRED"))
        # The OTT expires after ott-ttl (1 s); it is told apart until
        # 2 x ott-ttl + one reaper second (3 s), then forgotten.  Asking
        # consumes a live OTT, so ask once, in the middle of the window.
        ls = srv.launcher_session("pc-exp")["launcher_session_id"]
        ott = srv.ott(ls)
        time.sleep(1.8)
        eq(srv.verify(ott)["reason"], "OTT_EXPIRED")
        wait_until(lambda: srv.verify(ott)["reason"] == "OTT_NOT_FOUND", 5)
        # A silent launcher is lost and takes its PC's game session along.
        ls2, gs2 = srv.session("pc-lost")
        for _ in range(2):
            eq(hb_result(srv, gs2), "OK")
            time.sleep(1)
            st, _, d = srv.launcher("session/heartbeat", {"launcher_session_id": ls},
                                    method="PATCH")
        wait_until(lambda: hb_result(srv, gs2) ==
                   (410, "session ended: LAUNCHER_LOST"), 3)
        st, _, d = srv.launcher("session/heartbeat", {"launcher_session_id": ls2},
                                method="PATCH")
        eq(st, 410)
        m = srv.request("GET", "/metrics", raw=True)[2].decode()
        check("playwaved_otts_expired_total 1" in m, m)
        wait_until(lambda: 'reason="LAUNCHER_LOST"} 1' in
                   srv.request("GET", "/metrics", raw=True)[2].decode(), 3)
    finally:
        eq(srv.stop(), 0)


def _load(srv, stop, ok):
    """Create, heartbeat and end sessions until told to stop."""
    pcs = ["pc-crash-%d" % i for i in range(6)]
    while not stop.is_set():
        try:
            pc = random.choice(pcs)
            _, gs = srv.session(pc, uid=str(random.randint(1, 10**9)))
            for _ in range(random.randint(0, 3)):
                srv.heartbeat(gs)
            if random.random() < 0.6:
                srv.end(gs)
            ok.append(gs)
        except Exception:
            time.sleep(0.05)


def _wallet_ops(srv, stop):
    """Credits and debits of the cafe's wallet from playwavectl until told
    to stop; one whose reaper is killed stays queued (the tool says so)."""
    while not stop.is_set():
        op = random.choice(("credit", "debit"))
        try:
            srv.ctl("wallet", op, "seoul-01", str(random.randint(1, 9)),
                    check_rc=False)
        except Exception:
            time.sleep(0.05)


def test_crash_rounds_exactly_once():
    """SIGKILL of a random process (the master included) under load and
    wallet credits and debits, round after round, with billing-fsync
    always and interval in turn; then exactly-once events and wallet =
    credits - charges - debits.  make check-long runs 100 rounds
    (PW_KILL_ROUNDS)."""
    srv = Server(billing_unit=1, price=1, billing_fsync="always").start()
    srv.credit("seoul-01", 10**9)
    rounds = int(os.environ.get("PW_KILL_ROUNDS", "20"))
    created = []
    try:
        for r in range(rounds):
            stop = threading.Event()
            ts = [threading.Thread(target=_load, args=(srv, stop, created)),
                  threading.Thread(target=_wallet_ops, args=(srv, stop))]
            for t in ts:
                t.start()
            time.sleep(random.uniform(0.3, 1.2))
            kids = srv.children()
            victim = random.choice(kids)
            os.kill(victim[0], signal.SIGKILL)
            time.sleep(random.uniform(0.0, 0.3))
            stop.set()
            for t in ts:
                t.join(30)
            # Restart the whole server each round, as an operator would.
            srv.stop(signal.SIGKILL if victim[1] == "playwaved: master" else
                     signal.SIGTERM)
            wait_until(lambda: not srv.children(), 10)
            srv.write_config(billing_fsync=("interval", "always")[r % 2])
            srv.start()
        check(len(created) > 40, len(created))
        # End whatever is still alive, then every session has one END.
        live = srv.ctl("sessions", "--state", "live", "--limit", "100000",
                       json_out=True) or []
        for s in live:
            srv.ctl("end", s["id"], check_rc=False)
        wait_until(lambda: not (srv.ctl("sessions", "--state", "live", json_out=True)
                                or []), 10)
        time.sleep(1.0)
        evs = check_exactly_once(srv, require_end=False)
        by = events_by_session(evs)
        open_ = [s for s, es in by.items() if es[-1]["type"] != "END"]
        eq(open_, [], "sessions without END")
        check_money(srv, evs, "seoul-01")
        kinds = [e["type"] for e in evs]
        check(kinds.count("CREDIT") > 1 and kinds.count("DEBIT") > 0,
              "credits and debits under the kills: %d, %d" %
              (kinds.count("CREDIT"), kinds.count("DEBIT")))
    finally:
        srv.stop()


SIGN = {"CREDIT": 1, "CHARGE": -1, "DEBIT": -1}


def check_money(srv, evs, wallet):
    """The wallet = its last logged balance = credits - charges - debits."""
    mine = [e for e in evs if e.get("wallet") == wallet and e["type"] in SIGN]
    net = sum(SIGN[e["type"]] * e["amount"] for e in mine)
    eq(mine[-1]["balance"], net, "last logged balance")
    eq(srv.ctl("wallet", "show", wallet, json_out=True)["balance"], net,
       "wallet in the store")


def test_torn_tail_cut_and_reported():
    srv = Server(price=0).start()
    try:
        for i in range(3):
            _, gs = srv.session("pc-torn-%d" % i)
            srv.end(gs)
        wait_until(lambda: len(srv.log_events()) >= 6, 5)
    finally:
        eq(srv.stop(), 0)
    path = os.path.join(srv.tmp, "billing.log")
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "r+b") as f:
        f.truncate(len(data) - 50)
    p = srv.ctl("log", "verify", check_rc=False)
    eq(p.returncode, 1, p.stdout)
    srv.start()
    try:
        log = srv.daemon_log()
        check("torn tail" in log, log)
        eq((os.path.getsize(path) - header_len(path)) % REC, 0)
        # No byte thrown away: the cut bytes are kept beside the log,
        # and the daemon's log names the copy.
        kept = [f for f in os.listdir(srv.tmp)
                if f.startswith("billing.log.torn-")]
        eq(len(kept), 1, kept)
        check("copied to %s and cut" % kept[0] in log, log)
        with open(os.path.join(srv.tmp, kept[0]), "rb") as f:
            eq(f.read(), data[len(data) - REC:len(data) - 50])
        # The session whose END was cut gets it again: nothing is lost.
        wait_until(lambda: srv.ctl("log", "verify", check_rc=False).returncode == 0, 5)
        evs = srv.log_events()
        eq(sum(e["type"] == "END" for e in evs), 3)
    finally:
        eq(srv.stop(), 0)


def test_replay_rebuilds_wallets():
    srv = Server(price=7, billing_unit=1).start()
    try:
        srv.credit("seoul-01", 1000)
        srv.credit("player:alice", 12345)
        _, gs = srv.session("pc-replay")
        time.sleep(2.2)
        srv.end(gs)
        wait_until(lambda: any(e["type"] == "END" for e in srv.log_events()), 3)
        before = {w: srv.ctl("wallet", "show", w, json_out=True)["balance"]
                  for w in ("seoul-01", "player:alice")}
        check(before["seoul-01"] < 1000, before)
        eq(before["player:alice"], 12345)
    finally:
        eq(srv.stop(), 0)
    os.unlink(os.path.join(srv.tmp, "store"))
    srv.start()
    try:
        after = {w: srv.ctl("wallet", "show", w, json_out=True)["balance"]
                 for w in ("seoul-01", "player:alice")}
        eq(after, before)
        check_exactly_once(srv)
    finally:
        eq(srv.stop(), 0)


def test_lost_store_ends_open_sessions_lost():
    srv = Server(price=0).start()
    try:
        _, gs = srv.session("pc-lost-store")
        wait_until(lambda: any(e["type"] == "START" for e in srv.log_events()), 3)
    finally:
        eq(srv.stop(), 0)
    os.unlink(os.path.join(srv.tmp, "store"))
    srv.start()
    try:
        mine = events_by_session(srv.log_events())[gs]
        eq([e["type"] for e in mine], ["START", "END"])
        eq(mine[-1]["reason"], "LOST")
        eq(srv.heartbeat(gs)[0], 404)
    finally:
        eq(srv.stop(), 0)


def test_log_unwritable_then_recovers():
    """The billing log cannot grow (a file-size limit on the reaper): events
    wait in the store, an error is logged, nothing is lost, and all are
    written once the limit is lifted."""
    import resource
    srv = Server(price=0).start()
    try:
        _, gs = srv.session("pc-full")
        srv.end(gs)
        wait_until(lambda: len(srv.log_events()) >= 2, 3)
        reaper = srv.pid_of("playwaved: reaper")
        size = os.path.getsize(os.path.join(srv.tmp, "billing.log"))
        # Only the soft limit: raising it back needs no privilege.
        resource.prlimit(reaper, resource.RLIMIT_FSIZE,
                         (size + 100, resource.RLIM_INFINITY))
        made = [srv.session("pc-full-%d" % i)[1] for i in range(5)]
        for gs in made:
            srv.end(gs)
        wait_until(lambda: "billing log write" in srv.daemon_log(), 5,
                   what="the write error in the daemon log")
        time.sleep(0.6)
        eq(len(srv.log_events()), 2)
        m = srv.request("GET", "/metrics", raw=True)[2].decode()
        check("playwaved_billing_pending_events 0" not in m, m)
        resource.prlimit(reaper, resource.RLIMIT_FSIZE,
                         (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        wait_until(lambda: len(srv.log_events()) == 12, 5,
                   what="the pending events to be written")
        check_exactly_once(srv)
    finally:
        eq(srv.stop(), 0)
