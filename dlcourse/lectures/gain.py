"""Demo 6, the init gain: how the gain of Xavier initialisation and the nonlinearity decide
whether activations keep their spread through depth, shrink to nothing or blow up."""
import ipywidgets as widgets
import numpy as np
import torch
import torch.nn.functional as F

from ..device import generator
from ..i18n import ENGLISH, translate
from .base import Demo, decade_limits, decimal_stops, demo_language, dropdown, int_slider, log_axis, stops_slider

NONLINEARITIES = {"linear": lambda x: x, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
                  "leaky_relu": F.leaky_relu, "selu": F.selu}
MAX_DEPTH = 12
WIDTH = 128
BATCH = 128
BINS = np.linspace(-3.0, 3.0, 61)
SEED = 7


class InitGain(Demo):
    """Left: a histogram of each layer's activations (layer 1 at the bottom). Right: their standard
    deviation per layer. Weights are nn.init.xavier_normal_ with the chosen gain; no biases."""

    PRESETS = {
        translate("too small", ENGLISH): {"nonlinearity": "tanh", "gain": 0.5, "depth": 12},
        translate("tanh, recommended", ENGLISH): {"nonlinearity": "tanh", "gain": 1.67, "depth": 12},
        translate("relu, gain 1", ENGLISH): {"nonlinearity": "relu", "gain": 1.0, "depth": 12},
        translate("exploding", ENGLISH): {"nonlinearity": "relu", "gain": 3.0, "depth": 12},
    }

    figsize = (8.0, 3.8)

    def __init__(self, nonlinearity="tanh", gain=1.0, depth=8, lang=None):
        lang = demo_language(lang)
        recommend = widgets.Button(description="gain = calculate_gain(…)", layout=widgets.Layout(width="auto"),
                                   tooltip=translate("set the gain torch.nn.init.calculate_gain recommends", lang))
        recommend.on_click(lambda _: self.recommend())
        super().__init__({
            "nonlinearity": dropdown(translate("nonlinearity", lang), NONLINEARITIES, nonlinearity),
            "gain": stops_slider(translate("gain", lang), gain, decimal_stops(0.1, 3.0, 0.01), lang=lang),
            "depth": int_slider(translate("depth", lang), depth, 1, MAX_DEPTH),
        }, buttons=[recommend], lang=lang)

    def recommend(self):
        """Set the gain that torch.nn.init.calculate_gain gives for the chosen nonlinearity."""
        self.set(gain=float(round(torch.nn.init.calculate_gain(self.values["nonlinearity"]), 2)))

    def setup(self):
        g = generator(SEED)
        weights = torch.empty(MAX_DEPTH, WIDTH, WIDTH, dtype=torch.float32)
        for w in weights:
            torch.nn.init.xavier_normal_(w, gain=1.0, generator=g)  # times the gain at each update
        self.unit_weights = weights.to(self.device)
        self.inputs = torch.randn(BATCH, WIDTH, generator=g).to(self.device)

        self.fig.subplots_adjust(left=0.08, right=0.98, bottom=0.13, top=0.9, wspace=0.28)
        ax, bx = self.ax_hist, self.ax_std = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
        ax.set(xlim=(BINS[0], BINS[-1]), ylim=(0.7, MAX_DEPTH + 1.1), xlabel=translate("activation value", self.lang),
               ylabel=translate("layer", self.lang), yticks=range(1, MAX_DEPTH + 1),
               title=translate("activations per layer", self.lang))
        log_axis(bx)
        bx.set(xlim=(0.5, MAX_DEPTH + 0.5), xticks=range(1, MAX_DEPTH + 1), xlabel=translate("layer", self.lang),
               title=translate("standard deviation per layer", self.lang))
        bx.grid(alpha=0.3)
        centres = (BINS[:-1] + BINS[1:]) / 2
        self.hist_lines = [self.animate(ax.plot(centres, np.full_like(centres, i + 1.0), color=f"C{i % 10}",
                                                lw=1.3, drawstyle="steps-mid", gid=f"hist-{i + 1}")[0])
                           for i in range(MAX_DEPTH)]
        self.std_line = self.animate(bx.plot([], [], "o-", color="C3", gid="std")[0])
        self.ylim = None

    def activations(self):
        """The activations after each of the `depth` layers: a tensor (depth, BATCH, WIDTH)."""
        v = self.values
        f, w = NONLINEARITIES[v["nonlinearity"]], self.unit_weights[: v["depth"]] * v["gain"]
        h, out = self.inputs, []
        for wi in w:
            h = f(h @ wi.T)
            out.append(h)
        return torch.stack(out)

    def update(self):
        depth = self.values["depth"]
        acts = self.activations()
        stds = acts.flatten(1).std(dim=1)
        counts = torch.stack([torch.histc(a, bins=len(BINS) - 1, min=BINS[0], max=BINS[-1]) for a in acts])
        self.stds, self.counts = stds.cpu().numpy(), counts.cpu().numpy()
        self.outside = 1 - self.counts.sum(axis=1) / acts[0].numel()  # histc leaves out what falls outside
        for i, line in enumerate(self.hist_lines):
            line.set_visible(i < depth)
            if i < depth:
                peak = counts[i].max()
                line.set_ydata(i + 1 + (0.9 * counts[i] / peak if peak > 0 else 0 * counts[i]))
        layers = np.arange(1, depth + 1)
        self.std_line.set_data(layers, self.stds)
        self.ylim = decade_limits(self.stds, self.ylim, span_min=2) or (1e-2, 1e1)
        self.ax_std.set_ylim(self.ylim)
        self.static_state(self.ylim)
        v = self.values
        self.say(translate(f"{v['nonlinearity']}, gain {v['gain']:.2f}: std layer 1 {self.stds[0]:.3g} → layer {depth} "
                           f"{self.stds[-1]:.3g}; outside [−3, 3] at layer {depth}: {100 * self.outside[-1]:.0f}%",
                           self.lang))


def init_gain_demo(nonlinearity="tanh", gain=1.0, depth=8, lang=None):
    """Widget: choose a nonlinearity, a gain and a depth; watch the activations keep or lose their spread."""
    return InitGain(nonlinearity=nonlinearity, gain=gain, depth=depth, lang=lang)
