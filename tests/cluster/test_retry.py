"""HAProxy's retry rules, as etc/haproxy/haproxy.cfg ships them, against
fake shards on loopback that fail on purpose.

A request that may have reached a shard is sent again only where doing it
twice is harmless (game heartbeat, check, authenticate); every other
endpoint arrives exactly once and the client gets the proxy's JSON error.
A connection that failed carried no request, so it is retried for every
endpoint.  The fakes stand where two shards would, in the maps and
backends `playwavectl cluster maps` writes:

  shard0  a Python server that reads each request whole, counts it by
          method and path, then closes without a word, or says nothing
          until the proxy's server timeout, or answers 200, as the phase
          asks (empty-response, response-timeout, success);
  shard1  a port bound but never listening: every connect is refused.

Both pass their health checks on a port of their own, so the proxy keeps
sending to them as it does in the seconds before a dead shard is noticed.
The proxy runs the shipped file with only the bind address, logging,
process options and `timeout server` (1 s, to keep the test short)
changed; the retry lines are the shipped ones, word for word.

    python3 tests/cluster/test_retry.py [name-substring ...]

Traffic goes to 127.0.0.0/8 only; every wait and every socket has a
deadline; the whole run takes a few seconds."""

import base64
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integ"))
import pwtest  # noqa: E402
import suite  # noqa: E402
from pwtest import check, eq  # noqa: E402

HAPROXY_CFG = os.path.join(pwtest.ROOT, "etc", "haproxy", "haproxy.cfg")
SERVER_TIMEOUT = 1		# s: the test's `timeout server`
IO_TIMEOUT = 10			# s: any one socket operation of the test

# Every endpoint of the API, and whether the proxy may send it twice.
SAFE = "safe"
ONCE = "once"
ENDPOINTS = [
    ("POST", "/v1/launcher/session", ONCE),		# replaces the PC's session
    ("PATCH", "/v1/launcher/session/heartbeat", ONCE),	# nonce accepted once
    ("POST", "/v1/launcher/ott", ONCE),			# mints an OTT
    ("POST", "/v1/game/session/verify", ONCE),		# consumes the OTT
    ("PATCH", "/v1/game/session/heartbeat", SAFE),
    ("DELETE", "/v1/game/session/end", ONCE),		# ends, charges
    ("POST", "/v1/game/session/check", SAFE),
    ("POST", "/v1/authenticate", SAFE),			# same X-Request-ID, same reply
]


