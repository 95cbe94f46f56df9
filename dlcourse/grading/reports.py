"""Reports a TA reads at a glance, written from the gradebook after grading.

``write_reports(root)`` fills ``reports/``:

- ``grades.csv``: nbgrader's own export (one row per student and assignment);
- ``assignments.csv``: per assignment, submissions, mean autograded points and percent, how
  many submissions wait for manual grading, how many failed to grade;
- ``cells.csv``: per graded cell, its kind (auto: a test cell; manual: a written answer), mean
  points, the share of students passing it (full points) and how many wait for manual grading;
- ``scores_<assignment>.png``: histogram of autograded points per assignment;
- ``hardest_cells.png``: the test cells the fewest students pass;
- ``summary.txt``: the one-screen text summary (``make demo`` prints it);
- ``integrity.csv``: every line of student code the sandboxed grading's static scan flagged,
  gathered from its per-student reports (``reports/integrity/<assignment>/<student>.json``),
  and counted per submission in the summary.

The summary and the plots are in the class's language (`lang`: course.toml's ``language``, or the
command's ``--lang``); the CSV tables keep English column names and values, for the programs that read them.
"""
import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from nbgrader.api import Gradebook

from ..i18n import ENGLISH, ngettext, translate
from . import course, deadlines, finals


@dataclass
class CellStats:
    """One graded cell of one assignment, over every submission."""
    assignment: str
    notebook: str
    cell: str
    kind: str  # "auto" (a test cell) or "manual" (a written answer)
    max_points: float
    scores: list = field(default_factory=list)  # points of each graded submission
    pending: int = 0  # submissions where it waits for manual grading

    @property
    def mean(self):
        return sum(self.scores) / len(self.scores) if self.scores else math.nan

    @property
    def passing(self):
        """Share of graded submissions with full points."""
        return sum(s >= self.max_points for s in self.scores) / len(self.scores) if self.scores else math.nan


@dataclass
class AssignmentStats:
    """One assignment over every submission."""
    assignment: str
    max_auto: float
    max_manual: float
    auto_points: dict = field(default_factory=dict)  # student -> autograded points
    pending: dict = field(default_factory=dict)  # student -> number of cells waiting for a TA
    failed: list = field(default_factory=list)  # students whose grading failed
    late: dict = field(default_factory=dict)  # student -> points the late policy took (late submissions only)

    @property
    def mean(self):
        pts = list(self.auto_points.values())
        return sum(pts) / len(pts) if pts else math.nan


def failed_gradings(reports):
    """(assignment, student) of every submission the last grading could not grade, from the integrity
    reports it wrote (reports/integrity/<assignment>/<student>.json): what the gradebook does not hold."""
    failed = set()
    for path in sorted(Path(reports, "integrity").glob("*/*.json")):
        try:
            report = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if str(report.get("result", "")).startswith("not graded"):
            failed.add((report.get("assignment", path.parent.name), report.get("student", path.stem)))
    return failed


def collect_stats(db_url, course_id, outcomes=None, failed=()):
    """(assignments, cells) statistics from the gradebook; `outcomes` and `failed` ((assignment, student)
    pairs) mark failed gradings."""
    failed = set(failed) | {(o.assignment, o.student) for o in outcomes or [] if not o.ok}
    assignments, cells = [], []
    with Gradebook(db_url, course_id) as gb:
        for a in sorted(gb.assignments, key=lambda a: a.name):
            stats, by_cell = AssignmentStats(a.name, 0.0, 0.0), {}
            for nb in a.notebooks:
                answers = {sc.name for sc in nb.solution_cells}
                for gc in nb.grade_cells:
                    kind = "auto" if gc.cell_type == "code" and gc.name not in answers else "manual"
                    by_cell[nb.name, gc.name] = CellStats(a.name, nb.name, gc.name, kind, float(gc.max_score))
                    if kind == "auto":
                        stats.max_auto += gc.max_score
                    else:
                        stats.max_manual += gc.max_score
            for sub in a.submissions:
                student = sub.student.id
                if (a.name, student) in failed:
                    stats.failed.append(student)
                    continue
                auto, waiting = 0.0, 0
                for nb in sub.notebooks:
                    for g in nb.grades:
                        c = by_cell[nb.name, g.name]
                        if g.needs_manual_grade:
                            c.pending += 1
                            waiting += 1
                            continue
                        c.scores.append(float(g.score))
                        if c.kind == "auto":
                            auto += float(g.score)
                stats.auto_points[student], stats.pending[student] = auto, waiting
                if sub.total_seconds_late > 0:
                    stats.late[student] = sum(nb.late_submission_penalty or 0.0 for nb in sub.notebooks)
            stats.failed += sorted(s for aid, s in failed if aid == a.name and s not in stats.failed
                                   and s not in stats.auto_points)
            assignments.append(stats)
            cells += sorted(by_cell.values(), key=lambda c: (c.notebook, c.cell))
    return assignments, cells


