"""What a notebook cell is, in one place: its nbgrader role, its source, its code outside IPython.

Works on nbformat's cells and on cells read as plain JSON (gpu-check reads notebooks without
the Jupyter stack), so it imports nothing. The roles are nbgrader's (``nbgrader.utils.is_grade``,
``is_solution``, ``is_locked``); tests/test_cells.py checks that they agree on every cell of the
course.
"""


def nbgrader(cell):
    """The cell's nbgrader metadata ({} for a cell nbgrader does not know)."""
    return (cell.get("metadata") or {}).get("nbgrader") or {}


def grade_id(cell):
    """The nbgrader grade id of a cell, or None."""
    return nbgrader(cell).get("grade_id")


def is_answer(cell):
    """A cell the student writes in (an nbgrader solution cell)."""
    return bool(nbgrader(cell).get("solution"))


def is_graded(cell):
    """A cell that carries points (nbgrader's grade cell: a test, or a written answer)."""
    return bool(nbgrader(cell).get("grade"))


def is_test(cell):
    """An autograded test: a graded code cell that is not an answer."""
    return cell.get("cell_type") == "code" and is_graded(cell) and not is_answer(cell)


def is_locked(cell):
    """A cell nbgrader puts back from the instructor's version (nbgrader.utils.is_locked)."""
    meta = nbgrader(cell)
    if not meta or meta.get("solution"):
        return False
    return bool(meta.get("grade") or meta.get("locked"))


def is_instructor_code(cell, trusted=None):
    """A locked code cell; with `trusted` (grade id → the instructor's source, from the gradebook),
    only when the cell holds exactly that source."""
    if cell.get("cell_type") != "code" or not is_locked(cell):
        return False
    return trusted is None or trusted.get(grade_id(cell)) == source(cell)


def instructor_sources(nb):
    """grade id -> source of the instructor's locked code cells of `nb` (a NotebookNode or plain JSON): what
    the gradebook trusts, when `nb` is the instructor's notebook."""
    return {grade_id(c): source(c) for c in nb["cells"] if is_instructor_code(c)}


def source(cell):
    """The cell's source as one string (JSON notebooks may hold a list of lines)."""
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def to_python(text):
    """A cell's source as plain Python for running outside IPython: a cell magic (``%%time``)
    leaves nothing, a line magic or shell escape (``%matplotlib``, ``!ls``) becomes ``pass``.

    (Reading a cell, ``names.parse_cell`` keeps what IPython would run instead: ``%time y = x``
    reads ``x`` through ``get_ipython()``, which keeps every demonstration cell running.)"""
    if text.lstrip().startswith("%%"):
        return ""
    lines = []
    for line in text.splitlines():
        stripped = line.lstrip()
        lines.append(line[:len(line) - len(stripped)] + "pass" if stripped.startswith(("%", "!")) else line)
    return "\n".join(lines)