def read_request(conn):
    """(method, path) of one whole request, body included, or None."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = conn.recv(65536)
        if not d or len(buf) > 65536:
            return None
        buf += d
    head, _, body = buf.partition(b"\r\n\r\n")
    m = re.search(rb"(?im)^content-length:[ \t]*(\d+)\r?$", head)
    need = int(m.group(1)) if m else 0
    while len(body) < need:
        d = conn.recv(65536)
        if not d:
            return None
        body += d
    words = head.split(b"\r\n", 1)[0].decode("latin-1").split()
    return words[0], words[1].split("?", 1)[0]


class Listener:
    """A loopback listener serving each connection in a thread of its own."""

    def __init__(self, serve):
        self.serve = serve
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopped = False
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(IO_TIMEOUT)
            threading.Thread(target=self.one, args=(conn,), daemon=True).start()

    def one(self, conn):
        try:
            self.serve(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def stop(self):
        self.stopped = True
        self.thread.join(5)
        self.sock.close()


def answer(conn, status, body):
    raw = json.dumps(body).encode()
    conn.sendall(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                 % (status, len(raw), raw))


class FakeShard:
    """Counts every request that reached it; the first `fail` arrivals of
    each (method, path) get `style` ("close" or "silent"), later ones 200.
    Health checks come to a port of their own and are answered 200."""

    def __init__(self):
        self.lock = threading.Lock()
        self.arrived = {}
        self.checks = 0
        self.style, self.fail = "close", 0
        self.api = Listener(self.serve)
        self.health = Listener(self.serve_check)

    def phase(self, style, fail):
        with self.lock:
            self.arrived = {}
            self.style, self.fail = style, fail

    def count(self, method, path):
        with self.lock:
            return self.arrived.get((method, path), 0)

    def serve_check(self, conn):
        if read_request(conn) is not None:
            with self.lock:
                self.checks += 1
            answer(conn, 200, {})

    def serve(self, conn):
        req = read_request(conn)
        if req is None:
            return
        with self.lock:
            n = self.arrived[req] = self.arrived.get(req, 0) + 1
            style, fail = self.style, self.fail
        if n > fail:
            answer(conn, 200, {"success": True, "data": {"attempt": n}})
        elif style == "silent":
            # Say nothing until the proxy gives up and closes.
            while conn.recv(4096):
                pass
        # "close": the request arrived whole, and nothing comes back.

    def stop(self):
        self.api.stop()
        self.health.stop()


def shipped_config():
    with open(HAPROXY_CFG) as f:
        return f.read()


def config_value(cfg, directive):
    m = re.findall(r"(?m)^\s*%s\s+(.*?)\s*$" % re.escape(directive), cfg)
    eq(len(m), 1, "one '%s' line in haproxy.cfg" % directive)
    return m[0]


class Proxy:
    """HAProxy on the shipped haproxy.cfg in front of the two fakes."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="pwretry.")
        self.fake = FakeShard()
        # Bound, never listening: a connect to it is refused, and no other
        # program can take the port while the test runs.
        self.dead = socket.socket()
        self.dead.bind(("127.0.0.1", 0))
        self.port = pwtest.free_port()
        self.haproxy = None
        self.logpath = os.path.join(self.tmp, "haproxy.log")

    def start(self):
        self.maps()
        self.start_haproxy()
        # Four server lines (shard0, shard1, both again in "any"), each
        # checked at least once, so each is UP and stays so.
        with self.fake.lock:
            self.fake.checks = 0
        pwtest.wait_until(lambda: self.fake.checks >= 4, 10, step=0.1,
                          what="the proxy's health checks")
        return self

    def shard_conf(self, k):
        text = pwtest.config_text(1, os.path.join(self.tmp, "s%d" % k),
                                  cafe_net="127.0.%d.0/24" % (k + 1))
        text = text.replace("cafe seoul-01", "cafe cafe-%d" % k)
        text += "\nshard %d\ntrusted-proxy 127.0.0.1\n" % k
        path = os.path.join(self.tmp, "shard%d.conf" % k)
        with open(path, "w") as f:
            f.write(text)
        return path

    def maps(self):
        d = os.path.join(self.tmp, "playwave")
        os.mkdir(d)
        p = subprocess.run(
            [pwtest.CTL, "cluster", "maps", d,
             "%s=127.0.0.1:%d" % (self.shard_conf(0), self.fake.api.port),
             "%s=127.0.0.1:%d" % (self.shard_conf(1), self.dead.getsockname()[1])],
            capture_output=True, text=True, timeout=30)
        eq(p.returncode, 0, p.stderr)
        with open(os.path.join(d, "subs.map")) as f:
            self.subs = dict(ln.split() for ln in f if not ln.startswith("#"))
        path = os.path.join(d, "shards.cfg")
        with open(path) as f:
            text, n = re.subn(r"(?m) check$", " check port %d" % self.fake.health.port,
                              f.read())
        eq(n, 4, "server lines in shards.cfg")
        with open(path, "w") as f:
            f.write(text)

    def start_haproxy(self):
        # In the foreground, as this user, on loopback over TLS (suite),
        # its log on stderr.
        cfg = suite.loopback(shipped_config(), self.port,
                             suite.tls_pem(self.tmp), keep_log=True)
        edits = [
            (r"(?m)^(\s*log) /dev/log local0$", r"\1 stderr format raw local0", 1),
            (r"(?m)^(\s*timeout server) \S+$", r"\g<1> %ds" % SERVER_TIMEOUT, 1),
        ]
        for pat, rep, want in edits:
            cfg, n = re.subn(pat, rep, cfg)
            eq(n, want, "edits of haproxy.cfg: %s" % pat)
        self.haproxy = suite.Haproxy(self.tmp, cfg, os.path.join(
            self.tmp, "playwave", "shards.cfg"))

    def log(self):
        with open(self.logpath, "rb") as f:
            return f.read().decode(errors="replace")

    def access(self, src, method, path):
        """The proxy's log line of a request: (status, termination state,
        retries), once it is written."""
        pat = re.compile(r"(?m)^%s:\d+ .* (\d{3}) \d+ \S+ \S+ (\S{4}) "
                         r"\d+/\d+/\d+/\d+/\+?(\d+) \d+/\d+ \"%s %s "
                         % (re.escape(src), method, re.escape(path)))

        def found():
            m = pat.search(self.log())
            return m and (int(m.group(1)), m.group(2), int(m.group(3)))
        return pwtest.wait_until(found, 5, what="the log line of %s %s from %s"
                                 % (method, path, src))

    def stop(self):
        if self.haproxy is not None:
            self.haproxy.stop()
        self.fake.stop()
        self.dead.close()


