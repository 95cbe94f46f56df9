"""No page of ours waits on the network: a student's feedback, nbgrader's formgrader and the course
site show their content within 2 s in Chromium where every request to a host other than 127.0.0.1
is left hanging, as behind a firewall that drops packets instead of refusing them, and none of them
asks such a host for anything. The feedback's error line wraps on a phone and on a laptop.

A small course is graded once (one student, a typical mistake whose CheckError message is long),
its feedback generated, and nbgrader's formgrader started on it as tests/test_formgrader.py does.
"""
import os
import subprocess
import sys
import urllib.parse

import pytest
from conftest import REPO, SUBMISSIONS
from labserver import jupyter
from playwright.sync_api import expect
from test_parallel import AID, small_course
from test_site import served, site  # noqa: F401  (the built site, served from 127.0.0.1)

from dlcourse.grading import pipeline
from dlcourse.notebook import variants as made_up

MISTAKE = "mistake_reshape_floor"  # its CheckError message is a line of over 100 characters
SHOWN_WITHIN_MS = 2_000
ARTIFACTS = REPO / "tests" / "artifacts"


def _cli(root, *args):
    run = subprocess.run([sys.executable, "-m", *args], cwd=root, capture_output=True, text=True, timeout=900,
                         env={k: v for k, v in os.environ.items() if k != "DLCOURSE_DB_URL"})
    assert run.returncode == 0, f"{' '.join(args)}:\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """01_tensors graded for ada, who made a typical mistake; her feedback generated."""
    root = small_course(tmp_path_factory.mktemp("offline"))
    pipeline.submit_variant(root, AID, "ada", MISTAKE, made_up.load_variants(SUBMISSIONS, AID))
    _cli(root, "dlcourse", "grade", AID)
    _cli(root, "nbgrader", "generate_feedback", AID, "--student=ada", "--force")
    return root


@pytest.fixture(scope="module")
def formgrader(graded, tmp_path_factory):
    home = tmp_path_factory.mktemp("offline-home")
    with jupyter("jupyter_server", graded, home, env={"HOME": str(home), "DLCOURSE_DB_URL": None},
                 ready="/formgrader/api/status") as server:
        yield server


def _local(url):
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in {"file", "data", "about", "blob"} or parts.hostname == "127.0.0.1"


@pytest.fixture
def page(browser):
    """A page on which every request to another host hangs, never answered; `page.outside` lists them."""
    page = browser.new_page()
    page.outside = []
    page.on("request", lambda request: None if _local(request.url) else page.outside.append(request.url))

    def firewall(route):
        if _local(route.request.url):
            route.continue_()
        # else: neither answered nor refused, as a firewall that drops the packets

    page.route("**/*", firewall)
    try:
        yield page
    finally:
        page.unroute_all(behavior="ignoreErrors")
        page.close()


def _shown_at_once(page, url, content):
    """Open `url` and require `content` (a locator on the page) visible within SHOWN_WITHIN_MS."""
    page.goto(url, wait_until="commit")
    expect(content(page)).to_be_visible(timeout=SHOWN_WITHIN_MS)


def _feedback(graded):
    return (graded / "feedback" / "ada" / AID / f"{AID}.html").as_uri()


def test_the_firewall_would_catch_a_page_that_waits_on_a_cdn(page, tmp_path):
    (tmp_path / "cdn.html").write_text('<html><head><script src="https://cdnjs.cloudflare.com/x.js"></script>'
                                       "</head><body><h1>Hello</h1></body></html>")
    with pytest.raises(AssertionError):
        _shown_at_once(page, (tmp_path / "cdn.html").as_uri(), lambda p: p.get_by_role("heading", name="Hello"))
    assert page.outside == ["https://cdnjs.cloudflare.com/x.js"]


def test_feedback_shows_at_once_and_asks_no_other_host(graded, page):
    _shown_at_once(page, _feedback(graded), lambda p: p.locator("h4", has_text=f"{AID} (Score:"))
    expect(page.get_by_text("CheckError: reshape_result(")).to_be_visible(timeout=SHOWN_WITHIN_MS)
    assert page.locator("math").count() >= 5, "the math is MathML, drawn without a script"
    page.wait_for_load_state("load")
    assert page.outside == []


@pytest.mark.parametrize("width", [390, 1400])
def test_a_long_error_line_in_feedback_wraps_inside_its_box(graded, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(_feedback(graded))
    error = page.locator("div.output_stderr pre", has_text="CheckError:")
    assert len(error.inner_text().strip()) > 100  # wider than the box on a phone, unless it wraps
    box = error.evaluate("""e => {
        const style = getComputedStyle(e), rect = e.getBoundingClientRect();
        const text = e.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
        return {scroll: e.scrollWidth, client: e.clientWidth, right: rect.right,
                lines: Math.round(text / parseFloat(style.lineHeight))};
    }""")
    assert box["scroll"] <= box["client"], f"cut off: {box}"
    assert box["right"] <= width, f"the box itself is inside the window: {box}"
    assert box["lines"] >= 2 if width == 390 else box["lines"] >= 1, f"on a phone the line wraps: {box}"
    code = page.locator("div.input_area pre").evaluate_all("els => els.filter(e => e.scrollWidth > e.clientWidth)")
    assert code == [], "long lines of code wrap too"
    ARTIFACTS.mkdir(exist_ok=True)
    error.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"feedback-error-{width}.png"))


def test_the_formgrader_shows_a_submission_at_once_and_its_script_works(graded, formgrader, page):
    sub = next(s for s in formgrader.call(f"/formgrader/api/submitted_notebooks/{AID}/{AID}")
               if s["student"] == "ada")
    url = f"{formgrader.url}/formgrader/submissions/{sub['id']}/?token={formgrader.token}"
    _shown_at_once(page, url, lambda p: p.locator(".panel-title", has_text=AID))
    expect(page.locator(".text_cell_render").first).to_be_visible(timeout=SHOWN_WITHIN_MS)
    # formgrade.js waits for MathJax's start-up before it selects the first score; without the stand-in
    # for MathJax it stops half-way and the keyboard shortcuts never come
    page.wait_for_function("() => window.formgrader && window.formgrader.loaded", timeout=30_000)
    assert page.locator("math").count() >= 5
    assert page.outside == []


def test_the_formgrader_lists_assignments_at_once(graded, formgrader, page):
    url = f"{formgrader.url}/formgrader/manage_assignments?token={formgrader.token}"
    _shown_at_once(page, url, lambda p: p.get_by_role("heading", name="Manage Assignments"))
    expect(page.locator("td", has_text=AID).first).to_be_visible(timeout=30_000)
    assert page.outside == []


@pytest.mark.parametrize("name", ["index.html", "lecture-02-gradient-flow.html", "assignment-01-tensors.html",
                                  "tas.html"])
def test_site_pages_show_at_once_and_ask_no_other_host(served, page, name):  # noqa: F811
    _shown_at_once(page, served + name, lambda p: p.locator("main h1"))
    page.wait_for_load_state("load")
    assert page.locator("main img").evaluate_all("els => els.filter(i => !i.complete).length") == 0
    assert page.outside == []
