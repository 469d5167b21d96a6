#!/usr/bin/env bash
# Gateway benchmark (issue 4): the same wrk client, connections and duration against a static upstream
# directly, then through the gateway with a valid key and a limit that is not hit; then a constant-rate
# load at half the gateway's peak, both ways, for the added p99; and Redis calls per request.
#
# Needs the suite running (deploy/local/run.sh): it reuses its PostgreSQL, Redis and auth-service, and
# starts its own gateway (port 18080) in front of a static upstream (port 18090).
# Usage: [OPEN_RATE=req/s] [WARMUP=seconds] load-tests/bench-gateway.sh [seconds=20] [connections=50]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECS=${1:-20}
CONN=${2:-50}
STATE=$ROOT/.portcullis
[ -f "$STATE/credentials.env" ] || { echo "run deploy/local/run.sh first" >&2; exit 1; }
set -a; . "$STATE/infra.env"; . "$STATE/credentials.env"; set +a
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }

(cd "$ROOT" && ./mvnw -B -q -f load-tests/pom.xml package)
CP="$ROOT/load-tests/target/load-tests-0.1.0-SNAPSHOT.jar:$ROOT/load-tests/target/lib/*"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

java -Xmx256m -cp "$CP" io.portcullis.load.StaticUpstream 18090 & PIDS+=($!)
env QUARKUS_HTTP_PORT=18080 QUARKUS_MANAGEMENT_PORT=19080 \
    QUARKUS_DATASOURCE_USERNAME="$PORTCULLIS_PG_USER" QUARKUS_DATASOURCE_PASSWORD_FILE="$PORTCULLIS_PG_PASSWORD_FILE" \
    QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://$PORTCULLIS_PG_HOST:$PORTCULLIS_PG_PORT/portcullis_gateway" \
    QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://$PORTCULLIS_PG_HOST:$PORTCULLIS_PG_PORT/portcullis_gateway" \
    QUARKUS_REDIS_HOSTS="$PORTCULLIS_REDIS_URL" QUARKUS_REDIS_PASSWORD_FILE="$PORTCULLIS_REDIS_PASSWORD_FILE" \
    PORTCULLIS_GATEWAY_UPSTREAMS_SECRETS=http://127.0.0.1:18090 \
    PORTCULLIS_GATEWAY_RATE_LIMIT_PER_ADDRESS_REQUESTS=100000000 \
    PORTCULLIS_CLIENT_ID=gateway PORTCULLIS_CLIENT_SECRET_FILE="$STATE/secrets/clients/gateway" \
    QUARKUS_LOG_LEVEL=WARN \
    java -Xms256m -Xmx512m ${BENCH_JAVA_OPTS:-} -jar "$ROOT/gateway/target/quarkus-app/quarkus-run.jar" >"$STATE/logs/bench-gateway.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:19080/q/health/ready >/dev/null && break; sleep 0.5; done

ADMIN_JWT=$(curl -sf -H "X-API-Key: $PORTCULLIS_ADMIN_API_KEY" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$PORTCULLIS_ADMIN_USER\",\"password\":\"$PORTCULLIS_ADMIN_PASSWORD\"}" \
    "$PORTCULLIS_GATEWAY_URL/auth/login" | sed 's/.*"accessToken":"\([^"]*\)".*/\1/')
