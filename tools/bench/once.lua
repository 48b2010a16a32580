-- Requests each sent exactly once (fresh.lua, issue.lua): an OTT verifies
-- once, a nonce signs once.  bench.py writes them a line each; thread k
-- takes lines k, k + nthreads, ...  wrk's run lasts -d whatever a thread
-- does, so a thread that has sent its share stops, and the few requests
-- wrk still asks of it repeat the last one and are counted as overflow
-- for the report, never measured as fresh.

dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local reqs = {}
local sent = 0
local stopped = false
overflow = 0

-- format(line) for each of this thread's lines of path (BENCH_NTHREADS
-- is wrk's -t); a nil it returns is skipped.
function once_load(path, format)
	local n = tonumber(os.getenv("BENCH_NTHREADS"))
	local k = 0
	for line in io.lines(path) do
		if k % n == id and #line > 0 then
			reqs[#reqs + 1] = format(line)
		end
		k = k + 1
	end
end

-- The next request; on_stop (optional) runs once when they are all sent.
function once_next(on_stop)
	sent = sent + 1
	if sent <= #reqs then
		return reqs[sent]
	end
	overflow = overflow + 1
	if not stopped then
		stopped = true
		if on_stop then
			on_stop()
		end
		wrk.thread:stop()
	end
	return reqs[#reqs]
end

-- The formatter for lines "body<TAB>session<TAB>seq<TAB>signature<TAB>xff"
-- bench.py writes for the session-signed launcher requests: method with
-- its session's headers (contract v3).
function once_signed(method)
	return function(line)
		local body, ls, seq, sig, xff =
		    line:match("^(.-)\t(ls_[%x%-]+)\t(%d+)\t(%x+)\t([%x%.:]+)$")
		if body == nil then
			return nil
		end
		return wrk.format(method, nil, {
			["Content-Type"] = "application/json",
			["X-Launcher-Session"] = ls,
			["X-Seq"] = seq,
			["X-Signature"] = sig,
			["X-Forwarded-For"] = xff,
		}, body)
	end
end
