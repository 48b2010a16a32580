"""Integration-test support: start the real build/playwaved on a free
loopback port with a generated configuration, talk HTTP to it, run
playwavectl against it.  Standard library only; traffic goes to 127.0.0.1
and nowhere else."""

import base64
import hashlib
import hmac
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import threading
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("PW_BUILD", "build"))
DAEMON = os.path.join(BUILD, "playwaved")
CTL = os.path.join(BUILD, "playwavectl")

API_KEY = "test-api-key-fantasyquest"
API_KEY2 = "test-api-key-fantasyquest-new"
OTHER_KEY = "test-api-key-othergame"
LAUNCHER_SECRET = "test-launcher-home-key"     # the home key
LAUNCH_SECRET = "test-launch-token-secret"
HMAC_SECRET = "test-hmac-secret-fantasyquest"
OTHER_HMAC_SECRET = "test-hmac-secret-othergame"
CAFE_KEY_ID = "k-test"                         # the test cafe's launcher key
CAFE_KEY = "test-cafe-launcher-key"


REC = 160                                      # a record of log format 2


def header_len(path):
    """The length of the segment header a log file of format 2 opens
    with (its bytes 8-15)."""
    with open(path, "rb") as f:
        head = f.read(16)
    if head[:4] != b"PWS2":
        raise TestFailure("%s: no segment header" % path)
    return int.from_bytes(head[8:16], "little")


class TestFailure(AssertionError):
    pass


def check(cond, msg="check failed"):
    if not cond:
        raise TestFailure(msg)


def eq(a, b, msg=""):
    if a != b:
        raise TestFailure("%r != %r %s" % (a, b, msg))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_until(pred, timeout=5.0, step=0.05, what="condition"):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    raise TestFailure("timed out waiting for " + what)


WORKERS = 2


def config_text(port, state, **kw):
    o = dict(workers=WORKERS, ott_ttl=60, session_timeout=240, heartbeat_interval=120,
             charge_grace=120, billing_unit=60, launcher_timeout=240,
             max_body=8192, rate_limit=0, store_slots=16384,
             billing_fsync="interval", price=10, extra="", game_extra="",
             cafe="seoul-01", cafe_net="127.0.0.0/8", cafe_key=True,
             cafe_extra="", cafe_start_quota=250, home_start_quota=60,
             home_start_total=250)
    o.update(kw)
    key = (f'launcher-key {CAFE_KEY_ID} "{CAFE_KEY}"' if o["cafe_key"]
           else "")
    return f"""
listen 127.0.0.1:{port}
workers {o['workers']}
store "{state}/store"
store-slots {o['store_slots']}
billing-log "{state}/billing.log"
billing-fsync {o['billing_fsync']}
pidfile "{state}/playwaved.pid"
ott-ttl {o['ott_ttl']}
session-timeout {o['session_timeout']}
heartbeat-interval {o['heartbeat_interval']}
charge-grace {o['charge_grace']}
billing-unit {o['billing_unit']}
launcher-timeout {o['launcher_timeout']}
max-body {o['max_body']}
rate-limit {o['rate_limit']}
cafe-start-quota {o['cafe_start_quota']}
home-start-quota {o['home_start_quota']}
home-start-total {o['home_start_total']}
launcher-secret "{LAUNCHER_SECRET}"
launch-secret "{LAUNCH_SECRET}"
currency-truncation vnd 1000
{o['extra']}
game fantasyquest {{
    name "Fantasy Quest"
    api-key "{API_KEY}"
    api-key "{API_KEY2}"
    price {o['price']}
    provider gameprovider
    hmac-secret "{HMAC_SECRET}"
    min-bet 1 max-bet 500 default-bet 10 max-exposure 100000
    lobby-url "https://operator.example/lobby"
    deposit-url "https://operator.example/deposit"
    {o['game_extra']}
}}
game othergame {{
    name "Other Game"
    api-key "{OTHER_KEY}"
    price 5
    provider otherprovider
    hmac-secret "{OTHER_HMAC_SECRET}"
}}
cafe {o['cafe']} {{
    network {o['cafe_net']}
    {key}
    {o['cafe_extra']}
}}
"""


def new_nonce():
    return secrets.token_hex(16)


