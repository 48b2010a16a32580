"""Hostile input and faults: generated garbage, ab, SIGKILLed workers
under load, a full store, bad store files, memory growth, privilege drop,
/metrics format and the access log."""

import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time
import uuid

import pwtest
from pwtest import API_KEY, Server, check, eq, wait_until

SERVER = dict(price=0)


def _raw(port, data, timeout=2):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(timeout)
    out = b""
    try:
        s.sendall(data)
        while True:
            c = s.recv(65536)
            if not c:
                break
            out += c
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        pass
    s.close()
    return out


def _mutate(rng, b):
    b = bytearray(b)
    for _ in range(rng.randint(1, 6)):
        op = rng.randint(0, 4)
        i = rng.randrange(len(b) + 1)
        if op == 0 and b:
            b[min(i, len(b) - 1)] = rng.randrange(256)
        elif op == 1:
            b[i:i] = bytes(rng.choice([b"\\", b"\"", b"{", b"}", b"\x00", b"\xff",
                                       b"\\u0000", b"\\ud800", b",", b":", b"[",
                                       b"1e999", b"-", b"null"]))
        elif op == 2 and b:
            del b[i:i + rng.randint(1, 8)]
        elif op == 3:
            b = b[:i]
        else:
            b[i:i] = b * rng.randint(1, 3) if len(b) < 500 else b""
    return bytes(b)


def test_generated_garbage_no_worker_crash(srv):
    before = sorted(p for p, t in srv.children() if "worker" in t)
    rng = random.Random(1234)
    seeds = [json.dumps({"ott": str(uuid.uuid4()), "provider_user_id": "123"}).encode(),
             json.dumps({"game_session_id": "gs_" + str(uuid.uuid4()),
                         "provider_user_id": "1", "play_duration_sec": 5}).encode()]
    paths = ["verify", "heartbeat", "end", "check"]
    methods = {"verify": "POST", "heartbeat": "PATCH", "end": "DELETE", "check": "POST"}
    statuses = {}
    c = srv.connect()
    for i in range(400):
        p = paths[i % 4]
        body = _mutate(rng, rng.choice(seeds))
        try:
            st, _, d = srv.request(methods[p], "/v1/game/session/" + p, body,
                                   {"X-Api-Key": API_KEY}, conn=c)
        except Exception:
            c = srv.connect()
            continue
        check(st in (200, 400, 403, 404, 409, 410, 413), (st, body))
        check(isinstance(d, dict) and "request_id" in d, (st, body, d))
        statuses[st] = statuses.get(st, 0) + 1
    check(statuses.get(400, 0) > 150, statuses)
    lines = [b"GET", b"GET /", b"/ GET HTTP/1.1", b"GET / HTTP/1.1 extra",
             b"\x00\x01\x02", b"GET /healthz HTTP/1.1\r\nHost", b"POST / HTTP/1.0",
             b"PATCH /v1/game/session/heartbeat HTTP/1.1\r\nContent-Length: x",
             b"GET /%00 HTTP/1.1", b"GET http://x/ HTTP/1.1",
             b"\xff\xfe HTTP/1.1", b"GET /healthz HTTP/1.1\r\n: novalue"]
    for i in range(120):
        req = _mutate(rng, rng.choice(lines)) + b"\r\n\r\n"
        out = _raw(srv.port, req, timeout=1)
        check(b"<HTML" not in out.upper(), out)
    after = sorted(p for p, t in srv.children() if "worker" in t)
    eq(after, before, "worker pids changed: a worker crashed")
    eq(srv.request("GET", "/healthz")[0], 200)


def _rst(port, data):
    """Send data, then reset the connection (SO_LINGER 0) without reading."""
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.sendall(data)
    s.close()


def test_connection_edges_no_worker_crash(srv):
    """The ends of a connection: bytes after a closing request, resets
    mid-request and mid-reply, half-closed clients and a deep pipeline."""
    before = sorted(p for p, t in srv.children() if "worker" in t)
    hz = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    close = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    for i in range(60):
        out = _raw(srv.port, close + b"GARBAGE" * i + hz, timeout=2)
        eq(out.count(b"HTTP/1.1 200"), 1, out)
        _rst(srv.port, hz * (i % 5) + b"PATCH /v1/game/session/heartbeat "
             b"HTTP/1.1\r\nContent-Length: 100\r\n\r\n{")
        _rst(srv.port, hz * 50)
    # A client that half-closes after its requests gets every answer.
    for n in (1, 3, 100):
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.settimeout(3)
        s.sendall(hz * n)
        s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            c = s.recv(65536)
            if not c:
                break
            out += c
        s.close()
        eq(out.count(b"HTTP/1.1 200"), n, out[-200:])
    # 500 pipelined requests in one write: 500 answers, in order.
    out = _raw(srv.port, hz * 499 + close, timeout=5)
    eq(out.count(b"HTTP/1.1 200"), 500)
    after = sorted(p for p, t in srv.children() if "worker" in t)
    eq(after, before, "worker pids changed: a worker crashed")
    eq(srv.request("GET", "/healthz")[0], 200)


