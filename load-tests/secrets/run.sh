#!/usr/bin/env bash
# secrets-service benchmark (issue 5, Performance): in one run, against one service process,
#   - secret reads (GET /secrets/v1/{path}) vs the bare SELECT of the same row through the same
#     reactive pool (GET /bench/select/{path}), both over HTTP with the same JWT, A/B/A/B;
#   - the same two without HTTP, in loops inside the process (POST /bench/inprocess);
#   - secret writes (PUT /secrets/v1/{path}) vs a bare one-row INSERT commit of the same size
#     (POST /bench/commit/{path}), A/B/A/B;
# with the service's CPU time per operation. Figures are ratios against the baseline of the same run.
#
# Needs: a JDK, wrk, curl, openssl, psql, redis-cli; PostgreSQL and Redis (default the local ones).
# It builds a separate artifact (target/bench, profile secrets-bench), uses a throwaway database
# and Redis key, a random KEK, and the test-only JWT key of security-common; it removes all of them.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/load-tests/secrets
PG_HOST=${BENCH_PG_HOST:-127.0.0.1}
PG_PORT=${BENCH_PG_PORT:-5432}
PG_USER=${BENCH_PG_USER:-postgres}
REDIS_HOST=${BENCH_REDIS_HOST:-127.0.0.1}
REDIS_PORT=${BENCH_REDIS_PORT:-6379}
DURATION=${DURATION:-10}        # seconds per measured wrk run
WARMUP=${WARMUP:-3}             # seconds of warm-up before each measured run (not measured)
GLOBAL_WARMUP=${GLOBAL_WARMUP:-15}  # seconds per scenario of JIT warm-up before anything is measured
ROUNDS=${ROUNDS:-4}             # A/B rounds per comparison; the median of the per-round ratios is reported
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
DB=portcullis_secrets_bench_$$
OUTBOX="audit:outbox:{bench-$$}"
WORK=$(mktemp -d)
chmod 700 "$WORK"
PID=

