"""01_tensors and 03_saturation: every number the markdown quotes (statements, recaps, model answers,
rubrics) is what the code computes, and each claim the text makes about an outcome holds. Each number is
read from the cell that quotes it, found by its grade id, and recomputed here by another route: torch
modules, autograd, closed forms, bisection; the notebook's own code only where the text describes what
that code sets up or prints, and the reference answers where the text states them.

Not checked, because they are inputs and not outcomes: the sizes and values a statement sets for an
example or a task (x of shape (6000, 28, 28), vectors of three entries, nn.Linear(2, 3), x = (10, 20)
and (1, -1), four layers of weight 1 at x = 100, three layers, 200 inputs, seed 11, three or five decimal
places, the interval [-6, 6] and 100 points of a plot, the tolerances 0.01 and 10^-6 of Task 2.2's answer),
the study times of the introductions, and what only a GPU shows (Task 3.1 A and D of 01: cudnn's
deterministic algorithms can be slower, a CPU and a GPU run need not agree bit for bit)."""
import contextlib
import functools
import io
import math
import re
from fractions import Fraction

import matplotlib
import pytest
import torch
from conftest import cell_source, quoted, quoted_with_one_changed, reference_namespace, source_notebook
from conftest import markdown_cell as markdown
from torch import nn

matplotlib.use("Agg")

WORDS = {"three": 3}


def fraction(value):
    """A number that should be a simple fraction, written `p/q` (or `p`)."""
    return str(Fraction(value).limit_denominator(100))


GRID = torch.linspace(-10.0, 10.0, 20_001, dtype=torch.float64)  # 0 and ±10 included


def derivative_on_grid(f, grid=GRID):
    """f' by autograd at every point of the grid."""
    return torch.func.vmap(torch.func.grad(f))(grid)


# ---------------------------------------------------------------- 01: what the code computes

@functools.cache
def ns01():
    return reference_namespace("01_tensors", "answers")


X01 = torch.empty(6000, 28, 28, device="meta")  # the statement's x: a shape, no values


def sum_grads(x, layer=None):
    """(ds/dW, ds/db) of s = layer(x).sum() by autograd through nn.Linear (2 -> 3 unless given)."""
    layer = layer or nn.Linear(x.shape[1], 3).double()
    layer(x).sum().backward()
    return layer.weight.grad, layer.bias.grad


def one_input(x):
    """For the batch of one input `x`: (the row every row of ds/dW equals, ds/db), as the notebook writes them."""
    dW, db = sum_grads(torch.tensor([x], dtype=torch.float64))
    assert torch.equal(dW, dW[0].expand_as(dW))
    return tuple(f"{float(v):g}" for v in dW[0]), tuple(f"{float(v):g}" for v in db)


QUOTES = [
    ("01_tensors", "reshape_md", r"$6000 \cdot 28 \cdot 28 = {}\,{}\,{}$ entries",
     lambda: tuple(f"{X01.numel():,}".split(","))),
    ("01_tensors", "written_linear_grads", r"For one input $x = (10, 20)$ every row is $({}, {})$ and "
     r"$\partial s/\partial b = ({}, {}, {})$",
     lambda: sum(one_input([10.0, 20.0]), ())),
    ("01_tensors", "written_linear_grads", "for $x = (1, -1)$ every row is $({}, {})$.",
     lambda: one_input([1.0, -1.0])[0]),
    ("01_tensors", "written_lr_bound", "at {} times the bound the top component's factor is ${}$",
     lambda: ("0.99", f"{top_factor(0.99):.2f}")),
    ("01_tensors", "written_lr_bound", "At {} times the bound the top factor is ${}$: that component grows by {}% per step",
     lambda: ("1.01", f"{top_factor(1.01):.2f}", f"{100 * (abs(top_factor(1.01)) - 1):.0f}")),
]


def top_factor(fraction_of_bound):
    """1 - eta * lambda_max for eta = fraction * 2 / lambda_max: the top eigenvector's factor per step."""
    return 1 - fraction_of_bound * 2


@functools.cache
def demo_data():
    """The inputs and targets that Task 6.3's demonstration makes (seed 6), on the CPU."""
    ns = {"torch": torch, "generator": ns01()["generator"], "DEVICE": "cpu"}
    exec(cell_source(source_notebook("01_tensors"), "lr_demo").split("bound = ")[0], ns)
    return ns["x_demo"], ns["t_demo"]


