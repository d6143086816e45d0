#!/usr/bin/env bash
# The admin console in a real browser: Debian's Chromium driven by playwright-core
# (tests/browser/console.mjs). Starts lapseguard (debug build, SQLite in a temporary
# directory) against the fake RDAP server on 127.0.0.1, in which names starting with
# `lapsed` are in redemption; makes an admin token and a lapsed, watched domain; runs the
# script. Screenshots go to tests/browser/screenshots/ (not in git).
#   bash tests/browser/run.sh            (needs /usr/bin/chromium and `npm ci` done here)
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --quiet --bin lapseguard --example fake_rdap
( cd tests/browser && [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund )

workdir="$(mktemp -d)"
rdap_pid=""
lapseguard_pid=""
cleanup() {
    kill $rdap_pid $lapseguard_pid 2>/dev/null || true
    rm -rf "$workdir"
}
trap cleanup EXIT

target/debug/examples/fake_rdap 0 > "$workdir/rdap.port" &
rdap_pid=$!
for _ in $(seq 1 50); do [ -s "$workdir/rdap.port" ] && break; sleep 0.1; done
rdap_port="$(cat "$workdir/rdap.port")"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"

export DATABASE_URL="sqlite://$workdir/console.db?mode=rwc"
admin="$(target/debug/lapseguard token create --name agent-ana --scope admin 2>/dev/null)"
check="$(target/debug/lapseguard token create --name reset-service --scope check 2>/dev/null)"

LAPSEGUARD_LISTEN="127.0.0.1:$port" \
LAPSEGUARD_ALLOW_HTTP_UPSTREAMS=true \
LAPSEGUARD_DNS=off \
LAPSEGUARD_RDAP_SERVERS="com=http://127.0.0.1:$rdap_port/" \
    target/debug/lapseguard serve 2> "$workdir/lapseguard.log" &
lapseguard_pid=$!
for _ in $(seq 1 100); do curl -sf "$base/readyz" > /dev/null && break; sleep 0.1; done

# A watched domain, looked up once: in redemption, its transition published.
curl -sf "$base/v1/watch" -H "authorization: Bearer $admin" -H 'content-type: application/json' \
    -d '{"domains": ["lapsed-shop.com", "healthy-shop.com"]}' > /dev/null
for domain in lapsed-shop.com healthy-shop.com; do
    curl -sf "$base/check-recovery-eligible" -H "authorization: Bearer $check" \
        -H 'content-type: application/json' -d "{\"email\": \"someone@$domain\"}" > /dev/null
done

BASE_URL="$base" ADMIN_TOKEN="$admin" node tests/browser/console.mjs
if grep -q "@lapsed-shop.com\|@healthy-shop.com" "$workdir/lapseguard.log"; then
    echo "an email address reached the log" >&2
    exit 1
fi
