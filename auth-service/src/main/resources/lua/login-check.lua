-- How long a counter (account or client address) stays locked.
-- KEYS[1] the counter   ARGV[1] now in ms, or '' to take Redis' own clock
-- Returns the remaining lock in ms, 0 when not locked.
local now = tonumber(ARGV[1])
if not now then
    local t = redis.call('TIME')
    now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local lockedUntil = tonumber(redis.call('HGET', KEYS[1], 'until')) or 0
if lockedUntil > now then
    return lockedUntil - now
end
return 0
