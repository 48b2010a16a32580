"""The cluster on loopback: three playwaved shards behind HAProxy with
etc/haproxy/haproxy.cfg and the maps `playwavectl cluster maps` makes from
the shards' own configuration files.  Clients bind distinct 127.0.x.y
source addresses, so the proxy sees cafes as it would on a network.

Checks: every id-bearing endpoint reaches the shard that owns the id (the
id's last hex digit), launcher starts reach their cafe's shard, an
authenticate the shard of its token's sub; each shard's billing log holds
its own sessions and no other's; a cafe's balance moves to another
shard as a DEBIT there and a CREDIT here; a shard SIGKILLed (every process) is
answered for by HAProxy with a JSON 503 within seconds while the others
serve, and restarted on the same store it answers for its sessions again.

    python3 tests/cluster/test_cluster.py [name-substring ...]

Traffic goes to 127.0.0.0/8 only; every wait has a deadline."""

import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integ"))
import pwtest  # noqa: E402
import suite  # noqa: E402
from pwtest import check, eq  # noqa: E402
import test_authenticate as ta  # noqa: E402
from test_billing import SIGN  # noqa: E402

ROOT = pwtest.ROOT
HAPROXY_CFG = os.path.join(ROOT, "etc", "haproxy", "haproxy.cfg")
NSHARDS = 3
NONCAFE_SRC = "127.0.9.1"
ID_RE = re.compile(r"^(?:ls_|gs_|pt_|cr_|playwave_)[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"
                   r"[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def cafe_of(k):
    return "cafe-%d" % k


def cafe_src(k, host=10):
    return "127.0.%d.%d" % (k + 1, host)


class Shard(pwtest.Server):
    """A pwtest.Server whose configuration is shard k's: its own cafe,
    127.0.0.1 (the proxy) trusted."""

    def __init__(self, k, **kw):
        self.k = k
        super().__init__(**kw)

    def write_config(self, **kw):
        super().write_config(**kw)
        with open(self.conf) as f:
            text = f.read()
        text = text.replace("cafe seoul-01", "cafe " + cafe_of(self.k))
        text += "\nshard %d\ntrusted-proxy 127.0.0.1\n" % self.k
        with open(self.conf, "w") as f:
            f.write(text)


class Client(pwtest.Server):
    """The proxy as pwtest sees a server: requests (and launcher signing,
    pwtest's own) go to HAProxy from a chosen loopback source address."""

    def __init__(self, port, src):
        self.port = port
        self.src = src
        self.proc = None
        self.sessions = {}

    def connect(self, timeout=10):
        return suite.https(self.port, timeout, (self.src, 0))


class Cluster:
    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="pwcluster.")
        self.shards = []
        self.haproxy = None
        self.port = pwtest.free_port()

    def start(self):
        for k in range(NSHARDS):
            st = os.path.join(self.tmp, "shard%d" % k)
            os.mkdir(st)
            self.shards.append(Shard(k, state=st, workers=1,
                                     cafe_net="127.0.%d.0/24" % (k + 1)).start())
        for s in self.shards:
            s.credit(cafe_of(s.k), 1000)
        self.maps()
        self.start_haproxy()
        return self

    def maps(self):
        d = os.path.join(self.tmp, "playwave")
        os.makedirs(d, exist_ok=True)
        p = subprocess.run([pwtest.CTL, "cluster", "maps", d] +
                           [s.conf for s in self.shards],
                           capture_output=True, text=True, timeout=30)
        eq(p.returncode, 0, p.stderr)
        with open(os.path.join(d, "subs.map")) as f:
            self.subs = dict(line.split() for line in f if not line.startswith("#"))

    def start_haproxy(self):
        with open(HAPROXY_CFG) as f:
            cfg = suite.loopback(f.read(), self.port, suite.tls_pem(self.tmp))
        self.haproxy = suite.Haproxy(self.tmp, cfg, os.path.join(
            self.tmp, "playwave", "shards.cfg"))
        for k in range(NSHARDS):
            pwtest.wait_until(lambda: self.owner_answers(k), 15,
                              what="HAProxy to reach shard %d" % k)

    def owner_answers(self, k):
        """A made-up id of shard k: the shard itself says 404 (not the proxy)."""
        try:
            st, _, d = self.client(NONCAFE_SRC).heartbeat(fake_gs(k))
        except OSError:
            return False
        return st == 404 and d["error"]["code"] == "SESSION_NOT_FOUND"

    def client(self, src):
        return Client(self.port, src)

    def stop(self):
        if self.haproxy is not None:
            self.haproxy.stop()
        rcs = [s.stop() for s in self.shards]
        return rcs

    def logs(self):
        out = []
        for n in ["haproxy.log"] + ["shard%d/daemon.log" % k for k in range(NSHARDS)]:
            try:
                with open(os.path.join(self.tmp, n), "rb") as f:
                    out.append("---- %s:\n%s" % (n, f.read()[-2000:].decode(errors="replace")))
            except OSError:
                pass
        return "\n".join(out)


