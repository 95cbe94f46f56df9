"""The unit of grading: one student's submission of one assignment, graded where this process runs.

``grade_one`` autogrades it with nbgrader (config.py: in the sandbox, with the kernel guard) and
never raises; its ``Outcome`` says what happened, and the TA's integrity report goes to
reports/integrity/<assignment>/<student>.md. Runners (``parallel``: one by one or a local process
pool; ``cluster``: a Dask cluster) grade many units with it; ``read_scores`` fills in the points.

An outcome's notes and error, and the integrity report's JSON, are records: in English, each written
``translate(…, ENGLISH)`` (which is the text itself) so that the grading catalog has it, and shown
translated, in the class's language, by `attention_lines`, the grade table and the report's Markdown.
"""
import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from ..i18n import ENGLISH, translate
from ..notebook import cells
from . import deadlines, manual
from .config import configure
from .execute import events_file
from .preflight import preflight
from .restore import restored_ids
from .scan import scan_notebook


@dataclass
class Outcome:
    """What grading one student's assignment produced."""
    student: str
    assignment: str
    ok: bool
    seconds: float
    error: str = ""
    points: float = 0.0  # after the late penalty
    max_points: float = 0.0
    penalty: float = 0.0  # points the late policy took (course.toml)
    pending: float = 0.0
    cells: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)  # what the TA should know: kernel deaths, timeouts, integrity
    device: str = ""  # what the notebook computed on: cpu, cuda:0 (the worker's GPU), … ("" unknown)


def grade_one(api, aid, student, sandbox=True, lang=ENGLISH):
    """Autograde one student's assignment, its kernel in the sandbox unless `sandbox` is False.

    Never raises: a submission nbgrader cannot read gets a reason, and what the TA should know
    (kernel deaths, timeouts, tampering) goes to `notes` and reports/integrity/<aid>/<student>.md
    (written in `lang`, the class's language).
    """
    start = time.perf_counter()
    try:
        graded_before = manual.graded_answers(api, aid, student)
        ok, error, notes = grade_submission(api, aid, student, sandbox=sandbox, lang=lang)
        if ok:  # a TA's manual grade on an unchanged answer stands (nbgrader would flag it again)
            manual.keep_manual_grades(api, aid, student, graded_before)
    except Exception as exc:  # the grading machinery itself failed on this submission
        ok, error, notes = False, clip(f"{type(exc).__name__}: {exc}", 160), []
    return Outcome(student, aid, ok, time.perf_counter() - start, error, notes=notes,
                   device=graded_device(api, aid, student))


def clip(text, width):
    """`text` on one line, cut at a word boundary to at most `width` characters, "…" where it was cut
    (mid-word only when a single word fills most of the width)."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    head = text[:width - 1]
    words = head.rpartition(" ")[0].rstrip(" ,;:-")
    return (words if len(words) >= width // 2 else head) + "…"


def _read(path):
    """The notebook at `path`, or None when it is missing or unreadable (it then says nothing)."""
    try:
        return nbformat.read(path, as_version=4)
    except Exception:
        return None


def _cell_notes(nb, trusted_ids):
    """Errors in the autograded notebook `nb`: in the student's own cells, and failed tests."""
    notes = []
    for i, cell in enumerate(nb.cells if nb else []):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if cell.cell_type != "code" or not errors or errors[0].get("ename") == "KernelDied":
            continue
        label = cells.grade_id(cell) or f"#{i + 1}"
        first = f"{errors[0]['ename']}: {clip(errors[0].get('evalue', ''), 100)}"
        if cells.grade_id(cell) in trusted_ids and not cells.is_answer(cell):
            if cells.is_graded(cell):
                notes.append(translate(f"test {label} failed ({first})", ENGLISH))
        else:
            notes.append(translate(f"cell {label} raised {first}", ENGLISH))
    return notes


def _edited_locked(nb, locked):
    """Locked cells the student changed in the submitted notebook `nb` (nbgrader grades the instructor's
    version instead)."""
    return [translate(f"locked cell {cells.grade_id(c)} was edited; the original was put back", ENGLISH)
            for c in (nb.cells if nb else [])
            if cells.grade_id(c) in locked and c.source != locked[cells.grade_id(c)]
            and not cells.is_answer(c) and c.cell_type == "code"]


def _events(path):
    """What happened while the notebook ran (execute.py wrote it beside the autograded notebook);
    the file is removed, so it never reaches the student's feedback."""
    try:
        events = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return []
    Path(path).unlink(missing_ok=True)
    return events


_EXCEPTION_LINE = re.compile(r"^\s*(?:[\w.]+\.)?(\w+(?:Error|Exception|Interrupt|Exit|Gone|Unavailable)\b.*)$")


def _reason(result):
    """The last exception line of nbgrader's traceback (not its "see the traceback above"), for a table."""
    text = (result.get("error") or "") + "\n" + (result.get("log") or "")
    found = [m.group(1).strip() for m in map(_EXCEPTION_LINE.match, text.splitlines())
             if m and not m.group(1).startswith("NbGraderException: Please see")]
    return clip(found[-1], 400) if found else translate("autograde failed (see nbgrader's log)", ENGLISH)


