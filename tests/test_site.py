"""The course website: `site/build.py` (what `make site` runs) builds it with mystmd, in English and
under ru/ in Russian (the Russian lectures, and student versions nbgrader makes from ru/source); the
build holds no solution, no hidden test and no rubric in either language, its downloads included;
every page of the manual (docs/) is on it, on the Russian site with a note that it is in English;
served from 127.0.0.1, every internal link resolves in a real browser, anchors included, and every
page's language switch leads to the same page in the other language and back; every lecture shows
its demo's figure and a button per preset, in its language; each lecture and assignment page links
its notebook; on a phone the page fits the screen, on a laptop the contents sit beside the text."""
import html
import importlib.util
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import nbformat
import pytest
from conftest import REPO
from pgserver import free_port

from dlcourse.i18n import translate
from dlcourse.lectures import DEMOS

LECTURES = sorted((REPO / "notebooks").glob("*.ipynb"))
ASSIGNMENTS = sorted((REPO / "release").glob("*/*.ipynb"))
MANUAL = sorted((REPO / "docs").glob("*.md"))
RU_LECTURES = sorted((REPO / "ru" / "notebooks").glob("*.ipynb"))
RU_SOURCES = sorted((REPO / "ru" / "source").glob("*/*.ipynb"))
CYRILLIC = re.compile("[а-яё]", re.I)


def load_build():
    """site/build.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("site_build", REPO / "site" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LANGUAGES = load_build().LANGUAGES


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built into a temporary folder, as `make site` builds it into site/_build."""
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, str(REPO / "site" / "build.py"), "--out", str(out)],
                            capture_output=True, text=True, cwd=REPO, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "html"


def text_of(folder):
    """Every file of the built site as text, HTML entities decoded, by its path in the site (each
    language's pages have the same names); a notebook as its cells' sources."""
    found = {p.relative_to(folder).as_posix(): html.unescape(p.read_text(errors="replace")) for p in folder.rglob("*")
             if p.is_file() and p.suffix in {".html", ".md", ".json", ".txt", ".js", ".css"}}
    for path in folder.rglob("*.ipynb"):
        found[path.relative_to(folder).as_posix()] = "\n".join(c.source for c in nbformat.read(path, 4).cells)
    return found


def pages_of(site):
    """Every HTML page of the site, by its path in it (ru/… for the Russian pages)."""
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


def outside(source, *pairs):
    """The lines of a source notebook outside every begin/end block of `pairs` (what its student
    version keeps)."""
    kept = []
    for cell in json.loads(source.read_text())["cells"]:
        inside = False
        for line in "".join(cell["source"]).splitlines():
            if any(begin in line for begin, _ in pairs):
                inside = True
            elif any(end in line for _, end in pairs):
                inside = False
            elif not inside:
                kept.append(line)
    return kept


