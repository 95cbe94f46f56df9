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
