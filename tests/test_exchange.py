"""The Assignments tab on one machine (`make lab`): nbgrader's own exchange inside the course folder.

A Jupyter server with nbgrader's extensions runs on 127.0.0.1 over a copy of the course; the test
calls the REST API the Assignments tab calls (list courses, list, fetch, submit, fetch feedback),
and the TA's side runs nbgrader's own release, collect and feedback commands.
"""
import getpass
import shutil
import subprocess
import sys

from conftest import REPO
from labserver import jupyter

from dlcourse.grading import pipeline

AID = "01_tensors"
COURSE = "dl-course"


def _ta(root, *args):
    run = subprocess.run([sys.executable, "-m", *args], cwd=root, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, f"{' '.join(args)}:\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}"
    return run.stdout + run.stderr


def _statuses(server):
    answer = server.call(f"/assignments?course_id={COURSE}")
    assert answer["success"], answer
    return {a["assignment_id"]: a["status"] for a in answer["value"]}


def test_the_assignments_tab_fetches_submits_and_fetches_feedback_on_one_machine(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "source" / AID, root / "source" / AID)
    pipeline.generate(pipeline.course_api(root), [AID])
    home = tmp_path / "home"
    # as `make lab` starts it: the course folder on JUPYTER_CONFIG_PATH, for nbgrader's extension working in downloaded/
    with jupyter("jupyter_server", root, home, env={"HOME": str(home), "JUPYTER_CONFIG_PATH": str(root)}) as server:
        courses = server.call("/courses")
        assert courses == {"success": True, "value": []}, courses  # nothing released yet: no error either
        _ta(root, "nbgrader", "release_assignment", AID, "--force")
        assert server.call("/courses") == {"success": True, "value": [COURSE]}
        assert _statuses(server) == {AID: "released"}
        server.call("/assignments/fetch", "POST", {"course_id": COURSE, "assignment_id": AID})
        assert (root / "downloaded" / AID / f"{AID}.ipynb").exists()
        assert _statuses(server) == {AID: "fetched"}
        answer = server.call("/assignments/submit", "POST", {"course_id": COURSE, "assignment_id": AID})
        assert answer.get("success", True), answer
        _ta(root, "nbgrader", "collect", AID)
        me = getpass.getuser()
        assert (root / "submitted" / me / AID / "timestamp.txt").exists()
        _ta(root, "dlcourse", "grade", AID, "--workers", "1")
        _ta(root, "dlcourse", "feedback", AID, "--release")
        server.call("/assignments/fetch_feedback", "POST", {"course_id": COURSE, "assignment_id": AID})
        fetched = list((root / "downloaded" / AID / "feedback").glob(f"*/{AID}.html"))
        assert fetched and "Score:" in fetched[0].read_text()


def test_collect_dates_a_submission_by_when_it_last_changed_and_refuses_links(tmp_path):
    """nbgrader's exchange with the course's CheckedCollect: a submission said to be from 2000 but written
    now is dated now; one holding a symbolic link (to the solutions, say) is not collected."""
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "source" / AID, root / "source" / AID)
    pipeline.generate(pipeline.course_api(root), [AID])
    _ta(root, "nbgrader", "release_assignment", AID, "--force")
    _ta(root, "nbgrader", "fetch_assignment", AID, f"--course={COURSE}")
    _ta(root, "nbgrader", "submit", AID, f"--course={COURSE}")
    inbound = root / "exchange" / COURSE / "inbound"
    (made,) = list(inbound.iterdir())
    me = getpass.getuser()
    backdated = inbound / f"{me}+{AID}+2000-01-01 00:00:00.000000 UTC+old"
    shutil.copytree(made, backdated)
    shutil.rmtree(made)
    linked = inbound / f"{me}+{AID}+2099-01-01 00:00:00.000000 UTC+link"
    linked.mkdir()
    (linked / f"{AID}.ipynb").symlink_to(root / "source" / AID / f"{AID}.ipynb")
    (linked / "submission_secret.txt").write_text("x")
    log = _ta(root, "nbgrader", "collect", AID)
    assert "holds a symbolic link" in log, log
    stamp = (root / "submitted" / me / AID / "timestamp.txt").read_text()
    assert not stamp.startswith("2000") and stamp[:4] >= "2026", stamp
    notebook = (root / "submitted" / me / AID / f"{AID}.ipynb").read_text()
    assert "### BEGIN SOLUTION" not in notebook  # the released copy, not the solutions the link pointed to
