-- GET with the benchmark's bearer token (BENCH_TOKEN).
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
wrk.headers["Accept"] = "application/json"
