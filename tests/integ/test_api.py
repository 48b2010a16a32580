"""The HTTP API over HTTP against the real daemon: conventions,
the launcher API and the game server API, row by row."""

import json
import re
import socket
import threading
import time
import uuid

from pwtest import (API_KEY, API_KEY2, OTHER_KEY, check, eq)

SERVER = dict(ott_ttl=2, price=0)

RID = re.compile(r"^req_[0-9a-f]{24}$")
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def err(d, code):
    check(d["success"] is False, d)
    eq(d["error"]["code"], code)
    check(TS.match(d["error"]["timestamp"]), d)
    check(isinstance(d["error"]["message"], str) and d["error"]["message"], d)


# --- section 1: conventions ---------------------------------------------

def test_healthz(srv):
    st, h, d = srv.request("GET", "/healthz")
    eq(st, 200)
    eq(d, {"status": "ok"})


def test_unknown_path_404_envelope(srv):
    st, h, d = srv.request("GET", "/v1/nope")
    eq(st, 404)
    err(d, "NOT_FOUND")
    eq(h["x-request-id"], d["request_id"])
    check(RID.match(d["request_id"]), d)


def test_wrong_method_405_with_allow(srv):
    for method, path, allow in (("GET", "/v1/game/session/verify", "POST"),
                                ("POST", "/v1/game/session/heartbeat", "PATCH"),
                                ("POST", "/v1/game/session/end", "DELETE"),
                                ("PUT", "/v1/launcher/ott", "POST")):
        st, h, d = srv.request(method, path, {"x": 1}, {"X-Api-Key": "bad"})
        eq(st, 405, path)
        eq(h["allow"], allow)
        err(d, "METHOD_NOT_ALLOWED")


def test_413_before_auth_and_parsing(srv):
    body = b"{" + b" " * 9000 + b"}"
    st, _, d = srv.request("POST", "/v1/game/session/verify", body,
                           {"X-Api-Key": "wrong"})
    eq(st, 413)
    err(d, "PAYLOAD_TOO_LARGE")


def test_huge_body_refused_as_json(srv):
    st, h, d = srv.request("POST", "/v1/game/session/verify", b"x" * 200000,
                           {"X-Api-Key": API_KEY})
    eq(st, 413)
    err(d, "PAYLOAD_TOO_LARGE")


def test_401_before_400(srv):
    st, _, d = srv.request("POST", "/v1/game/session/verify", b"not json",
                           {"X-Api-Key": "nope"})
    eq(st, 401)
    err(d, "INVALID_API_KEY")
    st, _, d = srv.request("POST", "/v1/game/session/verify", b"{}")
    eq(st, 401)


def test_content_type_required(srv):
    st, _, d = srv.request("POST", "/v1/game/session/verify",
                           b'{"ott":"x","provider_user_id":"1"}',
                           {"X-Api-Key": API_KEY, "Content-Type": "text/plain"})
    eq(st, 400)
    err(d, "BAD_REQUEST")
    st, _, d = srv.request("POST", "/v1/game/session/verify",
                           {"ott": str(uuid.uuid4()), "provider_user_id": "1"},
                           {"X-Api-Key": API_KEY,
                            "Content-Type": "application/json; charset=utf-8"})
    eq(st, 200, d)


def test_request_id_echo(srv):
    st, h, d = srv.request("GET", "/v1/x", headers={"X-Request-ID": "abc.DEF_1:2-3"})
    eq(h["x-request-id"], "abc.DEF_1:2-3")
    eq(d["request_id"], "abc.DEF_1:2-3")
    for bad in ("has space", "x" * 65, "ünï", "a/b"):
        st, h, d = srv.request("GET", "/v1/x", headers={"X-Request-ID": bad})
        check(RID.match(h["x-request-id"]), h)
        eq(d["request_id"], h["x-request-id"])


def test_api_key_rotation(srv):
    _, gs = srv.session("pc-rot")
    for key in (API_KEY, API_KEY2):
        st, _, d = srv.heartbeat(gs, key=key)
        eq(st, 200, d)


