"""The billing log's disk full during a commit: a write that fails with
ENOSPC, or an fsync that does.  Nothing is lost (the events wait in the
store, or are cut back to the last synced record and derived again), no
credit is confirmed that is not durable (playwavectl exits 75: it may
still apply), and once there is room again every event is logged once
and the money adds up.

The fault is injected by a build of its own (PW_TEST_FAULTS, made here
as the format-guard test makes its build: never `make' or a package),
while a flag file exists.  As root, the same on a real, full tmpfs."""

import os
import shutil
import subprocess
import tempfile
import time

import pwtest
from pwtest import ROOT, Server, check, eq, wait_until
from test_billing import check_exactly_once, check_money

FAULTS = os.path.join("build", "faults")


def faults_build():
    subprocess.run(["make", "-s", "-j2", "BUILD=" + FAULTS, "SANITIZE=",
                    "CFLAGS=-O1 -g -DPW_TEST_FAULTS", "all"], cwd=ROOT,
                   check=True, timeout=1200, stdout=subprocess.DEVNULL)
    return os.path.join(ROOT, FAULTS, "playwaved")


def settle(srv):
    """End what lives; every event logged once, the money the log's."""
    for s in srv.ctl("sessions", "--state", "live", "--limit", "1000",
                     json_out=True) or []:
        srv.ctl("end", s["id"], check_rc=False)
    evs = srv.log_settled()
    check_exactly_once(srv, require_end=False)
    check_money(srv, evs, "seoul-01")
    return evs


def full_then_room(srv, flag, what):
    srv.credit("seoul-01", 1000)
    _, gs = srv.session("pc-full-0")
    wait_until(lambda: len(srv.log_events()) >= 3, 5)
    n = len(srv.log_events())
    open(flag, "w").close()                 # the disk is full
    made = [srv.session("pc-full-%d" % i)[1] for i in range(1, 4)]
    srv.end(made[0])
    wait_until(lambda: what in srv.daemon_log(), 10,
               what="the failure in the daemon's log")
    # Not confirmed: it is not durable.  It may still apply.
    p = srv.ctl("wallet", "credit", "seoul-01", "5", check_rc=False)
    eq(p.returncode, 75, p.stdout + p.stderr)
    check("may still apply" in p.stderr, p.stderr)
    time.sleep(1.5)
    # The log kept what was synced before, and no more.
    eq(len(srv.log_events()), n)
    os.unlink(flag)                         # room again
    wait_until(lambda: any(e["type"] == "CREDIT" and e["amount"] == 5
                           for e in srv.log_events()), 15,
               what="the queued credit logged once there was room")
    evs = settle(srv)
    eq(sum(e["type"] == "CREDIT" and e["amount"] == 5 for e in evs), 1)
    for gs in made + [gs]:
        types = [e["type"] for e in evs if e["session"] == gs]
        eq(types[:2], ["START", "CHARGE"], gs)


def test_enospc_on_write_and_on_fsync():
    daemon = faults_build()
    for mode in ("interval", "always"):
        srv = Server(billing_unit=1, price=1, billing_fsync=mode)
        srv.daemon = daemon
        flag = os.path.join(srv.tmp, "disk-full")
        srv.env = {"PLAYWAVED_FAULT_ENOSPC": flag}
        srv.start()
        try:
            full_then_room(srv, flag, "billing log write: No space left")
        finally:
            eq(srv.stop(), 0)
    # An fsync that fails: cut back to the last synced record, the
    # reaper restarts (and again, while it fails), nothing counted twice.
    srv = Server(billing_unit=1, price=1)
    srv.daemon = daemon
    flag = os.path.join(srv.tmp, "fsync-fails")
    srv.env = {"PLAYWAVED_FAULT_FSYNC": flag}
    srv.start()
    try:
        full_then_room(srv, flag, "fsync failed: cut back to seq")
        eq(srv.ctl("log", "verify", check_rc=False).returncode, 0)
    finally:
        eq(srv.stop(), 0)


def test_enospc_on_a_real_full_tmpfs():
    """Root only: a 1 MiB tmpfs holds the billing log, a file fills it."""
    if os.geteuid() != 0:
        print("  (skipped: mounting a tmpfs needs root)")
        return
    mnt = tempfile.mkdtemp(prefix="pwfull.")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755",
                        "tmpfs", mnt], capture_output=True, text=True)
    if p.returncode != 0:
        os.rmdir(mnt)
        print("  (skipped: cannot mount a tmpfs here: %s)" % p.stderr.strip())
        return
    try:
        srv = Server(billing_unit=1, price=1)
        with open(srv.conf) as f:
            conf = f.read()
        with open(srv.conf, "w") as f:
            f.write(conf.replace('billing-log "%s/billing.log"' % srv.tmp,
                                 'billing-log "%s/billing.log"' % mnt))
        srv.start()
        try:
            srv.credit("seoul-01", 1000)
            _, gs = srv.session("pc-tmpfs-0")
            filler = os.path.join(mnt, "filler")
            with open(filler, "wb") as f:
                try:
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
                except OSError:
                    pass
            made = [srv.session("pc-tmpfs-%d" % i)[1] for i in range(1, 3)]
            wait_until(lambda: "billing log write" in srv.daemon_log(), 10,
                       what="ENOSPC in the daemon's log")
            p = srv.ctl("wallet", "credit", "seoul-01", "5", check_rc=False)
            eq(p.returncode, 75, p.stderr)
            os.unlink(filler)
            wait_until(lambda: any(e["type"] == "CREDIT" and e["amount"] == 5
                                   for e in srv.log_events()), 15,
                       what="the credit logged once there was room")
            evs = settle(srv)
            for s in made + [gs]:
                check(any(e["session"] == s for e in evs), s)
        finally:
            srv.stop()
            for f in os.listdir(mnt):
                shutil.copy(os.path.join(mnt, f), srv.tmp)
    finally:
        subprocess.run(["umount", mnt], check=False)
        os.rmdir(mnt)
