-- Acquire or extend a lease: whoever holds KEYS[1] keeps it, anyone may take it when it is free.
-- KEYS[1] lease key   ARGV[1] holder id   ARGV[2] lease length in milliseconds
-- Returns 1 when ARGV[1] holds the lease after the call, else 0.
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return 1
end
if holder == false then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
    return 1
end
return 0
