"""Trust at the edge, contract v3 (playwaved(8), "Launcher signatures"):
each attack on the launcher API and on authenticate, tried the way an
attacker holding the public launcher binary (and so the home key) would,
and refused.

The server trusts 127.0.0.1 as a proxy, so X-Forwarded-For decides where a
request comes from: 203.0.113.0/24 is seoul-01 (key k-test), 198.18.0.0/24
busan-02 (key k-busan), 192.0.2.0/25 daegu-03 (no key yet: the home key
works there, as during a rollout), anything else is outside every cafe."""

import hashlib
import hmac
import json
import os
import re
import signal
import subprocess
import threading
import time
import uuid

import pwtest
from pwtest import check, eq, wait_until

CAFE_IP = "203.0.113.9"
BUSAN_IP = "198.18.0.20"
DAEGU_IP = "192.0.2.30"
HOME_IP = "198.51.100.7"
BUSAN_KEY_ID = "k-busan"
BUSAN_KEY = "test-busan-launcher-key"
CAFES = ('cafe busan-02 {\n network 198.18.0.0/24\n'
         ' launcher-key %s "%s"\n}\n'
         'cafe daegu-03 {\n network 192.0.2.0/25\n}\n' % (BUSAN_KEY_ID,
                                                          BUSAN_KEY))
PROXY = "trusted-proxy 127.0.0.1/32\n"
# Three cafes and the home starts within a quarter of the 16384 slots.
QUOTAS = dict(cafe_start_quota=100, home_start_total=150)
SERVER = dict(cafe_net="203.0.113.0/24", extra=PROXY + CAFES, **QUOTAS)
PC_BODY = {"internal_ip": "10.0.0.7"}


def from_ip(ip):
    return {"X-Forwarded-For": ip}


def start_body(pc):
    return dict(PC_BODY, pc_id=pc)


def start(srv, pc, ip=CAFE_IP, **kw):
    st, _, d = srv.launcher("session", start_body(pc), headers=from_ip(ip),
                            **kw)
    eq(st, 200, d)
    return d["data"]


def home(srv, pc, ip=HOME_IP):
    return start(srv, pc, ip, home=True)


def ott(srv, ls, ip=CAFE_IP, **kw):
    return srv.launcher("ott", {"launcher_session_id": ls,
                                "game_id": "fantasyquest"},
                        headers=from_ip(ip), **kw)


def heartbeat(srv, ls, ip=CAFE_IP, **kw):
    return srv.launcher("session/heartbeat", {"launcher_session_id": ls},
                        method="PATCH", headers=from_ip(ip), **kw)


def code(r):
    st, _, d = r
    return (st, d["error"]["code"] if st != 200 else None)


def raw(srv, method, target, data, headers, conn=None):
    """A request whose header lines are sent exactly as listed, repeated
    names included (http.client's dict interface would merge them)."""
    own = conn is None
    c = conn or srv.connect()
    c.putrequest(method, target, skip_accept_encoding=True)
    for k, v in headers:
        c.putheader(k, v)
    c.putheader("Content-Length", str(len(data)))
    c.endheaders(data)
    r = c.getresponse()
    payload = r.read()
    if own:
        c.close()
    return r.status, json.loads(payload)


# --- X-Forwarded-For: every field line is one list --------------------------

def test_xff_second_line_is_the_proxys(srv):
    """HAProxy's option forwardfor appends its own line after the client's
    forged one: the right-most address, the proxy's, is the one that counts,
    and a cafe key works only from that cafe."""
    target = "/v1/launcher/session"
    body = start_body("pc-xff-forged")
    data, h = pwtest.start_signed("POST", target, body)
    lines = list(h.items()) + [("X-Forwarded-For", CAFE_IP),
                               ("X-Forwarded-For", HOME_IP)]
    st, d = raw(srv, "POST", target, data, lines)
    eq((st, d["error"]["code"]), (403, "CAFE_MISMATCH"),
       "a forged first line claimed the cafe")
    data, h = pwtest.start_signed("POST", target, body)
    lines = list(h.items()) + [("X-Forwarded-For", HOME_IP),
                               ("X-Forwarded-For", CAFE_IP)]
    st, d = raw(srv, "POST", target, data, lines)
    eq(st, 200, d)
    eq(d["data"]["pc_cafe_id"], "seoul-01")


# --- start keys and their networks ---------------------------------------

