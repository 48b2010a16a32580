"""The process model: master, workers and reaper with their titles,
respawn, reload, graceful stop, config check, pidfile."""

import os
import signal
import socket
import subprocess
import time

import pwtest
from pwtest import Server, check, eq, wait_until


def test_titles_and_respawn():
    srv = Server(workers=3).start()
    try:
        want = ["playwaved: master", "playwaved: reaper", "playwaved: worker 0",
                "playwaved: worker 1", "playwaved: worker 2"]
        # A child has its title a moment after fork, not at once.
        wait_until(lambda: srv.titles() == want, 5,
                   what="titles %r (have %r)" % (want, srv.titles()))
        victim = srv.pid_of("playwaved: worker 1")
        os.kill(victim, signal.SIGKILL)
        t0 = time.time()
        ok = 0
        # /healthz keeps answering while the worker is replaced.
        while time.time() - t0 < 1.0:
            st, _, _ = srv.request("GET", "/healthz")
            ok += st == 200
        new = wait_until(lambda: srv.pid_of("playwaved: worker 1"), 1.0,
                         what="worker 1 to be replaced")
        check(new != victim)
        check(ok > 10, ok)
        eq(len(srv.titles()), 5)
        reaper = srv.pid_of("playwaved: reaper")
        os.kill(reaper, signal.SIGKILL)
        wait_until(lambda: srv.pid_of("playwaved: reaper") not in (None, reaper),
                   1.5, what="reaper to be replaced")
    finally:
        eq(srv.stop(), 0)
    eq(srv.children(), [])


def test_sighup_applies_new_config():
    srv = Server(heartbeat_interval=120, price=0).start()
    try:
        _, gs = srv.session("pc-hup")
        eq(srv.heartbeat(gs)[2]["data"]["next_heartbeat_in"], 120)
        old = sorted(p for p, t in srv.children() if "worker" in t)
        srv.write_config(heartbeat_interval=77)
        os.kill(srv.proc.pid, signal.SIGHUP)
        wait_until(lambda: srv.heartbeat(gs)[2]["data"]["next_heartbeat_in"] == 77,
                   5, what="the reloaded heartbeat-interval")
        wait_until(lambda: not set(old) & {p for p, t in srv.children()}, 5,
                   what="old workers to drain")
        wait_until(lambda: len([t for t in srv.titles() if "worker" in t]) == 2, 5,
                   what="two titled workers")
        # A broken config is refused; the server keeps running the old one.
        with open(srv.conf, "a") as f:
            f.write("\nnot-a-directive 1\n")
        os.kill(srv.proc.pid, signal.SIGHUP)
        wait_until(lambda: "reload failed" in srv.daemon_log(), 5)
        eq(srv.heartbeat(gs)[2]["data"]["next_heartbeat_in"], 77)
    finally:
        eq(srv.stop(), 0)


def test_config_check_flag():
    srv = Server()
    p = subprocess.run([pwtest.DAEMON, "-n", "-f", srv.conf], capture_output=True,
                       text=True)
    eq(p.returncode, 0, p.stderr)
    bad = os.path.join(srv.tmp, "bad.conf")
    with open(bad, "w") as f:
        f.write("listen 127.0.0.1:1\nworkers two\n")
    p = subprocess.run([pwtest.DAEMON, "-n", "-f", bad], capture_output=True, text=True)
    eq(p.returncode, 1)
    check("bad.conf:2:" in p.stderr, p.stderr)


def test_sigterm_waits_for_inflight_and_exits_zero():
    srv = Server(price=0).start()
    _, gs = srv.session("pc-term")
    body = ('{"game_session_id":"%s","provider_user_id":"123456789"}' % gs).encode()
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(b"PATCH /v1/game/session/heartbeat HTTP/1.1\r\nHost: x\r\n"
              b"X-Api-Key: " + pwtest.API_KEY.encode() +
              b"\r\nContent-Type: application/json\r\nContent-Length: " +
              str(len(body)).encode() + b"\r\n\r\n" + body[:10])
    time.sleep(0.2)
    os.kill(srv.proc.pid, signal.SIGTERM)
    time.sleep(0.3)
    # The request already on the wire is finished, not dropped.
    s.sendall(body[10:])
    s.settimeout(5)
    out = s.recv(4096)
    s.close()
    check(out.startswith(b"HTTP/1.1 200"), out)
    check(b'"result":"OK"' in out, out)
    eq(srv.stop(), 0)
    eq(srv.children(), [])


def test_daemon_mode_pidfile_refuses_second():
    srv = Server()
    pidfile = os.path.join(srv.tmp, "playwaved.pid")
    p = subprocess.run([pwtest.DAEMON, "-f", srv.conf], cwd=srv.tmp, timeout=10)
    eq(p.returncode, 0)
    try:
        pid = int(wait_until(lambda: os.path.exists(pidfile) and open(pidfile).read().strip(),
                             5, what="pidfile"))
        wait_until(srv.healthy, 5)
        q = subprocess.run([pwtest.DAEMON, "-f", srv.conf], cwd=srv.tmp, timeout=10,
                           capture_output=True, text=True)
        check(q.returncode != 0)
    finally:
        os.kill(pid, signal.SIGTERM)
        wait_until(lambda: not srv.children(), 10, what="daemon to stop")
    check(not os.path.exists(pidfile))


def test_killed_master_next_start_adopts_store():
    srv = Server(price=0).start()
    _, gs = srv.session("pc-adopt")
    os.kill(srv.proc.pid, signal.SIGKILL)
    srv.proc.wait()
    wait_until(lambda: not srv.children(), 5, what="orphaned children to exit")
    srv.logf.close()
    srv.proc = None
    srv.start()
    try:
        st, _, d = srv.heartbeat(gs)
        eq(st, 200, d)
        eq(d["data"]["result"], "OK")
    finally:
        eq(srv.stop(), 0)
