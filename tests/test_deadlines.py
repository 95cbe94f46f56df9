"""Due dates, the late policy and extensions: on both sides of every boundary, through real autograde,
in the gradebook, the grade table, nbgrader's export, the reports and the student's feedback."""
import csv
import datetime
import re
import shutil
import subprocess
import sys

import pytest
from conftest import REPO
from nbgrader.api import Gradebook

from dlcourse.grading import deadlines, pipeline, reports
from dlcourse.grading.deadlines import ScheduleError, parse_extension, penalty

AID = "01_tensors"
DUE = datetime.datetime(2027, 2, 22, 22, 59, tzinfo=datetime.timezone.utc)  # 23:59 in Berlin
DAY = datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)
COURSE = f"""
[deadlines]
{AID} = "2027-02-22T23:59:00+01:00"

[late_penalty]
policy = "per_day"
per_day = 0.1
cap = 0.3
"""
# student -> (handed in at, extension, share the policy takes)
CLASS = {
    "on_time": (DUE - SECOND, "", 0.0),
    "at_the_second": (DUE, "", 0.0),
    "one_second_late": (DUE + SECOND, "", 0.1),
    "one_day_late": (DUE + DAY, "", 0.1),
    "a_day_and_a_second": (DUE + DAY + SECOND, "", 0.2),
    "ten_days_late": (DUE + 10 * DAY, "", 0.3),  # the cap
    "extended": (DUE + 2 * DAY - SECOND, "2d", 0.0),
    "extended_but_late": (DUE + 2 * DAY + SECOND, "1d 12h", 0.1),
}


def test_the_per_day_policy_counts_a_started_day_as_a_day_and_stops_at_its_cap():
    assert penalty("per_day", 0.1, 0.3, 10, 0) is None
    assert penalty("per_day", 0.1, 0.3, 10, -5) is None
    assert penalty("per_day", 0.1, 0.3, 10, 1) == 1.0
    assert penalty("per_day", 0.1, 0.3, 10, 86400) == 1.0
    assert penalty("per_day", 0.1, 0.3, 10, 86401) == 2.0
    assert penalty("per_day", 0.1, 0.3, 10, 86400 * 30) == 3.0
    assert penalty("zero", 0.1, 0.3, 7.5, 1) == 7.5
    assert penalty("none", 0.1, 0.3, 7.5, 86400 * 30) is None
    assert penalty("per_day", 0.1, 0.3, 0.0, 86400) is None


def test_extensions_are_read_in_days_hours_and_minutes_or_refused_with_the_form_to_use():
    assert parse_extension("2d") == 2 * DAY
    assert parse_extension("36h") == datetime.timedelta(hours=36)
    assert parse_extension("1d 12h") == datetime.timedelta(hours=36)
    assert parse_extension("90m") == datetime.timedelta(minutes=90)
    for bad in ("two days", "2", "2 weeks", "", "2d x"):
        with pytest.raises(ScheduleError, match="e.g. 2d, 36h or 1d 12h"):
            parse_extension(bad)


@pytest.mark.parametrize("text, message", [
    ('[deadlines]\n01_tensors = "next monday"', "is not a date and time like 2027-02-15T23:59:00+01:00"),
    ('[deadlines]\n01_tensors = "2027-02-22T23:59:00"', "has no time zone"),
    ('[late_penalty]\npolicy = "half"', "use one of none, zero, per_day"),
    ('[late_penalty]\npolicy = "per_day"\nper_day = 10', "must be a share from 0 to 1"),
    ("[deadlines\n", "is not valid TOML"),
])
def test_a_course_file_that_cannot_be_carried_out_is_refused_with_what_is_wrong(tmp_path, text, message):
    (tmp_path / "course.toml").write_text(text)
    with pytest.raises(ScheduleError) as refused:
        deadlines.load(tmp_path)
    assert message in str(refused.value)


def test_an_extensions_file_with_a_bad_row_names_its_line(tmp_path):
    (tmp_path / "extensions.csv").write_text("student_id,assignment,extension\nada,01_tensors,2d\nben,,1d\n")
    with pytest.raises(ScheduleError, match="line 3: no assignment"):
        deadlines.load_extensions(tmp_path)
    (tmp_path / "extensions.csv").write_text("student_id,assignment,extension\nada,01_tensors,soon\n")
    with pytest.raises(ScheduleError, match="line 2: extension 'soon'"):
        deadlines.load_extensions(tmp_path)


