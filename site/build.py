"""Build the course website: the lectures with each demo's figures, the student assignments from
release/, the manual from docs/, and how to start. `make site` runs it; the result is
site/_build/html/.

1. Pages in MyST Markdown are written to site/_build/src/ from notebooks/, release/ (never
   source/) and docs/, with one PNG per demo state (the default and each preset) drawn by the
   demo itself, and a copy of each lecture and student notebook to download.
2. mystmd (`myst build --site`, pinned in constraints.txt) parses them: MyST, LaTeX (KaTeX),
   cross-references, into one JSON tree per page. A local template keeps the build offline.
3. `render_site` writes one HTML page per tree, with the table of contents on every page and
   site/style.css and site/site.js inlined: a page fetches nothing but its own figures.
"""
import argparse
import html
import json
import os
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
TITLE = "Deep learning with PyTorch"
DOCS = REPO / "docs"
MANUAL_ORDER = ["students", "tas", "lecturers", "operators", "developers"]  # then any other page
FILES = ("figures", "downloads")  # folders of src/ copied into the site as they are
DEMO = "dlcourse-demo"  # the language of the code block that stands for a demo (see demo_block)


# ----- 1. MyST sources


def cell_markdown(cell):
    """A notebook cell as MyST: markdown as it is, code fenced, collapsed answers as a dropdown."""
    if cell.cell_type == "code":
        return f"```python\n{cell.source.rstrip()}\n```"
    if cell.metadata.get("jupyter", {}).get("source_hidden"):
        return f":::{{dropdown}} Answers (try the questions first)\n{cell.source}\n:::"
    return cell.source


def demo_states(name, figures, stem):
    """The demo `name` in its default state and in each preset (read through the Demo API): one PNG
    each, written to `figures`, and one {"name", "src", "text"} each, `text` being the readout."""
    from dlcourse.lectures import DEMOS
    demo = DEMOS[name]()
    start = demo.values
    states = [("default", bytes(demo.image.value), demo.text)]
    for preset in demo.presets:
        demo.set(**start).preset(preset)  # from the default state, as a reader who opens the notebook
        states.append((preset, bytes(demo.image.value), demo.text))
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


def lecture_page(path, figures):
    """A lecture notebook as a page: its notebook to download, and under the demo's code the demo's
    figure and readout in the default state, with a button per preset that shows that preset's."""
    from dlcourse.lectures import DEMOS
    nb = nbformat.read(path, 4)
    parts = []
    for cell in nb.cells:
        parts.append(cell_markdown(cell))
        if cell.cell_type == "code":
            name = next(n for n in DEMOS if f"demo = {n}()" in cell.source)
            parts.append(demo_block(name, demo_states(name, figures, path.stem)))
    intro = (f"*Download the notebook {download(path, 'lectures')} and open it in JupyterLab to drag the "
             "demo's sliders; here the preset buttons show the figures drawn when the site was built.*")
    return "\n\n".join([parts[0], intro, *parts[1:]]) + "\n"


def assignment_page(path):
    """A student notebook from release/ as a page: statements, code to complete, visible checks."""
    nb = nbformat.read(path, 4)
    intro = (f"*The student version of `{path.parent.name}`: download {download(path, 'assignments')}, "
             "open it in JupyterLab and work there, where its checks run.*")
    cells = [cell_markdown(c) for c in nb.cells]
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


def start_page(lectures, assignments, manual):
    """The home page: what the course is and how to start."""
    lecture_links = "\n".join(f"- [{title}](lectures/{stem}.md)" for stem, title in lectures)
    assignment_links = "\n".join(f"- [{title}](assignments/{stem}.md)" for stem, title in assignments)
    manual_links = "\n".join(f"- [{title}](manual/{stem}.md)" for stem, title in manual)
    return f"""# {TITLE}

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

{lecture_links}

## Assignments

{assignment_links}

## Manual

How the course runs, one page per audience: grading, the sandbox, the demos, the tests.

{manual_links}
"""


def title_of(markdown):
    return markdown.lstrip().splitlines()[0].lstrip("# ").strip()


def write_sources(src):
    """Every page in MyST and the project file myst reads; returns the table of contents."""
    shutil.rmtree(src, ignore_errors=True)
    for folder in ("lectures", "assignments", "manual", "figures", "downloads/lectures", "downloads/assignments"):
        (src / folder).mkdir(parents=True)
    lectures, assignments, manual = [], [], []
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        shutil.copy(path, src / "downloads" / "lectures" / path.name)
        page = lecture_page(path, src / "figures")
        name = "lecture-" + path.stem.replace("_", "-")  # myst drops a leading number from a slug
        (src / "lectures" / f"{name}.md").write_text(page)
        lectures.append((name, title_of(page)))
    for path in sorted((REPO / "release").glob("*/*.ipynb")):
        shutil.copy(path, src / "downloads" / "assignments" / path.name)
        page = assignment_page(path)
        name = "assignment-" + path.stem.replace("_", "-")
        (src / "assignments" / f"{name}.md").write_text(page)
        assignments.append((name, title_of(page)))
    for path in manual_sources():
        page = manual_page(path)
        (src / "manual" / path.name).write_text(page)
        manual.append((path.stem, title_of(page)))
    (src / "index.md").write_text(start_page(lectures, assignments, manual))
    toc = ["  toc:", "    - file: index.md", "    - title: Lectures", "      children:"]
    toc += [f"        - file: lectures/{stem}.md" for stem, _ in lectures]
    toc += ["    - title: Assignments", "      children:"]
    toc += [f"        - file: assignments/{stem}.md" for stem, _ in assignments]
    toc += ["    - title: Manual", "      children:"]
    toc += [f"        - file: manual/{stem}.md" for stem, _ in manual]
    (src / "myst.yml").write_text("\n".join([
        "version: 1", "project:", f"  title: {TITLE}", "  numbering: false", *toc,
        "site:", f"  template: {SITE / 'template'}", ""]))


