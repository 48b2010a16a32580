"""playwavectl wallet debit: a DEBIT logged with the balance after it,
refused with nothing logged when the balance less the hold is short (by
the tool, or by the reaper when a verify reserved the money meanwhile),
log verify and log report, the balance through restarts and a lost store,
and exactly once when the reaper or the tool is SIGKILLed."""

import json
import os
import random
import re
import signal
import subprocess
import time

import pwtest
from pwtest import Server, check, eq
from test_billing import check_exactly_once

SERVER = dict(billing_unit=2, price=10)
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
CAFE = "seoul-01"


def balance(srv, wallet=CAFE):
    return srv.ctl("wallet", "show", wallet, json_out=True)["balance"]


def debit(srv, wallet, amount, json_out=False):
    return srv.ctl("wallet", "debit", wallet, str(amount), check_rc=False,
                   json_out=json_out)


def replay(evs, wallet):
    """credits - charges - debits of the wallet, checked event by event
    against each event's balance; the last balance."""
    bal = 0
    for e in evs:
        if e.get("wallet") != wallet or e["type"] not in ("CREDIT", "CHARGE", "DEBIT"):
            continue
        bal += e["amount"] if e["type"] == "CREDIT" else -e["amount"]
        eq(e["balance"], bal, e)
        if e["type"] == "DEBIT":
            check(bal >= 0, e)
    return bal


def test_debit_then_balance_and_log(srv):
    srv.credit(CAFE, 1000)
    p = debit(srv, CAFE, 300)
    eq((p.returncode, p.stdout), (0, CAFE + " balance 700\n"), p.stderr)
    j = debit(srv, CAFE, 200, json_out=True)
    eq((j["wallet"], j["amount"], j["balance"]), (CAFE, 200, 500), j)
    check(re.fullmatch("cr_" + UUID, j["debit"]), j)
    eq(balance(srv), 500)
    evs = srv.log_events()
    deb = [e for e in evs if e["type"] == "DEBIT"]
    eq([(e["wallet"], e["amount"], e["balance"]) for e in deb],
       [(CAFE, 300, 700), (CAFE, 200, 500)])
    eq(deb[1]["session"], j["debit"])
    check(all("game" not in e and "minute" not in e for e in deb), deb)
    eq(evs[-1], deb[1], "the debit is the last event")
    text = srv.ctl("log", "cat").stdout.splitlines()
    line = [ln for ln in text if j["debit"] in ln]
    eq(len(line), 1, text)
    eq(line[0].split()[2:], ["DEBIT", j["debit"], "-", CAFE, "200", "500", "-", "-"])
    s = srv.ctl("show", j["debit"], json_out=True)
    eq((s["state"], s["kind"], s["amount"], s["balance"], s["wallet"]),
       ("applied", "debit", 200, 500, CAFE), s)
    eq(replay(evs, CAFE), 500)


def test_refused_when_short(srv):
    n = len(srv.log_events())
    p = debit(srv, CAFE, 501)
    eq(p.returncode, 1, p.stdout)
    check("500 available" in p.stderr and "nothing debited" in p.stderr, p.stderr)
    p = debit(srv, "no-such-wallet", 1)
    eq(p.returncode, 1, p.stdout)
    check("no wallet" in p.stderr, p.stderr)
    for bad in ("0", "-5", "12abc", "", str(2**53)):
        eq(debit(srv, CAFE, bad).returncode, 2, bad)
    eq(srv.ctl("wallet", "debit", "x" * 24, "1", check_rc=False).returncode, 2)
    eq(srv.ctl("wallet", "debit", CAFE, check_rc=False).returncode, 2)
    time.sleep(1.2)                     # a debit would be logged by now
    eq(len(srv.log_events()), n)
    eq(balance(srv), 500)


