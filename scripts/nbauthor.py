"""Authoring aid: build an nbgrader instructor notebook from a list of cells.

Instructor notebooks in source/ are the truth; this only saves typing nbgrader metadata.
Usage from a one-off script:

    from nbauthor import md, code, solution, tests, written, write
    write("source/01_x/01_x.ipynb", [md("# Title"), code("import torch"), ...])
"""
import nbformat

V = nbformat.v4


def _meta(cell, *, grade_id, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id,
            "schema_version": 3, "task": False}
    if points is not None:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    return cell


def md(text, grade_id=None):
    """A read-only markdown cell."""
    cell = V.new_markdown_cell(text.strip("\n"))
    return _meta(cell, grade_id=grade_id, locked=True) if grade_id else cell


def code(src, grade_id=None):
    """A locked code cell that students run but cannot change."""
    cell = V.new_code_cell(src.strip("\n"))
    return _meta(cell, grade_id=grade_id, locked=True) if grade_id else cell


def solution(src, grade_id):
    """An autograded answer cell: the solution lies between BEGIN/END SOLUTION."""
    return _meta(V.new_code_cell(src.strip("\n")), grade_id=grade_id, solution=True)


def tests(src, grade_id, points):
    """A locked test cell worth `points`; hidden parts go between BEGIN/END HIDDEN TESTS."""
    return _meta(V.new_code_cell(src.strip("\n")), grade_id=grade_id, grade=True, locked=True,
                 points=points)


def written(text, grade_id, points):
    """A manually graded markdown answer; `text` holds the model answer and rubric."""
    return _meta(V.new_markdown_cell(text.strip("\n")), grade_id=grade_id, grade=True,
                 solution=True, points=points)


def language_info():
    """What the course's kernel reports (JupyterLab stores it on open: a different one marks the notebook modified)."""
    from ipykernel.ipkernel import IPythonKernel
    return dict(IPythonKernel.language_info)


def write(path, cells):
    """Write the notebook with a python3 kernelspec and no outputs."""
    nb = V.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = language_info()
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}-" + (cell.metadata.get("nbgrader", {}).get("grade_id") or "text")[:40]
    nbformat.validate(nb)
    nbformat.write(nb, path)
