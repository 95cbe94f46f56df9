"""Every assignment through real `nbgrader autograde`: reference, release, variants, hostile."""
import pytest
from conftest import ASSIGNMENTS, grade_corpus, points_the_corpus_says

from dlcourse.grading import pipeline
from dlcourse.notebook import variants as made_up


def _code_test_cells(course, aid):
    """Grade ids of the autograded test cells of `aid`, with their points."""
    src, _ = pipeline.notebook_pair(course, aid)
    return {gid: points for nb in src.values() for gid, points in made_up.test_points(nb).items()}


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def graded(request, course):
    """Grade every kind of submission of one assignment; map student → Outcome."""
    return request.param, *grade_corpus(course, request.param)


def test_reference_gets_every_autograded_point(graded, course):
    aid, _, by_kind = graded
    ref = by_kind["reference"]
    assert ref.ok, ref.error
    tests = _code_test_cells(course, aid)
    assert {k: ref.cells[k] for k in tests} == tests
    assert ref.points == sum(tests.values())


def test_written_answers_of_reference_wait_for_manual_grading(graded):
    _, _, by_kind = graded
    ref = by_kind["reference"]
    manual = [k for k, v in ref.cells.items() if v is None]
    assert ref.pending > 0 and manual, "every assignment has written answers for a TA to grade"


def test_untouched_release_gets_zero(graded):
    _, _, by_kind = graded
    untouched = by_kind["untouched"]
    assert untouched.ok, untouched.error
    assert untouched.points == 0 and untouched.pending == 0


def test_answers_that_claim_to_equal_anything_get_zero(graded):
    _, _, by_kind = graded
    hostile = by_kind["hostile"]
    assert hostile.ok, hostile.error
    assert hostile.points == 0


def test_variants_lose_exactly_the_points_they_should(graded, course):
    aid, variants, by_kind = graded
    tests = _code_test_cells(course, aid)
    assert variants, f"tests/submissions/{aid}.py defines no variants"
    assert any(not v["loses"] for v in variants.values()), "a differently written correct solution"
    assert any(v["loses"] for v in variants.values()), "a typical mistake"
    for name, spec in variants.items():
        outcome = by_kind[name]
        assert outcome.ok, outcome.error
        assert {k: round(outcome.cells[k], 2) for k in tests} == points_the_corpus_says(spec, tests), name
