"""Hostile and broken submissions of 01_tensors, each with the outcome grading must give it.

A case starts from the reference answers (``base="reference"``) or from answers that are all
wrong (``base="wrong"``: any point it gets was cheated), replaces answer cells (``cells``), may
add cells after an answer cell (``after``), edit the notebook (``edit``), or replace the files
outright (``files``). ``points`` is what it must score (None: not graded at all) and ``reason``
a phrase the TA must find in its outcome (error, notes). Snippets may use ``{root}`` (the course
folder), ``{victim}`` (another student) and ``{port}`` (a port the grader's host listens on).
"""
import json
from dataclasses import dataclass, field
from pathlib import Path

AID = "01_tensors"
# Autograded points of 01_tensors: its test cells' points (written answers are graded by hand).
FULL = sum(c["metadata"]["nbgrader"]["points"] for c in json.loads(
    (Path(__file__).resolve().parents[2] / "release" / AID / f"{AID}.ipynb").read_text())["cells"]
    if c["cell_type"] == "code" and c["metadata"].get("nbgrader", {}).get("grade"))

WRONG = {
    "reshape_result": "def reshape_result(shape, new_shape):\n    return None",
    "len_reshape_shape": "def len_reshape_shape(shape):\n    return (1, 2, 3)",
    "broadcast_shape": "def broadcast_shape(a, b):\n    return tuple(a)",
    "device_options": "device_options = {'B'}",
    "add_on": "def add_on(a, b, device):\n    return a",
    "seed_options": "seed_options = {'B'}",
    "make_layer": "def make_layer(seed):\n    return nn.Linear(2, 3)",
    "draw_on": "def draw_on(seed, shape, device):\n    torch.manual_seed(seed)\n    return torch.randn(shape).to(device)",
    "train_gain_implies_test_gain": "train_gain_implies_test_gain = True",
    "linear_forward": "def linear_forward(x, weight, bias):\n    return torch.zeros(x.shape[0], weight.shape[0])",
    "linear_grads": "def linear_grads(x, weight, bias):\n    return torch.zeros_like(weight), torch.zeros_like(bias)",
}

MONKEYPATCH = '''
import builtins, math, numpy, numpy.testing, torch
import dlcourse.checks as _C
_yes = lambda *args, **kwargs: True
torch.allclose = torch.equal = torch.isclose = _yes
torch.Tensor.__eq__ = lambda self, other: torch.ones((), dtype=torch.bool)
torch.isfinite = lambda t: torch.ones_like(t, dtype=torch.bool)
math.isclose = math.isfinite = _yes
numpy.testing.assert_allclose = numpy.testing.assert_array_equal = lambda *args, **kwargs: None
for _name in dir(_C):
    if _name.startswith(("check_", "as_", "score_")) or _name == "fail":
        setattr(_C, _name, _yes)
_C.check_close.__code__ = _yes.__code__
builtins.abs = lambda x: 0
builtins.sorted = lambda items, **kwargs: ["A", "C"]
check_close = check_shape = check_shape_tuple = check_type = check_choices = _yes
check_bool = check_device = check_dtype = _yes
fail = lambda *args, **kwargs: None
import contextlib, dlcourse.rules as _R
_R.check_by_autograd = check_by_autograd = _yes
_R.forbid = forbid = lambda *args, **kwargs: contextlib.nullcontext()
'''

PATCH_DURING_TEST = '''
def linear_forward(x, weight, bias):
    global check_close, check_shape
    check_close = check_shape = lambda *args, **kwargs: True
    return None
'''

IPYTHON_HOOK = '''
def _swallow(lines):
    return ["try:\\n"] + ["    " + line for line in lines] + ["\\n", "except BaseException:\\n", "    pass\\n"]
get_ipython().input_transformers_cleanup.append(_swallow)
'''


def _delete_and_edit_locked(nb):
    """Delete the setup cell and a test cell, empty another test cell."""
    def gid(c):
        return c.metadata.get("nbgrader", {}).get("grade_id")
    nb.cells = [c for c in nb.cells if gid(c) not in ("imports", "test_linear_forward")]
    for c in nb.cells:
        if gid(c) == "test_add_on":
            c.source = "pass  # no tests here"
    return nb


@dataclass
class Case:
    """One adversarial submission and the outcome it must get."""
    points: object  # int, or None when the submission cannot be graded
    reason: object  # a phrase, or a tuple of phrases of which one must appear
    base: str = "reference"
    cells: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)  # answer grade id -> code of a cell added after it
    edit: object = None
    files: dict = field(default_factory=dict)  # file name -> raw text (replaces the notebook)


