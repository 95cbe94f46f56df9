"""The lecture notebooks: each reads like a short chapter, presents as slides, points to the tasks
that exist in the assignments, and every number its text quotes is what the demo computes."""
import json
import math
import re

import pytest
import torch
from conftest import REPO
from torch import nn

from dlcourse.lectures import DEMOS
from dlcourse.lectures.mlp import build as build_mlp
from dlcourse.lectures.optimizers import RUNS, loss_surface

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


def state(demos, name, preset=None, **values):
    """The demo `name` after a preset, then after setting `values`."""
    demo = demos[name]
    if preset:
        demo.preset(preset)
    return demo.set(**values) if values else demo


def slope(demos, function, z):
    return float(state(demos, "saturation", function=function, z=z).slope_point.get_ydata()[0])


def flow(demos, preset):
    return state(demos, "gradient_flow", preset).layer_gradients


def final_loss(demos, preset, label):
    demo = state(demos, "optimizers", preset)
    return float(loss_surface(demo.paths[[r[0] for r in RUNS].index(label), -1]))


def stds(demos, preset, **values):
    return state(demos, "init_gain_demo", preset, **values).stds


def recommended(demos, nonlinearity):
    demo = state(demos, "init_gain_demo", "exploding", nonlinearity=nonlinearity)
    demo.recommend()
    return demo.values["gain"]


def rnn_first(demos, preset=None, **values):
    return float(state(demos, "rnn_gradients", preset, **values).gradients[0])


def xor_outputs(demos, preset):
    demo = state(demos, "xor", preset)
    return ", ".join(f"{o:.2f}" for o in demo.outputs), f"{demo.correct.sum()}/4"


def softmax_loss(demos, preset):
    return f"{state(demos, 'softmax_cross_entropy', preset).loss:.4f}"


def mlp_count(demos, preset):
    return str(state(demos, "mlp", preset).parameters_count)


def bn_counts(demos, preset):
    demo = state(demos, "batchnorm", preset)
    return demo.parameter_count, demo.buffer_count