def fake_gs(k):
    return "gs_%s%x" % (str(uuid.uuid4())[:-1], k)


def digit(id_):
    check(ID_RE.match(id_), "not an id: %r" % id_)
    return int(id_[-1], 16)


# Everything each flow minted, by the shard that should own it.
MINTED = {k: set() for k in range(NSHARDS)}


def cafe_flow(cl, k, pc="pc-1"):
    """Launcher start from cafe k's network, OTT, verify: all on shard k."""
    c = cl.client(cafe_src(k))
    d = c.launcher_session(pc)
    eq(d["is_pc_cafe"], True, d)
    eq(d["pc_cafe_id"], cafe_of(k), d)
    ls = d["launcher_session_id"]
    eq(digit(ls), k, ls)
    ott = c.ott(ls)
    eq(digit(ott), k, ott)
    v = c.verify(ott)
    check(v["is_valid"], v)
    eq(v["is_pc_cafe"], True, v)
    gs = v["game_session_id"]
    eq(digit(gs), k, gs)
    MINTED[k].add(gs)
    return c, ls, gs


# --- the tests, in order: later ones use the cluster earlier ones left ---

def test_example_maps_are_current(cl):
    """The shipped example maps are what the tool makes of the example
    configs, once their placeholder secrets are filled in (as shipped, the
    tool refuses them, naming the first placeholder)."""
    ex = os.path.join(ROOT, "etc", "haproxy", "example")
    d = os.path.join(cl.tmp, "example")
    filled = os.path.join(cl.tmp, "example-confs")
    os.mkdir(d)
    os.mkdir(filled)
    confs = ["shard%d.conf" % k for k in range(3)]
    p = subprocess.run([pwtest.CTL, "cluster", "maps", d] + confs, cwd=ex,
                       capture_output=True, text=True, timeout=30)
    eq(p.returncode, 1, p.stdout)
    with open(os.path.join(ex, "shard0.conf")) as f:
        line = [i for i, ln in enumerate(f, 1) if ln.startswith("launcher-secret")]
    check("shard0.conf:%d: launcher-secret is a placeholder" % line[0] in p.stderr,
          p.stderr)
    # The same secret for each placeholder on every shard, as the tool wants.
    for n in confs:
        with open(os.path.join(ex, n)) as f:
            text = f.read()
        eq(text.count('"change-me-'), 5, n)
        with open(os.path.join(filled, n), "w") as f:
            f.write(text.replace('"change-me-', '"filled-in-'))
    p = subprocess.run([pwtest.CTL, "cluster", "maps", d] + confs, cwd=filled,
                       capture_output=True, text=True, timeout=30)
    eq(p.returncode, 0, p.stderr)
    for n in ("ids.map", "cafes.map", "subs.map", "shards.cfg"):
        with open(os.path.join(ex, n)) as a, open(os.path.join(d, n)) as b:
            eq(a.read(), b.read(), "etc/haproxy/example/%s is stale" % n)
    # And the tool refuses a cafe on two shards.
    bad = os.path.join(cl.tmp, "dup.conf")
    with open(cl.shards[0].conf) as f:
        text = f.read()
    with open(bad, "w") as f:
        f.write(text.replace("shard 0", "shard 9"))
    p = subprocess.run([pwtest.CTL, "cluster", "maps", d, cl.shards[0].conf, bad],
                       capture_output=True, text=True, timeout=30)
    eq(p.returncode, 1, p.stdout)
    check("lives on one shard" in p.stderr, p.stderr)


