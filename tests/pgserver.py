"""A throwaway PostgreSQL server on 127.0.0.1 for tests and benchmarks (Debian's `postgresql` package).

The server runs in a temporary data directory and is stopped at the end; as root it runs as the
`postgres` user (PostgreSQL refuses to run as root).
"""
import contextlib
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time


def pg_bin():
    """The folder of the newest installed PostgreSQL's server programs, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return os.path.dirname(found[-1]) if found else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_postgres(pg):
    """A fresh server with an empty `gradebook` database; yields the database's URL."""
    import psycopg
    as_user = []
    data = tempfile.mkdtemp(prefix="dlcourse-pg-")
    if os.geteuid() == 0:  # PostgreSQL will not run as root: hand the folder to its own user
        shutil.chown(data, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    password, port = secrets.token_hex(8), free_port()
    pwfile = os.path.join(data, "pw")
    with open(pwfile, "w") as f:
        f.write(password)
    if as_user:
        shutil.chown(pwfile, "postgres", "postgres")
    cluster = os.path.join(data, "cluster")
    run = lambda *cmd: subprocess.run([*as_user, *cmd], check=True, capture_output=True, text=True)  # noqa: E731
    run(f"{pg}/initdb", "-D", cluster, "-U", "grader", "--auth=scram-sha-256", f"--pwfile={pwfile}",
        "--encoding=UTF8", "--locale=C")
    run(f"{pg}/pg_ctl", "-D", cluster, "-l", os.path.join(data, "server.log"), "-w", "-t", "60",
        "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {data}", "start")
    try:
        base = f"postgresql://grader:{password}@127.0.0.1:{port}"
        for _ in range(50):
            try:
                con = psycopg.connect(f"{base}/postgres", autocommit=True)
                break
            except psycopg.OperationalError:
                time.sleep(0.2)
        con.execute("CREATE DATABASE gradebook")
        con.close()
        yield f"{base}/gradebook"
    finally:
        run(f"{pg}/pg_ctl", "-D", cluster, "-m", "fast", "-w", "stop")
        shutil.rmtree(data, ignore_errors=True)


def new_database(url, name):
    """Create database `name` on the server of `url`; its URL."""
    import psycopg
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    return f"{base}/{name}"
