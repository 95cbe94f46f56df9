"""The grading sandbox and the integrity tools, piece by piece (the whole class: test_adversarial.py)."""
import json
import os
import socket
import subprocess
import sys

import nbformat
import pytest
from conftest import REPO, SUBMISSIONS
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook
from test_adversarial import AID, cases, make_course, needs_sandbox
from traitlets.config import Config

from dlcourse.grading import config, pipeline, preflight, scan, unit
from dlcourse.isolation import forkserver, kernels
from dlcourse.notebook import tasks
from dlcourse.notebook import variants as made_up
from dlcourse.notebook.names import bindings

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


MANAGERS = {"cold": kernels.SandboxKernelManager, "warm": kernels.WarmKernelManager}


@pytest.fixture(scope="module", params=sorted(MANAGERS))
def inside(tmp_path_factory, request):
    """What code running in a sandboxed kernel (started cold, or forked warm) can see and do."""
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
        NotebookClient(nb, timeout=60, kernel_manager_class=MANAGERS[request.param], config=config,
                       resources={"metadata": {"path": str(work)}}).execute()
    finally:
        del os.environ["DLCOURSE_DB_URL"]
        listener.close()
    return {**last_json(nb.cells[0]), "kind": request.param}, work


def last_json(cell):
    """The JSON a probe cell printed last."""
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    return json.loads(text.strip().splitlines()[-1])


def test_kernel_sees_its_own_files_and_writes_only_scratch_that_vanishes(inside):
    facts, work = inside
    assert facts["files"] == ["data.txt"] and facts["reads_own_file"] == "hello"
    assert facts["writes_scratch"]
    # warm, as an ordinary user, the kernel owns its working copy (and could make it writable again)
    assert not facts["changes_submission"] or (os.geteuid() != 0 and facts["kind"] == "warm")
    assert sorted(p.name for p in work.iterdir()) == ["data.txt"] and (work / "data.txt").read_text() == "hello"


def test_kernel_cannot_see_source_gradebook_other_students_or_home(inside):
    facts, _ = inside
    assert facts["source"] is False and facts["gradebook"] is False and facts["other"] is False
    assert facts["home"] is False
    # cold: only the path down to its own folder exists; warm: it works in a copy under /jobs
    assert facts["course"] in (["autograded"], False)


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


LEAVE_TRACES = r'''
import json, os, subprocess, sys
facts = {"pid": os.getpid(), "torch_preloaded": "torch" in sys.modules}
import numpy as np
facts["numpy_draw"] = int(np.random.randint(1 << 30))
open("/tmp/answers.txt", "w").write("ada's answers")
open("/dev/shm/answers", "w").write("x")
open("notes.txt", "w").write("scratch")
os.makedirs("/tmp/locked/deeper")
os.chmod("/tmp/locked", 0)
subprocess.Popen(["sleep", "300"], start_new_session=True)
print(json.dumps(facts))
'''

LOOK_AROUND = r'''
import glob, json, os, signal
facts = {"pid": os.getpid(), "uid": os.getuid(), "files": sorted(os.listdir(".")),
         "tmp": sorted(os.path.basename(p) for p in glob.glob("/tmp/*") + glob.glob("/tmp/.*")),
         "shm": os.listdir("/dev/shm"), "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit())}
try:
    os.kill(2, signal.SIGKILL)  # the warm server
    facts["kill_server"] = "allowed"
except OSError as exc:
    facts["kill_server"] = type(exc).__name__
try:
    open("/proc/2/mem", "rb").read(1)
    facts["read_server"] = "allowed"
except OSError as exc:
    facts["read_server"] = type(exc).__name__
print(json.dumps(facts))
'''


class Recording(NotebookClient):
    """nbclient's client, keeping the kernel manager it made (nbclient drops it at the end)."""

    def create_kernel_manager(self):
        self.made = super().create_kernel_manager()
        return self.made


