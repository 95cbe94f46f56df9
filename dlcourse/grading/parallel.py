"""Grade a class in parallel: a pool of worker processes, each grading whole submissions.

A worker's task is one student: each of their assignments is graded by the same per-student
function the sequential pipeline uses (``unit.grade_one``), so every option of that
function (the sandbox included) applies inside each worker.

Gradebook writes. nbgrader writes the gradebook from inside ``autograde`` (the student row,
the submission, every grade and comment). What happens with several writers depends on the
database:

- SQLite (the embedded default) is not safe for concurrent writers: a write that races another
  fails with "database is locked". So each worker grades into its own private copy of the
  gradebook (taken before the pool starts; WAL mode so the parent can read it while the worker
  writes), and the parent process, the only writer of the course's gradebook, copies each
  finished submission's rows into it (``merge_submission``). Grades, comments, the timestamp, the
  extension and the late penalty are copied verbatim, so the gradebook ends exactly as a sequential run leaves
  it, and a submission is merged exactly once (no lost or doubled rows).
- Any other database (PostgreSQL) takes concurrent writers: workers write directly to it, each
  its own submissions. The only row two workers could create at once is a student graded on
  two assignments, so a worker's task is one student: all of that student's assignments.

Workers share the cores, so each kernel's torch/OpenMP gets cores / workers threads (unless
OMP_NUM_THREADS is set): two kernels each spinning two OpenMP threads on two cores run slower
together than one after another.

GPUs are shared fairly: with several GPUs each worker gets one (``CUDA_VISIBLE_DEVICES``,
round-robin), so its kernels see only that one; the parent finds the GPUs without initialising
CUDA (a process forked from one that has cannot use the GPU), and each kernel's GPU memory is
capped (``SandboxKernelManager.gpu_memory_fraction`` in nbgrader_config.py).

Kernels never clash: each notebook runs in its own kernel process over the IPC transport (Unix
sockets named after the kernel's unique connection file, in a runtime folder per grading run)
rather than TCP ports picked by probing, which two processes can pick at the same moment. The
sandbox's kernel manager does the same in a private folder per kernel; unsandboxed grading uses
``isolation.kernels.IPCKernelManager``.
"""
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy import text

from ..i18n import ENGLISH, translate
from . import course, unit


def default_workers():
    """A worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def is_sqlite(db_url):
    """True when `db_url` names an SQLite database."""
    return str(db_url).startswith("sqlite")


def sqlite_path(db_url):
    """The file of an ``sqlite:///...`` URL."""
    return str(db_url).split(":///", 1)[1]


def copy_sqlite(src_url, dst_path):
    """A consistent copy of the SQLite gradebook `src_url` at `dst_path`, in WAL mode; its URL."""
    src = sqlite3.connect(sqlite_path(src_url))
    dst = sqlite3.connect(dst_path)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        src.close()
        dst.close()
    return "sqlite:///" + str(dst_path)


def merge_submission(src, dst, aid, student):
    """Copy what autograding wrote for (`aid`, `student`) from gradebook `src` into `dst`.

    `src` and `dst` are open nbgrader Gradebooks holding the same assignment. The student row
    comes along where nbgrader created one. Returns False when `src` has no such submission
    (autograde failed before creating it).
    """
    try:
        known = src.find_student(student)
    except MissingEntry:  # rejected before nbgrader saw it: nothing to copy
        src.db.rollback()
        return False
    try:
        dst.find_student(student)
    except MissingEntry:
        dst.add_student(student, first_name=known.first_name, last_name=known.last_name, email=known.email,
                        lms_user_id=known.lms_user_id)
    try:
        sub = src.find_submission(aid, student)
    except MissingEntry:
        dst.db.commit()
        src.db.rollback()
        return False
    kwargs = {"timestamp": sub.timestamp} if sub.timestamp is not None else {}
    dst.update_or_create_submission(aid, student, extension=sub.extension, **kwargs)
    for nb in sub.notebooks:
        target = dst.find_submission_notebook(nb.name, aid, student)
        target.late_submission_penalty = nb.late_submission_penalty
        for g in nb.grades:
            d = dst.find_grade(g.name, nb.name, aid, student)
            d.auto_score, d.needs_manual_grade = g.auto_score, g.needs_manual_grade
        for c in nb.comments:
            dst.find_comment(c.name, nb.name, aid, student).auto_comment = c.auto_comment
    dst.db.commit()
    src.db.rollback()  # end the read transaction so the worker can keep writing
    return True