def integrity_flags(reports):
    """Flags of the sandboxed grading's integrity reports (reports/integrity/<aid>/<student>.json).

    One row per flagged line of student code: assignment, student, notebook, cell, line, rule,
    code. None when no integrity report exists (grading ran without the integrity scan).
    """
    files = sorted(Path(reports).glob("integrity/*/*.json"))
    if not files:
        return None
    rows = []
    for path in files:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        for f in data.get("findings") or []:
            rows.append({"assignment": data.get("assignment", path.parent.name),
                         "student": data.get("student", path.stem),
                         **{k: f.get(k, "") for k in ("notebook", "cell", "line", "rule", "code")}})
    return rows


def write_integrity(reports, flags):
    """integrity.csv: every flag in one table (the per-student reports stay where they are)."""
    with open(Path(reports) / "integrity.csv", "w", newline="") as f:
        w = csv.DictWriter(f, ["assignment", "student", "notebook", "cell", "line", "rule", "code"])
        w.writeheader()
        w.writerows(flags)


def _fmt(x, spec="g"):
    return "-" if isinstance(x, float) and math.isnan(x) else format(x, spec)


def write_tables(reports, assignments, cells):
    """assignments.csv and cells.csv."""
    with open(reports / "assignments.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["assignment", "submissions", "graded", "failed", "max_auto_points", "max_manual_points",
                    "mean_auto_points", "mean_auto_percent", "waiting_for_manual_grading", "late_submissions",
                    "late_points_taken"])
        for a in assignments:
            graded = len(a.auto_points)
            pct = 100 * a.mean / a.max_auto if a.max_auto and graded else math.nan
            w.writerow([a.assignment, graded + len(a.failed), graded, len(a.failed), _fmt(a.max_auto),
                        _fmt(a.max_manual), _fmt(round(a.mean, 2)), _fmt(round(pct, 1)),
                        sum(1 for n in a.pending.values() if n), len(a.late), _fmt(round(sum(a.late.values()), 2))])
    with open(reports / "cells.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["assignment", "notebook", "cell", "kind", "max_points", "mean_points", "share_passing",
                    "graded", "waiting_for_manual_grading"])
        for c in cells:
            w.writerow([c.assignment, c.notebook, c.cell, c.kind, _fmt(c.max_points), _fmt(round(c.mean, 2)),
                        _fmt(round(c.passing, 3)), len(c.scores), c.pending])


def _save(fig, path):
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    return path


def plot_histogram(a, path, lang=ENGLISH):
    """Histogram of autograded points of one assignment."""
    return _save(histogram_figure(a, lang), path)


def histogram_figure(a, lang=ENGLISH):
    """The histogram's figure; the legend stands beside the axes, where it covers no bar."""
    fig = Figure(figsize=(6, 3.2))
    ax = fig.add_subplot()
    pts = list(a.auto_points.values())
    top = max(a.max_auto, 1.0)
    bins = int(math.ceil(top)) + 1 if top <= 30 else 20  # up to 30 points: a bar per point
    ax.hist(pts, bins=bins, range=(-0.5, top + 0.5), color="#4c72b0", edgecolor="white")
    if pts:
        ax.axvline(a.mean, color="#c44e52", linestyle="--", label=translate("mean {0}", lang).format(f"{a.mean:.1f}"))
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0, frameon=False)
    title = f"{a.assignment}: " + ngettext("{n} graded", "{n} graded", len(pts), lang) + \
        (ngettext(", {n} failed", ", {n} failed", len(a.failed), lang) if a.failed else "")
    ax.set(xlim=(-0.5, top + 0.5), xlabel=translate("autograded points (of {0})", lang).format(f"{a.max_auto:g}"),
           ylabel=translate("students", lang), title=title)
    ax.yaxis.get_major_locator().set_params(integer=True)
    return fig


def plot_hardest(cells, path, top=12, lang=ENGLISH):
    """Bar chart of the test cells the fewest students pass."""
    auto = sorted((c for c in cells if c.kind == "auto" and c.scores), key=lambda c: (c.passing, c.mean))[:top]
    fig = Figure(figsize=(7, 0.4 * max(len(auto), 3) + 1.2))
    ax = fig.add_subplot()
    labels = [f"{c.assignment} · {c.cell}" for c in auto][::-1]
    shares = [100 * c.passing for c in auto][::-1]
    bars = ax.barh(labels, shares, color="#dd8452")
    for bar, share in zip(bars, shares):
        ax.text(min(share + 1, 92), bar.get_y() + bar.get_height() / 2, f"{share:.0f}%", va="center", fontsize=8)
    ax.set(xlim=(0, 100), xlabel=translate("students with full points (%)", lang),
           title=translate("Hardest test cells", lang))
    return _save(fig, path)


