"""Repository hygiene: private data is ignored, CI sets up as the README says."""
import re
import subprocess

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
