"""Drawing helpers that notebooks and demos share. Each draws into a given axis and returns it."""
import matplotlib.pyplot as plt
from matplotlib.collections import LineCollection


def new_axis(figsize=(5, 3.5)):
    """A fresh figure with one axis."""
    fig, ax = plt.subplots(figsize=figsize)
    return ax


def network_layout(sizes):
    """Node positions of a fully connected net: x is the layer index, y centres each layer."""
    return [[(i, (n - 1) / 2 - j) for j in range(n)] for i, n in enumerate(sizes)]


def draw_network(ax, sizes, labels=None, clear=True):
    """Draw a fully connected net with `sizes` nodes per layer: nodes as dots, edges as lines.

    The nodes are one scatter collection per layer (gid "layer-i"), the edges one
    LineCollection (gid "edges"), so a test can count them. `clear=False` on a new, empty axis
    saves clearing it again (a few milliseconds, which a live demo feels).
    """
    if clear:
        ax.clear()
    layers = network_layout(sizes)
    segments = [[a, b] for left, right in zip(layers, layers[1:]) for a in left for b in right]
    ax.add_collection(LineCollection(segments, colors="0.6", linewidths=0.8, zorder=1, gid="edges"))
    for i, nodes in enumerate(layers):
        xs, ys = zip(*nodes)
        ax.scatter(xs, ys, s=220, zorder=2, color="C0" if 0 < i < len(sizes) - 1 else "C1",
                   edgecolors="k", gid=f"layer-{i}")
    names = labels or ["input"] + [f"layer {i}" for i in range(1, len(sizes))]
    ax.set_xticks(range(len(sizes)), [f"{name}\n({n})" for name, n in zip(names, sizes)])
    ax.set_yticks([])
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    half = max(sizes) / 2
    ax.set_ylim(-half, half)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return ax


def count_network(ax):
    """(nodes, edges) drawn by `draw_network` on `ax`."""
    nodes = sum(len(c.get_offsets()) for c in ax.collections if (c.get_gid() or "").startswith("layer-"))
    edges = sum(len(c.get_segments()) for c in ax.collections if c.get_gid() == "edges")
    return nodes, edges
