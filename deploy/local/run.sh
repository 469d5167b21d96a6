#!/usr/bin/env bash
# Runs the whole Portcullis suite on this machine.
#
#   deploy/local/run.sh          build what is missing, start PostgreSQL, Redis and the five services
#   deploy/local/run.sh stop     stop everything this script started
#   deploy/local/run.sh status   what runs, and whether it is ready
#
# Everything lives under .portcullis/ (git-ignored): private PostgreSQL and Redis instances with
# random passwords, bootstrap secrets generated at random (0600 files, handed to the services as
# *_FILE settings), logs, pid files, and credentials.env (0600) for you. The machine's own
# databases are used only when you say so with PORTCULLIS_PG_HOST / PORTCULLIS_REDIS_URL.
# JVM options for the services: PORTCULLIS_JAVA_OPTS (default: -Xms64m -Xmx384m); auth-service also
# gets deploy/k8s/base/auth-service.jvm-options, as it does on Kubernetes. Only the gateway listens
# beyond 127.0.0.1 (PORTCULLIS_GATEWAY_HOST, default 0.0.0.0; 127.0.0.1 keeps it to this machine).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STATE=${PORTCULLIS_STATE_DIR:-$ROOT/.portcullis}
SECRETS=$STATE/secrets
LOGS=$STATE/logs
RUN=$STATE/run
JAVA_OPTS=${PORTCULLIS_JAVA_OPTS:--Xms64m -Xmx384m}
# the audit-service's and secrets-service's own database logins, which own nothing (their passwords:
# secrets/pg-login-<name>); Flyway migrates as the server's user, which owns the tables
AUDIT_LOGIN=portcullis_audit_runtime
SECRETS_LOGIN=portcullis_secrets_runtime

# service  http-port  management-port  database
SERVICES=(
    "audit-service   8084 9084 portcullis_audit"
    "auth-service    8081 9081 portcullis_auth"
    "secrets-service 8082 9082 portcullis_secrets"
    "exec-service    8083 9083 portcullis_exec"
    "gateway         8080 9080 portcullis_gateway"
)

say() { printf '[portcullis] %s\n' "$*"; }
die() { printf '[portcullis] error: %s\n' "$*" >&2; exit 1; }

