-- PlayWaveServer: the server half of the PlayWave Roblox SDK (a ModuleScript).
--
-- Verifies that a player was launched from a PlayWave PC cafe, keeps the
-- game session alive with heartbeats, carries it across teleports and ends
-- it when the player leaves or the server closes.  See README.md.
--
-- Written in the Lua 5.1 subset of Luau so that the test suite can run it
-- outside Roblox.

local Players = game:GetService("Players")
local HttpService = game:GetService("HttpService")
local ReplicatedStorage = game:GetService("ReplicatedStorage")
local TeleportService = game:GetService("TeleportService")
local RunService = game:GetService("RunService")

local PlayWaveServer = {}

PlayWaveServer.VERSION = "1.1.0"

PlayWaveServer.VerifyReason = {
	VERIFIED = "VERIFIED",
	RESUMED = "RESUMED",
	RESUME_REJECTED = "RESUME_REJECTED",
	NO_OTT = "NO_OTT",
	INVALID_PREFIX = "INVALID_PREFIX",
	REQUEST_FAILED = "REQUEST_FAILED",
	REJECTED = "REJECTED",
}
local Reason = PlayWaveServer.VerifyReason

PlayWaveServer.EndReason = {
	REPLACED = "REPLACED",
	ENDED = "ENDED",
	NOT_FOUND = "NOT_FOUND",
	MISMATCH = "MISMATCH",
}
local EndReason = PlayWaveServer.EndReason

PlayWaveServer.READY_EVENT = "PlayWaveClientReady"
PlayWaveServer.CLIENT_EVENT = "PlayWaveEvent"
PlayWaveServer.PC_CAFE = "PC_CAFE"
PlayWaveServer.SESSION_ENDED = "SESSION_ENDED"
PlayWaveServer.TELEPORT_KEY = "PlayWave"

local OTT_PREFIX = "playwave_"
local CLIENT_SCRIPT = "PlayWaveClient"

-- The first heartbeat comes this soon; afterwards the server's
-- next_heartbeat_in decides.  Well inside the server's session timeout.
local DEFAULT_HEARTBEAT = 60
local MIN_HEARTBEAT = 1

-- How long each kind of call keeps retrying, in seconds.  An OTT lives 60 s
-- from its issue and the player spent part of that joining, so verify
-- stops early; a carried session has up to session-timeout (240 s) since
-- the origin's last heartbeat, so check has room but need not use it.
local VERIFY_WINDOW = 45
local CHECK_WINDOW = 30
local END_WINDOW = 30
-- A failed heartbeat is retried at once, with backoff, for this long: the
-- previous success was at most next_heartbeat_in (120 s) ago, so this ends
-- before session-timeout (240 s).  Should it still fail, the loop tries
-- again every HEARTBEAT_RETRY_INTERVAL rather than after a full interval.
local HEARTBEAT_RETRY_WINDOW = 90
local HEARTBEAT_RETRY_INTERVAL = 15
-- A carried session whose check never got an answer is asked about for
-- this long, so that it is ended once it is known to be the player's.  By
-- then the server has expired it anyway.
local SETTLE_WINDOW = 300

-- Backoff: the n-th retry waits about BACKOFF_BASE * 2^(n-1) s, capped,
-- half of it random so that servers hit by one outage do not retry in step.
local BACKOFF_BASE = 1
local BACKOFF_CAP = 8
local BACKOFF_CAP_LONG = 30

-- Roblox allows a server 500 HttpService requests a minute, the game's own
-- included.  The SDK keeps to its own share; see requestsPerMinute.
local DEFAULT_REQUESTS_PER_MINUTE = 250
local MAX_REQUESTS_PER_MINUTE = 400

-- BindToClose callbacks get 30 s in all; leave some for the game's own.
local CLOSE_TIMEOUT = 25
local CLOSE_POLL = 0.1

local config = nil
local clientEvent = nil
-- player -> live session {id, player, isPcCafe, startedAt, teleporting}
local sessions = {}
-- player -> true once a ready event was taken: one flow per player
local started = {}
local gone = {}
-- Verifications, checks and ends under way: BindToClose waits for them.
local pending = 0
local closing = false
local closeDeadline = nil

local now = os.clock

local function log(msg)
	warn("[PlayWave] " .. msg)
end