def test_cafe_flows_on_their_shard(cl):
    for k in range(NSHARDS):
        c, ls, gs = cafe_flow(cl, k)
        st, _, d = c.heartbeat(gs)
        eq(st, 200, d)
        eq(d["data"]["result"], "OK", d)
        st, _, d = c.game("POST", "check", {"game_session_id": gs,
                                            "provider_user_id": "123456789"})
        eq(st, 200, d)
        check(d["data"]["is_valid"], d)
        st, _, d = c.launcher("session/heartbeat", {"launcher_session_id": ls},
                              method="PATCH")
        eq(st, 200, d)
        st, _, d = c.end(gs, 1)
        eq(st, 200, d)
        eq(d["data"]["billed_minutes"], 1, d)
        eq(d["data"]["charged"], 10, d)
        # The charge came out of this shard's cafe wallet, not another's.
        shard = cl.shards[k]
        pwtest.wait_until(lambda: shard.ctl("wallet", "show", cafe_of(k),
                                            json_out=True)["balance"] == 990,
                          5, what="cafe %d's wallet at 990" % k)


def test_ids_of_other_clients_route_by_id(cl):
    """A game server calls from anywhere: the id alone picks the shard."""
    for k in range(NSHARDS):
        _, _, gs = cafe_flow(cl, k, pc="pc-2")
        for src in (NONCAFE_SRC, cafe_src((k + 1) % NSHARDS, 77)):
            st, _, d = cl.client(src).heartbeat(gs.upper().replace("GS_", "gs_"))
            eq(st, 200, d)
            eq(d["data"]["result"], "OK", d)


def test_non_cafe_launcher(cl):
    c = cl.client(NONCAFE_SRC)
    d = c.launcher_session("home-pc", home=True)
    eq(d["is_pc_cafe"], False, d)
    ls = d["launcher_session_id"]
    k = digit(ls)
    ott = c.ott(ls)
    eq(digit(ott), k, ott)
    v = c.verify(ott)
    eq(v["is_pc_cafe"], False, v)
    eq(digit(v["game_session_id"]), k, v)
    MINTED[k].add(v["game_session_id"])
    st, _, d = c.end(v["game_session_id"])
    eq(st, 200, d)
    eq(d["data"]["charged"], 0, d)


def test_forwarded_for_from_client_ignored(cl):
    """A client outside every cafe claims a cafe address: the proxy drops it."""
    c = cl.client(NONCAFE_SRC)
    d = c.launcher_session("liar", headers={"X-Forwarded-For": cafe_src(1)},
                           home=True)
    eq(d["is_pc_cafe"], False, d)


def shard_of_sub(cl, sub):
    return int(cl.subs[str(zlib.crc32(sub.encode()) % 240)][len("shard"):])


def subs_on_every_shard(cl, per_shard):
    """Fresh random subs, per_shard of them for each shard: random ones
    alone would miss a shard now and then ((2/3)^12 for 12 on 3)."""
    subs = {k: [] for k in range(NSHARDS)}
    for i in range(100 * NSHARDS * per_shard):
        sub = "player-%d-%s" % (i, uuid.uuid4().hex[:6])
        k = shard_of_sub(cl, sub)
        if len(subs[k]) < per_shard:
            subs[k].append(sub)
        if all(len(v) == per_shard for v in subs.values()):
            return [sub for v in zip(*subs.values()) for sub in v]
    raise pwtest.TestFailure("no %d subs for every shard: %r" % (per_shard, subs))


def test_authenticate_on_shard_of_sub(cl):
    c = cl.client(NONCAFE_SRC)
    seen = set()
    for sub in subs_on_every_shard(cl, 4):
        want = shard_of_sub(cl, sub)
        seen.add(want)
        raw = json.dumps(ta.body(ta.jwt(sub=sub))).encode()
        h = {"X-HMAC-Signature": hmac.new(pwtest.HMAC_SECRET.encode(), raw,
                                          hashlib.sha256).hexdigest(),
             "X-Request-ID": ta.new_rid()}
        st, _, d = c.request("POST", ta.PATH, raw, h)
        eq(st, 200, d)
        eq(d["playerId"], sub, d)
        eq(digit(d["playerToken"]), want, (sub, d))
        # The same request again: the same shard answers the same token.
        st, _, d2 = c.request("POST", ta.PATH, raw, h)
        eq(st, 200, d2)
        eq(d2["playerToken"], d["playerToken"])
    eq(seen, set(range(NSHARDS)), "the subs should reach every shard")


