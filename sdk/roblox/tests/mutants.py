#!/usr/bin/env python3
"""Mutation runner for the Roblox SDK.

Each mutant below is one small, deliberate change to the SDK (each text it
replaces must occur exactly once in its file); the Lua suite runs
against every mutant, on a copy of sdk/roblox and a fresh playwaved, and
must fail.  A mutant the suite passes has survived: it names a behaviour no
test holds.

    make && python3 sdk/roblox/tests/mutants.py [-j JOBS] [NAME ...]

The unmutated suite runs first and must pass.  Prints one line per mutant
with the first test that failed on it, and exits 1 if any survived.  Not
part of `make check`: a full run takes several minutes."""

import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SDK = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(SDK))
sys.path.insert(0, os.path.join(ROOT, "tests", "integ"))
import pwtest  # noqa: E402
import test_sdk  # noqa: E402

CORE = "PlayWaveCore.lua"

# (name, file, text, replacement), or (name, file, [(text, replacement),
# ...]) for a change that takes more than one edit.
MUTANTS = [
    # Heartbeats
    ("no 15 s re-try after the 90 s heartbeat window", CORE,
     "\t\t\tinterval = spread(HEARTBEAT_RETRY_INTERVAL)\n", "\n"),
    ("heartbeat retry window 1 s", CORE,
     "local HEARTBEAT_RETRY_WINDOW = 90", "local HEARTBEAT_RETRY_WINDOW = 1"),
    ("next_heartbeat_in not clamped to half the session timeout", CORE,
     "math.max(MIN_HEARTBEAT, math.min(n, session.timeout / 2))",
     "math.max(MIN_HEARTBEAT, n)"),
    ("MIN_HEARTBEAT = 1", CORE,
     "local MIN_HEARTBEAT = 5", "local MIN_HEARTBEAT = 1"),
    ("a heartbeat answer is no proof of life", CORE,
     "\t\t\tsession.lastProof = now()\n", "\n"),
    ("no local expiry", CORE,
     "\t\tif now() >= session.lastProof + session.timeout then\n"
     "\t\t\texpire(session)",
     "\t\tif false then\n\t\t\texpire(session)"),
    ("local expiry sends no end", CORE,
     "\tserverEnded(session, EndReason.ENDED, \"EXPIRED\")\n\tspawnEnd(session)",
     "\tserverEnded(session, EndReason.ENDED, \"EXPIRED\")"),
    ("verify's session_timeout ignored", CORE,
     "\tlocal n = tonumber(v)\n\tif n == nil or n ~= n then",
     "\tlocal n = nil\n\tif n == nil or n ~= n then"),
    ("SESSION_REPLACED ends the session", CORE,
     "\t\t\t\tserverEnded(session, EndReason.REPLACED, nil)\n\t\t\t\tbreak",
     "\t\t\t\tserverEnded(session, EndReason.REPLACED, nil)\n"
     "\t\t\t\tspawnEnd(session)\n\t\t\t\tbreak"),
    # Retries
    ("no jitter", CORE,
     "\treturn d / 2 + math.random() * d / 2", "\treturn d"),
    ("backoff does not grow", CORE,
     "math.min(cap, BACKOFF_BASE * 2 ^ (attempt - 1))",
     "math.min(cap, BACKOFF_BASE)"),
    ("Retry-After ignored", CORE,
     "\t\t\tdelay = after + math.random() * math.max(after, 1) / 10\n", "\n"),
    ("4xx retried", CORE,
     "return status == nil or status == 429 or status >= 500",
     "return status == nil or status == 429 or status >= 400"),
    ("retries not clamped to the close deadline", CORE,
     "\tif closing and closeDeadline < deadline then\n\t\treturn closeDeadline",
     "\tif false then\n\t\treturn closeDeadline"),
    ("END_WINDOW = 1 (an end retried 1 s)", CORE,
     "deadline or now() + (session.timeout or DEFAULT_SESSION_TIMEOUT),",
     "deadline or now() + 1,"),
    ("VERIFY_WINDOW = 30", CORE,
     "local VERIFY_WINDOW = 45", "local VERIFY_WINDOW = 30"),
    ("CHECK_WINDOW = 60", CORE,
     "local CHECK_WINDOW = 30", "local CHECK_WINDOW = 60"),
    ("a new X-Request-ID for every try", CORE,
     "\t\tstatus, doc, headers, final = send(method, path, body, requestId)",
     "\t\tstatus, doc, headers, final = send(method, path, body,\n"
     "\t\t    \"rbx-\" .. HttpService:GenerateGUID(false))"),
    ("no X-Request-ID", CORE,
     "\t\t\t\t[\"X-Request-ID\"] = requestId,\n", "\n"),
    ("verify retries go on after the player left", CORE,
     "\t\treturn gone[player] == true\n", "\t\treturn false\n"),
    # The budget
    ("one FIFO queue (no lanes)", CORE,
     "if o.lane < w.lane or (o.lane == w.lane and o.seq < w.seq) then",
     "if o.seq < w.seq then"),
    ("lanes reversed", CORE,
     "if o.lane < w.lane or (o.lane == w.lane and o.seq < w.seq) then",
     "if o.lane > w.lane or (o.lane == w.lane and o.seq < w.seq) then"),
    ("ends in the lowest lane", CORE,
     "local LANE_END = 1", "local LANE_END = 5"),
    ("no whole HttpService budget during close (the usual bucket)", CORE, [
        ("\tif closing then\n\t\tif sentInMinute(t) < HTTP_LIMIT then",
         "\tif false then\n\t\tif sentInMinute(t) < HTTP_LIMIT then"),
        ("\t\t\tif not closing then\n\t\t\t\tbudget.tokens = budget.tokens - 1",
         "\t\t\tif true then\n\t\t\t\tbudget.tokens = budget.tokens - 1")]),
    ("Roblox's limit taken as 250", CORE,
     "local HTTP_LIMIT = 500", "local HTTP_LIMIT = 250"),
    ("the close window's edge as t - 60 (rounds past the limit)", CORE,
     "sent[budget.first] + 60 <= t do", "sent[budget.first] <= t - 60 do"),
    ("burst of half a minute", CORE,
     "math.max(1, math.ceil(perMinute / 5))",
     "math.max(1, math.ceil(perMinute / 2))"),
    ("a waiting request never gives up", CORE,
     "\t\tif t >= deadline or (stop and stop()) then\n\t\t\tleaveLine(w)",
     "\t\tif stop and stop() then\n\t\t\tleaveLine(w)"),
    # Verification
    ("Studio's negative UserIds sent", CORE,
     "\treturn type(id) == \"number\" and id >= 1 and id % 1 == 0",
     "\treturn type(id) == \"number\""),
    ("HttpService disabled retried", CORE,
     "\t\t\treturn nil, nil, nil, true\n", "\t\t\treturn nil, nil, nil, false\n"),
    ("errors reported every time", CORE,
     "\tif reported[code] then\n\t\treturn\n\tend\n", ""),
    ("a 401 not reported", CORE,
     "\tif res.StatusCode == 401 then\n", "\tif res.StatusCode == 0 then\n"),
    ("the same warning every try", CORE,
     "\tif warned[key] and t - warned[key] < WARN_EVERY then",
     "\tif false then"),
    ("a session verified for a player who left is not ended", CORE,
     "\t\tif reason == Reason.VERIFIED then\n"
     "\t\t\tendRemote({ id = data.game_session_id, timeout = timeout })",
     "\t\tif false then\n"
     "\t\t\tendRemote({ id = data.game_session_id, timeout = timeout })"),
    ("the check trusts the teleport data's isPcCafe", CORE,
     "\t\tlocal isPcCafe = data.is_pc_cafe == true\n"
     "\t\tstartSession(player, id, isPcCafe,\n",
     "\t\tlocal isPcCafe = data.is_pc_cafe == true or "
     "(data.is_pc_cafe == nil and carried.isPcCafe == true)\n"
     "\t\tstartSession(player, id, isPcCafe,\n"),
    ("a late check answer ends the session", CORE,
     "\tif gone[player] or closing or sessions[player] ~= nil then",
     "\tif true then"),
    ("a late check answer never ends the session", CORE,
     "\tif gone[player] or closing or sessions[player] ~= nil then\n"
     "\t\tendRemote({ id = id, timeout = timeout })\n\t\treturn",
     "\tif gone[player] or closing or sessions[player] ~= nil then\n"
     "\t\treturn"),
    # Callbacks and signals
    ("callbacks run in the flow", CORE,
     "\t\ttask.spawn(runHandler, name, fn, ...)",
     "\t\trunHandler(name, fn, ...)"),
    ("signal handlers run in the firing thread", CORE,
     "\t\t\ttask.spawn(runHandler, self.name, c.fn, ...)",
     "\t\t\trunHandler(self.name, c.fn, ...)"),
    ("Once stays connected", CORE,
     "\t\tconn.Disconnect()\n\t\tfn(...)", "\t\tfn(...)"),
    # Shutdown
    ("shutdownGrace defaults to 0", CORE,
     "local DEFAULT_SHUTDOWN_GRACE = 5", "local DEFAULT_SHUTDOWN_GRACE = 0"),
    ("the grace waits for prepared sessions", CORE,
     "\twhile now() < t0 + grace and anyStaying() do",
     "\twhile now() < t0 + grace do"),
    ("the close ends prepared sessions", CORE,
     "\t\tif not session.teleporting then\n\t\t\tlist[#list + 1] = session",
     "\t\tif true then\n\t\t\tlist[#list + 1] = session"),
    ("a late prepare is not warned", CORE,
     "\tif session == nil and lastEnded[player] then",
     "\tif false then"),
    # Teleports
    ("a teleporting player's leave ends the session", CORE,
     "\tif not session.teleporting then\n\t\tspawnEnd(session)",
     "\tif true then\n\t\tspawnEnd(session)"),
    ("TeleportInitFailed gives the session back at once", CORE,
     "\tlocal hold = {}\n\tsession.hold = hold\n",
     "\tgiveBack(session)\n\tlocal hold = {}\n\tsession.hold = hold\n"),
    ("TeleportInitFailed GameFull held too", CORE,
     "\tif TELEPORT_FINAL[name] then\n\t\tgiveBack(session)\n\t\treturn\n\tend",
     ""),
    ("a new prepare keeps the old hold", CORE,
     "\tsession.teleporting = true\n\tsession.hold = nil",
     "\tsession.teleporting = true"),
    ("teleportAsync does not retry", CORE,
     "local TELEPORT_RETRIES = 3", "local TELEPORT_RETRIES = 0"),
    ("teleportAsync keeps the sessions after its final failure", CORE,
     "\tfor _, p in ipairs(present(remaining)) do\n\t\tif sessions[p] then\n"
     "\t\t\tgiveBack(sessions[p])",
     "\tfor _, p in ipairs({}) do\n\t\tif sessions[p] then\n"
     "\t\t\tgiveBack(sessions[p])"),
    ("teleportAsync retries a refused teleport", CORE,
     "\t\t\t\t\tif TELEPORT_FINAL[f.name] then",
     "\t\t\t\t\tif false then"),
    ("teleportAsync forgets a refusal once another player's retry works",
     CORE, "\t\trun.failed = {}\n", "\t\trun.failed = {}\n\t\trefused = nil\n"),
    ("one Player (a userdata) not taken for a list of one", CORE,
     "\tif type(players) ~= \"table\" or players.UserId ~= nil then",
     "\tif type(players) == \"table\" and players.UserId ~= nil then"),
    ("teleportAsync does not wait for verifications", CORE,
     "\twaitForFlows(list, clampToClose(now() + WAIT_TIMEOUT))\n", "\n"),
    ("teleportDataFor leaves the 1.0 entry of one player out", CORE,
     "\tif count == 1 then\n\t\tentry.game_session_id = only.game_session_id",
     "\tif false then\n\t\tentry.game_session_id = only.game_session_id"),
    # Packaging
    ("the client part not delivered to present players", CORE,
     "\t\t\ttask.spawn(deliverClient, player, template)\n", "\n"),
    ("a RunContext = Client script not replicated", CORE,
     "\t\t\tcopy.Parent = ReplicatedStorage\n", "\n"),
    ("offline mode sends requests", CORE,
     "\tif config.mock then\n\t\treturn offlineReply(path, body)\n\tend\n", ""),
    ("offline mode in live servers", CORE,
     "\tif mock ~= nil and not RunService:IsStudio() then",
     "\tif false then"),
    ("the facade drops a function", "PlayWaveServer.lua",
     "function PlayWaveServer.markTeleporting(",
     "function PlayWaveServer.markTeleportingX("),
]


