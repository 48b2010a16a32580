"""The runner of the cluster test modules: one fixture (shards, a proxy)
started once, each test called with it in order, its logs printed after
a failure, and its temporary directory removed when every test passed.
Prints one line per test and a closing "N passed, N failed"."""

import os
import shutil
import subprocess
import sys
import time
import traceback


def run(name, tests, fixture, logs):
    """tests: functions of the fixture; fixture: start(), stop() (the
    exit codes of what it stopped, or None) and tmp; logs(): text to show
    after a failure.  Tests named on the command line run alone."""
    if shutil.which("haproxy") is None:
        print("FAIL %s: haproxy not installed (make deps)" % name)
        return 1
    only = sys.argv[1:]
    passed = failed = 0
    try:
        fixture.start()
        for fn in tests:
            if only and not any(o in fn.__name__ for o in only):
                continue
            t0 = time.time()
            try:
                fn(fixture)
                passed += 1
                print("ok   %s.%s (%.1fs)" % (name, fn.__name__,
                                             time.time() - t0), flush=True)
            except Exception:
                failed += 1
                print("FAIL %s.%s" % (name, fn.__name__), flush=True)
                traceback.print_exc()
                print(logs())
    except Exception:
        failed += 1
        print("FAIL %s: set-up" % name)
        traceback.print_exc()
        print(logs())
    finally:
        rcs = fixture.stop() or []
        if any(rc not in (0, None) for rc in rcs):
            failed += 1
            print("FAIL %s: a process exited %r on SIGTERM" % (name, rcs))
    if failed == 0:
        shutil.rmtree(fixture.tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


class Haproxy:
    """HAProxy in the foreground on the config text cfg and the shards'
    config (`playwavectl cluster maps`), its output in tmp/haproxy.log."""

    def __init__(self, tmp, cfg, shards_cfg):
        self.logpath = os.path.join(tmp, "haproxy.log")
        conf = os.path.join(tmp, "haproxy.cfg")
        with open(conf, "w") as f:
            f.write(cfg)
        self.logf = open(self.logpath, "ab")
        self.proc = subprocess.Popen(["haproxy", "-db", "-f", conf, "-f",
                                      shards_cfg], stdout=self.logf,
                                     stderr=self.logf, cwd=tmp)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.logf.close()