def test_start_keys_and_networks(srv):
    """A cafe key starts sessions only from its cafe; the home key only
    outside every cafe that has a key; a keyless cafe (rollout) takes the
    home key as its own."""
    d = start(srv, "pc-k1")
    eq((d["is_pc_cafe"], d["pc_cafe_id"]), (True, "seoul-01"))
    eq(len(pwtest.session_key_bytes(d["session_key"])), 32)
    eq(len(d["session_key"]), 43)
    b = start_body("pc-k2")
    for ip in (HOME_IP, BUSAN_IP, DAEGU_IP):
        eq(code(srv.launcher("session", b, headers=from_ip(ip))),
           (403, "CAFE_MISMATCH"), ip)
    eq(code(srv.launcher("session", b, headers=from_ip(CAFE_IP),
                         secret=BUSAN_KEY, key_id=BUSAN_KEY_ID)),
       (403, "CAFE_MISMATCH"))
    d = start(srv, "pc-k3", BUSAN_IP, secret=BUSAN_KEY, key_id=BUSAN_KEY_ID)
    eq(d["pc_cafe_id"], "busan-02")
    # The home key: refused at keyed cafes, a home session outside.
    for ip in (CAFE_IP, BUSAN_IP):
        eq(code(srv.launcher("session", b, headers=from_ip(ip), home=True)),
           (403, "CAFE_MISMATCH"), ip)
    d = home(srv, "pc-k4")
    eq((d["is_pc_cafe"], d["pc_cafe_id"]), (False, None))
    d = home(srv, "pc-k5", DAEGU_IP)
    eq((d["is_pc_cafe"], d["pc_cafe_id"]), (True, "daegu-03"))
    st, _, m = srv.request("GET", "/metrics", raw=True)
    check(re.search(rb'playwaved_cafe_home_key_starts_total\{cafe="daegu-03"\}'
                    rb' [1-9]', m), m[-2000:])
    # A key of one cafe signs nothing with another's id, nor an unknown id.
    eq(code(srv.launcher("session", b, headers=from_ip(CAFE_IP),
                         secret=pwtest.CAFE_KEY, key_id=BUSAN_KEY_ID)),
       (401, "INVALID_SIGNATURE"))
    for kid in ("k-nobody", "bad id", "x" * 33, ""):
        eq(code(srv.launcher("session", b, headers=dict(from_ip(CAFE_IP),
                                                        **{"X-Key-Id": kid}))),
           (401, "INVALID_SIGNATURE"), kid)


def test_launcher_key_required():
    srv = pwtest.Server(cafe_net="203.0.113.0/24", extra=PROXY + CAFES +
                        "launcher-key-required yes\n", **QUOTAS).start()
    try:
        eq(code(srv.launcher("session", start_body("pc-r"), home=True,
                             headers=from_ip(DAEGU_IP))),
           (403, "CAFE_MISMATCH"))
        home(srv, "pc-r2")
    finally:
        srv.stop()


def test_start_refused_stores_no_nonce(srv):
    """Only a start that passed signature, nonce, network and quota keeps
    its nonce: the same signed start refused from the wrong network is
    accepted from the right one, once."""
    target = "/v1/launcher/session"
    data, h = pwtest.start_signed("POST", target, start_body("pc-once"))
    st, _, d = srv.request("POST", target, data, dict(h, **from_ip(HOME_IP)))
    eq((st, d["error"]["code"]), (403, "CAFE_MISMATCH"))
    st, _, d = srv.request("POST", target, data, dict(h, **from_ip(CAFE_IP)))
    eq(st, 200, d)
    for ip in (CAFE_IP, HOME_IP):
        st, _, d = srv.request("POST", target, data, dict(h, **from_ip(ip)))
        eq((st, d["error"]["code"]), (401, "REPLAYED_REQUEST"))


def test_start_carries_no_session_headers(srv):
    ls = start(srv, "pc-mixed")["launcher_session_id"]
    for extra in ({"X-Seq": "1"}, {"X-Launcher-Session": ls}):
        eq(code(srv.launcher("session", start_body("pc-mixed2"),
                             headers=dict(from_ip(CAFE_IP), **extra))),
           (401, "INVALID_SIGNATURE"), extra)


# --- session requests: session keys and the replay window ------------------

def test_session_requests_need_the_session_key(srv):
    """A v2-signed request (home key, timestamp, nonce) is no session
    request; neither is one signed with another session's key, or for
    another path or method."""
    ls = start(srv, "pc-v3")["launcher_session_id"]
    target = "/v1/launcher/session/heartbeat"
    body = {"launcher_session_id": ls}
    data, h = pwtest.start_signed("PATCH", target, body,
                                  secret=pwtest.LAUNCHER_SECRET, key_id=None)
    st, _, d = srv.request("PATCH", target, data, dict(h, **from_ip(CAFE_IP)))
    eq((st, d["error"]["code"]), (401, "INVALID_SIGNATURE"))
    other = start(srv, "pc-v3b")["launcher_session_id"]
    okey = srv.sessions[other][0]
    data, h = pwtest.session_signed("PATCH", target, body, ls, okey, 7)
    st, _, d = srv.request("PATCH", target, data, dict(h, **from_ip(CAFE_IP)))
    eq((st, d["error"]["code"]), (401, "INVALID_SIGNATURE"))
    key = srv.sessions[ls][0]
    for m, p in (("POST", target), ("PATCH", "/v1/launcher/ott")):
        data, h = pwtest.session_signed(m, p, body, ls, key, 8)
        st, _, d = srv.request("PATCH", target, data,
                               dict(h, **from_ip(CAFE_IP)))
        eq((st, d["error"]["code"]), (401, "INVALID_SIGNATURE"), (m, p))
    eq(heartbeat(srv, ls, seq=9)[0], 200)
    # The body speaks for the session the headers proved, no other.
    data, h = pwtest.session_signed("PATCH", target,
                                    {"launcher_session_id": other}, ls, key,
                                    10)
    st, _, d = srv.request("PATCH", target, data, dict(h, **from_ip(CAFE_IP)))
    eq((st, d["error"]["code"]), (400, "BAD_REQUEST"))


