-- Verify each OTT of a file exactly once.  Thread k takes lines k,
-- k + nthreads, ...  The file must hold more than the run can use: wrk's
-- run lasts -d whatever a thread does, so a thread that runs out stops
-- sending and reports how many requests it could not make fresh.
--   BENCH_OTTS      file of OTTs, one a line
--   BENCH_NTHREADS  wrk's -t
--   BENCH_KEY       X-Api-Key

dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local reqs = {}
local i = 0
local stopped = false
overflow = 0

function init(args)
	local n = tonumber(os.getenv("BENCH_NTHREADS"))
	local hdr = {
		["Content-Type"] = "application/json",
		["X-Api-Key"] = os.getenv("BENCH_KEY"),
	}
	local k = 0
	for line in io.lines(os.getenv("BENCH_OTTS")) do
		if k % n == id and #line > 0 then
			reqs[#reqs + 1] = wrk.format("POST", nil, hdr,
			    '{"ott":"' .. line ..
			    '","provider_user_id":"123456789"}')
		end
		k = k + 1
	end
end

function request()
	i = i + 1
	if i <= #reqs then
		return reqs[i]
	end
	-- Out of tokens: the few requests still asked for repeat a used
	-- OTT and are counted, so the report can show them.
	overflow = overflow + 1
	if not stopped then
		stopped = true
		wrk.thread:stop()
	end
	return reqs[#reqs]
end
