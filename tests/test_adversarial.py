"""Hostile and broken submissions through the real grading command (`python -m dlcourse grade`).

Every case of tests/adversarial/cases.py is one student of a single class, graded in one batch
together with two honest students. Each case must get its expected score and a reason the TA
can read; the batch must finish; the honest students, the gradebook, source/, release/ and
every submission must come out unchanged.
"""
import copy
import hashlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import REPO

from dlcourse.grading import pipeline
from dlcourse.isolation import bwrap
from dlcourse.notebook import variants as made_up

_spec = importlib.util.spec_from_file_location("adversarial_cases", Path(__file__).parent / "adversarial" / "cases.py")
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)

AID = cases.AID
HONEST = ["honest-ada", "honest-victim"]

# Short limits so that the suite takes a couple of minutes (appended to the course copy's config).
TEST_LIMITS = """
c.Execute.timeout = 10
c.GuardedExecute.notebook_timeout = 240
c.SandboxKernelManager.memory_mb = 2048
c.SandboxKernelManager.max_tasks = 40
c.SandboxKernelManager.cpu_seconds = 300
"""


def needs_sandbox():
    """Skip where bubblewrap cannot work, unless CI (which installs it) runs the tests."""
    ok, why = bwrap.probe()
    if not ok:
        if os.environ.get("CI") or os.environ.get("DLCOURSE_REQUIRE_SANDBOX"):
            pytest.fail(f"the grading sandbox is required here: {why}")
        pytest.skip(f"grading sandbox unavailable: {why}")


def make_course(root):
    """A course folder with 01_tensors generated and the test limits."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    with open(root / "nbgrader_config.py", "a") as f:
        f.write(TEST_LIMITS)
    shutil.copytree(REPO / "source" / AID, root / "source" / AID)
    pipeline.generate(pipeline.course_api(root), [AID])
    return root


def build(root, student, case, port):
    """Write the submission of `case` for `student` under submitted/."""
    src, rel = pipeline.notebook_pair(root, AID)
    name = f"{AID}.ipynb"
    fmt = {"root": str(root), "victim": HONEST[1], "port": port}
    if case.base == "hostile":
        nb = made_up.build(src[name], rel[name], "hostile")
    else:
        answers = made_up.solutions(src[name]) if case.base == "reference" else dict(cases.WRONG)
        answers.update({k: v.format(**fmt) for k, v in case.cells.items()})
        nb = made_up.fill(rel[name], answers)
    for gid, code in case.after.items():
        i = next(i for i, c in enumerate(nb.cells) if made_up.grade_id(c) == gid)
        nb.cells.insert(i + 1, nbformat.v4.new_code_cell(code.format(**fmt)))
    if case.edit:
        nb = case.edit(copy.deepcopy(nb))
    if not case.files:
        return made_up.write_submission(root, student, AID, {name: nb})
    folder = made_up.write_submission(root, student, AID, {})
    for fname, text in case.files.items():
        target = folder / fname
        if text.startswith("->"):
            made_up.write_submission(root, student, AID, {name: nb})
            target.symlink_to(text[2:].format(**fmt))
        else:
            target.write_text(nbformat.writes(nb) if text == "{reference}" else text)
    return folder


def digest(folder):
    """Hash of every file (and symlink target) under `folder`."""
    h = hashlib.sha256()
    for p in sorted(Path(folder).rglob("*")):
        h.update(str(p.relative_to(folder)).encode())
        h.update(os.readlink(p).encode() if p.is_symlink() else p.read_bytes() if p.is_file() else b"/")
    return h.hexdigest()


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Grade the whole adversarial class with one grading command; what came out."""
    needs_sandbox()
    root = make_course(tmp_path_factory.mktemp("adversarial") / "course")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    try:
        for student in HONEST:
            pipeline.submit_variant(root, AID, student, "reference")
        for name, case in cases.CASES.items():
            build(root, f"x-{name}", case, port)
        before = {p.name: digest(p) for p in (root / "submitted").iterdir()}
        before.update(source=digest(root / "source"), release=digest(root / "release"))
        run = subprocess.run([sys.executable, "-m", "dlcourse", "--root", str(root), "grade", AID],
                             capture_output=True, text=True, timeout=900)
    finally:
        listener.close()
    after = {p.name: digest(p) for p in (root / "submitted").iterdir()}
    after.update(source=digest(root / "source"), release=digest(root / "release"))
    students = sorted(before.keys() - {"source", "release"})
    outcomes = {o.student: o for o in pipeline.read_scores(
        pipeline.course_api(root), [pipeline.Outcome(s, AID, True, 0.0) for s in students])}
    reports = {s: json.loads((root / "reports" / "integrity" / AID / f"{s}.json").read_text())
               for s in students if (root / "reports" / "integrity" / AID / f"{s}.json").exists()}
    return root, run, before, after, outcomes, reports


def test_the_batch_completes_and_every_student_has_a_row(batch):
    _, run, before, _, _, reports = batch
    assert run.returncode == 0, run.stderr[-3000:]
    for student in before.keys() - {"source", "release"}:
        assert any(line.startswith(student + " ") for line in run.stdout.splitlines()), student
        assert student in reports, f"no integrity report for {student}"


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_each_hostile_submission_gets_its_score_and_a_readable_reason(batch, name):
    _, _, _, _, outcomes, reports = batch
    case, student = cases.CASES[name], f"x-{name}"
    report = reports[student]
    text = report["result"] + "\n" + "\n".join(report["events"])
    phrases = case.reason if isinstance(case.reason, tuple) else (case.reason,)
    assert any(p in text for p in phrases), f"{name}: expected {case.reason!r} in\n{text}"
    outcome = outcomes[student]
    if case.points is None:
        assert report["result"].startswith("not graded"), report["result"]
        assert not outcome.ok or outcome.points == 0
    else:
        assert report["result"].startswith("graded"), report["result"]
        assert outcome.ok, outcome.error
        assert outcome.points == case.points, f"{name}: {outcome.cells}\n{text}"


def test_honest_students_get_full_marks_and_nothing_unusual(batch):
    _, _, _, _, outcomes, reports = batch
    for student in HONEST:
        assert outcomes[student].points == cases.FULL, outcomes[student].cells
        assert not reports[student]["findings"], reports[student]["findings"]
        assert not [e for e in reports[student]["events"] if "replaced" in e or "died" in e]


def test_no_submission_source_or_release_file_changed(batch):
    _, _, before, after, _, _ = batch
    assert before == after


def test_gradebook_survives_and_holds_every_graded_student(batch):
    root, *_, outcomes, _ = batch
    assert (root / "gradebook.db").exists()
    graded = [s for s, o in outcomes.items() if o.ok]
    assert set(HONEST) <= set(graded)


def test_what_the_submissions_tried_is_flagged_with_cell_and_line(batch):
    *_, reports = batch
    rules = {f["rule"] for f in reports["x-monkeypatch"]["findings"]}
    assert any("monkeypatching" in r for r in rules) and any("rebinds check_close" in r for r in rules)
    cells = {(f["cell"], f["line"]) for f in reports["x-reads_source"]["findings"]}
    assert cells and all(line >= 1 for _, line in cells)
    assert any("os.remove" in f["code"] for f in reports["x-deletes_gradebook"]["findings"])
    assert any("socket" in f["rule"] for f in reports["x-opens_socket"]["findings"])


def test_printed_flood_is_cut_in_the_autograded_notebook(batch):
    root, *_ = batch
    path = root / "autograded" / "x-print_100mb" / AID / f"{AID}.ipynb"
    assert path.stat().st_size < 5_000_000

