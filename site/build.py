"""Build the course website in each of its languages: the lectures with each demo's figures, the
student assignments, the manual from docs/, and how to start. `make site` runs it; the result is
site/_build/html/ (English) and site/_build/html/<lang>/ for each other language (ru/: Russian).

1. Pages in MyST Markdown are written to site/_build/src/<lang>/, from an edition's lectures and
   student notebooks (English: notebooks/ and release/; another language xx: xx/notebooks/, and a
   release nbgrader generates from xx/source/ into site/_build/courses/xx/, never source/ itself)
   and from docs/ (English only; other languages show it with a note), with one PNG per demo state
   (the default and each preset) drawn by the demo itself in that language, and a copy of each
   lecture and student notebook to download.
2. mystmd (`myst build --site`, pinned in constraints.txt) parses them: MyST, LaTeX (KaTeX),
   cross-references, into one JSON tree per page, one project per language. A local template keeps
   the build offline.
3. `render_site` writes one HTML page per tree, with the table of contents on every page, a link to
   the same page in each other language, and site/style.css and site/site.js inlined: a page
   fetches nothing but its own figures.

A language is an entry of LANGUAGES: the site's own words (titles, buttons, the start page) in it.
"""
import argparse
import html
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

SITE = Path(__file__).resolve().parent
REPO = SITE.parent
BUILD = SITE / "_build"
DOCS = REPO / "docs"
MANUAL_ORDER = ["students", "tas", "lecturers", "operators", "developers"]  # then any other page
FILES = ("figures", "downloads")  # folders of src/<lang>/ copied into the site as they are
DEMO = "dlcourse-demo"  # the language of the code block that stands for a demo (see demo_block)

ENGLISH_START = """# {title}

A course with executable homework: short lectures built around interactive demos, and seven
assignments in Jupyter notebooks whose answers are checked as you write them and graded with
nbgrader.

## How to start

On a Linux machine with Python 3.11 (no GPU needed), in a copy of the course repository:

```bash
make setup    # a virtual environment with the pinned packages, in .venv
make lab      # JupyterLab on the course
```

- **Lectures.** Open a notebook in `notebooks/`, run all cells, and use the demo: drag its sliders
  or press a preset. Each lecture ends with questions and the assignment tasks that grade its idea.
- **Assignments.** Open your copy from `release/` (or JupyterLab's *Assignments* tab), fill in every
  `YOUR CODE HERE` and `YOUR ANSWER HERE`, run the check cell after each answer, then
  *Kernel → Restart Kernel and Run All Cells…* and *Validate* before you submit. Hidden checks
  run at grading time on other inputs.

## Lectures

{lectures}

## Assignments

{assignments}

## Manual

How the course runs, one page per audience: grading, the sandbox, the demos, the tests.

{manual}
"""

RUSSIAN_START = """# {title}

Курс с исполняемыми домашними заданиями: короткие лекции вокруг интерактивных демонстраций и семь
заданий в ноутбуках Jupyter, ответы в которых проверяются по ходу работы, а оцениваются с помощью
nbgrader.

## С чего начать

На машине с Linux и Python 3.11 (GPU не нужен), в копии репозитория курса:

```bash
make setup    # виртуальное окружение с зафиксированными версиями пакетов, в .venv
make lab      # JupyterLab с курсом
```

- **Лекции.** Откройте ноутбук из `ru/notebooks/`, выполните все ячейки и поработайте с
  демонстрацией: двигайте ползунки или нажимайте пресеты. Каждая лекция заканчивается вопросами и
  задачами из заданий, которые проверяют её идею.
- **Задания.** Откройте свою копию задания (вкладка *Assignments* в JupyterLab), заполните каждое
  `YOUR CODE HERE` и `YOUR ANSWER HERE`, после каждого ответа запускайте ячейку проверки, а перед
  сдачей — *Kernel → Restart Kernel and Run All Cells…* и *Validate*. Скрытые проверки
  запускаются при оценивании, на других входных данных.

## Лекции

{lectures}

## Задания

{assignments}

## Руководство

Как устроен курс, по странице для каждой роли: оценивание, песочница, демонстрации, тесты.
Руководство пока есть только на английском языке.

{manual}
"""