KEY=$(curl -sf -H "X-API-Key: $PORTCULLIS_ADMIN_API_KEY" -H "Authorization: Bearer $ADMIN_JWT" -H 'Content-Type: application/json' \
    -d '{"name":"benchmark","scopes":["/secrets"],"rateLimit":{"requests":1000000,"windowSeconds":60}}' \
    http://127.0.0.1:18080/gateway/keys | sed 's/.*"apiKey":"\([^"]*\)".*/\1/')

REDIS_PW=$(cat "$PORTCULLIS_REDIS_PASSWORD_FILE")
REDIS_PORT=${PORTCULLIS_REDIS_URL##*:}
evalsha() { redis-cli -p "$REDIS_PORT" -a "$REDIS_PW" --no-auth-warning info commandstats | sed -n 's/^cmdstat_evalsha:calls=\([0-9]*\),.*/\1/p'; }
rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'; }

# warm-up: under this load C2 spends about half a core compiling the gateway for its first 30-40 s
# (5.8, 5.5 and 3.2 s of compiler CPU in the first three 10 s, then under 0.5 s per 10 s), so each proxy
# gets WARMUP seconds (45 by default) before it is measured, and so does the upstream
WARMUP=${WARMUP:-45}
echo "== warm-up (${WARMUP}s each)"
wrk -t1 -c"$CONN" -d"${WARMUP}s" http://127.0.0.1:18090/secrets/v1/x >/dev/null
wrk -t1 -c"$CONN" -d"${WARMUP}s" -H "X-API-Key: $KEY" http://127.0.0.1:18080/secrets/v1/x >/dev/null

echo "== closed loop: wrk -t1 -c$CONN -d${SECS}s"
DIRECT=$(wrk -t1 -c"$CONN" -d"${SECS}s" --latency http://127.0.0.1:18090/secrets/v1/x | tee /dev/stderr | rps)
E1=$(evalsha)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime, in clock ticks
REDIS_PID=$(pgrep -f "redis-server.*:$REDIS_PORT" | head -1)
GW_PID=${PIDS[1]}; UP_PID=${PIDS[0]}
C0=("$(cpu "$GW_PID")" "$(cpu "$REDIS_PID")" "$(cpu "$UP_PID")")
GW_OUT=$(wrk -t1 -c"$CONN" -d"${SECS}s" --latency -H "X-API-Key: $KEY" http://127.0.0.1:18080/secrets/v1/x | tee /dev/stderr)
E2=$(evalsha)
C1=("$(cpu "$GW_PID")" "$(cpu "$REDIS_PID")" "$(cpu "$UP_PID")")
TICKS=$(getconf CLK_TCK)
CPU_LINE=$(python3 -c "t=$TICKS; s=$SECS; print(f'gateway {(${C1[0]}-${C0[0]})/t/s:.2f}, redis {(${C1[1]}-${C0[1]})/t/s:.2f}, upstream {(${C1[2]}-${C0[2]})/t/s:.2f} cores')")
GW=$(echo "$GW_OUT" | rps)
REQS=$(echo "$GW_OUT" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
NON2XX=$(echo "$GW_OUT" | sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p')

echo "$CPU_LINE" > /tmp/bench-gateway-cpu.txt

echo "== the floor of any JVM proxy here: a bare Vert.x proxy, without and with one call of the same Lua script"
java -Xmx256m -cp "$CP" io.portcullis.load.BareProxy 18092 18090 2>>"$STATE/logs/bare-proxy.log" & PIDS+=($!)
java -Xmx256m -cp "$CP" io.portcullis.load.BareProxy 18093 18090 "$REDIS_PORT" "$REDIS_PW" 2>>"$STATE/logs/bare-proxy.log" & PIDS+=($!)
java -Xmx256m -cp "$CP" io.portcullis.load.BareProxy 18094 18090 "$REDIS_PORT" "$REDIS_PW" per-loop 2>>"$STATE/logs/bare-proxy.log" & PIDS+=($!)
sleep 3
wrk -t1 -c"$CONN" -d"${WARMUP}s" http://127.0.0.1:18092/secrets/v1/x >/dev/null
wrk -t1 -c"$CONN" -d"${WARMUP}s" http://127.0.0.1:18093/secrets/v1/x >/dev/null
wrk -t1 -c"$CONN" -d"${WARMUP}s" http://127.0.0.1:18094/secrets/v1/x >/dev/null
BARE=$(wrk -t1 -c"$CONN" -d"${SECS}s" http://127.0.0.1:18092/secrets/v1/x | rps)
BARE_REDIS=$(wrk -t1 -c"$CONN" -d"${SECS}s" http://127.0.0.1:18093/secrets/v1/x | rps)
BARE_LOOP=$(wrk -t1 -c"$CONN" -d"${SECS}s" http://127.0.0.1:18094/secrets/v1/x | rps)
echo "$BARE $BARE_REDIS $BARE_LOOP" > /tmp/bench-gateway-bare.txt
HALF=${OPEN_RATE:-$(python3 -c "print(int(float('$GW')/2))")}
echo "== open loop at $HALF req/s for ${SECS}s (half the gateway's peak unless OPEN_RATE is set)"
OPEN_DIRECT=$(java -cp "$CP" io.portcullis.load.OpenLoad http://127.0.0.1:18090/secrets/v1/x "$HALF" "$SECS")
OPEN_GW=$(java -cp "$CP" io.portcullis.load.OpenLoad http://127.0.0.1:18080/secrets/v1/x "$HALF" "$SECS" "X-API-Key:$KEY")
OPEN_BARE=$(java -cp "$CP" io.portcullis.load.OpenLoad http://127.0.0.1:18092/secrets/v1/x "$HALF" "$SECS")
OPEN_BARE_REDIS=$(java -cp "$CP" io.portcullis.load.OpenLoad http://127.0.0.1:18093/secrets/v1/x "$HALF" "$SECS")
kill "${PIDS[2]}" "${PIDS[3]}" "${PIDS[4]}" 2>/dev/null || true
echo "direct    : $OPEN_DIRECT"
echo "gateway   : $OPEN_GW"
echo "bare      : $OPEN_BARE"
echo "bare + Lua: $OPEN_BARE_REDIS"

python3 - "$DIRECT" "$GW" "$E1" "$E2" "$REQS" "${NON2XX:-0}" "$OPEN_DIRECT" "$OPEN_GW" "$OPEN_BARE" "$OPEN_BARE_REDIS" <<'PY'
import re, sys
direct, gw, e1, e2, reqs, non2xx, od, og, ob, obr = sys.argv[1:]
p99 = lambda s: float(re.search(r'p99=([0-9.]+)ms', s).group(1))
print("\n== summary")
print(f"direct       {float(direct):>10.0f} req/s")
bare, bare_redis, bare_loop = map(float, open('/tmp/bench-gateway-bare.txt').read().split())
print(f"bare proxy   {bare:>10.0f} req/s  = {bare/float(direct)*100:.0f}% of direct (no checks at all)")
print(f"bare + Lua   {bare_redis:>10.0f} req/s  = {bare_redis/float(direct)*100:.0f}% of direct (one EVALSHA of the same script, pooled client)")
print(f"bare + Lua/l {bare_loop:>10.0f} req/s  = {bare_loop/float(direct)*100:.0f}% of direct (the same on one connection per event loop, as the gateway)")
print(f"via gateway  {float(gw):>10.0f} req/s  = {float(gw)/float(direct)*100:.0f}% of direct, {float(gw)/bare_loop*100:.0f}% of bare + Lua/l  (non-2xx: {non2xx})")
print(f"Redis EVALSHA per proxied request: {(int(e2)-int(e1))/int(reqs):.3f}")
print("CPU during the gateway run: " + open('/tmp/bench-gateway-cpu.txt').read().strip())
print(f"p99 at the open-loop rate: direct {p99(od):.2f} ms, via gateway {p99(og):.2f} ms, added {p99(og)-p99(od):.2f} ms")
print(f"  for reference, same rate: bare proxy {p99(ob):.2f} ms, bare + Lua {p99(obr):.2f} ms")
PY