def prose(page):
    """The text of a page's paragraphs, headings and list items (no code, no formulas)."""
    main = page.split("<main>", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<(pre|math|code)\b.*?</\1>", " ", main, flags=re.S)
    main = re.sub(r'<span class="katex.*?</annotation>', " ", main, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def cyrillic_share(text):
    letters = re.findall(r"[^\W\d_]", text)
    return len(CYRILLIC.findall(text)) / max(len(letters), 1)


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


def test_the_russian_site_has_every_lecture_and_assignment_in_russian(site):
    english = {n for n in pages_of(site) if "/" not in n}
    russian = {n.removeprefix("ru/") for n in pages_of(site) if n.startswith("ru/")}
    assert russian == english and len(RU_LECTURES) == len(LECTURES) and len(RU_SOURCES) == len(ASSIGNMENTS)
    start = (site / "ru" / "index.html").read_text()
    assert '<html lang="ru">' in start and "С чего начать" in start and "make lab" in start
    assert cyrillic_share(prose(start)) > 0.8, "the Russian start page is in Russian"
    for name in sorted(russian):
        page = (site / "ru" / name).read_text()
        assert page.startswith('<!DOCTYPE html>\n<html lang="ru">'), name
        assert "<summary>Содержание</summary>" in page and "<h2>Лекции</h2>" in page, f"{name}: the chrome in Russian"
        if not name.startswith(("lecture-", "assignment-")):
            continue
        title = re.search(r"<h1>(.*?)</h1>", page).group(1)
        assert title.startswith(("Лекция ", "Домашнее задание ")), f"ru/{name} is titled {title!r}"
        assert title != re.search(r"<h1>(.*?)</h1>", (site / name).read_text()).group(1)
        text = prose(page)
        assert cyrillic_share(text) > 0.8, f"ru/{name}: {cyrillic_share(text):.0%} of its prose is Russian"
        assert "скачайте" in text.lower(), f"ru/{name}: the link to its notebook is introduced in Russian"
        if name.startswith("lecture-"):
            assert "<summary>Ответы (сначала попробуйте ответить сами)</summary>" in page, name
            assert "<b>пресеты</b>" in page and ">исходное</button>" in page, name


def indented_code_blocks(markdown):
    """How many indented code blocks a page has (a blank line inside one does not end it)."""
    count, inside, previous_blank = 0, False, True
    for line in markdown.splitlines():
        if line.startswith("    ") and (inside or previous_blank):
            count += not inside
            inside = True
        elif line.strip():
            inside = False
        previous_blank = not line.strip()
    return count


def test_every_manual_page_is_on_the_site_with_its_title(site):
    assert len(MANUAL) >= 5 and {"students", "tas", "lecturers", "operators", "developers"} <= {
        p.stem for p in MANUAL}
    start = (site / "index.html").read_text()
    main = start.split("<main>", 1)[1]
    assert "<h2" in main and ">Manual</h2>" in main, "the start page has a Manual section"
    for doc in MANUAL:
        title = doc.read_text().splitlines()[0].removeprefix("# ").strip()
        page = site / f"{doc.stem}.html"
        assert page.exists(), f"docs/{doc.name} is not on the site"
        text = page.read_text()
        assert f"<h1>{html.escape(title)}</h1>" in text, f"{page.name} is titled {title!r}"
        assert "<nav>" in text and "<h2>Manual</h2>" in text, "the manual is a part of the table of contents"
        assert f'href="{doc.stem}.html"' in main, f"the start page links {doc.stem}.html"
        body, source = html.unescape(text.split("<main>", 1)[1]), doc.read_text()
        body = body.replace("’", "'").replace("“", '"').replace("”", '"')  # myst's typographic quotes
        for heading in re.findall(r"^#{2,6} (.+)$", source, re.M):
            assert heading in body, f"{page.name} lost the section {heading!r}"
        tables = len(re.findall(r"^\| ?-{3}", source, re.M))
        assert body.count("<table>") == tables, f"{page.name}: {tables} tables in docs/{doc.name}"
        assert body.count("<pre>") == indented_code_blocks(source), f"{page.name}: code blocks"
        mirror = (site / "ru" / f"{doc.stem}.html").read_text()  # in English, saying so in Russian
        assert f'<h1 lang="en">{html.escape(title)}</h1><p class="note">' in mirror, f"ru/{doc.stem}.html"
        assert "только на английском" in mirror and '<div lang="en">' in mirror, f"ru/{doc.stem}.html"
        assert html.unescape(mirror.split("<main>", 1)[1]).count("<table>") == tables, f"ru/{doc.stem}.html"
    russian = (site / "ru" / "index.html").read_text().split("<main>", 1)[1]
    assert ">Руководство</h2>" in russian and "только на английском" in russian
    assert all(f'href="{doc.stem}.html"' in russian for doc in MANUAL), "the Russian start page links the manual"


def test_manual_links_become_site_links_and_others_fail_the_build():
    build = load_build()
    page = build.DOCS / "students.md"
    markdown = ("[a](tas.md) [b](tas.md#grading) [c](docs/tas.md) [d](../docs/operators.md#warm-kernels) "
                "[e](#here) [f](https://nbgrader.readthedocs.io)")
    assert build.manual_page(page, markdown) == (
        "[a](tas.md) [b](tas.md#grading) [c](tas.md) [d](operators.md#warm-kernels) "
        "[e](#here) [f](https://nbgrader.readthedocs.io)")
    for target in ("../README.md", "../tests/test_site.py", "missing.md"):
        with pytest.raises(SystemExit, match="not a page of docs/"):
            build.manual_page(page, f"[x]({target})")


def test_the_renderer_refuses_a_node_type_it_does_not_know():
    build = load_build()
    renderer = build.Renderer({})
    tree = {"type": "root", "children": [{"type": "paragraph", "children": [{"type": "text", "value": "a < b"}]}]}
    assert renderer.node(tree) == "<p>a &lt; b</p>"
    unknown = {"type": "root", "children": [{"type": "footnoteReference", "position": {"start": {"line": 7}}}]}
    with pytest.raises(build.UnknownNode, match="'footnoteReference' node .*line 7"):
        renderer.node(unknown)
    unresolved = {"type": "crossReference", "identifier": "nowhere", "children": []}
    with pytest.raises(build.UnknownNode, match="did not resolve"):
        renderer.node(unresolved)


SECRET = (("BEGIN SOLUTION", "END SOLUTION"), ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))


def test_site_holds_no_solution_hidden_test_or_rubric(site):
    """Both languages: no marker, and no line of a reference solution or hidden test of source/ or
    ru/source/ that the student versions do not hold anyway."""
    pages = text_of(site)
    notebooks = [name for name in pages if name.endswith(".ipynb")]
    assert len(notebooks) == 2 * (len(ASSIGNMENTS) + len(LECTURES)), notebooks
    assert len([n for n in notebooks if n.startswith("ru/")]) == len(RU_SOURCES) + len(RU_LECTURES)
    everything = "\n".join(pages.values())
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "Rubric", "Критерии оценивания"):
        assert marker not in everything, f"{marker!r} in {[n for n, t in pages.items() if marker in t]}"
    checked, russian = 0, 0
    public = "\n".join(["".join(c["source"]) for nb in [*ASSIGNMENTS, *LECTURES, *RU_LECTURES]
                        for c in json.loads(nb.read_text())["cells"]]  # what students see anyway
                       + [line for source in RU_SOURCES for line in outside(source, *SECRET)])
    for source in [*sorted((REPO / "source").glob("*/*.ipynb")), *RU_SOURCES]:
        secret = [line for begin, end in SECRET for line in blocks(source, begin, end)]
        for line in distinctive(secret, public):
            checked += 1
            russian += bool(CYRILLIC.search(line))
            assert line not in everything, f"{source.parent.name}: a reference line is on the site: {line!r}"
    assert checked > 200, "the scan compared the site with the reference solutions"
    assert russian > 50, "the scan compared the Russian site with the Russian reference answers"


