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

serve_against_fake_rdap LAPSEGUARD_LOOKUP_DEADLINE_MS="$DEADLINE_MS" LAPSEGUARD_RDAP_HOST_RATE=1000000

cargo build --release --quiet --example deadline_load
echo "== first wave"
target/release/examples/deadline_load "http://127.0.0.1:$PORT" "$CONCURRENT" "$DEADLINE_MS"
# The first wave's timeouts opened the host's breaker (LAPSEGUARD_BREAKER_FAILURES, 5):
# the next checks of its domains should not wait for it at all.
echo "== second wave, other domains of the same host (its breaker open)"
target/release/examples/deadline_load "http://127.0.0.1:$PORT" "$CONCURRENT" "$DEADLINE_MS"