infra() {
    java -cp "$ROOT/dev-infra/target/dev-infra-0.1.0-SNAPSHOT.jar:$ROOT/dev-infra/target/lib/*" \
        io.portcullis.devinfra.LocalInfra "$@"
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

build_if_missing() {
    local missing=0
    [ -f "$ROOT/dev-infra/target/dev-infra-0.1.0-SNAPSHOT.jar" ] || missing=1
    for entry in "${SERVICES[@]}"; do
        read -r svc _ <<<"$entry"
        [ -f "$ROOT/$svc/target/quarkus-app/quarkus-run.jar" ] || missing=1
    done
    if [ "$missing" = 1 ]; then
        say "building (first run): ./mvnw -B -q package -DskipTests"
        (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
    fi
}

start_service() {
    local svc=$1 port=$2 mport=$3 db=$4
    if alive "$svc"; then
        say "$svc already runs (pid $(cat "$RUN/$svc.pid"))"
        return
    fi
    listening "$port" && die "port $port (for $svc) is taken by another process"
    listening "$mport" && die "port $mport (management of $svc) is taken by another process"
    local client_secret=() forwarding=(QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING=true QUARKUS_HTTP_PROXY_TRUSTED_PROXIES=127.0.0.1)
    # the gateway decides who the client is itself and is the only one that sees clients directly
    [ "$svc" = gateway ] && forwarding=()
    [ "$svc" != auth-service ] && client_secret=(PORTCULLIS_CLIENT_ID="$svc" PORTCULLIS_CLIENT_SECRET_FILE="$SECRETS/clients/$svc")
    local extra=() jvm_extra="" db_user=$PORTCULLIS_PG_USER db_password_file=$PORTCULLIS_PG_PASSWORD_FILE
    [ -f "$ROOT/deploy/k8s/base/$svc.jvm-options" ] && jvm_extra=$(cat "$ROOT/deploy/k8s/base/$svc.jvm-options")
    case "$svc" in
        auth-service)
            extra=(PORTCULLIS_BOOTSTRAP_ADMIN_USER="$ADMIN_USER"
                   PORTCULLIS_BOOTSTRAP_ADMIN_PASSWORD_FILE="$SECRETS/admin-password"
                   PORTCULLIS_JWT_SIGNING_KEY_FILE="$SECRETS/jwt-signing.pem"
                   PORTCULLIS_BOOTSTRAP_CLIENTS_DIR="$SECRETS/clients") ;;
        gateway)
            extra=(PORTCULLIS_BOOTSTRAP_API_KEY_FILE="$SECRETS/admin-api-key") ;;
        # these two work as a login that owns nothing, so that no one holding it can step out of their
        # restricted roles; Flyway migrates as the server's user, which owns the tables
        secrets-service)
            db_user=$SECRETS_LOGIN db_password_file=$SECRETS/pg-login-$SECRETS_LOGIN
            extra=(PORTCULLIS_SECRETS_KEK_FILE="$SECRETS/secrets-kek"
                   QUARKUS_FLYWAY_USERNAME="$PORTCULLIS_PG_USER" QUARKUS_FLYWAY_PASSWORD_FILE="$PORTCULLIS_PG_PASSWORD_FILE") ;;
        audit-service)
            db_user=$AUDIT_LOGIN db_password_file=$SECRETS/pg-login-$AUDIT_LOGIN
            extra=(PORTCULLIS_AUDIT_LOG_SIGNING_KEY_FILE="$SECRETS/audit-signing.pem"
                   QUARKUS_FLYWAY_USERNAME="$PORTCULLIS_PG_USER" QUARKUS_FLYWAY_PASSWORD_FILE="$PORTCULLIS_PG_PASSWORD_FILE") ;;
    esac
    # Behind the gateway every request comes from 127.0.0.1: the services take the client's address
    # (login lockout per address, audit sourceIp) from the X-Forwarded-For the gateway sets, and only
    # from a peer on 127.0.0.1 (on Kubernetes: the pod network, common-config.yaml); not the gateway.
    # Only the gateway listens beyond this machine (PORTCULLIS_GATEWAY_HOST, default all interfaces):
    # the services behind it and every management port (metrics, health) answer on 127.0.0.1 only, so
    # nothing on the network can step around the gateway's keys and limits.
    local host=127.0.0.1
    [ "$svc" = gateway ] && host=${PORTCULLIS_GATEWAY_HOST:-0.0.0.0}
    # shellcheck disable=SC2086
    env QUARKUS_HTTP_PORT="$port" QUARKUS_MANAGEMENT_PORT="$mport" \
        QUARKUS_HTTP_HOST="$host" QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
        QUARKUS_DATASOURCE_USERNAME="$db_user" \
        QUARKUS_DATASOURCE_PASSWORD_FILE="$db_password_file" \
        QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://$PORTCULLIS_PG_HOST:$PORTCULLIS_PG_PORT/$db" \
        QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://$PORTCULLIS_PG_HOST:$PORTCULLIS_PG_PORT/$db" \
        QUARKUS_REDIS_HOSTS="$PORTCULLIS_REDIS_URL" \
        QUARKUS_REDIS_PASSWORD_FILE="$PORTCULLIS_REDIS_PASSWORD_FILE" \
        PORTCULLIS_AUTH_URL="http://127.0.0.1:8081" \
        PORTCULLIS_AUDIT_URL="http://127.0.0.1:8084" \
        "${forwarding[@]}" \
        "${client_secret[@]}" "${extra[@]}" \
        nohup java $JAVA_OPTS $jvm_extra -jar "$ROOT/$svc/target/quarkus-app/quarkus-run.jar" >"$LOGS/$svc.log" 2>&1 &
    echo $! >"$RUN/$svc.pid"
    say "started $svc (pid $!, port $port, management $mport, log $LOGS/$svc.log)"
}

