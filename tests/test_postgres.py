"""The gradebook in a real PostgreSQL server: a class graded into it in parallel equals the SQLite run.

Starts Debian's PostgreSQL (package `postgresql`) on 127.0.0.1 in a temporary data directory
and stops it at the end. As root, the server runs as the `postgres` user (PostgreSQL refuses
to run as root).
"""
import csv
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from dlcourse.grading import parallel, pipeline

from test_parallel import AID, build_class, small_course


def _pg_bin():
    """The folder of the newest installed PostgreSQL's server programs, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return os.path.dirname(found[-1]) if found else None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    """A fresh PostgreSQL server with an empty `gradebook` database; yields its URL."""
    pg = _pg_bin()
    if pg is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    psycopg = pytest.importorskip("psycopg", reason="the PostgreSQL driver psycopg[binary] is not installed")
    as_user = []
    data = tempfile.mkdtemp(prefix="dlcourse-pg-")
    if os.geteuid() == 0:  # PostgreSQL will not run as root: hand the folder to its own user
        shutil.chown(data, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    password, port = secrets.token_hex(8), _free_port()
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


def _export(root, name):
    with open(pipeline.export_csv(root, root / "reports" / name)) as f:
        return sorted(tuple(sorted(r.items())) for r in csv.DictReader(f))


@pytest.fixture(scope="module")
def graded(postgres_url, tmp_path_factory):
    """One class graded in parallel twice: into SQLite, and into PostgreSQL (set as nbgrader's db_url)."""
    root = small_course(tmp_path_factory.mktemp("pg"))
    students = build_class(root)[:4] + ["s6"]  # reference, untouched, hostile, mistake, broken JSON
    sqlite = pipeline.grade(root, [AID], students, workers=2)
    sqlite_rows = parallel.snapshot(pipeline.course_api(root).coursedir.db_url, "dl-course")
    sqlite_csv = _export(root, "sqlite.csv")
    old = os.environ.get("DLCOURSE_DB_URL")
    os.environ["DLCOURSE_DB_URL"] = postgres_url  # nbgrader_config.py reads it: every nbgrader command uses it
    try:
        api = pipeline.course_api(root)
        assert api.coursedir.db_url == postgres_url
        pipeline.generate(api, [AID])  # the assignment's cells go into the new gradebook
        pg = pipeline.grade(root, [AID], students, workers=3)
        pg_rows = parallel.snapshot(postgres_url, "dl-course")
        pg_csv = _export(root, "postgres.csv")
    finally:
        os.environ.pop("DLCOURSE_DB_URL") if old is None else os.environ.__setitem__("DLCOURSE_DB_URL", old)
    return dict(sqlite=(sqlite, sqlite_rows, sqlite_csv), pg=(pg, pg_rows, pg_csv))


def test_postgres_gradebook_holds_what_sqlite_holds(graded):
    (sq_out, sq_rows, _), (pg_out, pg_rows, _) = graded["sqlite"], graded["pg"]
    assert pg_rows == sq_rows
    assert pg_rows[1]["submitted_assignment"] >= 4
    assert [(o.student, o.ok, o.points, o.pending, o.cells) for o in pg_out] == \
        [(o.student, o.ok, o.points, o.pending, o.cells) for o in sq_out]


def test_export_from_postgres_equals_export_from_sqlite(graded):
    assert graded["pg"][2] == graded["sqlite"][2]
    assert len(graded["pg"][2]) >= 4
