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
