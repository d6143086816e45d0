# Sourced by clients/smoke.sh and integrations/run.sh: starts a live lapseguard for tests
# of code that calls it. The binary ($LAPSEGUARD_BIN, else target/debug, built if
# missing) on a fresh SQLite file, DNS off, against the fake RDAP registry of
# clients/smoke/fake_rdap.py on loopback, with a token holding the check, read and admin
# scopes made by `lapseguard token create`. Exports LAPSEGUARD_URL and LAPSEGUARD_TOKEN;
# stops both servers on exit. Needs $ROOT (tools.sh sets it).
BIN="${LAPSEGUARD_BIN:-$ROOT/target/debug/lapseguard}"
[ -x "$BIN" ] || cargo build --quiet
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

python3 "$ROOT/clients/smoke/fake_rdap.py" >"$work/rdap.port" &
pids+=($!)
for _ in $(seq 1 50); do [ -s "$work/rdap.port" ] && break; sleep 0.1; done
rdap_port="$(head -1 "$work/rdap.port")"
cat >"$work/bootstrap.json" <<JSON
{"version": "1.0", "publication": "2026-01-01T00:00:00Z",
 "services": [[["com"], ["http://127.0.0.1:$rdap_port/"]]]}
JSON
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

export DATABASE_URL="sqlite://$work/lapseguard.db?mode=rwc"
export LAPSEGUARD_LISTEN="127.0.0.1:$port"
export LAPSEGUARD_RDAP_BOOTSTRAP="$work/bootstrap.json"
export LAPSEGUARD_ALLOW_HTTP_UPSTREAMS=true
export LAPSEGUARD_DNS=off
export LAPSEGUARD_RDAP_SUPPLEMENT=off
export LAPSEGUARD_LOG=json
LAPSEGUARD_TOKEN="$("$BIN" token create --name smoke --scope check --scope read --scope admin 2>/dev/null)"
export LAPSEGUARD_TOKEN
"$BIN" serve >"$work/serve.log" 2>&1 &
pids+=($!)
export LAPSEGUARD_URL="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
    curl -fs "$LAPSEGUARD_URL/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fs "$LAPSEGUARD_URL/readyz" >/dev/null || { cat "$work/serve.log"; exit 1; }
