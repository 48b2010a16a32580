"""The access log records every answered request, those refused from
their head included: strict framing (400), an unknown method (501),
route and size decided from the head (404, 405, 413), a chunked body
refused, and the rate limit (429).  Each line is
time peer method target status bytes duration-us request-id code client
cafe, or with log-format json one object of the same fields."""

import json
import os
import socket
import struct
import tempfile
import time

import pwtest
from pwtest import API_KEY, check, eq, exchange, wait_until
from test_strict import CASES, HIDDEN, H, KEY, VERIFY, replies

STATE = tempfile.mkdtemp(prefix="pwtest.")
LOG = os.path.join(STATE, "access.log")
SERVER = dict(state=STATE, price=0, extra='access-log "%s"' % LOG)


class Tail:
    """The lines appended to the access log since the last look."""

    def __init__(self, path=LOG):
        self.path = path
        self.off = os.path.getsize(path) if os.path.exists(path) else 0

    def _read(self):
        with open(self.path, "rb") as f:
            f.seek(self.off)
            data = f.read()
        return data[:data.rfind(b"\n") + 1]

    def lines(self, n, settle=0.05):
        """Exactly n new lines (waiting for them, then a while for any
        more), as lists of fields."""
        wait_until(lambda: self._read().count(b"\n") >= n, 5,
                   what="%d access log line(s)" % n)
        time.sleep(settle)
        data = self._read()
        self.off += len(data)
        got = [l.decode("ascii").split(" ") for l in data.splitlines()]
        eq(len(got), n, got)
        for l in got:
            eq(len(l), 11, l)
            check(l[5].isdigit() and l[6].isdigit(), l)
        return got


def fields(line, peer="127.0.0.1", method=None, target=None, status=None,
           code=None, rid=None):
    """Check a line's fields; None checks nothing.  With no proxy in
    front the client is the peer."""
    eq(line[1], peer, line)
    eq(line[9], peer, line)
    for i, want in ((2, method), (3, target), (4, status), (7, rid), (8, code)):
        if want is not None:
            eq(line[i], str(want), line)


def test_normal_replies_carry_their_code(srv):
    t = Tail()
    eq(srv.request("GET", "/healthz", headers={"X-Request-ID": "ok-1"})[0], 200)
    fields(t.lines(1)[0], method="GET", target="/healthz", status=200,
           rid="ok-1", code="-")
    st, _, d = srv.game("POST", "verify", {"ott": "x"}, key="wrong",
                        headers={"X-Request-ID": "key-1"})
    eq(st, 401, d)
    fields(t.lines(1)[0], method="POST", target="/v1/game/session/verify",
           status=401, rid="key-1", code="INVALID_API_KEY")


def test_each_framing_refusal_is_logged(srv):
    """One line per refused head, with its status, the client's request
    id and the reply's length; the request hidden behind it is neither
    answered nor logged."""
    t = Tail()
    for i, (what, req) in enumerate(CASES.items()):
        out, closed = exchange(srv.port, req + HIDDEN)
        r = replies(out)
        eq([x[0] for x in r], [400], (what, out))
        l = t.lines(1)[0]
        fields(l, status=400, code="BAD_REQUEST", rid=r[0][2]["x-request-id"])
        eq(int(l[5]), len(r[0][3]), (what, l))
        # Where the request line was whole, it is named.
        if req.startswith(VERIFY):
            fields(l, method="POST", target="/v1/game/session/verify")
        # With the client's request id, when the scan read it.
        rid = b"X-Request-ID: fr-%d\r\n" % i
        if req.startswith(VERIFY + H):
            tagged = VERIFY + H + rid + req[len(VERIFY + H):]
            out, _ = exchange(srv.port, tagged)
            fields(t.lines(1)[0], status=400, rid="fr-%d" % i)
    # A good request, then a bad one: two lines, in that order.
    out, _ = exchange(srv.port, HIDDEN + CASES["NUL in a field"] + HIDDEN)
    eq([l[4] for l in t.lines(2)], ["200", "400"])


def test_request_line_refusals_name_what_was_read(srv):
    t = Tail()
    for req, method, target in (
            (b"\x00\x01\x02\r\n\r\n", "-", "-"),
            (b"GET /bad\x01target HTTP/1.1\r\n\r\n", "GET", "/bad"),
            (b"GET /healthz HTTP/1.1\n\n", "GET", "/healthz"),
            (b"GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", "GET", "/healthz"),
            (b"GET /a%20b?q=1 HTTP/1.1\r\n\r\n", "GET", "/a%20b?q=1")):
        out, closed = exchange(srv.port, req)
        eq([x[0] for x in replies(out)], [400], (req, out))
        fields(t.lines(1)[0], method=method, target=target, status=400,
               code="BAD_REQUEST")
    # Past the log's room, a target is cut, never split across fields.
    out, _ = exchange(srv.port, b"GET /" + b"x" * 300 + b" HTTP/1.1\r\n\r\n")
    l = t.lines(1)[0]
    fields(l, method="GET", status=400)
    check(l[3].startswith("/xxx") and len(l[3]) < 300, l)


def test_unknown_method_501_is_logged(srv):
    t = Tail()
    out, closed = exchange(srv.port, b"BREW /healthz HTTP/1.1\r\nHost: x\r\n"
                           b"X-Request-ID: m-1\r\n\r\n" + HIDDEN)
    eq([x[0] for x in replies(out)], [501], out)
    fields(t.lines(1)[0], method="BREW", target="/healthz", status=501,
           code="NOT_IMPLEMENTED", rid="m-1")


