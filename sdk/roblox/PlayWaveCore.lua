-- PlayWaveCore: what the PlayWave Roblox SDK's server half does.  Games
-- require PlayWaveServer, the ModuleScript that holds this one and gives
-- its API Luau type annotations; see README.md.
--
-- Verifies that a player was launched from a PlayWave PC cafe, keeps the
-- game session alive with heartbeats, carries it across teleports and ends
-- it when the player leaves or the server closes.
--
-- Written in the Lua 5.1 subset of Luau, without annotations, so that the
-- test suite runs it unchanged outside Roblox.

local Players = game:GetService("Players")
local HttpService = game:GetService("HttpService")
local ReplicatedStorage = game:GetService("ReplicatedStorage")
local TeleportService = game:GetService("TeleportService")
local RunService = game:GetService("RunService")

local Core = {}

Core.VERSION = "1.2.0"

Core.VerifyReason = {
	VERIFIED = "VERIFIED",
	RESUMED = "RESUMED",
	RESUME_REJECTED = "RESUME_REJECTED",
	NO_OTT = "NO_OTT",
	INVALID_PREFIX = "INVALID_PREFIX",
	REQUEST_FAILED = "REQUEST_FAILED",
	REJECTED = "REJECTED",
}
local Reason = Core.VerifyReason

Core.EndReason = {
	REPLACED = "REPLACED",
	ENDED = "ENDED",
	NOT_FOUND = "NOT_FOUND",
	MISMATCH = "MISMATCH",
}
local EndReason = Core.EndReason

-- What waitForVerification answers when the flow gave no answer.
Core.WaitReason = {
	TIMEOUT = "TIMEOUT",
	PLAYER_LEFT = "PLAYER_LEFT",
}
local WaitReason = Core.WaitReason

-- What the Error signal reports, once per server each.
Core.ErrorCode = {
	INVALID_API_KEY = "INVALID_API_KEY",
	HTTP_DISABLED = "HTTP_DISABLED",
}
local ErrorCode = Core.ErrorCode

Core.READY_EVENT = "PlayWaveClientReady"
Core.CLIENT_EVENT = "PlayWaveEvent"
Core.PC_CAFE = "PC_CAFE"
Core.SESSION_ENDED = "SESSION_ENDED"
Core.TELEPORT_KEY = "PlayWave"

local OTT_PREFIX = "playwave_"
local CLIENT_SCRIPT = "PlayWaveClient"
local MOCK_MODES = { cafe = true, home = true, ended = true }

-- The first heartbeat comes this soon; afterwards the server's
-- next_heartbeat_in decides, kept between MIN_HEARTBEAT (a bad reply must
-- not turn the loop into a request a second) and half the session timeout
-- (nor let the server expire the session).
local DEFAULT_HEARTBEAT = 60
local MIN_HEARTBEAT = 5

-- Seconds without a heartbeat after which PlayWave ends a session; verify
-- says so, older servers do not (240 is their default).  A value from
-- teleport data passed through the client: kept within bounds.
local DEFAULT_SESSION_TIMEOUT = 240
local MIN_SESSION_TIMEOUT = 30
local MAX_SESSION_TIMEOUT = 3600

-- How long each kind of call keeps retrying, in seconds.  An OTT lives 60 s
-- from its issue and the player spent part of that joining, so verify
-- stops early; a carried session has up to the session timeout since the
-- origin's last heartbeat, so check has room but need not use it.  An end
-- is retried until PlayWave has expired the session anyway (the session
-- timeout): giving up sooner leaves it billing.
local VERIFY_WINDOW = 45
local CHECK_WINDOW = 30
-- A failed heartbeat is retried at once, with backoff, for this long: the
-- previous success was at most next_heartbeat_in (120 s) ago, so this ends
-- before the session timeout (240 s).  Should it still fail, the loop
-- tries again every HEARTBEAT_RETRY_INTERVAL rather than after a full
-- interval, until an answer or the session timeout.
local HEARTBEAT_RETRY_WINDOW = 90
local HEARTBEAT_RETRY_INTERVAL = 15
-- A carried session whose check never got an answer is asked about for
-- this long: resumed if the player is still here, ended if not.  By then
-- the server has expired it anyway.
local SETTLE_WINDOW = 300

-- Backoff: the n-th retry waits about BACKOFF_BASE * 2^(n-1) s, capped,
-- half of it random so that servers hit by one outage do not retry in step.
local BACKOFF_BASE = 1
local BACKOFF_CAP = 8
local BACKOFF_CAP_LONG = 30

-- Roblox allows a server 500 HttpService requests a minute, the game's own
-- included.  The SDK keeps to its own share (requestsPerMinute), except
-- while the server closes: ending sessions then matters more than whatever
-- the game still has to send.
local DEFAULT_REQUESTS_PER_MINUTE = 250
local MAX_REQUESTS_PER_MINUTE = 400
local HTTP_LIMIT = 500
-- A request waiting for the budget looks again at least this often (the
-- close may have opened it) and, when another request is first in line,
-- at most this often.
local SLOT_POLL_MAX = 1
local SLOT_POLL = 0.05

