"""What the browser does with a control's value, computed in Python for the tests.

ipywidgets' slider views (@jupyter-widgets/controls 2.0, on noUiSlider 15) move the handle to a
value the kernel sets and send back the value the handle stands on, whenever they differ:

- FloatSlider and IntSlider: noUiSlider's spectrum maps the value to a percentage, rounds it to
  a whole number of steps and maps it back (`snap`); IntSlider then rounds to an integer.
- FloatLogSlider: the same on the exponent log(value) / log(base); the value sent back is
  base ** exponent.
- SelectionSlider, Dropdown, Checkbox: an index into the options, or a boolean: nothing moves.

The readout next to a slider is d3-format's rendering of the value with the widget's
`readout_format` (with "−", U+2212, as the minus sign); a SelectionSlider shows its label.
Floating-point operations follow the JavaScript source one by one, so the results are the
browser's bit for bit (Math.log and Math.pow aside, which both sides round correctly here).
"""
import decimal
import math

import ipywidgets as widgets

MINUS = "\u2212"


def js_round(x):
    """JavaScript's Math.round: the nearest integer, halves upwards."""
    low = math.floor(x)
    return float(low + 1 if x - low >= 0.5 else low)


def snap(value, low, high, step):
    """noUiSlider's value -> percentage -> nearest step -> value, for one handle on [low, high]."""
    if value >= high:
        percent = 100.0
    else:
        percent = (100 * (value - low)) / (high - low) / (100 / (100 - 0))
    if percent != 100:
        n = (100 * step) / (high - low) / (100 / (100 - 0))
        percent = 0 + js_round((percent - 0) / n) * n
    percent = max(min(percent, 100.0), 0.0)
    if percent >= 100:
        return high
    return (percent - 0) * (100 / (100 - 0)) * (high - low) / 100 + low


def browser_value(control, value):
    """The value the browser's view of `control` holds (and sends back) once the kernel sets `value`."""
    if isinstance(control, widgets.FloatLogSlider):
        exponent = math.log(value) / math.log(control.base)
        exponent = min(max(exponent, control.min), control.max)
        return control.base ** snap(exponent, control.min, control.max, control.step)
    if isinstance(control, widgets.IntSlider):
        return int(js_round(snap(value, control.min, control.max, control.step)))
    if isinstance(control, widgets.FloatSlider):
        return snap(value, control.min, control.max, control.step)
    return value


def holds(control, value):
    """Whether the browser keeps `value` exactly as the kernel set it (same type, same number)."""
    if isinstance(control, (widgets.FloatSlider, widgets.FloatLogSlider)):
        return isinstance(value, float) and control.min <= _position(control, value) <= control.max \
            and browser_value(control, value) == value
    if isinstance(control, widgets.IntSlider):
        return type(value) is int and browser_value(control, value) == value
    if isinstance(control, (widgets.SelectionSlider, widgets.Dropdown)):
        return value in control.options or value in dict(_pairs(control)).values()
    if isinstance(control, widgets.Checkbox):
        return isinstance(value, bool)
    raise TypeError(f"no rule for {type(control).__name__}")


def _position(control, value):
    return math.log(value) / math.log(control.base) if isinstance(control, widgets.FloatLogSlider) else value


def _pairs(control):
    return [o if isinstance(o, tuple) else (str(o), o) for o in control.options]


def _rounded(x, quantum):
    """|x| rounded to a multiple of `quantum`, exact decimal halves away from zero (as toFixed does)."""
    return abs(decimal.Decimal(x)).quantize(decimal.Decimal(quantum), rounding=decimal.ROUND_HALF_UP)


def to_fixed(x, digits):
    """JavaScript's Number.prototype.toFixed, of the magnitude."""
    return f"{_rounded(x, decimal.Decimal(1).scaleb(-digits)):f}"


def to_precision(x, digits):
    """JavaScript's Number.prototype.toPrecision, of the magnitude."""
    x = abs(x)
    if x == 0:
        return to_fixed(0.0, digits - 1)
    e = math.floor(math.log10(x))
    n = _rounded(x, decimal.Decimal(1).scaleb(e - digits + 1))
    if n >= decimal.Decimal(10) ** (e + 1):
        e += 1
        n = _rounded(x, decimal.Decimal(1).scaleb(e - digits + 1))
    if e < -6 or e >= digits:
        mantissa = f"{n.scaleb(-e):.{digits - 1}f}"
        return f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return f"{n:.{max(digits - 1 - e, 0)}f}"


def d3_format(spec, x):
    """d3-format for the specs sliders use: ".Nf", ".Ng", "d"."""
    if spec == "d":
        body = str(int(js_round(abs(x))))
    elif spec.startswith(".") and spec[-1] in "fg":
        digits = int(spec[1:-1])
        body = to_fixed(x, digits) if spec[-1] == "f" else to_precision(x, digits)
    else:
        raise ValueError(f"no rule for the format {spec!r}")
    negative = (x < 0 or math.copysign(1, x) < 0) and float(body.split("e")[0]) != 0
    return (MINUS if negative else "") + body


def readout(control, value):
    """The text the browser shows for `value` next to `control` (its readout, or its selection)."""
    if isinstance(control, widgets.SelectionSlider):
        return next(label for label, v in _pairs(control) if v == value)
    if isinstance(control, (widgets.FloatSlider, widgets.FloatLogSlider, widgets.IntSlider)):
        return d3_format(control.readout_format, value)
    return str(value)
