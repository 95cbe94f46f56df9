"""Grading on a Dask cluster: one task per student, run by ordinary `dask worker` processes.

The workers may run on any number of machines that see the course folder at the same path (a
shared file system, as on JupyterHub) and share a PostgreSQL gradebook. A worker grades with the
same function as one machine does (``unit.grade_one``), in the same bubblewrap sandbox, and keeps
its own warm kernel server for as long as it lives. A worker plugin checks, when the worker joins,
that it can grade (the course folder, bubblewrap); a worker that cannot says why and leaves.

Faults: a task whose worker dies is run again on another worker by Dask's scheduler; autograding a
student again replaces what the lost attempt wrote, so every student ends with one submission.
Workers must have one thread each (``dask worker ADDRESS --nthreads 1``; one with more is refused,
with that command): a worker grades one notebook at a time, and more workers grade more at once.
"""
import os
import sys
import time
from pathlib import Path

from ..i18n import ENGLISH
from ..isolation import bwrap, forkserver
from . import course, unit

try:  # an optional extra: pip install -e '.[cluster]'
    from distributed import WorkerPlugin
except ImportError:  # grading on one machine needs no Dask
    WorkerPlugin = None

PLUGIN = "dlcourse-grading"


class ClusterError(RuntimeError):
    """The cluster cannot grade: the message says what to change."""


def require_shared_gradebook(db_url):
    """Refuse an SQLite gradebook: workers on other machines cannot share one file."""
    if str(db_url).startswith("sqlite"):
        raise ClusterError("--dask needs a gradebook every worker can reach: workers on other machines cannot "
                           "share an SQLite file; set DLCOURSE_DB_URL=postgresql://… (or pass --db-url)")


def check_worker(root, sandbox=True):
    """Why this machine cannot grade the course at `root`, or "" when it can."""
    if not (Path(root) / "nbgrader_config.py").is_file():
        return (f"cannot see the course folder {root} (mount it at the same path on every worker "
                "machine, e.g. the shared home of JupyterHub)")
    if sandbox:
        try:
            bwrap.require()
        except bwrap.SandboxUnavailable as exc:
            return str(exc)
    return ""


def one_thread(nthreads):
    """Why a worker with `nthreads` threads cannot grade, or "": it keeps one nbgrader API and one warm
    kernel server, which grade one notebook at a time."""
    if nthreads == 1:
        return ""
    return (f"it was started with {nthreads} threads, and a worker grades one notebook at a time: start it "
            f"with `dask worker ADDRESS --nthreads 1` (start more workers to grade more at once)")


def _refuse(worker, problem):
    """Log why `worker` cannot grade and close it (its nanny too), so it gets no tasks."""
    import asyncio
    worker.log_event(PLUGIN, {"refused": problem})
    print(f"dlcourse: worker {worker.address} refuses to grade: {problem}", file=sys.stderr, flush=True)
    asyncio.ensure_future(worker.close(nanny=True, reason=f"dlcourse: {problem}"))


class GradingPlugin(WorkerPlugin or object):
    """Per worker: check it can grade, then keep one nbgrader API (and so one warm server)."""

    name = PLUGIN
    idempotent = False

    def __init__(self, root, db_url, sandbox=True):
        self.root, self.db_url, self.sandbox = str(root), db_url, sandbox
        self.api = None

    def setup(self, worker):
        problem = one_thread(worker.state.nthreads) or check_worker(self.root, self.sandbox)
        if problem:
            _refuse(worker, problem)
            return
        os.environ["DLCOURSE_DB_URL"] = self.db_url  # nbgrader_config.py reads it
        self.api = course.course_api(self.root)
        self.api.coursedir.db_url = self.db_url

    def teardown(self, worker):
        forkserver.stop_servers(every_thread=True)


def _grade_student(student, aids, sandbox, lang=ENGLISH):
    """Run on a worker: grade one student's assignments with the worker's API (integrity reports in `lang`)."""
    from distributed import get_worker
    plugin = get_worker().plugins[PLUGIN]
    if plugin.api is None:
        raise ClusterError(f"worker {get_worker().address} cannot grade (see its log)")
    return [unit.grade_one(plugin.api, aid, student, sandbox=sandbox, lang=lang) for aid in aids]


def _workers(client, root, sandbox):
    """Ask every worker whether it can grade; send away those that cannot, and say why."""
    answers = client.run(check_worker, str(root), sandbox)
    threads = {addr: w["nthreads"] for addr, w in client.scheduler_info()["workers"].items()}
    answers = {addr: one_thread(threads.get(addr, 1)) or why for addr, why in answers.items()}
    refused = {addr: why for addr, why in answers.items() if why}
    for addr, why in refused.items():
        print(f"worker {addr} refuses to grade: {why}", file=sys.stderr)
    if refused:
        client.retire_workers(list(refused), close_workers=True, remove=True)
    able = [addr for addr in answers if addr not in refused]
    if not able:
        raise ClusterError("no Dask worker can grade this course: " + "; ".join(sorted(set(refused.values()))))
    return able


def progress_line(done, total, started, width=30):
    """A text progress bar with counts and the time left: '[#####     ] 12/40 students, 0:35 left'."""
    filled = width * done // max(total, 1)
    elapsed = time.monotonic() - started
    left = elapsed / done * (total - done) if done else None
    eta = "…" if left is None else f"{int(left // 60)}:{int(left % 60):02d}"
    return f"[{'#' * filled}{' ' * (width - filled)}] {done}/{total} students, {eta} left"


def grade_on_cluster(root, units, address, db_url, sandbox=True, show_progress=True, lang=ENGLISH):
    """Grade the (assignment, student) `units` on the Dask cluster at `address`; the Outcomes.

    One task per student; `db_url` must name a database every worker can reach (PostgreSQL).
    """
    require_shared_gradebook(db_url)
    if WorkerPlugin is None:
        raise ClusterError("grading on a Dask cluster needs the cluster extra: pip install -e '.[cluster]'")
    from distributed import Client, as_completed
    tasks = {}
    for aid, student in dict.fromkeys(units):
        tasks.setdefault(student, []).append(aid)
    results = {}
    with Client(address, timeout=60) as client:
        _workers(client, root, sandbox)
        client.register_plugin(GradingPlugin(root, db_url, sandbox), name=PLUGIN)
        futures = {client.submit(_grade_student, student, aids, sandbox, lang, key=f"grade-{student}-{os.getpid()}",
                                 pure=False): student for student, aids in tasks.items()}
        started, done = time.monotonic(), 0
        for future in as_completed(futures):
            student = futures[future]
            try:
                for o in future.result():
                    results[o.assignment, student] = o
            except Exception as exc:  # the task failed on every worker it was given to
                for aid in tasks[student]:
                    results[aid, student] = unit.Outcome(student, aid, False, 0.0, f"{type(exc).__name__}: {exc}"[:160])
            done += 1
            if show_progress:
                print("\r" + progress_line(done, len(tasks), started), end="", file=sys.stderr, flush=True)
        if show_progress:
            print(file=sys.stderr)
    return [results[u] for u in dict.fromkeys(units)]