# --- section 1: bad bodies -----------------------------------------------

BAD_VERIFY = [
    (b"", "empty"),
    (b"[]", "array"),
    (b"\"str\"", "string"),
    (b"{", "truncated"),
    (b'{"ott":"x"} trailing', "trailing garbage"),
    (b'{"ott":1,"provider_user_id":"1"}', "ott number"),
    (b'{"provider_user_id":"1"}', "missing ott"),
    (b'{"ott":"%s"}', "missing uid"),
    (b'{"ott":"%s","provider_user_id":123}', "uid number"),
    (b'{"ott":"%s","provider_user_id":"12a"}', "uid non-digit"),
    (b'{"ott":"%s","provider_user_id":"123456789012345678901"}', "uid too long"),
    (b'{"ott":"%s","provider_user_id":""}', "uid empty"),
    (b'{"ott":"not-a-uuid","provider_user_id":"1"}', "ott not uuid"),
    (b'{"ott":"playwave_zzz","provider_user_id":"1"}', "ott prefix bad"),
    (b'{"ott":"%s","provider_user_id":"1\\u0000"}', "escaped NUL"),
    (b'{"ott":"%s","provider_user_id":"1",}', "trailing comma"),
    (b'{"ott":"%s" "provider_user_id":"1"}', "missing comma"),
    (b'{"ott":"%s","ott":"%s","provider_user_id":"1"}', "duplicate key"),
]


def test_bad_bodies_400(srv):
    u = str(uuid.uuid4()).encode()
    for tmpl, why in BAD_VERIFY:
        body = tmpl.replace(b"%s", u)
        st, _, d = srv.request("POST", "/v1/game/session/verify", body,
                               {"X-Api-Key": API_KEY})
        eq(st, 400, why)
        err(d, "BAD_REQUEST")


def test_field_named_in_message(srv):
    st, _, d = srv.request("POST", "/v1/game/session/verify",
                           {"ott": str(uuid.uuid4()), "provider_user_id": 5},
                           {"X-Api-Key": API_KEY})
    eq(st, 400)
    check("provider_user_id" in d["error"]["message"], d)


def test_unknown_fields_ignored_and_escapes(srv):
    ott = srv.ctl("ott", "issue", "fantasyquest").stdout.strip()
    raw = ott.replace("playwave_", "")
    esc = "".join("\\u%04x" % ord(c) for c in raw.upper())
    body = ('{"extra":{"a":[1,2,{"b":null}]},"ott":"%s","provider_user_id":"\\u0031\\u0032",'
            '"x":"\\ud83d\\ude00"}' % esc).encode()
    st, _, d = srv.request("POST", "/v1/game/session/verify", body,
                           {"X-Api-Key": API_KEY})
    eq(st, 200, d)
    check(d["data"]["is_valid"] is True, d)


# --- section 2: the launcher API ------------------------------------------

def test_launcher_session(srv):
    d = srv.launcher_session("pc-L1")
    check(re.match(r"^ls_[0-9a-f-]{36}$", d["launcher_session_id"]), d)
    eq(d["is_pc_cafe"], True)
    eq(d["pc_cafe_id"], "seoul-01")
    eq(d["heartbeat_in"], 120)
    eq(d["games"], [{"game_id": "fantasyquest", "name": "Fantasy Quest"},
                    {"game_id": "othergame", "name": "Other Game"}])


def test_launcher_signature_checks(srv):
    body = {"pc_id": "pc-sig", "internal_ip": "10.0.0.1"}
    st, _, d = srv.launcher("session", body, sign=False)
    eq(st, 401)
    err(d, "INVALID_SIGNATURE")
    st, _, d = srv.launcher("session", body, secret="wrong")
    eq(st, 401)
    st, _, d = srv.launcher("session", body, ts=int(time.time()) - 310)
    eq(st, 401)
    st, _, d = srv.launcher("session", body, ts=int(time.time()) + 310)
    eq(st, 401)
    st, _, d = srv.launcher("session", body, ts=int(time.time()) - 250)
    eq(st, 200, d)
    st, _, d = srv.launcher("session", body, headers={"X-Timestamp": "12x"})
    eq(st, 401)


