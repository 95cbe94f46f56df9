"""The feedback filter shows results and the course's own messages, never hidden tests or data."""
import nbformat

from dlcourse.grading.feedback import HideTestDetails

V = nbformat.v4


def _test_cell(source, outputs):
    cell = V.new_code_cell(source, outputs=outputs)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "t", "points": 1}
    return cell


def _run(*cells):
    nb = V.new_notebook(cells=list(cells))
    HideTestDetails().preprocess(nb, {})
    return nb.cells


def test_hidden_sections_prints_and_tracebacks_are_removed():
    src = "check(f(1))\n### BEGIN HIDDEN TESTS\nsecret = 42\ncheck(f(secret))\n### END HIDDEN TESTS\n"
    err = V.new_output("error", ename="CheckError", evalue="f: expected 3, found 4", traceback=["secret = 42"])
    (cell,) = _run(_test_cell(src, [V.new_output("stream", name="stdout", text="x = 42"), err]))
    assert "secret" not in cell.source and "hidden tests" in cell.source
    assert [o["text"] for o in cell.outputs] == ["CheckError: f: expected 3, found 4\n"]


def test_other_exceptions_show_only_their_type():
    err = V.new_output("error", ename="ValueError", evalue="bad input tensor([4.2, 9.1])", traceback=[])
    (cell,) = _run(_test_cell("f(1)", [err]))
    assert "tensor" not in cell.outputs[0]["text"] and cell.outputs[0]["text"].startswith("ValueError raised")


def test_passing_cells_say_so_and_student_cells_lose_their_outputs():
    answer = V.new_code_cell("print(_hidden_input)", outputs=[V.new_output("stream", name="stdout", text="42")])
    answer.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "a", "locked": False}
    passed, student = _run(_test_cell("check(f(1))", []), answer)
    assert passed.outputs[0]["text"] == "✔ all checks passed\n"
    assert student.outputs == [] and student.source == "print(_hidden_input)"


def test_all_course_math_becomes_mathml_and_nothing_else_does():
    import glob
    import re

    from conftest import REPO
    from nbconvert.filters.markdown import markdown2html_mistune

    from dlcourse.grading.feedback import render_math
    paths = sorted(glob.glob(str(REPO / "source/*/*.ipynb")) + glob.glob(str(REPO / "notebooks/*.ipynb")))
    found = 0
    for path in paths:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            html = markdown2html_mistune(render_math(cell.source))  # nbconvert's own markdown step
            maths = re.findall(r"<math.*?</math>", html, re.S)
            found += len(maths)
            assert not any(re.search(r"<(em|strong|code|a|p)\b", m) for m in maths), path
            rest = re.sub(r"<math.*?</math>|<code>.*?</code>|<pre.*?</pre>", "", html, flags=re.S)
            assert not re.search(r"\$[^$\s][^$]*\$", rest), (path, cell.source[:200])
    assert found > 500
    assert render_math("costs $5 and $6, `$x$` in code") == "costs $5 and $6, `$x$` in code"


def test_the_feedback_page_fetches_nothing_and_wraps_long_lines():
    """nbgrader's feedback template as the course renders it: no script, stylesheet, font or image from
    another host (MathJax's CDN script is replaced), and pre-wrap for long lines in code and outputs."""
    import re
    from pathlib import Path

    from traitlets.config import Config

    from dlcourse.grading.feedback import NBGRADER_TEMPLATES, FeedbackExporter, RenderMath
    config = Config()  # as nbgrader's GenerateFeedback sets it: where bootstrap.min.css is, to inline it
    config.HTMLExporter.extra_template_paths = [str(Path(NBGRADER_TEMPLATES).parent / "static" / "node_modules" /
                                                    "bootstrap" / "dist" / "css")]
    err = V.new_output("error", ename="CheckError", evalue="f: " + "x" * 300, traceback=[])
    test = _test_cell("check(f(1))", [err])
    test.metadata.nbgrader["score"] = 0.0  # (GetGrades puts it there)
    nb = V.new_notebook(cells=[V.new_markdown_cell("# Title\n\n$a^2$"), test])
    HideTestDetails().preprocess(nb, {})
    RenderMath().preprocess(nb, {})  # (nbgrader_config.py has every HTMLExporter run it)
    info = {"notebook": "nb", "score": 0.0, "max_score": 1.0, "pending": 0.0, "timing": "", "overview": [],
            "late_penalty": 0.0}
    page, _ = FeedbackExporter(config=config).from_notebook_node(nb, resources={"nbgrader": info})
    assert "CheckError: f: xxx" in page and "<math" in page
    assert not re.search(r"<script[^>]*\bsrc\s*=", page), "no script to fetch, not even from a file"
    fetched = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)|url\(\s*["']?([^"')]+)|@import\s+["']([^"']+)""", page)
    outside = [u for match in fetched for u in match if u and re.match(r"(https?:)?//", u)]
    assert outside == []
    assert re.search(r"div\.output_area pre[^{]*\{[^}]*white-space: pre-wrap", page)
