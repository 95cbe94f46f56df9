"""The lecture demos speak the notebook's language: built with lang="ru", every label, button, tooltip,
readout and word drawn in the figure is Russian (or code, which the glossary keeps in English); built
in English, every text is the code's own, as tests/test_demos.py and the lecture notes quote it.

What counts as code: a token with code punctuation (``torch.nn.init.calculate_gain``, ``tanh'(z)``,
``running_mean``, ``$10^{-2}$``), a name before ``=`` (``gain = …``, ``affine=True``), and the names
the glossary keeps in English: the torch functions and modules a demo's dropdown offers, the
optimizers, BatchNorm2d's parameter and buffer names, softmax, affine, channels-last. Anything else
with a Latin word of three letters or more is English someone forgot to translate.
"""
import html
import io
import json
import os
import re
import subprocess
import sys
import warnings

import ipywidgets as widgets
import pytest
from conftest import REPO
from lecture_quotes import demo_of, notes
from matplotlib.text import Text
from PIL import Image
from torch import nn

from dlcourse.i18n import translate
from dlcourse.lectures import DEMOS
from dlcourse.lectures.gain import NONLINEARITIES
from dlcourse.lectures.gradient_flow import ACTIVATIONS
from dlcourse.lectures.optimizers import RUNS
from dlcourse.lectures.rnn import ACTIVATIONS as RNN_ACTIVATIONS
from dlcourse.lectures.saturation import FUNCTIONS
from dlcourse.notebook import messages

CODE_TOKEN = re.compile(r"\S*[_()\[\]{}=.\\$^/]\S*")  # identifiers, calls, formulas, mathtext
NAME_BEFORE_EQUALS = re.compile(r"\b[A-Za-z]\w*(?=\s*=)")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z-]*[A-Za-z]")
KEPT = {w.lower() for w in [
    *FUNCTIONS, *ACTIVATIONS, *NONLINEARITIES, *RNN_ACTIVATIONS,
    *(word for label, _, _ in RUNS for word in label.split()),
    *nn.BatchNorm2d(1).state_dict(), "softmax", "affine", "channels-last",
]}
CYRILLIC = re.compile("[А-Яа-яЁё]")


def untranslated(text):
    """The Latin words of `text` that are neither code nor a name kept in English."""
    prose = CODE_TOKEN.sub(" ", NAME_BEFORE_EQUALS.sub(" ", text))
    return [w for w in LATIN_WORD.findall(prose) if len(w) > 2 and w.lower() not in KEPT]


def shown(demo):
    """[(where, text)]: every text a demo shows, in its widgets and drawn in its figure."""
    found = []

    def walk(widget):
        if isinstance(widget, widgets.HTML):
            found.append(("html", html.unescape(re.sub(r"<[^>]+>", "", widget.value))))
        elif isinstance(widget, widgets.Button):
            found.extend([("button", widget.description), ("tooltip", widget.tooltip or "")])
        elif isinstance(widget, widgets.Dropdown):
            found.extend([("control", widget.description), *(("option", o) for o in widget._options_labels)])
        elif isinstance(widget, widgets.DOMWidget) and hasattr(widget, "description"):
            found.append(("control", widget.description))
        for child in getattr(widget, "children", ()):
            walk(child)

    walk(demo)
    found.append(("readout", demo.text))
    demo.fig.canvas.draw()  # tick labels get their text when drawn
    found += [("figure", t.get_text()) for t in demo.fig.findobj(Text) if t.get_text()]
    return [(where, text) for where, text in found if text]


def every_state(demo):
    """The demo at its defaults, then after each preset: yields (state, what it shows)."""
    yield "defaults", shown(demo)
    for name in demo.presets:
        demo.preset(name)
        yield name, shown(demo)