def test_session_request_order(srv):
    """Malformed headers 401; unknown session 404 before any signature
    check; then signature 401, seq 401 REPLAYED_REQUEST."""
    ls = start(srv, "pc-order")["launcher_session_id"]
    key = srv.sessions[ls][0]
    target = "/v1/launcher/session/heartbeat"
    body = {"launcher_session_id": ls}
    good = pwtest.session_signed("PATCH", target, body, ls, key, 5)[1]
    for name, bad in (("X-Seq", "0"), ("X-Seq", "01"), ("X-Seq", "+3"),
                      ("X-Seq", "4294967296"), ("X-Seq", " 3"),
                      ("X-Launcher-Session", "gs_" + str(uuid.uuid4())),
                      ("X-Launcher-Session", "ls_nope"),
                      ("X-Signature", "ab" * 31),
                      ("X-Signature", "zz" * 32)):
        h = dict(good, **from_ip(CAFE_IP))
        h[name] = bad
        st, _, d = srv.request("PATCH", target, json.dumps(body).encode(), h)
        eq((st, d["error"]["code"]), (401, "INVALID_SIGNATURE"), (name, bad))
    for name in ("X-Seq", "X-Launcher-Session", "X-Signature"):
        h = dict(good, **from_ip(CAFE_IP))
        del h[name]
        st, _, d = srv.request("PATCH", target, json.dumps(body).encode(), h)
        eq((st, d["error"]["code"]), (401, "INVALID_SIGNATURE"), name)
    nobody = "ls_" + str(uuid.uuid4())
    h = dict(good, **from_ip(CAFE_IP))
    h["X-Launcher-Session"] = nobody
    st, _, d = srv.request("PATCH", target, json.dumps(body).encode(), h)
    eq((st, d["error"]["code"]), (404, "SESSION_NOT_FOUND"))
    eq(heartbeat(srv, ls, seq=5)[0], 200)
    eq(code(heartbeat(srv, ls, seq=5)), (401, "REPLAYED_REQUEST"))


def test_replay_window(srv):
    """RFC 4303's window of 32: duplicates refused, out of order within the
    window accepted once, older refused; 401 REPLAYED_REQUEST means send
    again with a new seq."""
    ls = start(srv, "pc-window")["launcher_session_id"]
    for seq, want in ((10, 200), (10, 401), (3, 200), (3, 401), (40, 200),
                      (9, 200), (8, 401), (41, 200), (20, 200), (20, 401),
                      (100, 200), (68, 401), (69, 200), (99, 200),
                      (4294967295, 200), (4294967295, 401), (4294967294, 200)):
        st, _, d = heartbeat(srv, ls, seq=seq)
        eq(st, want, (seq, d))
        if st == 401:
            eq(d["error"]["code"], "REPLAYED_REQUEST")


def test_concurrent_seqs_each_once(srv):
    """20 requests of one session with distinct seqs sent at once, on their
    own connections (so over every worker): each is accepted exactly once,
    and each sent again is refused."""
    srv.credit("seoul-01", 100000)
    ls = start(srv, "pc-conc")["launcher_session_id"]
    key = srv.sessions[ls][0]
    target = "/v1/launcher/session/heartbeat"
    body = {"launcher_session_id": ls}
    reqs = [pwtest.session_signed("PATCH", target, body, ls, key, 1000 + i)
            for i in range(20)]
    out = [None] * 20
    go = threading.Event()

    def send(i):
        data, h = reqs[i]
        go.wait(5)
        out[i] = srv.request("PATCH", target, data,
                             dict(h, **from_ip(CAFE_IP)))[0]
    for rnd in ("first", "replay"):
        go.clear()
        ts = [threading.Thread(target=send, args=(i,)) for i in range(20)]
        for t in ts:
            t.start()
        go.set()
        for t in ts:
            t.join(30)
        eq(out, [200 if rnd == "first" else 401] * 20, rnd)


