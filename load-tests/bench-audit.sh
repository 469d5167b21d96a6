#!/usr/bin/env bash
# Audit ingest benchmark (issue 7): sustained ingest in batches through the audit-service (chain,
# dedup, redaction, append-only role) against a plain batched INSERT of the same rows into a plain copy
# of the table, in the same run; then /audit/verify must still say valid.
# Needs the suite running (deploy/local/run.sh). Usage: load-tests/bench-audit.sh [events=200000] [batch=1000] [producers=4]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=$ROOT/.portcullis
EVENTS=${1:-200000}; BATCH=${2:-1000}; PRODUCERS=${3:-4}
set -a; . "$STATE/infra.env"; . "$STATE/credentials.env"; set +a
(cd "$ROOT" && ./mvnw -B -q -f load-tests/pom.xml package)
CP="$ROOT/load-tests/target/load-tests-0.1.0-SNAPSHOT.jar:$ROOT/load-tests/target/lib/*"
json() { python3 -c "import sys,json;print(json.load(sys.stdin)['$1'])"; }
TOKEN=$(curl -sf -d grant_type=client_credentials -d client_id=exec-service --data-urlencode "client_secret=$(cat "$STATE/secrets/clients/exec-service")" \
    http://127.0.0.1:8081/auth/token | json access_token)
ADMIN=$(curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"$PORTCULLIS_ADMIN_USER\",\"password\":\"$PORTCULLIS_ADMIN_PASSWORD\"}" \
    http://127.0.0.1:8081/auth/login | json accessToken)
PW="bench-$(head -c 12 /dev/urandom | base64 | tr -dc A-Za-z0-9)-auditor"
curl -sf -o /dev/null -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
    -d "{\"username\":\"bench-auditor-$RANDOM\",\"password\":\"$PW\",\"groups\":[\"auditor\"]}" http://127.0.0.1:8081/auth/users -w '' \
    -D /tmp/bench-auditor.headers
NAME=$(sed -n 's#^[Ll]ocation: .*/auth/users/\(.*\)\r#\1#p' /tmp/bench-auditor.headers)
USERNAME=$(curl -sf -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:8081/auth/users/$NAME" | json username)
AUDITOR=$(curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"$USERNAME\",\"password\":\"$PW\"}" \
    http://127.0.0.1:8081/auth/login | json accessToken)
java -cp "$CP" io.portcullis.load.AuditIngestBench http://127.0.0.1:8084 "$TOKEN" \
    "jdbc:postgresql://$PORTCULLIS_PG_HOST:$PORTCULLIS_PG_PORT/portcullis_audit" "$PORTCULLIS_PG_USER" \
    "$(cat "$PORTCULLIS_PG_PASSWORD_FILE")" "$EVENTS" "$BATCH" "$PRODUCERS"
echo "verify: $(curl -sf -H "Authorization: Bearer $AUDITOR" http://127.0.0.1:8084/audit/verify)"
