"""Build the course website: the lectures with each demo's default figure, the student assignments
from release/, the manual from docs/, and how to start. `make site` runs it; the result is
site/_build/html/.

1. Pages in MyST Markdown are written to site/_build/src/ from notebooks/, release/ (never
   source/) and docs/, with one PNG per demo drawn by the demo itself.
2. mystmd (`myst build --site`, pinned in constraints.txt) parses them: MyST, LaTeX (KaTeX),
   cross-references, into one JSON tree per page. A local template keeps the build offline.
3. `render_site` writes one HTML page per tree, with the table of contents on every page.
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


# ----- 1. MyST sources


def cell_markdown(cell):
    """A notebook cell as MyST: markdown as it is, code fenced, collapsed answers as a dropdown."""
    if cell.cell_type == "code":
        return f"```python\n{cell.source.rstrip()}\n```"
    if cell.metadata.get("jupyter", {}).get("source_hidden"):
        return f":::{{dropdown}} Answers (try the questions first)\n{cell.source}\n:::"
    return cell.source


def lecture_page(path, figures):
    """A lecture notebook as a page, the demo's default figure under the demo's code."""
    from dlcourse.lectures import DEMOS
    nb = nbformat.read(path, 4)
    parts = []
    for cell in nb.cells:
        parts.append(cell_markdown(cell))
        if cell.cell_type == "code":
            name = next(n for n in DEMOS if f"demo = {n}()" in cell.source)
            png = figures / f"{path.stem}.png"
            png.write_bytes(bytes(DEMOS[name]().image.value))
            parts.append(f"```{{figure}} figures/{png.name}\n:alt: the {name} demo in its default state\n\n"
                         f"The demo in its default state. The site shows a picture; open the notebook "
                         f"in JupyterLab to drag the sliders and press the presets.\n```")
    return "\n\n".join(parts) + "\n"


def assignment_page(path):
    """A student notebook from release/ as a page: statements, code to complete, visible checks."""
    nb = nbformat.read(path, 4)
    intro = (f"*The student version of `{path.parent.name}`: download `release/{path.parent.name}/{path.name}` "
             "and work in JupyterLab; the checks run there.*")
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
  *Kernel → Restart & Run All* and *Validate* before you submit. Hidden checks run at grading
  time on other inputs.

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
    (src / "lectures" / "figures").mkdir(parents=True)
    (src / "assignments").mkdir()
    (src / "manual").mkdir()
    lectures, assignments, manual = [], [], []
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        page = lecture_page(path, src / "lectures" / "figures")
        name = "lecture-" + path.stem.replace("_", "-")  # myst drops a leading number from a slug
        (src / "lectures" / f"{name}.md").write_text(page)
        lectures.append((name, title_of(page)))
    for path in sorted((REPO / "release").glob("*/*.ipynb")):
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


CSS = """
body { margin: 0; font: 17px/1.55 system-ui, sans-serif; color: #1d2433; display: flex; }
nav { width: 17rem; flex: none; padding: 1.2rem; background: #f4f6f9; min-height: 100vh; box-sizing: border-box; }
nav a { display: block; padding: .15rem 0; color: #1d4f91; text-decoration: none; }
nav a.here { font-weight: 600; color: #111; }
nav h2 { font-size: .85rem; text-transform: uppercase; letter-spacing: .05em; color: #667; margin: 1.2rem 0 .3rem; }
main { max-width: 50rem; padding: 1.5rem 2.5rem 4rem; min-width: 0; }
pre { background: #f6f8fa; padding: .8rem 1rem; overflow-x: auto; border-radius: 4px; font-size: 14px; }
code { font-size: .92em; }
figure { margin: 1.5rem 0; } figure img { max-width: 100%; border: 1px solid #dde; }
figcaption { font-size: .9rem; color: #555; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccd; padding: .25rem .6rem; }
details { border: 1px solid #ccd; border-radius: 4px; padding: .4rem .8rem; margin: 1rem 0; }
summary { cursor: pointer; font-weight: 600; }
.katex-html { display: none; }
.math-display { overflow-x: auto; overflow-y: hidden; margin: 1rem 0; text-align: center; }
"""


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
        if t == "code":
            return f'<pre><code class="language-{esc(n.get("lang") or "")}">{esc(n["value"])}</code></pre>'
        if t in ("math", "inlineMath"):
            rendered = n.get("html") or esc(n["value"])
            return f'<div class="math-display">{rendered}</div>' if t == "math" else rendered
        if t == "list":
            tag = "ol" if n.get("ordered") else "ul"
            start = f' start="{n["start"]}"' if n.get("ordered") and n.get("start", 1) != 1 else ""
            return f"<{tag}{start}>{kids()}</{tag}>"
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


def page_html(title, body, nav):
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)} · {TITLE}</title><style>{CSS}</style></head>"
            f"<body><nav>{nav}</nav><main>{body}</main></body></html>\n")


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
        shutil.copy(f, out / f.name)
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
