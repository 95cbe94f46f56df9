"""Made-up student submissions, built from an assignment's release and source notebooks.

A submission is the release notebook with some answer cells filled in; ``as_graded`` is what autograde
then runs. Notebooks may be nbformat's or plain JSON (gpu-check, on a bare machine). Variants:
- ``reference``: every answer cell holds the instructor's solution;
- ``untouched``: the release copy as a student receives it;
- ``hostile``: every name an answer cell defines is an object that claims to equal anything;
- named variants from ``tests/submissions/<assignment>.py``: the reference with some cells
  replaced (a correct solution written differently, a plausible mistake).
"""
import ast
import copy
import importlib.util
import re
from pathlib import Path

from .cells import grade_id, is_answer, is_graded, nbgrader, source
from .names import parse

_SOLUTION = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)

HOSTILE_PRELUDE = '''\
class _ClaimsEqual:
    """Equal to everything, callable, indexable, iterable: tries to fool naive checks."""
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __lt__ = __le__ = __gt__ = __ge__ = __eq__
    def __hash__(self): return 0
    def __call__(self, *args, **kwargs): return self
    def __getattr__(self, name): return self
    def __getitem__(self, key): return self
    def __iter__(self): return iter([self, self, self])
    def __len__(self): return 3
    def __bool__(self): return True
'''


def test_points(nb):
    """Map grade id → points of the autograded test cells (graded code cells) of a notebook."""
    return {grade_id(c): nbgrader(c)["points"] for c in nb["cells"] if c["cell_type"] == "code" and is_graded(c)}


def solutions(source_nb):
    """Map grade id → the instructor's answer, solution delimiters removed."""
    return {grade_id(c): _SOLUTION.sub("", source(c)) for c in source_nb["cells"] if is_answer(c)}


def fill(release_nb, answers):
    """A copy of `release_nb` with the answer cells named in `answers` replaced."""
    nb = copy.deepcopy(release_nb)
    for cell in nb["cells"]:
        if is_answer(cell) and grade_id(cell) in answers:
            cell["source"] = answers[grade_id(cell)]
    return nb


def defined_names(src):
    """Top-level names an answer cell defines (functions, classes, assigned variables)."""
    names = []
    for node in parse(src).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return names


def hostile_answers(source_nb):
    """Answers that bind every defined name to an object claiming to equal anything."""
    answers = {}
    for gid, src in solutions(source_nb).items():
        if is_code_cell(source_nb, gid):
            lines = [f"{name} = _ClaimsEqual()" for name in defined_names(src)]
            answers[gid] = HOSTILE_PRELUDE + "\n".join(lines)
    return answers


def is_code_cell(nb, gid):
    """True when the cell `gid` of `nb` is a code cell."""
    return any(grade_id(c) == gid and c["cell_type"] == "code" for c in nb["cells"])


def load_variants(submissions_dir, assignment):
    """The named variants of `tests/submissions/<assignment>.py`: name → {"cells", "loses"}."""
    path = Path(submissions_dir) / f"{assignment}.py"
    if not path.exists():
        return {}
    spec = importlib.util.spec_from_file_location(f"submissions_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.VARIANTS


def build(source_nb, release_nb, variant, cells=None):
    """The notebook a student of kind `variant` submits; `cells` overrides reference answers."""
    if variant == "untouched":
        return copy.deepcopy(release_nb)
    if variant == "hostile":
        return fill(release_nb, hostile_answers(source_nb))
    return fill(release_nb, {**solutions(source_nb), **(cells or {})})


def as_graded(source_nb, submission):
    """What autograde runs for `submission`: the instructor's notebook (hidden tests included), its
    answer cells replaced by the submission's (nbgrader's OverwriteCells puts back everything else)."""
    return fill(source_nb, {grade_id(c): source(c) for c in submission["cells"] if is_answer(c)})


def write_submission(root, student, assignment, notebooks):
    """Place notebooks (name → NotebookNode or raw text) under submitted/<student>/<assignment>/."""
    import nbformat  # here only: gpu-check uses this module on machines without the Jupyter stack
    folder = Path(root) / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    for name, nb in notebooks.items():
        target = folder / name
        if isinstance(nb, str):
            target.write_text(nb)
        else:
            nbformat.write(nb, target)
    (folder / "timestamp.txt").write_text("2026-11-24 09:00:00.000000 UTC")
    return folder
