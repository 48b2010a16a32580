-- Issue OTTs through the signed launcher API and write them to a file per
-- thread.  The requests are signed beforehand (bench.py): the signature
-- covers only the timestamp and the body, so one signature per launcher
-- session serves for the +-300 s the server accepts.
--   BENCH_ISSUE  lines "body<TAB>timestamp<TAB>signature"
--   BENCH_OTTS   output prefix; thread k writes BENCH_OTTS.k

dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local reqs = {}
local i = 0
local out
issued = 0

function init(args)
	for line in io.lines(os.getenv("BENCH_ISSUE")) do
		local body, ts, sig = line:match("^(.-)\t(%d+)\t(%x+)$")
		if body then
			reqs[#reqs + 1] = wrk.format("POST", nil, {
				["Content-Type"] = "application/json",
				["X-Timestamp"] = ts,
				["X-Signature"] = sig,
			}, body)
		end
	end
	out = assert(io.open(os.getenv("BENCH_OTTS") .. "." .. id, "w"))
	out:setvbuf("line")
	i = id
end

function request()
	i = i % #reqs + 1
	return reqs[i]
end

function response(status, headers, body)
	local t = body:match('"ott":"([%w_%-]+)"')
	if t then
		out:write(t, "\n")
		issued = issued + 1
	end
end
