"""Integrity of grading: what a submission may not change, and what the TA should look at.

Three parts, all used by the grading command (``python -m dlcourse grade``):

- The **kernel guard** (``guard_source``): code the grader runs silently in the student's
  kernel before the first cell. It seals the objects the tests rely on (the checks in
  ``dlcourse.checks``, ``torch``, ``numpy``, ``math``, ``builtins``, the names that locked
  cells bind, IPython's execution hooks, trace functions, signal handlers). Before every
  locked cell the grader asks it to put back whatever student code replaced; after every
  test cell it asks what changed while the test ran, and a test during which a sealed object
  changed scores 0 (``sandbox.GuardedExecute`` does the asking, from outside the kernel).
- The **static scan** (``scan_notebook``): flags suspicious code in the cells a student wrote,
  with cell and line, for the per-student integrity report.
- **Preflight** (``preflight``) and **RestoreLockedCells**: what the grader checks before nbgrader
  reads a submission, and the locked cells it puts back when a student deleted them.
"""
import ast
import functools
import inspect
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

# ------------------------------------------------------------------ the kernel guard


def _kernel_guard(var):  # pragma: no cover - runs inside the student's kernel
    """Build the guard object and bind it to `var` in the notebook namespace."""
    import builtins
    import gc
    import importlib
    import json as _json
    import signal
    import sys
    import threading
    import types

    from IPython import get_ipython

    import re as _re

    missing = object()
    history = _re.compile(r"^(_{1,3}|_i{1,3}|_i?\d+|_oh|_ih|_dh|In|Out)$")
    func_type = types.FunctionType
    immutable = 1 << 8  # Py_TPFLAGS_IMMUTABLETYPE: such classes cannot be patched from Python
    ip = get_ipython()
    ns = ip.user_ns
    import os as _os
    library = tuple({_os.path.join(p, "") for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
                    | {_os.path.join(_os.path.dirname(_os.path.dirname(importlib.import_module("dlcourse").__file__)),
                                     "dlcourse", "")})
    # attributes that change on every request for honest reasons
    volatile = {"builtins": {"_", "__", "___", "input", "raw_input", "getpass"}}
    watch_modules = ["builtins", "math", "cmath", "operator", "numbers", "functools", "itertools", "copy",
                     "numpy", "numpy.testing", "numpy.linalg", "numpy.random", "torch", "torch.nn",
                     "torch.nn.functional", "torch.nn.init", "torch.linalg", "torch.testing", "torch.autograd",
                     "torch.random", "dlcourse", "dlcourse.checks", "dlcourse.device", "dlcourse.rules",
                     "dlcourse.properties", "hypothesis", "hypothesis.core", "hypothesis.strategies"]
    signals = [s for s in ("SIGALRM", "SIGVTALRM", "SIGPROF", "SIGUSR1", "SIGUSR2", "SIGINT") if hasattr(signal, s)]

    def fstate(value):
        """What else a Python function's behaviour hangs on."""
        if type(value) is not func_type:
            return None
        kw = value.__kwdefaults__
        cells = value.__closure__ or ()
        contents = []
        for c in cells:
            try:
                contents.append(c.cell_contents)
            except ValueError:
                contents.append(missing)
        return (value.__code__, value.__defaults__, kw, tuple(kw.items()) if kw else (), cells, tuple(contents))

    def same(value, st):
        """True when function `value` still has the state `st` that fstate recorded (checked lazily:
        this runs for thousands of functions around every test)."""
        if st is None or type(value) is not func_type:
            return st is None and type(value) is not func_type
        code, defaults, kw, kw_items, cells, contents = st
        if value.__code__ is not code or value.__defaults__ is not defaults or value.__kwdefaults__ is not kw:
            return False
        if kw is not None and (len(kw) != len(kw_items) or any(kw.get(k, missing) is not v for k, v in kw_items)):
            return False
        if (value.__closure__ or ()) is not cells:
            return False
        for c, v in zip(cells, contents):
            try:
                if c.cell_contents is not v:
                    return False
            except ValueError:
                if v is not missing:
                    return False
        return True

    def wraps(new, old):
        """True when `new` is library code wrapping `old` (functools.wraps), not notebook code."""
        code = getattr(new, "__code__", None)
        if code is None or not code.co_filename.startswith(library):
            return False
        seen = 0
        while new is not None and seen < 10:
            if new is old:
                return True
            new, seen = getattr(new, "__wrapped__", None), seen + 1
        return False

    def put_back_function(value, st):
        code, defaults, kw, kw_items, cells, contents = st
        value.__code__, value.__defaults__ = code, defaults
        if kw is not None:
            kw.clear()
            kw.update(kw_items)
        value.__kwdefaults__ = kw
        for c, v in zip(cells, contents):
            if v is not missing:
                c.cell_contents = v

    class Guard:
        """Sealed objects: label -> (getter, setter, value, function state)."""

        def __init__(self):
            self.entries = {}
            self.classes = {}  # label -> (class, frozenset of own attribute names)
            self.modules = set()
            self.result = "{}"

        # -- what is watched
        def add(self, label, get, put, value=missing, kind="is"):
            """kind: "is" (the same object), "seq" (the same objects in order) or "eq" (an equal value)."""
            value = get() if value is missing else value
            self.entries[label] = (get, put, value, fstate(value) if kind == "is" else kind)

        def add_dict(self, prefix, d, keys=None, skip=(), private=True):
            for k in list(d if keys is None else keys):
                if prefix == "ns" and history.match(k):
                    continue  # IPython's output history (_, _i, _3, ...) changes on every cell
                if not private and isinstance(k, str) and k.startswith("_") and not k.endswith("__"):
                    continue  # libraries' internals change lazily; tests call public names
                if isinstance(k, str) and k not in skip and k in d:
                    self.add(f"{prefix}.{k}", (lambda d=d, k=k: d.get(k, missing)),
                             (lambda v, d=d, k=k: d.__setitem__(k, v)), d[k])

        def add_class(self, label, cls):
            if label in self.classes or not isinstance(cls, type) or cls.__flags__ & immutable:
                return
            own = cls.__dict__
            self.classes[label] = (cls, frozenset(own))
            for k in list(own):
                if k.startswith("_") and not k.endswith("__"):
                    continue
                self.add(f"{label}.{k}", (lambda c=cls, k=k: c.__dict__.get(k, missing)),
                         (lambda v, c=cls, k=k: type.__setattr__(c, k, v)), own[k])

        def add_module(self, name):
            mod = sys.modules.get(name)
            if mod is None or name in self.modules or not isinstance(mod, types.ModuleType):
                return
            self.modules.add(name)
            self.add(f"sys.modules[{name!r}]", (lambda n=name: sys.modules.get(n, missing)),
                     (lambda v, n=name: sys.modules.__setitem__(n, v)), mod)
            self.add_dict(name, mod.__dict__, skip=volatile.get(name, ()),
                          private=name == "builtins" or name.split(".")[0] == "dlcourse")
            top = name.split(".")[0]
            for k, v in list(mod.__dict__.items()):
                home = str(getattr(v, "__module__", "")).split(".")[0]
                if isinstance(v, type) and (name == "builtins" or home == top):
                    self.add_class(f"{name}.{k}", v)

        def add_object(self, label, obj, attrs):
            for a in attrs:
                if hasattr(obj, a):
                    self.add(f"{label}.{a}", (lambda o=obj, a=a: getattr(o, a, missing)),
                             (lambda v, o=obj, a=a: setattr(o, a, v)))

        def add_list(self, label, lst):
            self.add(label, (lambda l=lst: tuple(l)), (lambda v, l=lst: l.__setitem__(slice(None), v)), kind="seq")

        def add_hooks(self):
            self.add("sys.settrace", sys.gettrace, sys.settrace)
            self.add("sys.setprofile", sys.getprofile, sys.setprofile)
            self.add_object("sys", sys, ["displayhook", "stdout", "stderr"])
            self.add_list("sys.meta_path", sys.meta_path)
            self.add_list("sys.path_hooks", sys.path_hooks)
            for s in signals:
                num = getattr(signal, s)
                self.add(f"signal handler {s}", (lambda n=num: signal.getsignal(n)),
                         (lambda v, n=num: signal.signal(n, v)))
            itm = ip.input_transformer_manager
            self.add_object("ipython", ip, ["input_transformer_manager", "compile", "events", "displayhook",
                                            "display_pub", "CustomTB", "custom_exceptions", "InteractiveTB",
                                            "SyntaxTB", "user_ns", "user_global_ns", "kernel"])
            for name in ("cleanup_transforms", "line_transforms", "token_transformers"):
                if isinstance(getattr(itm, name, None), list):
                    self.add_list(f"ipython.input_transformer_manager.{name}", getattr(itm, name))
            plain = ip.display_formatter.formatters.get("text/plain")
            if plain is not None:  # a test cell's last value is its partial credit: how it prints is sealed
                self.add_object("ipython.display_formatter", ip.display_formatter, ["formatters"])
                self.add_dict("ipython.display_formatter.formatters", ip.display_formatter.formatters)
                for name in ("type_printers", "deferred_printers", "singleton_printers"):
                    self.add(f"ipython text/plain {name}", (lambda p=plain, n=name: dict(getattr(p, n))),
                             (lambda v, p=plain, n=name: (getattr(p, n).clear(), getattr(p, n).update(v))),
                             kind="eq")
                traits = ("float_precision", "float_format", "pprint", "enabled")
                self.add("ipython text/plain settings", (lambda p=plain: tuple(getattr(p, t) for t in traits)),
                         (lambda v, p=plain: [setattr(p, t, x) for t, x in zip(traits, v)]), kind="eq")
            self.add_list("ipython.input_transformers_post", ip.input_transformers_post)
            self.add_list("ipython.ast_transformers", ip.ast_transformers)
            objs = [("ipython", ip), ("kernel", getattr(ip, "kernel", None)), ("ipython.compile", ip.compile),
                    ("ipython.display_formatter", ip.display_formatter), ("ipython text/plain formatter", plain),
                    ("ipython.input_transformer_manager", itm), ("ipython.events", ip.events)]
            for label, obj in objs:
                if obj is None:
                    continue
                for cls in type(obj).__mro__[:-1]:
                    self.add_class(f"{cls.__module__}.{cls.__qualname__}", cls)
                # instance attributes must never shadow the class's methods
                methods = {k for c in type(obj).__mro__[:-1] for k, v in vars(c).items() if callable(v)}
                self.add(f"{label} (methods replaced on the instance)",
                         (lambda o=obj, m=frozenset(methods): tuple(sorted(m & set(vars(o))))),
                         (lambda v, o=obj, m=frozenset(methods): [o.__dict__.pop(k) for k in m & set(vars(o))
                                                                   if k not in v]), kind="eq")

        # -- the three requests
        def seal(self):
            for name in watch_modules:
                try:
                    importlib.import_module(name)
                except Exception:
                    pass
                self.add_module(name)
            self.add_hooks()
            self.add_dict("ns", ns, skip={var})
            return {"sealed": len(self.entries)}

        def changed(self):
            out = []
            for label, (get, put, value, st) in list(self.entries.items()):
                try:
                    cur = get()
                except Exception:
                    cur = missing
                if st == "seq":
                    if not isinstance(cur, tuple) or len(cur) != len(value) or any(
                            a is not b for a, b in zip(cur, value)):
                        out.append(label)
                elif st == "eq":
                    if cur != value:
                        out.append(label)
                elif cur is not value and wraps(cur, value):
                    self.add(label, get, put, cur)  # a library's own wrapper of it (torch._dynamo does this)
                elif cur is not value or (st is not None and not same(cur, st)):
                    out.append(label)
            for label, (cls, keys) in self.classes.items():
                out += [f"{label}.{k} (added)" for k in set(cls.__dict__) - keys
                        if not (k.startswith("_") and not k.endswith("__"))]
            return out

        def put_back(self, labels):
            for label in labels:
                if label.endswith(" (added)"):
                    cls_label, _, key = label[:-len(" (added)")].rpartition(".")
                    if cls_label in self.classes:
                        try:
                            type.__delattr__(self.classes[cls_label][0], key)
                        except Exception:
                            pass
                    continue
                _, put, value, st = self.entries[label]
                try:
                    if value is missing:
                        continue
                    put(value)
                    if isinstance(st, tuple):
                        put_back_function(value, st)
                except Exception:
                    pass

        def accept(self, names, attrs, star=False):
            """After a locked cell: seal what it bound, and modules it imported."""
            for name in names:
                if name in ns and name != var:
                    self.add_dict("ns", ns, keys=[name])
            if star:
                self.add_dict("ns", ns, keys=[k for k in ns if f"ns.{k}" not in self.entries and k != var])
            for label, (get, put, value, st) in list(self.entries.items()) if attrs else ():
                if label.rpartition(".")[2] in attrs:
                    self.add(label, get, put)
            for label, (cls, keys) in list(self.classes.items()):
                self.classes[label] = (cls, keys | {k for k in cls.__dict__ if k in attrs})
            for name in list(sys.modules):
                if name.split(".")[0] == "dlcourse":
                    self.add_module(name)

        def serious(self, labels):
            """The labels that are code (functions, classes, modules, hooks), not plain data names."""
            out = []
            for label in labels:
                entry = self.entries.get(label)
                value = entry[2] if entry else None
                if not label.startswith("ns.") or callable(value) or isinstance(value, types.ModuleType):
                    out.append(label)
            return out

        def threads_started(self):
            """Live threads whose code was written in the notebook (not the kernel's own)."""
            def from_notebook(t):
                target = getattr(t, "_target", None)
                return (getattr(target, "__module__", None) == "__main__"
                        or type(t).__module__ == "__main__")
            return sorted(t.name for t in threading.enumerate() if t.is_alive() and from_notebook(t))

        def request(self, kind, names=(), attrs=(), star=False):
            """Answer one request of the grader; the answer is JSON in `self.result`."""
            collecting = gc.isenabled()
            gc.disable()  # walking thousands of entries would trigger full collections of torch's objects
            try:
                if kind == "seal":
                    answer = self.seal()
                elif kind == "before":
                    found = self.changed()
                    self.put_back(found)
                    answer = {"changed": self.serious(found), "threads": self.threads_started()}
                else:  # "after"
                    allowed_names, allowed_attrs = set(names), set(attrs)
                    found = [label for label in self.changed()
                             if not (label.startswith("ns.") and label[3:] in allowed_names)
                             and label.split(" ")[0].rpartition(".")[2] not in allowed_attrs]
                    self.put_back(found)
                    self.accept(names, allowed_attrs, star)
                    answer = {"changed": self.serious(found)}
                answer["ok"] = True
            except BaseException as exc:  # the grader treats a broken guard as tampering
                answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
            finally:
                if collecting:
                    gc.enable()
            self.result = _json.dumps(answer)

    ns[var] = Guard()


def guard_source(var):
    """Code that creates the guard in the kernel as `var` and seals the current state."""
    return (inspect.getsource(_kernel_guard) + f"\n_kernel_guard({var!r})\ndel _kernel_guard\n"
            + guard_request(var, "seal"))


def guard_request(var, kind, names=(), attrs=(), star=False):
    """Code for one guard request; the JSON answer is then in ``{var}.result``."""
    return f"{var}.request({kind!r}, {sorted(names)!r}, {sorted(attrs)!r}, {bool(star)!r})\n"


# ------------------------------------------------------------------ what a locked cell binds

def parse_cell(source):
    """The AST of a cell's source (IPython magics turned into Python first); None if it has none."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        source = TransformerManager().transform_cell(source)
    except Exception:
        pass
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


class _Binder(ast.NodeVisitor):
    """Names a cell binds at top level, attribute paths it assigns, and whether it star-imports."""

    def __init__(self):
        self.names, self.attrs, self.star, self.depth = set(), set(), False, 0

    def _scope(self, node):
        if self.depth == 0 and hasattr(node, "name"):
            self.names.add(node.name)
        for d in getattr(node, "decorator_list", []):
            self.visit(d)
        self.depth += 1
        for child in ast.iter_child_nodes(node):
            if child not in getattr(node, "decorator_list", []):
                self.visit(child)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _scope
    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _scope

    def visit_Global(self, node):
        self.names.update(node.names)

    def visit_Name(self, node):
        if self.depth == 0 and isinstance(node.ctx, (ast.Store, ast.Del)):
            self.names.add(node.id)

    def visit_NamedExpr(self, node):
        self.names.add(node.target.id)
        self.visit(node.value)

    def visit_Attribute(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.attrs.add(node.attr)
        self.generic_visit(node)

    def visit_Import(self, node):
        if self.depth == 0:
            for a in node.names:
                self.names.add(a.asname or a.name.split(".")[0])

    def visit_ImportFrom(self, node):
        if self.depth == 0:
            for a in node.names:
                if a.name == "*":
                    self.star = True
                else:
                    self.names.add(a.asname or a.name)


def bindings(source):
    """(names, attribute names, star-import?) that a locked cell may legitimately change."""
    tree = parse_cell(source)
    if tree is None:
        return set(), set(), True
    b = _Binder()
    b.visit(tree)
    return b.names, b.attrs, b.star


def bindings_of(statement):
    """The names one top-level statement of a cell binds."""
    b = _Binder()
    b.visit(statement)
    return b.names


# ------------------------------------------------------------------ static scan of student cells

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


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def student_cells(nb, locked_ids):
    """(label, source) of the code cells a student wrote: answer cells and cells they added."""
    out = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        meta = _meta(cell)
        gid = meta.get("grade_id")
        if gid in locked_ids and not meta.get("solution"):
            continue  # a locked cell: nbgrader puts back the instructor's version
        label = gid if meta.get("solution") and gid else f"#{i + 1} (added by the student)"
        source = cell.get("source", "")
        out.append((label, "".join(source) if isinstance(source, list) else source))
    return out


def protected_names(release_nb):
    """Names the tests call: what locked cells import, and the functions and classes setup cells define."""
    names, modules = set(), {}
    for cell in release_nb.cells:
        meta = _meta(cell)
        if cell.cell_type == "code" and meta.get("locked") and not meta.get("solution"):
            tree = parse_cell(cell.source)
            if tree and not meta.get("grade"):
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
    locked = {_meta(c).get("grade_id") for c in release_nb.cells if _meta(c).get("locked")}
    names, modules = protected_names(release_nb)
    test_names = set()
    for cell in release_nb.cells:
        if cell.cell_type == "code" and _meta(cell).get("grade") and _meta(cell).get("locked"):
            test_names |= bindings(cell.source)[0]
    findings = []
    for label, source in student_cells(nb, locked):
        lines = source.splitlines()
        for line, rule in scan_source(source, names, modules, test_names):
            code = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            findings.append(Finding(notebook_name, label, line, rule, code[:120]))
    return findings


# ------------------------------------------------------------------ before nbgrader reads a submission

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


class RestoreLockedCells(Preprocessor):
    """Put back the locked cells (setup, tests, instructions) a student deleted.

    Runs after nbgrader's OverwriteCells while autograding, so every locked cell of the source
    is present with its instructor version; a restored cell goes right after the cell that
    precedes it in the source.
    """

    enabled = Bool(True).tag(config=True)
    restored = []  # (notebook, grade id) of the last run, for the grading report

    def preprocess(self, nb, resources):
        from nbformat.v4 import new_code_cell, new_markdown_cell
        from nbgrader.api import Gradebook
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            source = gb.find_notebook(info["notebook"], info["assignment"])
            cells = [(c.name, c.cell_type, c.source, c.locked, c.checksum) for c in source.source_cells]
            points = {g.name: g.max_score for g in source.grade_cells}
        present = {_meta(c).get("grade_id"): i for i, c in enumerate(nb.cells) if _meta(c).get("grade_id")}
        position = 0
        for name, cell_type, text, locked, checksum in cells:
            if name in present:
                position = present[name] + 1
                continue
            if not locked:
                continue
            meta = {"grade": name in points, "grade_id": name, "locked": True, "solution": False,
                    "schema_version": 3, "task": False}
            if name in points:
                meta["points"] = points[name]
            if checksum:
                meta["checksum"] = checksum
            make = new_code_cell if cell_type == "code" else new_markdown_cell
            cell = make(text, metadata={"nbgrader": meta, "deletable": False, "editable": False})
            cell.id = f"restored-{name}"[:64]
            nb.cells.insert(position, cell)
            present = {_meta(c).get("grade_id"): i for i, c in enumerate(nb.cells) if _meta(c).get("grade_id")}
            position = present[name] + 1
            RestoreLockedCells.restored.append((info["notebook"], name))
        return nb, resources


@functools.lru_cache(maxsize=None)
def _nbgrader_validator():
    """nbgrader's cell-metadata validator, with its JSON schema checked and compiled once: nbgrader
    checks the schema itself again for every cell (a tenth of a second per notebook)."""
    import jsonschema
    from nbgrader.nbgraderformat import MetadataValidator
    from nbgrader.nbgraderformat.common import BaseMetadataValidator

    class CompiledSchema(BaseMetadataValidator):
        compiled = {}

        def validate_cell(self, cell):
            meta = cell.metadata.get("nbgrader")
            if meta is None or meta.get("schema_version", 0) != self.schema_version:
                return super().validate_cell(cell)  # nbgrader's own answer: nothing to check, or a version error
            if self.schema_version not in self.compiled:
                cls = jsonschema.validators.validator_for(self.schema)
                cls.check_schema(self.schema)
                self.compiled[self.schema_version] = cls(self.schema)
            error = jsonschema.exceptions.best_match(self.compiled[self.schema_version].iter_errors(meta))
            if error is not None:
                raise error

    class Validator(MetadataValidator, CompiledSchema):  # MetadataValidator's checks, then CompiledSchema's
        pass
    return Validator


class CheckCellMetadata(Preprocessor):
    """nbgrader's CheckCellMetadata (the same checks and message), with the schema compiled once."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        from nbgrader.nbgraderformat import ValidationError
        try:
            _nbgrader_validator()().validate_nb(nb)
        except ValidationError:
            self.log.error("Notebook failed to validate; the nbgrader metadata may be corrupted.", exc_info=True)
            raise ValidationError("Notebook failed to validate; the nbgrader metadata may be corrupted.")
        return nb, resources


# ------------------------------------------------------------------ the per-student report

def write_report(path, student, aid, outcome_line, events, findings):
    """Write the TA's integrity report for one student's assignment (Markdown); return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"# Integrity report: {student}, {aid}", "", f"Result: {outcome_line}", "",
             "## What happened while grading", ""]
    lines += [f"- {e}" for e in events] or ["- nothing unusual"]
    lines += ["", "## Suspicious code in the cells the student wrote (static scan)", ""]
    lines += [f"- {f}" for f in findings] or ["- nothing flagged"]
    path.write_text("\n".join(lines) + "\n")
    (path.with_suffix(".json")).write_text(json.dumps(
        {"student": student, "assignment": aid, "result": outcome_line, "events": events,
         "findings": [asdict(f) for f in findings]}, indent=1))
    return path
