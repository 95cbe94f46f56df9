"""Assignments 2, 6 and 7: every number their markdown quotes (statements, model answers, rubrics) is
what the reference code computes, recomputed here without reading the text (the reference answers,
autograd, torch modules, closed forms); each claim the text makes about an outcome holds."""
import functools
import inspect
import math
import re
import statistics
from fractions import Fraction

import pytest
import torch
from conftest import markdown_cell, reference_namespace
from torch import nn


def normalize(text):
    """Whitespace collapsed and `^{4}` written `^4`, so that line breaks and braces do not matter."""
    return re.sub(r"\^\{(\d)\}", r"^\1", " ".join(text.split()))


def markdown(aid, gid):
    """The markdown cell with grade id `gid` of assignment `aid`, normalized."""
    return normalize(markdown_cell(aid, gid))


def sci(value, digits):
    """`value` as LaTeX `m \\cdot 10^{e}` with `digits` significant digits."""
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"{mantissa} \\cdot 10^{{{int(exponent)}}}"


def fraction(value):
    """A number that should be a simple fraction, written `p/q` (or `p`)."""
    return str(Fraction(value).limit_denominator(12))


def rate(norms, T0, T1, Ts):
    """The factor per step of a curve between steps T0 and T1: (norm(T1) / norm(T0)) ** (1 / (T1 - T0))."""
    return float(norms[Ts.index(T1)] / norms[Ts.index(T0)]) ** (1 / (T1 - T0))


# ---------------------------------------------------------------- 02: the gradient checker

@functools.cache
def backprop():
    """The reference answers of 02 and the relative errors its two checker cells print."""
    ns = reference_namespace("02_backprop", "answers")
    ng, rel, gen = ns["numerical_grad"], ns["relative_error"], ns["generator"]
    x = torch.randn(6, generator=gen(0), dtype=torch.float64)
    numeric = ng(lambda v: v @ v, x)
    errors = {"grad_xtx": rel(ns["grad_xtx"](x), numeric)}
    g = gen(1)
    xd, W, b, G = (torch.randn(*s, generator=g, dtype=torch.float64) for s in ((5, 3), (4, 3), (4,), (5, 4)))
    loss = lambda x_, W_, b_: (G * torch.sigmoid(x_ @ W_.T + b_)).sum()
    ours = ns["sigmoid_layer_backward"](xd, W, b, G)
    numeric3 = (ng(lambda W_: loss(xd, W_, b), W), ng(lambda b_: loss(xd, W, b_), b), ng(lambda x_: loss(x_, W, b), xd))
    errors.update({name: rel(a, n) for name, a, n in zip(("grad_W", "grad_b", "grad_x"), ours, numeric3)})
    return {"ns": ns, "errors": errors, "forgotten 2": rel(x, numeric)}


def rounding_errors():
    """|central difference - derivative| at eps = 1e-6 for sin and exp at 200 points of [-2, 2] (float64)."""
    ng = backprop()["ns"]["numerical_grad"]
    xs = torch.linspace(-2, 2, 200, dtype=torch.float64)
    return [abs(float(ng(f, x)) - float(d(x))) for f, d in ((torch.sin, torch.cos), (torch.exp, torch.exp)) for x in xs]


def default_eps():
    return inspect.signature(backprop()["ns"]["numerical_grad"]).parameters["eps"].default


def jacobian_shape(out_dims):
    """The shape of torch's Jacobian of R^3 -> R^out_dims (() for a scalar), written with n = 3 and m = 2."""
    J = torch.autograd.functional.jacobian(lambda v: v[:2] * v[1] if out_dims else (v * v).sum(),
                                           torch.ones(3, dtype=torch.float64))
    names = {2: "m", 3: "n"}
    return "(" + ", ".join(names[d] for d in J.shape) + ("," if J.dim() == 1 else "") + ")"


# ---------------------------------------------------------------- 06: a deep network at initialization

