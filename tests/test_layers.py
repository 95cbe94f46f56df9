"""The package is layered, its imports pointing one way, across every module of dlcourse.

Lowest first: the student-side runtime (what kernels import), then notebooks read without running
and OS isolation, then grading (bottom to top), then the tools, then the command line. A module
may import modules of its own layer or below, at the top or inside a function."""
import ast
import sys

from conftest import REPO

PACKAGE = REPO / "dlcourse"
LAYERS = [
    {"i18n", "device", "plots", "checks", "checklog", "properties", "rules"},
    {"lectures.*", "notebook.*", "isolation.*"},
    {"grading", "grading.course", "grading.guard", "grading.scan", "grading.preflight", "grading.restore",
     "grading.metadata", "grading.deadlines", "grading.feedback", "grading.reference", "grading.manual", "grading.collect", "grading.roster",
     "grading.exchange", "grading.finals", "grading.similarity"},
    {"grading.execute"},
    {"grading.config"},
    {"grading.unit"},
    {"grading.parallel", "grading.cluster", "grading.reports"},
    {"grading.pipeline"},
    {"tools.*", "hub.*", "lms.*"},
    {"__main__"},
]
RUNTIME = LAYERS[0]


def name_of(path):
    """`grading/unit.py` -> grading.unit; a package's __init__ -> the package."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {name_of(p): p for p in PACKAGE.rglob("*.py") if name_of(p)}


def imports(name):
    """(dlcourse modules, other top-level packages) that module `name` imports anywhere in it."""
    path = MODULES[name]
    package = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
    ours, others = set(), set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            found = {f"{target}.{a.name}".strip(".") for a in node.names} if not node.module else set()
            ours |= {m for m in found if m in MODULES} or {target}
        elif isinstance(node, ast.ImportFrom) and node.module.split(".")[0] == "dlcourse":
            ours.add(node.module.removeprefix("dlcourse").strip("."))
        elif isinstance(node, ast.ImportFrom):
            others.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "dlcourse":
                    ours.add(alias.name.removeprefix("dlcourse").strip("."))
                else:
                    others.add(alias.name.split(".")[0])
    return {m for m in ours if m and m != name}, others


def layer_of(name):
    for level, layer in enumerate(LAYERS):
        if name in layer or any(p.endswith(".*") and (name + ".").startswith(p[:-1]) for p in layer):
            return level
    return None


GRAPH = {name: imports(name)[0] for name in MODULES}


def test_every_module_has_a_layer_and_imports_only_modules_that_exist():
    assert [m for m in MODULES if layer_of(m) is None] == []
    assert {m for deps in GRAPH.values() for m in deps} <= set(MODULES)


def test_imports_point_down_the_layers_only():
    upward = [(m, d) for m, deps in GRAPH.items() for d in deps if layer_of(d) > layer_of(m)]
    assert not upward, f"imports that point up a layer: {upward}"


def test_there_is_no_import_circle():
    def visit(module, path):
        for dep in GRAPH[module]:
            assert dep not in path, f"import circle: {' -> '.join([*path, dep])}"
            visit(dep, [*path, dep])
    for module in GRAPH:
        visit(module, [module])


def test_the_student_runtime_imports_nothing_of_the_tools_or_grading():
    for module in RUNTIME:
        assert GRAPH[module] <= RUNTIME, (module, GRAPH[module] - RUNTIME)


def test_isolation_knows_nothing_of_nbgrader_and_notebooks_need_no_jupyter_stack_at_import():
    for module in [m for m in MODULES if m.startswith("isolation")]:
        assert not {"nbgrader", "nbconvert", "nbclient"} & imports(module)[1], module
    for module in [m for m in MODULES if m.startswith("notebook")]:  # gpu-check reads notebooks on a bare machine
        tree = ast.parse(MODULES[module].read_text())
        top = {a.name.split(".")[0] for n in tree.body if isinstance(n, ast.Import) for a in n.names}
        top |= {n.module.split(".")[0] for n in tree.body if isinstance(n, ast.ImportFrom) and not n.level}
        assert top <= set(sys.stdlib_module_names), (module, top - set(sys.stdlib_module_names))


def test_reports_and_runners_never_import_the_pipeline():
    for module in ("grading.reports", "grading.parallel", "grading.cluster", "grading.unit", "grading.execute"):
        assert "grading.pipeline" not in GRAPH[module], module


def test_no_module_is_longer_than_400_lines_unless_its_docstring_says_why():
    long = [name for name, path in MODULES.items() if len(path.read_text().splitlines()) > 400
            and "long" not in (ast.get_docstring(ast.parse(path.read_text())) or "").lower()]
    assert long == [], "modules over 400 lines whose docstring does not say why they are long"


def test_nothing_private_of_jupyter_client_nbclient_or_nbgrader_is_overridden():
    """Kernels start through kernel provisioners, the documented extension point: no class of ours
    replaces a private method of the Jupyter classes it extends."""
    import importlib
    import inspect
    overridden = []
    for name in MODULES:
        if not name.startswith(("isolation", "grading")):
            continue
        module = importlib.import_module(f"dlcourse.{name}")
        for cls in [c for c in vars(module).values() if inspect.isclass(c) and c.__module__ == module.__name__]:
            jupyter = [b for b in cls.__mro__[1:] if b.__module__.split(".")[0] in ("jupyter_client", "nbclient",
                                                                                 "nbgrader", "nbconvert")]
            for attr, value in vars(cls).items():
                if attr.startswith("_") and not attr.startswith("__") and inspect.isfunction(value) \
                        and any(attr in vars(b) for b in jupyter):
                    overridden.append(f"{cls.__name__}.{attr}")
    assert overridden == []
