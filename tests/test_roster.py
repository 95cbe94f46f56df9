"""The class list: checked row by row, imported with nbgrader's own `db student import`, and then in
the gradebook and nbgrader's export with names and emails."""
import csv
import shutil
import subprocess
import sys

import pytest
from conftest import REPO
from nbgrader.api import Gradebook

from dlcourse.grading import pipeline
from dlcourse.grading.collect import Roster
from dlcourse.grading.roster import RosterError, read

AID = "01_tensors"
ROSTER = """student_id,first_name,last_name,email,moodle_id
ada,Ada,Lovelace,ada@example.org,123456
ben,Benoît,Mandelbrot,ben@example.org,
cleo,Cleo,,,
"""


def _dlcourse(root, *args):
    return subprocess.run([sys.executable, "-m", "dlcourse", "--root", str(root), *args], capture_output=True,
                          text=True, timeout=600)


@pytest.fixture
def course(tmp_path):
    shutil.copy(REPO / "nbgrader_config.py", tmp_path)
    shutil.copytree(REPO / "source" / AID, tmp_path / "source" / AID)
    pipeline.generate(pipeline.course_api(tmp_path), [AID])
    return tmp_path


def _students(root):
    api = pipeline.course_api(root)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        return {s.id: (s.first_name, s.last_name, s.email) for s in gb.students}


def test_the_roster_lands_in_the_gradebook_and_the_export_and_importing_again_updates_it(course):
    (course / "roster.csv").write_text(ROSTER)
    run = _dlcourse(course, "roster")
    assert run.returncode == 0 and "3 students in the gradebook from roster.csv" in run.stdout, run.stderr
    students = _students(course)
    assert students["ada"] == ("Ada", "Lovelace", "ada@example.org")
    assert students["ben"] == ("Benoît", "Mandelbrot", "ben@example.org")
    assert students["cleo"][0] == "Cleo"
    (course / "roster.csv").write_text(ROSTER.replace("ada@example.org", "ada@uni.example.org"))
    assert _dlcourse(course, "roster").returncode == 0
    assert _students(course)["ada"][2] == "ada@uni.example.org" and len(_students(course)) == 3
    export = course / "grades.csv"
    pipeline.export_csv(course, export)
    rows = {r["student_id"]: r for r in csv.DictReader(export.open())}
    assert (rows["ben"]["first_name"], rows["ben"]["last_name"], rows["ben"]["email"]) == \
        ("Benoît", "Mandelbrot", "ben@example.org")


@pytest.mark.parametrize("text, message", [
    ("student_id,first_name,last_name\nada,Ada,Lovelace\n", "no column email"),
    ("student_id,first_name,last_name,email\nAda Lovelace,Ada,Lovelace,\n", "line 2: student_id 'Ada Lovelace' must"),
    ("student_id,first_name,last_name,email\nada,Ada,L,\nben,B,M,\nada,Ada,L,\n", "line 4: student_id 'ada' is "
                                                                                   "already on line 2"),
    ("student_id,first_name,last_name,email\nada,Ada,L,ada-at-example\n", "line 2: 'ada-at-example' is not an email"),
])
def test_a_roster_with_a_bad_row_is_refused_with_its_line_and_nothing_imported(course, text, message):
    (course / "roster.csv").write_text(text)
    run = _dlcourse(course, "roster")
    assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert _students(course) == {}
    with pytest.raises(RosterError):
        read(course / "roster.csv")


def test_a_missing_roster_names_the_columns_to_write(course):
    run = _dlcourse(course, "roster", "class.csv")
    assert run.returncode == 2 and "student_id, first_name, last_name, email" in run.stderr


def test_the_moodle_collector_matches_by_first_and_last_name_from_the_same_roster(tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER)
    roster = Roster(read(tmp_path / "roster.csv"))
    assert roster.match("Benoît  MANDELBROT", "999")[0] == "ben"
    assert roster.match("Someone Else", "123456")[0] == "ada"