def grade_submission(api, aid, student, sandbox=True, lang=ENGLISH):
    """Autograde one student's assignment with the guard (and the sandbox); (ok, error, notes).

    Never lets one submission stop the class: what nbgrader cannot read gets a reason, the
    kernel's fate and the guard's findings become notes, and the TA's integrity report is
    written to reports/integrity/<assignment>/<student>.md in the course folder (in `lang`).
    """
    cd = api.coursedir
    root = Path(cd.root)
    folder = Path(cd.format_path(cd.submitted_directory, student, aid))
    release = {p.name: p for p in sorted(Path(cd.format_path(cd.release_directory, ".", aid)).glob("*.ipynb"))}
    ok, error, notes, findings = False, preflight(folder, sorted(release)), [], []
    restored, events = [], []
    graded = Path(cd.format_path(cd.autograded_directory, student, aid))
    if not error:
        configure(api.config, sandbox, hidden=[root, Path.home()])
        deadlines.configure(api.config, root)
        deadlines.prepare_submission(cd.db_url, cd.course_id, root, aid, student)
        try:
            result = api.autograde(aid, student, force=True, create=True)
        except Exception as exc:  # nbgrader itself failed on this submission
            result = {"success": False, "error": f"{type(exc).__name__}: {exc}"}
        ok = bool(result["success"])
        error = "" if ok else _reason(result)
        for name, path in release.items():  # each notebook read once: released, submitted, autograded
            rel, submitted, autograded = nbformat.read(path, as_version=4), _read(folder / name), _read(graded / name)
            try:
                findings += scan_notebook(submitted, rel, name) if submitted else []
            except Exception:
                pass
            trusted = {cells.grade_id(c): c.source for c in rel.cells if cells.is_locked(c)}
            notes += _edited_locked(submitted, trusted)
            notes += _cell_notes(autograded, trusted)
            restored += [translate(f"{Path(name).stem}: locked cell {gid} was missing and was put back", ENGLISH)
                         for gid in (restored_ids(autograded) if autograded else [])]
            events += _events(graded / events_file(Path(name).stem))
    notes = restored + [e["text"] for e in events] + notes
    if findings:
        notes.append(translate(f"static scan flagged {len(findings)} line(s) for the TA", ENGLISH))
    result_line = ("graded" if ok else f"not graded: {error}") + (" (sandboxed)" if sandbox else " (UNSANDBOXED)")
    write_report(root / "reports" / "integrity" / aid / f"{student}.md", student, aid, result_line, notes, findings,
                 lang, shown=result_text(ok, error, sandbox, lang))
    return ok, error, notes


def result_text(ok, error, sandbox, lang=ENGLISH):
    """The integrity report's result line in `lang` (its JSON keeps the English, which reports.py reads)."""
    text = translate("graded", lang) if ok else translate("not graded: {0}", lang).format(translate(error, lang))
    return text + (translate(" (sandboxed)", lang) if sandbox else translate(" (UNSANDBOXED)", lang))


def attention_lines(outcomes, lang=ENGLISH):
    """Lines for under the grade table, in `lang`: submissions a TA should look at, and why."""
    lines = []
    for o in outcomes:
        notes = [n for n in getattr(o, "notes", []) if not n.startswith(("test ", "cell "))]  # (the English records)
        if notes:
            more = translate(" (+{0} more)", lang).format(len(notes) - 1) if len(notes) > 1 else ""
            lines.append(f"  - {o.student} ({o.assignment}): {clip(translate(notes[0], lang), 140)}{more}")
    if lines:
        lines.insert(0, "\n" + translate("needs a look (details in reports/integrity/<assignment>/<student>.md):", lang))
    return lines


def write_report(path, student, aid, outcome_line, events, findings, lang=ENGLISH, shown=None):
    """Write the TA's integrity report for one student's assignment (Markdown, in `lang`, with the result
    line `shown`; the JSON beside it in English); return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [translate("# Integrity report: {0}, {1}", lang).format(student, aid), "",
             translate("Result: {0}", lang).format(outcome_line if shown is None else shown), "",
             translate("## What happened while grading", lang), ""]
    lines += [f"- {translate(e, lang)}" for e in events] or [translate("- nothing unusual", lang)]
    lines += ["", translate("## Suspicious code in the cells the student wrote (static scan)", lang), ""]
    lines += [f"- {f}" for f in findings] or [translate("- nothing flagged", lang)]
    path.write_text("\n".join(lines) + "\n")
    (path.with_suffix(".json")).write_text(json.dumps(
        {"student": student, "assignment": aid, "result": outcome_line, "events": events,
         "findings": [asdict(f) for f in findings]}, indent=1))
    return path


_DEVICE_LINE = re.compile(r"computing on (cpu|cuda|mps)(?::(\d+))?")


def graded_device(api, aid, student):
    """What the autograded notebooks' locked cells say they computed on ("computing on cuda"), as
    cpu or cuda:N with N the machine's GPU (through CUDA_VISIBLE_DEVICES); "" when none says."""
    folder = Path(api.coursedir.format_path(api.coursedir.autograded_directory, student, aid))
    found = set()
    for path in sorted(folder.glob("*.ipynb")):
        try:
            notebook = nbformat.read(path, as_version=4).cells
        except Exception:  # noqa: BLE001  (an unreadable notebook says nothing)
            continue
        texts = [str(o.get("text", "")) for c in notebook if cells.is_instructor_code(c) for o in c.get("outputs", [])]
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
                o.ok, o.error = False, translate("no submission in the gradebook", ENGLISH)
                continue
            for nb in sub.notebooks:
                o.penalty += nb.late_submission_penalty or 0.0
                for g in nb.grades:
                    o.cells[g.name] = None if g.needs_manual_grade else float(g.score)
                    if g.needs_manual_grade:
                        o.pending += g.max_score
                    else:
                        o.points += g.score
            o.points = max(0.0, o.points - o.penalty)
    return outcomes
