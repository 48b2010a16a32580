-- PlayWaveClient: the client half of the PlayWave Roblox SDK (a LocalScript
-- in StarterPlayerScripts).
--
-- Tells the server this client is ready, so that the server starts the
-- PlayWave verification, and listens for the server's events.  A PC cafe
-- player gets the LocalPlayer attribute "PlayWavePcCafe" set to true; when
-- the session ends while the player stays (SESSION_ENDED), it becomes
-- false.  Local UI code can read it or wait on
-- LocalPlayer:GetAttributeChangedSignal("PlayWavePcCafe").

local Players = game:GetService("Players")
local ReplicatedStorage = game:GetService("ReplicatedStorage")

local READY_EVENT = "PlayWaveClientReady"
local CLIENT_EVENT = "PlayWaveEvent"
local PC_CAFE = "PC_CAFE"
local SESSION_ENDED = "SESSION_ENDED"
local PC_CAFE_ATTRIBUTE = "PlayWavePcCafe"

local player = Players.LocalPlayer

-- Listen before saying ready, so the answer cannot be missed.
local clientEvent = ReplicatedStorage:WaitForChild(CLIENT_EVENT)
clientEvent.OnClientEvent:Connect(function(kind)
	if kind == PC_CAFE then
		player:SetAttribute(PC_CAFE_ATTRIBUTE, true)
	elseif kind == SESSION_ENDED then
		-- Also sent for a non-cafe session: false then just says
		-- there is no cafe session, as nil did.
		player:SetAttribute(PC_CAFE_ATTRIBUTE, false)
	end
end)

ReplicatedStorage:WaitForChild(READY_EVENT):FireServer()
