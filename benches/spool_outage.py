#!/usr/bin/env python3
"""Issue 20, section 4: the spool under a store outage, with the real PostgreSQL server.

Sends recovery checks of domains never seen before at about RATE per second (default 200)
while the PostgreSQL cluster is stopped for DOWN seconds (default 30) and started again;
then waits for the spool to drain and counts the domains checked that have no observation
in the database: lost observations (the issue's target: 0). Prints the spool's peak.

    python3 benches/spool_outage.py [rate] [down_seconds]   (root, a local cluster; run
    `cargo build --release --bin lapseguard --example fake_rdap` first)

Stops the local cluster: do not run it beside the test suites. Talks to 127.0.0.1 only.
"""

import http.client
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests", "faults"))
from local_pg import ADMIN_URL, cluster, free_port, pg_ready, psql, restart_and_stop  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("LAPSEGUARD_BIN", os.path.join(ROOT, "target/release/lapseguard"))
FAKE = os.path.join(os.path.dirname(BIN), "examples/fake_rdap")
DATABASE = "lapseguard_spool"
DATABASE_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DATABASE
RATE = int(sys.argv[1]) if len(sys.argv) > 1 else 200
DOWN = int(sys.argv[2]) if len(sys.argv) > 2 else 30
CLIENTS = 64


def get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read().decode()


def spooled(metrics_port):
    _, text = get(metrics_port, "/metrics")
    for line in text.splitlines():
        if line.startswith("lapseguard_spooled_observations "):
            return float(line.split()[1])
    return 0.0


def main():
    psql(f'DROP DATABASE IF EXISTS "{DATABASE}"')
    psql(f'CREATE DATABASE "{DATABASE}"')
    fake = subprocess.Popen([FAKE, "0"], stdout=subprocess.PIPE, text=True)
    rdap_port = int(fake.stdout.readline())
    port, metrics_port = free_port(), free_port()
    server = subprocess.Popen(
        [BIN, "serve"],
        env=dict(
            os.environ,
            DATABASE_URL=DATABASE_URL,
            LAPSEGUARD_LISTEN=f"127.0.0.1:{port}",
            LAPSEGUARD_METRICS_LISTEN=f"127.0.0.1:{metrics_port}",
            LAPSEGUARD_ALLOW_HTTP_UPSTREAMS="true",
            LAPSEGUARD_DNS="off",
            LAPSEGUARD_SCHEDULER="false",
            LAPSEGUARD_LOOKUP_DEADLINE_MS="500",
            LAPSEGUARD_RDAP_HOST_RATE="1000000",
            LAPSEGUARD_RDAP_SERVERS=f"com=http://127.0.0.1:{rdap_port}/",
            RUST_LOG="warn",
        ),
        stderr=subprocess.DEVNULL,
    )
    checked, errors, peak = [], [], [0.0]
    try:
        for _ in range(100):
            try:
                if get(port, "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        stop = threading.Event()

        def client(number):
            interval = CLIENTS / RATE
            n = 0
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            while not stop.is_set():
                started = time.monotonic()
                n += 1
                domain = f"spool-{number}-{n}.com"
                try:
                    connection.request("POST", "/check-recovery-eligible",
                                       json.dumps({"email": f"a@{domain}"}),
                                       {"content-type": "application/json"})
                    response = connection.getresponse()
                    response.read()
                    if response.status == 200:
                        checked.append(domain)
                    else:
                        errors.append(response.status)
                except OSError as error:
                    errors.append(str(error))
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                time.sleep(max(0.0, interval - (time.monotonic() - started)))

        def watch_spool():
            while not stop.is_set():
                try:
                    peak[0] = max(peak[0], spooled(metrics_port))
                except OSError:
                    pass
                time.sleep(0.5)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        threads.append(threading.Thread(target=watch_spool))
        for thread in threads:
            thread.start()
        time.sleep(3)
        subprocess.run(cluster() + ["stop", "-m", "fast"], check=True)
        before_down = len(checked)
        time.sleep(DOWN)
        during = len(checked) - before_down
        subprocess.run(cluster() + ["start"], check=True)
        while not pg_ready():
            time.sleep(0.05)
        time.sleep(3)
        stop.set()
        for thread in threads:
            thread.join()
        drained_after = None
        back = time.monotonic()
        while time.monotonic() - back < 120:
            if spooled(metrics_port) == 0:
                drained_after = time.monotonic() - back
                break
            time.sleep(0.2)
        time.sleep(1)
        stored = set(psql("SELECT DISTINCT domain FROM observations", DATABASE_URL).split())
        lost = [d for d in checked if d not in stored]
        print(f"{len(checked)} checks of new domains at ~{RATE}/s ({during} while PostgreSQL "
              f"was down for {DOWN} s), {len(errors)} errors; spool peak {peak[0]:.0f}, "
              f"drained {drained_after if drained_after is None else round(drained_after, 1)} s "
              f"after the clients stopped; observations lost: {len(lost)}")
        if lost:
            print("lost, for example:", lost[:5], file=sys.stderr)
            sys.exit(1)
    finally:
        restart_and_stop(server, fake)
        psql(f'DROP DATABASE IF EXISTS "{DATABASE}"')


if __name__ == "__main__":
    main()