local function callback(name, ...)
	local fn = config[name]
	if type(fn) ~= "function" then
		return
	end
	local ok, err = pcall(fn, ...)
	if not ok then
		log(name .. " callback error: " .. tostring(err))
	end
end

-- Runs fn counted in `pending`, so that BindToClose knows work is under way
-- and an error cannot leave the count wrong.
local function track(fn, ...)
	pending = pending + 1
	local ok, err = pcall(fn, ...)
	pending = pending - 1
	if not ok then
		log("internal error: " .. tostring(err))
	end
end

-------------------------------------------------------------------------------
-- The request budget: one token bucket for every request of this server,
-- retries included.  A request takes the next free slot, in arrival order,
-- and tokens may go negative: a caller waits until its slot comes.  In any
-- 60 s at most requestsPerMinute + burst requests go out.

local bucket = { rate = 0, burst = 0, tokens = 0, at = 0 }

local function setBudget(perMinute)
	bucket.rate = perMinute / 60
	bucket.burst = math.max(1, math.ceil(perMinute / 5))
	bucket.tokens = bucket.burst
	bucket.at = now()
end

-- Waits for a slot; false (and no slot taken) when it would come after
-- deadline.
local function takeSlot(deadline)
	local t = now()
	bucket.tokens = math.min(bucket.burst,
	    bucket.tokens + (t - bucket.at) * bucket.rate)
	bucket.at = t
	local wait = 0
	if bucket.tokens < 1 then
		wait = (1 - bucket.tokens) / bucket.rate
	end
	if t + wait > deadline then
		return false
	end
	bucket.tokens = bucket.tokens - 1
	if wait > 0 then
		task.wait(wait)
	end
	return true
end

-------------------------------------------------------------------------------
-- HTTP

-- One exchange.  Returns the HTTP status (nil when no answer came), the
-- decoded envelope (nil when the body is not a JSON object) and the
-- response headers.
local function send(method, path, body)
	local ok, res = pcall(function()
		return HttpService:RequestAsync({
			Url = config.apiUrl .. path,
			Method = method,
			Headers = {
				["Content-Type"] = "application/json",
				-- Unchanged: it may be a Secret, which Roblox only
				-- reveals on the wire.
				["X-Api-Key"] = config.apiKey,
			},
			Body = HttpService:JSONEncode(body),
		})
	end)
	if not ok then
		log(method .. " " .. path .. " failed: " .. tostring(res))
		return nil, nil, nil
	end
	local decoded, doc = pcall(function()
		return HttpService:JSONDecode(res.Body)
	end)
	if not decoded or type(doc) ~= "table" then
		doc = nil
	end
	return res.StatusCode, doc, res.Headers
end

-- Answers a later try may change: no answer, 5xx, 429.  Any other 4xx,
-- and every 200 (is_valid:false included), is the server's last word.
local function retryable(status)
	return status == nil or status == 429 or status >= 500
end

-- Retry-After in seconds (the delta form; a date is ignored), or nil.
local function retryAfter(headers)
	if type(headers) ~= "table" then
		return nil
	end
	for k, v in pairs(headers) do
		if type(k) == "string" and k:lower() == "retry-after" then
			local n = tonumber(v)
			if n and n >= 0 then
				return n
			end
		end
	end
	return nil
end

local function backoff(attempt, cap)
	local d = math.min(cap, BACKOFF_BASE * 2 ^ (attempt - 1))
	return d / 2 + math.random() * d / 2
end

