#!/usr/bin/env python3
"""make bench's cluster row: heartbeats through HAProxy over 3 shards
against the same load sent straight to one playwaved.

    cluster.py      (run by run.sh, which sets BENCH_TMP and cleans up)

The direct host has 2 workers, as in the http bench; each shard has 1
(three hosts' worth of workers would only oversubscribe the machine).
The proxy is etc/haproxy/haproxy.cfg as shipped (foreground, no syslog)
with the maps `playwavectl cluster maps` makes.  wrk sends heartbeats of
one live session per shard in turn (rotate.lua), the same bodies to both.

On a small machine the load generator, the proxy and the shards share
the CPUs, so req/s says little: compare CPU per request -- of the proxy
(every HAProxy thread) and of the shards (every playwaved process) --
with the direct host's.
"""

import json
import os
import re
import statistics
import subprocess
import sys

import bench as b

NSHARDS = 3


def start_shard(k):
    """Shard k: one worker, a small store, one cafe of its own that is not
    loopback (the proxy routes this bench's launcher starts by source
    address to "any")."""
    return b.start_server("shard%d" % k, workers=1, store_slots=65536,
                          cafe="bench-cafe-%d" % k,
                          cafe_net="198.51.100.%d/32" % k,
                          extra=b.config()["extra"] + "shard %d\n" % k)


def start_haproxy(shards):
    d = os.path.join(b.TMP, "haproxy")
    os.makedirs(os.path.join(d, "playwave"), exist_ok=True)
    p = subprocess.run([b.pwtest.CTL, "cluster",
                        "maps", os.path.join(d, "playwave")] +
                       [s.conf for s in shards], capture_output=True,
                       text=True, timeout=30)
    if p.returncode != 0:
        raise RuntimeError("cluster maps: " + p.stderr)
    with open(os.path.join(b.ROOT, "etc", "haproxy", "haproxy.cfg")) as f:
        cfg = f.read()
    cfg = re.sub(r"(?m)^\s*(user|group|chroot|daemon|log)\b.*\n", "", cfg)
    cfg = cfg.replace("    option httplog\n", "")
    port = b.free_port()
    cfg = re.sub(r"(?m)^(\s*bind )\S+", r"\g<1>127.0.0.1:%d" % port, cfg)
    # As many threads as the direct host has workers.
    cfg = cfg.replace("global\n", "global\n    nbthread 2\n", 1)
    conf = os.path.join(d, "haproxy.cfg")
    with open(conf, "w") as f:
        f.write(cfg)
    return b.spawn("haproxy", ["haproxy", "-db", "-f", conf, "-f",
                               os.path.join(d, "playwave", "shards.cfg")],
                   d, os.path.join(d, "haproxy.log"), port, nprocs=1)


class Group:
    """Several daemons measured as one (cpu_snapshot of each tree)."""

    def __init__(self, kind, daemons):
        self.kind = kind
        self.daemons = daemons


def snap(group):
    s = {}
    for d in group.daemons:
        s.update(b.cpu_snapshot(d.proc.pid))
    return s


def measure(groups, fn):
    """One load; CPU us per answered request of each group."""
    before = [snap(g) for g in groups]
    c0 = b.client_cpu()
    r = fn()
    c1 = b.client_cpu()
    after = [snap(g) for g in groups]
    n = max(r["requests"], 1)
    r["rps"] = r["requests"] / r["secs"] if r["secs"] > 0 else 0
    r["client_us"] = (c1 - c0) * 1e6 / n
    r["cpu"] = {}
    for g, x, y in zip(groups, before, after):
        ticks = sum(y[p] - x.get(p, 0) for p in y)
        r["cpu"][g.kind] = ticks * 1e6 / b.CLK / n
    return r