#: The site's languages, English first: the edition's folder (None: the repository's own notebooks),
#: where its pages go in the site, and the site's own words. Another language: an edition in
#: <lang>/ (`python -m dlcourse translations build --lang <lang>`) and an entry here.
LANGUAGES = {
    "en": {
        "name": "English", "edition": None, "prefix": "",
        "title": "Deep learning with PyTorch", "contents": "Contents",
        "parts": ["Lectures", "Assignments", "Manual"],
        "answers": "Answers (try the questions first)",
        "lecture_intro": "*Download the notebook {link} and open it in JupyterLab to drag the demo's sliders; "
                         "here the preset buttons show the figures drawn when the site was built.*",
        "assignment_intro": "*The student version of `{aid}`: download {link}, open it in JupyterLab and work "
                            "there, where its checks run.*",
        "manual_note": None,
        "presets": "presets", "default": "default",
        "alt_default": "the {demo} demo in its default state", "alt_preset": "the {demo} demo, preset {preset!r}",
        "caption": "The demo in its default state; each button shows a preset as drawn when the site was built. "
                   "Open the notebook in JupyterLab to drag the sliders.",
        "start": ENGLISH_START,
    },
    "ru": {
        "name": "Русский", "edition": "ru", "prefix": "ru/",
        "title": "Глубокое обучение на PyTorch", "contents": "Содержание",
        "parts": ["Лекции", "Задания", "Руководство"],
        "answers": "Ответы (сначала попробуйте ответить сами)",
        "lecture_intro": "*Скачайте ноутбук {link} и откройте его в JupyterLab, чтобы двигать ползунки "
                         "демонстрации; здесь кнопки пресетов показывают рисунки, построенные при сборке сайта.*",
        "assignment_intro": "*Версия задания `{aid}` для студентов: скачайте {link}, откройте его в JupyterLab и "
                            "работайте там, где выполняются его проверки.*",
        "manual_note": "Руководство курса пока есть только на английском языке: ниже — его английский текст.",
        "presets": "пресеты", "default": "исходное",
        "alt_default": "демонстрация {demo} в исходном состоянии", "alt_preset": "демонстрация {demo}, пресет «{preset}»",
        "caption": "Демонстрация в исходном состоянии; каждая кнопка показывает пресет таким, каким он был "
                   "нарисован при сборке сайта. Откройте ноутбук в JupyterLab, чтобы двигать ползунки.",
        "start": RUSSIAN_START,
    },
}
TITLE = LANGUAGES["en"]["title"]


# ----- 1. MyST sources


def cell_markdown(cell, lang="en"):
    """A notebook cell as MyST: markdown as it is, code fenced, collapsed answers as a dropdown."""
    if cell.cell_type == "code":
        return f"```python\n{cell.source.rstrip()}\n```"
    if cell.metadata.get("jupyter", {}).get("source_hidden"):
        return f":::{{dropdown}} {LANGUAGES[lang]['answers']}\n{cell.source}\n:::"
    return cell.source


def demo_states(name, figures, stem, lang="en"):
    """The demo `name`, in language `lang`, in its default state and in each preset (read through the
    Demo API): one PNG each, written to `figures`, and one {"name", "src", "text"} each, `name` being
    the button's label (the demo's own, translated) and `text` the readout."""
    from dlcourse.i18n import translate
    from dlcourse.lectures import DEMOS
    demo = DEMOS[name](lang=lang)
    start = demo.values
    states = [(LANGUAGES[lang]["default"], bytes(demo.image.value), demo.text)]
    for preset in demo.presets:
        demo.set(**start).preset(preset)  # from the default state, as a reader who opens the notebook
        states.append((translate(preset, lang), bytes(demo.image.value), demo.text))
    found = []
    for i, (label, png, text) in enumerate(states):
        (figures / f"{stem}-{i}.png").write_bytes(png)
        found.append({"name": label, "src": f"figures/{stem}-{i}.png", "text": text})
    return found


