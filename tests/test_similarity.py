"""The similarity report: planted copies found, independent answers and the template left alone, through
`python -m dlcourse similarity` on notebooks submitted as nbgrader lays them out."""
import ast
import builtins
import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SUBMISSIONS

from dlcourse.grading import pipeline, similarity
from dlcourse.notebook import variants as made_up

AID = "01_tensors"
CORPORA = REPO / "tests" / "similarity"


class _Rename(ast.NodeTransformer):
    """A copier's renaming: every parameter and local name, never a name the template fixes."""

    def __init__(self, keep):
        self.keep, self.names = keep, {}

    def _new(self, name):
        return name if name in self.keep else self.names.setdefault(name, f"my_{len(self.names)}")

    def visit_arg(self, node):
        node.arg = self._new(node.arg)
        return node

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Store) or node.id in self.names:
            node.id = self._new(node.id)
        return node


def disguise(source):
    """Renamed, comments dropped, reformatted (ast.unparse), a comment of the copier's own added."""
    tree = ast.parse(source)
    keep = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))} | set(dir(builtins))
    keep |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    return "# my solution\n" + ast.unparse(_Rename(keep).visit(tree))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A class of 01_tensors: the reference, a disguised copy of it, two students who answered only some
    cells in other correct forms, and two who wrote nothing."""
    root = tmp_path_factory.mktemp("similarity")
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "source" / AID, root / "source" / AID)
    pipeline.generate(pipeline.course_api(root), [AID])
    named = made_up.load_variants(SUBMISSIONS, AID)
    pipeline.submit_variant(root, AID, "rosa", "reference", named)
    ref = {gid: src for gid, src in similarity.answer_sources(next((root / "submitted" / "rosa" / AID).glob("*.ipynb")))}
    forms = {}
    for name, spec in named.items():
        if not spec["loses"] and name != "blind_solver":
            for gid, cell in spec.get("cells", {}).items():
                forms.setdefault(gid, []).append(cell)
    named["copied"] = {"cells": {gid: disguise(src) for gid, src in ref.items() if "NotImplementedError" not in src},
                       "loses": []}
    template = dict(similarity.answer_sources(root / "release" / AID / f"{AID}.ipynb"))  # other cells untouched
    named["own_0"] = {"cells": {**template, **{gid: f[0] for gid, f in forms.items()}}, "loses": []}
    named["own_1"] = {"cells": {**template, **{gid: f[1] for gid, f in forms.items() if len(f) > 1}}, "loses": []}
    for student, variant in (("carl", "copied"), ("olga", "own_0"), ("oleg", "own_1"), ("nina", "untouched"),
                             ("ned", "untouched")):
        pipeline.submit_variant(root, AID, student, variant, named)
    return root


def run(root, *args):
    proc = subprocess.run([sys.executable, "-m", "dlcourse", "--root", str(root), "similarity", *args],
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_a_disguised_copy_is_found_and_nothing_else(course):
    proc = run(course, AID)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader((course / "reports" / "similarity" / f"{AID}.csv").open()))
    assert list(rows[0]) == ["student_a", "student_b", "score", "cells"]
    pairs = {frozenset((r["student_a"], r["student_b"])): r for r in rows}
    assert set(pairs) == {frozenset(("carl", "rosa"))}, rows
    found = pairs[frozenset(("carl", "rosa"))]
    assert float(found["score"]) >= 0.8 and "linear_grads" in found["cells"].split()
    assert "carl ~ rosa" in proc.stdout or "rosa ~ carl" in proc.stdout


def test_the_page_shows_both_students_code_offline_and_says_similar_not_copied(course):
    run(course, AID)
    page = (course / "reports" / "similarity" / f"{AID}.html").read_text()
    assert "<mark>" in page and "carl" in page and "rosa" in page and "my_" in page
    assert "http://" not in page and "https://" not in page  # no CDN: student code stays on the machine
    assert "Similar is not copied" in page and "cheat" not in page.lower()


def test_the_threshold_can_be_lowered_to_see_more_pairs(course):
    rows = lambda: list(csv.DictReader((course / "reports" / "similarity" / f"{AID}.csv").open()))  # noqa: E731
    run(course, AID, "--threshold", "0")
    every = {frozenset((r["student_a"], r["student_b"])) for r in rows()}
    assert not any({"nina", "ned"} & pair for pair in every)  # the template alone is nobody's code
    assert len(every) > 1


def test_the_reports_count_the_similar_pairs(course):
    from dlcourse.grading import reports
    run(course, AID)
    line = reports.similarity_line(course / "reports")
    assert line.strip() == "Similar code (read before deciding): 01_tensors 1 pair(s); see reports/similarity/"


def test_an_assignment_nobody_handed_in_is_explained(course):
    proc = run(course, "07_rnn")
    assert proc.returncode == 2 and "no submissions of 07_rnn in submitted/" in proc.stderr


@pytest.mark.parametrize("corpus", sorted(p.name for p in CORPORA.iterdir() if p.is_dir()) if CORPORA.exists() else [])
def test_the_measured_rates_hold_on_the_labelled_corpora(corpus):
    """tests/similarity/<corpus>: copies and independent answers written by helpers who never saw this
    code (heldout) — the rates the README reports."""
    sys.path.insert(0, str(REPO / "bench"))
    import similarity_rates
    rows = similarity_rates.scores(CORPORA / corpus)
    limits = json.loads((CORPORA / corpus / "expected.json").read_text())
    copies = [r for r in rows if r[4] and "original" in (r[1] + r[2])]
    independent = [r for r in rows if not r[4]]
    found = sum(r[3] >= similarity.THRESHOLD for r in copies) / len(copies)
    flagged = sum(r[3] >= similarity.THRESHOLD for r in independent) / len(independent)
    assert found >= limits["found_at_least"] and flagged <= limits["flagged_at_most"], (found, flagged)


def test_the_corpora_are_where_the_test_reads_them():
    assert Path(CORPORA).exists() and any(CORPORA.iterdir())
