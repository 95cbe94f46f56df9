"""Shared fixtures: a throwaway copy of the course where nbgrader can write freely."""
import contextlib
import functools
import os
import re
import shutil
import tempfile
from pathlib import Path

# Hermetic: before anything imports Jupyter, nbgrader or matplotlib, this session and every
# process it starts get their own home, Jupyter, IPython, matplotlib and XDG folders under a
# temporary folder, so the tests never touch the user's (tests/test_hermetic.py checks).
TEST_HOME = Path(tempfile.mkdtemp(prefix="dlcourse-test-home-"))
HOME_VARS = {"HOME": "", "JUPYTER_DATA_DIR": ".local/share/jupyter", "JUPYTER_CONFIG_DIR": ".jupyter",
             "JUPYTER_RUNTIME_DIR": ".local/share/jupyter/runtime", "IPYTHONDIR": ".ipython",
             "MPLCONFIGDIR": ".config/matplotlib", "XDG_CACHE_HOME": ".cache", "XDG_CONFIG_HOME": ".config",
             "XDG_DATA_HOME": ".local/share"}
for _var, _sub in HOME_VARS.items():
    os.environ[_var] = str(TEST_HOME / _sub)
os.environ.pop("JUPYTER_PATH", None)
os.environ.pop("JUPYTER_CONFIG_PATH", None)
os.environ.pop("DLCOURSE_LANG", None)  # a tester's own language never decides what a test sees


def pytest_unconfigure(config):
    """Remove the session's temporary home."""
    shutil.rmtree(TEST_HOME, ignore_errors=True)


import matplotlib  # noqa: E402  (after the environment above)
import nbformat  # noqa: E402
import pytest  # noqa: E402

from dlcourse.grading import pipeline  # noqa: E402
from dlcourse.notebook import variants as made_up  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SUBMISSIONS = REPO / "tests" / "submissions"
ASSIGNMENTS = pipeline.assignments(REPO)


def grade_corpus(course, aid):
    """Every kind of submission of `aid` (reference, untouched, hostile, each variant of the corpus),
    graded in `course` by real autograde: (variants, kind → Outcome)."""
    variants = made_up.load_variants(SUBMISSIONS, aid)
    kinds = ["reference", "untouched", "hostile", *variants]
    for kind in kinds:
        pipeline.submit_variant(course, aid, f"{aid}-{kind}", kind, variants)
    outcomes = pipeline.grade(course, [aid], [f"{aid}-{kind}" for kind in kinds])
    return variants, {o.student.split("-", 1)[1]: o for o in outcomes}


def points_the_corpus_says(spec, tests):
    """Test cell → points for a variant whose `loses` lists the cells scoring 0, or {cell: points lost}."""
    lost = spec["loses"] if isinstance(spec["loses"], dict) else {k: tests[k] for k in spec["loses"]}
    return {k: round(pts - lost.get(k, 0), 2) for k, pts in tests.items()}


def make_course(target):
    """Copy nbgrader_config.py and source/ to `target` and generate every assignment there."""
    target = Path(target)
    shutil.copy(REPO / "nbgrader_config.py", target / "nbgrader_config.py")
    shutil.copytree(REPO / "source", target / "source")
    pipeline.generate(pipeline.course_api(target), ASSIGNMENTS)
    return target


@pytest.fixture(scope="session")
def course(tmp_path_factory):
    """A course folder with release/ freshly generated from the repository's source/."""
    return make_course(tmp_path_factory.mktemp("course"))


def source_notebook(aid):
    """The instructor notebook of assignment `aid`."""
    return nbformat.read(next((REPO / "source" / aid).glob("*.ipynb")), as_version=4)


@functools.cache
def markdown_cell(aid, gid):
    """The markdown of the cell with grade id `gid` in assignment `aid`, whitespace collapsed to single spaces."""
    cells = [c for c in source_notebook(aid).cells if made_up.grade_id(c) == gid]
    assert len(cells) == 1 and cells[0].cell_type == "markdown", (aid, gid)
    return " ".join(cells[0].source.split())


def pattern(template):
    """A regex for `template`, each `{}` a captured token (a number, a word, `\\tfrac13`)."""
    pieces = " ".join(template.split()).split("{}")
    return r"([^\s,()$]+?)".join(re.escape(p) for p in pieces)


def quoted(aid, gid, template):
    """The tokens the markdown cell `gid` of assignment `aid` writes where `template` has `{}`."""
    found = re.search(pattern(template), markdown_cell(aid, gid))
    assert found, f"{aid}/{gid} no longer says {template!r}: update the test with the text"
    return found.groups()


def quoted_with_one_changed(aid, gid, template):
    """For each `{}` of `template`, what `quoted` would read if the cell wrote another token there."""
    text = markdown_cell(aid, gid)
    found = re.search(pattern(template), text)
    for k in range(1, len(found.groups()) + 1):
        start, end = found.span(k)
        changed = text[:start] + ("7" if text[start:end] != "7" else "8") + text[end:]
        yield re.search(pattern(template), changed).groups()


def cell_source(nb, gid):
    """The source of the cell with grade id `gid`, IPython magics dropped (it runs as plain Python)."""
    src = next(c.source for c in nb.cells if made_up.grade_id(c) == gid)
    return "\n".join(line for line in src.splitlines() if not line.lstrip().startswith("%"))


@contextlib.contextmanager
def _on_cpu():
    old = os.environ.get("DLCOURSE_DEVICE")
    os.environ["DLCOURSE_DEVICE"] = "cpu"
    matplotlib.use("Agg")
    try:
        yield
    finally:
        os.environ.pop("DLCOURSE_DEVICE") if old is None else os.environ.update(DLCOURSE_DEVICE=old)


def reference_namespace(aid, cells=None):
    """Run the source notebook's code on the CPU with the instructor's answers; return its names.

    `cells`: grade ids to run (with the imports cell), "answers" for every answer cell, or
    None for every code cell that is not a test; they run in notebook order.
    """
    nb = source_notebook(aid)
    answers = {gid: src for gid, src in made_up.solutions(nb).items() if made_up.is_code_cell(nb, gid)}
    wanted = set(answers) if cells == "answers" else set(cells or ())
    ns = {}
    with _on_cpu():
        for cell in nb.cells:
            gid, meta = made_up.grade_id(cell), cell.get("metadata", {}).get("nbgrader", {})
            is_test = meta.get("grade") and not meta.get("solution")
            if cell.cell_type != "code" or is_test or (cells is not None and gid not in wanted | {"imports"}):
                continue
            src = answers.get(gid, cell.source)
            exec("\n".join(line for line in src.splitlines() if not line.lstrip().startswith("%")), ns)
    return ns


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never `playwright install`), shared by the browser tests."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield chromium
        finally:
            chromium.close()
