"""The local PostgreSQL cluster, for the scripts that stop and start it under load
(tests/faults/postgres_restart.py, benches/spool_outage.py): its control command, its
readiness, psql, a free port for lapseguard on 127.0.0.1, and the clean-up both end with."""

import os
import socket
import subprocess

ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/test")


def cluster():
    """`pg_ctlcluster` for the local cluster; append `stop -m fast` or `start`."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


def pg_ready():
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]).returncode == 0


def psql(sql, url=ADMIN_URL):
    """Runs `sql`; returns its unaligned output."""
    return subprocess.run(["psql", url, "-Atqc", sql], check=True, capture_output=True,
                          text=True).stdout.strip()


def restart_and_stop(*processes):
    """Ends a run: the cluster is started again if the run left it down, and each process
    (lapseguard, the fake registry) is terminated and waited for."""
    if not pg_ready():
        subprocess.run(cluster() + ["start"])
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
