"""The PlayWave Roblox SDK (sdk/roblox): its Lua suite runs the SDK under
lua5.1 with a mock of the Roblox engine whose HttpService talks to this
playwaved through curl.  The suite needs the cafe wallet empty at its start,
the fantasyquest price of 10 and a short billing-unit (CHARGE_EXHAUSTED)."""

import os
import shutil
import subprocess

import pwtest

SERVER = dict(billing_unit=2, heartbeat_interval=30, price=10)

SUITE = os.path.join(pwtest.ROOT, "sdk", "roblox", "tests", "test_sdk.lua")


def test_roblox_sdk(srv):
    for tool in ("lua5.1", "curl"):
        pwtest.check(shutil.which(tool), tool + " is not installed (make deps)")
    env = dict(os.environ,
               PW_API_URL="http://127.0.0.1:%d/v1" % srv.port,
               PW_API_KEY=pwtest.API_KEY,
               PW_CONF=srv.conf,
               PW_CTL=pwtest.CTL)
    p = subprocess.run(["lua5.1", SUITE], env=env, capture_output=True,
                       text=True, timeout=600)
    lines = p.stdout.strip().splitlines()
    summary = lines[-1] if lines else ""
    if p.returncode != 0 or not summary.endswith(" 0 failed"):
        raise pwtest.TestFailure("Lua suite rc %d:\n%s%s" % (p.returncode,
                                                             p.stdout, p.stderr))
    passed = int(summary.split()[0])
    pwtest.check(passed >= 30, "only %d Lua tests passed" % passed)
    print("     lua: " + summary)
