"""A week of the course on its real JupyterHub, in Chromium, as each of its users.

The test makes a TA and three students as Unix accounts (removed at the end), starts the course's
hub (dlcourse/hub/deploy.py: PAM login, a server per account started as that account, nbgrader's
exchange) on 127.0.0.1, and then, through the browser only: the TA releases an assignment in the
formgrader; each student logs in, fetches it in the Assignments tab, answers in the notebook (one
everything right, one part of it, one everything right but after the due date), validates and
submits; the TA collects in the formgrader, grades with the grading command as their own account
(sandboxed), grades a written answer and comments in the formgrader, and releases feedback; each
student fetches their feedback in the tab and reads their points, what was late and what the TA
wrote. Screenshots of each view go to tests/artifacts/hub/.
"""
import csv
import datetime
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from conftest import REPO
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dlcourse.hub import accounts, deploy
from dlcourse.notebook import cells
from dlcourse.notebook import variants as made_up

AID = "01_tensors"
SHOTS = REPO / "tests" / "artifacts" / "hub"
SUFFIX = secrets.token_hex(2)
TA = f"dlta{SUFFIX}"
STUDENTS = {"right": f"dlada{SUFFIX}", "partly": f"dlben{SUFFIX}", "late": f"dlcleo{SUFFIX}"}
COMMENT = "Good reasoning; name the validation curve next time."

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("runuser") or not shutil.which("npm"),
                                reason="the hub test makes Unix accounts: it needs root, runuser and npm")


def _up(url, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=3)
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer")


@pytest.fixture(scope="module")
def hub():
    folder = Path(tempfile.mkdtemp(prefix="dlcourse-hub-", dir="/tmp"))
    os.chmod(folder, 0o755)
    roster = folder / "roster.csv"
    rows = [[TA, "Tess", "Assistant", "tess@example.org", "ta"]] + \
        [[sid, kind.title(), "Student", f"{sid}@example.org", ""] for kind, sid in STUDENTS.items()]
    with roster.open("w", newline="") as handle:
        csv.writer(handle).writerows([["student_id", "first_name", "last_name", "email", "role"], *rows])
    passwords = {row[0]: secrets.token_urlsafe(10) for row in rows}
    process = None
    try:
        settings = deploy.prepare(folder, REPO, roster, port=deploy.free_port(), passwords=passwords,
                                  home_base=folder / "home")
        process = deploy.start(settings)
        _up(f"http://127.0.0.1:{settings['port']}/hub/api")
        yield {**settings, "passwords": passwords, "url": f"http://127.0.0.1:{settings['port']}"}
    finally:
        if process is not None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for name in [TA, *STUDENTS.values()]:
            subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
        deploy.remove(folder)
        left = [name for name in [TA, *STUDENTS.values()] if accounts.exists(name)]
        assert not left, f"accounts left behind: {left}"
        assert not folder.exists()


