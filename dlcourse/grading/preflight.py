"""Before nbgrader reads a submission: why it cannot be graded at all (a clear reason, not a traceback)."""
import json
from pathlib import Path


def preflight(folder, expected):
    """Why the submission in `folder` cannot be graded at all, or "" when it can.

    `expected` are the notebook file names of the assignment. Symbolic links are refused
    (nbgrader would copy what they point to, e.g. the solutions, into the student's folder).
    """
    import nbformat
    folder = Path(folder)
    if not folder.is_dir():
        return "nothing submitted"
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            return f"the submission contains a symbolic link ({path.relative_to(folder)}); it is not graded"
    present = sorted(p.name for p in folder.glob("*.ipynb"))
    missing = [n for n in expected if n not in present]
    if missing and len(missing) == len(expected):
        others = [n for n in present if n not in expected]
        if others:
            return (f"expected {', '.join(expected)} but found {', '.join(others)} (renamed?): "
                    f"rename it back and resubmit")
        return f"no notebook submitted (expected {', '.join(expected)})"
    for name in expected:
        path = folder / name
        if not path.exists():
            continue
        raw = path.read_bytes()
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            return f"{name} is not valid JSON ({str(exc)[:80]}): the file is damaged and cannot be graded"
        if not isinstance(data, dict) or "cells" not in data or "nbformat" not in data:
            return f"{name} is not a Jupyter notebook (valid JSON, but no cells): it cannot be graded"
        try:
            nbformat.reads(raw.decode(), as_version=4)
        except Exception as exc:
            return f"{name} is not a readable Jupyter notebook ({type(exc).__name__}): it cannot be graded"
    return ""