def demo_block(name, states):
    """The demo as a code block of language DEMO holding JSON, which the Renderer turns into HTML."""
    return f"```{DEMO}\n{json.dumps({'demo': name, 'states': states}, ensure_ascii=False)}\n```"


def download(path, kind):
    """A page's link to its notebook, copied to downloads/<kind>/ by write_sources."""
    return f"[`{path.name}`](../downloads/{kind}/{path.name})"


def lecture_page(path, figures, lang="en"):
    """A lecture notebook as a page: its notebook to download, and under the demo's code the demo's
    figure and readout in the default state, with a button per preset that shows that preset's."""
    from dlcourse.lectures import DEMOS
    nb = nbformat.read(path, 4)
    parts = []
    for cell in nb.cells:
        parts.append(cell_markdown(cell, lang))
        if cell.cell_type == "code":
            name = next(n for n in DEMOS if f"demo = {n}()" in cell.source)
            parts.append(demo_block(name, demo_states(name, figures, path.stem, lang)))
    intro = LANGUAGES[lang]["lecture_intro"].format(link=download(path, "lectures"))
    return "\n\n".join([parts[0], intro, *parts[1:]]) + "\n"


def assignment_page(path, lang="en"):
    """A student notebook (a release) as a page: statements, code to complete, visible checks."""
    nb = nbformat.read(path, 4)
    intro = LANGUAGES[lang]["assignment_intro"].format(aid=path.parent.name, link=download(path, "assignments"))
    cells = [cell_markdown(c, lang) for c in nb.cells]
    return "\n\n".join([cells[0], intro, *cells[1:]]) + "\n"


def manual_page(path, markdown=None):
    """A page of the manual (docs/*.md, or `markdown` as if it were that page) as it is, its links
    to other pages made to work on the site.

    In docs/ a page links another as `tas.md` (or `docs/tas.md`, `../docs/tas.md`), with an anchor or
    without; on the site the pages sit side by side in manual/, so every such link becomes
    `tas.md`, which myst resolves to the page. A relative link to anything else in the repository
    has no page on the site: the build fails and says so rather than leave a dead link."""
    pages = {p.name for p in DOCS.glob("*.md")}

    def relink(match):
        text, target = match.group(1), match.group(2)
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            return match.group(0)  # a URL, or an anchor on this page
        file, _, anchor = target.partition("#")
        for base in (path.parent, REPO):  # relative to the page, or to the repository as README links
            linked = (base / file).resolve()
            if linked.parent == DOCS.resolve() and linked.name in pages:
                return f"[{text}]({linked.name}{'#' + anchor if anchor else ''})"
        raise SystemExit(f"docs/{path.name} links to {target!r}, which is not a page of docs/ and so not "
                         "on the site: link a docs/ page or a full URL")

    text = path.read_text() if markdown is None else markdown
    return re.sub(r"(?<!!)\[([^\]]*)\]\(([^)\s]+)\)", relink, text)


def manual_sources():
    """The pages of docs/ in the manual's order: students, TAs, lecturers, operators, developers."""
    rank = {stem: i for i, stem in enumerate(MANUAL_ORDER)}
    return sorted(DOCS.glob("*.md"), key=lambda p: (rank.get(p.stem, len(rank)), p.stem))


def start_page(lectures, assignments, manual, lang="en"):
    """The home page: what the course is and how to start."""
    links = lambda folder, pages: "\n".join(f"- [{title}]({folder}/{stem}.md)" for stem, title in pages)  # noqa: E731
    words = LANGUAGES[lang]
    return words["start"].format(title=words["title"], lectures=links("lectures", lectures),
                                 assignments=links("assignments", assignments), manual=links("manual", manual))


def title_of(markdown):
    return markdown.lstrip().splitlines()[0].lstrip("# ").strip()


