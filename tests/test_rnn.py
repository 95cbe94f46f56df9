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
