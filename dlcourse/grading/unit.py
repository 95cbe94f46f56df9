"""The unit of grading: one student's submission of one assignment, graded where this process runs.

``grade_one`` autogrades it (in the sandbox, with the integrity guard) and never raises; its
``Outcome`` says what happened. Runners (``parallel``: one by one or a local process pool;
``cluster``: a Dask cluster) grade many units with it; ``read_scores`` fills in the points.
"""
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from . import manual
from . import sandbox as sandboxing


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
