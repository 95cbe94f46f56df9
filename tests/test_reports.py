"""Reports from a gradebook with known grades: tables, plots, integrity flags, the summary."""
import csv
import json

import pytest
from nbgrader.api import Gradebook
from test_parallel import AID, small_course

from dlcourse.grading import pipeline, reports


def _read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A gradebook with four students' grades set by hand (no kernels), and one failed grading.

    a: every test cell right, written answers waiting for a TA; b: nothing right;
    c: all but the first two test cells, written answers waiting; d: all but the first test
    cell, written answers graded by a TA with full marks.
    """
    root = small_course(tmp_path_factory.mktemp("reports"))
    api = pipeline.course_api(root)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        nb = gb.find_assignment(AID).notebooks[0]
        answers = {s.name for s in nb.solution_cells}
        tests = sorted((g.name, g.max_score) for g in nb.grade_cells if g.cell_type == "code" and g.name not in answers)
        written = [g.name for g in nb.grade_cells if g.name not in dict(tests)]
        wrong = {"a": set(), "b": {t for t, _ in tests}, "c": {tests[0][0], tests[1][0]}, "d": {tests[0][0]}}
        for student, lost in wrong.items():
            gb.add_student(student)
            gb.add_submission(AID, student)
            for name, pts in tests:
                g = gb.find_grade(name, nb.name, AID, student)
                g.auto_score, g.needs_manual_grade = (0.0 if name in lost else pts), False
            for name in written:
                g = gb.find_grade(name, nb.name, AID, student)
                if student in "ac":
                    g.auto_score, g.needs_manual_grade = None, True
                elif student == "b":
                    g.auto_score, g.needs_manual_grade = 0.0, False
                else:
                    g.auto_score, g.manual_score, g.needs_manual_grade = None, g.max_score, False
        gb.db.commit()
    failed = [pipeline.Outcome("e", AID, False, 0.0, "broken notebook")]
    (root / "reports" / "integrity" / AID).mkdir(parents=True)
    (root / "reports" / "integrity" / AID / "b.json").write_text(json.dumps(
        {"student": "b", "assignment": AID, "result": "graded", "events": [],
         "findings": [{"notebook": f"{AID}.ipynb", "cell": "x", "line": 2, "rule": "os.system", "code": "os.system('ls')"}]}))
    summary = reports.write_reports(root, failed)
    return root, dict(tests), wrong, summary


def test_assignment_table(course):
    root, tests, wrong, _ = course
    (row,) = _read(root / "reports" / "assignments.csv")
    full = sum(tests.values())
    points = [full - sum(tests[t] for t in lost) for lost in wrong.values()]
    assert row["assignment"] == AID and int(row["graded"]) == 4 and int(row["failed"]) == 1
    assert float(row["max_auto_points"]) == full
    assert float(row["mean_auto_points"]) == pytest.approx(sum(points) / 4, abs=0.01)
    assert int(row["waiting_for_manual_grading"]) == 2  # a and c


def test_cell_table(course):
    root, tests, wrong, _ = course
    rows = {r["cell"]: r for r in _read(root / "reports" / "cells.csv")}
    for name, pts in tests.items():
        passing = sum(name not in lost for lost in wrong.values())
        assert rows[name]["kind"] == "auto"
        assert float(rows[name]["share_passing"]) == pytest.approx(passing / 4, abs=1e-3), name
        assert float(rows[name]["mean_points"]) == pytest.approx(pts * passing / 4, abs=0.01), name
    manual = [r for r in rows.values() if r["kind"] == "manual"]
    assert manual and all(int(r["waiting_for_manual_grading"]) == 2 for r in manual)


def test_grades_csv_is_nbgraders_export(course):
    root, *_ = course
    rows = _read(root / "reports" / "grades.csv")
    assert sorted(r["student_id"] for r in rows) == ["a", "b", "c", "d"]


def test_plots_are_pngs(course):
    root, *_ = course
    for name in (f"scores_{AID}.png", "hardest_cells.png"):
        data = (root / "reports" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000, name


def test_summary_fits_a_screen_and_names_what_matters(course):
    root, tests, _, summary = course
    lines = summary.splitlines()
    assert len(lines) <= 24 and max(map(len, lines)) <= 160
    assert (root / "reports" / "summary.txt").read_text().strip() == summary.strip()
    assert "FAILED (e)" in summary and "2 wait for manual grading" in summary
    hardest = lines[lines.index("Hardest test cells (share of students with full points):") + 1]
    assert sorted(tests)[0] in hardest and "25%" in hardest
    assert "Integrity: 1 flagged line(s)" in summary and "b (01_tensors: 1)" in summary
    (flag,) = _read(root / "reports" / "integrity.csv")
    assert flag["student"] == "b" and flag["rule"] == "os.system"


def test_the_reports_command_alone_still_counts_a_submission_that_could_not_be_graded(course):
    root, _, _, summary = course
    (root / "reports" / "integrity" / AID / "e.json").write_text(json.dumps(  # as the grading run wrote it
        {"student": "e", "assignment": AID, "result": "not graded: broken notebook (sandboxed)", "events": [],
         "findings": []}))
    again = reports.write_reports(root)  # `python -m dlcourse reports`, after hand grading, say: no outcomes
    assert "FAILED (e)" in again and again == summary
    (row,) = _read(root / "reports" / "assignments.csv")
    assert int(row["graded"]) == 4 and int(row["failed"]) == 1


@pytest.mark.parametrize("points", [
    [0, 0, 0, 0, 0, 0, 1, 12],  # most of the class scored 0
    [12, 12, 12, 11, 12, 0],  # most scored full points
    [0, 3, 6, 9, 12, 6, 6],
    [0],
], ids=["mostly-zero", "mostly-full", "spread", "one"])
def test_the_histograms_legend_covers_no_bar(points, tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    stats = reports.AssignmentStats(AID, 12.0, 3.0, {f"s{i}": p for i, p in enumerate(points)})
    fig = reports.histogram_figure(stats)
    renderer = FigureCanvasAgg(fig).get_renderer()
    (ax,) = fig.axes
    legend = ax.get_legend().get_window_extent(renderer)
    bars = [bar.get_window_extent(renderer) for bar in ax.patches if bar.get_height() > 0]
    assert len(bars) == len(set(points)) and not any(legend.overlaps(bar) for bar in bars)
    assert reports.plot_histogram(stats, tmp_path / "h.png").stat().st_size > 0