def sessions(d, count):
    """count live game sessions, each from its own PC, on d."""
    bodies = []
    for i in range(count):
        ls = b.launcher(d, "session", {"pc_id": "bench-c%02d" % i,
                                          "internal_ip": "10.0.2.%d" % (i + 1)})
        ott = b.launcher(d, "ott", {"launcher_session_id":
                                       ls["launcher_session_id"],
                                       "game_id": "fantasyquest"})["ott"]
        st, payload = b.game(d, "POST", "verify",
                             {"ott": ott, "provider_user_id": b.UID})
        v = json.loads(payload)["data"]
        if st != 200 or not v.get("is_valid"):
            raise RuntimeError("verify: %d %s" % (st, payload))
        bodies.append(json.dumps({"game_session_id": v["game_session_id"],
                                  "provider_user_id": b.UID},
                                 separators=(",", ":")))
    return bodies


def main():
    shards, hap, direct = [], None, None
    try:
        direct = b.start_playwaved()
        dbodies = sessions(direct, NSHARDS)
        shards = [start_shard(k) for k in range(NSHARDS)]
        hap = start_haproxy(shards)
        # One session made on each shard directly: the proxy routes their
        # heartbeats by the id's digit like any other.
        cbodies = []
        for s in shards:
            cbodies += sessions(s, 1)
        for k, body in enumerate(cbodies):
            if not json.loads(body)["game_session_id"].endswith("%x" % k):
                raise RuntimeError("shard %d minted %s" % (k, body))
        dfile = b.write("direct.bodies", "\n".join(dbodies) + "\n")
        cfile = b.write("cluster.bodies", "\n".join(cbodies) + "\n")
        env_d = {"BENCH_BODIES": dfile, "BENCH_KEY": b.API_KEY}
        env_c = {"BENCH_BODIES": cfile, "BENCH_KEY": b.API_KEY}
        url = "http://127.0.0.1:%d" + b.GAME_PATH + "heartbeat"
        g_direct = Group("host", [direct])
        g_proxy = Group("proxy", [hap])
        g_shards = Group("shards", shards)
        res = {"direct": [], "cluster": []}
        for rnd in range(b.RUNS):
            r = measure([g_direct], lambda: b.wrk(url % direct.port,
                        "rotate.lua", env_d, b.SECS))
            res["direct"].append(r)
            b.log("round %d direct   %8.0f req/s  host %5.1f us/req  "
                  "errors %d" % (rnd + 1, r["rps"], r["cpu"]["host"],
                                 r["errors"]))
            r = measure([g_proxy, g_shards], lambda: b.wrk(
                url % hap.port, "rotate.lua", env_c, b.SECS))
            res["cluster"].append(r)
            b.log("round %d cluster  %8.0f req/s  proxy %5.1f us/req  "
                  "shards %5.1f us/req  errors %d" %
                  (rnd + 1, r["rps"], r["cpu"]["proxy"], r["cpu"]["shards"],
                   r["errors"]))
        report(res)
    finally:
        for d in [hap, direct] + shards:
            if d is not None:
                d.stop()


def report(res):
    def med(rs, f):
        return statistics.median(f(r) for r in rs)
    d, c = res["direct"], res["cluster"]
    host = med(d, lambda r: r["cpu"]["host"])
    proxy = med(c, lambda r: r["cpu"]["proxy"])
    shards = med(c, lambda r: r["cpu"]["shards"])
    print()
    print("heartbeats: %d shards behind HAProxy vs one host, %d runs of %d s, "
          "wrk -t%d -c%d, %d CPUs" % (NSHARDS, b.RUNS, b.SECS, b.THREADS,
                                      b.CONNS, os.cpu_count()))
    print("CPU us/req: utime+stime over the run per request answered; "
          "read the ratios, not req/s")
    print("  %-8s %10s %12s %12s %12s %8s" % ("", "req/s", "proxy us/req",
                                              "server us/req", "total us/req",
                                              "errors"))
    print("  %-8s %10.0f %12s %12.1f %12.1f %8d" % (
        "direct", med(d, lambda r: r["rps"]), "-", host, host,
        sum(r["errors"] for r in d)))
    print("  %-8s %10.0f %12.1f %12.1f %12.1f %8d" % (
        "cluster", med(c, lambda r: r["rps"]), proxy, shards, proxy + shards,
        sum(r["errors"] for r in c)))
    if host > 0:
        print("  proxy / host %.2f   shards / host %.2f   cluster / direct "
              "%.2f" % (proxy / host, shards / host, (proxy + shards) / host))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