GAINS = {("tanh", "1"): 1.0, ("tanh", "5/3"): 5 / 3, ("tanh", "3"): 3.0,
         ("relu", "1"): 1.0, ("relu", "√2"): math.sqrt(2), ("relu", "2"): 2.0}


@functools.cache
def training():
    """The experiment of 06 (Task 1.3's reference layer_stats, 30 layers of width 64, seed 0), per setting."""
    ns = reference_namespace("06_training", ["layer_stats", "second_moment_gain"])
    stats = {key: ns["layer_stats"](30, 64, gain, key[0], seed=0) for key, gain in GAINS.items()}
    return {"ns": ns, "stats": stats}


def act(key):
    return training()["stats"][key][0]


def grad(key):
    return training()["stats"][key][1]


def spread(t):
    return float(t.max() / t.min())


def last_activations(nonlinearity, gain, depth=30, width=64, batch=256, seed=0):
    """The activations of the last layer, by Task 1.3's recipe, written out again here."""
    from dlcourse.device import generator
    g = generator(seed)
    a = torch.randn(batch, width, generator=g, dtype=torch.float64)
    weights = [torch.randn(width, width, generator=g, dtype=torch.float64) * (gain / math.sqrt(width))
               for _ in range(depth)]
    f = {"tanh": torch.tanh, "relu": torch.relu}[nonlinearity]
    for w in weights:
        a = f(a @ w.T)
    return a


GRID = torch.linspace(-10.0, 10.0, 200_001, dtype=torch.float64)
DENSITY = torch.exp(-GRID ** 2 / 2) / math.sqrt(2 * math.pi)


def gaussian_mean(values):
    """E[values(z)] for z ~ N(0, 1), by the trapezoid rule on the statement's grid."""
    return float(torch.trapezoid(values * DENSITY, GRID))


# ---------------------------------------------------------------- 07: the experiment and the clipping demo

@functools.cache
def rnn():
    """The experiment and the clipping demonstration of 07, run with the reference answers."""
    return reference_namespace("07_rnn", ["power_table", "grad_norms", "plot_grad_norms", "experiment", "clip_demo"])


def norms(name):
    return rnn()["norms_by_model"][name]


def curve_rate(name):
    return rate(norms(name), 16, 64, rnn()["TS"])


def lstm_run(model, detach_state=False):
    """nn.LSTM's equations written out (gates i, f, g, o in this order); returns (outputs, forget gates, x)."""
    x = rnn()["x_seq"].detach().clone().requires_grad_(True)
    H = model.hidden_size
    h = torch.zeros(x.shape[0], H, dtype=torch.float64)
    c, outs, forget = torch.zeros_like(h), [], []
    for t in range(x.shape[1]):
        h_in = h.detach() if detach_state else h
        z = x[:, t] @ model.weight_ih_l0.T + model.bias_ih_l0 + h_in @ model.weight_hh_l0.T + model.bias_hh_l0
        i, f, g, o = z.chunk(4, dim=1)
        i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
        c = f * c + i * g
        h = o * c.tanh()
        outs.append(h)
        forget.append(f.detach())
    return torch.stack(outs, 1), torch.stack(forget), x


def cell_path_rate(name):
    """The curve's factor per step when the error may flow back only along the cell state."""
    out, _, x = lstm_run(rnn()["models"][name], detach_state=True)
    Ts = rnn()["TS"]
    values = [torch.autograd.grad(out[:, T - 1].sum(), x, retain_graph=True)[0][:, 0].norm() for T in Ts]
    return rate(values, 16, 64, Ts)


def forget_gates(name):
    return lstm_run(rnn()["models"][name])[1]


def largest_unit_geometric_mean(name):
    """The geometric mean, over steps and sequences, of the forget gate of the unit whose gate stays most open."""
    return float(forget_gates(name).log().mean(dim=(0, 1)).exp().max())


def clip_coefficient_offset():
    """What clip_grad_norm_ adds to the norm it divides by: grads (3, 4), max_norm 1 -> 1/coef - 5."""
    p = nn.Parameter(torch.zeros(2, dtype=torch.float64))
    p.grad = torch.tensor([3.0, 4.0], dtype=torch.float64)
    nn.utils.clip_grad_norm_([p], 1.0)
    return float(3.0 / p.grad[0]) - 5.0


WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}

# (assignment, grade id of the markdown cell, the quoted text with {} for the number, the function that computes it)
QUOTES = [
    # 02: float32, the central difference, the relative errors the checker cells print
    ("02_backprop", "intro", "rounding errors of about $10^{{{}}}$",
     lambda: round(math.log10(torch.finfo(torch.float32).eps))),
    ("02_backprop", "jacobian_md", "— ${}$ for a vector function", lambda: jacobian_shape(2)),
    ("02_backprop", "jacobian_md", "${}$ for a scalar one", lambda: jacobian_shape(0)),
    ("02_backprop", "numerical_grad_md", r"In `float64`, $\varepsilon = {}$ keeps",
     lambda: f"10^{{{round(math.log10(default_eps()))}}}"),
    ("02_backprop", "numerical_grad_md", r"of order $\varepsilon^2 = 10^{{{}}}$",
     lambda: round(math.log10(default_eps() ** 2))),
    ("02_backprop", "numerical_grad_md", "(to about $10^{{{}}}$)",
     lambda: round(math.log10(torch.finfo(torch.float64).eps / 2))),
    ("02_backprop", "numerical_grad_md", r"$10^{{-16}}/\varepsilon = 10^{{{}}}$",
     lambda: round(math.log10(torch.finfo(torch.float64).eps / 2 / default_eps()))),
    ("02_backprop", "try_checker_md", r"(3\lVert x \rVert) = {}$", lambda: fraction(backprop()["forgotten 2"])),
    ("02_backprop", "outro", "relative errors of $10^{{{}}}$ or less",
     lambda: math.ceil(math.log10(max(backprop()["errors"].values())))),
    ("02_backprop", "outro", "forgotten factor 2 ({})", lambda: fraction(backprop()["forgotten 2"])),
    # 06: the gain, and the experiment of Task 1.3 / 1.5 (30 layers, width 64, seed 0)
    ("06_training", "gain_md", r"the gain is $\sqrt {}$",
     lambda: round(1 / gaussian_mean(torch.relu(GRID) ** 2))),
    ("06_training", "gain_md", "standard deviation of {} at layer 1", lambda: f"{act(('relu', '√2'))[0]:.2f}"),
    ("06_training", "gain_md", "and {} at layer 30). Leaky", lambda: f"{act(('relu', '√2'))[-1]:.2f}"),
    ("06_training", "gain_md", "PyTorch uses ${}$", lambda: fraction(nn.init.calculate_gain("tanh"))),
    ("06_training", "gain_md", r"\mathbb{{E}}[\mathrm{{selu}}(z)^2] = {}$",
     lambda: f"{gaussian_mean(torch.selu(GRID) ** 2):.0f}"),
    ("06_training", "gain_md", "the negative slope, {} when `None`",
     lambda: f"{math.sqrt(2 / nn.init.calculate_gain('leaky_relu') ** 2 - 1):.2g}"),
    ("06_training", "second_moment_md", "grid of {} points over",
     lambda: f"{GRID.numel():,}".replace(",", " ")),
    ("06_training", "written_gain", r"$\text{{gain}}^2/2 = {}$",
     lambda: fraction(gaussian_mean(torch.relu(1.0 * GRID) ** 2))),
    ("06_training", "written_gain", "falls from {} at layer 1", lambda: f"{act(('relu', '1'))[0]:.2f}"),
    ("06_training", "written_gain", "at layer 1 to ${}$ at layer 30 (halving", lambda: sci(act(("relu", "1"))[-1], 2)),
    ("06_training", "written_gain", r"$2^{{29/2}} \approx {}$", lambda: sci(2 ** 14.5, 1)),
    ("06_training", "written_gain", "(standard deviations from ${}$", lambda: sci(grad(("relu", "1")).min(), 2)),
    ("06_training", "written_gain", "to ${}$): the gradient", lambda: sci(grad(("relu", "1")).max(), 2)),
    ("06_training", "written_gain", "the activations grow from {} at layer 1", lambda: f"{act(('relu', '2'))[0]:.1f}"),
    ("06_training", "written_gain", "to ${}$ at layer 30 and the gradients", lambda: sci(act(("relu", "2"))[-1], 2)),
    ("06_training", "written_gain", "gradients are of order $10^{{{}}}$ at every layer",
     lambda: round(math.log10(grad(("relu", "2")).min()))),
    ("06_training", "written_gain", "gradients are of order $10^{{{}}}$ at every layer",
     lambda: round(math.log10(grad(("relu", "2")).max()))),
    ("06_training", "written_gain", "towards 0, from {} to", lambda: f"{act(('tanh', '1'))[0]:.2f}"),
    ("06_training", "written_gain", "to {} (tanh is the identity", lambda: f"{act(('tanh', '1'))[-1]:.2f}"),
    ("06_training", "written_gain", "at layer 30, {}% of the activations lie beyond ±0.9",
     lambda: f"{100 * float((last_activations('tanh', 3.0).abs() > 0.9).double().mean()):.0f}"),
    ("06_training", "written_gain", "(about ${}$ at layer 1 against", lambda: sci(grad(("tanh", "3"))[0], 1)),
    ("06_training", "written_gain", "against {} at layer 30), so", lambda: f"{grad(('tanh', '3'))[-1]:.0f}"),
    ("06_training", "written_gain", "each stay within a factor of {} across",
     lambda: f"{max(spread(act(('relu', '√2'))), spread(grad(('relu', '√2')))):.2g}"),
    ("06_training", "written_gain", "activations stay between {} and", lambda: f"{act(('tanh', '5/3')).min():.2f}"),
    ("06_training", "written_gain", "and {} and the gradients vary", lambda: f"{act(('tanh', '5/3')).max():.2f}"),
    ("06_training", "written_gain", "by a factor of about {}, against",
     lambda: f"{float(format(spread(grad(('tanh', '5/3'))), '.1g')):.0f}"),
    ("06_training", "written_gain", "against ${}$ with gain 3", lambda: sci(spread(grad(("tanh", "3"))), 1)),
    ("06_training", "bn_md", "pixels is {} there",
     lambda: "×".join(map(str, torch.zeros(32, 3, 28, 28).permute(0, 2, 3, 1).shape))),
    # 07: powers, the experiment of section 4, the clipping demo, the model answer of Task 7.1
    ("07_rnn", "power_md", "keeps only about {} digits",
     lambda: round(-math.log10(torch.finfo(torch.float32).eps))),
    ("07_rnn", "experiment_md", "builds {} networks", lambda: WORDS[len(rnn()["models"])]),
    ("07_rnn", "experiment_md", "(hidden size {}, float64)",
     lambda: "".join({str(m.hidden_size) for m in rnn()["models"].values()})),
    ("07_rnn", "vanishing_md", r"For $\tanh$, $0 < f' \le {}$",
     lambda: f"{float(torch.func.vmap(torch.func.grad(torch.tanh))(GRID).max()):.0f}"),
    ("07_rnn", "vanishing_md", r"$0.9^{{100}} \approx {}$",
     lambda: sci(float(rnn()["power_table"]([0.9], [100])[0, 0]), 1)),
    ("07_rnn", "vanishing_md", r"$1.1^{{100}} \approx {}$",
     lambda: sci(float(rnn()["power_table"]([1.1], [100])[0, 0]), 2)),
    ("07_rnn", "vanishing_md", r"for the sigmoid, $f' \le {}$",
     lambda: fraction(float(torch.func.vmap(torch.func.grad(torch.sigmoid))(GRID).max()))),
    ("07_rnn", "experiment_md", r"makes $\sigma(3) \approx {}$", lambda: f"{torch.sigmoid(torch.tensor(3.0)):.2f}"),
    ("07_rnn", "clip_md", "loses about {} order of magnitude from $T = 1$ to $T = 64$",
     lambda: WORDS[round(math.log10(norms("GRU, update bias 3")[0] / norms("GRU, update bias 3")[-1]))]),
    ("07_rnn", "clip_md", "(PyTorch adds $10^{{{}}}$", lambda: round(math.log10(clip_coefficient_offset()))),
    ("07_rnn", "dependency_md", "from {} to $", lambda: f"{rnn()['losses_plain'][0]:.2f}"),
    ("07_rnn", "dependency_md", "to ${}$ over the", lambda: sci(max(rnn()["losses_plain"]), 1)),
    ("07_rnn", "dependency_md", "over the {} steps of the plot", lambda: len(rnn()["losses_plain"])),
    ("07_rnn", "dependency_md", "plot, {} orders of magnitude",
     lambda: round(math.log10(max(rnn()["losses_plain"]) / rnn()["losses_plain"][0]))),
    ("07_rnn", "written_constant_error_flow", "({} on average in the experiment)",
     lambda: f"{forget_gates('LSTM, default init').mean():.2f}"),
    ("07_rnn", "written_constant_error_flow", "curve falls from ${}$ at $T = 16$",
     lambda: sci(norms("LSTM, default init")[rnn()["TS"].index(16)], 2)),
    ("07_rnn", "written_constant_error_flow", "to ${}$ at $T = 64$",
     lambda: sci(norms("LSTM, default init")[rnn()["TS"].index(64)], 2)),
    ("07_rnn", "written_constant_error_flow", "a factor of about {} per step",
     lambda: f"{curve_rate('LSTM, default init'):.2f}"),
    ("07_rnn", "written_constant_error_flow", "raise the factor to {}.",
     lambda: f"{curve_rate('LSTM, default init'):.2f}"),
    ("07_rnn", "written_constant_error_flow", "(about {} in the plot",
     lambda: f"{curve_rate('LSTM, default init'):.2f}"),
    ("07_rnn", "written_constant_error_flow", "small-gain RNN's ({} per step)",
     lambda: f"{curve_rate('RNN, gain 0.5'):.2f}"),
    ("07_rnn", "written_constant_error_flow", "the error would fall by {} per step",
     lambda: f"{cell_path_rate('LSTM, default init'):.2f}"),
    ("07_rnn", "written_constant_error_flow", "the error would fall by {} per step, the geometric mean",
     lambda: f"{largest_unit_geometric_mean('LSTM, default init'):.2f}"),
    ("07_rnn", "written_constant_error_flow", r"\approx \sigma(3) \approx {}$",
     lambda: f"{torch.sigmoid(torch.tensor(3.0)):.2f}"),
    ("07_rnn", "written_constant_error_flow", r"\approx \sigma(3) \approx {}$",
     lambda: f"{forget_gates('LSTM, forget bias 3').mean():.2f}"),
    ("07_rnn", "written_constant_error_flow", r"$0.95^{{63}} \approx {}$",
     lambda: f"{float(forget_gates('LSTM, forget bias 3').log().mean().exp()) ** 63:.2f}"),
    ("07_rnn", "written_constant_error_flow", "over the {} steps of the plot",
     lambda: rnn()["TS"][-1] - rnn()["TS"][0]),
    ("07_rnn", "written_constant_error_flow", "(a factor of {} per step)",
     lambda: f"{curve_rate('LSTM, forget bias 3'):.2f}"),
]


