"""The lecture notebooks: each reads like a short chapter, presents as slides, points to the tasks
that exist in the assignments, and every number its text quotes is what the demo computes."""
import json
import re

import pytest
import torch
from conftest import REPO
from lecture_quotes import QUOTES, SHOWN, demo_of, shown, state

from dlcourse.lectures import DEMOS

NOTEBOOKS = {p.stem: p for p in sorted((REPO / "notebooks").glob("*.ipynb"))}
SECTIONS = ("## The idea", "## What to try", "## Questions for the class", "**Answers.**",
            "## Graded in the assignments")


def text(stem):
    """The markdown of a lecture notebook, all cells joined."""
    nb = json.loads(NOTEBOOKS[stem].read_text())
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.fixture(scope="module")
def demos():
    return {name: make() for name, make in DEMOS.items()}


@pytest.mark.parametrize("stem,quote,compute", QUOTES, ids=[f"{q[0]}:{q[1][:30]}" for q in QUOTES])
def test_every_quoted_number_is_what_the_demo_computes(demos, stem, quote, compute):
    expected = quote.format(compute(demos))
    assert expected in text(stem), f"{stem} should say {expected!r}"


@pytest.mark.parametrize("stem,quote", SHOWN, ids=[f"{s}:{q[:30]}" for s, q in SHOWN])
def test_the_readout_shows_each_quoted_number_as_the_notes_quote_it(demos, stem, quote):
    """tests/test_browser.py reads these numbers off the page: here, that they are the quoted ones."""
    compute = next(c for s, q, c in QUOTES if (s, q) == (stem, quote))
    preset = SHOWN[stem, quote][0]
    readout = state(demos, demo_of(NOTEBOOKS[stem]), preset).text
    assert shown(stem, preset, readout)[quote] == quote.format(compute(demos))


def test_the_dead_unit_outputs_quoted_are_the_demos():
    demo = DEMOS["xor"]().preset("one dead unit")
    assert ", ".join(f"{o:.2f}" for o in demo.outputs) == "0.00, 0.00, 1.00, 0.00"
    assert "0.00, 0.00, 1.00,\n  0.00" in text("08_xor")


def test_clipping_at_one_caps_every_step_and_w_one_passes_exactly_one():
    demo = DEMOS["rnn_gradients"]().preset("clipped")
    assert demo.gradients.max() <= 1.0 + 1e-12 and demo.raw[0] > 1e4
    assert torch.allclose(torch.as_tensor(demo.preset("w = 1").gradients), torch.ones(100, dtype=torch.float64))
    assert "every step gets at most 1" in text("09_rnn_gradients")


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_lecture_reads_like_a_chapter_with_formula_demo_questions_and_collapsed_answers(stem):
    nb = json.loads(NOTEBOOKS[stem].read_text())
    body = text(stem)
    assert body.startswith("# Lecture ")
    for section in SECTIONS:
        assert section in body, f"{stem} lacks {section!r}"
    assert "$$" in body, "the idea comes with its formula in LaTeX"
    presets = DEMOS[demo_of(NOTEBOOKS[stem])]().presets
    tried = re.search(r"## What to try(.*?)(\n## |\Z)", body, re.S).group(1)
    assert all(f"**{p}**" in tried for p in presets), f"{stem}: 'What to try' walks through every preset"
    questions = re.search(r"## Questions for the class(.*?)\n\n\Z|## Questions for the class(.*)", body, re.S)
    assert len(re.findall(r"^\d\. ", "".join(questions.groups("")), re.M)) >= 2
    answers = [c for c in nb["cells"] if "".join(c["source"]).startswith("**Answers.**")]
    assert len(answers) == 1 and answers[0]["metadata"]["jupyter"]["source_hidden"] is True, "answers are collapsed"


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_lecture_presents_as_slides_with_the_demo_on_a_slide_of_its_own(stem):
    nb = json.loads(NOTEBOOKS[stem].read_text())
    types = [c["metadata"].get("slideshow", {}).get("slide_type") for c in nb["cells"]]
    assert all(t in {"slide", "subslide", "fragment", "notes", "skip", "-"} for t in types), types
    assert types[0] == "slide"
    demo = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
    assert types[demo] == "slide"
    assert types[demo + 1] == "slide", "the demo's slide holds the demo alone"


TASK = re.compile(r"\*\*Assignment (\d+)\*\* \(`(\w+)`\), tasks? ([\d., ]+):")


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_graded_tasks_named_by_a_lecture_exist_in_the_assignment(stem):
    pointers = TASK.findall(text(stem))
    assert pointers, f"{stem} points to the tasks that grade its idea"
    for number, assignment, tasks in pointers:
        source = REPO / "source" / assignment / f"{assignment}.ipynb"
        cells = json.loads(source.read_text())["cells"]
        markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        assert markdown.startswith(f"# Assignment {int(number)} "), (assignment, markdown[:60])
        for task in re.findall(r"\d+(?:\.\d+)?", tasks):
            assert re.search(rf"\*\*Task {re.escape(task)}[.* (]", markdown), f"{assignment} has no task {task}"