# ---------------------------------------------------------------- 03: what the code computes

@functools.cache
def ns03():
    """The reference answers of 03 and the chart's values (seed 11), printed output swallowed."""
    with contextlib.redirect_stdout(io.StringIO()):
        ns = reference_namespace("03_saturation", [
            "tanh_prime", "saturation_threshold", "chain_grads", "x100_grads", "activations",
            "mean_first_layer_grad", "search_chart", "best_activation"])
    matplotlib.pyplot.close("all")
    return ns


def tanh_prime(z):
    """tanh'(z) = 1 / cosh(z)^2, in float64 (math), no formula from the notebook."""
    return 1 / math.cosh(z) ** 2


def threshold(eps):
    """z*(eps): where tanh' falls below eps, by bisection (no closed form)."""
    lo, hi = 0.0, 60.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if tanh_prime(mid) > eps else (lo, mid)
    return (lo + hi) / 2


def tail(z):
    """(c, k) such that tanh'(z) = c e^{k z} near z: k from the slope of log tanh', then c."""
    k = round(math.log(tanh_prime(z + 1)) - math.log(tanh_prime(z)))
    return round(tanh_prime(z) * math.exp(-k * z)), k


def chain(x, weights, act):
    """d out / d w_k for out = a(w_n ... a(w_1 x)), by torch.autograd.functional.jacobian (float64)."""
    def out(w):
        h = torch.tensor(float(x), dtype=torch.float64)
        for k in range(len(w)):
            h = act(w[k] * h)
        return h
    return torch.autograd.functional.jacobian(out, torch.tensor(weights, dtype=torch.float64))


def later_preactivations(x=100.0, n=4):
    """z_2, ..., z_n of the tanh chain with all weights 1: each is tanh of the one before."""
    z = [x]
    for _ in range(n - 1):
        z.append(math.tanh(z[-1]))
    return z[1:]