def test_operator_endpoints_not_through_proxy(cl):
    for path in ("/metrics", "/healthz", "/readyz"):
        st, h, d = cl.client(NONCAFE_SRC).request("GET", path)
        eq(st, 404, (path, d))
        eq(d["error"]["code"], "NOT_FOUND", d)


def test_request_id_end_to_end(cl):
    """A client's well-formed X-Request-ID reaches the shard unchanged; an
    absent or malformed one is replaced by the proxy's own req_ id, the
    same the reply and the shard's envelope carry."""
    c = cl.client(NONCAFE_SRC)
    gs = fake_gs(0)
    for sent, kept in (("client-id:42_a.b-c", True), ("bad id!", False),
                       ("x" * 65, False), (None, False)):
        h = {"X-Request-ID": sent} if sent is not None else {}
        st, hd, d = c.game("PATCH", "heartbeat", {"game_session_id": gs,
                                                 "provider_user_id": "1"},
                           headers=h)
        eq(st, 404, d)
        rid = hd["x-request-id"]
        eq(d["request_id"], rid, "the shard saw the proxy's id")
        if kept:
            eq(rid, sent)
        else:
            check(re.match(r"^req_[0-9a-f]{24}$", rid), rid)


def test_each_log_holds_its_own_sessions(cl):
    """Every session a shard minted is in its billing log and no other;
    every id in a log (sessions, and the credits playwavectl minted) carries
    its shard's digit."""
    def logged():
        return {s.k: {e["session"] for e in s.log_events() if e.get("session")}
                for s in cl.shards}
    want = {k: set(v) for k, v in MINTED.items()}
    pwtest.wait_until(lambda: all(want[k] <= logged()[k] for k in want), 10,
                      what="START events of every session")
    got = logged()
    for k in range(NSHARDS):
        check(want[k], "shard %d minted no session" % k)
        for other in range(NSHARDS):
            if other != k:
                eq(want[k] & got[other], set(), "shard %d's in %d's log" % (k, other))
        for sid in got[k]:
            eq(digit(sid), k, "log of shard %d holds %s" % (k, sid))


def wallet_of(shard, wallet):
    return shard.ctl("wallet", "show", wallet, json_out=True)


def net(evs, wallet):
    """credits - charges - debits of a wallet in one shard's log."""
    return sum(SIGN[e["type"]] * e["amount"] for e in evs
               if e.get("wallet") == wallet and e["type"] in SIGN)


def move_balance(src, dst, wallet):
    """The balance leaves src as a logged DEBIT and arrives on dst as a
    CREDIT (README, "Moving a cafe"); the amount moved."""
    amount = wallet_of(src, wallet)["balance"]
    check(amount > 0, (src.k, wallet))
    d = src.ctl("-j", "wallet", "debit", wallet, str(amount))
    d = json.loads(d.stdout)
    eq(d["balance"], 0, d)
    eq(digit(d["debit"]), src.k, d)
    c = json.loads(dst.ctl("-j", "wallet", "credit", wallet, str(amount)).stdout)
    eq(digit(c["credit"]), dst.k, c)
    for shard, id_, typ in ((src, d["debit"], "DEBIT"), (dst, c["credit"], "CREDIT")):
        ev = [e for e in shard.log_events() if e["session"] == id_]
        eq([(e["type"], e["wallet"], e["amount"]) for e in ev],
           [(typ, wallet, amount)], (shard.k, ev))
    return amount


def adopt_cafe(shard, k):
    """The runbook's order: the cafe's block goes into the new shard's
    file and the shard reloads before a credit can name the cafe (the
    proxy's maps stay as they are: the test moves the money back)."""
    with open(shard.conf, "a") as f:
        f.write("\ncafe %s {\n    network 127.0.%d.0/24\n    "
                "cafe-start-quota 10\n}\n" % (cafe_of(k), k + 1))
    n = shard.ctl("status", json_out=True)["last_reload"]["count"]
    os.kill(shard.proc.pid, signal.SIGHUP)
    pwtest.wait_until(lambda: shard.ctl("status", json_out=True)[
        "last_reload"]["count"] > n, 10, what="shard %d to reload" % shard.k)


