"""The static scan: suspicious code in the cells a student wrote, with cell and line, for the TA.

It never changes a grade; its findings go to the per-student integrity report (unit.py).
"""
import ast
import re
from dataclasses import dataclass

from ..notebook import cells
from ..notebook.names import bindings, parse_cell


@dataclass
class Finding:
    """One suspicious line in a student's cell."""
    notebook: str
    cell: str
    line: int
    rule: str
    code: str

    def __str__(self):
        return f"{self.notebook} cell {self.cell}, line {self.line}: {self.rule}: {self.code}"


_CALLS = {
    "exec": "runs code from a string (exec)", "eval": "evaluates code from a string (eval)",
    "compile": "compiles code from a string", "__import__": "imports through __import__",
    "globals": "reaches the notebook's global namespace (globals())", "vars": "reaches a namespace (vars())",
    "setattr": "sets attributes dynamically (setattr)", "delattr": "deletes attributes (delattr)",
    "get_ipython": "reaches the IPython shell (get_ipython)", "breakpoint": "starts a debugger",
}


_MODULES = {
    "ctypes": "uses ctypes (raw memory access)", "gc": "uses the garbage collector's object lists (gc)",
    "inspect": "inspects live frames or source (inspect)", "subprocess": "starts processes (subprocess)",
    "socket": "opens network sockets", "urllib": "uses the network (urllib)", "http": "uses the network (http)",
    "requests": "uses the network (requests)", "importlib": "imports modules dynamically (importlib)",
    "builtins": "touches builtins", "threading": "starts threads", "multiprocessing": "starts processes",
    "signal": "installs signal handlers", "shutil": "copies or deletes files (shutil)", "pickle": "unpickles data",
    "marshal": "loads code objects (marshal)", "sys": None, "os": None, "IPython": "reaches IPython internals",
    "ipykernel": "reaches the kernel's internals", "dlcourse": None, "pathlib": None, "io": None,
}


_ATTRS = {
    ("os", "system"): "runs a shell command (os.system)", ("os", "popen"): "runs a shell command (os.popen)",
    ("os", "fork"): "forks the process", ("os", "kill"): "sends signals (os.kill)",
    ("os", "_exit"): "exits the kernel (os._exit)", ("os", "remove"): "deletes files",
    ("os", "unlink"): "deletes files", ("os", "rmdir"): "deletes folders", ("os", "rename"): "moves files",
    ("os", "chdir"): "leaves the working folder (os.chdir)", ("os", "listdir"): "lists folders",
    ("os", "walk"): "walks folders", ("os", "scandir"): "lists folders", ("os", "environ"): "reads the environment",
    ("sys", "modules"): "edits sys.modules", ("sys", "settrace"): "installs a trace function",
    ("sys", "setprofile"): "installs a profile function", ("sys", "_getframe"): "reaches live frames",
    ("sys", "exit"): "exits", ("sys", "meta_path"): "installs an import hook",
    ("sys", "excepthook"): "replaces sys.excepthook",
    ("torch", "_C"): "reaches torch's C internals (torch._C: can switch off the checks' rules)",
    ("torch", "overrides"): "uses torch.overrides (function modes: can switch off the checks' rules)",
}


_DUNDERS = {"__code__", "__globals__", "__builtins__", "__dict__", "__subclasses__", "__closure__",
            "__kwdefaults__", "__defaults__", "f_globals", "f_locals", "f_back", "f_builtins", "tb_frame",
            "gi_frame", "cell_contents", "__class__", "__bases__", "__mro__", "__setattr__", "__getattribute__"}


_PATH = re.compile(r"^(/|~|\.\./|[A-Za-z]:\\)|(^|/)\.\.(/|$)")


