"""Demo 4, the multilayer perceptron: layer sizes give the diagram and the parameter count."""
from torch import nn

from ..i18n import ENGLISH, ngettext, translate
from ..plots import count_network, draw_network
from .base import MAX_BACKGROUNDS, Demo, checkbox, demo_language, int_slider

MAX_UNITS = 8


def build(sizes, bias=True):
    """The fully connected net with these layer sizes (ReLU between layers), as torch modules."""
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(n_in, n_out, bias=bias))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class MultilayerPerceptron(Demo):
    """The diagram of the net (one dot per unit, one line per weight) and its parameter count,
    counted on the torch module itself. A hidden size of 0 leaves that layer out."""

    PRESETS = {
        "3 → 5 → 2 → 4": {"inputs": 3, "hidden1": 5, "hidden2": 2, "hidden3": 0, "outputs": 4, "bias": True},
        translate("no hidden layer", ENGLISH): {"inputs": 3, "hidden1": 0, "hidden2": 0, "hidden3": 0, "outputs": 4,
                                                "bias": True},
        translate("without biases", ENGLISH): {"inputs": 3, "hidden1": 5, "hidden2": 2, "hidden3": 0, "outputs": 4,
                                               "bias": False},
        translate("widest", ENGLISH): {"inputs": 8, "hidden1": 8, "hidden2": 8, "hidden3": 8, "outputs": 8,
                                       "bias": True},
    }

    figsize = (8.0, 3.6)

    def __init__(self, sizes=(4, 6, 3, 2), bias=True, lang=None):
        lang = demo_language(lang)
        sizes = list(sizes)
        hidden = (sizes[1:-1] + [0, 0, 0])[:3]
        super().__init__({
            "inputs": int_slider(translate("inputs", lang), sizes[0], 1, MAX_UNITS),
            **{f"hidden{i}": int_slider(translate(f"hidden {i}", lang), hidden[i - 1], 0, MAX_UNITS)
               for i in (1, 2, 3)},
            "outputs": int_slider(translate("outputs", lang), sizes[-1], 1, MAX_UNITS),
            "bias": checkbox(translate("biases", lang), bias),
        }, lang=lang)

    @property
    def sizes(self):
        """Units per layer, input first; hidden layers of size 0 are left out."""
        v = self.values
        return [v["inputs"]] + [v[f"hidden{i}"] for i in (1, 2, 3) if v[f"hidden{i}"] > 0] + [v["outputs"]]

    def setup(self):
        self.diagrams = {}  # (sizes, bias) -> the axis holding that diagram; one is visible at a time
        self.ax = None

    def diagram(self, sizes, bias):
        """The axis with this architecture's diagram, drawn the first time it is asked for."""
        key = (tuple(sizes), bias)
        if key not in self.diagrams:
            ax = self.fig.add_axes((0.03, 0.17, 0.94, 0.71))
            names = [translate("input", self.lang)] + [translate(f"layer {i}", self.lang) for i in range(1, len(sizes))]
            draw_network(ax, sizes, labels=names, clear=False)
            # one form in English, as ever ("1 parameters"); Russian agrees with the number
            ax.set_title(ngettext("{sizes}: {n} parameters", "{sizes}: {n} parameters", self.parameters_count,
                                  self.lang, sizes=" → ".join(map(str, sizes))))
            self.diagrams[key] = ax
            while len(self.diagrams) > MAX_BACKGROUNDS:
                self.diagrams.pop(next(iter(self.diagrams))).remove()
        return self.diagrams[key]

    def update(self):
        sizes, bias = self.sizes, self.values["bias"]
        net = build(sizes, bias).to(self.device)
        weights = sum(m.weight.numel() for m in net if isinstance(m, nn.Linear))
        self.parameters_count = sum(p.numel() for p in net.parameters())
        ax = self.diagram(sizes, bias)
        if ax is not self.ax:
            if self.ax is not None:
                self.ax.set_visible(False)
            ax.set_visible(True)
            self.ax = ax
        self.static_state((tuple(sizes), bias))  # the whole picture is static: cached per architecture
        self.nodes, self.edges = count_network(self.ax)
        per_layer = " + ".join(f"({a}·{b}{' + ' + str(b) if bias else ''})" for a, b in zip(sizes, sizes[1:]))
        self.say(translate(f"parameters = {per_layer} = {self.parameters_count}  "
                           f"(weights {weights}, biases {self.parameters_count - weights})", self.lang) + "\n"
                 + translate(f"drawn: {self.nodes} units, {self.edges} weights", self.lang))


def mlp(sizes=(4, 6, 3, 2), bias=True, lang=None):
    """Widget: choose the layer sizes; see the network and count its parameters."""
    return MultilayerPerceptron(sizes=sizes, bias=bias, lang=lang)
