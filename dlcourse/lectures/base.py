"""What every lecture demo shares: controls, a matplotlib figure shown as a PNG, in-place redraws.

A demo is an ``ipywidgets.VBox``: a row of controls above an ``Image`` that shows the figure.
Changing a control calls ``update()``, which moves the data of existing artists (``set_data``,
bar heights, ``set_offsets``) and never builds a new figure. Rendering blits: the static part of
the figure (axes, ticks, labels, legends) is drawn once and cached; each update restores that
background and draws only the artists registered with ``animate``. When something static changes
(a title, an axis range), the demo names the new static state with ``static_state(key)``: the
background of each key is drawn once and kept, so going back to a state seen before is fast too.

A demo speaks the language of the notebook it runs in (``lang``, by default `i18n.language()`): its
labels, buttons, readout, the words drawn in its figure and the errors it reports go through
`i18n.translate` with the demo's ``lang``; the catalog is ``dlcourse/locale/<lang>/lectures.po``.
In English every text is exactly the code's own. The names of presets and controls stay English:
they are what ``demo.preset(name)`` and ``demo.set(name=value)`` take in every language.
"""
import contextlib
import decimal
import html
import math
import struct
import time
import zlib

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib import ticker
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..device import get_device
from ..i18n import language, translate

DPI = 96
MAX_BACKGROUNDS = 40  # about 1 MB each


@contextlib.contextmanager
def torch_threads(n):
    """Run torch's CPU ops on `n` threads inside the block, then restore the previous setting.

    The demos' tensors are tiny: splitting them over threads saves little, and waiting for a
    second core that is busy with other work costs up to tens of milliseconds per update.
    """
    old = torch.get_num_threads()
    if old != n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if old != n:
            torch.set_num_threads(old)


def _chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def png_bytes(canvas):
    """The canvas as PNG bytes: RGBA rows without filtering, deflated at level 1.

    About three times faster than PIL's encoder at its fastest setting, and the files are no
    bigger: plots are mostly runs of one colour, which deflate compresses well unfiltered.
    """
    rgba = np.asarray(canvas.buffer_rgba())
    height, width = rgba.shape[:2]
    raw = np.zeros((height, 1 + 4 * width), dtype=np.uint8)  # a leading 0 per row: filter "none"
    raw[:, 1:] = rgba.reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw.data, 1)) + _chunk(b"IEND", b""))


def slider(description, value, low, high, step, **kw):
    """A float slider that updates while dragged."""
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                               continuous_update=True, style={"description_width": "initial"}, **kw)


def int_slider(description, value, low, high, **kw):
    """An integer slider that updates while dragged."""
    return widgets.IntSlider(value=value, min=low, max=high, description=description,
                             continuous_update=True, style={"description_width": "initial"}, **kw)


def log_slider(description, value, low_exp, high_exp, step=0.05, **kw):
    """A slider over 10**low_exp .. 10**high_exp, moving in equal ratios."""
    return widgets.FloatLogSlider(value=value, base=10, min=low_exp, max=high_exp, step=step,
                                  description=description, continuous_update=True,
                                  style={"description_width": "initial"}, **kw)


def stops_slider(description, value, stops, fmt=".2f", lang=None):
    """A slider over an explicit list of numbers, each shown with `fmt` (`lang`: the language of its error).

    The browser moves an index along the list, so it holds every stop exactly; a FloatSlider's
    handle instead rounds the value to its nearest step in floating point (0.8 may come back as
    0.8000000000000002, 0.05 on a log slider as 0.0501).
    """
    if not stops[0] <= value <= stops[-1]:
        raise ValueError(translate(f"{description} goes from {stops[0]:g} to {stops[-1]:g}; {value!r} is outside",
                                   lang))
    if value not in stops:
        stops = sorted({*stops, value})  # a value asked for (demo(lr=0.07)) becomes a stop of its own
    return widgets.SelectionSlider(options=[(format(v, fmt), v) for v in stops], value=value,
                                   description=description, continuous_update=True,
                                   style={"description_width": "initial"})


def decimal_stops(low, high, step):
    """low, low + step, ..., high, each the float nearest to its decimal value (0.1 + 2 * 0.01 is 0.12)."""
    low, high, step = (decimal.Decimal(str(x)) for x in (low, high, step))
    return [float(low + k * step) for k in range(int((high - low) / step) + 1)]


