"""Instructor notebooks run, release/ is what nbgrader generates now, metadata is sound."""
import json

import nbformat
import pytest
from conftest import ASSIGNMENTS, REPO
from nbclient import NotebookClient
from test_messages import unconfirmed_checks

SOURCE_NBS = sorted((REPO / "source").glob("*/*.ipynb"))
ALL_NBS = sorted([*SOURCE_NBS, *(REPO / "release").glob("*/*.ipynb"), *(REPO / "notebooks").glob("*.ipynb")])


def _ids(paths):
    return [str(p.relative_to(REPO)) for p in paths]


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


@pytest.mark.parametrize("path", SOURCE_NBS, ids=_ids(SOURCE_NBS))
def test_source_notebook_runs_top_to_bottom(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert unconfirmed_checks(nb) == [], "every graded test cell prints a green ✔ when it passes"


@pytest.mark.parametrize("path", ALL_NBS, ids=_ids(ALL_NBS))
def test_notebooks_are_stored_without_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"cells {dirty} have outputs: clear them before committing"


@pytest.mark.parametrize("path", SOURCE_NBS, ids=_ids(SOURCE_NBS))
def test_nbgrader_metadata_is_sound(path):
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if _nbgrader(c)]
    ids = [_nbgrader(c)["grade_id"] for c in cells]
    assert len(ids) == len(set(ids)), "grade ids are unique"
    graded = [c for c in cells if _nbgrader(c)["grade"]]
    assert graded and all(_nbgrader(c)["points"] > 0 for c in graded)
    for c in cells:
        meta = _nbgrader(c)
        if meta["grade"] and not meta["solution"]:
            assert meta["locked"] and c.cell_type == "code", f"test cell {meta['grade_id']} is locked code"
        if meta["solution"]:
            assert "BEGIN SOLUTION" in c.source and "END SOLUTION" in c.source, meta["grade_id"]
            assert not meta["locked"], meta["grade_id"]
    code_answers = [c for c in cells if _nbgrader(c)["solution"] and c.cell_type == "code"]
    tests = [c for c in graded if c.cell_type == "code"]
    assert code_answers and tests
    assert all("BEGIN HIDDEN TESTS" in c.source for c in tests), "every test cell has hidden checks"


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_release_is_what_generate_assignment_produces_now(aid, course):
    committed = sorted(p.relative_to(REPO / "release") for p in (REPO / "release" / aid).rglob("*") if p.is_file())
    fresh = sorted(p.relative_to(course / "release") for p in (course / "release" / aid).rglob("*") if p.is_file())
    assert committed == fresh, "release/ holds other files than generate_assignment makes: python -m dlcourse generate"
    for rel in fresh:
        if rel.suffix == ".ipynb":
            assert json.loads((REPO / "release" / rel).read_text()) == json.loads((course / "release" / rel).read_text()), \
                f"release/{rel} is stale: run python -m dlcourse generate {aid}"


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_release_hides_solutions_and_hidden_tests(aid):
    for path in (REPO / "release" / aid).glob("*.ipynb"):
        text = path.read_text()
        for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "Rubric"):
            assert marker not in text, f"{path.name} leaks {marker!r}"