@pytest.fixture(scope="module")
def people(browser, hub):
    """A browser context (its own cookies) per user, logged in, JupyterLab open."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = {}
    for name in [TA, *STUDENTS.values()]:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(f"{hub['url']}/hub/login")
        page.fill("#username_input", name)
        page.fill("#password_input", hub["passwords"][name])
        page.click("#login_submit")
        page.wait_for_url(re.compile(rf"/user/{name}/lab"), timeout=180_000)
        page.wait_for_selector("#jp-main-dock-panel", timeout=180_000)
        pages[name] = page
    yield pages
    for page in pages.values():
        page.context.close()


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"))


# ---- what each person does, in the browser ----------------------------------------------

WRITTEN = {"written_overfitting": "No. Past some point it fits the noise of the training set: training accuracy "
                                  "keeps rising while validation accuracy stalls. I would track a held-out "
                                  "validation curve every epoch.",
           "written_linear_grads": "The weight gradient is the outer product of the output gradient and the input, "
                                   "summed over the batch; the bias gradient is the output gradient summed over "
                                   "the batch.",
           "written_lr_bound": "Each step multiplies the error along an eigenvector by 1 - lr * lambda; above the "
                               "bound the top one is below -1, so that component grows while the others shrink."}


def answers(kind):
    """Notebook cell index -> (what a student of this kind types there, whether it is a Markdown cell):
    everything right ('right', 'late'), or the first five code answers right and nothing else ('partly')."""
    source = nbformat.read(REPO / "source" / AID / f"{AID}.ipynb", as_version=4)
    release = nbformat.read(REPO / "release" / AID / f"{AID}.ipynb", as_version=4)
    right = made_up.build(source, release, "reference", {})
    typed, code = {}, 0
    for i, cell in enumerate(right.cells):
        if not cells.is_answer(cell):
            continue
        if cell.cell_type == "markdown":
            if kind != "partly":
                typed[i] = (WRITTEN[cells.grade_id(cell)], True)
            continue
        code += 1
        if kind != "partly" or code <= 5:
            typed[i] = (cell.source, False)
    return typed


def menu(page, top, item):
    page.click(f".lm-MenuBar-itemLabel:text-is('{top}')")
    page.click(f".lm-Menu-itemLabel:text-is('{item}')")


def assignments_tab(page):
    """The Assignments tab, opened (or brought forward) and refreshed."""
    menu(page, "Nbgrader", "Assignment List")
    page.wait_for_selector("text=Released assignments")
    return page.locator(".jp-MainAreaWidget:visible").filter(has_text="Released assignments").first


def type_in_cell(page, index, text, markdown):
    """Click into a cell as a student does and type the answer: over the whole code cell, or over the
    last line (YOUR ANSWER HERE) of a written answer, below its statement."""
    cell = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    if markdown:
        cell.dblclick()  # a rendered Markdown cell opens its editor
    cell.locator(".cm-content").click()
    if markdown:
        page.keyboard.press("Control+End")
        page.keyboard.press("Shift+Home")
    else:
        page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)
    page.keyboard.press("Escape")


def save(page):
    """Ctrl+S; if JupyterLab says the file changed on disk meanwhile, keep the student's version (Overwrite)."""
    page.keyboard.press("Control+S")
    changed = page.locator(".jp-Dialog", has_text="File Changed")
    try:
        changed.wait_for(timeout=3000)
        changed.locator("button", has_text="Overwrite").click()
    except PlaywrightTimeout:
        pass
    page.wait_for_selector(".jp-mod-current .jp-mod-dirty", state="detached")