def test_refused_by_reaper_when_held(srv):
    """The tool's check passes, then a verify reserves a minute before the
    reaper runs: the reaper, which alone decides, refuses the debit."""
    n = len(srv.log_events())
    reaper = srv.pid_of("playwaved: reaper")
    os.kill(reaper, signal.SIGSTOP)
    try:
        tool = subprocess.Popen([pwtest.CTL, "-f", srv.conf, "wallet", "debit",
                                 CAFE, "500"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=srv.tmp)
        time.sleep(0.5)                 # queued: checked against hold 0
        _, gs = srv.session("pc-debit-held")
        eq(srv.ctl("wallet", "show", CAFE, json_out=True)["hold"], 10)
    finally:
        os.kill(reaper, signal.SIGCONT)
    out, err = tool.communicate(timeout=15)
    eq(srv.end(gs)[0], 200)
    eq(tool.returncode, 1, out)
    check("refused" in err and "nothing debited" in err, err)
    evs = srv.log_settled()
    # Only the session's events since: no DEBIT.
    eq({e["type"] for e in evs[n:]}, {"START", "CHARGE", "END"})
    eq({e["session"] for e in evs[n:]}, {gs})
    s = srv.ctl("wallet", "show", CAFE, json_out=True)
    eq(s["hold"], 0, s)
    check(s["balance"] < 500, s)
    # Drained, the whole balance can leave, and nothing more.
    eq(debit(srv, CAFE, s["balance"]).stdout, CAFE + " balance 0\n")
    eq(debit(srv, CAFE, 1).returncode, 1)
    srv.credit(CAFE, 250)


def test_log_verify_and_report(srv):
    evs = srv.log_settled()
    p = srv.ctl("log", "verify", check_rc=False)
    eq(p.returncode, 0, p.stdout + p.stderr)
    sessions = {e["session"] for e in evs if e["session"].startswith("gs_")}
    check(p.stdout.startswith("ok_up_to=%d events=%d sessions=%d open=0 head=%d:"
                              % (len(evs), len(evs), len(sessions), len(evs))),
          p.stdout)
    check(srv.ctl("log", "verify", json_out=True)[0]["ok"])
    rows = srv.ctl("log", "report", json_out=True)
    debits = sum(e["amount"] for e in evs if e["type"] == "DEBIT")
    charged = sum(e["amount"] for e in evs if e["type"] == "CHARGE")
    eq(1250 - charged - debits, 250, "credits - charges - debits")
    eq(sum(r["debits"] for r in rows), debits)
    eq(sum(r["credits"] for r in rows), 1250)
    eq(sum(r["charged"] for r in rows), charged)
    # Debits are a row of their own, with credits: no game, no revenue.
    for r in rows:
        if r["debits"]:
            eq((r["wallet"], r["game"], r["charged"]), (CAFE, None, 0), r)
    csv = srv.ctl("log", "report", "--csv").stdout.splitlines()
    eq(csv[0], "day,wallet,game,sessions,billed_minutes,charged,credits,debits")
    eq(csv[-1].split(",")[-3:], [str(charged), "1250", str(debits)])
    text = srv.ctl("log", "report").stdout.splitlines()
    eq(text[0].split()[-3:], ["CHARGED", "CREDITS", "DEBITS"])
    eq(text[-1].split()[-3:], [str(charged), "1250", str(debits)])


def test_restart_keeps_balance(srv):
    want = balance(srv)
    eq(want, 250)
    eq(srv.stop(), 0)
    srv.start()
    eq(balance(srv), want)
    # A store lost: the balance is rebuilt from the log, debits included.
    eq(srv.stop(), 0)
    os.unlink(os.path.join(srv.tmp, "store"))
    srv.start()
    eq(balance(srv), want)
    s = srv.ctl("wallet", "show", CAFE, json_out=True)
    eq((s["hold"], s["available"]), (0, want), s)
    eq(replay(srv.log_events(), CAFE), want)
    eq(srv.ctl("log", "verify", check_rc=False).returncode, 0)
    eq(debit(srv, CAFE, 50).stdout, CAFE + " balance 200\n")


def _kill_reaper(srv):
    pid = srv.pid_of("playwaved: reaper")
    if pid is not None:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_sigkill_reaper_and_tool_exactly_once():
    """Debits while the reaper is SIGKILLed (the master respawns it) and
    tools are SIGKILLed while they wait: each debit is logged at most once,
    applied exactly when logged, and the balance is the log's."""
    srv = Server(billing_unit=1, price=1, billing_fsync="always").start()
    try:
        srv.credit(CAFE, 100000)
        rnd = random.Random(7)
        told = []                       # debit ids the tool reported applied
        for i in range(16):
            tool = subprocess.Popen([pwtest.CTL, "-f", srv.conf, "-j", "wallet",
                                     "debit", CAFE, str(100 + i)],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True, cwd=srv.tmp)
            time.sleep(rnd.uniform(0.0, 0.3))
            if i % 3 == 0:
                _kill_reaper(srv)
            if i % 4 == 1:
                tool.kill()
            out, _ = tool.communicate(timeout=20)
            if tool.returncode == 0:
                told.append(json.loads(out)["debit"])
        # Queued debits whose tool died or gave up are applied, once.
        evs = srv.log_settled()
        check_exactly_once(srv)
        ids = [e["session"] for e in evs if e["type"] == "DEBIT"]
        eq(len(ids), len(set(ids)), "a debit logged twice")
        check(set(told) <= set(ids), (told, ids))
        check(len(ids) >= len(told) and len(ids) >= 8, (len(ids), len(told)))
        want = replay(evs, CAFE)
        eq(want, 100000 - sum(e["amount"] for e in evs if e["type"] == "DEBIT"))
        eq(balance(srv), want)
        # A full restart recomputes holds: none is left behind.
        eq(srv.stop(), 0)
        srv.start()
        s = srv.ctl("wallet", "show", CAFE, json_out=True)
        eq((s["balance"], s["hold"]), (want, 0), s)
        eq(srv.ctl("log", "verify", check_rc=False).returncode, 0)
    finally:
        srv.stop()
