-- One fixed request, sent again and again: the heartbeat of a live
-- session, the verify of a used OTT, or the nginx floor.
--   BENCH_METHOD  PATCH or POST
--   BENCH_BODY    file holding the JSON body
--   BENCH_KEY     X-Api-Key (optional)

dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = os.getenv("BENCH_METHOD") or "GET"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
if os.getenv("BENCH_KEY") then
	wrk.headers["X-Api-Key"] = os.getenv("BENCH_KEY")
end