say() { printf '%s\n' "$*" >&2; }
cleanup() {
    local rc=$?
    if [ "$rc" != 0 ] && [ -f "$WORK/service.log" ]; then
        say "--- last lines of the service log ---"
        grep -v '^\s*at ' "$WORK/service.log" | tail -25 >&2
    fi
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
    psql -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
    redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" DEL "$OUTBOX" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

for tool in java wrk curl openssl psql redis-cli python3; do
    command -v "$tool" >/dev/null || { say "$tool is required"; exit 1; }
done

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    say "building the benchmark artifact (profile secrets-bench, into secrets-service/target/bench)"
    (cd "$ROOT" && ./mvnw -B -q -pl secrets-service -am package -Psecrets-bench -DskipTests)
fi
JAR=$ROOT/secrets-service/target/bench/quarkus-app/quarkus-run.jar

psql -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -c "CREATE DATABASE $DB" >/dev/null
head -c 32 /dev/urandom | base64 > "$WORK/kek"
chmod 600 "$WORK/kek"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
PORT=$(free_port)
MPORT=$(free_port)
KEYS=$ROOT/security-common/src/test/resources/test-keys

PORTCULLIS_SECRETS_KEK_FILE="$WORK/kek" java ${BENCH_JAVA_OPTS:-} \
    -Dquarkus.http.port="$PORT" -Dquarkus.management.port="$MPORT" \
    -Dquarkus.datasource.reactive.url="postgresql://$PG_HOST:$PG_PORT/$DB" \
    -Dquarkus.datasource.jdbc.url="jdbc:postgresql://$PG_HOST:$PG_PORT/$DB" \
    -Dquarkus.datasource.username="$PG_USER" \
    -Dquarkus.redis.hosts="redis://$REDIS_HOST:$REDIS_PORT" \
    -Dmp.jwt.verify.publickey.location="$KEYS/jwt-public.pem" \
    -Dportcullis.audit.forward=false -Dportcullis.audit.outbox-key="$OUTBOX" \
    -Dquarkus.log.console.json.enabled=false \
    -jar "$JAR" >"$WORK/service.log" 2>&1 &
PID=$!
for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$MPORT/q/health/ready" >/dev/null 2>&1 && break
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/service.log" >&2; exit 1; }
    sleep 0.5
done
curl -fs "http://127.0.0.1:$MPORT/q/health/ready" >/dev/null || { say "the service did not become ready"; tail -50 "$WORK/service.log" >&2; exit 1; }

# a 15-minute admin token signed with the test-only key (the admin policy grants everything)
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
NOW=$(date +%s)
HEADER=$(printf '{"alg":"RS256","typ":"JWT","kid":"test-key-1"}' | b64url)
PAYLOAD=$(printf '{"iss":"urn:portcullis:auth","sub":"bench","upn":"bench","aud":"portcullis","groups":["admin"],"jti":"%s","iat":%d,"exp":%d}' \
    "$(openssl rand -hex 16)" "$NOW" "$((NOW + 900))" | b64url)
SIG=$(printf '%s.%s' "$HEADER" "$PAYLOAD" | openssl dgst -sha256 -sign "$KEYS/jwt-private.pem" | b64url)
export BENCH_TOKEN="$HEADER.$PAYLOAD.$SIG"
BASE=http://127.0.0.1:$PORT
AUTH=(-H "Authorization: Bearer $BENCH_TOKEN" -H "Content-Type: application/json")

VALUE=$(printf 'v%.0s' $(seq 1 100))
curl -fs "${AUTH[@]}" -X PUT -d "{\"value\":\"$VALUE\"}" "$BASE/secrets/v1/bench/read/small" >/dev/null
curl -fs "${AUTH[@]}" "$BASE/secrets/v1/bench/read/small" | grep -q "$VALUE"
curl -fs "${AUTH[@]}" "$BASE/bench/select/bench/read/small?version=1" | grep -q '"bytes":116'

cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
# PostgreSQL's CPU (every postgres process: backends, WAL writer, checkpointer, autovacuum), as far as
# this machine runs it; 0 when it runs elsewhere
pg_ticks() { local t=0 p; for p in $(pgrep -x postgres); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
TICKS=$(getconf CLK_TCK)

# run <label> <url> [script env...]: prints "label requests/s cpu-ms-per-1000-requests"
run() {
    local label=$1 url=$2 script=$3 out before after rps non2xx
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$script" "$url" >/dev/null
    before=$(cpu_ticks); pg_before=$(pg_ticks)
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$script" "$url")
    after=$(cpu_ticks); pg_after=$(pg_ticks)
    rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
    non2xx=$(printf '%s\n' "$out" | awk '/Non-2xx/ {print $5}')
    if [ -n "$non2xx" ]; then
        say "$label: $non2xx non-2xx responses; one request for a look:"
        if [ -n "${BENCH_PREFIX:-}" ] && [ "$script" = "$HERE/wrk/put.lua" ]; then
            curl -s -i "${AUTH[@]}" -X "$BENCH_METHOD" -d "{\"value\":\"$VALUE\"}" "$url$BENCH_PREFIX/t1/p1" >&2 || true
        else
            curl -s -i "${AUTH[@]}" "$url" >&2 || true
        fi
        exit 1
    fi
    local total
    total=$(printf '%s\n' "$out" | awk '/requests in/ {print $1}')
    printf '%s %s %s %s\n' "$label" "$rps" "$(python3 -c "print(round(($after-$before)/$TICKS*1000/$total*1000, 1))")" \
        "$(python3 -c "print(round(($pg_after-$pg_before)/$TICKS*1000/$total*1000, 1))")"
}

# JIT warm-up of everything both sides share (HTTP, JWT, JSON, the pool) before anything is measured
say "warming up: $((4 * GLOBAL_WARMUP))s"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${GLOBAL_WARMUP}s" -s "$HERE/wrk/get.lua" "$BASE/bench/select/bench/read/small?version=1" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${GLOBAL_WARMUP}s" -s "$HERE/wrk/get.lua" "$BASE/secrets/v1/bench/read/small" >/dev/null
BENCH_METHOD=POST BENCH_PREFIX=/bench/commit/bench/warm wrk -t"$THREADS" -c"$CONNECTIONS" -d"${GLOBAL_WARMUP}s" -s "$HERE/wrk/put.lua" "$BASE" >/dev/null
BENCH_METHOD=PUT BENCH_PREFIX=/secrets/v1/bench/warm wrk -t"$THREADS" -c"$CONNECTIONS" -d"${GLOBAL_WARMUP}s" -s "$HERE/wrk/put.lua" "$BASE" >/dev/null

say "reads: $THREADS wrk threads, $CONNECTIONS connections, ${WARMUP}s warm-up + ${DURATION}s per run, $ROUNDS rounds A/B"
RESULTS=$WORK/results
: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
    run "select$round" "$BASE/bench/select/bench/read/small?version=1" "$HERE/wrk/get.lua" | tee -a "$RESULTS" >&2
    run "read$round" "$BASE/secrets/v1/bench/read/small" "$HERE/wrk/get.lua" | tee -a "$RESULTS" >&2
done
say "writes: same settings, 1,024 paths per wrk thread"
for round in $(seq 1 "$ROUNDS"); do
    export BENCH_METHOD=POST BENCH_PREFIX=/bench/commit/bench/c$round
    run "commit$round" "$BASE" "$HERE/wrk/put.lua" | tee -a "$RESULTS" >&2
    export BENCH_METHOD=PUT BENCH_PREFIX=/secrets/v1/bench/w$round
    run "write$round" "$BASE" "$HERE/wrk/put.lua" | tee -a "$RESULTS" >&2
done
say "writes, one at a time (1 connection): commit latency, not throughput of the box, decides"
for round in $(seq 1 "$ROUNDS"); do
    export BENCH_METHOD=POST BENCH_PREFIX=/bench/commit/bench/s$round
    CONNECTIONS=1 THREADS=1 run "serialcommit$round" "$BASE" "$HERE/wrk/put.lua" | tee -a "$RESULTS" >&2
    export BENCH_METHOD=PUT BENCH_PREFIX=/secrets/v1/bench/s$round
    CONNECTIONS=1 THREADS=1 run "serialwrite$round" "$BASE" "$HERE/wrk/put.lua" | tee -a "$RESULTS" >&2
done
say "in-process (no HTTP): 5 s per run, 32 in flight, A/B/A/B"
INPROC=$(curl -fs "${AUTH[@]}" -X POST "$BASE/bench/inprocess?path=bench/read/small&version=1&seconds=5&concurrency=32&bytes=100")
say "$INPROC"
SEAL64=$(curl -fs "${AUTH[@]}" -X POST "$BASE/bench/inprocess?path=bench/read/small&version=1&seconds=1&concurrency=1&bytes=65536" \
    | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["sealMicros"],1))')

python3 - "$RESULTS" "$INPROC" "$SEAL64" "$ROUNDS" <<'PY'
import json, statistics, sys
rows = {l.split()[0]: tuple(float(x) for x in l.split()[1:4]) for l in open(sys.argv[1])}
inproc = json.loads(sys.argv[2])
rounds = [str(r) for r in range(1, int(sys.argv[4]) + 1)]
def mean(p): return statistics.mean(rows[p + r][0] for r in rounds)
def cpu(p): return statistics.mean(rows[p + r][1] for r in rounds)
def pg(p): return statistics.mean(rows[p + r][2] for r in rounds)
def ratios(a, b): return [rows[a + r][0] / rows[b + r][0] for r in rounds]
print()
print(f"| scenario | requests/s (mean of {len(rounds)}) | service CPU ms / 1,000 requests | PostgreSQL CPU ms / 1,000 requests |")
print("|---|---|---|---|")
for name, p in (("bare SELECT of the row (HTTP, baseline)", "select"), ("secret read (HTTP)", "read"),
                ("bare INSERT commit (HTTP, baseline)", "commit"), ("secret write (HTTP)", "write"),
                ("bare INSERT commit, 1 connection (baseline)", "serialcommit"),
                ("secret write, 1 connection", "serialwrite")):
    print(f"| {name} | {mean(p):,.0f} | {cpu(p):.0f} | {pg(p):.0f} |")
print()
for label, a, b in (("reads / bare SELECT, over HTTP", "read", "select"),
                    ("writes / bare commits, over HTTP", "write", "commit"),
                    ("writes / bare commits, 1 connection", "serialwrite", "serialcommit")):
    rs = ratios(a, b)
    print(f"{label}: median {statistics.median(rs):.2f}  (rounds: {', '.join(f'{x:.2f}' for x in rs)})")
isel = (inproc["select1"] + inproc["select2"]) / 2
ird = (inproc["read1"] + inproc["read2"]) / 2
print(f"reads / bare SELECT, in-process: {ird / isel:.2f}  ({ird:,.0f} vs {isel:,.0f} per second)")
print(f"sealing a value (new DEK + 2 AES-GCM): {inproc['sealMicros']:.1f} us for 100 B, {float(sys.argv[3]):.1f} us for 64 KiB")
PY
