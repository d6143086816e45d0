#!/usr/bin/env bash
# `lapseguard import` of N lines (default 1,000,000), timed, with peak memory; then the
# due-domains query on that table. Needs GNU time (apt-get install time).
#   bash benches/import.sh [lines] [database-url]
# With a postgres:// URL the database is dropped and recreated first.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES="${1:-1000000}"
DATABASE_URL="${2:-}"
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
if [ -z "$DATABASE_URL" ]; then
    DATABASE_URL="sqlite://$workdir/bench.db?mode=rwc"
fi
export DATABASE_URL

cargo build --release --quiet
python3 - "$LINES" > "$workdir/emails.txt" <<'PY'
import sys
n = int(sys.argv[1])
out = sys.stdout
for i in range(n):
    out.write(f"user{i}@mail.domain{i}.com\n")
PY
echo "input: $(wc -l < "$workdir/emails.txt") lines, $(du -h "$workdir/emails.txt" | cut -f1)"

if [[ "$DATABASE_URL" == postgres* ]]; then
    admin="${DATABASE_URL%/*}/postgres"
    db="${DATABASE_URL##*/}"
    psql "$admin" -qc "DROP DATABASE IF EXISTS \"$db\"" -c "CREATE DATABASE \"$db\""
fi

/usr/bin/time -f "import: %e s elapsed, %M KiB peak RSS" \
    target/release/lapseguard import "$workdir/emails.txt"

if [[ "$DATABASE_URL" == postgres* ]]; then
    echo "== due-domains query (the claim's inner SELECT), PostgreSQL"
    psql "$DATABASE_URL" -qc "ANALYZE watched_domains" \
        -c "UPDATE watched_domains SET next_check_at = next_check_at + (random() * 2592000)::bigint" \
        -c "VACUUM ANALYZE watched_domains"
    now=$(($(date +%s) + 3600))
    psql "$DATABASE_URL" -c "EXPLAIN (ANALYZE, BUFFERS) SELECT domain FROM watched_domains WHERE next_check_at <= $now ORDER BY next_check_at LIMIT 512"
    echo "== the whole claim (UPDATE ... RETURNING), 10 rounds"
    for _ in $(seq 1 10); do
        psql "$DATABASE_URL" -Atc "\\timing on" -c "UPDATE watched_domains SET next_check_at = $now + 600 WHERE domain IN (SELECT domain FROM watched_domains WHERE next_check_at <= $now ORDER BY next_check_at LIMIT 512) RETURNING domain" | grep '^Time'
    done
    echo "== GET /v1/stats, computed (each call waits out the 5 s cache), 5 calls"
    port="${LAPSEGUARD_BENCH_PORT:-18083}"
    LAPSEGUARD_LISTEN="127.0.0.1:$port" LAPSEGUARD_SCHEDULER=false LAPSEGUARD_DNS=off \
        RUST_LOG=warn target/release/lapseguard serve 2> "$workdir/serve.log" &
    serve_pid=$!
    trap 'kill $serve_pid 2>/dev/null || true; rm -rf "$workdir"' EXIT
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && break; sleep 0.2; done
    for _ in $(seq 1 5); do
        curl -s -o /dev/null -w "stats: %{time_total} s\n" "http://127.0.0.1:$port/v1/stats"
        sleep 5.2
    done
    curl -s "http://127.0.0.1:$port/v1/stats"; echo
fi