def start_signature(secret, method, target, ts, nonce, data):
    """Contract v3, a session start: hex HMAC-SHA256 with the start key
    (a cafe's launcher-key, or the home key) of METHOD, PATH, X-Timestamp,
    X-Nonce and the raw body, joined by newlines."""
    msg = b"\n".join([method.encode(), target.encode(), ts.encode(),
                      nonce.encode(), data])
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


def session_signature(key, method, target, seq, data):
    """Contract v3, a session request: hex HMAC-SHA256 with the 32 bytes
    of the session key of METHOD, PATH, X-Seq and the raw body."""
    msg = b"\n".join([method.encode(), target.encode(), str(seq).encode(),
                      data])
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def session_key_bytes(text):
    """The 32 bytes a start reply's session_key (base64url) encodes."""
    return base64.urlsafe_b64decode(text + "=")


def body_bytes(body):
    return json.dumps(body).encode() if not isinstance(body, bytes) else body


def start_signed(method, target, body, ts=None, secret=CAFE_KEY,
                 key_id=CAFE_KEY_ID, nonce=None, sign=True):
    """(data, headers) of a session start; key_id None signs with the
    home key's headers (no X-Key-Id)."""
    data = body_bytes(body)
    ts = str(int(time.time()) if ts is None else ts)
    h = {"Content-Type": "application/json"}
    if sign:
        nonce = new_nonce() if nonce is None else nonce
        h["X-Timestamp"] = ts
        h["X-Nonce"] = nonce
        h["X-Signature"] = start_signature(secret, method, target, ts, nonce,
                                           data)
        if key_id is not None:
            h["X-Key-Id"] = key_id
    return data, h


def session_signed(method, target, body, ls, key, seq):
    """(data, headers) of a request of launcher session ls."""
    data = body_bytes(body)
    h = {"Content-Type": "application/json", "X-Launcher-Session": ls,
         "X-Seq": str(seq),
         "X-Signature": session_signature(key, method, target, seq, data)}
    return data, h



def exchange(port, data, timeout=3.0):
    """Send raw bytes, read until the server closes or the deadline: the
    bytes, and whether the server closed."""
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(0.2)
    out, closed = b"", False
    end = time.time() + timeout
    try:
        s.sendall(data)
        while time.time() < end:
            try:
                c = s.recv(65536)
            except socket.timeout:
                continue
            if not c:
                closed = True
                break
            out += c
    except (ConnectionResetError, BrokenPipeError):
        closed = True
    s.close()
    return out, closed

def request(port, method, path, body=None, headers=None, conn=None,
            timeout=10, raw=False):
    """One HTTP request to 127.0.0.1:port (on conn if given, kept open):
    (status, lower-cased headers, JSON document or the raw payload)."""
    own = conn is None
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    h = dict(headers or {})
    data = None
    if body is not None:
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        if isinstance(data, str):
            data = data.encode()
        h.setdefault("Content-Type", "application/json")
    try:
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        payload = r.read()
    finally:
        if own:
            c.close()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    if raw:
        return r.status, hdrs, payload
    try:
        doc = json.loads(payload) if payload else None
    except ValueError:
        doc = payload
    return r.status, hdrs, doc



class Background:
    """Load from a thread while a test does its part: step() again and
    again until the with block ends.  A step that raises (a request
    refused while the test breaks something) only pauses the load."""

    def __init__(self, srv):
        self.srv, self.stop = srv, threading.Event()
        self.t = threading.Thread(target=self.run)

    def step(self):
        raise NotImplementedError

    def run(self):
        while not self.stop.is_set():
            try:
                self.step()
            except Exception:
                time.sleep(0.05)

    def __enter__(self):
        self.t.start()
        return self

    def __exit__(self, *a):
        self.stop.set()
        self.t.join(30)


