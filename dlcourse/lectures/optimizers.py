"""Demo 5, optimizers on a 2-D loss surface: SGD, SGD + L2, SGDW, Adam, Adam + L2 and AdamW, all
started at the same point, their trajectories drawn over the contours of the loss."""
import math
from collections import OrderedDict

import numpy as np
import torch

from ..i18n import ENGLISH, ngettext, translate
from .base import Demo, decimal_stops, demo_language, int_slider, log_stops, slider, stops_slider

# The loss f(θ) = ½ (θ − c)ᵀ A (θ − c): a valley whose axes have curvatures 8 and 1.
A = np.array([[4.5, 3.5], [3.5, 4.5]])
CENTRE = np.array([1.5, 1.0])
START = np.array([-2.0, 2.0])
XLIM, YLIM = (-3.0, 3.0), (-2.0, 4.0)

# (label, family, decay): the rows of the two parameter tensors. "L2" adds wd/2·|θ|² to the loss,
# so its gradient gains wd·θ; "decoupled" shrinks θ by (1 − lr·wd) beside the optimizer's step
# (what torch.optim.AdamW does). SGD and Adam work element by element, so rows do not interact.
RUNS = [("SGD", "sgd", None), ("SGD + L2", "sgd", "L2"), ("SGDW", "sgd", "decoupled"),
        ("Adam", "adam", None), ("Adam + L2", "adam", "L2"), ("AdamW", "adam", "decoupled")]
STYLES = [("C0", "-"), ("C9", "--"), ("C2", ":"), ("C1", "-"), ("C3", "--"), ("C6", ":")]


def loss_surface(points):
    """f at an array of points of shape (..., 2)."""
    d = np.asarray(points) - CENTRE
    return 0.5 * np.einsum("...i,ij,...j->...", d, A, d)


def trajectories(lr, momentum, beta1, beta2, weight_decay, steps, device="cpu"):
    """Positions of every run after 0..steps steps: an array (len(RUNS), steps + 1, 2).

    The update rules of torch.optim.SGD and torch.optim.Adam (foreach=False), in their order of
    operations, for all six runs at once (one row each); the gradient of the quadratic is A(θ − c)
    (plus wd·θ for the L2 rows). torch.optim's own steps cost about 0.1 ms each in Python, three
    times what the whole update costs here; tests/test_demos.py compares every line with
    torch.optim driven by autograd.
    """
    dt, eps = torch.float64, 1e-8
    column = lambda values: torch.tensor([[v] for v in values], dtype=dt, device=device)  # noqa: E731
    a, c = torch.tensor(A, dtype=dt, device=device), torch.tensor(CENTRE, dtype=dt, device=device)
    ca = c @ a
    sgd = torch.tensor([r[1] == "sgd" for r in RUNS], device=device).unsqueeze(1)
    l2 = column([weight_decay if r[2] == "L2" else 0.0 for r in RUNS])
    shrink = column([1 - lr * weight_decay if r[2] == "decoupled" else 1.0 for r in RUNS])
    p = torch.tensor(START, dtype=dt, device=device).repeat(len(RUNS), 1)
    buf, m, v = torch.zeros_like(p), torch.zeros_like(p), torch.zeros_like(p)
    path = [p]
    for t in range(1, steps + 1):
        g = torch.addcmul(p @ a - ca, l2, p)  # ∇f(θ) = A(θ − c), plus wd·θ for L2 rows
        p = p * shrink  # decoupled decay, before the step as torch.optim.AdamW does
        buf = g if t == 1 else buf * momentum + g  # SGD: the first buffer is the gradient itself
        m = m.lerp(g, 1 - beta1)
        v = v * beta2 + (1 - beta2) * g * g
        adam = m / ((v.sqrt() / math.sqrt(1 - beta2 ** t)) + eps) * (lr / (1 - beta1 ** t))
        p = p - torch.where(sgd, lr * buf, adam)
        path.append(p)
    return torch.stack(path, dim=1).cpu().numpy()