-- Sends until the answer is final or no try fits before deadline (an
-- os.clock() time; during shutdown, the shutdown's cap at the latest).
-- opts.cap caps the backoff; opts.stop(), when it returns true, ends the
-- retrying early.  Returns what send returned for the last try made, or
-- nil when the budget had no slot in time.
local function request(method, path, body, deadline, opts)
	opts = opts or {}
	local cap = opts.cap or BACKOFF_CAP
	local attempt = 0
	local status, doc
	while true do
		local limit = deadline
		if closing and closeDeadline < limit then
			limit = closeDeadline
		end
		if not takeSlot(limit) then
			return status, doc
		end
		attempt = attempt + 1
		local headers
		status, doc, headers = send(method, path, body)
		if not retryable(status) then
			return status, doc
		end
		local delay = backoff(attempt, cap)
		local after = (status == 429 or status == 503) and
		    retryAfter(headers)
		if after then
			-- Never sooner than the server asked; a little later, at
			-- random, so that the waiting calls do not return at once.
			delay = after + math.random() * math.max(after, 1) / 10
		end
		limit = deadline
		if closing and closeDeadline < limit then
			limit = closeDeadline
		end
		if now() + delay >= limit or (opts.stop and opts.stop()) then
			return status, doc
		end
		task.wait(delay)
		if opts.stop and opts.stop() then
			return status, doc
		end
	end
end

-- The data of a 200 success envelope, or nil.
local function okData(status, doc)
	if status ~= 200 or doc == nil or doc.success ~= true or
	    type(doc.data) ~= "table" then
		return nil
	end
	return doc.data
end

-- The end reason a 410's message names ("session ended: NO_BALANCE").
local function endDetail(doc)
	local err = doc and doc.error
	local msg = type(err) == "table" and err.message
	if type(msg) ~= "string" then
		return nil
	end
	local word = msg:match(":%s*([%u_]+)%s*$")
	return word
end

local function userId(player)
	return tostring(player.UserId)
end

-------------------------------------------------------------------------------
-- Sessions

local function fireClient(player, kind, reason, detail)
	if clientEvent == nil then
		return
	end
	local ok, err = pcall(function()
		clientEvent:FireClient(player, kind, reason, detail)
	end)
	if not ok then
		log(kind .. " event failed: " .. tostring(err))
	end
end

local function notifyPcCafe(player)
	callback("onPcCafe", player)
	fireClient(player, PlayWaveServer.PC_CAFE)
end

local function live(session)
	return sessions[session.player] == session
end

-- Forget a session locally; true if it was the player's live one.
local function drop(session)
	if sessions[session.player] == session then
		sessions[session.player] = nil
		return true
	end
	return false
end

-- Ask the server to end a session (once), retrying until deadline.
local function endRemote(session, deadline)
	if session.endSent then
		return
	end
	session.endSent = true
	track(function()
		local body = { game_session_id = session.id }
		if session.startedAt then
			body.play_duration_sec =
			    math.max(math.floor(now() - session.startedAt), 0)
		end
		local status = request("DELETE", "/game/session/end", body,
		    deadline or now() + END_WINDOW)
		-- 409 (already ended), 404 and 403 are final too: nothing
		-- more this server can do for that session.
		if status == nil or status >= 500 or status == 429 then
			log("could not end " .. session.id .. " (" ..
			    tostring(status) .. "); it expires at the server")
		end
	end)
end

local function spawnEnd(session, deadline)
	task.spawn(endRemote, session, deadline)
end

-- The server ended the session while the player is still here: benefits
-- stop, the game and the client hear of it, once.
local function serverEnded(session, reason, detail)
	if not drop(session) then
		return
	end
	callback("onSessionEnded", session.player, reason, detail)
	fireClient(session.player, PlayWaveServer.SESSION_ENDED, reason, detail)
end

local function heartbeatLoop(session)
	local player = session.player
	local interval = config.heartbeatInterval
	local function stopped()
		return not live(session)
	end
	while live(session) do
		task.wait(interval)
		if not live(session) then
			break
		end
		local status, doc = request("PATCH", "/game/session/heartbeat", {
			game_session_id = session.id,
			provider_user_id = userId(player),
		}, now() + HEARTBEAT_RETRY_WINDOW,
		    { cap = BACKOFF_CAP_LONG, stop = stopped })
		if not live(session) then
			break
		end
		local data = okData(status, doc)
		if data then
			if data.result == "SESSION_REPLACED" then
				-- A newer session on the same PC owns the billing
				-- now; this one must not be ended by us.
				serverEnded(session, EndReason.REPLACED, nil)
				break
			end
			session.chargeExhausted = data.result == "CHARGE_EXHAUSTED"
			local n = tonumber(data.next_heartbeat_in)
			interval = math.max(n or interval, MIN_HEARTBEAT)
		elseif status == 410 then
			serverEnded(session, EndReason.ENDED, endDetail(doc))
			break
		elseif status == 404 then
			serverEnded(session, EndReason.NOT_FOUND, nil)
			break
		elseif status == 403 then
			serverEnded(session, EndReason.MISMATCH, nil)
			break
		elseif retryable(status) then
			-- Retries ran out: keep trying soon, never a full
			-- interval later, while the session may still live.
			interval = HEARTBEAT_RETRY_INTERVAL
		end
		-- Any other answer (401 after a key change, a proxy page) may
		-- pass: try again at the usual interval.
	end
end

local function startSession(player, id, isPcCafe, playedSec)
	local session = {
		id = id,
		player = player,
		isPcCafe = isPcCafe,
		startedAt = now() - (playedSec or 0),
		teleporting = false,
	}
	sessions[player] = session
	task.spawn(heartbeatLoop, session)
	return session
end

-------------------------------------------------------------------------------
-- The verification flow

-- A carried session whose check got no answer: ask again until the server
-- says whose it is.  Only the player's own session is ended; the end call
-- carries no user, so ending an unproven id could end someone else's.
local function settle(player, id)
	local status, doc = request("POST", "/game/session/check", {
		game_session_id = id,
		provider_user_id = userId(player),
	}, now() + SETTLE_WINDOW, { cap = BACKOFF_CAP_LONG })
	local data = okData(status, doc)
	if data and data.is_valid == true then
		endRemote({ id = id })
	end
end

local function resume(player, carried)
	local id = carried.game_session_id
	local status, doc = request("POST", "/game/session/check", {
		game_session_id = id,
		provider_user_id = userId(player),
	}, now() + CHECK_WINDOW)
	local data = okData(status, doc)
	local valid = data ~= nil and data.is_valid == true
	if valid and gone[player] then
		-- Proven the player's, and nobody is here to play it.
		endRemote({ id = id })
		return
	end
	if valid then
		-- The server's word wins over what the client could have
		-- edited.
		local isPcCafe = carried.isPcCafe == true
		if type(data.is_pc_cafe) == "boolean" then
			isPcCafe = data.is_pc_cafe
		end
		startSession(player, id, isPcCafe,
		    tonumber(data.play_duration_sec) or 0)
		callback("onVerified", player, isPcCafe, Reason.RESUMED)
		if isPcCafe then
			notifyPcCafe(player)
		end
		return
	end
	if not gone[player] then
		callback("onVerified", player, false, Reason.RESUME_REJECTED)
	end
	-- 403: someone else's session, never ours to end; 404, 410: nothing
	-- left to end.  Without an answer it may be alive and billing.
	if status == nil or retryable(status) then
		settle(player, id)
	end
end

local function verify(player, launchData)
	if type(launchData) ~= "string" or launchData == "" then
		callback("onVerified", player, false, Reason.NO_OTT)
		return
	end
	if launchData:sub(1, #OTT_PREFIX) ~= OTT_PREFIX then
		callback("onVerified", player, false, Reason.INVALID_PREFIX)
		return
	end
	local status, doc = request("POST", "/game/session/verify", {
		ott = launchData:sub(#OTT_PREFIX + 1),
		provider_user_id = userId(player),
	}, now() + VERIFY_WINDOW, { stop = function()
		-- Nobody to verify for: a new session would only be ended.
		return gone[player] == true
	end })
	local data = okData(status, doc)
	local reason = Reason.REQUEST_FAILED
	if data and data.is_valid == false then
		reason = Reason.REJECTED
	elseif data and data.is_valid == true and
	    type(data.game_session_id) == "string" then
		reason = Reason.VERIFIED
	end
	if gone[player] then
		if reason == Reason.VERIFIED then
			endRemote({ id = data.game_session_id })
		end
		return
	end
	if reason ~= Reason.VERIFIED then
		if reason == Reason.REJECTED then
			log("OTT rejected: " .. tostring(data.reason))
		end
		callback("onVerified", player, false, reason)
		return
	end
	local isPcCafe = data.is_pc_cafe == true
	startSession(player, data.game_session_id, isPcCafe, 0)
	if isPcCafe then
		notifyPcCafe(player)
	end
	callback("onVerified", player, isPcCafe, Reason.VERIFIED)
end

-- This player's session in the teleport data, if any.  Entries are keyed
-- by UserId, so that one TeleportOptions carries a whole party; a 1.0
-- origin wrote one entry with no key, whoever it belonged to (the check
-- with this player's id settles that).
local function carriedSession(joinData, player)
	local td = joinData and joinData.TeleportData
	if type(td) ~= "table" then
		return nil
	end
	local entry = td[PlayWaveServer.TELEPORT_KEY]
	if type(entry) ~= "table" then
		return nil
	end
	local carried = entry
	if type(entry.players) == "table" then
		carried = entry.players[userId(player)]
	end
	if type(carried) ~= "table" or type(carried.game_session_id) ~= "string" or
	    carried.game_session_id == "" then
		return nil
	end
	return carried
end

-- LaunchData is always empty in Studio: the studioLaunchData option stands
-- in for it there, and only there.
local function launchDataOf(player, joinData)
	local launchData = joinData and joinData.LaunchData
	if (launchData == nil or launchData == "") and
	    config.studioLaunchData ~= nil and RunService:IsStudio() then
		local v = config.studioLaunchData
		if type(v) == "function" then
			local ok, res = pcall(v, player)
			if not ok then
				log("studioLaunchData error: " .. tostring(res))
				res = nil
			end
			v = res
		end
		launchData = v
	end
	return launchData
end

local function flow(player)
	local ok, joinData = pcall(function()
		return player:GetJoinData()
	end)
	if not ok then
		joinData = nil
	end
	local carried = carriedSession(joinData, player)
	if carried then
		resume(player, carried)
	else
		verify(player, launchDataOf(player, joinData))
	end
end

local function onReady(player)
	if started[player] or gone[player] then
		return
	end
	started[player] = true
	track(flow, player)
end

local function onRemoving(player)
	gone[player] = true
	started[player] = nil
	local session = sessions[player]
	if session == nil then
		return
	end
	drop(session)
	-- A teleporting session belongs to the destination server now.
	if not session.teleporting then
		spawnEnd(session)
	end
end

-- Keep `gone` from growing for ever: forget a player shortly after leaving.
local function forgetLater(player)
	task.delay(SETTLE_WINDOW + 60, function()
		gone[player] = nil
	end)
end

-- Ends the live sessions not prepared for a teleport.
local function endStaying(deadline)
	local list = {}
	for _, session in pairs(sessions) do
		if not session.teleporting then
			list[#list + 1] = session
		end
	end
	for _, session in ipairs(list) do
		drop(session)
		spawnEnd(session, deadline)
	end
end

local function onClose()
	closing = true
	local t0 = now()
	closeDeadline = t0 + CLOSE_TIMEOUT
	-- A soft shutdown prepares its teleports in its own BindToClose
	-- callback, possibly after yielding: give it shutdownGrace to do so
	-- before the sessions still here are ended.
	local grace = math.min(config.shutdownGrace, CLOSE_TIMEOUT)
	while now() < t0 + grace and next(sessions) ~= nil do
		task.wait(CLOSE_POLL)
	end
	-- Sessions can still appear (a verification finishing) or stop
	-- teleporting (TeleportInitFailed): sweep until nothing is under way.
	while true do
		endStaying(closeDeadline)
		if pending == 0 or now() >= closeDeadline then
			break
		end
		task.wait(CLOSE_POLL)
	end
end

-- A teleport could not start: the player stays, and so does the session.
local function onTeleportInitFailed(player)
	local session = sessions[player]
	if session then
		session.teleporting = false
	end
end

local function remote(name)
	local ev = ReplicatedStorage:FindFirstChild(name)
	if ev == nil then
		ev = Instance.new("RemoteEvent")
		ev.Name = name
		ev.Parent = ReplicatedStorage
	end
	return ev
end

-- Installed as a package (Rojo, Wally) the client script travels inside
-- this module, where it cannot run: copy it to StarterPlayerScripts.
local function installClient()
	local template = script and script:FindFirstChild(CLIENT_SCRIPT)
	if template == nil then
		return
	end
	local starter = game:GetService("StarterPlayer")
	local scripts = starter:FindFirstChild("StarterPlayerScripts")
	if scripts == nil or scripts:FindFirstChild(CLIENT_SCRIPT) then
		return
	end
	local copy = template:Clone()
	copy.Name = CLIENT_SCRIPT
	copy.Parent = scripts
end

-------------------------------------------------------------------------------
-- Public API

local function optionError(msg)
	error("PlayWaveServer.init: " .. msg, 3)
end

function PlayWaveServer.init(options)
	if config ~= nil then
		error("PlayWaveServer.init called twice", 2)
	end
	if type(options) ~= "table" then
		optionError("options table required")
	end
	-- Any value goes: a Secret from HttpService:GetSecret is passed to
	-- RequestAsync as it is, and cannot be inspected.
	if options.apiKey == nil or options.apiKey == "" then
		optionError("apiKey is required")
	end
	if type(options.apiUrl) ~= "string" or options.apiUrl == "" then
		optionError("apiUrl is required")
	end
	local perMinute = options.requestsPerMinute
	if perMinute == nil then
		perMinute = DEFAULT_REQUESTS_PER_MINUTE
	end
	if type(perMinute) ~= "number" or perMinute < 1 or
	    perMinute > MAX_REQUESTS_PER_MINUTE then
		optionError("requestsPerMinute must be 1 to " ..
		    MAX_REQUESTS_PER_MINUTE)
	end
	local grace = options.shutdownGrace
	if grace ~= nil and (type(grace) ~= "number" or grace < 0) then
		optionError("shutdownGrace must be a number of seconds")
	end
	local sld = options.studioLaunchData
	if sld ~= nil and type(sld) ~= "string" and type(sld) ~= "function" then
		optionError("studioLaunchData must be a string or a function")
	end
	config = {
		apiKey = options.apiKey,
		apiUrl = options.apiUrl:gsub("/+$", ""),
		onPcCafe = options.onPcCafe,
		onVerified = options.onVerified,
		onSessionEnded = options.onSessionEnded,
		heartbeatInterval = math.max(tonumber(options.heartbeatInterval) or
		    DEFAULT_HEARTBEAT, MIN_HEARTBEAT),
		shutdownGrace = grace or 0,
		studioLaunchData = sld,
	}
	setBudget(perMinute)
	installClient()
	clientEvent = remote(PlayWaveServer.CLIENT_EVENT)
	remote(PlayWaveServer.READY_EVENT).OnServerEvent:Connect(onReady)
	Players.PlayerRemoving:Connect(function(player)
		onRemoving(player)
		forgetLater(player)
	end)
	TeleportService.TeleportInitFailed:Connect(onTeleportInitFailed)
	game:BindToClose(onClose)
end

function PlayWaveServer.isPcCafeUser(player)
	local session = sessions[player]
	return session ~= nil and session.isPcCafe == true
end

-- The live game session id of a player, or nil.
function PlayWaveServer.getSessionId(player)
	local session = sessions[player]
	return session and session.id
end

-- Put the player's session into the teleport data so that the destination
-- server resumes it instead of verifying again.  Call it for every player
-- of a party on the same TeleportOptions.  Other teleport data is kept.
-- Returns false when the player has no session.
function PlayWaveServer.prepareForTeleport(player, teleportOptions)
	local session = sessions[player]
	if session == nil or teleportOptions == nil then
		return false
	end
	local data = teleportOptions:GetTeleportData()
	if type(data) ~= "table" then
		data = {}
	end
	local entry = data[PlayWaveServer.TELEPORT_KEY]
	if type(entry) ~= "table" or type(entry.players) ~= "table" then
		entry = { players = {} }
	end
	entry.players[userId(player)] = {
		game_session_id = session.id,
		isPcCafe = session.isPcCafe,
	}
	-- A destination still on SDK 1.0 reads one unkeyed entry.  Give it
	-- one only while a single player is carried: with a party it would
	-- resume one player's session for another.
	local count, only = 0, nil
	for _, e in pairs(entry.players) do
		count = count + 1
		only = e
	end
	if count == 1 then
		entry.game_session_id = only.game_session_id
		entry.isPcCafe = only.isPcCafe
	else
		entry.game_session_id = nil
		entry.isPcCafe = nil
	end
	data[PlayWaveServer.TELEPORT_KEY] = entry
	teleportOptions:SetTeleportData(data)
	session.teleporting = true
	return true
end

-- Undo prepareForTeleport when the teleport did not happen without
-- TeleportInitFailed firing, e.g. TeleportAsync raised an error: the
-- session stays with this server and is ended when the player leaves.
-- Returns false when the player has no session prepared for a teleport.
function PlayWaveServer.cancelTeleport(player)
	local session = sessions[player]
	if session == nil or not session.teleporting then
		return false
	end
	session.teleporting = false
	return true
end

return PlayWaveServer
