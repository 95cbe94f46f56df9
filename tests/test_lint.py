"""The code passes ruff (pinned in constraints.txt, rules in pyproject.toml): no unused or undefined
names, sorted imports, no blanket `noqa`."""
import subprocess
import sys
from pathlib import Path

from conftest import REPO

RUFF = Path(sys.executable).parent / "ruff"


def test_ruff_check_is_clean():
    run = subprocess.run([str(RUFF), "check", "--no-cache", "--output-format", "concise", "."], cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def test_ruff_finds_what_it_is_configured_to_find(tmp_path):
    (tmp_path / "bad.py").write_text("import os  # noqa\nimport sys\n")
    (tmp_path / "pyproject.toml").write_text((REPO / "pyproject.toml").read_text())
    run = subprocess.run([str(RUFF), "check", "--no-cache", "--output-format", "concise", "."], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1
    assert "PGH004" in run.stdout and "F401" in run.stdout  # the blanket noqa, and the unused sys