def student_versions(source, course):
    """The student versions of an edition's assignments, from its source/ (solutions, hidden tests,
    rubrics): nbgrader generates them into the course folder `course` (release/), as
    `python -m dlcourse generate` makes the repository's release/, with a gradebook of its own there."""
    from dlcourse.grading import pipeline
    shutil.rmtree(course, ignore_errors=True)
    course.mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(source, course / "source")
    api = pipeline.course_api(course)
    api.coursedir.db_url = f"sqlite:///{course / 'gradebook.db'}"  # never the class's (DLCOURSE_DB_URL)
    pipeline.generate(api, pipeline.assignments(course))


def start_release(lang, courses):
    """Start making the student versions of language `lang`'s edition into courses/<lang>/, in a
    process of its own (nbgrader takes seconds, while this one draws the demos); None for English,
    whose release/ is in the repository."""
    folder = LANGUAGES[lang]["edition"]
    if folder is None:
        return None
    return courses / lang, subprocess.Popen(
        [sys.executable, str(SITE / "build.py"), "--student-versions", str(REPO / folder / "source"), str(courses / lang)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def edition(lang, release=None):
    """(lecture notebooks, a function that returns the student notebooks) of language `lang`: English
    from notebooks/ and release/; another from <edition>/notebooks/ and `release` (`start_release`),
    waiting for it to be made."""
    folder = LANGUAGES[lang]["edition"]
    if folder is None:
        return sorted((REPO / "notebooks").glob("*.ipynb")), lambda: sorted((REPO / "release").glob("*/*.ipynb"))

    def student_notebooks():
        course, process = release
        output, _ = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"nbgrader could not release {folder}/source:\n{output}")
        return sorted((course / "release").glob("*/*.ipynb"))
    return sorted((REPO / folder / "notebooks").glob("*.ipynb")), student_notebooks


def write_sources(src, lang, lectures_from, assignments_from):
    """Every page of language `lang` in MyST, from its lecture notebooks and its student notebooks
    (`assignments_from()`, called once the lectures are written: see `edition`), and the project
    file myst reads."""
    words = LANGUAGES[lang]
    shutil.rmtree(src, ignore_errors=True)
    for folder in ("lectures", "assignments", "manual", "figures", "downloads/lectures", "downloads/assignments"):
        (src / folder).mkdir(parents=True)
    lectures, assignments, manual = [], [], []
    for path in lectures_from:
        shutil.copy(path, src / "downloads" / "lectures" / path.name)
        page = lecture_page(path, src / "figures", lang)
        name = "lecture-" + path.stem.replace("_", "-")  # myst drops a leading number from a slug
        (src / "lectures" / f"{name}.md").write_text(page)
        lectures.append((name, title_of(page)))
    for path in assignments_from():
        shutil.copy(path, src / "downloads" / "assignments" / path.name)
        page = assignment_page(path, lang)
        name = "assignment-" + path.stem.replace("_", "-")
        (src / "assignments" / f"{name}.md").write_text(page)
        assignments.append((name, title_of(page)))
    for path in manual_sources():  # the manual is English; other languages say so (render_site)
        page = manual_page(path)
        (src / "manual" / path.name).write_text(page)
        manual.append((path.stem, title_of(page)))
    (src / "index.md").write_text(start_page(lectures, assignments, manual, lang))
    lecture_part, assignment_part, manual_part = (json.dumps(part, ensure_ascii=False) for part in words["parts"])
    toc = ["  toc:", "    - file: index.md", f"    - title: {lecture_part}", "      children:"]
    toc += [f"        - file: lectures/{stem}.md" for stem, _ in lectures]
    toc += [f"    - title: {assignment_part}", "      children:"]
    toc += [f"        - file: assignments/{stem}.md" for stem, _ in assignments]
    toc += [f"    - title: {manual_part}", "      children:"]
    toc += [f"        - file: manual/{stem}.md" for stem, _ in manual]
    (src / "myst.yml").write_text("\n".join([
        "version: 1", "project:", f"  title: {json.dumps(words['title'], ensure_ascii=False)}", "  numbering: false",
        *toc, "site:", f"  template: {SITE / 'template'}", ""]))


def start_myst(src):
    """Start `myst build --site` in `src` (it writes one JSON tree per page under src/_build/site/)."""
    myst = shutil.which("myst", path=str(Path(sys.executable).parent)) or shutil.which("myst")
    if myst is None:
        raise SystemExit("mystmd is not installed: run `make site` (it installs the pinned mystmd)")
    env = {**os.environ, "MYST_NO_UPDATE_CHECK": "1", "NO_UPDATE_NOTIFIER": "1"}
    return subprocess.Popen([myst, "build", "--site"], cwd=src, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish_myst(src, process):
    """Wait for the myst build started in `src`; its site folder, or the build stops with myst's output."""
    stdout, stderr = process.communicate()
    if process.returncode != 0 or "⛔️" in stdout + stderr:
        raise SystemExit(f"myst build failed in {src}:\n{stdout}\n{stderr}")
    return src / "_build" / "site"


# ----- 3. HTML


CSS = (SITE / "style.css").read_text()  # inlined in every page, as is the script
SCRIPT = (SITE / "site.js").read_text()


class UnknownNode(Exception):
    """A node type the renderer does not know: the build stops rather than drop its content."""


class Renderer:
    """MyST's JSON tree (mdast) to HTML, for the node types these pages use. Any other node type
    raises UnknownNode, so that a page using new syntax fails the build instead of losing text."""

    PASS_THROUGH = {"root", "block", "span"}  # containers with no markup of their own
    DROPPED = {"comment", "mystComment"}  # never shown

    def __init__(self, links, lang="en"):
        self.links = links  # myst's internal url -> our relative html path
        self.lang = lang  # the page's language (a demo's labels)

    def children(self, node):
        return "".join(self.node(c) for c in node.get("children", []))

    def node(self, n):
        t, kids = n["type"], lambda: self.children(n)
        esc = lambda s: html.escape(s, quote=True)  # noqa: E731
        simple = {"paragraph": "p", "emphasis": "em", "strong": "strong", "blockquote": "blockquote",
                  "listItem": "li", "tableRow": "tr", "caption": "figcaption", "underline": "u",
                  "subscript": "sub", "superscript": "sup", "delete": "del", "summary": "summary",
                  "container": "figure", "table": "table", "details": "details", "definitionList": "dl",
                  "definitionTerm": "dt", "definitionDescription": "dd", "admonition": "aside"}
        if t == "text":
            return esc(n["value"])
        if t in simple:
            return f"<{simple[t]}>{kids()}</{simple[t]}>"
        if t == "heading":
            return f'<h{n["depth"]} id="{esc(n.get("html_id", ""))}">{kids()}</h{n["depth"]}>'
        if t == "inlineCode":
            return f"<code>{esc(n['value'])}</code>"
        if t == "code" and n.get("lang") == DEMO:
            return demo_html(json.loads(n["value"]), self.lang)
        if t == "code":
            return f'<pre><code class="language-{esc(n.get("lang") or "")}">{esc(n["value"])}</code></pre>'
        if t in ("math", "inlineMath"):
            rendered = n.get("html") or esc(n["value"])
            return f'<div class="math-display">{rendered}</div>' if t == "math" else rendered
        if t == "list":
            tag = "ol" if n.get("ordered") else "ul"
            start = f' start="{n["start"]}"' if n.get("ordered") and n.get("start", 1) != 1 else ""
            return f"<{tag}{start}>{kids()}</{tag}>"
        if t == "link" and n.get("static") and "downloads/" in n.get("urlSource", ""):  # a file to download
            url = "downloads/" + n["urlSource"].split("downloads/", 1)[1]
            return f'<a href="{esc(url)}" download>{kids()}</a>'
        if t == "link":
            url = n.get("url", "")
            url = self.links.get(url.split("#")[0], url) + ("#" + url.split("#")[1] if "#" in url else "")
            return f'<a href="{esc(url)}">{kids()}</a>'
        if t == "crossReference":  # to a heading (or label): its page, if another, and its id there
            page = self.links.get(n["url"], n["url"]) if n.get("url") else ""
            target = n.get("html_id")
            if not target:
                raise UnknownNode(f"a reference to {n.get('identifier')!r} that myst did not resolve")
            return f'<a href="{esc(page)}#{esc(target)}">{kids()}</a>'
        if t == "image":
            return f'<img src="{esc(n["url"].lstrip("/"))}" alt="{esc(n.get("alt", ""))}">'
        if t == "tableCell":
            tag = "th" if n.get("header") else "td"
            return f"<{tag}>{kids()}</{tag}>"
        if t == "thematicBreak":
            return "<hr>"
        if t == "break":
            return "<br>"
        if t == "admonitionTitle":
            return f"<p><strong>{kids()}</strong></p>"
        if t == "html":
            return n["value"]
        if t in self.DROPPED:
            return ""
        if t in self.PASS_THROUGH:
            return kids()
        where = n.get("position", {}).get("start", {}).get("line", "?")
        raise UnknownNode(f"no HTML for a {t!r} node (source line {where}): add it to site/build.py's Renderer")


def demo_html(spec, lang="en"):
    """A demo's figure and readout in the default state, and a button per state (the default and each
    preset) that shows that state's (site.js). The buttons stay hidden where JavaScript does not run."""
    esc = lambda s: html.escape(s, quote=True)  # noqa: E731
    states, name, words = spec["states"], spec["demo"], LANGUAGES[lang]
    alt = [words["alt_default"].format(demo=name),
           *(words["alt_preset"].format(demo=name, preset=s["name"]) for s in states[1:])]
    buttons = "".join(
        f'<button type="button" aria-pressed="{str(i == 0).lower()}" data-src="{esc(s["src"])}" '
        f'data-alt="{esc(alt[i])}" data-text="{esc(s["text"])}">{esc(s["name"])}</button>'
        for i, s in enumerate(states))
    return (f'<figure class="demo"><div class="presets" role="group" aria-label="{esc(words["presets"])}" hidden>'
            f'<b>{esc(words["presets"])}</b>{buttons}</div><img src="{esc(states[0]["src"])}" alt="{esc(alt[0])}">'
            f'<pre class="readout">{esc(states[0]["text"])}</pre><figcaption>{esc(words["caption"])}</figcaption></figure>')


def page_html(title, body, nav, lang="en", switch=()):
    """A page: the language switch (a link to this page in each other language, `switch` holding
    (language, href) pairs) and the contents in <nav>, the page in <main>."""
    words = LANGUAGES[lang]
    alternates = "".join(f'<link rel="alternate" hreflang="{code}" href="{html.escape(href)}">' for code, href in switch)
    links = "".join(f'<a href="{html.escape(href)}" hreflang="{code}" lang="{code}">{LANGUAGES[code]["name"]}</a>'
                    for code, href in switch)
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)} · {html.escape(words['title'])}</title>{alternates}<style>{CSS}</style></head>"
            f'<body><nav><p class="languages">{links}</p><details open><summary>{words["contents"]}</summary>{nav}'
            f"</details></nav><main>{body}</main><script>{SCRIPT}</script></body></html>\n")


