-- PlayWaveClient: the client half of the PlayWave Roblox SDK (a LocalScript
-- in StarterPlayerScripts).
--
-- Tells the server this client is ready, so that the server starts the
-- PlayWave verification, and listens for the server's PC_CAFE event.  A PC
-- cafe player gets the LocalPlayer attribute "PlayWavePcCafe" set to true;
-- local UI code can read it or wait on
-- LocalPlayer:GetAttributeChangedSignal("PlayWavePcCafe").

local Players = game:GetService("Players")
local ReplicatedStorage = game:GetService("ReplicatedStorage")

local READY_EVENT = "PlayWaveClientReady"
local CLIENT_EVENT = "PlayWaveEvent"
local PC_CAFE = "PC_CAFE"
local PC_CAFE_ATTRIBUTE = "PlayWavePcCafe"

local player = Players.LocalPlayer

-- Listen before saying ready, so the answer cannot be missed.
local clientEvent = ReplicatedStorage:WaitForChild(CLIENT_EVENT)
clientEvent.OnClientEvent:Connect(function(kind)
	if kind == PC_CAFE then
		player:SetAttribute(PC_CAFE_ATTRIBUTE, true)
	end
end)

ReplicatedStorage:WaitForChild(READY_EVENT):FireServer()
