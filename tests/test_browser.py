"""Lecture demos in a real browser: JupyterLab on 127.0.0.1, headless Chromium driven by Playwright.

One server, one page per notebook: the notebook is run (Run → Run All Cells) and must show its widget
with no error; then each preset button is pressed. The page must then show (a) the preset's values in
the controls, formatted as the browser formats them, (b) the readout the demo computes for the preset in
this test's own process, so no slider moved a value to a neighbouring step on its way through the
browser, and (c) in that readout, the numbers the lecture notes quote for the preset
(tests/lecture_quotes.py). A slider is then moved one step (the figure must change) and the preset
pressed again: the page must show the same numbers. A screenshot per preset goes to tests/artifacts/
(git-ignored). Also: one lecture shown as slides with the projector fonts, a preset pressed on the
demo's slide; `make lab` never asks about Jupyter news. Skipped only where /usr/bin/chromium is absent.
"""
import json
import re
from pathlib import Path

import ipywidgets as widgets
import pytest
import sliders
from labserver import IDLE, jupyter, lecture_lab, make_lab_command, run_all
from lecture_quotes import demo_of, notes, shown

from dlcourse.i18n import translate
from dlcourse.lectures import DEMOS

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
KERNEL_AND_WIDGET_TIMEOUT_MS = 120_000  # kernel start + import torch + first render, on a busy 2-core machine
QUIET_MS = 400  # a value the browser sent back would reach the kernel and the page well within this

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium: install Debian's chromium (apt-get install -y chromium) to run the browser test")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of notebooks/ (so nothing is saved into the repository)."""
    with lecture_lab(NOTEBOOKS, tmp_path_factory.mktemp("lab")) as server:
        yield server


def open_and_run(lab, browser, notebook, viewport=(1280, 1000)):
    """A page with `notebook` open and run; returns (page, the notebook panel). If the widget never
    shows, a screenshot of the page goes to tests/artifacts/ and the page is closed."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    try:
        run_all(page, lab, notebook, KERNEL_AND_WIDGET_TIMEOUT_MS)
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        panel.locator("img.widget-image").first.wait_for(state="visible", timeout=KERNEL_AND_WIDGET_TIMEOUT_MS)
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{Path(notebook).stem}-not-run.png"))
        page.close()
        raise
    return page, panel


def settle(page):
    """Wait until the kernel is idle and the page has not changed for QUIET_MS."""
    for _ in range(2):
        page.get_by_text(IDLE).wait_for(timeout=30_000)
        page.wait_for_timeout(QUIET_MS)


def shown_state(output):
    """What the page shows: the readout under the figure and each control's value, in order."""
    readout = output.locator(".widget-html pre").first.inner_text()
    controls = output.locator(".widget-readout, .widget-dropdown select, .widget-checkbox input")
    values = controls.evaluate_all(
        "els => els.map(e => e.tagName === 'SELECT' ? e.value : e.type === 'checkbox' ? String(e.checked)"
        " : e.textContent)")
    return readout, values


def expected_state(demo, preset):
    """What the page should show for `preset`, computed in this process."""
    demo.preset(preset)
    values = [str(v) if isinstance(c, (widgets.Dropdown, widgets.Checkbox)) else sliders.readout(c, v)
              for c, v in zip(demo.controls.values(), demo.values.values())]
    return demo.text, [v.replace("True", "true").replace("False", "false") for v in values]


def language_of(notebook):
    """The language of a notebook (a path) as its kernel finds it: its metadata's, else English."""
    return json.loads(notebook.read_text())["metadata"].get("language") or "en"


def press(page, output, label, expected_readout):
    """Press the preset button labelled `label` (the preset's name in the notebook's language) and wait
    until the page shows its readout and has settled."""
    output.locator("button.dlcourse-preset", has_text=re.compile(f"^{re.escape(label)}$")).click()
    try:  # the readout's <pre> is replaced at each update: look it up from its output each time
        page.wait_for_function("([out, text]) => out.querySelector('.widget-html pre')?.innerText === text",
                               arg=[output.element_handle(), expected_readout], timeout=30_000)
    except Exception:  # a timeout: say what the page shows instead
        assert output.locator(".widget-html pre").first.inner_text() == expected_readout, f"{label!r}: the readout"
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=output.locator("img.widget-image").element_handle())
    settle(page)


def nudge_a_slider(page, output):
    """Move the first slider one step (arrow keys on its handle) and wait for the figure."""
    image = output.locator("img.widget-image")
    before, slider = image.get_attribute("src"), output.locator(".widget-hslider").first
    readout = slider.locator(".widget-readout").inner_text()
    slider.locator(".noUi-handle").first.focus()
    page.keyboard.press("ArrowRight")
    if slider.locator(".widget-readout").inner_text() == readout:  # at the top of its range
        page.keyboard.press("ArrowLeft")
    page.wait_for_function("([img, old]) => img.src !== old", arg=[image.element_handle(), before], timeout=30_000)
    settle(page)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_preset_shows_its_values_and_the_numbers_the_notes_quote(lab, browser, notebook):
    demo, text = DEMOS[demo_of(notebook)](lang=language_of(notebook)), notes(notebook)
    page, panel = open_and_run(lab, browser, notebook.name)
    try:
        output = panel.locator(".jp-OutputArea-output").first
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for preset in demo.presets:
            expected = expected_state(demo, preset)
            label = translate(preset, demo.lang)  # what the button says
            press(page, output, label, expected[0])
            first = shown_state(output)
            output.screenshot(path=str(ARTIFACTS / f"preset-{notebook.stem}-{slug(preset)}.png"))
            assert first == expected, f"{preset!r}: the page shows {first}, the demo computes {expected}"
            for quote in shown(notebook.stem, preset, first[0]).values():
                assert quote in text, f"{preset!r}: the page shows {quote!r}, which the notes do not say"
            nudge_a_slider(page, output)
            assert shown_state(output) != first, "the slider changed the state"
            press(page, output, label, expected[0])
            assert shown_state(output) == first, f"{preset!r} shows other numbers the second time"
        shown_text = panel.inner_text()
        assert "Error displaying widget" not in shown_text and "Traceback" not in shown_text, shown_text[-2000:]
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"preset-{notebook.stem}-failed.png"))
        raise
    finally:
        page.close()
        lab.shut_down_kernels()


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "preset"


