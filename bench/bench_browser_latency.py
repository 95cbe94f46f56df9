"""End-to-end latency of the lecture demos in a real browser, and where the time goes.

JupyterLab runs on 127.0.0.1 over a temporary copy of notebooks/; headless Chromium (Playwright,
/usr/bin/chromium) opens each lecture notebook, runs it, focuses the demo's first slider and
presses an arrow key, one press at a time, walking to the end of the range and back. A sample is
the time from the keydown event (the slider's input) to the `load` event of the widget's new
image, both in the page's clock. Each sample is split into five parts, all on one wall clock:

- to kernel: keydown to the demo's update starting in the kernel (browser, server, kernel queue);
- compute: the demo's `update` (torch and moving the artists' data);
- draw: drawing the figure and encoding the PNG, until the new image is sent;
- back: from the kernel sending the image to the page receiving it on its websocket;
- browser: from receiving it to the image's `load` (decoding the message, the widget's view).

The kernel's times come from one cell the benchmark appends to its copy of each notebook, which
logs every update's timestamps to a file; the page's times come from a wrapper of its WebSocket.

    python bench/bench_browser_latency.py               # all nine lectures, 40 presses each
    python bench/bench_browser_latency.py 05_optimizers --presses 60
    python bench/bench_browser_latency.py --nagle       # also with jupyter_server's plain websockets

`--nagle` runs every demo a second time on a server with jupyter_server's own websocket connection
(Nagle's algorithm on), which the course replaces (dlcourse/lectures/server.py), and prints the
ratio of the medians. Goal on the course's 2-core machine, quiet: median under 50 ms and 95th
percentile under 100 ms.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

import nbformat
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from labserver import jupyter, run_all  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
GOAL_MEDIAN_MS, GOAL_P95_MS = 50.0, 100.0
START_TIMEOUT_MS = 180_000  # kernel start + import torch + first render
PLAIN_WEBSOCKET = "jupyter_server.services.kernels.connection.channels.ZMQChannelsWebsocketConnection"
PARTS = ("to kernel", "compute", "draw", "back", "browser")

# Appended to the benchmark's copy of each notebook: log each update's start, end and the image's send.
TIMING_CELL = """import json as _json, time as _time
_demo_class = type(demo)
def _timed(name, log={log!r}):
    inner = getattr(_demo_class, name)
    def wrapper(self):
        start = _time.time() * 1000
        inner(self)
        with open(log, "a") as f:
            f.write(_json.dumps([name, start, _time.time() * 1000]) + "\\n")
    setattr(_demo_class, name, wrapper)
_timed("update"); _timed("render")
"""

# In the page, before JupyterLab loads: note when each websocket message arrives, and its size.
WEBSOCKET_WRAPPER = """(() => {
    window.__received = [];
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
        constructor(...args) {
            super(...args);
            this.addEventListener('message', e => window.__received.push(
                [performance.timeOrigin + performance.now(), e.data.byteLength || e.data.size || e.data.length || 0]));
        }
    };
})();"""

# In the page: the keydown on the slider starts a sample, the image's next load ends it.
PROBE = """([slider, img]) => {
    window.__samples = [];
    window.__key = null;
    slider.addEventListener('keydown', e => { window.__key = performance.timeOrigin + e.timeStamp; }, true);
    img.addEventListener('load', () => {
        if (window.__key === null) return;
        const key = window.__key, now = performance.timeOrigin + performance.now();
        const got = window.__received.filter(([t, n]) => t >= key);
        const image = got.reduce((a, b) => (b[1] > a[1] ? b : a), [now, 0]);
        window.__samples.push({key, load: now, image: image[0]});
        window.__key = null;
    });
}"""


def copy_notebooks(work, log):
    """The lecture notebooks, each with the timing cell appended."""
    work.mkdir()
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(TIMING_CELL.format(log=str(log))))
        nbformat.write(nb, work / path.name)


def kernel_times(log, since):
    """(update start, update end, render end) of the last update logged after line `since`."""
    lines = [json.loads(line) for line in log.read_text().splitlines()[since:]] if log.exists() else []
    update = next((x for x in reversed(lines) if x[0] == "update"), None)
    render = next((x for x in reversed(lines) if x[0] == "render"), None)
    return None if update is None or render is None else (update[1], update[2], render[2])


def log_length(log):
    return len(log.read_text().splitlines()) if log.exists() else 0


def open_demo(page, lab, notebook):
    """Run the notebook; return the demo's first slider, its readout and handle, and the image."""
    run_all(page, lab, notebook, START_TIMEOUT_MS)
    output = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output").first
    image = output.locator("img.widget-image")
    image.wait_for(state="visible", timeout=START_TIMEOUT_MS)
    slider = output.locator(".widget-hslider").first
    return slider.locator(".widget-readout"), slider.locator(".noUi-handle").first, image


