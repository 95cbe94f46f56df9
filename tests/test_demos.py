"""Lecture demos, headless: set a demo's values, then read what its figure shows (line and bar
data, offsets, counts) and compare with an independent computation. No pixels are compared."""
import io
import itertools
import json
import math
import re
from pathlib import Path

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
import sliders
import torch
from PIL import Image
from torch import nn

from dlcourse.device import get_device
from dlcourse.lectures import DEMOS, Demo, base
from dlcourse.lectures.batchnorm import BATCH, SIDE
from dlcourse.lectures.optimizers import CENTRE, RUNS, START, A
from dlcourse.lectures.xor import EXTENT, GRID, LABELS, POINTS, REGION_RGBA
from dlcourse.plots import count_network

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def demos():
    """One instance of every demo, built once (building them costs a few seconds in all)."""
    return {name: make() for name, make in DEMOS.items()}


def visible(artists):
    return [a for a in artists if a.get_visible()]


# ----- every demo


@pytest.mark.parametrize("name", DEMOS)
def test_demo_is_a_widget_with_plain_values_and_shows_a_png_of_its_figure(demos, name):
    demo = demos[name]
    assert isinstance(demo, Demo)
    assert all(isinstance(v, (bool, int, float, str)) for v in demo.values.values()), demo.values
    png = bytes(demo.image.value)
    assert png.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(png)).size == demo.fig.canvas.get_width_height()
    assert demo.fig.get_size_inches().tolist() == list(demo.figsize)


@pytest.mark.parametrize("name", DEMOS)
def test_changing_a_value_redraws_the_same_figure_in_place(demos, name):
    demo = demos[name]
    figures_before = plt.get_fignums()
    fig, artists = demo.fig, list(demo.animated)
    control, old = next((k, v) for k, v in demo.values.items() if isinstance(v, (int, float)) and not isinstance(v, bool))
    widget = demo.controls[control]
    low, high = ends(widget)
    new = high if old != high else low
    png, updates = bytes(demo.image.value), demo.updates
    widget.value = new  # as a slider drag does: the observer redraws
    try:
        assert demo.updates == updates + 1
        assert bytes(demo.image.value) != png, f"moving {control} changed nothing on screen"
        assert demo.fig is fig and demo.animated == artists, "artists are moved, not rebuilt"
        assert plt.get_fignums() == figures_before, "no pyplot figure is created per event"
        assert demo.message.value == ""
    finally:
        widget.value = old


def ends(widget):
    """The lowest and highest value a slider can take."""
    if isinstance(widget, widgets.SelectionSlider):
        return widget.options[0][1], widget.options[-1][1]
    return widget.min, widget.max


@pytest.mark.parametrize("name", DEMOS)
def test_demo_computes_on_the_course_device(demos, name):
    assert demos[name].device == get_device()


def test_set_changes_several_values_with_one_redraw_and_rejects_unknown_names(demos):
    demo = demos["softmax_cross_entropy"]
    before = demo.updates
    demo.set(z1=0.5, z2=-0.5)
    assert demo.updates == before + 1 and demo.values["z1"] == 0.5
    with pytest.raises(KeyError, match="unknown controls"):
        demo.set(temperature=2.0)


def test_png_encoder_round_trips_the_canvas_exactly(demos):
    canvas = demos["xor"].fig.canvas
    decoded = np.asarray(Image.open(io.BytesIO(base.png_bytes(canvas))).convert("RGBA"))
    assert np.array_equal(decoded, np.asarray(canvas.buffer_rgba()))


def test_decade_and_coarse_log_limits_hold_the_data():
    assert base.decade_limits([0.02, 3.0], None) == (1e-2, 1e1)
    assert base.decade_limits([0.05, 2.0], (1e-2, 1e1)) == (1e-2, 1e1), "kept while the data fits"
    assert base.coarse_log_limits([1e-40, 5.0], (1e-2, 1e-10, 1e-50), (1e1, 1e10)) == (1e-50, 1e1)
    assert base.coarse_log_limits([0.0, np.nan], (1e-2,), (1e1,)) == (1e-2, 1e1)