def log_stops(low_exp, high_exp, mantissas=(1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)):
    """Round numbers from 10**low_exp to 10**high_exp in about equal ratios: 0.001, 0.0012, 0.0015, ..."""
    return [float(f"{m}e{e}") for e in range(low_exp, high_exp) for m in mantissas] + [float(f"1e{high_exp}")]


def dropdown(description, options, value):
    """A dropdown of plain strings."""
    return widgets.Dropdown(options=list(options), value=value, description=description,
                            style={"description_width": "initial"})


def checkbox(description, value):
    """A checkbox."""
    return widgets.Checkbox(value=value, description=description, indent=False)


def decade_limits(values, current, floor=1e-300, span_min=2):
    """Log-axis limits snapped to whole decades, kept while the data still fits them well.

    Returns `current` when every positive value lies inside it and the data spans at least
    a third of it; otherwise the smallest decade range around the data (at least `span_min`
    decades), so an axis range changes, and forces a full redraw, only now and then.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > floor)]
    if v.size == 0:
        return current
    lo, hi = math.floor(math.log10(v.min())), math.ceil(math.log10(v.max()))
    if hi - lo < span_min:
        mid = (hi + lo) / 2
        lo, hi = math.floor(mid - span_min / 2), math.ceil(mid + span_min / 2)
    if current is not None:
        clo, chi = round(math.log10(current[0])), round(math.log10(current[1]))
        if clo <= lo and hi <= chi and (hi - lo) * 3 >= (chi - clo):
            return current
    return (10.0 ** lo, 10.0 ** hi)


def log_axis(ax, which="y"):
    """Make an axis logarithmic without minor ticks (they double the cost of a full redraw)."""
    axis = ax.yaxis if which == "y" else ax.xaxis
    (ax.set_yscale if which == "y" else ax.set_xscale)("log")
    axis.set_minor_locator(ticker.NullLocator())
    axis.set_major_locator(ticker.LogLocator(numticks=8))


def coarse_log_limits(values, lows, highs):
    """The narrowest (low, high) from these candidate lists that holds every positive finite value.

    With few candidates, data that spans hundreds of decades changes the axis range, and so
    costs a full redraw, only a few times during a whole sweep.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return (lows[0], highs[0])
    low = next((x for x in sorted(lows, reverse=True) if x <= v.min()), min(lows))
    high = next((x for x in sorted(highs) if x >= v.max()), max(highs))
    return (low, high)


def demo_language(lang=None):
    """The language a demo speaks: `lang`, else the notebook's (`i18n.language`)."""
    return lang or language()


