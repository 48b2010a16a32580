#!/usr/bin/env python3
"""Load one shard's billing events into PostgreSQL, exactly once.

    playwavectl -j log tail -f --from "$(psql -Atc \\
        "SELECT coalesce(max(seq), 0) FROM billing_event WHERE shard = K")" |
        python3 pgload.py K [psql options...]

(--from names the last seq delivered: the tail resumes right after it.)
Reads `playwavectl -j` event lines on stdin and feeds psql(1) one INSERT
a line, each its own transaction, ON CONFLICT (shard, seq) DO NOTHING:
after a crash of anything in the pipe, starting again from the table's
last seq (or from any earlier one) loads each event once.  The table is
tools/ship/billing.sql.  Only psql is needed: no driver.
"""

import json
import subprocess
import sys

INSERT = ("INSERT INTO billing_event (shard, seq, ts, type, session, game, "
          "wallet, amount, balance, reason, event) SELECT %d, "
          "(j->>'seq')::bigint, to_timestamp((j->>'ts')::bigint / 1000.0), "
          "j->>'type', j->>'session', j->>'game', j->>'wallet', "
          "(j->>'amount')::bigint, (j->>'balance')::bigint, j->>'reason', j "
          "FROM (SELECT %s::jsonb AS j) e ON CONFLICT (shard, seq) DO NOTHING;\n")


def literal(s):
    """A standard SQL string literal (standard_conforming_strings is set)."""
    return "'" + s.replace("'", "''") + "'"


def main():
    if len(sys.argv) < 2 or not sys.argv[1].isdigit() or int(sys.argv[1]) > 15:
        sys.exit("usage: pgload.py SHARD [psql options...]")
    shard = int(sys.argv[1])
    psql = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"] +
                            sys.argv[2:], stdin=subprocess.PIPE, text=True)
    psql.stdin.write("SET standard_conforming_strings = on;\n")
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        ev = json.loads(line)	# refuse what is not an event line
        if not isinstance(ev.get("seq"), int) or "type" not in ev:
            sys.exit("pgload: not an event: %s" % line[:200])
        psql.stdin.write(INSERT % (shard, literal(json.dumps(ev))))
        psql.stdin.flush()
    psql.stdin.close()
    sys.exit(psql.wait())


if __name__ == "__main__":
    main()
