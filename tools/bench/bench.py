#!/usr/bin/env python3
"""playwaved against nginx on loopback, driven by run.sh.

    bench.py http   wrk and ab against playwaved and an nginx floor
    bench.py rss    per-worker RSS before and after a long keep-alive run

Both servers get 2 workers and run from the temp directory given in
BENCH_TMP, which run.sh removes (and whose pid files it uses to kill what
is left) on any exit.  Every run is bounded: wrk by -d and a subprocess
timeout, ab by -t and -n.

The load generator shares the CPU with the server, so req/s alone
understates the server: CPU per request (utime + stime of every server
process over the window, from /proc/PID/stat, divided by the requests the
client saw answered) is the number to compare with nginx.
"""

import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integ"))
import pwtest  # noqa: E402  (the integration harness: one copy of each helper)
from pwtest import API_KEY, free_port, wait_until  # noqa: E402

TMP = os.environ.get("BENCH_TMP") or sys.exit("BENCH_TMP not set")

SECS = int(os.environ.get("BENCH_SECS", "6"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
CONNS = int(os.environ.get("BENCH_CONNS", "64"))
THREADS = 2
RSS_REQUESTS = int(os.environ.get("BENCH_RSS_REQUESTS", "1000000"))
CLK = os.sysconf("SC_CLK_TCK")

UID = "123456789"
GAME_PATH = "/v1/game/session/"
# The PCs (launcher sessions) the fresh OTTs come from, each holding at
# most OTT_PER_PC unverified (ott-per-launcher, at most 1000): as many as
# the quota check allows, (home-start-total NPC + 16 + cafe quota 8) starts
# x (3 + OTT_PER_PC) slots within a quarter of the store (config below).
NPC = 1000
OTT_PER_PC = 1000


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def request(port, method, path, body=None, headers=None, timeout=10):
    """(status, raw payload): the bench compares bytes, not documents."""
    st, _, payload = pwtest.request(port, method, path, body, headers,
                                    timeout=timeout, raw=True)
    return st, payload


def answers(port):
    try:
        return request(port, "GET", "/healthz", timeout=1)[0] in (200, 404)
    except OSError:
        return False


# --- processes and their CPU ------------------------------------------------

def proc_stat(pid):
    """(ppid, utime + stime in ticks) or None if the process is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[11]) + int(fields[12])


def proc_title(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().split(b"\0")[0].decode(errors="replace").strip()
    except OSError:
        return "?"


def tree(root):
    """root and its children (the servers here fork only one level)."""
    pids = [root]
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = proc_stat(int(d))
            if st is not None and st[0] == root:
                pids.append(int(d))
    return pids


def cpu_snapshot(root):
    snap = {}
    for pid in tree(root):
        st = proc_stat(pid)
        if st is not None:
            snap[pid] = st[1]
    return snap


def role(pid):
    """playwaved's process role from its title (nginx: master/worker)."""
    t = proc_title(pid)
    for r in ("reaper", "worker", "master"):
        if r in t:
            return r
    return "other"


def cpu_delta(before, after):
    """Ticks used between two snapshots by process role (a process that
    exited in between is not counted), and the pids that came or went."""
    roles = {}
    for p in after:
        k = role(p)
        roles[k] = roles.get(k, 0) + after[p] - before.get(p, 0)
    return roles, set(before) ^ set(after)


class Daemon:
    """A server under measurement: its process, recorded in run.sh's pid
    list until it stops, and its workers.  stop is how to stop it."""

    def __init__(self, kind, port, proc, stop, nprocs=3):
        self.kind, self.port, self.proc, self._stop = kind, port, proc, stop
        with open(os.path.join(TMP, "pids"), "a") as f:
            f.write("%d\n" % proc.pid)
        wait_until(lambda: answers(port) or proc.poll() is not None,
                   20, what=kind + " to answer")
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %d" % (kind, proc.returncode))
        # Let every worker come up before anything is measured.
        wait_until(lambda: len(tree(proc.pid)) >= nprocs, 10,
                   what=kind + " workers")

    def workers(self):
        return [p for p in tree(self.proc.pid)[1:]
                if "worker" in proc_title(p)]

    def stop(self):
        if self.proc is None:
            return
        pid = self.proc.pid
        self._stop()
        self.proc = None
        # Stopped: take it off run.sh's list, so that its trap never
        # signals a later process that got the same pid.
        path = os.path.join(TMP, "pids")
        with open(path) as f:
            left = [x for x in f.read().split() if x != str(pid)]
        with open(path, "w") as f:
            f.write("".join(x + "\n" for x in left))


def spawn(kind, argv, cwd, logpath, port, nprocs=3):
    """nginx or HAProxy, in the foreground, logging to logpath."""
    logf = open(logpath, "ab")
    proc = subprocess.Popen(argv, cwd=cwd, stdout=logf, stderr=logf)

    def stop():
        kids = tree(proc.pid)[1:]
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            for p in [proc.pid] + kids:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
            proc.wait(5)
        logf.close()
    return Daemon(kind, port, proc, stop, nprocs)


def config(**kw):
    """The integration tests' configuration, sized for load: a big store,
    sessions that outlive every run, no price, no rate limit, and the
    bench's own PCs behind the loopback proxy."""
    o = dict(store_slots=4194304, session_timeout=3600,
             launcher_timeout=3600, price=0, rate_limit=0,
             # Each start may hold ott-per-launcher OTTs: quotas that
             # fit a quarter of the store (playwaved -n checks).
             cafe_start_quota=8, home_start_quota=NPC + 16,
             home_start_total=NPC + 16, cafe_net="10.255.0.0/16",
             extra="ott-per-launcher %d\ntrusted-proxy 127.0.0.1/32\n" %
             OTT_PER_PC)
    o.update(kw)
    return o


def start_server(name, **kw):
    """A playwaved from a fresh state directory (the fresh-OTT runs fill
    a store up), as the integration harness starts one."""
    state = os.path.join(TMP, name)
    shutil.rmtree(state, ignore_errors=True)
    os.makedirs(state)
    srv = pwtest.Server(state=state, **config(**kw))
    srv.start(wait=False)
    d = Daemon(name, srv.port, srv.proc, srv.stop)
    d.srv, d.conf = srv, srv.conf
    return d


def start_playwaved():
    return start_server("playwaved")


def start_nginx(body, reqid):
    prefix = os.path.join(TMP, "nginx")
    os.makedirs(os.path.join(prefix, "logs"), exist_ok=True)
    port = free_port()
    with open(os.path.join(HERE, "nginx.conf.in")) as f:
        text = f.read()
    text = (text.replace("@TMP@", prefix).replace("@PORT@", str(port))
            .replace("@REQID@", reqid).replace("@BODY@", body))
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as f:
        f.write(text)
    return spawn("nginx", ["nginx", "-e", os.path.join(prefix,
                 "nginx-error.log"), "-c", conf, "-p", prefix + "/"],
                 prefix, os.path.join(prefix, "stderr.log"), port)


# --- the API, for setting up ------------------------------------------------

def signed(d, target, body, ls):
    """A request of launcher session ls signed beforehand (contract v3:
    its session key and its next seq, each accepted once): (body bytes,
    headers)."""
    key, seq = d.srv.sessions[ls]
    d.srv.sessions[ls] = [key, seq + 1]
    return pwtest.session_signed("POST", target, body, ls, key, seq)


def pc_addr(i):
    """Where PC i is, behind the trusted proxy (127.0.0.1): an address
    of its own, outside every cafe, as home launchers are."""
    return "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255)


def launcher(d, path, body, xff=None):
    h = {} if xff is None else {"X-Forwarded-For": xff}
    st, _, doc = d.srv.launcher(path, body, headers=h, home=True)
    if st != 200:
        raise RuntimeError("launcher %s: %d %s" % (path, st, doc))
    return doc["data"]


def game(d, method, path, body):
    """(status, raw payload) of a game-server call."""
    return request(d.port, method, GAME_PATH + path, body,
                   {"X-Api-Key": API_KEY})


def setup_sessions(d):
    """A live game session to heartbeat, a used OTT, and NPC launcher
    sessions to issue fresh OTTs from (on other PCs, so that the fresh
    verifies never replace the heartbeat's session)."""
    ls = launcher(d, "session", {"pc_id": "bench-hb",
                                    "internal_ip": "10.0.0.1"})
    ott = launcher(d, "ott", {"launcher_session_id":
                                 ls["launcher_session_id"],
                                 "game_id": "fantasyquest"})["ott"]
    st, payload = game(d, "POST", "verify", {"ott": ott,
                                                "provider_user_id": UID})
    v = json.loads(payload)["data"]
    if st != 200 or not v.get("is_valid"):
        raise RuntimeError("verify: %d %s" % (st, payload))
    gs = v["game_session_id"]
    pcs = [launcher(d, "session", {"pc_id": "bench-pc-%03d" % i,
                                      "internal_ip": "10.0.1.1"},
                    pc_addr(i))["launcher_session_id"] for i in range(NPC)]
    return gs, ott, pcs


def used_ott(d, ls):
    """An OTT verified once: its verify answers OTT_ALREADY_USED until
    2 x ott-ttl after issue, so each round takes a new one."""
    ott = launcher(d, "ott", {"launcher_session_id": ls,
                                 "game_id": "fantasyquest"}, pc_addr(0))["ott"]
    st, payload = game(d, "POST", "verify", {"ott": ott,
                                                "provider_user_id": UID})
    if st != 200 or not json.loads(payload)["data"].get("is_valid"):
        raise RuntimeError("verify: %d %s" % (st, payload))
    st, payload = game(d, "POST", "verify", {"ott": ott,
                                                "provider_user_id": UID})
    if b"OTT_ALREADY_USED" not in payload:
        raise RuntimeError("verify of a used OTT: %d %s" % (st, payload))
    return ott


def write(name, text):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        f.write(text)
    return path


# --- load generators --------------------------------------------------------

def parse_wrk(out):
    for line in out.splitlines():
        if line.startswith("BENCH "):
            kv = dict(x.split("=", 1) for x in line.split()[1:])
            r = {k: float(v) for k, v in kv.items()}
            r["secs"] = r["duration_us"] / 1e6
            r["errors"] = int(r["connect"] + r["read"] + r["write"] +
                              r["status"] + r["timeout"])
            return r
    raise RuntimeError("no BENCH line in wrk output:\n" + out)


def wrk(url, script, env, secs):
    e = dict(os.environ, BENCH_LUA=HERE, BENCH_NTHREADS=str(THREADS), **env)
    argv = ["wrk", "-t%d" % THREADS, "-c%d" % CONNS, "-d%ds" % secs,
            "--timeout", "5s", "-s", os.path.join(HERE, script), url]
    p = subprocess.run(argv, env=e, capture_output=True, text=True,
                       timeout=secs + 60)
    if p.returncode != 0:
        raise RuntimeError("wrk: rc %d: %s" % (p.returncode, p.stderr))
    return parse_wrk(p.stdout)


def ab_field(out, name):
    for line in out.splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].split()[0]
    return "0"


def ab(url, method, body, key, secs, max_requests):
    csv = os.path.join(TMP, "ab.csv")
    argv = ["ab", "-k", "-l", "-q", "-c", str(CONNS), "-t", str(secs),
            "-n", str(max_requests), "-e", csv,
            # -p first: it sets POST, which a later -m overrides.
            "-p", body, "-m", method, "-T", "application/json"]
    if key:
        argv += ["-H", "X-Api-Key: " + key]
    p = subprocess.run(argv + [url], capture_output=True, text=True,
                       timeout=secs + 60)
    if p.returncode != 0:
        raise RuntimeError("ab: rc %d: %s %s" % (p.returncode, p.stdout,
                                                 p.stderr))
    pct = {}
    with open(csv) as f:
        for line in f.readlines()[1:]:
            a, b = line.strip().split(",")
            pct[int(float(a))] = float(b)
    out = p.stdout
    r = {"requests": float(ab_field(out, "Complete requests")),
         "secs": float(ab_field(out, "Time taken for tests")),
         "p50_us": pct.get(50, 0) * 1000, "p99_us": pct.get(99, 0) * 1000,
         "errors": int(ab_field(out, "Failed requests")) +
         int(ab_field(out, "Non-2xx responses")),
         "keepalive": int(ab_field(out, "Keep-Alive requests")),
         "overflow": 0}
    if r["keepalive"] < r["requests"] * 0.99:
        log("  warning: ab: only %d of %d requests kept alive" %
            (r["keepalive"], r["requests"]))
    return r


def box_busy():
    """Busy ticks of the whole machine (all CPUs), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v) - v[3] - v[4]		# minus idle and iowait


def client_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def measure(daemon, fn):
    """Run one load, return its numbers plus server and client CPU."""
    before, c0, b0 = cpu_snapshot(daemon.proc.pid), client_cpu(), box_busy()
    r = fn()
    after, c1, b1 = cpu_snapshot(daemon.proc.pid), client_cpu(), box_busy()
    roles, churn = cpu_delta(before, after)
    ticks = sum(roles.values())
    if churn:
        log("  warning: %s processes changed during the run: %s" %
            (daemon.kind, sorted(churn)))
    n = max(r["requests"], 1)
    r["rps"] = r["requests"] / r["secs"] if r["secs"] > 0 else 0
    r["cpu_us"] = ticks * 1e6 / CLK / n
    r["roles_us"] = {k: v * 1e6 / CLK / n for k, v in roles.items()}
    r["client_us"] = (c1 - c0) * 1e6 / n
    r["server_cores"] = ticks / CLK / r["secs"] if r["secs"] > 0 else 0
    # What else kept the machine busy: anything here was stolen from the
    # server or the load generator, and makes req/s less comparable.
    other = (b1 - b0) / CLK - ticks / CLK - (c1 - c0)
    r["other_cores"] = max(0.0, other / r["secs"]) if r["secs"] > 0 else 0
    return r


def metric(port, name):
    """Sum of one counter from /metrics (all label sets)."""
    _, payload = request(port, "GET", "/metrics")
    total = 0
    for line in payload.decode().splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += int(float(line.rsplit(" ", 1)[1]))
    return total


# --- the http bench ---------------------------------------------------------

class Fresh:
    """OTTs issued beforehand, verified once each by fresh.lua.

    wrk's run always lasts -d (a thread that stops early just idles), so
    the issue and verify runs are sized by time: issue at the best issue
    rate seen for as long as it takes to mint more tokens than the verify
    run can use at the best verify rate seen (at least SECS, at most
    4 x SECS), with enough requests signed that no issue thread runs out,
    then verify for SECS.  A verify run that ran out anyway reports it as
    overflow.  Each
    issue request is signed beforehand with its launcher session's key and
    seq (contract v3: nothing stored but the OTT): the issue runs are
    measured too, as the ott-issue row."""

    def __init__(self, pw, pcs):
        self.pw = pw
        self.pcs = pcs
        self.path = os.path.join(TMP, "otts.txt")
        self.issue_rate = 20000.0	# best seen, req/s

    def sign(self, count):
        """count issue requests, round-robin over the PCs, each from its
        PC's address; at most what ott-per-launcher lets the PCs hold.
        Line k is PC k % NPC's: with NPC a multiple of wrk's threads each
        PC's requests go out on one thread, in seq order, far fewer apart
        than the replay window."""
        # Tokens left from the round before are still held: room for them.
        count = min(count, NPC * OTT_PER_PC * 3 // 4)
        lines = []
        for k in range(count):
            i = k % NPC
            data, h = signed(self.pw, "/v1/launcher/ott", {
                "launcher_session_id": self.pcs[i],
                "game_id": "fantasyquest"}, self.pcs[i])
            lines.append("%s\t%s\t%s\t%s\t%s\n" % (
                data.decode(), h["X-Launcher-Session"], h["X-Seq"],
                h["X-Signature"], pc_addr(i)))
        return write("issue.txt", "".join(lines)), count

    def issue_once(self, spec, secs, toks):
        prefix = os.path.join(TMP, "otts")
        r = wrk("http://127.0.0.1:%d/v1/launcher/ott" % self.pw.port,
                "issue.lua", {"BENCH_ISSUE": spec, "BENCH_OTTS": prefix},
                secs)
        for t in range(THREADS):
            with open("%s.%d" % (prefix, t)) as f:
                toks += [x for x in f.read().split("\n") if x]
            os.unlink("%s.%d" % (prefix, t))
        # The requests repeated after a thread ran out are replays (401).
        r["errors"] = max(0, r["errors"] - r["overflow"])
        return r

    def issue(self, want, daemon=None):
        """Issue at least want OTTs, if the store lets the PCs hold them,
        in one run sized by the best issue rate seen; with a daemon, the
        run is measured (server CPU per request) and returned."""
        toks = []
        t0 = time.time()
        secs = min(4 * SECS, max(SECS, int(want / self.issue_rate + 1)))
        spec, count = self.sign(int(self.issue_rate * secs * 1.3))
        run = lambda: self.issue_once(spec, secs, toks)
        r = measure(daemon, run) if daemon is not None else run()
        if r["errors"]:
            raise RuntimeError("issuing OTTs: %r" % r)
        # A run whose threads ran out still shows a rate it reached.
        self.issue_rate = max(self.issue_rate, r["requests"] /
                              max(r["secs"], 0.001))
        if len(toks) < want:
            log("  warning: %d OTTs issued, %d wanted" % (len(toks), want))
        with open(self.path, "w") as f:
            f.write("\n".join(toks) + "\n")
        log("  issued %d OTTs in %.1f s" % (len(toks), time.time() - t0))
        r["requests"] = len(toks)
        return r

    def run(self, secs):
        started = metric(self.pw.port, "playwaved_game_sessions_started_total")
        r = wrk("http://127.0.0.1:%d%sverify" % (self.pw.port, GAME_PATH),
                "fresh.lua", {"BENCH_OTTS": self.path, "BENCH_KEY": API_KEY},
                secs)
        got = metric(self.pw.port,
                     "playwaved_game_sessions_started_total") - started
        # A fresh verify that did not start a session is a failure.
        r["errors"] += max(0, int(r["requests"] - r["overflow"]) - got)
        r["started"] = got
        return r


class LauncherHeartbeats:
    """Heartbeats of the PCs' launcher sessions, signed beforehand with
    each session's key and next seq (lheartbeat.lua sends each once).
    Line k is PC k % NPC's, so that each PC's seqs go out in order on one
    wrk thread, far closer together than the replay window is wide."""

    def __init__(self, pw, pcs):
        self.pw = pw
        self.pcs = pcs

    def sign(self, count):
        lines = []
        target = "/v1/launcher/session/heartbeat"
        for k in range(count):
            i = k % NPC
            ls = self.pcs[i]
            key, seq = self.pw.srv.sessions[ls]
            self.pw.srv.sessions[ls] = [key, seq + 1]
            data, h = pwtest.session_signed("PATCH", target,
                                            {"launcher_session_id": ls},
                                            ls, key, seq)
            lines.append("%s\t%s\t%s\t%s\t%s\n" % (
                data.decode(), ls, h["X-Seq"], h["X-Signature"],
                pc_addr(i)))
        return write("lheartbeat.txt", "".join(lines))

    def send(self, path, secs):
        r = wrk("http://127.0.0.1:%d/v1/launcher/session/heartbeat" %
                self.pw.port, "lheartbeat.lua", {"BENCH_LHB": path}, secs)
        r["errors"] = max(0, r["errors"] - r["overflow"])
        return r


def http_bench():
    pw = start_playwaved()
    ng = None
    try:
        gs, used, pcs = setup_sessions(pw)
        hb = {"game_session_id": gs, "provider_user_id": UID}
        st, hb_reply = game(pw, "PATCH", "heartbeat", hb)
        if st != 200 or b'"result":"OK"' not in hb_reply:
            raise RuntimeError("heartbeat: %d %s" % (st, hb_reply))
        st, v_reply = game(pw, "POST", "verify",
                           {"ott": used, "provider_user_id": UID})
        if b"OTT_ALREADY_USED" not in v_reply:
            raise RuntimeError("verify of a used OTT: %d %s" % (st, v_reply))
        reqid = json.loads(hb_reply)["request_id"]
        ng = start_nginx(hb_reply.decode(), reqid)
        hb_body = write("heartbeat.json", json.dumps(hb))
        vf_body = write("verify.json", json.dumps({"ott": used,
                                                    "provider_user_id": UID}))
        fresh = Fresh(pw, pcs)
        lhb = LauncherHeartbeats(pw, pcs)
        # One unmeasured fresh-OTT run first: each process's first touch
        # of a store page is a page fault (workers map the store without
        # read-ahead or fault-around), paid once in a server's life.
        fresh.issue(int(10000 * SECS))
        r = fresh.run(SECS)
        log("  warm-up: %d fresh verifies, not measured" % r["requests"])
        results = {}
        return run_rounds(pw, ng, hb_body, vf_body, fresh, lhb, results)
    finally:
        if ng is not None:
            ng.stop()
        pw.stop()


def cases(pw, ng, hb_body, vf_body):
    pwurl = "http://127.0.0.1:%d%s" % (pw.port, GAME_PATH)
    ngurl = "http://127.0.0.1:%d%s" % (ng.port, GAME_PATH)
    hb = {"BENCH_METHOD": "PATCH", "BENCH_BODY": hb_body,
          "BENCH_KEY": API_KEY}
    vf = {"BENCH_METHOD": "POST", "BENCH_BODY": vf_body,
          "BENCH_KEY": API_KEY}
    # (endpoint, server, tool, daemon, thunk); nginx first in each round.
    return [
        ("floor", "nginx", "wrk", ng,
         lambda: wrk(ngurl + "heartbeat", "req.lua", hb, SECS)),
        ("heartbeat", "playwaved", "wrk", pw,
         lambda: wrk(pwurl + "heartbeat", "req.lua", hb, SECS)),
        ("verify-used", "playwaved", "wrk", pw,
         lambda: wrk(pwurl + "verify", "req.lua", vf, SECS)),
        ("verify-fresh", "playwaved", "wrk", pw, None),
        ("floor", "nginx", "ab", ng,
         lambda: ab(ngurl + "heartbeat", "PATCH", hb_body, API_KEY, SECS,
                    AB_MAX)),
        ("heartbeat", "playwaved", "ab", pw,
         lambda: ab(pwurl + "heartbeat", "PATCH", hb_body, API_KEY, SECS,
                    AB_MAX)),
        ("verify-used", "playwaved", "ab", pw,
         lambda: ab(pwurl + "verify", "POST", vf_body, API_KEY, SECS,
                    AB_MAX)),
    ]


AB_MAX = 3000000	# ab allocates its statistics for -n up front


def rate_seen(results, key, default):
    """The best req/s seen so far for a row, else default."""
    return max([r["rps"] for r in results.get(key, [])] or [default])


def run_rounds(pw, ng, hb_body, vf_body, fresh, lhb, results):
    cs = cases(pw, ng, hb_body, vf_body)
    cs.insert(4, ("launcher-heartbeat", "playwaved", "wrk", pw, "lhb"))
    for rnd in range(RUNS):
        write(os.path.basename(vf_body), json.dumps(
            {"ott": used_ott(pw, fresh.pcs[0]), "provider_user_id": UID}))
        for ep, srv, tool, d, fn in cs:
            if fn == "lhb":
                # Signed before the measured run: the signing is ours.
                path = lhb.sign(int(rate_seen(results, (ep, srv, tool),
                                              40000) * SECS * 1.3))
                thunk = lambda: lhb.send(path, SECS)
            elif fn is None:
                # Enough OTTs for SECS seconds at the best fresh rate seen
                # so far, or at first at the rate of verifying a used one.
                seen = [r["rps"] for r in results.get(("verify-fresh",
                        "playwaved", "wrk"), []) or results.get((
                        "verify-used", "playwaved", "wrk"), [])] or [20000]
                ri = fresh.issue(int(max(seen) * SECS * 1.3), d)
                results.setdefault(("ott-issue", srv, tool), []).append(ri)
                log("round %d ott-issue    %-9s %-3s %8.0f req/s  server "
                    "%5.1f us/req (%.2f cores)  errors %d" % (rnd + 1, srv,
                    tool, ri["rps"], ri["cpu_us"], ri["server_cores"],
                    ri["errors"]))
                thunk = lambda: fresh.run(SECS)
            else:
                thunk = fn
            r = measure(d, thunk)
            results.setdefault((ep, srv, tool), []).append(r)
            log("round %d %-12s %-9s %-3s %8.0f req/s  p50 %7.0f us  "
                "p99 %7.0f us  server %5.1f us/req (%.2f cores)  "
                "client %5.1f us/req  others %.2f cores  errors %d%s" %
                (rnd + 1, ep, srv, tool, r["rps"], r["p50_us"], r["p99_us"],
                 r["cpu_us"], r["server_cores"], r["client_us"],
                 r["other_cores"], r["errors"], "  overflow %d" % r["overflow"]
                 if r.get("overflow") else ""))
            log("        server us/req by process: %s" % "  ".join(
                "%s %.1f" % kv for kv in sorted(r["roles_us"].items())))
    return results


def med(rs, k):
    return statistics.median(r[k] for r in rs)


def table(results):
    floor = {tool: results.get(("floor", "nginx", tool))
             for tool in ("wrk", "ab")}
    hdr = ("endpoint", "server", "tool", "req/s median [min-max]", "p50 us",
           "p99 us", "CPU us/req", "vs nginx req/s", "vs nginx CPU",
           "errors", "others")
    rows = []
    for (ep, srv, tool), rs in results.items():
        rps = [r["rps"] for r in rs]
        fl = floor.get(tool)
        rr = cr = "-"
        if fl and srv != "nginx":
            rr = "%.2f" % (med(rs, "rps") / med(fl, "rps"))
            cr = "%.2f" % (med(rs, "cpu_us") / med(fl, "cpu_us"))
        rows.append((ep, srv, tool, "%.0f [%.0f-%.0f]" %
                     (statistics.median(rps), min(rps), max(rps)),
                     "%.0f" % med(rs, "p50_us"), "%.0f" % med(rs, "p99_us"),
                     "%.1f" % med(rs, "cpu_us"), rr, cr,
                     "%d" % sum(r["errors"] for r in rs),
                     "%.2f" % med(rs, "other_cores")))
    rows.append(("verify-fresh", "playwaved", "ab", "n/a (ab sends one "
                 "body; an OTT verifies once)", "", "", "", "", "", "", ""))
    w = [max(len(str(x[i])) for x in rows + [hdr]) for i in range(len(hdr))]
    line = "  ".join("%%-%ds" % n for n in w)
    print()
    print("playwaved vs nginx, %d runs of %d s each, wrk -t%d -c%d / "
          "ab -k -c%d, %d CPUs" % (RUNS, SECS, THREADS, CONNS, CONNS,
                                    os.cpu_count()))
    print("CPU us/req: utime+stime of all server processes over the run, "
          "per request answered;")
    print("others: median CPU cores used by other processes on the machine "
          "during the runs (noise)")
    print(line % hdr)
    print(line % tuple("-" * n for n in w))
    for r in rows:
        print(line % r)
    sys.stdout.flush()


# --- RSS --------------------------------------------------------------------

def rss(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k = line.split(":")[0]
            if k in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                out[k] = int(line.split()[1])
    return out


def rss_bench():
    pw = start_playwaved()
    ng = None
    try:
        gs, _, _ = setup_sessions(pw)
        st, hb_reply = game(pw, "PATCH", "heartbeat",
                            {"game_session_id": gs, "provider_user_id": UID})
        ng = start_nginx(hb_reply.decode(),
                         json.loads(hb_reply)["request_id"])
        body = write("heartbeat.json", json.dumps({"game_session_id": gs,
                                                   "provider_user_id": UID}))
        env = {"BENCH_METHOD": "PATCH", "BENCH_BODY": body,
               "BENCH_KEY": API_KEY}
        print()
        print("RSS of each worker (kB) before and after %d keep-alive "
              "heartbeats (wrk -t%d -c%d)" % (RSS_REQUESTS, THREADS, CONNS))
        for d, path in ((pw, GAME_PATH + "heartbeat"),
                        (ng, GAME_PATH + "heartbeat")):
            ws = d.workers()
            before = {p: rss(p) for p in ws}
            n = secs = errors = 0
            # Runs of 10 s until enough requests (bounded: 30 runs).
            for _ in range(30):
                if n >= RSS_REQUESTS:
                    break
                r = wrk("http://127.0.0.1:%d%s" % (d.port, path), "req.lua",
                        env, 10)
                n += r["requests"]
                secs += r["secs"]
                errors += r["errors"]
            after = {p: rss(p) for p in ws if proc_stat(p) is not None}
            print("%s: %d requests in %.1f s, %d errors" %
                  (d.kind, n, secs, errors))
            for p in ws:
                b, a = before[p], after.get(p)
                if a is None:
                    print("  pid %d (%s) exited during the run" %
                          (p, proc_title(p)))
                    continue
                print("  %-22s VmRSS %7d -> %7d  RssAnon %6d -> %6d  "
                      "RssFile %6d -> %6d  RssShmem %7d -> %7d" %
                      (proc_title(p) + " " + str(p), b["VmRSS"], a["VmRSS"],
                       b["RssAnon"], a["RssAnon"], b["RssFile"],
                       a["RssFile"], b["RssShmem"], a["RssShmem"]))
        sys.stdout.flush()
    finally:
        if ng is not None:
            ng.stop()
        pw.stop()


def main():
    # A TERM (timeout(1), run.sh) unwinds through the finally blocks, and
    # subprocess.run kills the wrk or ab it was waiting for.
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    mode = sys.argv[1] if len(sys.argv) > 1 else "http"
    if mode == "http":
        table(http_bench())
    elif mode == "rss":
        rss_bench()
    else:
        sys.exit("usage: bench.py http | rss")


if __name__ == "__main__":
    main()
