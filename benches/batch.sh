#!/usr/bin/env bash
# Issue 23: `POST /v1/check-batch` timed on the release binary (SQLite, DNS and the
# scheduler off, default pacing and deadlines):
#   1. 1,000 addresses over 300 domains on 5 RDAP hosts, none seen before (cold);
#   2. the same batch again (the 300 domains cached by the first run, or still pending);
#   3. a warm batch after every domain was looked up (300 cached domains).
# For each: the wall time, the RDAP requests it caused (lapseguard_lookups_total), and how
# many items answered with evidence or `domain_status_unavailable`.
#   bash benches/batch.sh [rate per host, default LAPSEGUARD_RDAP_HOST_RATE's]
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${LAPSEGUARD_BENCH_PORT:-18083}"
METRICS_PORT=$((PORT + 1))
. benches/common.sh

# Four more fake registries: five RDAP hosts, one per TLD.
extra_pids=""
servers="com=http://127.0.0.1:$rdap_port/"
for tld in net org io dev; do
    target/release/examples/fake_rdap 0 "${FAKE_RDAP_DELAY_MS:-0}" > "$workdir/$tld.port" &
    extra_pids="$extra_pids $!"
    for _ in $(seq 1 50); do [ -s "$workdir/$tld.port" ] && break; sleep 0.1; done
    servers="$servers,$tld=http://127.0.0.1:$(cat "$workdir/$tld.port")/"
done
trap 'kill $rdap_pid $extra_pids ${lapseguard_pid} 2>/dev/null || true; rm -rf "$workdir"' EXIT

rate_setting=()
if [ -n "${1:-}" ]; then rate_setting=(LAPSEGUARD_RDAP_HOST_RATE="$1"); fi
serve_against_fake_rdap LAPSEGUARD_RDAP_SERVERS="$servers" \
    LAPSEGUARD_METRICS_LISTEN="127.0.0.1:$METRICS_PORT" "${rate_setting[@]}"

python3 - "$PORT" "$METRICS_PORT" <<'PY'
import json, sys, time, urllib.request

port, metrics_port = sys.argv[1], sys.argv[2]
tlds = ["com", "net", "org", "io", "dev"]
domains = [f"bench{i}.{tlds[i % 5]}" for i in range(300)]
items = [{"id": f"u{i}", "email": f"user{i}@{domains[i % 300]}"} for i in range(1000)]
body = json.dumps({"items": items}).encode()

def lookups():
    text = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics").read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("lapseguard_lookups_total{"))

def run(label):
    before = lookups()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/check-batch", data=body,
                                     headers={"Content-Type": "application/json"})
    started = time.monotonic()
    results = json.load(urllib.request.urlopen(request, timeout=60))["results"]
    took = time.monotonic() - started
    unseen = sum(r.get("reason") == "domain_status_unavailable" for r in results)
    print(f"{label}: {took * 1000:.0f} ms, {lookups() - before:.0f} RDAP requests, "
          f"{len(results) - unseen} items decided with evidence, {unseen} domain_status_unavailable")

run("1,000 addresses over 300 uncached domains on 5 hosts")
run("the same batch again at once")
deadline = time.monotonic() + 600
while True:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/check-batch", data=body,
                                     headers={"Content-Type": "application/json"})
    results = json.load(urllib.request.urlopen(request, timeout=60))["results"]
    if all(r.get("reason") != "domain_status_unavailable" for r in results) or time.monotonic() > deadline:
        break
    time.sleep(2)
run("1,000 addresses over 300 cached domains")
PY