def test_the_grade_command_stops_on_a_bad_course_file_with_a_message(tmp_path):
    shutil.copy(REPO / "nbgrader_config.py", tmp_path)
    shutil.copytree(REPO / "source" / AID, tmp_path / "source" / AID)
    (tmp_path / "course.toml").write_text('[late_penalty]\npolicy = "half"\n')
    run = subprocess.run([sys.executable, "-m", "dlcourse", "--root", str(tmp_path), "grade", AID, "--unsandboxed"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "cannot grade:" in run.stderr and "use one of none, zero, per_day" in run.stderr
    assert "Traceback" not in run.stderr


def _stamp(when):
    """nbgrader's timestamp.txt format."""
    return when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """Every student of CLASS hands in the reference answers at their time; graded by two workers."""
    root = tmp_path_factory.mktemp("deadlines")
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "source" / AID, root / "source" / AID)
    (root / "course.toml").write_text(COURSE)
    rows = [f"{s},{AID},{ext}" for s, (_, ext, _) in CLASS.items() if ext]
    (root / "extensions.csv").write_text("student_id,assignment,extension\n" + "\n".join(rows) + "\n")
    pipeline.generate(pipeline.course_api(root), [AID])
    for student, (when, _, _) in CLASS.items():
        folder = pipeline.submit_variant(root, AID, student, "reference")
        (folder / "timestamp.txt").write_text(_stamp(when))
    outcomes = pipeline.grade(root, [AID], workers=2)
    return root, outcomes


def test_each_submission_loses_what_the_policy_says_in_the_gradebook_and_the_grade_table(graded_class):
    root, outcomes = graded_class
    by_student = {o.student: o for o in outcomes}
    raw = {o.points + o.penalty for o in outcomes}
    assert len(raw) == 1 and raw.pop() > 0, [(o.student, o.points, o.penalty) for o in outcomes]
    api = pipeline.course_api(root)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        assert gb.find_assignment(AID).duedate == DUE.replace(tzinfo=None)
        for student, (_, ext, share) in CLASS.items():
            o = by_student[student]
            assert o.ok, (student, o.error)
            full = o.points + o.penalty
            assert o.penalty == pytest.approx(share * full), (student, o.penalty, full)
            sub = gb.find_submission(AID, student)
            assert (sub.extension or datetime.timedelta()) == (parse_extension(ext) if ext else datetime.timedelta())
            (nb,) = sub.notebooks
            assert (nb.late_submission_penalty or 0.0) == pytest.approx(share * full)
    table = pipeline.grade_table(outcomes)
    late_row = next(line for line in table.splitlines() if line.startswith("ten_days_late"))
    on_time_row = next(line for line in table.splitlines() if line.startswith("on_time"))
    full = by_student["on_time"].points
    assert f"{round(full * 0.7, 6):g}/" in late_row and f"(late -{round(full * 0.3, 6):g}" in late_row, late_row
    assert "late" not in on_time_row


def test_the_export_and_the_reports_show_raw_points_penalty_and_final_points(graded_class):
    root, outcomes = graded_class
    reports.write_reports(root, outcomes)
    rows = {r["student_id"]: r for r in csv.DictReader((root / "reports" / "grades.csv").open())}
    for student, (_, _, share) in CLASS.items():
        r = rows[student]
        raw, taken, final = float(r["raw_score"]), float(r["late_submission_penalty"]), float(r["score"])
        assert taken == pytest.approx(share * raw) and final == pytest.approx(raw - taken), r
    (summary,) = list(csv.DictReader((root / "reports" / "assignments.csv").open()))
    late = [s for s, (_, _, share) in CLASS.items() if share]
    assert int(summary["late_submissions"]) == len(late)
    assert "5 late" in (root / "reports" / "summary.txt").read_text()


def test_feedback_tells_each_student_when_they_handed_in_and_what_it_cost(graded_class):
    root, _ = graded_class
    done, failed = pipeline.feedback_command(root, [AID])
    assert not failed, failed
    pages = {student: path.read_text() for student, _, path in done}
    assert "Submitted on time (due 2027-02-22 22:59 UTC)." in pages["on_time"]
    assert "Submitted on time (due 2027-02-22 22:59 UTC)." in pages["at_the_second"]
    assert "Submitted 1 second after the due date (2027-02-22 22:59 UTC): the late policy took" in \
        pages["one_second_late"]
    assert "Submitted 10 days after the due date" in pages["ten_days_late"]
    assert "with your extension of 2 days" in pages["extended"] and "on time" in pages["extended"]
    assert "Submitted 12 hours 1 second after the due date (2027-02-24 10:59 UTC, with your extension of " \
           "1 day 12 hours)" in pages["extended_but_late"]
    assert "Late submission penalty" in pages["one_day_late"] and "Late submission penalty" not in pages["on_time"]
    at = pages["ten_days_late"].find("Your assignments so far")
    assert at > 0, pages["ten_days_late"][:3000]
    row = re.search(rf"<td>{AID}</td>(.*?)</tr>", pages["ten_days_late"][at:], re.S)
    assert row, pages["ten_days_late"][at:at + 2000]
    row = row.group(1)
    assert "2027-02-22 22:59 UTC" in row and "(10 days late)" in row and "-" in row, row


def test_a_written_answer_graded_later_is_counted_before_the_penalty_is_taken(graded_class):
    """nbgrader takes the penalty while autograding; hand-graded points added later must not escape it."""
    root, _ = graded_class
    api = pipeline.course_api(root)
    student = "ten_days_late"
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        (nb,) = gb.find_submission(AID, student).notebooks
        written = [g for g in nb.grades if g.needs_manual_grade]
        assert written, "01_tensors has a written answer to grade by hand"
        for g in written:
            g.manual_score = g.max_score
        gb.db.commit()
    pipeline.feedback_command(root, [AID], [student])
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        (nb,) = gb.find_submission(AID, student).notebooks
        assert nb.late_submission_penalty == pytest.approx(0.3 * nb.score)


def test_removing_an_extension_makes_the_submission_late_at_the_next_grading(graded_class):
    root, _ = graded_class
    (root / "extensions.csv").write_text("student_id,assignment,extension\n")
    (o,) = pipeline.grade(root, [AID], students=["extended"], workers=1)
    assert o.ok and o.penalty == pytest.approx(0.2 * (o.points + o.penalty)), o
    api = pipeline.course_api(root)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        assert gb.find_submission(AID, "extended").extension is None


def test_one_students_broken_feedback_never_stops_the_others(graded_class):
    root, _ = graded_class
    (root / "autograded" / "on_time" / AID / f"{AID}.ipynb").write_text("{not json")
    run = subprocess.run([sys.executable, "-m", "dlcourse", "--root", str(root), "feedback", AID],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 1 and "FAILED on_time · 01_tensors:" in run.stderr, run.stdout + run.stderr
    made = {line.split(" · ")[0] for line in run.stdout.splitlines() if " · " in line}
    assert made == set(CLASS) - {"on_time"}, run.stdout
    assert "Traceback" not in run.stderr
