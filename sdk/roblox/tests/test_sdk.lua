-- Tests of the PlayWave Roblox SDK under Lua 5.1 with the mock engine in
-- mock.lua, against a running playwaved.
--
-- Environment:
--   PW_API_URL  the server's API base, ".../v1"
--   PW_API_KEY  the fantasyquest game's API key
--   PW_CONF     the server's configuration file (for playwavectl)
--   PW_CTL      the playwavectl binary
-- The server's cafe "seoul-01" must start with an empty wallet and a
-- fantasyquest price of 10 G-coin; a short billing-unit makes the
-- CHARGE_EXHAUSTED test quick.
--
-- 5xx replies and some network errors come from the mock's transport
-- (HttpService:inject), since a healthy playwaved never sends them;
-- everything else is the real server's answer.

local DIR = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local Mock = dofile(DIR .. "/mock.lua")
local json = Mock.json

local SERVER_SCRIPT = DIR .. "/../PlayWaveServer.lua"
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

-- A port nothing listens on: connection refused, at once.
local DEAD_URL = "http://127.0.0.1:9/v1"
local FIRST_HEARTBEAT = 10
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
	local w = Mock.new()
	worlds[#worlds + 1] = w
	local sdk = w:load(SERVER_SCRIPT)
	sdk.init({
		apiKey = opts.apiKey or API_KEY,
		apiUrl = opts.apiUrl or API_URL,
		heartbeatInterval = FIRST_HEARTBEAT,
		onPcCafe = function(player)
			w:record("onPcCafe", player)
			if opts.pcCafeError then
				error(opts.pcCafeError)
			end
		end,
		onVerified = function(player, isPcCafe, reason)
			w:record("onVerified", player, isPcCafe, reason)
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
	eq(trace(w, p), "onVerified(false,REQUEST_FAILED)", "trace")
	eq(calls(w, "/verify")[1].status, 0, "no HTTP answer")
	eq(sdk.getSessionId(p), nil, "no session")
	eq(pcCafeAttr(p), nil, "no PC_CAFE")
end)

test("verify: HTTP 503 (mock transport) -> REQUEST_FAILED, false", function()
	local w, sdk = newWorld()
	w.HttpService:inject({ StatusCode = 503, Body =
	    '{"success":false,"error":{"code":"STORE_FULL","message":"x"}}' })
	local p = join(w, newUid(), { LaunchData = issueOtt(true) })
	eq(trace(w, p), "onVerified(false,REQUEST_FAILED)", "trace")
	eq(sdk.getSessionId(p), nil, "no session")
end)

test("verify: undecodable 200 (mock transport) -> REQUEST_FAILED, false",
    function()
	local w = newWorld()
	w.HttpService:inject({ StatusCode = 200, Body = "<html>proxy</html>" })
	local p = join(w, newUid(), { LaunchData = issueOtt(true) })
	eq(trace(w, p), "onVerified(false,REQUEST_FAILED)", "trace")
end)

test("verify: wrong API key (401) -> REQUEST_FAILED, false", function()
	local w = newWorld({ apiKey = "not-the-key" })
	local p = join(w, newUid(), { LaunchData = issueOtt(true) })
	eq(trace(w, p), "onVerified(false,REQUEST_FAILED)", "trace")
	eq(calls(w, "/verify")[1].status, 401, "server status")
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
	eq(td.PlayWave.game_session_id, id, "session in teleport data")
	eq(td.PlayWave.isPcCafe, true, "isPcCafe in teleport data")
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
	td.PlayWave.isPcCafe = true
	local b = newWorld()
	local q = join(b, uid, { TeleportData = td })
	eq(trace(b, q), "onVerified(false,RESUMED)", "trace")
	b:leave(q)
end)

test("teleport resume: ended session (410) -> RESUME_REJECTED, false; local session left, then cleaned by heartbeat",
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
	eq(sdkB.isPcCafeUser(q), false, "isPcCafeUser")
	eq(pcCafeAttr(q), nil, "no PC_CAFE")
	eq(sdkB.getSessionId(q), id, "local session left in place")
	b:advance(FIRST_HEARTBEAT)
	local hb = heartbeatsOf(b)
	eq(#hb, 1, "one heartbeat")
	eq(hb[1].status, 410, "heartbeat status")
	eq(sdkB.getSessionId(q), nil, "cleaned up")
	b:advance(600)
	eq(#heartbeatsOf(b), 1, "heartbeat loop stopped")
	b:leave(q)
	eq(#calls(b, "/end"), 0, "no end for a cleaned-up session")
end)

test("teleport resume: unknown session (404) -> RESUME_REJECTED; heartbeat 404 stops",
    function()
	local w, sdk = newWorld()
	local bogus = "gs_5f0c2a9e-1d2b-4c3d-8e4f-9a0b1c2d3e4f"
	local p = join(w, newUid(), { TeleportData =
	    { PlayWave = { game_session_id = bogus, isPcCafe = true } } })
	eq(trace(w, p), "onVerified(false,RESUME_REJECTED)", "trace")
	eq(calls(w, "/check")[1].status, 404, "check status")
	eq(sdk.getSessionId(p), bogus, "local session left in place")
	w:advance(FIRST_HEARTBEAT)
	eq(heartbeatsOf(w)[1].status, 404, "heartbeat status")
	eq(sdk.getSessionId(p), nil, "cleaned up")
	w:advance(600)
	eq(#heartbeatsOf(w), 1, "heartbeat loop stopped")
end)

test("teleport resume: another user's session (403) -> RESUME_REJECTED",
    function()
	local a, sdkA, p, _, id = verifiedPlayer(true)
	local td = teleportData(a, sdkA, p)
	local b, sdkB = newWorld()
	local q = join(b, newUid(), { TeleportData = td })
	eq(trace(b, q), "onVerified(false,RESUME_REJECTED)", "trace")
	eq(calls(b, "/check")[1].status, 403, "check status")
	eq(sdkB.isPcCafeUser(q), false, "isPcCafeUser")
	b:advance(FIRST_HEARTBEAT)
	eq(heartbeatsOf(b)[1].status, 403, "heartbeat status")
	eq(sdkB.getSessionId(q), nil, "not ours: dropped")
	a:teleportFailed(p)
	a:leave(p)
	eq(calls(a, "/end")[1].json.game_session_id, id, "origin still ends it")
end)

test("teleport resume: network failure -> RESUME_REJECTED, false", function()
	local a, sdkA, p, uid = verifiedPlayer(true)
	local td = teleportData(a, sdkA, p)
	local b = newWorld({ apiUrl = DEAD_URL })
	local q = join(b, uid, { TeleportData = td })
	eq(trace(b, q), "onVerified(false,RESUME_REJECTED)", "trace")
	eq(calls(b, "/check")[1].status, 0, "no HTTP answer")
	a:teleportFailed(p)
	a:leave(p)
end)

test("teleport resume: HTTP 503 (mock transport) -> RESUME_REJECTED, false",
    function()
	local a, sdkA, p, uid = verifiedPlayer(true)
	local td = teleportData(a, sdkA, p)
	local b, sdkB = newWorld()
	b.HttpService:inject({ StatusCode = 503, Body = "" })
	local q = join(b, uid, { TeleportData = td })
	eq(trace(b, q), "onVerified(false,RESUME_REJECTED)", "trace")
	eq(sdkB.isPcCafeUser(q), false, "isPcCafeUser")
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

test("TeleportInitFailed restores the session without callbacks", function()
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
	-- Restored: leaving now ends the session.
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
		eq(c.json.play_duration_sec, 30, "duration")
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

test("heartbeat: 503 and network errors (mock transport) retried next cycle",
    function()
	local w, sdk, p = verifiedPlayer(true)
	w.HttpService:inject({ StatusCode = 503, Body = "{}" })
	w:advance(FIRST_HEARTBEAT)
	local hb = heartbeatsOf(w)
	eq(#hb, 1, "one heartbeat")
	eq(hb[1].status, 503, "injected 503")
	ok(sdk.getSessionId(p) ~= nil, "kept after 503")
	-- Same interval again: no next_heartbeat_in came.
	w.HttpService:inject({ networkError = "ConnectFail" })
	w:advance(FIRST_HEARTBEAT)
	hb = heartbeatsOf(w)
	eq(#hb, 2, "retried after 503")
	eq(hb[2].status, 0, "network error")
	ok(sdk.getSessionId(p) ~= nil, "kept after a network error")
	w:advance(FIRST_HEARTBEAT)
	hb = heartbeatsOf(w)
	eq(#hb, 3, "retried after the network error")
	eq(hb[3].injected, nil, "real call")
	eq(lastResult(hb[3]), "OK", "server answers OK")
	eq(sdk.isPcCafeUser(p), true, "still a cafe user")
	w:leave(p)
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
		end
	end
end
print(string.format("%d passed, %d failed", passed, failed))
os.exit((failed == 0 and passed > 0) and 0 or 1)