def b64url(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def sub_of_shard(px, k):
    """A launch token sub whose bucket in subs.map is shard k."""
    for i in range(1000):
        sub = "player-%d" % i
        if px.subs[str(zlib.crc32(sub.encode()) % 240)] == "shard%d" % k:
            return sub
    raise pwtest.TestFailure("no sub maps to shard%d" % k)


def request_of(px, method, path, k, host):
    """Source address, body and headers of a request the proxy routes to
    shard k, from a source address of its own (host) so its log line is
    told apart from every other's."""
    def id_(prefix):
        return "%s1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0%x" % (prefix, k)
    src = "127.0.9.%d" % host
    if path == "/v1/launcher/session":
        src = "127.0.%d.%d" % (k + 1, host)	# from cafe k's network
        body = {"pc_id": "pc-1", "internal_ip": "10.0.0.7"}
    elif path.startswith("/v1/launcher/"):
        body = {"launcher_session_id": id_("ls_"), "game_id": "fantasyquest"}
    elif path == "/v1/game/session/verify":
        body = {"ott": id_("playwave_"), "provider_user_id": "123456789"}
    elif path.startswith("/v1/game/"):
        body = {"game_session_id": id_("gs_"), "provider_user_id": "123456789"}
    else:
        token = "%s.%s.sig" % (b64url({"alg": "HS256", "typ": "JWT"}),
                               b64url({"sub": sub_of_shard(px, k)}))
        body = {"launchToken": token, "provider": "gameprovider",
                "game": "fantasyquest", "ip": "10.0.0.7", "platform": "desktop"}
    rid = "retry-%d-%s" % (host, path.strip("/").replace("/", "."))
    return src, json.dumps(body).encode(), {"Content-Type": "application/json",
                                            "X-Request-ID": rid}


def send(px, method, path, k, host, out):
    src, raw, headers = request_of(px, method, path, k, host)
    t0 = time.time()
    c = suite.https(px.port, IO_TIMEOUT, (src, 0))
    try:
        c.request(method, path, raw, headers)
        r = c.getresponse()
        out[(method, path)] = (src, r.status, r.getheader("Content-Type"),
                               json.loads(r.read() or b"null"),
                               headers["X-Request-ID"], time.time() - t0)
    finally:
        c.close()


def send_all(px, k, host):
    """Every endpoint at once, to shard k: {(method, path): reply}."""
    out = {}
    threads = [threading.Thread(target=send, args=(px, m, p, k, host, out))
               for m, p, _ in ENDPOINTS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(3 * IO_TIMEOUT)
    eq(sorted(out), sorted((m, p) for m, p, _ in ENDPOINTS), "replies")
    return out


def proxy_error(reply, status, code):
    """The proxy's own JSON error, with the client's request id."""
    _, st, ctype, d, rid, _ = reply
    eq(st, status, d)
    eq(ctype, "application/json", d)
    eq(d["success"], False, d)
    eq(d["error"]["code"], code, d)
    eq(d["request_id"], rid, d)
    eq(d["requestId"], rid, d)


def retries():
    n = int(config_value(shipped_config(), "retries"))
    check(n >= 1, "retries %d: a safe request is never sent again" % n)
    return n


# --- the tests ---

def test_config_claims(px):
    """What the tests below rely on is what haproxy.cfg says."""
    cfg = shipped_config()
    on = config_value(cfg, "retry-on").split()
    eq(sorted(on), ["conn-failure", "empty-response", "response-timeout"], on)
    eq(config_value(cfg, "http-request disable-l7-retry"), "unless p_retry")
    safe = config_value(cfg, "acl p_retry").split()
    eq(safe[0], "path", safe)
    eq(sorted(safe[1:]), sorted(p for _, p, s in ENDPOINTS if s == SAFE), safe)


def check_once_failed(px, style, code, status, host):
    """The first arrival of each request fails in `style`: safe ones come
    again and are answered, the others arrive once and get the error."""
    px.fake.phase(style, 1)
    out = send_all(px, 0, host)
    time.sleep(0.3)		# no late retry may arrive either
    for m, p, kind in ENDPOINTS:
        reply = out[(m, p)]
        st, term, n = px.access(reply[0], m, p)
        if kind == SAFE:
            eq(reply[1], 200, (m, p, reply))
            eq(reply[3]["data"]["attempt"], 2, (m, p, reply))
            eq(px.fake.count(m, p), 2, "%s %s arrivals" % (m, p))
            eq((st, n), (200, 1), "%s %s in the proxy's log" % (m, p))
        else:
            proxy_error(reply, status, code)
            eq(px.fake.count(m, p), 1, "%s %s arrivals" % (m, p))
            eq((st, n), (status, 0), "%s %s in the proxy's log" % (m, p))
            eq(term[:2], "SH" if style == "close" else "sH", (m, p, term))


def test_empty_response_retried_only_where_safe(px):
    """The shard closes after reading the request (a crash, a restart)."""
    check_once_failed(px, "close", "BAD_GATEWAY", 502, 11)


def test_response_timeout_retried_only_where_safe(px):
    """The shard reads the request and says nothing (a stall)."""
    check_once_failed(px, "silent", "GATEWAY_TIMEOUT", 504, 12)


def test_retries_bounded(px):
    """A shard that always closes: a safe request is sent 1 + retries times,
    then the client gets the 502; the others once."""
    n = retries()
    px.fake.phase("close", 1000)
    out = send_all(px, 0, 13)
    time.sleep(0.3)
    for m, p, kind in ENDPOINTS:
        proxy_error(out[(m, p)], 502, "BAD_GATEWAY")
        want = 1 + n if kind == SAFE else 1
        eq(px.fake.count(m, p), want, "%s %s arrivals" % (m, p))
        eq(px.access(out[(m, p)][0], m, p)[2], want - 1, (m, p))


def test_refused_connection_retried_everywhere(px):
    """Nothing listens on shard1 (dead, not yet noticed by the checks): a
    failed connect carried no request, so every endpoint is tried
    1 + retries times, then the client gets the 503."""
    n = retries()
    px.fake.phase("close", 0)
    out = send_all(px, 1, 14)
    for m, p, _ in ENDPOINTS:
        reply = out[(m, p)]
        proxy_error(reply, 503, "SHARD_UNAVAILABLE")
        st, term, got = px.access(reply[0], m, p)
        eq((st, term[:2], got), (503, "SC", n), "%s %s in the proxy's log" % (m, p))
        # Each retry waits min(timeout connect, 1 s) first.
        check(reply[5] >= 0.9 * n, "%s %s answered in %.2fs" % (m, p, reply[5]))
        # Routed to the dead shard, not to the fake.
        eq(px.fake.count(m, p), 0, (m, p))


TESTS = [test_config_claims, test_empty_response_retried_only_where_safe,
         test_response_timeout_retried_only_where_safe, test_retries_bounded,
         test_refused_connection_retried_everywhere]


def main():
    px = Proxy()
    return suite.run("retry", TESTS, px, lambda: "---- haproxy.log:\n" + px.log()[-3000:])


if __name__ == "__main__":
    sys.exit(main())
