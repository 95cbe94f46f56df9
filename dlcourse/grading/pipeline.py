"""The TA pipeline on real nbgrader: generate, autograde, feedback, export, a grade table."""
import os
import re
import shutil
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config import PyFileConfigLoader

from . import classroom, manual
from . import sandbox as sandboxing

# nbgrader 0.9 with SQLAlchemy 2 warns on every autograde; the warning is harmless.
warnings.filterwarnings("ignore", message=".*not in session.*")


def load_config(root):
    """The traitlets config of the course at `root` (its nbgrader_config.py)."""
    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def _venv_on_path():
    """nbgrader runs `alembic` from PATH when it creates a gradebook: put our venv's bin first."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def course_api(root):
    """An NbGraderAPI for the course folder `root`."""
    _venv_on_path()
    config = load_config(root)
    coursedir = CourseDirectory(config=config)
    coursedir.root = str(Path(root).resolve())
    return NbGraderAPI(coursedir=coursedir, config=config)


def assignments(root):
    """Assignment ids: the folders of source/, in order."""
    return sorted(p.name for p in (Path(root) / "source").iterdir() if p.is_dir() and not p.name.startswith("."))


def generate(api, ids):
    """Regenerate release/ for the assignments `ids`; raise if nbgrader fails."""
    for aid in ids:
        result = api.generate_assignment(aid, force=True)
        if not result["success"]:
            raise RuntimeError(f"generate_assignment {aid} failed:\n{result.get('error') or result.get('log')}")


class UnknownAssignment(ValueError):
    """An assignment the gradebook does not know and source/ cannot register."""


def register_missing(api, ids):
    """Generate (and so register in the gradebook) the assignments of `ids` it does not know yet.

    Returns the ids generated here; raises UnknownAssignment, with what to do, for one that has
    no source/ folder.
    """
    root = Path(api.coursedir.root)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        known = {a.name for a in gb.assignments}
    missing = [aid for aid in ids if aid not in known or not (root / "release" / aid).is_dir()]
    for aid in missing:
        if not (root / "source" / aid).is_dir():
            raise UnknownAssignment(f"{aid} is not an assignment of this course (no source/{aid}); "
                                    f"assignments: {', '.join(assignments(root)) or 'none'}")
    generate(api, missing)
    return missing


def notebook_pair(root, aid):
    """(source, release) notebooks of assignment `aid`, by notebook file name."""
    src = {p.name: nbformat.read(p, as_version=4) for p in sorted((Path(root) / "source" / aid).glob("*.ipynb"))}
    rel = {p.name: nbformat.read(p, as_version=4) for p in sorted((Path(root) / "release" / aid).glob("*.ipynb"))}
    return src, rel


def submit_variant(root, aid, student, variant, variants=None):
    """Write the `variant` submission of every notebook of `aid` for `student`."""
    src, rel = notebook_pair(root, aid)
    cells = (variants or {}).get(variant, {}).get("cells", {})
    known = set().union(*(classroom.solutions(nb) for nb in src.values()))
    if set(cells) - known:
        raise KeyError(f"{aid} variant {variant!r} names unknown answer cells: {sorted(set(cells) - known)}")
    nbs = {name: classroom.build(src[name], rel[name], variant, cells) for name in rel}
    return classroom.write_submission(root, student, aid, nbs)


DEMO_STUDENTS = {
    "ada": "reference",      # every answer right
    "ben": "untouched",      # handed in the release copy unchanged
    "cleo": "mistake",       # a plausible mistake (from tests/submissions/<assignment>.py)
    "dev": "hostile",        # answers that claim to equal anything
    "eli": "broken",         # a notebook file that is not valid JSON
}


def build_demo_class(root, submissions_dir, ids):
    """Fill submitted/ with the demo class: one student per kind of submission."""
    for aid in ids:
        variants = classroom.load_variants(submissions_dir, aid)
        for student, kind in DEMO_STUDENTS.items():
            if kind == "broken":
                names = [p.name for p in (Path(root) / "release" / aid).glob("*.ipynb")]
                classroom.write_submission(root, student, aid, {n: '{"cells": [' for n in names})
                continue
            if kind == "mistake":
                kind = next((v for v in variants if v.startswith("mistake")), "untouched")
            submit_variant(root, aid, student, kind, variants)


@dataclass
class Outcome:
    """What grading one student's assignment produced."""
    student: str
    assignment: str
    ok: bool
    seconds: float
    error: str = ""
    points: float = 0.0
    max_points: float = 0.0
    pending: float = 0.0
    cells: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)  # what the TA should know: kernel deaths, timeouts, integrity
    device: str = ""  # what the notebook computed on: cpu, cuda:0 (the worker's GPU), … ("" unknown)


