"""The HTTP engine (src/http/): what a strict, small HTTP/1.1 server owes
its clients and itself beyond the framing rules of test_strict -- chunk
sizes read strictly, a silent connection cut at header-timeout, a refused
request's reply not lost to a reset, Expect: 100-continue, a per-source
connection cap that trusts proxies, accept paused when out of
descriptors, no allocation per keep-alive request, idle connections that
hold no buffers, and idle keep-alive connections closed at once on
SIGTERM."""

import json
import os
import resource
import signal
import socket
import subprocess
import threading
import time

import pwtest
from pwtest import API_KEY, Server, check, eq, exchange, wait_until

H = b"Host: x\r\n"
KEY = b"X-Api-Key: " + API_KEY.encode() + b"\r\n"
VERIFY = b"POST /v1/game/session/verify HTTP/1.1\r\n"
CT = b"Content-Type: application/json\r\n"
HIDDEN = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
SERVER = dict(price=0)


def statuses(out):
    return [int(l.split()[1]) for l in out.split(b"\r\n")
            if l.startswith(b"HTTP/1.1 ")]


def body_of(out):
    return json.loads(out.split(b"\r\n\r\n", 1)[1])


def test_chunk_size_strict(srv):
    """Chunk sizes are hex digits alone, and every line ends in CRLF: what
    a lenient parser would read as another body is a 400, closed, and the
    request hidden behind it never answered."""
    head = VERIFY + H + KEY + CT + b"Transfer-Encoding: chunked\r\n\r\n"
    for bad in (b"0x2\r\n{}\r\n0\r\n\r\n", b" 2\r\n{}\r\n0\r\n\r\n",
                b"2 \r\n{}\r\n0\r\n\r\n", b"+2\r\n{}\r\n0\r\n\r\n",
                b"2\r\n{}0\r\n\r\n", b"2\n{}\r\n0\r\n\r\n",
                b"2\r\n{}\r\n0\r\n\n", b"2;\x01\r\n{}\r\n0\r\n\r\n"):
        out, closed = exchange(srv.port, head + bad + HIDDEN)
        eq(statuses(out), [400], (bad, out))
        eq(body_of(out)["error"]["code"], "BAD_REQUEST", bad)
        check(closed, bad)
    # Well formed: the body decoded (a JSON 400 for the missing fields).
    out, closed = exchange(srv.port, head + b"1\r\n{\r\n1;x=y\r\n}\r\n0\r\n"
                           b"T: t\r\n\r\n")
    eq(statuses(out), [400], out)
    check(b"missing field 'ott'" in out, out)


def test_silent_connection_cut_at_header_timeout():
    """A connection that never sends a byte is cut at header-timeout from
    accept, not kept for idle-timeout."""
    srv = Server(price=0, extra="header-timeout 2\nidle-timeout 60").start()
    try:
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.settimeout(6)
        t0 = time.time()
        try:
            got = s.recv(10)
        except ConnectionResetError:
            got = b""
        took = time.time() - t0
        eq(got, b"")
        check(took < 4.5, "silent connection kept %.1f s" % took)
        s.close()
    finally:
        eq(srv.stop(), 0)