def test_each_notebook_only_calls_its_demo_and_stores_no_outputs():
    assert len(NOTEBOOKS) == len(DEMOS)
    called = set()
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c["outputs"] and c["execution_count"] is None for c in code), path.name
        assert any(c["cell_type"] == "markdown" for c in nb["cells"]), f"{path.name} has a sentence of context"
        source = "\n".join("".join(c["source"]) for c in code)
        names = re.findall(r"from dlcourse\.lectures import (\w+)", source)
        assert len(names) == 1 and names[0] in DEMOS, source
        assert f"demo = {names[0]}()" in source, "the demo is built by its function"
        assert source.strip().endswith("\ndemo"), "the last line shows the widget"
        called.add(names[0])
    assert called == set(DEMOS)


# ----- presets


@pytest.mark.parametrize("name", DEMOS)
def test_each_preset_sets_every_control_at_once_with_one_redraw(demos, name):
    demo = demos[name]
    assert len(demo.presets) >= 3 and demo.presets == list(demo.PRESETS)
    seen = set()
    for preset in demo.presets:
        values = demo.PRESETS[preset]
        assert set(values) == set(demo.controls), f"{preset!r} sets every control"
        updates = demo.updates
        assert demo.preset(preset) is demo
        assert demo.updates == updates + 1, "one redraw per preset"
        assert demo.values == pytest.approx(values) and demo.message.value == ""
        png = bytes(demo.image.value)
        assert png not in seen, f"{preset!r} draws a state of its own"
        seen.add(png)
    with pytest.raises(KeyError, match="unknown preset 'nope'; this demo has"):
        demo.preset("nope")


def states_worth_holding(name):
    """Every state a demo is put in by name: its presets, its defaults, what its buttons set."""
    demo = DEMOS[name]()
    states = {"defaults": demo.values, **{f"preset {p!r}": v for p, v in demo.PRESETS.items()}}
    if name == "init_gain_demo":
        for nonlinearity in demo.controls["nonlinearity"].options:
            demo.set(nonlinearity=nonlinearity).recommend()
            states[f"recommended gain for {nonlinearity}"] = demo.values
    return demo, states


@pytest.mark.parametrize("name", DEMOS)
def test_every_preset_and_default_lies_exactly_on_its_widgets_grid_as_the_browser_computes_it(name):
    """A slider in the browser moves its handle to the nearest step, computed in floating point, and
    sends that value back: 0.05 on a log slider of step 0.05 comes back as 0.0501 (and the demo then
    shows other numbers than the notes quote); 0.8 on a slider from 0 to 0.99 as 0.8000000000000002."""
    demo, states = states_worth_holding(name)
    off = [f"{state}: {control} = {value!r} becomes {sliders.browser_value(demo.controls[control], value)!r}"
           for state, values in states.items() for control, value in values.items()
           if not sliders.holds(demo.controls[control], value)]
    assert not off, "\n".join(off)


def test_the_grid_rule_is_noUiSliders():
    lr = widgets.FloatLogSlider(value=0.05, base=10, min=-3, max=0, step=0.05)
    assert sliders.browser_value(lr, 0.05) == 10 ** -1.3 and not sliders.holds(lr, 0.05)
    assert sliders.holds(lr, 1.0) and sliders.holds(lr, 0.01) is (sliders.browser_value(lr, 0.01) == 0.01)
    momentum = widgets.FloatSlider(min=0.0, max=0.99, step=0.01)
    assert sliders.browser_value(momentum, 0.8) == 0.8000000000000002
    assert sliders.holds(widgets.FloatSlider(min=0.0, max=1.0, step=0.01), 0.8)
    assert sliders.browser_value(widgets.IntSlider(min=1, max=120), 80) == 80
    assert sliders.readout(momentum, -0.004) == "0.00" and sliders.readout(momentum, -0.5) == "\u22120.50"
    assert sliders.readout(lr, 0.05) == "0.0500" and sliders.d3_format(".3g", 8.75e20) == "8.75e+20"


@pytest.mark.parametrize("name", DEMOS)
def test_preset_buttons_name_the_presets_and_a_click_applies_one(demos, name):
    demo = demos[name]
    buttons = [w for w in demo.children[0].children if isinstance(w, widgets.Button)]
    assert [b.description for b in buttons] == demo.presets
    assert all("dlcourse-preset" in b._dom_classes for b in buttons)
    last = demo.presets[-1]
    demo.preset(demo.presets[0])
    buttons[-1].click()
    assert demo.values == pytest.approx(demo.PRESETS[last]) and demo.message.value == ""


def check_saturated(demo):
    assert demo.slope_point.get_ydata()[0] == pytest.approx(1 - math.tanh(3.0) ** 2, rel=1e-12)


