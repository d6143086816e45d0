#!/usr/bin/env bash
# Cached-check throughput beside /healthz, in one run, against the release binary.
# Needs wrk (apt-get install wrk). Talks only to 127.0.0.1.
#   bash benches/load.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN="${1:-10}"
CONNECTIONS="${2:-64}"
PORT="${LAPSEGUARD_BENCH_PORT:-18080}"

. benches/common.sh

# Checks carry a token with the check scope, as in production.
export DATABASE_URL="sqlite://$workdir/bench.db?mode=rwc"
LAPSEGUARD_BENCH_TOKEN="$(target/release/lapseguard token create --name bench --scope check 2>/dev/null)"
export LAPSEGUARD_BENCH_TOKEN

LAPSEGUARD_LISTEN="127.0.0.1:$PORT" \
LAPSEGUARD_ALLOW_HTTP_UPSTREAMS=true \
LAPSEGUARD_DNS=off \
LAPSEGUARD_RDAP_SERVERS="com=http://127.0.0.1:$rdap_port/" \
    target/release/lapseguard serve 2> "$workdir/lapseguard.log" &
lapseguard_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" > /dev/null && break; sleep 0.1; done

# Warm the cache: one live lookup, then every check is a memory hit.
curl -sf "http://127.0.0.1:$PORT/check-recovery-eligible" \
    -H "authorization: Bearer $LAPSEGUARD_BENCH_TOKEN" \
    -H 'content-type: application/json' -d '{"email": "alice@example.com"}'
echo

echo "== GET /healthz"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "http://127.0.0.1:$PORT/healthz"
echo "== POST /check-recovery-eligible (cached, with a token)"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s benches/check.lua \
    "http://127.0.0.1:$PORT/check-recovery-eligible"
