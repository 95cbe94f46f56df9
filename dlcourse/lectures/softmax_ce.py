"""Demo 3, softmax and cross-entropy: logits and a soft target give probabilities, a loss and
the gradient of the loss with respect to the logits."""
import numpy as np
import torch
import torch.nn.functional as F

from ..i18n import ENGLISH, translate
from .base import Demo, demo_language, slider

K = 4  # classes


class SoftmaxCrossEntropy(Demo):
    """Left: softmax probabilities ŷ next to the target p. Right: ∂CE/∂z, taken by autograd."""

    PRESETS = {
        translate("uniform", ENGLISH): {"z1": 0.0, "z2": 0.0, "z3": 0.0, "z4": 0.0,
                                        "p1": 0.0, "p2": 1.0, "p3": 0.0, "p4": 0.0},
        translate("confident and right", ENGLISH): {"z1": -1.0, "z2": 4.0, "z3": 0.0, "z4": -1.0,
                                                    "p1": 0.0, "p2": 1.0, "p3": 0.0, "p4": 0.0},
        translate("confident and wrong", ENGLISH): {"z1": 4.0, "z2": -1.0, "z3": 0.0, "z4": -1.0,
                                                    "p1": 0.0, "p2": 1.0, "p3": 0.0, "p4": 0.0},
        translate("soft label", ENGLISH): {"z1": 2.0, "z2": 1.0, "z3": 0.0, "z4": -1.0,
                                           "p1": 0.0, "p2": 0.75, "p3": 0.0, "p4": 0.25},
    }

    figsize = (8.0, 3.2)

    def __init__(self, logits=(2.0, 1.0, 0.0, -1.0), target=(0.0, 1.0, 0.0, 0.0), lang=None):
        lang = demo_language(lang)
        controls = {f"z{k + 1}": slider(translate(f"logit z{k + 1}", lang), float(v), -5.0, 5.0, 0.1)
                    for k, v in enumerate(logits)}
        controls |= {f"p{k + 1}": slider(translate(f"target weight {k + 1}", lang), float(v), 0.0, 1.0, 0.05)
                     for k, v in enumerate(target)}
        super().__init__(controls, lang=lang)

    def setup(self):
        self.fig.subplots_adjust(left=0.07, right=0.98, bottom=0.16, top=0.88, wspace=0.25)
        ax, bx = self.ax_prob, self.ax_grad = self.fig.subplots(1, 2)
        classes = np.arange(1, K + 1)
        ax.set(ylim=(0, 1.05), xticks=classes, xlabel=translate("class", self.lang),
               title=translate("softmax ŷ (blue) and target p (orange)", self.lang))
        bx.set(ylim=(-1.05, 1.05), xticks=classes, xlabel=translate("class", self.lang),
               title=translate("gradient ∂CE/∂z = ŷ − p", self.lang))
        bx.axhline(0, color="k", lw=0.8)
        for a in (ax, bx):
            a.grid(axis="y", alpha=0.3)
        self.prob_bars = [self.animate(b) for b in ax.bar(classes - 0.2, np.zeros(K), 0.4, color="C0", gid="probs")]
        self.target_bars = [self.animate(b) for b in ax.bar(classes + 0.2, np.zeros(K), 0.4, color="C1", gid="target")]
        self.grad_bars = [self.animate(b) for b in bx.bar(classes, np.zeros(K), 0.6, color="C2", gid="grad")]

    def target(self):
        """The target weights normalised to sum to 1 (uniform when they are all 0)."""
        w = np.array([self.values[f"p{k + 1}"] for k in range(K)], dtype=np.float64)
        return w / w.sum() if w.sum() > 0 else np.full(K, 1.0 / K)

    def update(self):
        p = torch.as_tensor(self.target(), device=self.device)
        z = torch.tensor([[self.values[f"z{k + 1}"] for k in range(K)]], dtype=torch.float64,
                         device=self.device, requires_grad=True)
        loss = F.cross_entropy(z, p[None])  # a probability target
        (grad,) = torch.autograd.grad(loss, z)
        probs = torch.softmax(z.detach(), dim=1)[0].cpu().numpy()
        grad, p = grad[0].cpu().numpy(), p.cpu().numpy()
        for bars, heights in ((self.prob_bars, probs), (self.target_bars, p)):
            for bar, h in zip(bars, heights):
                bar.set_height(h)
        for bar, g in zip(self.grad_bars, grad):
            bar.set_height(g)  # a negative height draws downwards from 0
        self.loss = loss.item()
        fmt = lambda v: "[" + ", ".join(f"{x:+.3f}" for x in v) + "]"  # noqa: E731
        self.say(translate(f"cross-entropy = {self.loss:.4f}", self.lang)
                 + f"\nŷ = {fmt(probs)}\np = {fmt(p)}\nŷ − p = {fmt(grad)}")


def softmax_cross_entropy(logits=(2.0, 1.0, 0.0, -1.0), target=(0.0, 1.0, 0.0, 0.0), lang=None):
    """Widget: move the logits and the target; see the probabilities, the loss and its gradient."""
    return SoftmaxCrossEntropy(logits=logits, target=target, lang=lang)
