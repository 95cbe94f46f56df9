"""The grading sandbox and the integrity tools, piece by piece (the whole class: test_adversarial.py)."""
import json
import os
import socket
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from dlcourse.grading import classroom, integrity, pipeline, sandbox

from conftest import REPO, SUBMISSIONS
from test_adversarial import AID, cases, make_course, needs_sandbox

PROBE = r'''
import json, os, socket
facts = {"uid": os.getuid(), "files": sorted(os.listdir("."))}
facts["reads_own_file"] = open("data.txt").read()
open("scratch.txt", "w").write("mine")
facts["writes_scratch"] = os.path.exists("scratch.txt")
try:
    open("data.txt", "a").write("changed")
    facts["changes_submission"] = True
except OSError:
    facts["changes_submission"] = False
for key, path in {"source": "{root}/source", "gradebook": "{root}/gradebook.db", "other": "{root}/submitted/other",
                  "home": os.path.expanduser("~root") + "/.bashrc", "course": "{root}"}.items():
    facts[key] = os.path.exists(path) and sorted(os.listdir(path)) if os.path.isdir(path) else os.path.exists(path)
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3)
    facts["network"] = "connected"
except OSError as exc:
    facts["network"] = type(exc).__name__
facts["secret_env"] = "DLCOURSE_DB_URL" in os.environ
try:
    hog = bytearray(3 * 2**30)
    facts["memory"] = "allocated"
except MemoryError:
    facts["memory"] = "MemoryError"
try:
    open("big.bin", "wb").write(b"x" * (20 << 20))
    facts["file_size"] = "written"
except OSError as exc:
    facts["file_size"] = type(exc).__name__
children = []
try:
    for _ in range(100):
        pid = os.fork()
        if pid == 0:
            import time
            time.sleep(2)
            os._exit(0)
        children.append(pid)
    facts["forks"] = len(children)
except OSError:
    facts["forks"] = len(children)
for pid in children:
    os.waitpid(pid, 0)
print(json.dumps(facts))
'''


@pytest.fixture(scope="module")
def inside(tmp_path_factory):
    """What code running in a sandboxed kernel can see and do, in a made-up course folder."""
    needs_sandbox()
    root = tmp_path_factory.mktemp("sbx") / "course"
    work = root / "autograded" / "me" / AID
    for path, text in {"source/solutions.txt": "42", "gradebook.db": "grades", "submitted/other/x.ipynb": "{}",
                       f"autograded/me/{AID}/data.txt": "hello"}.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    config = Config()
    config.SandboxKernelManager.hidden_paths = [str(root)]
    config.SandboxKernelManager.memory_mb = 1024
    config.SandboxKernelManager.file_size_mb = 8
    config.SandboxKernelManager.max_tasks = 40
    code = PROBE.replace("{root}", str(root)).replace("{port}", str(listener.getsockname()[1]))
    kernelspec = {"name": "python3", "display_name": "Python 3"}
    nb = new_notebook(cells=[new_code_cell(code)], metadata={"kernelspec": kernelspec})
    os.environ["DLCOURSE_DB_URL"] = "postgresql://ta:secret@localhost/grades"
    try:
        NotebookClient(nb, timeout=60, kernel_manager_class=sandbox.SandboxKernelManager, config=config,
                       resources={"metadata": {"path": str(work)}}).execute()
    finally:
        del os.environ["DLCOURSE_DB_URL"]
        listener.close()
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.output_type == "stream")
    return json.loads(text.strip().splitlines()[-1]), work


def test_kernel_sees_its_own_files_and_writes_only_scratch_that_vanishes(inside):
    facts, work = inside
    assert facts["files"] == ["data.txt"] and facts["reads_own_file"] == "hello"
    assert facts["writes_scratch"] and not facts["changes_submission"]
    assert sorted(p.name for p in work.iterdir()) == ["data.txt"] and (work / "data.txt").read_text() == "hello"


def test_kernel_cannot_see_source_gradebook_other_students_or_home(inside):
    facts, _ = inside
    assert facts["source"] is False and facts["gradebook"] is False and facts["other"] is False
    assert facts["home"] is False
    assert facts["course"] == ["autograded"]  # only the path down to its own folder exists


def test_kernel_has_no_network_no_ta_secrets_and_no_root(inside):
    facts, _ = inside
    assert facts["network"] in ("ConnectionRefusedError", "OSError")
    assert not facts["secret_env"]
    assert facts["uid"] != 0


def test_memory_file_size_and_process_limits_hold(inside):
    facts, _ = inside
    assert facts["memory"] == "MemoryError"
    assert facts["file_size"] == "OSError"
    assert facts["forks"] < 40


