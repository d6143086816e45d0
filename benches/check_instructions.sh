#!/usr/bin/env bash
# Instructions per cached check, counted by valgrind's callgrind: repeatable on a noisy
# machine where requests/s are not. Runs the release binary twice under callgrind, with
# N and with 0 cached checks after the same warm-up, and divides the difference by N.
#   bash benches/check_instructions.sh [N] [binary]
# Checks carry a check-scope token; LAPSEGUARD_BENCH_NO_TOKEN=1 sends none (protected
# mode, loopback), to see what the token costs.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-2000}"
PORT="${LAPSEGUARD_BENCH_PORT:-18082}"

. benches/common.sh
BINARY="${2:-target/release/lapseguard}"

count() {
    local requests="$1" out="$workdir/callgrind.$1"
    rm -f "$workdir/bench.db"*
    # Checks carry a token, as in production: its hash and lookup are part of the cost.
    token=""
    if [ -z "${LAPSEGUARD_BENCH_NO_TOKEN:-}" ]; then
        token="$(DATABASE_URL="sqlite://$workdir/bench.db?mode=rwc" "$BINARY" token create \
            --name bench --scope check 2>/dev/null)"
    fi
    DATABASE_URL="sqlite://$workdir/bench.db?mode=rwc" \
    LAPSEGUARD_LISTEN="127.0.0.1:$PORT" \
    LAPSEGUARD_ALLOW_HTTP_UPSTREAMS=true \
    LAPSEGUARD_DNS=off \
    LAPSEGUARD_SCHEDULER=false \
    LAPSEGUARD_RDAP_SERVERS="com=http://127.0.0.1:$rdap_port/" \
        valgrind --tool=callgrind --callgrind-out-file="$out" "$BINARY" serve \
        2> "$workdir/valgrind.$requests.log" &
    lapseguard_pid=$!
    for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/readyz" > /dev/null && break; sleep 0.2; done
    python3 - "$PORT" "$requests" "$token" <<'PY'
import http.client, sys
port, n, token = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
body = '{"email": "alice@example.com"}'
headers = {"content-type": "application/json"}
if token:
    headers["authorization"] = f"Bearer {token}"
for _ in range(20 + n):  # 20 warm-up checks (the first is the live lookup)
    c.request("POST", "/check-recovery-eligible", body, headers)
    r = c.getresponse(); r.read()
    assert r.status == 200, r.status
PY
    kill -TERM "$lapseguard_pid"
    wait "$lapseguard_pid" || true
    lapseguard_pid=""
    grep -E '^summary:' "$out" | awk '{print $2}'
}

with_checks="$(count "$N")"
without="$(count 0)"
echo "instructions per cached check: $(( (with_checks - without) / N )) ($N checks; $with_checks vs $without in all)"
