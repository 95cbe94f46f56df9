"""02_backprop: the reference answers reproduce numbers worked out by hand, without autograd."""
import math

import pytest
import torch
from conftest import reference_namespace


@pytest.fixture(scope="module")
def ref():
    """The instructor's answer cells of 02_backprop, run in one namespace after the imports cell."""
    return reference_namespace("02_backprop", "answers")


def t(values):
    return torch.tensor(values, dtype=torch.float64)


def test_derivatives_of_x_and_xtx_by_hand(ref):
    x = t([3.0, -1.0])
    assert torch.equal(ref["jacobian_identity"](x), t([[1.0, 0.0], [0.0, 1.0]]))
    assert torch.equal(ref["grad_xtx"](x), t([6.0, -2.0]))


def test_checker_on_a_cubic_and_the_relative_error_of_x_against_2x(ref):
    # d/dx (x^3) = 3x^2 = 12 at x = 2; central differences are exact for a cubic up to eps^2 = 1e-6
    got = ref["numerical_grad"](lambda v: (v ** 3).sum(), t([2.0]), 1e-3)
    assert abs(got.item() - 12.0) <= 1.01e-6
    assert ref["relative_error"](t([1.0, 2.0]), t([2.0, 4.0])) == pytest.approx(1 / 3, abs=1e-15)
    assert ref["relative_error"](t([0.0]), t([0.0])) == 0.0


def test_sigmoid_layer_at_zero_preactivation(ref):
    # z = 0: sigma = 1/2, sigma' = 1/4. One sample x = (2, -4), W = 0, b = 0, upstream (1, -2).
    x, W, b, up = t([[2.0, -4.0]]), torch.zeros(2, 2, dtype=torch.float64), t([0.0, 0.0]), t([[1.0, -2.0]])
    gW, gb, gx = ref["sigmoid_layer_backward"](x, W, b, up)
    assert torch.equal(gb, t([0.25, -0.5]))
    assert torch.equal(gW, t([[0.5, -1.0], [-1.0, 2.0]]))   # outer product of delta and x
    assert torch.equal(gx, t([[0.0, 0.0]]))                 # W = 0 passes nothing back


def test_sigmoid_layer_sums_over_a_batch_of_equal_samples(ref):
    # Three copies of one sample give three times its gradients for W and b.
    W, b = t([[0.3, -0.2]]), t([0.1])
    one = ref["sigmoid_layer_backward"](t([[1.0, 2.0]]), W, b, t([[1.0]]))
    three = ref["sigmoid_layer_backward"](t([[1.0, 2.0]] * 3), W, b, t([[1.0]] * 3))
    s = 1 / (1 + math.exp(-(0.3 - 0.4 + 0.1)))              # z = 0 again
    assert one[1].item() == pytest.approx(s * (1 - s), abs=1e-15)
    assert torch.allclose(three[0], 3 * one[0], atol=1e-15) and torch.allclose(three[1], 3 * one[1], atol=1e-15)


def test_conv_gradients_with_a_one_hot_upstream_gradient(ref):
    # Upstream 1 at output (1, 0) only: dL/dw_mn = x[1 + m, 0 + n], the window under that output.
    x = torch.arange(12, dtype=torch.float64).reshape(3, 4)
    up = torch.zeros(2, 3, dtype=torch.float64)
    up[1, 0] = 1.0
    assert torch.equal(ref["conv_weight_grad"](x, up), t([[4.0, 5.0], [8.0, 9.0]]))
    assert float(ref["conv_bias_grad"](up)) == 1.0


def test_kernel_gradient_equals_torchs_own_convolution_backward(ref):
    # torch.nn.grad.conv2d_weight is the backward of conv2d that autograd runs: an independent reference.
    g = torch.Generator().manual_seed(3)
    for (H, W), (k1, k2) in [((5, 6), (2, 3)), ((4, 4), (4, 1)), ((7, 3), (1, 3))]:
        x = torch.randn(H, W, generator=g, dtype=torch.float64)
        up = torch.randn(H - k1 + 1, W - k2 + 1, generator=g, dtype=torch.float64)
        want = torch.nn.grad.conv2d_weight(x[None, None], (1, 1, k1, k2), up[None, None])[0, 0]
        assert torch.allclose(ref["conv_weight_grad"](x, up), want, atol=1e-12, rtol=0)


def test_central_differences_of_a_cubic_are_off_by_exactly_eps_squared(ref):
    # ((x+e)^3 - (x-e)^3) / 2e = 3x^2 + e^2: the hidden test uses this to find an ignored eps.
    x = t([0.3, -1.2, 2.0])
    got = ref["numerical_grad"](lambda v: (v ** 3).sum(), x, 0.1)
    assert torch.allclose(got, 3 * x ** 2 + 0.01, atol=1e-12, rtol=0)


def test_the_no_autograd_rule_sees_torchs_own_convolution_backward(ref):
    from dlcourse.checks import CheckError
    from dlcourse.rules import forbid
    x, up = torch.ones(3, 4, dtype=torch.float64), torch.ones(2, 2, dtype=torch.float64)
    with forbid("Task 4.1", "the kernel gradient from your formula, without autograd", ["autograd"]):
        ref["conv_weight_grad"](x, up)  # the reference passes its own rule
    with pytest.raises(CheckError, match=r"Task 4\.1 .* your code called `torch\.nn\.grad"):
        with forbid("Task 4.1", "the kernel gradient from your formula, without autograd", ["autograd"]):
            torch.nn.grad.conv2d_weight(x[None, None], (1, 1, 2, 3), up[None, None])
