"""What a student reads: a failed check in two lines (their line, the message in red), a green ✔ for
every passing check, and TA notes cut at a word. Real kernels and real nbgrader throughout."""
import re

import nbformat
import pytest
from conftest import SUBMISSIONS
from nbclient import NotebookClient
from test_parallel import AID, small_course

from dlcourse.grading import pipeline, unit
from dlcourse.notebook import cells
from dlcourse.notebook import variants as made_up

ANSI = re.compile(r"\x1b\[[0-9;]*m")
RED = "\x1b[31m"
NOT_THE_STUDENTS = ("contextlib", "dlcourse/", "site-packages", 'File "/usr/lib', "Traceback")


def unconfirmed_checks(nb):
    """Grade ids of the graded test cells of the executed notebook `nb` that printed no green ✔ line."""
    def green(cell):
        return any("\x1b[32m✔" in o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    return [cells.grade_id(c) for c in nb.cells if cells.is_test(c) and cells.is_graded(c) and not green(c)]


def _errors(nb, gid):
    (cell,) = [c for c in nb.cells if cells.grade_id(c) == gid]
    return [o for o in cell.outputs if o.output_type == "error"]


def _shown(error):
    """The stored traceback as the student reads it: its lines, colours dropped."""
    return ANSI.sub("", "\n".join(error.traceback)).splitlines()


# ---- a class of two, graded by nbgrader, with feedback -------------------------------------

WRONG = {  # answer cells of 01_tensors, each wrong in its own way
    "reshape_result": "mistake_reshape_asks_torch",  # a forbidden call (forbid, inside the student's function)
    "linear_forward": "mistake_no_transpose",  # the student's own RuntimeError, under forbid
    "device_options": "mistake_options",  # partial credit: 0.5 of 1
    "train_gain_implies_test_gain": "mistake_train_gain_true",  # a plain check
}
TAMPER = {  # renderers that try to hide a failure
    "make_layer": "class Quiet(Exception):\n    def _render_traceback_(self):\n        return ['\\x1b[32m✔ passed']\n\n"
                  "def make_layer(seed):\n    raise Quiet('no layer')\n",
    "draw_on": "from dlcourse.checks import CheckError\nCheckError._render_traceback_ = lambda self: ['\\x1b[32m✔ passed']\n\n"
               "def draw_on(seed, shape, device):\n    return torch.zeros(shape)\n",
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """01_tensors graded for "wrong" (mistakes of tests/submissions) and "tamper"; feedback generated."""
    root = small_course(tmp_path_factory.mktemp("messages"))
    variants = made_up.load_variants(SUBMISSIONS, AID)
    wrong = {gid: variants[name]["cells"][gid] for gid, name in WRONG.items()}
    mine = {"wrong": {"cells": wrong, "loses": []}, "tamper": {"cells": TAMPER, "loses": []}}
    for student in mine:
        pipeline.submit_variant(root, AID, student, student, mine)
    outcomes = {o.student: o for o in pipeline.grade(root, [AID], list(mine))}
    pipeline.feedback(pipeline.course_api(root), outcomes.values())  # nbgrader's generate_feedback

    def notebook(kind, student):
        return next((root / kind / student / AID).glob(f"*.{'html' if kind == 'feedback' else 'ipynb'}"))
    notebook.points = made_up.test_points(nbformat.read(next((root / "source" / AID).glob("*.ipynb")), as_version=4))
    return outcomes, notebook


@pytest.mark.parametrize("gid", ["test_reshape_result", "test_train_gain_implies_test_gain"])
def test_a_failed_check_is_stored_as_the_students_line_and_the_message(graded, gid):
    _, notebook = graded
    error = _errors(nbformat.read(notebook("autograded", "wrong"), as_version=4), gid)[0]
    lines = _shown(error)
    assert error.ename == "CheckError" and len(lines) <= 2, lines
    assert lines[-1] == f"CheckError: {error.evalue}" and RED in error.traceback[-1]
    assert not any(s in line for s in NOT_THE_STUDENTS for line in lines), lines
    assert lines[0].startswith("Cell In[")


def test_a_forbidden_call_names_the_students_line_that_made_it(graded):
    _, notebook = graded
    error = _errors(nbformat.read(notebook("autograded", "wrong"), as_version=4), "test_reshape_result")[0]
    assert "your code called `torch.empty`" in error.evalue
    assert _shown(error)[0].endswith("return tuple(torch.empty(shape).reshape(new_shape).shape)")


def test_the_students_own_error_under_a_rule_shows_only_their_frames(graded):
    _, notebook = graded
    (error,) = _errors(nbformat.read(notebook("autograded", "wrong"), as_version=4), "test_linear_forward")
    shown = "\n".join(_shown(error))
    assert error.ename == "RuntimeError" and "return x @ weight + bias" in shown
    assert not any(s in shown for s in NOT_THE_STUDENTS[:4]), shown


def test_the_points_are_what_the_mistakes_lose_and_renderers_hide_nothing(graded):
    outcomes, notebook = graded
    wrong, tamper = outcomes["wrong"], outcomes["tamper"]
    assert wrong.ok and tamper.ok
    lost = {"test_reshape_result": 2, "test_linear_forward": 2, "test_device_options": 0.5,
            "test_train_gain_implies_test_gain": 1}
    full = notebook.points
    assert {k: wrong.cells[k] for k in full} == {k: pts - lost.get(k, 0) for k, pts in full.items()}
    assert tamper.cells["test_make_layer"] == 0 and tamper.cells["test_draw_on"] == 0
    nb = nbformat.read(notebook("autograded", "tamper"), as_version=4)
    assert _errors(nb, "test_make_layer") and _errors(nb, "test_draw_on")
    shown = "".join("".join(o["traceback"]) for o in _errors(nb, "test_draw_on"))
    assert "CheckError" in shown and "passed" not in shown, "the guard put the course's renderer back"


def test_a_partial_score_prints_its_line_and_nbgrader_reads_the_number(graded):
    _, notebook = graded
    (cell,) = [c for c in nbformat.read(notebook("autograded", "wrong"), as_version=4).cells
               if cells.grade_id(c) == "test_device_options"]
    printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    assert "\x1b[32m✔ device_options" in printed and "0.5 of 1 points" in printed
    assert [o.data["text/plain"] for o in cell.outputs if o.output_type == "execute_result"] == ["0.5"]


def test_feedback_html_shows_the_one_line_message(graded):
    _, notebook = graded
    html = notebook("feedback", "wrong").read_text()
    outputs = "\n".join(re.findall(r'<div class="output_subarea[^"]*">(.*?)</div>', html, re.S))
    assert "CheckError: Task 1.1 asks for a prediction made without calling torch: your code called" in outputs
    assert not any(s in outputs for s in NOT_THE_STUDENTS), "the feedback shows no traceback"


# ---- every check of every assignment says when it passes ----------------------------------

def test_unconfirmed_checks_finds_a_test_cell_without_a_green_line(tmp_path):
    silent = nbformat.v4.new_code_cell("from dlcourse.checks import check_int\ncheck_int('x', 3, 3)")
    loud = nbformat.v4.new_code_cell("from dlcourse.checks import passed\npassed('x')")
    for i, cell in enumerate((silent, loud)):
        cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": f"t{i}",
                                     "points": 1}
    nb = nbformat.v4.new_notebook(cells=[silent, loud])
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert unconfirmed_checks(nb) == ["t0"]  # (tests/test_notebooks.py runs it on every source notebook)


# ---- the TA's notes are cut at a word ----------------------------------------------------

def _cut_at_a_word(shown, full):
    """True when `shown` is `full` up to the end of a word (its punctuation dropped), then "…"."""
    return shown.endswith("…") and full.startswith(shown[:-1]) and full[len(shown) - 1] in " ,;:"


def test_notes_are_cut_at_a_word_with_an_ellipsis():
    long = "expected the tensor on cuda, found it on cpu; move it with .to(device) " * 4
    assert _cut_at_a_word(unit.clip(long, 100), long) and len(unit.clip(long, 100)) <= 100
    assert unit.clip("short enough", 100) == "short enough"
    assert unit.clip("x" * 300, 100) == "x" * 99 + "…"  # one long word: cut inside it
    error = nbformat.v4.new_output("error", ename="CheckError", evalue=long, traceback=[])
    cell = nbformat.v4.new_code_cell("check()", outputs=[error])
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "t", "points": 1}
    (note,) = unit._cell_notes(nbformat.v4.new_notebook(cells=[cell]), {"t": "check()"})
    assert note.startswith("test t failed (CheckError: ") and _cut_at_a_word(note[27:-1], long), note
    outcome = pipeline.Outcome("s", AID, True, 0.0, notes=[f"replaced {long}"])
    line = unit.attention_lines([outcome])[1]
    assert _cut_at_a_word(line.partition(": ")[2], f"replaced {long}"), line
    reason = unit._reason({"error": f"ValueError: {long * 3}"})
    assert len(reason) <= 400 and _cut_at_a_word(reason, f"ValueError: {long * 3}"), reason
