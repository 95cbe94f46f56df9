"""The TA loop in nbgrader's real formgrader: manual grades survive regrading, feedback says what
is still to be graded by hand, and math shows in a real browser without the internet.

A Jupyter server with nbgrader's formgrader runs on 127.0.0.1 over a copy of the course (its
own Jupyter folders under a temporary path); the TA grades written answers through the
formgrader's REST API, exactly as its page does, and regrades with `python -m dlcourse grade`.
"""
import os
import re
import subprocess
import sys

import nbformat
import pytest
from conftest import REPO, SUBMISSIONS
from labserver import jupyter
from nbgrader.api import Gradebook
from test_parallel import AID, small_course

from dlcourse.grading import pipeline, reference
from dlcourse.notebook import cells
from dlcourse.notebook import variants as made_up


def _cli(root, *args):
    """`python -m dlcourse` or `python -m nbgrader` in the course folder; its stdout."""
    run = subprocess.run([sys.executable, "-m", *args], cwd=root, capture_output=True, text=True, timeout=900,
                         env={k: v for k, v in os.environ.items() if k != "DLCOURSE_DB_URL"})
    assert run.returncode == 0, f"{' '.join(args)}:\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}"
    return run.stdout


def _row(table, student):
    return next(line for line in table.splitlines() if line.startswith(student + " "))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """01_tensors graded once for ada (reference) and ben (untouched); ada's feedback generated."""
    root = small_course(tmp_path_factory.mktemp("formgrader"))
    variants = made_up.load_variants(SUBMISSIONS, AID)
    for student, kind in (("ada", "reference"), ("ben", "untouched")):
        pipeline.submit_variant(root, AID, student, kind, variants)
    table = _cli(root, "dlcourse", "grade", AID)
    assert "pending" in _row(table, "ada")
    _cli(root, "nbgrader", "generate_feedback", AID, "--student=ada", "--force")
    return root


@pytest.fixture(scope="module")
def formgrader(course, tmp_path_factory):
    """A Jupyter server with nbgrader's formgrader on the course (labserver.Server)."""
    home = tmp_path_factory.mktemp("fg-home")
    with jupyter("jupyter_server", course, home, env={"HOME": str(home), "DLCOURSE_DB_URL": None},
                 ready="/formgrader/api/status") as server:
        assert server.call("/formgrader/api/status")["status"]
        yield server


def _submission(formgrader, student):
    subs = formgrader.call(f"/formgrader/api/submitted_notebooks/{AID}/{AID}")
    return next(s for s in subs if s["student"] == student)


