"""Feedback that teaches without leaking: hidden tests and what ran inside them stay private."""
import re

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.M | re.S)


def strip_hidden(source):
    """Test-cell source with every hidden section replaced by a one-line note."""
    return _HIDDEN.sub("# (hidden tests: run at grading time, not shown)\n", source)


class HideTestDetails(Preprocessor):
    """In test cells: drop hidden sections, printed output and tracebacks; keep the error line."""

    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            return cell, resources
        cell.source = strip_hidden(cell.source)
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        cell.outputs = [{"output_type": "stream", "name": "stderr",
                         "text": f"{e.ename}: {e.evalue}\n"} for e in errors[:1]]
        if not errors:
            cell.outputs = [{"output_type": "stream", "name": "stdout", "text": "✔ all checks passed\n"}]
        return cell, resources