def measure(browser, lab, notebook, presses, log):
    """One row per press: total and the five parts, in milliseconds."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.add_init_script(WEBSOCKET_WRAPPER)
    rows = []
    try:
        readout, handle, image = open_demo(page, lab, notebook)
        page.wait_for_timeout(1000)  # the timing cell runs after the demo's cell
        page.evaluate(PROBE, [handle.element_handle(), image.element_handle()])
        handle.focus()
        key = "ArrowRight"
        for done in range(1, presses + 1):
            before, since = readout.inner_text(), log_length(log)
            page.keyboard.press(key)
            if readout.inner_text() == before:  # the end of the range: walk back
                key = "ArrowLeft" if key == "ArrowRight" else "ArrowRight"
                page.evaluate("window.__key = null")
                page.keyboard.press(key)
            page.wait_for_function("n => window.__samples.length >= n", arg=done, timeout=30_000)
            page.wait_for_timeout(30)  # the kernel's log line lands after the image was sent
            sample, times = page.evaluate("window.__samples")[-1], kernel_times(log, since)
            if times is None:
                continue
            start, computed, sent = times
            rows.append([sample["load"] - sample["key"], start - sample["key"], computed - start, sent - computed,
                         sample["image"] - sent, sample["load"] - sample["image"]])
        return np.array(rows)
    finally:
        page.close()
        lab.shut_down_kernels()


def run(stems, presses, args, label):
    """Measure every demo on one JupyterLab; {stem: rows}."""
    from playwright.sync_api import sync_playwright

    results = {}
    with tempfile.TemporaryDirectory(prefix="dlcourse-latency-") as tmp:
        work, log = Path(tmp) / "notebooks", Path(tmp) / "updates.jsonl"
        copy_notebooks(work, log)
        settings = [f"--LabApp.user_settings_dir={Path(tmp) / 'settings'}",
                    f"--LabApp.workspaces_dir={Path(tmp) / 'workspaces'}"]
        with jupyter("jupyterlab", work, Path(tmp), settings + args) as lab, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            for stem in stems:
                results[stem] = rows = measure(browser, lab, f"{stem}.ipynb", presses, log)
                print_row(f"{stem} {label}".strip(), rows)
            browser.close()
    return results


def print_row(name, rows):
    median, p95 = statistics.median(rows[:, 0]), float(np.percentile(rows[:, 0], 95))
    ok = median < GOAL_MEDIAN_MS and p95 < GOAL_P95_MS
    parts = " ".join(f"{statistics.median(rows[:, i + 1]):9.1f}" for i in range(len(PARTS)))
    print(f"{name:32} {len(rows):4d} {median:7.1f} {p95:7.1f}  {parts}  {'met' if ok else 'MISSED'}", flush=True)
    return ok


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="lecture notebooks by stem, e.g. 05_optimizers (default: all)")
    parser.add_argument("--presses", type=int, default=40, help="slider steps per demo (default 40)")
    parser.add_argument("--nagle", action="store_true",
                        help="also measure with jupyter_server's own websocket connection (Nagle's algorithm on)")
    args = parser.parse_args(argv)
    known = [p.stem for p in sorted((REPO / "notebooks").glob("*.ipynb"))]
    stems = args.notebooks or known
    if set(stems) - set(known):
        raise SystemExit(f"no lecture notebook {', '.join(sorted(set(stems) - set(known)))} in notebooks/; "
                         f"there are: {', '.join(known)}")
    print(f"{os.cpu_count()} CPUs · load {os.getloadavg()[0]:.1f} at start · Chromium {CHROMIUM}")
    print(f"{'notebook':32} {'n':>4} {'median':>7} {'p95':>7}  " + " ".join(f"{p:>9}" for p in PARTS)
          + f"  goal (<{GOAL_MEDIAN_MS:g} / <{GOAL_P95_MS:g} ms; parts are medians)")
    ours = run(stems, args.presses, [], "")
    misses = [s for s, rows in ours.items()
              if not (statistics.median(rows[:, 0]) < GOAL_MEDIAN_MS and np.percentile(rows[:, 0], 95) < GOAL_P95_MS)]
    if args.nagle:
        plain = run(stems, args.presses, [f"--ServerApp.kernel_websocket_connection_class={PLAIN_WEBSOCKET}"],
                    "(Nagle)")
        for stem in stems:
            ratio = statistics.median(plain[stem][:, 0]) / statistics.median(ours[stem][:, 0])
            print(f"{stem:32} median with Nagle's algorithm / without: {ratio:.2f}x")
    print(f"load {os.getloadavg()[0]:.1f} at the end (other processes share these cores)")
    if misses:
        print("missed the goal: " + ", ".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