def check_vanishing_flow(demo):
    tops = np.array([b.get_y() + b.get_height() for b in visible(demo.bars)])
    assert np.allclose(tops, reference_layer_gradients(demo), rtol=1e-9) and tops[0] < tops[-1] / 1e3


def check_confident_and_wrong(demo):
    z = np.array([4.0, -1.0, 0.0, -1.0])
    probs = np.exp(z) / np.exp(z).sum()
    assert np.allclose([b.get_height() for b in demo.grad_bars], probs - [0, 1, 0, 0])


def check_assignment_net(demo):
    assert count_network(demo.ax) == (3 + 5 + 2 + 4, 3 * 5 + 5 * 2 + 2 * 4)
    assert demo.ax.get_title() == "3 → 5 → 2 → 4: 44 parameters"


def check_no_momentum(demo):
    assert np.allclose(line(demo, "SGDW"), line(demo, "SGD + L2"), atol=1e-12)
    expected = reference_path(lambda ps: torch.optim.SGD(ps, lr=0.05), 80, 0.05, 0.5, l2_in_loss=True)
    assert np.allclose(line(demo, "SGD + L2"), expected, atol=1e-10)


def check_decoupled_vs_l2(demo):
    assert np.abs(line(demo, "SGDW") - line(demo, "SGD + L2")).max() > 0.1
    assert np.abs(line(demo, "AdamW") - line(demo, "Adam + L2")).max() > 0.1


def check_exploding_gain(demo):
    assert np.allclose(demo.std_line.get_ydata(), demo.stds) and demo.stds[-1] > 1000


def check_recommended_tanh(demo):
    assert 0.3 < demo.stds[-1] < 3 and demo.values["gain"] == round(5 / 3, 2)


def check_scaled_and_shifted(demo):
    assert np.allclose(demo.centre["after"].get_data()[1], 1.0, atol=1e-4)
    assert np.allclose([seg[1][1] - seg[0][1] for seg in demo.spread["after"].get_segments()], 4.0, rtol=1e-3)


def check_affine_off(demo):
    assert [b.get_width() for b in demo.count_bars] == [33, 0]


def check_twin_units(demo):
    h = demo.hidden_points.get_offsets()
    assert np.allclose(h[:, 0], h[:, 1]) and np.allclose(demo.wrong.get_offsets(), [[1.0, 1.0]])


def check_exploding_rnn(demo):
    t, g = demo.line.get_data()
    assert np.allclose(g, 1.1 ** (100 - t), rtol=1e-9)


def check_clipped_rnn(demo):
    assert demo.unclipped.get_visible() and np.allclose(demo.line.get_ydata(), 1.0)


PRESET_CHECKS = [("saturation", "saturated", check_saturated), ("gradient_flow", "vanishing", check_vanishing_flow),
                 ("softmax_cross_entropy", "confident and wrong", check_confident_and_wrong),
                 ("mlp", "3 → 5 → 2 → 4", check_assignment_net), ("optimizers", "no momentum", check_no_momentum),
                 ("optimizers", "decoupled vs L2", check_decoupled_vs_l2),
                 ("init_gain_demo", "exploding", check_exploding_gain),
                 ("init_gain_demo", "tanh, recommended", check_recommended_tanh),
                 ("batchnorm", "scaled and shifted", check_scaled_and_shifted), ("batchnorm", "affine off", check_affine_off),
                 ("xor", "twin units", check_twin_units), ("rnn_gradients", "exploding", check_exploding_rnn),
                 ("rnn_gradients", "clipped", check_clipped_rnn)]


@pytest.mark.parametrize("name,preset,check", PRESET_CHECKS, ids=[f"{n}-{p}" for n, p, _ in PRESET_CHECKS])
def test_preset_draws_the_state_it_names(demos, name, preset, check):
    check(demos[name].preset(preset))


# ----- 1. saturation


def test_saturation_shows_the_point_tangent_and_derivative_of_tanh(demos):
    demo = demos["saturation"].set(function="tanh", z=2.0)
    t, slope = math.tanh(2.0), 1 - math.tanh(2.0) ** 2
    assert np.allclose(demo.point.get_data(), [[2.0], [t]])
    assert np.allclose(demo.slope_point.get_data(), [[2.0], [slope]])
    (x0, x1), (y0, y1) = demo.tangent.get_data()
    assert math.isclose((y1 - y0) / (x1 - x0), slope, rel_tol=1e-9), "the tangent's slope is tanh'(z)"
    assert math.isclose(y0 + slope * (2.0 - x0), t, rel_tol=1e-9), "the tangent touches the curve at z"
    x, y = demo.curve.get_data()
    assert np.allclose(y, np.tanh(x))
    assert f"{slope:.4f}" in demo.text
    demo.set(z=5.0)
    assert demo.slope_point.get_data()[1][0] < 1e-3, "far from 0 tanh saturates"


