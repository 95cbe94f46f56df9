"""Repository hygiene: private data is ignored, CI sets up as the README says, the README is short and
its links and the manual's (docs/) point to files that exist."""
import re
import subprocess
import urllib.parse

import pytest
from conftest import REPO

PRIVATE = ["submitted/alice/01_tensors/01_tensors.ipynb", "autograded/alice/01_tensors/01_tensors.ipynb",
           "feedback/alice/01_tensors/01_tensors.html", "gradebook.db", "reports/grades.csv"]


def _git(*args):
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)


@pytest.mark.skipif(_git("rev-parse").returncode != 0, reason="not a git checkout")
@pytest.mark.parametrize("path", PRIVATE)
def test_student_work_and_grades_are_git_ignored(path):
    assert _git("check-ignore", "-q", "--no-index", path).returncode == 0, path


@pytest.mark.skipif(_git("rev-parse").returncode != 0, reason="not a git checkout")
def test_only_the_readme_of_autograded_is_tracked():
    assert _git("ls-files", "autograded").stdout.split() == ["autograded/README.md"]
    assert _git("check-ignore", "-q", "--no-index", "autograded/README.md").returncode != 0


def test_ci_runs_exactly_the_readme_commands():
    ci = (REPO / ".ci" / "run").read_text()
    readme = (REPO / "README.md").read_text()
    commands = [line.strip() for line in ci.splitlines() if line.strip().startswith("make ")]
    assert commands == ["make demo", "make test"]
    assert "    make demo" in readme and "    make test" in readme
    makefile = (REPO / "Makefile").read_text()
    packages = {w for found in re.findall(r"SYSTEM_PACKAGES\s*[:+]?=(.*)", makefile) for w in found.split()
                if re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", w)}
    assert {"bubblewrap", "chromium", "postgresql"} <= packages
    for package in packages:
        assert f"`{package}`" in readme, f"README names the system package {package}"


DOCS = sorted((REPO / "docs").glob("*.md"))
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def relative_links(markdown):
    """The targets of the Markdown links and images that point into the repository, anchors dropped;
    code (fenced blocks, indented blocks, inline spans) left out."""
    markdown = re.sub(r"^```.*?^```", "", markdown, flags=re.M | re.S)
    markdown = re.sub(r"^(?: {4}|\t).*$", "", markdown, flags=re.M)
    markdown = re.sub(r"`[^`\n]*`", "", markdown)
    targets = []
    for target in LINK.findall(markdown):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            continue  # a URL, or an anchor on the same page
        targets.append(target.split("#")[0])
    return targets


def test_relative_links_finds_links_and_skips_urls_anchors_and_code():
    text = ("[a](docs/tas.md#x) ![b](fig.png) [c](https://x.org) [d](#here) `[e](code.md)`\n\n"
            "    [f](indented.md)\n\n```\n[g](fenced.md)\n```\n[h](<spaced.md>)")
    assert relative_links(text) == ["docs/tas.md", "fig.png", "spaced.md"]


def test_readme_is_a_front_door_to_the_manual():
    readme = (REPO / "README.md").read_text()
    assert len(readme.splitlines()) <= 100, "README.md stays short: the manual lives in docs/"
    assert {p.name for p in DOCS} >= {"students.md", "tas.md", "lecturers.md", "operators.md", "developers.md"}
    for page in DOCS:
        assert f"(docs/{page.name})" in readme, f"README links docs/{page.name}"
        assert page.read_text().startswith("# "), f"docs/{page.name} starts with its title"


@pytest.mark.parametrize("page", [REPO / "README.md", *DOCS], ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_points_to_a_file_in_the_repository(page):
    for target in relative_links(page.read_text()):
        path = (page.parent / urllib.parse.unquote(target)).resolve()
        assert path.is_relative_to(REPO.resolve()), f"{page.name} links outside the repository: {target}"
        assert path.exists(), f"{page.relative_to(REPO)} links to {target}, which does not exist"