def test_window_survives_a_worker_kill(srv):
    """The window lives in the session's own record in the store: a
    worker started after a SIGKILL still knows what was accepted, and the
    start nonces likewise."""
    target = "/v1/launcher/session"
    data, h = pwtest.start_signed("POST", target, start_body("pc-kill"))
    h.update(from_ip(CAFE_IP))
    st, _, d = srv.request("POST", target, data, h)
    eq(st, 200, d)
    ls = d["data"]["launcher_session_id"]
    srv.sessions[ls] = [pwtest.session_key_bytes(d["data"]["session_key"]), 1]
    eq(heartbeat(srv, ls, seq=50)[0], 200)
    victims = [p for p, t in srv.children() if t.startswith("playwaved: worker")]
    for p in victims:
        os.kill(p, signal.SIGKILL)
    wait_until(lambda: len([p for p, t in srv.children()
                            if t.startswith("playwaved: worker")
                            and p not in victims]) == len(victims), 10,
               what="workers to be restarted")
    wait_until(srv.healthy, 10, what="a restarted worker to answer")
    eq(code(heartbeat(srv, ls, seq=50)), (401, "REPLAYED_REQUEST"))
    eq(code(srv.request("POST", target, data, h)), (401, "REPLAYED_REQUEST"))
    eq(heartbeat(srv, ls, seq=51)[0], 200)


# --- cafe binding and PCs ----------------------------------------------------

def test_session_taken_out_of_the_cafe(srv):
    ls = start(srv, "pc-bind")["launcher_session_id"]
    eq(code(ott(srv, ls, HOME_IP, seq=1)), (403, "CAFE_MISMATCH"))
    eq(code(heartbeat(srv, ls, HOME_IP, seq=2)), (403, "CAFE_MISMATCH"))
    # The seq was taken, nothing else: the cafe's launcher sends anew.
    eq(code(heartbeat(srv, ls, seq=2)), (401, "REPLAYED_REQUEST"))
    for _ in range(4):
        eq(ott(srv, ls)[0], 200)
    # A home session is bound to being outside every cafe.
    hls = home(srv, "pc-bind-home")["launcher_session_id"]
    eq(code(ott(srv, hls, CAFE_IP)), (403, "CAFE_MISMATCH"))
    eq(ott(srv, hls, "192.0.2.200")[0], 200)


def test_pc_id_is_per_cafe(srv):
    srv.credit("seoul-01", 100000)
    cafe_ls = start(srv, "PC-12")["launcher_session_id"]
    st, _, d = ott(srv, cafe_ls)
    eq(st, 200, d)
    gs = srv.verify(d["data"]["ott"])["game_session_id"]
    home_ls = home(srv, "PC-12")["launcher_session_id"]
    st, _, d = ott(srv, home_ls, HOME_IP)
    eq(st, 200, d)
    v = srv.verify(d["data"]["ott"], uid="5")
    eq(v["is_pc_cafe"], False)
    st, _, d = srv.heartbeat(gs)
    eq((st, d["data"]["result"]), (200, "OK"))
    eq(heartbeat(srv, cafe_ls)[0], 200)


def test_home_launchers_never_replace_each_other(srv):
    """A home launcher reusing another home user's pc_id ends nothing."""
    a = home(srv, "PC-1")["launcher_session_id"]
    st, _, d = ott(srv, a, HOME_IP)
    eq(st, 200, d)
    gs = srv.verify(d["data"]["ott"], uid="41")["game_session_id"]
    b = home(srv, "PC-1", "198.51.100.99")["launcher_session_id"]
    eq(heartbeat(srv, a, HOME_IP)[0], 200)
    eq(heartbeat(srv, b, "198.51.100.99")[0], 200)
    st, _, d = srv.heartbeat(gs, uid="41")
    eq((st, d["data"]["result"]), (200, "OK"))
    # At a cafe the same pc_id is the same PC: the newer start replaces.
    c1 = start(srv, "PC-77")["launcher_session_id"]
    start(srv, "PC-77")
    eq(code(heartbeat(srv, c1)), (410, "SESSION_ENDED"))


def test_ott_per_launcher(srv):
    ls = start(srv, "pc-quota")["launcher_session_id"]
    otts = []
    for _ in range(4):
        st, _, d = ott(srv, ls)
        eq(st, 200, d)
        otts.append(d["data"]["ott"])
    eq(code(ott(srv, ls)), (429, "TOO_MANY_OTTS"))
    srv.credit("seoul-01", 100000)
    check(srv.verify(otts[0])["is_valid"])
    eq(ott(srv, ls)[0], 200)
    eq(ott(srv, ls)[0], 429)


