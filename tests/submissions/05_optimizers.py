"""Made-up submissions for 05_optimizers: answer cells by grade id, and the test cells they lose."""

VARIANTS = {
    # Correct, but written differently from the reference: full marks.
    "alternative": {
        "cells": {
            # a fresh state dict every step, torch.add with alpha=
            "sgd_l2_step": '''
def sgd_l2_step(w, grad, state, alpha, beta, lam, eta=1.0):
    velocity = state["m"] if "m" in state else torch.zeros_like(w)
    velocity = torch.add(beta * velocity, torch.add(grad, w, alpha=lam), alpha=eta * alpha)
    return w.sub(velocity), {"m": velocity}
''',
            # decay written as a factor on w; the state mutated through setdefault
            "sgdw_step": '''
def sgdw_step(w, grad, state, alpha, beta, lam, eta=1.0):
    buf = state.setdefault("buf", torch.zeros_like(w))
    buf = buf.mul(beta).add(grad, alpha=alpha * eta)
    state["buf"] = buf
    return w.mul(1 - eta * lam) - buf, state
''',
            # the bias corrections folded into the step size and epsilon (algebraically equal)
            "adam_l2_step": '''
def adam_l2_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):
    step = state.get("step", 0) + 1
    g = grad.add(w, alpha=lam)
    exp_avg = torch.lerp(state.get("exp_avg", torch.zeros_like(w)), g, 1 - beta1)
    exp_avg_sq = state.get("exp_avg_sq", torch.zeros_like(w)) * beta2 + (1 - beta2) * g.square()
    bc1, bc2 = 1 - beta1 ** step, 1 - beta2 ** step
    denom = exp_avg_sq.sqrt() + eps * math.sqrt(bc2)
    new_w = w - (alpha * eta * math.sqrt(bc2) / bc1) * exp_avg / denom
    return new_w, {"step": step, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
''',
            # decay first (PyTorch's order), then the Adam step; both use the old weights' gradient
            "adamw_step": '''
def adamw_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):
    if not state:
        state = {"t": 0, "m": torch.zeros_like(w), "v": torch.zeros_like(w)}
    t = state["t"] + 1
    m = state["m"] * beta1 + grad * (1 - beta1)
    v = torch.addcmul(state["v"] * beta2, grad, grad, value=1 - beta2)
    decayed = w * (1 - eta * lam)
    update = (m / (1 - beta1 ** t)) / (torch.sqrt(v / (1 - beta2 ** t)) + eps)
    return decayed - eta * alpha * update, {"t": t, "m": m, "v": v}
''',
            "sgd_hparams_for_sgdw": "def sgd_hparams_for_sgdw(alpha, lam, eta=1.0):\n    return [eta * alpha, lam * (1.0 / alpha)]",
            "l2_vs_sgdw_options": "l2_vs_sgdw_options = 'c, a'",
            "sgdw_equivalent_l2": "def sgdw_equivalent_l2(alpha, beta, lam):\n    return (lam / alpha) - beta * (lam / alpha)",
            "plot_trajectories": '''
import numpy as np

def plot_trajectories(ax, steps, w0, grad_fn, n_steps):
    for name in steps:
        step = steps[name]
        w, s = w0, {}
        xs, ys = [float(w0[0])], [float(w0[1])]
        for i in range(n_steps):
            w, s = step(w, grad_fn(w), s)
            xs.append(float(w[0]))
            ys.append(float(w[1]))
        ax.plot(np.array(xs), np.array(ys), marker=".", markersize=2, label=name)
    ax.set(xlabel="w1", ylabel="w2", title="optimizer paths")
    ax.legend(loc="best")
    return ax
''',
        },
        "loses": [],
    },
    # The issue's typical mistake: the decay coupled into Adam's moments (Adam + L2, not AdamW).
    "mistake_adamw_coupled_decay": {
        "cells": {
            "adamw_step": '''
def adamw_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):
    g = grad + lam * w
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", torch.zeros_like(w)) + (1 - beta1) * g
    v = beta2 * state.get("v", torch.zeros_like(w)) + (1 - beta2) * g * g
    state.update(t=t, m=m, v=v)
    return w - eta * alpha * (m / (1 - beta1 ** t)) / ((v / (1 - beta2 ** t)).sqrt() + eps), state
''',
        },
        "loses": ["test_adamw_step"],
    },
    # Forgetting Adam's bias corrections.
    "mistake_adamw_no_bias_correction": {
        "cells": {
            "adamw_step": '''
def adamw_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):
    m = beta1 * state.get("m", torch.zeros_like(w)) + (1 - beta1) * grad
    v = beta2 * state.get("v", torch.zeros_like(w)) + (1 - beta2) * grad * grad
    state.update(m=m, v=v)
    return w - eta * (alpha * m / (v.sqrt() + eps) + lam * w), state
''',
        },
        "loses": ["test_adamw_step"],
    },
    # PyTorch's convention copied into the paper's formula: decay multiplied by alpha as well.
    "mistake_adamw_decay_times_alpha": {
        "cells": {
            "adamw_step": '''
def adamw_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", torch.zeros_like(w)) + (1 - beta1) * grad
    v = beta2 * state.get("v", torch.zeros_like(w)) + (1 - beta2) * grad * grad
    state.update(t=t, m=m, v=v)
    return w - eta * alpha * ((m / (1 - beta1 ** t)) / ((v / (1 - beta2 ** t)).sqrt() + eps) + lam * w), state
''',
        },
        "loses": ["test_adamw_step"],
    },
    # SGDW written as SGD + L2: the decay goes through the momentum.
    "mistake_sgdw_decay_in_momentum": {
        "cells": {
            "sgdw_step": '''
def sgdw_step(w, grad, state, alpha, beta, lam, eta=1.0):
    m = beta * state.get("m", torch.zeros_like(w)) + eta * alpha * grad + eta * lam * w
    state["m"] = m
    return w - m, state
''',
        },
        "loses": ["test_sgdw_step"],
    },
    # The schedule multiplier forgotten on the decay term.
    "mistake_sgdw_decay_unscheduled": {
        "cells": {
            "sgdw_step": '''
def sgdw_step(w, grad, state, alpha, beta, lam, eta=1.0):
    m = beta * state.get("m", torch.zeros_like(w)) + eta * alpha * grad
    state["m"] = m
    return w - m - lam * w, state
''',
        },
        "loses": ["test_sgdw_step"],
    },
    # Adam + L2 with the penalty added after the moments (that is AdamW-like, not L2).
    "mistake_adam_l2_decoupled": {
        "cells": {
            "adam_l2_step": '''
def adam_l2_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", torch.zeros_like(w)) + (1 - beta1) * grad
    v = beta2 * state.get("v", torch.zeros_like(w)) + (1 - beta2) * grad * grad
    state.update(t=t, m=m, v=v)
    return w - eta * alpha * ((m / (1 - beta1 ** t)) / ((v / (1 - beta2 ** t)).sqrt() + eps) + lam * w), state
''',
        },
        "loses": ["test_adam_l2_step"],
    },
    # SGD + L2 with the penalty outside the momentum.
    "mistake_sgd_l2_outside_momentum": {
        "cells": {
            "sgd_l2_step": '''
def sgd_l2_step(w, grad, state, alpha, beta, lam, eta=1.0):
    m = beta * state.get("m", torch.zeros_like(w)) + eta * alpha * grad
    state["m"] = m
    return w - m - eta * alpha * lam * w, state
''',
        },
        "loses": ["test_sgd_l2_step"],
    },
    # The paper's lambda passed as PyTorch's weight_decay.
    "mistake_torch_weight_decay_is_lambda": {
        "cells": {"sgd_hparams_for_sgdw": "def sgd_hparams_for_sgdw(alpha, lam, eta=1.0):\n    return alpha * eta, lam"},
        "loses": ["test_sgd_hparams_for_sgdw"],
    },
    # Believing a clever weight decay makes SGD + L2 with momentum equal to SGDW step by step.
    "mistake_options_momentum_agrees": {
        "cells": {"l2_vs_sgdw_options": "l2_vs_sgdw_options = {'A', 'C', 'D'}"},
        "loses": {"test_l2_vs_sgdw_options": 1},
    },
    # The no-momentum equivalence used with momentum.
    "mistake_equivalent_l2_ignores_momentum": {
        "cells": {"sgdw_equivalent_l2": "def sgdw_equivalent_l2(alpha, beta, lam):\n    return lam / alpha"},
        "loses": ["test_sgdw_equivalent_l2"],
    },
    # The path drawn without its starting point.
    "mistake_plot_without_start": {
        "cells": {
            "plot_trajectories": '''
def plot_trajectories(ax, steps, w0, grad_fn, n_steps):
    for label, step in steps.items():
        w, state, points = w0, {}, []
        for _ in range(n_steps):
            w, state = step(w, grad_fn(w), state)
            points.append(w.detach().cpu())
        path = torch.stack(points)
        ax.plot(path[:, 0], path[:, 1], label=label)
    ax.legend()
    return ax
''',
        },
        "loses": ["test_plot_trajectories"],
    },
    # One state dict shared by every optimizer.
    "mistake_plot_shared_state": {
        "cells": {
            "plot_trajectories": '''
def plot_trajectories(ax, steps, w0, grad_fn, n_steps):
    state = {}
    for label, step in steps.items():
        w, points = w0, [w0.cpu()]
        for _ in range(n_steps):
            w, state = step(w, grad_fn(w), state)
            points.append(w.detach().cpu())
        path = torch.stack(points)
        ax.plot(path[:, 0], path[:, 1], label=label)
    ax.legend()
    return ax
''',
        },
        "loses": ["test_plot_trajectories"],
    },

    # Correct in other containers and types: lists for pairs, fresh state dicts, NumPy and 0-dim
    # tensor numbers, the options as a list, the legend written with ax.legend([...]).
    "alternative_containers": {
        "cells": {
            "sgd_l2_step": '''
def sgd_l2_step(w, grad, state, alpha, beta, lam, eta=1.0):
    m = torch.zeros_like(w) if "m" not in state else state["m"]
    m = m * beta + (grad + w * lam) * (alpha * eta)
    return [w - m, {"m": m}]
''',
            "sgdw_step": '''
def sgdw_step(w, grad, state, alpha, beta, lam, eta=1.0):
    m = beta * state.get("m", 0 * w) + alpha * eta * grad
    return [torch.sub(w, m + lam * eta * w), dict(state, m=m)]
''',
            # the moments kept in a list, the step count as a 0-dim float64 tensor
            "adam_l2_step": '''
def adam_l2_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):
    m, v = state.get("moments", [torch.zeros_like(w), torch.zeros_like(w)])
    t = state.get("t", torch.tensor(0.0, dtype=torch.float64)) + 1
    g = grad + lam * w
    m, v = beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g ** 2
    step = alpha * eta * (m / (1 - beta1 ** t.item())) / (torch.sqrt(v / (1 - beta2 ** t.item())) + eps)
    return [w - step, {"moments": [m, v], "t": t}]
''',
            "adamw_step": '''
def adamw_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):
    t = state.get("t", 0) + 1
    m = torch.lerp(state.get("m", torch.zeros_like(w)), grad, 1 - beta1)
    v = torch.lerp(state.get("v", torch.zeros_like(w)), grad * grad, 1 - beta2)
    adam = (m / (1 - beta1 ** t)).div((v / (1 - beta2 ** t)).sqrt().add(eps))
    return [w.mul(1 - eta * lam).sub(adam, alpha=alpha * eta), {"t": t, "m": m, "v": v}]
''',
            "sgd_hparams_for_sgdw": "import numpy as np\n\ndef sgd_hparams_for_sgdw(alpha, lam, eta=1.0):\n    return np.array([alpha * eta, lam / alpha])",
            "l2_vs_sgdw_options": "l2_vs_sgdw_options = ['C', 'A']",
            "sgdw_equivalent_l2": "def sgdw_equivalent_l2(alpha, beta, lam):\n    return torch.tensor(lam / alpha, dtype=torch.float64) * (1 - beta)",
            "plot_trajectories": '''
def plot_trajectories(ax, steps, w0, grad_fn, n_steps):
    for step in steps.values():
        path, w, state = [w0.tolist()], w0, {}
        for _ in range(n_steps):
            w, state = step(w, grad_fn(w), state)
            path.append(w.tolist())
        xs, ys = zip(*path)
        ax.plot(xs, ys)
    ax.legend(list(steps))
    ax.set_xlabel("first weight")
    ax.set_ylabel("second weight")
    return ax
''',
        },
        "loses": [],
    },
    # Forbidden shortcut (Task 1.1): PyTorch's SGD kept in the state and stepped.
    "forbidden_sgd_l2_torch_optim": {
        "cells": {
            "sgd_l2_step": '''
def sgd_l2_step(w, grad, state, alpha, beta, lam, eta=1.0):
    if "opt" not in state:
        state["p"] = torch.nn.Parameter(w.clone())
        state["opt"] = torch.optim.SGD([state["p"]], lr=alpha * eta, momentum=beta, weight_decay=lam)
    p, opt = state["p"], state["opt"]
    with torch.no_grad():
        p.copy_(w)
    p.grad = grad.clone()
    opt.param_groups[0]["lr"] = alpha * eta
    opt.step()
    return p.detach().clone(), state
''',
        },
        "loses": ["test_sgd_l2_step"],
    },
    # Forbidden shortcut (Task 1.2): torch's SGD for the momentum, the decay added by hand.
    "forbidden_sgdw_torch_optim": {
        "cells": {
            "sgdw_step": '''
from torch import optim as _optim

def sgdw_step(w, grad, state, alpha, beta, lam, eta=1.0):
    p = torch.nn.Parameter(w.clone())
    opt = _optim.SGD([p], lr=alpha * eta, momentum=beta)
    if "buf" in state:
        opt.state[p]["momentum_buffer"] = state["buf"].clone() * 1.0
    p.grad = grad.clone()
    opt.step()
    buf = opt.state[p].get("momentum_buffer")
    buf = grad if buf is None else buf
    state["buf"] = buf
    return w - alpha * eta * buf - eta * lam * w, state
''',
        },
        "loses": ["test_sgdw_step"],
    },
    # Forbidden shortcut (Task 1.3): torch.optim.Adam behind the step function.
    "forbidden_adam_l2_torch_optim": {
        "cells": {
            "adam_l2_step": '''
def adam_l2_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):
    if "opt" not in state:
        state["p"] = torch.nn.Parameter(w.detach().clone())
        state["opt"] = torch.optim.Adam([state["p"]], lr=alpha, betas=(beta1, beta2), eps=eps, weight_decay=lam)
    with torch.no_grad():
        state["p"].copy_(w)
    state["p"].grad = grad.clone()
    state["opt"].param_groups[0]["lr"] = alpha * eta
    state["opt"].step()
    return state["p"].detach().clone(), state
''',
        },
        "loses": ["test_adam_l2_step"],
    },
    # Forbidden shortcut (Task 1.4): torch.optim.AdamW with the recap's mapping, reached by getattr.
    "forbidden_adamw_torch_optim": {
        "cells": {
            "adamw_step": '''
import importlib

def adamw_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):
    if "opt" not in state:
        cls = getattr(importlib.import_module("torch.optim"), "Adam" + "W")
        state["p"] = torch.nn.Parameter(w.detach().clone())
        state["opt"] = cls([state["p"]], lr=alpha, betas=(beta1, beta2), eps=eps, weight_decay=lam / alpha)
    with torch.no_grad():
        state["p"].copy_(w)
    state["p"].grad = grad.clone()
    state["opt"].param_groups[0]["lr"] = alpha * eta
    state["opt"].step()
    return state["p"].detach().clone(), state
''',
        },
        "loses": ["test_adamw_step"],
    },
    # Device mistake: the moments start as torch.zeros(len(w)), on the CPU in float32. It passes on
    # a CPU with float64 weights (type promotion) and fails on a GPU; the hidden check on the meta
    # device makes it fail everywhere.
    "mistake_adam_l2_state_on_cpu": {
        "cells": {
            "adam_l2_step": '''
def adam_l2_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):
    g = grad + lam * w
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", torch.zeros(len(w))) + (1 - beta1) * g
    v = beta2 * state.get("v", torch.zeros(len(w))) + (1 - beta2) * g * g
    state.update(t=t, m=m, v=v)
    return w - eta * alpha * (m / (1 - beta1 ** t)) / ((v / (1 - beta2 ** t)).sqrt() + eps), state
''',
        },
        "loses": ["test_adam_l2_step"],
    },
    # The same device mistake in SGDW: the momentum starts as a CPU float64 tensor whatever w is.
    "mistake_sgdw_state_fixed_dtype": {
        "cells": {
            "sgdw_step": '''
def sgdw_step(w, grad, state, alpha, beta, lam, eta=1.0):
    m = beta * state.get("m", torch.zeros(w.shape, dtype=torch.float64)) + eta * alpha * grad
    state["m"] = m
    return w - m - eta * lam * w, state
''',
        },
        "loses": ["test_sgdw_step"],
    },
    # The weights updated in place (the statement asks for a new tensor).
    "mistake_sgd_l2_in_place": {
        "cells": {
            "sgd_l2_step": '''
def sgd_l2_step(w, grad, state, alpha, beta, lam, eta=1.0):
    m = beta * state.get("m", torch.zeros_like(w)) + eta * alpha * (grad + lam * w)
    state["m"] = m
    return w.sub_(m), state
''',
        },
        "loses": ["test_sgd_l2_step"],
    },
    # Adam's epsilon inside the square root.
    "mistake_adam_l2_eps_inside_sqrt": {
        "cells": {
            "adam_l2_step": '''
def adam_l2_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):
    g = grad + lam * w
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", torch.zeros_like(w)) + (1 - beta1) * g
    v = beta2 * state.get("v", torch.zeros_like(w)) + (1 - beta2) * g * g
    state.update(t=t, m=m, v=v)
    return w - eta * alpha * (m / (1 - beta1 ** t)) / (v / (1 - beta2 ** t) + eps).sqrt(), state
''',
        },
        "loses": ["test_adam_l2_step"],
    },
    # The schedule forgotten in the learning rate: lr = alpha.
    "mistake_sgd_hparams_lr_ignores_eta": {
        "cells": {"sgd_hparams_for_sgdw": "def sgd_hparams_for_sgdw(alpha, lam, eta=1.0):\n    return alpha, lam / alpha"},
        "loses": ["test_sgd_hparams_for_sgdw"],
    },
    # Each optimizer started where the previous one stopped.
    "mistake_plot_no_restart": {
        "cells": {
            "plot_trajectories": '''
def plot_trajectories(ax, steps, w0, grad_fn, n_steps):
    w = w0
    for label, step in steps.items():
        state, points = {}, [w.cpu()]
        for _ in range(n_steps):
            w, state = step(w, grad_fn(w), state)
            points.append(w.cpu())
        path = torch.stack(points)
        ax.plot(path[:, 0], path[:, 1], label=label)
    ax.legend()
    return ax
''',
        },
        "loses": ["test_plot_trajectories"],
    },

    # The schedule multiplier ignored: right with the default eta = 1, wrong once a schedule changes it.
    "mistake_sgd_l2_ignores_eta": {
        "cells": {
            "sgd_l2_step": '''
def sgd_l2_step(w, grad, state, alpha, beta, lam, eta=1.0):
    m = beta * state.get("m", torch.zeros_like(w)) + alpha * (grad + lam * w)
    state["m"] = m
    return w - m, state
''',
        },
        "loses": ["test_sgd_l2_step"],
    },
    # The momentum sized from the first dimension: right for a vector, wrong for a 0-dim or 2-D w.
    "mistake_sgdw_state_first_dim": {
        "cells": {
            "sgdw_step": '''
def sgdw_step(w, grad, state, alpha, beta, lam, eta=1.0):
    m = state.get("m", torch.zeros(w.shape[0], dtype=w.dtype, device=w.device))
    m = beta * m + eta * alpha * grad
    state["m"] = m
    return w - m - eta * lam * w, state
''',
        },
        "loses": ["test_sgdw_step"],
    },
    # The penalty added to the caller's gradient in place (PyTorch's old style, without the copy).
    "mistake_adam_l2_grad_in_place": {
        "cells": {
            "adam_l2_step": '''
def adam_l2_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):
    g = grad.add_(w, alpha=lam)
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", torch.zeros_like(w)) + (1 - beta1) * g
    v = beta2 * state.get("v", torch.zeros_like(w)) + (1 - beta2) * g * g
    state.update(t=t, m=m, v=v)
    return w - eta * alpha * (m / (1 - beta1 ** t)) / ((v / (1 - beta2 ** t)).sqrt() + eps), state
''',
        },
        "loses": ["test_adam_l2_step"],
    },
    # The moments kept in a module-level dict (reset when a run starts): one run at a time is right,
    # but two runs, each with its own state, share them.
    "mistake_adamw_global_moments": {
        "cells": {
            "adamw_step": '''
_moments = {}

def adamw_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):
    if not state:
        _moments.update(t=0, m=torch.zeros_like(w), v=torch.zeros_like(w))
        state["started"] = True
    t = _moments["t"] + 1
    m = beta1 * _moments["m"] + (1 - beta1) * grad
    v = beta2 * _moments["v"] + (1 - beta2) * grad * grad
    _moments.update(t=t, m=m, v=v)
    return w - eta * (alpha * (m / (1 - beta1 ** t)) / ((v / (1 - beta2 ** t)).sqrt() + eps) + lam * w), state
''',
        },
        "loses": ["test_adamw_step"],
    },
    # No default for eta: a call that leaves it out fails.
    "mistake_sgd_hparams_no_eta_default": {
        "cells": {"sgd_hparams_for_sgdw": "def sgd_hparams_for_sgdw(alpha, lam, eta=None):\n    return alpha * eta, lam / alpha"},
        "loses": ["test_sgd_hparams_for_sgdw"],
    },
    # The points drawn without detaching them: fails for a w0 that requires gradients.
    "mistake_plot_without_detach": {
        "cells": {
            "plot_trajectories": '''
def plot_trajectories(ax, steps, w0, grad_fn, n_steps):
    for label, step in steps.items():
        w, state, points = w0, {}, [w0.cpu()]
        for _ in range(n_steps):
            w, state = step(w, grad_fn(w), state)
            points.append(w.cpu())
        path = torch.stack(points)
        ax.plot(path[:, 0].numpy(), path[:, 1].numpy(), label=label)
    ax.legend()
    return ax
''',
        },
        "loses": ["test_plot_trajectories"],
    },
    # The labels given to the lines in sorted order, the paths in the dict's order.
    "mistake_plot_labels_sorted": {
        "cells": {
            "plot_trajectories": '''
def plot_trajectories(ax, steps, w0, grad_fn, n_steps):
    for label, step in zip(sorted(steps), steps.values()):
        w, state, points = w0.detach(), {}, [w0.detach().cpu()]
        for _ in range(n_steps):
            w, state = step(w, grad_fn(w), state)
            points.append(w.detach().cpu())
        path = torch.stack(points)
        ax.plot(path[:, 0], path[:, 1], label=label)
    ax.legend()
    return ax
''',
        },
        "loses": ["test_plot_trajectories"],
    },

    # One state dict for every optimizer (points detached, so only the shared state is wrong).
    "mistake_plot_shared_state_detached": {
        "cells": {
            "plot_trajectories": '''
def plot_trajectories(ax, steps, w0, grad_fn, n_steps):
    state = {}
    for label, step in steps.items():
        w, points = w0.detach(), [w0.detach().cpu()]
        for _ in range(n_steps):
            w, state = step(w, grad_fn(w), state)
            points.append(w.detach().cpu())
        path = torch.stack(points)
        ax.plot(path[:, 0], path[:, 1], label=label)
    ax.legend()
    return ax
''',
        },
        "loses": ["test_plot_trajectories"],
    },
}

