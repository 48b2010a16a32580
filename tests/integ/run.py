"""Run the integration tests: every test_* function of every
tests/integ/test_*.py module (or only those named on the command line).
A module may define SERVER = dict(...) config overrides: one playwaved is
then started for the module and passed to each test taking `srv`.
Prints one line per test and a closing "N passed, N failed".

Every temporary file of the run (state directories, stores, logs) is
made under one directory, removed when every test passed and kept, with
its path printed, for a look at what failed."""

import importlib.util
import inspect
import os
import shutil
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pwtest  # noqa: E402


def load(path):
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_module(mod, only):
    passed = failed = 0
    srv = None
    tests = [(n, f) for n, f in inspect.getmembers(mod, inspect.isfunction)
             if n.startswith("test_") and f.__module__ == mod.__name__]
    tests.sort(key=lambda t: t[1].__code__.co_firstlineno)
    if only and not any(o == mod.__name__ for o in only):
        tests = [t for t in tests if any(o in t[0] for o in only)]
    if not tests:
        return 0, 0
    try:
        if hasattr(mod, "SERVER"):
            srv = pwtest.Server(**mod.SERVER).start()
        for name, fn in tests:
            t0 = time.time()
            try:
                if "srv" in inspect.signature(fn).parameters:
                    fn(srv)
                else:
                    fn()
                passed += 1
                print("ok   %s.%s (%.1fs)" % (mod.__name__, name, time.time() - t0),
                      flush=True)
            except Exception:
                failed += 1
                print("FAIL %s.%s" % (mod.__name__, name), flush=True)
                traceback.print_exc()
                if srv is not None:
                    print("---- daemon log tail:\n" + srv.daemon_log()[-3000:])
    finally:
        if srv is not None:
            rc = srv.stop()
            if rc != 0:
                failed += 1
                print("FAIL %s: daemon exited %r on SIGTERM" % (mod.__name__, rc))
    return passed, failed


def main():
    only = sys.argv[1:]
    total_p = total_f = 0
    # Children (playwavectl, shells) inherit it through TMPDIR.
    run_tmp = tempfile.mkdtemp(prefix="pwinteg.")
    # As /tmp is: a test that drops to a service user keeps its way in.
    os.chmod(run_tmp, 0o755)
    os.environ["TMPDIR"] = tempfile.tempdir = run_tmp
    for f in sorted(os.listdir(HERE)):
        if f.startswith("test_") and f.endswith(".py"):
            p, fl = run_module(load(os.path.join(HERE, f)), only)
            total_p += p
            total_f += fl
    print("%d passed, %d failed" % (total_p, total_f))
    if total_f or not total_p:
        print("state of this run kept in " + run_tmp)
        return 1
    shutil.rmtree(run_tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
