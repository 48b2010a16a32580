-- Issue OTTs through the signed launcher API and write them to a file per
-- thread.  Every request is signed beforehand (bench.py) with a nonce of
-- its own, as contract v2 requires: each is sent once, and a thread that
-- runs out stops, like fresh.lua, and counts what it could not send.
--   BENCH_ISSUE     lines "body<TAB>timestamp<TAB>nonce<TAB>signature<TAB>xff"
--   BENCH_NTHREADS  wrk's -t: thread k sends lines k, k + nthreads, ...
--   BENCH_OTTS      output prefix; thread k writes BENCH_OTTS.k

dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local reqs = {}
local i = 0
local stopped = false
local out
issued = 0
overflow = 0

function init(args)
	local n = tonumber(os.getenv("BENCH_NTHREADS"))
	local k = 0
	for line in io.lines(os.getenv("BENCH_ISSUE")) do
		local body, ts, nonce, sig, xff =
		    line:match("^(.-)\t(%d+)\t([%w_%-]+)\t(%x+)\t([%x%.:]+)$")
		if body and k % n == id then
			reqs[#reqs + 1] = wrk.format("POST", nil, {
				["Content-Type"] = "application/json",
				["X-Timestamp"] = ts,
				["X-Nonce"] = nonce,
				["X-Signature"] = sig,
				["X-Forwarded-For"] = xff,
			}, body)
		end
		k = k + 1
	end
	out = assert(io.open(os.getenv("BENCH_OTTS") .. "." .. id, "w"))
	out:setvbuf("full")
end

function request()
	i = i + 1
	if i <= #reqs then
		return reqs[i]
	end
	-- Out of signed requests: what is still asked for repeats the last
	-- one (a replay, refused) and is counted, not measured as issued.
	overflow = overflow + 1
	if not stopped then
		stopped = true
		out:flush()
		wrk.thread:stop()
	end
	return reqs[#reqs]
end

function response(status, headers, body)
	local t = body:match('"ott":"([%w_%-]+)"')
	if t then
		out:write(t, "\n")
		issued = issued + 1
	end
end