def run_suite(sdk_dir, tmp):
    """Runs the suite in sdk_dir against a fresh playwaved; returns the
    exit code and the failing tests' names."""
    srv = pwtest.Server(state=tempfile.mkdtemp(dir=tmp), **test_sdk.SERVER)
    srv.start()
    try:
        env = dict(os.environ,
                   PW_API_URL="http://127.0.0.1:%d/v1" % srv.port,
                   PW_API_KEY=pwtest.API_KEY, PW_CONF=srv.conf,
                   PW_CTL=pwtest.CTL, PW_FAILFAST="1", TMPDIR=tmp)
        p = subprocess.run(["lua5.1", os.path.join(sdk_dir, "tests",
                                                   "test_sdk.lua")],
                           env=env, capture_output=True, text=True,
                           timeout=900)
    finally:
        srv.stop()
    lines = p.stdout.splitlines()
    fails = [line[5:] + (" (" + lines[i + 1].strip() + ")"
                         if i + 1 < len(lines) else "")
             for i, line in enumerate(lines) if line.startswith("FAIL ")]
    return p.returncode, fails


def edits(mutant):
    if len(mutant) == 3:
        return mutant[2]
    return [(mutant[2], mutant[3])]


def mutate(mutant, tmp):
    name, path = mutant[0], mutant[1]
    work = tempfile.mkdtemp(dir=tmp)
    sdk_dir = os.path.join(work, "roblox")
    shutil.copytree(SDK, sdk_dir)
    target = os.path.join(sdk_dir, path)
    with open(target) as f:
        src = f.read()
    for text, repl in edits(mutant):
        if src.count(text) != 1:
            shutil.rmtree(work, ignore_errors=True)
            return name, "BAD", "a text occurs %d times in %s" % (
                src.count(text), path)
        src = src.replace(text, repl)
    with open(target, "w") as f:
        f.write(src)
    rc, fails = run_suite(sdk_dir, work)
    shutil.rmtree(work, ignore_errors=True)
    if rc == 0:
        return name, "SURVIVED", ""
    return name, "killed", fails[0] if fails else "rc %d" % rc


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-j", "--jobs", type=int, default=1)
    ap.add_argument("names", nargs="*",
                    help="substrings of the mutants to run (default: all)")
    args = ap.parse_args()
    chosen = [m for m in MUTANTS
              if not args.names or any(n in m[0] for n in args.names)]
    tmp = tempfile.mkdtemp(prefix="pwmutants.")
    try:
        rc, fails = run_suite(SDK, tmp)
        if rc != 0:
            print("the unmutated suite fails: %s" % (fails or rc))
            return 1
        bad = 0
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            for name, verdict, why in pool.map(lambda m: mutate(m, tmp),
                                               chosen):
                print("%-8s %s%s" % (verdict, name,
                                     "\n         " + why if why else ""),
                      flush=True)
                bad += verdict != "killed"
        print("%d mutants: %d killed, %d not" % (len(chosen),
                                                 len(chosen) - bad, bad))
        return 1 if bad else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