@pytest.mark.parametrize("aid,gid,quote,compute", QUOTES, ids=[f"{q[0][:2]}:{q[1]}:{q[2][:30]}" for q in QUOTES])
def test_every_quoted_number_is_what_the_code_computes(aid, gid, quote, compute):
    expected = normalize(quote.format(compute()))
    assert expected in markdown(aid, gid), f"{aid}, cell {gid} should say {expected!r}"


# ---------------------------------------------------------------- claims about outcomes, with their thresholds

def test_02_relative_error_thresholds_separate_the_right_formulas_from_the_forgotten_factor():
    match = re.search(r"relative error around \$10\^\{(-\d+)\}\$ or below means the formula is right; "
                      r"around \$10\^\{(-\d+)\}\$ or more means it is wrong",
                      markdown("02_backprop", "numerical_grad_md"))
    right, wrong = (10.0 ** int(e) for e in match.groups())
    assert max(backprop()["errors"].values()) <= right
    assert backprop()["forgotten 2"] >= wrong


def test_02_central_difference_errors_are_of_the_quoted_orders():
    # truncation: exact central and one-sided differences of sin at 0.7 (closed forms); eps / 10 divides the
    # central error by 100 and the one-sided one by 10
    x = 0.7
    central = lambda e: abs(math.cos(x) * math.sin(e) / e - math.cos(x))
    one_sided = lambda e: abs((math.sin(x) * -2 * math.sin(e / 2) ** 2 + math.cos(x) * math.sin(e)) / e - math.cos(x))
    assert central(1e-2) / central(1e-3) == pytest.approx(100, rel=0.01)
    assert one_sided(1e-2) / one_sided(1e-3) == pytest.approx(10, rel=0.01)
    # rounding: what the reference checker really gets at eps = 1e-6 is within a factor 10 of the quoted 1e-10
    text = markdown("02_backprop", "numerical_grad_md")
    quoted = 10.0 ** int(re.search(r"/\\varepsilon = 10\^\{(-\d+)\}", text).group(1))
    errors = rounding_errors()
    assert quoted / 10 < statistics.median(errors) and max(errors) < 10 * quoted