def test_the_browsers_number_formatting_is_what_the_tests_expect(browser):
    """toFixed and toPrecision, which the slider readouts use, against tests/sliders.py."""
    numbers = [0.05, 0.125, 1.005, 8.75e20, 1e-7, 0.0001234, 123456.0, 0.999, 2.5e-5, 1.0, 0.0]
    page = browser.new_page()
    try:
        js = page.evaluate("xs => xs.map(x => [x.toFixed(2), x.toFixed(4), x.toPrecision(3)])", numbers)
    finally:
        page.close()
    assert js == [[sliders.to_fixed(x, 2), sliders.to_fixed(x, 4), sliders.to_precision(x, 3)] for x in numbers]


NEWS = "official Jupyter news"


def test_make_lab_never_asks_about_jupyter_news(browser, tmp_path):
    """JupyterLab started as `make lab` starts it (its command, its config), with an empty home: no
    question about news covers the slides, and the course's defaults are the settings in force."""
    work = tmp_path / "work"
    work.mkdir()
    with jupyter("jupyterlab", work, tmp_path / "jupyter", env={"HOME": str(tmp_path)},
                 command=make_lab_command(REPO), timeout=90) as server:
        schema = server.call("/lab/api/settings/@jupyterlab/apputils-extension:notification")["schema"]
        defaults = {name: spec.get("default") for name, spec in schema["properties"].items()}
        assert defaults["fetchNews"] == "false" and defaults["checkForUpdates"] is False, defaults
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        try:
            page.goto(f"{server.url}/lab?reset&token={server.token}")
            page.locator(".jp-DirListing-content").wait_for(timeout=60_000)
            page.wait_for_timeout(3000)  # the question comes a moment after the page is ready
            assert page.get_by_text(NEWS).count() == 0, "JupyterLab asks about news"
        finally:
            page.close()


SLIDES_NOTEBOOK = "02_gradient_flow.ipynb"
PROJECTOR = REPO / "notebooks" / "projector" / "themes.jupyterlab-settings"
THEMES = "/lab/api/settings/@jupyterlab/apputils-extension:themes"


def put_settings(lab, path, raw):
    lab.call(path, method="PUT", body={"raw": raw})


def test_lecture_presents_as_slides_with_large_fonts_and_a_preset_changes_the_figure(lab, browser):
    """The notebook run, then shown as slides (jupyterlab-slideshow's deck, from the notebook's
    toolbar) starting at the demo's slide, with the projector fonts: the widget is live on its
    slide, and pressing a preset there changes the figure."""
    put_settings(lab, THEMES, PROJECTOR.read_text())
    page, panel = open_and_run(lab, browser, SLIDES_NOTEBOOK, viewport=(1280, 800))
    try:
        image = panel.locator("img.widget-image").first

        panel.locator(".jp-CodeCell .jp-InputPrompt").first.click()  # the deck starts at the active cell
        panel.locator("[data-command='deck:toggle']").click()
        demo_cell = panel.locator(".jp-CodeCell").first
        page.wait_for_function("cell => cell.classList.contains('jp-deck-mod-onscreen')",
                               arg=demo_cell.element_handle(), timeout=30_000)
        onscreen = panel.locator(".jp-Cell.jp-deck-mod-onscreen")
        assert onscreen.count() == 1, "the demo has a slide of its own"
        assert "jp-deck-mod-onscreen" not in (panel.locator(".jp-MarkdownCell").first.get_attribute("class") or "")
        button = demo_cell.locator("button.dlcourse-preset", has_text="vanishing")
        assert button.is_visible() and image.is_visible(), "the live widget is on the slide"
        text_size = page.evaluate("() => getComputedStyle(document.querySelector("
                                  "'.jp-RenderedMarkdown p') || document.body).fontSize")
        assert text_size == "24px", f"projector fonts apply ({text_size})"
        deck = panel.element_handle()
        assert page.evaluate("p => p.scrollWidth <= p.clientWidth", deck), "no horizontal scrollbar on the slide"

        before = image.get_attribute("src")
        button.click()
        page.wait_for_function("([img, old]) => img.src !== old && img.complete && img.naturalWidth > 0",
                               arg=[image.element_handle(), before], timeout=30_000)
        assert "Sigmoid: layer 1 2.4e-08" in demo_cell.inner_text(), "the preset's state is shown"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "slides-vanishing.png"))
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "slides-failed.png"))
        raise
    finally:
        page.keyboard.press("Escape")  # stop the deck: the extension remembers it in the user settings
        page.close()
        put_settings(lab, THEMES, "{}")
        lab.shut_down_kernels()