def test_expired_otts_give_their_units_back():
    srv = pwtest.Server(ott_ttl=1, cafe_net="127.0.0.0/8").start()
    try:
        ls = srv.launcher_session("pc-exp")["launcher_session_id"]
        body = {"launcher_session_id": ls, "game_id": "fantasyquest"}
        for _ in range(4):
            eq(srv.launcher("ott", body)[0], 200)
        eq(srv.launcher("ott", body)[0], 429)
        wait_until(lambda: srv.launcher("ott", body)[0] == 200, 10,
                   step=0.3, what="the reaper to expire the OTTs")
    finally:
        srv.stop()


# --- quotas that belong to someone -----------------------------------------

def metrics(srv):
    return srv.request("GET", "/metrics", raw=True)[2].decode()


def metric(text, name):
    m = re.search(r"(?m)^playwaved_%s (\d+)$" % re.escape(name), text)
    return int(m.group(1)) if m else None


def slots_used(srv):
    return dict(re.findall(r'(?m)^playwaved_store_slots_used\{type="(\w+)"\}'
                           r' (\d+)$', metrics(srv)))


def test_quotas_are_each_their_own():
    """A cafe's starts count against its own quota, home starts per /24 and
    overall; a refused start is a 429 with Retry-After that stores nothing,
    and no flood of home or other cafes' starts refuses a cafe's."""
    srv = pwtest.Server(cafe_net="203.0.113.0/24", extra=PROXY + CAFES,
                        cafe_start_quota=5, home_start_quota=3,
                        home_start_total=5).start()
    try:
        for i in range(3):
            home(srv, "h-%d" % i, "198.51.100.%d" % (i + 1))
        r = srv.launcher("session", start_body("h-x"), home=True,
                         headers=from_ip("198.51.100.200"))
        eq(code(r), (429, "RATE_LIMITED"))
        check(int(r[1]["retry-after"]) >= 1, r[1])
        home(srv, "h-4", "198.51.101.1")
        home(srv, "h-5", "198.51.102.1")
        time.sleep(1.5)     # the reaper's gauges, a pass or two later
        before = slots_used(srv)
        for i in range(10):     # home-start-total spent
            eq(code(srv.launcher("session", start_body("h-y%d" % i),
                                 home=True,
                                 headers=from_ip("198.51.%d.1" % (110 + i)))),
               (429, "RATE_LIMITED"))
        time.sleep(1.5)
        eq(slots_used(srv), before, "a refused start stored something")
        # busan-02 spends its quota; seoul-01 has all of its own.
        for i in range(5):
            start(srv, "b-%d" % i, BUSAN_IP, secret=BUSAN_KEY,
                  key_id=BUSAN_KEY_ID)
        eq(code(srv.launcher("session", start_body("b-x"), secret=BUSAN_KEY,
                             key_id=BUSAN_KEY_ID, headers=from_ip(BUSAN_IP))),
           (429, "RATE_LIMITED"))
        for i in range(5):
            start(srv, "s-%d" % i)
        eq(code(srv.launcher("session", start_body("s-x"),
                             headers=from_ip(CAFE_IP))),
           (429, "RATE_LIMITED"))
    finally:
        srv.stop()


def flood(srv, stop, counts, i):
    """One flooding source: home-key starts and session requests of
    sessions that do not exist, from its own address, as fast as it can."""
    ip = "198.51.%d.%d" % (100 + i % 4, 10 + i)
    c = srv.connect(timeout=5)
    n = 0
    while not stop.is_set():
        n += 1
        try:
            if n % 2:
                st = srv.launcher("session", start_body("f-%d-%d" % (i, n)),
                                  home=True, headers=from_ip(ip), conn=c)[0]
            else:
                fake = "ls_" + str(uuid.uuid4())
                st = srv.launcher("session/heartbeat",
                                  {"launcher_session_id": fake},
                                  method="PATCH", headers=from_ip(ip),
                                  ls=fake, seq=n, conn=c)[0]
        except OSError:
            c.close()
            c = srv.connect(timeout=5)
            continue
        counts[st] = counts.get(st, 0) + 1
    c.close()