def test_06_leaky_relu_keeps_half_of_one_plus_a_squared_and_relu_half_at_any_scale():
    assert "keeps $\\tfrac12(1 + a^2)$ of it" in markdown("06_training", "gain_md")
    for a in (0.01, 0.2, 0.5):
        kept = gaussian_mean(nn.functional.leaky_relu(GRID, a) ** 2)
        assert kept == pytest.approx((1 + a * a) / 2, rel=1e-9)
    for scale in (0.1, 1.0, 3.0):
        assert gaussian_mean(torch.relu(scale * GRID) ** 2) == pytest.approx(scale ** 2 / 2, rel=1e-9)
    # so with gain 2 the expected second moment doubles per layer (Task 1.5's model answer)
    assert "the expected second moment doubles per layer" in markdown("06_training", "written_gain")
    assert gaussian_mean(torch.relu(2.0 * GRID) ** 2) == pytest.approx(2.0, rel=1e-9)


def test_06_the_statements_grid_gives_the_accuracy_the_check_wants():
    text = markdown("06_training", "second_moment_md")
    accuracy = 10.0 ** int(re.search(r"relative accuracy of \$10\^\{(-\d+)\}\$", text).group(1))
    gain = training()["ns"]["second_moment_gain"]
    assert abs(gain(torch.relu) / math.sqrt(2) - 1) < accuracy / 10
    assert abs(gain(lambda z: z) - 1) < accuracy / 10