def test_launcher_bad_fields(srv):
    for body in ({"pc_id": "", "internal_ip": "10.0.0.1"},
                 {"pc_id": "x" * 65, "internal_ip": "10.0.0.1"},
                 {"pc_id": "p", "internal_ip": "10.0.0"},
                 {"pc_id": "p", "internal_ip": "::1"},
                 {"pc_id": 5, "internal_ip": "10.0.0.1"}):
        st, _, d = srv.launcher("session", body)
        eq(st, 400, body)
        err(d, "BAD_REQUEST")


def test_launcher_heartbeat_and_replacement(srv):
    a = srv.launcher_session("pc-rep")["launcher_session_id"]
    st, _, d = srv.launcher("session/heartbeat", {"launcher_session_id": a},
                            method="PATCH")
    eq(st, 200, d)
    eq(d["data"], {"result": "OK"})
    b = srv.launcher_session("pc-rep")["launcher_session_id"]
    check(a != b)
    st, _, d = srv.launcher("session/heartbeat", {"launcher_session_id": a},
                            method="PATCH")
    eq(st, 410)
    err(d, "SESSION_ENDED")
    st, _, d = srv.launcher("session/heartbeat",
                            {"launcher_session_id": "ls_" + str(uuid.uuid4())},
                            method="PATCH")
    eq(st, 404)
    err(d, "SESSION_NOT_FOUND")
    st, _, d = srv.launcher("ott", {"launcher_session_id": a, "game_id": "fantasyquest"})
    eq(st, 410)


def test_launcher_ott(srv):
    ls = srv.launcher_session("pc-ott")["launcher_session_id"]
    t0 = int(time.time())
    st, _, d = srv.launcher("ott", {"launcher_session_id": ls, "game_id": "fantasyquest"})
    eq(st, 200, d)
    check(re.match(r"^playwave_[0-9a-f-]{36}$", d["data"]["ott"]), d)
    eq(d["data"]["expires_in"], 2)
    check(t0 + 1 <= d["data"]["expires_at"] <= t0 + 3, d)
    st, _, d = srv.launcher("ott", {"launcher_session_id": ls, "game_id": "nogame"})
    eq(st, 404)
    err(d, "UNKNOWN_GAME")


def test_cafe_by_address_and_proxy(srv):
    # 127.0.0.1 is in seoul-01; X-Forwarded-For is ignored from a non-proxy.
    d = srv.launcher_session("pc-xff", headers={"X-Forwarded-For": "8.8.8.8"})
    eq(d["is_pc_cafe"], True)


# --- section 3: verify ------------------------------------------------------

def test_verify_success_and_used(srv):
    ls = srv.launcher_session("pc-v1")["launcher_session_id"]
    ott = srv.ott(ls)
    v = srv.verify(ott)
    eq(v["is_valid"], True)
    eq(v["is_pc_cafe"], True)
    check(re.match(r"^gs_[0-9a-f-]{36}$", v["game_session_id"]), v)
    eq(srv.verify(ott), {"is_valid": False, "reason": "OTT_ALREADY_USED"})
    # Without the prefix, and in upper case: the same token.
    eq(srv.verify(ott.replace("playwave_", "").upper()),
       {"is_valid": False, "reason": "OTT_ALREADY_USED"})


def test_verify_not_found(srv):
    eq(srv.verify("playwave_" + str(uuid.uuid4())),
       {"is_valid": False, "reason": "OTT_NOT_FOUND"})


