-- Issue OTTs through the signed launcher API and write them to a file per
-- thread.  Every request is signed beforehand (bench.py) with a nonce of
-- its own, as contract v2 requires, so each is sent once (once.lua): what
-- a thread is asked for past its share repeats the last one (a replay,
-- refused) and is counted as overflow, not as issued.
--   BENCH_ISSUE     lines "body<TAB>timestamp<TAB>nonce<TAB>signature<TAB>xff"
--   BENCH_NTHREADS  wrk's -t
--   BENCH_OTTS      output prefix; thread k writes BENCH_OTTS.k

dofile(os.getenv("BENCH_LUA") .. "/once.lua")

local out
issued = 0

function init(args)
	once_load(os.getenv("BENCH_ISSUE"), function(line)
		local body, ts, nonce, sig, xff =
		    line:match("^(.-)\t(%d+)\t([%w_%-]+)\t(%x+)\t([%x%.:]+)$")
		if body == nil then
			return nil
		end
		return wrk.format("POST", nil, {
			["Content-Type"] = "application/json",
			["X-Timestamp"] = ts,
			["X-Nonce"] = nonce,
			["X-Signature"] = sig,
			["X-Forwarded-For"] = xff,
		}, body)
	end)
	out = assert(io.open(os.getenv("BENCH_OTTS") .. "." .. id, "w"))
	out:setvbuf("full")
end

function request()
	return once_next(function() out:flush() end)
end

function response(status, headers, body)
	local t = body:match('"ott":"([%w_%-]+)"')
	if t then
		out:write(t, "\n")
		issued = issued + 1
	end
end