@functools.cache
def experiment(name, seed=11):
    """Section 4 with the task's draws: (the 200 inputs, each one's |d out / d w1|), all inputs at once;
    input by input for RReLU, whose slopes are drawn per negative input."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        act = getattr(nn, name)()
        for _ in range(3):
            nn.Linear(1, 1, bias=False)
        x = torch.randn(200)
        rows = x[:, None] if name == "RReLU" else x[None]
        grads = []
        for row in rows:
            w1 = torch.ones_like(row, requires_grad=True)
            (g,) = torch.autograd.grad(act(act(act(w1 * row))).sum(), w1)
            grads.append(g.abs())
    return x, torch.cat(grads)


def means():
    return {name: float(experiment(name)[1].double().mean()) for name in ns03()["ACTIVATIONS"]}


def ranking():
    """The 17 activations, largest mean gradient first."""
    m = means()
    return sorted(m, key=m.get, reverse=True)


@functools.cache
def tanh_peak():
    """(where tanh' is largest on the grid, its value there), by autograd."""
    slopes = derivative_on_grid(torch.tanh)
    return round(float(GRID[slopes.argmax()]), 6) + 0.0, float(slopes.max())  # + 0.0: no -0


@functools.cache
def sigmoid_slope():
    return float(derivative_on_grid(torch.sigmoid).max())


QUOTES += [
    ("03_saturation", "intro", "measure, for {} PyTorch activations", lambda: (str(len(ns03()["ACTIVATIONS"])),)),
    ("03_saturation", "tanh_prime_md", "The derivative is largest at $z = {}$, where it equals {}, and",
     lambda: tuple(f"{v:g}" for v in tanh_peak())),
    ("03_saturation", "tanh_prime_md", "for large $|z|$ it behaves like ${} e^{{}|z|}$",
     lambda: tuple(map(str, tail(10.0)))),
    ("03_saturation", "saturation_md", r"$\tanh'$ is almost zero for $|z|$ beyond about {}. We say",
     lambda: (f"{threshold(0.01):.0f}",)),
    ("03_saturation", "written_saturation", r"\approx \tfrac12 \ln({}/\varepsilon)$",
     lambda: (f"{1e-12 * math.exp(2 * threshold(1e-12)):.0f}",)),
    ("03_saturation", "written_saturation", r"already at $|z| \approx {}$ the derivative is below 0.01, at "
     r"$|z| \approx {}$ below $10^{-6}$", lambda: (f"{threshold(0.01):.0f}", f"{threshold(1e-6):.1f}")),
    ("03_saturation", "written_saturation", "(or concrete values like {} and {})",
     lambda: (f"{threshold(0.01):.0f}", f"{threshold(1e-6):.1f}")),
    ("03_saturation", "search_md", r"$\tanh'(100) \approx {}e^{{}}$",
     lambda: (str(tail(100.0)[0]), str(100 * tail(100.0)[1]))),
    ("03_saturation", "search_md", r"where $\tanh'$ is between {} and {}, and each extra layer",
     lambda: (f"{math.floor(10 * min(map(tanh_prime, later_preactivations()))) / 10:g}",
              f"{math.ceil(10 * max(map(tanh_prime, later_preactivations()))) / 10:g}")),
    ("03_saturation", "search_md", "so every weight gets the same gradient ${}$.",
     lambda: tuple({f"{v:g}" for v in chain(100.0, [1.0] * 4, torch.relu).tolist()})),
    ("03_saturation", "search_md", "For seed 11 and `Tanh` the mean, rounded to 5 places, is `{}`.",
     lambda: (f"{means()['Tanh']:.5f}",)),
    ("03_saturation", "search_chart_md", "runs your function for all {} activations with seed 11",
     lambda: (str(len(ns03()["search_values"])),)),
    ("03_saturation", "search_discussion", "`{}` wins, and it is a warning", lambda: (ranking()[0],)),
    ("03_saturation", "search_discussion", r"$\mathrm{Hardshrink}(z) = z$ for $|z| > {}$ and $0$ otherwise",
     lambda: (f"{nn.Hardshrink().lambd:g}",)),
    ("03_saturation", "search_discussion", "an input with $|x| > {}$ passes through the three layers",
     lambda: (f"{nn.Hardshrink().lambd:g}",)),
    ("03_saturation", "search_discussion", r"inputs with $|x| \le {}$ get no gradient at all",
     lambda: (f"{nn.Hardshrink().lambd:g}",)),
    ("03_saturation", "search_discussion", r"`{}` comes next because it multiplies positive inputs by "
     r"$\lambda \approx {}$ at every layer",
     lambda: (ranking()[1], f"{float(torch.func.grad(torch.selu)(torch.tensor(1.0, dtype=torch.float64))):.2f}")),
    ("03_saturation", "search_discussion", r"`{}` is last by far: $\sigma' \le {}$, and three such factors "
     r"leave less than ${}$ of the signal",
     lambda: (ranking()[-1], fraction(sigmoid_slope()), fraction(sigmoid_slope() ** WORDS["three"]))),
    ("03_saturation", "written_vanishing", r"For the sigmoid $\sigma' \le {}$ and for tanh $\tanh' \le {}$",
     lambda: (fraction(sigmoid_slope()), fraction(tanh_peak()[1]))),
    ("03_saturation", "written_vanishing", r"$\sigma' \le {}$ / saturation", lambda: (fraction(sigmoid_slope()),)),
]


@pytest.mark.parametrize("aid,gid,quote,compute", QUOTES, ids=[f"{q[1]}:{q[2][:40]}" for q in QUOTES])
def test_every_quoted_number_is_what_the_code_computes(aid, gid, quote, compute):
    said, computed = quoted(aid, gid, quote), tuple(compute())
    assert said == computed, f"{aid}/{gid} says {said} where the code computes {computed}: {quote!r}"


@pytest.mark.parametrize("aid,gid,quote,compute", QUOTES, ids=[f"{q[1]}:{q[2][:40]}" for q in QUOTES])
def test_each_quote_fails_when_one_of_its_numbers_is_changed(aid, gid, quote, compute):
    """The check above is not vacuous: the same quote with any one number changed no longer agrees."""
    computed = tuple(compute())
    assert all(tokens != computed for tokens in quoted_with_one_changed(aid, gid, quote))


# ---------------------------------------------------------------- rubrics

WRITTEN = [(aid, cell.metadata.nbgrader["grade_id"]) for aid in ("01_tensors", "03_saturation")
           for cell in source_notebook(aid).cells
           if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("grade")]


@pytest.mark.parametrize("aid,gid", WRITTEN, ids=[gid for _, gid in WRITTEN])
def test_each_rubric_gives_the_cells_points_and_its_parts_add_up_to_them(aid, gid):
    """`*Rubric (N points):*` is the cell's nbgrader points, and its `x for ...` parts sum to N."""
    cell = next(c for c in source_notebook(aid).cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)
    rubric = re.search(r"\*Rubric \((\d+) points?\):\*(.*)", markdown(aid, gid))
    assert rubric and int(rubric.group(1)) == cell.metadata.nbgrader["points"], (aid, gid)
    parts = [Fraction(p) for p in re.findall(r"(?:^ |; )(\d+(?:\.\d+)?) for ", rubric.group(2))]
    assert len(parts) >= 2 and sum(parts) == int(rubric.group(1)), (aid, gid, parts)
    for part, count, each in re.findall(r"(?:^ |; )(\d+) for at least (\w+) [^;]*?\((\d+/\d+) point each\)",
                                        rubric.group(2)):
        assert WORDS[count] * Fraction(each) == Fraction(part), (aid, gid, part, count, each)


# ---------------------------------------------------------------- 01: the claims around the numbers

def test_reshape_keeps_the_entries_and_a_bad_shape_raises_a_runtime_error():
    """reshape_md: -1 is the entries over the other sides; no valid shape raises RuntimeError, not ValueError."""
    text = markdown("01_tensors", "reshape_md")
    assert "PyTorch raises a `RuntimeError` (not a `ValueError`)" in text
    assert X01.reshape(-1, 14, 32, 7).shape[0] == X01.numel() // (14 * 32 * 7)
    with pytest.raises(RuntimeError) as raised:
        X01.reshape(-1, 9)
    assert not isinstance(raised.value, ValueError)
    assert "`shape` may be `()` (a 0-dim tensor, one entry) or hold a 0 (a tensor with no entries)" in text
    assert torch.empty(()).numel() == 1 and torch.empty(0, 3).numel() == 0


def test_len_is_the_first_side_and_indexing_drops_it():
    """len_md: len(x) is x's first side, x[i] has the other sides; the reference answer is torch's shape."""
    assert "`len` of a tensor is the size of its first dimension, and `x[i]` drops the first dimension" in \
        markdown("01_tensors", "len_md")
    assert len(X01) == X01.shape[0] and X01[1].shape == X01.shape[1:]
    assert ns01()["len_reshape_shape"](tuple(X01.shape)) == tuple(X01.reshape(len(X01[1]), len(X01), len(X01[2])).shape)


def test_devices_never_mix_but_for_a_zero_dim_cpu_tensor_and_task_2_1s_answer_is_what_runs():
    """device_md: with a on another device (the GPU, else `meta`), the options that add are A and C."""
    assert "(a 0-dimensional CPU tensor is the one exception)" in markdown("01_tensors", "device_md")
    other = "cuda" if torch.cuda.is_available() else "meta"
    a, b = torch.arange(3.0, device=other), torch.ones(3)
    to_cpu = (lambda t: t.to("cpu")) if other == "cuda" else (lambda t: torch.zeros(t.shape))  # meta holds no values
    options = {"A": lambda: a + b.to(other), "B": lambda: a + b, "C": lambda: to_cpu(a) + b, "D": lambda: a + b.numpy()}

    def adds(option):
        try:
            return options[option]().shape == (3,)
        except (RuntimeError, TypeError):
            return False

    assert {k for k in options if adds(k)} == set(ns01()["device_options"]) == {"A", "C"}
    assert (a + torch.tensor(1.0)).device.type == other
    # Task 2.2: on `meta` only the device asked for is right, so code that ignores `device` fails anywhere
    assert ns01()["add_on"](b, b, torch.device("meta")).device.type == "meta" != (b + b).device.type


def test_a_seed_fixes_the_draws_that_follow_not_each_draw():
    """seed_md: manual_seed replays the same draws; two draws after one seed differ (Task 3.1 B is false)."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        first, second = torch.rand(1), torch.rand(1)
        torch.manual_seed(0)
        again = torch.rand(1)
    assert torch.equal(first, again) and not torch.equal(first, second)
    assert "B" not in ns01()["seed_options"] and "C" in ns01()["seed_options"]


def test_nn_linear_stores_out_by_in_and_maps_x_to_x_w_transposed_plus_b():
    """linear_md: weight (out, in), bias (out,), Y = X W^T + b, one row of W per output neuron."""
    layer, X = nn.Linear(2, 3).double(), torch.randn(5, 2, dtype=torch.float64)
    assert layer.weight.shape == (3, 2) and layer.bias.shape == (3,)
    assert torch.allclose(layer(X), X @ layer.weight.T + layer.bias)
    assert torch.allclose(layer(X)[:, 1], X @ layer.weight[1] + layer.bias[1])
    assert torch.allclose(ns01()["linear_forward"](X, layer.weight, layer.bias), layer(X))


def test_the_gradient_of_the_sum_is_the_batchs_column_sum_and_the_batch_size_whatever_the_weights():
    """written_linear_grads: ds/dW_ji = sum_k x_ki, ds/db_j = B, the same for any weights and bias."""
    text = markdown("01_tensors", "written_linear_grads")
    assert r"$\partial s / \partial W_{ji} = \sum_k x_{ki}$" in text and r"$\partial s / \partial b_j = B$" in text
    X = torch.randn(5, 2, dtype=torch.float64)
    (dW, db), (dW2, db2) = sum_grads(X), sum_grads(X)  # two layers with their own random weights
    assert torch.allclose(dW, X.sum(0).expand(3, 2)) and torch.equal(db, torch.full((3,), 5.0, dtype=torch.float64))
    assert torch.equal(dW, dW2) and torch.equal(db, db2)
    ours = ns01()["linear_grads"](X, torch.randn(3, 2, dtype=torch.float64), torch.randn(3, dtype=torch.float64))
    assert torch.allclose(ours[0], dW) and torch.allclose(ours[1], db)


def demo_bound(x):
    """2 / lambda_max of the Hessian of the mean squared error of a 1-output layer on x, by autograd."""
    loss = lambda theta: ((x @ theta[:-1] + theta[-1]) ** 2).mean()
    return 2 / float(torch.linalg.eigvalsh(torch.autograd.functional.hessian(loss, torch.zeros(x.shape[1] + 1,
                                                                                                dtype=torch.float64)))[-1])


def sgd_losses(x, t, lr, steps=200):
    """The loss before each step of torch.optim.SGD training nn.Linear from zero."""
    layer = nn.Linear(x.shape[1], t.shape[1]).double()
    nn.init.zeros_(layer.weight), nn.init.zeros_(layer.bias)
    opt, losses = torch.optim.SGD(layer.parameters(), lr=lr), []
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.functional.mse_loss(layer(x), t)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_below_the_bound_the_loss_falls_and_above_it_grows_after_a_few_steps_along_the_top_direction():
    """written_lr_bound: the demonstration's three runs, the top eigenvector, and what standardizing does."""
    x, t = demo_data()
    bound = demo_bound(x)
    assert math.isclose(ns01()["max_stable_lr"](x, 1), bound, rel_tol=1e-9)
    below, above = sgd_losses(x, t, 0.99 * bound), sgd_losses(x, t, 1.01 * bound)
    assert below[-1] < below[0] / 100 and above[-1] > 100 * above[0]
    assert 1 <= above.index(min(above)) <= 5  # "the loss drops for a few steps"
    hessian = 2 / len(x) * torch.cat([x, torch.ones(len(x), 1, dtype=torch.float64)], 1).T @ torch.cat(
        [x, torch.ones(len(x), 1, dtype=torch.float64)], 1)
    assert abs(1 - 1.01 * bound * float(torch.linalg.eigvalsh(hessian)[-2])) < 0.5  # "by more than half"
    ones = torch.cat([x, torch.ones(len(x), 1, dtype=torch.float64)], 1)
    top = torch.linalg.eigh(ones.T @ ones).eigenvectors[:, -1]
    assert int(top.abs().argmax()) == 1 and bool((top > 0).all() or (top < 0).all())
    assert int(x.std(0).argmax()) == 1 and torch.allclose(x.mean(0), torch.full((3,), 2.0, dtype=torch.float64), atol=0.5)
    assert demo_bound((x - x.mean(0)) / x.std(0)) > 10 * bound  # centering and scaling allow a larger rate


# ---------------------------------------------------------------- 03: the claims around the numbers

def test_tanh_prime_by_the_quotient_rule_is_one_minus_tanh_squared():
    """tanh_prime_md: s' = c and c' = s; tanh' = 1 - tanh^2 (autograd), so the backward pass needs only y."""
    grid = torch.linspace(-6, 6, 1201, dtype=torch.float64)
    s, c = lambda z: torch.exp(z) - torch.exp(-z), lambda z: torch.exp(z) + torch.exp(-z)
    assert torch.allclose(derivative_on_grid(s, grid), c(grid)) and torch.allclose(derivative_on_grid(c, grid), s(grid))
    assert torch.allclose(derivative_on_grid(torch.tanh, grid), 1 - torch.tanh(grid) ** 2, atol=1e-15)
    assert torch.allclose(ns03()["tanh_prime"](grid), derivative_on_grid(torch.tanh, grid), atol=1e-15)
    assert float(torch.tanh(torch.tensor([-15.0, 15.0], dtype=torch.float64)).abs().max()) < 1  # into (-1, 1)


def test_the_threshold_separates_saturated_from_unsaturated_and_grows_like_half_log_4_over_eps():
    """saturation_md, written_saturation: tanh' < eps exactly beyond z*; z* ~ ln(4/eps)/2; float32 falls short."""
    grid = torch.linspace(-12, 12, 24_001, dtype=torch.float64)
    for eps in (0.1, 0.01, 1e-3, 1e-6):
        z_star = threshold(eps)
        assert ns03()["saturation_threshold"](eps) == pytest.approx(z_star, rel=1e-9)
        away = (grid.abs() - z_star).abs() > 1e-9
        below = derivative_on_grid(torch.tanh, grid) < eps
        assert torch.equal(below[away], (grid.abs() > z_star)[away])
        assert abs(z_star - 0.5 * math.log(4 / eps)) / z_star < 0.015
        assert threshold(eps / 10) - threshold(eps) == pytest.approx(0.5 * math.log(10), rel=0.025)  # logarithmic
    assert "grows only logarithmically" in markdown("03_saturation", "written_saturation")
    # float32 is not accurate enough for small eps: off by more than the check's 1e-6 at 1e-3, infinite at 1e-9
    f32 = lambda eps: float(torch.atanh(torch.sqrt(1 - torch.tensor(eps, dtype=torch.float32))))
    assert abs(f32(1e-3) / threshold(1e-3) - 1) > 1e-6 and math.isinf(f32(1e-9))


def test_the_chain_rule_formula_is_what_autograd_computes_and_the_checks_try_the_activations_listed():
    """chain_md: dout/dw_k = h_{k-1} a'(z_k) prod_{j>k} w_j a'(z_j); the hidden check's activations are the seven."""
    g = torch.Generator().manual_seed(0)
    for act in (torch.tanh, torch.sigmoid, nn.functional.softplus):
        x, w = 1.3, (torch.rand(5, generator=g, dtype=torch.float64) * 3 - 1.5).tolist()
        h, z = [x], []
        for wk in w:
            z.append(wk * h[-1])
            h.append(float(act(torch.tensor(z[-1], dtype=torch.float64))))
        slope = [float(torch.func.grad(act)(torch.tensor(zk, dtype=torch.float64))) for zk in z]
        formula = [h[k] * slope[k] * math.prod(w[j] * slope[j] for j in range(k + 1, 5)) for k in range(5)]
        assert torch.allclose(chain(x, w, act), torch.tensor(formula, dtype=torch.float64))
        assert torch.allclose(ns03()["chain_grads"](x, w, act), chain(x, w, act))
    listed = re.search(r"The checks try (.*?), with `x`", markdown("03_saturation", "chain_md")).group(1)
    names = {n.strip().lower().replace(" ", "_").removeprefix("the_") for n in re.split(r",| and ", listed)}
    hidden = cell_source(source_notebook("03_saturation"), "test_chain_grads")
    assert names == set(re.findall(r'"(\w+)":', re.search(r"_acts = \{(.*?)\}", hidden, re.S).group(1)))


def test_at_x_100_tanh_loses_the_first_gradient_and_relu_keeps_all_and_the_students_answer_is_wrong():
    """x100_md, search_md: the reference lists are autograd's; tanh' (100) wipes out w1; later factors add up."""
    tanh, relu = (tuple(round(v, 3) for v in chain(100.0, [1.0] * 4, a).tolist()) for a in (torch.tanh, torch.relu))
    assert tuple(ns03()["tanh_grads"]) == tanh and tuple(ns03()["relu_grads"]) == relu
    assert "A student once answered `[1.0, 1.0, 1.0, 1.0]` for tanh and `[0.0, 0.0, 0.0, 0.0]` for ReLU" in \
        markdown("03_saturation", "x100_md")
    assert tanh != (1.0,) * 4 and relu != (0.0,) * 4
    assert tanh[0] == 0.0 and list(tanh) == sorted(tanh) and all(t < r for t, r in zip(tanh, relu))
    assert ns03()["tanh_vanishes_faster"] is True
    z = later_preactivations()
    assert z[0] == pytest.approx(1.0) and all(v <= 1.0 for v in z)  # "inputs of about 1 and below"
    assert bool((derivative_on_grid(torch.relu)[GRID > 0] == 1).all())  # "exactly 1 for positive inputs"


def test_section_4s_draws_are_where_the_statement_says():
    """search_md: an activation draws nothing when built, nn.Linear draws, RReLU draws per negative input."""
    def draws(f):
        with torch.random.fork_rng():
            state = torch.get_rng_state()
            f()
            return not torch.equal(state, torch.get_rng_state())

    assert not any(draws(getattr(nn, name)) for name in ns03()["ACTIVATIONS"])
    assert draws(lambda: nn.Linear(1, 1, bias=False))
    rrelu = nn.RReLU()
    assert rrelu.training and not draws(lambda: rrelu(torch.tensor([1.0, 2.0])))
    with torch.random.fork_rng():
        torch.manual_seed(0)
        mixed = rrelu(torch.tensor([-1.0, 1.0, -1.0]))[[0, 2]]
        torch.manual_seed(0)
        assert torch.equal(mixed, rrelu(torch.tensor([-1.0, -1.0])))  # one slope per negative input, in order


def test_the_chart_ranks_as_the_discussion_says():
    """search_discussion: the chart's means, the best activation, Hardshrink's x, Sigmoid's 1/64, who lets through."""
    assert ns03()["search_values"] == pytest.approx(means(), abs=1e-6)
    assert ns03()["best_activation"] == ranking()[0]
    x, grads = experiment("Hardshrink")
    assert torch.equal(grads, torch.where(x.abs() > nn.Hardshrink().lambd, x.abs(), torch.zeros(())))
    x, grads = experiment("Sigmoid")
    assert bool((grads < x.abs() * sigmoid_slope() ** 3).all())
    m, order = means(), ranking()
    gaps = [m[a] / m[b] for a, b in zip(order, order[1:])]
    assert max(gaps) == gaps[-1], "Sigmoid is last, by the largest gap of the ranking"
    text = markdown("03_saturation", "search_discussion")
    assert "(the ReLU family, ELU, SELU) let gradients through" in text and "(Sigmoid, Tanh, Softsign) do not" in text
    family = ("ReLU", "LeakyReLU", "PReLU", "RReLU", "ReLU6", "ELU", "SELU")
    assert min(m[n] for n in family) > 2 * max(m[n] for n in ("Sigmoid", "Tanh", "Softsign"))


def test_the_model_answer_names_more_remedies_than_the_statement_asks():
    """written_vanishing: "at least three things" asked, remedies (1), (2), ... listed."""
    text = markdown("03_saturation", "written_vanishing")
    asked = WORDS[re.search(r"Name at least (\w+) things", text).group(1)]
    listed = [int(k) for k in re.findall(r"\((\d)\) ", text)]
    assert listed == list(range(1, len(listed) + 1)) and len(listed) >= asked
