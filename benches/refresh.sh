#!/usr/bin/env bash
# Refresh throughput: N watched domains (default 20,000), all due, checked by the
# background scheduler against the local fake RDAP server with the rate limit lifted.
#   bash benches/refresh.sh [domains] [concurrency] [postgres-url]
# With a postgres:// URL that database is dropped and recreated first.
set -euo pipefail
cd "$(dirname "$0")/.."
DOMAINS="${1:-20000}"
CONCURRENCY="${2:-64}"
POSTGRES_URL="${3:-}"
PORT="${LAPSEGUARD_BENCH_PORT:-18081}"

. benches/common.sh

if [ -n "$POSTGRES_URL" ]; then
    export DATABASE_URL="$POSTGRES_URL"
    psql "${POSTGRES_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS \"${POSTGRES_URL##*/}\"" \
        -c "CREATE DATABASE \"${POSTGRES_URL##*/}\""
else
    export DATABASE_URL="sqlite://$workdir/bench.db?mode=rwc"
fi
seq 1 "$DOMAINS" | sed 's/^/domain/; s/$/.com/' | target/release/lapseguard import - > /dev/null

start=$(date +%s.%N)
LAPSEGUARD_LISTEN="127.0.0.1:$PORT" \
LAPSEGUARD_ALLOW_HTTP_UPSTREAMS=true \
LAPSEGUARD_DNS=off \
LAPSEGUARD_RDAP_SERVERS="com=http://127.0.0.1:$rdap_port/" \
LAPSEGUARD_RDAP_HOST_RATE=1000000 \
LAPSEGUARD_REFRESH_CONCURRENCY="$CONCURRENCY" \
RUST_LOG=warn \
    target/release/lapseguard serve 2> "$workdir/lapseguard.log" &
lapseguard_pid=$!

count() {
    if [ -n "$POSTGRES_URL" ]; then
        psql "$POSTGRES_URL" -Atc "select count(*) from observations where outcome = 'registered'"
    else
        python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from observations where outcome = \\'registered\\'').fetchone()[0])" "$workdir/bench.db"
    fi
}
while [ "$(count)" -lt "$DOMAINS" ]; do sleep 0.2; done
end=$(date +%s.%N)
python3 -c "import sys; n=int(sys.argv[1]); s=float(sys.argv[3])-float(sys.argv[2]); print(f'refreshed {n} domains in {s:.1f} s: {n/s:.0f} lookups/s (concurrency {sys.argv[4]})')" \
    "$DOMAINS" "$start" "$end" "$CONCURRENCY"
