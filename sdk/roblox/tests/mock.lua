-- A small stand-in for the parts of the Roblox engine the PlayWave SDK uses,
-- so that the SDK runs unchanged under plain Lua 5.1 in tests.
--
-- Each call to Mock.new() builds a fresh "world": a game with Players,
-- HttpService, ReplicatedStorage and TeleportService, a task library driven
-- by a virtual clock, and warn() capture.  Scripts are loaded with the
-- world's globals (setfenv), the server SDK once, the client script once per
-- joining player with its own LocalPlayer.
--
-- Threads are coroutines.  task.wait() parks the running coroutine on the
-- virtual clock; world:advance(dt) moves the clock and resumes whatever
-- falls due, so a 120-second heartbeat interval costs no real time.
--
-- As on Roblox, pcall can be yielded across: the scripts get one built on
-- coroutines (Lua 5.1's own cannot), and task.wait parks the outermost
-- thread, which hands the resumption down to the waiting one.
--
-- HttpService:RequestAsync is real: it runs curl against the URL and returns
-- what the server said.  It yields, as on Roblox: the reply arrives after
-- world.HttpService.latency virtual seconds (0 by default, still a yield),
-- so other threads run while a request is out.  Tests can queue canned
-- replies (inject) that stand in for the next calls, or add fault rules
-- (fault) by URL suffix: a status, a network error, a lost reply (the
-- server acts, the caller sees a network error), or a delay before the
-- real call.  Every call is recorded in world.HttpService.log.
--
-- A lost reply reaches the real server: a verify retried with the
-- consuming verify's X-Request-ID and user gets that verify's answer from
-- playwaved itself (idempotent verify), nothing here stands in for it.
--
-- Test-only code: the JSON coder below exists because Lua 5.1 has none.

local Mock = {}

-------------------------------------------------------------------------------
-- JSON

local json = {}

local escapes = {
	['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
	['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
}

local function encodeString(s)
	return '"' .. s:gsub('[%c"\\]', function(c)
		return escapes[c] or string.format("\\u%04x", c:byte())
	end) .. '"'
end

-- A table with only positive integer keys is an array; holes (from null)
-- encode as null again.
local function isArray(t)
	local max = 0
	for k in pairs(t) do
		if type(k) ~= "number" or k < 1 or k % 1 ~= 0 then
			return false
		end
		if k > max then
			max = k
		end
	end
	return true, max
end

local encodeValue

local function encodeTable(t, depth)
	if depth > 64 then
		error("JSONEncode: nesting too deep")
	end
	local arr, n = isArray(t)
	local parts = {}
	if arr then
		for i = 1, n do
			parts[i] = encodeValue(t[i], depth + 1)
		end
		return "[" .. table.concat(parts, ",") .. "]"
	end
	local keys = {}
	for k in pairs(t) do
		if type(k) ~= "string" then
			error("JSONEncode: mixed or non-string keys")
		end
		keys[#keys + 1] = k
	end
	table.sort(keys)
	for i, k in ipairs(keys) do
		parts[i] = encodeString(k) .. ":" .. encodeValue(t[k], depth + 1)
	end
	return "{" .. table.concat(parts, ",") .. "}"
end

encodeValue = function(v, depth)
	local ty = type(v)
	if ty == "string" then
		return encodeString(v)
	elseif ty == "boolean" then
		return tostring(v)
	elseif ty == "nil" then
		return "null"
	elseif ty == "number" then
		if v ~= v or v == math.huge or v == -math.huge then
			error("JSONEncode: number not representable")
		end
		if v % 1 == 0 and math.abs(v) < 2 ^ 53 then
			return string.format("%d", v)
		end
		return string.format("%.17g", v)
	elseif ty == "table" then
		return encodeTable(v, depth)
	end
	error("JSONEncode: cannot encode " .. ty)
end

function json.encode(v)
	return encodeValue(v, 0)
end

-- Decoder: a recursive descent over the string; null becomes nil, like
-- Roblox's JSONDecode.
local function utf8char(cp)
	if cp < 0x80 then
		return string.char(cp)
	elseif cp < 0x800 then
		return string.char(0xc0 + math.floor(cp / 0x40), 0x80 + cp % 0x40)
	elseif cp < 0x10000 then
		return string.char(0xe0 + math.floor(cp / 0x1000),
		    0x80 + math.floor(cp / 0x40) % 0x40, 0x80 + cp % 0x40)
	end
	return string.char(0xf0 + math.floor(cp / 0x40000),
	    0x80 + math.floor(cp / 0x1000) % 0x40,
	    0x80 + math.floor(cp / 0x40) % 0x40, 0x80 + cp % 0x40)
end

local decodeValue

local function skip(s, i)
	return s:find("[^ \t\r\n]", i) or #s + 1
end

local function fail(s, i, what)
	error(string.format("Can't parse JSON: %s at %d", what, i), 0)
end

local function decodeString(s, i)
	local out = {}
	local j = i + 1
	while true do
		local c = s:sub(j, j)
		if c == "" then
			fail(s, j, "unterminated string")
		elseif c == '"' then
			return table.concat(out), j + 1
		elseif c == "\\" then
			local e = s:sub(j + 1, j + 1)
			local simple = { b = "\b", f = "\f", n = "\n", r = "\r", t = "\t",
			    ['"'] = '"', ["\\"] = "\\", ["/"] = "/" }
			if simple[e] then
				out[#out + 1] = simple[e]
				j = j + 2
			elseif e == "u" then
				local hex = s:sub(j + 2, j + 5)
				if not hex:match("^%x%x%x%x$") then
					fail(s, j, "bad \\u escape")
				end
				local cp = tonumber(hex, 16)
				j = j + 6
				if cp >= 0xd800 and cp < 0xdc00 and
				    s:sub(j, j + 1) == "\\u" then
					local lo = tonumber(s:sub(j + 2, j + 5), 16)
					if lo and lo >= 0xdc00 and lo < 0xe000 then
						cp = 0x10000 + (cp - 0xd800) * 0x400 +
						    (lo - 0xdc00)
						j = j + 6
					end
				end
				out[#out + 1] = utf8char(cp)
			else
				fail(s, j, "bad escape")
			end
		elseif c:byte() < 0x20 then
			fail(s, j, "control character in string")
		else
			local k = s:find('["\\%c]', j) or #s + 1
			out[#out + 1] = s:sub(j, k - 1)
			j = k
		end
	end
end

local function decodeArray(s, i, depth)
	local arr = {}
	local n = 0
	i = skip(s, i + 1)
	if s:sub(i, i) == "]" then
		return arr, i + 1
	end
	while true do
		local v
		v, i = decodeValue(s, i, depth + 1)
		n = n + 1
		arr[n] = v
		i = skip(s, i)
		local c = s:sub(i, i)
		if c == "]" then
			return arr, i + 1
		elseif c ~= "," then
			fail(s, i, "expected , or ]")
		end
		i = skip(s, i + 1)
	end
end

local function decodeObject(s, i, depth)
	local obj = {}
	i = skip(s, i + 1)
	if s:sub(i, i) == "}" then
		return obj, i + 1
	end
	while true do
		if s:sub(i, i) ~= '"' then
			fail(s, i, "expected string key")
		end
		local k, v
		k, i = decodeString(s, i)
		i = skip(s, i)
		if s:sub(i, i) ~= ":" then
			fail(s, i, "expected :")
		end
		v, i = decodeValue(s, skip(s, i + 1), depth + 1)
		obj[k] = v
		i = skip(s, i)
		local c = s:sub(i, i)
		if c == "}" then
			return obj, i + 1
		elseif c ~= "," then
			fail(s, i, "expected , or }")
		end
		i = skip(s, i + 1)
	end
end

decodeValue = function(s, i, depth)
	if depth > 64 then
		fail(s, i, "nesting too deep")
	end
	i = skip(s, i)
	local c = s:sub(i, i)
	if c == "{" then
		return decodeObject(s, i, depth)
	elseif c == "[" then
		return decodeArray(s, i, depth)
	elseif c == '"' then
		return decodeString(s, i)
	elseif s:sub(i, i + 3) == "true" then
		return true, i + 4
	elseif s:sub(i, i + 4) == "false" then
		return false, i + 5
	elseif s:sub(i, i + 3) == "null" then
		return nil, i + 4
	end
	local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
	if num and num ~= "" and num ~= "-" then
		local v = tonumber(num)
		if v then
			return v, i + #num
		end
	end
	fail(s, i, "unexpected character")
end

function json.decode(s)
	if type(s) ~= "string" then
		error("Can't parse JSON: not a string", 0)
	end
	local v, i = decodeValue(s, 1, 0)
	if skip(s, i) <= #s then
		fail(s, i, "trailing characters")
	end
	return v
end

Mock.json = json

-------------------------------------------------------------------------------
-- curl transport

local function shellQuote(s)
	return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- One HTTP exchange through curl: returns status (0 when no HTTP answer
-- came: refused, timed out) and the body.
function Mock.curl(method, url, headers, body)
	local bodyFile
	local cmd = { "curl", "-s", "-X", shellQuote(method), "--max-time", "10",
	    "-o", "-", "-w", shellQuote("\n%{http_code}") }
	for k, v in pairs(headers or {}) do
		cmd[#cmd + 1] = "-H " .. shellQuote(k .. ": " .. v)
	end
	if body ~= nil then
		bodyFile = os.tmpname()
		local f = assert(io.open(bodyFile, "wb"))
		f:write(body)
		f:close()
		cmd[#cmd + 1] = "--data-binary @" .. shellQuote(bodyFile)
	end
	cmd[#cmd + 1] = shellQuote(url)
	cmd[#cmd + 1] = "2>/dev/null"
	local p = assert(io.popen(table.concat(cmd, " "), "r"))
	local out = p:read("*a")
	p:close()
	if bodyFile then
		os.remove(bodyFile)
	end
	local respBody, code = out:match("^(.*)\n(%d%d%d)$")
	if not code then
		return 0, ""
	end
	return tonumber(code), respBody
end

-------------------------------------------------------------------------------
-- Signals and the scheduler

local Signal = {}
Signal.__index = Signal

local function newSignal(world, deferred)
	return setmetatable({ world = world, conns = {}, deferred = deferred },
	    Signal)
end

function Signal:Connect(fn)
	local conn = { Connected = true }
	local sig = self
	function conn.Disconnect()
		conn.Connected = false
		for i, c in ipairs(sig.conns) do
			if c == conn then
				table.remove(sig.conns, i)
				break
			end
		end
	end
	conn.fn = fn
	self.conns[#self.conns + 1] = conn
	-- Remote events fired before anyone listened are queued, as Roblox does.
	if self.queued then
		local q = self.queued
		self.queued = nil
		for _, args in ipairs(q) do
			self:Fire(unpack(args, 1, args.n))
		end
	end
	return conn
end

function Signal:Fire(...)
	local w = self.world
	if self.deferred and #self.conns == 0 then
		self.queued = self.queued or {}
		self.queued[#self.queued + 1] = { n = select("#", ...), ... }
		return
	end
	local snapshot = {}
	for i, c in ipairs(self.conns) do
		snapshot[i] = c
	end
	for _, c in ipairs(snapshot) do
		if c.Connected then
			if self.deferred then
				w.task.defer(c.fn, ...)
			else
				w.task.spawn(c.fn, ...)
			end
		end
	end
end

local function resume(world, co, ...)
	local ok, err = coroutine.resume(co, ...)
	if not ok then
		world.errors[#world.errors + 1] = tostring(err)
		io.stderr:write("mock: error in thread: " .. tostring(err) .. "\n")
	end
end

local function newTask(world)
	local task = {}
	local queue = world.queue

	local function schedule(at, co, args)
		world.seq = world.seq + 1
		queue[#queue + 1] = { at = at, seq = world.seq, co = co, args = args }
	end

	-- A thread parked inside a yielding pcall is resumed through the
	-- thread that called pcall, which hands the values down (see task.wait).
	local function toThread(f)
		if type(f) == "thread" then
			while world.parents[f] do
				f = world.parents[f]
			end
			return f
		end
		return coroutine.create(f)
	end

	function task.spawn(f, ...)
		local co = toThread(f)
		resume(world, co, ...)
		return co
	end

	function task.defer(f, ...)
		local co = toThread(f)
		schedule(world.now, co, { n = select("#", ...), ... })
		return co
	end

	function task.delay(t, f, ...)
		local co = toThread(f)
		schedule(world.now + (t or 0), co, { n = select("#", ...), ... })
		return co
	end

	function task.wait(t)
		local co = coroutine.running()
		if co == nil then
			error("task.wait called outside a thread")
		end
		-- Inside a yielding pcall the thread to wake is the one that
		-- called pcall; it passes the resumption down.
		while world.parents[co] do
			co = world.parents[co]
		end
		t = t or 0
		local from = world.now
		schedule(from + t, co, { n = 0 })
		coroutine.yield()
		return world.now - from
	end

	function task.cancel(co)
		for i = #queue, 1, -1 do
			if queue[i].co == co then
				table.remove(queue, i)
			end
		end
	end

	return task
end

-- A pcall that can be yielded across, as Luau's can: f runs in a coroutine
-- of its own, whose yields are passed up to the calling thread and whose
-- resumptions are passed back down.
local function pack(...)
	return { n = select("#", ...), ... }
end

local function newPcall(world)
	return function(f, ...)
		local parent = coroutine.running()
		if parent == nil then
			return pcall(f, ...)
		end
		local co = coroutine.create(f)
		world.parents[co] = parent
		local r = pack(coroutine.resume(co, ...))
		while true do
			if not r[1] then
				world.parents[co] = nil
				return false, r[2]
			end
			if coroutine.status(co) == "dead" then
				world.parents[co] = nil
				return unpack(r, 1, r.n)
			end
			local back = pack(coroutine.yield(unpack(r, 2, r.n)))
			r = pack(coroutine.resume(co, unpack(back, 1, back.n)))
		end
	end
end

-------------------------------------------------------------------------------
-- Instances

local newInstance

newInstance = function(world, className, props)
	local inst = { ClassName = className, Name = className, children = {},
	    attributes = {} }
	for k, v in pairs(props or {}) do
		inst[k] = v
	end
	inst.ChildAdded = newSignal(world, false)

	function inst:FindFirstChild(name)
		for _, c in ipairs(self.children) do
			if c.Name == name then
				return c
			end
		end
		return nil
	end

	function inst:FindFirstChildOfClass(cls)
		for _, c in ipairs(self.children) do
			if c.ClassName == cls then
				return c
			end
		end
		return nil
	end

	function inst:GetDescendants()
		local out = {}
		for _, c in ipairs(self.children) do
			out[#out + 1] = c
			for _, d in ipairs(c:GetDescendants()) do
				out[#out + 1] = d
			end
		end
		return out
	end

	function inst:GetChildren()
		local out = {}
		for i, c in ipairs(self.children) do
			out[i] = c
		end
		return out
	end

	function inst:WaitForChild(name, timeout)
		local deadline = world.now + (timeout or 3600)
		while world.now <= deadline do
			local c = self:FindFirstChild(name)
			if c then
				return c
			end
			world.task.wait(0.1)
		end
		return nil
	end

	function inst:SetAttribute(k, v)
		self.attributes[k] = v
	end

	function inst:GetAttribute(k)
		return self.attributes[k]
	end

	function inst:IsA(cls)
		return self.ClassName == cls
	end

	-- A copy without parent; children are not copied (none needed).
	function inst:Clone()
		local props = {}
		for k, v in pairs(inst) do
			if type(v) ~= "function" and k ~= "children" and
			    k ~= "attributes" and k ~= "ChildAdded" then
				props[k] = v
			end
		end
		return newInstance(world, self.ClassName, props)
	end

	-- Parent is a property whose assignment moves the instance.  The
	-- instance is a userdata, as Roblox's are: code that takes a table
	-- for a list of players, say, fails here as it would there.
	local parent
	local proxy = newproxy(true)
	local mt = getmetatable(proxy)
	mt.__tostring = function()
		return tostring(inst.Name)
	end
	for k, v in pairs({
		__index = function(_, k)
			if k == "Parent" then
				return parent
			end
			local v = inst[k]
			if v == nil and type(k) == "string" then
				-- As on Roblox, a child can be named like a property.
				return inst.FindFirstChild(inst, k)
			end
			return v
		end,
		__newindex = function(self, k, v)
			if k ~= "Parent" then
				inst[k] = v
				return
			end
			if parent then
				local ch = parent.children
				for i, c in ipairs(ch) do
					if c == self then
						table.remove(ch, i)
						break
					end
				end
			end
			parent = v
			if v then
				v.children[#v.children + 1] = self
				v.ChildAdded:Fire(self)
			end
		end,
	}) do
		mt[k] = v
	end
	return proxy
end

local function newRemoteEvent(world)
	local ev = newInstance(world, "RemoteEvent")
	ev.OnServerEvent = newSignal(world, true)
	ev.clientSignals = {}
	ev.clientFires = {}

	function ev:clientSignal(player)
		local s = self.clientSignals[player]
		if not s then
			s = newSignal(world, true)
			self.clientSignals[player] = s
		end
		return s
	end

	function ev:FireClient(player, ...)
		if type(player) ~= "userdata" or not player.UserId then
			error("FireClient: argument 1 must be a Player")
		end
		self.clientFires[#self.clientFires + 1] =
		    { player = player, n = select("#", ...), ... }
		world:record("FireClient", player, ...)
		self:clientSignal(player):Fire(...)
	end

	function ev:FireAllClients(...)
		for _, p in ipairs(world.players) do
			self:FireClient(p, ...)
		end
	end

	function ev:FireServer()
		error("FireServer can only be called from the client")
	end

	return ev
end

-- What a client sees of a RemoteEvent: FireServer carries its player.
local function clientView(ev, player)
	return {
		Name = ev.Name,
		ClassName = ev.ClassName,
		OnClientEvent = ev:clientSignal(player),
		FireServer = function(_, ...)
			ev.OnServerEvent:Fire(player, ...)
		end,
	}
end

local function newTeleportOptions(world)
	local opts = newInstance(world, "TeleportOptions")
	function opts:SetTeleportData(d)
		self.teleportData = d
	end
	function opts:GetTeleportData()
		return self.teleportData
	end
	return opts
end

-------------------------------------------------------------------------------
-- Services

-- Secrets as HttpService:GetSecret returns them: opaque, not printable or
-- concatenable; only RequestAsync sees the value (as a header value).
local secretValues = setmetatable({}, { __mode = "k" })

local function newSecret(value)
	local secret = setmetatable({}, {
		__tostring = function()
			return "Secret"
		end,
		__concat = function()
			error("attempt to concatenate a Secret")
		end,
		__index = function(_, k)
			error("Secret has no member " .. tostring(k))
		end,
		__newindex = function()
			error("Secret is read-only")
		end,
		__metatable = "The metatable is locked",
	})
	secretValues[secret] = value
	return secret
end

Mock.newSecret = newSecret

local function headerValue(v)
	if secretValues[v] ~= nil then
		return secretValues[v]
	end
	if type(v) ~= "string" then
		error("RequestAsync: header values must be strings or Secrets")
	end
	return v
end

local function newHttpService(world, transport)
	local http = newInstance(world, "HttpService")
	http.HttpEnabled = true
	http.log = {}
	http.injected = {}
	http.faults = {}
	http.secrets = {}
	-- Virtual seconds every reply takes; a request always yields.
	http.latency = 0

	function http:JSONEncode(v)
		return json.encode(v)
	end

	function http:JSONDecode(s)
		return json.decode(s)
	end

	function http:GenerateGUID(wrap)
		local hex = "0123456789abcdef"
		local function h(n)
			local out = {}
			for i = 1, n do
				local k = math.random(1, 16)
				out[i] = hex:sub(k, k)
			end
			return table.concat(out)
		end
		local v = math.random(1, 4)
		local g = h(8) .. "-" .. h(4) .. "-4" .. h(3) .. "-" ..
		    ("89ab"):sub(v, v) .. h(3) .. "-" .. h(12)
		if wrap ~= false then
			return "{" .. g:upper() .. "}"
		end
		return g
	end

	function http:GetSecret(name)
		local v = self.secrets[name]
		if v == nil then
			error("Can't find secret with given key")
		end
		return newSecret(v)
	end

	-- Queue a canned reply for the next call, whatever its URL:
	-- {StatusCode=503, Body=..., Headers=...} or {networkError="..."} to
	-- raise like a failed connection does.
	function http:inject(reply)
		self.injected[#self.injected + 1] = reply
	end

	-- A fault rule for the calls whose URL ends with rule.path (all when
	-- nil), applied to at most rule.count calls (unlimited when nil) made
	-- before virtual time rule.till (for ever when nil):
	--   StatusCode (+ Body, Headers)  reply that instead of the server
	--   networkError = "..."          raise as a failed connection does
	--   lostReply = true              the server gets the request and
	--                                 acts, the caller gets a network
	--                                 error (the reply is in the log
	--                                 entry's lostResponse)
	--   delay = s                     the reply comes s seconds later
	-- Returns the rule; set rule.off = true to lift it.
	function http:fault(rule)
		self.faults[#self.faults + 1] = rule
		return rule
	end

	local function matchFault(url)
		for _, r in ipairs(http.faults) do
			if not r.off and (r.path == nil or
			    url:sub(-#r.path) == r.path) and
			    (r.count == nil or r.count > 0) and
			    (r.till == nil or world.now < r.till) then
				if r.count then
					r.count = r.count - 1
				end
				return r
			end
		end
		return nil
	end

	function http:RequestAsync(req)
		if type(req) ~= "table" or type(req.Url) ~= "string" then
			error("RequestAsync: Url required")
		end
		local method = req.Method or "GET"
		local headers = {}
		for k, v in pairs(req.Headers or {}) do
			headers[k] = headerValue(v)
		end
		local entry = { method = method, url = req.Url, headers = req.Headers,
		    body = req.Body, at = world.now }
		if req.Body then
			local ok, doc = pcall(json.decode, req.Body)
			entry.json = ok and doc or nil
		end
		self.log[#self.log + 1] = entry
		world:record("http", method, req.Url)
		if not self.HttpEnabled then
			entry.status = 0
			error("Http requests are not enabled. Enable via game settings")
		end
		local canned = table.remove(self.injected, 1)
		local rule = nil
		if canned == nil then
			rule = matchFault(req.Url)
			if rule and rule.StatusCode == nil and
			    rule.networkError == nil then
				-- A delay or a lost reply: the server still answers.
				canned = nil
			else
				canned = rule
			end
		end
		world.task.wait((rule and rule.delay) or self.latency)
		entry.doneAt = world.now
		local status, body, respHeaders
		if rule and rule.lostReply then
			status, body = transport(method, req.Url, headers, req.Body)
			entry.lostResponse = body
			entry.status = 0
			error("HttpError: Timedout")
		end
		if canned then
			entry.injected = true
			if canned.networkError then
				entry.status = 0
				error("HttpError: " .. canned.networkError)
			end
			status, body = canned.StatusCode, canned.Body or ""
			respHeaders = canned.Headers or {}
		else
			status, body = transport(method, req.Url, headers, req.Body)
			respHeaders = {}
		end
		entry.status = status
		entry.response = body
		if status == 0 then
			error("HttpError: ConnectFail")
		end
		return {
			Success = status >= 200 and status < 300,
			StatusCode = status,
			StatusMessage = tostring(status),
			Headers = respHeaders,
			Body = body,
		}
	end

	-- Recorded calls whose URL ends with suffix.
	function http:calls(suffix)
		local out = {}
		for _, e in ipairs(self.log) do
			if suffix == nil or e.url:sub(-#suffix) == suffix then
				out[#out + 1] = e
			end
		end
		return out
	end

	return http
end

-------------------------------------------------------------------------------
-- Enums: items compare by identity and print as Roblox's do.

local function enumItem(enumType, name)
	return setmetatable({ Name = name, EnumType = enumType }, {
		__tostring = function()
			return "Enum." .. enumType .. "." .. name
		end,
	})
end

Mock.Enum = { TeleportResult = {}, RunContext = {} }
for _, n in ipairs({ "Success", "Failure", "GameNotFound", "GameEnded",
    "GameFull", "Unauthorized", "Flooded", "IsTeleporting" }) do
	Mock.Enum.TeleportResult[n] = enumItem("TeleportResult", n)
end
for _, n in ipairs({ "Legacy", "Server", "Client" }) do
	Mock.Enum.RunContext[n] = enumItem("RunContext", n)
end

-------------------------------------------------------------------------------
-- The world

local World = {}
World.__index = World

function Mock.new(opts)
	opts = opts or {}
	local w = setmetatable({ now = 0, seq = 0, queue = {}, errors = {},
	    warnings = {}, events = {}, players = {}, closeCallbacks = {},
	    clients = {}, parents = setmetatable({}, { __mode = "k" }),
	    studio = opts.studio == true, teleports = {}, clientScripts = {} },
	    World)
	w.task = newTask(w)
	w.pcall = newPcall(w)

	w.Players = newInstance(w, "Players")
	w.Players.PlayerAdded = newSignal(w, false)
	w.Players.PlayerRemoving = newSignal(w, false)
	w.Players.GetPlayers = function()
		local out = {}
		for i, p in ipairs(w.players) do
			out[i] = p
		end
		return out
	end

	w.HttpService = newHttpService(w, opts.transport or Mock.curl)
	w.ReplicatedStorage = newInstance(w, "ReplicatedStorage")
	w.TeleportService = newInstance(w, "TeleportService")
	w.TeleportService.TeleportInitFailed = newSignal(w, false)
	-- What a teleport does is the test's: w.teleportHandler(placeId,
	-- players, options) returns a result or raises, and may schedule
	-- w:teleportFailed or the players' leaving.  Each call is recorded
	-- with the teleport data as the destination would get it.
	w.TeleportService.TeleportAsync = function(_, placeId, players, options)
		local data = options and options:GetTeleportData()
		w.teleports[#w.teleports + 1] = { placeId = placeId,
		    players = players, options = options, at = w.now,
		    data = data and json.decode(json.encode(data)) }
		w:record("TeleportAsync", placeId, players, options)
		if w.teleportHandler == nil then
			error("mock: this world cannot teleport")
		end
		return w.teleportHandler(placeId, players, options)
	end
	w.RunService = newInstance(w, "RunService")
	w.RunService.IsStudio = function()
		return w.studio
	end
	-- A Script whose RunContext is Client runs on every client from
	-- ReplicatedStorage, on those already here and on those to come.
	w.ReplicatedStorage.ChildAdded:Connect(function(child)
		if child.ClassName == "Script" and child.sourcePath and
		    child.RunContext == Mock.Enum.RunContext.Client then
			w.clientScripts[#w.clientScripts + 1] = child.sourcePath
			for _, p in ipairs(w.players) do
				w:runClient(p, child.sourcePath)
			end
		end
	end)
	w.StarterPlayer = newInstance(w, "StarterPlayer")
	local sps = newInstance(w, "StarterPlayerScripts")
	sps.Name = "StarterPlayerScripts"
	sps.Parent = w.StarterPlayer

	local services = {
		Players = w.Players,
		HttpService = w.HttpService,
		ReplicatedStorage = w.ReplicatedStorage,
		TeleportService = w.TeleportService,
		RunService = w.RunService,
		StarterPlayer = w.StarterPlayer,
	}
	w.game = {
		GetService = function(_, name)
			local s = services[name]
			if not s then
				error("mock: no service " .. tostring(name))
			end
			return s
		end,
		BindToClose = function(_, fn)
			w.closeCallbacks[#w.closeCallbacks + 1] = fn
		end,
	}
	w.Instance = {
		new = function(cls)
			if cls == "RemoteEvent" then
				return newRemoteEvent(w)
			elseif cls == "TeleportOptions" then
				return newTeleportOptions(w)
			end
			return newInstance(w, cls)
		end,
	}
	return w
end

-- Ordered trace of what the SDK did that tests care about the order of.
function World:record(kind, ...)
	self.events[#self.events + 1] = { kind = kind, n = select("#", ...), ... }
end

function World:env(extra)
	local w = self
	local env = {
		game = w.game,
		task = w.task,
		pcall = w.pcall,
		Instance = w.Instance,
		warn = function(...)
			local parts = {}
			for i = 1, select("#", ...) do
				parts[i] = tostring((select(i, ...)))
			end
			w.warnings[#w.warnings + 1] = table.concat(parts, " ")
		end,
		os = { clock = function() return w.now end, time = os.time,
		    date = os.date },
	}
	env.Enum = Mock.Enum
	for k, v in pairs(extra or {}) do
		env[k] = v
	end
	env._G = env
	return setmetatable(env, { __index = _G })
end

-- Load a script file in this world; returns what the chunk returns.
function World:load(path, extra)
	local chunk = assert(loadfile(path))
	setfenv(chunk, self:env(extra))
	return chunk()
end

-- Run all threads due now (deferred events included).
function World:run()
	self:advance(0)
end

-- Move the virtual clock forward, resuming due threads in time order.
function World:advance(dt)
	local target = self.now + dt
	local rounds = 0
	while true do
		rounds = rounds + 1
		if rounds > 100000 then
			error("mock: scheduler did not settle")
		end
		local best, bi
		for i, e in ipairs(self.queue) do
			if e.at <= target and (best == nil or e.at < best.at or
			    (e.at == best.at and e.seq < best.seq)) then
				best, bi = e, i
			end
		end
		if not best then
			break
		end
		table.remove(self.queue, bi)
		if best.at > self.now then
			self.now = best.at
		end
		resume(self, best.co, unpack(best.args, 1, best.args.n))
	end
	self.now = target
end

function World:newPlayer(userId, joinData)
	local p = newInstance(self, "Player", { UserId = userId,
	    Name = "Player" .. tostring(userId) })
	local jd = joinData or {}
	p.GetJoinData = function()
		return { LaunchData = jd.LaunchData, TeleportData = jd.TeleportData,
		    SourcePlaceId = jd.SourcePlaceId }
	end
	-- A LocalScript (one a test made, with sourcePath naming its file)
	-- put into the player's PlayerGui runs on that player's client.
	local gui = newInstance(self, "PlayerGui")
	gui.Name = "PlayerGui"
	gui.Parent = p
	local w = self
	gui.ChildAdded:Connect(function(child)
		local all = child:GetDescendants()
		table.insert(all, 1, child)
		for _, d in ipairs(all) do
			if d.ClassName == "LocalScript" and d.sourcePath then
				w:runClient(p, d.sourcePath)
			end
		end
	end)
	return p
end

-- A player joins: PlayerAdded fires and, unless noClient, the client
-- script runs for them (it waits for the remotes and fires ready).
function World:join(userId, joinData, clientPath)
	local p = self:newPlayer(userId, joinData)
	self.players[#self.players + 1] = p
	self.Players.PlayerAdded:Fire(p)
	if clientPath then
		self:runClient(p, clientPath)
	end
	for _, path in ipairs(self.clientScripts) do
		self:runClient(p, path)
	end
	return p
end

-- The client script of one player, with a client's view of the game.
function World:runClient(player, path)
	local w = self
	local rs = {
		FindFirstChild = function(_, name)
			local ev = w.ReplicatedStorage:FindFirstChild(name)
			return ev and clientView(ev, player)
		end,
		WaitForChild = function(_, name, timeout)
			local ev = w.ReplicatedStorage:WaitForChild(name, timeout)
			return ev and clientView(ev, player)
		end,
	}
	local players = { LocalPlayer = player }
	local services = { ReplicatedStorage = rs, Players = players }
	local clientGame = {
		GetService = function(_, name)
			return services[name] or error("mock: no client service " .. name)
		end,
	}
	local chunk = assert(loadfile(path))
	setfenv(chunk, self:env({ game = clientGame }))
	self.task.spawn(chunk)
end

function World:leave(player)
	for i, p in ipairs(self.players) do
		if p == player then
			table.remove(self.players, i)
			break
		end
	end
	self.Players.PlayerRemoving:Fire(player)
	-- What the handlers start without waiting (an end call) goes out now;
	-- from a thread (a teleport handler) the running clock does that.
	if coroutine.running() == nil then
		self:run()
	end
end

-- The server shuts down: every BindToClose callback runs in a thread and
-- the clock advances until they have all returned (at most 30 s, as
-- Roblox).  Returns whether they all did, and the virtual time at which
-- the last one returned (world.closedAt).
function World:close()
	local done = 0
	local start = self.now
	for _, fn in ipairs(self.closeCallbacks) do
		self.task.spawn(function()
			fn()
			done = done + 1
			self.closedAt = self.now
		end)
	end
	local step = 0.1
	while done < #self.closeCallbacks and self.now - start < 30 do
		self:advance(step)
	end
	return done == #self.closeCallbacks, self.closedAt
end

-- Fire TeleportService.TeleportInitFailed for a player, as Roblox does
-- when a teleport could not start; result names an Enum.TeleportResult
-- ("Failure" by default).
function World:teleportFailed(player, options, result)
	local item = Mock.Enum.TeleportResult[result or "Failure"] or
	    enumItem("TeleportResult", result)
	self.TeleportService.TeleportInitFailed:Fire(player, item,
	    "mock teleport failure", 0, options)
end

return Mock
