"""Before nbgrader reads a submission: why it cannot be graded at all (a clear reason, not a traceback)."""
import json
from pathlib import Path

from ..i18n import ENGLISH, translate


def preflight(folder, expected):
    """Why the submission in `folder` cannot be graded at all, or "" when it can.

    `expected` are the notebook file names of the assignment. Symbolic links are refused
    (nbgrader would copy what they point to, e.g. the solutions, into the student's folder).
    The reason is in English (a record, translated where it is shown).
    """
    import nbformat
    folder = Path(folder)
    if not folder.is_dir():
        return translate("nothing submitted", ENGLISH)
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            return translate(f"the submission contains a symbolic link ({path.relative_to(folder)}); it is not "
                             "graded", ENGLISH)
    present = sorted(p.name for p in folder.glob("*.ipynb"))
    missing = [n for n in expected if n not in present]
    if missing and len(missing) == len(expected):
        others = [n for n in present if n not in expected]
        if others:
            return translate(f"expected {', '.join(expected)} but found {', '.join(others)} (renamed?): "
                             "rename it back and resubmit", ENGLISH)
        return translate(f"no notebook submitted (expected {', '.join(expected)})", ENGLISH)
    for name in expected:
        path = folder / name
        if not path.exists():
            continue
        raw = path.read_bytes()
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            return translate(f"{name} is not valid JSON ({str(exc)[:80]}): the file is damaged and cannot be "
                             "graded", ENGLISH)
        if not isinstance(data, dict) or "cells" not in data or "nbformat" not in data:
            return translate(f"{name} is not a Jupyter notebook (valid JSON, but no cells): it cannot be graded",
                             ENGLISH)
        try:
            nbformat.reads(raw.decode(), as_version=4)
        except Exception as exc:
            return translate(f"{name} is not a readable Jupyter notebook ({type(exc).__name__}): it cannot be "
                             "graded", ENGLISH)
    return ""