def test_flood_cannot_take_a_cafe_offline():
    """24 home addresses flood starts and session requests for 10 s while a
    cafe session plays: every one of the cafe's launcher requests is
    answered 200, and its game session stays alive and billed."""
    srv = pwtest.Server(cafe_net="203.0.113.0/24", extra=PROXY + CAFES,
                        store_slots=16384, cafe_start_quota=100,
                        home_start_quota=20, home_start_total=250,
                        launcher_timeout=8, session_timeout=8).start()
    try:
        srv.credit("seoul-01", 1000000)
        ls = start(srv, "cafe-pc")["launcher_session_id"]
        st, _, d = ott(srv, ls)
        eq(st, 200, d)
        gs = srv.verify(d["data"]["ott"])["game_session_id"]
        # A second PC of the cafe churns OTTs and game sessions.
        ls2 = start(srv, "cafe-pc-2")["launcher_session_id"]
        stop = threading.Event()
        counts = [dict() for _ in range(24)]
        ts = [threading.Thread(target=flood, args=(srv, stop, counts[i], i))
              for i in range(24)]
        for t in ts:
            t.start()
        cafe = []
        t_end = time.time() + 10
        n = 0
        while time.time() < t_end:
            n += 1
            cafe.append(("hb", heartbeat(srv, ls)[0]))
            cafe.append(("hb2", heartbeat(srv, ls2)[0]))
            r = ott(srv, ls2)
            cafe.append(("ott", r[0]))
            if r[0] == 200:
                # Consume it: OTTs come back, and the game session plays.
                v = srv.verify(r[2]["data"]["ott"], uid="900%d" % n)
                check(v["is_valid"], v)
                cafe.append(("game-hb", srv.heartbeat(
                    v["game_session_id"], uid="900%d" % n)[0]))
            cafe.append(("start", srv.launcher(
                "session", start_body("cafe-pc-x%d" % n),
                headers=from_ip(CAFE_IP))[0]))
            cafe.append(("gs", srv.heartbeat(gs)[0]))
            time.sleep(0.2)
        stop.set()
        for t in ts:
            t.join(30)
        bad = [c for c in cafe if c[1] != 200]
        eq(bad, [], "cafe requests refused under the flood")
        check(len(cafe) >= 40, len(cafe))
        flooded = {}
        for c in counts:
            for k, v in c.items():
                flooded[k] = flooded.get(k, 0) + v
        check(sum(flooded.values()) >= 1000, flooded)
        check(flooded.get(429, 0) > 0 and flooded.get(404, 0) > 0, flooded)
        check(503 not in flooded, flooded)
        st, _, d = srv.heartbeat(gs)
        eq((st, d["data"]["result"]), (200, "OK"))
        print("     flood: %s; cafe: %d requests, all 200" % (
            sorted(flooded.items()), len(cafe)))
    finally:
        srv.stop()


def unkeyed_home(tag, value, mask):
    """Where the unkeyed placement of the old store put a record: the first
    8 bytes of SHA-256(tag NUL value), little-endian, masked."""
    md = hashlib.sha256(tag.encode() + b"\0" + value.encode()).digest()
    return int.from_bytes(md[:8], "little") & mask


def aimed_nonces(n, mask, target=7):
    """n nonces whose records the unkeyed placement would have put in one
    probe run: what an attacker with the binary could precompute."""
    out, i = [], 0
    while len(out) < n:
        nonce = "aim%029d" % i
        if unkeyed_home("nonce", nonce, mask) == target:
            out.append(nonce)
        i += 1
    return out


def test_aimed_placement():
    """Records under values a client chooses (start nonces) are placed by
    the store's keyed hash: nonces precomputed to share one probe run of
    the unkeyed placement spread like any others, so the longest probe run
    stays short and no legitimate start meets STORE_FULL."""
    slots = 4096
    srv = pwtest.Server(cafe_net="203.0.113.0/24", extra=PROXY,
                        store_slots=slots, cafe_start_quota=80,
                        home_start_quota=60, home_start_total=60).start()
    try:
        nonces = aimed_nonces(60, slots - 1)
        for i, nonce in enumerate(nonces):
            st, _, d = srv.launcher("session", start_body("aim-%d" % i),
                                    home=True, nonce=nonce,
                                    headers=from_ip("198.51.%d.9" % i))
            eq(st, 200, d)
        full = 0
        for i in range(60):
            st, _, d = srv.launcher("session", start_body("legit-%d" % i),
                                    headers=from_ip(CAFE_IP))
            full += st == 503
            eq(st, 200, d)
        eq(full, 0)
        probe = metric(metrics(srv), "store_max_probe")
        check(probe is not None and probe < 24, "max probe %s" % probe)
    finally:
        srv.stop()


# --- rate limits -------------------------------------------------------------

def test_rate_limits_are_each_their_own():
    """rate-limit counts session requests per launcher session (in its own
    record) and starts per cafe: one chatty launcher or cafe slows only
    itself."""
    srv = pwtest.Server(rate_limit=5, cafe_net="203.0.113.0/24",
                        extra=PROXY + CAFES, **QUOTAS).start()
    try:
        a = start(srv, "pc-rate-a")["launcher_session_id"]
        b = start(srv, "pc-rate-b")["launcher_session_id"]
        codes = [heartbeat(srv, a) for _ in range(30)]
        limited = [c for c in codes if c[0] == 429]
        check(limited, [c[0] for c in codes])
        eq(limited[0][2]["error"]["code"], "RATE_LIMITED")
        check(int(limited[0][1]["retry-after"]) >= 1)
        eq(heartbeat(srv, b)[0], 200)
        st = [srv.launcher("session", start_body("r-%d" % i), secret=BUSAN_KEY,
                           key_id=BUSAN_KEY_ID, headers=from_ip(BUSAN_IP))[0]
              for i in range(30)]
        check(429 in st, st)
        eq(srv.launcher("session", start_body("r-seoul"),
                        headers=from_ip(CAFE_IP))[0], 200)
        st = [authenticate(srv, jwt(), "r-" + uuid.uuid4().hex)[0]
              for _ in range(30)]
        check(429 in st, st)
    finally:
        srv.stop()


