"""Demonstration cells are left out when grading, only where no cell that runs can read them, and
leaving them out never changes a grade (real nbgrader autograde, skipping on and off)."""
import shutil

import nbformat
import pytest
from conftest import REPO, SUBMISSIONS, source_notebook
from nbformat.v4 import new_code_cell

from dlcourse.grading import pipeline
from dlcourse.notebook import demonstrations
from dlcourse.notebook import variants as made_up


def _cell(source, gid=None, locked=False, solution=False, grade=False):
    cell = new_code_cell(source)
    if gid:
        cell.metadata["nbgrader"] = {"grade_id": gid, "locked": locked, "solution": solution, "grade": grade}
    return cell


DEMO = "# Demonstration: a plot\nfig, ax = plt.subplots()\nlosses = [1, 2]\nax.plot(losses)"


def _notebook(*cells):
    """Cells and their trusted sources, as the gradebook would hold them."""
    trusted = {c.metadata["nbgrader"]["grade_id"]: c.source for c in cells
               if c.metadata.get("nbgrader", {}).get("locked")}
    return list(cells), trusted


def _skipped_ids(cells, trusted):
    return {cells[i].metadata["nbgrader"]["grade_id"] for i in demonstrations.skipped(cells, trusted)}


def test_reads_sees_only_names_read_before_the_cell_binds_them():
    assert demonstrations.reads("fig, ax = plt.subplots()\nax.plot(x)") == {"plt", "x"}
    assert demonstrations.reads("for seed in range(3):\n    W = f(seed)\n    g(W)") == {"range", "f", "g"}
    assert demonstrations.reads("if c:\n    y = 1\nprint(y)") == {"c", "print", "y"}  # y may be unbound
    assert demonstrations.reads("with open(p) as fh:\n    t = fh.read()\nprint(t)") == {"open", "p", "print"}
    assert demonstrations.reads("losses += [1]") == {"losses"} and demonstrations.reads("del losses") == {"losses"}


def test_reads_counts_globals_read_inside_functions_but_not_their_parameters():
    assert demonstrations.reads("def f(w, beta):\n    return w * beta + scale") == {"scale"}
    assert demonstrations.reads("losses = 1\ndef f():\n    return losses") == {"losses"}  # rebound later?
    assert demonstrations.reads("g = lambda x: x + offset") == {"offset"}
    assert demonstrations.reads("def f(x=default):\n    pass") == {"default"}


def test_reads_gives_up_on_dynamic_access_and_ignores_the_matplotlib_magic():
    for source in ("eval('losses')", "print(globals()['losses'])", "get_ipython().run_cell('x')", "vars()"):
        assert demonstrations.reads(source) is None, source
    assert demonstrations.reads("%matplotlib inline\nimport math") == set()


def test_a_marked_locked_cell_that_nothing_reads_is_skipped():
    cells, trusted = _notebook(_cell("import matplotlib.pyplot as plt", "imports", locked=True),
                               _cell("def f(x):\n    return 2 * x", "f", solution=True),
                               _cell("assert f(1) == 2", "test_f", locked=True, grade=True),
                               _cell(DEMO, "demo", locked=True))
    assert _skipped_ids(cells, trusted) == {"demo"}


def test_a_student_cell_that_reads_a_demonstration_keeps_it_running():
    for reader in ("print(losses)", "def later():\n    return losses", "eval('1')"):
        cells, trusted = _notebook(_cell(DEMO, "demo", locked=True), _cell("pass", "other", locked=True))
        cells.append(_cell(reader))  # a cell the student added
        assert _skipped_ids(cells, trusted) == set(), reader


def test_a_demonstration_needed_by_one_that_runs_runs_too():
    uses = "# Demonstration: more\nprint(losses)\nextra = 1"
    cells, trusted = _notebook(_cell(DEMO, "demo", locked=True), _cell(uses, "demo2", locked=True))
    assert _skipped_ids(cells, trusted) == {"demo", "demo2"}  # nothing that runs reads either
    cells.append(_cell("print(extra)"))
    assert _skipped_ids(cells, trusted) == set()  # demo2 runs, so demo (which it reads) runs


def test_only_the_instructors_unchanged_ungraded_locked_cells_are_skipped():
    edited = _cell(DEMO, "demo", locked=True)
    cells, trusted = _notebook(edited)
    edited.source += "\nprint('changed')"  # not the source the gradebook holds
    assert _skipped_ids(cells, trusted) == set()
    cells, trusted = _notebook(_cell(DEMO, "demo", locked=True, grade=True))
    assert _skipped_ids(cells, trusted) == set()  # a test cell always runs
    cells, trusted = _notebook(_cell(DEMO, "demo", solution=True))
    assert _skipped_ids(cells, trusted) == set()
    cells, trusted = _notebook(_cell(DEMO, "demo", locked=True))
    assert demonstrations.skipped(cells, None) == set()  # the gradebook could not be read