def test_cafe_balance_moves_between_shards(cl):
    """Drain cafe 0 on shard 0, move its balance to shard 1, then back:
    each log shows its side, each replays to its balances, and the money
    across the shards adds up."""
    src, dst, cafe = cl.shards[0], cl.shards[1], cafe_of(0)
    for s in src.ctl("sessions", "--cafe", cafe, "--state", "live", "--limit",
                     "1000", json_out=True) or []:
        src.ctl("end", s["id"])
    pwtest.wait_until(lambda: wallet_of(src, cafe)["hold"] == 0 and
                      not src.ctl("sessions", "--cafe", cafe, "--state", "live",
                                  json_out=True), 10, what="cafe 0 drained")
    before = wallet_of(src, cafe)["balance"]
    adopt_cafe(dst, 0)
    moved = move_balance(src, dst, cafe)
    eq(moved, before)
    eq((wallet_of(src, cafe)["balance"], wallet_of(dst, cafe)["balance"]), (0, moved))
    # Each log replays to its own shard's balance; together they keep it.
    src_evs, dst_evs = src.log_events(), dst.log_events()
    eq(net(src_evs, cafe), 0)
    eq(net(dst_evs, cafe), moved)
    charged = sum(e["amount"] for e in src_evs
                  if e["type"] == "CHARGE" and e["wallet"] == cafe)
    eq(1000 - charged, net(src_evs, cafe) + net(dst_evs, cafe))
    for shard in (src, dst):
        p = shard.ctl("log", "verify", check_rc=False)
        eq(p.returncode, 0, (shard.k, p.stdout, p.stderr))
        rows = shard.ctl("log", "report", json_out=True)
        got = sum(r["debits"] for r in rows if r["wallet"] == cafe)
        eq(got, moved if shard is src else 0, (shard.k, rows))
    # And back, for the tests after this one.
    eq(move_balance(dst, src, cafe), moved)
    eq((wallet_of(src, cafe)["balance"], wallet_of(dst, cafe)["balance"]), (moved, 0))


def pg_bin(name):
    import glob
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/" + name))
    return found[-1] if found else shutil.which(name)


class Postgres:
    """A throwaway PostgreSQL on a unix socket in its own directory (no
    TCP), run as the postgres user when we are root."""

    def __init__(self, top):
        self.dir = os.path.join(top, "pg")
        os.mkdir(self.dir)
        self.as_user = []
        if os.geteuid() == 0:
            import pwd
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            os.chmod(top, 0o711)	# mkdtemp's 0700: let it reach its own
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.data = os.path.join(self.dir, "data")
        self.port = str(pwtest.free_port())
        p = subprocess.run(self.as_user + [pg_bin("initdb"), "-A", "trust", "-U", "pw",
                                           "-D", self.data],
                           capture_output=True, text=True, timeout=120)
        eq(p.returncode, 0, p.stdout + p.stderr)
        self.logf = open(os.path.join(top, "postgres.log"), "ab")
        self.proc = subprocess.Popen(self.as_user + [
            pg_bin("postgres"), "-D", self.data, "-k", self.dir, "-p", self.port,
            "-c", "listen_addresses=", "-c", "fsync=off"],
            stdout=self.logf, stderr=self.logf)
        pwtest.wait_until(lambda: self.psql("SELECT 1").returncode == 0, 30,
                          step=0.2, what="postgres to accept connections")

    def args(self):
        return ["-h", self.dir, "-p", self.port, "-U", "pw", "-d", "postgres"]

    def psql(self, sql, stdin=None):
        return subprocess.run(["psql", "-X", "-Atq", "-v", "ON_ERROR_STOP=1"] +
                              self.args() + ["-c", sql], capture_output=True,
                              text=True, timeout=30, input=stdin)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.logf.close()


