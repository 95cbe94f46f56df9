"""Every number the lecture notes quote, with how the demo computes it and where the page shows it.

tests/test_lectures.py recomputes each number with the demos in the test's own process;
tests/test_browser.py presses each preset in JupyterLab and reads the numbers off the page.
"""
import json
import math
import re

from torch import nn

from dlcourse.lectures.mlp import build as build_mlp
from dlcourse.lectures.optimizers import RUNS, loss_surface


def notes(notebook):
    """The markdown of a lecture notebook (a path), all cells joined."""
    cells = json.loads(notebook.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def demo_of(notebook):
    """The name of the demo a lecture notebook (a path) imports from dlcourse.lectures."""
    code = "".join("".join(c["source"]) for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code")
    return re.search(r"from dlcourse\.lectures import (\w+)", code).group(1)


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
    ("03_softmax_cross_entropy", "so logit 4 on class 2): cross-entropy = {}", lambda d: softmax_loss(d, "confident and right")),
    ("03_softmax_cross_entropy", "so logit 4 on class 1): cross-entropy = {}", lambda d: softmax_loss(d, "confident and wrong")),
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


def run(label):
    """The final loss of one optimizer in the optimizers demo's readout."""
    return rf"(?:^|[ ·]){re.escape(label)} (\d[\d.e+-]*)"


# Where the demo's readout (the text under its figure) shows a quoted number once a preset is pressed:
# (notebook, quoted text) -> (preset, a pattern whose group is the number exactly as the notes quote it)
SHOWN = {
    ("01_saturation", r"\tanh'(0) = {}"): ("linear zone", r"tanh'\(z\) = (\S+)"),
    ("01_saturation", r"\tanh'(3) = {}"): ("saturated", r"tanh'\(z\) = (\S+)"),
    ("01_saturation", r"\tanh(3) = {}"): ("saturated", r"tanh\(z\) = \+(\S+)"),
    ("01_saturation", r"\sigma'(0) = {}"): ("sigmoid peak", r"sigmoid'\(z\) = (\S+)"),
    ("01_saturation", r"\sigma'(5) = {}"): ("sigmoid saturated", r"sigmoid'\(z\) = (\S+)"),
    ("02_gradient_flow", "mean gradient of {} against"): ("vanishing", r"layer 1 (\S+) ·"),
    ("02_gradient_flow", "against {} at"): ("vanishing", r"layer 10 (\S+) ·"),
    ("02_gradient_flow", "a ratio of {}."): ("vanishing", r"layer 1 / layer 10 = (\S+)$"),
    ("02_gradient_flow", "layer 1 / layer 10 = {}, every"): ("healthy", r"layer 1 / layer 10 = (\S+)$"),
    ("02_gradient_flow", "layer 1 / layer 10 = {}; "): ("tanh", r"layer 1 / layer 10 = (\S+)$"),
    **{("03_softmax_cross_entropy", quote): (preset, r"cross-entropy = (\S+)") for quote, preset in [
        (r"$\ln 4 = {}$", "uniform"), ("so logit 4 on class 2): cross-entropy = {}", "confident and right"),
        ("so logit 4 on class 1): cross-entropy = {}", "confident and wrong"), ("cross-entropy = {}. Move", "soft label")]},
    **{("04_mlp", quote): (preset, r"= (\d+)  \(weights") for quote, preset in [
        ("assignment 4 has {} parameters", "3 → 5 → 2 → 4"), ("classifier with {} parameters", "no hidden layer"),
        ("network with {} parameters", "without biases"), ("units hold {} parameters", "widest")]},
    ("05_optimizers", "and end at $f$ = {};"): ("no decay", run("SGDW")),
    ("05_optimizers", "on their way at $f$ = {}:"): ("no decay", run("AdamW")),
    ("05_optimizers", "SGD + L2 ends at $f$ = {} and"): ("decoupled vs L2", run("SGD + L2")),
    ("05_optimizers", "SGDW at $f$ = {};"): ("decoupled vs L2", run("SGDW")),
    ("05_optimizers", "Adam + L2 at $f$ = {} and"): ("decoupled vs L2", run("Adam + L2")),
    ("05_optimizers", "AdamW at $f$ = {}."): ("decoupled vs L2", run("AdamW")),
    ("05_optimizers", "both at $f$ = {}."): ("no momentum", run("SGDW")),
    ("05_optimizers", "diverge ($f$ = {} after"): ("too large a step", run("SGD")),
    ("05_optimizers", "do not ($f$ = {})."): ("too large a step", run("AdamW")),
    ("06_init_gain", "falls from {} at layer 1"): ("too small", r"std layer 1 (\S+) →"),
    ("06_init_gain", "to {}\n  at layer 12"): ("too small", r"→ layer 12 (\S+);"),
    ("06_init_gain", "{} at layer 1 and"): ("tanh, recommended", r"std layer 1 (\S+) →"),
    ("06_init_gain", "and {} at layer 12, kept"): ("tanh, recommended", r"→ layer 12 (\S+);"),
    ("06_init_gain", "from {} to"): ("relu, gain 1", r"std layer 1 (\S+) →"),
    ("06_init_gain", "to {}.\n"): ("relu, gain 1", r"→ layer 12 (\S+);"),
    ("06_init_gain", "from {} to 7"): ("exploding", r"std layer 1 (\S+) →"),
    ("06_init_gain", "to {}; "): ("exploding", r"→ layer 12 (\S+);"),
    ("06_init_gain", "; {} % of the last"): ("exploding", r": (\d+)%$"),
    ("07_batchnorm", "the module has {} parameters"): ("normalised", r"parameters \((\d+)\)"),
    ("07_batchnorm", "parameters and {} buffer values"): ("normalised", r"buffers \((\d+)\)"),
    ("07_batchnorm", "**16 channels**: {} parameters"): ("16 channels", r"parameters \((\d+)\)"),
    ("07_batchnorm", "parameters and {} buffer values."): ("16 channels", r"buffers \((\d+)\)"),
    ("07_batchnorm", "still {} buffer values"): ("affine off", r"buffers \((\d+)\)"),
    ("08_xor", "four points are {}, and"): ("identity", r"\(1,1\): ([^·]+?) ·"),
    ("08_xor", "and {} are correct"): ("identity", r"^(\d/4) correct"),
    ("08_xor", "score stays at {}."): ("twin units", r"^(\d/4) correct"),
    ("08_xor", "class 0: {}."): ("all zero", r"^(\d/4) correct"),
    ("09_rnn_gradients", r"$|\partial L / \partial h_1|$ = {}. The first"): ("vanishing", r"\|∂L/∂h_1\| = (\S+),"),
    ("09_rnn_gradients", "$1.1^{{99}}$ = {}."): ("exploding", r"\|∂L/∂h_1\| = (\S+),"),
}


def shown(stem, preset, readout):
    """The quoted texts, as the notes should read, with the numbers the readout shows for `preset`."""
    found = {}
    for (notebook, quote), (name, pattern) in SHOWN.items():
        if notebook == stem and name == preset:
            match = re.search(pattern, readout, re.M)
            found[quote] = quote.format(match.group(1)) if match else f"<{pattern!r} not in {readout!r}>"
    return found
