"""The integration modules of tests/integ, run with every request going
through HAProxy (etc/haproxy/haproxy.cfg as shipped) to the daemon as a
one-shard cluster: the proxy must be transparent to the API contract.

    python3 tests/cluster/integ_via_proxy.py test_api test_billing

Each pwtest.Server the modules start gets its own HAProxy in front, with
the maps `playwavectl cluster maps` makes of its configuration; the
daemon trusts the proxy's address.  Tests of what only a direct peer can
observe (the daemon's own HTTP framing, its reaction to a client's
X-Forwarded-For) are listed in DIRECT with the reason, and run direct."""

import os
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integ"))
import pwtest  # noqa: E402
import suite  # noqa: E402

HAPROXY_CFG = os.path.join(pwtest.ROOT, "etc", "haproxy", "haproxy.cfg")

# The proxies' ports: a module's raw sockets to them speak TLS (below).
PROXY_PORTS = set()


class TlsSockets:
    """The socket module as a test module sees it, but a connection to a
    proxy is wrapped in TLS, as every client's is: the modules' own raw
    requests (pipelining, concurrent verifies) go through unchanged."""

    def __getattr__(self, name):
        return getattr(socket, name)

    @staticmethod
    def create_connection(addr, *a, **kw):
        s = socket.create_connection(addr, *a, **kw)
        if addr[1] not in PROXY_PORTS:
            return s
        return suite.TLS.wrap_socket(s)


# test name -> why it talks to the daemon directly.
DIRECT = {
    "test_pipelining_and_http10_keepalive":
        "it pipelines GET /healthz, which the proxy answers 404 from "
        "outside (an operator endpoint, API.md section 1)",
    "test_malformed_request_lines_json":
        "HAProxy 2.6 answers what it cannot parse as HTTP/1.1 with its "
        "built-in HTML 400, whatever errorfile says (haproxy/haproxy#3032, "
        "fixed in 3.2); no API client sends such requests",
}


class ProxiedServer(pwtest.Server):
    def __init__(self, state=None, **kw):
        super().__init__(state, **kw)
        self.direct_port = self.port
        self.hap = None

    # The proxy reaches the daemon from an address of its own: a trusted
    # proxy may not lie inside a cafe network (127.0.0.0/24 here, where
    # the tests' clients are).
    PROXY_SRC = "127.0.1.1"

    def write_config(self, **kw):
        kw.setdefault("cafe_net", self.kw.get("cafe_net", "127.0.0.0/24"))
        super().write_config(**kw)
        with open(self.conf, "a") as f:
            f.write("\ntrusted-proxy %s\n" % self.PROXY_SRC)

    def start(self, wait=True):
        self.port = self.direct_port
        super().start(wait)
        if wait:
            self.start_haproxy()
        return self

    def start_haproxy(self):
        d = os.path.join(self.tmp, "haproxy")
        os.makedirs(os.path.join(d, "playwave"), exist_ok=True)
        p = subprocess.run([pwtest.CTL, "cluster", "maps", os.path.join(d, "playwave"),
                            self.conf], capture_output=True, text=True, timeout=30)
        pwtest.eq(p.returncode, 0, p.stderr)
        shards = os.path.join(d, "playwave", "shards.cfg")
        with open(shards) as f:
            text = f.read().replace(" check\n", " check source %s\n" %
                                    self.PROXY_SRC)
        with open(shards, "w") as f:
            f.write(text)
        port = pwtest.free_port()
        with open(HAPROXY_CFG) as f:
            cfg = suite.loopback(f.read(), port, suite.tls_pem(d))
        conf = os.path.join(d, "haproxy.cfg")
        with open(conf, "w") as f:
            f.write(cfg)
        self.hlog = open(os.path.join(d, "haproxy.log"), "ab")
        self.hap = subprocess.Popen(["haproxy", "-db", "-f", conf, "-f",
                                     os.path.join(d, "playwave", "shards.cfg")],
                                    stdout=self.hlog, stderr=self.hlog, cwd=d)
        self.port = port
        PROXY_PORTS.add(port)
        pwtest.wait_until(self.proxy_up, 10, what="playwaved through HAProxy")

    def proxy_up(self):
        """The proxy answers for the shard: its own 404 for a made-up
        session comes from the shard, not from the proxy."""
        try:
            st, _, d = self.game("PATCH", "heartbeat", {
                "game_session_id": "gs_00000000-0000-4000-8000-000000000000",
                "provider_user_id": "1"})
        except OSError:
            return False
        return st == 404 and isinstance(d, dict) and \
            d.get("error", {}).get("code") == "SESSION_NOT_FOUND"

    def connect(self, timeout=10):
        # Clients reach the proxy over TLS only; the daemon in clear.
        if self.hap is not None and self.port != self.direct_port:
            return suite.https(self.port, timeout)
        return super().connect(timeout)

    def request(self, method, path, *a, **kw):
        # Operators scrape each shard's metrics and check its health
        # directly; the proxy answers those 404 from outside.
        if not path.startswith(("/metrics", "/healthz", "/readyz")):
            return super().request(method, path, *a, **kw)
        port, self.port = self.port, self.direct_port
        try:
            return super().request(method, path, *a, **kw)
        finally:
            self.port = port

    def stop(self, *a, **kw):
        if self.hap is not None:
            self.hap.terminate()
            try:
                self.hap.wait(10)
            except subprocess.TimeoutExpired:
                self.hap.kill()
                self.hap.wait()
            self.hap = None
            self.hlog.close()
        self.port = self.direct_port
        return super().stop(*a, **kw)


def direct(fn):
    """fn(srv) run with srv's requests going straight to the daemon."""
    def call(srv):
        port, srv.port = srv.port, srv.direct_port
        try:
            fn(srv)
        finally:
            srv.port = port
    call.__code__ = call.__code__.replace(co_firstlineno=fn.__code__.co_firstlineno)
    call.__name__, call.__module__ = fn.__name__, fn.__module__
    return call


def main():
    if not sys.argv[1:]:
        sys.exit("usage: integ_via_proxy.py MODULE...")
    pwtest.Server = ProxiedServer
    import run
    total_p = total_f = 0
    for name in sys.argv[1:]:
        mod = run.load(os.path.join(os.path.dirname(HERE), "integ", name + ".py"))
        if hasattr(mod, "socket"):
            mod.socket = TlsSockets()
        for t in DIRECT:
            if hasattr(mod, t):
                setattr(mod, t, direct(getattr(mod, t)))
                print("     %s.%s: direct (%s)" % (name, t, DIRECT[t]))
        p, f = run.run_module(mod, [])
        total_p += p
        total_f += f
    print("%d passed, %d failed" % (total_p, total_f))
    return 1 if total_f or not total_p else 0


if __name__ == "__main__":
    sys.exit(main())
