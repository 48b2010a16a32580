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


def test_titles_have_no_stray_bytes():
    """What ps and /proc/PID/cmdline show is the title and nothing after
    it (libbsd's setproctitle left a '.' where argv[0] ended)."""
    srv = Server(workers=1).start()
    try:
        for pid, title in srv.children():
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                raw = f.read()
            eq(raw.rstrip(b"\0"), title.encode(), "cmdline of %d" % pid)
            ps = subprocess.run(["ps", "-o", "args=", "-p", str(pid)],
                                capture_output=True, text=True).stdout
            eq(ps.rstrip(), title, "ps of %d" % pid)
    finally:
        eq(srv.stop(), 0)


def status_rc(srv):
    p = srv.ctl("status", check_rc=False)
    return p.returncode, p.stdout


def test_status_exit_codes_are_lsb():
    """0 running, 3 stopped (or never started), 1 killed but named in the
    store, 4 unknown (pg_isready's and LSB's status codes)."""
    srv = Server(workers=1)
    rc, out = status_rc(srv)
    eq(rc, 3, "never started: " + out)
    check("not running" in out, out)
    srv.start()
    eq(status_rc(srv)[0], 0)
    eq(srv.stop(), 0)
    rc, out = status_rc(srv)
    eq(rc, 3, "stopped: " + out)
    check(json_status(srv)["master_alive"] is False)
    srv.start()
    srv.kill_all()
    rc, out = status_rc(srv)
    eq(rc, 1, "killed: " + out)
    os.chmod(os.path.join(srv.tmp, "store"), 0)
    if os.geteuid() != 0:
        eq(status_rc(srv)[0], 4, "store unreadable")
    os.chmod(os.path.join(srv.tmp, "store"), 0o600)
    with open(srv.conf, "a") as f:
        f.write("\nnot-a-directive 1\n")
    eq(status_rc(srv)[0], 4, "configuration unreadable")


def json_status(srv):
    """status -j of the store itself (-s): the configuration may be
    broken on purpose."""
    import json
    p = subprocess.run([pwtest.CTL, "-s", os.path.join(srv.tmp, "store"),
                        "-j", "status"], capture_output=True, text=True,
                       timeout=30)
    return json.loads(p.stdout)


def test_reload_is_no_restart_and_reports_its_outcome():
    srv = Server(workers=2).start()
    try:
        s = json_status(srv)
        eq(s["last_reload"]["status"], "none")
        srv.write_config(heartbeat_interval=77)
        os.kill(srv.proc.pid, signal.SIGHUP)
        wait_until(lambda: json_status(srv)["last_reload"]["status"] == "ok",
                   5, what="the reload reported")
        wait_until(srv.all_up, 10, what="new children")
        time.sleep(0.5)
        s = json_status(srv)
        eq([p["restarts"] for p in s["processes"]], [0, 0, 0], s["processes"])
        eq(s["last_reload"]["count"], 1)
        eq(s["config_reloads"], 1)
        check(s["config_last_reload_successful"] == 1, s)
        with open(srv.conf, "a") as f:
            f.write("\nnot-a-directive 1\n")
        os.kill(srv.proc.pid, signal.SIGHUP)
        wait_until(lambda: json_status(srv)["last_reload"]["status"] ==
                   "failed", 5, what="the refused reload reported")
        s = json_status(srv)
        check("not-a-directive" in s["last_reload"]["error"], s)
        eq(s["config_last_reload_successful"], 0)
        eq(s["last_reload"]["count"], 1)
        _, _, m = srv.request("GET", "/metrics", raw=True)
        check(b"\nplaywaved_config_last_reload_successful 0\n" in m, m)
        t = subprocess.run([pwtest.CTL, "-s", os.path.join(srv.tmp, "store"),
                            "status"], capture_output=True, text=True).stdout
        check("last reload        failed" in t, t)
    finally:
        eq(srv.stop(), 0)


def test_sd_notify_ready_reloading_stopping():
    """$NOTIFY_SOCKET gets READY=1 once the store is reconciled and the
    children forked, RELOADING=1 then READY=1 around a SIGHUP, STOPPING=1
    on SIGTERM; the readiness bit is in the store."""
    srv = Server(workers=1)
    path = os.path.join(srv.tmp, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(10)
    os.environ["NOTIFY_SOCKET"] = path
    try:
        srv.start(wait=False)
    finally:
        del os.environ["NOTIFY_SOCKET"]
    try:
        msg = sock.recv(4096).decode()
        check("READY=1" in msg.split("\n"), msg)
        check("MAINPID=%d" % srv.proc.pid in msg, msg)
        eq(json_status(srv)["startup_reconciled"], 1)
        wait_until(srv.all_up, 10, what="children")
        os.kill(srv.proc.pid, signal.SIGHUP)
        msg = sock.recv(4096).decode()
        check(msg.startswith("RELOADING=1\nMONOTONIC_USEC="), msg)
        msg = sock.recv(4096).decode()
        check(msg.startswith("READY=1"), msg)
    finally:
        eq(srv.stop(), 0)
    msg = sock.recv(4096).decode()
    eq(msg, "STOPPING=1")
    sock.close()
