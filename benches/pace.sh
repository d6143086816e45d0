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

serve_against_fake_rdap LAPSEGUARD_RDAP_HOST_RATE="$RATE"

cargo build --release --quiet --example pace_load
target/release/examples/pace_load "http://127.0.0.1:$PORT" "$CHECKS"
echo "paced lookups counted: $(grep -c 'no slot within the deadline' "$workdir/lapseguard.log" || true) log line(s)"
