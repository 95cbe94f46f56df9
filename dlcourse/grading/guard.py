"""The kernel guard: code the grader runs silently in the student's kernel before the first cell.

It seals the objects the tests rely on (the checks in ``dlcourse.checks``, ``torch``, ``numpy``,
``math``, ``builtins``, the names that locked cells bind, IPython's execution hooks and output
formatters, trace functions, signal handlers). Before every locked cell the grader asks it to put
back whatever student code replaced; after every test cell it asks what changed while the test
ran, and a test during which a sealed object changed scores 0 (execute.py does the asking, from
outside the kernel). ``_kernel_guard`` is shipped as source text (``guard_source``), so the kernel
needs nothing importable for it; the requests are one line each (``guard_request``).
"""
import inspect


def _kernel_guard(var):  # pragma: no cover - runs inside the student's kernel
    """Build the guard object and bind it to `var` in the notebook namespace."""
    import gc
    import importlib
    import json as _json
    import re as _re
    import signal
    import sys
    import threading
    import types

    from IPython import get_ipython

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
                if k.startswith("_") and not k.endswith("__") and k != "_render_traceback_":
                    continue  # (IPython shows what _render_traceback_ returns as the traceback)
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
            self.add(label, (lambda seq=lst: tuple(seq)), (lambda v, seq=lst: seq.__setitem__(slice(None), v)),
                     kind="seq")

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
