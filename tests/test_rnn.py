"""07_rnn: the numbers and claims its text states, reproduced by the reference solution."""
from fractions import Fraction

import pytest
from conftest import reference_namespace


@pytest.fixture(scope="module")
def reference():
    """Every answer and code cell of 07_rnn (not its tests), run on the CPU."""
    return reference_namespace("07_rnn")


def test_w99_factor_is_the_exact_rounding_12528(reference):
    # 1.1**99 = 12527.829..., so the nearest integer is 12528 (the seed's answer).
    assert round(Fraction(11, 10) ** 99) == 12528
    assert reference["factor_w99"] == 12528


def test_experiment_shows_vanishing_exploding_and_gated_memory(reference):
    norms = {k: v.cpu() for k, v in reference["norms_by_model"].items()}
    small, large = norms["RNN, gain 0.5"], norms["RNN, gain 4"]
    assert small[-1] < 1e-15 * small[0], "the small-gain RNN forgets the first input"
    assert large[-1] > 1e4 * large[0], "the large-gain RNN's gradient explodes"
    assert norms["LSTM, default init"][-1] < 1e-10, "a default LSTM (forget gate near 0.5) forgets too"
    lstm = norms["LSTM, forget bias 3"]
    assert float(lstm.max() / lstm.min()) < 10, "an open forget gate keeps the gradient level"
    gru = norms["GRU, update bias 3"]
    assert 1e-3 < float(gru[-1] / gru[0]) < 1, "the open GRU decays, but far more slowly than the RNN"


def test_clipping_demo_diverges_without_and_learns_with_clipping(reference):
    plain, clipped = reference["losses_plain"], reference["losses_clipped"]
    assert plain[-1] > 1e10 * plain[0]
    assert clipped[-1] < 0.5 * clipped[0]
    assert max(reference["norms_plain"]) > 1e6


def test_closed_sum_matches_the_linear_closed_form(reference):
    # identity activation, z = 0, h0 = 1: h_t = w**t, so dh_t/dw = t * w**(t - 1)
    import torch
    f, fp = reference["ACTIVATIONS"]["identity"]
    w, T = 1.1, 30
    got = reference["rnn_grad_w"](torch.tensor(w, dtype=torch.float64), torch.tensor(1.0, dtype=torch.float64),
                                  torch.zeros(T, dtype=torch.float64), f, fp)
    want = torch.tensor([t * w ** (t - 1) for t in range(1, T + 1)], dtype=torch.float64)
    assert torch.allclose(got, want, rtol=1e-12, atol=0)