def test_saturation_sigmoid_derivative_is_s_times_one_minus_s(demos):
    demo = demos["saturation"].set(function="sigmoid", z=-1.0)
    x, d = demo.slope_curve.get_data()
    s = 1 / (1 + np.exp(-x))
    assert np.allclose(d, s * (1 - s)) and d.max() <= 0.25 + 1e-12
    demo.set(function="tanh", z=1.0)


# ----- 2. gradient flow


def reference_layer_gradients(demo):
    """Mean |∂L/∂W| per layer from an nn.Sequential with the demo's weights and .backward()."""
    v = demo.values
    layers = []
    for w in demo.weights[: v["depth"]]:
        linear = nn.Linear(w.shape[1], w.shape[0], bias=False).to(w.device, torch.float64)
        with torch.no_grad():
            linear.weight.copy_(w)
        act = getattr(nn, v["activation"])().to(w.device, torch.float64).eval()
        layers += [linear, act]
    net = nn.Sequential(*layers)
    x = demo.inputs * v["scale"]
    (net(x).sum() / x.shape[0]).backward()
    return np.array([m.weight.grad.abs().mean().item() for m in net if isinstance(m, nn.Linear)])


@pytest.mark.parametrize("activation,depth,scale", [("Tanh", 6, 1.0), ("Sigmoid", 10, 1.0), ("ReLU", 3, 10.0),
                                                    ("SELU", 12, 0.1)])
def test_gradient_flow_bars_are_the_mean_abs_weight_gradient_per_layer(demos, activation, depth, scale):
    demo = demos["gradient_flow"].set(activation=activation, depth=depth, scale=scale)
    bars = visible(demo.bars)
    assert len(bars) == depth
    tops = np.array([b.get_y() + b.get_height() for b in bars])
    assert np.allclose(tops, reference_layer_gradients(demo), rtol=1e-9)
    assert [b.get_x() + b.get_width() / 2 for b in bars] == list(range(1, depth + 1))


def test_gradient_flow_sigmoid_starves_the_first_layers_and_saturated_tanh_caps_deeper_layers(demos):
    demo = demos["gradient_flow"].set(activation="Sigmoid", depth=10, scale=1.0)
    g = demo.layer_gradients
    assert g[0] < g[-1] / 1e3
    lo, hi = demo.ax.get_ylim()
    assert lo <= g.min() and g.max() <= hi, "the log axis holds every bar"
    relu = [demo.set(activation="ReLU", depth=6, scale=s).layer_gradients for s in (1.0, 100.0)]
    assert np.allclose(relu[1], 100 * relu[0], rtol=1e-9), "a ReLU net is positively homogeneous"
    tanh = [demo.set(activation="Tanh", depth=6, scale=s).layer_gradients for s in (1.0, 100.0)]
    assert np.all(tanh[1][1:] < 2 * tanh[0][1:]), "saturated tanh outputs stay in [−1, 1]"


# ----- 3. softmax and cross-entropy


@pytest.mark.parametrize("logits,weights", [((2.0, 1.0, 0.0, -1.0), (0, 1, 0, 0)),
                                            ((-3.0, 4.5, 0.2, 0.2), (0.0, 0.75, 0.0, 0.25)),
                                            ((1.0, 1.0, 1.0, 1.0), (0.0, 0.0, 0.0, 0.0))])
def test_softmax_bars_show_probabilities_target_and_gradient(demos, logits, weights):
    demo = demos["softmax_cross_entropy"]
    demo.set(**{f"z{k + 1}": v for k, v in enumerate(logits)}, **{f"p{k + 1}": v for k, v in enumerate(weights)})
    z, w = np.array(logits), np.array(weights, dtype=float)
    probs = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    p = w / w.sum() if w.sum() else np.full(4, 0.25)
    assert np.allclose([b.get_height() for b in demo.prob_bars], probs)
    assert np.allclose([b.get_height() for b in demo.target_bars], p)
    assert np.allclose([b.get_height() for b in demo.grad_bars], probs - p), "∂CE/∂z = ŷ − p (signed heights)"
    loss = -(p * np.log(probs)).sum()
    assert math.isclose(demo.loss, loss, rel_tol=1e-9) and f"cross-entropy = {loss:.4f}" in demo.text


