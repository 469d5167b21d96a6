-- Writes of a 100-byte value spread over 1,024 paths per wrk thread (so most writes are new versions
-- of an existing path, with the oldest beyond max_versions removed), as BENCH_METHOD (PUT for the
-- secrets API, POST for the bare-commit baseline) under BENCH_PREFIX.
local threads = 0
function setup(thread)
    threads = threads + 1
    thread:set("id", threads)
end

local counter = 0
local prefix = os.getenv("BENCH_PREFIX")
wrk.method = os.getenv("BENCH_METHOD")
wrk.body = '{"value":"' .. string.rep("v", 100) .. '"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")

request = function()
    counter = counter + 1
    return wrk.format(nil, prefix .. "/t" .. id .. "/p" .. (counter % 1024))
end
