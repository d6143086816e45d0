#!/usr/bin/env bash
# Instructions per request, counted by valgrind's callgrind: repeatable on a noisy machine
# where requests/s are not. One release binary under callgrind; after a warm-up, the
# counters are zeroed, N `GET /healthz` are sent and the counts dumped; zeroed again, N
# cached recovery checks sent and dumped. Start-up (which varies: the metrics clock
# calibrates itself by time) is outside both. Prints both figures and their ratio.
#   bash benches/check_instructions.sh [N] [binary]
# Checks carry a check-scope token; LAPSEGUARD_BENCH_NO_TOKEN=1 sends none (protected
# mode, loopback), to see what the token costs. FAKE_RDAP_NAMESERVERS=ns1.provider.com,...
# gives every domain those nameservers: each check then also judges their domains (routes). LAPSEGUARD_BENCH_KEEP=DIR keeps the
# callgrind files there for `callgrind_annotate`.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-2000}"
PORT="${LAPSEGUARD_BENCH_PORT:-18082}"

. benches/common.sh
BINARY="${2:-target/release/lapseguard}"
out="$workdir/callgrind.out"

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
    2> "$workdir/valgrind.log" &
lapseguard_pid=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/readyz" > /dev/null && break; sleep 0.2; done

# Sends `count` requests of one kind on one keep-alive connection.
send() {
    python3 - "$PORT" "$1" "$2" "$token" <<'PY'
import http.client, sys
port, kind, n, token = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
body = '{"email": "alice@example.com"}'
headers = {"content-type": "application/json"}
if token:
    headers["authorization"] = f"Bearer {token}"
for _ in range(n):
    if kind == "healthz":
        c.request("GET", "/healthz")
    else:
        c.request("POST", "/check-recovery-eligible", body, headers)
    r = c.getresponse(); r.read()
    assert r.status == 200, r.status
PY
}

# Instructions spent on `count` requests of one kind, counted from zero.
measure() {
    callgrind_control -z "$lapseguard_pid" > /dev/null 2>&1
    send "$1" "$N"
    callgrind_control -d "$1" "$lapseguard_pid" > /dev/null 2>&1
    local dump
    dump="$(ls -t "$out".* | head -1)"
    grep -E '^summary:|^totals:' "$dump" | head -1 | awk '{print $2}'
}

# Warm-up: the first check is the live lookup; then the memory, the token ring and the
# allocator are warm for both kinds.
send check 50
send healthz 50
healthz="$(measure healthz)"
check="$(measure check)"
if [ -n "${LAPSEGUARD_BENCH_KEEP:-}" ]; then cp "$out".* "$LAPSEGUARD_BENCH_KEEP"/; fi
echo "instructions per GET /healthz: $(( healthz / N )); per cached check: $(( check / N )) ($N of each)"
python3 -c "print(f'cached check / healthz, in instructions: {$check / $healthz:.2f}x')"
