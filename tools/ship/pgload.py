#!/usr/bin/env python3
"""Load one shard's billing events into PostgreSQL, exactly once.

    playwavectl -j log tail -f --from "$(psql -Atc \\
        "SELECT coalesce(max(seq), 0) FROM billing_event WHERE shard = K")" |
        python3 pgload.py K [psql options...]

(--from names the last seq delivered: the tail resumes right after it.)
Reads `playwavectl -j` event lines on stdin and feeds psql(1) one
SELECT billing_load(shard, line) a line, each its own transaction: after a
crash of anything in the pipe, starting again from the table's last seq
(or from any earlier one) loads each event once.  The table and
billing_load are tools/ship/billing.sql: it stores each record's bytes and
its link, and refuses (psql, then this, exits non-zero) a record whose own
check fails, whose link does not extend the chain it holds for the shard,
or whose (shard, seq) it holds already with another record.  Only psql is
needed: no driver.
"""

import json
import os
import subprocess
import sys

LOAD = "SELECT billing_load(%d::smallint, %s::jsonb);\n"


def literal(s):
    """A standard SQL string literal (standard_conforming_strings is set)."""
    return "'" + s.replace("'", "''") + "'"


def main():
    if len(sys.argv) < 2 or not sys.argv[1].isdigit() or int(sys.argv[1]) > 15:
        sys.exit("usage: pgload.py SHARD [psql options...]")
    shard = int(sys.argv[1])
    # billing_load's (empty) rows are of no interest; its errors are.
    psql = subprocess.Popen(["psql", "-X", "-q", "-o", os.devnull, "-v",
                             "ON_ERROR_STOP=1"] + sys.argv[2:],
                            stdin=subprocess.PIPE, text=True)
    try:
        psql.stdin.write("SET standard_conforming_strings = on;\n")
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            ev = json.loads(line)	# refuse what is not an event line
            if (not isinstance(ev.get("seq"), int) or "type" not in ev or
                    "record" not in ev):
                sys.exit("pgload: not an event of playwavectl -j: %s" %
                         line[:200])
            psql.stdin.write(LOAD % (shard, literal(json.dumps(ev))))
            psql.stdin.flush()
        psql.stdin.close()
    except BrokenPipeError:
        pass                    # psql stopped at a refused record: its error
    sys.exit(psql.wait())


if __name__ == "__main__":
    main()
