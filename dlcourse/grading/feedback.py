"""Feedback that teaches without leaking: hidden tests and what ran inside them stay private."""
import re

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.M | re.S)

# Errors whose message the course wrote (checks, the grading guard): safe and useful to show.
EXPLAINED = {"CheckError", "IntegrityError", "NotRun", "KernelDied", "GradingError"}


def strip_hidden(source):
    """Test-cell source with every hidden section replaced by a one-line note."""
    return _HIDDEN.sub("# (hidden tests: run at grading time, not shown)\n", source)


def _summary(error):
    """One line for a failed test: the course's own message, or only the exception's type."""
    if error.ename in EXPLAINED:
        return f"{error.ename}: {error.evalue}\n"
    return f"{error.ename} raised by your code during the tests (run the visible checks to see why)\n"


class HideTestDetails(Preprocessor):
    """Test cells: no hidden sections, prints or tracebacks, one result line.

    Other code cells lose their outputs: they ran after hidden tests and could print their data.
    """

    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            return cell, resources
        if not meta.get("grade") or meta.get("solution"):
            cell.outputs = []
            return cell, resources
        cell.source = strip_hidden(cell.source)
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        text = _summary(errors[0]) if errors else "✔ all checks passed\n"
        cell.outputs = [{"output_type": "stream", "name": "stderr" if errors else "stdout", "text": text}]
        return cell, resources