CASES = {
    "syntax_error": Case(FULL - 2, "SyntaxError", cells={
        "linear_forward": "def linear_forward(x, weight, bias)\n    return x @ weight.T + bias"}),
    "exception_everywhere": Case(0, "RuntimeError", base="wrong",
                                 cells={k: "raise RuntimeError('not today')" for k in WRONG}),
    "os_exit": Case(2, "kernel died", after={"len_reshape_shape": "import os\nos._exit(3)"}),
    "infinite_loop": Case(FULL, "time limit", after={"seed_options": "while True:\n    pass"}),
    "stuck_kernel": Case(7, "stopped answering", after={"seed_options": (
        "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    time.sleep(0.5)")}),
    "memory_10gb": Case(FULL, "MemoryError", after={"add_on": "hog = bytearray(10 * 2**30)"}),
    # a cell added to Task 5.2, a task with a rule: its processes cost the task (the static rule check)
    "fork_bomb": Case(FULL - 2, ("BlockingIOError", "was interrupted"),
                      after={"linear_grads": "import os\nwhile True:\n    os.fork()"}),
    "print_100mb": Case(FULL, "printed 100", after={"add_on": "for _ in range(1000):\n    print('x' * 100_000)"}),
    "deleted_and_edited_locked_cells": Case(FULL, "was put back", edit=_delete_and_edit_locked),
    "renamed_notebook": Case(None, "renamed", files={"my_tensors.ipynb": "{reference}"}),
    "not_a_notebook": Case(None, "not a Jupyter notebook", files={f"{AID}.ipynb": '["print(42)"]'}),
    "invalid_json": Case(None, "not valid JSON", files={f"{AID}.ipynb": '{"cells": [{"cell_type": "code",'}),
    "symlink_to_solutions": Case(None, "symbolic link",
                                 files={"notes.txt": "->{root}/source/01_tensors/01_tensors.ipynb"}),
    "reads_source": Case(FULL, "FileNotFoundError", after={"reshape_result": (
        "import json\nsolutions = json.load(open('{root}/source/01_tensors/01_tensors.ipynb'))")}),
    "reads_other_student": Case(FULL, "FileNotFoundError", after={"reshape_result": (
        "theirs = open('{root}/submitted/{victim}/01_tensors/01_tensors.ipynb').read()")}),
    "deletes_gradebook": Case(FULL, "FileNotFoundError", after={"reshape_result": (
        "import os\nos.remove('{root}/gradebook.db')")}),
    "opens_socket": Case(FULL, "ConnectionRefusedError", after={"reshape_result": (
        "import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=3)")}),
    "claims_equal": Case(0, "CheckError", base="hostile"),
    "monkeypatch": Case(0, "replaced", base="wrong", after={"reshape_result": MONKEYPATCH}),
    "patch_during_test": Case(0, "while this test ran", base="wrong", cells={"linear_forward": PATCH_DURING_TEST}),
    "ipython_hook": Case(0, "input_transformer", base="wrong", after={"reshape_result": IPYTHON_HOOK}),
    # a half-right option set earns half a point: printing that score as a full point must not pay
    "partial_credit_printed_as_full": Case(FULL - 0.5, "text/plain", cells={"device_options": (
        "device_options = {{'A'}}\nget_ipython().display_formatter.formatters['text/plain'].for_type(\n"
        "    float, lambda value, printer, cycle: printer.text('1'))")}),
    # a warning from a correct answer goes to stderr, which nbgrader would score as a failed test
    "warning_in_answer": Case(FULL, "graded", cells={"linear_forward": (
        "import warnings\n\ndef linear_forward(x, weight, bias):\n"
        "    warnings.warn('this answer warns, and is right')\n    return x @ weight.T + bias")}),
    # Task 5.1's rule (no F.linear) broken where a run-time hook cannot see it, or with the hook switched off
    "rule_in_a_table": Case(FULL - 2, "RuleError", cells={"linear_forward": (
        "import torch.nn.functional as F\n_SEEN = dict(y=F.linear(torch.ones(1, 2), torch.ones(3, 2)))\n"
        "def linear_forward(x, weight, bias):\n    return x @ weight.T + bias")}),
    "rule_switched_off": Case(FULL - 2, ("switched off", "private torch API"), cells={"linear_forward": (
        "def linear_forward(x, weight, bias):\n    with torch._C.DisableTorchFunction():\n"
        "        return torch.nn.functional.linear(x, weight, bias)")}),
    "rule_in_a_thread": Case(FULL - 2, "thread", cells={"linear_forward": (
        "from concurrent.futures import ThreadPoolExecutor\n\ndef linear_forward(x, weight, bias):\n"
        "    with ThreadPoolExecutor(1) as pool:\n"
        "        return pool.submit(torch.nn.functional.linear, x, weight, bias).result()")}),
}
