"""playwavectl against a running daemon: status, sessions, show, ott issue,
end, wallet credit/show, log cat/tail/verify, in text and -j, and its
errors (absent store, store of another version, usage)."""

import hashlib
import json
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import time

import pwtest
from pwtest import CTL, REC, Server, check, eq, header_len, wait_until

SERVER = dict(billing_unit=2, price=10)

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def run(srv, *args, conf=True, cwd=None):
    argv = [CTL] + (["-f", srv.conf] if conf else []) + list(args)
    return subprocess.run(argv, capture_output=True, text=True, timeout=30,
                          cwd=cwd or (srv.tmp if srv else None))


def ok(srv, *args):
    p = run(srv, *args)
    eq(p.returncode, 0, (args, p.stdout, p.stderr))
    return p.stdout


def jlines(srv, *args):
    """-j output of a list command: one JSON object per line."""
    return [json.loads(line) for line in ok(srv, "-j", *args).splitlines()]


def jone(srv, *args):
    out = ok(srv, "-j", *args)
    eq(out.count("\n"), 1, out)
    return json.loads(out)


def events(srv):
    return jlines(srv, "log", "cat")


def mine(srv, gs):
    return [e for e in events(srv) if e["session"] == gs]


def test_status(srv):
    srv.credit("seoul-01", 1000)
    before = jone(srv, "status")
    _, gs = srv.session("pc-ctl-status")
    ok(srv, "ott", "issue", "fantasyquest")
    wait_until(lambda: jone(srv, "status")["billing_logged_seq"] >
               before["billing_logged_seq"], 3, what="START logged")
    # -j after the command name too.
    s = json.loads(ok(srv, "status", "-j"))
    eq(s["master_pid"], srv.proc.pid)
    eq(s["master_alive"], True)
    check(s["uptime_seconds"] >= 0 and s["version"] == "1.0.0", s)
    eq(s["store_version"], 4)
    eq(s["store_slots"], 16384)
    kids = {t: pid for pid, t in srv.children()}
    procs = {("reaper" if p["kind"] == "reaper" else "worker %d" % p["index"]):
             p for p in s["processes"]}
    eq(sorted(procs), ["reaper", "worker 0", "worker 1"])
    for name, p in procs.items():
        eq(p["pid"], kids["playwaved: " + name], name)
        eq(p["alive"], True, name)
        eq(p["restarts"], 0, name)
    eq(s["otts_issued"] - before["otts_issued"], 2)
    eq(s["otts_consumed"] - before["otts_consumed"], 1)
    eq(s["game_sessions_started"] - before["game_sessions_started"], 1)
    eq(s["endpoint_requests"]["verify"] - before["endpoint_requests"]["verify"], 1)
    eq(s["endpoint_requests"]["launcher_ott"] -
       before["endpoint_requests"]["launcher_ott"], 1)
    check(s["requests"]["2xx"] >= before["requests"]["2xx"] + 3, (before, s))
    check(s["game_sessions_alive"] >= 1 and s["launcher_sessions_alive"] >= 1, s)
    check(s["store_slots_used"]["game_session"] >= 1, s)
    check(s["store_slots_used"]["ott"] >= 2, s)
    eq(s["billing_log_lag"], s["billing_logged_seq"] - s["billing_durable_seq"])
    size = os.path.getsize(os.path.join(srv.tmp, "billing.log"))
    check(s["billing_logged_seq"] <= size // REC, (s, size))
    check(time.time() * 1000 - s["reaper_last_pass_ms"] < 3000, s)
    for k in ("requests", "otts_expired", "billing_pending_events",
              "store_tombstones", "store_max_probe", "game_sessions_ended"):
        check(k in s, k)
    t = ok(srv, "status")
    check(re.search(r"master +pid %d +running" % srv.proc.pid, t), t)
    check(re.search(r"worker 0 +%d +yes +0" % kids["playwaved: worker 0"], t), t)
    check(re.search(r"reaper +%d +yes +0" % kids["playwaved: reaper"], t), t)
    check("slots 16384" in t and "log lag" in t, t)
    srv.end(gs)


def test_sessions(srv):
    srv.credit("seoul-01", 1000)
    _, a = srv.session("pc-ctl-s1", uid="1111")
    _, b = srv.session("pc-ctl-s2", uid="2222")
    eq(srv.end(b)[0], 200)
    nc = srv.verify(ok(srv, "ott", "issue", "fantasyquest").strip(), uid="3333")
    check(nc["is_valid"] and not nc["is_pc_cafe"], nc)
    c = nc["game_session_id"]
    every = {s["id"]: s for s in jlines(srv, "sessions", "--limit", "100000")}
    check({a, b, c} <= set(every), every.keys())
    sa, sb, sc = every[a], every[b], every[c]
    eq((sa["game"], sa["cafe"], sa["user"], sa["state"], sa["reason"]),
       ("fantasyquest", "seoul-01", "1111", "live", None))
    eq((sb["state"], sb["reason"], sb["user"]), ("ended", "ENDED", "2222"))
    eq((sc["cafe"], sc["charged"], sc["user"]), (None, 0, "3333"))
    check(sa["billed_minutes"] >= 1, sa)
    eq(sa["charged"], 10 * sa["billed_minutes"])
    check(sa["last_seen_age"] <= 5 and sa["started_at"] <= time.time(), sa)
    live = {s["id"] for s in jlines(srv, "sessions", "--state", "live")}
    check(a in live and c in live and b not in live, live)
    ended = {s["id"] for s in jlines(srv, "sessions", "--state", "ended")}
    check(b in ended and a not in ended, ended)
    eq(jlines(srv, "sessions", "--game", "othergame"), [])
    cafe = {s["id"] for s in jlines(srv, "sessions", "--cafe", "seoul-01")}
    check(a in cafe and c not in cafe, cafe)
    eq([s["id"] for s in jlines(srv, "sessions", "--cafe", "-") if s["id"] == c], [c])
    p = run(srv, "-j", "sessions", "--limit", "1")
    eq(p.returncode, 0)
    eq(len(p.stdout.splitlines()), 1, p.stdout)
    check("--limit" in p.stderr, p.stderr)
    t = ok(srv, "sessions", "--state", "live")
    line = [ln for ln in t.splitlines() if ln.startswith(a)]
    eq(len(line), 1, t)
    check(re.search(r"fantasyquest +seoul-01 +1111 +live +- ", line[0]), line)
    check(t.splitlines()[0].split()[:3] == ["ID", "GAME", "CAFE"], t)
    eq(run(srv, "sessions", "--state", "zombie").returncode, 2)
    srv.end(a)
    srv.end(c)


def test_show(srv):
    srv.credit("seoul-01", 1000)
    ls, gs = srv.session("pc-ctl-show", uid="777")
    g = jone(srv, "show", gs)
    eq((g["id"], g["game"], g["cafe"], g["user"], g["state"], g["reason"]),
       (gs, "fantasyquest", "seoul-01", "777", "live", None))
    eq(g["price"], 10)
    check(g["billed_minutes"] >= 1, g)
    eq(g["charged"], 10 * g["billed_minutes"])
    check(abs(g["started"] - time.time()) < 5 and g["ended_at"] == 0, g)
    t = ok(srv, "show", gs)
    check(re.search(r"^user +777$", t, re.M) and re.search(r"^state +live$", t, re.M), t)
    l_ = jone(srv, "show", ls)
    eq((l_["id"], l_["state"], l_["cafe"]), (ls, "live", "seoul-01"))
    eq(len(l_["pc_key"]), 32)
    ott = ok(srv, "ott", "issue", "fantasyquest", "--cafe", "seoul-01",
             "--pc", "pc-ctl-show").strip()
    o = jone(srv, "show", ott)
    eq((o["id"], o["game"], o["cafe"], o["state"], o["expired"]),
       (ott, "fantasyquest", "seoul-01", "issued", False))
    eq(o["pc_key"], l_["pc_key"])       # the same PC as the launcher's
    check(abs(o["expires_at"] - (time.time() + 60)) < 5, o)
    v = srv.verify(ott, uid="778")
    check(v["is_valid"] and v["is_pc_cafe"], v)
    bare = ott[len("playwave_"):]
    eq(jone(srv, "show", bare)["state"], "consumed")
    # The new session replaced the old one on that PC.
    wait_until(lambda: jone(srv, "show", gs)["reason"] == "REPLACED", 3)
    eq(jone(srv, "show", gs)["state"], "ended")
    p = run(srv, "show", "gs_00000000-0000-4000-8000-000000000000")
    eq(p.returncode, 1)
    check("not found" in p.stderr, p.stderr)
    eq(run(srv, "show", "gs_nonsense").returncode, 2)
    srv.end(v["game_session_id"])


def test_ott_issue(srv):
    p = run(srv, "ott", "issue", "fantasyquest")
    eq(p.returncode, 0, p.stderr)
    check(re.fullmatch("playwave_" + UUID + "\n", p.stdout), p.stdout)
    j = jone(srv, "ott", "issue", "othergame")
    check(re.fullmatch("playwave_" + UUID, j["ott"]), j)
    check(abs(j["expires_at"] - (time.time() + 60)) <= 2, j)
    v = srv.verify(p.stdout.strip())
    eq((v["is_valid"], v["is_pc_cafe"]), (True, False))
    eq(srv.verify(j["ott"])["reason"], "GAME_MISMATCH")
    srv.end(v["game_session_id"])
    srv.credit("seoul-01", 100)
    v = srv.verify(ok(srv, "ott", "issue", "fantasyquest", "--cafe", "seoul-01").strip())
    eq((v["is_valid"], v["is_pc_cafe"]), (True, True))
    srv.end(v["game_session_id"])
    p = run(srv, "ott", "issue", "nosuchgame")
    eq(p.returncode, 1)
    check("nosuchgame" in p.stderr, p.stderr)
    p = run(srv, "ott", "issue", "fantasyquest", "--cafe", "nowhere")
    eq(p.returncode, 1)
    check("nowhere" in p.stderr, p.stderr)
    eq(run(srv, "ott", "issue").returncode, 2)
    eq(run(srv, "ott", "issue", "fantasyquest", "--bogus", "x").returncode, 2)


def test_end(srv):
    srv.credit("seoul-01", 1000)
    _, gs = srv.session("pc-ctl-end")
    p = run(srv, "end", gs)
    eq(p.returncode, 0, p.stderr)
    # Ended in its first minute: "1 billed minute", singular.
    check(re.fullmatch(gs + r" ended: ADMIN, \d+ s, 1 billed minute, charged 10\n",
                       p.stdout), p.stdout)
    st, _, d = srv.heartbeat(gs)
    eq(st, 410, d)
    eq(d["error"]["message"], "session ended: ADMIN")
    wait_until(lambda: [e["type"] for e in mine(srv, gs)][-1:] == ["END"], 3,
               what="END in the log")
    end = mine(srv, gs)[-1]
    eq(end["reason"], "ADMIN")
    p = run(srv, "end", gs)
    eq(p.returncode, 1)
    check("already ended (ADMIN)" in p.stderr, p.stderr)
    p = run(srv, "end", "gs_00000000-0000-4000-8000-000000000000")
    eq(p.returncode, 1)
    check("no such game session" in p.stderr, p.stderr)
    eq(run(srv, "end", "ls_00000000-0000-4000-8000-000000000000").returncode, 2)
    _, gs2 = srv.session("pc-ctl-end2")
    j = jone(srv, "end", gs2)
    eq((j["id"], j["result"], j["reason"]), (gs2, "ENDED", "ADMIN"))
    check(j["billed_minutes"] >= 1, j)
    eq(j["charged"], 10 * j["billed_minutes"])
    wait_until(lambda: [e["type"] for e in mine(srv, gs2)][-1:] == ["END"], 3)
    eq(mine(srv, gs2)[-1]["amount"], j["charged"])
    eq(jone(srv, "status")["game_sessions_ended"]["ADMIN"] >= 2, True)


def test_wallet(srv):
    w = "player:ctl-wallet"
    eq(ok(srv, "wallet", "credit", w, "500"), w + " balance 500\n")
    j = jone(srv, "wallet", "credit", w, "250")
    eq((j["wallet"], j["amount"], j["balance"]), (w, 250, 750))
    check(re.fullmatch("cr_" + UUID, j["credit"]), j)
    eq(ok(srv, "wallet", "show", w), w + " balance 750 hold 0 available 750\n")
    s = jone(srv, "wallet", "show", w)
    eq((s["balance"], s["hold"], s["available"], s["exists"]), (750, 0, 750, True))
    s = jone(srv, "wallet", "show", "ctl-never")
    eq((s["balance"], s["hold"], s["exists"]), (0, 0, False))
    cr = [e for e in events(srv) if e["type"] == "CREDIT" and e["wallet"] == w]
    eq([(e["amount"], e["balance"]) for e in cr], [(500, 500), (250, 750)])
    eq(cr[1]["session"], j["credit"])
    for bad in ("0", "-5", "12abc", "", "99999999999999999999"):
        eq(run(srv, "wallet", "credit", w, bad).returncode, 2, bad)
    eq(run(srv, "wallet", "credit", "x" * 24, "1").returncode, 2)
    y = "player:" + "y" * 16
    eq(ok(srv, "wallet", "credit", y, "1"), y + " balance 1\n")
    eq(run(srv, "wallet", "show").returncode, 2)


def test_unknown_wallet_refused_nothing_logged(srv):
    """A wallet is a configured cafe or player:<sub> (or one the store
    holds): a typo is refused before anything is queued or logged."""
    before = events(srv)
    for op in ("credit", "debit"):
        for w in ("nosuchcafe", "player:", "seoul-1"):
            p = run(srv, "wallet", op, w, "10")
            eq(p.returncode, 1, (op, w, p.stdout))
            check("no wallet %s" % w in p.stderr and "nothing %sed" % op
                  in p.stderr, p.stderr)
    s = jone(srv, "wallet", "show", "nosuchcafe")
    eq(s["exists"], False)
    time.sleep(0.6)
    eq(events(srv), before, "the log changed")


def test_wallet_credit_without_reaper(srv):
    reaper = srv.pid_of("playwaved: reaper")
    w = "player:ctl-stalled"
    os.kill(reaper, signal.SIGSTOP)
    try:
        t0 = time.time()
        p = run(srv, "wallet", "credit", w, "42")
        took = time.time() - t0
    finally:
        os.kill(reaper, signal.SIGCONT)
    # Not confirmed durable: EX_TEMPFAIL, and it may still apply.
    eq(p.returncode, 75, p.stdout)
    check("may still apply" in p.stderr and p.stdout == "", p.stderr)
    check(4.5 <= took < 10, took)
    # Still queued: the reaper applies it once it runs again.
    wait_until(lambda: jone(srv, "wallet", "show", w)["balance"] == 42, 3,
               what="the queued credit to be applied")


def test_log_cat(srv):
    srv.credit("seoul-01", 1000)
    _, gs = srv.session("pc-ctl-cat")
    time.sleep(2.3)                      # a second billed minute
    st, _, d = srv.end(gs)
    eq(st, 200, d)
    wait_until(lambda: [e["type"] for e in mine(srv, gs)][-1:] == ["END"], 3)
    evs = events(srv)
    path = os.path.join(srv.tmp, "billing.log")
    eq(len(evs), (os.path.getsize(path) - header_len(path)) // REC)
    eq([e["seq"] for e in evs], list(range(1, len(evs) + 1)))
    for e in evs:
        for k in ("seq", "ts", "type", "session"):
            check(k in e, e)
        check(e["type"] in ("START", "CHARGE", "END", "CREDIT"), e)
        check(e["session"].startswith("cr_" if e["type"] == "CREDIT" else "gs_"), e)
        check(("reason" in e) == (e["type"] == "END"), e)
        check(abs(e["ts"] / 1000 - time.time()) < 600, e)
    m = [e for e in evs if e["session"] == gs]
    types = [e["type"] for e in m]
    eq(types[0], "START")
    eq(types[-1], "END")
    charges = [e for e in m if e["type"] == "CHARGE"]
    eq([c["minute"] for c in charges], list(range(1, d["data"]["billed_minutes"] + 1)))
    check(len(charges) >= 2, charges)
    for c in charges:
        eq((c["game"], c["wallet"], c["amount"]), ("fantasyquest", "seoul-01", 10))
    # Other sessions of this module may be billed in between: replay the
    # wallet instead of assuming its events are this session's alone.
    bal = None
    for e in evs:
        if e.get("wallet") != "seoul-01" or e["type"] not in ("CREDIT", "CHARGE"):
            continue
        if bal is not None:
            eq(e["balance"], bal + (e["amount"] if e["type"] == "CREDIT"
                                    else -e["amount"]), e)
        bal = e["balance"]
    check(charges[1]["balance"] <= charges[0]["balance"] - 10, charges)
    eq((m[-1]["reason"], m[-1]["amount"], m[-1]["minute"]),
       ("ENDED", d["data"]["charged"], len(charges)))
    t = ok(srv, "log", "cat").splitlines()
    eq(len(t), len(evs) + 1)
    eq(t[0].split()[:4], ["SEQ", "TIME", "TYPE", "SESSION"])
    last = t[-1].split()
    eq(last[0], str(evs[-1]["seq"]))
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", last[1]), last)
    end_line = [ln for ln in t if gs in ln and " END " in ln]
    eq(len(end_line), 1, t)
    check(end_line[0].rstrip().endswith("ENDED"), end_line)
    # An explicit FILE, and -s with FILE (no configuration: hashes for names).
    path = os.path.join(srv.tmp, "billing.log")
    eq(jlines(srv, "log", "cat", path)[:len(evs)], evs)
    p = run(None, "-s", os.path.join(srv.tmp, "store"), "-j", "log", "cat", path,
            conf=False)
    eq(p.returncode, 0, p.stderr)
    eq(len(p.stdout.splitlines()) >= len(evs), True)
    eq(run(None, "-s", os.path.join(srv.tmp, "store"), "log", "cat",
           conf=False).returncode, 2)


def read_lines(proc, n, timeout):
    """n lines from proc's stdout within timeout seconds."""
    buf, end = b"", time.time() + timeout
    fd = proc.stdout.fileno()
    while buf.count(b"\n") < n and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buf += chunk
    return buf.decode().splitlines()


def test_log_tail(srv):
    srv.credit("player:ctl-tail", 5)
    evs = events(srv)
    tail = jlines(srv, "log", "tail")
    eq(tail, evs[-10:])
    t = ok(srv, "log", "tail", "-j").splitlines()
    eq([json.loads(x) for x in t], evs[-10:])
    eq(len(ok(srv, "log", "tail").splitlines()), 11)
    # -f on the live log sees a new credit.
    proc = subprocess.Popen([CTL, "-f", srv.conf, "-j", "log", "tail", "-f"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        eq(len(read_lines(proc, 10, 5)), 10)
        srv.credit("player:ctl-tail", 6)
        got = [json.loads(x) for x in read_lines(proc, 1, 5)]
        check(got and got[0]["type"] == "CREDIT" and got[0]["wallet"] == "player:ctl-tail"
              and got[0]["amount"] == 6 and got[0]["balance"] == 11, got)
    finally:
        proc.kill()
        proc.wait()
    # -f on a copy survives its truncation.
    copy = os.path.join(srv.tmp, "tail-copy.log")
    shutil.copy(os.path.join(srv.tmp, "billing.log"), copy)
    with open(copy, "rb") as f:
        recs = f.read()
    proc = subprocess.Popen([CTL, "-f", srv.conf, "-j", "log", "tail", "-f", copy],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        eq(len(read_lines(proc, 10, 5)), 10)
        with open(copy, "r+b") as f:
            f.truncate(0)
        time.sleep(0.6)
        with open(copy, "ab") as f:
            f.write(recs[:header_len(os.path.join(srv.tmp, "billing.log")) + 2 * REC])
        got = [json.loads(x) for x in read_lines(proc, 2, 5)]
        eq([e["seq"] for e in got], [1, 2])
    finally:
        proc.kill()
        _, err = proc.communicate()
    check(b"truncated" in err, err)


def check8(rec):
    """A record of format 2 with its own check recomputed."""
    return rec[:152] + hashlib.sha256(rec[:152]).digest()[:8]


def relink(prev, rec):
    """rec chained after the link prev, its own check made right: what a
    forger who rewrites the chain does."""
    link = hashlib.sha256(prev + rec[:120]).digest()
    return check8(rec[:120] + link)


def rechain(data, hdr, start):
    """The chain recomputed from the record at offset start on."""
    out = bytearray(data)
    for off in range(start, len(data) - REC + 1, REC):
        prev = (out[off - REC + 120:off - REC + 152] if off > hdr
                else out[hdr - 40:hdr - 8])
        out[off:off + REC] = relink(bytes(prev), bytes(out[off:off + REC]))
    return bytes(out)


def verify_copy(srv, data, *args):
    path = os.path.join(srv.tmp, "verify-copy.log")
    with open(path, "wb") as f:
        f.write(data)
    return run(srv, "log", "verify", *args, path)


def test_log_verify(srv):
    srv.credit("seoul-01", 1000)
    _, gs = srv.session("pc-ctl-verify")
    srv.end(gs)
    wait_until(lambda: [e["type"] for e in mine(srv, gs)][-1:] == ["END"], 3)
    time.sleep(0.5)
    path = os.path.join(srv.tmp, "billing.log")
    with open(path, "rb") as f:
        data = f.read()
    hdr = header_len(path)
    n = (len(data) - hdr) // REC
    check(n >= 6, n)
    at = lambda i: hdr + i * REC        # noqa: E731 (offset of seq i + 1)
    evs = events(srv)
    sessions = {e["session"] for e in evs if e["type"] != "CREDIT"}
    ended = {e["session"] for e in evs if e["type"] == "END"}
    head = "%d:%s" % (n, data[-REC + 120:-REC + 152].hex())
    p = run(srv, "log", "verify")
    eq(p.returncode, 0, p.stdout + p.stderr)
    eq(p.stdout, "ok_up_to=%d events=%d sessions=%d open=%d head=%s\n"
       % (n, n, len(sessions), len(sessions - ended), head))
    j = jone(srv, "log", "verify")
    eq((j["ok"], j["ok_up_to"], j["events"], j["wallet_mismatches"],
        j["head_seq"], j["head_link"]), (True, n, n, 0, n, head[len(str(n)) + 1:]))
    eq(evs[-1]["link"], j["head_link"])
    copy = os.path.join(srv.tmp, "verify-copy.log")
    bad = "bad record at offset %d of " + copy + ": "
    # A flipped byte in the middle: that record's offset, not a torn tail.
    k = n // 2
    flipped = bytearray(data)
    flipped[at(k) + 50] ^= 0x40
    p = verify_copy(srv, bytes(flipped))
    eq(p.returncode, 1, p.stdout)
    check(p.stdout.startswith(bad % at(k) + "a record whose check fails"),
          p.stdout)
    check("damage inside the log" in p.stdout, p.stdout)
    # A cut tail: the last record's offset, a torn tail.
    p = verify_copy(srv, data[:-50])
    eq(p.returncode, 1, p.stdout)
    check(p.stdout.startswith(bad % at(n - 1) + "a short record"), p.stdout)
    check("torn tail" in p.stdout, p.stdout)
    # A run of zeros at the tail, as a power loss can leave.
    p = verify_copy(srv, data + bytes(REC))
    eq(p.returncode, 1, p.stdout)
    check(p.stdout.startswith(bad % len(data) + "zero bytes"), p.stdout)
    # A record taken out of the middle: seq no longer runs on.
    p = verify_copy(srv, data[:at(k)] + data[at(k + 1):])
    eq(p.returncode, 1, p.stdout)
    check(p.stdout.startswith(bad % at(k) + "a valid record with seq %d where "
                              "seq %d belongs" % (k + 2, k + 1)), p.stdout)
    # A record edited and its own check recomputed: the first broken link.
    idx = {e["seq"]: i for i, e in enumerate(evs)}
    credit = next(e for e in evs if e["type"] == "CREDIT")
    off = at(idx[credit["seq"]])
    rec = bytearray(data[off:off + REC])
    struct.pack_into("<q", rec, 40, credit["balance"] + 1)
    edited = data[:off] + check8(bytes(rec)) + data[off + REC:]
    p = verify_copy(srv, edited)
    eq(p.returncode, 1, p.stdout)
    check(p.stdout.startswith(bad % off + "the link of seq %d does not extend "
                              "the chain" % credit["seq"]), p.stdout)
    # ... and with the whole chain after it recomputed: the ledger's rules.
    p = verify_copy(srv, rechain(edited, hdr, off))
    eq(p.returncode, 1, p.stdout)
    check("balance %d, but replaying" % (credit["balance"] + 1) in p.stdout,
          p.stdout)
    # A rewrite the rules cannot see (a time moved, the chain recomputed)
    # still changes the head: checked against the noted one, it fails.
    end = next(e for e in evs if e["session"] == gs and e["type"] == "END")
    off = at(idx[end["seq"]])
    rec = bytearray(data[off:off + REC])
    struct.pack_into("<Q", rec, 16, end["ts"] - 3600000)
    forged = rechain(data[:off] + bytes(rec) + data[off + REC:], hdr, off)
    eq(verify_copy(srv, forged).returncode, 0)
    eq(verify_copy(srv, data, "--head", head).returncode, 0)
    p = verify_copy(srv, forged, "--head", head)
    eq(p.returncode, 1, p.stdout)
    check("the log was rewritten at or before seq %d" % n in p.stdout, p.stdout)
    eq(verify_copy(srv, data, "--head", "%d:%s" % (n - 1, "0" * 64)).returncode, 1)
    eq(verify_copy(srv, data, "--head", "nonsense").returncode, 2)
    # Well-formed, chained records that break the ledger's rules.
    last_seq = n
    charge = next(e for e in evs if e["session"] == gs and e["type"] == "CHARGE")
    rec = bytearray(data[at(idx[charge["seq"]]):][:REC])
    struct.pack_into("<Q", rec, 8, last_seq + 1)
    p = verify_copy(srv, data + relink(data[-REC + 120:-REC + 152], bytes(rec)))
    eq(p.returncode, 1, p.stdout)
    check(p.stdout.startswith(bad % len(data) + "seq %d CHARGE %s: CHARGE "
                              "after its END" % (last_seq + 1, gs)), p.stdout)
    rec = bytearray(data[off:off + REC])
    struct.pack_into("<q", rec, 32, end["amount"] + 10)
    p = verify_copy(srv, rechain(data[:off] + bytes(rec) + data[off + REC:],
                                 hdr, off))
    eq(p.returncode, 1, p.stdout)
    check("END amount %d, charges sum to %d" % (end["amount"] + 10, end["amount"])
          in p.stdout, p.stdout)
    j = json.loads(run(srv, "-j", "log", "verify", copy).stdout)
    eq((j["ok"], j["offset"], j["file"]), (False, off, copy))


def test_store_absent_and_other_version(srv):
    tmp = tempfile.mkdtemp(prefix="pwtest.ctl.")
    try:
        conf = os.path.join(tmp, "playwaved.conf")
        with open(conf, "w") as f:
            f.write(pwtest.config_text(pwtest.free_port(), tmp))
        for args in (["sessions"], ["show", "gs_" + "0" * 8 + "-0000-4000-8000-" +
                     "0" * 12], ["wallet", "show", "x"], ["end", "gs_" + "0" * 8 +
                     "-0000-4000-8000-" + "0" * 12], ["ott", "issue", "fantasyquest"]):
            p = subprocess.run([CTL, "-f", conf] + args, capture_output=True, text=True,
                               timeout=30)
            eq(p.returncode, 1, args)
            eq(p.stderr, "playwavectl: store %s/store: No such file or directory "
               "(is playwaved running with this configuration?)\n(configuration "
               "%s (-f))\n" % (tmp, conf), args)
            eq(p.stdout, "")
        # status says "not running" (LSB 3), on stdout: no store, no daemon.
        p = subprocess.run([CTL, "-f", conf, "status"], capture_output=True,
                           text=True, timeout=30)
        eq(p.returncode, 3)
        eq(p.stdout, "playwaved is not running: no store %s/store (configuration "
           "%s (-f))\n" % (tmp, conf))
        check(not os.path.exists(os.path.join(tmp, "store")), "store created")
        # No -f: the embedded configuration's relative paths.
        p = subprocess.run([CTL, "sessions"], capture_output=True, text=True,
                           cwd=tmp, timeout=30,
                           env=dict(os.environ, PLAYWAVED_CONF=""))
        eq(p.returncode, 1)
        check(p.stderr.startswith("playwavectl: store playwave-state/store: No "
              "such file or directory (is playwaved running with this "
              "configuration?)\n(the built-in development configuration (no "
              "-f, no $PLAYWAVED_CONF, no "), p.stderr)
        # A store of another format version is refused with the reason.
        other = os.path.join(tmp, "store")
        shutil.copy(os.path.join(srv.tmp, "store"), other)
        with open(other, "r+b") as f:
            f.seek(8)
            f.write(struct.pack("=I", 99))
        p = subprocess.run([CTL, "-s", other, "status"], capture_output=True,
                           text=True, timeout=30)
        eq(p.returncode, 4, "status of an unreadable store is unknown")
        eq(p.stderr, "playwavectl: store %s: store format version 99, this build "
           "reads version 4\n(store given with -s)\n" % other)
        p = subprocess.run([CTL, "-s", "/nonexistent/store", "sessions"],
                           capture_output=True, text=True, timeout=30)
        eq(p.returncode, 1)
        check("No such file or directory (is playwaved" in p.stderr, p.stderr)
        p = subprocess.run([CTL, "-f", os.path.join(tmp, "nope.conf"), "status"],
                           capture_output=True, text=True, timeout=30)
        eq(p.returncode, 4)
        check("nope.conf" in p.stderr, p.stderr)
    finally:
        shutil.rmtree(tmp)


def test_usage_errors(srv):
    for args in ([], ["frobnicate"], ["status", "extra"], ["-x", "status"],
                 ["wallet"], ["log"], ["log", "rotate"], ["show"],
                 ["-s", "x", "-f", "y", "status"]):
        p = run(srv, *args, conf=False)
        eq(p.returncode, 2, (args, p.stderr))
        check("usage: playwavectl" in p.stderr, p.stderr)


def test_storefile_mode(srv):
    """-s: no configuration, so games and cafes show as their id hashes."""
    srv.credit("seoul-01", 100)
    _, gs = srv.session("pc-ctl-s")
    p = run(None, "-s", os.path.join(srv.tmp, "store"), "-j", "show", gs, conf=False)
    eq(p.returncode, 0, p.stderr)
    g = json.loads(p.stdout)
    check(re.fullmatch(r"#[0-9a-f]{8}", g["game"]) and re.fullmatch(r"#[0-9a-f]{8}",
                                                                     g["cafe"]), g)
    eq(g["user"], "123456789")
    p = run(None, "-s", os.path.join(srv.tmp, "store"), "status", conf=False)
    eq(p.returncode, 0, p.stderr)
    check("master" in p.stdout, p.stdout)
    eq(run(None, "-s", os.path.join(srv.tmp, "store"), "ott", "issue", "fantasyquest",
           conf=False).returncode, 2)
    srv.end(gs)
