"""Trust at the edge (playwaved(8), HTTP API): each attack on the launcher API and
on authenticate, tried the way an attacker on the path would, and refused.

The server trusts 127.0.0.1 as a proxy, so X-Forwarded-For decides where a
request comes from: 203.0.113.0/24 is seoul-01, anything else is outside
every cafe."""

import hashlib
import hmac
import http.client
import json
import os
import re
import signal
import subprocess
import time
import uuid

import pwtest
from pwtest import check, eq, wait_until

CAFE_IP = "203.0.113.9"
HOME_IP = "198.51.100.7"
SERVER = dict(cafe_net="203.0.113.0/24", extra="trusted-proxy 127.0.0.1/32")


def from_ip(ip):
    return {"X-Forwarded-For": ip}


def start(srv, pc, ip=CAFE_IP):
    st, _, d = srv.launcher("session", {"pc_id": pc, "internal_ip": "10.0.0.7"},
                            headers=from_ip(ip))
    eq(st, 200, d)
    return d["data"]


def ott(srv, ls, ip=CAFE_IP):
    return srv.launcher("ott", {"launcher_session_id": ls,
                                "game_id": "fantasyquest"}, headers=from_ip(ip))


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
    forged one: the right-most address, the proxy's, is the one that counts."""
    target = "/v1/launcher/session"
    body = {"pc_id": "pc-xff-forged", "internal_ip": "10.0.0.7"}
    data, h = pwtest.launcher_signed("POST", target, body)
    lines = list(h.items()) + [("X-Forwarded-For", CAFE_IP),
                               ("X-Forwarded-For", HOME_IP)]
    st, d = raw(srv, "POST", target, data, lines)
    eq(st, 200, d)
    eq(d["data"]["is_pc_cafe"], False, "a forged first line claimed the cafe")
    # And the other way round: a client line, then the proxy's cafe address.
    data, h = pwtest.launcher_signed("POST", target, body)
    lines = list(h.items()) + [("X-Forwarded-For", HOME_IP),
                               ("X-Forwarded-For", CAFE_IP)]
    st, d = raw(srv, "POST", target, data, lines)
    eq(st, 200, d)
    eq(d["data"]["pc_cafe_id"], "seoul-01")


# --- signature v2 and the replay cache --------------------------------------

def test_captured_request_replayed(srv):
    ls = start(srv, "pc-replay")["launcher_session_id"]
    target = "/v1/launcher/ott"
    body = {"launcher_session_id": ls, "game_id": "fantasyquest"}
    data, h = pwtest.launcher_signed("POST", target, body)
    h.update(from_ip(CAFE_IP))
    st, _, d = srv.request("POST", target, data, h)
    eq(st, 200, d)
    for _ in range(5):
        st, _, d = srv.request("POST", target, data, h)
        eq(st, 401, d)
        eq(d["error"]["code"], "REPLAYED_REQUEST")
    # The same body and signature are no heartbeat either.
    st, _, d = srv.request("PATCH", "/v1/launcher/session/heartbeat", data, h)
    eq(st, 401, d)
    eq(d["error"]["code"], "INVALID_SIGNATURE")


def test_signature_covers_method_path_nonce(srv):
    ls = start(srv, "pc-v2")["launcher_session_id"]
    body = {"launcher_session_id": ls}
    target = "/v1/launcher/session/heartbeat"
    # Signed for POST, sent as PATCH; signed for another path.
    for method, path in (("POST", target), ("PATCH", "/v1/launcher/ott")):
        data, h = pwtest.launcher_signed(method, path, body)
        h.update(from_ip(CAFE_IP))
        st, _, d = srv.request("PATCH", target, data, h)
        eq((st, d["error"]["code"]), (401, "INVALID_SIGNATURE"))
    # Another nonce under the same signature; a malformed nonce.
    data, h = pwtest.launcher_signed("PATCH", target, body)
    h.update(from_ip(CAFE_IP))
    h["X-Nonce"] = pwtest.new_nonce()
    st, _, d = srv.request("PATCH", target, data, h)
    eq((st, d["error"]["code"]), (401, "INVALID_SIGNATURE"))
    for bad in ("short", "x" * 65, "has space in it!!", ""):
        st, _, d = srv.launcher("session/heartbeat", body, method="PATCH",
                                nonce=bad, headers=from_ip(CAFE_IP))
        eq((st, d["error"]["code"]), (401, "INVALID_SIGNATURE"), bad)
    data, h = pwtest.launcher_signed("PATCH", target, body)
    del h["X-Nonce"]
    st, _, d = srv.request("PATCH", target, data, h)
    eq((st, d["error"]["code"]), (401, "INVALID_SIGNATURE"))
    st, _, d = srv.launcher("session/heartbeat", body, method="PATCH",
                            headers=from_ip(CAFE_IP))
    eq(st, 200, d)


