"""Durations on the store clock: the wall clock stepped an hour forward
and back under a live cafe session (libfaketime, the daemon only) bills
nothing extra, skips nothing and expires nothing; a reboot's downtime is
bridged once with the wall clock, never below zero; an ended session is
answered for until session-timeout after its end, in milliseconds; the
charge grace is free play, its minutes counted."""

import glob
import os
import struct
import time
import uuid

from pwtest import Server, check, eq, wait_until
from test_billing import check_exactly_once, events_by_session

CLOCK_OFF = 296                 # pw_store_hdr.clock (pw_store_format.h)


def libfaketime():
    found = (glob.glob("/usr/lib/*/faketime/libfaketime.so.1") +
             glob.glob("/usr/local/lib/faketime/libfaketime.so.1"))
    return found[0] if found else None


def step(srv, seconds):
    """Move the daemon's wall clock to real time + seconds."""
    with open(srv.env["FAKETIME_TIMESTAMP_FILE"], "w") as f:
        f.write("%+d\n" % seconds)


def test_wall_clock_steps_bill_nothing_extra():
    lib = libfaketime()
    if lib is None:
        print("  (skipped: libfaketime is not installed)")
        return
    srv = Server(billing_unit=3, price=1, session_timeout=20,
                 launcher_timeout=20, ott_ttl=20)
    offset = os.path.join(srv.tmp, "faketime")
    srv.env = {"LD_PRELOAD": lib, "FAKETIME_TIMESTAMP_FILE": offset,
               "FAKETIME_NO_CACHE": "1", "DONT_FAKE_MONOTONIC": "1",
               "ASAN_OPTIONS": "verify_asan_link_order=0"}
    step(srv, 0)
    srv.start()
    try:
        srv.credit("seoul-01", 10**6)
        ls, gs = srv.session("pc-clock")
        t0 = time.monotonic()
        ott = srv.ott(srv.launcher_session("pc-clock-2")["launcher_session_id"])
        for secs in (3600, -3600, 0):
            step(srv, secs)
            # Two reaper passes at least, then all still alive.
            time.sleep(2.5)
            st, _, d = srv.heartbeat(gs)
            eq((st, d["data"]["result"]), (200, "OK"), (secs, d))
            st, _, d = srv.launcher("session/heartbeat",
                                    {"launcher_session_id": ls}, method="PATCH")
            eq(st, 200, (secs, d))
        # An OTT issued before the steps is still good.
        v = srv.verify(ott, "555")
        check(v["is_valid"], v)
        st, _, d = srv.end(gs)
        elapsed = time.monotonic() - t0
        eq(st, 200, d)
        # Minutes as the monotonic clock counts them, not the hour.
        want = int(elapsed // 3) + 1
        check(want - 1 <= d["data"]["billed_minutes"] <= want + 1,
              (elapsed, d["data"]))
        check(abs(d["data"]["play_duration_sec"] - elapsed) <= 1.5,
              (elapsed, d["data"]))
        wait_until(lambda: events_by_session(srv.log_events())[gs][-1]["type"]
                   == "END", 5, what="the END logged")
        mine = events_by_session(check_exactly_once(srv, require_end=False))[gs]
        charges = [e for e in mine if e["type"] == "CHARGE"]
        eq(len(charges), d["data"]["billed_minutes"], mine)
        eq(mine[-1]["reason"], "ENDED")
    finally:
        eq(srv.stop(), 0)


def set_clock(path, boot_id, wall_delta_ms):
    """A store's clock as another boot left it, its anchor's wall clock
    moved by wall_delta_ms."""
    with open(path, "r+b") as f:
        f.seek(CLOCK_OFF)
        f.write(boot_id)
        f.seek(CLOCK_OFF + 32)
        wall = struct.unpack("=Q", f.read(8))[0]
        f.seek(CLOCK_OFF + 32)
        f.write(struct.pack("=Q", wall + wall_delta_ms))


def bridged(path):
    with open(path, "rb") as f:
        f.seek(CLOCK_OFF + 48)
        return struct.unpack("=Q", f.read(8))[0]


def test_reboot_bridged_once_never_below_zero():
    srv = Server(price=0, session_timeout=300, launcher_timeout=3000).start()
    store = os.path.join(srv.tmp, "store")
    try:
        _, gs = srv.session("pc-boot")
    finally:
        eq(srv.stop(), 0)
    # Another boot, 1000 s after the last pass: the store clock moves on
    # by that much, once; the session, silent that long, has expired.
    set_clock(store, uuid.uuid4().bytes, -1000 * 1000)
    srv.start()
    try:
        check("a new boot" in srv.daemon_log() and "bridged" in srv.daemon_log(),
              srv.daemon_log()[-2000:])
        gap = bridged(store)
        check(1000 * 1000 <= gap < 1000 * 1000 + 60 * 1000, gap)
        wait_until(lambda: srv.heartbeat(gs)[0] == 410, 5,
                   what="the session expired across the downtime")
        eq(srv.heartbeat(gs)[2]["error"]["message"], "session ended: EXPIRED")
    finally:
        eq(srv.stop(), 0)
    # Another boot whose wall clock reads earlier than the last pass (set
    # back): no downtime is assumed, none is taken off.
    set_clock(store, uuid.uuid4().bytes, 10**7)
    with open(srv.log, "w"):
        pass
    srv.start()
    try:
        check("bridged 0 ms of downtime" in srv.daemon_log(), srv.daemon_log())
        eq(bridged(store), 0)
        _, gs = srv.session("pc-boot-2")
        st, _, d = srv.heartbeat(gs)
        eq((st, d["data"]["result"]), (200, "OK"))
    finally:
        eq(srv.stop(), 0)


def test_ended_session_kept_until_timeout_in_ms():
    """410 until session-timeout after the end, never 404 before, however
    the end falls within its second."""
    srv = Server(price=0, session_timeout=2).start()
    try:
        for frac in (0.05, 0.5, 0.95):
            _, gs = srv.session("pc-keep-%d" % int(frac * 100))
            time.sleep((frac - time.time() % 1.0) % 1.0)
            t_end = time.time()
            eq(srv.end(gs)[0], 200)
            first_404 = None
            while time.time() < t_end + 6:
                st, _, _ = srv.heartbeat(gs)
                now = time.time()
                if st == 404:
                    first_404 = now
                    break
                eq(st, 410, frac)
                time.sleep(0.03)
            check(first_404 is not None, "never forgotten")
            check(first_404 >= t_end + 2.0, "404 %.3f s after the end"
                  % (first_404 - t_end))
    finally:
        eq(srv.stop(), 0)


def grace_minutes(srv):
    m = srv.request("GET", "/metrics", raw=True)[2].decode()
    for line in m.splitlines():
        if line.startswith("playwaved_grace_charges_waived_total "):
            return int(line.split()[1])
    raise AssertionError("no grace_charges_waived_total in /metrics")


def test_grace_is_free_play():
    srv = Server(billing_unit=1, price=10, charge_grace=4).start()
    try:
        srv.credit("seoul-01", 10)          # the first minute only
        _, gs = srv.session("pc-grace-free")
        wait_until(lambda: srv.heartbeat(gs)[2]["data"]["result"] ==
                   "CHARGE_EXHAUSTED", 4, what="the grace")
        time.sleep(2.6)                     # two minutes start in it
        srv.credit("seoul-01", 1000)
        wait_until(lambda: srv.heartbeat(gs)[2]["data"]["result"] == "OK", 3,
                   what="billing to resume")
        free = grace_minutes(srv)
        check(free >= 2, free)
        st, _, d = srv.end(gs)
        eq(st, 200, d)
        wait_until(lambda: events_by_session(srv.log_events())[gs][-1]["type"]
                   == "END", 5, what="the END logged")
        mine = events_by_session(check_exactly_once(srv))[gs]
        charges = [e for e in mine if e["type"] == "CHARGE"]
        # Every minute started was played; those that started in the
        # grace were not charged.
        started = d["data"]["play_duration_sec"] + 1
        check(len(charges) <= started - free, (len(charges), started, free))
        eq(d["data"]["charged"], 10 * len(charges))
        eq(mine[-1]["amount"], 10 * len(charges))
    finally:
        eq(srv.stop(), 0)
