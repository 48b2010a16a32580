"""The exported values come from one table (include/tbl/metrics.h): the
METRICS list of playwaved(8), the status -j keys of playwavectl(8) and
what a running daemon's /metrics and status -j show all match it, and
promtool check metrics (Debian's prometheus package) finds nothing to
say about the names."""

import os
import re
import shutil
import subprocess

import pwtest
from pwtest import check, eq

SERVER = dict()


def table():
    with open(os.path.join(pwtest.ROOT, "include", "tbl", "metrics.h")) as f:
        text = f.read()
    return [(n, t) for n, t in re.findall(
        r'PW_METRIC\("([a-z_]+)",\s*(\w+),', text)]


def key(name):
    return name[:-6] if name.endswith("_total") else name


def section(path, start, end):
    with open(path) as f:
        text = f.read()
    a = text.index(start)
    return text[a:text.index(end, a + len(start))]


def test_playwaved_man_lists_every_metric():
    sec = section(os.path.join(pwtest.ROOT, "man", "playwaved.8"),
                  "\n.Sh METRICS\n", "\n.Sh ")
    listed = re.findall(r"(?m)^\.It Li ([a-z_]+)", sec)
    eq(listed, [n for n, _ in table()], "playwaved(8) METRICS vs the table")
    for n, t in table():
        check(re.search(r"(?m)^\.It Li %s\b.*Pq %s" % (n, t), sec),
              "%s is a %s in the table" % (n, t))


def test_playwavectl_man_lists_every_status_key():
    sec = section(os.path.join(pwtest.ROOT, "man", "playwavectl.8"),
                  "under the same name as in the text:\n", "\nthen\n")
    listed = re.findall(r"(?m)^\.Li ([a-z_]+)", sec)
    eq(listed, [key(n) for n, _ in table()], "playwavectl(8) status -j keys")


def test_metrics_and_status_match_the_table(srv):
    st, h, body = srv.request("GET", "/metrics", raw=True)
    eq(st, 200)
    text = body.decode()
    families = re.findall(r"(?m)^# TYPE playwaved_(\S+) (\S+)$", text)
    eq(families, table(), "/metrics families")
    for n, t in table():
        if t == "histogram":
            check("playwaved_%s_bucket{endpoint=\"verify\",le=\"+Inf\"}" % n
                  in text, n)
    s = srv.ctl("status", json_out=True)
    for n, _ in table():
        check(key(n) in s, "status -j has no %s" % key(n))
    check(abs(s["start_time_seconds"] - s["master_started_ms"] / 1000) < 0.01, s)


def test_promtool_check_metrics(srv):
    if shutil.which("promtool") is None:
        print("  skipped: promtool missing (Debian's prometheus package; "
              "make deps installs it)")
        return
    _, _, body = srv.request("GET", "/metrics", raw=True)
    p = subprocess.run(["promtool", "check", "metrics"], input=body,
                       capture_output=True, timeout=30)
    eq(p.returncode, 0, (p.stdout + p.stderr).decode())
    eq((p.stdout + p.stderr).decode().strip(), "", "promtool's remarks")
