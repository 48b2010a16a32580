"""The reaper's idle cost: a pass at least every second (readiness counts
on its stamp), and passes that find nothing due cost next to nothing: over a
large store, an idle reaper takes a small fraction of the CPU a walk
over every slot four times a second took, and a minute due is still
charged on time."""

import os
import time

from pwtest import Server, check, eq, wait_until

SLOTS = 1 << 20


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])        # utime + stime


def test_idle_reaper_costs_next_to_nothing():
    if not os.path.isdir("/proc/self"):
        print("  (skipped: no /proc to read CPU times from)")
        return
    srv = Server(price=1, billing_unit=2, store_slots=SLOTS).start()
    try:
        reaper = srv.pid_of("playwaved: reaper")
        time.sleep(1.5)                     # the start's own walks
        p0 = srv.ctl("status", json_out=True)["reaper_passes"]
        c0 = cpu_ticks(reaper)
        time.sleep(6)
        c1 = cpu_ticks(reaper)
        p1 = srv.ctl("status", json_out=True)["reaper_passes"]
        hz = os.sysconf("SC_CLK_TCK")
        # A walk of 2^20 slots is ~10 ms: four a second were ~25 ticks
        # in 6 s; a walk every few seconds and stamps in between are ~2.
        check((c1 - c0) * 1000 // hz <= 60, "idle reaper used %d ms of CPU "
              "in 6 s" % ((c1 - c0) * 1000 // hz))
        check(p1 - p0 >= 6, "%d passes in 6 s" % (p1 - p0))
        # What readiness reads: the reaper's stamp, under a second old.
        for _ in range(3):
            seen = srv.ctl("status", json_out=True)["reaper_last_pass_ms"]
            check(abs(seen - time.time() * 1000) < 1000, seen)
            time.sleep(0.4)
        # Idle, it still charges each minute as it starts.
        srv.credit("seoul-01", 100)
        _, gs = srv.session("pc-idle")
        wait_until(lambda: [e["minute"] for e in srv.log_events()
                            if e["session"] == gs and e["type"] == "CHARGE"]
                   [-1:] == [3], 7, what="minute 3 of a session")
        srv.end(gs)
    finally:
        eq(srv.stop(), 0)
