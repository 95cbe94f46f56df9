"""The reference answer and rubric beside each answer a TA grades in the formgrader, never elsewhere.

A written answer's model answer and rubric live in its solution block in source/, which the
release drops; nbgrader's formgrader shows a TA only the student's answer. ``ShowReference``, an
HTMLExporter preprocessor (nbgrader_config.py), puts after each written answer the source cell's
solution block (model answer and rubric), and after each test cell a TA may override the reference
code of the answers it tests. It acts only where the exporter renders nbgrader's ``formgrade``
template, so feedback, made by an exporter of the same class, never carries it
(tests/test_formgrader.py searches the release and the feedback for the rubric's text).
"""
import re
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbgrader.coursedir import CourseDirectory

from ..notebook import cells

HEADING = "**Reference answer and rubric** (for TAs: from source/, never shown to students)"
SOLUTION = re.compile(r"### BEGIN SOLUTION\n?(.*?)### END SOLUTION", re.S)


def solution_text(source):
    """What a source cell's solution blocks hold (its whole source when it has none)."""
    found = SOLUTION.findall(source)
    return "\n".join(part.strip() for part in found) if found else source.strip()


def reference_cells(source_nb):
    """grade id -> the markdown cell a TA sees after that graded cell (written answers and test cells)."""
    out, answers = {}, []
    for cell in source_nb.cells:
        if cells.is_answer(cell) and cell.cell_type == "code":
            answers.append(cell.source)
        if cells.is_answer(cell) and cell.cell_type == "markdown" and cells.is_graded(cell):
            out[cells.grade_id(cell)] = f"{HEADING}\n\n{solution_text(cell.source)}"
        elif cells.is_test(cell):
            code = "\n\n".join(answers)
            out[cells.grade_id(cell)] = f"{HEADING}: the answer this test checks\n\n```python\n{code}\n```" \
                if code else f"{HEADING}: this test checks answers above it; see them in source/"
            answers = []
    return out


class ShowReference(Preprocessor):
    """In the formgrader only: the reference answer and rubric after each graded cell."""

    def preprocess(self, nb, resources):
        if getattr(self.parent, "template_name", "") != "formgrade" or "assignment_id" not in resources:
            return nb, resources
        coursedir = CourseDirectory(config=self.config)
        folder = Path(coursedir.format_path(coursedir.source_directory, ".", resources["assignment_id"]))
        path = folder / f"{resources['notebook_id']}.ipynb"
        if not path.exists():
            return nb, resources
        shown = reference_cells(nbformat.read(path, as_version=4))
        out = []
        for cell in nb.cells:
            out.append(cell)
            gid = cells.grade_id(cell)
            if gid in shown and cells.is_graded(cell):
                note = nbformat.v4.new_markdown_cell(shown[gid])
                note.metadata["dlcourse"] = {"reference_for": gid}
                out.append(note)
        nb.cells = out
        return nb, resources