# ----- 4. the MLP


@pytest.mark.parametrize("inputs,hidden,outputs,bias", [(4, (6, 3, 0), 2, True), (3, (0, 0, 0), 1, True),
                                                        (8, (8, 8, 8), 8, False), (2, (0, 5, 0), 3, True)])
def test_mlp_draws_every_unit_and_weight_and_counts_parameters(demos, inputs, hidden, outputs, bias):
    demo = demos["mlp"]
    demo.set(inputs=inputs, hidden1=hidden[0], hidden2=hidden[1], hidden3=hidden[2], outputs=outputs, bias=bias)
    sizes = [inputs, *[h for h in hidden if h], outputs]
    assert demo.sizes == sizes
    weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
    params = weights + (sum(sizes[1:]) if bias else 0)
    assert count_network(demo.ax) == (sum(sizes), weights)
    assert demo.ax.get_title().endswith(f": {params} parameters")
    assert f"= {params}" in demo.text
    assert visible(demo.fig.axes) == [demo.ax], "one diagram shown at a time"


def test_mlp_reuses_the_diagram_of_an_architecture_seen_before(demos):
    demo = demos["mlp"].set(inputs=4, hidden1=6, hidden2=3, hidden3=0, outputs=2, bias=True)
    first = demo.ax
    demo.set(hidden2=5)
    assert demo.ax is not first
    demo.set(hidden2=3)
    assert demo.ax is first and count_network(first) == (15, 48)


# ----- 5. optimizers