def test_replay_cache_across_workers_and_a_kill(srv):
    """The cache is in the store: another worker, or a worker started after
    a SIGKILL, still knows the nonce."""
    ls = start(srv, "pc-kill")["launcher_session_id"]
    target = "/v1/launcher/session/heartbeat"
    data, h = pwtest.launcher_signed("PATCH", target,
                                     {"launcher_session_id": ls})
    h.update(from_ip(CAFE_IP))
    eq(srv.request("PATCH", target, data, h)[0], 200)
    for _ in range(6):      # new connections: spread over the workers
        st, _, d = srv.request("PATCH", target, data, h)
        eq((st, d["error"]["code"]), (401, "REPLAYED_REQUEST"))
    victims = [p for p, t in srv.children() if t.startswith("playwaved: worker")]
    check(victims, srv.titles())
    for p in victims:
        os.kill(p, signal.SIGKILL)
    wait_until(lambda: len([p for p, t in srv.children()
                            if t.startswith("playwaved: worker")
                            and p not in victims]) == len(victims), 10,
               what="workers to be restarted")
    wait_until(srv.healthy, 10, what="a restarted worker to answer")
    st, _, d = srv.request("PATCH", target, data, h)
    eq((st, d["error"]["code"]), (401, "REPLAYED_REQUEST"))


def test_flood_never_fills_the_store():
    """One launcher session's flood of signed OTT requests, fresh or
    replayed, on one connection, against a small store: every answer is a
    200, 429 or 401, never 503, and the game API keeps working."""
    srv = pwtest.Server(store_slots=1024, cafe_net="127.0.0.0/8").start()
    try:
        srv.credit("seoul-01", 100000)
        ls, gs = srv.session("pc-flood")
        c = srv.connect()
        body = {"launcher_session_id": ls, "game_id": "fantasyquest"}
        seen = {}
        for _ in range(1500):
            st, _, d = srv.launcher("ott", body, conn=c)
            seen[st] = seen.get(st, 0) + 1
            check(st in (200, 429), (st, d))
        eq(seen.get(200), 4, seen)  # ott-per-launcher
        target = "/v1/launcher/ott"
        data, h = pwtest.launcher_signed("POST", target, body)
        srv.request("POST", target, data, h, conn=c)
        for _ in range(1000):
            st, _, d = srv.request("POST", target, data, h, conn=c)
            check(st == 401 or st == 429, (st, d))
        c.close()
        # Every other endpoint still has room.
        eq(srv.heartbeat(gs)[0], 200)
        st, _, d = srv.game("POST", "verify",
                            {"ott": "playwave_" + str(uuid.uuid4()),
                             "provider_user_id": "1"})
        eq(st, 200, d)
        st, _, d = authenticate(srv, jwt(), "flood-" + uuid.uuid4().hex)
        eq(st, 200, d)
    finally:
        srv.stop()


# --- cafe binding and PCs per cafe -------------------------------------------

def test_session_taken_out_of_the_cafe(srv):
    ls = start(srv, "pc-bind")["launcher_session_id"]
    st, _, d = ott(srv, ls, HOME_IP)
    eq((st, d["error"]["code"]), (403, "CAFE_MISMATCH"))
    st, _, d = srv.launcher("session/heartbeat", {"launcher_session_id": ls},
                            method="PATCH", headers=from_ip(HOME_IP))
    eq((st, d["error"]["code"]), (403, "CAFE_MISMATCH"))
    # Nothing changed: the cafe's launcher still has all its OTTs.
    for _ in range(4):
        eq(ott(srv, ls)[0], 200)
    # A non-cafe session is bound to being outside every cafe.
    home = start(srv, "pc-bind-home", HOME_IP)["launcher_session_id"]
    st, _, d = ott(srv, home, CAFE_IP)
    eq((st, d["error"]["code"]), (403, "CAFE_MISMATCH"))
    eq(ott(srv, home, "192.0.2.44")[0], 200)


