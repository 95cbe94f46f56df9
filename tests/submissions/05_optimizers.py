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
}