# Held-out cases: written from the student notebook alone by someone who had not read the tests,
# graded once before the tests were strengthened (the closing note of issue 21 has the figures),
# then added here with what each loses.
VARIANTS.update({
    # correct: Algorithm 1 with the L2 term as written: g = grad + lam*w, m = beta*m + eta*alpha*g, w - m; new dict each step
    'heldout_sgd_l2_plain': {
        "cells": {
            'sgd_l2_step': 'def sgd_l2_step(w, grad, state, alpha, beta, lam, eta=1.0):\n    g = grad + lam * w\n    m = state.get("m")\n    if m is None:\n        m = torch.zeros_like(w)\n    m = beta * m + eta * alpha * g\n    return w - m, {"m": m}\n',
        },
        "loses": [],
    },
    # correct: keeps the momentum in the given dict and updates that buffer in place like torch does (allowed: 'store in it'), returns a list of two; w itself is never changed
    'heldout_sgd_l2_inplace_buffer_list': {
        "cells": {
            'sgd_l2_step': 'def sgd_l2_step(w, grad, state, alpha, beta, lam, eta=1.0):\n    d_p = grad.add(w, alpha=lam)\n    if "momentum_buffer" not in state:\n        state["momentum_buffer"] = torch.mul(d_p, eta * alpha)\n    else:\n        state["momentum_buffer"].mul_(beta).add_(d_p, alpha=eta * alpha)\n    new_w = w.sub(state["momentum_buffer"])\n    return [new_w, state]\n',
        },
        "loses": [],
    },
    # correct: same formulas computed entry by entry in a Python loop over the flattened weights, stacked back to w's shape, dtype and device
    'heldout_sgd_l2_elementwise_loop': {
        "cells": {
            'sgd_l2_step': 'def sgd_l2_step(w, grad, state, alpha, beta, lam, eta=1.0):\n    flat_w = w.reshape(-1)\n    flat_g = grad.reshape(-1)\n    old_m = state.get("m", torch.zeros_like(w)).reshape(-1)\n    new_m, new_w = [], []\n    for i in range(flat_w.numel()):\n        gi = flat_g[i] + lam * flat_w[i]\n        mi = beta * old_m[i] + eta * alpha * gi\n        new_m.append(mi)\n        new_w.append(flat_w[i] - mi)\n    if new_w:\n        m = torch.stack(new_m).reshape(w.shape)\n        out = torch.stack(new_w).reshape(w.shape)\n    else:\n        m, out = torch.zeros_like(w), w.clone()\n    return out, {"m": m}\n',
        },
        "loses": [],
    },
    # wrong: never uses eta (m = beta*m + alpha*g): right only for the default eta = 1, wrong under any schedule multiplier
    'heldout_sgd_l2_ignores_eta': {
        "cells": {
            'sgd_l2_step': 'def sgd_l2_step(w, grad, state, alpha, beta, lam, eta=1.0):\n    g = grad + lam * w\n    m = beta * state.get("m", torch.zeros_like(w)) + alpha * g\n    return w - m, {"m": m}\n',
        },
        "loses": ['test_sgd_l2_step'],
    },
    # wrong: creates the first momentum with torch.zeros(w.shape, dtype=w.dtype) on the CPU, so it fails when w is on another device (GPU or meta) although the statement asks to keep everything on w's device
    'heldout_sgd_l2_buffer_on_cpu': {
        "cells": {
            'sgd_l2_step': 'def sgd_l2_step(w, grad, state, alpha, beta, lam, eta=1.0):\n    m = state.get("m", torch.zeros(w.shape, dtype=w.dtype))\n    m = beta * m + eta * alpha * (grad + lam * w)\n    return w - m, {"m": m}\n',
        },
        "loses": ['test_sgd_l2_step'],
    },
    # evasion: runs torch._fused_sgd_, the kernel torch.optim.SGD(fused=True) calls, on pre-scaled gradients (lr=1, grads = eta*alpha*(grad+lam*w)): right numbers, but it is torch.optim's update under another name, not the update written with tensor operations
    'heldout_sgd_l2_fused_kernel': {
        "cells": {
            'sgd_l2_step': 'def sgd_l2_step(w, grad, state, alpha, beta, lam, eta=1.0):\n    new_w = w.clone()\n    scaled = (eta * alpha) * (grad + lam * w)\n    first = "buf" not in state\n    buf = torch.zeros_like(w) if first else state["buf"].clone()\n    torch._fused_sgd_([new_w], [scaled], [buf] if beta != 0 else [], weight_decay=0.0, momentum=beta,\n                      lr=1.0, dampening=0.0, nesterov=False, maximize=False, is_first_step=first)\n    return new_w, {"buf": buf if beta != 0 else scaled}\n',
        },
        "loses": ['test_sgd_l2_step'],
    },
    # correct: Algorithm 1 with the SGDW term: m = beta*m + eta*alpha*grad, w - m - eta*lam*w
    'heldout_sgdw_plain': {
        "cells": {
            'sgdw_step': 'def sgdw_step(w, grad, state, alpha, beta, lam, eta=1.0):\n    m = beta * state.get("m", torch.zeros_like(w)) + eta * alpha * grad\n    return w - m - eta * lam * w, {"m": m}\n',
        },
        "loses": [],
    },
    # correct: same update written as (1 - eta*lam)*w - m with torch.add, keeps a step counter it never needs and copies the other state keys into a new dict
    'heldout_sgdw_shrink_factor_step_counter': {
        "cells": {
            'sgdw_step': 'def sgdw_step(w, grad, state, alpha, beta, lam, eta=1.0):\n    new_state = dict(state)\n    t = new_state.get("t", 0) + 1\n    if t == 1:\n        m = eta * alpha * grad\n    else:\n        m = beta * new_state["m"] + eta * alpha * grad\n    new_w = torch.add(w * (1.0 - eta * lam), m, alpha=-1.0)\n    new_state.update(t=t, m=m)\n    return new_w, new_state\n',
        },
        "loses": [],
    },
    # wrong: puts the decay into the momentum (m = beta*m + eta*(alpha*grad + lam*w), w - m): identical at step 1 but it is SGD with L2, not SGDW, from step 2 on when beta > 0
    'heldout_sgdw_decay_in_momentum': {
        "cells": {
            'sgdw_step': 'def sgdw_step(w, grad, state, alpha, beta, lam, eta=1.0):\n    m = beta * state.get("m", torch.zeros_like(w)) + eta * (alpha * grad + lam * w)\n    return w - m, {"m": m}\n',
        },
        "loses": ['test_sgdw_step'],
    },
    # wrong: accumulates the raw gradient (m = beta*m + grad) and multiplies by alpha*eta afterwards, as torch.optim.SGD does; equals the paper's m_t = beta*m + eta*alpha*g only when eta is constant, and the statement checks a changing eta
    'heldout_sgdw_torch_momentum_convention': {
        "cells": {
            'sgdw_step': 'def sgdw_step(w, grad, state, alpha, beta, lam, eta=1.0):\n    buf = grad.clone() if "buf" not in state else beta * state["buf"] + grad\n    new_w = w - eta * alpha * buf - eta * lam * w\n    return new_w, {"buf": buf}\n',
        },
        "loses": ['test_sgdw_step'],
    },
    # evasion: runs torch.optim.SGD(momentum=beta, lr=1) on eta*alpha*grad inside a concurrent.futures worker thread (so the rule's watcher in the main thread does not see it) and subtracts eta*lam*w; right numbers, but it calls torch.optim
    'heldout_sgdw_threadpool_torch_sgd': {
        "cells": {
            'sgdw_step': 'import concurrent.futures\n\ndef _torch_momentum(w, scaled_grad, state, beta):\n    p = torch.nn.Parameter(w.detach().clone())\n    opt = torch.optim.SGD([p], lr=1.0, momentum=beta)\n    if "buf" in state:\n        opt.state[p]["momentum_buffer"] = state["buf"].clone()\n    p.grad = scaled_grad.clone()\n    opt.step()\n    buf = opt.state[p].get("momentum_buffer")\n    return p.detach().clone(), (scaled_grad if buf is None else buf).clone()\n\ndef sgdw_step(w, grad, state, alpha, beta, lam, eta=1.0):\n    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:\n        moved, buf = pool.submit(_torch_momentum, w, eta * alpha * grad, state, beta).result()\n    return moved - eta * lam * w, {"buf": buf}\n',
        },
        "loses": ['test_sgdw_step'],
    },
    # correct: Algorithm 2 with the L2 term, step count t in the state, bias corrections 1 - beta^t, eta multiplying the whole step
    'heldout_adam_l2_plain': {
        "cells": {
            'adam_l2_step': 'def adam_l2_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):\n    g = grad + lam * w\n    t = state.get("t", 0) + 1\n    m = beta1 * state.get("m", torch.zeros_like(w)) + (1 - beta1) * g\n    v = beta2 * state.get("v", torch.zeros_like(w)) + (1 - beta2) * g * g\n    m_hat = m / (1 - beta1 ** t)\n    v_hat = v / (1 - beta2 ** t)\n    new_w = w - eta * alpha * m_hat / (torch.sqrt(v_hat) + eps)\n    return new_w, {"t": t, "m": m, "v": v}\n',
        },
        "loses": [],
    },
    # correct: PyTorch's arrangement: lerp for m, addcmul for v, denominator sqrt(v)/sqrt(1-beta2^t) + eps and step size eta*alpha/(1-beta1^t) with addcdiv; algebraically the same update
    'heldout_adam_l2_torch_style_denominator': {
        "cells": {
            'adam_l2_step': 'def adam_l2_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):\n    if not state:\n        state["step"] = 0\n        state["exp_avg"] = torch.zeros_like(w)\n        state["exp_avg_sq"] = torch.zeros_like(w)\n    state["step"] += 1\n    t = state["step"]\n    g = grad.add(w, alpha=lam)\n    state["exp_avg"] = torch.lerp(state["exp_avg"], g, 1 - beta1)\n    state["exp_avg_sq"] = (state["exp_avg_sq"] * beta2).addcmul(g, g, value=1 - beta2)\n    bias_correction1 = 1 - beta1 ** t\n    bias_correction2 = 1 - beta2 ** t\n    denom = (state["exp_avg_sq"].sqrt() / math.sqrt(bias_correction2)).add(eps)\n    new_w = w.addcdiv(state["exp_avg"], denom, value=-eta * alpha / bias_correction1)\n    return new_w, state\n',
        },
        "loses": [],
    },
    # wrong: drops the schedule multiplier (step alpha*m_hat/(sqrt(v_hat)+eps)): right only for eta = 1
    'heldout_adam_l2_ignores_eta': {
        "cells": {
            'adam_l2_step': 'def adam_l2_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):\n    g = grad + lam * w\n    t = state.get("t", 0) + 1\n    m = beta1 * state.get("m", torch.zeros_like(w)) + (1 - beta1) * g\n    v = beta2 * state.get("v", torch.zeros_like(w)) + (1 - beta2) * g ** 2\n    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)\n    return w - alpha * m_hat / (v_hat.sqrt() + eps), {"t": t, "m": m, "v": v}\n',
        },
        "loses": ['test_adam_l2_step'],
    },
    # wrong: divides by sqrt(v_hat + eps) instead of sqrt(v_hat) + eps; invisible with eps = 1e-8 and large gradients, wrong for a larger eps or small gradients
    'heldout_adam_l2_eps_inside_sqrt': {
        "cells": {
            'adam_l2_step': 'def adam_l2_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):\n    g = grad + lam * w\n    t = state.get("t", 0) + 1\n    m = beta1 * state.get("m", torch.zeros_like(w)) + (1 - beta1) * g\n    v = beta2 * state.get("v", torch.zeros_like(w)) + (1 - beta2) * g * g\n    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)\n    return w - eta * alpha * m_hat / torch.sqrt(v_hat + eps), {"t": t, "m": m, "v": v}\n',
        },
        "loses": ['test_adam_l2_step'],
    },
    # evasion: switches the Python profiler off (sys.setprofile(None)) and calls torch.optim._functional.adam with lr=eta*alpha, weight_decay=lam; right numbers, but it is torch.optim
    'heldout_adam_l2_functional_profile_off': {
        "cells": {
            'adam_l2_step': 'import sys\n\ndef adam_l2_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):\n    new_w = w.clone()\n    m = state.get("m", torch.zeros_like(w)).clone()\n    v = state.get("v", torch.zeros_like(w)).clone()\n    step = state.get("step", torch.tensor(0.0)).clone()\n    saved = sys.getprofile()\n    sys.setprofile(None)\n    try:\n        torch.optim._functional.adam([new_w], [grad.clone()], [m], [v], [], [step], foreach=False,\n                                     amsgrad=False, beta1=beta1, beta2=beta2, lr=eta * alpha,\n                                     weight_decay=lam, eps=eps, maximize=False)\n    finally:\n        sys.setprofile(saved)\n    return new_w, {"m": m, "v": v, "step": step}\n',
        },
        "loses": ['test_adam_l2_step'],
    },
    # correct: Algorithm 2 with the AdamW term: w - eta*(alpha*m_hat/(sqrt(v_hat)+eps) + lam*w)
    'heldout_adamw_plain': {
        "cells": {
            'adamw_step': 'def adamw_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):\n    t = state.get("t", 0) + 1\n    m = beta1 * state.get("m", torch.zeros_like(w)) + (1 - beta1) * grad\n    v = beta2 * state.get("v", torch.zeros_like(w)) + (1 - beta2) * grad ** 2\n    m_hat = m / (1 - beta1 ** t)\n    v_hat = v / (1 - beta2 ** t)\n    new_w = w - eta * (alpha * m_hat / (v_hat.sqrt() + eps) + lam * w)\n    return new_w, {"t": t, "m": m, "v": v}\n',
        },
        "loses": [],
    },
    # correct: maps to PyTorch's notation first (gamma = alpha*eta, weight_decay = lam/alpha), shrinks w by 1 - gamma*wd, then the Adam step; same numbers
    'heldout_adamw_torch_notation': {
        "cells": {
            'adamw_step': 'def adamw_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):\n    lr = alpha * eta\n    weight_decay = lam / alpha\n    step = state.get("step", 0) + 1\n    exp_avg = state.get("exp_avg", torch.zeros_like(w)).mul(beta1).add(grad, alpha=1 - beta1)\n    exp_avg_sq = state.get("exp_avg_sq", torch.zeros_like(w)).mul(beta2).addcmul(grad, grad, value=1 - beta2)\n    shrunk = w * (1 - lr * weight_decay)\n    denom = exp_avg_sq.div(1 - beta2 ** step).sqrt().add(eps)\n    new_w = shrunk.addcdiv(exp_avg, denom, value=-lr / (1 - beta1 ** step))\n    return new_w, {"step": step, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}\n',
        },
        "loses": [],
    },
    # wrong (by the statement as it reads now): writes the update itself with torch._foreach_* tensor operations on one-element lists (the style of torch's multi-tensor code, but no torch.optim call)
    'heldout_adamw_foreach_by_hand': {
        "cells": {
            'adamw_step': 'def adamw_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):\n    t = state.get("t", 0) + 1\n    ms = [state["m"].clone()] if "m" in state else [torch.zeros_like(w)]\n    vs = [state["v"].clone()] if "v" in state else [torch.zeros_like(w)]\n    ws = [w.clone()]\n    torch._foreach_mul_(ws, 1 - eta * lam)\n    torch._foreach_lerp_(ms, [grad], 1 - beta1)\n    torch._foreach_mul_(vs, beta2)\n    torch._foreach_addcmul_(vs, [grad], [grad], value=1 - beta2)\n    denom = torch._foreach_div(vs, 1 - beta2 ** t)\n    torch._foreach_sqrt_(denom)\n    torch._foreach_add_(denom, eps)\n    torch._foreach_addcdiv_(ws, ms, denom, value=-eta * alpha / (1 - beta1 ** t))\n    return ws[0], {"t": t, "m": ms[0], "v": vs[0]}\n',
        },
        "loses": ['test_adamw_step'],
    },
    # wrong: decays by lam*w without the schedule multiplier (w - eta*alpha*step - lam*w): right for eta = 1, wrong under a schedule
    'heldout_adamw_decay_ignores_eta': {
        "cells": {
            'adamw_step': 'def adamw_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):\n    t = state.get("t", 0) + 1\n    m = beta1 * state.get("m", torch.zeros_like(w)) + (1 - beta1) * grad\n    v = beta2 * state.get("v", torch.zeros_like(w)) + (1 - beta2) * grad ** 2\n    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)\n    new_w = w - eta * alpha * m_hat / (v_hat.sqrt() + eps) - lam * w\n    return new_w, {"t": t, "m": m, "v": v}\n',
        },
        "loses": ['test_adamw_step'],
    },
    # wrong: the 'efficient' form of the Adam paper: alpha_t = alpha*sqrt(1-beta2^t)/(1-beta1^t), step alpha_t*m/(sqrt(v)+eps), which puts eps outside the bias correction; differs from sqrt(v_hat)+eps, visibly for larger eps or small gradients
    'heldout_adamw_kingma_efficient_form': {
        "cells": {
            'adamw_step': 'def adamw_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):\n    t = state.get("t", 0) + 1\n    m = beta1 * state.get("m", torch.zeros_like(w)) + (1 - beta1) * grad\n    v = beta2 * state.get("v", torch.zeros_like(w)) + (1 - beta2) * grad * grad\n    alpha_t = alpha * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)\n    new_w = w - eta * (alpha_t * m / (v.sqrt() + eps) + lam * w)\n    return new_w, {"t": t, "m": m, "v": v}\n',
        },
        "loses": ['test_adamw_step'],
    },
    # wrong: converts w and grad to float64 'for accuracy' and returns float64 weights; the statement asks for the dtype of w, so float32 weights come back in the wrong dtype
    'heldout_adamw_casts_to_float64': {
        "cells": {
            'adamw_step': 'def adamw_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):\n    w = w.to(torch.float64)\n    grad = grad.to(torch.float64)\n    t = state.get("t", 0) + 1\n    m = beta1 * state.get("m", torch.zeros_like(w)) + (1 - beta1) * grad\n    v = beta2 * state.get("v", torch.zeros_like(w)) + (1 - beta2) * grad * grad\n    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)\n    new_w = w - eta * (alpha * m_hat / (v_hat.sqrt() + eps) + lam * w)\n    return new_w, {"t": t, "m": m, "v": v}\n',
        },
        "loses": ['test_adamw_step'],
    },
    # wrong: keeps m, v and t in a module-level dict that is reset only when the shape changes, so a second run with the same shape starting from {} continues the first run's moments and step count
    'heldout_adamw_global_moments': {
        "cells": {
            'adamw_step': '_adam = {}\n\ndef adamw_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):\n    if _adam.get("shape") != tuple(w.shape):\n        _adam.clear()\n        _adam.update(shape=tuple(w.shape), t=0, m=torch.zeros_like(w), v=torch.zeros_like(w))\n    _adam["t"] += 1\n    t = _adam["t"]\n    _adam["m"] = beta1 * _adam["m"] + (1 - beta1) * grad\n    _adam["v"] = beta2 * _adam["v"] + (1 - beta2) * grad * grad\n    m_hat, v_hat = _adam["m"] / (1 - beta1 ** t), _adam["v"] / (1 - beta2 ** t)\n    new_w = w - eta * (alpha * m_hat / (v_hat.sqrt() + eps) + lam * w)\n    return new_w, state\n',
        },
        "loses": ['test_adamw_step'],
    },
    # evasion: keeps a torch.optim.AdamW(lr=alpha*eta, weight_decay=lam/alpha) in the state and steps it in a threading.Thread so the rule's watcher does not see it; right numbers, but it calls torch.optim
    'heldout_adamw_torch_optim_in_thread': {
        "cells": {
            'adamw_step': 'import threading\n\ndef adamw_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):\n    result = {}\n\n    def work():\n        if "opt" not in state:\n            state["p"] = torch.nn.Parameter(w.detach().clone())\n            state["opt"] = torch.optim.AdamW([state["p"]], lr=alpha * eta, betas=(beta1, beta2), eps=eps,\n                                             weight_decay=lam / alpha)\n        p, opt = state["p"], state["opt"]\n        with torch.no_grad():\n            p.copy_(w)\n        for group in opt.param_groups:\n            group.update(lr=alpha * eta, weight_decay=lam / alpha, betas=(beta1, beta2), eps=eps)\n        p.grad = grad.detach().clone()\n        opt.step()\n        result["w"] = p.detach().clone()\n\n    worker = threading.Thread(target=work)\n    worker.start()\n    worker.join()\n    return result["w"], state\n',
        },
        "loses": ['test_adamw_step'],
    },
    # evasion: at the top of the cell rebuilds torch.optim.adam's _single_tensor_adam and its helpers from renamed copies of their code objects and calls the copy with decoupled_weight_decay=True, lr=alpha*eta, weight_decay=lam/alpha: torch.optim's AdamW code under another identity
    'heldout_adamw_recompiled_torch_kernel': {
        "cells": {
            'adamw_step': 'import importlib\nimport types\n\ndef _renamed(fn, globs=None):\n    fn = getattr(fn, "__wrapped__", fn)\n    code = fn.__code__.replace(co_name="mine_" + fn.__code__.co_name)\n    new = types.FunctionType(code, fn.__globals__ if globs is None else globs, code.co_name,\n                             fn.__defaults__, fn.__closure__)\n    new.__kwdefaults__ = fn.__kwdefaults__\n    return new\n\n_adam_globals = dict(vars(importlib.import_module("torch.optim.adam")))\nfor _name, _obj in list(_adam_globals.items()):\n    if isinstance(_obj, types.FunctionType) and str(_obj.__module__).startswith("torch.optim"):\n        _adam_globals[_name] = _renamed(_obj)\n_adam_kernel = _renamed(vars(importlib.import_module("torch.optim.adam"))["_single_tensor_adam"], _adam_globals)\n\ndef adamw_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):\n    new_w = w.clone()\n    m = state["m"].clone() if "m" in state else torch.zeros_like(w)\n    v = state["v"].clone() if "v" in state else torch.zeros_like(w)\n    step = state["step"].clone() if "step" in state else torch.tensor(0.0)\n    _adam_kernel([new_w], [grad.clone()], [m], [v], [], [step], None, None, amsgrad=False, has_complex=False,\n                 beta1=beta1, beta2=beta2, lr=alpha * eta, weight_decay=lam / alpha, eps=eps, maximize=False,\n                 capturable=False, differentiable=False, decoupled_weight_decay=True)\n    return new_w, {"m": m, "v": v, "step": step}\n',
        },
        "loses": ['test_adamw_step'],
    },
    # correct: lr = alpha*eta and weight_decay = lam/alpha, so lr*wd = eta*lam: SGD's step equals SGDW's with beta = 0
    'heldout_hparams_tuple': {
        "cells": {
            'sgd_hparams_for_sgdw': 'def sgd_hparams_for_sgdw(alpha, lam, eta=1.0):\n    return alpha * eta, lam / alpha\n',
        },
        "loses": [],
    },
    # correct: the same two numbers returned as a float64 tensor of two entries (the statement asks for a pair; the check accepts a tensor of two)
    'heldout_hparams_tensor': {
        "cells": {
            'sgd_hparams_for_sgdw': 'def sgd_hparams_for_sgdw(alpha, lam, eta=1.0):\n    return torch.tensor([alpha * eta, lam / alpha], dtype=torch.float64)\n',
        },
        "loses": [],
    },
    # wrong: the common slip the recap warns about: passes the paper's lam as weight_decay, so the per-step decay is alpha times too small
    'heldout_hparams_paper_lambda_as_wd': {
        "cells": {
            'sgd_hparams_for_sgdw': 'def sgd_hparams_for_sgdw(alpha, lam, eta=1.0):\n    return (alpha * eta, lam)\n',
        },
        "loses": ['test_sgd_hparams_for_sgdw'],
    },
    # wrong: weight_decay = lam/(alpha*eta) makes lr*wd = lam, so the decay no longer follows the schedule (right only for eta = 1)
    'heldout_hparams_wd_divided_by_lr': {
        "cells": {
            'sgd_hparams_for_sgdw': 'def sgd_hparams_for_sgdw(alpha, lam, eta=1.0):\n    lr = alpha * eta\n    return [lr, lam / lr]\n',
        },
        "loses": ['test_sgd_hparams_for_sgdw'],
    },
    # correct: A (lr*wd = eta*lam every step, even with a changing eta) and C (equal first step, the decay then enters the momentum); B, D and E are false
    'heldout_options_set_AC': {
        "cells": {
            'l2_vs_sgdw_options': 'l2_vs_sgdw_options = {"A", "C"}\n',
        },
        "loses": [],
    },
    # correct: the same answer as a list in another order
    'heldout_options_list_CA': {
        "cells": {
            'l2_vs_sgdw_options': 'l2_vs_sgdw_options = ["C", "A"]\n',
        },
        "loses": [],
    },
    # wrong: adds E, but without momentum setting lr = alpha*eta_t and wd = lam/alpha at every step keeps the two identical under any schedule
    'heldout_options_adds_E': {
        "cells": {
            'l2_vs_sgdw_options': 'l2_vs_sgdw_options = {"A", "C", "E"}\n',
        },
        "loses": {"test_l2_vs_sgdw_options": 1},
    },
    # wrong: misses C (with momentum the first step agrees and the later ones differ)
    'heldout_options_only_A': {
        "cells": {
            'l2_vs_sgdw_options': 'l2_vs_sgdw_options = {"A"}\n',
        },
        "loses": {"test_l2_vs_sgdw_options": 1},
    },
    # correct: at rest m* = eta*alpha*g/(1-beta) = -eta*lam*w*, so g + lam*(1-beta)/alpha * w = 0
    'heldout_equivalent_l2_formula': {
        "cells": {
            'sgdw_equivalent_l2': 'def sgdw_equivalent_l2(alpha, beta, lam):\n    return lam * (1 - beta) / alpha\n',
        },
        "loses": [],
    },
    # wrong: returns lam/alpha, the no-momentum answer; with momentum the gradient is amplified by 1/(1-beta) and the effective L2 shrinks by (1-beta)
    'heldout_equivalent_l2_ignores_beta': {
        "cells": {
            'sgdw_equivalent_l2': 'def sgdw_equivalent_l2(alpha, beta, lam):\n    return lam / alpha\n',
        },
        "loses": ['test_sgdw_equivalent_l2'],
    },
    # wrong: divides by (1-beta) instead of multiplying: lam/(alpha*(1-beta))
    'heldout_equivalent_l2_inverted_beta': {
        "cells": {
            'sgdw_equivalent_l2': 'def sgdw_equivalent_l2(alpha, beta, lam):\n    return lam / (alpha * (1 - beta))\n',
        },
        "loses": ['test_sgdw_equivalent_l2'],
    },
    # correct: fresh {} per optimizer, n_steps calls, w0 included, points stacked and moved to the CPU, legend and axis labels
    'heldout_plot_traj_stack_numpy': {
        "cells": {
            'plot_trajectories': 'def plot_trajectories(ax, steps, w0, grad_fn, n_steps):\n    for label, step in steps.items():\n        w, state = w0, {}\n        points = [w0]\n        for _ in range(n_steps):\n            w, state = step(w, grad_fn(w), state)\n            points.append(w)\n        path = torch.stack(points).detach().cpu().numpy()\n        ax.plot(path[:, 0], path[:, 1], label=label)\n    ax.set_xlabel("$w_1$")\n    ax.set_ylabel("$w_2$")\n    ax.legend()\n    return ax\n',
        },
        "loses": [],
    },
    # wrong: creates one state dict before the loop over optimizers, so the second optimizer starts from the first one's moments instead of a fresh {}
    'heldout_plot_traj_shared_state': {
        "cells": {
            'plot_trajectories': 'def plot_trajectories(ax, steps, w0, grad_fn, n_steps):\n    state = {}\n    for label, step in steps.items():\n        w = w0\n        points = [w0]\n        for _ in range(n_steps):\n            w, state = step(w, grad_fn(w), state)\n            points.append(w)\n        path = torch.stack(points).cpu()\n        ax.plot(path[:, 0], path[:, 1], label=label)\n    ax.set_xlabel("w[0]")\n    ax.set_ylabel("w[1]")\n    ax.legend()\n    return ax\n',
        },
        "loses": ['test_plot_trajectories'],
    },
    # wrong: passes a new {} at every call and throws the returned state away, so momentum and Adam's moments and step count never survive a step
    'heldout_plot_traj_state_reset_each_step': {
        "cells": {
            'plot_trajectories': 'def plot_trajectories(ax, steps, w0, grad_fn, n_steps):\n    for label, step in steps.items():\n        w = w0\n        points = [w0.cpu()]\n        for _ in range(n_steps):\n            w, _ = step(w, grad_fn(w), {})\n            points.append(w.cpu())\n        path = torch.stack(points)\n        ax.plot(path[:, 0], path[:, 1], label=label)\n    ax.set_xlabel("w1")\n    ax.set_ylabel("w2")\n    ax.legend()\n    return ax\n',
        },
        "loses": ['test_plot_trajectories'],
    },
    # wrong: draws with plt.plot / plt.legend on pyplot's current axes instead of the ax it was given (same thing only when ax happens to be the current axes)
    'heldout_plot_traj_uses_pyplot': {
        "cells": {
            'plot_trajectories': 'def plot_trajectories(ax, steps, w0, grad_fn, n_steps):\n    for label, step in steps.items():\n        w, state, points = w0, {}, [w0]\n        for _ in range(n_steps):\n            w, state = step(w, grad_fn(w), state)\n            points.append(w)\n        path = torch.stack(points).cpu()\n        plt.plot(path[:, 0], path[:, 1], label=label)\n    plt.xlabel("w1")\n    plt.ylabel("w2")\n    plt.legend()\n    return ax\n',
        },
        "loses": ['test_plot_trajectories'],
    },
    # wrong: reads sgd_l2_step's lam as the decay factor lambda and converts it to an L2 coefficient lambda/alpha;
    # the statement says lam is lambda' itself (torch.optim.SGD's weight_decay)
    'mistake_sgd_l2_lam_read_as_decay_factor': {
        "cells": {
            'sgd_l2_step': 'def sgd_l2_step(w, grad, state, alpha, beta, lam, eta=1.0):\n    g = grad + lam / alpha * w\n    m = beta * state.get("m", torch.zeros_like(w)) + eta * alpha * g\n    state["m"] = m\n    return w - m, state\n',
        },
        "loses": ['test_sgd_l2_step'],
    },
    # wrong: right paths, legend and return value, but no axis labels, which the statement asks for
    'mistake_plot_no_axis_labels': {
        "cells": {
            'plot_trajectories': 'def plot_trajectories(ax, steps, w0, grad_fn, n_steps):\n    for label, step in steps.items():\n        w, state, points = w0.clone(), {}, [w0.detach().cpu()]\n        for _ in range(n_steps):\n            w, state = step(w, grad_fn(w), state)\n            points.append(w.detach().cpu())\n        path = torch.stack(points)\n        ax.plot(path[:, 0].numpy(), path[:, 1].numpy(), label=label)\n    ax.legend()\n    return ax\n',
        },
        "loses": ['test_plot_trajectories'],
    },
})

