#!/usr/bin/env bash
# exec-service overhead per job against spawning the same binary directly from Java (Bench.java).
#
# Starts the packaged exec-service (exec-service/target/quarkus-app, built by the module's
# `./mvnw -pl exec-service -am package`) on free ports against the local PostgreSQL and Redis,
# with a throwaway RSA key for its tokens and a one-action catalog (/usr/bin/true), runs the
# benchmark, and stops what it started. Run it as root, like the service: the sandbox drops
# privileges to nobody only from root.
#
#   load-tests/exec/run.sh [rounds=500] [concurrency=4]
#
# Env: PORTCULLIS_PG_HOST (127.0.0.1), PORTCULLIS_PG_PORT (5432), PORTCULLIS_PG_USER (postgres),
#      PORTCULLIS_REDIS_URL (redis://127.0.0.1:6379), PORTCULLIS_EXEC_WORKERS (2),
#      PORTCULLIS_EXEC_SANDBOX_KIND (auto; util-linux to measure that sandbox where bubblewrap is installed).
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=${1:-500}
concurrency=${2:-4}
jar=exec-service/target/quarkus-app/quarkus-run.jar
[ -f "$jar" ] || { echo "build the service first: ./mvnw -B -pl exec-service -am package -DskipTests" >&2; exit 1; }
pg_host=${PORTCULLIS_PG_HOST:-127.0.0.1}
pg_port=${PORTCULLIS_PG_PORT:-5432}
pg_user=${PORTCULLIS_PG_USER:-postgres}
redis_url=${PORTCULLIS_REDIS_URL:-redis://127.0.0.1:6379}
db=portcullis_exec_bench
outbox="audit:outbox:{exec-bench-$$}"

work=$(mktemp -d)
service_pid=
cleanup() {
    if [ -n "$service_pid" ]; then kill "$service_pid" 2>/dev/null || true; wait "$service_pid" 2>/dev/null || true; fi
    redis-cli -u "$redis_url" DEL "$outbox" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    local p
    while :; do
        p=$(( (RANDOM % 30000) + 20000 ))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/key.pem" 2>/dev/null
openssl pkey -in "$work/key.pem" -pubout -out "$work/pub.pem"
cat > "$work/catalog.yaml" <<'YAML'
actions:
  "true":
    description: does nothing, successfully
    binary: /usr/bin/true
    groups: [user]
YAML
psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -qtc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
    || psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -qc "CREATE DATABASE $db" >/dev/null

http_port=$(free_port)
mgmt_port=$(free_port)
java -Dquarkus.http.port="$http_port" -Dquarkus.management.port="$mgmt_port" \
    -Dquarkus.datasource.username="$pg_user" \
    -Dquarkus.datasource.reactive.url="postgresql://$pg_host:$pg_port/$db" \
    -Dquarkus.datasource.jdbc.url="jdbc:postgresql://$pg_host:$pg_port/$db" \
    -Dquarkus.redis.hosts="$redis_url" \
    -Dmp.jwt.verify.publickey.location="$work/pub.pem" \
    -Dportcullis.audit.forward=false -Dportcullis.audit.outbox-key="$outbox" \
    -Dportcullis.exec.catalog="$work/catalog.yaml" \
    -Dportcullis.exec.workers="${PORTCULLIS_EXEC_WORKERS:-2}" -Dportcullis.exec.queue-capacity=64 \
    -Dportcullis.exec.sandbox.kind="${PORTCULLIS_EXEC_SANDBOX_KIND:-auto}" \
    -Dquarkus.log.level=WARN -Dquarkus.log.category.\"io.portcullis\".level=INFO \
    -jar "$jar" > "$work/service.log" 2>&1 &
service_pid=$!
for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$mgmt_port/q/health/ready" >/dev/null 2>&1 && break
    kill -0 "$service_pid" 2>/dev/null || { cat "$work/service.log" >&2; exit 1; }
    sleep 0.5
done
curl -fsS "http://127.0.0.1:$mgmt_port/q/health/ready" >/dev/null || { cat "$work/service.log" >&2; exit 1; }

echo "machine: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -n 1)"
java load-tests/exec/Bench.java "http://127.0.0.1:$http_port" "$work/key.pem" "$rounds" "$concurrency"
