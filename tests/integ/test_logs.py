"""The daemon's own log under systemd and for log shippers: with stderr
the journal's stream ($JOURNAL_STREAM names its device and inode) each
line starts with its syslog priority and carries no second timestamp;
log-format json makes each line one JSON object."""

import json
import os
import re
import subprocess

import pwtest
from pwtest import Server, check, eq, wait_until


def start_with_stream(srv):
    """srv started with its stderr (the log file) named as the journal's
    stream, as systemd does for a unit's stdout and stderr."""
    st = os.stat(srv.log) if os.path.exists(srv.log) else None
    if st is None:
        open(srv.log, "ab").close()
        st = os.stat(srv.log)
    os.environ["JOURNAL_STREAM"] = "%d:%d" % (st.st_dev, st.st_ino)
    try:
        srv.start()
    finally:
        del os.environ["JOURNAL_STREAM"]


def test_journal_priorities_and_no_second_timestamp():
    srv = Server(workers=1)
    start_with_stream(srv)
    try:
        srv.write_config(extra="not-a-directive 1")
        os.kill(srv.proc.pid, 1)
        wait_until(lambda: "reload failed" in srv.daemon_log(), 5)
    finally:
        eq(srv.stop(), 0)
    lines = [ln for ln in srv.daemon_log().splitlines() if ln]
    for ln in lines:
        check(re.match(r"^<[0-7]>\S", ln), "no priority: %r" % ln)
        check(not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", ln),
              "a second timestamp: %r" % ln)
    check(any(re.match(r"^<6>master\[\d+\]: playwaved .* started", ln)
              for ln in lines), lines)
    check(any(ln.startswith("<4>master[") and "reload failed" in ln
              for ln in lines), lines)


def test_stream_of_another_file_is_not_the_journal():
    srv = Server(workers=1)
    os.environ["JOURNAL_STREAM"] = "1:1"
    try:
        srv.start()
    finally:
        del os.environ["JOURNAL_STREAM"]
    eq(srv.stop(), 0)
    for ln in srv.daemon_log().splitlines():
        check(re.match(r"^\d{4}-\d\d-\d\dT\S+Z playwaved\[\d+\] ", ln), ln)


def test_log_format_json():
    srv = Server(workers=1, extra="log-format json")
    srv.start()
    try:
        srv.ctl("wallet", "credit", "seoul-01", "5")
    finally:
        eq(srv.stop(), 0)
    docs = [json.loads(ln) for ln in srv.daemon_log().splitlines() if ln]
    check(len(docs) >= 2, docs)
    for d in docs:
        eq(sorted(d), ["level", "msg", "pid", "proc", "ts"], d)
        check(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", d["ts"]), d)
        check(d["level"] in ("info", "warning", "error", "crit", "notice"), d)
    check(any(d["proc"] == "master" and "started" in d["msg"] for d in docs),
          docs)
    p = subprocess.run([pwtest.DAEMON, "-T", "-f", srv.conf],
                       capture_output=True, text=True, timeout=30)
    check(re.search(r"(?m)^log-format +json$", p.stdout), p.stdout)
