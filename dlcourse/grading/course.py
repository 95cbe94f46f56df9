"""The course folder: its nbgrader configuration and API, its assignments and notebooks, the export.

The bottom layer of the grading package: it imports nothing else from it.
"""
import os
import subprocess
import sys
from pathlib import Path

import nbformat
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config import PyFileConfigLoader


def load_config(root):
    """The traitlets config of the course at `root` (its nbgrader_config.py)."""
    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def _venv_on_path():
    """nbgrader runs `alembic` from PATH when it creates a gradebook: put our venv's bin first."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def course_api(root):
    """An NbGraderAPI for the course folder `root`."""
    _venv_on_path()
    config = load_config(root)
    coursedir = CourseDirectory(config=config)
    coursedir.root = str(Path(root).resolve())
    return NbGraderAPI(coursedir=coursedir, config=config)


def assignments(root):
    """Assignment ids: the folders of source/, in order."""
    return sorted(p.name for p in (Path(root) / "source").iterdir() if p.is_dir() and not p.name.startswith("."))


def notebook_pair(root, aid):
    """(source, release) notebooks of assignment `aid`, by notebook file name."""
    src = {p.name: nbformat.read(p, as_version=4) for p in sorted((Path(root) / "source" / aid).glob("*.ipynb"))}
    rel = {p.name: nbformat.read(p, as_version=4) for p in sorted((Path(root) / "release" / aid).glob("*.ipynb"))}
    return src, rel


def export_csv(root, target):
    """Export the gradebook with nbgrader's own `export` app to the CSV file `target`."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "nbgrader", "export", f"--CsvExportPlugin.to={target}"],
                   cwd=root, check=True, capture_output=True, text=True)
    return target