def grade_one(api, aid, student, sandbox=True):
    """Autograde one student's assignment, its kernel in the sandbox unless `sandbox` is False.

    Never raises: a submission nbgrader cannot read gets a reason, and what the TA should know
    (kernel deaths, timeouts, tampering) goes to `notes` and reports/integrity/<aid>/<student>.md.
    """
    start = time.perf_counter()
    try:
        graded_before = manual.graded_answers(api, aid, student)
        ok, error, notes = sandboxing.grade_submission(api, aid, student, sandbox=sandbox)
        if ok:  # a TA's manual grade on an unchanged answer stands (nbgrader would flag it again)
            manual.keep_manual_grades(api, aid, student, graded_before)
    except Exception as exc:  # the grading machinery itself failed on this submission
        ok, error, notes = False, f"{type(exc).__name__}: {exc}"[:160], []
    return Outcome(student, aid, ok, time.perf_counter() - start, error, notes=notes,
                   device=graded_device(api, aid, student))


_DEVICE_LINE = re.compile(r"computing on (cpu|cuda|mps)(?::(\d+))?")


def graded_device(api, aid, student):
    """What the autograded notebooks' locked cells say they computed on ("computing on cuda"), as
    cpu or cuda:N with N the machine's GPU (through CUDA_VISIBLE_DEVICES); "" when none says."""
    folder = Path(api.coursedir.format_path(api.coursedir.autograded_directory, student, aid))
    found = set()
    for path in sorted(folder.glob("*.ipynb")):
        try:
            cells = nbformat.read(path, as_version=4).cells
        except Exception:  # noqa: BLE001  (an unreadable notebook says nothing)
            continue
        locked = [c for c in cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("locked")
                  and not c.metadata.get("nbgrader", {}).get("solution")]
        texts = [str(o.get("text", "")) for c in locked for o in c.get("outputs", [])]
        found |= {device_label(*m.groups(), os.environ.get("CUDA_VISIBLE_DEVICES"))
                  for text in texts for m in _DEVICE_LINE.finditer(text)}
    return ",".join(sorted(found))


def device_label(kind, index=None, visible=None):
    """cpu, or cuda:N with N the physical GPU behind logical device `index` given CUDA_VISIBLE_DEVICES."""
    if kind != "cuda":
        return kind
    index = int(index or 0)
    gpus = [g.strip() for g in (visible or "").split(",") if g.strip()]
    return f"cuda:{gpus[index] if index < len(gpus) else index}"


def autograde(api, aid, students, sandbox=True):
    """Autograde each student separately, so one failure never stops the others."""
    return [grade_one(api, aid, student, sandbox=sandbox) for student in students]


_EXCEPTION_LINE = re.compile(r"^\s*(?:[\w.]+\.)?(\w+(?:Error|Exception|Interrupt|Exit|Gone|Unavailable)\b.*)$")


def _reason(result):
    """The last exception line of nbgrader's traceback (not its "see the traceback above"), for a table."""
    text = (result.get("error") or "") + "\n" + (result.get("log") or "")
    found = [m.group(1).strip() for m in map(_EXCEPTION_LINE.match, text.splitlines())
             if m and not m.group(1).startswith("NbGraderException: Please see")]
    return found[-1][:400] if found else "autograde failed (see nbgrader's log)"


def read_scores(api, outcomes):
    """Fill in points, maximum, pending manual points and per-cell scores from the gradebook."""
    with Gradebook(api.coursedir.db_url) as gb:
        for o in outcomes:
            assignment = gb.find_assignment(o.assignment)
            o.max_points = assignment.max_score
            if not o.ok:
                continue
            try:
                sub = gb.find_submission(o.assignment, o.student)
            except MissingEntry:
                o.ok, o.error = False, "no submission in the gradebook"
                continue
            for nb in sub.notebooks:
                for g in nb.grades:
                    o.cells[g.name] = None if g.needs_manual_grade else float(g.score)
                    if g.needs_manual_grade:
                        o.pending += g.max_score
                    else:
                        o.points += g.score
    return outcomes


