"""Statements and checks agree: what a task's statement names is checked, and what is checked is named.

For every code task of the seven source notebooks (``dlcourse.tasks.tasks``), the statement is read
for the properties an answer must have, and its test cells (visible and hidden) for the checks that
enforce them. A property named and never checked lets a wrong answer through; one checked and never
named marks a fair answer wrong. Properties:

- dtype, shape, device, "detached", inputs left unchanged, "in place", a fresh result or mask at
  every call (independent calls): a phrase in the statement, a kind of check in its tests;
- every parameter of an answer function: named in the statement; one with a default is called
  both with it left out and with another value (a default the tests never change can be ignored).

Run this file as a script to print every finding.
"""
import ast
import re
import sys
from pathlib import Path

import nbformat
import pytest

from dlcourse.notebook.tasks import rule_verdicts, tasks

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(ROOT.glob("source/*/*.ipynb"))

# property -> (what in a statement names it, what in a test cell checks it)
PROPERTIES = {
    "dtype": (r"\bdtype\b|\bfloat(64|32)\b(?! (storage|arithmetic))",
              r"check_dtype\(|check_close\([^\n]*dtype=|_on_float64"),
    # "on any device" grants a freedom; "two tensors of the same shape" describes the inputs
    "device": (r"(?<!any )(?<!any one )\bdevice\b|(?-i:\bDEVICE\b)",
               r"check_device\(|device=\"meta\"|DEVICE = torch.device\(.meta"),
    "shape": (r"(?<!same )\bshape\b", r"check_shape\(|check_close\(|check_shape_tuple\(|\.shape\b"),
    "detached": (r"\bdetach", r"if [^\n]*(\.requires_grad\b|\.grad_fn\b|\.is_leaf\b)"),
    "unchanged": (r"untouched|\bunchanged\b|same values (after|as before)|work on a copy|changed in place|"
                  r"must not (change|modify)|leave[sd]? (the )?(inputs?|x|it) ",
                  r"if [^\n]*not torch\.equal\(|_unchanged\("),
    "in place": (r"(?<!not )\bin place\b", r"\.grad\b"),
    "fresh": (r"\bfresh\b|at every call|each call|new tensor",
              r"if [^\n]*(torch\.equal\(_?a\w*, _?b\w*\)|\bis (?!None|not None|(not )?_?ax\b)\w|data_ptr)"),
}
REVERSE = ("dtype", "detached", "unchanged", "fresh")  # a check of these needs words in the statement
# What these patterns cannot see, each with the check that does the job.
ACCEPTED = {
    ("04_softmax_mlp_xor", "plot_decision_regions", "the statement names dtype and no test checks it"):
        "'compute in float64' is how to compute; a case whose decision boundary only float64 draws right checks it",
}


def _names(text, pattern):
    return re.search(pattern, text, re.IGNORECASE) is not None


def _code(source):
    """A cell's source as Python: IPython magics and shell lines blanked."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _answer_functions(source):
    """(name, [(parameter, default or None)]) of every function an answer cell defines (a class: its __init__)."""
    out = []
    tree = ast.parse(_code(source))
    for node in tree.body:
        fn = node if isinstance(node, ast.FunctionDef) else next(
            (f for f in getattr(node, "body", []) if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None) \
            if isinstance(node, ast.ClassDef) else None
        if fn is None:
            continue
        args = [a.arg for a in fn.args.args if a.arg != "self"]
        defaults = [None] * (len(args) - len(fn.args.defaults)) + list(fn.args.defaults)
        out.append((node.name, list(zip(args, defaults))))
    return out


def _calls(tests, name):
    """Every call of `name` in the test cells: (number of positional args, keyword names, keyword values)."""
    found = []
    for source in tests:
        tree = ast.parse(_code(source))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
                found.append((node.args, {k.arg: k.value for k in node.keywords if k.arg}))
            elif isinstance(node, ast.Call) and any(isinstance(a, ast.Name) and a.id == name for a in node.args):
                found.append(None)  # passed to a helper that calls it (with arguments we cannot see)
    return found


def findings(path):
    """(task, message) for every disagreement between a task's statement and its tests."""
    nb = nbformat.read(path, as_version=4)
    out = []
    for task in tasks(nb):
        functions = _answer_functions(nb.cells[task.answer].source)
        if not functions:
            continue  # a value, a set of letters: no properties of a result to name
        tests = [nb.cells[i].source for i in task.tests]
        text, checks = task.statement, "\n".join(tests)
        own = text[text.rfind("**Task"):] if "**Task" in text else text
        for prop, (named, checked) in PROPERTIES.items():
            if _names(own, named) and not _names(checks, checked):
                out.append((task.grade_id, f"the statement names {prop} and no test checks it"))
            elif prop in REVERSE and _names(checks, checked) and not _names(text, named):
                out.append((task.grade_id, f"a test checks {prop} and the statement does not name it"))
        for fname, params in functions:
            calls = _calls(tests, fname)
            hidden = None in calls
            for k, (param, default) in enumerate(params):
                if not re.search(rf"\b{re.escape(param)}\b", text):
                    out.append((task.grade_id, f"`{fname}`'s parameter `{param}` is not named in the statement"))
                if default is None or hidden:
                    continue
                given = [c for c in calls if c and (len(c[0]) > k or param in c[1])]
                left_out = [c for c in calls if c and len(c[0]) <= k and param not in c[1]]
                value = ast.literal_eval(default) if isinstance(default, ast.Constant) else ast.unparse(default)
                changed = [c for c in given if ast.unparse(c[0][k] if len(c[0]) > k else c[1][param]) != repr(value)]
                if not changed:
                    out.append((task.grade_id, f"no test calls `{fname}` with `{param}` other than its default"))
                if not left_out:
                    out.append((task.grade_id, f"no test calls `{fname}` with the default `{param}`"))
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.parent.name for p in NOTEBOOKS])
def test_statements_name_what_the_tests_check_and_the_tests_check_what_they_name(path):
    found = [(task, msg) for task, msg in findings(path) if (path.parent.name, task, msg) not in ACCEPTED]
    assert not found, "\n".join(f"{task}: {msg}" for task, msg in found)


if __name__ == "__main__":
    for nb_path in NOTEBOOKS:
        for task, msg in findings(nb_path):
            print(f"{nb_path.parent.name} {task}: {msg}")
    sys.exit(0)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.parent.name for p in NOTEBOOKS])
def test_the_rules_read_from_a_statement_are_the_rules_its_tests_enforce(path):
    # The grader reads a task's rule from its statement (`tasks.forbidden_groups`) for the static
    # check; the test cells enforce it at run time with `forbid`. A statement read as a rule its
    # tests do not enforce costs every answer that uses the thing (the reference included); a rule
    # enforced but not read goes unchecked where no hook can see it.
    nb = nbformat.read(path, as_version=4)
    out = []
    for task in tasks(nb):
        enforced = any("forbid(" in nb.cells[i].source for i in task.tests)
        if bool(task.groups) != enforced:
            out.append(f"{task.grade_id}: statement rule {task.groups or 'none'}, "
                       f"forbid in its tests: {'yes' if enforced else 'no'}")
    assert not out, "\n".join(out)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.parent.name for p in NOTEBOOKS])
def test_the_reference_answers_break_no_rule_their_statements_state(path):
    nb = nbformat.read(path, as_version=4)
    assert rule_verdicts(nb) == {}
