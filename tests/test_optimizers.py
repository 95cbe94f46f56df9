"""05_optimizers: the reference step functions reproduce the paper and PyTorch, and the numbers
quoted in the notebook's model answers come out of the reference code."""
import functools
import math

import pytest
import torch
from conftest import reference_namespace


@pytest.fixture(scope="module")
def ref():
    """The reference answers of 05_optimizers, run on the CPU in one namespace."""
    return reference_namespace("05_optimizers", "answers")


def _quadratic(seed, d=5):
    g = torch.Generator().manual_seed(seed)
    A = torch.randn(3 * d, d, generator=g, dtype=torch.float64)
    b = torch.randn(3 * d, generator=g, dtype=torch.float64)
    w0 = torch.randn(d, generator=g, dtype=torch.float64)
    return w0, lambda w: A.T @ (A @ w - b) / (3 * d)


def test_adamw_reference_tracks_torch_adamw_for_a_thousand_scheduled_steps(ref):
    alpha, lam, steps = 0.01, 0.001, 1000
    w0, grad = _quadratic(0)
    p = torch.nn.Parameter(w0.clone())
    opt = torch.optim.AdamW([p], lr=alpha, betas=(0.9, 0.999), eps=1e-8, weight_decay=lam / alpha)
    w, state, worst = w0.clone(), {}, 0.0
    for t in range(steps):
        eta = 0.5 * (1 + math.cos(math.pi * t / steps))
        opt.param_groups[0]["lr"] = alpha * eta
        p.grad = grad(p.detach())
        opt.step()
        w, state = ref["adamw_step"](w, grad(w), state, alpha=alpha, beta1=0.9, beta2=0.999, eps=1e-8, lam=lam, eta=eta)
        worst = max(worst, float((p.detach() - w).abs().max()))
    assert worst < 1e-12


def test_sgd_l2_and_sgdw_agree_without_momentum_and_part_with_it(ref):
    w0, grad = _quadratic(1)
    alpha, lam_l2 = 0.05, 0.2

    def gap(beta):
        a, sa, b, sb, worst = w0.clone(), {}, w0.clone(), {}, 0.0
        for _ in range(50):
            a, sa = ref["sgd_l2_step"](a, grad(a), sa, alpha=alpha, beta=beta, lam=lam_l2)
            b, sb = ref["sgdw_step"](b, grad(b), sb, alpha=alpha, beta=beta, lam=alpha * lam_l2)
            worst = max(worst, float((a - b).abs().max()))
        return worst

    assert gap(0.0) < 1e-14
    assert gap(0.9) > 1e-3


def test_trajectory_endpoints_quoted_in_the_model_answer(ref):
    H = torch.tensor([[2.0, 0.9], [0.9, 1.0]], dtype=torch.float64)
    c = torch.tensor([3.0, 1.0], dtype=torch.float64)
    grad = lambda w: H @ (w - c)
    runs = {
        "sgd_l2": functools.partial(ref["sgd_l2_step"], alpha=0.02, beta=0.9, lam=0.5),
        "sgdw": functools.partial(ref["sgdw_step"], alpha=0.02, beta=0.9, lam=0.01),
        "adam_l2": functools.partial(ref["adam_l2_step"], alpha=0.1, beta1=0.9, beta2=0.99, eps=1e-8, lam=0.5),
        "adamw": functools.partial(ref["adamw_step"], alpha=0.1, beta1=0.9, beta2=0.99, eps=1e-8, lam=0.05),
    }
    end = {}
    for name, step in runs.items():
        w, s = torch.tensor([-2.0, 2.0], dtype=torch.float64), {}
        for _ in range(500):
            w, s = step(w, grad(w), s)
        end[name] = w
    l2_min = torch.linalg.solve(H + 0.5 * torch.eye(2, dtype=torch.float64), H @ c)
    lam_eff = ref["sgdw_equivalent_l2"](0.02, 0.9, 0.01)
    assert lam_eff == pytest.approx(0.05)
    sgdw_min = torch.linalg.solve(H + lam_eff * torch.eye(2, dtype=torch.float64), H @ c)
    assert torch.allclose(end["sgd_l2"], l2_min, atol=1e-6)
    assert torch.allclose(end["adam_l2"], l2_min, atol=1e-6)
    assert torch.allclose(end["sgdw"], sgdw_min, atol=1e-6)
    assert torch.allclose(l2_min, torch.tensor([2.388, 1.034], dtype=torch.float64), atol=1e-3)
    assert torch.allclose(sgdw_min, torch.tensor([2.916, 1.024], dtype=torch.float64), atol=1e-3)
    # AdamW: inside the box |w_i| <= alpha / lambda = 2, heading to about (2, 1.9)
    assert float(end["adamw"].abs().max()) < 2.0 and 1.5 < float(end["adamw"][0]) < 2.0


def _forbidden(fn):
    """The message of running `fn` under the rule of Tasks 1.1-1.4 ("optim"), or None when it passes."""
    from dlcourse.checks import CheckError
    from dlcourse.rules import forbid
    try:
        with forbid("Task 1.4", "the update written from the formulas, without torch.optim", ["optim"]):
            fn()
    except CheckError as exc:
        return str(exc)
    return None


def test_the_no_torch_optim_rule_sees_optimizers_their_functional_forms_and_schedulers(ref):
    import importlib
    import sys

    import torch.optim.adam as adam_module
    w = torch.tensor([1.0, -2.0], dtype=torch.float64)

    def stepped(cls, **kwargs):
        p = torch.nn.Parameter(w.clone())
        opt = cls([p], lr=0.1, **kwargs)
        p.grad = w.clone()
        opt.step()

    def functional():
        adam_module.adam([w.clone()], [w.clone()], [w * 0], [w * 0], [], [torch.tensor(0.0)], lr=0.1, beta1=0.9,
                         beta2=0.99, weight_decay=0.0, eps=1e-8, maximize=False, amsgrad=False)

    def scheduler():
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        torch.optim.lr_scheduler.StepLR(opt, step_size=2)

    by_getattr = lambda: stepped(getattr(importlib.import_module("torch.optim"), "Adam" + "W"), weight_decay=0.1)
    assert "`torch.optim (SGD.__init__)`" in _forbidden(lambda: stepped(torch.optim.SGD, momentum=0.9))
    assert "`torch.optim (AdamW.__init__)`" in _forbidden(by_getattr)
    assert "`torch.optim (adam)`" in _forbidden(functional)
    assert "torch.optim" in _forbidden(scheduler)
    # the reference answers write the formulas: they pass, and the profiler is put back afterwards
    before = sys.getprofile()
    state = {}
    assert _forbidden(lambda: ref["adamw_step"](w, w, state, alpha=0.1, beta1=0.9, beta2=0.999, eps=1e-8, lam=0.01)) is None
    assert sys.getprofile() is before