def feedback(api, outcomes):
    """Generate nbgrader's HTML feedback for every graded submission."""
    for o in outcomes:
        if o.ok:
            api.generate_feedback(o.assignment, o.student, force=True)


def export_csv(root, target):
    """Export the gradebook with nbgrader's own `export` app to the CSV file `target`."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "nbgrader", "export", f"--CsvExportPlugin.to={target}"],
                   cwd=root, check=True, capture_output=True, text=True)
    return target


def cell_text(o):
    """One table cell: points / maximum and pending manual points, or FAILED (reason below)."""
    if not o.ok:
        return "FAILED"
    text = f"{o.points:g}/{o.max_points:g}"
    return text + (f" ({o.pending:g} pending)" if o.pending else "")


def grade_table(outcomes):
    """A plain-text table of students × assignments."""
    students = sorted({o.student for o in outcomes})
    ids = sorted({o.assignment for o in outcomes})
    by_key = {(o.student, o.assignment): o for o in outcomes}
    devices = {s: ",".join(sorted({o.device for o in outcomes if o.student == s and o.device})) or "-"
               for s in students}
    rows = [["student", *ids, "device"]] + [[s, *(cell_text(by_key[s, a]) if (s, a) in by_key else "-" for a in ids),
                                             devices[s]] for s in students]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    fmt = lambda r: "  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip()  # noqa: E731
    failed = [f"FAILED {o.student} · {o.assignment}: {o.error}" for o in outcomes if not o.ok]
    return "\n".join([fmt(rows[0]), fmt(["-" * w for w in widths]), *map(fmt, rows[1:]),
                      *([""] + failed if failed else [])])


def grade(root, ids=None, students=None, workers=None, db_url=None, sandbox=True):
    """Autograde `students` (default: all under submitted/) on `ids`; return the outcomes.

    Kernels run in the grading sandbox; without bubblewrap this raises SandboxUnavailable
    before grading anything, unless `sandbox` is False (the TA's explicit choice).

    `workers` processes grade in parallel (default: one per core; 1 grades here, one after
    another); `db_url` overrides the gradebook that nbgrader_config.py names.
    """
    from . import parallel
    if sandbox:
        sandboxing.require()
    api = course_api(root)
    if db_url:
        api.coursedir.db_url = db_url
    ids = ids or assignments(root)
    for aid in register_missing(api, ids):
        print(f"{aid}: not in the gradebook yet, generated it from source/ (python -m dlcourse generate {aid})")
    workers = workers or parallel.default_workers()
    units = [(aid, s) for aid in ids
             for s in (students or sorted(p.parent.name for p in (Path(root) / "submitted").glob(f"*/{aid}")))]
    if workers > 1 and len(units) > 1:
        return read_scores(api, parallel.grade_parallel(root, units, workers, db_url, sandbox=sandbox))
    outcomes = []
    for aid in ids:
        who = [s for a, s in units if a == aid]
        outcomes += autograde(api, aid, who, sandbox=sandbox)
    return read_scores(api, outcomes)


def demo(root, submissions_dir, ids=None, fresh=True, sandbox=True, workers=None):
    """The whole TA pipeline on the demo class; returns the outcomes and prints a grade table."""
    root = Path(root)
    api = course_api(root)
    ids = ids or assignments(root)
    if fresh:
        for name in ("submitted", "feedback", "reports", "gradebook.db"):
            path = root / name
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
        for path in (root / "autograded").glob("*"):
            if path.is_dir():
                shutil.rmtree(path)
    generate(api, ids)
    build_demo_class(root, submissions_dir, ids)
    outcomes = grade(root, ids, sandbox=sandbox, workers=workers)
    feedback(api, outcomes)
    from . import reports
    summary = reports.write_reports(root, outcomes)  # exports grades to reports/grades.csv too
    print(grade_table(outcomes))
    print(f"\npending = written answers that wait for manual grading (formgrader).")
    print("feedback in feedback/<student>/<assignment>/\n")
    print(summary)
    return outcomes