def test_verify_game_mismatch_does_not_consume(srv):
    ls = srv.launcher_session("pc-gm")["launcher_session_id"]
    ott = srv.ott(ls)
    eq(srv.verify(ott, key=OTHER_KEY), {"is_valid": False, "reason": "GAME_MISMATCH"})
    eq(srv.verify(ott)["is_valid"], True)
    # Mismatch is reported before "already used".
    eq(srv.verify(ott, key=OTHER_KEY), {"is_valid": False, "reason": "GAME_MISMATCH"})


def test_verify_expired_then_used_order(srv):
    ls = srv.launcher_session("pc-exp")["launcher_session_id"]
    fresh, used = srv.ott(ls), srv.ott(ls)
    eq(srv.verify(used)["is_valid"], True)
    time.sleep(2.3)
    eq(srv.verify(fresh), {"is_valid": False, "reason": "OTT_EXPIRED"})
    eq(srv.verify(used), {"is_valid": False, "reason": "OTT_ALREADY_USED"})
    # Still told apart until 2 x ott-ttl after issue.
    time.sleep(1.0)
    eq(srv.verify(fresh)["reason"], "OTT_EXPIRED")


def test_non_cafe_session(srv):
    ott = srv.ctl("ott", "issue", "fantasyquest").stdout.strip()
    v = srv.verify(ott)
    eq(v["is_valid"], True)
    eq(v["is_pc_cafe"], False)


def test_replacement_on_same_pc(srv):
    _, old = srv.session("pc-same")
    _, new = srv.session("pc-same")
    st, _, d = srv.heartbeat(old)
    eq(st, 200, d)
    eq(d["data"]["result"], "SESSION_REPLACED")
    st, _, d = srv.end(old)
    eq(st, 409)
    err(d, "ALREADY_ENDED")
    st, _, d = srv.game("POST", "check", {"game_session_id": old,
                                          "provider_user_id": "123456789"})
    eq(st, 410)
    st, _, d = srv.heartbeat(new)
    eq(d["data"]["result"], "OK")


# --- section 3: heartbeat, end, check ----------------------------------------

def test_heartbeat_fields(srv):
    _, gs = srv.session("pc-hb")
    time.sleep(1.1)
    st, h, d = srv.heartbeat(gs)
    eq(st, 200, d)
    eq(d["success"], True)
    eq(d["data"]["result"], "OK")
    eq(d["data"]["next_heartbeat_in"], 120)
    check(1 <= d["data"]["play_duration_sec"] <= 3, d)


def test_heartbeat_errors(srv):
    _, gs = srv.session("pc-hbe")
    st, _, d = srv.heartbeat("gs_" + str(uuid.uuid4()))
    eq(st, 404)
    err(d, "SESSION_NOT_FOUND")
    st, _, d = srv.heartbeat(gs, uid="999")
    eq(st, 403)
    err(d, "SESSION_MISMATCH")
    st, _, d = srv.heartbeat(gs, key=OTHER_KEY)
    eq(st, 403)
    st, _, d = srv.heartbeat(gs.replace("gs_", "ls_"))
    eq(st, 400)
    eq(srv.end(gs)[0], 200)
    st, _, d = srv.heartbeat(gs)
    eq(st, 410)
    err(d, "SESSION_ENDED")
    check("ENDED" in d["error"]["message"], d)


def test_end_fields(srv):
    _, gs = srv.session("pc-end")
    time.sleep(1.1)
    st, _, d = srv.end(gs, dur=7)
    eq(st, 200, d)
    dd = d["data"]
    eq(dd["result"], "SUCCESS")
    check(1 <= dd["play_duration_sec"] <= 3, dd)
    eq(dd["client_play_duration_sec"], 7)
    eq(dd["billed_minutes"], 1)
    eq(dd["charged"], 0)
    st, _, d = srv.end(gs)
    eq(st, 409)
    err(d, "ALREADY_ENDED")
    _, gs2 = srv.session("pc-end2")
    st, _, d = srv.end(gs2)
    eq(d["data"]["client_play_duration_sec"], None)
    st, _, d = srv.end("gs_" + str(uuid.uuid4()))
    eq(st, 404)
    _, gs3 = srv.session("pc-end3")
    st, _, d = srv.end(gs3, key=OTHER_KEY)
    eq(st, 403)
    for bad in (-1, "5", 1.5):
        st, _, d = srv.game("DELETE", "end", {"game_session_id": gs3,
                                              "play_duration_sec": bad})
        eq(st, 400, bad)


