-- Shared by every bench script: number the threads, and print one
-- machine-readable line at the end that bench.py parses.

local threads = {}

function setup(thread)
	thread:set("id", #threads)
	table.insert(threads, thread)
end

local function sum(name)
	local n = 0
	for _, t in ipairs(threads) do
		n = n + (tonumber(t:get(name)) or 0)
	end
	return n
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("BENCH requests=%d duration_us=%d " ..
	    "p50_us=%d p99_us=%d mean_us=%.1f max_us=%d " ..
	    "connect=%d read=%d write=%d status=%d timeout=%d " ..
	    "overflow=%d issued=%d\n",
	    summary.requests, summary.duration,
	    latency:percentile(50), latency:percentile(99),
	    latency.mean, latency.max,
	    e.connect, e.read, e.write, e.status, e.timeout,
	    sum("overflow"), sum("issued")))
end
