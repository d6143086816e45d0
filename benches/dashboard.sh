#!/usr/bin/env bash
# GET /v1/domains and GET /v1/stats at N watched domains on PostgreSQL (default
# 1,000,000), through the release binary with a read token. 90% of the domains have a
# status (95% of those active, the rest spread over the lapse stages), 1% are failing.
#   bash benches/dashboard.sh [domains] [postgres-url]
# The database the URL names is dropped and recreated.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
URL="${2:-postgres://postgres@127.0.0.1:5432/lapseguard_bench_dashboard}"
PORT="${LAPSEGUARD_BENCH_PORT:-18083}"

cargo build --release --quiet --bin lapseguard
admin="${URL%/*}/postgres"
db="${URL##*/}"
psql "$admin" -qc "DROP DATABASE IF EXISTS \"$db\"" -c "CREATE DATABASE \"$db\""
export DATABASE_URL="$URL"
target/release/lapseguard migrate 2>/dev/null
now="$(date +%s)"
psql "$URL" -q <<SQL
INSERT INTO watched_domains (domain, added_at, next_check_at, failures, dns_next_check_at)
    SELECT 'domain' || i || '.com', $now - 86400 * 30,
           $now - 7200 + (random() * 2592000)::bigint, (random() < 0.01)::int, $now
    FROM generate_series(1, $N) AS i;
INSERT INTO domain_status (domain, lifecycle, statuses, registered_at, first_registered_at,
                           expires_at, checked_at, published_lifecycle)
    SELECT domain, lifecycle, '[]', $now - 86400 * 2000, $now - 86400 * 2000,
           $now + 86400 * 200, $now - (random() * 86400 * 7)::bigint, lifecycle
    FROM (SELECT domain, random() AS r, random() AS s FROM watched_domains) AS w,
         LATERAL (SELECT CASE WHEN s < 0.95 THEN 'active'
                              WHEN s < 0.97 THEN 'auto_renew_grace'
                              WHEN s < 0.98 THEN 'redemption'
                              WHEN s < 0.99 THEN 'pending_delete'
                              ELSE 'unregistered' END AS lifecycle) AS l
    WHERE r < 0.9;
-- What recording keeps in step: the watch list's copy of each status's lifecycle.
UPDATE watched_domains SET lifecycle = s.lifecycle
    FROM domain_status s WHERE s.domain = watched_domains.domain;
VACUUM ANALYZE watched_domains;
VACUUM ANALYZE domain_status;
SQL
echo "watched: $(psql "$URL" -Atc 'SELECT COUNT(*) FROM watched_domains'), with a status: $(psql "$URL" -Atc 'SELECT COUNT(*) FROM domain_status')"

token="$(target/release/lapseguard token create --name bench --scope read 2>/dev/null)"
LAPSEGUARD_LISTEN="127.0.0.1:$PORT" LAPSEGUARD_DNS=off LAPSEGUARD_SCHEDULER=false \
    target/release/lapseguard serve 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done

python3 - "$PORT" "$token" <<'PY'
import http.client, statistics, sys, time
port, token = int(sys.argv[1]), sys.argv[2]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
headers = {"authorization": f"Bearer {token}"}

def get(path):
    start = time.perf_counter()
    c.request("GET", path, headers=headers)
    r = c.getresponse(); body = r.read()
    assert r.status == 200, (path, r.status, body[:200])
    return (time.perf_counter() - start) * 1000

def report(label, times):
    times = sorted(times)
    print(f"{label:<62} median {statistics.median(times):7.2f} ms  max {times[-1]:7.2f} ms")

for path in [
    "/v1/domains?limit=100",
    "/v1/domains?limit=100&after=domain500000.com",
    "/v1/domains?limit=100&lifecycle=redemption",
    "/v1/domains?limit=100&lifecycle=redemption&after=domain700000.com",
    "/v1/domains?limit=100&lifecycle=unknown",
    "/v1/domains?limit=100&q=domain12345",
    "/v1/domains?limit=1000&lifecycle=active&q=domain9",
]:
    get(path)
    report("GET " + path, [get(path) for _ in range(30)])

uncached = []
for _ in range(3):
    time.sleep(5.2)  # past the stats cache
    uncached.append(get("/v1/stats"))
report("GET /v1/stats (computed: cache expired)", uncached)
report("GET /v1/stats (cached, within 5 s)", [get("/v1/stats") for _ in range(30)])
PY