def snapshot(db_url, course_id):
    """Everything grading writes, as comparable values: (rows, table counts).

    rows: sorted (student, assignment, notebook, cell, auto score, manual score, needs manual
    grade, auto comment) for every grade and comment; counts: rows per table.
    """
    rows = []
    with Gradebook(db_url, course_id) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                for nb in sub.notebooks:
                    for g in nb.grades:
                        rows.append((sub.student.id, assignment.name, nb.name, g.name, g.auto_score,
                                     g.manual_score, g.needs_manual_grade, None))
                    for c in nb.comments:
                        rows.append((sub.student.id, assignment.name, nb.name, c.name, None, None, None,
                                     c.auto_comment))
        counts = {t: gb.db.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar()
                  for t in ("student", "submitted_assignment", "submitted_notebook", "grade", "comment")}
    return sorted(rows, key=repr), counts


# ---- GPUs ------------------------------------------------------------------------------

def parse_visible_devices(value):
    """The GPUs a CUDA_VISIBLE_DEVICES value names (indices or UUIDs); CUDA ignores all after an invalid one."""
    gpus = []
    for entry in (e.strip() for e in value.split(",")):
        if not entry or entry.startswith("-") or not (entry.isdigit() or entry.startswith(("GPU-", "MIG-"))):
            break
        gpus.append(entry)
    return gpus


def parse_nvidia_smi(text):
    """The GPU indices in the output of `nvidia-smi -L` ("GPU 0: NVIDIA H200 (UUID: GPU-…)")."""
    return [line.split(":")[0].split()[1] for line in text.splitlines() if line.startswith("GPU ")]


def spread_gpus(workers, gpus):
    """CUDA_VISIBLE_DEVICES for each of `workers` workers, round-robin over `gpus` (None: leave it)."""
    return [gpus[i % len(gpus)] if gpus else None for i in range(workers)]


def visible_gpus():
    """This machine's GPUs for the workers, found without initialising CUDA in this process."""
    torch = sys.modules.get("torch")
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if torch is not None and torch.cuda.is_initialized():  # asking costs nothing more now
        known = parse_visible_devices(visible) if visible is not None else None
        return [known[i] if known else str(i) for i in range(torch.cuda.device_count())]
    if visible is not None:
        return parse_visible_devices(visible)
    try:
        listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return parse_nvidia_smi(listing.stdout) if listing.returncode == 0 else []


def one_by_one(api, units, sandbox=True, lang=ENGLISH):
    """Grade the (assignment, student) `units` here, one after another: one failure never stops the others."""
    return [unit.grade_one(api, aid, student, sandbox=sandbox, lang=lang) for aid, student in units]


# ---- the worker side -------------------------------------------------------------------

_WORKER = {}


def _init_worker(root, urls, taken, runtime, threads, options, gpus=()):
    """Pool initializer: take the next free gradebook URL (and GPU), build this worker's nbgrader API."""
    with taken.get_lock():
        db_url, gpu = urls[taken.value], (gpus[taken.value] if gpus else None)
        taken.value += 1
    if gpu is not None:  # the kernels (and their warm server) see this GPU only, as cuda:0
        os.environ["CUDA_VISIBLE_DEVICES"] = gpu
    os.environ["JUPYTER_RUNTIME_DIR"] = runtime  # kernel connection files and sockets, removed after
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # the kernels share the cores: no oversubscription
        os.environ.setdefault(var, str(threads))
    os.environ["DLCOURSE_DB_URL"] = db_url  # nbgrader_config.py reads it (also in subprocesses)
    api = course.course_api(root)
    api.coursedir.db_url = db_url
    _WORKER.update(api=api, db_url=db_url, options=options)