def test_billing_logs_into_postgres(cl):
    """tools/ship: every shard's events loaded once, whatever is sent twice."""
    pg = Postgres(cl.tmp)
    try:
        with open(os.path.join(ROOT, "tools", "ship", "billing.sql")) as f:
            p = pg.psql(f.read())
        eq(p.returncode, 0, p.stderr)
        load = os.path.join(ROOT, "tools", "ship", "pgload.py")
        counts = {}
        for s in cl.shards:
            events = s.ctl("-j", "log", "cat").stdout
            counts[s.k] = len([x for x in events.splitlines() if x.strip()])
            check(counts[s.k] > 0, "shard %d logged nothing" % s.k)
            # All of it, then all of it again (a consumer restarted from 1).
            for _ in range(2):
                p = subprocess.run(["python3", load, str(s.k)] + pg.args(),
                                   input=events, capture_output=True, text=True,
                                   timeout=60)
                eq(p.returncode, 0, p.stderr)
        for k, n in counts.items():
            p = pg.psql("SELECT count(*), count(DISTINCT seq), min(seq), max(seq) "
                        "FROM billing_event WHERE shard = %d" % k)
            eq(p.stdout.strip(), "%d|%d|1|%d" % (n, n, n), (k, p.stderr))
        # Every shard's wallets are its credits less its charges and
        # debits (cafe 0's moved balance among them), as loaded.
        for s in cl.shards:
            p = pg.psql("SELECT wallet, sum(CASE type WHEN 'CREDIT' THEN amount "
                        "ELSE -amount END) FROM billing_event WHERE shard = %d "
                        "AND type IN ('CREDIT', 'CHARGE', 'DEBIT') GROUP BY wallet "
                        "ORDER BY wallet" % s.k)
            eq(p.returncode, 0, p.stderr)
            got = dict(line.split("|") for line in p.stdout.split())
            check(cafe_of(s.k) in got, (s.k, got))
            for wallet, total in got.items():
                w = s.ctl("wallet", "show", wallet, json_out=True)
                eq(int(total), w["balance"], (s.k, wallet, w))
        p = pg.psql("SELECT count(*) FROM billing_event WHERE type = 'DEBIT'")
        eq(p.stdout.strip(), "2", p.stderr)
    finally:
        pg.stop()


def test_shard_killed_then_restarted(cl):
    live = {k: cafe_flow(cl, k, pc="pc-3") for k in range(NSHARDS)}
    victim = cl.shards[1]
    victim.kill_all()
    t0 = time.time()
    c1, _, gs1 = live[1]

    def proxy_503():
        st, h, d = c1.heartbeat(gs1)
        return st == 503 and h.get("content-type") == "application/json" and d
    d = pwtest.wait_until(proxy_503, 10, step=0.1, what="HAProxy's 503 for shard 1")
    took = time.time() - t0
    check(took < 10, took)
    eq(d["success"], False, d)
    eq(d["error"]["code"], "SHARD_UNAVAILABLE", d)
    check(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", d["error"]["timestamp"]), d)
    check(d["request_id"].startswith("req_"), d)
    # A launcher start from its cafe, and its OTTs: 503 too, quickly.
    t1 = time.time()
    st, _, d = c1.launcher("session", {"pc_id": "pc-9", "internal_ip": "10.0.0.7"})
    eq(st, 503, d)
    check(time.time() - t1 < 5, "503 took %.1fs" % (time.time() - t1))
    # The others serve on.
    for k in (0, 2):
        c, _, gs = live[k]
        st, _, d = c.heartbeat(gs)
        eq(st, 200, d)
        _, _, gs_new = cafe_flow(cl, k, pc="pc-4")
        eq(digit(gs_new), k)
    # Back on the same store: its sessions answer again.
    victim.start()
    st_d = pwtest.wait_until(lambda: (lambda r: r if r[0] == 200 else None)(c1.heartbeat(gs1)),
                             15, step=0.2, what="shard 1's session through the proxy again")
    eq(st_d[2]["data"]["result"], "OK", st_d)
    print("     (503 after %.2fs)" % took)


TESTS = [test_example_maps_are_current, test_cafe_flows_on_their_shard,
         test_ids_of_other_clients_route_by_id, test_non_cafe_launcher,
         test_forwarded_for_from_client_ignored, test_authenticate_on_shard_of_sub,
         test_operator_endpoints_not_through_proxy,
         test_request_id_end_to_end, test_each_log_holds_its_own_sessions,
         test_cafe_balance_moves_between_shards, test_billing_logs_into_postgres,
         test_shard_killed_then_restarted]


def main():
    cl = Cluster()
    return suite.run("cluster", TESTS, cl, cl.logs)


if __name__ == "__main__":
    sys.exit(main())