class Demo(widgets.VBox):
    """Controls above a figure; subclasses build artists in `setup` and move them in `update`.

    A subclass takes ``lang=None``, resolves it with `demo_language`, builds its controls with
    labels in that language and passes it on: ``super().__init__(controls, lang=lang)``.
    """

    #: figure size in inches (at DPI dots per inch)
    figsize = (8.0, 3.4)
    #: torch CPU threads used while computing an update
    threads = 1
    #: named states worth showing: preset name -> a value for every control (see `preset`). A name is
    #: the English key `preset` takes in every language, written ``translate("name", ENGLISH)`` (the
    #: English itself) so that the catalog gets it; its button shows it in the demo's language.
    PRESETS = {}

    def __init__(self, controls, buttons=(), lang=None):
        super().__init__()
        self.lang = demo_language(lang)
        self.device = get_device()
        self.controls = dict(controls)
        self.fig = Figure(figsize=self.figsize, dpi=DPI)
        FigureCanvasAgg(self.fig)
        width = int(self.figsize[0] * DPI)
        self.image = widgets.Image(format="png", layout=widgets.Layout(
            width="100%", max_width=f"{width}px", height="auto", object_fit="contain"))
        self.readout = widgets.HTML("")  # the numbers of the current state, as text (see `say`)
        self.text = ""
        self.message = widgets.HTML("")  # says what went wrong, if an update fails
        self.animated = []
        self.updates = 0
        self.last_ms = float("nan")
        self._backgrounds = {}  # static-state key -> cached background (oldest first)
        self._key = None
        self._holding = False
        box = widgets.Box([*self.controls.values(), *buttons], layout=widgets.Layout(
            display="flex", flex_flow="row wrap", align_items="center", grid_gap="2px 16px",
            max_width=f"{width}px"))
        self.children = [*self._preset_row(width), box, self.image, self.readout, self.message]
        self.setup()
        for control in self.controls.values():
            control.observe(self._changed, names="value")
        self.refresh()

    # ----- for subclasses
    def setup(self):
        """Build the axes and the artists (once)."""
        raise NotImplementedError

    def update(self):
        """Recompute from `self.values` and move the artists' data in place."""
        raise NotImplementedError

    def animate(self, artist):
        """Register an artist as dynamic: it is left out of the cached background and redrawn each update."""
        artist.set_animated(True)
        self.animated.append(artist)
        return artist

    def say(self, text):
        """Show the current numbers under the figure (text outside the figure costs no rendering)."""
        self.text = text
        self.readout.value = f'<pre style="margin:0;line-height:1.3">{html.escape(text)}</pre>'

    def static_state(self, key):
        """Say which static state (titles, axis ranges) the figure is in; call it from `update`.

        Set the static artists for `key` every time (that is cheap); only their drawing is cached.
        """
        self._key = key

    def invalidate(self):
        """Forget every cached background (a static artist changed in a way no key captures)."""
        self._backgrounds.clear()

    def _preset_row(self, width):
        """One button per preset (none when the demo has no presets)."""
        if not self.PRESETS:
            return []
        buttons = []
        for name in self.PRESETS:
            label = translate(name, self.lang)
            button = widgets.Button(description=label, layout=widgets.Layout(width="auto"),
                                    tooltip=translate(f"set every control to the state {label!r}", self.lang))
            button.add_class("dlcourse-preset")
            button.preset = name  # the English key, whatever the label says
            button.on_click(lambda _, name=name: self._clicked(name))
            buttons.append(button)
        heading = widgets.HTML(f"<b>{html.escape(translate('presets', self.lang))}</b>")
        return [widgets.HBox([heading, *buttons], layout=widgets.Layout(
            flex_flow="row wrap", align_items="center", grid_gap="4px 8px", max_width=f"{width}px"))]

    def _clicked(self, name):
        try:
            self.preset(name)
        except Exception as error:  # keep the widget alive and say what went wrong
            self._show_error(error)

    def _show_error(self, error):
        self.message.value = f"<b>{translate('error', self.lang)}</b>: {type(error).__name__}: {error}"

    # ----- state a test or a lecturer can set and read
    @property
    def presets(self):
        """The names of this demo's presets, in the order of their buttons."""
        return list(self.PRESETS)

    def preset(self, name):
        """Set every control to the preset `name` and redraw once; returns self."""
        if name not in self.PRESETS:
            raise KeyError(translate(f"unknown preset {name!r}; this demo has {self.presets}", self.lang))
        return self.set(**self.PRESETS[name])

    @property
    def values(self):
        """The controls' values as a plain dict."""
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values):
        """Set several controls at once and redraw once; returns self."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise KeyError(translate(f"unknown controls {sorted(unknown)}; this demo has {sorted(self.controls)}",
                                     self.lang))
        for name, value in values.items():
            control = self.controls[name]
            if isinstance(control, widgets.SelectionSlider) and value not in dict(control.options).values():
                stops = [v for _, v in control.options]
                nearest = min(stops, key=lambda v: abs(v - value))
                raise ValueError(translate(f"{name} moves over fixed stops from {stops[0]:g} to {stops[-1]:g}; "
                                           f"{value!r} is not one of them (the nearest is {nearest:g})", self.lang))
        self._holding = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._holding = False
        self.refresh()
        return self

    def refresh(self):
        """Recompute and redraw now; returns the milliseconds it took."""
        start = time.perf_counter()
        with torch_threads(self.threads):
            self.update()
        self.render()
        self.updates += 1
        self.last_ms = (time.perf_counter() - start) * 1000
        return self.last_ms

    # ----- rendering
    def render(self):
        """Blit the dynamic artists onto the cached background and show the result."""
        canvas = self.fig.canvas
        background = self._backgrounds.get(self._key)
        if background is None:
            canvas.draw()  # draws everything that is not animated
            background = self._backgrounds[self._key] = canvas.copy_from_bbox(self.fig.bbox)
            while len(self._backgrounds) > MAX_BACKGROUNDS:
                self._backgrounds.pop(next(iter(self._backgrounds)))
        else:
            canvas.restore_region(background)
        for artist in self.animated:
            if artist.get_visible():
                self.fig.draw_artist(artist)
        self.image.value = png_bytes(canvas)

    def _changed(self, change):
        if self._holding:
            return
        try:
            self.refresh()
            self.message.value = ""  # only an error is ever shown there
        except Exception as error:  # keep the widget alive and say what went wrong
            self._show_error(error)
