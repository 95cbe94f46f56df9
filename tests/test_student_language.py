"""A student of the Russian edition reads the checks in Russian: the kernel finds the notebook's
language (dlcourse.i18n) and the checks' messages, built in English, come out of the catalogs in
dlcourse/locale/ru/ — in a real kernel, in the graded notebook and in JupyterLab."""
import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from conftest import REPO
from labserver import jupyter, run_all
from nbclient import NotebookClient

from dlcourse import i18n
from dlcourse.grading import pipeline

CYRILLIC = re.compile(r"[а-яё]", re.I)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
AID = "01_tensors"


def notebook_in(folder, lang, name="work.ipynb", cells=()):
    """A notebook whose metadata says `lang` (None: says nothing), written into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    if lang:
        nb.metadata["language"] = lang
    nbformat.write(nb, folder / name)
    return folder / name


def test_the_language_is_the_notebooks_and_english_when_nothing_says(tmp_path):
    ru = notebook_in(tmp_path / "ru", "ru")
    en = notebook_in(tmp_path / "en", None)
    notebook_in(tmp_path / "mixed", "ru", "a.ipynb")
    notebook_in(tmp_path / "mixed", None, "b.ipynb")
    (tmp_path / "empty").mkdir()
    assert i18n.language(env={"JPY_SESSION_NAME": str(ru)}, cwd=tmp_path / "en") == "ru"  # Jupyter's server says
    assert i18n.language(env={"JPY_SESSION_NAME": str(en)}, cwd=tmp_path / "ru") == "en"
    assert i18n.language(env={}, cwd=tmp_path / "ru") == "ru"  # nbgrader runs a notebook from its folder
    assert i18n.language(env={}, cwd=tmp_path / "mixed") == "en"  # they disagree: English
    assert i18n.language(env={}, cwd=tmp_path / "empty") == "en"
    assert i18n.language(env={"DLCOURSE_LANG": "ru"}, cwd=tmp_path / "en") == "ru"


def test_templates_and_plural_forms_of_the_committed_catalog():
    assert i18n.translate("expected shape (2, 3), found shape (3,)", "en") == "expected shape (2, 3), found shape (3,)"
    shape = i18n.translate("expected shape (2, 3), found shape (3,)", "ru")
    assert CYRILLIC.search(shape) and "(2, 3)" in shape and "(3,)" in shape and "expected" not in shape
    forms = {n: i18n.ngettext("{n} of {total} entries differs", "{n} of {total} entries differ", n, "ru", total=30)
             for n in (1, 2, 5, 11, 21, 22)}
    assert len({f.replace(str(n), "") for n, f in forms.items()}) == 3, forms  # Russian's three forms
    assert forms[1].replace("1", "") == forms[21].replace("21", "")
    assert forms[2].replace("2", "") == forms[22].replace("22", "")
    assert forms[5].replace("5", "") == forms[11].replace("11", "")
    assert i18n.translate("no such message", "ru") == "no such message"


CHECK_CELLS = [
    "import torch\nfrom dlcourse import checks",
    "answer = torch.zeros(2, 3)\nchecks.check_shape('answer', answer, (3, 2))",
    "checks.as_float('rate', ...)",
    "checks.check_close('grad', torch.zeros(30), torch.cat([torch.ones(22), torch.zeros(8)]))",
    "checks.score_choices('options', {'A', 'B'}, {'A', 'B', 'C'}, 3)",
]


def run_cells(folder, lang):
    path = notebook_in(folder, lang, cells=CHECK_CELLS)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    errors = [next((o for o in c.outputs if o.output_type == "error"), None) for c in nb.cells[1:4]]
    printed = "".join(o.get("text", "") for o in nb.cells[4].outputs)
    return errors, printed


def test_a_russian_notebooks_checks_speak_russian_in_a_real_kernel(tmp_path):
    (shape, rate, grad), printed = run_cells(tmp_path / "ru", "ru")
    for error in (shape, rate, grad):
        shown = ANSI.sub("", "\n".join(error.traceback))
        assert error.ename == "CheckError" and CYRILLIC.search(error.evalue), error.evalue
        assert error.evalue in shown and "checks.py" not in shown
    assert "(3, 2)" in shape.evalue and "(2, 3)" in shape.evalue and "expected" not in shape.evalue
    assert "`...`" in rate.evalue and "replace it" not in rate.evalue
    assert "22" in grad.evalue and "30" in grad.evalue and "entries" not in grad.evalue
    assert CYRILLIC.search(printed) and "2 of 3" not in printed and "points" not in printed, printed
    (shape, rate, grad), printed = run_cells(tmp_path / "en", None)
    assert shape.evalue == "answer: expected shape (3, 2), found shape (2, 3)"
    assert "(replace it with your answer)" in rate.evalue and "22 of 30 entries differ," in grad.evalue
    assert "options: 2 of 3 right options, 0 wrong: 2 of 3 points" in printed, printed


# ---- a student of the Russian class in JupyterLab ---------------------------------------------

@pytest.fixture(scope="module")
def russian_release(tmp_path_factory):
    """01_tensors released by nbgrader from the Russian edition (a course folder made from ru/source)."""
    course = tmp_path_factory.mktemp("ru-course")
    shutil.copy(REPO / "nbgrader_config.py", course)
    shutil.copytree(REPO / "ru" / "source" / AID, course / "source" / AID)
    pipeline.generate(pipeline.course_api(course), [AID])
    return course / "release" / AID / f"{AID}.ipynb"


def test_the_russian_release_says_its_language(russian_release):
    assert json.loads(russian_release.read_text())["metadata"]["language"] == "ru"


def test_a_russian_student_sees_russian_checks_in_jupyterlab(russian_release, tmp_path, browser):
    work = tmp_path / "work"
    work.mkdir()
    nb = json.loads(russian_release.read_text())
    answer = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "reshape_result")
    answer["source"] = "def reshape_result(shape, new_shape):\n    return tuple(new_shape)  # forgets -1\n"
    (work / russian_release.name).write_text(json.dumps(nb))  # a student's first, wrong answer
    notebook_in(work, None, "english-neighbour.ipynb")  # the kernel reads its own notebook, not the folder
    with jupyter("jupyterlab", work, tmp_path / "jupyter", [f"--LabApp.workspaces_dir={tmp_path / 'ws'}",
                                                           f"--LabApp.user_settings_dir={tmp_path / 'settings'}"]) as lab:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        try:
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else r.abort())
            run_all(page, lab, russian_release.name)
            error = page.locator(".jp-OutputArea-output", has_text="CheckError").first
            error.wait_for(timeout=180_000)
            error.scroll_into_view_if_needed()
            shown = error.text_content()  # (inner_text is empty for a cell JupyterLab has windowed out)
            error.screenshot(path=str(tmp_path / "russian-check.png"))
        finally:
            page.close()
            lab.shut_down_kernels()
    assert "CheckError" in shown and CYRILLIC.search(shown.split("CheckError", 1)[1]), shown
    assert "(replace it with your answer)" not in shown and "expected" not in shown, shown


def test_the_checks_module_reads_no_catalog_for_english(tmp_path):
    code = ("import sys\nfrom dlcourse import checks\nchecks.passed('x')\n"
            "print('babel' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.stdout.strip().endswith("False"), done.stdout + done.stderr