def summary_text(assignments, cells, flags=None, top=5, lang=ENGLISH):
    """The one-screen summary, in `lang`."""
    title = translate("Grading summary", lang)
    lines = [title, "=" * len(title)]
    for a in assignments:
        graded = len(a.auto_points)
        waiting = sum(1 for n in a.pending.values() if n)
        pct = f" ({100 * a.mean / a.max_auto:.0f}%)" if graded and a.max_auto else ""
        lines.append(f"{a.assignment}: " + ngettext("{n} graded", "{n} graded", graded, lang)
                     + (ngettext(", {n} FAILED ({names})", ", {n} FAILED ({names})", len(a.failed), lang,
                                 names=", ".join(a.failed)) if a.failed else "")
                     + (translate("; mean {0}/{1} autograded{2}", lang).format(f"{a.mean:.1f}", f"{a.max_auto:g}", pct)
                        if graded else "")
                     + (ngettext("; {n} wait for manual grading ({points} points each)",
                                 "; {n} wait for manual grading ({points} points each)", waiting, lang,
                                 points=f"{a.max_manual:g}") if waiting else "")
                     + (ngettext("; {n} late, {points} points taken", "; {n} late, {points} points taken",
                                 len(a.late), lang, points=f"{sum(a.late.values()):g}") if a.late else ""))
    hard = sorted((c for c in cells if c.kind == "auto" and c.scores), key=lambda c: (c.passing, c.mean))[:top]
    if hard:
        lines.append(translate("Hardest test cells (share of students with full points):", lang))
        lines += [f"  {100 * c.passing:3.0f}%  {c.assignment} · {c.cell} "
                  + translate("({0} pts)", lang).format(f"{c.max_points:g}") for c in hard]
    if flags is not None:
        per = {}
        for r in flags:
            per[r["student"], r["assignment"]] = per.get((r["student"], r["assignment"]), 0) + 1
        shown = ", ".join(f"{s} ({a}: {n})" for (s, a), n in sorted(per.items())[:8])
        more = translate(", and {0} more", lang).format(len(per) - 8) if len(per) > 8 else ""
        lines.append(ngettext("Integrity: {n} flagged line(s) of student code",
                              "Integrity: {n} flagged line(s) of student code", len(flags), lang) +
                     (ngettext(" in {n} submission(s)", " in {n} submission(s)", len(per), lang)
                      + translate(": {0}{1}; see reports/integrity/", lang).format(shown, more) if flags else ""))
    return "\n".join(lines)


def lms_line(root, ids, lang=ENGLISH):
    """The summary's line on the LMS, once grades were pushed: per assignment, final grades it holds and
    final grades still to push (never pushed, or changed since)."""
    if not ids or not any((Path(root) / finals.LEDGER).glob("*.json")):
        return ""
    status = finals.lms_status(root, finals.final_grades(root, ids, settle=False))  # write_reports settled them
    systems = sorted({system for system, _ in status})
    return "".join(f"\nLMS ({system}): " + "; ".join(translate("{0} {1} pushed, {2} pending", lang).format(
        aid, *status[system, aid]) for aid in ids) for system in systems)


def similarity_line(reports, lang=ENGLISH):
    """The summary's line on similar code, once `python -m dlcourse similarity` wrote its tables."""
    found = []
    for path in sorted(Path(reports, "similarity").glob("*.csv")):
        with path.open(newline="") as handle:
            pairs = sum(1 for _ in csv.DictReader(handle))
        found.append(ngettext("{name} {n} pair(s)", "{name} {n} pair(s)", pairs, lang, name=path.stem))
    return "\n" + translate("Similar code (read before deciding): {0}; see reports/similarity/", lang).format(
        "; ".join(found)) if found else ""


def write_reports(root, outcomes=None, export=True, lang=None):
    """Write every report into root/reports from the course's gradebook; return the summary text (the summary
    and the plots in `lang`, by default the class's language)."""
    root = Path(root)
    lang = deadlines.class_language(root, lang)
    reports = root / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    api = course.course_api(root)
    graded_now = {(o.assignment, o.student) for o in outcomes or []}  # what this run says replaces old reports
    failed = {k for k in failed_gradings(reports) if k not in graded_now}
    deadlines.settle_penalties(api.coursedir.db_url, api.coursedir.course_id, root)
    assignments, cells = collect_stats(api.coursedir.db_url, api.coursedir.course_id, outcomes, failed)
    if export:
        course.export_csv(root, reports / "grades.csv")
    write_tables(reports, assignments, cells)
    for old in reports.glob("scores_*.png"):
        old.unlink()
    for a in assignments:
        plot_histogram(a, reports / f"scores_{a.assignment}.png", lang)
    plot_hardest(cells, reports / "hardest_cells.png", lang=lang)
    flags = integrity_flags(reports)
    if flags is not None:
        write_integrity(reports, flags)
    text = summary_text(assignments, cells, flags, lang=lang) + lms_line(root, [a.assignment for a in assignments], lang)
    text += similarity_line(reports, lang)
    text += "\n" + translate("Reports in reports/: {0}", lang).format(
        "grades.csv, assignments.csv, cells.csv, scores_<assignment>.png, hardest_cells.png"
        + (", integrity.csv" if flags is not None else ""))
    (reports / "summary.txt").write_text(text + "\n")
    return text