def test_the_scan_would_find_a_solution_that_leaked(site, tmp_path):
    source = REPO / "source" / "03_saturation" / "03_saturation.ipynb"
    release_text = (REPO / "release" / "03_saturation" / "03_saturation.ipynb").read_text()
    leaked = sorted(distinctive(blocks(source, "BEGIN SOLUTION", "END SOLUTION"), release_text))[0]
    (tmp_path / "page.html").write_text(f"<pre>{html.escape(leaked)}</pre>")
    assert leaked in "\n".join(text_of(tmp_path).values())
    nb = nbformat.read(REPO / "release" / "03_saturation" / "03_saturation.ipynb", 4)
    nb.cells[-1].source += "\n" + leaked  # in a notebook to download, where JSON escapes its quotes
    (tmp_path / "downloads").mkdir()
    nbformat.write(nb, tmp_path / "downloads" / "03_saturation.ipynb")
    assert leaked in text_of(tmp_path)["downloads/03_saturation.ipynb"]
    russian = REPO / "ru" / "source" / "03_saturation" / "03_saturation.ipynb"  # in a Russian page of that name
    leaked = sorted(line for line in distinctive(blocks(russian, "BEGIN SOLUTION", "END SOLUTION"), release_text)
                    if CYRILLIC.search(line))[0]
    (tmp_path / "ru").mkdir()
    (tmp_path / "ru" / "page.html").write_text(f"<p>{html.escape(leaked)}</p>")
    found = text_of(tmp_path)
    assert leaked in found["ru/page.html"] and leaked not in found["page.html"]


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
        to_visit, visited, checked, anchors = [served], set(), {}, []
        while to_visit:
            url = to_visit.pop()
            if url in visited:
                continue
            visited.add(url)
            assert page.goto(url).status == 200, url
            empty = page.eval_on_selector_all("a", "els => els.filter(e => !e.getAttribute('href')).length")
            assert empty == 0, f"{url}: {empty} links without a target"
            targets = page.eval_on_selector_all("a[href], img[src]", "els => els.map(e => e.href || e.src)")
            for target in targets:
                absolute, fragment = urllib.parse.urldefrag(target)
                if not absolute.startswith(served):
                    continue
                checked.setdefault(absolute, status(absolute))
                assert checked[absolute] == 200, f"{url} links to {target}: {checked[absolute]}"
                if fragment and absolute == url:
                    assert page.locator(f"[id='{fragment}']").count() == 1, f"{url}: no #{fragment}"
                elif fragment:
                    anchors.append((url, absolute, fragment))
                if absolute.endswith(".html") or absolute == served:
                    to_visit.append(absolute)
        for url, absolute, fragment in anchors:  # an anchor on another page: that page has the id
            assert page.goto(absolute).status == 200, absolute
            assert page.locator(f"[id='{fragment}']").count() == 1, f"{url} links to {absolute}#{fragment}: no such id"
        reached = {u[len(served):] or "index.html" for u in visited}
        assert reached == pages_of(site), "every page of both languages is reachable from the start page"
        assert {f"{doc.stem}.html" for doc in MANUAL} <= reached, "the walk covers the manual"
        assert {f"ru/{doc.stem}.html" for doc in MANUAL} <= reached, "and the Russian site's"
    finally:
        page.close()


