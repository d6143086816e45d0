#!/usr/bin/env bash
# Issue 19, case 1: a burst of N checks of unseen domains against one RDAP host paced at
# RATE per second (defaults 200 and 1), on the release binary with the default deadline
# (2 s), request share and policies. Prints how many were answered with evidence, how long
# the rest waited, and what they answered.
#   bash benches/pace.sh [checks] [rate]   (LAPSEGUARD_BIN=path to compare a build)
set -euo pipefail
cd "$(dirname "$0")/.."
CHECKS="${1:-200}"
RATE="${2:-1}"
PORT="${LAPSEGUARD_BENCH_PORT:-18082}"
. benches/common.sh

DATABASE_URL="sqlite://$workdir/bench.db?mode=rwc" \
LAPSEGUARD_LISTEN="127.0.0.1:$PORT" \
LAPSEGUARD_ALLOW_HTTP_UPSTREAMS=true \
LAPSEGUARD_DNS=off \
LAPSEGUARD_RDAP_HOST_RATE="$RATE" \
LAPSEGUARD_SCHEDULER=false \
LAPSEGUARD_RDAP_SERVERS="com=http://127.0.0.1:$rdap_port/" \
    "${LAPSEGUARD_BIN:-target/release/lapseguard}" serve 2> "$workdir/lapseguard.log" &
lapseguard_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" > /dev/null && break; sleep 0.1; done

cargo build --release --quiet --example pace_load
target/release/examples/pace_load "http://127.0.0.1:$PORT" "$CHECKS"
echo "paced lookups counted: $(grep -c 'no slot within the deadline' "$workdir/lapseguard.log" || true) log line(s)"
