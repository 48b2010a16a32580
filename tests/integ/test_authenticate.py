"""POST /v1/authenticate: real-play launch
authentication -- the reply's fields, every error in the documented order,
and X-Request-ID idempotency across workers and under concurrency."""

import base64
import hashlib
import hmac
import json
import re
import threading
import time
import uuid

import pwtest
from pwtest import check, eq

OFFER = ('offer 1 99 "Sample Free Spins" awarded 10 remaining 3 cost-per-bet 5 '
         'rejectable no start 2025-05-23T11:54:37Z end 2025-05-25T13:34:37Z')

SERVER = dict(workers=4, game_extra=OFFER)

PATH = "/v1/authenticate"
PT_RE = re.compile(r"^pt_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
RID_RE = re.compile(r"^req_[0-9a-f]{24}$")


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def jwt(alg="HS256", secret=pwtest.LAUNCH_SECRET, header=None, drop=(), **claims):
    """A compact JWT; claims default to a valid fantasyquest launch."""
    now = int(time.time())
    c = dict(sub="44-12345-67890", game="fantasyquest", provider="gameprovider",
             brand="12345", currency="usd", iat=now, exp=now + 3600)
    c.update(claims)
    for k in drop:
        c.pop(k)
    h = header if header is not None else {"alg": alg, "typ": "JWT"}
    signing = b64(json.dumps(h).encode()) + b"." + b64(json.dumps(c).encode())
    if alg == "HS256":
        sig = hmac.new(secret.encode(), signing, hashlib.sha256).digest()
    elif alg == "HS512":
        sig = hmac.new(secret.encode(), signing, hashlib.sha512).digest()
    else:
        sig = b""
    return (signing + b"." + b64(sig)).decode()


def body(token=None, **kw):
    b = {"launchToken": token if token is not None else jwt(),
         "provider": "gameprovider", "game": "fantasyquest",
         "ip": "1.2.3.4", "platform": "mobile"}
    b.update(kw)
    return b


def new_rid():
    return "t-" + uuid.uuid4().hex


def auth(srv, b, rid=None, sig=None, secret=pwtest.HMAC_SECRET,
         ctype="application/json", conn=None, upper=False):
    """One authenticate: b is a dict (JSON-encoded) or raw bytes.
    rid=False sends no X-Request-ID, sig=False no signature."""
    data = b if isinstance(b, bytes) else json.dumps(b).encode()
    h = {"Content-Type": ctype}
    if rid is not False:
        h["X-Request-ID"] = rid if rid is not None else new_rid()
    if sig is None:
        sig = hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()
        if upper:
            sig = sig.upper()
    if sig is not False:
        h["X-HMAC-Signature"] = sig
    return srv.request("POST", PATH, data, h, conn)


def expect_error(resp, status, code):
    st, hdrs, d = resp
    eq(st, status, d)
    check(isinstance(d, dict), "not a JSON object: %r" % (d,))
    eq(set(d), {"error", "requestId"}, d)
    eq(set(d["error"]), {"code", "message"}, d)
    eq(d["error"]["code"], code, d)
    check(isinstance(d["error"]["message"], str) and d["error"]["message"], d)
    eq(hdrs.get("x-request-id"), d["requestId"])
    return d


def ok(resp):
    st, hdrs, d = resp
    eq(st, 200, d)
    return d


def balance_of(srv, sub, want, currency="usd"):
    """Wait until an authenticate shows the balance (credits land within
    about a second, through the reaper)."""
    def probe():
        # A launch token of its own: not the session of the test's token.
        d = ok(auth(srv, body(jwt(sub=sub, currency=currency,
                                  jti=uuid.uuid4().hex))))
        return d if d["balance"] == want else None
    return pwtest.wait_until(probe, 5, 0.1, "balance %r of %s" % (want, sub))


def test_success_fields(srv):
    srv.credit("player:44-12345-67890", 150050)
    balance_of(srv, "44-12345-67890", 1500.5)
    rid = new_rid()
    b = json.dumps(body()).encode()
    st, hdrs, d = auth(srv, b, rid=rid, upper=True)
    eq(st, 200, d)
    eq(hdrs.get("x-request-id"), rid)
    check(hdrs.get("content-type", "").startswith("application/json"))
    eq(set(d), {"playerId", "playerToken", "brand", "balance", "balanceInfo",
                "sessionInfo", "freeGameInfo"}, d)
    eq(d["playerId"], "44-12345-67890")
    check(PT_RE.match(d["playerToken"]), d["playerToken"])
    eq(d["brand"], "12345")
    check(isinstance(d["balance"], float), d["balance"])
    eq(d["balance"], 1500.5)
    eq(d["balanceInfo"], {"currency": "usd", "currencyTruncation": 1})
    eq(d["sessionInfo"], {
        "lobbyUrl": "https://operator.example/lobby",
        "depositUrl": "https://operator.example/deposit",
        "gameConfig": {"maxExposure": 100000, "minBet": 1, "maxBet": 500,
                       "defaultBet": 10}})
    eq(d["freeGameInfo"], [{
        "instanceId": 1, "offerId": 99, "offerName": "Sample Free Spins",
        "instanceInfo": {
            "canBeRejected": False, "nearestCostPerBet": 5,
            "numberOfRoundsRemaining": 3, "numberOfRoundsAwarded": 10,
            "instanceStartDateUtc": "2025-05-23T11:54:37Z",
            "instanceEndDateUtc": "2025-05-25T13:34:37Z"}}])
    # Not the PlayWave envelope.
    check("success" not in d and "data" not in d, d)
    # The balance has exactly two decimals (a replay of the same login).
    st, _, raw = srv.request("POST", PATH, b, {
        "Content-Type": "application/json", "X-Request-ID": rid,
        "X-HMAC-Signature": hmac.new(pwtest.HMAC_SECRET.encode(), b,
                                     hashlib.sha256).hexdigest()}, raw=True)
    eq(st, 200, raw)
    check(b'"balance":1500.50,' in raw, raw)
    eq(json.loads(raw), d)


def test_currency_and_missing_wallet(srv):
    d = ok(auth(srv, body(jwt(sub="vn-1", currency="vnd"))))
    eq(d["balanceInfo"], {"currency": "vnd", "currencyTruncation": 1000})
    eq(d["balance"], 0)
    eq(d["playerId"], "vn-1")
    d = ok(auth(srv, body(jwt(sub="eu-1", currency="eur"))))
    eq(d["balanceInfo"], {"currency": "eur", "currencyTruncation": 1})
    # "player:" + a 17-byte subject is over 23 bytes: no wallet, balance 0.
    long_sub = "a" * 17
    d = ok(auth(srv, body(jwt(sub=long_sub))))
    eq(d["playerId"], long_sub)
    eq(d["balance"], 0)
    # Subjects are JSON-quoted, not pasted.
    d = ok(auth(srv, body(jwt(sub='q"\\x', brand="b\nr"))))
    eq(d["playerId"], 'q"\\x')
    eq(d["brand"], "b\nr")


def test_small_balances(srv):
    srv.credit("player:cents-1", 5)
    d = balance_of(srv, "cents-1", 0.05)
    eq(d["balance"], 0.05)


def test_free_games_only_with_offers(srv):
    tok = jwt(sub="other-1", game="othergame", provider="otherprovider")
    d = ok(auth(srv, body(tok, game="othergame", provider="otherprovider"),
                secret=pwtest.OTHER_HMAC_SECRET))
    check("freeGameInfo" not in d, d)
    eq(d["playerId"], "other-1")
    check(PT_RE.match(d["playerToken"]), d)
    # othergame configures no URLs: they are left out, gameConfig stays.
    check("lobbyUrl" not in d["sessionInfo"], d)
    check("depositUrl" not in d["sessionInfo"], d)
    eq(set(d["sessionInfo"]["gameConfig"]),
       {"maxExposure", "minBet", "maxBet", "defaultBet"})


def test_request_id_required(srv):
    # Checked before anything else: even a garbage body gets this 400.
    for rid in (False, "", "a" * 65, "bad/id", "sp ace", "a,b"):
        d = expect_error(auth(srv, b"not json", rid=rid, sig=False),
                         400, "BAD_REQUEST")
        check(RID_RE.match(d["requestId"]), d)
        d = expect_error(auth(srv, body(), rid=rid), 400, "BAD_REQUEST")
        check(RID_RE.match(d["requestId"]), d)
    # The longest well-formed id and every allowed character pass.
    for rid in ("a" * 64, "Az09._:-", "x"):
        st, hdrs, d = auth(srv, body(), rid=rid)
        eq(st, 200, d)
        eq(hdrs["x-request-id"], rid)


def test_body_errors(srv):
    expect_error(auth(srv, b"not json"), 400, "BAD_REQUEST")
    expect_error(auth(srv, b'{"game":"fantasyquest",}'), 400, "BAD_REQUEST")
    expect_error(auth(srv, b"[]"), 400, "BAD_REQUEST")
    expect_error(auth(srv, b""), 400, "BAD_REQUEST")
    expect_error(auth(srv, body(), ctype="text/plain"), 400, "BAD_REQUEST")
    st, _, d = auth(srv, body(), ctype="application/json; charset=utf-8")
    eq(st, 200, d)
    b = body()
    del b["game"]
    expect_error(auth(srv, b), 400, "BAD_REQUEST")
    expect_error(auth(srv, body(game=7)), 400, "BAD_REQUEST")
    expect_error(auth(srv, body(game=None)), 400, "BAD_REQUEST")
    d = expect_error(auth(srv, body(game=7), rid="rid-kept"), 400, "BAD_REQUEST")
    eq(d["requestId"], "rid-kept")


def test_unknown_game_before_signature(srv):
    for sig in (False, "00" * 32, "nothex"):
        expect_error(auth(srv, body(game="nosuchgame"), sig=sig), 404,
                     "UNKNOWN_GAME")
    expect_error(auth(srv, body(game="x" * 300), sig=False), 404, "UNKNOWN_GAME")
    expect_error(auth(srv, body(game="")), 404, "UNKNOWN_GAME")


def test_signature(srv):
    b = json.dumps(body()).encode()
    good = hmac.new(pwtest.HMAC_SECRET.encode(), b, hashlib.sha256).hexdigest()
    expect_error(auth(srv, b, sig=False), 401, "INVALID_SIGNATURE")
    expect_error(auth(srv, b, sig=""), 401, "INVALID_SIGNATURE")
    expect_error(auth(srv, b, sig="0" * 64), 401, "INVALID_SIGNATURE")
    expect_error(auth(srv, b, sig=good[:-1]), 401, "INVALID_SIGNATURE")
    expect_error(auth(srv, b, sig=good + "0"), 401, "INVALID_SIGNATURE")
    # Another game's secret does not sign for this game.
    expect_error(auth(srv, b, secret=pwtest.OTHER_HMAC_SECRET), 401,
                 "INVALID_SIGNATURE")
    # A signature over other bytes (same JSON, other spacing) fails.
    spaced = json.dumps(body(), indent=1).encode()
    expect_error(auth(srv, spaced, sig=good), 401, "INVALID_SIGNATURE")
    # Signature before fields: a bad ip with a bad signature is a 401.
    expect_error(auth(srv, body(ip="x"), sig="ab" * 32), 401,
                 "INVALID_SIGNATURE")
    eq(auth(srv, b, sig=good.lower())[0], 200)
    eq(auth(srv, b, sig=good.upper())[0], 200)


def test_field_errors(srv):
    bad = jwt(alg="none")
    for b in (body(launchToken=5), body(launchToken=None), body(provider=5),
              body(provider=""), body(ip="1.2.3"), body(ip="1.2.3.256"),
              body(ip="::1"), body(ip=""), body(ip=1234), body(platform="tablet"),
              body(platform="Mobile"), body(platform=1),
              # fields come before the token: a bad token does not matter
              body(bad, ip="nope"), body(bad, platform="web")):
        expect_error(auth(srv, b), 400, "BAD_REQUEST")
    for name in ("launchToken", "provider", "ip", "platform"):
        b = body()
        del b[name]
        expect_error(auth(srv, b), 400, "BAD_REQUEST")
    eq(auth(srv, body(platform="desktop"))[0], 200)


def test_token_errors(srv):
    now = int(time.time())
    for tok in (jwt(alg="none"), jwt(alg="HS512"), jwt(secret="wrong"),
                jwt(header={"alg": "HS256", "typ": "XYZ"}),
                jwt(drop=("sub",)), jwt(drop=("exp",)), jwt(currency="USD"),
                jwt(currency="Usd"), jwt(sub=""), "abc", "", "a.b.c",
                jwt(iat=now + 3600), "x" * 5000):
        expect_error(auth(srv, body(tok)), 401, "INVALID_TOKEN")
    expect_error(auth(srv, body(jwt(exp=now - 10, iat=now - 100))), 401,
                 "TOKEN_EXPIRED")
    # 401 comes before 403: an expired token of another game.
    expect_error(auth(srv, body(jwt(exp=now - 10, iat=now - 100,
                                    game="othergame"))), 401, "TOKEN_EXPIRED")
    expect_error(auth(srv, body(jwt(game="othergame"))), 403, "GAME_MISMATCH")
    expect_error(auth(srv, body(jwt(provider="otherprovider"))), 403,
                 "GAME_MISMATCH")
    # The body and the token agree, but not with the game's provider.
    expect_error(auth(srv, body(jwt(provider="p2"), provider="p2")), 403,
                 "GAME_MISMATCH")


def test_wrong_method_is_flat(srv):
    st, hdrs, d = srv.request("GET", PATH, headers={"X-Request-ID": "m-1"})
    expect_error((st, hdrs, d), 405, "METHOD_NOT_ALLOWED")
    eq(hdrs.get("allow"), "POST")


def test_new_request_same_launch_token(srv):
    """One launch token, one player session: under another
    request id it answers the same token; a new launch token, a new one."""
    b = body(jwt(sub="fresh-1"))
    t1 = ok(auth(srv, b))["playerToken"]
    t2 = ok(auth(srv, b))["playerToken"]
    eq(t1, t2, "one launch token, two sessions")
    t3 = ok(auth(srv, body(jwt(sub="fresh-1", jti="another"))))["playerToken"]
    check(t3 != t1, "two launch tokens, one session")


def test_idempotent_replay(srv):
    sub = "replay-1"
    b = json.dumps(body(jwt(sub=sub))).encode()
    rid = new_rid()
    first = ok(auth(srv, b, rid=rid))
    eq(first["balance"], 0)
    # Fresh connections land on different workers (4 of them).
    for _ in range(8):
        st, hdrs, d = auth(srv, b, rid=rid)
        eq(st, 200, d)
        eq(d, first)
        eq(hdrs["x-request-id"], rid)
    # A replay is rendered afresh: the balance is today's, the token not.
    srv.credit("player:" + sub, 1000)
    d = balance_of(srv, sub, 10.0)
    check(d["playerToken"] != first["playerToken"])
    d = ok(auth(srv, b, rid=rid))
    eq(d["playerToken"], first["playerToken"])
    eq(d["balance"], 10.0)
    # Same id, another body: 409, and the original still replays.
    other = json.dumps(body(jwt(sub=sub), platform="desktop")).encode()
    d = expect_error(auth(srv, other, rid=rid), 409, "REQUEST_ID_REUSED")
    eq(d["requestId"], rid)
    eq(ok(auth(srv, b, rid=rid))["playerToken"], first["playerToken"])
    # Request ids are per game: the same id for othergame is a new login.
    ob = body(jwt(sub=sub, game="othergame", provider="otherprovider"),
              game="othergame", provider="otherprovider")
    d = ok(auth(srv, ob, rid=rid, secret=pwtest.OTHER_HMAC_SECRET))
    check(d["playerToken"] != first["playerToken"])
    d2 = ok(auth(srv, ob, rid=rid, secret=pwtest.OTHER_HMAC_SECRET))
    eq(d2["playerToken"], d["playerToken"])


def race_round(srv, conns, b, rid):
    """One request per connection, all released at once."""
    barrier = threading.Barrier(len(conns), timeout=10)
    results = [None] * len(conns)

    def one(i):
        try:
            barrier.wait()
            results[i] = auth(srv, b, rid=rid, conn=conns[i])
        except Exception as e:  # reported by the caller
            results[i] = e

    threads = [threading.Thread(target=one, args=(i,))
               for i in range(len(conns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    tokens = set()
    for r in results:
        check(isinstance(r, tuple), "request failed: %r" % (r,))
        eq(r[0], 200, r[2])
        tokens.add(r[2]["playerToken"])
    return tokens


def test_concurrent_identical_requests(srv):
    """20 identical logins at once on keep-alive connections spread over
    the workers, round after round: one playerToken per request id."""
    n, rounds = 20, 15
    conns = [srv.connect() for _ in range(n)]
    seen = set()
    try:
        for c in conns:
            c.connect()
        for i in range(rounds):
            # A launch token of its own: one token is one session anyway.
            b = json.dumps(body(jwt(sub="race-1", jti="r%d" % i))).encode()
            rid = new_rid()
            tokens = race_round(srv, conns, b, rid)
            eq(len(tokens), 1, tokens)
            tok = tokens.pop()
            check(tok not in seen, "a token for two request ids")
            seen.add(tok)
            eq(ok(auth(srv, b, rid=rid))["playerToken"], tok)
    finally:
        for c in conns:
            c.close()