def rss_kb(pid):
    """A process's resident set, kB (Linux /proc)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

class Server:
    """One playwaved, its state directory and its configuration."""

    def __init__(self, state=None, **kw):
        self.tmp = state or tempfile.mkdtemp(prefix="pwtest.")
        self.port = kw.pop("port", None) or free_port()
        self.kw = kw
        self.conf = os.path.join(self.tmp, "playwaved.conf")
        self.write_config(**kw)
        self.proc = None
        self.log = os.path.join(self.tmp, "daemon.log")
        # Launcher sessions started here: id -> [session key, next seq].
        self.sessions = {}
        # Environment of the daemon on top of ours (faketime, faults, a
        # shim), and what runs in it before exec (a limit).
        self.env = {}
        self.preexec = None
        self.daemon = DAEMON

    def write_config(self, **kw):
        merged = dict(self.kw)
        merged.update(kw)
        self.workers = merged.get("workers", WORKERS)
        with open(self.conf, "w") as f:
            f.write(config_text(self.port, self.tmp, **merged))

    def sanitizer_env(self, daemon=True):
        """Sanitizer reports of any daemon process go to files in the state
        directory; stop() fails the test when one exists.  The daemon's
        own additions (self.env) are not playwavectl's; its ASAN_OPTIONS
        add to ours."""
        env = dict(os.environ)
        extra = dict(self.env) if daemon else {}
        san = os.path.join(self.tmp, "sanitizer")
        asan = extra.pop("ASAN_OPTIONS", "")
        env.update(extra)
        env["ASAN_OPTIONS"] = ("detect_leaks=0:log_path=" + san +
                               (":" + asan if asan else ""))
        env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:log_path=" + san
        return env

    def sanitizer_reports(self):
        return [f for f in os.listdir(self.tmp) if f.startswith("sanitizer")]

    def start(self, wait=True):
        self.logf = open(self.log, "ab")
        self.proc = subprocess.Popen([self.daemon, "-d", "-f", self.conf],
                                     stdout=self.logf, stderr=self.logf,
                                     cwd=self.tmp, env=self.sanitizer_env(),
                                     preexec_fn=self.preexec)
        if wait:
            wait_until(self.healthy, 10, what="playwaved to answer /healthz")
            wait_until(self.all_up, 10, what="every worker and the reaper")
        return self

    def all_up(self):
        """Every worker and the reaper have taken their titles.  One worker
        answers /healthz while the others may still be forking, or still
        carry the master's title they were forked with: a test comparing
        the process set before and after would see a worker appear."""
        t = self.titles()
        return ("playwaved: reaper" in t and
                sum(x.startswith("playwaved: worker ") for x in t) ==
                self.workers)

    def healthy(self):
        try:
            st, _, _ = self.request("GET", "/healthz", timeout=1)
            return st == 200
        except OSError:
            return False

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        self.logf.close()
        wait_until(lambda: not self.children(), 5, what="children to exit")
        reports = self.sanitizer_reports()
        if reports:
            with open(os.path.join(self.tmp, reports[0])) as f:
                raise TestFailure("sanitizer report %s:\n%s" % (reports[0],
                                                                f.read()[:4000]))
        return rc

    def kill_all(self):
        """SIGKILL the master and every child at once, as a host that
        dies would (or a power cut, as far as processes go)."""
        pids = [p for p, _ in self.children()]
        if self.proc is not None:
            pids.append(self.proc.pid)
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(10)
        self.proc = None
        self.logf.close()
        wait_until(lambda: not self.children(), 10, what="every process gone")

    def children(self):
        """pids whose title says they are ours (found by the store path)."""
        out = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read()
                cwd = os.readlink(f"/proc/{pid}/cwd")
            except OSError:
                continue
            if cmd.startswith(b"playwaved:") and cwd == self.tmp:
                out.append((int(pid), cmd.split(b"\0")[0].decode().strip()))
        return out

    def titles(self):
        return sorted(t for _, t in self.children())

    def pid_of(self, title):
        for pid, t in self.children():
            if t == title:
                return pid
        return None

    def daemon_log(self):
        with open(self.log, "rb") as f:
            return f.read().decode(errors="replace")

    # --- HTTP -----------------------------------------------------------

    def connect(self, timeout=10):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, conn=None,
                timeout=10, raw=False):
        # Through connect(), which a subclass may bind to a source address.
        c = conn or self.connect(timeout)
        try:
            return request(self.port, method, path, body, headers, c,
                           timeout, raw)
        finally:
            if conn is None:
                c.close()

    def game(self, method, path, body=None, key=API_KEY, headers=None, conn=None):
        h = {"X-Api-Key": key} if key is not None else {}
        h.update(headers or {})
        return self.request(method, "/v1/game/session/" + path, body, h, conn)

    def launcher(self, path, body, ts=None, secret=None, method="POST",
                 headers=None, sign=True, nonce=None, conn=None, key_id=None,
                 home=False, ls=None, seq=None):
        """A launcher request signed as contract v3 says.  A start
        ("session") is signed with the test cafe's key, or with home=True
        with the home key (secret and key_id override either); its reply's
        session key is kept.  Any other path is a request of the launcher
        session ls (by default the body's launcher_session_id), signed
        with its key and its next seq unless seq is given."""
        target = "/v1/launcher/" + path
        if path == "session":
            if home:
                secret, key_id = secret or LAUNCHER_SECRET, key_id
            else:
                secret = secret or CAFE_KEY
                key_id = key_id or CAFE_KEY_ID
            data, h = start_signed(method, target, body, ts, secret, key_id,
                                   nonce, sign)
        else:
            if ls is None and isinstance(body, dict):
                ls = body.get("launcher_session_id")
            key, nxt = self.sessions.get(ls, [bytes(32), 1])
            if seq is None:
                seq = nxt
            self.sessions[ls] = [key, max(nxt, seq + 1)]
            data, h = (session_signed(method, target, body, ls, key, seq)
                       if sign else (body_bytes(body),
                                     {"Content-Type": "application/json"}))
        h.update(headers or {})
        st, hd, d = self.request(method, target, data, h, conn=conn)
        if path == "session" and st == 200 and isinstance(d, dict):
            self.sessions[d["data"]["launcher_session_id"]] = [
                session_key_bytes(d["data"]["session_key"]), 1]
        return st, hd, d

    # --- flows ----------------------------------------------------------

    def launcher_session(self, pc_id="pc-1", headers=None, **kw):
        st, _, d = self.launcher("session", {"pc_id": pc_id, "internal_ip": "10.0.0.7"},
                                 headers=headers, **kw)
        eq(st, 200, d)
        return d["data"]

    def ott(self, ls, game="fantasyquest"):
        st, _, d = self.launcher("ott", {"launcher_session_id": ls, "game_id": game})
        eq(st, 200, d)
        return d["data"]["ott"]

    def verify(self, ott, uid="123456789", key=API_KEY):
        st, _, d = self.game("POST", "verify", {"ott": ott, "provider_user_id": uid}, key)
        eq(st, 200, d)
        return d["data"]

    def session(self, pc_id="pc-1", uid="123456789"):
        ls = self.launcher_session(pc_id)["launcher_session_id"]
        v = self.verify(self.ott(ls), uid)
        check(v["is_valid"], v)
        return ls, v["game_session_id"]

    def heartbeat(self, gs, uid="123456789", key=API_KEY, conn=None):
        return self.game("PATCH", "heartbeat", {"game_session_id": gs,
                                                "provider_user_id": uid}, key,
                         conn=conn)

    def end(self, gs, dur=None, key=API_KEY):
        b = {"game_session_id": gs}
        if dur is not None:
            b["play_duration_sec"] = dur
        return self.game("DELETE", "end", b, key)

    # --- playwavectl ----------------------------------------------------

    def ctl(self, *args, check_rc=True, json_out=False):
        argv = [CTL, "-f", self.conf] + (["-j"] if json_out else []) + list(args)
        p = subprocess.run(argv, capture_output=True, text=True, cwd=self.tmp,
                           timeout=30, env=self.sanitizer_env(daemon=False))
        if check_rc and p.returncode != 0:
            raise TestFailure("playwavectl %s: rc %d: %s" % (" ".join(args),
                                                             p.returncode, p.stderr))
        if json_out and p.returncode == 0:
            out = p.stdout.strip()
            if args[:1] in (("sessions",), ("log",)):
                return [json.loads(line) for line in out.splitlines() if line]
            return json.loads(out) if out else None
        return p

    def credit(self, wallet, amount):
        self.ctl("wallet", "credit", wallet, str(amount))

    def log_settled(self, timeout=15):
        """The billing log's events once two reads 0.6 s apart agree."""
        last = [None]

        def same():
            n = len(self.log_events())
            ok, last[0] = n == last[0], n
            return ok
        wait_until(same, timeout, step=0.6, what="the log to settle")
        return self.log_events()

    def log_events(self):
        out = self.ctl("log", "cat", "-j").stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]