start() {
    command -v java >/dev/null || die "java (17 or newer) is required"
    build_if_missing
    mkdir -p "$STATE" "$LOGS" "$RUN"
    chmod 711 "$STATE"
    local databases
    databases=$(for e in "${SERVICES[@]}"; do read -r _ _ _ db <<<"$e"; printf '%s,' "$db"; done)
    infra up --dir "$STATE" --databases "${databases%,}" --logins "$AUDIT_LOGIN,$SECRETS_LOGIN"
    # shellcheck disable=SC1091
    set -a; . "$STATE/infra.env"; set +a
    infra secrets --dir "$STATE"
    ADMIN_USER=${PORTCULLIS_ADMIN_USER:-admin}

    for entry in "${SERVICES[@]}"; do
        read -r svc port mport db <<<"$entry"
        start_service "$svc" "$port" "$mport" "$db"
    done
    say "waiting until all five services are ready"
    local deadline=$((SECONDS + ${PORTCULLIS_READY_TIMEOUT:-240})) exec_degraded=""
    for entry in "${SERVICES[@]}"; do
        read -r svc port mport _ <<<"$entry"
        local degraded=""
        until infra wait-ready --urls "http://127.0.0.1:$mport/q/health/ready" --timeout 2 >/dev/null 2>&1; do
            # without root and without a working bubblewrap, exec-service can build no sandbox: it stays up
            # and refuses every job (503), which must not hold back the rest of the suite
            if [ "$svc" = exec-service ] && grep -q 'exec sandbox: none can be built' "$LOGS/$svc.log" 2>/dev/null; then
                degraded=1
                break
            fi
            if ! alive "$svc"; then
                say "$svc stopped while starting; the end of its log ($LOGS/$svc.log):"
                tail -n 20 "$LOGS/$svc.log" | sed -n 's/.*"message":"\([^"]*\).*/  \1/p; /^[^{]/p' | tail -n 10
                say "fix it, then run $0 again (services already running are kept)"
                exit 1
            fi
            if [ "$SECONDS" -ge "$deadline" ]; then
                say "$svc is not ready after ${PORTCULLIS_READY_TIMEOUT:-240} s; see $LOGS/$svc.log"
                exit 1
            fi
        done
        if [ -n "$degraded" ]; then
            exec_degraded=1
            say "exec-service is up, but no sandbox can be built on this machine: it refuses every job (503)"
            say "  until one can: install bubblewrap (with unprivileged user namespaces), or run this script as root"
            say "  (exec-service/README.md, The sandbox); the other services are not affected"
        else
            say "$svc is ready"
        fi
    done

    local creds=$STATE/credentials.env
    umask 077
    cat >"$creds.tmp" <<CREDS
PORTCULLIS_GATEWAY_URL=http://127.0.0.1:8080
PORTCULLIS_ADMIN_USER=$ADMIN_USER
PORTCULLIS_ADMIN_PASSWORD=$(cat "$SECRETS/admin-password")
PORTCULLIS_ADMIN_API_KEY=$(cat "$SECRETS/admin-api-key")
PORTCULLIS_PG_HOST=$PORTCULLIS_PG_HOST
PORTCULLIS_PG_PORT=$PORTCULLIS_PG_PORT
PORTCULLIS_PG_USER=$PORTCULLIS_PG_USER
PORTCULLIS_PG_PASSWORD_FILE=$PORTCULLIS_PG_PASSWORD_FILE
PORTCULLIS_REDIS_URL=$PORTCULLIS_REDIS_URL
PORTCULLIS_REDIS_PASSWORD_FILE=$PORTCULLIS_REDIS_PASSWORD_FILE
CREDS
    chmod 600 "$creds.tmp" && mv "$creds.tmp" "$creds"
    if [ -n "$exec_degraded" ]; then
        say "four services are ready, exec-service refuses jobs (above); credentials in $creds (mode 0600)"
    else
        say "all five services are ready; credentials in $creds (mode 0600)"
    fi
    say "try:"
    cat <<'TRY'
  set -a; . .portcullis/credentials.env; set +a
  curl -s -H "X-API-Key: $PORTCULLIS_ADMIN_API_KEY" -H 'Content-Type: application/json' \
       -d "{\"username\":\"$PORTCULLIS_ADMIN_USER\",\"password\":\"$PORTCULLIS_ADMIN_PASSWORD\"}" \
       "$PORTCULLIS_GATEWAY_URL/auth/login"
TRY
}

stop() {
    local pids=()
    for entry in "${SERVICES[@]}"; do
        read -r svc _ <<<"$entry"
        if alive "$svc"; then
            kill -TERM "$(cat "$RUN/$svc.pid")" 2>/dev/null || true
            pids+=("$(cat "$RUN/$svc.pid")")
        fi
    done
    for _ in $(seq 1 60); do
        local left=0
        for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && left=1; done
        [ "$left" = 0 ] && break
        sleep 0.5
    done
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    rm -f "$RUN"/*.pid
    [ ${#pids[@]} -gt 0 ] && say "stopped ${#pids[@]} service(s)"
    if [ -f "$STATE/infra.properties" ]; then
        infra down --dir "$STATE"
    fi
}

status() {
    for entry in "${SERVICES[@]}"; do
        read -r svc port mport _ <<<"$entry"
        if alive "$svc"; then
            if infra wait-ready --urls "http://127.0.0.1:$mport/q/health/ready" --timeout 2 >/dev/null 2>&1; then
                printf '%-16s pid %-8s port %s  ready\n' "$svc" "$(cat "$RUN/$svc.pid")" "$port"
            else
                printf '%-16s pid %-8s port %s  NOT READY\n' "$svc" "$(cat "$RUN/$svc.pid")" "$port"
            fi
        else
            printf '%-16s stopped\n' "$svc"
        fi
    done
    if [ -f "$STATE/infra.properties" ]; then infra status --dir "$STATE"; fi
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) die "usage: $0 [start|stop|status]" ;;
esac
