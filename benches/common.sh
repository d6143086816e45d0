# Sourced by the load benchmarks: builds the release binaries, makes $workdir, starts the
# fake RDAP server on 127.0.0.1 ($rdap_port; answers after $FAKE_RDAP_DELAY_MS ms if set), and cleans both up on exit, together with
# whatever pid is in $lapseguard_pid.
cargo build --release --quiet --bin lapseguard --example fake_rdap
workdir="$(mktemp -d)"
target/release/examples/fake_rdap 0 "${FAKE_RDAP_DELAY_MS:-0}" > "$workdir/rdap.port" &
rdap_pid=$!
lapseguard_pid=""
trap 'kill $rdap_pid ${lapseguard_pid} 2>/dev/null || true; rm -rf "$workdir"' EXIT
for _ in $(seq 1 50); do [ -s "$workdir/rdap.port" ] && break; sleep 0.1; done
rdap_port="$(cat "$workdir/rdap.port")"
