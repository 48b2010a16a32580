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

local PlayWaveServer = {}

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

PlayWaveServer.READY_EVENT = "PlayWaveClientReady"
PlayWaveServer.CLIENT_EVENT = "PlayWaveEvent"
PlayWaveServer.PC_CAFE = "PC_CAFE"
PlayWaveServer.TELEPORT_KEY = "PlayWave"

local OTT_PREFIX = "playwave_"
-- The first heartbeat comes this soon; afterwards the server's
-- next_heartbeat_in decides.  Well inside the server's session timeout.
local DEFAULT_HEARTBEAT = 60
local MIN_HEARTBEAT = 1
local CLOSE_TIMEOUT = 25

local config = nil
local clientEvent = nil
-- player -> session {id, isPcCafe, startedAt, teleporting}
local sessions = {}
-- player -> true once a ready event was taken: one flow per player
local started = {}
local gone = {}

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

-- One API call.  Returns the HTTP status (nil when no answer came) and
-- the decoded envelope (nil when the body is not a JSON object).
local function api(method, path, body)
	local ok, res = pcall(function()
		return HttpService:RequestAsync({
			Url = config.apiUrl .. path,
			Method = method,
			Headers = {
				["Content-Type"] = "application/json",
				["X-Api-Key"] = config.apiKey,
			},
			Body = HttpService:JSONEncode(body),
		})
	end)
	if not ok then
		log(method .. " " .. path .. " failed: " .. tostring(res))
		return nil, nil
	end
	local decoded, doc = pcall(function()
		return HttpService:JSONDecode(res.Body)
	end)
	if not decoded or type(doc) ~= "table" then
		return res.StatusCode, nil
	end
	return res.StatusCode, doc
end

-- The data of a 200 success envelope, or nil.
local function okData(status, doc)
	if status ~= 200 or doc == nil or doc.success ~= true or
	    type(doc.data) ~= "table" then
		return nil
	end
	return doc.data
end

local function userId(player)
	return tostring(player.UserId)
end

local function notifyPcCafe(player)
	callback("onPcCafe", player)
	if clientEvent then
		local ok, err = pcall(function()
			clientEvent:FireClient(player, PlayWaveServer.PC_CAFE)
		end)
		if not ok then
			log("PC_CAFE event failed: " .. tostring(err))
		end
	end
end

local function dropSession(player, session)
	if sessions[player] == session then
		sessions[player] = nil
	end
end

local function heartbeatLoop(player, session)
	local interval = config.heartbeatInterval or DEFAULT_HEARTBEAT
	while sessions[player] == session do
		task.wait(interval)
		if sessions[player] ~= session then
			break
		end
		local status, doc = api("PATCH", "/game/session/heartbeat", {
			game_session_id = session.id,
			provider_user_id = userId(player),
		})
		local data = okData(status, doc)
		if data then
			if data.result == "SESSION_REPLACED" then
				-- A newer session on the same PC owns the billing
				-- now; this one must not be ended by us.
				dropSession(player, session)
				break
			end
			session.chargeExhausted = data.result == "CHARGE_EXHAUSTED"
			local n = tonumber(data.next_heartbeat_in)
			if n then
				interval = math.max(n, MIN_HEARTBEAT)
			end
		elseif status == 404 or status == 410 or status == 403 then
			-- Gone, ended or not ours: no heartbeat will ever
			-- succeed again.
			dropSession(player, session)
			break
		end
		-- Anything else (5xx, 429, network): try again next cycle.
	end
end

local function startSession(player, id, isPcCafe, playedSec)
	local session = {
		id = id,
		isPcCafe = isPcCafe,
		startedAt = os.clock() - (playedSec or 0),
		teleporting = false,
	}
	sessions[player] = session
	task.spawn(heartbeatLoop, player, session)
	return session
end

local function endSession(session)
	local played = math.floor(os.clock() - session.startedAt)
	local status = api("DELETE", "/game/session/end", {
		game_session_id = session.id,
		play_duration_sec = math.max(played, 0),
	})
	return status == 200
end

-- The player left while we were waiting on the server: end what we got.
local function abandon(id)
	api("DELETE", "/game/session/end", { game_session_id = id })
