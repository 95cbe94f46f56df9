"""Lecture demos: each function returns a widget; drag its sliders and the figure answers at once.

A demo's state is plain values: ``demo.values`` reads them, ``demo.set(name=value, ...)`` sets
them and redraws once. ``demo.presets`` names the demo's telling states and ``demo.preset(name)``
sets every control to one of them (the buttons above the controls do the same). The figure is
``demo.fig``; the artists that move are attributes of the demo (for example ``demo.point``,
``demo.bars``), and ``demo.text`` holds the numbers shown under the figure. Every demo computes with torch on ``dlcourse.device.get_device()``.

Every demo function takes ``lang=None``: the demo shows its labels, buttons, readout and figure in
the language of the notebook it runs in (`dlcourse.i18n.language`), or in ``lang``; the names that
``demo.preset`` and ``demo.set`` take stay English in every language.
"""
from .base import Demo
from .batchnorm import batchnorm
from .gain import init_gain_demo
from .gradient_flow import gradient_flow
from .mlp import mlp
from .optimizers import optimizers
from .rnn import rnn_gradients
from .saturation import saturation
from .softmax_ce import softmax_cross_entropy
from .xor import xor

#: the nine demos in lecture order: name -> function returning the widget
DEMOS = {
    "saturation": saturation,
    "gradient_flow": gradient_flow,
    "softmax_cross_entropy": softmax_cross_entropy,
    "mlp": mlp,
    "optimizers": optimizers,
    "init_gain_demo": init_gain_demo,
    "batchnorm": batchnorm,
    "xor": xor,
    "rnn_gradients": rnn_gradients,
}

__all__ = ["DEMOS", "Demo", *DEMOS]
