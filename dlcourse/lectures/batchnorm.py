"""Demo 7, batch norm: what nn.BatchNorm2d adds (learned parameters, running buffers) and what it
does to a batch, channel by channel."""
import numpy as np
import torch
from matplotlib.collections import LineCollection
from torch import nn

from ..device import generator
from ..i18n import ENGLISH, translate
from .base import Demo, checkbox, demo_language, int_slider, slider

MAX_CHANNELS = 16
BATCH, SIDE = 32, 4  # a batch of 32 maps of 4×4 per channel: 512 values per channel
LIM = 7.5
SEED = 11


class BatchNorm(Demo):
    """Left: how many parameters and buffer values the module holds. Middle: each channel's
    mean ± std before (grey) and after (blue) BatchNorm2d in training mode. Right: channel 1
    against channel 2, one dot per position and sample. The module is built
    for the chosen number of channels; with affine on, γ and β are the sliders' values."""

    PRESETS = {
        translate("normalised", ENGLISH): {"channels": 3, "affine": True, "gamma": 1.0, "beta": 0.0},
        translate("scaled and shifted", ENGLISH): {"channels": 3, "affine": True, "gamma": 2.0, "beta": 1.0},
        translate("16 channels", ENGLISH): {"channels": 16, "affine": True, "gamma": 1.0, "beta": 0.0},
        translate("affine off", ENGLISH): {"channels": 16, "affine": False, "gamma": 1.0, "beta": 0.0},
    }

    figsize = (8.0, 3.6)

    def __init__(self, channels=3, affine=True, gamma=1.0, beta=0.0, lang=None):
        lang = demo_language(lang)
        super().__init__({
            "channels": int_slider(translate("channels C", lang), channels, 1, MAX_CHANNELS),
            "affine": checkbox(translate("affine (learned γ, β)", lang), affine),
            "gamma": slider(translate("γ (all channels)", lang), gamma, 0.1, 3.0, 0.05),
            "beta": slider(translate("β (all channels)", lang), beta, -3.0, 3.0, 0.05),
        }, lang=lang)

    def setup(self):
        g = generator(SEED)
        means = torch.empty(MAX_CHANNELS).uniform_(-3, 3, generator=g)
        stds = torch.empty(MAX_CHANNELS).uniform_(0.3, 2.5, generator=g)
        noise = torch.randn(BATCH, MAX_CHANNELS, SIDE, SIDE, generator=g)
        self.batch = (means[:, None, None] + stds[:, None, None] * noise).to(self.device)  # N×C×H×W

        self.fig.subplots_adjust(left=0.09, right=0.98, bottom=0.14, top=0.9, wspace=0.32)
        cx, ax, bx = self.fig.subplots(1, 3, gridspec_kw={"width_ratios": [0.55, 1.2, 1]})
        self.ax_counts, self.ax_channels, self.ax_scatter = cx, ax, bx
        cx.set(xlim=(0, 2 * MAX_CHANNELS + 1), ylim=(-0.6, 1.6), yticks=[0, 1],
               yticklabels=[translate("buffers", self.lang), translate("params", self.lang)],
               xticks=[0, 8, 16, 24, 32], title=translate("how many values", self.lang))
        cx.grid(axis="x", alpha=0.3)
        self.count_bars = [self.animate(b) for b in cx.barh([0, 1], [0, 0], color=["C7", "C2"], gid="counts")]
        ax.set(xlim=(0.4, MAX_CHANNELS + 0.6), ylim=(-LIM, LIM), xlabel=translate("channel", self.lang),
               xticks=range(1, MAX_CHANNELS + 1, 3), title=translate("mean ± std per channel", self.lang))
        ax.axhline(0, color="0.8", lw=0.8)
        bx.set(xlim=(-LIM, LIM), ylim=(-LIM, LIM), xlabel=translate("channel 1", self.lang),
               ylabel=translate("channel 2", self.lang), title=translate("channel 2 against channel 1", self.lang))
        bx.axhline(0, color="0.85", lw=0.8)
        bx.axvline(0, color="0.85", lw=0.8)
        self.spread = {}
        self.centre = {}
        labels = {"before": translate("before", self.lang), "after": translate("after", self.lang)}
        for which, color, dx in (("before", "0.55", -0.15), ("after", "C0", 0.15)):
            self.spread[which] = self.animate(ax.add_collection(LineCollection([], colors=color, lw=2, gid=f"std-{which}")))
            self.centre[which] = self.animate(ax.plot([], [], "o", color=color, ms=5, label=labels[which],
                                                      gid=f"mean-{which}")[0])
        ax.legend(loc="upper right", fontsize=9)
        self.dots_before = self.animate(bx.scatter([], [], s=4, color="0.6", alpha=0.5, gid="before"))
        self.dots_after = self.animate(bx.scatter([], [], s=4, color="C0", alpha=0.5, gid="after"))
        self.one_channel = bx.text(0, 0, translate("needs 2 channels", self.lang), ha="center", va="center",
                                   color="0.4", visible=False)

    def update(self):
        v = self.values
        c, affine = v["channels"], v["affine"]
        for name in ("gamma", "beta"):
            self.controls[name].disabled = not affine
        self.module = bn = nn.BatchNorm2d(c, affine=affine).to(self.device)
        if affine:
            with torch.no_grad():
                bn.weight.fill_(v["gamma"])
                bn.bias.fill_(v["beta"])
        x = self.batch[:, :c]
        with torch.no_grad():
            y = bn(x)  # training mode: normalised with this batch's statistics
        self.parameter_count = sum(p.numel() for p in bn.parameters())
        self.buffer_count = sum(b.numel() for b in bn.buffers())
        stats = {}
        for which, t in (("before", x), ("after", y)):
            per_channel = t.transpose(0, 1).reshape(c, -1)
            stats[which] = (per_channel.mean(1).cpu().numpy(), per_channel.std(1, unbiased=False).cpu().numpy())
        self.stats = stats
        channels = np.arange(1, c + 1)
        for which, dx in (("before", -0.15), ("after", 0.15)):
            mean, std = stats[which]
            self.centre[which].set_data(channels + dx, mean)
            self.spread[which].set_segments([[(k + dx, m - s), (k + dx, m + s)] for k, m, s in zip(channels, mean, std)])
        two = c >= 2
        self.one_channel.set_visible(not two)
        for dots, t in ((self.dots_before, x), (self.dots_after, y)):
            dots.set_visible(two)
            if two:
                dots.set_offsets(torch.stack([t[:, 0].flatten(), t[:, 1].flatten()], 1).cpu().numpy())
        self.count_bars[0].set_width(self.buffer_count)
        self.count_bars[1].set_width(self.parameter_count)
        none = translate("none", self.lang)
        named = lambda items: ", ".join(f"{n} {t.numel()}" for n, t in items) or none  # noqa: E731
        self.say(f"BatchNorm2d({c}, affine={affine})\n"
                 + translate(f"parameters ({self.parameter_count}): {named(bn.named_parameters())}", self.lang) + "\n"
                 + translate(f"buffers ({self.buffer_count}): {named(bn.named_buffers())}", self.lang) + "\n"
                 + translate(f"input layout N×C×H×W = {tuple(x.shape)}; a channels-last B×h×w×C batch must be "
                             "permuted first", self.lang))


def batchnorm(channels=3, affine=True, gamma=1.0, beta=0.0, lang=None):
    """Widget: choose the channels and affine; count what BatchNorm2d adds and see a batch normalised."""
    return BatchNorm(channels=channels, affine=affine, gamma=gamma, beta=beta, lang=lang)
