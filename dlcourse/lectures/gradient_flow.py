"""Demo 2, gradient flow through depth: how the activation and the input scale shrink or grow
the gradient that reaches each layer of a deep fully connected net."""
import numpy as np
import torch
from torch import nn

from ..device import generator
from ..i18n import ENGLISH, translate
from .base import Demo, decade_limits, demo_language, dropdown, int_slider, log_axis, log_slider

# The 17 activations of the activation search, constructed with default arguments.
ACTIVATIONS = ["ELU", "Hardtanh", "LeakyReLU", "LogSigmoid", "PReLU", "ReLU", "ReLU6", "RReLU", "SELU",
               "CELU", "Sigmoid", "Softplus", "Softshrink", "Softsign", "Tanh", "Tanhshrink", "Hardshrink"]
MAX_DEPTH = 20
WIDTH = 32
BATCH = 256
SEED = 2024


class GradientFlow(Demo):
    """A WIDTH-wide net of `depth` bias-free layers, weights N(0, 1/WIDTH), inputs N(0, scale²):
    bars of the mean |∂L/∂W_l| per layer, L = mean over the batch of the summed outputs."""

    PRESETS = {
        translate("healthy", ENGLISH): {"activation": "ReLU", "depth": 10, "scale": 1.0},
        translate("vanishing", ENGLISH): {"activation": "Sigmoid", "depth": 10, "scale": 1.0},
        "tanh": {"activation": "Tanh", "depth": 10, "scale": 1.0},
        translate("large inputs", ENGLISH): {"activation": "ReLU", "depth": 10, "scale": 100.0},
    }

    def __init__(self, activation="Tanh", depth=8, scale=1.0, lang=None):
        lang = demo_language(lang)
        super().__init__({
            "activation": dropdown(translate("activation", lang), ACTIVATIONS, activation),
            "depth": int_slider(translate("depth", lang), depth, 1, MAX_DEPTH),
            "scale": log_slider(translate("input scale", lang), scale, -2, 2),
        }, lang=lang)

    def setup(self):
        g = generator(SEED)
        w = torch.randn(MAX_DEPTH, WIDTH, WIDTH, generator=g, dtype=torch.float64) / WIDTH ** 0.5
        self.weights = [wi.to(self.device).requires_grad_(True) for wi in w]
        self.inputs = torch.randn(BATCH, WIDTH, generator=g, dtype=torch.float64).to(self.device)
        # RReLU in eval mode uses its mean slope, so the picture does not flicker between updates.
        self.activations = {name: getattr(nn, name)().to(self.device, torch.float64).eval() for name in ACTIVATIONS}

        self.fig.subplots_adjust(left=0.09, right=0.98, bottom=0.15, top=0.9)
        ax = self.ax = self.fig.subplots()
        log_axis(ax)
        ax.set(xlim=(0.4, MAX_DEPTH + 0.6), xlabel=translate("layer (1 = next to the input)", self.lang),
               title=translate("mean |∂L/∂W| at each layer", self.lang))
        ax.set_xticks(range(1, MAX_DEPTH + 1))
        ax.grid(axis="y", alpha=0.3)
        self.bars = [self.animate(b) for b in ax.bar(range(1, MAX_DEPTH + 1), np.ones(MAX_DEPTH), bottom=1e-3,
                                                     color="C0", gid="layer-gradients")]
        self.ylim = None

    def gradients(self):
        """Mean |∂L/∂W_l| for l = 1..depth, by autograd (as a NumPy array)."""
        v = self.values
        act, depth = self.activations[v["activation"]], v["depth"]
        h = self.inputs * v["scale"]
        for w in self.weights[:depth]:
            h = act(torch.nn.functional.linear(h, w))
        loss = h.sum() / BATCH
        grads = torch.autograd.grad(loss, self.weights[:depth], allow_unused=True, materialize_grads=True)
        return torch.stack([g.abs().mean() for g in grads]).cpu().numpy()

    def update(self):
        depth = self.values["depth"]
        g = self.gradients()
        self.ylim = decade_limits(g, self.ylim, span_min=3) or (1e-3, 1e1)
        self.ax.set_ylim(self.ylim)
        self.static_state(self.ylim)
        bottom = self.ylim[0]
        for i, bar in enumerate(self.bars):
            visible = i < depth
            bar.set_visible(visible)
            if visible:
                bar.set_y(bottom)
                bar.set_height(max(g[i] - bottom, 0.0))
        self.layer_gradients = g
        first, last = g[0], g[-1]
        ratio = (translate(f"layer 1 / layer {depth} = {first / last:.3g}", self.lang) if last > 0
                 else translate(f"no gradient reaches layer {depth}", self.lang))
        self.say(translate(f"{self.values['activation']}: layer 1 {first:.3g} · layer {depth} {last:.3g} · {ratio}",
                           self.lang))


def gradient_flow(activation="Tanh", depth=8, scale=1.0, lang=None):
    """Widget: pick an activation, a depth and an input scale; see which layers still get a gradient."""
    return GradientFlow(activation=activation, depth=depth, scale=scale, lang=lang)