def run_myst(src):
    """`myst build --site`: one JSON tree per page under src/_build/site/."""
    myst = shutil.which("myst", path=str(Path(sys.executable).parent)) or shutil.which("myst")
    if myst is None:
        raise SystemExit("mystmd is not installed: run `make site` (it installs the pinned mystmd)")
    env = {**os.environ, "MYST_NO_UPDATE_CHECK": "1", "NO_UPDATE_NOTIFIER": "1"}
    result = subprocess.run([myst, "build", "--site"], cwd=src, env=env, capture_output=True, text=True)
    if result.returncode != 0 or "⛔️" in result.stdout + result.stderr:
        raise SystemExit(f"myst build failed:\n{result.stdout}\n{result.stderr}")
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

    def __init__(self, links):
        self.links = links  # myst's internal url -> our relative html path

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
            return demo_html(json.loads(n["value"]))
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


def demo_html(spec):
    """A demo's figure and readout in the default state, and a button per state (the default and each
    preset) that shows that state's (site.js). The buttons stay hidden where JavaScript does not run."""
    esc = lambda s: html.escape(s, quote=True)  # noqa: E731
    states, name = spec["states"], spec["demo"]
    alt = [f"the {name} demo in its default state", *(f"the {name} demo, preset {s['name']!r}" for s in states[1:])]
    buttons = "".join(
        f'<button type="button" aria-pressed="{str(i == 0).lower()}" data-src="{esc(s["src"])}" '
        f'data-alt="{esc(alt[i])}" data-text="{esc(s["text"])}">{esc(s["name"])}</button>'
        for i, s in enumerate(states))
    return (f'<figure class="demo"><div class="presets" role="group" aria-label="presets" hidden><b>presets</b>'
            f'{buttons}</div><img src="{esc(states[0]["src"])}" alt="{esc(alt[0])}">'
            f'<pre class="readout">{esc(states[0]["text"])}</pre><figcaption>The demo in its default state; each '
            "button shows a preset as drawn when the site was built. Open the notebook in JupyterLab to drag the "
            "sliders.</figcaption></figure>")


def page_html(title, body, nav):
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)} · {TITLE}</title><style>{CSS}</style></head>"
            f"<body><nav><details open><summary>Contents</summary>{nav}</details></nav><main>{body}</main>"
            f"<script>{SCRIPT}</script></body></html>\n")


def render_site(content, out):
    """One HTML file per page myst built, and the files pages refer to."""
    config = json.loads((content / "config.json").read_text())
    project = config["projects"][0]
    pages = [{"slug": project["index"], "title": project.get("title", TITLE), "level": 0}]
    pages += [p for p in project["pages"] if "slug" in p]
    href = {p["slug"]: ("index.html" if p is pages[0] else f"{p['slug']}.html") for p in pages}
    links = {f"/{slug}": path for slug, path in href.items()} | {"/": "index.html"}
    renderer = Renderer(links)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for f in (content / "public").glob("*"):
        if f.suffix != ".ipynb":  # (myst's copies of the downloads, which have their own folder)
            shutil.copy(f, out / f.name)
    for folder in FILES:  # content is src/_build/site
        shutil.copytree(content.parents[1] / folder, out / folder)
    headings = [p for p in project["pages"] if "slug" not in p]
    for page in pages:
        tree = json.loads((content / "content" / f"{page['slug']}.json").read_text())
        title = tree["frontmatter"].get("title", page.get("title", ""))
        nav = [f'<a href="index.html"{" class=here" if page is pages[0] else ""}><b>{TITLE}</b></a>']
        for p in project["pages"]:
            if "slug" in p:
                here = " class=here" if p["slug"] == page["slug"] else ""
                nav.append(f'<a href="{href[p["slug"]]}"{here}>{html.escape(p["title"])}</a>')
            else:
                nav.append(f"<h2>{html.escape(p['title'])}</h2>")
        try:
            body = f"<h1>{html.escape(title)}</h1>" + renderer.node(tree["mdast"])
        except UnknownNode as error:
            raise SystemExit(f"page {page['slug']}: {error}") from None
        (out / href[page["slug"]]).write_text(page_html(title, body, "".join(nav)))
    assert [h["title"] for h in headings] == ["Lectures", "Assignments", "Manual"], headings
    return [out / href[p["slug"]] for p in pages]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BUILD, help="build folder (default site/_build)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    src = args.out / "src"
    write_sources(src)
    pages = render_site(run_myst(src), args.out / "html")
    print(f"site: {len(pages)} pages in {args.out / 'html'} ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
