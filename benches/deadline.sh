#!/usr/bin/env bash
# The deadline under load: N concurrent checks of distinct, uncached domains while the
# registry hangs (answers after 30 s), against the release binary on SQLite. Prints how
# many answered later than the deadline + 50 ms, and the latency percentiles; then a
# second wave of other domains on the same host, once its breaker is open.
#   bash benches/deadline.sh [concurrent] [deadline_ms]   (LAPSEGUARD_BIN=path to compare a build)
set -euo pipefail
cd "$(dirname "$0")/.."
CONCURRENT="${1:-200}"
DEADLINE_MS="${2:-500}"
PORT="${LAPSEGUARD_BENCH_PORT:-18081}"

export FAKE_RDAP_DELAY_MS="${FAKE_RDAP_DELAY_MS:-30000}"
. benches/common.sh

DATABASE_URL="sqlite://$workdir/bench.db?mode=rwc" \
LAPSEGUARD_LISTEN="127.0.0.1:$PORT" \
LAPSEGUARD_ALLOW_HTTP_UPSTREAMS=true \
LAPSEGUARD_DNS=off \
LAPSEGUARD_LOOKUP_DEADLINE_MS="$DEADLINE_MS" \
LAPSEGUARD_RDAP_HOST_RATE=1000000 \
LAPSEGUARD_SCHEDULER=false \
LAPSEGUARD_RDAP_SERVERS="com=http://127.0.0.1:$rdap_port/" \
    "${LAPSEGUARD_BIN:-target/release/lapseguard}" serve 2> "$workdir/lapseguard.log" &
lapseguard_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" > /dev/null && break; sleep 0.1; done

cargo build --release --quiet --example deadline_load
echo "== first wave"
target/release/examples/deadline_load "http://127.0.0.1:$PORT" "$CONCURRENT" "$DEADLINE_MS"
# The first wave's timeouts opened the host's breaker (LAPSEGUARD_BREAKER_FAILURES, 5):
# the next checks of its domains should not wait for it at all.
echo "== second wave, other domains of the same host (its breaker open)"
target/release/examples/deadline_load "http://127.0.0.1:$PORT" "$CONCURRENT" "$DEADLINE_MS"
