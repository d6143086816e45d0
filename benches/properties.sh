#!/usr/bin/env bash
# Issue 20, section 5: the property tests (tests/properties.rs) at a million generated
# inputs per property, on a release build: the RDAP parser, the date reader, the name
# normaliser, the check's request body, the Fastly flag reader and the DNS answer mapping.
# CI runs 1,000 each.
#   bash benches/properties.sh [cases]
set -euo pipefail
cd "$(dirname "$0")/.."
CASES="${1:-1000000}"
cargo test --release --test properties --no-run --quiet
started=$(date +%s)
PROPTEST_CASES="$CASES" cargo test --release --quiet --test properties -- --test-threads 2
echo "$CASES inputs per property, $(( $(date +%s) - started )) s"
