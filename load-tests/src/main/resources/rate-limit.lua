-- GCRA (the generic cell rate algorithm, a.k.a. virtual scheduling) over one or more limits,
-- atomically: a request passes only if every limit lets it through, and only then is any limit
-- charged. Exact under any concurrency and on any number of gateways sharing this Redis.
--
-- A limit of Q requests per window W (microseconds) lets a burst of Q through from rest and then one
-- every W/Q. To stay exact for any Q with floating-point Lua numbers, each key keeps its "debt" (how
-- far its theoretical arrival time runs ahead of now) in units of 1/Q microsecond, so that one request
-- costs exactly W units and the bucket holds W*Q units; all values stay integers below 2^53.
--
-- KEYS[i]      one key per limit (a hash: d = debt in units, s = when it was written, us); all keys of
--              one call share a hash tag, so the call stays in one cluster slot
-- ARGV[1]      now in microseconds, or '' to take Redis' own clock (production)
-- ARGV[2i]     Q of limit i      ARGV[2i+1]   W of limit i in microseconds
-- Returns { allowed (1|0), retry after in us (0 when allowed), index of the tightest limit (1-based),
--           its remaining requests, us until it is back to rest }
local now
if ARGV[1] ~= '' then
    now = tonumber(ARGV[1])
else
    local t = redis.call('TIME')
    now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end

local n = #KEYS
local debts = {}
local allowed = 1
local retry = 0
local tightest = 1
local tightestRemaining = -1
local tightestReset = 0

for i = 1, n do
    local q = tonumber(ARGV[2 * i])
    local w = tonumber(ARGV[2 * i + 1])
    local state = redis.call('HMGET', KEYS[i], 'd', 's')
    local debt = tonumber(state[1]) or 0
    local since = tonumber(state[2]) or now
    local elapsed = now - since
    if elapsed < 0 then
        elapsed = 0
    elseif elapsed > w then
        elapsed = w
    end
    debt = debt - elapsed * q
    if debt < 0 then
        debt = 0
    end
    local charged = debt + w
    local capacity = w * q
    local remaining
    local reset
    if charged > capacity then
        allowed = 0
        local wait = math.ceil((charged - capacity) / q)
        if wait > retry then
            retry = wait
        end
        remaining = 0
        reset = math.ceil(debt / q)
    else
        remaining = math.floor((capacity - charged) / w)
        reset = math.ceil(charged / q)
    end
    debts[i] = charged
    if tightestRemaining < 0 or remaining < tightestRemaining then
        tightest = i
        tightestRemaining = remaining
        tightestReset = reset
    end
end

if allowed == 1 then
    for i = 1, n do
        local q = tonumber(ARGV[2 * i])
        local ttlMs = math.ceil(debts[i] / q / 1000) + 1000
        redis.call('HSET', KEYS[i], 'd', string.format('%d', debts[i]), 's', string.format('%d', now))
        redis.call('PEXPIRE', KEYS[i], ttlMs)
    end
end
return { allowed, retry, tightest, tightestRemaining, tightestReset }
