-- PlayWaveServer: the server half of the PlayWave Roblox SDK (a ModuleScript
-- holding the ModuleScript PlayWaveCore and the LocalScript PlayWaveClient).
--
-- Verifies that a player was launched from a PlayWave PC cafe, keeps the
-- game session alive with heartbeats, carries it across teleports and ends
-- it when the player leaves or the server closes.  See README.md.
--
-- This module gives the SDK's API Luau type annotations, for the editor's
-- autocompletion and hints; no check of this package runs a type checker
-- over them.  What the functions do is PlayWaveCore's, which the test suite
-- runs under plain Lua 5.1.

local Core = require(script.PlayWaveCore)

export type VerifyReason =
	"VERIFIED"
	| "RESUMED"
	| "RESUME_REJECTED"
	| "NO_OTT"
	| "INVALID_PREFIX"
	| "REQUEST_FAILED"
	| "REJECTED"

export type EndReason = "REPLACED" | "ENDED" | "NOT_FOUND" | "MISMATCH"

-- What waitForVerification answers: the flow's reason, or why it did not
-- wait for one.
export type WaitReason = VerifyReason | "TIMEOUT" | "PLAYER_LEFT"

export type ErrorCode = "INVALID_API_KEY" | "HTTP_DISABLED"

export type MockMode = "cafe" | "home" | "ended"

export type Options = {
	apiKey: any,
	apiUrl: string?,
	onPcCafe: ((player: Player) -> ())?,
	onVerified: ((player: Player, isPcCafe: boolean, reason: VerifyReason) -> ())?,
	onSessionEnded: ((player: Player, reason: EndReason, detail: string?) -> ())?,
	heartbeatInterval: number?,
	requestsPerMinute: number?,
	shutdownGrace: number?,
	studioLaunchData: (string | (player: Player) -> string?)?,
	mock: MockMode?,
}

export type Connection = {
	Connected: boolean,
	Disconnect: (self: Connection) -> (),
}

export type Signal<T...> = {
	Connect: (self: Signal<T...>, handler: (T...) -> ()) -> Connection,
	Once: (self: Signal<T...>, handler: (T...) -> ()) -> Connection,
	Wait: (self: Signal<T...>) -> T...,
}

export type VerifiedSignal = Signal<Player, boolean, VerifyReason>
export type SessionEndedSignal = Signal<Player, EndReason, string?>
export type ErrorSignal = Signal<ErrorCode, string>

-- teleportAsync's answer: true and TeleportAsync's result, or false and
-- the last error.
export type TeleportAnswer = TeleportAsyncResult | string

export type TeleportData = { [string]: any }

type VerifyReasons = { [string]: VerifyReason }
type EndReasons = { [string]: EndReason }
type WaitReasons = { [string]: WaitReason }
type ErrorCodes = { [string]: ErrorCode }
type PlayerList = { Player }

local PlayWaveServer = {}

PlayWaveServer.VERSION = Core.VERSION :: string
PlayWaveServer.VerifyReason = Core.VerifyReason :: VerifyReasons
PlayWaveServer.EndReason = Core.EndReason :: EndReasons
PlayWaveServer.WaitReason = Core.WaitReason :: WaitReasons
PlayWaveServer.ErrorCode = Core.ErrorCode :: ErrorCodes

PlayWaveServer.READY_EVENT = Core.READY_EVENT :: string
PlayWaveServer.CLIENT_EVENT = Core.CLIENT_EVENT :: string
PlayWaveServer.PC_CAFE = Core.PC_CAFE :: string
PlayWaveServer.SESSION_ENDED = Core.SESSION_ENDED :: string
PlayWaveServer.TELEPORT_KEY = Core.TELEPORT_KEY :: string

-- Fire as onVerified, onSessionEnded and the warnings of refused keys or
-- disabled HTTP do; handlers run in their own thread.
PlayWaveServer.Verified = Core.Verified :: VerifiedSignal
PlayWaveServer.SessionEnded = Core.SessionEnded :: SessionEndedSignal
PlayWaveServer.Error = Core.Error :: ErrorSignal

function PlayWaveServer.init(options: Options)
	Core.init(options)
end

function PlayWaveServer.isPcCafeUser(player: Player): boolean
	return Core.isPcCafeUser(player)
end

function PlayWaveServer.getSessionId(player: Player): string?
	return Core.getSessionId(player)
end

function PlayWaveServer.waitForVerification(player: Player, timeout: number?): (boolean?, WaitReason)
	return Core.waitForVerification(player, timeout)
end

function PlayWaveServer.teleportAsync(placeId: number, players: PlayerList, teleportOptions: TeleportOptions?): (boolean, TeleportAnswer)
	return Core.teleportAsync(placeId, players, teleportOptions)
end

function PlayWaveServer.prepareForTeleport(player: Player, teleportOptions: TeleportOptions): boolean
	return Core.prepareForTeleport(player, teleportOptions)
end

function PlayWaveServer.cancelTeleport(player: Player): boolean
	return Core.cancelTeleport(player)
end

function PlayWaveServer.teleportDataFor(players: PlayerList, existingTable: TeleportData?): TeleportData
	return Core.teleportDataFor(players, existingTable)
end

function PlayWaveServer.markTeleporting(players: PlayerList): number
	return Core.markTeleporting(players)
end

return PlayWaveServer