def run_warm(code, work, config=None, left_running=None, servers=None):
    """Run one cell of `code` in a warm kernel working in `work`; what it printed (JSON). The processes
    the notebook left running, which the server's reset killed, are appended to `left_running`, the
    warm server the kernel came from to `servers`."""
    nb = new_notebook(cells=[new_code_cell(code)], metadata={"kernelspec": {"name": "python3",
                                                                           "display_name": "Python 3"}})
    client = Recording(nb, timeout=60, kernel_manager_class=kernels.WarmKernelManager, config=config or Config(),
                       resources={"metadata": {"path": str(work)}})
    client.execute()
    if left_running is not None:
        left_running.append(client.made.left_running)
    if servers is not None:
        servers.append(client.made.server)
    return last_json(nb.cells[0])


@pytest.fixture(scope="module")
def two_students(tmp_path_factory):
    """One student's notebook leaves traces everywhere it can; the next student's looks around."""
    needs_sandbox()
    root = tmp_path_factory.mktemp("warm")
    works = [root / name / AID for name in ("ada", "ben")]
    for work in works:
        work.mkdir(parents=True)
        (work / "data.txt").write_text(work.parent.name)
    events, servers = [], []
    first = run_warm(LEAVE_TRACES, works[0], left_running=events, servers=servers)
    second = run_warm(LOOK_AROUND, works[1], servers=servers)
    first["same_server_after"] = servers[0] is servers[1]
    return first, events, second, works


def test_warm_kernels_are_fresh_processes_with_torch_already_imported(two_students):
    first, _, second, _ = two_students
    assert first["torch_preloaded"] and first["pid"] != second["pid"]


def test_nothing_of_one_student_reaches_the_next_in_a_warm_sandbox(two_students):
    first, events, second, works = two_students
    assert second["files"] == ["data.txt"]  # its own copy: not the first student's notes.txt
    assert not {"answers.txt", "locked"} & set(second["tmp"]) and second["shm"] == []
    assert second["processes"] == [1, 2, second["pid"]]  # bwrap's init, the server, this kernel
    assert events == [1]  # the process the first notebook left running, killed by the reset
    assert first["same_server_after"]  # the reset left it clean: no new server was needed
    for work in works:  # the real folders never change
        assert sorted(p.name for p in work.iterdir()) == ["data.txt"]


@pytest.mark.skipif(os.geteuid() != 0, reason="as an ordinary user the kernels share the server's uid")
def test_warm_kernels_cannot_touch_the_server(two_students):
    _, _, second, _ = two_students
    assert second["uid"] != 0
    assert second["kill_server"] == "PermissionError" and second["read_server"] == "PermissionError"


def test_a_dead_warm_server_is_replaced(tmp_path):
    needs_sandbox()
    (tmp_path / "work").mkdir()
    servers = []
    first = run_warm("import json, os; print(json.dumps({'server': os.getppid()}))", tmp_path / "work",
                     servers=servers)
    servers[0].process.kill()
    servers[0].process.wait()
    again = run_warm("import json, os; print(json.dumps({'server': os.getppid()}))", tmp_path / "work",
                     servers=servers)
    assert first == again == {"server": 2}  # a new server, in a new sandbox
    assert servers[1] is not servers[0]


def test_folders_bound_in_under_tmp_stay_reachable_after_the_cleaning(tmp_path):
    """A course (its venv, dlcourse) cloned under /tmp: the server's scratch cleaning must leave the
    folders bwrap made on the way there alone."""
    needs_sandbox()
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    (shared / "data.txt").write_text("bound")
    (tmp_path / "work").mkdir()
    config = Config()
    config.SandboxKernelManager.extra_ro_paths = [str(shared)]
    servers = []
    for _ in range(2):
        read = run_warm(f"import json; print(json.dumps(open({str(shared / 'data.txt')!r}).read()))",
                        tmp_path / "work", config, servers=servers)
        assert read == "bound"
    assert servers[0] is servers[1]  # the reset left it clean: the same server


