"""A sanitize step of autograding: put back the locked cells a student deleted."""
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from ..notebook import cells

RESTORED = "restored-"  # the id prefix of a cell put back: unit.py lists them for the TA


def restored_ids(nb):
    """Grade ids of the locked cells RestoreLockedCells put back into the autograded notebook `nb`."""
    return [cells.grade_id(c) for c in nb.cells if str(c.get("id", "")).startswith(RESTORED) and cells.is_locked(c)]


class RestoreLockedCells(Preprocessor):
    """Put back the locked cells (setup, tests, instructions) a student deleted.

    Runs after nbgrader's OverwriteCells while autograding, so every locked cell of the source
    is present with its instructor version; a restored cell goes right after the cell that
    precedes it in the source.
    """

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        from nbformat.v4 import new_code_cell, new_markdown_cell
        from nbgrader.api import Gradebook
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            source = gb.find_notebook(info["notebook"], info["assignment"])
            originals = [(c.name, c.cell_type, c.source, c.locked, c.checksum) for c in source.source_cells]
            points = {g.name: g.max_score for g in source.grade_cells}
        present = {cells.grade_id(c): i for i, c in enumerate(nb.cells) if cells.grade_id(c)}
        position = 0
        for name, cell_type, text, locked, checksum in originals:
            if name in present:
                position = present[name] + 1
                continue
            if not locked:
                continue
            meta = {"grade": name in points, "grade_id": name, "locked": True, "solution": False,
                    "schema_version": 3, "task": False}
            if name in points:
                meta["points"] = points[name]
            if checksum:
                meta["checksum"] = checksum
            make = new_code_cell if cell_type == "code" else new_markdown_cell
            cell = make(text, metadata={"nbgrader": meta, "deletable": False, "editable": False})
            cell.id = f"{RESTORED}{name}"[:64]
            nb.cells.insert(position, cell)
            present = {cells.grade_id(c): i for i, c in enumerate(nb.cells) if cells.grade_id(c)}
            position = present[name] + 1
        return nb, resources
