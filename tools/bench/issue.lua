-- Issue OTTs through the signed launcher API and write them to a file per
-- thread.  Every request is signed beforehand (bench.py) with its launcher
-- session's key and a seq of its own, as contract v3 requires, so each is
-- sent once (once.lua): what a thread is asked for past its share repeats
-- the last one (a replay, refused) and is counted as overflow, not issued.
--   BENCH_ISSUE     lines "body<TAB>session<TAB>seq<TAB>signature<TAB>xff"
--   BENCH_NTHREADS  wrk's -t
--   BENCH_OTTS      output prefix; thread k writes BENCH_OTTS.k

dofile(os.getenv("BENCH_LUA") .. "/once.lua")

local out
issued = 0

function init(args)
	once_load(os.getenv("BENCH_ISSUE"), once_signed("POST"))
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
