"""The shipper (tools/ship) against a throwaway PostgreSQL: it stores each
record and its link, loads a log across segments (and across the bridge
from a log of format 1) twice with each event once, and refuses a record
whose link does not extend what it holds, or a (shard, seq) it holds
with another record.  Skipped where PostgreSQL is not installed."""

import hashlib
import json
import os
import struct
import subprocess
import sys

import pwtest
from pwtest import Server, check, eq, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "cluster"))
from test_cluster import Postgres, pg_bin  # noqa: E402

SHIP = os.path.join(pwtest.ROOT, "tools", "ship")


def load(pg, shard, lines):
    return subprocess.run(["python3", os.path.join(SHIP, "pgload.py"),
                           str(shard)] + pg.args(), input=lines,
                          capture_output=True, text=True, timeout=120)


def relinked(ev, prev_link, **fields):
    """ev's record edited, its link and own check made right: what a
    forger who rewrites the chain from there would ship."""
    r = bytearray.fromhex(ev["record"])
    if "amount" in fields:
        struct.pack_into("<q", r, 32, fields["amount"])
    if "seq" in fields:
        struct.pack_into("<Q", r, 8, fields["seq"])
    r[120:152] = hashlib.sha256(prev_link + bytes(r[:120])).digest()
    r[152:160] = hashlib.sha256(bytes(r[:152])).digest()[:8]
    out = dict(ev, record=r.hex(), link=r[120:152].hex())
    out.update({k: v for k, v in fields.items() if k in ("amount", "seq")})
    return json.dumps(out) + "\n"


def format1_log(path, n):
    """n credits of 7 in a log of format 1, as an old release wrote it."""
    with open(path, "wb") as f:
        for i in range(1, n + 1):
            r = bytearray(128)
            r[0:4] = b"PWB1"
            struct.pack_into("<IQQ", r, 4, 128, i, 1700000000000 + i)
            r[24] = 4                       # CREDIT
            struct.pack_into("<qq", r, 32, 7, 7 * i)
            r[48:64] = bytes([i]) * 16
            r[88:96] = b"old-cafe"
            r[120:128] = hashlib.sha256(bytes(r[:120])).digest()[:8]
            f.write(r)


def test_ship_chain():
    if pg_bin("initdb") is None or pg_bin("postgres") is None:
        print("  (skipped: PostgreSQL is not installed)")
        return
    srv = Server(billing_unit=1, price=1, extra="billing-segment-size 64K")
    format1_log(os.path.join(srv.tmp, "billing.log"), 5)
    srv.start()
    pg = Postgres(srv.tmp)
    try:
        with open(os.path.join(SHIP, "billing.sql")) as f:
            p = pg.psql(f.read())
        eq(p.returncode, 0, p.stderr)
        srv.credit("seoul-01", 10**6)
        srv.ctl("wallet", "credit", "seoul-01", "3", "--memo", "top-up #2")
        ls = srv.launcher_session("pc-ship")["launcher_session_id"]
        while len([f for f in os.listdir(srv.tmp)
                   if f.startswith("billing.log.0")]) < 3:
            gs = srv.verify(srv.ott(ls))["game_session_id"]
            srv.end(gs)
        lines = srv.ctl("-j", "log", "cat").stdout
        evs = [json.loads(x) for x in lines.splitlines()]
        eq(evs[0]["seq"], 1)
        eq([e["seq"] for e in evs], list(range(1, len(evs) + 1)))
        # All of it, twice: each event once, its link kept.
        for _ in range(2):
            p = load(pg, 3, lines)
            eq(p.returncode, 0, p.stderr)
        p = pg.psql("SELECT count(*), count(link), max(seq) FROM billing_event "
                    "WHERE shard = 3")
        eq(p.stdout.strip(), "%d|%d|%d" % (len(evs), len(evs) - 5, len(evs)))
        p = pg.psql("SELECT memo FROM billing_event WHERE shard = 3 AND "
                    "memo IS NOT NULL")
        eq(p.stdout.strip(), "top-up #2")
        last = evs[-1]
        # The next seq, forged on top of the chain held: refused.
        forged = relinked(last, bytes(32), seq=last["seq"] + 1)
        p = load(pg, 3, forged)
        check(p.returncode != 0 and "does not extend the chain" in p.stderr,
              p.stderr)
        # A seq held already, shipped again with another record (the log
        # rewritten after it was shipped): refused.
        prev = bytes.fromhex(evs[-2]["link"])
        p = load(pg, 3, relinked(last, prev, amount=last.get("amount", 0) + 1))
        check(p.returncode != 0 and "loaded already with another record" in
              p.stderr, p.stderr)
        # The live log, shipped as it grows: tail -f --from the last seq
        # held, the next event taken.
        srv.credit("seoul-01", 4)
        more = srv.ctl("-j", "log", "tail", "--from", str(last["seq"])).stdout
        tip = json.loads(more.splitlines()[-1])["seq"]
        check(tip > last["seq"], more)
        p = load(pg, 3, more)
        eq(p.returncode, 0, p.stderr)
        p = pg.psql("SELECT count(*), max(seq) FROM billing_event WHERE "
                    "shard = 3")
        eq(p.stdout.strip(), "%d|%d" % (tip, tip))
    finally:
        pg.stop()
        eq(srv.stop(), 0)