# Held out, then added: the answers of a solver who did the assignment blind from release/ (December 2026);
# graded once by bench/bench_heldout.py before they joined the corpus, they lost no point.
VARIANTS["blind_solver"] = {
    "cells": {   'adam_l2_step': 'def adam_l2_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):\n'
                    '    g = grad + lam * w                                  # L2 term joins the gradient\n'
                    '    t = state.get("t", 0) + 1\n'
                    '    m = state.get("m", torch.zeros_like(w))\n'
                    '    v = state.get("v", torch.zeros_like(w))\n'
                    '    m = beta1 * m + (1 - beta1) * g\n'
                    '    v = beta2 * v + (1 - beta2) * g * g\n'
                    '    m_hat = m / (1 - beta1 ** t)\n'
                    '    v_hat = v / (1 - beta2 ** t)\n'
                    '    new_w = w - eta * alpha * m_hat / (v_hat.sqrt() + eps)\n'
                    '    return new_w, {**state, "t": t, "m": m, "v": v}',
    'adamw_step': 'def adamw_step(w, grad, state, alpha, beta1, beta2, eps, lam, eta=1.0):\n'
                  '    t = state.get("t", 0) + 1\n'
                  '    m = state.get("m", torch.zeros_like(w))\n'
                  '    v = state.get("v", torch.zeros_like(w))\n'
                  '    m = beta1 * m + (1 - beta1) * grad                  # plain gradient: no decay in the '
                  'moments\n'
                  '    v = beta2 * v + (1 - beta2) * grad * grad\n'
                  '    m_hat = m / (1 - beta1 ** t)\n'
                  '    v_hat = v / (1 - beta2 ** t)\n'
                  '    new_w = w - eta * (alpha * m_hat / (v_hat.sqrt() + eps) + lam * w)\n'
                  '    return new_w, {**state, "t": t, "m": m, "v": v}',
    'l2_vs_sgdw_options': 'l2_vs_sgdw_options = {"A", "C"}',
    'plot_trajectories': 'def plot_trajectories(ax, steps, w0, grad_fn, n_steps):\n'
                         '    start = w0.detach().clone()                 # leave w0 (and its requires_grad) '
                         'alone\n'
                         '    for label, step in steps.items():\n'
                         '        w, state = start.clone(), {}\n'
                         '        points = [w]\n'
                         '        for _ in range(n_steps):\n'
                         '            w, state = step(w, grad_fn(w), state)\n'
                         '            points.append(w)\n'
                         '        path = torch.stack([p.detach() for p in points]).cpu()\n'
                         '        ax.plot(path[:, 0].numpy(), path[:, 1].numpy(), label=label)\n'
                         '    ax.legend()\n'
                         '    ax.set_xlabel("$w_1$")\n'
                         '    ax.set_ylabel("$w_2$")\n'
                         '    return ax',
    'sgd_hparams_for_sgdw': 'def sgd_hparams_for_sgdw(alpha, lam, eta=1.0):\n'
                            '    # SGD (no momentum): w - lr*g - lr*wd*w ;  SGDW (beta=0): w - eta*alpha*g - '
                            'eta*lam*w\n'
                            '    lr = alpha * eta\n'
                            '    weight_decay = lam / alpha              # so that lr * weight_decay = eta * '
                            'lam\n'
                            '    return lr, weight_decay',
    'sgd_l2_step': 'def sgd_l2_step(w, grad, state, alpha, beta, lam, eta=1.0):\n'
                   '    g = grad + lam * w                      # L2 term joins the gradient\n'
                   '    m = state.get("m")\n'
                   '    if m is None:\n'
                   '        m = torch.zeros_like(w)\n'
                   '    m = beta * m + eta * alpha * g          # Algorithm 1: the step size is inside the '
                   'momentum\n'
                   '    new_w = w - m\n'
                   '    return new_w, {**state, "m": m}',
    'sgdw_equivalent_l2': 'def sgdw_equivalent_l2(alpha, beta, lam):\n'
                          '    # at rest: m* = beta m* + eta alpha grad f(w*)  ->  m* = eta alpha grad f(w*) '
                          '/ (1 - beta)\n'
                          '    #          w* = w* - m* - eta lam w*            ->  m* = -eta lam w*\n'
                          '    # so grad f(w*) + lam (1 - beta) / alpha * w* = 0\n'
                          '    return lam * (1 - beta) / alpha',
    'sgdw_step': 'def sgdw_step(w, grad, state, alpha, beta, lam, eta=1.0):\n'
                 '    m = state.get("m")\n'
                 '    if m is None:\n'
                 '        m = torch.zeros_like(w)\n'
                 '    m = beta * m + eta * alpha * grad       # momentum of the plain gradient only\n'
                 '    new_w = w - m - eta * lam * w           # decoupled decay: scaled by eta, not by '
                 'alpha\n'
                 '    return new_w, {**state, "m": m}'},
    "loses": [],
}