def test_a_demonstration_that_changes_outside_objects_is_not_skipped():
    for body in ("model.weight = 1", "settings['lr'] = 0.1", "del registry[0]", "from numpy import *"):
        cells, trusted = _notebook(_cell(f"# Demonstration: x\n{body}", "demo", locked=True))
        assert _skipped_ids(cells, trusted) == set(), body
    inside = "# Demonstration: x\nfig, ax = plt.subplots()\nax.title = 't'\nd = {}\nd['k'] = 1"
    cells, trusted = _notebook(_cell(inside, "demo", locked=True))
    assert _skipped_ids(cells, trusted) == {"demo"}  # what it created itself


def test_every_marked_cell_of_the_course_is_skipped_for_the_reference():
    marked = 0
    for aid in pipeline.assignments(REPO):
        nb = source_notebook(aid)
        trusted = {made_up.grade_id(c): c.source for c in nb.cells
                   if c.metadata.get("nbgrader", {}).get("locked")}
        ids = {made_up.grade_id(c) for c in nb.cells
               if c.cell_type == "code" and demonstrations.is_marked(c.source)}
        marked += len(ids)
        assert _skipped_ids(nb.cells, trusted) == ids, aid
    assert marked >= 10


AID = "07_rnn"
READER = "print('first loss without clipping:', losses_plain[0])"


@pytest.fixture(scope="module")
def both_ways(tmp_path_factory):
    """One class of 07_rnn graded with demonstrations skipped (the default) and with every cell run."""
    variants = made_up.load_variants(SUBMISSIONS, AID)
    kinds = ["reference", "untouched", "hostile", *list(variants)[:4]]
    results = {}
    for skip in (True, False):
        root = tmp_path_factory.mktemp(f"demo-skip-{skip}")
        shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
        shutil.copytree(REPO / "source" / AID, root / "source" / AID)
        if not skip:
            with open(root / "nbgrader_config.py", "a") as f:
                f.write("\nc.GuardedExecute.skip_demonstrations = False\n")
        pipeline.generate(pipeline.course_api(root), [AID])
        for kind in kinds:
            pipeline.submit_variant(root, AID, kind, kind, variants)
        _add_reader(root / "submitted" / "reader" / AID, root)
        results[skip] = root, {o.student: o for o in pipeline.grade(root, [AID], [*kinds, "reader"])}
    return results


def _add_reader(folder, root):
    """A reference submission with a cell of the student's own that reads what clip_demo computed."""
    pipeline.submit_variant(root, AID, "reader", "reference")
    path = folder / f"{AID}.ipynb"
    nb = nbformat.read(path, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if made_up.grade_id(c) == "clip_demo")
    nb.cells.insert(at + 1, new_code_cell(READER))
    nbformat.write(nb, path)


def _outputs(root, student):
    nb = nbformat.read(root / "autograded" / student / AID / f"{AID}.ipynb", as_version=4)
    return {made_up.grade_id(c) or c.source: "".join(o.get("text", "") for o in c.outputs)
            for c in nb.cells if c.cell_type == "code"}


def test_skipping_demonstrations_never_changes_a_grade(both_ways):
    (_, skipped), (_, all_run) = both_ways[True], both_ways[False]
    assert skipped.keys() == all_run.keys()
    for student, outcome in skipped.items():
        assert outcome.ok == all_run[student].ok, student
        assert outcome.cells == all_run[student].cells, student
        assert outcome.points == all_run[student].points, student


def test_demonstrations_say_they_were_not_run_unless_a_student_cell_reads_them(both_ways):
    root, _ = both_ways[True]
    ref = _outputs(root, "reference")
    for gid in ("experiment", "clip_demo", "timing"):
        assert ref[gid] == demonstrations.NOT_RUN, gid
    reader = _outputs(root, "reader")
    assert reader[READER].startswith("first loss without clipping:")
    assert "no clipping" in reader["clip_demo"]  # it ran, and so did the experiment it builds on
    assert reader["experiment"] != demonstrations.NOT_RUN and reader["timing"] == demonstrations.NOT_RUN
    root, _ = both_ways[False]
    assert demonstrations.NOT_RUN not in _outputs(root, "reference").values()