def read_project(content):
    """(myst's project, its pages (the start page first), slug -> the page's HTML file)."""
    project = json.loads((content / "config.json").read_text())["projects"][0]
    pages = [{"slug": project["index"], "title": project.get("title", TITLE), "level": 0}]
    pages += [p for p in project["pages"] if "slug" in p]
    href = {p["slug"]: ("index.html" if p is pages[0] else f"{p['slug']}.html") for p in pages}
    return project, pages, href


def render_site(content, out, lang="en", others=None):
    """One HTML file per page myst built for language `lang`, into `out` (the site's folder for that
    language), and the files pages refer to. `others`: language -> its myst site folder; every page
    links the same page in each of them, which must have it."""
    words, others = LANGUAGES[lang], others or {}
    project, pages, href = read_project(content)
    files = {code: set(read_project(folder)[2].values()) for code, folder in others.items() if code != lang}
    links = {f"/{slug}": path for slug, path in href.items()} | {"/": "index.html"}
    renderer = Renderer(links, lang)
    out.mkdir(parents=True, exist_ok=True)
    for f in (content / "public").glob("*"):
        if f.suffix != ".ipynb":  # (myst's copies of the downloads, which have their own folder)
            shutil.copy(f, out / f.name)
    for folder in FILES:  # content is src/<lang>/_build/site
        shutil.copytree(content.parents[1] / folder, out / folder)
    headings = [p for p in project["pages"] if "slug" not in p]
    assert [h["title"] for h in headings] == words["parts"], headings
    manual, part = set(), None  # the slugs of the manual's pages (after its heading)
    for p in project["pages"]:
        part = p["title"] if "slug" not in p else part
        if "slug" in p and part == words["parts"][2]:
            manual.add(p["slug"])
    english = ' lang="en"' if lang != "en" else ""
    for page in pages:
        tree = json.loads((content / "content" / f"{page['slug']}.json").read_text())
        title = tree["frontmatter"].get("title", page.get("title", ""))
        nav = [f'<a href="index.html"{" class=here" if page is pages[0] else ""}><b>{html.escape(words["title"])}</b></a>']
        for p in project["pages"]:
            if "slug" in p:
                here = " class=here" if p["slug"] == page["slug"] else ""
                nav.append(f'<a href="{href[p["slug"]]}"{here}{english if p["slug"] in manual else ""}>'
                           f'{html.escape(p["title"])}</a>')
            else:
                nav.append(f"<h2>{html.escape(p['title'])}</h2>")
        try:
            body = renderer.node(tree["mdast"])
        except UnknownNode as error:
            raise SystemExit(f"page {lang}/{page['slug']}: {error}") from None
        if page["slug"] in manual and words["manual_note"]:  # an English page on this language's site
            body = (f'<h1 lang="en">{html.escape(title)}</h1><p class="note">{html.escape(words["manual_note"])}</p>'
                    f'<div lang="en">{body}</div>')
        else:
            body = f"<h1>{html.escape(title)}</h1>" + body
        name, switch = href[page["slug"]], []
        for code, names in files.items():
            if name not in names:
                raise SystemExit(f"{name} has no {LANGUAGES[code]['name']} version: each language has the same pages")
            here = LANGUAGES[lang]["prefix"] + name
            switch.append((code, posixpath.relpath(LANGUAGES[code]["prefix"] + name, posixpath.dirname(here) or ".")))
        (out / name).write_text(page_html(title, body, "".join(nav), lang, switch))
    return [out / href[p["slug"]] for p in pages]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BUILD, help="build folder (default site/_build)")
    parser.add_argument("--student-versions", nargs=2, type=Path, metavar=("SOURCE", "COURSE"),
                        help=argparse.SUPPRESS)  # (start_release's process)
    args = parser.parse_args(argv)
    if args.student_versions:
        student_versions(*args.student_versions)
        return 0
    start = time.perf_counter()
    releases = {lang: start_release(lang, args.out / "courses") for lang in LANGUAGES}
    running = {}  # each language's myst runs while the next one's sources are written
    for lang in LANGUAGES:
        src = args.out / "src" / lang
        write_sources(src, lang, *edition(lang, releases[lang]))
        running[lang] = start_myst(src)
    contents = {lang: finish_myst(args.out / "src" / lang, process) for lang, process in running.items()}
    site = args.out / "html"
    shutil.rmtree(site, ignore_errors=True)
    pages = []
    for lang, content in contents.items():
        pages += render_site(content, site / LANGUAGES[lang]["prefix"], lang, contents)
    print(f"site: {len(pages)} pages in {site}, languages {', '.join(LANGUAGES)} ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
