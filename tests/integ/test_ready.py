"""GET /readyz: 200 {"status":"ready"} while this shard should take
traffic, else 503 naming every condition not met (a stalled reaper, a
billing log that cannot be written); /healthz stays liveness."""
import json
import os
import resource
import signal
import time

import pwtest
from pwtest import Server, check, eq, wait_until


def ready(srv, method="GET"):
    st, hdrs, body = srv.request(method, "/readyz", raw=True)
    return st, hdrs, body


def failed(srv):
    st, _, body = ready(srv)
    if st == 200:
        eq(json.loads(body), {"status": "ready"})
        return []
    eq(st, 503, body)
    d = json.loads(body)
    eq(d["status"], "not_ready", d)
    return d["failed"]


def test_ready_get_head_and_method():
    srv = Server().start()
    try:
        wait_until(lambda: failed(srv) == [], 3, what="ready")
        st, hdrs, body = ready(srv, "HEAD")
        eq((st, body), (200, b""))
        st, hdrs, _ = srv.request("POST", "/readyz", body={}, raw=True)
        eq(st, 405)
        eq(hdrs.get("allow"), "GET, HEAD")
    finally:
        eq(srv.stop(), 0)


def test_stalled_reaper_is_unready_within_3s():
    srv = Server().start()
    try:
        wait_until(lambda: failed(srv) == [], 3, what="ready")
        reaper = srv.pid_of("playwaved: reaper")
        os.kill(reaper, signal.SIGSTOP)
        try:
            t0 = time.time()
            wait_until(lambda: failed(srv) == ["reaper"], 5,
                       what="/readyz to name the reaper")
            took = time.time() - t0
            check(took < 3.0, "503 after %.2f s" % took)
            print("     unready %.2f s after the reaper stopped" % took)
            # Liveness is not readiness: a worker still answers.
            eq(srv.request("GET", "/healthz")[0], 200)
            # playwavectl status says the same from the store.
            st = srv.ctl("status", json_out=True)
            eq((st["ready"], st["unready"]), (False, ["reaper"]))
            text = srv.ctl("status").stdout
            check("ready              no: reaper (the reaper finished no "
                  "pass in the last 2 s)" in text, text)
        finally:
            os.kill(reaper, signal.SIGCONT)
        wait_until(lambda: failed(srv) == [], 2, what="ready again")
        st = srv.ctl("status", json_out=True)
        eq((st["ready"], st["unready"]), (True, []))
    finally:
        eq(srv.stop(), 0)


def test_on_metrics_listen():
    mport = pwtest.free_port()
    srv = Server(extra="metrics-listen 127.0.0.1:%d" % mport).start()
    try:
        api = srv.port
        srv.port = mport
        try:
            wait_until(lambda: failed(srv) == [], 3, what="ready")
        finally:
            srv.port = api
        # The balancer asks the API port directly, as it does /healthz.
        eq(failed(srv), [])
    finally:
        eq(srv.stop(), 0)


def test_billing_log_write_error():
    """The reaper's writes to the billing log fail (a file-size limit set
    on it from outside: EFBIG): unready naming billing_log, until the
    limit is lifted and the event is written after all."""
    if not hasattr(resource, "prlimit"):
        print("  skipped: no prlimit(2) here")
        return
    srv = Server().start()
    try:
        wait_until(lambda: failed(srv) == [], 3, what="ready")
        srv.credit("seoul-01", 1000)
        srv.log_settled()
        reaper = srv.pid_of("playwaved: reaper")
        log = os.path.join(srv.tmp, "billing.log")
        old = resource.prlimit(reaper, resource.RLIMIT_FSIZE)
        resource.prlimit(reaper, resource.RLIMIT_FSIZE,
                         (os.path.getsize(log), old[1]))
        try:
            _, gs = srv.session("pc-ready")
            wait_until(lambda: "billing_log" in failed(srv), 3,
                       what="/readyz to name the billing log")
            eq(srv.end(gs)[0], 200)
        finally:
            resource.prlimit(reaper, resource.RLIMIT_FSIZE, old)
        wait_until(lambda: failed(srv) == [], 5, what="ready again")
        wait_until(lambda: any(e.get("session") == gs and
                               e["type"] == "END"
                               for e in srv.log_events()), 5,
                   what="the END written after all")
    finally:
        eq(srv.stop(), 0)
