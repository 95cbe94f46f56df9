"""Grades to Canvas and Moodle: a class graded by the real pipeline, pushed with `python -m dlcourse lms`
through the real clients (canvasapi, requests) to LMS-shaped servers on 127.0.0.1 (tests/lmsservers.py)."""
import csv
import datetime
import os
import shutil
import subprocess
import sys

import pytest
from conftest import REPO, SUBMISSIONS
from lmsservers import CanvasServer, MoodleServer
from nbgrader.api import Gradebook

from dlcourse.grading import course, pipeline, reports, roster
from dlcourse.lms import sheets
from dlcourse.notebook import variants as made_up

AIDS = ("01_tensors", "03_saturation")
LATE = datetime.datetime(2027, 2, 24, 12, 0, tzinfo=datetime.timezone.utc)  # 01 is due 2027-02-22 23:59 CET
# student: (variant per assignment, hand-graded?, late on 01?)
CLASS = {"ana": ({"01_tensors": "reference", "03_saturation": "reference"}, True, False),
         "ben": ({"01_tensors": "mistake", "03_saturation": "reference"}, True, False),
         "cat": ({"01_tensors": "reference", "03_saturation": "untouched"}, True, True),
         "dan": ({"01_tensors": "untouched"}, True, False),
         "eve": ({"01_tensors": "reference"}, False, False),  # a written answer still to grade by hand
         "gus": ({"01_tensors": "reference"}, True, False)}  # not in the LMS course
ROSTER = """student_id,first_name,last_name,email,sis_id,lms_user_id
ana,Ana,Alves,ana@uni.edu,,
ben,Ben,Berg,ben@uni.edu,,
cat,Cat,Cruz,cat@uni.edu,S003,
dan,Dan,Dorn,dan@uni.edu,,14
eve,Eve,Eder,eve@uni.edu,,
fay,Fay,Fink,fay@uni.edu,,
gus,Gus,Gray,gus@uni.edu,,
"""
# LMS users: ana by login, ben by email (another login), cat by SIS id, dan by the roster's LMS id
USERS = [{"id": 11, "name": "Ana Alves", "login_id": "ana", "email": "ana@uni.edu", "sis_user_id": None},
         {"id": 12, "name": "Ben Berg", "login_id": "b.berg", "email": "BEN@uni.edu", "sis_user_id": None},
         {"id": 13, "name": "Cat Cruz", "login_id": "c.cruz", "email": "cruz@mail.org", "sis_user_id": "S003"},
         {"id": 14, "name": "Dan Dorn", "login_id": "d.dorn", "email": "dorn@mail.org", "sis_user_id": None},
         {"id": 15, "name": "Eve Eder", "login_id": "eve", "email": "eve@uni.edu", "sis_user_id": None},
         {"id": 16, "name": "Fay Fink", "login_id": "fay", "email": "fay@uni.edu", "sis_user_id": None},
         {"id": 90, "name": "Tia Teacher", "login_id": "tia", "email": "tia@uni.edu", "sis_user_id": None,
          "role": "teacher"}]