def test_route_and_size_from_the_head_are_logged(srv):
    t = Tail()
    for path, method, status, code in (
            (b"/no/such/path", b"POST", 404, "NOT_FOUND"),
            (b"/v1/game/session/verify", b"GET", 405, "METHOD_NOT_ALLOWED"),
            (b"/v1/game/session/verify", b"POST", 413, "PAYLOAD_TOO_LARGE")):
        out, closed = exchange(srv.port, method + b" " + path + b" HTTP/1.1\r\n"
                               b"Host: x\r\nX-Request-ID: big-%d\r\n"
                               b"Content-Length: 10485760\r\n\r\n" % status,
                               timeout=1.5)
        r = replies(out)
        eq([x[0] for x in r], [status], out)
        l = t.lines(1)[0]
        fields(l, method=method.decode(), target=path.decode(), status=status,
               code=code, rid="big-%d" % status)
        eq(int(l[5]), len(r[0][3]), l)


def test_chunked_body_over_max_body_is_logged(srv):
    """A chunked body past max-body: a JSON 413 as soon as the chunk that
    passes it is announced, and logged with the request it refused."""
    t = Tail()
    big = b"%x\r\n" % 60000 + b"x" * 60000 + b"\r\n0\r\n\r\n"
    out, closed = exchange(srv.port, VERIFY + H + KEY +
                           b"Transfer-Encoding: chunked\r\n\r\n" + big)
    r = replies(out)
    eq([x[0] for x in r], [413], out)
    l = t.lines(1)[0]
    fields(l, method="POST", target="/v1/game/session/verify", status=413,
           code="PAYLOAD_TOO_LARGE", rid=r[0][2]["x-request-id"])


def test_rate_limited_requests_are_logged():
    state = tempfile.mkdtemp(prefix="pwtest.")
    log = os.path.join(state, "access.log")
    srv = pwtest.Server(state=state, price=0, rate_limit=2, workers=1,
                        extra='access-log "%s"' % log).start()
    try:
        t = Tail(log)
        c = srv.connect()
        got = [srv.game("POST", "verify", {"ott": "x"}, conn=c,
                        headers={"X-Request-ID": "rl-%d" % i})[0]
               for i in range(8)]
        check(429 in got, got)
        lines = t.lines(8)
        eq([int(l[4]) for l in lines], got)
        for i, l in enumerate(lines):
            fields(l, rid="rl-%d" % i, target="/v1/game/session/verify")
            if l[4] == "429":
                eq(l[8], "RATE_LIMITED", l)
    finally:
        eq(srv.stop(), 0)


def test_refusal_of_a_client_gone_at_once_is_logged(srv):
    """A client that sends a refused head and resets the connection at
    once is still named by its address."""
    t = Tail()
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-ID: rst-1\r\n"
              b"X-A: \x00\r\n\r\n")
    time.sleep(0.1)
    s.close()
    fields(t.lines(1)[0], status=400, rid="rst-1", method="GET",
           target="/healthz")


JSON_KEYS = ["ts", "peer", "method", "target", "status", "bytes",
             "duration_us", "request_id", "code", "client", "cafe"]


def test_json_lines():
    """log-format json: one object a line, the text form's fields under
    names, null where the text has '-', every line ASCII whatever the
    request held."""
    state = tempfile.mkdtemp(prefix="pwtest.")
    log = os.path.join(state, "access.log")
    srv = pwtest.Server(state=state, price=0, extra='access-log "%s"\n'
                        'log-format json' % log).start()
    try:
        t = Tail(log)
        eq(srv.request("GET", "/healthz",
                       headers={"X-Request-ID": "json-1"})[0], 200)
        st, _, d = srv.game("POST", "verify", {"ott": "x"}, key="wrong",
                            headers={"X-Request-ID": "json-2"})
        eq(st, 401, d)
        srv.launcher_session(pc_id="pc-json")
        out, closed = exchange(srv.port, b"GET /a\"b\x01\xff HTTP/1.1\r\n"
                               b"Host: x\r\n\r\n")
        check(out.startswith(b"HTTP/1.1 400 "), out[:40])
        wait_until(lambda: t._read().count(b"\n") >= 4, 5, what="4 lines")
        time.sleep(0.05)
        raw = t._read()
        lines = [json.loads(l.decode("ascii")) for l in raw.splitlines()]
        eq(len(lines), 4, lines)
        for o in lines:
            eq(list(o), JSON_KEYS, o)
            check(o["ts"].endswith("Z") and len(o["ts"]) == 24, o)
            eq((o["peer"], o["client"]), ("127.0.0.1", "127.0.0.1"), o)
            check(isinstance(o["duration_us"], int) and
                  isinstance(o["bytes"], int), o)
        h, v, ls, bad = lines
        eq((h["method"], h["target"], h["status"], h["request_id"],
            h["code"], h["cafe"]), ("GET", "/healthz", 200, "json-1", None,
                                    "seoul-01"))
        eq((v["status"], v["request_id"], v["code"]),
           (401, "json-2", "INVALID_API_KEY"))
        eq((ls["target"], ls["status"], ls["cafe"]),
           ("/v1/launcher/session", 200, "seoul-01"))
        eq((bad["status"], bad["code"]), (400, "BAD_REQUEST"))
        # As far as the parser read it: to the byte it refused.
        eq(bad["target"], '/a"b', bad)
    finally:
        eq(srv.stop(), 0)