class Optimizers(Demo):
    """Six optimizers from one start; weight decay pulls toward the origin, each in its own way."""

    PRESETS = {
        translate("no decay", ENGLISH): {"lr": 0.05, "momentum": 0.8, "beta1": 0.9, "beta2": 0.999,
                                         "weight_decay": 0.0, "steps": 80},
        translate("decoupled vs L2", ENGLISH): {"lr": 0.05, "momentum": 0.8, "beta1": 0.9, "beta2": 0.999,
                                                "weight_decay": 0.5, "steps": 80},
        translate("no momentum", ENGLISH): {"lr": 0.05, "momentum": 0.0, "beta1": 0.9, "beta2": 0.999,
                                            "weight_decay": 0.5, "steps": 80},
        translate("too large a step", ENGLISH): {"lr": 0.5, "momentum": 0.8, "beta1": 0.9, "beta2": 0.999,
                                                 "weight_decay": 0.0, "steps": 40},
    }

    figsize = (7.0, 4.2)

    def __init__(self, lr=0.05, momentum=0.8, beta1=0.9, beta2=0.999, weight_decay=0.2, steps=80, lang=None):
        lang = demo_language(lang)
        super().__init__({
            "lr": stops_slider(translate("learning rate", lang), lr, log_stops(-3, 0), fmt="g", lang=lang),
            "momentum": stops_slider(translate("SGD momentum", lang), momentum, decimal_stops(0.0, 0.99, 0.01),
                                     lang=lang),
            "beta1": stops_slider("Adam β1", beta1, decimal_stops(0.0, 0.99, 0.01), lang=lang),
            "beta2": slider("Adam β2", beta2, 0.9, 0.9999, 0.0001, readout_format=".4f"),
            "weight_decay": slider(translate("weight decay", lang), weight_decay, 0.0, 1.0, 0.01),
            "steps": int_slider(translate("steps", lang), steps, 1, 120),
        }, lang=lang)

    def setup(self):
        self.cache = OrderedDict()  # recent trajectories by hyperparameters: moving back is free
        self.fig.subplots_adjust(left=0.03, right=0.70, bottom=0.11, top=0.93)
        ax = self.ax = self.fig.subplots()
        xs, ys = np.meshgrid(np.linspace(*XLIM, 121), np.linspace(*YLIM, 101))
        ax.contour(xs, ys, loss_surface(np.stack([xs, ys], -1)), levels=np.geomspace(0.05, 60, 12),
                   colors="0.7", linewidths=0.7)
        ax.plot(*CENTRE, "k*", ms=11, label=translate("minimum of f", self.lang))
        ax.plot(0, 0, "k+", ms=10, label=translate("origin (where decay pulls)", self.lang))
        ax.plot(*START, "ko", ms=5, label=translate("start", self.lang))
        ax.set(xlim=XLIM, ylim=YLIM, aspect="equal", xlabel="θ₁", ylabel="θ₂", title="f(θ) = ½ (θ − c)ᵀ A (θ − c)")
        self.lines, self.ends = [], []
        for (label, _, _), (color, ls) in zip(RUNS, STYLES):
            self.lines.append(self.animate(ax.plot([], [], color=color, ls=ls, lw=1.8, label=label, gid=label)[0]))
            self.ends.append(self.animate(ax.plot([], [], "o", color=color, ms=5)[0]))
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9, frameon=False)

    def update(self):
        v = self.values
        key = tuple(float(v[k]) for k in ("lr", "momentum", "beta1", "beta2", "weight_decay", "steps"))
        if key not in self.cache:
            self.cache[key] = trajectories(*key[:5], int(key[5]), device=self.device)
            if len(self.cache) > 256:
                self.cache.popitem(last=False)
        self.paths = paths = self.cache[key]
        for line, end, path in zip(self.lines, self.ends, paths):
            line.set_data(path[:, 0], path[:, 1])
            end.set_data(path[-1:, 0], path[-1:, 1])
        finals = loss_surface(paths[:, -1])
        done = [f"{label} {f:.3g}" for (label, _, _), f in zip(RUNS, finals)]
        # one form in English, as ever ("after 1 steps"); Russian agrees with the number
        after = ngettext("f(θ) after {n} steps:", "f(θ) after {n} steps:", v["steps"], self.lang)
        self.say(after + "\n  " + " · ".join(done[:3]) + "\n  " + " · ".join(done[3:]))


def optimizers(lr=0.05, momentum=0.8, beta1=0.9, beta2=0.999, weight_decay=0.2, steps=80, lang=None):
    """Widget: tune the learning rate, momentum, betas and weight decay; compare the trajectories."""
    return Optimizers(lr=lr, momentum=momentum, beta1=beta1, beta2=beta2, weight_decay=weight_decay, steps=steps,
                      lang=lang)
