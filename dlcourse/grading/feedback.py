"""Feedback that teaches without leaking: hidden tests and what ran inside them stay private."""
import re
from pathlib import Path

import latex2mathml.converter
import nbgrader
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from nbgrader.api import Gradebook
from nbgrader.preprocessors import GetGrades
from traitlets import Bool
from traitlets.config import Config

from ..notebook import cells
from . import deadlines

_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.M | re.S)

# Errors whose message the course wrote (checks, the grading guard): safe and useful to show.
EXPLAINED = {"CheckError", "RuleError", "IntegrityError", "NotRun", "KernelDied", "GradingError"}


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
        if cell.cell_type != "code":
            return cell, resources
        if not cells.is_test(cell):
            cell.outputs = []
            return cell, resources
        cell.source = strip_hidden(cell.source)
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        text = _summary(errors[0]) if errors else "✔ all checks passed\n"
        cell.outputs = [{"output_type": "stream", "name": "stderr" if errors else "stdout", "text": text}]
        return cell, resources


# ---- answers still to be graded by hand -------------------------------------------------

class PendingGrades(GetGrades):
    """nbgrader's GetGrades, and which graded cells still wait for a TA (`nbgrader.pending`).

    The feedback template (templates/dlcourse_feedback) then says "to be graded by hand" for
    them instead of "Score: 0.0", and how many points the notebook still has pending.
    """

    def preprocess(self, nb, resources):
        resources["nbgrader"]["pending"] = 0.0
        nb, resources = super().preprocess(nb, resources)
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:  # when it was handed in, and what the late policy took
            info["timing"] = deadlines.timing_note(gb, info["assignment"], info["student"], info["late_penalty"],
                                                   info["score"] + info["late_penalty"])
            info["overview"] = deadlines.overview(gb, info["student"])  # every assignment so far
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cells.is_graded(cell):  # (nbgrader's task cells are not graded cells: the course has none)
            self._mark_pending(cell, resources)
        return cell, resources

    def _mark_pending(self, cell, resources):
        grade = self.gradebook.find_grade(cells.grade_id(cell), self.notebook_id,
                                          self.assignment_id, self.student_id)
        pending = bool(grade.needs_manual_grade and grade.manual_score is None)
        cell.metadata.nbgrader["pending"] = pending
        resources["nbgrader"]["pending"] += grade.max_score if pending else 0.0


TEMPLATES = str(Path(__file__).parent / "templates")
NBGRADER_TEMPLATES = str(Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates")


def offline_templates(config):
    """nbgrader's HTML pages, the formgrader's included, with our template folder searched first: its
    base/mathjax.html.j2 replaces nbconvert's MathJax from a CDN (the math is MathML already)."""
    config.HTMLExporter.extra_template_basedirs = [TEMPLATES, NBGRADER_TEMPLATES]
    return config


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback page with pending answers marked (template dlcourse_feedback)."""

    def __init__(self, config=None, **kw):
        config = Config(config or {})  # a copy: GenerateFeedback shares its own with others
        config.FeedbackExporter.template_name = "dlcourse_feedback"
        config.FeedbackExporter.extra_template_basedirs = [TEMPLATES, NBGRADER_TEMPLATES]  # base/: no CDN
        # ours extends "feedback/index.html.j2": nbgrader's template folder must be on the search path
        config.FeedbackExporter.extra_template_paths = [*config.HTMLExporter.get("extra_template_paths", []),
                                                        NBGRADER_TEMPLATES]
        super().__init__(config=config, **kw)


# ---- mathematics without the internet ----------------------------------------------------

_CODE = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.S)
# $$display$$, or $inline$ (may wrap onto the next line, not across a blank one; "$5 and $6" is no math)
_MATH = re.compile(r"(?<!\\)\$\$(.+?)\$\$|(?<![\\$])\$(?![\s$])((?:[^$\n]|\n(?![ \t]*\n))+?)(?<![\s\\])\$(?!\d)",
                   re.S)


def _mathml(match):
    """One `$…$` or `$$…$$` as MathML; the TeX unchanged when it cannot be converted."""
    tex, display = (match.group(1), "block") if match.group(1) is not None else (match.group(2), "inline")
    try:
        return latex2mathml.converter.convert(tex.strip(), display=display).replace("\n", " ")
    except Exception:  # left for MathJax, where it is available
        return match.group(0)


def render_math(markdown):
    """Markdown with its TeX math (outside code) replaced by MathML, which browsers draw natively."""
    parts = _CODE.split(markdown)
    return "".join(part if i % 2 else _MATH.sub(_mathml, part) for i, part in enumerate(parts))


class RenderMath(Preprocessor):
    """Markdown cells' math as MathML: it shows without MathJax, offline and in untrusted HTML."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = render_math(cell.source)
        return cell, resources
