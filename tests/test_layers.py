"""The grading package is layered, its imports pointing one way: the unit of grading at the bottom,
runners above it, the pipeline and the command line on top; reports read the gradebook only."""
import ast
from pathlib import Path

from conftest import REPO

GRADING = REPO / "dlcourse" / "grading"
LAYERS = [  # lowest first: a module may import only modules of its own layer or below
    {"course", "classroom", "integrity", "demonstrations", "warm", "feedback", "manual", "collect"},
    {"sandbox"},
    {"unit"},
    {"parallel", "cluster", "reports"},
    {"pipeline"},
]


def imports(path):
    """The modules of dlcourse.grading that `path` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dlcourse.grading."):
            found.add(node.module.split(".")[2])
    return found & {p.stem for p in GRADING.glob("*.py")}


GRAPH = {p.stem: imports(p) for p in GRADING.glob("*.py") if p.stem != "__init__"}


def test_every_module_has_a_layer():
    assert set(GRAPH) == set().union(*LAYERS)


def test_imports_point_down_the_layers_only():
    level = {m: i for i, layer in enumerate(LAYERS) for m in layer}
    upward = [(m, d) for m, deps in GRAPH.items() for d in deps if level[d] > level[m]]
    assert not upward, f"imports that point up a layer: {upward}"


def test_there_is_no_import_circle():
    def visit(module, path):
        for dep in GRAPH[module]:
            assert dep not in path, f"import circle: {' -> '.join([*path, dep])}"
            visit(dep, [*path, dep])
    for module in GRAPH:
        visit(module, [module])


def test_reports_and_runners_never_import_the_pipeline():
    for module in ("reports", "parallel", "cluster", "unit", "sandbox"):
        assert "pipeline" not in GRAPH[module], module
