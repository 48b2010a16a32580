"""Idempotent verify (HTTP API, verify): a game server whose verify reply
was lost sends the same request again with the same X-Request-ID and
gets the same answer; nothing is billed or logged twice.  What the
consuming verify answered lives in the consumed OTT itself."""

import threading
import uuid

import pwtest
from pwtest import check, eq, wait_until

SERVER = dict(billing_unit=60)


def verify(srv, ott, uid="123456789", rid=None, key=pwtest.API_KEY):
    h = {"X-Request-ID": rid} if rid is not None else {}
    return srv.game("POST", "verify", {"ott": ott, "provider_user_id": uid},
                    key=key, headers=h)


def fresh_ott(srv, pc):
    ls = srv.launcher_session(pc)["launcher_session_id"]
    return srv.ott(ls)


def test_lost_reply_retried(srv):
    srv.credit("seoul-01", 100000)
    ott = fresh_ott(srv, "pc-retry")
    rid = "verify-" + uuid.uuid4().hex
    st, h, d = verify(srv, ott, rid=rid)
    eq(st, 200, d)
    first = d["data"]
    check(first["is_valid"] and first["is_pc_cafe"], first)
    eq(first["session_timeout"], 240)
    eq(h["x-request-id"], rid)
    for _ in range(3):
        st, _, d = verify(srv, ott, rid=rid)
        eq((st, d["data"]), (200, first))
    # The session ends; the lost reply's retry still gets its answer.
    eq(srv.end(first["game_session_id"])[0], 200)
    st, _, d = verify(srv, ott, rid=rid)
    eq((st, d["data"]), (200, first))
    # The same id with another user: a conflict; no id, another id, or
    # another game's key: what the order of checks says.
    st, _, d = verify(srv, ott, uid="999", rid=rid)
    eq((st, d["error"]["code"]), (409, "REQUEST_ID_REUSED"))
    for other in (None, "verify-other-" + uuid.uuid4().hex):
        st, _, d = verify(srv, ott, rid=other)
        eq(d["data"], {"is_valid": False, "reason": "OTT_ALREADY_USED"})
    st, _, d = verify(srv, ott, rid=rid, key=pwtest.OTHER_KEY)
    eq(d["data"], {"is_valid": False, "reason": "GAME_MISMATCH"})
    events = srv.log_settled()
    starts = [e for e in events if e["type"] == "START"]
    charges = [e for e in events if e["type"] == "CHARGE"]
    eq(len(starts), 1, events)
    eq(len(charges), 1, events)


def test_concurrent_verifies_one_winner(srv):
    """50 verifies of one OTT at once, half with one request id and half
    each with its own: every request carrying the winner's id answers the
    same valid session, every other OTT_ALREADY_USED, and the log has one
    START and one CHARGE."""
    srv.credit("seoul-01", 100000)
    before = len(srv.log_settled())
    ott = fresh_ott(srv, "pc-race")
    shared = "race-" + uuid.uuid4().hex
    rids = [shared] * 25 + ["race-own-%d-%s" % (i, uuid.uuid4().hex)
                            for i in range(25)]
    out = [None] * len(rids)
    go = threading.Event()

    def one(i):
        go.wait(5)
        out[i] = verify(srv, ott, rid=rids[i])
    ts = [threading.Thread(target=one, args=(i,)) for i in range(len(rids))]
    for t in ts:
        t.start()
    go.set()
    for t in ts:
        t.join(30)
    valid = [(rids[i], d["data"]["game_session_id"])
             for i, (st, _, d) in enumerate(out)
             if st == 200 and d["data"].get("is_valid")]
    used = [i for i, (st, _, d) in enumerate(out) if st == 200 and
            d["data"].get("reason") == "OTT_ALREADY_USED"]
    check(valid, out)
    winner = valid[0][0]
    eq(len(set(g for _, g in valid)), 1, valid)
    eq(set(r for r, _ in valid), {winner}, valid)
    eq(len(valid), rids.count(winner), (len(valid), winner))
    eq(len(valid) + len(used), len(rids), out)
    events = srv.log_settled()[before:]
    eq([e["type"] for e in events if e["type"] in ("START", "CHARGE")],
       ["START", "CHARGE"], events)