def test_client_that_does_not_read():
    """A client that pipelines without reading is held back by TCP, not
    buffered: the worker's memory stays put.  Then a slow reader with a
    small receive buffer gets every answer before the close it asked for,
    none cut off."""
    srv = Server(price=0, workers=1).start()
    try:
        pid = [p for p, t in srv.children() if "worker" in t][0]
        hz = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        rss0 = pwtest.rss_kb(pid)
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.settimeout(0.2)
        sent, t0 = 0, time.time()
        while time.time() - t0 < 3:
            try:
                sent += s.send(hz * 1000)
            except socket.timeout:
                pass
        grew = pwtest.rss_kb(pid) - rss0
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        # Past the socket buffers the server stops reading from it.
        check(1000000 < sent < 32 << 20, "sent %d bytes" % sent)
        # ASan's quarantine keeps freed memory resident by design.
        if "asan" not in pwtest.BUILD:
            check(grew < 8192, "worker RSS grew %d kB for %d bytes unread" %
                  (grew, sent))
        # 20,000 answers to a reader that waits a second before reading.
        n = 20000
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", srv.port))
        req = hz * (n - 1) + b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        th = threading.Thread(target=lambda: s.sendall(req), daemon=True)
        th.start()
        time.sleep(1.0)
        s.settimeout(10)
        out = bytearray()
        while True:
            c = s.recv(1 << 20)
            if not c:
                break
            out += c
        s.close()
        th.join(5)
        eq(out.count(b"HTTP/1.1 200"), n)
        eq(srv.request("GET", "/healthz")[0], 200)
    finally:
        eq(srv.stop(), 0)


def test_large_body_limit_answers_413():
    """Bodies over a large max-body are answered, in JSON, at once."""
    srv = Server(price=0, workers=1, max_body=1048576).start()
    try:
        for size in (1048576 + 10, 1500000, 2000000):
            body = b"{" + b" " * (size - 2) + b"}"
            t0 = time.time()
            st, _, d = srv.request("POST", "/v1/game/session/verify", body,
                                   {"X-Api-Key": API_KEY,
                                    "Content-Type": "application/json"},
                                   timeout=10)
            eq(st, 413, d)
            eq(d["error"]["code"], "PAYLOAD_TOO_LARGE")
            check(time.time() - t0 < 5, "took %.1f s" % (time.time() - t0))
    finally:
        eq(srv.stop(), 0)


def test_ab_keepalive_heartbeat(srv):
    if shutil.which("ab") is None:
        print("  skipped: ab not installed (make deps installs it)")
        return
    _, gs = srv.session("pc-ab")
    body = os.path.join(srv.tmp, "hb.json")
    with open(body, "w") as f:
        json.dump({"game_session_id": gs, "provider_user_id": "123456789"}, f)
    p = subprocess.run(["ab", "-k", "-n", "20000", "-c", "32", "-p", body, "-m", "PATCH",
                        "-T", "application/json", "-H", "X-Api-Key: " + API_KEY,
                        "http://127.0.0.1:%d/v1/game/session/heartbeat" % srv.port],
                       capture_output=True, text=True, timeout=120)
    eq(p.returncode, 0, p.stderr)
    check(re.search(r"Complete requests:\s+20000", p.stdout), p.stdout)
    check(re.search(r"Failed requests:\s+0\b", p.stdout), p.stdout)
    check("Non-2xx" not in p.stdout, p.stdout)
    check(re.search(r"Keep-Alive requests:\s+20000", p.stdout), p.stdout)


