#!/usr/bin/env python3
"""PostgreSQL restarted under load (issue 11, section 5), with the real server.

The suite's fault test cuts the database's connections (other tests share the server); this
script, which CI runs after the suites, stops and starts the PostgreSQL cluster itself while
8 clients send recovery checks: half for a domain already in memory, half for domains never
seen. It asserts:
  - every answer is a 200 (no 500, no problem leaking internals);
  - cached checks answer `domain_active` from memory throughout;
  - uncached ones answer `domain_active` or `domain_status_unavailable`, within the lookup
    deadline plus a margin for this machine's scheduling;
  - `/readyz` is green again within 5 s of PostgreSQL accepting connections.

    python3 tests/faults/postgres_restart.py    (root, a local cluster, cargo build done)

Talks to 127.0.0.1 only. Needs `target/debug/lapseguard` and `target/debug/examples/fake_rdap`.
"""

import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from local_pg import ADMIN_URL, cluster, free_port, pg_ready, psql, restart_and_stop

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "target/debug/lapseguard")
FAKE = os.path.join(ROOT, "target/debug/examples/fake_rdap")
DATABASE = "lapseguard_restart"
DATABASE_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DATABASE
DEADLINE_MS = 500
# A debug build on two shared cores: the answer's own deadline plus scheduling slack.
LATE_MS = DEADLINE_MS + 1000
DOWN_SECONDS = 3


def request(port, method, path, body=None, token=None, timeout=10):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    started = time.monotonic()
    connection.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = connection.getresponse()
    data = response.read()
    elapsed_ms = (time.monotonic() - started) * 1000
    connection.close()
    return response.status, data, elapsed_ms


def main():
    psql(f'DROP DATABASE IF EXISTS "{DATABASE}"')
    psql(f'CREATE DATABASE "{DATABASE}"')
    env = dict(os.environ, DATABASE_URL=DATABASE_URL)
    token = subprocess.run(
        [BIN, "token", "create", "--name", "reset-service", "--scope", "check"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout.strip()
    workdir = tempfile.mkdtemp()
    fake = subprocess.Popen([FAKE, "0"], stdout=subprocess.PIPE, text=True)
    rdap_port = int(fake.stdout.readline())
    port = free_port()
    log = open(os.path.join(workdir, "lapseguard.log"), "w")
    server = subprocess.Popen(
        [BIN, "serve"],
        env=dict(
            env,
            LAPSEGUARD_LISTEN=f"127.0.0.1:{port}",
            LAPSEGUARD_ALLOW_HTTP_UPSTREAMS="true",
            LAPSEGUARD_DNS="off",
            LAPSEGUARD_LOOKUP_DEADLINE_MS=str(DEADLINE_MS),
            # The registry's pace lifted: uncached checks ask it every time, so that what
            # the database does is what they show.
            LAPSEGUARD_RDAP_HOST_RATE="1000000",
            LAPSEGUARD_RDAP_SERVERS=f"com=http://127.0.0.1:{rdap_port}/",
        ),
        stderr=log,
    )
    failures = []
    try:
        for _ in range(100):
            try:
                if request(port, "GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        status, data, _ = request(
            port, "POST", "/check-recovery-eligible", {"email": "alice@cached-shop.com"}, token
        )
        assert status == 200 and json.loads(data)["reason"] == "domain_active", data

        answers = []  # (kind, status, reason, source, elapsed_ms)
        stop = threading.Event()

        def client(number):
            n = 0
            while not stop.is_set():
                n += 1
                cached = n % 2 == 0
                domain = "cached-shop.com" if cached else f"new-{number}-{n}.com"
                try:
                    status, data, elapsed = request(
                        port, "POST", "/check-recovery-eligible",
                        {"email": f"someone@{domain}"}, token,
                    )
                    body = json.loads(data) if status == 200 else {}
                    answers.append(("cached" if cached else "new", status,
                                    body.get("reason"), body.get("source"), elapsed))
                except OSError as error:
                    answers.append(("cached" if cached else "new", 0, str(error), None, 0))
                time.sleep(0.02)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        subprocess.run(cluster() + ["stop", "-m", "fast"], check=True)
        stopped_at = len(answers)
        time.sleep(DOWN_SECONDS)
        subprocess.run(cluster() + ["start"], check=True)
        while not pg_ready():
            time.sleep(0.05)
        back = time.monotonic()
        answered_down = len(answers) - stopped_at
        ready_after = None
        while time.monotonic() - back < 30:
            if request(port, "GET", "/readyz")[0] == 200:
                ready_after = time.monotonic() - back
                break
            time.sleep(0.05)
        time.sleep(2)
        stop.set()
        for thread in threads:
            thread.join()

        not_ok = [a for a in answers if a[1] != 200]
        if not_ok:
            failures.append(f"{len(not_ok)} answers were not 200: {not_ok[:5]}")
        cached = [a for a in answers if a[0] == "cached"]
        wrong_cached = [a for a in cached if a[1] == 200 and (a[2], a[3]) != ("domain_active", "cache")]
        if wrong_cached:
            failures.append(f"cached checks not from memory: {wrong_cached[:5]}")
        new = [a for a in answers if a[0] == "new" and a[1] == 200]
        wrong_new = [a for a in new if a[2] not in ("domain_active", "domain_status_unavailable")]
        if wrong_new:
            failures.append(f"uncached checks with another answer: {wrong_new[:5]}")
        late = [a for a in new if a[4] > LATE_MS]
        if late:
            failures.append(f"{len(late)} uncached checks later than {LATE_MS} ms: {late[:5]}")
        if ready_after is None or ready_after > 5:
            failures.append(f"/readyz green {ready_after} s after PostgreSQL was back (limit 5 s)")
        unavailable = sum(1 for a in new if a[2] == "domain_status_unavailable")
        worst = max((a[4] for a in new), default=0)
        print(
            f"postgres restart: {len(answers)} answers ({answered_down} while the database "
            f"was down), {len(cached)} cached, {len(new)} uncached of which {unavailable} "
            f"domain_status_unavailable; worst uncached {worst:.0f} ms; /readyz green "
            f"{ready_after if ready_after is None else round(ready_after * 1000)} ms after "
            f"PostgreSQL was back"
        )
        if answered_down == 0:
            failures.append("no answer at all while the database was down")
    finally:
        restart_and_stop(server, fake)
        log.close()
        for line in open(os.path.join(workdir, "lapseguard.log")):
            if "@" in line and ".com" in line and "someone@" in line:
                failures.append("an address reached the log")
                break
        psql(f'DROP DATABASE IF EXISTS "{DATABASE}"')
    if failures:
        for failure in failures:
            print("FAILED:", failure, file=sys.stderr)
        sys.exit(1)
    print("postgres restart: passed")


if __name__ == "__main__":
    main()
