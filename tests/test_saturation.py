"""03_saturation: the reference solution reproduces the published numbers, checked independently."""
import ast
import math

import pytest
import torch
from conftest import cell_source, reference_namespace, source_notebook


@pytest.fixture(scope="module")
def reference():
    """The namespace of the imports cell, the ACTIVATIONS list and every reference answer function."""
    ns = reference_namespace("03_saturation", ("activations", "tanh_prime", "saturation_threshold",
                                                "chain_grads", "mean_first_layer_grad"))
    ns["_nb"] = source_notebook("03_saturation")
    return ns


def _hidden_function(nb, test_gid, name):
    """A function defined in the hidden part of a test cell, compiled on its own."""
    tree = ast.parse(cell_source(nb, test_gid))
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    return compile(ast.Module(body=[node], type_ignores=[]), f"<{test_gid}>", "exec")


def test_reference_reproduces_the_published_hardshrink_value_for_seed_11(reference):
    assert round(reference["mean_first_layer_grad"]("Hardshrink", 11), 5) == 0.73722


def test_reference_and_hidden_test_reference_agree_on_every_activation(reference):
    ns = dict(reference)
    exec(_hidden_function(reference["_nb"], "test_mean_first_layer_grad", "_ref_mean_grad"), ns)
    for seed in (11, 3):
        for name in reference["ACTIVATIONS"]:
            ours = reference["mean_first_layer_grad"](name, seed)
            theirs = ns["_ref_mean_grad"](name, seed)
            assert abs(ours - theirs) < 1e-6, (name, seed, ours, theirs)


def test_hardshrink_has_the_largest_mean_gradient_at_seed_11(reference):
    values = {n: reference["mean_first_layer_grad"](n, 11) for n in reference["ACTIVATIONS"]}
    assert max(values, key=values.get) == "Hardshrink"
    assert round(values["SELU"], 5) == 0.59932 and round(values["Sigmoid"], 5) == 0.00729


def test_four_layer_gradients_at_x_100_match_the_chain_rule_by_hand(reference):
    # out = a(w4 a(w3 a(w2 a(w1 x)))) with w = 1: d out / d w_k = h_{k-1} * prod_{j >= k} a'(z_j)
    h = [100.0]
    for _ in range(4):
        h.append(math.tanh(h[-1]))
    dtanh = [1 - math.tanh(z) ** 2 for z in h[:4]]  # z_k = h_{k-1} since all weights are 1
    by_hand = [round(h[k] * math.prod(dtanh[k:]), 3) for k in range(4)]
    assert by_hand == [0.0, 0.168, 0.304, 0.436]
    got = reference["chain_grads"](100.0, [1.0] * 4, torch.tanh)
    assert [round(v, 3) for v in got.tolist()] == by_hand
    relu = reference["chain_grads"](100.0, [1.0] * 4, torch.relu)
    assert relu.tolist() == [100.0] * 4
    assert [round(v, 3) for v in got.tolist()] != [1.0, 1.0, 1.0, 1.0]  # the source's answer is wrong


def test_saturation_threshold_is_where_tanh_prime_equals_eps(reference):
    for eps in (0.5, 0.1, 1e-3, 1e-6):
        z = reference["saturation_threshold"](eps)
        assert math.isclose(1 / math.cosh(z) ** 2, eps, rel_tol=1e-9)
    assert math.isclose(reference["saturation_threshold"](0.01), 2.993222846126382, rel_tol=1e-12)


def test_tanh_prime_agrees_with_autograd_and_with_sech_squared(reference):
    z = torch.linspace(-20, 20, 401, dtype=torch.float64)
    zz = z.clone().requires_grad_(True)
    torch.tanh(zz).sum().backward()
    ours = reference["tanh_prime"](z)
    assert torch.allclose(ours, zz.grad, atol=1e-15, rtol=0)
    assert torch.allclose(ours, 1 / torch.cosh(z) ** 2, atol=1e-15, rtol=1e-12)


def test_chain_grads_matches_the_product_formula_of_the_statement(reference):
    # d out / d w_k = h_{k-1} a'(z_k) prod_{j > k} w_j a'(z_j), with a' of tanh = 1 - tanh^2
    gen = torch.Generator().manual_seed(3)
    for n in (1, 2, 5):
        w = (torch.randn(n, generator=gen, dtype=torch.float64) * 1.5).tolist()
        x = 0.8
        h, z = [x], []
        for wk in w:
            z.append(wk * h[-1])
            h.append(math.tanh(z[-1]))
        d = [1 - math.tanh(v) ** 2 for v in z]
        want = [h[k] * d[k] * math.prod(w[j] * d[j] for j in range(k + 1, n)) for k in range(n)]
        got = reference["chain_grads"](x, w, torch.tanh)
        assert got.dtype == torch.float64
        assert torch.allclose(got, torch.tensor(want, dtype=torch.float64), atol=1e-14, rtol=1e-12)
