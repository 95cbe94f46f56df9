"""How the tools run a cell: in one namespace, outside a kernel, scored as autograde scores it.

The mutation audit and gpu-check run hundreds of variants of a notebook; a kernel per variant
would cost more than the variants' tests, so each runs cells in a plain Python process that has
imported torch once and forks per variant (audit: per mutant, at its answer cell; gpu-check: per
notebook and device). A cell is read as grading reads it: magics dropped (``cells.to_python``),
and a test cell's last expression, when its text is a number, is the points it earned (nbgrader's
``get_partial_grade``). tests/test_gpucheck.py runs every variant of an assignment's corpus
through this runner and checks it loses the points real autograde takes. Standard library only:
gpu-check runs it on a bare GPU machine.
"""
import ast

from ..notebook.cells import to_python


def run_cell(source, namespace, label, points=None):
    """Run a cell's `source` in `namespace`; (error, score). `error` is "" when it ran, else the exception
    in one line; `score` is, for a test cell worth `points`, the points it earned (None otherwise)."""
    try:
        tree = ast.parse(to_python(source))
        last = tree.body.pop() if points is not None and tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, f"<cell {label}>", "exec"), namespace)
        value = eval(compile(ast.Expression(last.value), f"<cell {label}>", "eval"), namespace) if last else None
        score = score_of(value, points) if points is not None else None
    except BaseException as exc:  # noqa: BLE001 (SystemExit or a KeyboardInterrupt in student code fails a test too)
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return text.splitlines()[0][:300], (0.0 if points is not None else None)
    return "", score


def score_of(value, points):
    """The points nbgrader gives a test cell that ran without error and whose last value is `value`:
    the value when its text is a number from 0 to `points`, else all of them."""
    if value is None:
        return float(points)
    try:
        grade = float(repr(value))  # IPython shows a number as its repr; nbgrader reads that text
    except ValueError:
        return float(points)
    if grade > points:
        raise ValueError(f"partial credit {grade:g} is more than the cell's {points:g} points")
    return grade if grade >= 0 else float(points)
