"""Demo 9, gradients through time in a scalar RNN h_t = f(w·h_{t−1} + x_t): how w, the sequence
length and the activation make the gradient vanish or explode, and what clipping does."""
import numpy as np
import torch

from ..device import generator
from ..i18n import ENGLISH, ngettext, translate
from .base import (
    Demo,
    checkbox,
    coarse_log_limits,
    decimal_stops,
    demo_language,
    dropdown,
    int_slider,
    log_axis,
    log_slider,
    stops_slider,
)

ACTIVATIONS = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "identity": lambda a: a}
MAX_LENGTH = 200
# Axis ranges snap to these, so most changes of the length or of w need no full redraw.
X_RANGES = (10, 20, 50, 100, 200)
Y_LOWS = (1e-2, 1e-5, 1e-10, 1e-20, 1e-50, 1e-100, 1e-200, 1e-300)
Y_HIGHS = (1e1, 1e2, 1e5, 1e10, 1e20, 1e50, 1e100, 1e200, 1e300)
BATCH = 16
SEED = 5


def per_step_gradients(w, length, activation, inputs, clip=None):
    """Mean over the batch of |∂L/∂h_t|, t = 1..length, with L = Σ_batch h_length, by autograd.

    With `clip`, the gradient reaching each h_t is clamped to [−clip, clip] before it flows
    further back (clipping by value at every step of backpropagation through time).
    """
    f = ACTIVATIONS[activation]
    w = torch.tensor(w, dtype=inputs.dtype, device=inputs.device, requires_grad=True)  # puts every h_t in the graph
    h = torch.zeros(inputs.shape[1], dtype=inputs.dtype, device=inputs.device)
    states = []
    for x in inputs[:length]:
        h = f(w * h + x)
        if clip is not None:
            h.register_hook(lambda g: g.clamp(-clip, clip))
        states.append(h)
    grads = torch.stack(torch.autograd.grad(h.sum(), states, allow_unused=True, materialize_grads=True))
    if clip is not None:  # autograd.grad reports the gradient before a tensor's own hook runs
        grads = grads.clamp(-clip, clip)
    return grads.abs().mean(dim=1).cpu().numpy()


class RecurrentGradients(Demo):
    """Mean |∂L/∂h_t| against the step t on a log scale; the loss reads only the last state.
    With clipping on, the clipped gradients are drawn and the unclipped ones stay in grey."""

    PRESETS = {
        translate("vanishing", ENGLISH): {"w": 0.9, "length": 60, "activation": "tanh", "clip": False,
                                          "threshold": 1.0},
        translate("exploding", ENGLISH): {"w": 1.1, "length": 100, "activation": "identity", "clip": False,
                                          "threshold": 1.0},
        translate("clipped", ENGLISH): {"w": 1.1, "length": 100, "activation": "identity", "clip": True,
                                        "threshold": 1.0},
        "w = 1": {"w": 1.0, "length": 100, "activation": "identity", "clip": False, "threshold": 1.0},
    }

    figsize = (8.0, 3.6)

    def __init__(self, w=0.9, length=60, activation="tanh", clip=False, threshold=1.0, lang=None):
        lang = demo_language(lang)
        super().__init__({
            "w": stops_slider(translate("recurrent weight w", lang), w, decimal_stops(0.0, 3.0, 0.01), lang=lang),
            "length": int_slider(translate("sequence length", lang), length, 2, MAX_LENGTH),
            "activation": dropdown(translate("activation", lang), ACTIVATIONS, activation),
            "clip": checkbox(translate("clip gradients", lang), clip),
            "threshold": log_slider(translate("clip at", lang), threshold, -2, 2),
        }, lang=lang)

    def setup(self):
        x = torch.randn(MAX_LENGTH, BATCH, generator=generator(SEED), dtype=torch.float64)
        self.inputs = x.to(self.device)
        self.cache = {}
        self.fig.subplots_adjust(left=0.09, right=0.98, bottom=0.15, top=0.9)
        ax = self.ax = self.fig.subplots()
        log_axis(ax)
        ax.set(xlabel=translate("step t (the loss reads h_T at the last step)", self.lang),
               title=translate("mean |∂L/∂h_t| per step", self.lang))
        ax.grid(alpha=0.3)
        self.unclipped = self.animate(ax.plot([], [], color="0.6", lw=1.5, ls="--", gid="unclipped",
                                              label=translate("without clipping", self.lang))[0])
        self.line = self.animate(ax.plot([], [], "-", color="C0", lw=2, marker="o", ms=2.5, gid="gradient")[0])
        self.threshold_line = self.animate(ax.axhline(1.0, color="C3", lw=1, ls=":", gid="threshold"))

    def update(self):
        v = self.values
        self.controls["threshold"].disabled = not v["clip"]
        length, w = v["length"], float(v["w"])
        key = (w, length, v["activation"])
        if key not in self.cache:  # the unclipped curve does not depend on the clipping controls
            self.cache = {key: per_step_gradients(w, length, v["activation"], self.inputs)}
        self.raw = self.cache[key]
        shown = self.raw
        if v["clip"]:
            shown = per_step_gradients(w, length, v["activation"], self.inputs, clip=float(v["threshold"]))
        self.gradients = shown
        steps = np.arange(1, length + 1)
        positive = lambda g: np.where(g > 0, g, np.nan)  # noqa: E731  (zeros cannot sit on a log axis)
        self.line.set_data(steps, positive(shown))
        self.unclipped.set_visible(bool(v["clip"]))
        self.unclipped.set_data(steps, positive(self.raw))
        self.threshold_line.set_visible(bool(v["clip"]))
        self.threshold_line.set_ydata([v["threshold"]] * 2)
        xmax = next(r for r in X_RANGES if r >= length)
        self.ylim = coarse_log_limits(np.concatenate([self.raw, shown, [v["threshold"]] if v["clip"] else []]),
                                      Y_LOWS, Y_HIGHS)
        self.ax.set_xlim(0, xmax + 0.5)
        self.ax.set_ylim(self.ylim)
        self.static_state((xmax, self.ylim))
        first, last = shown[0], shown[-1]
        zero = (shown == 0).sum()
        # one form in English, as ever ("1 steps"); Russian agrees with the number
        zeros = ngettext(" · {n} steps with exactly zero gradient", " · {n} steps with exactly zero gradient", zero,
                         self.lang) if zero else ""
        self.say(f"|∂L/∂h_1| = {first:.3g}, |∂L/∂h_T| = {last:.3g} (T = {length})" + zeros)


def rnn_gradients(w=0.9, length=60, activation="tanh", clip=False, threshold=1.0, lang=None):
    """Widget: set w, the length, the activation and clipping; see the gradient reaching each step."""
    return RecurrentGradients(w=w, length=length, activation=activation, clip=clip, threshold=threshold, lang=lang)