LMS_IDS = {"01_tensors": 701, "03_saturation": 703}
TOKEN = "t0ken"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class graded by the real pipeline, written answers graded by hand (all but eve's)."""
    root = tmp_path_factory.mktemp("lms")
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copy(REPO / "course.toml", root)
    for aid in AIDS:
        shutil.copytree(REPO / "source" / aid, root / "source" / aid)
    pipeline.generate(pipeline.course_api(root), list(AIDS))
    (root / "roster.csv").write_text(ROSTER)
    roster.import_roster(root, root / "roster.csv")
    for student, (answers, _, late) in CLASS.items():
        for aid, kind in answers.items():
            named = made_up.load_variants(SUBMISSIONS, aid)
            variant = next(v for v in named if v.startswith("mistake")) if kind == "mistake" else kind
            folder = pipeline.submit_variant(root, aid, student, variant, named)
            if late and aid == "01_tensors":
                (folder / "timestamp.txt").write_text(LATE.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
    outcomes = pipeline.grade(root, list(AIDS), workers=2)
    assert all(o.ok for o in outcomes), [(o.student, o.error) for o in outcomes if not o.ok]
    api = pipeline.course_api(root)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        for student, (answers, by_hand, _) in CLASS.items():
            for aid in answers if by_hand else ():
                for nb in gb.find_submission(aid, student).notebooks:
                    for g in nb.grades:
                        if g.needs_manual_grade:
                            g.manual_score, g.needs_manual_grade = g.max_score / 2, False
        gb.db.commit()
    return root


def expected(root):
    """{(student, assignment): final points} by nbgrader's own export (score = raw - late penalty)."""
    path = course.export_csv(root, root / "export.csv")
    return {(r["student_id"], r["assignment"]): float(r["score"]) for r in csv.DictReader(path.open())
            if r["timestamp"]}


def maxima(root):
    api = pipeline.course_api(root)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        return {aid: gb.find_assignment(aid).max_score for aid in AIDS}


def lms_toml(root, system, url, timeout=10, token_env=None):
    shutil.rmtree(root / "reports" / "lms", ignore_errors=True)
    ids = "\n".join(f"{aid} = {LMS_IDS[aid]}" for aid in AIDS)
    extra = f'token_env = "{token_env}"\n' if token_env else ""
    (root / "lms.toml").write_text(f'[{system}]\nurl = "{url}"\ncourse_id = 5\ntimeout = {timeout}\n{extra}'
                                   f'feedback_url = "https://hub.uni.edu/feedback/{{student}}/{{assignment}}"\n'
                                   f"[{system}.assignments]\n{ids}\n")


def lms(root, *args, token=TOKEN, variable="CANVAS_TOKEN"):
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    env[variable] = token
    run = subprocess.run([sys.executable, "-m", "dlcourse", "--root", str(root), "lms", *args], env=env,
                         capture_output=True, text=True, timeout=300)
    assert "Traceback" not in run.stdout + run.stderr, run.stdout + run.stderr
    return run


def canvas(root, points=None, **kw):
    points = points or maxima(root)
    server = CanvasServer(5, [dict(u) for u in USERS], {LMS_IDS[a]: {"name": a, "points_possible": points[a]}
                                                         for a in AIDS}, token=TOKEN)
    lms_toml(root, "canvas", server.url, **kw)
    return server


def moodle_users():
    return [{"id": u["id"], "username": u["login_id"], "fullname": u["name"], "email": u["email"],
             "idnumber": u["sis_user_id"] or "", "role": "editingteacher" if u.get("role") else "student"}
            for u in USERS]


def moodle(root, **kw):
    server = MoodleServer(5, moodle_users(), {LMS_IDS[a]: {"name": a, "grade": p} for a, p in maxima(root).items()},
                          token=TOKEN)
    lms_toml(root, "moodle", server.url, **kw)
    return server


MATCH = {"ana": 11, "ben": 12, "cat": 13, "dan": 14, "eve": 15, "fay": 16}


def held_as_expected(root, grades):
    """The LMS holds exactly the gradebook's final points of every matched student with a final grade."""
    want = {(s, a): p for (s, a), p in expected(root).items() if s in MATCH and not (s == "eve" and a == "01_tensors")}
    held = {(s, a): grades[LMS_IDS[a]][uid] for s, uid in MATCH.items() for a in AIDS if uid in grades[LMS_IDS[a]]}
    assert held == pytest.approx(want) and want


def test_canvas_gets_the_final_grades_once_after_a_dry_run(graded):
    with canvas(graded) as server:
        dry = lms(graded, "push")
        assert dry.returncode == 0, dry.stderr
        assert not server.posts and not any(m == "POST" for m, _ in server.requests)
        out = dry.stdout
        assert "Nothing posted (a dry run)" in out
        assert "not posted: no LMS user in the course has their SIS id, login or email" in out  # gus
        assert "not posted: waits for manual grading" in out  # eve's 01
        assert "not posted: no submission" in out  # fay, dan's 03
        final = expected(graded)
        cat = next(line for line in out.splitlines() if line.startswith("cat ") and "01_tensors" in line)
        assert f"{final['cat', '01_tensors']:g}" in cat and "13 Cat Cruz" in cat and cat.rstrip().endswith("post")
        run = lms(graded, "push", "--yes")
        assert run.returncode == 0, run.stderr
        held_as_expected(graded, server.grades)
        assert final["cat", "01_tensors"] < final["ana", "01_tensors"]  # the late penalty went with it
        assert server.comments[701][11] == "Feedback on 01_tensors: https://hub.uni.edu/feedback/ana/01_tensors"
        posts = list(server.posts)
        again = lms(graded, "push", "--yes")
        assert again.returncode == 0 and server.posts == posts, again.stdout
        assert "posted: nothing (the LMS holds every grade)" in again.stdout
        assert "0 to post" in again.stdout


def test_a_grade_changed_in_the_gradebook_is_the_only_one_posted_again(graded):
    with canvas(graded) as server:
        assert lms(graded, "push", "--yes").returncode == 0
        server.grades[701][11] = 0.0  # someone typed over it in Canvas
        server.posts.clear()
        run = lms(graded, "push", "--yes")
        assert run.returncode == 0 and server.posts == [(701, {11: f"{expected(graded)['ana', '01_tensors']:g}"})]


def test_a_wrong_token_is_named_and_nothing_is_posted(graded):
    with canvas(graded) as server:
        run = lms(graded, "push", "--yes", token="wrong")
        assert run.returncode == 2 and "Canvas refused the token" in run.stderr and not server.posts


def test_a_point_scale_that_differs_stops_everything_before_a_grade_is_posted(graded):
    points = {**maxima(graded), "03_saturation": 100}
    with canvas(graded, points=points) as server:
        run = lms(graded, "push", "--yes")
        assert run.returncode == 2, run.stdout
        assert f"03_saturation is out of {maxima(graded)['03_saturation']:g} points here but Canvas assignment 703 " \
               "is out of 100" in run.stderr
        assert not server.posts and not any(m == "POST" for m, _ in server.requests)


def test_a_server_error_half_way_keeps_what_went_in_and_the_next_push_posts_the_rest(graded):
    with canvas(graded) as server:
        server.fail["/assignments/703/submissions/update_grades"] = [500]
        run = lms(graded, "push", "--yes")
        assert run.returncode == 1
        assert "stopped: Canvas failed while posting" in run.stderr and "posted before it stopped: 01_tensors" in run.stderr
        assert server.grades[701] and not server.grades[703]
        first = len(server.posts)
        run = lms(graded, "push", "--yes")
        assert run.returncode == 0 and run.stdout.strip().splitlines()[-1] == "posted: 03_saturation: 3 grade(s)"
        assert [aid for aid, _ in server.posts[first:]] == [703]
        held_as_expected(graded, server.grades)


def test_a_timeout_is_named_and_a_push_after_it_completes_the_grades(graded):
    with canvas(graded, timeout=1) as server:
        server.delay["/assignments/701/submissions"] = 3
        run = lms(graded, "push", "--yes")
        assert run.returncode == 2 and "Canvas did not answer within 1 s" in run.stderr and not server.posts
        server.delay.clear()
        assert lms(graded, "push", "--yes").returncode == 0
        held_as_expected(graded, server.grades)


def test_an_unknown_student_in_the_lms_is_listed_never_posted(graded):
    with canvas(graded) as server:
        server.users = [u for u in server.users if u["id"] != 12]  # ben left the Canvas course
        run = lms(graded, "push", "--yes")
        assert run.returncode == 0
        ben = [line for line in run.stdout.splitlines() if line.startswith("ben ")]
        assert ben and all("not posted: no LMS user in the course" in line for line in ben)
        assert 12 not in server.grades[701] and 12 not in server.grades[703]


def test_moodle_gets_the_same_grades_with_its_web_services(graded):
    with moodle(graded) as server:
        run = lms(graded, "push", "--yes", variable="MOODLE_TOKEN")
        assert run.returncode == 0, run.stderr
        held_as_expected(graded, server.grades)
        assert server.comments[701][11].endswith("/feedback/ana/01_tensors")
        posts = list(server.posts)
        assert lms(graded, "push", "--yes", variable="MOODLE_TOKEN").returncode == 0 and server.posts == posts
        saves = [f for _, f in server.requests if f == "mod_assign_save_grades"]
        assert len(saves) == 2  # one call per assignment, none the second time


def test_moodle_errors_come_in_its_own_words(graded):
    with moodle(graded) as server:
        run = lms(graded, "push", "--yes", token="nope", variable="MOODLE_TOKEN")
        assert run.returncode == 2 and "Moodle refused mod_assign_get_assignments: invalidtoken: Invalid token" in run.stderr
        server.fail["mod_assign_save_grades"] = [None, 503]
        run = lms(graded, "push", "--yes", variable="MOODLE_TOKEN")
        assert run.returncode == 1 and "HTTP 503" in run.stderr and "posted before it stopped: 01_tensors" in run.stderr
        assert server.grades[701] and not server.grades[703]
        assert lms(graded, "push", "--yes", variable="MOODLE_TOKEN").returncode == 0
        held_as_expected(graded, server.grades)


def test_a_missing_token_or_mapping_is_explained(graded):
    with canvas(graded):
        run = lms(graded, "push", token="")
        assert run.returncode == 2 and "set CANVAS_TOKEN to your Canvas access token" in run.stderr
    (graded / "lms.toml").unlink()
    run = lms(graded, "push")
    assert run.returncode == 2 and "no lms.toml" in run.stderr


def test_by_default_every_mapped_assignment_with_grades_is_pushed_and_one_without_is_named(graded):
    with canvas(graded) as server:
        with (graded / "lms.toml").open("a") as handle:
            handle.write("07_rnn = 707\n")  # mapped, not graded yet (nor released in this course)
        run = lms(graded, "push", "--yes")
        assert run.returncode == 0 and {aid for aid, _ in server.posts} == {701, 703}, run.stderr
        run = lms(graded, "push", "07_rnn")
        assert run.returncode == 2 and "07_rnn has no grades yet: run `python -m dlcourse grade 07_rnn` first" in \
            run.stderr


def test_the_csv_files_have_the_columns_each_lms_documents(graded):
    with canvas(graded):
        run = lms(graded, "csv")
    assert run.returncode == 0, run.stderr
    rows = list(csv.reader((graded / "reports" / "lms" / "canvas_grades.csv").open()))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "01_tensors (701)", "03_saturation (703)"]
    assert rows[1][0] == "Points Possible" and float(rows[1][5]) == maxima(graded)["01_tensors"]
    by_login = {r[3]: r for r in rows[2:]}
    final = expected(graded)
    assert float(by_login["cat"][5]) == pytest.approx(final["cat", "01_tensors"]) and by_login["cat"][2] == "S003"
    assert by_login["eve"][5] == "" and by_login["fay"][6] == ""  # pending and missing: left empty
    with moodle(graded):
        run = lms(graded, "csv", variable="MOODLE_TOKEN")
    assert run.returncode == 0 and "left out ana: no lms_user_id" in run.stdout
    rows = list(csv.reader((graded / "reports" / "lms" / "moodle_01_tensors.csv").open()))
    assert rows[0] == sheets.MOODLE_COLUMNS
    (dan,) = [r for r in rows[1:] if r[0] == "Participant 14"]
    assert float(dan[4]) == pytest.approx(final["dan", "01_tensors"]) and dan[2] == "dan@uni.edu"


def test_the_reports_say_what_the_lms_holds_and_what_waits(graded):
    with canvas(graded) as server:
        server.fail["/assignments/703/submissions/update_grades"] = [500]
        lms(graded, "push", "--yes")
    summary = reports.write_reports(graded, export=False)
    assert "LMS (canvas): 01_tensors 4 pushed, 1 pending; 03_saturation 0 pushed, 3 pending" in summary, summary
