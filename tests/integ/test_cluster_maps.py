"""playwavectl cluster maps without a proxy: shards that disagree on
games, API keys, HMAC secrets, prices or the shared keys are refused,
naming both files and what differs (never a secret); player buckets are
dealt by rendezvous hashing, so a fourth shard takes at most a third of
the 240 buckets, all of them for itself; a shard with a standby is
checked on /readyz, one without on /healthz."""

import os
import re
import subprocess
import tempfile
import zlib

import pwtest
from pwtest import check, eq

BUCKETS = 240


def shard_conf(d, k, **kw):
    text = pwtest.config_text(8080 + k, os.path.join(d, "s%d" % k), **kw)
    text = text.replace("listen 127.0.0.1:%d" % (8080 + k),
                        "listen 127.0.%d.1:8080" % (k + 1))
    text = text.replace("cafe seoul-01", "cafe cafe-%d" % k)
    text = text.replace("network 127.0.0.0/8", "network 10.%d.0.0/16" % k)
    text = text.replace('launcher-key k-test "test-cafe-launcher-key"',
                        'launcher-key k%d "test-cafe-launcher-key-%d"' % (k, k))
    text += "\nshard %d\ntrusted-proxy 192.0.2.2\n" % k
    path = os.path.join(d, "shard%d.conf" % k)
    with open(path, "w") as f:
        f.write(text)
    return path


def maps(d, *confs):
    return subprocess.run([pwtest.CTL, "cluster", "maps", d] + list(confs),
                          capture_output=True, text=True, timeout=30)


def deal(d):
    with open(os.path.join(d, "subs.map")) as f:
        return {int(b): int(s[len("shard"):]) for b, s in
                (ln.split() for ln in f if not ln.startswith("#"))}


def test_fourth_shard_takes_at_most_a_third():
    d = tempfile.mkdtemp(prefix="maps.")
    confs = [shard_conf(d, k) for k in range(4)]
    p = maps(d, *confs[:3])
    eq(p.returncode, 0, p.stderr)
    three = deal(d)
    eq(sorted(three), list(range(BUCKETS)))
    counts = [list(three.values()).count(k) for k in range(3)]
    check(min(counts) >= 60, "an uneven deal over three: %r" % counts)
    p = maps(d, *confs)
    eq(p.returncode, 0, p.stderr)
    four = deal(d)
    moved = [b for b in range(BUCKETS) if three[b] != four[b]]
    print("     (3 -> 4 shards: %d of %d buckets move; shares %r -> %r)" % (
        len(moved), BUCKETS, counts,
        [list(four.values()).count(k) for k in range(4)]))
    check(len(moved) <= BUCKETS // 3, "%d buckets moved" % len(moved))
    eq({four[b] for b in moved}, {3}, "a bucket moved between old shards")
    # The tool lists them, for the players' wallets to follow.
    check("%d of 240 player buckets change shard" % len(moved) in p.stderr,
          p.stderr)
    for b in moved:
        check(" %d:shard%d->shard3" % (b, three[b]) in p.stderr, b)
    # The same shards in another order deal the same.
    p = maps(d, *reversed(confs))
    eq(p.returncode, 0, p.stderr)
    eq(deal(d), four)
    check("change shard" not in p.stderr, p.stderr)


def test_disagreeing_shards_refused_naming_which():
    d = tempfile.mkdtemp(prefix="maps.")
    a = shard_conf(d, 0)
    cases = [
        (dict(price=12), "differ in game fantasyquest's price (10 and 12)"),
        (dict(game_extra='api-key "test-api-key-fantasyquest-other"'),
         "differ in game fantasyquest's api-key lines"),
    ]
    for kw, want in cases:
        b = shard_conf(d, 1, **kw)
        p = maps(d, a, b)
        eq(p.returncode, 1, (kw, p.stdout))
        check(want in p.stderr and a in p.stderr and b in p.stderr,
              (want, p.stderr))
    for old, new, want in (
            (pwtest.HMAC_SECRET, "test-hmac-secret-fantasyquest-2",
             "differ in game fantasyquest's hmac-secret"),
            (pwtest.LAUNCHER_SECRET, "test-launcher-home-key-2",
             "differ in launcher-secret"),
            ("game othergame", "game othergame2", "game othergame is in")):
        b = shard_conf(d, 1)
        with open(b) as f:
            text = f.read().replace(old, new)
        with open(b, "w") as f:
            f.write(text)
        p = maps(d, a, b)
        eq(p.returncode, 1, (want, p.stdout))
        check(want in p.stderr, (want, p.stderr))
        check(new not in p.stderr and old not in p.stderr or
              old.startswith("game"), "a secret in the message")


def test_standby_checked_on_readyz():
    d = tempfile.mkdtemp(prefix="maps.")
    a, b = shard_conf(d, 0), shard_conf(d, 1)
    p = maps(d, a + "=192.0.2.10:8080+192.0.2.20:8080", b)
    eq(p.returncode, 0, p.stderr)
    with open(os.path.join(d, "shards.cfg")) as f:
        cfg = f.read()
    check(re.search(r"backend shard0\n    option httpchk GET /readyz\n"
                    r"    server shard0 192.0.2.10:8080 check\n"
                    r"    server shard0-standby 192.0.2.20:8080 check backup\n",
                    cfg), cfg)
    check(re.search(r"backend shard1\n    server shard1 127.0.2.1:8080 check\n",
                    cfg), cfg)


def test_bucket_of_a_player():
    p = subprocess.run([pwtest.CTL, "cluster", "bucket", "player:alice", "bob"],
                       capture_output=True, text=True, timeout=30)
    eq(p.returncode, 0, p.stderr)
    eq(p.stdout, "player:alice %d\nbob %d\n" % (zlib.crc32(b"alice") % 240,
                                                 zlib.crc32(b"bob") % 240))