def test_06_relu_gain_keeps_the_second_moment_in_expectation_not_in_every_network():
    text = markdown("06_training", "gain_md")
    assert ("the expected second moment (the average over random draws of the weights) is the same at every "
            "depth, exactly") in text
    assert "exactly at every depth" not in text
    # 2000 networks of depth 8, width 64: the average of the last layer's second moment is the input's (1) ...
    g = torch.Generator().manual_seed(0)
    nets, depth, width = 2000, 8, 64
    a = torch.randn(nets, 4, width, generator=g, dtype=torch.float64)
    q0 = a.pow(2).mean(dim=(1, 2))
    for _ in range(depth):
        W = torch.randn(nets, width, width, generator=g, dtype=torch.float64) * math.sqrt(2 / width)
        a = torch.relu(a @ W.transpose(1, 2))
    ratio = a.pow(2).mean(dim=(1, 2)) / q0
    assert float(ratio.mean()) == pytest.approx(1.0, abs=0.05)
    # ... while one network drifts: a tenth of them end below 0.6 or above 1.5
    assert float(((ratio < 0.6) | (ratio > 1.5)).double().mean()) > 0.1
    # and the quoted network drifts: by more than a factor 2 over its 30 layers
    assert act(("relu", "√2"))[0] / act(("relu", "√2"))[-1] > 2