def test_metrics_strict_and_monotonic(srv):
    def scrape():
        st, h, body = srv.request("GET", "/metrics", raw=True)
        eq(st, 200)
        check(h["content-type"].startswith("text/plain; version=0.0.4"), h)
        text = body.decode()
        helps, types, samples = set(), {}, {}
        for line in text.splitlines():
            if line.startswith("# HELP "):
                helps.add(line.split()[2])
            elif line.startswith("# TYPE "):
                _, _, name, kind = line.split()
                check(kind in ("counter", "gauge", "histogram"), line)
                types[name] = kind
            else:
                m = re.match(r'^([a-z_]+)(\{[a-z_]+="[A-Za-z0-9_.:+-]+"'
                             r'(?:,[a-z_]+="[A-Za-z0-9_.:+-]+")*\})? '
                             r'(\d+(?:\.\d+)?)$', line)
                check(m, "bad sample line: %r" % line)
                # A histogram's samples are its family's, with a suffix.
                fam = re.sub(r"_(bucket|sum|count)$", "", m.group(1))
                if types.get(fam) != "histogram":
                    fam = m.group(1)
                check(fam in helps and fam in types, line)
                kind = "counter" if types[fam] == "histogram" else types[fam]
                samples[m.group(1) + (m.group(2) or "")] = (kind,
                                                            float(m.group(3)))
        check(len(samples) > 30, len(samples))
        return samples
    a = scrape()
    srv.session("pc-metrics")
    srv.request("GET", "/nope")
    time.sleep(0.6)
    b = scrape()
    for k, (kind, v) in a.items():
        if kind == "counter":
            check(b[k][1] >= v, (k, v, b[k]))
    check(b['playwaved_endpoint_requests_total{endpoint="verify"}'][1] >
          a['playwaved_endpoint_requests_total{endpoint="verify"}'][1])
    check(b['playwaved_endpoint_requests_total{endpoint="other"}'][1] >
          a['playwaved_endpoint_requests_total{endpoint="other"}'][1])
    check(b["playwaved_otts_consumed_total"][1] > a["playwaved_otts_consumed_total"][1])


def test_latency_histogram_counts_requests(srv):
    """Each reply is counted in its endpoint's request_duration_seconds
    histogram, refused ones under "other"."""
    def count(ep):
        m = srv.request("GET", "/metrics", raw=True)[2].decode()
        r = re.search(r'^playwaved_request_duration_seconds_count\{endpoint='
                      r'"%s"\} (\d+)$' % ep, m, re.M)
        check(r, "no count for %s" % ep)
        return int(r.group(1))
    h0, o0 = count("healthz"), count("other")
    for _ in range(5):
        eq(srv.request("GET", "/healthz")[0], 200)
    eq(srv.request("GET", "/nowhere")[0], 404)
    # /metrics itself is counted under "metrics" and changes neither.
    eq((count("healthz"), count("other")), (h0 + 5, o0 + 1))


def test_metrics_whole_with_every_cafe():
    """/metrics grows with the configuration (a line per cafe): with the
    most cafes a file may hold (more than twice the worker's first render
    buffer), the scrape is whole, not cut."""
    cafes = "".join("cafe c%03d {\n    network 10.%d.%d.0/24\n}\n" %
                    (i, i >> 8, i & 255) for i in range(255))
    srv = Server(price=0, extra=cafes, cafe_start_quota=1).start()
    try:
        st, _, body = srv.request("GET", "/metrics", raw=True)
        eq(st, 200)
        text = body.decode()
        check(len(text) > 32768, len(text))
        eq(text.count("playwaved_cafe_home_key_starts_total{cafe="), 256)
        # The last family of the table is there, its last line whole.
        check(text.endswith("\n"), text[-200:])
        last = [l for l in text.splitlines() if l.startswith("# TYPE ")][-1]
        fam = last.split()[2]
        check(text.splitlines()[-1].startswith(fam), text[-300:])
    finally:
        eq(srv.stop(), 0)


def test_metrics_listen_only_ops():
    mport = pwtest.free_port()
    srv = Server(price=0, extra="metrics-listen 127.0.0.1:%d" % mport).start()
    try:
        eq(srv.request("GET", "/metrics")[0], 404)
        c = srv.port
        srv.port = mport
        try:
            eq(srv.request("GET", "/metrics", raw=True)[0], 200)
            eq(srv.request("GET", "/healthz")[0], 200)
            eq(srv.game("POST", "verify", {"ott": "x"})[0], 404)
        finally:
            srv.port = c
    finally:
        eq(srv.stop(), 0)


def _fd_targets(pid):
    d = "/proc/%d/fd" % pid
    out = set()
    for fd in os.listdir(d):
        try:
            out.add(os.readlink(os.path.join(d, fd)))
        except OSError:
            pass
    return out


def _writes_to(srv, path):
    """Whether the master and every worker hold `path' and nothing else
    under its name (a rotated file shows as path.1)."""
    pids = [srv.proc.pid] + [p for p, t in srv.children()
                             if t.startswith("playwaved: worker")]
    try:
        return len(pids) == 3 and all(
            path in t and path + ".1" not in t
            for t in map(_fd_targets, pids))
    except OSError:
        return False