-- Priority of the waiting requests, first served first: an end stops
-- billing, a verify must beat the OTT's expiry, a check holds a joining
-- player, a heartbeat has minutes of slack.
local LANE_END = 1
local LANE_VERIFY = 2
local LANE_CHECK = 3
local LANE_HEARTBEAT = 4

-- BindToClose callbacks get 30 s in all; leave some for the game's own.
local CLOSE_TIMEOUT = 25
local CLOSE_POLL = 0.1
-- A soft shutdown reserves a server (yields) before it prepares its
-- teleports: the sessions still here wait this long before being ended.
local DEFAULT_SHUTDOWN_GRACE = 5

-- teleportAsync: retries after TeleportInitFailed (Flooded, Failure or a
-- result it does not know) or a raised TeleportAsync, with backoff; waits
-- this long after each TeleportAsync for the players to leave or fail.
local TELEPORT_RETRIES = 3
local TELEPORT_BACKOFF = 2
local TELEPORT_SETTLE = 10
-- A prepared session whose teleport failed stays prepared this long, for
-- the game's own retry on the same TeleportOptions; then it is the
-- origin's again.
local TELEPORT_HOLD = 30
-- Results after which no retry can succeed.
local TELEPORT_FINAL = {
	GameNotFound = true,
	GameEnded = true,
	GameFull = true,
	Unauthorized = true,
}

local WAIT_TIMEOUT = 60
local WAIT_POLL = 0.1
-- The same warning at most this often.
local WARN_EVERY = 60

local config = nil
local clientEvent = nil
-- player -> live session {id, player, isPcCafe, startedAt, lastProof,
-- timeout, teleporting, hold}
local sessions = {}
-- player -> true once a ready event was taken: one flow per player
local started = {}
local gone = {}
-- player -> {isPcCafe, reason} once the flow ended
local results = {}
-- player -> why the SDK no longer has that player's session, for the
-- warning of a prepareForTeleport that comes too late
local lastEnded = {}
-- player -> the teleportAsync run the player is part of
local teleportRuns = {}
-- Verifications, checks, ends and teleportAsync runs under way:
-- BindToClose waits for them.
local pending = 0
local closing = false
local closeDeadline = nil
local reported = {}
local warned = {}
local offlineCount = 0

local now = os.clock

local function log(msg)
	warn("[PlayWave] " .. msg)
end

-- A warning that repeats (an outage, a misconfiguration) is shown once a
-- minute, not once a try.
local function logLimited(key, msg)
	local t = now()
	if warned[key] and t - warned[key] < WARN_EVERY then
		return
	end
	warned[key] = t
	log(msg)
end

-- Callbacks and signal handlers run in their own thread: one that yields
-- or never returns holds up neither the flow nor BindToClose.
local function runHandler(name, fn, ...)
	local ok, err = pcall(fn, ...)
	if not ok then
		log(name .. " callback error: " .. tostring(err))
	end
end

local function callback(name, ...)
	local fn = config[name]
	if type(fn) == "function" then
		task.spawn(runHandler, name, fn, ...)
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
-- Signals: Connect, Once, Wait, as RBXScriptSignal.

local Signal = {}
Signal.__index = Signal

local function newSignal(name)
	return setmetatable({ name = name, handlers = {}, waiting = {} }, Signal)
end