def test_feedback_before_manual_grading_marks_written_answers_as_pending(course):
    html = (course / "feedback" / "ada" / AID / f"{AID}.html").read_text()
    src = next((course / "source" / AID).glob("*.ipynb"))
    written = [made_up.grade_id(c) for c in nbformat.read(src, as_version=4).cells
               if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")]
    assert written
    for gid in written:
        heading = re.search(rf'<a name="{gid}"></a>.*?<span class="pull-right[^"]*">(.*?)<a', html, re.S)
        assert heading and heading.group(1).strip().startswith("to be graded by hand"), gid
    assert "Score: 0.0 / " not in html
    assert re.search(r"<h4>[^<]*points still to be graded by hand\)</h4>", html)


def test_manual_grades_survive_regrading_in_gradebook_table_and_formgrader(course, formgrader):
    sub = _submission(formgrader, "ada")
    assert sub["needs_manual_grade"]
    grades = formgrader.call(f"/formgrader/api/grades?submission_id={sub['id']}")
    written = [g for g in grades if g["auto_score"] is None and g["needs_manual_grade"]]
    assert len(written) >= 2
    given = {}
    for g in written:  # the TA grades every written answer by hand, one of them with half the points
        given[g["id"]] = g["max_score"] / 2 if not given else g["max_score"]
        saved = formgrader.call(f"/formgrader/api/grade/{g['id']}", "PUT", {"manual_score": given[g["id"]]})
        assert saved["manual_score"] == given[g["id"]] and not saved["needs_manual_grade"]
    full = sub["max_score"] - sum(g["max_score"] for g in written) + sum(given.values())
    assert not _submission(formgrader, "ada")["needs_manual_grade"]

    table = _cli(course, "dlcourse", "grade", AID)  # regrade: two students, two workers, merged gradebook

    assert "pending" not in _row(table, "ada") and _row(table, "ada").split()[1] == f"{full:g}/{sub['max_score']:g}"
    with Gradebook(pipeline.course_api(course).coursedir.db_url) as gb:
        kept = {g.id: g for nb in gb.find_submission(AID, "ada").notebooks for g in nb.grades if g.id in given}
        assert {i: (g.manual_score, g.needs_manual_grade) for i, g in kept.items()} == \
               {i: (s, False) for i, s in given.items()}
    after = _submission(formgrader, "ada")
    assert not after["needs_manual_grade"] and after["score"] == full
    for grade_id, score in given.items():
        shown = formgrader.call(f"/formgrader/api/grade/{grade_id}")
        assert shown["manual_score"] == score and not shown["needs_manual_grade"]
    made = _cli(course, "dlcourse", "feedback", AID)  # the TA regenerates everyone's feedback after grading
    assert f"ada · {AID}: feedback/ada/{AID}/{AID}.html" in made and f"ben · {AID}:" in made
    assert "to be graded by hand" not in (course / "feedback" / "ada" / AID / f"{AID}.html").read_text()


def test_feedback_before_grading_names_the_step_to_run_first(tmp_path):
    root = small_course(tmp_path)
    run = subprocess.run([sys.executable, "-m", "dlcourse", "feedback", AID], cwd=root, capture_output=True,
                         text=True, timeout=300, env={k: v for k, v in os.environ.items() if k != "DLCOURSE_DB_URL"})
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert f"nothing graded in {AID}: grade first with `python -m dlcourse grade {AID}`" in run.stderr


def test_a_changed_written_answer_is_flagged_for_review_again(course, formgrader):
    """A resubmission with a new answer needs the TA again; an unchanged one keeps its grade."""
    grades = formgrader.call(f"/formgrader/api/grades?submission_id={_submission(formgrader, 'ada')['id']}")
    graded = {g["name"]: g for g in grades if g["auto_score"] is None and g["manual_score"] is not None}
    if not graded:  # run alone: grade them first
        pytest.skip("needs the manual grades of the test before")
    changed = sorted(graded)[0]
    path = course / "submitted" / "ada" / AID / f"{AID}.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if made_up.grade_id(c) == changed)
    cell.source += "\n\nA second thought, added after the first grading."
    nbformat.write(nb, path)
    table = _cli(course, "dlcourse", "grade", AID, "--student", "ada")
    assert f"({graded[changed]['max_score']:g} pending)" in _row(table, "ada")
    after = {g["name"]: g for g in formgrader.call(
        f"/formgrader/api/grades?submission_id={_submission(formgrader, 'ada')['id']}")}
    assert after[changed]["needs_manual_grade"]
    assert all(not after[name]["needs_manual_grade"] for name in graded if name != changed)


# ---- math in a real browser, offline ------------------------------------------------------

@pytest.fixture(scope="module")
def page(browser):
    """A page that reaches nothing but 127.0.0.1 and local files; `page.blocked` lists what it refused."""
    page = browser.new_page()
    blocked = []

    def offline(route):
        url = route.request.url
        if url.startswith(("file://", "http://127.0.0.1", "data:", "about:")):
            return route.continue_()
        blocked.append(url)
        return route.abort()

    page.route("**/*", offline)
    page.blocked = blocked
    try:
        yield page
    finally:
        page.close()


def _typeset(page):
    """(MathML elements drawn with a size, rendered markdown text that still shows TeX)."""
    drawn = page.evaluate("""() => [...document.querySelectorAll('math')]
        .filter(m => m.getBoundingClientRect().width > 0 && m.getBoundingClientRect().height > 0).length""")
    texts = page.evaluate("() => [...document.querySelectorAll('.text_cell_render')].map(e => e.innerText)")
    raw = [t for t in texts if re.search(r"\$[^$\s][^$]*\$|\\frac|\\mathbf", t)]
    return drawn, raw


def test_math_is_typeset_in_feedback_without_the_internet(course, page):
    page.goto((course / "feedback" / "ada" / AID / f"{AID}.html").as_uri(), wait_until="load")
    drawn, raw = _typeset(page)
    assert drawn >= 5 and raw == []
    assert page.blocked == [], "the feedback page asks for nothing outside (tests/test_offline_pages.py)"


def test_math_is_typeset_in_the_formgrader_without_the_internet(formgrader, page):
    sub = _submission(formgrader, "ada")
    page.goto(f"{formgrader.url}/formgrader/submissions/{sub['id']}/?token={formgrader.token}", wait_until="load")
    page.wait_for_selector(".text_cell_render", timeout=60_000)
    drawn, raw = _typeset(page)
    assert drawn >= 5 and raw == []


# ---- the reference answer and rubric, for the TA only ---------------------------------------

def _plain_snippets(aid):
    """grade id -> a plain-text phrase of the reference answer or rubric of each written answer."""
    src = nbformat.read(next((REPO / "source" / aid).glob("*.ipynb")), as_version=4)
    found = {}
    for cell in src.cells:
        if cell.cell_type == "markdown" and cells.is_answer(cell) and cells.is_graded(cell):
            phrases = re.findall(r"[A-Za-z][A-Za-z ,]{30,}", reference.solution_text(cell.source))
            found[cells.grade_id(cell)] = phrases[-1][:30]  # the last: in the rubric
    return found


def test_the_formgrader_shows_the_rubric_beside_each_written_answer_and_nowhere_else(course, formgrader, page):
    snippets = _plain_snippets(AID)
    assert snippets
    sub = _submission(formgrader, "ben")
    page.goto(f"{formgrader.url}/formgrader/submissions/{sub['id']}/?token={formgrader.token}", wait_until="load")
    page.wait_for_selector(".text_cell_render", timeout=60_000)
    body = page.inner_text("body")
    assert body.count("Reference answer and rubric") >= len(snippets)
    for gid, phrase in snippets.items():
        at = body.find(phrase)
        assert at >= 0, (gid, phrase)
        heading = body.rfind("Reference answer and rubric", 0, at)
        previous = body.rfind("Reference answer and rubric", 0, heading)
        assert body.rfind("YOUR ANSWER HERE", 0, heading) > previous, (gid, "right after the student's answer")
    first = page.get_by_text("Reference answer and rubric").first
    first.scroll_into_view_if_needed()
    (REPO / "tests" / "artifacts").mkdir(exist_ok=True)
    page.screenshot(path=str(REPO / "tests" / "artifacts" / "formgrader-reference.png"))
    test_code = re.findall(r"Reference answer and rubric[^\n]*: the answer this test checks", body)
    assert test_code, "test cells a TA may override show the answer they check"
    released = "".join(p.read_text() for p in (course / "release" / AID).glob("*.ipynb"))
    _cli(course, "nbgrader", "generate_feedback", AID, "--student=ben", "--force")  # (ada's answers hold the rubric)
    feedback = (course / "feedback" / "ben" / AID / f"{AID}.html").read_text()
    for phrase in snippets.values():
        assert phrase not in released and phrase not in feedback, phrase
    assert "Reference answer and rubric" not in feedback
