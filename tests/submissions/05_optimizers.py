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
    # The typical mistake: the decay coupled into Adam's moments (Adam + L2, not AdamW).
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
        "loses": ["test_l2_vs_sgdw_options"],
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