function Signal:Connect(fn)
	if type(fn) ~= "function" then
		error("PlayWaveServer." .. self.name .. ":Connect needs a function", 2)
	end
	local handlers = self.handlers
	local conn = { Connected = true }
	function conn.Disconnect()
		if not conn.Connected then
			return
		end
		conn.Connected = false
		for i, c in ipairs(handlers) do
			if c == conn then
				table.remove(handlers, i)
				break
			end
		end
	end
	conn.fn = fn
	handlers[#handlers + 1] = conn
	return conn
end

function Signal:Once(fn)
	local conn
	conn = self:Connect(function(...)
		conn.Disconnect()
		fn(...)
	end)
	return conn
end

function Signal:Wait()
	self.waiting[#self.waiting + 1] = coroutine.running()
	return coroutine.yield()
end

function Signal:fire(...)
	local list = {}
	for i, c in ipairs(self.handlers) do
		list[i] = c
	end
	for _, c in ipairs(list) do
		if c.Connected then
			task.spawn(runHandler, self.name, c.fn, ...)
		end
	end
	local waiting = self.waiting
	self.waiting = {}
	for _, thread in ipairs(waiting) do
		task.spawn(thread, ...)
	end
end

Core.Verified = newSignal("Verified")
Core.SessionEnded = newSignal("SessionEnded")
Core.Error = newSignal("Error")

-- A problem of the whole server (a refused key, HTTP off): warned and
-- signalled once, however many requests hit it.
local function reportError(code, msg)
	if reported[code] then
		return
	end
	reported[code] = true
	log(msg)
	Core.Error:fire(code, msg)
end

-------------------------------------------------------------------------------
-- The request budget: one token bucket for every request of this server,
-- retries included, at most requestsPerMinute + burst in any 60 s.  The
-- request first in line (by lane, then by arrival) takes the next slot;
-- one whose slot does not come before its deadline gives up.  While the
-- server closes, Roblox's whole limit is used: at most HTTP_LIMIT in any
-- 60 s, the requests of the minute before the close included.

local budget = { rate = 0, burst = 0, tokens = 0, at = 0, seq = 0,
    waiting = {}, sent = {}, first = 1, last = 0 }

local function setBudget(perMinute)
	budget.rate = perMinute / 60
	budget.burst = math.max(1, math.ceil(perMinute / 5))
	budget.tokens = budget.burst
	budget.at = now()
end

-- A send leaves the window when sent + 60 <= t, the very sum slotIn waits
-- for: t - 60 may round the other way and let the window overflow.
local function sentInMinute(t)
	local sent = budget.sent
	while budget.first <= budget.last and sent[budget.first] + 60 <= t do
		sent[budget.first] = nil
		budget.first = budget.first + 1
	end
	return budget.last - budget.first + 1
end

-- Seconds until the budget has a slot (0: now).
local function slotIn(t)
	if closing then
		if sentInMinute(t) < HTTP_LIMIT then
			return 0
		end
		return budget.sent[budget.first] + 60 - t
	end
	budget.tokens = math.min(budget.burst,
	    budget.tokens + (t - budget.at) * budget.rate)
	budget.at = t
	if budget.tokens >= 1 - 1e-9 then
		return 0
	end
	return (1 - budget.tokens) / budget.rate
end

local function firstInLine(w)
	for _, o in ipairs(budget.waiting) do
		if o.lane < w.lane or (o.lane == w.lane and o.seq < w.seq) then
			return false
		end
	end
	return true
end

local function leaveLine(w)
	for i, o in ipairs(budget.waiting) do
		if o == w then
			table.remove(budget.waiting, i)
			return
		end
	end
end

-- Waits for a slot; false (and no slot taken) when none came before
-- deadline or stop() said the request is no longer wanted.
local function takeSlot(lane, deadline, stop)
	budget.seq = budget.seq + 1
	local w = { lane = lane, seq = budget.seq }
	budget.waiting[#budget.waiting + 1] = w
	while true do
		local t = now()
		local wait = slotIn(t)
		local mine = firstInLine(w)
		if mine and wait <= 0 then
			leaveLine(w)
			if not closing then
				budget.tokens = budget.tokens - 1
			end
			budget.last = budget.last + 1
			budget.sent[budget.last] = t
			return true
		end
		if t >= deadline or (stop and stop()) then
			leaveLine(w)
			return false
		end
		if not mine then
			wait = math.max(wait, SLOT_POLL)
		end
		task.wait(math.min(wait, SLOT_POLL_MAX, deadline - t))
	end
end

-------------------------------------------------------------------------------
-- HTTP

-- One exchange.  Returns the HTTP status (nil when no answer came), the
-- decoded envelope (nil when the body is not a JSON object), the response
-- headers, and true when no retry can help (HTTP requests are off).
local function send(method, path, body, requestId)
	local ok, res = pcall(function()
		return HttpService:RequestAsync({
			Url = config.apiUrl .. path,
			Method = method,
			Headers = {
				["Content-Type"] = "application/json",
				-- Unchanged: it may be a Secret, which Roblox only
				-- reveals on the wire.
				["X-Api-Key"] = config.apiKey,
				["X-Request-ID"] = requestId,
			},
			Body = HttpService:JSONEncode(body),
		})
	end)
	if not ok then
		local msg = tostring(res)
		if msg:lower():find("not enabled", 1, true) then
			reportError(ErrorCode.HTTP_DISABLED, "HttpService requests are " ..
			    "not enabled: turn on Game Settings > Security > Allow " ..
			    "HTTP Requests (" .. msg .. ")")
			return nil, nil, nil, true
		end
		logLimited(method .. path, method .. " " .. path .. " failed: " .. msg)
		return nil, nil, nil, false
	end
	if res.StatusCode == 401 then
		reportError(ErrorCode.INVALID_API_KEY, "PlayWave refused the API " ..
		    "key (401): check apiKey or its Secret")
	end
	local decoded, doc = pcall(function()
		return HttpService:JSONDecode(res.Body)
	end)
	if not decoded or type(doc) ~= "table" then
		doc = nil
	end
	return res.StatusCode, doc, res.Headers, false
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

local function spread(d)
	return d / 2 + math.random() * d / 2
end

local function backoff(attempt, cap)
	return spread(math.min(cap, BACKOFF_BASE * 2 ^ (attempt - 1)))
end

-- During shutdown nothing may outlast the shutdown's cap.
local function clampToClose(deadline)
	if closing and closeDeadline < deadline then
		return closeDeadline
	end
	return deadline
end

-- Offline mode (the mock option, Studio only): PlayWave's answers as a
-- server in that mode would give them, without a request.
local function offlineReply(path, body)
	local mode = config.mock
	local function ok(data)
		return 200, { success = true, data = data }
	end
	if path == "/game/session/verify" then
		offlineCount = offlineCount + 1
		return ok({ is_valid = true, is_pc_cafe = mode ~= "home",
		    game_session_id = "gs_offline-" .. offlineCount,
		    session_timeout = DEFAULT_SESSION_TIMEOUT })
	elseif path == "/game/session/check" then
		return ok({ is_valid = true, is_pc_cafe = mode ~= "home",
		    game_session_id = body.game_session_id, play_duration_sec = 0 })
	elseif path == "/game/session/heartbeat" then
		if mode == "ended" then
			return 410, { success = false, error = { code = "SESSION_ENDED",
			    message = "session ended: NO_BALANCE" } }
		end
		return ok({ result = "OK", next_heartbeat_in = 120 })
	end
	return ok({ result = "SUCCESS" })
end

-- Sends until the answer is final or no try fits before deadline (an
-- os.clock() time; during shutdown, the shutdown's cap at the latest).
-- opts.lane is the request's priority, opts.cap caps the backoff;
-- opts.stop(), when it returns true, ends the retrying early.  Returns
-- what send returned for the last try made, or nil when no try was made.
local function request(method, path, body, deadline, opts)
	if config.mock then
		return offlineReply(path, body)
	end
	local cap = opts.cap or BACKOFF_CAP
	-- One id for every try: PlayWave answers a verify retried with the id
	-- of the one that consumed the OTT with that verify's answer, so a
	-- lost reply costs nothing.
	local requestId = "rbx-" .. HttpService:GenerateGUID(false)
	local attempt = 0
	local status, doc
	while true do
		if not takeSlot(opts.lane, clampToClose(deadline), opts.stop) then
			return status, doc
		end
		attempt = attempt + 1
		local headers, final
		status, doc, headers, final = send(method, path, body, requestId)
		if final or not retryable(status) then
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
		if now() + delay >= clampToClose(deadline) or
		    (opts.stop and opts.stop()) then
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
	return string.format("%d", player.UserId)
end

-- PlayWave knows Roblox users by their positive UserId; Studio's local
-- server test players have negative ones.
local function hasUserId(player)
	local id = player.UserId
	return type(id) == "number" and id >= 1 and id % 1 == 0
end

local function sessionTimeout(v)
	local n = tonumber(v)
	if n == nil or n ~= n then
		return DEFAULT_SESSION_TIMEOUT
	end
	return math.min(math.max(n, MIN_SESSION_TIMEOUT), MAX_SESSION_TIMEOUT)
end

-- The name of an Enum.TeleportResult (or of a string standing for one).
local function resultName(result)
	if type(result) == "string" then
		return result
	end
	local ok, name = pcall(function()
		return result.Name
	end)
	if ok and type(name) == "string" then
		return name
	end
	return tostring(result):match("([%w_]+)$") or "Unknown"
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
	fireClient(player, Core.PC_CAFE)
end

local function live(session)
	return sessions[session.player] == session
end

-- Forget a session locally; true if it was the player's live one.
local function drop(session, why)
	if sessions[session.player] == session then
		sessions[session.player] = nil
		lastEnded[session.player] = why
		return true
	end
	return false
end

-- Ask the server to end a session (once), retrying until deadline, by
-- default until the server has expired the session anyway.
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
		    deadline or now() + (session.timeout or DEFAULT_SESSION_TIMEOUT),
		    { lane = LANE_END,
		    cap = closing and BACKOFF_CAP or BACKOFF_CAP_LONG })
		-- 409 (already ended), 404 and 403 are final too: nothing
		-- more this server can do for that session.
		if retryable(status) then
			log("could not end " .. session.id .. " (" ..
			    tostring(status) .. "); it expires at the server")
		end
	end)
end

local function spawnEnd(session, deadline)
	task.spawn(endRemote, session, deadline)
end

-- The session is over while the player is still here: benefits stop, the
-- game and the client hear of it, once.
local function serverEnded(session, reason, detail)
	if not drop(session, "PlayWave ended it: " .. reason ..
	    (detail and " " .. detail or "")) then
		return
	end
	callback("onSessionEnded", session.player, reason, detail)
	Core.SessionEnded:fire(session.player, reason, detail)
	fireClient(session.player, Core.SESSION_ENDED, reason, detail)
end

-- No proof of life for the session timeout: PlayWave has expired the
-- session, unless heartbeats reached it whose replies did not come back;
-- so it is ended here too, not left billing a player without benefits.
local function expire(session)
	serverEnded(session, EndReason.ENDED, "EXPIRED")
	spawnEnd(session)
end

local function heartbeatInterval(n, session)
	return math.max(MIN_HEARTBEAT, math.min(n, session.timeout / 2))
end

local function heartbeatLoop(session)
	local player = session.player
	local interval = heartbeatInterval(config.heartbeatInterval, session)
	local function stopped()
		return not live(session)
	end
	while live(session) do
		local expiry = session.lastProof + session.timeout
		task.wait(math.max(math.min(interval, expiry - now()), 0))
		if not live(session) then
			break
		end
		if now() >= session.lastProof + session.timeout then
			expire(session)
			break
		end
		local status, doc = request("PATCH", "/game/session/heartbeat", {
			game_session_id = session.id,
			provider_user_id = userId(player),
		}, math.min(now() + HEARTBEAT_RETRY_WINDOW,
		    session.lastProof + session.timeout),
		    { lane = LANE_HEARTBEAT, cap = BACKOFF_CAP_LONG, stop = stopped })
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
			session.lastProof = now()
			session.chargeExhausted = data.result == "CHARGE_EXHAUSTED"
			interval = heartbeatInterval(
			    tonumber(data.next_heartbeat_in) or interval, session)
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
			interval = spread(HEARTBEAT_RETRY_INTERVAL)
		end
		-- Any other answer (401 after a key change, a proxy page) may
		-- pass: try again at the usual interval, until the timeout.
	end
end

local function startSession(player, id, isPcCafe, playedSec, timeout)
	local session = {
		id = id,
		player = player,
		isPcCafe = isPcCafe,
		startedAt = now() - playedSec,
		lastProof = now(),
		timeout = timeout,
		teleporting = false,
	}
	sessions[player] = session
	lastEnded[player] = nil
	task.spawn(heartbeatLoop, session)
	return session
end

-------------------------------------------------------------------------------
-- The verification flow

-- The flow ended for a player who is still here: once per player.
local function finished(player, isPcCafe, reason)
	results[player] = { isPcCafe = isPcCafe, reason = reason }
	callback("onVerified", player, isPcCafe, reason)
	Core.Verified:fire(player, isPcCafe, reason)
end

-- A carried session whose check got no answer: ask again until the server
-- says whose it is.  Only the player's own session is touched; the end
-- call carries no user, so ending an unproven id could end someone
-- else's.  Proven the player's while they are still here, it goes on
-- here: the answer was late, not negative.
local function settle(player, id, timeout)
	local status, doc = request("POST", "/game/session/check", {
		game_session_id = id,
		provider_user_id = userId(player),
	}, now() + SETTLE_WINDOW, { lane = LANE_CHECK, cap = BACKOFF_CAP_LONG })
	local data = okData(status, doc)
	if data == nil or data.is_valid ~= true then
		return
	end
	if gone[player] or closing or sessions[player] ~= nil then
		endRemote({ id = id, timeout = timeout })
		return
	end
	local isPcCafe = data.is_pc_cafe == true
	startSession(player, id, isPcCafe, tonumber(data.play_duration_sec) or 0,
	    timeout)
	if isPcCafe then
		notifyPcCafe(player)
	end
end

local function resume(player, carried)
	local id = carried.game_session_id
	local timeout = sessionTimeout(carried.session_timeout)
	local status, doc = request("POST", "/game/session/check", {
		game_session_id = id,
		provider_user_id = userId(player),
	}, now() + CHECK_WINDOW, { lane = LANE_CHECK })
	local data = okData(status, doc)
	local valid = data ~= nil and data.is_valid == true
	if valid and gone[player] then
		-- Proven the player's, and nobody is here to play it.
		endRemote({ id = id, timeout = timeout })
		return
	end
	if valid then
		-- Only PlayWave's word: the teleport data passed through the
		-- client, which could have edited it.
		local isPcCafe = data.is_pc_cafe == true
		startSession(player, id, isPcCafe,
		    tonumber(data.play_duration_sec) or 0, timeout)
		finished(player, isPcCafe, Reason.RESUMED)
		if isPcCafe then
			notifyPcCafe(player)
		end
		return
	end
	if not gone[player] then
		finished(player, false, Reason.RESUME_REJECTED)
	end
	-- 403: someone else's session, never ours to end; 404, 410: nothing
	-- left to end.  Without an answer it may be alive and billing.
	if retryable(status) then
		settle(player, id, timeout)
	end
end

local function verify(player, launchData)
	if type(launchData) ~= "string" or launchData == "" then
		finished(player, false, Reason.NO_OTT)
		return
	end
	if launchData:sub(1, #OTT_PREFIX) ~= OTT_PREFIX then
		finished(player, false, Reason.INVALID_PREFIX)
		return
	end
	local status, doc = request("POST", "/game/session/verify", {
		ott = launchData:sub(#OTT_PREFIX + 1),
		provider_user_id = userId(player),
	}, now() + VERIFY_WINDOW, { lane = LANE_VERIFY, stop = function()
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
	local timeout = data and sessionTimeout(data.session_timeout)
	if gone[player] then
		if reason == Reason.VERIFIED then
			endRemote({ id = data.game_session_id, timeout = timeout })
		end
		return
	end
	if reason ~= Reason.VERIFIED then
		if reason == Reason.REJECTED then
			log("OTT rejected: " .. tostring(data.reason))
		end
		finished(player, false, reason)
		return
	end
	local isPcCafe = data.is_pc_cafe == true
	startSession(player, data.game_session_id, isPcCafe, 0, timeout)
	if isPcCafe then
		notifyPcCafe(player)
	end
	finished(player, isPcCafe, Reason.VERIFIED)
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
	local entry = td[Core.TELEPORT_KEY]
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
	if config.mock then
		-- Offline: every player gets the mode's session.
		verify(player, OTT_PREFIX .. "offline")
		return
	end
	if not hasUserId(player) then
		logLimited("userid", "Studio's local server test players " ..
		    "(UserId " .. tostring(player.UserId) .. ") cannot have a " ..
		    "PlayWave session: NO_OTT; use the mock option to try the " ..
		    "flow in Studio")
		finished(player, false, Reason.NO_OTT)
		return
	end
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
	drop(session, "the player left")
	-- A teleporting session belongs to the destination server now.
	if not session.teleporting then
		spawnEnd(session)
	end
end

-- Keep the per-player tables from growing for ever: forget a player
-- shortly after leaving.
local function forgetLater(player)
	task.delay(SETTLE_WINDOW + 60, function()
		gone[player] = nil
		results[player] = nil
		lastEnded[player] = nil
	end)
end

local function anyStaying()
	for _, session in pairs(sessions) do
		if not session.teleporting then
			return true
		end
	end
	return false
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
		drop(session, "the server closed")
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
	while now() < t0 + grace and anyStaying() do
		task.wait(CLOSE_POLL)
	end
	-- Sessions can still appear (a verification finishing) or stop
	-- teleporting (a teleport given back): sweep until nothing is under
	-- way.
	while true do
		endStaying(closeDeadline)
		if pending == 0 or now() >= closeDeadline then
			break
		end
		task.wait(CLOSE_POLL)
	end
end

-------------------------------------------------------------------------------
-- Teleports

-- Writes the sessions into teleport data under TELEPORT_KEY, keeping
-- whatever else it holds and the entries of players prepared before.
local function writeTeleportData(data, list)
	local entry = data[Core.TELEPORT_KEY]
	if type(entry) ~= "table" or type(entry.players) ~= "table" then
		entry = { players = {} }
	end
	for _, session in ipairs(list) do
		entry.players[userId(session.player)] = {
			game_session_id = session.id,
			isPcCafe = session.isPcCafe,
			session_timeout = session.timeout,
		}
	end
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
	data[Core.TELEPORT_KEY] = entry
	return data
end

-- The session of a player about to be teleported, or nil; warns when the
-- SDK ended it already (e.g. a soft shutdown preparing after
-- shutdownGrace).
local function sessionToCarry(player)
	local session = sessions[player]
	if session == nil and lastEnded[player] then
		log("cannot carry " .. tostring(player.Name) .. "'s session: " ..
		    "it was already ended (" .. lastEnded[player] .. ")" ..
		    (closing and "; raise shutdownGrace" or ""))
	end
	return session
end

-- The session leaves with its player: leaving does not end it.  A newer
-- preparation cancels a pending give-back.
local function markSession(session)
	session.teleporting = true
	session.hold = nil
end

local function giveBack(session)
	session.teleporting = false
	session.hold = nil
end

-- A list of players, or one Player (an Instance: userdata, not a table).
local function asList(players)
	if players == nil then
		return {}
	end
	if type(players) ~= "table" or players.UserId ~= nil then
		return { players }
	end
	local list = {}
	for _, p in ipairs(players) do
		list[#list + 1] = p
	end
	return list
end

-- A teleport failed to start.  teleportAsync handles its own players;
-- for a session prepared by hand, the game may retry on the same
-- TeleportOptions (Roblox's own sample does): it stays prepared for
-- TELEPORT_HOLD, and is the origin's again only if the player is still
-- here then, or at once when no retry can succeed.
local function onTeleportInitFailed(player, result, message)
	local name = resultName(result)
	local run = teleportRuns[player]
	if run then
		run.failed[player] = { name = name, message = tostring(message) }
		return
	end
	local session = sessions[player]
	if session == nil or not session.teleporting or name == "IsTeleporting" then
		-- IsTeleporting: another teleport of the player goes on.
		return
	end
	if TELEPORT_FINAL[name] then
		giveBack(session)
		return
	end
	local hold = {}
	session.hold = hold
	task.delay(TELEPORT_HOLD, function()
		if session.hold == hold and live(session) then
			giveBack(session)
		end
	end)
end

local function waitForFlows(list, deadline)
	for _, p in ipairs(list) do
		if results[p] == nil and not gone[p] then
			Core.waitForVerification(p, math.max(deadline - now(), 0))
		end
	end
end

local function present(list)
	local out = {}
	for _, p in ipairs(list) do
		if not gone[p] then
			out[#out + 1] = p
		end
	end
	return out
end

local function teleport(placeId, list, options)
	-- A player whose verification is under way has no session to carry
	-- yet: wait for it, or the session is lost (a hub teleporting at once).
	waitForFlows(list, clampToClose(now() + WAIT_TIMEOUT))
	local run = { failed = {} }
	for _, p in ipairs(list) do
		teleportRuns[p] = run
	end
	local remaining = list
	local ok, answer = false, "no player to teleport"
	-- A refusal stands, whatever the retries of the others do.
	local refused = nil
	for attempt = 1, TELEPORT_RETRIES + 1 do
		remaining = present(remaining)
		if #remaining == 0 then
			break
		end
		local data = options:GetTeleportData()
		if type(data) ~= "table" then
			data = {}
		end
		local carried = {}
		for _, p in ipairs(remaining) do
			local session = sessionToCarry(p)
			if session then
				carried[#carried + 1] = session
				markSession(session)
			end
		end
		options:SetTeleportData(writeTeleportData(data, carried))
		run.failed = {}
		local called, res = pcall(function()
			return TeleportService:TeleportAsync(placeId, remaining, options)
		end)
		if called then
			local settleBy = clampToClose(now() + TELEPORT_SETTLE)
			local open = true
			while open and now() < settleBy do
				open = false
				for _, p in ipairs(remaining) do
					local f = run.failed[p]
					if not gone[p] and
					    (f == nil or f.name == "IsTeleporting") then
						open = true
					end
				end
				if open then
					task.wait(CLOSE_POLL)
				end
			end
			local retry = {}
			for _, p in ipairs(remaining) do
				local f = run.failed[p]
				if f and not gone[p] and f.name ~= "IsTeleporting" then
					answer = f.name .. ": " .. f.message
					if TELEPORT_FINAL[f.name] then
						refused = answer
						if sessions[p] then
							giveBack(sessions[p])
						end
					else
						retry[#retry + 1] = p
					end
				end
			end
			if #retry == 0 then
				-- Every player left or is on the way, or was refused.
				ok = refused == nil
				answer = refused or res
				remaining = {}
				break
			end
			remaining = retry
		else
			answer = tostring(res)
		end
		if attempt <= TELEPORT_RETRIES then
			local delay = spread(TELEPORT_BACKOFF * 2 ^ (attempt - 1))
			if now() + delay >= clampToClose(math.huge) then
				break
			end
			task.wait(delay)
		end
	end
	-- Final failure: the sessions of the players still here are this
	-- server's again (during a close, the sweep ends them).
	for _, p in ipairs(present(remaining)) do
		if sessions[p] then
			giveBack(sessions[p])
		end
	end
	for _, p in ipairs(list) do
		if teleportRuns[p] == run then
			teleportRuns[p] = nil
		end
	end
	return ok, answer
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

-- A LocalScript runs in a player's PlayerGui; a ScreenGui that survives
-- respawns keeps it from running again.
local function deliverClient(player, template)
	local gui = player:FindFirstChildOfClass("PlayerGui") or
	    player:WaitForChild("PlayerGui", 10)
	if gui == nil or gone[player] then
		return
	end
	local holder = Instance.new("ScreenGui")
	holder.Name = CLIENT_SCRIPT
	holder.ResetOnSpawn = false
	local copy = template:Clone()
	copy.Parent = holder
	holder.Parent = gui
end

local function isClientScript(template)
	local ok, context = pcall(function()
		return template.RunContext
	end)
	return ok and tostring(context):find("Client", 1, true) ~= nil
end

-- Installed as a package (Rojo, Wally) the client script travels inside
-- this module, where it cannot run.  A LocalScript is copied to
-- StarterPlayerScripts for players to come; players already here got
-- their PlayerScripts without it, so it is handed to each of them.  A
-- Script whose RunContext is Client runs on every client, present or
-- not, from ReplicatedStorage.
local function installClient()
	local holder = script
	local template = holder and holder:FindFirstChild(CLIENT_SCRIPT)
	if template == nil and holder and holder.Parent then
		template = holder.Parent:FindFirstChild(CLIENT_SCRIPT)
	end
	if template == nil then
		return
	end
	if template:IsA("LocalScript") then
		local starter = game:GetService("StarterPlayer")
		local scripts = starter:FindFirstChild("StarterPlayerScripts")
		if scripts == nil or scripts:FindFirstChild(CLIENT_SCRIPT) then
			-- Installed by hand: present players run it already.
			return
		end
		local copy = template:Clone()
		copy.Name = CLIENT_SCRIPT
		copy.Parent = scripts
		for _, player in ipairs(Players:GetPlayers()) do
			task.spawn(deliverClient, player, template)
		end
	elseif template:IsA("Script") and isClientScript(template) then
		if ReplicatedStorage:FindFirstChild(CLIENT_SCRIPT) == nil then
			local copy = template:Clone()
			copy.Name = CLIENT_SCRIPT
			copy.Parent = ReplicatedStorage
		end
	end
end

-------------------------------------------------------------------------------
-- Public API

local function optionError(msg)
	error("PlayWaveServer.init: " .. msg, 0)
end

function Core.init(options)
	if config ~= nil then
		error("PlayWaveServer.init called twice", 0)
	end
	if type(options) ~= "table" then
		optionError("options table required")
	end
	local mock = options.mock
	if mock ~= nil and not MOCK_MODES[mock] then
		optionError('mock must be "cafe", "home" or "ended"')
	end
	if mock ~= nil and not RunService:IsStudio() then
		-- Offline sessions in a live server would be cafe benefits for
		-- anyone.
		log("the mock option works in Studio only; ignored")
		mock = nil
	end
	-- Any value goes: a Secret from HttpService:GetSecret is passed to
	-- RequestAsync as it is, and cannot be inspected.
	if mock == nil and (options.apiKey == nil or options.apiKey == "") then
		optionError("apiKey is required")
	end
	if mock == nil and
	    (type(options.apiUrl) ~= "string" or options.apiUrl == "") then
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
	local apiUrl = options.apiUrl
	if type(apiUrl) == "string" then
		apiUrl = apiUrl:gsub("/+$", "")
	end
	config = {
		apiKey = options.apiKey,
		apiUrl = apiUrl,
		mock = mock,
		onPcCafe = options.onPcCafe,
		onVerified = options.onVerified,
		onSessionEnded = options.onSessionEnded,
		heartbeatInterval = math.max(tonumber(options.heartbeatInterval) or
		    DEFAULT_HEARTBEAT, MIN_HEARTBEAT),
		shutdownGrace = grace or DEFAULT_SHUTDOWN_GRACE,
		studioLaunchData = sld,
	}
	setBudget(perMinute)
	clientEvent = remote(Core.CLIENT_EVENT)
	remote(Core.READY_EVENT).OnServerEvent:Connect(onReady)
	Players.PlayerRemoving:Connect(function(player)
		onRemoving(player)
		forgetLater(player)
	end)
	TeleportService.TeleportInitFailed:Connect(onTeleportInitFailed)
	game:BindToClose(onClose)
	installClient()
end

function Core.isPcCafeUser(player)
	local session = sessions[player]
	return session ~= nil and session.isPcCafe == true
end

-- The live game session id of a player, or nil.
function Core.getSessionId(player)
	local session = sessions[player]
	return session and session.id
end

-- Waits until the player's verification flow has ended: (isPcCafe,
-- reason) as onVerified got them, or (nil, "TIMEOUT") after timeout
-- seconds (default 60), or (nil, "PLAYER_LEFT").
function Core.waitForVerification(player, timeout)
	local deadline = now() + (tonumber(timeout) or WAIT_TIMEOUT)
	while true do
		local r = results[player]
		if r then
			return r.isPcCafe, r.reason
		end
		if gone[player] then
			return nil, WaitReason.PLAYER_LEFT
		end
		local t = now()
		if t >= deadline then
			return nil, WaitReason.TIMEOUT
		end
		task.wait(math.min(WAIT_POLL, deadline - t))
	end
end

-- Put the player's session into the teleport data so that the destination
-- server resumes it instead of verifying again.  Call it for every player
-- of a party on the same TeleportOptions.  Other teleport data is kept;
-- calling it again (a retry by hand) changes nothing.  Returns false when
-- the player has no session.
function Core.prepareForTeleport(player, teleportOptions)
	if teleportOptions == nil then
		return false
	end
	local session = sessionToCarry(player)
	if session == nil then
		return false
	end
	local data = teleportOptions:GetTeleportData()
	if type(data) ~= "table" then
		data = {}
	end
	teleportOptions:SetTeleportData(writeTeleportData(data, { session }))
	markSession(session)
	return true
end

-- Undo prepareForTeleport when the teleport did not happen without
-- TeleportInitFailed firing, e.g. TeleportAsync raised an error: the
-- session stays with this server and is ended when the player leaves.
-- Returns false when the player has no session prepared for a teleport.
function Core.cancelTeleport(player)
	local session = sessions[player]
	if session == nil or not session.teleporting then
		return false
	end
	giveBack(session)
	return true
end

-- For teleports other than TeleportAsync (TeleportToPrivateServer,
-- TeleportPartyAsync, TeleportToPlaceInstance), which take a teleport data
-- table: adds the players' sessions to existingTable (or a new table) and
-- returns it.  Call markTeleporting just before teleporting.
function Core.teleportDataFor(players, existingTable)
	local data = existingTable
	if type(data) ~= "table" then
		data = {}
	end
	local list = {}
	for _, p in ipairs(asList(players)) do
		local session = sessionToCarry(p)
		if session then
			list[#list + 1] = session
		end
	end
	return writeTeleportData(data, list)
end

-- The players' sessions leave with them: leaving does not end them.
-- Returns how many sessions were marked.
function Core.markTeleporting(players)
	local n = 0
	for _, p in ipairs(asList(players)) do
		local session = sessions[p]
		if session then
			markSession(session)
			n = n + 1
		end
	end
	return n
end

-- Teleports the players with their sessions: waits for verifications under
-- way, prepares, calls TeleportAsync and retries a teleport that failed
-- (TeleportInitFailed Flooded, Failure or unknown, or a raised error) up
-- to TELEPORT_RETRIES times with backoff, carrying the same sessions.
-- Returns true and TeleportAsync's result, or false and the last error
-- once the retries are spent or the teleport was refused (the sessions of
-- the players still here are then this server's again).
function Core.teleportAsync(placeId, players, teleportOptions)
	local list = asList(players)
	local options = teleportOptions or Instance.new("TeleportOptions")
	pending = pending + 1
	local called, ok, answer = pcall(teleport, placeId, list, options)
	pending = pending - 1
	if not called then
		log("teleportAsync: " .. tostring(ok))
		return false, tostring(ok)
	end
	return ok, answer
end

return Core
