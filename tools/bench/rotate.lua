-- Heartbeats of several live sessions in turn (one body a line), so that
-- behind a proxy every shard gets its share.
--   BENCH_BODIES  file of JSON bodies, one a line
--   BENCH_KEY     X-Api-Key

dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local reqs = {}
local i = 0

function init(args)
	local hdr = {
		["Content-Type"] = "application/json",
		["X-Api-Key"] = os.getenv("BENCH_KEY"),
	}
	for line in io.lines(os.getenv("BENCH_BODIES")) do
		if #line > 0 then
			reqs[#reqs + 1] = wrk.format("PATCH", nil, hdr, line)
		end
	end
end

function request()
	i = i % #reqs + 1
	return reqs[i]
end
