-- Verify each OTT of a file exactly once (once.lua).  The file must hold
-- more than the run can use; what a thread could not send fresh is
-- reported as overflow.
--   BENCH_OTTS      file of OTTs, one a line
--   BENCH_NTHREADS  wrk's -t
--   BENCH_KEY       X-Api-Key

dofile(os.getenv("BENCH_LUA") .. "/once.lua")

function init(args)
	local hdr = {
		["Content-Type"] = "application/json",
		["X-Api-Key"] = os.getenv("BENCH_KEY"),
	}
	once_load(os.getenv("BENCH_OTTS"), function(line)
		return wrk.format("POST", nil, hdr, '{"ott":"' .. line ..
		    '","provider_user_id":"123456789"}')
	end)
end

function request()
	return once_next()
end
