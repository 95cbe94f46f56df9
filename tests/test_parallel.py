"""Parallel grading gives the gradebook a sequential run gives: same grades, no lost or doubled rows."""
import csv
import re
import shutil
import subprocess
import sys

import pytest
from conftest import REPO, SUBMISSIONS
from nbgrader.api import Gradebook

from dlcourse.grading import parallel, pipeline
from dlcourse.notebook import variants as made_up

AID = "01_tensors"


def small_course(target, aid=AID):
    """A course folder with only `aid` (its release generated), independent of other assignments."""
    shutil.copy(REPO / "nbgrader_config.py", target / "nbgrader_config.py")
    shutil.copytree(REPO / "source" / aid, target / "source" / aid)
    pipeline.generate(pipeline.course_api(target), [aid])
    return target


def build_class(root, aid=AID):
    """A small class: every kind of submission once, plus a notebook that is not JSON."""
    variants = made_up.load_variants(SUBMISSIONS, aid)
    mistake = next(v for v in variants if v.startswith("mistake"))
    alternative = next(v for v, spec in variants.items() if not spec["loses"])
    kinds = {"s1": "reference", "s2": "untouched", "s3": "hostile", "s4": mistake, "s5": alternative}
    for student, kind in kinds.items():
        pipeline.submit_variant(root, aid, student, kind, variants)
    names = [p.name for p in (root / "release" / aid).glob("*.ipynb")]
    made_up.write_submission(root, "s6", aid, {n: '{"cells": [' for n in names})
    return [*kinds, "s6"]


def gradebook_rows(root):
    """Every grade and comment row of the course's gradebook, and the rows per table."""
    api = pipeline.course_api(root)
    return parallel.snapshot(api.coursedir.db_url, api.coursedir.course_id)


def exported(root):
    """nbgrader export's rows, sorted."""
    path = pipeline.export_csv(root, root / "reports" / "grades.csv")
    with open(path) as f:
        return sorted(tuple(sorted(r.items())) for r in csv.DictReader(f))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same class graded one after another (1 worker), in parallel (3 workers), and with every
    kernel started cold instead of forked from the warm server (1 worker)."""
    out = {}
    for name, workers in (("sequential", 1), ("parallel", 3), ("cold", 1)):
        root = small_course(tmp_path_factory.mktemp(name))
        if name == "cold":
            with open(root / "nbgrader_config.py", "a") as f:
                f.write("\nc.GuardedExecute.warm_kernels = False\n")
        students = build_class(root)
        out[name] = root, pipeline.grade(root, [AID], students, workers=workers)
    return out


def test_warm_kernels_grade_like_cold_ones(runs):
    (_, warm), (_, cold) = runs["sequential"], runs["cold"]
    assert [(o.student, o.ok, o.points, o.pending, o.cells) for o in warm] == \
        [(o.student, o.ok, o.points, o.pending, o.cells) for o in cold]
    assert gradebook_rows(runs["sequential"][0]) == gradebook_rows(runs["cold"][0])


def test_parallel_grades_equal_sequential_grades(runs):
    (_, seq), (_, par) = runs["sequential"], runs["parallel"]
    key = lambda o: (o.student, o.assignment)  # noqa: E731
    assert [key(o) for o in par] == [key(o) for o in seq]
    for s, p in zip(seq, par):
        assert (p.ok, p.points, p.max_points, p.pending, p.cells) == (s.ok, s.points, s.max_points, s.pending,
                                                                       s.cells), s.student
    by = {o.student: o for o in par}
    assert by["s1"].ok and by["s1"].points == by["s1"].max_points - by["s1"].pending > 0
    assert by["s2"].points == 0 and by["s3"].points == 0
    assert not by["s6"].ok and "JSON" in by["s6"].error


def test_gradebooks_hold_the_same_rows(runs):
    seq_rows = gradebook_rows(runs["sequential"][0])
    par_rows = gradebook_rows(runs["parallel"][0])
    assert par_rows == seq_rows
    assert par_rows[1]["submitted_assignment"] >= 5  # s6 (not JSON) may be rejected before nbgrader sees it


def test_exports_are_identical(runs):
    assert exported(runs["parallel"][0]) == exported(runs["sequential"][0])


def test_regrading_in_parallel_doubles_nothing_and_keeps_manual_grades(runs):
    root, _ = runs["parallel"]
    before = gradebook_rows(root)
    api = pipeline.course_api(root)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        sub = gb.find_submission(AID, "s1")
        written = next(g for nb in sub.notebooks for g in nb.grades if g.needs_manual_grade)
        written.manual_score, written.needs_manual_grade = written.max_score, False  # as the formgrader does
        gb.db.commit()
        name, manual = written.name, written.max_score
    again = pipeline.grade(root, [AID], ["s1", "s4"], workers=2)
    after = gradebook_rows(root)
    assert after[1] == before[1], "no row added or lost"
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        grade = next(g for nb in gb.find_submission(AID, "s1").notebooks for g in nb.grades if g.name == name)
        assert grade.manual_score == grade.max_score, "a TA's manual grade survives regrading"
        assert not grade.needs_manual_grade, "and is not flagged for review again (the answer is unchanged)"
    first = {o.student: o.points for o in runs["parallel"][1] if o.student in ("s1", "s4")}
    assert {o.student: o.points for o in again} == {**first, "s1": first["s1"] + manual}


def test_default_is_a_worker_per_core():
    assert parallel.default_workers() >= 1
    assert parallel.is_sqlite("sqlite:////tmp/x.db") and not parallel.is_sqlite("postgresql://h/db")


RACE = '''
import ast, gc, sys, threading, time
from dlcourse.notebook import names
parse = ast.parse if sys.argv[1] == "ast" else names.parse
SOURCE = "\\n".join(f"def f{i}(x):\\n    return [x + {i} * y for y in range(3) if (y, x)]" for i in range(100))

class Garbage:  # a collection in the middle of a parse runs its finaliser, which lets another thread in
    def __init__(self):
        self.me = self
    def __del__(self):
        time.sleep(0)

errors = []
def parse_often():
    for _ in range(300):
        gc.disable()
        [Garbage() for _ in range(20)]
        gc.enable()
        try:
            parse(SOURCE)
        except SystemError as exc:
            errors.append(exc)
gc.set_threshold(10)
threads = [threading.Thread(target=parse_often) for _ in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
print(len(errors))
'''


@pytest.mark.parametrize("parser", ["ast", "names"])
def test_threads_parse_code_safely(parser):
    """gpu-check and the audit grade in threads, and each parses cells on the host: CPython 3.11's
    ast.parse fails there now and then (python/cpython#106905; a variant lost all its points in CI).
    Every parse in the package goes through names.parse, one thread at a time."""
    out = subprocess.run([sys.executable, "-c", RACE, parser], cwd=REPO, capture_output=True, text=True,
                         timeout=300, check=True).stdout
    if parser == "names":
        assert int(out) == 0
    elif sys.version_info[:2] == (3, 11):  # the race this guards against is there to be seen
        assert int(out) > 0


def test_nothing_parses_code_but_names_parse():
    calls = re.compile(r"\bast\.(parse|literal_eval)\((?!names\.parse)")
    found = [f"{p.relative_to(REPO)}:{n}" for p in sorted((REPO / "dlcourse").rglob("*.py"))
             for n, line in enumerate(p.read_text().splitlines(), 1)
             if calls.search(line) and p.name != "names.py"]
    assert not found, found