class _Scanner(ast.NodeVisitor):
    def __init__(self, protected, modules, test_names=()):
        self.hits, self.protected, self.modules, self.depth = [], protected, dict(modules), 0
        self.test_names = set(test_names)

    def hit(self, node, rule):
        self.hits.append((getattr(node, "lineno", 1), rule))

    def _root(self, node):
        while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
            node = node.value if not isinstance(node, ast.Call) else node.func
        return node.id if isinstance(node, ast.Name) else None

    def _module_of(self, name):
        return self.modules.get(name)

    def visit_Import(self, node):
        for a in node.names:
            top = a.name.split(".")[0]
            self.modules[a.asname or top] = a.name if a.asname else top
            if _MODULES.get(top):
                self.hit(node, f"imports {a.name}: {_MODULES[top]}")
            if a.asname in self.protected or (not a.asname and top in self.protected and top not in self.modules):
                pass

    def visit_ImportFrom(self, node):
        top = (node.module or "").split(".")[0]
        if _MODULES.get(top):
            self.hit(node, f"imports from {node.module}: {_MODULES[top]}")
        for a in node.names:
            bound = a.asname or a.name
            self.modules.setdefault(bound, f"{node.module}.{a.name}")
            if bound in self.protected:
                self.hit(node, f"rebinds {bound}, which the tests use")
            if (top, a.name) in _ATTRS:
                self.hit(node, f"imports {node.module}.{a.name}: {_ATTRS[top, a.name]}")

    def _targets(self, node, targets):
        for t in targets:
            for sub in ast.walk(t):
                if (isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store) and sub.id in self.protected
                        and self.depth == 0):
                    self.hit(node, f"rebinds {sub.id}, which the tests use")
                elif isinstance(sub, ast.Attribute) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                    root = self._root(sub)
                    if root in self.modules or root in self.protected:
                        self.hit(node, f"assigns an attribute of {ast.unparse(sub.value)} (monkeypatching)")
                    elif sub.attr in _DUNDERS:
                        self.hit(node, f"assigns {sub.attr}")
                elif isinstance(sub, ast.Subscript) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                    text = ast.unparse(sub.value)
                    if "globals" in text or "__dict__" in text or "modules" in text or "__builtins__" in text:
                        self.hit(node, f"writes into {text}")

    def visit_Assign(self, node):
        self._targets(node, node.targets)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._targets(node, [node.target])
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self._targets(node, [node.target])
        self.generic_visit(node)

    def visit_Delete(self, node):
        self._targets(node, node.targets)
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        if getattr(node, "name", None) in self.protected and self.depth == 0:
            self.hit(node, f"rebinds {node.name}, which the tests use")
        if isinstance(node, ast.ClassDef):
            tricks = sorted({f.name for f in node.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}
                            & {"__eq__", "__ne__", "__instancecheck__", "__subclasscheck__", "__getattr__",
                               "__getattribute__", "__torch_function__", "__array_ufunc__"})
            if tricks:
                self.hit(node, f"defines {', '.join(tricks)} (an answer that pretends to be something else?)")
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = visit_FunctionDef

    def visit_Global(self, node):
        named = [n for n in node.names if n in self.protected or n in self.test_names]
        if named:
            self.hit(node, f"declares global {', '.join(named)} (names the tests use)")

    def visit_Name(self, node):
        if node.id in ("__builtins__", "__loader__", "__spec__"):
            self.hit(node, f"uses {node.id}")

    def visit_Attribute(self, node):
        root = self._root(node)
        mod = (self._module_of(root) or "").split(".")[0] if root else ""
        if (mod, node.attr) in _ATTRS:
            self.hit(node, _ATTRS[mod, node.attr])
        elif node.attr in _DUNDERS:
            self.hit(node, f"uses {node.attr}")
        self.generic_visit(node)

    def visit_Call(self, node):
        if isinstance(node.func, ast.Name):
            name = node.func.id
            if name in _CALLS:
                self.hit(node, _CALLS[name])
            if name == "open" or name == "Path":
                self._path_args(node)
        elif isinstance(node.func, ast.Attribute):
            self._path_args(node)
        self.generic_visit(node)

    def _path_args(self, node):
        for arg in list(node.args) + [k.value for k in node.keywords]:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _PATH.search(arg.value):
                self.hit(node, f"uses a path outside the working folder: {arg.value!r:.60}")


def scan_source(source, protected=(), modules=None, test_names=()):
    """[(line, rule)] for one cell's source; a cell that does not parse is reported as such."""
    tree = parse_cell(source)
    if tree is None:
        return [(1, "does not parse (syntax error): not scanned")]
    scanner = _Scanner(set(protected), modules or {}, test_names)
    scanner.visit(tree)
    seen, out = set(), []
    for line, rule in sorted(scanner.hits):
        if (line, rule) not in seen:
            seen.add((line, rule))
            out.append((line, rule))
    return out


def student_cells(nb, locked_ids):
    """(label, source) of the code cells a student wrote: answer cells and cells they added."""
    out = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        gid = cells.grade_id(cell)
        if gid in locked_ids and not cells.is_answer(cell):
            continue  # a locked cell: nbgrader puts back the instructor's version
        label = gid if cells.is_answer(cell) and gid else f"#{i + 1} (added by the student)"
        out.append((label, cells.source(cell)))
    return out


def protected_names(release_nb):
    """Names the tests call: what locked cells import, and the functions and classes setup cells define."""
    names, modules = set(), {}
    for cell in release_nb.cells:
        if cells.is_instructor_code(cell):
            tree = parse_cell(cell.source)
            if tree and not cells.is_graded(cell):
                names |= {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))
                          and not n.name.startswith("_")}
            for node in ast.walk(tree) if tree else []:
                if isinstance(node, ast.Import):
                    for a in node.names:
                        modules[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
                elif isinstance(node, ast.ImportFrom):
                    for a in node.names:
                        modules[a.asname or a.name] = f"{node.module}.{a.name}"
    return names | set(modules), modules


def scan_notebook(nb, release_nb, notebook_name):
    """Findings for the student-written cells of `nb`, judged against its release version."""
    locked = {cells.grade_id(c) for c in release_nb.cells if cells.is_locked(c)}
    names, modules = protected_names(release_nb)
    test_names = set()
    for cell in release_nb.cells:
        if cells.is_test(cell):
            test_names |= bindings(cell.source)[0]
    findings = []
    for label, source in student_cells(nb, locked):
        lines = source.splitlines()
        for line, rule in scan_source(source, names, modules, test_names):
            code = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            findings.append(Finding(notebook_name, label, line, rule, code[:120]))
    return findings
