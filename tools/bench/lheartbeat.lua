-- Launcher heartbeats of running sessions, contract v3: every request is
-- signed beforehand (bench.py) with its session's key and a seq of its
-- own, each accepted once by the session's replay window, so each is sent
-- once (once.lua); a thread asked for more repeats its last (a replay)
-- and counts it as overflow.
--   BENCH_LHB       lines "body<TAB>session<TAB>seq<TAB>signature<TAB>xff"
--   BENCH_NTHREADS  wrk's -t

dofile(os.getenv("BENCH_LUA") .. "/once.lua")

function init(args)
	once_load(os.getenv("BENCH_LHB"), once_signed("PATCH"))
end

function request()
	return once_next()
end
