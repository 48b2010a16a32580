-- Tests of the PlayWave Roblox SDK under Lua 5.1 with the mock engine in
-- mock.lua, against a running playwaved.
--
-- Environment:
--   PW_API_URL  the server's API base, ".../v1"
--   PW_API_KEY  the fantasyquest game's API key
--   PW_CONF     the server's configuration file (for playwavectl)
--   PW_CTL      the playwavectl binary
--   PW_SEED     optional: seeds math.random (the SDK's jitter), so that a
--               test passing only by one random sequence shows
--   PW_FAILFAST optional: stop at the first failing test (mutants.py)
-- The server's cafe "seoul-01" must start with an empty wallet and a
-- fantasyquest price of 10 G-coin; a short billing-unit makes the
-- CHARGE_EXHAUSTED test quick.
--
-- 5xx replies, 429s, delays and some network errors come from the mock's
-- transport (HttpService:inject and :fault), since a healthy playwaved
-- never sends them; everything else is the real server's answer.
--
-- The SDK retries network errors, 5xx and 429 for a while: tests of what
-- happens once retrying gave up move the virtual clock past that window.

local DIR = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local Mock = dofile(DIR .. "/mock.lua")
local json = Mock.json

local SERVER_SCRIPT = DIR .. "/../PlayWaveCore.lua"
local CLIENT_SCRIPT = DIR .. "/../PlayWaveClient.client.lua"

local API_URL = os.getenv("PW_API_URL")
local API_KEY = os.getenv("PW_API_KEY")
local CONF = os.getenv("PW_CONF")
local CTL = os.getenv("PW_CTL") or "playwavectl"
if not API_URL or not API_KEY or not CONF then
	io.stderr:write("test_sdk.lua: set PW_API_URL, PW_API_KEY, PW_CONF " ..
	    "and PW_CTL (tests/integ/test_sdk.py does)\n")
	os.exit(2)
end
if tonumber(os.getenv("PW_SEED") or "") then
	math.randomseed(tonumber(os.getenv("PW_SEED")))
end
local FAILFAST = os.getenv("PW_FAILFAST") ~= nil

-- A port nothing listens on: connection refused, at once.
local DEAD_URL = "http://127.0.0.1:9/v1"
local FIRST_HEARTBEAT = 10
-- Longer than the SDK retries verify (45 s) or check (30 s).
local PAST_RETRIES = 60
-- Longer than a session prepared for a teleport that failed waits for the
-- game's retry (30 s).
local PAST_HOLD = 31
-- BindToClose waits this long (the default shutdownGrace) before ending
-- the sessions still here.
local GRACE = 5
local PRICE = 10
local CAFE = "seoul-01"

-------------------------------------------------------------------------------
-- Harness

local tests = {}
-- Worlds made by the running test: any thread that died in one fails it.
local worlds = {}

local function test(name, fn)
	tests[#tests + 1] = { name = name, fn = fn }
end

local function fmt(v)
	if type(v) == "string" then
		return string.format("%q", v)
	end
	return tostring(v)
end

local function eq(got, want, what)
	if got ~= want then
		error(string.format("%s: got %s, want %s", what or "value", fmt(got),
		    fmt(want)), 2)
	end
end

local function ok(cond, what)
	if not cond then
		error(what or "check failed", 2)
	end
end

local function shq(s)
	return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Run playwavectl; returns its trimmed stdout, fails the test on non-zero.
local function ctl(...)
	local args = { shq(CTL), "-f", shq(CONF) }
	for i = 1, select("#", ...) do
		args[#args + 1] = shq((select(i, ...)))
	end
	local p = assert(io.popen(table.concat(args, " ") ..
	    " 2>&1; echo \"rc=$?\"", "r"))
	local out = p:read("*a")
	p:close()
	local text, rc = out:match("^(.-)\n?rc=(%d+)\n$")
	if rc ~= "0" then
		error("playwavectl " .. table.concat({ ... }, " ") .. " failed: " ..
		    tostring(out), 2)
	end
	return (text:gsub("%s+$", ""))
end

local uniq = 0
local function nextId()
	uniq = uniq + 1
	return uniq
end

local function newPc()
	return "sdk-pc-" .. nextId()
end

local function newUid()
	return 7000000 + nextId()
end

-- A real OTT from the server's store: at the cafe or not.
local function issueOtt(atCafe, pc)
	local args = { "ott", "issue", "fantasyquest", "--pc", pc or newPc() }
	if atCafe then
		args[#args + 1] = "--cafe"
		args[#args + 1] = CAFE
	end
	local out = ctl(unpack(args))
	local ott = out:match("(playwave_[%x%-]+)%s*$")
	ok(ott and #ott == #"playwave_" + 36, "ott issue printed " .. out)
	return ott
end

-- Direct API call, outside the SDK: status and decoded envelope.
local function api(method, path, body, key)
	local status, text = Mock.curl(method, API_URL .. path, {
		["Content-Type"] = "application/json",
		["X-Api-Key"] = key or API_KEY,
	}, body and json.encode(body))
	local okd, doc = pcall(json.decode, text)
	return status, okd and doc or nil
end

local function serverHeartbeat(id, uid)
	return api("PATCH", "/game/session/heartbeat",
	    { game_session_id = id, provider_user_id = tostring(uid) })
end

local function serverVerify(ott, uid)
	local st, doc = api("POST", "/game/session/verify",
	    { ott = ott, provider_user_id = tostring(uid) })
	eq(st, 200, "direct verify status")
	return doc.data
end

-- A world with the SDK loaded and initialised; callbacks are recorded in
-- world.events in firing order, with the PC_CAFE client events.
local function newWorld(opts)
	opts = opts or {}
	local w = Mock.new({ studio = opts.studio, transport = opts.transport })
	worlds[#worlds + 1] = w
	local sdk = w:load(SERVER_SCRIPT)
	sdk.init({
		apiKey = opts.apiKey or API_KEY,
		apiUrl = opts.apiUrl or API_URL,
		heartbeatInterval = opts.heartbeatInterval or FIRST_HEARTBEAT,
		requestsPerMinute = opts.requestsPerMinute,
		shutdownGrace = opts.shutdownGrace,
		studioLaunchData = opts.studioLaunchData,
		mock = opts.mock,
		onSessionEnded = function(player, reason, detail)
			w:record("onSessionEnded", player, reason, detail, w.now)
		end,
		onPcCafe = function(player)
			w:record("onPcCafe", player)
			if opts.pcCafeYield then
				w.task.wait(opts.pcCafeYield)
			end
			if opts.pcCafeError then
				error(opts.pcCafeError)
			end
		end,
		onVerified = function(player, isPcCafe, reason)
			w:record("onVerified", player, isPcCafe, reason, w.now)
			if opts.verifiedError then
				error(opts.verifiedError)
			end
		end,
	})
	return w, sdk
end

local function join(w, uid, joinData)
	local p = w:join(uid, joinData, CLIENT_SCRIPT)
	w:run()
	return p
end

-- The callback and PC_CAFE events of a player, as "onPcCafe",
-- "PC_CAFE", "onVerified(true,VERIFIED)".
local function trace(w, player)
	local out = {}
	for _, e in ipairs(w.events) do
		if e[1] == player then
			if e.kind == "onPcCafe" then
				out[#out + 1] = "onPcCafe"
			elseif e.kind == "FireClient" then
				out[#out + 1] = tostring(e[2])
			elseif e.kind == "onVerified" then
				out[#out + 1] = string.format("onVerified(%s,%s)",
				    tostring(e[2]), tostring(e[3]))
			elseif e.kind == "onSessionEnded" then
				out[#out + 1] = string.format("onSessionEnded(%s,%s)",
				    tostring(e[2]), tostring(e[3]))
			end
		end
	end
	return table.concat(out, " ")
end

local function calls(w, suffix)
	return w.HttpService:calls(suffix)
end

local function pcCafeAttr(p)
	return p:GetAttribute("PlayWavePcCafe")
end

local function teleportData(w, sdk, player, extra)
	local opts = w.Instance.new("TeleportOptions")
	opts:SetTeleportData(extra or { level = 3 })
	eq(sdk.prepareForTeleport(player, opts), true, "prepareForTeleport")
	-- What the destination receives went through JSON on the way.
	return json.decode(json.encode(opts:GetTeleportData()))
end

-- A verified player in a fresh world: world, sdk, player, uid, session id.
local function verifiedPlayer(atCafe, opts)
	local w, sdk = newWorld(opts)
	local uid = newUid()
	local pc = newPc()
	local p = join(w, uid, { LaunchData = issueOtt(atCafe, pc) })
	eq(trace(w, p):match("onVerified%(%a+,(%u+)%)"), "VERIFIED", "verify")
	local id = sdk.getSessionId(p)
	ok(id and id:match("^gs_"), "session id " .. tostring(id))
	return w, sdk, p, uid, id, pc
end

local function heartbeatsOf(w)
	return calls(w, "/game/session/heartbeat")
end

local function lastResult(entry)
	local okd, doc = pcall(json.decode, entry.response or "")
	return okd and doc and doc.data and doc.data.result
end

-- Scenario figures, printed as the suite runs and collected by
-- tests/integ/test_sdk.py.
local function figure(fmt, ...)
	print("figure: " .. string.format(fmt, ...))
end

-- A stand-in for PlayWave that answers at once and always well, for tests
-- of the SDK's own scheduling (no real server needed).
local function fakePlayWave()
	local n = 0
	local function reply(data)
		return 200, json.encode({ success = true, data = data })
	end
	return function(method, url, headers, body)
		local path = url:match("/v1(/.*)$")
		local req = body and json.decode(body) or {}
		if path == "/game/session/verify" then
			n = n + 1
			return reply({ is_valid = true, game_session_id = "gs_fake-" .. n,
			    is_pc_cafe = false })
		elseif path == "/game/session/heartbeat" then
			return reply({ result = "OK", next_heartbeat_in = 120,
			    play_duration_sec = 0 })
		elseif path == "/game/session/check" then
			return reply({ is_valid = true, is_pc_cafe = false,
			    game_session_id = req.game_session_id, play_duration_sec = 0 })
		elseif path == "/game/session/end" then
			return reply({ result = "SUCCESS" })
		end
		return 404, "{}"
	end
end

local function eventsOf(w, kind)
	local out = {}
	for _, e in ipairs(w.events) do
		if e.kind == kind then
			out[#out + 1] = e
		end
	end
	return out
end

local function requestId(entry)
	return entry.headers and entry.headers["X-Request-ID"]
end

local function wellFormedId(id)
	return type(id) == "string" and #id >= 1 and #id <= 64 and
	    not id:find("[^%w%._:%-]")
end

-------------------------------------------------------------------------------
-- Wallet-sensitive tests first: the cafe's wallet starts empty.

test("verify: cafe without G-coin -> REJECTED (NOT_CHARGEABLE), false",
    function()
	local w, sdk = newWorld()
	local p = join(w, newUid(), { LaunchData = issueOtt(true) })
	eq(trace(w, p), "onVerified(false,REJECTED)", "trace")
	eq(sdk.isPcCafeUser(p), false, "isPcCafeUser")
	eq(sdk.getSessionId(p), nil, "no session")
	local v = calls(w, "/game/session/verify")
	eq(#v, 1, "verify calls")
	eq(json.decode(v[1].response).data.reason, "NOT_CHARGEABLE", "reason")
end)

test("heartbeat: CHARGE_EXHAUSTED keeps the session and the loop", function()
	ctl("wallet", "credit", CAFE, tostring(PRICE))
	local w, sdk, p = verifiedPlayer(true)
	eq(sdk.isPcCafeUser(p), true, "cafe user")
	-- The wallet paid the first minute only; wait (real time) for the
	-- next billed minute to start and the server to say so.
	local seen = false
	for _ = 1, 30 do
		os.execute("sleep 1")
		w:advance(FIRST_HEARTBEAT)
		local hb = heartbeatsOf(w)
		if #hb > 0 and lastResult(hb[#hb]) == "CHARGE_EXHAUSTED" then
			seen = true
			break
		end
		-- Keep the interval short for polling.
		w:advance(120)
	end
	ok(seen, "no CHARGE_EXHAUSTED heartbeat")
	ok(sdk.getSessionId(p) ~= nil, "session kept through CHARGE_EXHAUSTED")
	eq(sdk.isPcCafeUser(p), true, "still a cafe user during the grace")
	-- A credit during the grace brings OK back; the loop is still running.
	ctl("wallet", "credit", CAFE, "100000")
	local n = #heartbeatsOf(w)
	local back = false
	for _ = 1, 10 do
		w:advance(120)
		local hb = heartbeatsOf(w)
		ok(#hb > n, "heartbeat loop stopped after CHARGE_EXHAUSTED")
		n = #hb
		if lastResult(hb[#hb]) == "OK" then
			back = true
			break
		end
		os.execute("sleep 1")
	end
	ok(back, "no OK after the credit")
	w:leave(p)
end)

-------------------------------------------------------------------------------
-- Branch: fresh OTT verification

test("verify: cafe OTT -> VERIFIED, true; onPcCafe + PC_CAFE then onVerified",
    function()
	local w, sdk = newWorld()
	local uid = newUid()
	local ott = issueOtt(true)
	local p = join(w, uid, { LaunchData = ott })
	eq(trace(w, p), "onPcCafe PC_CAFE onVerified(true,VERIFIED)", "order")
	eq(sdk.isPcCafeUser(p), true, "isPcCafeUser")
	eq(pcCafeAttr(p), true, "client saw PC_CAFE")
	local v = calls(w, "/game/session/verify")
	eq(#v, 1, "verify calls")
	eq(v[1].method, "POST", "method")
	eq(v[1].url, API_URL .. "/game/session/verify", "url")
	eq(v[1].json.ott, ott:sub(#"playwave_" + 1), "prefix stripped")
	eq(v[1].json.provider_user_id, tostring(uid), "provider_user_id")
	eq(v[1].headers["X-Api-Key"], API_KEY, "api key header")
	eq(#calls(w, "/game/session/check"), 0, "no check call")
	local st = serverHeartbeat(sdk.getSessionId(p), uid)
	eq(st, 200, "session alive at the server")
	w:leave(p)
end)

test("verify: non-cafe OTT -> VERIFIED, false; no onPcCafe, no PC_CAFE",
    function()
	local w, sdk = newWorld()
	local p = join(w, newUid(), { LaunchData = issueOtt(false) })
	eq(trace(w, p), "onVerified(false,VERIFIED)", "trace")
	eq(sdk.isPcCafeUser(p), false, "isPcCafeUser")
	eq(pcCafeAttr(p), nil, "no PC_CAFE at the client")
	ok(sdk.getSessionId(p) ~= nil, "session registered")
	w:leave(p)
end)

test("verify: used OTT -> REJECTED, false", function()
	local ott = issueOtt(true)
	serverVerify(ott, newUid())
	local w, sdk = newWorld()
	local p = join(w, newUid(), { LaunchData = ott })
	eq(trace(w, p), "onVerified(false,REJECTED)", "trace")
	eq(sdk.isPcCafeUser(p), false, "isPcCafeUser")
	eq(sdk.getSessionId(p), nil, "no session")
	eq(pcCafeAttr(p), nil, "no PC_CAFE")
	eq(json.decode(calls(w, "/verify")[1].response).data.reason,
	    "OTT_ALREADY_USED", "server reason")
end)

test("verify: unknown OTT -> REJECTED, false", function()
	local w = newWorld()
	local p = join(w, newUid(),
	    { LaunchData = "playwave_0b3e9f0e-4c7c-4a8e-9d7e-3f4a5b6c7d8e" })
	eq(trace(w, p), "onVerified(false,REJECTED)", "trace")
end)

test("verify: network failure -> REQUEST_FAILED, false", function()
	local w, sdk = newWorld({ apiUrl = DEAD_URL })
	local p = join(w, newUid(), { LaunchData = issueOtt(true) })
	eq(trace(w, p), "", "still retrying")
	w:advance(PAST_RETRIES)
	eq(trace(w, p), "onVerified(false,REQUEST_FAILED)", "trace")
	local v = calls(w, "/verify")
	ok(#v > 1, "retried")
	for _, c in ipairs(v) do
		eq(c.status, 0, "no HTTP answer")
		ok(c.at < 45, "within the OTT's life")
	end
	eq(sdk.getSessionId(p), nil, "no session")
	eq(pcCafeAttr(p), nil, "no PC_CAFE")
	local warned = 0
	for _, text in ipairs(w.warnings) do
		if text:find("/game/session/verify failed", 1, true) then
			warned = warned + 1
		end
	end
	eq(warned, 1, "one warning for " .. #v .. " failed tries")
end)

test("verify: HTTP 503 (mock transport) -> REQUEST_FAILED, false", function()
	local w, sdk = newWorld()
	w.HttpService:fault({ path = "/verify", StatusCode = 503, Body =
	    '{"success":false,"error":{"code":"STORE_FULL","message":"x"}}' })
	local p = join(w, newUid(), { LaunchData = issueOtt(true) })
	w:advance(PAST_RETRIES)
	eq(trace(w, p), "onVerified(false,REQUEST_FAILED)", "trace")
	eq(sdk.getSessionId(p), nil, "no session")
	ok(#calls(w, "/verify") > 1, "retried")
end)

test("verify: undecodable 200 (mock transport) -> REQUEST_FAILED, false",
    function()
	local w = newWorld()
	w.HttpService:inject({ StatusCode = 200, Body = "<html>proxy</html>" })
	local p = join(w, newUid(), { LaunchData = issueOtt(true) })
	eq(trace(w, p), "onVerified(false,REQUEST_FAILED)", "trace")
	eq(#calls(w, "/verify"), 1, "a 200 is not retried")
end)

test("verify: wrong API key (401) -> REQUEST_FAILED, false", function()
	local w = newWorld({ apiKey = "not-the-key" })
	local p = join(w, newUid(), { LaunchData = issueOtt(true) })
	eq(trace(w, p), "onVerified(false,REQUEST_FAILED)", "trace")
	eq(calls(w, "/verify")[1].status, 401, "server status")
	w:advance(PAST_RETRIES)
	eq(#calls(w, "/verify"), 1, "a 4xx is not retried")
end)

test("no OTT in LaunchData -> NO_OTT, false, no HTTP call", function()
	local w, sdk = newWorld()
	local p1 = join(w, newUid(), {})
	local p2 = join(w, newUid(), { LaunchData = "" })
	eq(trace(w, p1), "onVerified(false,NO_OTT)", "missing LaunchData")
	eq(trace(w, p2), "onVerified(false,NO_OTT)", "empty LaunchData")
	eq(#calls(w), 0, "HTTP calls")
	eq(sdk.isPcCafeUser(p1), false, "isPcCafeUser")
end)

test("OTT without playwave_ prefix -> INVALID_PREFIX, false, no HTTP call",
    function()
	local w, sdk = newWorld()
	local ott = issueOtt(true)
	local p1 = join(w, newUid(), { LaunchData = "otherlauncher_abc123" })
	local p2 = join(w, newUid(), { LaunchData = ott:sub(#"playwave_" + 1) })
	eq(trace(w, p1), "onVerified(false,INVALID_PREFIX)", "foreign token")
	eq(trace(w, p2), "onVerified(false,INVALID_PREFIX)", "bare uuid")
	eq(#calls(w), 0, "HTTP calls")
	eq(sdk.getSessionId(p2), nil, "no session")
end)

-------------------------------------------------------------------------------
-- Branch: teleport resume

test("teleport resume, cafe -> RESUMED, true; onVerified then onPcCafe + PC_CAFE",
    function()
	local a, sdkA, p, uid, id = verifiedPlayer(true)
	local td = teleportData(a, sdkA, p)
	eq(td.level, 3, "other teleport data kept")
	local mine = td.PlayWave.players[tostring(uid)]
	eq(mine.game_session_id, id, "session in teleport data, by UserId")
	eq(mine.isPcCafe, true, "isPcCafe in teleport data")
	eq(td.PlayWave.game_session_id, id, "1.0 destinations' entry")
	-- The teleport succeeds: the origin lets go without ending.
	a:leave(p)
	a:run()
	eq(#calls(a, "/game/session/end"), 0, "origin did not end the session")
	eq(serverHeartbeat(id, uid), 200, "session alive after the teleport")

	local b, sdkB = newWorld()
	local q = join(b, uid, { TeleportData = td })
	eq(trace(b, q), "onVerified(true,RESUMED) onPcCafe PC_CAFE", "order")
	eq(sdkB.isPcCafeUser(q), true, "isPcCafeUser")
	eq(sdkB.getSessionId(q), id, "same session")
	eq(pcCafeAttr(q), true, "client saw PC_CAFE")
	eq(#calls(b, "/verify"), 0, "no verify call")
	local c = calls(b, "/game/session/check")
	eq(#c, 1, "check calls")
	eq(c[1].method, "POST", "method")
	eq(c[1].json.game_session_id, id, "checked session")
	eq(c[1].json.provider_user_id, tostring(uid), "checked user")
	-- The resumed session heartbeats and ends here.
	b:advance(FIRST_HEARTBEAT)
	eq(lastResult(heartbeatsOf(b)[1]), "OK", "destination heartbeat")
	b:leave(q)
	eq(calls(b, "/game/session/end")[1].status, 200, "destination ends")
	eq(serverHeartbeat(id, uid), 410, "ended")
end)

test("teleport resume, non-cafe -> RESUMED, false; no onPcCafe", function()
	local a, sdkA, p, uid, id = verifiedPlayer(false)
	local td = teleportData(a, sdkA, p)
	a:leave(p)
	local b, sdkB = newWorld()
	local q = join(b, uid, { TeleportData = td })
	eq(trace(b, q), "onVerified(false,RESUMED)", "trace")
	eq(sdkB.isPcCafeUser(q), false, "isPcCafeUser")
	eq(sdkB.getSessionId(q), id, "session resumed")
	b:leave(q)
end)

test("teleport resume: edited isPcCafe=true on a non-cafe session -> server's false",
    function()
	local a, sdkA, p, uid = verifiedPlayer(false)
	local td = teleportData(a, sdkA, p)
	a:leave(p)
	td.PlayWave.players[tostring(uid)].isPcCafe = true
	td.PlayWave.isPcCafe = true
	local b = newWorld()
	local q = join(b, uid, { TeleportData = td })
	eq(trace(b, q), "onVerified(false,RESUMED)", "trace")
	b:leave(q)
end)

test("teleport resume: ended session (410) -> RESUME_REJECTED, false; nothing kept, nothing ended",
    function()
	local a, sdkA, p, uid, id = verifiedPlayer(true)
	local td = teleportData(a, sdkA, p)
	a:leave(p)
	eq(api("DELETE", "/game/session/end", { game_session_id = id }), 200,
	    "ended directly")
	local b, sdkB = newWorld()
	local q = join(b, uid, { TeleportData = td })
	eq(trace(b, q), "onVerified(false,RESUME_REJECTED)", "trace")
	eq(calls(b, "/check")[1].status, 410, "check status")
	eq(#calls(b, "/check"), 1, "a 410 is not retried")
	eq(sdkB.isPcCafeUser(q), false, "isPcCafeUser")
	eq(pcCafeAttr(q), nil, "no PC_CAFE")
	eq(sdkB.getSessionId(q), nil, "no local session")
	b:advance(600)
	eq(#heartbeatsOf(b), 0, "no heartbeat")
	b:leave(q)
	eq(#calls(b, "/end"), 0, "no end for an ended session")
end)

test("teleport resume: unknown session (404, 1.0 teleport data) -> RESUME_REJECTED; nothing kept",
    function()
	local w, sdk = newWorld()
	local bogus = "gs_5f0c2a9e-1d2b-4c3d-8e4f-9a0b1c2d3e4f"
	local p = join(w, newUid(), { TeleportData =
	    { PlayWave = { game_session_id = bogus, isPcCafe = true } } })
	eq(trace(w, p), "onVerified(false,RESUME_REJECTED)", "trace")
	eq(calls(w, "/check")[1].status, 404, "check status")
	eq(sdk.getSessionId(p), nil, "no local session")
	w:advance(600)
	eq(#heartbeatsOf(w), 0, "no heartbeat")
	w:leave(p)
	eq(#calls(w, "/end"), 0, "no end")
end)

test("teleport resume: another user's session (403) -> RESUME_REJECTED",
    function()
	local a, sdkA, p, uid, id = verifiedPlayer(true)
	local td = teleportData(a, sdkA, p)
	-- Edited on the way: another player claims this session.
	local other = newUid()
	td.PlayWave.players[tostring(other)] = td.PlayWave.players[tostring(uid)]
	local b, sdkB = newWorld()
	local q = join(b, other, { TeleportData = td })
	eq(trace(b, q), "onVerified(false,RESUME_REJECTED)", "trace")
	eq(calls(b, "/check")[1].status, 403, "check status")
	eq(sdkB.isPcCafeUser(q), false, "isPcCafeUser")
	eq(sdkB.getSessionId(q), nil, "not ours: not kept")
	b:advance(FIRST_HEARTBEAT)
	eq(#heartbeatsOf(b), 0, "no heartbeat")
	b:leave(q)
	eq(#calls(b, "/end"), 0, "not ours: never ended")
	eq(serverHeartbeat(id, uid), 200, "the owner's session lives")
	a:teleportFailed(p)
	a:advance(PAST_HOLD)
	a:leave(p)
	eq(calls(a, "/end")[1].json.game_session_id, id, "origin still ends it")
end)

test("teleport resume: network failure -> RESUME_REJECTED, false", function()
	local a, sdkA, p, uid = verifiedPlayer(true)
	local td = teleportData(a, sdkA, p)
	local b = newWorld({ apiUrl = DEAD_URL })
	local q = join(b, uid, { TeleportData = td })
	b:advance(PAST_RETRIES)
	eq(trace(b, q), "onVerified(false,RESUME_REJECTED)", "trace")
	eq(calls(b, "/check")[1].status, 0, "no HTTP answer")
	ok(#calls(b, "/check") > 1, "retried")
	a:teleportFailed(p)
	a:leave(p)
end)

test("teleport resume: HTTP 503 (mock transport) -> RESUME_REJECTED, false",
    function()
	local a, sdkA, p, uid = verifiedPlayer(true)
	local td = teleportData(a, sdkA, p)
	local b, sdkB = newWorld()
	local f = b.HttpService:fault({ path = "/check", StatusCode = 503 })
	local q = join(b, uid, { TeleportData = td })
	b:advance(PAST_RETRIES)
	eq(trace(b, q), "onVerified(false,RESUME_REJECTED)", "trace")
	eq(sdkB.isPcCafeUser(q), false, "isPcCafeUser")
	f.off = true
	a:teleportFailed(p)
	a:leave(p)
end)

test("teleport data wins over LaunchData", function()
	local a, sdkA, p, uid = verifiedPlayer(false)
	local td = teleportData(a, sdkA, p)
	a:leave(p)
	local b = newWorld()
	local q = join(b, uid, { TeleportData = td, LaunchData = "playwave_x" })
	eq(trace(b, q), "onVerified(false,RESUMED)", "trace")
	eq(#calls(b, "/verify"), 0, "no verify call")
	b:leave(q)
end)

-------------------------------------------------------------------------------
-- When the callbacks do not fire

test("TeleportInitFailed restores the session without callbacks, once the game's retry had its time",
    function()
	local w, sdk, p, uid, id = verifiedPlayer(true)
	local before = trace(w, p)
	local opts = w.Instance.new("TeleportOptions")
	eq(sdk.prepareForTeleport(p, opts), true, "prepared")
	w:teleportFailed(p, opts)
	w:run()
	eq(trace(w, p), before, "no callback on restoration")
	eq(sdk.isPcCafeUser(p), true, "still a cafe user")
	eq(sdk.getSessionId(p), id, "same session")
	w:advance(FIRST_HEARTBEAT)
	eq(lastResult(heartbeatsOf(w)[1]), "OK", "heartbeat goes on")
	w:advance(PAST_HOLD - FIRST_HEARTBEAT)
	-- Restored: leaving now ends the session.
	w:leave(p)
	eq(calls(w, "/end")[1].status, 200, "ended on leave")
	eq(serverHeartbeat(id, uid), 410, "ended at the server")
end)

test("TeleportInitFailed with a result no retry can change (GameFull) restores the session at once",
    function()
	local w, sdk, p, uid, id = verifiedPlayer(false)
	local opts = w.Instance.new("TeleportOptions")
	eq(sdk.prepareForTeleport(p, opts), true, "prepared")
	w:teleportFailed(p, opts, "GameFull")
	w:run()
	w:leave(p)
	eq(calls(w, "/end")[1].status, 200, "ended on leave")
	eq(serverHeartbeat(id, uid), 410, "ended at the server")
end)

test("PlayerRemoving: no callbacks; DELETE end with the client duration",
    function()
	local w, sdk, p, uid, id = verifiedPlayer(true)
	local before = trace(w, p)
	w:advance(75)
	w:leave(p)
	w:run()
	eq(trace(w, p), before, "no callback on leave")
	local e = calls(w, "/game/session/end")
	eq(#e, 1, "end calls")
	eq(e[1].method, "DELETE", "method")
	eq(e[1].json.game_session_id, id, "ended session")
	eq(e[1].json.play_duration_sec, 75, "client play duration")
	eq(e[1].status, 200, "end status")
	local r = json.decode(e[1].response).data
	eq(r.client_play_duration_sec, 75, "server got the client duration")
	eq(serverHeartbeat(id, uid), 410, "ended at the server")
	eq(sdk.getSessionId(p), nil, "forgotten")
	w:advance(600)
	local n = #heartbeatsOf(w)
	w:advance(600)
	eq(#heartbeatsOf(w), n, "no heartbeat after leaving")
end)

test("a second ready event does not run the flow again", function()
	local w = newWorld()
	local p = join(w, newUid(), { LaunchData = issueOtt(true) })
	w:runClient(p, CLIENT_SCRIPT)
	w:run()
	eq(trace(w, p), "onPcCafe PC_CAFE onVerified(true,VERIFIED)",
	    "callbacks once")
	eq(#calls(w, "/verify"), 1, "one verify call")
	w:leave(p)
end)

test("callback errors are warned and do not break the flow", function()
	local w, sdk = newWorld({ pcCafeError = "boom-pc", verifiedError =
	    "boom-verified" })
	local p = join(w, newUid(), { LaunchData = issueOtt(true) })
	eq(trace(w, p), "onPcCafe PC_CAFE onVerified(true,VERIFIED)", "order")
	eq(pcCafeAttr(p), true, "PC_CAFE still sent")
	eq(sdk.isPcCafeUser(p), true, "session registered")
	local text = table.concat(w.warnings, "\n")
	ok(text:find("boom-pc", 1, true), "onPcCafe error warned: " .. text)
	ok(text:find("boom-verified", 1, true), "onVerified error warned")
	eq(#w.errors, 0, "no thread died")
	w:leave(p)
end)

test("BindToClose ends every session", function()
	local w, sdk = newWorld()
	local uid1, uid2 = newUid(), newUid()
	local p1 = join(w, uid1, { LaunchData = issueOtt(true) })
	local p2 = join(w, uid2, { LaunchData = issueOtt(false) })
	local id1, id2 = sdk.getSessionId(p1), sdk.getSessionId(p2)
	ok(id1 and id2, "two sessions")
	w:advance(30)
	ok(w:close(), "BindToClose returned")
	local e = calls(w, "/game/session/end")
	eq(#e, 2, "end calls")
	local ended = {}
	for _, c in ipairs(e) do
		eq(c.status, 200, "end status")
		eq(c.json.play_duration_sec, 30 + GRACE, "duration")
		ended[c.json.game_session_id] = true
	end
	ok(ended[id1] and ended[id2], "both sessions ended")
	eq(serverHeartbeat(id1, uid1), 410, "first ended at the server")
	eq(serverHeartbeat(id2, uid2), 410, "second ended at the server")
	w:leave(p1)
	w:leave(p2)
	eq(#calls(w, "/game/session/end"), 2, "no second end on leave")
end)

-------------------------------------------------------------------------------
-- Heartbeat results

test("heartbeat: OK continues at next_heartbeat_in", function()
	local w, sdk, p, uid = verifiedPlayer(false)
	w:advance(FIRST_HEARTBEAT - 1)
	eq(#heartbeatsOf(w), 0, "not before the first interval")
	w:advance(1)
	local hb = heartbeatsOf(w)
	eq(#hb, 1, "first heartbeat")
	eq(hb[1].method, "PATCH", "method")
	eq(hb[1].json.provider_user_id, tostring(uid), "user")
	eq(hb[1].json.game_session_id, sdk.getSessionId(p), "session")
	eq(lastResult(hb[1]), "OK", "result")
	local nextIn = json.decode(hb[1].response).data.next_heartbeat_in
	ok(type(nextIn) == "number" and nextIn > 0, "next_heartbeat_in")
	w:advance(nextIn - 1)
	eq(#heartbeatsOf(w), 1, "waits next_heartbeat_in")
	w:advance(1)
	eq(#heartbeatsOf(w), 2, "second heartbeat")
	eq(heartbeatsOf(w)[2].at, FIRST_HEARTBEAT + nextIn, "on time")
	w:advance(nextIn)
	eq(#heartbeatsOf(w), 3, "third heartbeat")
	-- Each answer is a proof of life: a healthy session never expires.
	w:advance(600)
	eq(#eventsOf(w, "onSessionEnded"), 0, "not expired")
	eq(#heartbeatsOf(w), 3 + math.floor(600 / nextIn), "heartbeats went on")
	ok(sdk.getSessionId(p), "still live")
	w:leave(p)
end)

test("heartbeat: SESSION_REPLACED stops the loop and skips end", function()
	local w, sdk, p, _, _, pc = verifiedPlayer(true)
	local newer = serverVerify(issueOtt(true, pc), newUid())
	eq(newer.is_valid, true, "newer session on the same PC")
	w:advance(FIRST_HEARTBEAT)
	local hb = heartbeatsOf(w)
	eq(#hb, 1, "one heartbeat")
	eq(lastResult(hb[1]), "SESSION_REPLACED", "result")
	eq(sdk.getSessionId(p), nil, "session dropped")
	eq(sdk.isPcCafeUser(p), false, "no longer a cafe user")
	w:advance(600)
	eq(#heartbeatsOf(w), 1, "loop stopped")
	w:leave(p)
	eq(#calls(w, "/end"), 0, "replaced session not ended by the client")
	api("DELETE", "/game/session/end", { game_session_id =
	    newer.game_session_id })
end)

test("heartbeat: 410 (ended elsewhere) stops the loop", function()
	local w, sdk, p, uid, id = verifiedPlayer(true)
	eq(api("DELETE", "/game/session/end", { game_session_id = id }), 200,
	    "ended directly")
	w:advance(FIRST_HEARTBEAT)
	local hb = heartbeatsOf(w)
	eq(#hb, 1, "one heartbeat")
	eq(hb[1].status, 410, "status")
	eq(sdk.getSessionId(p), nil, "cleaned up")
	w:advance(600)
	eq(#heartbeatsOf(w), 1, "loop stopped")
	w:leave(p)
	eq(#calls(w, "/end"), 0, "no end after 410")
	eq(serverHeartbeat(id, uid), 410, "still ended")
end)

test("heartbeat: 503 and network errors (mock transport) retried within seconds",
    function()
	local w, sdk, p = verifiedPlayer(true)
	w.HttpService:inject({ StatusCode = 503, Body = "{}" })
	w.HttpService:inject({ networkError = "ConnectFail" })
	w:advance(FIRST_HEARTBEAT)
	local hb = heartbeatsOf(w)
	eq(#hb, 1, "one heartbeat")
	eq(hb[1].status, 503, "injected 503")
	ok(sdk.getSessionId(p) ~= nil, "kept after 503")
	w:advance(1)
	hb = heartbeatsOf(w)
	eq(#hb, 2, "retried within a second")
	eq(hb[2].status, 0, "network error")
	ok(sdk.getSessionId(p) ~= nil, "kept after a network error")
	w:advance(2)
	hb = heartbeatsOf(w)
	eq(#hb, 3, "retried again within two seconds")
	-- About 1 s, then about 2 s, half of each at random.
	local d1, d2 = hb[2].at - hb[1].at, hb[3].at - hb[2].at
	ok(d1 >= 0.5 and d1 <= 1, "first backoff " .. d1)
	ok(d2 >= 1 and d2 <= 2, "second backoff " .. d2)
	eq(hb[3].injected, nil, "real call")
	eq(lastResult(hb[3]), "OK", "server answers OK")
	eq(sdk.isPcCafeUser(p), true, "still a cafe user")
	w:leave(p)
end)

-------------------------------------------------------------------------------
-- Party teleports

test("party teleport: one TeleportOptions carries each player's session; all RESUMED",
    function()
	local a, sdkA = newWorld()
	local uid1, uid2 = newUid(), newUid()
	local p1 = join(a, uid1, { LaunchData = issueOtt(true) })
	local p2 = join(a, uid2, { LaunchData = issueOtt(false) })
	local id1, id2 = sdkA.getSessionId(p1), sdkA.getSessionId(p2)
	ok(id1 and id2 and id1 ~= id2, "two sessions")
	local opts = a.Instance.new("TeleportOptions")
	opts:SetTeleportData({ map = "arena" })
	eq(sdkA.prepareForTeleport(p1, opts), true, "first prepared")
	eq(sdkA.prepareForTeleport(p2, opts), true, "second prepared")
	local td = json.decode(json.encode(opts:GetTeleportData()))
	eq(td.map, "arena", "other teleport data kept")
	eq(td.PlayWave.players[tostring(uid1)].game_session_id, id1, "first")
	eq(td.PlayWave.players[tostring(uid2)].game_session_id, id2, "second")
	eq(td.PlayWave.game_session_id, nil, "no unkeyed entry for a party")
	a:leave(p1)
	a:leave(p2)
	eq(#calls(a, "/end"), 0, "origin ended nothing")

	local b, sdkB = newWorld()
	local q1 = join(b, uid1, { TeleportData = td })
	local q2 = join(b, uid2, { TeleportData = td })
	eq(trace(b, q1), "onVerified(true,RESUMED) onPcCafe PC_CAFE", "first")
	eq(trace(b, q2), "onVerified(false,RESUMED)", "second")
	eq(sdkB.getSessionId(q1), id1, "first resumed its own session")
	eq(sdkB.getSessionId(q2), id2, "second resumed its own session")
	b:leave(q1)
	b:leave(q2)
	eq(serverHeartbeat(id1, uid1), 410, "first ended at the destination")
	eq(serverHeartbeat(id2, uid2), 410, "second ended at the destination")
end)

test("party teleport from a 1.0 origin: a resume rejected as another's (403) never ends it",
    function()
	local a, sdkA, p, uid, id = verifiedPlayer(true)
	-- A 1.0 origin wrote the last prepared player's session, unkeyed,
	-- for the whole party.
	local td = { PlayWave = { game_session_id = id, isPcCafe = true } }
	eq(sdkA.prepareForTeleport(p, a.Instance.new("TeleportOptions")), true,
	    "prepared")
	a:leave(p)
	local b, sdkB = newWorld()
	local other = newUid()
	local q = join(b, other, { TeleportData = td })
	eq(trace(b, q), "onVerified(false,RESUME_REJECTED)", "trace")
	eq(calls(b, "/check")[1].status, 403, "check status")
	eq(sdkB.getSessionId(q), nil, "not kept")
	-- Leaves before any heartbeat could have told it was someone else's.
	b:leave(q)
	eq(#calls(b, "/end"), 0, "no end call")
	eq(serverHeartbeat(id, uid), 200, "the owner's session lives")
	local q2 = join(b, uid, { TeleportData = td })
	eq(trace(b, q2), "onVerified(true,RESUMED) onPcCafe PC_CAFE", "owner")
	b:leave(q2)
end)

-------------------------------------------------------------------------------
-- Retries and the request budget

test("verify: a 503 and a network error are retried within the OTT's life -> VERIFIED",
    function()
	local w, sdk = newWorld()
	w.HttpService:inject({ StatusCode = 503, Body = "{}" })
	w.HttpService:inject({ networkError = "ConnectFail" })
	local p = join(w, newUid(), { LaunchData = issueOtt(true) })
	w:advance(10)
	eq(trace(w, p), "onPcCafe PC_CAFE onVerified(true,VERIFIED)", "trace")
	local v = calls(w, "/verify")
	eq(#v, 3, "verify calls")
	eq(v[1].status, 503, "first")
	eq(v[2].status, 0, "second")
	eq(v[3].status, 200, "third")
	ok(v[2].at > v[1].at and v[3].at > v[2].at, "spaced out")
	eq(v[3].json.ott, v[1].json.ott, "same OTT")
	eq(sdk.isPcCafeUser(p), true, "cafe user")
	w:leave(p)
end)

test("429 waits for Retry-After before the next try", function()
	local w, sdk = newWorld()
	w.HttpService:inject({ StatusCode = 429, Headers = { ["Retry-After"] = "7" },
	    Body = '{"success":false,"error":{"code":"RATE_LIMITED"}}' })
	local p = join(w, newUid(), { LaunchData = issueOtt(false) })
	w:advance(6.9)
	eq(#calls(w, "/verify"), 1, "not before Retry-After")
	w:advance(2)
	local v = calls(w, "/verify")
	eq(#v, 2, "retried after Retry-After")
	ok(v[2].at - v[1].at >= 7, "waited 7 s")
	eq(trace(w, p), "onVerified(false,VERIFIED)", "trace")
	ok(sdk.getSessionId(p), "session")
	w:leave(p)
end)

test("check: a 503 is retried -> RESUMED", function()
	local a, sdkA, p, uid, id = verifiedPlayer(true)
	local td = teleportData(a, sdkA, p)
	a:leave(p)
	local b, sdkB = newWorld()
	b.HttpService:inject({ StatusCode = 503, Body = "" })
	local q = join(b, uid, { TeleportData = td })
	b:advance(5)
	eq(trace(b, q), "onVerified(true,RESUMED) onPcCafe PC_CAFE", "trace")
	eq(#calls(b, "/check"), 2, "check calls")
	eq(sdkB.getSessionId(q), id, "resumed")
	b:leave(q)
end)

test("is_valid:false and 4xx are final: no retry", function()
	local ott = issueOtt(false)
	serverVerify(ott, newUid())
	local w = newWorld()
	local p = join(w, newUid(), { LaunchData = ott })
	w:advance(PAST_RETRIES)
	eq(trace(w, p), "onVerified(false,REJECTED)", "trace")
	eq(#calls(w, "/verify"), 1, "is_valid:false not retried")
	local a, sdkA, p2, uid2, id2 = verifiedPlayer(false)
	a.HttpService:inject({ StatusCode = 400, Body = "{}" })
	a:advance(FIRST_HEARTBEAT + PAST_RETRIES)
	eq(heartbeatsOf(a)[1].status, 400, "a 400")
	ok(heartbeatsOf(a)[2].at >= FIRST_HEARTBEAT * 2, "not retried at once")
	eq(sdkA.getSessionId(p2), id2, "kept")
	a:leave(p2)
	eq(serverHeartbeat(id2, uid2), 410, "ended")
end)

test("every request shares one budget: at most requestsPerMinute x 1.2 in any minute",
    function()
	local sent = 0
	local w = newWorld({ requestsPerMinute = 30, transport = function()
		sent = sent + 1
		return 503, "{}"
	end })
	for _ = 1, 20 do
		join(w, newUid(), { LaunchData = "playwave_x" })
	end
	w:advance(60)
	local times = {}
	for _, c in ipairs(calls(w)) do
		times[#times + 1] = c.at
	end
	ok(#times > 20, "retries were made: " .. #times)
	for i = 1, #times do
		local n = 0
		for j = i, #times do
			if times[j] < times[i] + 60 then
				n = n + 1
			end
		end
		ok(n <= 36, n .. " requests in a minute")
	end
	w:advance(60)
	for _, e in ipairs(w.events) do
		ok(e.kind ~= "onVerified" or e[3] == "REQUEST_FAILED",
		    "gave up as REQUEST_FAILED")
	end
end)

-------------------------------------------------------------------------------
-- Sessions ending while the player stays

test("onSessionEnded: 410 -> ENDED with the server's reason, once; PlayWavePcCafe false",
    function()
	local w, sdk, p, uid, id = verifiedPlayer(true)
	eq(pcCafeAttr(p), true, "cafe badge on")
	ctl("end", id)
	w:advance(FIRST_HEARTBEAT)
	eq(trace(w, p), "onPcCafe PC_CAFE onVerified(true,VERIFIED) " ..
	    "onSessionEnded(ENDED,ADMIN) SESSION_ENDED", "trace")
	eq(sdk.isPcCafeUser(p), false, "isPcCafeUser")
	eq(sdk.getSessionId(p), nil, "forgotten")
	eq(pcCafeAttr(p), false, "client attribute false")
	local fire = w.ReplicatedStorage:FindFirstChild("PlayWaveEvent").clientFires
	local last = fire[#fire]
	eq(last[1], "SESSION_ENDED", "client event")
	eq(last[2], "ENDED", "client event reason")
	eq(last[3], "ADMIN", "client event detail")
	w:advance(600)
	eq(#heartbeatsOf(w), 1, "loop stopped")
	w:leave(p)
	eq(#calls(w, "/end"), 0, "no end")
	local n = 0
	for _, e in ipairs(w.events) do
		if e.kind == "onSessionEnded" then
			n = n + 1
		end
	end
	eq(n, 1, "once")
end)

test("onSessionEnded: SESSION_REPLACED -> REPLACED, nil", function()
	local w, sdk, p, _, _, pc = verifiedPlayer(true)
	local newer = serverVerify(issueOtt(true, pc), newUid())
	w:advance(FIRST_HEARTBEAT)
	local got
	for _, e in ipairs(w.events) do
		if e.kind == "onSessionEnded" then
			got = { e[2], e[3] }
		end
	end
	ok(got, "onSessionEnded fired")
	eq(got[1], "REPLACED", "reason")
	eq(got[2], nil, "detail")
	eq(sdk.EndReason.REPLACED, "REPLACED", "EndReason")
	eq(pcCafeAttr(p), false, "client attribute false")
	w:leave(p)
	api("DELETE", "/game/session/end", { game_session_id =
	    newer.game_session_id })
end)

test("onSessionEnded: 404 -> NOT_FOUND, 403 -> MISMATCH (mock transport)",
    function()
	for _, c in ipairs({ { 404, "NOT_FOUND" }, { 403, "MISMATCH" } }) do
		local w, sdk, p, uid, id = verifiedPlayer(false)
		w.HttpService:inject({ StatusCode = c[1], Body = "{}" })
		w:advance(FIRST_HEARTBEAT)
		eq(trace(w, p), "onVerified(false,VERIFIED) onSessionEnded(" ..
		    c[2] .. ",nil) SESSION_ENDED", "trace")
		eq(sdk.getSessionId(p), nil, "forgotten")
		eq(pcCafeAttr(p), false, "attribute")
		api("DELETE", "/game/session/end", { game_session_id = id })
		w:leave(p)
		eq(#calls(w, "/end"), 0, "no end")
		eq(serverHeartbeat(id, uid), 410, "cleaned up here")
	end
end)

-------------------------------------------------------------------------------
-- A rejected resume ends the carried session

test("check failing past its retries (503) -> RESUME_REJECTED; the player leaves; the carried session is ended",
    function()
	local a, sdkA, p, uid, id = verifiedPlayer(true)
	local td = teleportData(a, sdkA, p)
	a:leave(p)
	local b, sdkB = newWorld()
	b.HttpService:fault({ path = "/check", StatusCode = 503, till = 60 })
	local q = join(b, uid, { TeleportData = td })
	b:advance(35)
	eq(trace(b, q), "onVerified(false,RESUME_REJECTED)", "trace")
	eq(sdkB.isPcCafeUser(q), false, "isPcCafeUser")
	eq(sdkB.getSessionId(q), nil, "not kept")
	eq(serverHeartbeat(id, uid), 200, "not known to be ours yet")
	b:leave(q)
	eq(#calls(b, "/end"), 0, "nothing to end yet")
	b:advance(120)
	local e = calls(b, "/end")
	eq(#e, 1, "ended once known to be the player's")
	eq(e[1].json.game_session_id, id, "that session")
	eq(e[1].status, 200, "end status")
	eq(serverHeartbeat(id, uid), 410, "not left billing")
	eq(#heartbeatsOf(b), 0, "never heartbeated")
	b:advance(600)
	eq(#calls(b, "/end"), 1, "no second end")
end)

-------------------------------------------------------------------------------
-- Shutdown

test("BindToClose never ends a session prepared for teleport", function()
	local w, sdk = newWorld()
	local uid1, uid2 = newUid(), newUid()
	local p1 = join(w, uid1, { LaunchData = issueOtt(true) })
	local p2 = join(w, uid2, { LaunchData = issueOtt(false) })
	local id1, id2 = sdk.getSessionId(p1), sdk.getSessionId(p2)
	eq(sdk.prepareForTeleport(p1, w.Instance.new("TeleportOptions")), true,
	    "soft shutdown teleports the first")
	ok(w:close(), "BindToClose returned")
	local e = calls(w, "/end")
	eq(#e, 1, "end calls")
	eq(e[1].json.game_session_id, id2, "the staying player's")
	eq(serverHeartbeat(id1, uid1), 200, "teleporting session alive")
	eq(serverHeartbeat(id2, uid2), 410, "staying session ended")
	w:leave(p1)
	w:leave(p2)
	eq(#calls(w, "/end"), 1, "still one end")
	api("DELETE", "/game/session/end", { game_session_id = id1 })
end)

test("BindToClose waits for the ends PlayerRemoving started", function()
	local w, sdk, p, uid, id = verifiedPlayer(true)
	w.HttpService:fault({ path = "/end", delay = 8 })
	w:leave(p)
	local e = calls(w, "/end")
	eq(#e, 1, "end sent")
	eq(e[1].status, nil, "still out")
	local done, at = w:close()
	ok(done, "BindToClose returned")
	ok(e[1].doneAt, "end answered")
	ok(at >= e[1].doneAt, "returned after the end's answer")
	eq(e[1].status, 200, "end status")
	eq(serverHeartbeat(id, uid), 410, "ended")
end)

test("shutdownGrace: a soft shutdown that yields before preparing keeps its sessions",
    function()
	local w, sdk = newWorld({ shutdownGrace = 5 })
	local uid = newUid()
	local p = join(w, uid, { LaunchData = issueOtt(true) })
	local id = sdk.getSessionId(p)
	w.game:BindToClose(function()
		w.task.wait(2) -- TeleportService:ReserveServer
		sdk.prepareForTeleport(p, w.Instance.new("TeleportOptions"))
	end)
	ok(w:close(), "BindToClose returned")
	eq(#calls(w, "/end"), 0, "nothing ended")
	eq(serverHeartbeat(id, uid), 200, "alive for the destination")
	api("DELETE", "/game/session/end", { game_session_id = id })
end)

-------------------------------------------------------------------------------
-- A teleport that raised

test("cancelTeleport after TeleportAsync raised: the session stays and ends on leave",
    function()
	local w, sdk, p, uid, id = verifiedPlayer(true)
	eq(sdk.cancelTeleport(p), false, "nothing prepared yet")
	eq(sdk.prepareForTeleport(p, w.Instance.new("TeleportOptions")), true,
	    "prepared")
	-- TeleportAsync raised: no TeleportInitFailed comes.
	eq(sdk.cancelTeleport(p), true, "cancelled")
	eq(sdk.cancelTeleport(p), false, "once")
	eq(sdk.getSessionId(p), id, "same session")
	eq(sdk.isPcCafeUser(p), true, "still a cafe user")
	w:leave(p)
	eq(calls(w, "/end")[1].status, 200, "ended on leave")
	eq(serverHeartbeat(id, uid), 410, "ended at the server")
end)

-------------------------------------------------------------------------------
-- Secrets

test("apiKey may be a Secret: passed unchanged as the header value", function()
	local w = Mock.new()
	worlds[#worlds + 1] = w
	w.HttpService.secrets.playwave = API_KEY
	local secret = w.HttpService:GetSecret("playwave")
	ok(not pcall(function() return "x" .. secret end), "opaque")
	local sdk = w:load(SERVER_SCRIPT)
	sdk.init({ apiKey = secret, apiUrl = API_URL })
	local p = join(w, newUid(), { LaunchData = issueOtt(true) })
	local v = calls(w, "/verify")
	eq(#v, 1, "verify calls")
	ok(rawequal(v[1].headers["X-Api-Key"], secret), "the Secret itself")
	eq(v[1].status, 200, "the server saw the key")
	eq(sdk.isPcCafeUser(p), true, "verified")
	w:leave(p)
	eq(calls(w, "/end")[1].status, 200, "ended with the Secret too")
end)

-------------------------------------------------------------------------------
-- Requests in flight (RequestAsync yields)

test("player leaves during the teleport check: the session, proven theirs, is ended",
    function()
	local a, sdkA, p, uid, id = verifiedPlayer(true)
	local td = teleportData(a, sdkA, p)
	a:leave(p)
	local b, sdkB = newWorld()
	b.HttpService:fault({ path = "/check", delay = 3 })
	local q = join(b, uid, { TeleportData = td })
	b:advance(1)
	b:leave(q)
	b:advance(5)
	eq(trace(b, q), "", "no callback for a player who left")
	eq(sdkB.getSessionId(q), nil, "no session")
	eq(calls(b, "/end")[1] and calls(b, "/end")[1].json.game_session_id, id,
	    "ended")
	eq(serverHeartbeat(id, uid), 410, "not left billing")
	b:advance(600)
	eq(#heartbeatsOf(b), 0, "no heartbeat")
end)

test("player leaves during verify: the new session is ended, no callback",
    function()
	local w, sdk = newWorld()
	w.HttpService:fault({ path = "/verify", delay = 3 })
	local uid = newUid()
	local p = join(w, uid, { LaunchData = issueOtt(true) })
	w:advance(1)
	w:leave(p)
	eq(#calls(w, "/end"), 0, "nothing to end yet")
	w:advance(5)
	eq(trace(w, p), "", "no callback")
	local e = calls(w, "/end")
	eq(#e, 1, "the session verify made is ended")
	eq(e[1].json.game_session_id, json.decode(calls(w, "/verify")[1].response)
	    .data.game_session_id, "that session")
	eq(e[1].status, 200, "end status")
	eq(sdk.getSessionId(p), nil, "no session")
end)

test("player leaves while verify is retried: retrying stops", function()
	local w = newWorld()
	w.HttpService:fault({ path = "/verify", StatusCode = 503 })
	local p = join(w, newUid(), { LaunchData = issueOtt(true) })
	w:advance(2)
	w:leave(p)
	local n = #calls(w, "/verify")
	w:advance(PAST_RETRIES)
	ok(#calls(w, "/verify") <= n + 1, "at most the try under way")
	eq(trace(w, p), "", "no callback")
end)

-------------------------------------------------------------------------------
-- Studio, packaging

test("studioLaunchData stands in for LaunchData in Studio only", function()
	local otts = { issueOtt(true), issueOtt(true) }
	local studio = newWorld({ studio = true, studioLaunchData = function()
		return table.remove(otts, 1)
	end })
	local p = join(studio, newUid(), {})
	eq(trace(studio, p), "onPcCafe PC_CAFE onVerified(true,VERIFIED)",
	    "Studio: cafe path")
	studio:leave(p)
	local live = newWorld({ studio = false, studioLaunchData = otts[1] })
	local q = join(live, newUid(), {})
	eq(trace(live, q), "onVerified(false,NO_OTT)", "live: ignored")
	eq(#calls(live), 0, "no HTTP call")
end)

test("a packaged client script is copied to StarterPlayerScripts", function()
	local w = Mock.new()
	worlds[#worlds + 1] = w
	local module = w.Instance.new("ModuleScript")
	module.Name = "PlayWaveServer"
	local client = w.Instance.new("LocalScript")
	client.Name = "PlayWaveClient"
	client.Parent = module
	local sdk = w:load(SERVER_SCRIPT, { script = module })
	sdk.init({ apiKey = API_KEY, apiUrl = API_URL })
	local sps = w.StarterPlayer:FindFirstChild("StarterPlayerScripts")
	local copy = sps:FindFirstChild("PlayWaveClient")
	ok(copy and copy ~= client, "copied")
	eq(copy.ClassName, "LocalScript", "a LocalScript")
	eq(#sps:GetChildren(), 1, "once")
	local f = io.open(DIR .. "/../wally.toml")
	ok(f, "wally.toml")
	local version = f:read("*a"):match('\nversion%s*=%s*"([^"]+)"')
	f:close()
	eq(sdk.VERSION, version, "VERSION matches wally.toml")
end)

-------------------------------------------------------------------------------
-- init

test("init validates its options and runs once", function()
	local w = Mock.new()
	worlds[#worlds + 1] = w
	local sdk = w:load(SERVER_SCRIPT)
	ok(not pcall(sdk.init, { apiUrl = API_URL }), "apiKey required")
	ok(not pcall(sdk.init, { apiKey = API_KEY }), "apiUrl required")
	sdk.init({ apiKey = API_KEY, apiUrl = API_URL .. "/" })
	ok(not pcall(sdk.init, { apiKey = API_KEY, apiUrl = API_URL }),
	    "second init refused")
	ok(w.ReplicatedStorage:FindFirstChild("PlayWaveClientReady"),
	    "ready RemoteEvent created")
	ok(w.ReplicatedStorage:FindFirstChild("PlayWaveEvent"),
	    "client RemoteEvent created")
	local p = join(w, newUid(), { LaunchData = issueOtt(false) })
	eq(calls(w, "/verify")[1].url, API_URL .. "/game/session/verify",
	    "trailing slash of apiUrl dropped")
	ok(sdk.getSessionId(p), "verified without callbacks")
	w:leave(p)
end)

-------------------------------------------------------------------------------
-- The audit of 1.1.0: one test per finding (H1-H3, M1-M5, L1-L6)

test("H1: with the default shutdownGrace, a soft shutdown that yields before preparing keeps its sessions",
    function()
	local w, sdk = newWorld()
	local uid = newUid()
	local p = join(w, uid, { LaunchData = issueOtt(true) })
	local id = sdk.getSessionId(p)
	local prepared
	w.game:BindToClose(function()
		w.task.wait(2) -- TeleportService:ReserveServer
		prepared = sdk.prepareForTeleport(p, w.Instance.new("TeleportOptions"))
	end)
	local done, at = w:close()
	ok(done, "BindToClose returned")
	eq(prepared, true, "prepared during the close")
	ok(at < GRACE, "the grace ends once every session is prepared: " .. at)
	eq(#calls(w, "/end"), 0, "nothing ended")
	eq(serverHeartbeat(id, uid), 200, "alive for the destination")
	api("DELETE", "/game/session/end", { game_session_id = id })
end)

test("H1: a prepareForTeleport that comes after the SDK ended the session warns",
    function()
	local w, sdk = newWorld({ shutdownGrace = 1 })
	local p = join(w, newUid(), { LaunchData = issueOtt(false) })
	local prepared
	w.game:BindToClose(function()
		w.task.wait(3)
		prepared = sdk.prepareForTeleport(p, w.Instance.new("TeleportOptions"))
	end)
	ok(w:close(), "BindToClose returned")
	eq(prepared, false, "too late")
	eq(calls(w, "/end")[1].status, 200, "ended after the grace")
	local text = table.concat(w.warnings, "\n")
	ok(text:find("already ended", 1, true), "warned: " .. text)
end)

test("H2: after TeleportInitFailed, the game's retry on the same TeleportOptions carries the session",
    function()
	local a, sdkA, p, uid, id = verifiedPlayer(true)
	local opts = a.Instance.new("TeleportOptions")
	eq(sdkA.prepareForTeleport(p, opts), true, "prepared")
	a:teleportFailed(p, opts, "Failure")
	-- Roblox's sample waits a little and calls TeleportAsync again with
	-- the same options; this time the player goes.
	a:advance(2)
	local td = json.decode(json.encode(opts:GetTeleportData()))
	a:leave(p)
	eq(#calls(a, "/end"), 0, "the origin did not end the session")
	local b, sdkB = newWorld()
	local q = join(b, uid, { TeleportData = td })
	eq(trace(b, q), "onVerified(true,RESUMED) onPcCafe PC_CAFE", "resumed")
	eq(sdkB.getSessionId(q), id, "same session")
	b:leave(q)
	eq(serverHeartbeat(id, uid), 410, "ended at the destination")
end)

test("H2: teleportAsync retries a Flooded teleport with the same sessions",
    function()
	local a, sdkA, p, uid, id = verifiedPlayer(true)
	local n = 0
	a.teleportHandler = function(placeId, players, options)
		n = n + 1
		local who = players[1]
		if n == 1 then
			a.task.delay(1, function()
				a:teleportFailed(who, options, "Flooded")
			end)
		else
			a.task.delay(1, function()
				a:leave(who)
			end)
		end
		return { PrivateServerId = "" }
	end
	local result
	a.task.spawn(function()
		result = { sdkA.teleportAsync(4242, { p }) }
	end)
	a:advance(60)
	ok(result, "teleportAsync returned")
	eq(result[1], true, "teleported")
	eq(#a.teleports, 2, "retried once")
	eq(a.teleports[2].placeId, 4242, "same place")
	local td = a.teleports[2].data
	eq(td.PlayWave.players[tostring(uid)].game_session_id, id, "same session")
	eq(#calls(a, "/end"), 0, "the origin did not end it")
	local b, sdkB = newWorld()
	local q = join(b, uid, { TeleportData = td })
	eq(trace(b, q), "onVerified(true,RESUMED) onPcCafe PC_CAFE", "resumed")
	b:leave(q)
end)

test("H3: a verify whose reply was lost is retried with the same X-Request-ID and gets the first answer",
    function()
	local w, sdk = newWorld()
	w.HttpService:fault({ path = "/verify", lostReply = true, count = 1 })
	local uid = newUid()
	local p = join(w, uid, { LaunchData = issueOtt(true) })
	w:advance(10)
	local v = calls(w, "/verify")
	eq(#v, 2, "retried once")
	local rid = requestId(v[1])
	ok(wellFormedId(rid), "a well-formed X-Request-ID: " .. tostring(rid))
	eq(requestId(v[2]), rid, "the same id on the retry")
	local first = json.decode(v[1].lostResponse).data
	eq(first.is_valid, true, "the lost reply was a success")
	eq(trace(w, p), "onPcCafe PC_CAFE onVerified(true,VERIFIED)", "verified")
	eq(sdk.getSessionId(p), first.game_session_id, "the lost attempt's session")
	-- Another verify is another request.
	local q = join(w, newUid(), { LaunchData = issueOtt(false) })
	ok(requestId(calls(w, "/verify")[3]) ~= rid, "one id per verify")
	w:leave(p)
	w:leave(q)
	eq(serverHeartbeat(first.game_session_id, uid), 410, "ended on leave")
end)

test("M1: priority lanes: an end before a verify, a verify before a heartbeat that waited longer",
    function()
	-- 12 a minute: a burst of 3, then one request every 5 s.
	local w = newWorld({ requestsPerMinute = 12, transport = fakePlayWave() })
	local p = {}
	for i = 1, 3 do
		p[i] = join(w, newUid(), { LaunchData = "playwave_fake" })
	end
	-- At 10 s the three first heartbeats are due, two tokens are back:
	-- one heartbeat waits.
	w:advance(11)
	join(w, newUid(), { LaunchData = "playwave_fake" })
	w:advance(1)
	w:leave(p[1])
	w:advance(30)
	local order = {}
	for _, c in ipairs(calls(w)) do
		if c.at > 11 then
			order[#order + 1] = c.url:match("/session/(%a+)$")
		end
	end
	eq(table.concat(order, " ", 1, 3), "end verify heartbeat", "order")
end)

test("M1 scenario: a 200-player close at the default budget leaves no session billing",
    function()
	local w, sdk = newWorld({ heartbeatInterval = 120 })
	local players, uids = {}, {}
	for i = 1, 200 do
		uids[i] = newUid()
		players[i] = w:join(uids[i], { LaunchData = issueOtt(false) },
		    CLIENT_SCRIPT)
	end
	w:advance(50)
	local ids = {}
	for i, p in ipairs(players) do
		ids[i] = sdk.getSessionId(p)
	end
	eq(#ids, 200, "every player verified")
	local t0 = w.now
	ok(w:close(), "BindToClose returned")
	local alive = 0
	for i = 1, 200 do
		if serverHeartbeat(ids[i], uids[i]) == 200 then
			alive = alive + 1
			api("DELETE", "/game/session/end", { game_session_id = ids[i] })
		end
	end
	figure("200-player close, default budget: %d of 200 sessions still " ..
	    "billing after BindToClose (%.1f s)", alive, w.closedAt - t0)
	eq(alive, 0, "sessions still billing")
end)

test("M2: heartbeats failing for longer than the session timeout -> onSessionEnded(ENDED, EXPIRED)",
    function()
	local w, sdk, p, uid, id = verifiedPlayer(true)
	w:advance(FIRST_HEARTBEAT)
	local hb = heartbeatsOf(w)
	eq(lastResult(hb[1]), "OK", "a proof of life")
	local proof = hb[1].doneAt
	w.HttpService:fault({ path = "/heartbeat", StatusCode = 503 })
	w:advance(300)
	local ended = eventsOf(w, "onSessionEnded")
	eq(#ended, 1, "onSessionEnded fired")
	eq(ended[1][2], "ENDED", "reason")
	eq(ended[1][3], "EXPIRED", "detail")
	ok(ended[1][4] <= proof + 240 + 1, "by the session timeout: " ..
	    tostring(ended[1][4]))
	eq(sdk.isPcCafeUser(p), false, "perks off")
	eq(pcCafeAttr(p), false, "client told")
	local n = #heartbeatsOf(w)
	w:advance(600)
	eq(#heartbeatsOf(w), n, "the loop stopped")
	-- PlayWave may have heard heartbeats whose replies were lost.
	eq(serverHeartbeat(id, uid), 410, "ended at the server")
	w:leave(p)
end)

test("M2: a 401 (rotated key) is reported once through PlayWaveServer.Error; the session expires here",
    function()
	local w, sdk, p, uid, id = verifiedPlayer(false)
	local codes = {}
	w.HttpService:fault({ path = "/heartbeat", StatusCode = 401, Body =
	    '{"success":false,"error":{"code":"INVALID_API_KEY","message":"x"}}' })
	w:advance(600)
	ok(#heartbeatsOf(w) >= 2, "several heartbeats refused")
	for _, c in ipairs(heartbeatsOf(w)) do
		ok(c.at <= FIRST_HEARTBEAT + 240, "no heartbeat after the " ..
		    "session timeout: " .. c.at)
	end
	ok(trace(w, p):find("onSessionEnded(ENDED,EXPIRED)", 1, true),
	    "expired here: " .. trace(w, p))
	ok(sdk.Error, "PlayWaveServer.Error")
	local w2, sdk2 = newWorld({ apiKey = "rotated-away" })
	sdk2.Error:Connect(function(code)
		codes[#codes + 1] = code
	end)
	local q1 = join(w2, newUid(), { LaunchData = issueOtt(false) })
	local q2 = join(w2, newUid(), { LaunchData = issueOtt(false) })
	eq(trace(w2, q2), "onVerified(false,REQUEST_FAILED)", "refused")
	eq(table.concat(codes, " "), "INVALID_API_KEY", "reported once")
	w:leave(p)
	w2:leave(q1)
	w2:leave(q2)
	api("DELETE", "/game/session/end", { game_session_id = id })
end)

test("M3: a check that succeeds after RESUME_REJECTED resumes the session while the player stays",
    function()
	local a, sdkA, p, uid, id = verifiedPlayer(true)
	local td = teleportData(a, sdkA, p)
	a:leave(p)
	local b, sdkB = newWorld()
	b.HttpService:fault({ path = "/check", StatusCode = 503, till = 35 })
	local q = join(b, uid, { TeleportData = td })
	b:advance(32)
	eq(trace(b, q), "onVerified(false,RESUME_REJECTED)", "rejected at 30 s")
	eq(sdkB.getSessionId(q), nil, "no session yet")
	b:advance(60)
	eq(trace(b, q), "onVerified(false,RESUME_REJECTED) onPcCafe PC_CAFE",
	    "resumed late")
	eq(sdkB.getSessionId(q), id, "the carried session")
	eq(sdkB.isPcCafeUser(q), true, "cafe user")
	eq(pcCafeAttr(q), true, "client told")
	eq(#calls(b, "/end"), 0, "not ended")
	eq(serverHeartbeat(id, uid), 200, "alive")
	b:leave(q)
	eq(serverHeartbeat(id, uid), 410, "ended on leave")
end)

test("M4: waitForVerification lets a hub wait; teleportAsync right after a join carries the session",
    function()
	local a, sdkA = newWorld()
	a.HttpService:fault({ path = "/verify", delay = 3 })
	local uid = newUid()
	local p = join(a, uid, { LaunchData = issueOtt(true) })
	local got
	a.task.spawn(function()
		got = { sdkA.waitForVerification(p) }
	end)
	eq(got, nil, "waits while verifying")
	a:advance(5)
	ok(got, "returned")
	eq(got[1], true, "isPcCafe")
	eq(got[2], "VERIFIED", "reason")
	local again = { sdkA.waitForVerification(p, 0) }
	eq(again[2], "VERIFIED", "known: at once")
	-- A player whose client never says ready: the wait times out.
	local silent = a:join(newUid(), {})
	a.task.spawn(function()
		got = { sdkA.waitForVerification(silent, 5) }
	end)
	a:advance(6)
	eq(got[1], nil, "no answer")
	eq(got[2], "TIMEOUT", "timeout")
	-- A player who leaves while verifying.
	local gone = join(a, newUid(), { LaunchData = issueOtt(false) })
	a.task.spawn(function()
		got = { sdkA.waitForVerification(gone) }
	end)
	a:advance(1)
	a:leave(gone)
	a:advance(5)
	eq(got[2], "PLAYER_LEFT", "left")
	-- A hub teleports at once: the teleport waits for the verification.
	local uid2 = newUid()
	local hubbed = join(a, uid2, { LaunchData = issueOtt(true) })
	a.teleportHandler = function(_, players)
		a.task.delay(1, function()
			a:leave(players[1])
		end)
		return {}
	end
	local result
	a.task.spawn(function()
		result = { sdkA.teleportAsync(4242, { hubbed }) }
	end)
	a:advance(20)
	eq(result and result[1], true, "teleported")
	local td = a.teleports[#a.teleports].data
	local carried = td.PlayWave.players[tostring(uid2)]
	ok(carried and carried.game_session_id, "the session travels")
	for _, c in ipairs(calls(a, "/end")) do
		ok(c.json.game_session_id ~= carried.game_session_id, "not ended")
	end
	a:leave(p)
	api("DELETE", "/game/session/end",
	    { game_session_id = carried.game_session_id })
end)

test("M5: players already here at init get the packaged client and are verified",
    function()
	local w = Mock.new()
	worlds[#worlds + 1] = w
	local uid = newUid()
	-- Joined before init: their PlayerScripts were filled without it.
	local early = w:join(uid, { LaunchData = issueOtt(true) })
	local module = w.Instance.new("ModuleScript")
	module.Name = "PlayWaveServer"
	local client = w.Instance.new("LocalScript")
	client.Name = "PlayWaveClient"
	client.sourcePath = CLIENT_SCRIPT
	client.Parent = module
	local sdk = w:load(SERVER_SCRIPT, { script = module })
	sdk.init({ apiKey = API_KEY, apiUrl = API_URL,
	    onVerified = function(player, isPcCafe, reason)
		w:record("onVerified", player, isPcCafe, reason)
	end })
	w:advance(1)
	eq(trace(w, early), "PC_CAFE onVerified(true,VERIFIED)", "verified")
	eq(pcCafeAttr(early), true, "client part running")
	w:leave(early)
	eq(calls(w, "/end")[1].status, 200, "ended on leave")
end)

test("L1: an end outside shutdown keeps trying past 30 s until PlayWave answers",
    function()
	local w, sdk, p, uid, id = verifiedPlayer(true)
	w.HttpService:fault({ path = "/end", StatusCode = 503, till = w.now + 60 })
	w:leave(p)
	w:advance(180)
	local e = calls(w, "/end")
	ok(#e > 1, "retried")
	eq(e[#e].status, 200, "ended once PlayWave answered")
	eq(serverHeartbeat(id, uid), 410, "not left billing")
end)

test("L2: a callback that yields holds up neither the flow nor the close",
    function()
	local w, sdk = newWorld({ pcCafeYield = 1e6 })
	local p = join(w, newUid(), { LaunchData = issueOtt(true) })
	eq(trace(w, p), "onPcCafe PC_CAFE onVerified(true,VERIFIED)", "flow went on")
	eq(sdk.isPcCafeUser(p), true, "session registered")
	local t0 = w.now
	local done, at = w:close()
	ok(done, "BindToClose returned")
	ok(at - t0 < 10, "not held to the 25 s cap: " .. (at - t0))
	eq(calls(w, "/end")[1].status, 200, "ended")
end)

test("L3: Studio's local-server players (negative UserIds) -> NO_OTT without a request",
    function()
	local w = newWorld({ studio = true })
	local p = join(w, -1, { LaunchData = issueOtt(false) })
	local q = join(w, -2, {})
	eq(trace(w, p), "onVerified(false,NO_OTT)", "no identity")
	eq(trace(w, q), "onVerified(false,NO_OTT)", "no identity")
	eq(#calls(w), 0, "no request")
	local text = table.concat(w.warnings, "\n")
	ok(text:find("mock", 1, true), "the warning points to mock: " .. text)
end)

test("L4: HttpService disabled -> REQUEST_FAILED at once, one warning, Error HTTP_DISABLED once",
    function()
	local w, sdk = newWorld()
	local codes = {}
	if sdk.Error then
		sdk.Error:Connect(function(code)
			codes[#codes + 1] = code
		end)
	end
	w.HttpService.HttpEnabled = false
	local p1 = join(w, newUid(), { LaunchData = issueOtt(false) })
	local p2 = join(w, newUid(), { LaunchData = issueOtt(false) })
	eq(trace(w, p1), "onVerified(false,REQUEST_FAILED)", "at once")
	eq(trace(w, p2), "onVerified(false,REQUEST_FAILED)", "at once")
	w:advance(PAST_RETRIES)
	eq(#calls(w, "/verify"), 2, "not retried")
	local n = 0
	for _, text in ipairs(w.warnings) do
		if text:find("not enabled", 1, true) then
			n = n + 1
		end
	end
	eq(n, 1, "warnings")
	eq(table.concat(codes, " "), "HTTP_DISABLED", "reported once")
end)

test("L5: next_heartbeat_in is kept between 5 s and half the session timeout",
    function()
	local w, sdk, p = verifiedPlayer(false)
	w.HttpService:inject({ StatusCode = 200, Body = json.encode({ success = true,
	    data = { result = "OK", next_heartbeat_in = 1e6 } }) })
	w:advance(FIRST_HEARTBEAT)
	eq(#heartbeatsOf(w), 1, "first")
	w:advance(121)
	eq(#heartbeatsOf(w), 2, "the next within half the session timeout")
	local hb = heartbeatsOf(w)
	local nextIn = json.decode(hb[2].response).data.next_heartbeat_in
	w.HttpService:inject({ StatusCode = 200, Body = json.encode({ success = true,
	    data = { result = "OK", next_heartbeat_in = 0 } }) })
	w:advance(nextIn)
	eq(#heartbeatsOf(w), 3, "third")
	local third = heartbeatsOf(w)[3].at
	w:advance(third + 4.9 - w.now)
	eq(#heartbeatsOf(w), 3, "not a heartbeat a second")
	w:advance(0.2)
	eq(#heartbeatsOf(w), 4, "after 5 s")
	w:leave(p)
end)

test("L6: a check reply without is_pc_cafe never takes the teleport data's flag",
    function()
	local w, sdk = newWorld()
	local uid = newUid()
	local id = "gs_5f0c2a9e-1d2b-4c3d-8e4f-9a0b1c2d3e4f"
	w.HttpService:inject({ StatusCode = 200, Body = json.encode({ success = true,
	    data = { is_valid = true, game_session_id = id, play_duration_sec = 5 } }) })
	local p = join(w, uid, { TeleportData = { PlayWave = { players = {
	    [tostring(uid)] = { game_session_id = id, isPcCafe = true } } } } })
	eq(trace(w, p), "onVerified(false,RESUMED)", "not a cafe user")
	eq(sdk.isPcCafeUser(p), false, "isPcCafeUser")
	w:leave(p)
end)

-------------------------------------------------------------------------------
-- 1.2.0's API: signals, offline mode, teleports, the facade

test("M1 scenario: 100 simultaneous joins, with requestsPerMinute = 50 and with the default budget",
    function()
	for _, rpm in ipairs({ 50, 250 }) do
		local w, sdk = newWorld({ requestsPerMinute = rpm,
		    heartbeatInterval = 120 })
		local players = {}
		for i = 1, 100 do
			players[i] = w:join(newUid(), { LaunchData = issueOtt(false) },
			    CLIENT_SCRIPT)
		end
		w:advance(PAST_RETRIES)
		local verified, failed = 0, 0
		for _, e in ipairs(eventsOf(w, "onVerified")) do
			if e[3] == "VERIFIED" then
				verified = verified + 1
			elseif e[3] == "REQUEST_FAILED" then
				failed = failed + 1
			end
		end
		figure("100 simultaneous joins, requestsPerMinute = %d: %d " ..
		    "verified, %d REQUEST_FAILED", rpm, verified, failed)
		eq(verified + failed, 100, "every flow ended")
		if rpm == 50 then
			-- The budget's own bound: a burst of 10, then 50 a
			-- minute for the 45 s an OTT leaves.
			eq(verified, 10 + math.floor(45 * 50 / 60), "verified")
		else
			eq(verified, 100, "verified")
		end
		for _, p in ipairs(players) do
			w:leave(p)
		end
		w:advance(60)
	end
end)

test("signals: Verified and SessionEnded with Connect, Once and Wait; a yielding handler holds nothing up",
    function()
	local w, sdk = newWorld()
	local got, once, waited = {}, {}, nil
	local conn = sdk.Verified:Connect(function(_, _, reason)
		got[#got + 1] = reason
		w.task.wait(1e6)
	end)
	sdk.Verified:Once(function(_, _, reason)
		once[#once + 1] = reason
	end)
	w.task.spawn(function()
		waited = { sdk.Verified:Wait() }
	end)
	local p1 = join(w, newUid(), { LaunchData = issueOtt(true) })
	eq(trace(w, p1), "onPcCafe PC_CAFE onVerified(true,VERIFIED)", "flow")
	eq(table.concat(got, " "), "VERIFIED", "Connect")
	eq(table.concat(once, " "), "VERIFIED", "Once")
	ok(waited, "Wait returned")
	eq(waited[1], p1, "Wait: player")
	eq(waited[2], true, "Wait: isPcCafe")
	eq(waited[3], "VERIFIED", "Wait: reason")
	conn:Disconnect()
	eq(conn.Connected, false, "disconnected")
	local p2 = join(w, newUid(), {})
	eq(trace(w, p2), "onVerified(false,NO_OTT)", "second flow")
	eq(table.concat(got, " "), "VERIFIED", "no call after Disconnect")
	eq(table.concat(once, " "), "VERIFIED", "Once fires once")
	local ended
	sdk.SessionEnded:Connect(function(player, reason, detail)
		ended = { player, reason, detail }
	end)
	ctl("end", sdk.getSessionId(p1))
	w:advance(FIRST_HEARTBEAT)
	ok(ended, "SessionEnded fired")
	eq(ended[1], p1, "player")
	eq(ended[2], "ENDED", "reason")
	eq(ended[3], "ADMIN", "detail")
	sdk.Error:Connect(function()
		error("boom-signal")
	end)
	w.HttpService.HttpEnabled = false
	join(w, newUid(), { LaunchData = "playwave_x" })
	ok(table.concat(w.warnings, "\n"):find("boom-signal", 1, true),
	    "a handler's error is warned")
end)

test("offline mode (mock) in Studio: cafe, home and ended sessions with no server and no key",
    function()
	local want = {
		cafe = "onPcCafe PC_CAFE onVerified(true,VERIFIED)",
		home = "onVerified(false,VERIFIED)",
		ended = "onPcCafe PC_CAFE onVerified(true,VERIFIED) " ..
		    "onSessionEnded(ENDED,NO_BALANCE) SESSION_ENDED",
	}
	for _, mode in ipairs({ "cafe", "home", "ended" }) do
		local w = Mock.new({ studio = true, transport = function()
			error("offline mode made a request")
		end })
		worlds[#worlds + 1] = w
		local sdk = w:load(SERVER_SCRIPT)
		sdk.init({ mock = mode, heartbeatInterval = FIRST_HEARTBEAT,
			onPcCafe = function(p)
				w:record("onPcCafe", p)
			end,
			onVerified = function(p, c, r)
				w:record("onVerified", p, c, r)
			end,
			onSessionEnded = function(p, r, d)
				w:record("onSessionEnded", p, r, d)
			end,
		})
		-- Studio's local server test players have negative UserIds.
		local p = join(w, -1, {})
		w:advance(FIRST_HEARTBEAT)
		eq(trace(w, p), want[mode], mode)
		eq(sdk.isPcCafeUser(p), mode == "cafe", mode .. ": isPcCafeUser")
		if mode == "ended" then
			eq(pcCafeAttr(p), false, "ended: badge off")
			eq(sdk.getSessionId(p), nil, "ended: no session")
		else
			ok(sdk.getSessionId(p):match("^gs_offline%-"), "a session id")
		end
		local opts = w.Instance.new("TeleportOptions")
		eq(sdk.prepareForTeleport(p, opts), mode ~= "ended", "prepare")
		w:advance(600)
		w:leave(p)
		ok(w:close(), "closed")
		eq(#calls(w), 0, mode .. ": no HTTP request")
	end
	local w = Mock.new({ studio = true })
	worlds[#worlds + 1] = w
	local sdk = w:load(SERVER_SCRIPT)
	ok(not pcall(sdk.init, { mock = "vip" }), "unknown mode refused")
end)

test("offline mode is ignored, with a warning, outside Studio", function()
	local w = Mock.new({ studio = false })
	worlds[#worlds + 1] = w
	local sdk = w:load(SERVER_SCRIPT)
	ok(not pcall(sdk.init, { mock = "cafe" }), "a live server needs a key")
	sdk.init({ mock = "cafe", apiKey = API_KEY, apiUrl = API_URL })
	ok(table.concat(w.warnings, "\n"):find("Studio only", 1, true),
	    "warned")
	local p = join(w, newUid(), {})
	eq(sdk.getSessionId(p), nil, "no offline session")
	local q = join(w, newUid(), { LaunchData = issueOtt(false) })
	eq(calls(w, "/verify")[1].status, 200, "a real verify")
	ok(sdk.getSessionId(q), "a real session")
	w:leave(q)
end)

test("teleportDataFor and markTeleporting carry sessions through other teleport calls",
    function()
	local a, sdkA = newWorld()
	local uid1, uid2 = newUid(), newUid()
	local p1 = join(a, uid1, { LaunchData = issueOtt(true) })
	local p2 = join(a, uid2, { LaunchData = issueOtt(false) })
	local p3 = join(a, newUid(), {})
	local id1, id2 = sdkA.getSessionId(p1), sdkA.getSessionId(p2)
	local existing = { map = "arena" }
	local data = sdkA.teleportDataFor({ p1, p2, p3 }, existing)
	eq(data, existing, "the table given is filled in")
	eq(data.map, "arena", "kept")
	eq(data.PlayWave.players[tostring(uid1)].game_session_id, id1, "first")
	eq(data.PlayWave.players[tostring(uid2)].game_session_id, id2, "second")
	eq(data.PlayWave.game_session_id, nil, "no unkeyed entry for a party")
	local one = sdkA.teleportDataFor(p1)
	eq(one.PlayWave.game_session_id, id1, "one Player: the 1.0 entry too")
	-- TeleportPartyAsync(placeId, players, data) would go now.
	eq(sdkA.markTeleporting({ p1, p2, p3 }), 2, "sessions marked")
	local td = json.decode(json.encode(data))
	a:leave(p1)
	a:leave(p2)
	a:leave(p3)
	eq(#calls(a, "/end"), 0, "the origin ended nothing")
	local b, sdkB = newWorld()
	local q1 = join(b, uid1, { TeleportData = td })
	local q2 = join(b, uid2, { TeleportData = td })
	eq(trace(b, q1), "onVerified(true,RESUMED) onPcCafe PC_CAFE", "first")
	eq(trace(b, q2), "onVerified(false,RESUMED)", "second")
	b:leave(q1)
	b:leave(q2)
	eq(serverHeartbeat(id1, uid1), 410, "ended at the destination")
end)

test("prepareForTeleport is idempotent: a retry by hand prepares the same data and keeps the session prepared",
    function()
	local w, sdk, p, uid, id = verifiedPlayer(false)
	local opts = w.Instance.new("TeleportOptions")
	opts:SetTeleportData({ level = 3 })
	eq(sdk.prepareForTeleport(p, opts), true, "prepared")
	local first = json.encode(opts:GetTeleportData())
	w:teleportFailed(p, opts, "Failure")
	w:advance(20)
	eq(sdk.prepareForTeleport(p, opts), true, "prepared again")
	eq(json.encode(opts:GetTeleportData()), first, "the same data")
	-- Past the hold of the first failure: the new preparation stands.
	w:advance(PAST_HOLD)
	w:leave(p)
	eq(#calls(w, "/end"), 0, "still the destination's")
	eq(serverHeartbeat(id, uid), 200, "alive")
	api("DELETE", "/game/session/end", { game_session_id = id })
end)

test("teleportAsync gives the sessions back only once its last retry failed",
    function()
	local w, sdk, p, uid, id = verifiedPlayer(true)
	w.teleportHandler = function(_, players, options)
		w.task.delay(1, function()
			w:teleportFailed(players[1], options, "Failure")
		end)
		return {}
	end
	local result
	w.task.spawn(function()
		result = { sdk.teleportAsync(4242, { p }) }
	end)
	w:advance(5)
	eq(result, nil, "still retrying")
	w:advance(60)
	ok(result, "returned")
	eq(result[1], false, "failed")
	ok(tostring(result[2]):find("Failure", 1, true), "error: " ..
	    tostring(result[2]))
	eq(#w.teleports, 4, "three retries")
	for i = 1, 4 do
		eq(w.teleports[i].data.PlayWave.players[tostring(uid)].game_session_id,
		    id, "the same session, try " .. i)
	end
	eq(sdk.isPcCafeUser(p), true, "the session stays here")
	w:leave(p)
	eq(calls(w, "/end")[1].status, 200, "given back: ended on leave")
end)

test("teleportAsync: a refused teleport (Unauthorized) is not retried; a raised TeleportAsync is",
    function()
	local w, sdk, p, uid, id = verifiedPlayer(false)
	w.teleportHandler = function(_, players, options)
		w.task.delay(1, function()
			w:teleportFailed(players[1], options, "Unauthorized")
		end)
		return {}
	end
	local result
	w.task.spawn(function()
		result = { sdk.teleportAsync(4242, { p }) }
	end)
	w:advance(30)
	eq(result[1], false, "refused")
	ok(tostring(result[2]):find("Unauthorized", 1, true), "error")
	eq(#w.teleports, 1, "not retried")
	local n = 0
	w.teleportHandler = function(_, players)
		n = n + 1
		if n == 1 then
			error("HTTP 500 (teleport service)")
		end
		w.task.delay(1, function()
			w:leave(players[1])
		end)
		return { ReservedServerAccessCode = "" }
	end
	result = nil
	w.task.spawn(function()
		-- One Player rather than a list.
		result = { sdk.teleportAsync(4242, p, w.Instance.new("TeleportOptions")) }
	end)
	w:advance(30)
	eq(result[1], true, "teleported on the retry")
	eq(type(result[2]), "table", "TeleportAsync's result")
	eq(#w.teleports, 3, "one more call")
	eq(w.teleports[3].players[1], p, "the player")
	eq(w.teleports[3].data.PlayWave.players[tostring(uid)].game_session_id,
	    id, "with the session")
	eq(#calls(w, "/end"), 0, "not ended")
	api("DELETE", "/game/session/end", { game_session_id = id })
end)

test("M5: a RunContext = Client packaging runs from ReplicatedStorage, for present and later players",
    function()
	local w = Mock.new()
	worlds[#worlds + 1] = w
	local early = w:join(newUid(), { LaunchData = issueOtt(false) })
	local module = w.Instance.new("ModuleScript")
	module.Name = "PlayWaveServer"
	local core = w.Instance.new("ModuleScript")
	core.Name = "PlayWaveCore"
	core.Parent = module
	local client = w.Instance.new("Script")
	client.Name = "PlayWaveClient"
	client.RunContext = Mock.Enum.RunContext.Client
	client.sourcePath = CLIENT_SCRIPT
	client.Parent = module
	local sdk = w:load(SERVER_SCRIPT, { script = core })
	sdk.init({ apiKey = API_KEY, apiUrl = API_URL })
	w:advance(1)
	ok(sdk.getSessionId(early), "the player already here")
	local later = w:join(newUid(), { LaunchData = issueOtt(false) })
	w:advance(1)
	ok(sdk.getSessionId(later), "a later player")
	local sps = w.StarterPlayer:FindFirstChild("StarterPlayerScripts")
	eq(#sps:GetChildren(), 0, "nothing in StarterPlayerScripts")
	ok(w.ReplicatedStorage:FindFirstChild("PlayWaveClient"), "replicated")
	w:leave(early)
	w:leave(later)
end)

test("teleportAsync with a party: one player refused (GameFull), one retried -> false; each session stays with its player",
    function()
	local w, sdk = newWorld()
	local uid1, uid2 = newUid(), newUid()
	local p1 = join(w, uid1, { LaunchData = issueOtt(true) })
	local p2 = join(w, uid2, { LaunchData = issueOtt(false) })
	local id1, id2 = sdk.getSessionId(p1), sdk.getSessionId(p2)
	local n = 0
	w.teleportHandler = function(_, players, options)
		n = n + 1
		local k = n
		w.task.delay(1, function()
			for _, pl in ipairs(players) do
				if k > 1 then
					w:leave(pl)
				elseif pl == p1 then
					w:teleportFailed(pl, options, "GameFull")
				else
					w:teleportFailed(pl, options, "Failure")
				end
			end
		end)
		return {}
	end
	local result
	w.task.spawn(function()
		result = { sdk.teleportAsync(4242, { p1, p2 }) }
	end)
	w:advance(30)
	ok(result, "returned")
	eq(result[1], false, "not every player went")
	ok(tostring(result[2]):find("GameFull", 1, true), "the refusal: " ..
	    tostring(result[2]))
	eq(#w.teleports, 2, "one retry")
	eq(#w.teleports[2].players, 1, "of the player a retry could help")
	eq(w.teleports[2].players[1], p2, "that one")
	eq(sdk.isPcCafeUser(p1), true, "the refused player keeps the session")
	eq(#calls(w, "/end"), 0, "the other session travelled")
	w:leave(p1)
	eq(calls(w, "/end")[1].json.game_session_id, id1, "ended on leave")
	api("DELETE", "/game/session/end", { game_session_id = id2 })
end)

-- The facade's Luau annotations removed, so that Lua 5.1 runs the rest:
-- type declarations (with their indented or closing lines), annotations
-- of parameters and results, and casts.
local function stripTypes(src)
	local out = {}
	local inType = false
	for line in (src .. "\n"):gmatch("(.-)\n") do
		if line:match("^export type ") or line:match("^type ") then
			inType = true
			line = ""
		elseif inType and line:match("^[%s|})]") and line ~= "" then
			line = ""
		else
			inType = false
			local head, params = line:match("^(function [%w_.:]+)%((.-)%)")
			if head then
				local names = {}
				for param in params:gmatch("[^,]+") do
					names[#names + 1] = param:match("^%s*([%w_]+)")
				end
				line = head .. "(" .. table.concat(names, ", ") .. ")"
			end
			line = line:gsub("%s*::%s*[%w_]+%??", "")
		end
		out[#out + 1] = line
	end
	return table.concat(out, "\n")
end

test("the facade PlayWaveServer.lua, annotations stripped, wraps the whole core",
    function()
	local f = assert(io.open(DIR .. "/../PlayWaveServer.lua"))
	local src = f:read("*a")
	f:close()
	local chunk = assert(loadstring(stripTypes(src), "=PlayWaveServer.lua"))
	local w = Mock.new()
	worlds[#worlds + 1] = w
	local module = w.Instance.new("ModuleScript")
	module.Name = "PlayWaveServer"
	local coreModule = w.Instance.new("ModuleScript")
	coreModule.Name = "PlayWaveCore"
	coreModule.Parent = module
	local core
	setfenv(chunk, w:env({ script = module, require = function(m)
		eq(m, coreModule, "requires its PlayWaveCore")
		core = w:load(SERVER_SCRIPT, { script = m })
		return core
	end }))
	local facade = chunk()
	for k, v in pairs(core) do
		if type(v) == "function" then
			ok(type(facade[k]) == "function", "the facade has " .. k)
		else
			eq(facade[k], v, k)
		end
	end
	for k in pairs(facade) do
		ok(core[k] ~= nil, "the core has " .. k)
	end
	facade.init({ apiKey = API_KEY, apiUrl = API_URL })
	local uid = newUid()
	local p = join(w, uid, { LaunchData = issueOtt(false) })
	local isPcCafe, reason = facade.waitForVerification(p, 0)
	eq(reason, "VERIFIED", "waitForVerification")
	eq(isPcCafe, false, "isPcCafe")
	eq(facade.isPcCafeUser(p), false, "isPcCafeUser")
	local id = facade.getSessionId(p)
	eq(id, core.getSessionId(p), "getSessionId")
	local data = facade.teleportDataFor({ p }, {})
	eq(data.PlayWave.players[tostring(uid)].game_session_id, id,
	    "teleportDataFor")
	local opts = w.Instance.new("TeleportOptions")
	eq(facade.prepareForTeleport(p, opts), true, "prepareForTeleport")
	eq(facade.cancelTeleport(p), true, "cancelTeleport")
	eq(facade.markTeleporting({ p }), 1, "markTeleporting")
	eq(facade.cancelTeleport(p), true, "cancelTeleport")
	w.teleportHandler = function()
		error("no teleports here")
	end
	local result
	w.task.spawn(function()
		result = { facade.teleportAsync(4242, { p }) }
	end)
	w:advance(60)
	eq(result and result[1], false, "teleportAsync")
	w:leave(p)
	eq(calls(w, "/end")[1].status, 200, "ended")
	ok(not src:find("--!strict", 1, true), "no strict mode: nothing checks it")
end)


test("heartbeat: after the 90 s retry window, the next try comes within 15 s, not a full interval later",
    function()
	local w, sdk, p = verifiedPlayer(false)
	w:advance(FIRST_HEARTBEAT)
	local hb = heartbeatsOf(w)
	eq(lastResult(hb[1]), "OK", "first")
	local nextIn = json.decode(hb[1].response).data.next_heartbeat_in
	ok(nextIn > 15, "the usual interval is longer: " .. nextIn)
	w.HttpService:fault({ path = "/heartbeat", StatusCode = 503 })
	w:advance(nextIn + 120)
	hb = heartbeatsOf(w)
	-- The tries of one request carry its X-Request-ID.
	local failing = requestId(hb[2])
	local tries, last, after = 0, nil, nil
	for i = 2, #hb do
		if requestId(hb[i]) == failing then
			tries = tries + 1
			last = hb[i]
		elseif last and not after then
			after = hb[i]
		end
	end
	ok(tries > 3, "retried with backoff: " .. tries)
	ok(last.at - hb[2].at <= 90, "for 90 s at most")
	ok(after, "tried again after the window")
	ok(after.at - last.at <= 15, "within 15 s: " .. (after.at - last.at))
	w:leave(p)
end)

test("retries of many players are spread at random, not in step", function()
	local w = newWorld({ transport = function()
		return 503, "{}"
	end })
	for _ = 1, 10 do
		join(w, newUid(), { LaunchData = "playwave_x" })
	end
	w:advance(3)
	local first, seconds = {}, {}
	for _, c in ipairs(calls(w, "/verify")) do
		local id = requestId(c)
		if first[id] == nil then
			first[id] = c.at
		elseif seconds[id] == nil then
			seconds[id] = string.format("%.6f", c.at - first[id])
		end
	end
	local distinct, n = {}, 0
	for _, d in pairs(seconds) do
		if not distinct[d] then
			distinct[d] = true
			n = n + 1
		end
	end
	ok(n >= 5, n .. " distinct delays among 10 retries")
end)

test("during a close no retry outlives the shutdown's cap (25 s)", function()
	local w = newWorld({ shutdownGrace = 0 })
	w.HttpService:fault({ path = "/verify", StatusCode = 503 })
	local p = join(w, newUid(), { LaunchData = issueOtt(false) })
	w:advance(1)
	local t0 = w.now
	ok(w:close(), "BindToClose returned")
	w:advance(PAST_RETRIES)
	for _, c in ipairs(calls(w)) do
		ok(c.at <= t0 + 25, "a request at " .. c.at)
	end
	local v = eventsOf(w, "onVerified")
	eq(v[1][3], "REQUEST_FAILED", "gave up")
	ok(v[1][4] <= t0 + 25, "by the cap: " .. v[1][4])
end)

test("the session_timeout verify gives decides the local expiry and travels with a teleport",
    function()
	local function shortTimeout(method, url, headers, body)
		local st, text = Mock.curl(method, url, headers, body)
		if url:match("/verify$") and st == 200 then
			local doc = json.decode(text)
			if doc.data and doc.data.is_valid then
				doc.data.session_timeout = 100
				text = json.encode(doc)
			end
		end
		return st, text
	end
	local w, sdk = newWorld({ transport = shortTimeout })
	local uid = newUid()
	local p = join(w, uid, { LaunchData = issueOtt(false) })
	local id = sdk.getSessionId(p)
	local td = teleportData(w, sdk, p)
	eq(td.PlayWave.players[tostring(uid)].session_timeout, 100, "carried")
	eq(sdk.cancelTeleport(p), true, "stays")
	w.HttpService:fault({ path = "/heartbeat", StatusCode = 503 })
	w:advance(150)
	local ended = eventsOf(w, "onSessionEnded")
	eq(#ended, 1, "expired")
	ok(ended[1][4] <= 100, "after 100 s: " .. ended[1][4])
	eq(serverHeartbeat(id, uid), 410, "and ended")
	w:leave(p)
end)

test("a closing server uses Roblox's whole limit and never more: at most 500 requests in any 60 s",
    function()
	local w, sdk = newWorld({ requestsPerMinute = 400, heartbeatInterval = 120,
	    shutdownGrace = 0, transport = fakePlayWave() })
	local players = {}
	for i = 1, 300 do
		players[i] = w:join(newUid(), { LaunchData = "playwave_fake" },
		    CLIENT_SCRIPT)
	end
	w:advance(40)
	local live = 0
	for _, p in ipairs(players) do
		if sdk.getSessionId(p) then
			live = live + 1
		end
	end
	eq(live, 300, "verified")
	ok(w:close(), "BindToClose returned")
	w:advance(60)
	local times = {}
	for _, c in ipairs(calls(w)) do
		times[#times + 1] = c.at
	end
	local most = 0
	for i = 1, #times do
		local n = 0
		for j = i, #times do
			if times[j] < times[i] + 60 then
				n = n + 1
			end
		end
		most = math.max(most, n)
	end
	eq(most, 500, "requests in the busiest 60 s")
	-- 200 ends at once beside the 300 verifies of the last minute; the
	-- rest as those verifies leave the window, before the 25 s cap.
	local ends = calls(w, "/end")
	eq(#ends, 300, "every session ended")
	local at = {}
	for i, c in ipairs(ends) do
		at[i] = c.at
	end
	table.sort(at)
	eq(at[200], 40, "200 at once")
	ok(at[201] >= 60, "the rest as the window moves: " .. at[201])
	ok(at[300] <= 65, "by the cap: " .. at[300])
end)

-------------------------------------------------------------------------------
-- Runner

local passed, failed = 0, 0
local only = arg and arg[1]
for _, t in ipairs(tests) do
	if not only or t.name:find(only, 1, true) then
		worlds = {}
		local good, err = pcall(t.fn)
		for _, w in ipairs(worlds) do
			if good and #w.errors > 0 then
				good, err = false, "thread error: " .. w.errors[1]
			end
		end
		if good then
			passed = passed + 1
			print("ok   " .. t.name)
		else
			failed = failed + 1
			print("FAIL " .. t.name .. "\n     " .. tostring(err))
			if FAILFAST then
				break
			end
		end
	end
end
print(string.format("%d tests: %d passed, %d failed", passed + failed, passed,
    failed))
os.exit((failed == 0 and passed > 0) and 0 or 1)