def test_check(srv):
    _, gs = srv.session("pc-chk")
    st, _, d = srv.game("POST", "check", {"game_session_id": gs,
                                          "provider_user_id": "123456789"})
    eq(st, 200, d)
    dd = d["data"]
    eq(dd["is_valid"], True)
    eq(dd["game_session_id"], gs)
    eq(dd["is_pc_cafe"], True)
    check(isinstance(dd["play_duration_sec"], int))
    st, _, d = srv.game("POST", "check", {"game_session_id": gs,
                                          "provider_user_id": "1"})
    eq(st, 403)
    st, _, d = srv.game("POST", "check", {"game_session_id": gs,
                                          "provider_user_id": "123456789"},
                        key=OTHER_KEY)
    eq(st, 403)
    srv.end(gs)
    st, _, d = srv.game("POST", "check", {"game_session_id": gs,
                                          "provider_user_id": "123456789"})
    eq(st, 410)


# --- concurrency, keep-alive, pipelining ------------------------------------

def test_concurrent_verify_one_winner(srv):
    ls = srv.launcher_session("pc-race")["launcher_session_id"]
    for _ in range(20):
        ott = srv.ott(ls)
        results = []
        lock = threading.Lock()
        body = json.dumps({"ott": ott, "provider_user_id": "42"}).encode()
        req = (b"POST /v1/game/session/verify HTTP/1.1\r\nHost: x\r\n"
               b"X-Api-Key: " + API_KEY.encode() + b"\r\nContent-Type: application/json\r\n"
               b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        socks = [socket.create_connection(("127.0.0.1", srv.port)) for _ in range(50)]
        go = threading.Event()

        def fire(s):
            go.wait()
            s.sendall(req)
            data = b""
            s.settimeout(10)
            while b"}}" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            with lock:
                results.append(data)
        ts = [threading.Thread(target=fire, args=(s,)) for s in socks]
        for t in ts:
            t.start()
        go.set()
        for t in ts:
            t.join(20)
        for s in socks:
            s.close()
        eq(len(results), 50)
        wins = sum(b'"is_valid":true' in r for r in results)
        used = sum(b"OTT_ALREADY_USED" in r for r in results)
        eq(wins, 1, "winners")
        eq(used, 49)


def _raw(srv, data, timeout=3):
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.settimeout(timeout)
    s.sendall(data)
    out = b""
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            out += c
    except socket.timeout:
        pass
    s.close()
    return out


def test_pipelining_and_http10_keepalive(srv):
    out = _raw(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 3, timeout=1)
    eq(out.count(b"HTTP/1.1 200 OK"), 3)
    out = _raw(srv, b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
               b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", timeout=1)
    eq(out.count(b"200 OK"), 2)
    check(b"Connection: keep-alive" in out, out)
    check(b"Content-Length: 15" in out, out)
    out = _raw(srv, b"GET /healthz HTTP/1.0\r\n\r\n")
    check(out.startswith(b"HTTP/1.0 200") or out.startswith(b"HTTP/1.1 200"), out)


def test_malformed_request_lines_json(srv):
    for req in (b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                b"GET /healthz HTTP/1.1\r\nBadHeader\r\n\r\n",
                b"POST /v1/game/session/verify HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                b"GET /healthz HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n"):
        out = _raw(srv, req)
        check(out.startswith(b"HTTP/1.1 4"), out[:80])
        check(b"<HTML" not in out.upper(), out)
        body = out.split(b"\r\n\r\n", 1)[1]
        d = json.loads(body)
        eq(d["success"], False)
