-- Admits one password verification against an account, atomically: refused while the account is
-- locked, and while the failures counted in the window plus the verifications already in flight
-- reach the threshold. So that parallel guesses cannot overtake the lock: of N concurrent attempts on
-- an account with F failures, at most threshold - F are verified, on any number of instances.
--
-- KEYS[1]  the account's counter (a hash: count, first, until, lockouts; see login-failure.lua)
-- KEYS[2]  its verifications in flight (a counter in the same slot; each finished one gives its back)
-- KEYS[3]  the user's session epoch (same slot), returned so that the login can tell if it moved
-- ARGV[1]  now in ms, or '' to take Redis' own clock (production)
-- ARGV[2]  threshold   ARGV[3] window ms   ARGV[4] how long an unreturned admission lasts, ms
-- Returns { ms the account is locked for from now (0 = not locked), 1 when admitted else 0, epoch }
local now = tonumber(ARGV[1])
if not now then
    local t = redis.call('TIME')
    now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local threshold = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local admission = tonumber(ARGV[4])

local h = redis.call('HMGET', KEYS[1], 'count', 'first', 'until')
local count = tonumber(h[1]) or 0
local first = tonumber(h[2]) or now
local lockedUntil = tonumber(h[3]) or 0
local epoch = tonumber(redis.call('GET', KEYS[3])) or 0
if lockedUntil > now then
    return { lockedUntil - now, 0, epoch }
end
if now - first >= window then
    count = 0
end
local inFlight = tonumber(redis.call('GET', KEYS[2])) or 0
if count + inFlight >= threshold then
    return { 0, 0, epoch }
end
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], admission)
return { 0, 1, epoch }
