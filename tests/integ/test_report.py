"""playwavectl log report: its totals per day, wallet and game equal an
independent sum of `playwavectl -j log cat`, in JSON, CSV and text, over
seq and day ranges and in another time zone."""

import collections
import csv
import datetime
import io

import pwtest
from pwtest import Server, check, eq, wait_until

SERVER = dict(billing_unit=1, price=10)
FIELDS = ("sessions", "billed_minutes", "charged", "credits", "debits")


def day_of(ts_ms, off_s=0):
    t = datetime.datetime.fromtimestamp(ts_ms / 1000 + off_s,
                                        datetime.timezone.utc)
    return t.strftime("%Y-%m-%d")


def independent(events, off_s=0, lo=None, hi=None):
    """The documented rules, from the JSON events alone."""
    tot = collections.defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    for e in events:
        if (lo is not None and e["seq"] < lo) or (hi is not None and e["seq"] > hi):
            continue
        game = None if e["type"] in ("CREDIT", "DEBIT") else e.get("game")
        row = tot[(day_of(e["ts"], off_s), e.get("wallet"), game)]
        if e["type"] == "START":
            row["sessions"] += 1
        elif e["type"] == "CHARGE":
            row["billed_minutes"] += 1
            row["charged"] += e["amount"]
        elif e["type"] == "END" and not e.get("wallet"):
            row["billed_minutes"] += e["minute"]
        elif e["type"] == "CREDIT":
            row["credits"] += e["amount"]
        elif e["type"] == "DEBIT":
            row["debits"] += e["amount"]
    return dict(tot)


def report_json(srv, *args):
    rows = srv.ctl("log", "report", *args, json_out=True)
    out = {}
    for r in rows:
        key = (r["day"], r["wallet"], r["game"])
        check(key not in out, "row twice: %r" % (key,))
        out[key] = {f: r[f] for f in FIELDS}
    return out


def traffic(srv):
    """Cafe sessions of two games, one session not at a cafe, credits and
    a debit."""
    srv.credit("seoul-01", 1000)
    sessions = [srv.session("pc-r%d" % i)[1] for i in range(3)]
    ls = srv.launcher_session("pc-other")["launcher_session_id"]
    v = srv.verify(srv.ott(ls, game="othergame"), key=pwtest.OTHER_KEY)
    check(v["is_valid"], v)
    other = v["game_session_id"]
    ott = srv.ctl("ott", "issue", "fantasyquest").stdout.strip()
    v = srv.verify(ott)
    check(v["is_valid"], v)
    nocafe = v["game_session_id"]
    wait_until(lambda: sum(e["type"] == "CHARGE" for e in srv.log_events()) >= 12,
               timeout=15, what="charges for a few minutes")
    for gs in sessions + [nocafe]:
        eq(srv.end(gs)[0], 200)
    eq(srv.end(other, key=pwtest.OTHER_KEY)[0], 200)
    srv.credit("seoul-01", 50)
    srv.ctl("wallet", "debit", "seoul-01", "30")
    wait_until(lambda: sum(e["type"] == "END" for e in srv.log_events()) == 5,
               timeout=15, what="five END events")
    wait_until(lambda: sum(e["type"] == "CREDIT" for e in srv.log_events()) == 2,
               timeout=15, what="two CREDIT events")


def test_totals_equal_independent_sum(srv):
    traffic(srv)
    evs = srv.log_events()
    want = independent(evs)
    got = report_json(srv)
    eq(got, want, "report -j vs the sum of log cat -j")
    # The traffic shows in it: two games, a wallet-less session, credits.
    wallets = {k[1] for k in got}
    check(None in wallets and "seoul-01" in wallets, wallets)
    check(sum(r["charged"] for r in got.values()) >= 100, got)
    eq(sum(r["credits"] for r in got.values()), 1050)
    # Debits are not revenue: apart from charged, in rows without a game.
    eq(sum(r["debits"] for r in got.values()), 30)
    check(all(k[2] is None for k, r in got.items() if r["debits"]), got)
    eq(sum(r["sessions"] for r in got.values()), 5)


def test_seq_range(srv):
    evs = srv.log_events()
    lo, hi = 3, len(evs) - 4
    eq(report_json(srv, "--from", str(lo), "--to", str(hi)),
       independent(evs, lo=lo, hi=hi))


def test_days_and_tz(srv):
    evs = srv.log_events()
    for tz, off in (("+14:00", 14 * 3600), ("-11:30", -(11 * 3600 + 1800)),
                    ("UTC", 0)):
        want = independent(evs, off_s=off)
        eq(report_json(srv, "--tz", tz), want, tz)
        days = sorted({k[0] for k in want})
        eq(report_json(srv, "--tz", tz, "--from", days[0], "--to", days[-1]),
           want, tz)
    today = day_of(evs[-1]["ts"])
    eq(report_json(srv, "--from", "2099-01-01"), {})
    eq(report_json(srv, "--to", "1999-12-31"), {})
    eq(report_json(srv, "--from", today, "--to", today),
       {k: v for k, v in independent(evs).items() if k[0] == today})


def test_csv_and_text(srv):
    evs = srv.log_events()
    want = independent(evs)
    out = srv.ctl("log", "report", "--csv").stdout
    rows = list(csv.reader(io.StringIO(out)))
    eq(rows[0], ["day", "wallet", "game"] + list(FIELDS))
    body, total = rows[1:-1], rows[-1]
    got = {(r[0], r[1] or None, r[2] or None): dict(zip(FIELDS, map(int, r[3:])))
           for r in body}
    eq(got, want, "csv")
    eq(total[0], "total")
    eq([int(x) for x in total[3:]],
       [sum(v[f] for v in want.values()) for f in FIELDS])
    text = srv.ctl("log", "report").stdout.splitlines()
    eq(text[0].split(), ["DAY", "WALLET", "GAME", "SESSIONS", "MINUTES",
                         "CHARGED", "CREDITS", "DEBITS"])
    eq(len(text), len(want) + 2)
    eq([int(x) for x in text[-1].split()[3:]],
       [sum(v[f] for v in want.values()) for f in FIELDS])


def test_bad_arguments(srv):
    for args in (["--from", "2026-13-01"], ["--to", "yesterday"],
                 ["--tz", "Nowhere/Atlantis"], ["--tz", "../etc/passwd"],
                 ["--csv", "-j"], ["--from"]):
        p = srv.ctl("log", "report", *args, check_rc=False)
        eq(p.returncode, 2, args)