def test_grading_command_refuses_without_bubblewrap(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no bwrap on this PATH
    run = subprocess.run([sys.executable, "-m", "dlcourse", "--root", str(tmp_path), "grade"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 2
    assert "refusing to grade" in run.stderr and "--unsandboxed" in run.stderr


def test_without_the_guard_the_monkeypatch_attack_wins_so_the_guard_matters(tmp_path, monkeypatch):
    """Control for test_adversarial: unsandboxed and without the guard, patching gains every point."""
    root = make_course(tmp_path / "course")
    nb = classroom.fill(pipeline.notebook_pair(root, AID)[1][f"{AID}.ipynb"], dict(cases.WRONG))
    gid = next(i for i, c in enumerate(nb.cells) if classroom.grade_id(c) == "reshape_result")
    nb.cells.insert(gid + 1, nbformat.v4.new_code_cell(cases.MONKEYPATCH))
    classroom.write_submission(root, "cheater", AID, {f"{AID}.ipynb": nb})
    configure = sandbox.configure

    def without_guard(config, sandboxed=True, hidden=(), **kwargs):
        configure(config, sandboxed, hidden, **kwargs)
        config.GuardedExecute.guard = False
    monkeypatch.setattr(sandbox, "configure", without_guard)
    api = pipeline.course_api(root)
    outcome = pipeline.read_scores(api, [pipeline.grade_one(api, AID, "cheater", sandbox=False)])[0]
    assert outcome.ok and outcome.points == cases.FULL
    assert "UNSANDBOXED" in (root / "reports" / "integrity" / AID / "cheater.md").read_text()


# ---------------------------------------------------------------- static scan, preflight, bindings

def test_honest_submissions_raise_no_flags():
    src, rel = pipeline.notebook_pair(REPO, AID)
    name = f"{AID}.ipynb"
    for spec in [{"cells": {}}, *classroom.load_variants(SUBMISSIONS, AID).values()]:
        nb = classroom.fill(rel[name], {**classroom.solutions(src[name]), **spec["cells"]})
        assert integrity.scan_notebook(nb, rel[name], name) == []


def test_scan_names_cell_line_and_what_was_tried():
    _, rel = pipeline.notebook_pair(REPO, AID)
    nb = classroom.fill(rel[f"{AID}.ipynb"], {
        "add_on": "import os\ndef add_on(a, b, device):\n    return a\nos.system('ls /')",
        "linear_forward": "check_close = lambda *a, **k: True\nimport torch\ntorch.allclose = check_close"})
    found = {(f.cell, f.line, f.rule) for f in integrity.scan_notebook(nb, rel[f"{AID}.ipynb"], "nb")}
    assert ("add_on", 4, "runs a shell command (os.system)") in found
    assert ("linear_forward", 1, "rebinds check_close, which the tests use") in found
    assert ("linear_forward", 3, "assigns an attribute of torch (monkeypatching)") in found


def test_scan_of_attacks_on_files_network_and_interpreter():
    rules = [r for _, r in integrity.scan_source(
        "import socket, ctypes\nopen('/etc/passwd')\nx = eval('1')\nimport sys\nsys.modules['torch'] = None\n"
        "def f():\n    global check_close\n", protected={"check_close"})]
    for phrase in ("opens network sockets", "ctypes", "outside the working folder", "eval", "edits sys.modules",
                   "declares global check_close"):
        assert any(phrase in r for r in rules), phrase


def test_preflight_reasons(tmp_path):
    ok = tmp_path / "ok"
    ok.mkdir()
    nbformat.write(new_notebook(), ok / "a.ipynb")
    assert integrity.preflight(ok, ["a.ipynb"]) == ""
    assert "renamed" in integrity.preflight(ok, ["b.ipynb"])
    (ok / "a.ipynb").write_text("{not json")
    assert "not valid JSON" in integrity.preflight(ok, ["a.ipynb"])
    (ok / "a.ipynb").write_text('{"hello": 1}')
    assert "not a Jupyter notebook" in integrity.preflight(ok, ["a.ipynb"])
    (ok / "link").symlink_to("/etc/passwd")
    assert "symbolic link" in integrity.preflight(ok, ["a.ipynb"])
    assert integrity.preflight(tmp_path / "missing", ["a.ipynb"]) == "nothing submitted"


def test_bindings_of_a_locked_cell():
    names, attrs, star = integrity.bindings(
        "import torch\nfrom torch import nn as tnn\nx = 1\nfor i in range(2):\n    y = i\n"
        "def f():\n    z = 1\ntorch.backends.flag = True\n%matplotlib inline\n")
    assert names == {"torch", "tnn", "x", "i", "y", "f"} and attrs == {"flag"} and not star


def test_attention_lines_skip_ordinary_test_failures():
    o = pipeline.Outcome("s", AID, True, 0.0, notes=["test t failed (CheckError: x)", "the kernel died in cell c"])
    lines = sandbox.attention_lines([o, pipeline.Outcome("t", AID, True, 0.0, notes=["test t failed"])])
    assert len(lines) == 2 and "s (01_tensors): the kernel died" in lines[1]