def test_access_log_and_reopen():
    srv = Server(price=0, extra='access-log "%s"' % "ACCESS")
    log = os.path.join(srv.tmp, "access.log")
    srv.write_config(extra='access-log "%s"' % log)
    srv.start()
    try:
        srv.request("GET", "/healthz", headers={"X-Request-ID": "trace-1"})
        wait_until(lambda: os.path.exists(log) and "trace-1" in open(log).read(), 3)
        line = [l for l in open(log) if "trace-1" in l][0].split()
        eq(line[1:6], ["127.0.0.1", "GET", "/healthz", "200", "15"])
        check(line[6].isdigit() and line[7] == "trace-1", line)
        os.rename(log, log + ".1")
        os.kill(srv.proc.pid, signal.SIGUSR1)
        wait_until(lambda: _writes_to(srv, log), 5,
                   what="master and workers to reopen the access log")
        for _ in range(4):
            srv.request("GET", "/healthz", headers={"X-Request-ID": "trace-2"})
        check("trace-2" in open(log).read())
        check("trace-2" not in open(log + ".1").read())
        # A worker forked after the rotation inherits the new file.
        old = srv.pid_of("playwaved: worker 0")
        os.kill(old, signal.SIGKILL)
        wait_until(lambda: srv.pid_of("playwaved: worker 0") not in (None, old),
                   5, what="worker 0 respawned")
        wait_until(lambda: _writes_to(srv, log), 5,
                   what="the new worker on the current access log")
    finally:
        eq(srv.stop(), 0)


def _busy_slots(srv):
    st = srv.ctl("status", json_out=True)
    return st.get("store_busy", st.get("busy", 0))


def test_sigkill_workers_under_load():
    srv = Server(price=0, workers=2).start()
    stop = threading.Event()
    made, errors = [], []

    def load():
        while not stop.is_set():
            try:
                _, gs = srv.session("pc-k%d" % random.randint(0, 50))
                made.append(gs)
            except Exception as e:
                errors.append(e)
                time.sleep(0.02)
    try:
        ts = [threading.Thread(target=load) for _ in range(3)]
        for t in ts:
            t.start()
        for _ in range(15):
            time.sleep(0.25)
            w = [p for p, t in srv.children() if "worker" in t]
            if w:
                os.kill(random.choice(w), signal.SIGKILL)
        time.sleep(1.0)
        stop.set()
        for t in ts:
            t.join(20)
        check(len(made) > 50, len(made))
        # Service continued; every session that was answered exists.
        for gs in random.sample(made, 30):
            st, _, d = srv.heartbeat(gs)
            check(st == 200 or (st == 200 and d["data"]["result"] == "SESSION_REPLACED"),
                  (st, d))
        # No slot stays claimed by a dead worker once the reaper passed.
        time.sleep(0.6)
        st = srv.ctl("status", json_out=True)
        eq(st["store_busy"], 0)
    finally:
        stop.set()
        eq(srv.stop(), 0)


def test_store_full_503_then_recovers():
    """A launcher cannot fill the store (its OTTs and nonces are bounded,
    test_trust), so the operator's tool does: OTTs issued until the store
    refuses, then every insert answers 503 until the reaper frees them.
    The OTTs live long while the tool fills (however slow the build), and
    a restart with a short ott-ttl lets the reaper free them at once."""
    srv = Server(price=0, store_slots=1024, ott_ttl=600, cafe_start_quota=20,
                 home_start_total=10).start()
    try:
        ls = srv.launcher_session("pc-full")["launcher_session_id"]
        for _ in range(1100):
            p = srv.ctl("ott", "issue", "fantasyquest", check_rc=False)
            if p.returncode != 0:
                check("full" in p.stderr, p.stderr)
                break
        else:
            raise pwtest.TestFailure("playwavectl filled no store")
        st, _, d = srv.launcher("ott", {"launcher_session_id": ls,
                                        "game_id": "fantasyquest"})
        eq((st, d["error"]["code"]), (503, "STORE_FULL"))
        m = srv.request("GET", "/metrics", raw=True)[2].decode()
        check(re.search(r"playwaved_store_full_total [1-9]", m), m)
        # Readiness names the store once the reaper has counted it.
        wait_until(lambda: srv.request("GET", "/readyz")[2] ==
                   {"status": "not_ready", "failed": ["store"]}, 3,
                   what="/readyz to name the store")
        eq(srv.stop(), 0)
        # The reaper frees the OTTs 2 x ott-ttl + 1 s after issue.
        srv.write_config(ott_ttl=1)
        srv.start()
        wait_until(lambda: srv.launcher("ott", {"launcher_session_id": ls,
                                                "game_id": "fantasyquest"})[0] == 200,
                   30, step=1.0, what="the store to have room again")
        wait_until(lambda: srv.request("GET", "/readyz")[0] == 200, 3,
                   what="ready again")
    finally:
        eq(srv.stop(), 0)