def test_grad_norms_reference_matches_finite_differences(reference):
    # The hidden test's reference differentiates truncated sequences with autograd; check the
    # reference answer against central differences, an independent method.
    import torch
    from torch import nn
    torch.manual_seed(3)
    rnn = nn.GRU(2, 4, batch_first=True).double()
    x = torch.randn(2, 7, 2, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    Ts, eps = [7, 4, 1], 1e-6
    got = reference["grad_norms"](rnn, x, Ts)
    grads = torch.zeros(len(Ts), 2, 2, dtype=torch.float64)
    with torch.no_grad():
        for b in range(2):
            for k in range(2):
                xp, xm = x.clone(), x.clone()
                xp[b, 0, k] += eps
                xm[b, 0, k] -= eps
                for m, T in enumerate(Ts):
                    grads[m, b, k] = (rnn(xp)[0][:, T - 1].sum() - rnn(xm)[0][:, T - 1].sum()) / (2 * eps)
    want = grads.flatten(1).norm(dim=1)
    assert torch.allclose(got.detach(), want, rtol=1e-6, atol=1e-9)


def test_clip_references_match_pytorch_and_its_epsilon(reference):
    # clip_by_norm follows clip_grad_norm_, including the 1e-6 that matters for tiny gradients.
    import torch
    from torch import nn
    for scale, max_norm in [(3.0, 1.0), (1e-6, 1e-7), (0.01, 5.0)]:
        g = torch.Generator().manual_seed(1)
        grads = [torch.randn(3, 4, generator=g, dtype=torch.float64) * scale for _ in range(2)]
        mine = [nn.Parameter(torch.zeros(3, 4, dtype=torch.float64)) for _ in range(2)]
        ref = [nn.Parameter(torch.zeros(3, 4, dtype=torch.float64)) for _ in range(2)]
        for p, q, gr in zip(mine, ref, grads):
            p.grad, q.grad = gr.clone(), gr.clone()
        total = reference["clip_by_norm"](iter(mine), max_norm)
        want = torch.nn.utils.clip_grad_norm_(ref, max_norm)
        assert abs(float(total) - float(want)) <= 1e-12 * float(want)
        for p, q in zip(mine, ref):
            assert torch.allclose(p.grad, q.grad, rtol=1e-12, atol=0)


@pytest.mark.parametrize("how", ["alias", "getattr", "module attribute", "caught", "helper"])
def test_forbid_clip_grad_sees_torch_clipping_however_reached(how):
    # Tasks 5.1 and 5.2 forbid torch's clipping functions: plain Python functions that no torch
    # function mode sees, so forbid watches their code objects.
    import torch
    import torch.nn.utils as U
    from torch import nn
    from torch.nn.utils import clip_grad_norm_ as aliased

    from dlcourse.checks import CheckError
    from dlcourse.rules import forbid
    p = nn.Parameter(torch.zeros(3))
    p.grad = torch.full((3,), 5.0)

    def caught():
        try:
            aliased([p], 1.0)
        except CheckError:
            pass

    calls = {"alias": lambda: aliased([p], 1.0), "getattr": lambda: getattr(U, "clip_grad_value_")([p], 1.0),
             "module attribute": lambda: torch.nn.utils.clip_grad_norm_([p], 1.0), "caught": caught,
             "helper": lambda: U.get_total_norm([p.grad])}
    with pytest.raises(CheckError, match=r"Task 5\.2 asks for the clipping yourself: your code called "
                                         r"`torch\.nn\.utils\.(clip_grad_norm_|clip_grad_value_|get_total_norm)`"):
        with forbid("Task 5.2", "the clipping yourself", ["clip_grad"]):
            calls[how]()


def test_forbid_clip_grad_lets_hand_written_clipping_through_and_cleans_up():
    import sys

    import torch
    from torch import nn

    from dlcourse.rules import forbid
    p = nn.Parameter(torch.zeros(3))
    p.grad = torch.tensor([-3.0, 0.5, 7.0])
    before = sys.getprofile()
    with forbid("Task 5.1", "the clipping yourself", ["clip_grad"]):
        p.grad.clamp_(-1.0, 1.0)
    assert p.grad.tolist() == [-1.0, 0.5, 1.0]
    assert sys.getprofile() is before
    assert float(torch.nn.utils.clip_grad_norm_([p], 0.1)) > 0   # usable again outside


# ---------------------------------------------------------------- the option questions, each option computed

def _hidden_expected(gid, name, points):
    """The set of letters the hidden test of `gid` passes to score_choices."""
    import re

    from conftest import cell_source, source_notebook
    hidden = cell_source(source_notebook("07_rnn"), gid)
    found = re.search(rf'score_choices\("{name}", {name}, \{{([^}}]*)\}}, points={points}\)', hidden)
    return set(found.group(1).replace('"', "").replace(" ", "").split(","))


def _options(gid):
    """The letters of the options listed in the markdown cell `gid`."""
    import re

    from conftest import markdown_cell
    return set(re.findall(r"\*\*([A-F])\.\*\*", markdown_cell("07_rnn", gid)))


def test_task_1_1_options_are_what_the_data_dependencies_of_an_rnn_and_a_convolution_say():
    """slow_options: A and C hold (inputs and components are independent), B, D and E do not."""
    import torch
    g = torch.Generator().manual_seed(0)
    T, d, D, k = 6, 5, 3, 3
    rnn = torch.nn.RNN(D, d, batch_first=True).double()
    W, U, b = rnn.weight_hh_l0.detach(), rnn.weight_ih_l0.detach(), (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach()
    x = torch.randn(T, D, generator=g, dtype=torch.float64)
    with torch.no_grad():
        truth_h = rnn(x[None])[0][0]

    # A: all input terms from one matrix product, before the loop, give nn.RNN's states
    inputs = x @ U.T + b                                   # (T, d), no state read
    h, states = torch.zeros(d, dtype=torch.float64), []
    for t in range(T):
        h = torch.tanh(W @ h + inputs[t])
        states.append(h)
    a_true = torch.allclose(torch.stack(states), truth_h, atol=1e-12)

    # B: every step run at the same time from what is known before the loop (the inputs and h_0)
    # is not the RNN: step t reads h_{t-1}, which is not known yet
    all_at_once = torch.tanh(torch.zeros(T, d, dtype=torch.float64) @ W.T + inputs)
    hs = truth_h.clone().requires_grad_(True)
    reads_previous = all(torch.autograd.grad(torch.tanh(W @ hs[t - 1] + inputs[t]).sum(), hs)[0][t - 1].abs().sum() > 0
                         for t in range(1, T))
    b_true = torch.allclose(all_at_once, truth_h, atol=1e-12) and not reads_previous

    # C: the d components of one step, each computed on its own in reversed order, give the step
    h_prev = truth_h[2]
    one_by_one = torch.stack([torch.tanh(W[i] @ h_prev + inputs[3, i]) for i in reversed(range(d))]).flip(0)
    c_true = torch.allclose(one_by_one, truth_h[3], atol=1e-12)

    # D: autograd's backward pass: dL/dh_t (L = sum of all states) is the local term plus the term sent back
    # from step t + 1, so it cannot be complete before dL/dh_{t+1} is; the local term alone is not it
    x_ = x.clone().requires_grad_(True)
    h, hs_ = torch.zeros(d, dtype=torch.float64), []
    for t in range(T):
        h = torch.tanh(W @ h + x_[t] @ U.T + b)
        h.retain_grad()
        hs_.append(h)
    order = []
    for t, h in enumerate(hs_):
        h.register_hook(lambda grad, t=t: order.append(t))
    torch.stack(hs_).sum().backward()
    adj = [h.grad for h in hs_]
    recursion = all(torch.allclose(adj[t], 1 + W.T @ ((1 - hs_[t + 1].detach() ** 2) * adj[t + 1]), atol=1e-12)
                    for t in range(T - 1))
    local_only = all(torch.allclose(adj[t], torch.ones(d, dtype=torch.float64)) for t in range(T))
    d_true = local_only or not (recursion and order == list(reversed(range(T))))

    # E: a convolution's outputs, each computed alone from the inputs in reversed order, are conv1d's
    V = torch.randn(d, D, k, generator=g, dtype=torch.float64)
    conv = torch.nn.functional.conv1d(torch.nn.functional.pad(x.T[None], (k - 1, 0)), V)[0].T     # (T, d)
    xp = torch.cat([torch.zeros(k - 1, D, dtype=torch.float64), x])
    alone = torch.stack([sum(V[:, :, k - 1 - j] @ xp[t + k - 1 - j] for j in range(k)) for t in reversed(range(T))])
    e_true = not torch.allclose(alone.flip(0), conv, atol=1e-12)

    truth = {"A": a_true, "B": b_true, "C": c_true, "D": d_true, "E": e_true}
    assert set(truth) == _options("slow_md")
    assert {k for k, v in truth.items() if v} == _hidden_expected("test_slow_options", "slow_options", 1) == {"A", "C"}


def test_task_2_1_options_are_what_autograd_gives_for_a_three_step_rnn_with_a_shared_weight():
    """chain_rule_options: B (the sum over the steps that use w) and E (its backward recursion) are dL/dw."""
    import torch
    fs = {"tanh": (torch.tanh, lambda a: 1 - torch.tanh(a) ** 2), "sin": (torch.sin, torch.cos),
          "sigmoid": (torch.sigmoid, lambda a: torch.sigmoid(a) * (1 - torch.sigmoid(a)))}
    losses = {"square": (lambda h: (h - 0.3) ** 2, lambda h: 2 * (h - 0.3)), "exp": (torch.exp, torch.exp)}
    hold = {k: True for k in "ABCDE"}
    for seed in range(8):
        for f, fp in fs.values():
            for ell, ellp in losses.values():
                g = torch.Generator().manual_seed(seed)
                w, h0, z1, z2, z3 = torch.randn(5, generator=g, dtype=torch.float64)
                w = w.clone().requires_grad_(True)
                h, a, hs = h0, [], [h0]
                for z in (z1, z2, z3):
                    a.append(w * h + z)
                    h = f(a[-1])
                    hs.append(h)
                (auto,) = torch.autograd.grad(ell(h), w)
                w, h0, h1, h2, h3 = w.detach(), *(v.detach() for v in hs)
                f1, f2, f3 = (fp(v.detach()) for v in a)
                lp = ellp(h3)
                g3 = lp
                g2 = g3 * f3 * w
                g1 = g2 * f2 * w
                options = {
                    "A": lp * f3 * h2,
                    "B": lp * (f3 * h2 + f3 * w * f2 * h1 + f3 * w * f2 * w * f1 * h0),
                    "C": lp * f3 * w * f2 * w * f1 * h0,
                    "D": lp * (f3 * h2 + f2 * h1 + f1 * h0),
                    "E": g3 * f3 * h2 + g2 * f2 * h1 + g1 * f1 * h0,
                }
                for key, value in options.items():
                    hold[key] &= bool(torch.isclose(value, auto, rtol=1e-10, atol=1e-12))
    assert set(hold) == _options("chain_md")
    assert {k for k, v in hold.items() if v} == _hidden_expected("test_chain_rule_options", "chain_rule_options", 1) \
        == {"B", "E"}


def test_task_6_2_options_are_what_the_jacobians_and_the_operation_counts_say():
    """recurrence_options: B, D and E hold, A and C do not."""
    import torch
    g = torch.Generator().manual_seed(1)
    d, T = 6, 5
    W = torch.randn(d, d, generator=g, dtype=torch.float64)
    v = torch.randn(d, generator=g, dtype=torch.float64)
    xs = torch.randn(T, d, generator=g, dtype=torch.float64)
    h0 = torch.randn(d, generator=g, dtype=torch.float64)
    elem = lambda h, x: torch.tanh(v * h + x)
    dense = lambda h, x: torch.tanh(W @ h + x)

    def run(step, h, xs):
        out = []
        for x in xs:
            h = step(h, x)
            out.append(h)
        return torch.stack(out)

    # A: step t of a component reads step t - 1 of that component (a nonzero diagonal Jacobian entry)
    J = torch.autograd.functional.jacobian(lambda h: elem(h, xs[1]), h0)
    a_true = bool((J.diagonal() == 0).all())
    # B: component 3 (index 2) run alone, from h_0[3] and x_t[3], is the full run's component 3
    alone = run(lambda h, x: torch.tanh(v[2] * h + x), h0[2], xs[:, 2])
    b_true = torch.allclose(alone, run(elem, h0, xs)[:, 2], atol=1e-14)
    # C: the row of index 2 of the elementwise Jacobian
    c_true = set(torch.nonzero(J[2]).flatten().tolist()) == {1, 2, 3}
    # D: every component of a dense step reads every component of the step before
    Jd = torch.autograd.functional.jacobian(lambda h: dense(h, xs[1]), h0)
    d_true = bool((Jd != 0).all())
    # E: multiplications counted by running the products on 256 components with a counting mode
    from torch.overrides import TorchFunctionMode

    class Count(TorchFunctionMode):
        def __init__(self):
            super().__init__()
            self.mults = 0

        def __torch_function__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            if func in (torch.Tensor.__matmul__, torch.matmul):
                self.mults += args[0].numel()                 # a (n, n) @ (n,) product: n * n multiplications
            elif func in (torch.Tensor.__mul__, torch.mul):
                self.mults += out.numel()
            return out

    n = 256
    counts = []
    for make in (lambda h: torch.ones(n, n, dtype=torch.float64) @ h, lambda h: torch.ones(n, dtype=torch.float64) * h):
        h = torch.ones(n, dtype=torch.float64)
        with Count() as c:
            make(h)
        counts.append(c.mults)
    e_true = counts[0] == 256 * counts[1]

    truth = {"A": a_true, "B": b_true, "C": c_true, "D": d_true, "E": e_true}
    assert set(truth) == _options("recurrence_md")
    assert {k for k, v in truth.items() if v} == _hidden_expected("test_recurrence_options", "recurrence_options", 1) \
        == {"B", "D", "E"}


def test_the_statement_of_pytorchs_default_rnn_initialisation_before_task_7_1_holds():
    """lstm_md: every weight and bias uniform in +-1/sqrt(H), so a default LSTM's forget gates start near 0.5."""
    import math

    import torch
    from conftest import markdown_cell
    text = markdown_cell("07_rnn", "lstm_md")
    assert "uniformly in $\\pm 1/\\sqrt{H}$, where $H$ is the hidden size" in text
    assert "its forget gates near $\\sigma(0) = 0.5$" in text
    H = 64
    for kind in (torch.nn.RNN, torch.nn.LSTM, torch.nn.GRU):
        torch.manual_seed(0)
        m = kind(8, H)
        for p in m.parameters():
            bound = 1 / math.sqrt(H)
            p = p.detach()
            assert float(p.abs().max()) <= bound
            assert float(p.abs().max()) > 0.9 * bound            # the whole range is used: uniform, not smaller
            assert abs(float(p.mean())) < 0.2 * bound
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(4, 16)
    bias = (lstm.bias_ih_l0 + lstm.bias_hh_l0)[16:32].detach()
    assert float(bias.abs().max()) <= 2 / math.sqrt(16)
    assert abs(float(torch.sigmoid(bias).mean()) - 0.5) < 0.05