def _work(student, aids):
    """Run in a worker: grade one student's assignments; their Outcomes and the gradebook used."""
    outcomes = []
    for aid in aids:
        start = time.perf_counter()
        try:
            outcome = unit.grade_one(_WORKER["api"], aid, student, **_WORKER["options"])
        except Exception as exc:  # the grading function itself broke: report, keep the pool alive
            outcome = unit.Outcome(student, aid, False, time.perf_counter() - start,
                                       f"{type(exc).__name__}: {exc}"[:160])
        outcomes.append(outcome)
    return outcomes, _WORKER["db_url"]


# ---- the parent side -------------------------------------------------------------------

def grade_parallel(root, units, workers=None, db_url=None, **options):
    """Autograde the (assignment, student) `units` with `workers` processes.

    `db_url` overrides the course's gradebook; `options` go to the per-student grading
    function. Returns the Outcomes in the order of `units`, scores not yet read.
    """
    root = Path(root).resolve()
    units = list(dict.fromkeys(units))
    api = course.course_api(root)
    if db_url:
        api.coursedir.db_url = db_url
    main_url, course_id = api.coursedir.db_url, api.coursedir.course_id
    students = list(dict.fromkeys(s for _, s in units))
    workers = max(1, min(workers or default_workers(), len(students) or 1))
    Gradebook(main_url, course_id).close()  # the tables exist before anyone copies or writes
    results = {}
    with tempfile.TemporaryDirectory(prefix="dlcourse-grade-") as tmp:
        pending = list(units)
        for attempt in range(2):  # a second round only if a worker process died
            if not pending:
                break
            dead = _run_pool(root, pending, workers, main_url, course_id, Path(tmp) / f"round{attempt}",
                             options, results)
            pending = dead
        for aid, student in pending:
            results[aid, student] = unit.Outcome(student, aid, False, 0.0,
                                                 translate("the grading worker process died", ENGLISH))
    return [results[u] for u in units]


def _run_pool(root, units, workers, main_url, course_id, tmp, options, results):
    """Grade `units` in one pool, merging into `main_url`; return the units a dead worker lost."""
    tmp.mkdir(parents=True)
    # fork: workers start at once with nbgrader already imported (spawn would import it again, ~3 s
    # each). Safe here: the parent has no threads yet, has not imported torch, and opens no
    # database connection before the workers exist.
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    sqlite = is_sqlite(main_url)
    urls = [copy_sqlite(main_url, tmp / f"worker{i}.db") if sqlite else main_url for i in range(workers)]
    taken = ctx.Value("i", 0)
    sources, lost, dst = {}, [], None
    try:
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                                 initargs=(str(root), urls, taken, str(tmp / "rt"), max(1, default_workers() // workers),
                                           options, spread_gpus(workers, visible_gpus()))) as pool:
            tasks = {}
            for aid, student in units:
                tasks.setdefault(student, []).append(aid)
            futures = {pool.submit(_work, student, aids): student for student, aids in tasks.items()}
            dst = Gradebook(main_url, course_id) if sqlite else None  # the workers exist by now
            for future in as_completed(futures):
                student = futures[future]
                try:
                    outcomes, url = future.result()
                except BrokenProcessPool:
                    lost += [(aid, student) for aid in tasks[student]]
                    continue
                for outcome in outcomes:
                    if sqlite:
                        if url not in sources:
                            sources[url] = Gradebook(url, course_id)
                        if not merge_submission(sources[url], dst, outcome.assignment, student) and outcome.ok:
                            outcome.ok, outcome.error = False, translate("no submission in the worker's gradebook",
                                                                         ENGLISH)  # (a record: shown translated)
                    results[outcome.assignment, student] = outcome
    finally:
        for gb in sources.values():
            gb.close()
        if dst is not None:
            dst.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return [u for u in units if u in lost]