def fetch_answer_validate_submit(page, name, kind):
    tab = assignments_tab(page)
    tab.locator("button:has-text('Fetch')").click()
    tab.locator("button:has-text('Submit')").wait_for()  # it is downloaded
    tab.locator("a", has_text=AID).first.click()  # shows the assignment's notebooks
    tab.locator("a", has_text=AID).last.click()  # opens the notebook
    page.wait_for_selector(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell")
    for index, (text, markdown) in answers(kind).items():
        type_in_cell(page, index, text, markdown)
    save(page)
    page.locator(".jp-NotebookPanel:visible .jp-Toolbar [title='Validate Assignment']").click()
    dialog = page.locator(".jp-Dialog", has_text="Validation Results")
    dialog.wait_for(timeout=300_000)
    shot(page, f"{kind}-validated")
    verdict = dialog.inner_text()
    dialog.locator("button").last.click()
    tab = assignments_tab(page)
    tab.locator("button:has-text('Submit')").click()
    tab.get_by_text(re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ UTC")).first.wait_for()  # when it went in
    shot(page, f"{kind}-submitted")
    return verdict


def formgrader_action(page, hub, column):
    """Click an assignment's button in the formgrader's Manage Assignments table; the dialog's text."""
    page.goto(f"{hub['url']}/user/{TA}/formgrader")
    row = page.locator("tr", has_text=AID).first
    row.locator(f"td.{column} a").click()
    dialog = page.locator(".modal-dialog:visible")
    dialog.wait_for(timeout=300_000)
    text = dialog.inner_text()
    shot(page, f"ta-{column}")
    dialog.locator("button:has-text('OK')").last.click()
    return text


def grade_by_hand(page, hub, student, scores, comments, label):
    """In the formgrader, as a TA does: type each written answer's points (`scores`: grade id -> points) and
    comments (grade id -> text) into the submission's page; the gradebook's grades once saved."""
    api = f"{hub['url']}/user/{TA}/formgrader/api"
    listing = page.request.get(f"{api}/submitted_notebooks/{AID}/{AID}").json()
    sid = next(s["id"] for s in listing if s["student"] == student)
    page.goto(f"{hub['url']}/user/{TA}/formgrader/submissions/{sid}/")
    page.wait_for_selector(".text_cell_render")
    page.wait_for_load_state("networkidle")  # its grades and comments loaded, their fields bound

    def type_in(grade_ids, comment_ids):
        for gid in grade_ids:
            page.fill(f"input.score#{gid}", str(scores[gid]))
            page.keyboard.press("Tab")  # the formgrader saves a grade when its field loses focus
        for gid in comment_ids:
            page.fill(f"textarea.comment#{gid}-comment", comments[gid])
            page.keyboard.press("Tab")
    type_in(scores, comments)
    page.locator(f"#{next(iter(scores))}").scroll_into_view_if_needed()
    shot(page, f"ta-grades-{label}")
    deadline, retype = time.monotonic() + 30, time.monotonic() + 10
    while time.monotonic() < deadline:
        grades = {g["name"]: g for g in page.request.get(f"{api}/grades?submission_id={sid}").json()}
        notes = {c["name"]: c for c in page.request.get(f"{api}/comments?submission_id={sid}").json()}
        missing = [g for g, p in scores.items() if grades[g]["manual_score"] != p]
        unsaid = [g for g, t in comments.items() if notes[g]["manual_comment"] != t]
        if not missing and not unsaid:
            return grades
        if time.monotonic() > retype:  # as a TA on a busy machine would: type again what did not stick
            type_in(missing, unsaid)
            retype = deadline
        time.sleep(0.5)
    raise AssertionError(f"the formgrader did not save the grades of {student}: {grades}")


def read_feedback(page, kind):
    """In the Assignments tab: Fetch Feedback, view feedback, open the page; its text."""
    tab = assignments_tab(page)
    tab.locator("button:has-text('Fetch Feedback')").click()
    tab.get_by_text("view feedback").first.click()  # the file browser goes to the feedback's folder
    page.locator(".jp-DirListing-item", has_text=f"{AID}.html").dblclick()
    frame = page.frame_locator(".jp-MainAreaWidget:visible iframe").first
    frame.get_by_text("Written response").first.wait_for()
    shot(page, f"{kind}-feedback")
    return frame.locator("body").inner_text()


CHEAT = """
import os, shutil, sys
inbound, aid, attacker, victim, solutions = sys.argv[1:]
def folder(name):
    path = os.path.join(inbound, name)
    os.mkdir(path)
    return path
forged = folder(f"{victim}+{aid}+2099-01-01 00:00:00.000000 UTC+forged")  # newest of all, in someone's name
with open(os.path.join(forged, aid + ".ipynb"), "w") as handle:
    handle.write("{}")
os.symlink(solutions, os.path.join(folder(f"{attacker}+{aid}+2099-01-01 00:00:00.000000 UTC+link"), aid + ".ipynb"))
old = folder(f"{attacker}+{aid}+2000-01-01 00:00:00.000000 UTC+backdated")  # written now, said to be old
shutil.copy(os.path.expanduser(f"~/{aid}/{aid}.ipynb"), old)
"""


def cheat(hub, attacker, victim):
    """What a student can do to the shared exchange with their own account, without the tab."""
    solutions = Path(hub["course"]) / "source" / AID / f"{AID}.ipynb"
    inbound = Path(hub["exchange"]) / "dl-course" / "inbound"
    run = subprocess.run([accounts.tool("runuser"), "-u", attacker, "--", f"{hub['bin']}/python", "-c", CHEAT,
                          str(inbound), AID, attacker, victim, str(solutions)], capture_output=True, text=True,
                         cwd="/", env={"HOME": str(Path("~" + attacker).expanduser()), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr


def _row(table, name):
    return next(line for line in table.splitlines() if line.startswith(name + " "))


def set_due_date(hub, when):
    """The TA's course.toml: 01_tensors due at `when`, a tenth of the points per day late."""
    path = Path(hub["course"]) / "course.toml"
    path.write_text(f'[deadlines]\n{AID} = "{when.isoformat()}"\n\n[late_penalty]\npolicy = "per_day"\n'
                    'per_day = 0.1\ncap = 0.5\n')
    os.chown(path, accounts.uid(TA), os.stat(path.parent).st_gid)


def test_a_week_of_the_course_on_the_hub_as_each_user_sees_it(hub, people):
    ta = people[TA]
    assert "Successfully released" in formgrader_action(ta, hub, "release")

    verdict = {kind: fetch_answer_validate_submit(people[STUDENTS[kind]], STUDENTS[kind], kind)
               for kind in ("right", "partly")}
    assert "Success! Your notebook passes all the tests." in verdict["right"], verdict["right"]
    assert "You did not provide a response." in verdict["partly"], verdict["partly"]
    due = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)).replace(microsecond=0)
    set_due_date(hub, due)  # after the first two submissions, before the third
    time.sleep(max(0.0, (due - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) + 1)
    verdict["late"] = fetch_answer_validate_submit(people[STUDENTS["late"]], STUDENTS["late"], "late")
    assert "Success!" in verdict["late"]

    cheat(hub, STUDENTS["late"], STUDENTS["right"])
    collected = formgrader_action(ta, hub, "collect")
    assert "Successfully collected" in collected
    assert f"but belongs to {STUDENTS['late']}" in collected and "holds a symbolic link" in collected, collected
    assert "has no submission_secret.txt" in collected, collected  # made by hand, not by nbgrader's submit
    stamp = (Path(hub["course"]) / "submitted" / STUDENTS["late"] / AID / "timestamp.txt").read_text()
    assert stamp.startswith(str(due.year)) and "2000-01-01" not in stamp, stamp  # dated when it was written
    graded = deploy.as_ta(hub, TA, "dlcourse", "grade", AID)
    table = graded.stdout
    assert re.search(r"20/25 \(5 pending\)", _row(table, STUDENTS["right"])), table
    assert re.search(r"18/25 \(late -2, 5 pending\)", _row(table, STUDENTS["late"])), table
    partly = float(re.search(r"([\d.]+)/25", _row(table, STUDENTS["partly"])).group(1))
    assert 0 < partly < 20 and "pending" not in _row(table, STUDENTS["partly"]), table
    reports = Path(hub["course"]) / "reports" / "integrity" / AID
    assert all("(sandboxed)" in (reports / f"{name}.md").read_text() for name in STUDENTS.values())

    written = {"written_overfitting": 1, "written_linear_grads": 2, "written_lr_bound": 2}
    grade_by_hand(ta, hub, STUDENTS["right"], written, {"written_overfitting": COMMENT}, "right")
    grade_by_hand(ta, hub, STUDENTS["late"], written, {}, "late")
    released = deploy.as_ta(hub, TA, "dlcourse", "feedback", AID, "--release").stdout
    assert released.count("(released)") == 3, released

    seen = {kind: read_feedback(people[name], kind) for kind, name in STUDENTS.items()}
    assert "(Score: 25.0 / 25.0)" in seen["right"] and COMMENT in seen["right"], seen["right"][:600]
    assert "Submitted on time" in seen["right"] and "Submitted on time" in seen["partly"]
    assert f"(Score: {partly:.1f} / 25.0)" in seen["partly"], seen["partly"][:600]
    assert "after the due date" in seen["late"] and "the late policy took 2.5 of your 25 points" in seen["late"]
    assert "(Score: 22.5 / 25.0)" in seen["late"] and "Late submission penalty" in seen["late"], seen["late"][:800]
    assert COMMENT not in seen["late"] and COMMENT not in seen["partly"]
    for kind, text in seen.items():  # the overview of every assignment: 01 handed in, the other six not yet
        assert "Your assignments so far" in text and text.count("not handed in") == 6, (kind, text[:1500])
    assert re.search(rf"{AID}\s+{re.escape(due.strftime('%Y-%m-%d %H:%M'))} UTC\s+22\.5 / 25\.0\s+-2\.5 \(\d+ seconds? "
                     r"late\)", seen["late"]), seen["late"][:1500]


def test_the_hub_refuses_a_roster_it_cannot_use_before_it_makes_anything(tmp_path):
    folder = tmp_path / "hub"
    runs = []
    for roster, text in ((tmp_path / "none.csv", None),
                         (tmp_path / "no_ta.csv", f"student_id,first_name,last_name,email\ndlnota{SUFFIX},Ada,Byron,\n")):
        if text:
            roster.write_text(text)
        runs.append(subprocess.run([sys.executable, "-m", "dlcourse", "hub", "--roster", str(roster), "--folder",
                                    str(folder)], capture_output=True, text=True, timeout=120))
    assert [r.returncode for r in runs] == [2, 2]
    assert "no roster at" in runs[0].stderr and "student_id, first_name, last_name, email" in runs[0].stderr
    assert "no TA (add a row with role = ta)" in runs[1].stderr
    assert not folder.exists() and not accounts.exists(f"dlnota{SUFFIX}")
    assert "Traceback" not in runs[0].stderr + runs[1].stderr
