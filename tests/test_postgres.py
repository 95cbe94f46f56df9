"""The gradebook in a real PostgreSQL server: a class graded into it in parallel equals the SQLite run.

Starts Debian's PostgreSQL (package `postgresql`) on 127.0.0.1 in a temporary data directory and
stops it at the end (tests/pgserver.py).
"""
import csv
import os

import pytest
from pgserver import pg_bin, running_postgres
from test_parallel import AID, build_class, small_course

from dlcourse.grading import parallel, pipeline


@pytest.fixture(scope="module")
def postgres_url():
    """A fresh PostgreSQL server with an empty `gradebook` database; yields its URL."""
    pg = pg_bin()
    if pg is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    pytest.importorskip("psycopg", reason="the PostgreSQL driver psycopg[binary] is not installed")
    with running_postgres(pg) as url:
        yield url


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