def test_the_russian_site_links_only_itself_but_for_the_language_switch(site):
    for name in sorted(n for n in pages_of(site) if n.startswith("ru/")):
        body = (site / name).read_text().split("<body>", 1)[1]
        switch = re.search(r'<p class="languages">(.*?)</p>', body).group(1)
        assert switch == f'<a href="../{name[3:]}" hreflang="en" lang="en">English</a>', name
        targets = re.findall(r'(?:href|src)="([^"#]+)', body.replace(switch, ""))
        assert all(not t.startswith(("../", "/")) for t in targets), f"{name} leaves the Russian site: {targets}"


def test_every_page_switches_to_the_same_page_in_the_other_language_and_back(served, browser, site):
    """Each page's switch, clicked, opens its twin in the other language; the twin's own switch is
    clicked in its turn, which leads back."""
    page = browser.new_page()
    try:
        for name in sorted(pages_of(site)):
            lang, other = ("ru", "en") if name.startswith("ru/") else ("en", "ru")
            twin = name[3:] if lang == "ru" else f"ru/{name}"
            page.goto(served + name)
            assert page.evaluate("document.documentElement.lang") == lang, name
            link = page.locator(f"nav .languages a[hreflang={other}]")
            assert link.count() == 1 and link.inner_text() == LANGUAGES[other]["name"], name
            link.click()
            page.wait_for_url(served + twin)
            assert page.evaluate("document.documentElement.lang") == other, twin
            assert twin in pages_of(site), f"{name} switches to {twin}, which the site has not"
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


# ---- downloads, presets, phones ---------------------------------------------------------------

def notebook_linked(served, site, name):
    """The notebook a page links to download, as the browser would fetch it."""
    links = re.findall(r'<a href="([^"]+\.ipynb)" download>', (site / name).read_text())
    assert len(links) == 1, f"{name} links {links}"
    url = urllib.parse.urljoin(served + name, links[0])
    with urllib.request.urlopen(url, timeout=10) as response:
        downloaded = nbformat.reads(response.read().decode(), as_version=4)
    nbformat.validate(downloaded)
    return downloaded


def test_each_lecture_and_assignment_page_links_its_notebook(served, site):
    pages = {**{f"lecture-{p.stem.replace('_', '-')}.html": p for p in LECTURES},
             **{f"ru/lecture-{p.stem.replace('_', '-')}.html": p for p in RU_LECTURES},
             **{f"assignment-{p.stem.replace('_', '-')}.html": p for p in ASSIGNMENTS}}
    for name, repo_file in pages.items():
        downloaded = notebook_linked(served, site, name)
        assert downloaded.cells == nbformat.read(repo_file, 4).cells, f"{name}'s notebook is not {repo_file}"


def test_each_russian_assignment_page_links_a_russian_student_version(served, site):
    """The student version of ru/source: the English release's cells, grade ids and code, in Russian."""
    for english in ASSIGNMENTS:
        name = f"ru/assignment-{english.stem.replace('_', '-')}.html"
        russian, release = notebook_linked(served, site, name), nbformat.read(english, 4)
        assert russian.metadata.get("language") == "ru", name
        assert len(russian.cells) == len(release.cells), name
        for ours, theirs in zip(russian.cells, release.cells):
            assert ours.cell_type == theirs.cell_type, name
            assert ours.metadata.get("nbgrader") is None or (
                {k: v for k, v in ours.metadata.nbgrader.items() if k != "checksum"}
                == {k: v for k, v in theirs.metadata.nbgrader.items() if k != "checksum"}), (name, ours.source[:80])
            if ours.cell_type == "code":
                assert ours.source == theirs.source, (name, ours.source[:80])
        text = "\n".join(c.source for c in russian.cells if c.cell_type == "markdown")
        assert cyrillic_share(text) > 0.5 and "YOUR ANSWER HERE" in text, name


