"""One cell model: the roles dlcourse reads agree with nbgrader's own, on every cell of the course."""
import json

import nbformat
import pytest
from conftest import REPO
from nbgrader import utils

from dlcourse.notebook import cells

NOTEBOOKS = sorted((REPO / "source").glob("*/*.ipynb")) + sorted((REPO / "release").glob("*/*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parts[-3]}/{p.name}")
def test_roles_agree_with_nbgrader_on_every_cell(path):
    nb = nbformat.read(path, as_version=4)
    raw = json.loads(path.read_text())["cells"]  # as gpu-check reads it, without nbformat
    assert len(raw) == len(nb.cells)
    kinds = set()
    for cell, plain in zip(nb.cells, raw):
        for c in (cell, plain):
            assert cells.is_answer(c) == bool(utils.is_solution(cell))
            assert cells.is_graded(c) == bool(utils.is_grade(cell))
            assert cells.is_locked(c) == bool(utils.is_locked(cell))
            assert cells.grade_id(c) == cell.metadata.get("nbgrader", {}).get("grade_id")
            assert cells.source(c) == cell.source
        kinds.add((cells.is_answer(cell), cells.is_test(cell), cells.is_locked(cell)))
    assert (True, False, False) in kinds and (False, True, True) in kinds  # answers and tests both seen


def test_instructor_code_is_a_locked_code_cell_holding_exactly_the_trusted_source():
    cell = nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {"locked": True, "grade_id": "setup"}})
    assert cells.is_instructor_code(cell) and cells.is_instructor_code(cell, {"setup": "x = 1"})
    assert not cells.is_instructor_code(cell, {"setup": "x = 2"})  # a student's edit is not the instructor's
    answer = nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {"solution": True, "locked": True}})
    assert not cells.is_instructor_code(answer) and not cells.is_locked(answer)
    assert not cells.is_instructor_code(nbformat.v4.new_code_cell("x = 1"))  # a cell the student added


def test_to_python_drops_magics_and_keeps_the_code_valid():
    source = "%matplotlib inline\nfor i in range(2):\n    !echo hi\n    x = i\n"
    assert cells.to_python(source) == "pass\nfor i in range(2):\n    pass\n    x = i"
    compile(cells.to_python(source), "<cell>", "exec")
    assert cells.to_python("%%time\nx = 1") == ""