# (notebook, the quoted text with {} for the number, the function that computes the number)
QUOTES = [
    ("01_saturation", r"\tanh'(0) = {}", lambda d: f"{slope(d, 'tanh', 0.0):.4f}"),
    ("01_saturation", r"\tanh'(3) = {}", lambda d: f"{slope(d, 'tanh', 3.0):.4f}"),
    ("01_saturation", r"\tanh(3) = {}", lambda d: f"{state(d, 'saturation', 'saturated').point.get_ydata()[0]:.4f}"),
    ("01_saturation", r"\tanh'(6)$ = {}", lambda d: f"{slope(d, 'tanh', 6.0):.1e}"),
    ("01_saturation", r"\sigma'(0) = {}", lambda d: f"{slope(d, 'sigmoid', 0.0):.4f}"),
    ("01_saturation", r"\sigma'(5) = {}", lambda d: f"{slope(d, 'sigmoid', 5.0):.4f}"),
    ("01_saturation", "here $z^* = {}$", lambda d: f"{math.atanh(math.sqrt(0.99)):.3f}"),
    ("02_gradient_flow", "mean gradient of {} against", lambda d: f"{flow(d, 'vanishing')[0]:.2g}"),
    ("02_gradient_flow", "against {} at", lambda d: f"{flow(d, 'vanishing')[-1]:.3g}"),
    ("02_gradient_flow", "a ratio of {}.", lambda d: f"{flow(d, 'vanishing')[0] / flow(d, 'vanishing')[-1]:.3g}"),
    ("02_gradient_flow", "layer 1 / layer 10 = {}, every", lambda d: f"{flow(d, 'healthy')[0] / flow(d, 'healthy')[-1]:.3g}"),
    ("02_gradient_flow", "layer 1 / layer 10 = {}; ", lambda d: f"{flow(d, 'tanh')[0] / flow(d, 'tanh')[-1]:.3g}"),
    ("02_gradient_flow", "exactly {} times taller", lambda d: f"{flow(d, 'large inputs')[0] / flow(d, 'healthy')[0]:.0f}"),
    ("03_softmax_cross_entropy", r"$\ln 4 = {}$", lambda d: softmax_loss(d, "uniform")),
    ("03_softmax_cross_entropy", "(logit 4 on class 2): cross-entropy = {}", lambda d: softmax_loss(d, "confident and right")),
    ("03_softmax_cross_entropy", "(logit 4 on class 1): cross-entropy = {}", lambda d: softmax_loss(d, "confident and wrong")),
    ("03_softmax_cross_entropy", "cross-entropy = {}. Move", lambda d: softmax_loss(d, "soft label")),
    ("03_softmax_cross_entropy", "gradient is ${}$ on class 2",
     lambda d: f"{state(d, 'softmax_cross_entropy', 'uniform').grad_bars[1].get_height():.2f}"),
    ("04_mlp", "assignment 4 has {} parameters", lambda d: mlp_count(d, "3 → 5 → 2 → 4")),
    ("04_mlp", "classifier with {} parameters", lambda d: mlp_count(d, "no hidden layer")),
    ("04_mlp", "network with {} parameters", lambda d: mlp_count(d, "without biases")),
    ("04_mlp", "units hold {} parameters", lambda d: mlp_count(d, "widest")),
    ("04_mlp", r"10 + 10 = {}$", lambda d: str(sum(p.numel() for p in build_mlp([784, 100, 10]).parameters()))),
    ("05_optimizers", "and end at $f$ = {};", lambda d: f"{final_loss(d, 'no decay', 'SGDW'):.3g}"),
    ("05_optimizers", "on their way at $f$ = {}:", lambda d: f"{final_loss(d, 'no decay', 'AdamW'):.3g}"),
    ("05_optimizers", "SGD + L2 ends at $f$ = {} and", lambda d: f"{final_loss(d, 'decoupled vs L2', 'SGD + L2'):.3g}"),
    ("05_optimizers", "SGDW at $f$ = {};", lambda d: f"{final_loss(d, 'decoupled vs L2', 'SGDW'):.3g}"),
    ("05_optimizers", "Adam + L2 at $f$ = {} and", lambda d: f"{final_loss(d, 'decoupled vs L2', 'Adam + L2'):.3g}"),
    ("05_optimizers", "AdamW at $f$ = {}.", lambda d: f"{final_loss(d, 'decoupled vs L2', 'AdamW'):.3g}"),
    ("05_optimizers", "both at $f$ = {}.", lambda d: f"{final_loss(d, 'no momentum', 'SGDW'):.3g}"),
    ("05_optimizers", "diverge ($f$ = {} after", lambda d: f"{final_loss(d, 'too large a step', 'SGD'):.3g}"),
    ("05_optimizers", "do not ($f$ = {}).", lambda d: f"{final_loss(d, 'too large a step', 'AdamW'):.3g}"),
    ("06_init_gain", "falls from {} at layer 1", lambda d: f"{stds(d, 'too small')[0]:.3g}"),
    ("06_init_gain", "to {}\n  at layer 12", lambda d: f"{stds(d, 'too small')[-1]:.3g}"),
    ("06_init_gain", "{} at layer 1 and", lambda d: f"{stds(d, 'tanh, recommended')[0]:.3g}"),
    ("06_init_gain", "and {} at layer 12, kept", lambda d: f"{stds(d, 'tanh, recommended')[-1]:.3g}"),
    ("06_init_gain", "from {} to", lambda d: f"{stds(d, 'relu, gain 1')[0]:.3g}"),
    ("06_init_gain", "to {}.\n", lambda d: f"{stds(d, 'relu, gain 1')[-1]:.3g}"),
    ("06_init_gain", "from {} to 7", lambda d: f"{stds(d, 'exploding')[0]:.3g}"),
    ("06_init_gain", "to {}; ", lambda d: f"{stds(d, 'exploding')[-1]:.3g}"),
    ("06_init_gain", "; {} % of the last", lambda d: f"{100 * state(d, 'init_gain_demo', 'exploding').outside[-1]:.0f}"),
    ("06_init_gain", "the gain becomes {}", lambda d: f"{recommended(d, 'relu'):.2f}"),
    ("07_batchnorm", "the module has {} parameters", lambda d: str(bn_counts(d, "normalised")[0])),
    ("07_batchnorm", "parameters and {} buffer values", lambda d: str(bn_counts(d, "normalised")[1])),
    ("07_batchnorm", "**16 channels**: {} parameters", lambda d: str(bn_counts(d, "16 channels")[0])),
    ("07_batchnorm", "parameters and {} buffer values.", lambda d: str(bn_counts(d, "16 channels")[1])),
    ("07_batchnorm", "still {} buffer values", lambda d: str(bn_counts(d, "affine off")[1])),
    ("07_batchnorm", r"64 = {}$ ($\gamma$", lambda d: str(sum(p.numel() for p in nn.BatchNorm2d(64).parameters()))),
    ("07_batchnorm", "plus {} buffer values", lambda d: str(sum(b.numel() for b in nn.BatchNorm2d(64).buffers()))),
    ("08_xor", "four points are {}, and", lambda d: xor_outputs(d, "identity")[0]),
    ("08_xor", "and {} are correct", lambda d: xor_outputs(d, "identity")[1]),
    ("08_xor", "score stays at {}.", lambda d: xor_outputs(d, "twin units")[1]),
    ("08_xor", "class 0: {}.", lambda d: xor_outputs(d, "all zero")[1]),
    ("09_rnn_gradients", r"$|\partial L / \partial h_1|$ = {}. The first", lambda d: f"{rnn_first(d, 'vanishing'):.3g}"),
    ("09_rnn_gradients", "$1.1^{{99}}$ = {}.", lambda d: f"{rnn_first(d, 'exploding'):.3g}"),
    ("09_rnn_gradients", r"60 steps $|\partial L / \partial h_1|$ = {}.",
     lambda d: f"{rnn_first(d, 'vanishing', w=2.0):.3g}"),
]


@pytest.mark.parametrize("stem,quote,compute", QUOTES, ids=[f"{q[0]}:{q[1][:30]}" for q in QUOTES])
def test_every_quoted_number_is_what_the_demo_computes(demos, stem, quote, compute):
    expected = quote.format(compute(demos))
    assert expected in text(stem), f"{stem} should say {expected!r}"


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
    demo = next(c for c in nb["cells"] if c["cell_type"] == "code")
    name = re.search(r"from dlcourse\.lectures import (\w+)", "".join(demo["source"])).group(1)
    presets = DEMOS[name]().presets
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