def demo_of(lecture):
    """The demo a lecture notebook makes (`demo = name()` in its code)."""
    code = "\n".join(c.source for c in nbformat.read(lecture, 4).cells if c.cell_type == "code")
    return next(name for name in DEMOS if f"demo = {name}()" in code)


def expected_states(name, lang="en"):
    """(button label, readout, PNG) of the demo's default state and of each preset, from the Demo API,
    in language `lang`: the labels are the demo's own buttons', the default's the site's word."""
    demo = DEMOS[name](lang=lang)
    start = demo.values
    states = [(LANGUAGES[lang]["default"], demo.text, bytes(demo.image.value))]
    for preset in demo.presets:
        demo.set(**start).preset(preset)
        states.append((translate(preset, lang), demo.text, bytes(demo.image.value)))
    return states


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_each_preset_button_shows_that_presets_figure_and_readout(served, browser, lang):
    page = browser.new_page()
    try:
        for lecture in LECTURES:
            page.goto(served + LANGUAGES[lang]["prefix"] + f"lecture-{lecture.stem.replace('_', '-')}.html")
            states = expected_states(demo_of(lecture), lang)
            buttons = page.locator("main figure.demo .presets button")
            assert buttons.all_inner_texts() == [label for label, _, _ in states], lecture.name
            image, readout = page.locator("main figure.demo img"), page.locator("main figure.demo .readout")
            for i in [*range(1, len(states)), 0]:  # every preset, then back to the default
                label, text, png = states[i]
                buttons.nth(i).click()
                assert readout.text_content() == text, (lecture.name, label)
                src = image.evaluate("img => img.src")
                with urllib.request.urlopen(src, timeout=10) as response:
                    assert response.read() == png, (lecture.name, label, src)
                assert buttons.nth(i).get_attribute("aria-pressed") == "true"
    finally:
        page.close()


def test_without_javascript_a_lecture_shows_the_default_figure_and_no_dead_buttons(served, browser, site):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served + "lecture-02-gradient-flow.html")
        first = page.locator("main img").first
        assert first.get_attribute("src") == "figures/02_gradient_flow-0.png"
        assert first.evaluate("img => img.complete && img.naturalWidth > 0")
        assert not page.locator("main .presets").is_visible()
        assert page.locator("main .readout").text_content() == expected_states("gradient_flow")[0][1]
    finally:
        context.close()


def test_on_a_phone_the_page_fits_and_on_a_laptop_the_contents_sit_beside_the_text(served, browser, site):
    (REPO / "tests" / "artifacts").mkdir(exist_ok=True)
    for width, height in ((390, 844), (1400, 900)):
        page = browser.new_page(viewport={"width": width, "height": height})
        try:
            for name in sorted(pages_of(site)):
                page.goto(served + name)
                layout = page.evaluate("""() => {
                    const nav = document.querySelector('nav').getBoundingClientRect();
                    const main = document.querySelector('main').getBoundingClientRect();
                    const text = document.querySelector('main p').getBoundingClientRect();
                    return {scroll: document.scrollingElement.scrollWidth, text: text.width,
                            nav: [nav.left, nav.right, nav.top, nav.bottom], main: [main.left, main.top]};
                }""")
                assert layout["scroll"] <= width, f"{name} at {width} px: {layout}"
                if width == 390:
                    assert layout["text"] >= 300, f"{name}: the text column is {layout['text']} px"
                    assert layout["nav"][3] <= layout["main"][1], f"{name}: the contents sit above the text"
                else:
                    assert layout["nav"][1] <= layout["main"][0] and layout["nav"][2] == layout["main"][1], name
                    assert 500 <= layout["text"] <= 900, f"{name}: a readable column, not {layout['text']} px"
                if name == "lecture-02-gradient-flow.html":
                    page.screenshot(path=str(REPO / "tests" / "artifacts" / f"site-{width}.png"))
            if width == 390:
                folded = page.locator("nav details")
                assert not folded.evaluate("d => d.open"), "on a phone the contents start folded"
                assert page.locator("nav .languages a").is_visible(), "the language switch is not folded away"
                folded.locator("summary").click()
                assert page.locator("nav a.here").is_visible()
        finally:
            page.close()
