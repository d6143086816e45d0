# Sourced by the load benchmarks: builds the release binaries, makes $workdir, starts the
# fake RDAP server on 127.0.0.1 ($rdap_port; answers after $FAKE_RDAP_DELAY_MS ms if set), and cleans both up on exit, together with
# whatever pid is in $lapseguard_pid (which `serve_against_fake_rdap` sets).
cargo build --release --quiet --bin lapseguard --example fake_rdap
workdir="$(mktemp -d)"
target/release/examples/fake_rdap 0 "${FAKE_RDAP_DELAY_MS:-0}" > "$workdir/rdap.port" &
rdap_pid=$!
lapseguard_pid=""
trap 'kill $rdap_pid ${lapseguard_pid} 2>/dev/null || true; rm -rf "$workdir"' EXIT
for _ in $(seq 1 50); do [ -s "$workdir/rdap.port" ] && break; sleep 0.1; done
rdap_port="$(cat "$workdir/rdap.port")"

# Starts `lapseguard serve` ($LAPSEGUARD_BIN, else the release build) on $PORT, on SQLite in
# $workdir, against the fake RDAP server, with DNS and the scheduler off and the extra
# VAR=VALUE settings given; its log is $workdir/lapseguard.log. Returns once /readyz
# answers.
serve_against_fake_rdap() {
    env DATABASE_URL="sqlite://$workdir/bench.db?mode=rwc" \
        LAPSEGUARD_LISTEN="127.0.0.1:$PORT" \
        LAPSEGUARD_ALLOW_HTTP_UPSTREAMS=true \
        LAPSEGUARD_DNS=off \
        LAPSEGUARD_SCHEDULER=false \
        LAPSEGUARD_RDAP_SERVERS="com=http://127.0.0.1:$rdap_port/" \
        "$@" \
        "${LAPSEGUARD_BIN:-target/release/lapseguard}" serve 2> "$workdir/lapseguard.log" &
    lapseguard_pid=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" > /dev/null && break; sleep 0.1; done
}
