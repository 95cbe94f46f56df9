"""Feedback that teaches without leaking: hidden tests and what ran inside them stay private.

The page speaks the notebook's language (its metadata's ``language``, "ru" in the Russian edition):
its labels, the note on when it was handed in and the overview of the student's assignments. The
checks' messages in the outputs are in it already (the kernel translated them); what the grading
machinery wrote there (a kernel that died, a test that does not count) is translated here.
"""
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

from ..i18n import ENGLISH, translate
from ..notebook import cells
from . import deadlines

_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.M | re.S)

# Errors whose message the course wrote (checks, the grading guard): safe and useful to show.
EXPLAINED = {"CheckError", "RuleError", "IntegrityError", "NotRun", "KernelDied", "GradingError"}


def notebook_language(nb):
    """The language a notebook is written in (its metadata's `language`), English when it says none."""
    lang = nb.get("metadata", {}).get("language") or ENGLISH
    return lang if lang in deadlines.languages() else ENGLISH


def strip_hidden(source, lang=ENGLISH):
    """Test-cell source with every hidden section replaced by a one-line note."""
    note = translate("# (hidden tests: run at grading time, not shown)", lang)
    return _HIDDEN.sub(lambda _: note + "\n", source)


def _summary(error, lang=ENGLISH):
    """One line for a failed test: the course's own message, or only the exception's type."""
    if error.ename == "CheckError":  # the kernel wrote it in the notebook's language
        return f"{error.ename}: {error.evalue}\n"
    if error.ename in EXPLAINED:  # the grading machinery wrote it, in English
        return f"{error.ename}: {translate(error.evalue, lang)}\n"
    return translate("{0} raised by your code during the tests (run the visible checks to see why)",
                     lang).format(error.ename) + "\n"


class HideTestDetails(Preprocessor):
    """Test cells: no hidden sections, prints or tracebacks, one result line.

    Other code cells lose their outputs: they ran after hidden tests and could print their data.
    """

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        self._lang = notebook_language(nb)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if not cells.is_test(cell):
            cell.outputs = []
            return cell, resources
        lang = getattr(self, "_lang", ENGLISH)
        cell.source = strip_hidden(cell.source, lang)
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        text = _summary(errors[0], lang) if errors else translate("✔ all checks passed", lang) + "\n"
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
        info, lang = resources["nbgrader"], notebook_language(nb)
        with Gradebook(info["db_url"]) as gb:  # when it was handed in, and what the late policy took
            info["timing"] = deadlines.timing_note(gb, info["assignment"], info["student"], info["late_penalty"],
                                                   info["score"] + info["late_penalty"], lang)
            info["overview"] = deadlines.overview(gb, info["student"], lang)  # every assignment so far
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


def page_text(lang):
    """The feedback page's words in `lang`, for templates/dlcourse_feedback/index.html.j2 (as
    ``resources.dl_text``); the template puts the values of {0}, {1}… in with ``format``."""
    return {
        "html": "<html>" if lang == ENGLISH else f'<html lang="{lang}">',
        "score": translate("Score: {0} / {1}", lang),
        "by_hand": translate("to be graded by hand, {0} points", lang),
        "still_by_hand": translate("{0} points still to be graded by hand", lang),
        "top": translate("(Top)", lang),
        "answer": translate("Student's answer", lang),
        "task": translate("Student's task", lang),
        "grade_cell": translate("Grade cell: {0}", lang),
        "comments": translate("Comments:", lang),
        "so_far": translate("Your assignments so far", lang),
        "assignment": translate("assignment", lang),
        "due": translate("due", lang),
        "points": translate("points", lang),
        "late_penalty": translate("late penalty", lang),
        "awaiting": translate("awaiting a TA", lang),
        "not_handed_in": translate("not handed in", lang),
        "late": translate("({0} late)", lang),
        "no_penalty": translate("none ({0} late)", lang),
        "pending_points": translate("{0} points", lang),
        "test_cell": translate("Test cell", lang),
        "coding": translate("Coding free-response", lang),
        "written": translate("Written response", lang),
        "task_cell": translate("Task", lang),
        "comment": translate("Comment", lang),
        "penalty_line": translate("Late submission penalty (Score: -{0})", lang),
    }


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback page with pending answers marked (template dlcourse_feedback), in the
    notebook's language."""

    def __init__(self, config=None, **kw):
        config = Config(config or {})  # a copy: GenerateFeedback shares its own with others
        config.FeedbackExporter.template_name = "dlcourse_feedback"
        config.FeedbackExporter.extra_template_basedirs = [TEMPLATES, NBGRADER_TEMPLATES]  # base/: no CDN
        # ours extends "feedback/index.html.j2": nbgrader's template folder must be on the search path
        config.FeedbackExporter.extra_template_paths = [*config.HTMLExporter.get("extra_template_paths", []),
                                                        NBGRADER_TEMPLATES]
        super().__init__(config=config, **kw)

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = dict(resources or {})
        resources["dl_text"] = page_text(notebook_language(nb))
        return super().from_notebook_node(nb, resources, **kw)


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
