"""The course website: `site/build.py` (what `make site` runs) builds it with mystmd; the build holds
no solution, no hidden test and no rubric; served from 127.0.0.1, every internal link resolves in
a real browser and every lecture shows its demo's figure."""
import html
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from conftest import REPO
from pgserver import free_port

LECTURES = sorted((REPO / "notebooks").glob("*.ipynb"))
ASSIGNMENTS = sorted((REPO / "release").glob("*/*.ipynb"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built into a temporary folder, as `make site` builds it into site/_build."""
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, str(REPO / "site" / "build.py"), "--out", str(out)],
                            capture_output=True, text=True, cwd=REPO, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "html"


def text_of(folder):
    """Every file of the built site as text, HTML entities decoded."""
    return {p.name: html.unescape(p.read_text(errors="replace")) for p in folder.rglob("*")
            if p.is_file() and p.suffix in {".html", ".md", ".json", ".txt", ".js", ".css"}}


def blocks(source, begin, end):
    """The lines between begin and end markers in every cell of a source notebook."""
    cells = json.loads(source.read_text())["cells"]
    found = []
    for cell in cells:
        inside = False
        for line in "".join(cell["source"]).splitlines():
            if begin in line:
                inside = True
            elif end in line:
                inside = False
            elif inside:
                found.append(line.strip())
    return found


def distinctive(lines, public):
    """Lines long enough to be telling that the student versions do not contain anyway."""
    return {line for line in lines if len(line) >= 20 and line not in public}


def test_site_has_every_lecture_and_assignment_page(site):
    names = {p.name for p in site.glob("*.html")}
    assert "index.html" in names
    assert len([n for n in names if n.startswith("lecture-")]) == len(LECTURES) == 9
    assert len([n for n in names if n.startswith("assignment-")]) == len(ASSIGNMENTS)
    start = (site / "index.html").read_text()
    assert "How to start" in start and "make lab" in start


def test_site_holds_no_solution_hidden_test_or_rubric(site):
    pages = text_of(site)
    everything = "\n".join(pages.values())
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "Rubric"):
        assert marker not in everything, f"{marker!r} in {[n for n, t in pages.items() if marker in t]}"
    checked = 0
    public = "\n".join("".join(c["source"]) for nb in [*ASSIGNMENTS, *LECTURES]
                       for c in json.loads(nb.read_text())["cells"])  # what students see anyway
    for source in sorted((REPO / "source").glob("*/*.ipynb")):
        secret = blocks(source, "BEGIN SOLUTION", "END SOLUTION") + blocks(source, "BEGIN HIDDEN TESTS",
                                                                           "END HIDDEN TESTS")
        for line in distinctive(secret, public):
            checked += 1
            assert line not in everything, f"{source.parent.name}: a reference line is on the site: {line!r}"
    assert checked > 100, "the scan compared the site with the reference solutions"


def test_the_scan_would_find_a_solution_that_leaked(site, tmp_path):
    source = REPO / "source" / "03_saturation" / "03_saturation.ipynb"
    release_text = (REPO / "release" / "03_saturation" / "03_saturation.ipynb").read_text()
    leaked = sorted(distinctive(blocks(source, "BEGIN SOLUTION", "END SOLUTION"), release_text))[0]
    (tmp_path / "page.html").write_text(f"<pre>{html.escape(leaked)}</pre>")
    assert leaked in "\n".join(text_of(tmp_path).values())


@pytest.fixture(scope="module")
def served(site):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_every_internal_link_resolves_in_the_browser(served, browser, site):
    page = browser.new_page()
    try:
        to_visit, visited, checked = [served], set(), {}
        while to_visit:
            url = to_visit.pop()
            if url in visited:
                continue
            visited.add(url)
            assert page.goto(url).status == 200, url
            targets = page.eval_on_selector_all("a[href], img[src]", "els => els.map(e => e.href || e.src)")
            for target in targets:
                absolute, fragment = urllib.parse.urldefrag(target)
                if not absolute.startswith(served):
                    continue
                checked.setdefault(absolute, status(absolute))
                assert checked[absolute] == 200, f"{url} links to {target}: {checked[absolute]}"
                if fragment and absolute == url:
                    assert page.locator(f"[id='{fragment}']").count() == 1, f"{url}: no #{fragment}"
                if absolute.endswith(".html") or absolute == served:
                    to_visit.append(absolute)
        reached = {u[len(served):] or "index.html" for u in visited}
        assert reached == {p.name for p in site.glob("*.html")}, "every page is reachable from the start page"
    finally:
        page.close()


def test_a_lecture_page_shows_its_demo_figure_and_collapsed_answers(served, browser):
    page = browser.new_page()
    try:
        page.goto(served)
        page.get_by_role("link", name=re.compile("Lecture 2")).first.click()
        page.wait_for_url(re.compile(r"lecture-02-gradient-flow\.html$"))
        figure = page.locator("main figure img")
        assert figure.count() == 1
        size = figure.evaluate("img => img.complete ? [img.naturalWidth, img.naturalHeight] : null")
        assert size == [768, 326], "the demo's default figure, 8 × 3.4 inches at 96 dpi"
        answers = page.locator("main details")
        assert answers.count() == 1 and not answers.evaluate("d => d.open"), "answers start collapsed"
        assert page.locator("main math").count() > 0, "formulas are typeset (MathML)"
    finally:
        page.close()
