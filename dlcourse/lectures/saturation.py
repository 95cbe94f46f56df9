"""Demo 1, saturation: tanh or sigmoid, its derivative, and the tangent at a point z."""
import numpy as np
import torch

from ..i18n import ENGLISH, translate
from .base import Demo, demo_language, dropdown, slider

FUNCTIONS = {"tanh": torch.tanh, "sigmoid": torch.sigmoid}
Z_RANGE = (-6.0, 6.0)


def values_and_slopes(name, z, device):
    """f(z) and f'(z) for a float64 array z, the derivative taken by autograd on `device`."""
    t = torch.as_tensor(np.asarray(z, dtype=np.float64), device=device).requires_grad_(True)
    y = FUNCTIONS[name](t)
    (slope,) = torch.autograd.grad(y.sum(), t)
    return y.detach().cpu().numpy(), slope.cpu().numpy()


class Saturation(Demo):
    """Left: f with its tangent at z. Right: f' with the value f'(z). Far from 0 both flatten."""

    PRESETS = {
        translate("linear zone", ENGLISH): {"z": 0.0, "function": "tanh"},
        translate("saturated", ENGLISH): {"z": 3.0, "function": "tanh"},
        translate("sigmoid peak", ENGLISH): {"z": 0.0, "function": "sigmoid"},
        translate("sigmoid saturated", ENGLISH): {"z": 5.0, "function": "sigmoid"},
    }

    def __init__(self, z=1.0, function="tanh", lang=None):
        lang = demo_language(lang)
        super().__init__({
            "z": slider("z", z, *Z_RANGE, 0.05),
            "function": dropdown(translate("function", lang), FUNCTIONS, function),
        }, lang=lang)

    def setup(self):
        self.fig.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.88, wspace=0.22)
        self.ax_f, self.ax_slope = self.fig.subplots(1, 2)
        self.grid = np.linspace(*Z_RANGE, 401)
        ax, bx = self.ax_f, self.ax_slope
        ax.set(xlim=Z_RANGE, ylim=(-1.35, 1.35), xlabel="z")
        bx.set(xlim=Z_RANGE, ylim=(-0.03, 1.08), xlabel="z")
        for a in (ax, bx):
            a.axhline(0, color="0.85", lw=0.8)
            a.axvline(0, color="0.85", lw=0.8)
            a.grid(alpha=0.25)
        self.curve = self.animate(ax.plot([], [], color="C0", lw=2, gid="f")[0])
        self.tangent = self.animate(ax.plot([], [], color="C3", lw=1.2, ls="--", gid="tangent")[0])
        self.point = self.animate(ax.plot([], [], "o", color="C3", ms=7, gid="point")[0])
        self.slope_curve = self.animate(bx.plot([], [], color="C1", lw=2, gid="slope")[0])
        self.slope_point = self.animate(bx.plot([], [], "o", color="C3", ms=7, gid="slope-point")[0])

    def update(self):
        name, z = self.values["function"], float(self.values["z"])
        y, slope = values_and_slopes(name, np.append(self.grid, z), self.device)
        fz, dz = y[-1], slope[-1]
        self.curve.set_data(self.grid, y[:-1])
        self.slope_curve.set_data(self.grid, slope[:-1])
        self.point.set_data([z], [fz])
        self.slope_point.set_data([z], [dz])
        ends = np.array([z - 2.5, z + 2.5])
        self.tangent.set_data(ends, fz + dz * (ends - z))
        self.ax_f.set_title(translate(f"{name}(z) and its tangent at z", self.lang))
        self.ax_slope.set_title(translate(f"its derivative {name}'(z)", self.lang))
        self.static_state(name)
        self.say(f"z = {z:+.2f}    {name}(z) = {fz:+.4f}    {name}'(z) = {dz:.4f}")


def saturation(z=1.0, function="tanh", lang=None):
    """Widget: drag z along tanh or sigmoid and watch the tangent and the derivative flatten."""
    return Saturation(z=z, function=function, lang=lang)
