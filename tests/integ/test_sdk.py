"""The PlayWave Roblox SDK (sdk/roblox): its Lua suite runs the SDK under
lua5.1 with a mock of the Roblox engine whose HttpService talks to this
playwaved through curl.  The suite needs the cafe wallet empty at its start,
the fantasyquest price of 10 and a short billing-unit (CHARGE_EXHAUSTED).
Every test of the suite must pass; the scenario figures it prints are
shown."""

import os
import re
import shutil
import subprocess

import pwtest

SERVER = dict(billing_unit=2, heartbeat_interval=30, price=10)

SUITE = os.path.join(pwtest.ROOT, "sdk", "roblox", "tests", "test_sdk.lua")


def registered_tests():
    """How many tests the suite's file declares: the runner must report
    every one of them."""
    with open(SUITE) as f:
        return len(re.findall(r'^test\("', f.read(), re.M))


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
    out = p.stdout + p.stderr
    lines = p.stdout.strip().splitlines()
    m = re.match(r"^(\d+) tests: (\d+) passed, (\d+) failed$",
                 lines[-1] if lines else "")
    if p.returncode != 0 or not m:
        raise pwtest.TestFailure("Lua suite rc %d:\n%s" % (p.returncode, out))
    total, passed, failed = (int(x) for x in m.groups())
    oks = sum(1 for line in lines if line.startswith("ok   "))
    pwtest.check(failed == 0 and passed == total and oks == passed,
                 "Lua suite: %d of %d passed:\n%s" % (passed, total, out))
    declared = registered_tests()
    pwtest.check(total == declared, "Lua suite ran %d of its %d tests:\n%s"
                 % (total, declared, out))
    for line in lines:
        if line.startswith("figure: "):
            print("     " + line)
    print("     lua: " + lines[-1])
