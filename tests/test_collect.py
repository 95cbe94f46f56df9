"""Collecting end to end with nbgrader's own commands: the exchange, and zip_collect of a Moodle download."""
import os
import subprocess
import sys
import zipfile

import nbformat
import pytest
from conftest import SUBMISSIONS
from test_parallel import AID, small_course

from dlcourse.grading import collect, pipeline
from dlcourse.notebook import variants as made_up


def nbgrader(*args, cwd):
    """Run an nbgrader command the way a TA or a student types it; fail loudly."""
    env = {k: v for k, v in os.environ.items() if k != "DLCOURSE_DB_URL"}
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"nbgrader {' '.join(args)}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


def notebook(root, kind):
    """The 01_tensors notebook a student of `kind` hands in."""
    src, rel = pipeline.notebook_pair(root, AID)
    variants = made_up.load_variants(SUBMISSIONS, AID)
    if kind == "mistake":
        kind = next(v for v in variants if v.startswith("mistake"))
    (name,) = rel
    return made_up.build(src[name], rel[name], kind, variants.get(kind, {}).get("cells"))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return small_course(tmp_path_factory.mktemp("collect"))


@pytest.fixture(scope="module")
def exchanged(course, tmp_path_factory):
    """Release to a temporary exchange; three students fetch, work and submit; the TA collects."""
    exchange = tmp_path_factory.mktemp("exchange")
    os.chmod(exchange, 0o777)
    ex = f"--Exchange.root={exchange}"
    nbgrader("release_assignment", AID, ex, cwd=course)
    students = {"ex_ada": "reference", "ex_ben": "untouched", "ex_cleo": "mistake"}
    for student, kind in students.items():
        home = tmp_path_factory.mktemp(student)
        nbgrader("fetch_assignment", AID, "--course=dl-course", ex, cwd=home)
        fetched = home / AID / f"{AID}.ipynb"
        assert fetched.exists()
        if kind != "untouched":
            nbformat.write(notebook(course, kind), fetched)
        nbgrader("submit", AID, "--course=dl-course", ex, f"--student={student}", cwd=home)
    listed = nbgrader("list", "--inbound", ex, cwd=course)
    nbgrader("collect", AID, ex, cwd=course)
    return students, listed.stdout + listed.stderr


def test_exchange_collects_every_student_under_their_user_name(course, exchanged):
    students, listed = exchanged
    for student in students:
        assert student in listed
        folder = course / "submitted" / student / AID
        assert (folder / f"{AID}.ipynb").exists() and (folder / "timestamp.txt").exists()


ROSTER = """student_id,full_name,moodle_id
m_ada,Ada Lovelace,1001
m_ben,Ben Brown,1002
m_cleo,Cleo Chen,1003
m_anna,Анна Петрова,1005
m_twin1,Sam Lee,
m_twin2,Sam Lee,
"""


@pytest.fixture(scope="module")
def moodled(course, tmp_path_factory):
    """A Moodle download: folders per submission, a renamed notebook, a stranger, a PDF, twins."""
    tmp = tmp_path_factory.mktemp("moodle")
    roster = tmp / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    ref = nbformat.writes(notebook(course, "reference"))
    untouched = nbformat.writes(notebook(course, "untouched"))
    archive = tmp / "DL-2026-Homework 1-12345.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(f"Ada Lovelace_1001_assignsubmission_file_/{AID}.ipynb", ref)
        z.writestr("Ada Lovelace_1001_assignsubmission_file_/notes.pdf", b"%PDF-1.4")
        z.writestr(f"Ben Brown_1002_assignsubmission_file_/{AID} (1).ipynb", untouched)  # renamed by the browser
        z.writestr(f"Cleo Chen_7777_assignsubmission_file_/{AID}.ipynb", untouched)      # id changed, name known
        z.writestr(f"Анна Петрова_1005_assignsubmission_file_{AID}.ipynb", ref)          # flat download
        z.writestr(f"Dmitri Orlov_1004_assignsubmission_file_/{AID}.ipynb", ref)         # not in the roster
        z.writestr(f"Sam Lee_1006_assignsubmission_file_/{AID}.ipynb", ref)              # two Sam Lees
    return collect.zip_collect_moodle(course, AID, archive, roster)


def test_moodle_download_is_collected_through_the_roster(course, moodled):
    collected, _ = moodled
    for student in ("m_ada", "m_ben", "m_cleo", "m_anna"):
        assert student in collected
        assert (course / "submitted" / student / AID / f"{AID}.ipynb").exists(), student
    assert not any(s.startswith("m_twin") for s in collected)


def test_unmatched_submissions_are_reported_not_dropped(course, moodled):
    _, report = moodled
    by_status = {}
    for row in report:
        by_status.setdefault(row["status"], []).append(row)
    unmatched = {r["file"].split("_")[0].split("/")[-1]: r["reason"] for r in by_status["unmatched"]}
    assert set(unmatched) == {"Dmitri Orlov", "Sam Lee"}
    assert "1004" in unmatched["Dmitri Orlov"] and "2 students" in unmatched["Sam Lee"]
    assert [r["student_id"] for r in by_status["skipped"]] == ["m_ada"]  # the PDF
    assert [r["student_id"] for r in by_status["renamed"]] == ["m_ben"]
    assert report == collect.unmatched_report(course, AID)


def test_collected_submissions_grade(course, exchanged, moodled):
    students = [*exchanged[0], "m_ada", "m_ben", "m_anna"]
    outcomes = {o.student: o for o in pipeline.grade(course, [AID], students, workers=2)}
    full = outcomes["ex_ada"].max_points - outcomes["ex_ada"].pending
    assert all(o.ok for o in outcomes.values()), {s: o.error for s, o in outcomes.items()}
    assert outcomes["ex_ada"].points == full == outcomes["m_ada"].points == outcomes["m_anna"].points
    assert outcomes["ex_ben"].points == 0 == outcomes["m_ben"].points
    assert 0 < outcomes["ex_cleo"].points < full