def _digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_bad_store_files_refused_untouched():
    srv = Server(price=0).start()
    eq(srv.stop(), 0)
    store = os.path.join(srv.tmp, "store")
    good = open(store, "rb").read()
    cases = []
    bad = bytearray(good)
    bad[8:12] = (99).to_bytes(4, "little")
    cases.append(("version", bytes(bad), "version"))
    cases.append(("truncated", good[:len(good) // 2], "truncated"))
    cases.append(("magic", b"X" * 8 + good[8:], "not a playwaved store"))
    for name, content, word in cases:
        with open(store, "wb") as f:
            f.write(content)
        d = _digest(store)
        p = subprocess.run([pwtest.DAEMON, "-d", "-f", srv.conf], cwd=srv.tmp,
                           capture_output=True, text=True, timeout=20)
        check(p.returncode != 0, name)
        check(word in p.stderr, (name, p.stderr))
        eq(_digest(store), d, name + ": file changed")
    with open(store, "wb") as f:
        f.write(good)
    # Unwritable: a read-only store for a daemon that is not root (root
    # would write it anyway), started as nobody when we are root.
    os.chmod(store, 0o444)
    os.chmod(srv.tmp, 0o777)
    demote = None
    if os.geteuid() == 0:
        def demote():
            os.setgid(65534)
            os.setuid(65534)
    d = _digest(store)
    p = subprocess.run([pwtest.DAEMON, "-d", "-f", srv.conf], cwd=srv.tmp,
                       capture_output=True, text=True, timeout=20,
                       preexec_fn=demote)
    check(p.returncode != 0, p.stderr)
    check("Permission denied" in p.stderr, p.stderr)
    eq(_digest(store), d, "unwritable: file changed")
    os.chmod(srv.tmp, 0o700)


def test_worker_rss_bounded_over_100k_requests():
    if "asan" in pwtest.BUILD:
        # ASan's quarantine keeps freed memory resident by design.
        print("  skipped: sanitizer build (RSS is measured in the plain one)")
        return
    srv = Server(price=0, workers=1).start()
    try:
        _, gs = srv.session("pc-rss")
        body = json.dumps({"game_session_id": gs, "provider_user_id": "123456789"})
        req = ("PATCH /v1/game/session/heartbeat HTTP/1.1\r\nHost: x\r\n"
               "X-Api-Key: %s\r\nContent-Type: application/json\r\n"
               "Content-Length: %d\r\n\r\n%s" % (API_KEY, len(body), body)).encode()
        worker = srv.pid_of("playwaved: worker 0")

        def blast(n, batch=100):
            s = socket.create_connection(("127.0.0.1", srv.port))
            s.settimeout(10)
            got = 0
            buf = b""
            while got < n:
                s.sendall(req * batch)
                want = got + batch
                while got < want:
                    buf += s.recv(1 << 20)
                    k = buf.count(b"HTTP/1.1 200")
                    if k:
                        got += k
                        buf = buf[buf.rfind(b"HTTP/1.1 200") + 12:]
            s.close()
        blast(10000)
        base = pwtest.rss_kb(worker)
        blast(100000)
        grown = pwtest.rss_kb(worker) - base
        print("  worker RSS %d kB, grew %d kB over 100000 requests" % (base, grown))
        check(grown < 2048, grown)
        eq(srv.pid_of("playwaved: worker 0"), worker)
    finally:
        eq(srv.stop(), 0)


def test_root_with_user_runs_workers_unprivileged():
    if os.geteuid() != 0:
        print("  skipped: not root (the test needs to start playwaved as root)")
        return
    srv = Server(price=0, extra="user nobody")
    os.chmod(srv.tmp, 0o755)
    srv.start()
    try:
        for pid, title in srv.children():
            uid = int([l for l in open("/proc/%d/status" % pid)
                       if l.startswith("Uid:")][0].split()[1])
            if title == "playwaved: master":
                eq(uid, 0)
            else:
                check(uid != 0, (title, uid))
        _, gs = srv.session("pc-user")
        eq(srv.end(gs)[0], 200)
        wait_until(lambda: any(e["type"] == "END" for e in srv.log_events()), 3,
                   what="the unprivileged reaper to write the billing log")
    finally:
        eq(srv.stop(), 0)
