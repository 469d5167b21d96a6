-- Records one failed login against a counter (an account or a client address) and locks it when the
-- count reaches the threshold within the window. Each further lock lasts twice the previous one, up
-- to a cap; failures while locked are not counted (they cannot extend the lock).
--
-- KEYS[1]  the counter (a hash: count, first, until, lockouts)
-- KEYS[2]  optional: the account's verifications in flight (login-begin.lua), one given back here
-- ARGV[1]  now in ms, or '' to take Redis' own clock (production)
-- ARGV[2]  threshold   ARGV[3] window ms   ARGV[4] first lock ms   ARGV[5] longest lock ms
-- ARGV[6]  how long a lock history is remembered after the last failure, ms (a counter never locked
--          lives only for its window)
-- Returns { ms the key is locked for from now (0 = not locked), failures counted in this window }
local now = tonumber(ARGV[1])
if not now then
    local t = redis.call('TIME')
    now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local threshold = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local base = tonumber(ARGV[4])
local cap = tonumber(ARGV[5])
local memory = tonumber(ARGV[6])

if KEYS[2] then
    if redis.call('DECR', KEYS[2]) <= 0 then
        redis.call('DEL', KEYS[2])
    end
end
local h = redis.call('HMGET', KEYS[1], 'count', 'first', 'until', 'lockouts')
local count = tonumber(h[1]) or 0
local first = tonumber(h[2]) or now
local lockedUntil = tonumber(h[3]) or 0
local lockouts = tonumber(h[4]) or 0

if lockedUntil > now then
    return { lockedUntil - now, count }
end
if now - first >= window then
    count = 0
    first = now
end
count = count + 1
local lock = 0
if count >= threshold then
    lock = base * (2 ^ lockouts)
    if lock > cap then
        lock = cap
    end
    lockedUntil = now + lock
    lockouts = lockouts + 1
    count = 0
    first = now
end
redis.call('HSET', KEYS[1], 'count', count, 'first', first, 'until', lockedUntil, 'lockouts', lockouts)
local ttl = window
if lockedUntil - now > ttl then
    ttl = lockedUntil - now
end
-- the lock history is what must be remembered; a counter that never locked matters only within its
-- window (a flood of made-up names must not leave a day's worth of keys behind)
if lockouts > 0 then
    ttl = ttl + memory
end
redis.call('PEXPIRE', KEYS[1], ttl)
return { lock, count }