def reference_path(make, steps, lr, wd, l2_in_loss=False):
    """Positions of a torch.optim optimizer on the demo's quadratic, gradient by autograd."""
    a, c = torch.tensor(A), torch.tensor(CENTRE)
    p = torch.tensor(START, requires_grad=True)
    opt = make([p])
    path = [p.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        loss = 0.5 * (p - c) @ a @ (p - c) + (0.5 * wd * (p @ p) if l2_in_loss else 0.0)
        loss.backward()
        opt.step()
        path.append(p.detach().clone())
    return torch.stack(path).numpy()


def line(demo, label):
    return np.array(demo.lines[[r[0] for r in RUNS].index(label)].get_data()).T


def test_optimizer_lines_match_torch_optim_driven_by_autograd(demos):
    lr, mom, b1, b2, wd, steps = 0.05, 0.8, 0.85, 0.99, 0.4, 40
    demo = demos["optimizers"].set(lr=lr, momentum=mom, beta1=b1, beta2=b2, weight_decay=wd, steps=steps)
    expected = {
        "SGD": reference_path(lambda ps: torch.optim.SGD(ps, lr=lr, momentum=mom), steps, lr, wd),
        "SGD + L2": reference_path(lambda ps: torch.optim.SGD(ps, lr=lr, momentum=mom), steps, lr, wd, l2_in_loss=True),
        "Adam": reference_path(lambda ps: torch.optim.Adam(ps, lr=lr, betas=(b1, b2)), steps, lr, wd),
        "Adam + L2": reference_path(lambda ps: torch.optim.Adam(ps, lr=lr, betas=(b1, b2), weight_decay=wd), steps, lr, wd),
        "AdamW": reference_path(lambda ps: torch.optim.AdamW(ps, lr=lr, betas=(b1, b2), weight_decay=wd), steps, lr, wd),
    }
    for label, path in expected.items():
        assert line(demo, label).shape == (steps + 1, 2)
        assert np.allclose(line(demo, label), path, atol=1e-10), label
    assert np.allclose(line(demo, "SGDW")[0], START)


def test_sgdw_equals_sgd_with_l2_only_without_momentum(demos):
    demo = demos["optimizers"].set(lr=0.05, momentum=0.0, weight_decay=0.5, steps=30)
    assert np.allclose(line(demo, "SGDW"), line(demo, "SGD + L2"), atol=1e-12)
    demo.set(momentum=0.9)
    assert np.abs(line(demo, "SGDW") - line(demo, "SGD + L2")).max() > 1e-3
    demo.set(weight_decay=0.0)
    assert np.allclose(line(demo, "SGDW"), line(demo, "SGD")) and np.allclose(line(demo, "AdamW"), line(demo, "Adam"))
    demo.set(steps=7)
    assert all(len(ln.get_xdata()) == 8 for ln in demo.lines)


# ----- 6. init gain


def test_init_gain_std_line_matches_an_nn_sequential_with_the_same_weights(demos):
    demo = demos["init_gain_demo"].set(nonlinearity="tanh", gain=1.3, depth=5)
    layers = []
    for w in demo.unit_weights[:5]:
        linear = nn.Linear(w.shape[1], w.shape[0], bias=False).to(w.device)
        with torch.no_grad():
            linear.weight.copy_(w * 1.3)
        layers.append(nn.Sequential(linear, nn.Tanh()))
    h, stds = demo.inputs, []
    with torch.no_grad():
        for layer in layers:
            h = layer(h)
            stds.append(h.std().item())
    x, y = demo.std_line.get_data()
    assert list(x) == [1, 2, 3, 4, 5]
    assert np.allclose(y, stds, rtol=1e-4)
    shown = visible(demo.hist_lines)
    assert len(shown) == 5
    counts, _ = np.histogram(h.cpu().numpy().ravel(), bins=np.linspace(-3, 3, 61))  # the last layer's
    assert np.allclose(shown[-1].get_ydata(), 5 + 0.9 * counts / counts.max(), atol=1e-5)
    for i, ln in enumerate(shown):  # layer i's histogram sits on the baseline i + 1, its peak at i + 1.9
        assert math.isclose(ln.get_ydata().min(), i + 1, abs_tol=0.01) and math.isclose(ln.get_ydata().max(), i + 1.9, abs_tol=1e-6)


def test_init_gain_too_small_shrinks_too_large_explodes_and_the_recommended_gain_holds(demos):
    demo = demos["init_gain_demo"].set(nonlinearity="linear", gain=1.0, depth=12)
    assert np.all((demo.stds > 0.8) & (demo.stds < 1.25))
    stds = demo.set(nonlinearity="tanh", gain=0.5).stds
    assert np.all(np.diff(stds) < 0) and stds[-1] < 0.01
    assert demo.set(nonlinearity="relu", gain=3.0).stds[-1] > 1000
    demo.recommend()
    assert demo.values["gain"] == round(torch.nn.init.calculate_gain("relu"), 2)
    assert 0.3 < demo.stds[-1] < 3
    lo, hi = demo.ax_std.get_ylim()
    assert lo <= demo.stds.min() and demo.stds.max() <= hi


# ----- 7. batch norm


@pytest.mark.parametrize("channels,affine,gamma,beta", [(1, True, 1.0, 0.0), (3, True, 2.0, -1.0),
                                                        (16, False, 1.0, 0.0), (5, False, 2.5, 1.5)])
def test_batchnorm_counts_parameters_and_buffers_and_normalises_each_channel(demos, channels, affine, gamma, beta):
    demo = demos["batchnorm"].set(channels=channels, affine=affine, gamma=gamma, beta=beta)
    buffers, params = (b.get_width() for b in demo.count_bars)
    assert params == (2 * channels if affine else 0), "γ and β: one each per channel"
    assert buffers == 2 * channels + 1, "running mean and variance per channel, and the batch counter"
    assert demo.controls["gamma"].disabled is (not affine)
    x = demo.batch[:, :channels].transpose(0, 1).reshape(channels, -1)
    ks, means = demo.centre["before"].get_data()
    assert np.allclose(ks, np.arange(1, channels + 1) - 0.15)
    assert np.allclose(means, x.mean(1).cpu().numpy(), atol=1e-5)
    g, b = (gamma, beta) if affine else (1.0, 0.0)
    assert np.allclose(demo.centre["after"].get_data()[1], b, atol=1e-4)
    spans = [seg[1][1] - seg[0][1] for seg in demo.spread["after"].get_segments()]
    assert np.allclose(spans, 2 * g, rtol=1e-3), "after: std γ in every channel (up to eps)"
    assert demo.dots_after.get_visible() is (channels >= 2)
    if channels >= 2:
        assert demo.dots_after.get_offsets().shape == (BATCH * SIDE ** 2, 2)


# ----- 8. XOR


def xor_outputs(w, v):
    hidden = np.maximum(POINTS @ np.asarray(w).T, 0)
    return hidden @ np.asarray(v)


def test_xor_default_weights_get_three_points_and_mark_the_wrong_one(demos):
    demo = demos["xor"].set(w11=1.0, w12=0.0, w21=0.0, w22=1.0, v1=1.0, v2=1.0)
    assert np.allclose(demo.wrong.get_offsets(), [[1.0, 1.0]])
    assert demo.text.startswith("3/4 correct")
    assert np.allclose(demo.hidden_points.get_offsets(), np.maximum(POINTS, 0))


def test_xor_regions_and_marks_follow_the_weights_of_a_solution_found_by_search(demos):
    grid = [-1.0, 0.0, 1.0]
    solution = next((w, v) for *wf, v1, v2 in itertools.product(grid, repeat=6)
                    for w, v in [((wf[:2], wf[2:]), (v1, v2))]
                    if np.array_equal(xor_outputs(w, v) > 0.5, LABELS == 1))
    (w11, w12), (w21, w22) = solution[0]
    demo = demos["xor"].set(w11=w11, w12=w12, w21=w21, w22=w22, v1=solution[1][0], v2=solution[1][1])
    assert len(demo.wrong.get_offsets()) == 0 and demo.text.startswith("4/4 correct")
    axis = np.linspace(*EXTENT, GRID)
    xs, ys = np.meshgrid(axis, axis)
    hidden = np.maximum(np.stack([xs.ravel(), ys.ravel()], 1) @ np.asarray(solution[0]).T, 0)
    expected = hidden @ np.asarray(solution[1]) > 0.5
    drawn = np.asarray(demo.regions.get_array()).reshape(-1, 4)  # RGBA bytes: class 1 in the second colour
    assert np.array_equal(drawn, REGION_RGBA[expected.astype(int)])
    assert not np.array_equal(REGION_RGBA[0], REGION_RGBA[1])
    demo.set(v1=0.0, v2=0.0)
    assert np.allclose(demo.wrong.get_offsets(), POINTS[LABELS == 1]), "all-zero output says class 0"


# ----- 9. RNN


def test_rnn_identity_gradient_is_a_power_of_w_and_clipping_caps_it(demos):
    demo = demos["rnn_gradients"].set(activation="identity", w=0.8, length=30, clip=False)
    t, g = demo.line.get_data()
    assert list(t) == list(range(1, 31))
    assert np.allclose(g, 0.8 ** (30 - t), rtol=1e-9), "∂h_T/∂h_t = w^(T−t) without a nonlinearity"
    assert not demo.unclipped.get_visible()
    demo.set(w=1.5, clip=True, threshold=10.0)
    t, g = demo.line.get_data()
    assert np.allclose(g, np.minimum(1.5 ** (30 - t), 10.0), rtol=1e-9), "clamped at every step"
    assert demo.unclipped.get_visible() and np.nanmax(demo.unclipped.get_ydata()) > 1e4
    lo, hi = demo.ax.get_ylim()
    assert lo <= g.min() and np.nanmax(demo.unclipped.get_ydata()) <= hi


def test_rnn_tanh_gradients_vanish_backwards_and_match_autograd_on_an_unrolled_loop(demos):
    demo = demos["rnn_gradients"].set(activation="tanh", w=0.9, length=50, clip=False)
    x = demo.inputs[:50].cpu()
    w = torch.tensor(0.9, dtype=torch.float64)
    h0 = torch.zeros(x.shape[1], dtype=torch.float64, requires_grad=True)
    hs, h = [], h0
    for xt in x:
        h = torch.tanh(w * h + xt)
        h.retain_grad()
        hs.append(h)
    h.sum().backward()
    expected = np.array([s.grad.abs().mean().item() for s in hs])
    assert np.allclose(demo.line.get_ydata(), expected, rtol=1e-9)
    assert expected[0] < 1e-3 * expected[-1]


def test_a_value_off_the_stops_is_a_stop_of_its_own_or_a_clear_message():
    from dlcourse.lectures import optimizers
    demo = optimizers(lr=0.07)
    assert demo.values["lr"] == 0.07 and demo.set(lr=0.05).values["lr"] == 0.05
    with pytest.raises(ValueError, match=r"lr moves over fixed stops from 0.001 to 1; 0.071 is not one of them"):
        demo.set(lr=0.071)
    with pytest.raises(ValueError, match=r"learning rate goes from 0.001 to 1; 5 is outside"):
        optimizers(lr=5)
