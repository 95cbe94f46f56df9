"""Lecture demos in a real browser: JupyterLab on 127.0.0.1, headless Chromium driven by Playwright.

One server and one browser for all nine notebooks. Each notebook is opened, run with
Run → Run All Cells, and must show its widget (controls and the figure, no "Error displaying
widget"); then one slider is dragged and the figure must change. A screenshot of every demo is
saved under tests/artifacts/ (git-ignored). One lecture is also shown as slides with the
projector fonts, and a preset pressed on the demo's slide must change the figure. Skipped only
where /usr/bin/chromium is absent.
"""
from pathlib import Path

import pytest
from labserver import lecture_lab

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium: install Debian's chromium (apt-get install -y chromium) to run the browser test")

KERNEL_AND_WIDGET_TIMEOUT_MS = 120_000  # kernel start + import torch + first render, on a busy 2-core machine


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of notebooks/ (so nothing is saved into the repository)."""
    with lecture_lab(NOTEBOOKS, tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_demo_renders_and_answers_a_slider_in_jupyterlab(lab, browser, notebook):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        page.goto(f"{lab.url}/lab/tree/{notebook.name}?reset&token={lab.token}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
        # Run All Cells does nothing until the notebook is connected to its kernel
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=KERNEL_AND_WIDGET_TIMEOUT_MS)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

        output = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output").first
        image = output.locator("img.widget-image")
        image.wait_for(state="visible", timeout=KERNEL_AND_WIDGET_TIMEOUT_MS)
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        text = page.locator(".jp-NotebookPanel").inner_text()
        assert "Error displaying widget" not in text and "Traceback" not in text, text[-2000:]
        assert output.locator(".widget-slider, .widget-hslider").count() >= 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        before = image.get_attribute("src")

        slider = output.locator(".widget-hslider").first
        readout = slider.locator(".widget-readout")
        value_before = readout.inner_text()
        handle = slider.locator(".noUi-handle").first
        handle.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        if readout.inner_text() == value_before:  # at the top of its range: go the other way
            for _ in range(6):
                page.keyboard.press("ArrowLeft")
        assert readout.inner_text() != value_before, "the slider moved"
        page.wait_for_function("([img, old]) => img.src !== old && img.complete && img.naturalWidth > 0",
                               arg=[image.element_handle(), before], timeout=30_000)
        page.wait_for_timeout(300)  # let the last of the key presses land before the screenshot
        output.screenshot(path=str(ARTIFACTS / f"{notebook.stem}.png"))
        assert "Error displaying widget" not in page.locator(".jp-NotebookPanel").inner_text()
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{notebook.stem}-failed.png"))
        raise
    finally:
        page.close()
        lab.shut_down_kernels()



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
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(f"{lab.url}/lab/tree/{SLIDES_NOTEBOOK}?reset&token={lab.token}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=KERNEL_AND_WIDGET_TIMEOUT_MS)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        image = panel.locator("img.widget-image").first
        image.wait_for(state="visible", timeout=KERNEL_AND_WIDGET_TIMEOUT_MS)

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