def test_grading_command_refuses_without_bubblewrap(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no bwrap on this PATH
    run = subprocess.run([sys.executable, "-m", "dlcourse", "--root", str(tmp_path), "grade"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 2
    assert "refusing to grade" in run.stderr and "--unsandboxed" in run.stderr


def test_without_the_guard_the_monkeypatch_attack_wins_so_the_guard_matters(tmp_path, monkeypatch):
    """Control for test_adversarial: unsandboxed and without the guard, patching wins most points."""
    root = make_course(tmp_path / "course")
    nb = made_up.fill(pipeline.notebook_pair(root, AID)[1][f"{AID}.ipynb"], dict(cases.WRONG))
    gid = next(i for i, c in enumerate(nb.cells) if made_up.grade_id(c) == "reshape_result")
    nb.cells.insert(gid + 1, nbformat.v4.new_code_cell(cases.MONKEYPATCH))
    made_up.write_submission(root, "cheater", AID, {f"{AID}.ipynb": nb})
    configure = config.configure

    def without_guard(config, sandboxed=True, hidden=(), **kwargs):
        configure(config, sandboxed, hidden, **kwargs)
        config.GuardedExecute.guard = False
    monkeypatch.setattr(unit, "configure", without_guard)
    api = pipeline.course_api(root)
    outcome = pipeline.read_scores(api, [pipeline.grade_one(api, AID, "cheater", sandbox=False)])[0]
    # the wrong answers alone score 0 (and 0 with the guard: test_adversarial's "monkeypatch"); patched checks
    # hand them points: make_layer, train_gain_implies_test_gain and linear_grads at least (the static rule
    # check, Hypothesis' own use of the patched builtins and checks that use a coerced answer still stand)
    assert outcome.ok and outcome.points >= 4, outcome
    assert "UNSANDBOXED" in (root / "reports" / "integrity" / AID / "cheater.md").read_text()


# ---------------------------------------------------------------- static scan, preflight, bindings

def test_honest_submissions_raise_no_flags():
    src, rel = pipeline.notebook_pair(REPO, AID)
    name = f"{AID}.ipynb"
    honest = 0
    for spec in [{"cells": {}}, *made_up.load_variants(SUBMISSIONS, AID).values()]:
        nb = made_up.fill(rel[name], {**made_up.solutions(src[name]), **spec["cells"]})
        if tasks.rule_verdicts(nb):
            continue  # a stated rule broken (a thread, a private API): not an honest submission
        assert scan.scan_notebook(nb, rel[name], name) == []
        honest += 1
    assert honest > 50


def test_scan_names_cell_line_and_what_was_tried():
    _, rel = pipeline.notebook_pair(REPO, AID)
    nb = made_up.fill(rel[f"{AID}.ipynb"], {
        "add_on": "import os\ndef add_on(a, b, device):\n    return a\nos.system('ls /')",
        "linear_forward": "check_close = lambda *a, **k: True\nimport torch\ntorch.allclose = check_close"})
    found = {(f.cell, f.line, f.rule) for f in scan.scan_notebook(nb, rel[f"{AID}.ipynb"], "nb")}
    assert ("add_on", 4, "runs a shell command (os.system)") in found
    assert ("linear_forward", 1, "rebinds check_close, which the tests use") in found
    assert ("linear_forward", 3, "assigns an attribute of torch (monkeypatching)") in found


def test_scan_of_attacks_on_files_network_and_interpreter():
    rules = [r for _, r in scan.scan_source(
        "import socket, ctypes\nopen('/etc/passwd')\nx = eval('1')\nimport sys\nsys.modules['torch'] = None\n"
        "def f():\n    global check_close\n", protected={"check_close"})]
    for phrase in ("opens network sockets", "ctypes", "outside the working folder", "eval", "edits sys.modules",
                   "declares global check_close"):
        assert any(phrase in r for r in rules), phrase


def test_scan_flags_code_that_could_switch_off_the_rules_checks_enforce():
    rules = [r for _, r in scan.scan_source(
        "with torch._C.DisableTorchFunction():\n    y = torch.softmax(x, 0)\n"
        "torch.overrides.TorchFunctionMode.__exit__(None)\n", modules={"torch": "torch"})]
    assert any("torch._C" in r for r in rules) and any("torch.overrides" in r for r in rules)


def test_preflight_reasons(tmp_path):
    ok = tmp_path / "ok"
    ok.mkdir()
    nbformat.write(new_notebook(), ok / "a.ipynb")
    assert preflight.preflight(ok, ["a.ipynb"]) == ""
    assert "renamed" in preflight.preflight(ok, ["b.ipynb"])
    (ok / "a.ipynb").write_text("{not json")
    assert "not valid JSON" in preflight.preflight(ok, ["a.ipynb"])
    (ok / "a.ipynb").write_text('{"hello": 1}')
    assert "not a Jupyter notebook" in preflight.preflight(ok, ["a.ipynb"])
    (ok / "link").symlink_to("/etc/passwd")
    assert "symbolic link" in preflight.preflight(ok, ["a.ipynb"])
    assert preflight.preflight(tmp_path / "missing", ["a.ipynb"]) == "nothing submitted"


def test_bindings_of_a_locked_cell():
    bound, attrs, star = bindings(
        "import torch\nfrom torch import nn as tnn\nx = 1\nfor i in range(2):\n    y = i\n"
        "def f():\n    z = 1\ntorch.backends.flag = True\n%matplotlib inline\n")
    assert bound == {"torch", "tnn", "x", "i", "y", "f"} and attrs == {"flag"} and not star


def test_attention_lines_skip_ordinary_test_failures():
    o = pipeline.Outcome("s", AID, True, 0.0, notes=["test t failed (CheckError: x)", "the kernel died in cell c"])
    lines = unit.attention_lines([o, pipeline.Outcome("t", AID, True, 0.0, notes=["test t failed"])])
    assert len(lines) == 2 and "s (01_tensors): the kernel died" in lines[1]


def _graded_notebook(answer):
    """A notebook: an answer cell, then a locked test cell worth 1 point."""
    test = new_code_cell("assert x == 1", metadata={"nbgrader": {"grade_id": "test_x", "locked": True,
                                                                  "grade": True, "points": 1, "solution": False}})
    answer = new_code_cell(answer, metadata={"nbgrader": {"grade_id": "x", "solution": True}})
    return new_notebook(cells=[answer, test], metadata={"kernelspec": {"name": "python3", "display_name": "P"}})


def test_two_threads_execute_at_once_and_each_keeps_its_own_events_and_kernels(tmp_path):
    """Nothing of ours is process-wide: GuardedExecute in two threads at once, one notebook whose kernel
    dies; each thread's events travel in its own resources and its kernels come from its own warm
    server. (nbgrader's autograde itself sets NBGRADER_EXECUTION in the process environment, so a
    grading process, a Dask worker included, still grades one notebook at a time.)"""
    from concurrent.futures import ThreadPoolExecutor

    from dlcourse.grading.execute import GuardedExecute
    needs_sandbox()
    config = Config()
    config.GuardedExecute.timeout = 60

    def run(name, answer):
        work = tmp_path / name
        work.mkdir()
        resources = {"nbgrader": {"notebook": name}, "metadata": {"path": str(work)}}
        nb, resources = GuardedExecute(config=config).preprocess(_graded_notebook(answer), resources)
        return [o.get("ename") for o in nb.cells[1].outputs], resources["dlcourse"]["events"], \
            forkserver.current_server()

    with ThreadPoolExecutor(2) as pool:
        (ok, ok_events, ok_server), (dead, dead_events, dead_server) = pool.map(
            lambda job: run(*job), [("steady", "x = 1"), ("dying", "import os, time\ntime.sleep(1)\nos._exit(3)")])
    assert ok == [] and ok_events == []
    assert dead == ["NotRun"] and dead_events and all(e["notebook"] == "dying" for e in dead_events)
    assert any("the kernel died" in e["text"] for e in dead_events)
    assert ok_server is not dead_server