# --- authenticate ----------------------------------------------------------

def b64(data):
    import base64
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def jwt(**claims):
    now = int(time.time())
    c = dict(sub="77", game="fantasyquest", provider="gameprovider",
             brand="b", currency="usd", iat=now, exp=now + 600,
             jti=uuid.uuid4().hex)
    c.update(claims)
    signing = (b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + b"." +
               b64(json.dumps(c).encode()))
    sig = hmac.new(pwtest.LAUNCH_SECRET.encode(), signing, hashlib.sha256).digest()
    return (signing + b"." + b64(sig)).decode()


def authenticate(srv, token, rid):
    data = json.dumps({"launchToken": token, "provider": "gameprovider",
                       "game": "fantasyquest", "ip": "1.2.3.4",
                       "platform": "desktop"}).encode()
    sig = hmac.new(pwtest.HMAC_SECRET.encode(), data, hashlib.sha256).hexdigest()
    return srv.request("POST", "/v1/authenticate", data,
                       {"Content-Type": "application/json",
                        "X-Request-ID": rid, "X-HMAC-Signature": sig})


def test_one_launch_token_one_session(srv):
    token = jwt()
    tokens = set()
    for i in range(20):
        st, _, d = authenticate(srv, token, "rid-%d-%s" % (i, uuid.uuid4().hex))
        eq(st, 200, d)
        eq(d["playerId"], "77")
        tokens.add(d["playerToken"])
    eq(len(tokens), 1, tokens)
    st, _, d = authenticate(srv, jwt(), "rid-other-" + uuid.uuid4().hex)
    eq(st, 200, d)
    check(d["playerToken"] not in tokens)


def test_token_lifetime(srv):
    now = int(time.time())
    for exp in (2 ** 62, 9999999999, now + 3601):
        st, _, d = authenticate(srv, jwt(iat=now, exp=exp), "life-" + str(exp))
        eq((st, d["error"]["code"]), (401, "INVALID_TOKEN"), exp)
    st, _, d = authenticate(srv, jwt(iat=now, exp=now + 3600), "life-ok")
    eq(st, 200, d)
    rid = "life-wrap-" + uuid.uuid4().hex
    st, _, d = authenticate(srv, jwt(exp=9999999999), rid)
    eq(st, 401)
    eq(authenticate(srv, jwt(), rid)[0], 200)
    st, _, d = authenticate(srv, jwt(), rid)
    eq((st, d["error"]["code"]), (409, "REQUEST_ID_REUSED"))


# --- the access log names the client, not the proxy ------------------------

def test_access_log_names_client_and_cafe():
    srv = pwtest.Server(cafe_net="203.0.113.0/24", extra=PROXY + CAFES,
                        **QUOTAS)
    srv.write_config(extra=PROXY + CAFES + 'access-log "%s/access.log"\n'
                     % srv.tmp)
    srv.start()
    try:
        ls = start(srv, "pc-log")["launcher_session_id"]
        home(srv, "pc-log-home")
        eq(heartbeat(srv, ls)[0], 200)
        path = os.path.join(srv.tmp, "access.log")
        wait_until(lambda: os.path.getsize(path) > 0, 5, what="access log")
        lines = open(path).read().splitlines()
        starts = [l.split() for l in lines if "/v1/launcher/session " in l]
        check(any(f[1] == "127.0.0.1" and f[9] == CAFE_IP and
                  f[10] == "seoul-01" for f in starts), lines)
        check(any(f[9] == HOME_IP and f[10] == "-" for f in starts), lines)
    finally:
        srv.stop()


# --- configuration -----------------------------------------------------------

def check_config(text_edit):
    srv = pwtest.Server()
    with open(srv.conf) as f:
        text = f.read()
    with open(srv.conf, "w") as f:
        f.write(text_edit(text))
    return subprocess.run([pwtest.DAEMON, "-n", "-f", srv.conf],
                          capture_output=True, text=True, timeout=30)


def test_config_without_secrets_refused():
    for name in ("launcher-secret", "launch-secret", "hmac-secret"):
        p = check_config(lambda t: re.sub(r"(?m)^\s*%s .*$" % name, "", t,
                                          count=1))
        eq(p.returncode, 1, (name, p.stderr))
        check(name in p.stderr, p.stderr)
    p = check_config(lambda t: t)
    eq(p.returncode, 0, p.stderr)


