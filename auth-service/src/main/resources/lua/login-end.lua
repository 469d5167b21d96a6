-- Gives back an admission of login-begin.lua; on a success (ARGV[1] = 1) also forgets the account's
-- failures and lock history, as a successful login does.
-- KEYS[1] the account's counter   KEYS[2] its verifications in flight
local left = redis.call('DECR', KEYS[2])
if left <= 0 then
    redis.call('DEL', KEYS[2])
end
if ARGV[1] == '1' then
    redis.call('DEL', KEYS[1])
end
return left
