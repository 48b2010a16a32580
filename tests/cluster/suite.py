"""The runner of the cluster test modules: one fixture (shards, a proxy)
started once, each test called with it in order, its logs printed after
a failure, and its temporary directory removed when every test passed.
Prints one line per test and a closing "N passed, N failed"."""

import http.client
import os
import re
import shutil
import ssl
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


def tls_pem(tmp):
    """A throwaway self-signed certificate and its key, in one PEM file
    as HAProxy's crt wants, for the sample's TLS frontend on loopback."""
    key, crt, pem = (os.path.join(tmp, n) for n in ("tls.key", "tls.crt",
                                                    "tls.pem"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-keyout", key, "-out", crt],
                   check=True, capture_output=True, timeout=60)
    with open(pem, "w") as out:
        for n in (crt, key):
            with open(n) as f:
                out.write(f.read())
    return pem


def loopback(cfg, port, pem, keep_log=False):
    """The shipped haproxy.cfg as a test runs it: in the foreground, as
    this user, without a stats socket (nor syslog, unless keep_log), with
    a maxconn this machine's descriptor limit allows; its
    TLS frontend on 127.0.0.1:port with the test's certificate (the IPv6
    bind left out: one address)."""
    cfg = re.sub(r"(?m)^\s*(user|group|chroot|daemon|stats socket%s)\b.*\n"
                 % ("" if keep_log else "|log"), "", cfg)
    # A production maxconn needs more descriptors than a test may have.
    cfg, n = re.subn(r"(?m)^(\s*maxconn) \d+$", r"\1 1000", cfg)
    if n != 2:
        raise AssertionError("haproxy.cfg: expected two maxconn lines")
    binds = re.findall(r"(?m)^\s*bind .*$", cfg)
    if len(binds) != 2 or not all(" ssl crt " in b for b in binds):
        raise AssertionError("haproxy.cfg: expected two TLS binds: %r" % binds)
    cfg = cfg.replace(binds[1] + "\n", "")
    cfg = cfg.replace(binds[0], re.sub(
        r"bind \S+ ssl crt \S+", "bind 127.0.0.1:%d ssl crt %s" % (port, pem),
        binds[0]))
    return cfg


def _client_tls():
    # One context for every connection: a default context loads the
    # system's CA certificates each time, tens of ms apiece.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


# The proxy's certificate is the test's own: not verified.
TLS = _client_tls()


def https(port, timeout=10, source=None):
    """A client connection to the proxy's TLS frontend."""
    return http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout,
                                       context=TLS, source_address=source)