def test_config_v3_rules_refused():
    """A one-character secret, one value in two roles, a trusted proxy as
    wide as the Internet: each refused by -n, naming file and line, never
    the value."""
    cases = (
        (lambda t: t.replace('launch-secret "%s"' % pwtest.LAUNCH_SECRET,
                             'launch-secret "x"'),
         "launch-secret is shorter than 16"),
        (lambda t: t.replace('hmac-secret "%s"' % pwtest.HMAC_SECRET,
                             'hmac-secret "%s"' % pwtest.API_KEY),
         "is the value of another secret"),
        (lambda t: t.replace('"%s"' % pwtest.CAFE_KEY,
                             '"%s"' % pwtest.LAUNCHER_SECRET),
         "launcher-key of cafe 'seoul-01' is the value of another"),
        (lambda t: t + "trusted-proxy 0.0.0.0/0\n", "wider than /8"),
        (lambda t: t + "trusted-proxy 127.0.0.1/32\n",
         "overlaps a network of cafe 'seoul-01'"),
        (lambda t: re.sub(r"(?m)^home-start-total .*$",
                          "home-start-total 8000", t),
         "start quotas too large"),
    )
    for edit, want in cases:
        p = check_config(edit)
        eq(p.returncode, 1, (want, p.stderr))
        check(want in p.stderr, (want, p.stderr))
        check(re.search(r"playwaved\.conf:\d+: ", p.stderr), p.stderr)
        for secret in (pwtest.API_KEY, pwtest.LAUNCHER_SECRET,
                       pwtest.CAFE_KEY):
            check(secret not in p.stderr, p.stderr)


def test_config_keyless_cafes_listed():
    p = check_config(lambda t: t.replace(
        'launcher-key %s "%s"' % (pwtest.CAFE_KEY_ID, pwtest.CAFE_KEY), ""))
    eq(p.returncode, 0, p.stderr)
    check("cafe 'seoul-01' has no launcher-key" in p.stderr, p.stderr)


def test_config_games_list_checked():
    def many(t):
        games = "".join('game g%02d {\n name "%s"\n api-key key-%02d-%s\n'
                        ' hmac-secret hmac-%02d-%s\n}\n' %
                        (i, "N" * 120, i, "x" * 16, i, "y" * 16)
                        for i in range(30))
        return t + games
    p = check_config(many)
    eq(p.returncode, 1, p.stderr)
    check("games list" in p.stderr, p.stderr)


# --- the manual's worked example --------------------------------------------

def manual_pipeline(first_line):
    """A signing example of playwaved(8), as mandoc renders it: the block
    of lines from first_line to the next blank line."""
    out = subprocess.run(["mandoc", "-Tascii",
                          os.path.join(pwtest.ROOT, "man", "playwaved.8")],
                         capture_output=True, text=True, timeout=30,
                         check=True).stdout
    out = re.sub(".\b", "", out)
    lines = out.splitlines()
    first = [i for i, l in enumerate(lines) if l.strip() == first_line]
    eq(len(first), 1, "the example's first line " + first_line)
    block = []
    for line in lines[first[0]:]:
        if not line.strip():
            break
        block.append(line.strip())
    return "\n".join(block) + "\n"


def test_manual_signing_pipeline():
    """The shell pipelines the manual documents start a session with a
    cafe key and send a heartbeat signed with its session key: run as
    printed, only the key and the address changed."""
    srv = pwtest.Server(cafe_net="10.98.0.0/16", cafe_key=False,
                        extra='cafe dev-cafe {\n network 127.0.0.0/8\n'
                        ' launcher-key dev "test-manual-cafe-key"\n}\n',
                        **QUOTAS)
    srv.start()
    try:
        url = "url=http://127.0.0.1:%d" % srv.port
        script = manual_pipeline("key=dev-cafe-key")
        check("url=http://127.0.0.1:8080\n" in script, script)
        script = script.replace("key=dev-cafe-key", "key=test-manual-cafe-key")
        script = script.replace("url=http://127.0.0.1:8080", url)
        p = subprocess.run(["sh", "-c", script], capture_output=True,
                           text=True, timeout=30)
        eq(p.returncode, 0, p.stderr)
        d = json.loads(p.stdout)
        eq(d["success"], True, d)
        ls = d["data"]["launcher_session_id"]
        skey = d["data"]["session_key"]
        script = manual_pipeline("ls=ls_0d3a6a1e-8f43-4c34-9d0e-2b1f9a6c7e10")
        script = re.sub(r"(?m)^ls=\S+$", "ls=" + ls, script)
        script = re.sub(r"(?m)^skey=\S+$", "skey=" + skey, script)
        script = script.replace("url=http://127.0.0.1:8080", url)
        p = subprocess.run(["sh", "-c", script], capture_output=True,
                           text=True, timeout=30)
        eq(p.returncode, 0, p.stderr)
        d = json.loads(p.stdout)
        eq(d, dict(d, success=True), d)
        eq(d["data"]["result"], "OK")
    finally:
        srv.stop()