def test_lingering_close_keeps_the_reply(srv):
    """10 MB sent to an unknown path, without waiting: the 404 decided from
    the head arrives whole, not lost to a reset from the unread body."""
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.settimeout(5)
    size = 10 * 1024 * 1024
    s.sendall(b"POST /no/such HTTP/1.1\r\nHost: x\r\nX-Request-ID: lc-1\r\n"
              b"Content-Length: %d\r\n\r\n" % size)
    errors = []

    def pump():
        chunk = b"x" * 65536
        try:
            for _ in range(size // len(chunk)):
                s.sendall(chunk)
        except OSError as e:
            errors.append(e)
    t = threading.Thread(target=pump)
    t.start()
    out = b""
    try:
        while b"}" not in out:
            c = s.recv(65536)
            if not c:
                break
            out += c
    except ConnectionResetError as e:
        raise pwtest.TestFailure("reset before the reply: %r %r" % (e, out))
    t.join(30)
    s.close()
    eq(statuses(out), [404], out)
    d = body_of(out)
    eq((d["error"]["code"], d["request_id"]), ("NOT_FOUND", "lc-1"))


def test_close_with_unread_input_keeps_the_reply(srv):
    """A connection the server closes after a reply (Connection: close, an
    HTTP/1.0 request, a chunked body) while the client has sent more than
    it read is closed in stages too (RFC 9112 9.6): a reply still in the
    server's socket buffer (/metrics, to a client with a small receive
    buffer that reads late) arrives whole, not cut by the reset that
    closing on unread bytes sends."""
    chunked = (b"POST /v1/game/session/verify HTTP/1.1\r\n" + H + CT +
               b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    for first in (b"GET /metrics HTTP/1.1\r\nHost: x\r\n"
                  b"Connection: close\r\n\r\n",
                  b"GET /metrics HTTP/1.0\r\n\r\n",
                  HIDDEN + b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n" +
                  chunked):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        s.connect(("127.0.0.1", srv.port))
        s.setblocking(False)
        # With what the client sent on with, more than the server reads.
        data = first + HIDDEN * 5000
        while data:
            try:
                data = data[s.send(data):]
            except BlockingIOError:
                break
        time.sleep(0.5)
        s.settimeout(5)
        out = b""
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    break
                out += c
        except ConnectionResetError:
            pass
        s.close()
        while out:
            head, _, rest = out.partition(b"\r\n\r\n")
            n = int(head.lower().split(b"content-length: ")[1].split()[0])
            check(len(rest) >= n, "a reply cut short: %d of %d bytes, %r" %
                  (len(rest), n, first[:40]))
            out = rest[n:]


def test_expect_100_continue(srv):
    """Asked to be asked, the server asks before it reads the body; a
    request refused from its head gets its answer without the 100."""
    _, gs = srv.session("pc-100")
    body = json.dumps({"game_session_id": gs,
                       "provider_user_id": "123456789"}).encode()
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.settimeout(3)
    s.sendall(b"PATCH /v1/game/session/heartbeat HTTP/1.1\r\n" + H + KEY +
              CT + b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" %
              len(body))
    first = s.recv(100)
    eq(first, b"HTTP/1.1 100 Continue\r\n\r\n")
    s.sendall(body)
    out = b""
    while b"}}" not in out:
        out += s.recv(65536)
    eq(statuses(out), [200], out)
    s.close()
    out, closed = exchange(srv.port, b"POST /nope HTTP/1.1\r\n" + H +
                           b"Expect: 100-continue\r\nContent-Length: 5\r\n"
                           b"\r\n")
    eq(statuses(out), [404], out)
    check(closed)


def test_no_100_continue_to_http10(srv):
    """An HTTP/1.0 client knows no 1xx reply: its Expect: 100-continue is
    ignored (RFC 9110 10.1.1, 15.2), and its one reply is the final one."""
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.settimeout(0.5)
    s.sendall(b"POST /v1/game/session/verify HTTP/1.0\r\n" + KEY + CT +
              b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\n")
    try:
        first = s.recv(100)
    except socket.timeout:
        first = b""
    eq(first, b"", "a 1xx sent to an HTTP/1.0 client")
    s.settimeout(3)
    s.sendall(b"{}")
    out = first
    while True:
        c = s.recv(65536)
        if not c:
            break
        out += c
    s.close()
    eq(statuses(out), [400], out)
    check(b"missing field 'ott'" in out, out)


def held(port, n):
    """n keep-alive connections the worker holds, each answered once (a
    deferred accept hands a worker a connection with its first bytes)."""
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.settimeout(3)
        try:
            s.sendall(HIDDEN)
            s.recv(4096)
        except OSError:
            pass
        socks.append(s)
    return socks


def served(s):
    try:
        s.sendall(HIDDEN)
        return s.recv(4096).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def metric(srv, name):
    m = srv.request("GET", "/metrics", raw=True)[2].decode()
    for line in m.splitlines():
        if line.startswith("playwaved_" + name + " "):
            return int(line.split()[1])
    return None


def test_per_source_cap():
    """max-connections-per-source: a peer's connections past it are closed
    at accept; a trusted proxy carries every client's and is exempt."""
    srv = Server(price=0, workers=1,
                 extra="max-connections-per-source 3").start()
    try:
        socks = held(srv.port, 3)
        time.sleep(0.2)
        late = socket.create_connection(("127.0.0.1", srv.port))
        late.settimeout(3)
        eq(served(late), False, "served past max-connections-per-source")
        late.close()
        check(all(served(s) for s in socks))
        for s in socks:
            s.close()
        wait_until(lambda: served(socket.create_connection(
            ("127.0.0.1", srv.port))), 5, what="the cap to free again")
        check(metric(srv, "connections_over_source_cap_total") >= 1)
    finally:
        eq(srv.stop(), 0)
    srv = Server(price=0, workers=1, cafe_net="10.9.0.0/16",
                 extra="max-connections-per-source 3\n"
                 "trusted-proxy 127.0.0.1/32").start()
    try:
        socks = held(srv.port, 10)
        check(all(served(s) for s in socks), "a trusted proxy was capped")
        for s in socks:
            s.close()
    finally:
        eq(srv.stop(), 0)


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_out_of_descriptors_pauses_accept():
    """A worker out of descriptors pauses accepting instead of spinning on
    the connection it cannot take, and serves again once some close."""
    def lowfd():
        resource.setrlimit(resource.RLIMIT_NOFILE, (48, 48))
    srv = Server(price=0, workers=1, extra="max-connections-per-source 0")
    srv.preexec = lowfd
    srv.start()
    try:
        pid = srv.pid_of("playwaved: worker 0")
        check(pid, srv.titles())
        socks = []
        for _ in range(80):     # each begins a request: accepted, held
            s = socket.create_connection(("127.0.0.1", srv.port))
            s.sendall(b"G")
            socks.append(s)
        time.sleep(0.5)
        c0 = cpu_seconds(pid)
        time.sleep(2)
        used = cpu_seconds(pid) - c0
        check(used < 0.5, "worker busy %.2f s of 2 s out of descriptors"
              % used)
        for s in socks:
            s.close()
        wait_until(srv.healthy, 10, what="the worker to serve again")
        check(metric(srv, "accept_pauses_total") >= 1)
    finally:
        eq(srv.stop(), 0)


def mcount_shim(tmp):
    src = os.path.join(pwtest.ROOT, "tests", "integ", "mcount.c")
    so = os.path.join(tmp, "mcount.so")
    p = subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", so, src,
                        "-lpthread"], capture_output=True, text=True,
                       timeout=60)
    return so if p.returncode == 0 else None


def allocations(table, pid):
    with open(table, "rb") as f:
        data = f.read()
    off = (pid % 4096) * 16
    got = int.from_bytes(data[off:off + 4], "little")
    return int.from_bytes(data[off + 8:off + 16], "little") if got == pid \
        else 0


def test_no_allocation_per_keepalive_request():
    """Once a connection is warm, a request allocates nothing: counted by
    an allocator shim in the worker, over 2000 heartbeats and 2000 more
    pipelined (a new connection may take its first buffers)."""
    if os.uname().sysname != "Linux" or os.environ.get("PW_BUILD", "").find(
            "asan") != -1:
        print("  skipped: the shim needs glibc and no sanitizer")
        return
    srv = Server(price=0, workers=1)
    so = mcount_shim(srv.tmp)
    if so is None:
        print("  skipped: cannot build the allocator shim")
        return
    table = os.path.join(srv.tmp, "mcount")
    with open(table, "wb") as f:
        f.write(b"\0" * 4096 * 16)
    srv.env = {"LD_PRELOAD": so, "PW_MCOUNT": table}
    srv.start()
    try:
        _, gs = srv.session("pc-malloc")
        pid = srv.pid_of("playwaved: worker 0")
        c = srv.connect()
        for _ in range(200):
            eq(srv.heartbeat(gs, conn=c)[0], 200)
        before = allocations(table, pid)
        for _ in range(2000):
            eq(srv.heartbeat(gs, conn=c)[0], 200)
        warm = allocations(table, pid)
        body = json.dumps({"game_session_id": gs,
                           "provider_user_id": "123456789"}).encode()
        req = (b"PATCH /v1/game/session/heartbeat HTTP/1.1\r\n" + H + KEY +
               CT + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.settimeout(5)
        s.sendall(req * 20)
        out = b""
        while out.count(b"HTTP/1.1 200") < 20:
            out += s.recv(65536)
        mid = allocations(table, pid)
        for _ in range(100):
            s.sendall(req * 20)
            out = b""
            while out.count(b"HTTP/1.1 200") < 20:
                out += s.recv(65536)
        after = allocations(table, pid)
        s.close()
        c.close()
        eq(warm - before, 0, "allocations over 2000 keep-alive requests")
        eq(after - mid, 0, "allocations over 2000 pipelined requests")
        print("     worker allocations: %d at warm-up, 0 per request" %
              before)
    finally:
        eq(srv.stop(), 0)


def test_idle_connections_hold_no_buffers():
    """Memory grows with the connections that are busy, not with those
    that wait: 2000 keep-alive connections idle after a request each."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < 4500:
        print("  skipped: RLIMIT_NOFILE hard limit %d" % hard)
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 4500), hard))
    srv = Server(price=0, workers=1, extra="max-connections-per-source 0"
                 "\nidle-timeout 60").start()
    socks = []
    try:
        pid = srv.pid_of("playwaved: worker 0")
        base = pwtest.rss_kb(pid)
        for _ in range(2000):
            s = socket.create_connection(("127.0.0.1", srv.port))
            s.settimeout(5)
            s.sendall(HIDDEN)
            check(s.recv(4096).startswith(b"HTTP/1.1 200"))
            socks.append(s)
        grew = pwtest.rss_kb(pid) - base
        # A buffer held per connection would be 2000 x 24 KiB = 47 MB.
        check(grew < 12000, "worker RSS grew %d kB for 2000 idle "
              "connections" % grew)
        print("     worker RSS grew %d kB for 2000 idle connections" % grew)
    finally:
        for s in socks:
            s.close()
        eq(srv.stop(), 0)


def test_sigterm_closes_idle_keepalive_at_once():
    srv = Server(price=0, workers=1).start()
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.settimeout(5)
    s.sendall(HIDDEN)
    check(s.recv(4096).startswith(b"HTTP/1.1 200"))
    t0 = time.time()
    srv.proc.send_signal(signal.SIGTERM)
    try:
        got = s.recv(10)
    except ConnectionResetError:
        got = b""
    eq(got, b"")
    check(time.time() - t0 < 1.0, "idle connection kept %.2f s" %
          (time.time() - t0))
    s.close()
    eq(srv.stop(), 0)