@pytest.fixture(scope="module")
def russian():
    """Every demo built in Russian, with the warnings its figure gave (a glyph missing from the font)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        built = {name: make(lang="ru") for name, make in DEMOS.items()}
    return built, [str(w.message) for w in caught]


@pytest.fixture(scope="module")
def english():
    """Every demo built in English."""
    return {name: make(lang="en") for name, make in DEMOS.items()}


@pytest.mark.parametrize("name", DEMOS)
def test_a_russian_demo_shows_no_english_but_code(russian, name):
    demo = russian[0][name]
    assert demo.lang == "ru"
    for state, texts in every_state(demo):
        left = [(where, text) for where, text in texts if untranslated(text)]
        assert not left, f"{name}, {state}: untranslated {left}"
        assert any(CYRILLIC.search(text) for where, text in texts if where in ("readout", "figure")), \
            f"{name}, {state}: nothing under or in the figure is Russian"


def test_the_rule_finds_the_english_it_is_meant_to_find(english):
    """The check above is not vacuous: in English, every demo has words it calls untranslated."""
    for name, demo in english.items():
        assert any(untranslated(text) for _, text in shown(demo)), name
    assert untranslated("mean ± std per channel") == ["mean", "std", "per", "channel"]
    assert untranslated("BatchNorm2d(3, affine=True)\nпараметры (6): weight 3, bias 3") == []


@pytest.mark.parametrize("name", DEMOS)
def test_a_russian_demo_draws_its_figure_with_every_glyph(russian, name):
    demo, caught = russian[0][name], russian[1]
    assert not [w for w in caught if "missing from" in w], caught
    png = bytes(demo.image.value)
    assert png.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(png)).size == demo.fig.canvas.get_width_height()
    assert demo.message.value == ""


@pytest.mark.parametrize("name", DEMOS)
def test_russian_preset_buttons_are_labelled_in_russian_and_keep_their_english_names(russian, name):
    demo = russian[0][name]
    buttons = [w for w in demo.children[0].children if isinstance(w, widgets.Button)]
    assert [b.preset for b in buttons] == demo.presets == list(type(demo).PRESETS)
    for button in buttons:
        assert button.description != button.preset or not untranslated(button.preset), \
            f"{button.preset!r} is shown as it is only when it is code (tanh, w = 1, 3 → 5 → 2 → 4)"
        assert button.description in button.tooltip
    buttons[-1].click()
    assert demo.values == pytest.approx(demo.PRESETS[demo.presets[-1]]) and demo.message.value == ""


LECTURES = {demo_of(path): path for path in sorted((REPO / "notebooks").glob("*.ipynb"))}
INLINE_CODE_OR_MATH = re.compile(r"`[^`]*`|\$\$.*?\$\$|\$[^$]*\$", re.S)


def emphasised(name, text):
    """The markers ("**", "*") with which `text` (markdown) sets `name` in bold or italic."""
    return {m.group(1) for m in re.finditer(rf"(?<![*\w])(\*\*?){re.escape(name)}\1(?![*\w])", text)}


@pytest.mark.parametrize("name", DEMOS)
def test_the_russian_lecture_names_each_preset_by_its_button_label(english, name):
    """Where the English lecture sets a preset's name in bold or italic, the Russian one sets the label
    of the Russian button there, as the English does, and no longer says the English name (unless the
    label is that name: code such as tanh, w = 1, 3 → 5 → 2 → 4)."""
    lecture = LECTURES[name]
    en, ru = notes(lecture), notes(REPO / "ru" / "notebooks" / lecture.name)
    prose = INLINE_CODE_OR_MATH.sub(" ", ru)
    named = [p for p in english[name].presets if emphasised(p, en)]
    assert named, f"{lecture.name} names none of the presets {english[name].presets}"
    for preset in named:
        label = translate(preset, "ru")
        assert emphasised(label, ru) >= emphasised(preset, en), \
            f"{lecture.name}: {preset!r} is not named {label!r} as the English names it ({emphasised(preset, en)})"
        if label != preset:
            assert not re.search(rf"(?<!\w){re.escape(preset)}(?!\w)", prose), \
                f"ru/notebooks/{lecture.name} still says {preset!r}, shown as {label!r}"


def test_a_russian_demo_reports_errors_in_russian(russian):
    demo = russian[0]["optimizers"]
    with pytest.raises(KeyError, match="неизвестный пресет 'nope'; пресеты этой демонстрации: .*'no decay'"):
        demo.preset("nope")
    with pytest.raises(ValueError, match=r"lr принимает только фиксированные значения от 0.001 до 1; 0.071"):
        demo.set(lr=0.071)
    with pytest.raises(ValueError, match=r"скорость обучения: значения от 0.001 до 1; 5 — вне"):
        DEMOS["optimizers"](lang="ru", lr=5)
    demo._clicked("nope")
    assert demo.message.value.startswith("<b>ошибка</b>: KeyError: ")
    demo.preset("no decay")


def test_russian_counts_agree_with_their_numbers(russian):
    demo = russian[0]["optimizers"]
    firsts = {n: demo.set(steps=n).text.splitlines()[0] for n in (1, 3, 5, 21)}
    assert firsts == {1: "f(θ) после 1 шага:", 3: "f(θ) после 3 шагов:", 5: "f(θ) после 5 шагов:",
                      21: "f(θ) после 21 шага:"}
    mlp = russian[0]["mlp"].preset("3 → 5 → 2 → 4")
    assert mlp.ax.get_title() == "3 → 5 → 2 → 4: 44 параметра"
    assert mlp.text.startswith("параметров = (3·5 + 5) + (5·2 + 2) + (2·4 + 4) = 44  (весов 33, смещений 11)")
    xor = russian[0]["xor"].preset("identity")
    assert xor.text.startswith("верных ответов 3/4 · выходы в точках (0,0), (0,1), (1,0), (1,1): "
                               "0.00, 1.00, 1.00, 2.00")


@pytest.mark.parametrize("name", DEMOS)
def test_an_english_demo_says_what_the_code_says(english, name):
    """lang="en" and no lang (this process is English) give the same texts and the same picture, and
    nothing in them is translated."""
    english, default = english[name], DEMOS[name]()
    english.set(**default.values)  # the module's demo, at its defaults again
    assert english.lang == "en" and default.lang == "en"
    buttons = [w for w in english.children[0].children if isinstance(w, widgets.Button)]
    assert [b.description for b in buttons] == english.presets
    assert [b.tooltip for b in buttons] == [f"set every control to the state {p!r}" for p in english.presets]
    for (state, texts), (_, again) in zip(every_state(english), every_state(default)):
        assert texts == again, f"{name}, {state}"
        assert not [t for _, t in texts if CYRILLIC.search(t)], f"{name}, {state}"
        assert bytes(english.image.value) == bytes(default.image.value), f"{name}, {state}: the picture"


def test_english_texts_are_the_ones_the_tests_and_notes_quote():
    assert DEMOS["xor"](lang="en").text == ("3/4 correct · outputs at (0,0), (0,1), (1,0), (1,1): 0.00, 1.00, 1.00, "
                                           "2.00 · class 1 when the output > 0.5")
    flow = DEMOS["gradient_flow"](lang="en").preset("healthy")
    assert flow.text == "ReLU: layer 1 0.0036 · layer 10 0.00797 · layer 1 / layer 10 = 0.452"
    assert flow.ax.get_title() == "mean |∂L/∂W| at each layer"
    mlp = DEMOS["mlp"](lang="en", sizes=(1, 1), bias=False)
    assert mlp.ax.get_title() == "1 → 1: 1 parameters", "English has one form, as before the catalogs"
    assert DEMOS["optimizers"](lang="en", steps=1).text.startswith("f(θ) after 1 steps:\n")
    bn = DEMOS["batchnorm"](lang="en", affine=False)
    assert bn.text.splitlines()[1:3] == ["parameters (0): none",
                                         "buffers (7): running_mean 3, running_var 3, num_batches_tracked 1"]
    assert [t.get_text() for t in bn.ax_counts.get_yticklabels()] == ["buffers", "params"]


def test_every_message_of_the_demos_is_translated():
    """dlcourse/locale/ru/lectures.po has every message the demos' code gives translate or ngettext,
    translated, with the English's placeholders."""
    assert [p for p in messages.problems(REPO, "ru") if "/lectures.po" in p] == []


def test_a_demo_in_a_russian_kernel_speaks_russian(tmp_path):
    """DLCOURSE_LANG=ru (what a kernel of the Russian edition finds in its notebook): no lang needed."""
    code = ("import json\n"
            "from dlcourse.lectures import saturation\n"
            "demo = saturation()\n"
            "print(json.dumps([demo.lang, demo.controls['function'].description,\n"
            "                  demo.children[0].children[1].description, demo.ax_f.get_title()]))\n")
    env = {**os.environ, "DLCOURSE_LANG": "ru"}
    env.pop("JPY_SESSION_NAME", None)
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.splitlines()[-1]) == ["ru", "функция", "линейный участок",
                                                         "tanh(z) и касательная в точке z"]
