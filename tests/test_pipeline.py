"""The TA pipeline end to end through the command line, on a copy of the course."""
import csv
import html as html_lib
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from conftest import REPO, SUBMISSIONS

from dlcourse.notebook import variants as made_up

HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.S)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """Run `python -m dlcourse demo 01_tensors` in a fresh copy of the course."""
    root = tmp_path_factory.mktemp("demo")
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "source" / "01_tensors", root / "source" / "01_tensors")
    result = subprocess.run([sys.executable, "-m", "dlcourse", "--root", str(root), "demo", "01_tensors",
                             "--submissions", str(SUBMISSIONS)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return root, result.stdout


def _row(stdout, student):
    return next(line for line in stdout.splitlines() if line.startswith(student + " "))


def test_demo_prints_a_grade_table_with_every_student(demo_run):
    _, out = demo_run
    assert "student" in out and "01_tensors" in out
    for student in ("ada", "ben", "cleo", "dev", "eli"):
        assert _row(out, student)


def _source():
    return nbformat.read(REPO / "source" / "01_tensors" / "01_tensors.ipynb", as_version=4)


def test_reference_student_gets_all_autograded_points_and_written_answers_are_pending(demo_run):
    _, out = demo_run
    row = _row(out, "ada")
    points, maximum = row.split()[1].split("/")
    tests = sum(made_up.test_points(_source()).values())
    written = sum(c.metadata.nbgrader["points"] for c in _source().cells
                  if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade"))
    assert float(points) == tests and float(maximum) == tests + written  # every test point; the rest by hand
    assert f"({written:g} pending)" in row


def test_untouched_release_scores_zero_and_nothing_pending(demo_run):
    _, out = demo_run
    row = _row(out, "ben")
    assert row.split()[1].startswith("0/") and "pending" not in row


def test_broken_notebook_is_reported_and_does_not_stop_the_others(demo_run):
    root, out = demo_run
    assert "FAILED" in _row(out, "eli")
    assert any(line.startswith("FAILED eli · 01_tensors:") and "JSON" in line for line in out.splitlines())
    for student in ("ada", "ben", "cleo", "dev"):
        assert (root / "autograded" / student / "01_tensors" / "01_tensors.ipynb").exists()


def test_feedback_and_csv_export_are_written(demo_run):
    root, _ = demo_run
    assert (root / "feedback" / "ada" / "01_tensors" / "01_tensors.html").exists()
    with open(root / "reports" / "grades.csv") as f:
        rows = list(csv.DictReader(f))
    by_student = {r["student_id"]: r for r in rows if r["assignment"] == "01_tensors"}
    assert {"ada", "ben", "cleo", "dev"} <= set(by_student)
    assert float(by_student["ada"]["raw_score"]) > float(by_student["cleo"]["raw_score"]) > 0


def test_feedback_does_not_reveal_hidden_tests(demo_run):
    root, _ = demo_run
    hidden = [line.strip() for c in _source().cells for block in HIDDEN.findall(c.source)
              for line in block.splitlines() if len(line.strip()) > 24]  # every line with content
    assert len(hidden) > 50
    for student in ("ada", "cleo", "dev"):  # right, partly right, wrong: what each test cell shows differs
        html = html_lib.unescape((root / "feedback" / student / "01_tensors" / "01_tensors.html").read_text())
        assert "BEGIN HIDDEN TESTS" not in html
        shown = [line for line in hidden if line in html]
        assert not shown, f"{student}'s feedback shows hidden test lines: {shown[:3]}"