end

local function resume(player, carried)
	local status, doc = api("POST", "/game/session/check", {
		game_session_id = carried.game_session_id,
		provider_user_id = userId(player),
	})
	local data = okData(status, doc)
	local valid = data ~= nil and data.is_valid == true
	if gone[player] then
		return
	end
	if not valid then
		-- Left in place: the first heartbeat gets 404/410 and cleans up.
		startSession(player, carried.game_session_id, false, 0)
		callback("onVerified", player, false, Reason.RESUME_REJECTED)
		return
	end
	-- The server's word wins over what the client could have edited.
	local isPcCafe = carried.isPcCafe == true
	if type(data.is_pc_cafe) == "boolean" then
		isPcCafe = data.is_pc_cafe
	end
	startSession(player, carried.game_session_id, isPcCafe,
	    tonumber(data.play_duration_sec) or 0)
	callback("onVerified", player, isPcCafe, Reason.RESUMED)
	if isPcCafe then
		notifyPcCafe(player)
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
	local status, doc = api("POST", "/game/session/verify", {
		ott = launchData:sub(#OTT_PREFIX + 1),
		provider_user_id = userId(player),
	})
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
			abandon(data.game_session_id)
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

-- The session an origin server put into the teleport data, if any.
local function carriedSession(joinData)
	local td = joinData and joinData.TeleportData
	if type(td) ~= "table" then
		return nil
	end
	local carried = td[PlayWaveServer.TELEPORT_KEY]
	if type(carried) ~= "table" or type(carried.game_session_id) ~= "string" or
	    carried.game_session_id == "" then
		return nil
	end
	return carried
end

local function onReady(player)
	if started[player] or gone[player] then
		return
	end
	started[player] = true
	local ok, joinData = pcall(function()
		return player:GetJoinData()
	end)
	if not ok then
		joinData = nil
	end
	local carried = carriedSession(joinData)
	if carried then
		resume(player, carried)
	else
		verify(player, joinData and joinData.LaunchData)
	end
end

local function onRemoving(player)
	gone[player] = true
	started[player] = nil
	local session = sessions[player]
	sessions[player] = nil
	if session and not session.teleporting then
		endSession(session)
	end
	-- A teleporting session belongs to the destination server now.
end

-- Keep `gone` from growing for ever: forget a player shortly after leaving.
local function forgetLater(player)
	task.delay(300, function()
		gone[player] = nil
	end)
end

local function onClose()
	local pending = 0
	local list = {}
	for player, session in pairs(sessions) do
		list[#list + 1] = session
		sessions[player] = nil
	end
	for _, session in ipairs(list) do
		pending = pending + 1
		task.spawn(function()
			endSession(session)
			pending = pending - 1
		end)
	end
	local waited = 0
	while pending > 0 and waited < CLOSE_TIMEOUT do
		waited = waited + task.wait(0.1)
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

function PlayWaveServer.init(options)
	if config ~= nil then
		error("PlayWaveServer.init called twice", 2)
	end
	if type(options) ~= "table" or type(options.apiKey) ~= "string" or
	    options.apiKey == "" or type(options.apiUrl) ~= "string" or
	    options.apiUrl == "" then
		error("PlayWaveServer.init: apiKey and apiUrl are required", 2)
	end
	config = {
		apiKey = options.apiKey,
		apiUrl = options.apiUrl:gsub("/+$", ""),
		onPcCafe = options.onPcCafe,
		onVerified = options.onVerified,
		heartbeatInterval = tonumber(options.heartbeatInterval),
	}
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
-- server resumes it instead of verifying again.  Other teleport data is
-- kept.  Returns false when the player has no session.
function PlayWaveServer.prepareForTeleport(player, teleportOptions)
	local session = sessions[player]
	if session == nil or teleportOptions == nil then
		return false
	end
	local data = teleportOptions:GetTeleportData()
	if type(data) ~= "table" then
		data = {}
	end
	data[PlayWaveServer.TELEPORT_KEY] = {
		game_session_id = session.id,
		isPcCafe = session.isPcCafe,
	}
	teleportOptions:SetTeleportData(data)
	session.teleporting = true
	return true
end

return PlayWaveServer
