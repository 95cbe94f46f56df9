"""Demo 8, XOR with a 2-2-1 ReLU net without biases: move the six weights, see the decision
regions, the hidden representation and which of the four points are classified right."""
import numpy as np
import torch
from matplotlib.colors import ListedColormap
from torch import nn

from ..i18n import ENGLISH, translate
from .base import Demo, demo_language, slider

POINTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
LABELS = np.array([0, 1, 1, 0])  # XOR
THRESHOLD = 0.5
EXTENT = (-0.5, 1.5)
HIDDEN_LIM = (-0.3, 4.3)
GRID = 121
REGIONS = ListedColormap(["#dbe9f6", "#fde0c5"])  # class 0 light blue, class 1 light orange
# The regions' colours as RGBA bytes: an image of them draws without colour mapping (a third of its cost).
REGION_RGBA = (np.asarray([REGIONS(0), REGIONS(1)]) * 255).round().astype(np.uint8)
COLORS = np.array(["C0", "C1"])


class Xor(Demo):
    """Left: input space, shaded by the class the net predicts (output > 0.5 is class 1), the lines
    where each hidden ReLU switches on, and the four XOR points (a red cross marks a wrong one).
    Right: the same points in the hidden space (h1, h2) and the output's line v·h = 0.5."""

    PRESETS = {
        translate("identity", ENGLISH): {"w11": 1.0, "w12": 0.0, "w21": 0.0, "w22": 1.0, "v1": 1.0, "v2": 1.0},
        translate("twin units", ENGLISH): {"w11": 1.0, "w12": 1.0, "w21": 1.0, "w22": 1.0, "v1": 0.5, "v2": 0.5},
        translate("one dead unit", ENGLISH): {"w11": 1.0, "w12": -1.0, "w21": -1.0, "w22": -1.0, "v1": 1.0, "v2": 1.0},
        translate("all zero", ENGLISH): {"w11": 0.0, "w12": 0.0, "w21": 0.0, "w22": 0.0, "v1": 0.0, "v2": 0.0},
    }

    figsize = (8.0, 3.8)

    def __init__(self, w11=1.0, w12=0.0, w21=0.0, w22=1.0, v1=1.0, v2=1.0, lang=None):
        weights = {"w11": w11, "w12": w12, "w21": w21, "w22": w22, "v1": v1, "v2": v2}
        labels = {"w11": "W[1,1]", "w12": "W[1,2]", "w21": "W[2,1]", "w22": "W[2,2]", "v1": "v[1]", "v2": "v[2]"}
        super().__init__({k: slider(labels[k], float(w), -2.0, 2.0, 0.1) for k, w in weights.items()},
                         lang=demo_language(lang))

    def setup(self):
        self.net = nn.Sequential(nn.Linear(2, 2, bias=False), nn.ReLU(), nn.Linear(2, 1, bias=False))
        self.net.to(self.device, torch.float64)
        axis = np.linspace(*EXTENT, GRID)
        xs, ys = np.meshgrid(axis, axis)
        self.grid = torch.as_tensor(np.stack([xs.ravel(), ys.ravel()], 1), device=self.device)
        self.points = torch.as_tensor(POINTS, device=self.device)

        self.fig.subplots_adjust(left=0.07, right=0.98, bottom=0.13, top=0.9, wspace=0.25)
        ax, bx = self.ax_input, self.ax_hidden = self.fig.subplots(1, 2)
        ax.set(xlim=EXTENT, ylim=EXTENT, xlabel="x₁", ylabel="x₂",
               title=translate("input space: predicted class", self.lang))
        bx.set(xlim=HIDDEN_LIM, ylim=HIDDEN_LIM, xlabel="h₁ = relu(W[1,:]·x)", ylabel="h₂ = relu(W[2,:]·x)",
               title=translate("hidden space and the line v·h = 0.5", self.lang))
        self.regions = self.animate(ax.imshow(np.zeros((GRID, GRID)), extent=(*EXTENT, *EXTENT), origin="lower",
                                              cmap=REGIONS, vmin=0, vmax=1, interpolation="nearest", gid="regions"))
        self.kinks = [self.animate(ax.plot([], [], "--", color="0.35", lw=1, gid=f"kink-{i + 1}")[0]) for i in range(2)]
        # drawn after the (animated) regions, so animated too
        self.animate(ax.scatter(POINTS[:, 0], POINTS[:, 1], s=90, c=COLORS[LABELS], edgecolors="k", zorder=3))
        self.wrong = self.animate(ax.scatter([], [], s=220, marker="x", color="red", linewidths=2.5, zorder=4, gid="wrong"))
        self.hidden_points = self.animate(bx.scatter(np.zeros(4), np.zeros(4), s=90, c=COLORS[LABELS],
                                                     edgecolors="k", zorder=3, gid="hidden"))
        self.boundary = self.animate(bx.plot([], [], color="k", lw=1.5, gid="boundary")[0])
        for a in (ax, bx):
            a.set_aspect("equal")
        bx.grid(alpha=0.3)

    def update(self):
        v = self.values
        first, second = self.net[0], self.net[2]
        with torch.no_grad():
            first.weight.copy_(torch.tensor([[v["w11"], v["w12"]], [v["w21"], v["w22"]]]))
            second.weight.copy_(torch.tensor([[v["v1"], v["v2"]]]))
            region = (self.net(self.grid)[:, 0] > THRESHOLD).cpu().numpy().reshape(GRID, GRID)
            hidden = self.net[:2](self.points)
            out = second(hidden)[:, 0].cpu().numpy()
        self.outputs, self.hidden = out, hidden.cpu().numpy()
        self.predicted = (out > THRESHOLD).astype(int)
        self.correct = self.predicted == LABELS
        self.regions.set_data(REGION_RGBA[region.astype(np.intp)])
        w = first.weight.detach().cpu().numpy()
        for line, (a, b) in zip(self.kinks, w):  # where a·x₁ + b·x₂ = 0, a line through the origin
            norm = np.hypot(a, b)
            line.set_visible(norm > 0)
            if norm > 0:
                line.set_data([-3 * b / norm, 3 * b / norm], [3 * a / norm, -3 * a / norm])
        self.wrong.set_offsets(POINTS[~self.correct] if (~self.correct).any() else np.empty((0, 2)))
        self.hidden_points.set_offsets(self.hidden)
        a, b = v["v1"], v["v2"]
        if abs(b) >= abs(a) and b != 0:  # v1·h1 + v2·h2 = 0.5, drawn across the axis range
            h1 = np.array(HIDDEN_LIM)
            self.boundary.set_data(h1, (THRESHOLD - a * h1) / b)
        elif a != 0:
            h2 = np.array(HIDDEN_LIM)
            self.boundary.set_data((THRESHOLD - b * h2) / a, h2)
        else:
            self.boundary.set_data([], [])
        outputs = ", ".join(f"{o:.2f}" for o in out)
        self.say(translate(f"{self.correct.sum()}/4 correct · outputs at (0,0), (0,1), (1,0), (1,1): {outputs} "
                           f"· class 1 when the output > {THRESHOLD}", self.lang))


def xor(w11=1.0, w12=0.0, w21=0.0, w22=1.0, v1=1.0, v2=1.0, lang=None):
    """Widget: move the six weights of a 2-2-1 ReLU net without biases; can it compute XOR?"""
    return Xor(w11=w11, w12=w12, w21=w21, w22=w22, v1=v1, v2=v2, lang=lang)
