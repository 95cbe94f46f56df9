"""Grading on a real Dask cluster: `dask scheduler` and `dask worker` processes on 127.0.0.1, a real
PostgreSQL gradebook; the grades equal a one-machine run, also when a worker is killed mid-run."""
import os
import subprocess
import sys
import threading
import time

import pytest
from daskcluster import Cluster
from pgserver import new_database
from test_parallel import AID, build_class, small_course
from test_postgres import postgres_url  # noqa: F401  (the fixture: a fresh PostgreSQL server)

from dlcourse.grading import parallel, pipeline

distributed = pytest.importorskip("distributed", reason="the cluster extra is not installed (pip install -e '.[cluster]')")
@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two workers on 127.0.0.1; everything is killed at the end."""
    c = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        for name in ("w1", "w2"):
            c.worker(name)
        with distributed.Client(c.address, timeout=120) as client:
            c.wait_for(2, client)
        yield c
    finally:
        c.stop()


def _use_db(url):
    """Point nbgrader_config.py (and so every nbgrader command) at the gradebook `url`."""
    os.environ["DLCOURSE_DB_URL"] = url


def _grades(outcomes):
    return [(o.student, o.ok, o.points, o.pending, o.cells) for o in outcomes]


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The class graded on this machine (SQLite, 2 local workers): the grades to match."""
    root = small_course(tmp_path_factory.mktemp("local"))
    students = build_class(root)
    outcomes = pipeline.grade(root, [AID], students, workers=2)
    return students, outcomes, parallel.snapshot(pipeline.course_api(root).coursedir.db_url, "dl-course")


@pytest.fixture
def restore_db_url():
    old = os.environ.get("DLCOURSE_DB_URL")
    yield
    os.environ.pop("DLCOURSE_DB_URL", None) if old is None else os.environ.__setitem__("DLCOURSE_DB_URL", old)


def test_a_dask_cluster_grades_like_one_machine(local, cluster, postgres_url, tmp_path, restore_db_url, capfd):
    students, want, (want_rows, want_counts) = local
    root = small_course(tmp_path)
    build_class(root)
    _use_db(postgres_url)
    outcomes = pipeline.grade(root, [AID], students, dask=cluster.address)
    assert _grades(outcomes) == _grades(want)
    rows, counts = parallel.snapshot(postgres_url, "dl-course")
    assert rows == want_rows and counts == want_counts
    assert f"{len(students)}/{len(students)} students" in capfd.readouterr().err  # the progress bar


def test_workers_that_cannot_see_the_course_or_have_two_threads_refuse_and_the_others_grade(
        local, cluster, postgres_url, tmp_path, restore_db_url, capfd):
    students, want, _ = local
    (tmp_path / "course").mkdir()
    root = small_course(tmp_path / "course")
    build_class(root)
    cluster.worker("blind", wrap=["bwrap", "--dev-bind", "/", "/", "--tmpfs", str(tmp_path)])
    cluster.worker("threaded", threads=2)  # one nbgrader API and one warm server: one notebook at a time
    with distributed.Client(cluster.address, timeout=60) as client:  # the threaded one may be refused at once,
        for _ in range(1200):  # by the plugin an earlier grading left on the scheduler: wait for the blind one
            if "blind" in {w["name"] for w in client.scheduler_info()["workers"].values()}:
                break
            time.sleep(0.1)
    _use_db(new_database(postgres_url, "gradebook_blind"))
    outcomes = pipeline.grade(root, [AID], students, dask=cluster.address)
    assert _grades(outcomes) == _grades(want)
    err = capfd.readouterr().err
    assert "refuses to grade: cannot see the course folder" in err and "mount it at the same path" in err
    for _ in range(600):  # the refusal: in our output, or in the worker's log when it was refused on joining
        said = err + (cluster.folder / "threaded.log").read_text()
        if "started with 2 threads" in said:
            break
        time.sleep(0.1)
    assert "started with 2 threads" in said and "dask worker ADDRESS --nthreads 1" in said


def test_a_worker_killed_mid_run_loses_no_student_and_doubles_none(local, cluster, postgres_url, tmp_path,
                                                                  restore_db_url):
    students, want, (want_rows, want_counts) = local
    root = small_course(tmp_path)
    build_class(root)
    url = new_database(postgres_url, "gradebook_fault")
    _use_db(url)
    result = {}
    run = threading.Thread(target=lambda: result.update(out=pipeline.grade(root, [AID], students, dask=cluster.address)))
    run.start()
    with distributed.Client(cluster.address, timeout=60) as client:
        busy = None
        for _ in range(600):  # wait until a worker is in the middle of a notebook
            busy = next((addr for addr, keys in client.processing().items() if keys), None)
            if busy:
                break
            time.sleep(0.1)
        assert busy, "no task started"
        time.sleep(1.0)
        name = client.scheduler_info()["workers"][busy]["name"]
        cluster.kill(name)
    run.join(timeout=600)
    assert not run.is_alive()
    assert _grades(result["out"]) == _grades(want)
    rows, counts = parallel.snapshot(url, "dl-course")
    assert rows == want_rows and counts == want_counts  # one submission per student, nothing lost or doubled


def test_sqlite_with_dask_is_refused_in_one_line(tmp_path):
    root = small_course(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "DLCOURSE_DB_URL"}
    proc = subprocess.run([sys.executable, "-m", "dlcourse", "--root", str(root), "grade", "--dask",
                           "tcp://127.0.0.1:9"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot share an SQLite file" in lines[0] and "postgresql://" in lines[0]
