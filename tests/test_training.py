"""06_training: the reference reproduces calculate_gain and the numbers that the notebook's
model answers quote."""
import math

import pytest
import torch
from conftest import reference_namespace
from torch import nn


@pytest.fixture(scope="module")
def ref():
    """The reference answers of 06_training, run on the CPU in one namespace."""
    return reference_namespace("06_training", "answers")


def test_gains_match_calculate_gain(ref):
    for name in ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "selu"):
        assert ref["init_gain"](name) == pytest.approx(nn.init.calculate_gain(name), rel=1e-12)
    assert ref["second_moment_gain"](torch.relu) == pytest.approx(math.sqrt(2), rel=1e-9)
    for a in (0.01, 0.2, 1.0):
        f = lambda z, a=a: nn.functional.leaky_relu(z, a)
        assert ref["second_moment_gain"](f) == pytest.approx(math.sqrt(2 / (1 + a * a)), rel=1e-9)
    # tanh: the second-moment argument gives 1.5925, within 5% of PyTorch's empirical 5/3;
    # SELU keeps the second moment of a standard Gaussian: gain 1 (PyTorch's 3/4 is empirical)
    assert ref["second_moment_gain"](torch.tanh) == pytest.approx(1.59254, abs=1e-5)
    assert ref["second_moment_gain"](torch.selu) == pytest.approx(1.0, abs=1e-4)


def test_deep_net_numbers_quoted_in_the_model_answer(ref):
    stats = lambda gain, nl: ref["layer_stats"](30, 64, gain, nl, seed=0)
    a, g = stats(1.0, "relu")
    assert a[-1] < 1e-4 and g.max() < 1e-2                     # too small: vanishing
    a, g = stats(2.0, "relu")
    assert a[-1] > 1e3 and 1e4 < g.min() and g.max() < 1e6     # too large: exploding
    a, g = stats(math.sqrt(2), "relu")
    assert a.max() / a.min() < 3 and g.max() / g.min() < 3     # the right gain: within 2-3x
    a, g = stats(5 / 3, "tanh")
    assert bool(((a > 0.4) & (a < 0.9)).all())                 # tanh at 5/3 keeps its signal
    assert 5 < g[0] / g[-1] < 50                               # gradients vary by about 20x
    a, g = stats(3.0, "tanh")
    assert a.min() > 0.8 and g[0] / g[-1] > 1e3 and g[0] > 1e4  # saturated; uneven, large gradients
    a, _ = stats(1.0, "tanh")
    assert a[-1] < 0.2 * a[0]                                  # slow decay towards 0


def _forbidden(groups, fn):
    """The message of running `fn` under forbid(groups), or None when it passes."""
    from dlcourse.checks import CheckError
    from dlcourse.rules import forbid
    try:
        with forbid("Task 9.9", "the rule of the task", groups):
            fn()
    except CheckError as exc:
        return str(exc)
    return None


def test_the_calculate_gain_rule_sees_aliases_and_inits_that_call_it(ref):
    from torch.nn.init import calculate_gain as lookup
    assert "`nn.init.calculate_gain`" in _forbidden(["calculate_gain"], lambda: lookup("relu"))
    assert "`nn.init.calculate_gain`" in _forbidden(["calculate_gain"], lambda: getattr(nn.init, "calculate_" + "gain")("tanh"))
    assert "`nn.init.calculate_gain`" in _forbidden(["calculate_gain"], lambda: nn.init.kaiming_normal_(torch.empty(3, 3)))
    assert _forbidden(["calculate_gain"], lambda: [ref["init_gain"](n) for n in ("tanh", "selu", "leaky_relu")]) is None


def test_the_dropout_rule_sees_modules_functions_and_aliases_but_not_a_mask_by_hand(ref):
    x = torch.randn(20, 30, generator=torch.Generator().manual_seed(0))
    drop = getattr(nn, "Drop" + "out")
    for fn in (lambda: nn.functional.dropout(x, 0.5), lambda: drop(0.5)(x), lambda: torch.dropout(x, 0.5, True),
               lambda: nn.AlphaDropout(0.2)(x), lambda: nn.functional.dropout2d(x[None], 0.5)):
        assert "dropout" in _forbidden(["dropout"], fn)
    assert _forbidden(["dropout"], lambda: ref["inverted_dropout"](x, 0.5)) is None
    assert _forbidden(["dropout"], lambda: x * torch.bernoulli(torch.full_like(x, 0.7)) / 0.7) is None
