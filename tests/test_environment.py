"""The environment files agree, the setup path is pinned, and JupyterLab has nbgrader's extensions."""
import re
import subprocess
import sys
import tomllib

import yaml
from conftest import REPO

BIN = REPO / ".venv" / "bin"


def _name(requirement):
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject():
    data = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return data["dependencies"] + data["optional-dependencies"]["test"]


def _conda():
    deps = yaml.safe_load((REPO / "environment.yml").read_text())["dependencies"]
    flat = [d for d in deps if isinstance(d, str)] + [p for d in deps if isinstance(d, dict) for p in d["pip"]]
    return [d for d in flat if not d.startswith(("python", "pip", "-e"))]


def test_environment_yml_and_pyproject_declare_the_same_packages():
    assert {_name(r) for r in _pyproject()} == {_name(r) for r in _conda()}


def test_torch_is_pinned_to_the_same_version_everywhere():
    pins = {r.replace(" ", "") for r in [*_pyproject(), *_conda()] if _name(r) == "torch"}
    constraint = [line for line in (REPO / "constraints.txt").read_text().splitlines() if _name(line) == "torch"]
    assert pins == {"torch==2.13.0"} and constraint == ["torch==2.13.0"]


def test_constraints_pin_every_dependency_exactly():
    lines = [line for line in (REPO / "constraints.txt").read_text().splitlines() if line and not line.startswith("#")]
    assert all("==" in line for line in lines)
    pinned = {_name(line) for line in lines}
    assert {_name(r) for r in _pyproject()} <= pinned


def test_installed_packages_match_the_constraints():
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
                            capture_output=True, text=True, check=True).stdout
    installed = {_name(line): line.split("==")[1].split("+")[0] for line in frozen.splitlines() if "==" in line}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        if "==" in line and _name(line) in installed:
            assert installed[_name(line)] == line.split("==")[1], line


def test_jupyterlab_has_nbgrader_extensions_enabled():
    lab = subprocess.run([str(BIN / "jupyter"), "labextension", "list"], capture_output=True, text=True)
    server = subprocess.run([str(BIN / "jupyter"), "server", "extension", "list"], capture_output=True, text=True)
    labtext, servertext = lab.stdout + lab.stderr, server.stdout + server.stderr
    assert re.search(r"@jupyter/nbgrader v[\d.]+ .*enabled.*OK", labtext)
    assert re.search(r"@jupyter-widgets/jupyterlab-manager v[\d.]+ .*enabled.*OK", labtext)
    for ext in ("formgrader", "assignment_list", "validate_assignment", "course_list"):
        assert re.search(rf"nbgrader\.server_extensions\.{ext} .*enabled", servertext), ext
