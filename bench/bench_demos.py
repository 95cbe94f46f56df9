"""Latency of the lecture demos: milliseconds per update, computation plus rendering.

Each demo is built, warmed up (imports, first draw), then every control is swept through its
range and back, one value at a time, exactly as a slider drag does it: the value is assigned
and the widget's observer recomputes, redraws the figure in place and encodes the PNG. The
time of each assignment is one sample. Prints the median and the 95th percentile per demo.

    python bench/bench_demos.py                 # all nine demos
    python bench/bench_demos.py xor rnn_gradients --points 8

Goal on the course's 2-core machine: median under 30 ms and 95th percentile under 60 ms.
"""
import argparse
import os
import platform
import statistics
import time

import ipywidgets as widgets
import numpy as np
import torch

from dlcourse.device import get_device
from dlcourse.lectures import DEMOS

GOAL_MEDIAN_MS, GOAL_P95_MS = 30.0, 60.0


def sweep(control, points):
    """The values a drag over the whole range would pass through, there and back."""
    if isinstance(control, widgets.Checkbox):
        values = [not control.value, control.value]
    elif isinstance(control, widgets.Dropdown):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        values = options + [control.value]
    elif isinstance(control, widgets.FloatLogSlider):
        values = list(np.logspace(control.min, control.max, points, base=control.base))
    elif isinstance(control, widgets.IntSlider):
        values = sorted(set(np.linspace(control.min, control.max, min(points, control.max - control.min + 1)).round().astype(int)))
    else:
        values = list(np.linspace(control.min, control.max, points))
    if not isinstance(control, (widgets.Checkbox, widgets.Dropdown)):
        values = values + values[-2::-1] + [control.value]
    return [v.item() if hasattr(v, "item") else v for v in values]


def measure(name, points):
    """Milliseconds per update over a sweep of every control of one demo."""
    demo = DEMOS[name]()
    for control in demo.controls.values():  # warm-up: one step of each control, not timed
        start = control.value
        control.value = sweep(control, 3)[1]
        control.value = start
    samples = []
    for control in demo.controls.values():
        for value in sweep(control, points):
            if value == control.value:
                continue
            t0 = time.perf_counter()
            control.value = value  # the observer recomputes and redraws
            samples.append((time.perf_counter() - t0) * 1000)
    assert demo.message.value == "", demo.message.value
    return samples


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("demos", nargs="*", default=list(DEMOS), help=f"any of {', '.join(DEMOS)}")
    parser.add_argument("--points", type=int, default=15, help="values per slider, each way (default 15)")
    args = parser.parse_args(argv)
    print(f"device {get_device()} · {os.cpu_count()} CPUs · torch {torch.__version__} · "
          f"{platform.python_implementation()} {platform.python_version()} · load {os.getloadavg()[0]:.1f} at start")
    print(f"{'demo':24} {'updates':>7} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}  goal (<{GOAL_MEDIAN_MS:g} / <{GOAL_P95_MS:g})")
    misses = []
    for name in args.demos:
        ms = measure(name, args.points)
        median, p95 = statistics.median(ms), float(np.percentile(ms, 95))
        ok = median < GOAL_MEDIAN_MS and p95 < GOAL_P95_MS
        misses += [] if ok else [name]
        print(f"{name:24} {len(ms):7d} {median:10.1f} {p95:8.1f} {max(ms):8.1f}  {'met' if ok else 'MISSED'}")
    print(f"load {os.getloadavg()[0]:.1f} at the end (other processes share these cores)")
    if misses:
        print("missed the goal: " + ", ".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