def test_pc_id_is_per_cafe(srv):
    srv.credit("seoul-01", 100000)
    cafe_ls = start(srv, "PC-12")["launcher_session_id"]
    st, _, d = ott(srv, cafe_ls)
    eq(st, 200, d)
    gs = srv.verify(d["data"]["ott"])["game_session_id"]
    home_ls = start(srv, "PC-12", HOME_IP)["launcher_session_id"]
    st, _, d = ott(srv, home_ls, HOME_IP)
    eq(st, 200, d)
    v = srv.verify(d["data"]["ott"], uid="5")
    eq(v["is_pc_cafe"], False)
    st, _, d = srv.heartbeat(gs)
    eq((st, d["data"]["result"]), (200, "OK"))
    st, _, d = srv.launcher("session/heartbeat",
                            {"launcher_session_id": cafe_ls}, method="PATCH",
                            headers=from_ip(CAFE_IP))
    eq(st, 200, d)


def test_ott_per_launcher(srv):
    ls = start(srv, "pc-quota")["launcher_session_id"]
    otts = []
    for _ in range(4):
        st, _, d = ott(srv, ls)
        eq(st, 200, d)
        otts.append(d["data"]["ott"])
    st, _, d = ott(srv, ls)
    eq((st, d["error"]["code"]), (429, "TOO_MANY_OTTS"))
    # A consumed OTT gives its unit back.
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
    # The id a refused far-future token used stays free for a real login
    # and then binds its body: another body under it is a conflict.
    rid = "life-wrap-" + uuid.uuid4().hex
    st, _, d = authenticate(srv, jwt(exp=9999999999), rid)
    eq(st, 401)
    eq(authenticate(srv, jwt(), rid)[0], 200)
    st, _, d = authenticate(srv, jwt(), rid)
    eq((st, d["error"]["code"]), (409, "REQUEST_ID_REUSED"))


# --- rate limits -------------------------------------------------------------

def test_rate_limits_launcher_and_authenticate():
    srv = pwtest.Server(rate_limit=5, cafe_net="127.0.0.0/8").start()
    try:
        ls = srv.launcher_session("pc-rate")["launcher_session_id"]
        body = {"launcher_session_id": ls}
        codes = [srv.launcher("session/heartbeat", body, method="PATCH")
                 for _ in range(30)]
        limited = [c for c in codes if c[0] == 429]
        check(limited, [c[0] for c in codes])
        eq(limited[0][2]["error"]["code"], "RATE_LIMITED")
        check(int(limited[0][1]["retry-after"]) >= 1)
        st = [authenticate(srv, jwt(), "r-" + uuid.uuid4().hex)[0]
              for _ in range(30)]
        check(429 in st, st)
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


def test_config_games_list_checked():
    def many(t):
        games = "".join('game g%02d {\n name "%s"\n api-key k%02d\n'
                        ' hmac-secret h\n}\n' % (i, "N" * 120, i)
                        for i in range(30))
        return t + games
    p = check_config(many)
    eq(p.returncode, 1, p.stderr)
    check("games list" in p.stderr, p.stderr)


# --- the manual's worked example --------------------------------------------

def manual_pipeline():
    """The signing example of playwaved(8), as mandoc renders it."""
    out = subprocess.run(["mandoc", "-Tascii",
                          os.path.join(pwtest.ROOT, "man", "playwaved.8")],
                         capture_output=True, text=True, timeout=30,
                         check=True).stdout
    out = re.sub(".\b", "", out)
    lines = out.splitlines()
    first = [i for i, l in enumerate(lines)
             if l.strip() == "secret=dev-launcher-secret"]
    eq(len(first), 1, "the example's first line")
    block = []
    for line in lines[first[0]:]:
        if not line.strip():
            break
        block.append(line.strip())
    check(block[-1].startswith("-H \"X-Nonce"), block)
    return "\n".join(block) + "\n"


def test_manual_signing_pipeline(srv):
    """The shell pipeline the manual documents signs a request the server
    accepts: run as printed, only the secret and address changed."""
    script = manual_pipeline()
    check("url=http://127.0.0.1:8080\n" in script, script)
    script = script.replace("secret=dev-launcher-secret",
                            "secret=" + pwtest.LAUNCHER_SECRET)
    script = script.replace("url=http://127.0.0.1:8080",
                            "url=http://127.0.0.1:%d" % srv.port)
    p = subprocess.run(["sh", "-c", script], capture_output=True, text=True,
                       timeout=30)
    eq(p.returncode, 0, p.stderr)
    d = json.loads(p.stdout)
    eq(d["success"], True, d)
    check(d["data"]["launcher_session_id"].startswith("ls_"), d)