def test_06_the_too_small_relu_network_drifts_further_than_the_expected_factor():
    assert "this one network drifts a little further" in markdown("06_training", "written_gain")
    shrink = float(act(("relu", "1"))[0] / act(("relu", "1"))[-1])
    assert 2 ** 14.5 < shrink < 4 * 2 ** 14.5


def test_07_gain_sets_the_spectral_radius_and_the_second_bias_block_is_the_memory_gate():
    text = markdown("07_rnn", "experiment_md")
    assert "whose spectral radius is then about `gain`" in text
    for name, gain in (("RNN, gain 0.5", 0.5), ("RNN, gain 4", 4.0)):
        radius = float(torch.linalg.eigvals(rnn()["models"][name].weight_hh_l0.detach()).abs().max())
        assert radius == pytest.approx(gain, rel=0.2), name
    # the LSTM equations with the gates in the order i, f, g, o reproduce nn.LSTM: the second block is f
    model = rnn()["models"]["LSTM, forget bias 3"]
    ours = lstm_run(model)[0]
    with torch.no_grad():
        assert torch.allclose(ours, model(rnn()["x_seq"])[0], atol=1e-12)
    assert float(forget_gates("LSTM, forget bias 3").mean()) > 0.9
    # GRU: the second block is z, and h_t = (1 - z) n + z h_{t-1}; a huge z bias keeps h_0 = 0 for ever
    assert r"h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}" in text
    gru = rnn()["make_rnn"]("gru", 0, gate_bias=40.0)
    with torch.no_grad():
        assert float(gru(rnn()["x_seq"])[0].abs().max()) < 1e-12


def test_07_curves_fall_rise_and_stay_level_as_the_text_says():
    text = markdown("07_rnn", "clip_md")
    assert "the small-gain RNN and the default LSTM fall by many orders of magnitude" in text
    decades = {name: math.log10(float(v[-1] / v[0])) for name, v in rnn()["norms_by_model"].items()}
    assert decades["RNN, gain 0.5"] < -10 and decades["LSTM, default init"] < -10
    assert decades["RNN, gain 4"] > 3            # climbs by several
    assert abs(decades["LSTM, forget bias 3"]) < 0.3   # roughly level


def test_07_the_paths_through_h_keep_the_open_lstm_level_and_the_largest_bias_sets_the_cell_path():
    text = markdown("07_rnn", "written_constant_error_flow")
    assert "the geometric mean of the forget gate of the unit with the largest bias" in text
    model = rnn()["models"]["LSTM, default init"]
    H = model.hidden_size
    bias = (model.bias_ih_l0 + model.bias_hh_l0)[H:2 * H].detach()
    assert "two uniform draws in $\\pm 1/\\sqrt{H}$ per unit" in text
    for b in (model.bias_ih_l0, model.bias_hh_l0):
        assert float(b.detach().abs().max()) <= 1 / math.sqrt(H)
    means = forget_gates("LSTM, default init").log().mean(dim=(0, 1))
    assert int(means.argmax()) == int(bias.argmax())
    # along the cell path alone the open LSTM still loses: the paths through h_{t-1} keep it level
    assert "but with the paths through $h_{t-1}$ the curve stays level" in text
    assert cell_path_rate("LSTM, forget bias 3") < 0.96 < curve_rate("LSTM, forget bias 3")


def test_07_clipping_keeps_the_demo_stable():
    assert "training stays stable" in markdown("07_rnn", "dependency_md")
    clipped = rnn()["losses_clipped"]
    assert max(clipped) < 1.5 * clipped[0] and clipped[-1] < clipped[0]
    assert max(rnn()["norms_clipped"]) < 10
