"""HTTP limits and hostile clients: header deadline (slowloris), idle
keep-alive timeout, per-worker connection cap, rate limit, and thousands
of idle and slow connections not starving a normal client."""

import resource
import socket
import time

from pwtest import API_KEY, Server, check, eq, wait_until


def _conn(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(5)
    return s


def _closed(s, within):
    """True when the server closes s within the given seconds."""
    s.settimeout(within)
    try:
        return s.recv(1024) == b"" or True
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


def test_slowloris_cut_after_header_timeout():
    srv = Server(price=0, extra="header-timeout 2\nidle-timeout 30").start()
    try:
        s = _conn(srv.port)
        t0 = time.time()
        s.sendall(b"GET /healthz HTTP/1.1\r\n")
        # A byte a second keeps an inactivity timer happy; not the deadline.
        closed = False
        for i in range(6):
            time.sleep(0.5)
            try:
                s.sendall(b"X-%d: y\r\n" % i)
            except OSError:
                closed = True
                break
        if not closed:
            closed = _closed(s, 2)
        check(closed, "slow client not cut")
        check(time.time() - t0 < 4.5, time.time() - t0)
        eq(srv.request("GET", "/healthz")[0], 200)
    finally:
        eq(srv.stop(), 0)


def test_idle_keepalive_timeout():
    srv = Server(price=0, extra="idle-timeout 1").start()
    try:
        s = _conn(srv.port)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        check(s.recv(4096).startswith(b"HTTP/1.1 200"))
        t0 = time.time()
        check(_closed(s, 4), "idle connection kept")
        check(time.time() - t0 < 3.5)
    finally:
        eq(srv.stop(), 0)


def test_connection_cap_per_worker():
    srv = Server(price=0, workers=1, extra="max-connections 4").start()
    try:
        # Each sends its first byte: the listener defers a connection
        # until it has data (TCP_DEFER_ACCEPT, accf_data).
        held = [_conn(srv.port) for _ in range(4)]
        for s in held:
            s.sendall(b"G")
        time.sleep(0.3)
        late = _conn(srv.port)
        late.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        late.settimeout(0.7)
        try:
            got = late.recv(4096)
        except socket.timeout:
            got = b""
        eq(got, b"", "served past max-connections")
        held.pop().close()
        late.settimeout(3)
        check(late.recv(4096).startswith(b"HTTP/1.1 200"))
        for s in held:
            s.close()
        m = srv.request("GET", "/metrics", raw=True)[2].decode()
        check("playwaved_connections_refused_total 0" not in m, m)
    finally:
        eq(srv.stop(), 0)


def test_rate_limit_429():
    srv = Server(price=0, rate_limit=20).start()
    try:
        _, gs = srv.session("pc-rate")
        c = srv.connect()
        codes = []
        for _ in range(60):
            st, h, d = srv.heartbeat(gs, conn=c)
            codes.append(st)
            if st == 429:
                eq(d["error"]["code"], "RATE_LIMITED")
                check(int(h["retry-after"]) >= 1, h)
        check(codes.count(429) > 0, codes)
        check(15 <= codes.count(200) <= 30, codes)
        # Another key of the same game has its own bucket.
        from pwtest import API_KEY2
        eq(srv.heartbeat(gs, key=API_KEY2)[0], 200)
    finally:
        eq(srv.stop(), 0)


def test_thousands_idle_and_slow_clients():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 3500
    if hard < want:
        print("  skipped: RLIMIT_NOFILE hard limit %d < %d" % (hard, want))
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))
    # Every client here is 127.0.0.1: no per-source cap for this one.
    srv = Server(price=0, extra="header-timeout 30\nidle-timeout 60\n"
                 "max-connections-per-source 0").start()
    socks = []
    try:
        _, gs = srv.session("pc-flood")
        for i in range(2000):
            socks.append(socket.create_connection(("127.0.0.1", srv.port)))
        for i in range(1000):
            s = socket.create_connection(("127.0.0.1", srv.port))
            s.sendall(b"PATCH /v1/game/session/heartbeat HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        worst = 0.0
        c = srv.connect(timeout=5)
        for _ in range(20):
            t0 = time.time()
            st, _, d = srv.heartbeat(gs, conn=c)
            worst = max(worst, time.time() - t0)
            eq(st, 200, d)
        check(worst < 1.0, worst)
    finally:
        for s in socks:
            s.close()
        eq(srv.stop(), 0)
