"""Benchmark: grading one class on a Dask cluster (1 and 2 workers) against the local process pool.

    python bench/bench_dask.py [--students 24] [--local-workers 2]

Builds a class of 01_tensors submissions (bench_grading.build_course), grades it once with the
local pool (SQLite, the default on one machine), then with the local pool into PostgreSQL (what
the database alone costs), then on a Dask cluster on 127.0.0.1 (`dask
scheduler`, `dask worker --nthreads 1` processes) with one and with two workers, each run into a
fresh database of one throwaway PostgreSQL server (tests/pgserver.py). Prints seconds per student
and the throughput of each run against the local pool, and checks every run gave the same points.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "bench")]

from bench_grading import AID, build_course  # noqa: E402
from daskcluster import Cluster  # noqa: E402
from pgserver import new_database, pg_bin, running_postgres  # noqa: E402

from dlcourse.grading import pipeline  # noqa: E402


def dask_run(root, students, workers, db_url, folder):
    """Seconds to grade `students` on a fresh cluster of `workers` workers, and the outcomes."""
    from distributed import Client
    cluster = Cluster(folder)
    try:
        for i in range(workers):
            cluster.worker(f"w{i + 1}")
        with Client(cluster.address, timeout=120) as client:
            cluster.wait_for(workers, client)
        os.environ["DLCOURSE_DB_URL"] = db_url
        pipeline.generate(pipeline.course_api(root), [AID])
        start_time = time.perf_counter()
        outcomes = pipeline.grade(root, [AID], students, dask=cluster.address)
        return time.perf_counter() - start_time, outcomes
    finally:
        os.environ.pop("DLCOURSE_DB_URL", None)
        cluster.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=24)
    parser.add_argument("--local-workers", type=int, default=2)
    args = parser.parse_args()
    if pg_bin() is None:
        sys.exit("needs PostgreSQL (apt-get install postgresql)")
    tmp = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    try:
        root = build_course(tmp / "course", args.students)
        students = sorted(p.parent.name for p in (root / "submitted").glob(f"*/{AID}"))
        start_time = time.perf_counter()
        local = pipeline.grade(root, [AID], students, workers=args.local_workers)
        runs = [(f"local pool, {args.local_workers} workers (SQLite)", time.perf_counter() - start_time, local)]
        with running_postgres(pg_bin()) as url:
            start_time = time.perf_counter()
            on_pg = pipeline.grade(root, [AID], students, workers=args.local_workers,
                                   db_url=new_database(url, "local"))
            runs.append((f"local pool, {args.local_workers} workers (PostgreSQL)", time.perf_counter() - start_time,
                         on_pg))
            for n in (1, 2):
                folder = tmp / f"dask{n}"
                folder.mkdir()
                seconds, outcomes = dask_run(root, students, n, new_database(url, f"bench{n}"), folder)
                runs.append((f"Dask, {n} worker{'s' if n > 1 else ''} (PostgreSQL)", seconds, outcomes))
        points = {name: sorted((o.student, o.points, o.pending) for o in out) for name, _, out in runs}
        same = all(p == points[runs[0][0]] for p in points.values())
        base = runs[0][1]
        print(f"{len(students)} students of {AID}, {os.cpu_count()} cores\n")
        print("| run | s/student | throughput vs local pool |\n| --- | --- | --- |")
        for name, seconds, _ in runs:
            print(f"| {name} | {seconds / len(students):.2f} | {base / seconds:.2f}x |")
        print(f"\nsame points in every run: {same}")
        return 0 if same else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
