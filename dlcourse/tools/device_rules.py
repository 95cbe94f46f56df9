"""Device rules that a CPU machine can check: test cells that would grade differently on a GPU.

Every test cell of the seven source notebooks (visible and hidden parts) is read as Python and
walked once, top to bottom, with a small abstract interpreter that follows, for every name the
cell binds, where its value lives (the course's DEVICE, the CPU, or unknown), whether it is
float64, and whether it came out of a matrix product or convolution that ran on DEVICE in
float32 outside ``exact_math()``. Four rules:

``mixed-devices``   an operation that needs its tensors on one device (arithmetic, a comparison,
                    ``torch.allclose``/``equal``/``cat``/…) gets one operand that certainly lives on
                    DEVICE and one that certainly lives on the CPU. (The course's checks,
                    ``check_close`` and friends, move both sides to the CPU themselves, so
                    passing them a DEVICE answer and a CPU reference is correct; what they are
                    given must still be computable.) A 0-dim CPU tensor would be allowed by
                    torch, but no test relies on that.
``device-statement`` ``check_device`` on a value computed by a student's answer whose task
                    statement never names the device ("device", "DEVICE"): a correct answer
                    built on the CPU fails on a GPU only. The statement is the task's own text
                    (from its ``**Task`` marker) and its section's text before the section's
                    first task (a convention stated once for all of them).
``random-on-device`` a random draw on a device that is not certainly the CPU
                    (``torch.randn(..., device=DEVICE)``, ``torch.rand_like(x_on_device)``,
                    ``x_on_device.normal_()``, ``nn.init.*`` of a DEVICE tensor) or a layer
                    built with ``device=`` (its initial weights come from that device's
                    generator): CPU and GPU draw different numbers. The ``meta`` device draws
                    nothing and is allowed.
``tf32``            a float comparison (``check_close``, ``check_float``, ``torch.allclose``,
                    ``isclose``, ``assert_close``) of a value that a matrix product or a
                    convolution computed on DEVICE in float32 outside ``exact_math()``:
                    with TF32 on, a GPU keeps about 10 bits of mantissa there.

Matrix products are ``@``, ``torch.matmul``/``mm``/``bmm``/``einsum``/…, ``F.linear``,
``F.conv*``, calls of ``nn.Linear``/``nn.Conv*``/recurrent modules, and calls of answers (or
helpers of the cell) whose code contains any of these; for an answer, the reference solution's
code is what is read. ``python -m dlcourse.tools.device_rules`` prints every finding; the
tests (tests/test_device_rules.py) run it on every source notebook.

The module is long because it is one abstract interpreter: the rules share its walk of a cell.
"""
import ast
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat

from ..notebook import cells as roles
from ..notebook.names import parse

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(ROOT.glob("source/*/*.ipynb"))

DEV, CPU = "dev", "cpu"
MATMUL_FUNCS = {"matmul", "mm", "bmm", "mv", "einsum", "tensordot", "addmm", "addbmm", "baddbmm",
                "addmv", "chain_matmul", "multi_dot", "linear", "bilinear", "conv1d", "conv2d", "conv3d",
                "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "scaled_dot_product_attention",
                "inner", "dot", "vdot"}
MATMUL_MODULES = {"Linear", "Bilinear", "LazyLinear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d",
                  "ConvTranspose2d", "ConvTranspose3d", "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell",
                  "GRUCell", "MultiheadAttention", "Transformer", "TransformerEncoderLayer",
                  "TransformerDecoderLayer"}
RANDOM_FUNCS = {"randn", "rand", "randint", "randperm", "normal", "bernoulli", "multinomial", "poisson",
                "randn_like", "rand_like", "randint_like"}
RANDOM_METHODS = {"normal_", "uniform_", "random_", "bernoulli_", "exponential_", "geometric_",
                  "cauchy_", "log_normal_"}
RANDOM_INITS = {"normal_", "uniform_", "xavier_normal_", "xavier_uniform_", "kaiming_normal_",
                "kaiming_uniform_", "trunc_normal_", "orthogonal_", "sparse_"}
CREATION = {"tensor", "as_tensor", "zeros", "ones", "full", "empty", "arange", "linspace", "logspace",
            "eye", "zeros_like", "ones_like", "full_like", "empty_like", "from_numpy"} | RANDOM_FUNCS
SAME_DEVICE_FUNCS = {"allclose", "isclose", "equal", "eq", "ne", "lt", "le", "gt", "ge", "maximum",
                     "minimum", "cat", "stack", "where", "add", "sub", "mul", "div", "dist", "cdist",
                     "assert_close"}
FLOAT_COMPARISONS = {"check_close", "check_float", "allclose", "isclose", "assert_close"}
TO_CPU = {"cpu", "numpy"}
TO_SCALAR = {"item", "tolist"}
LIBRARIES = {"torch", "F", "nn", "np", "math", "numpy"}
DEVICE_WORDS = re.compile(r"\bdevice\b|\bDEVICE\b|same device", re.IGNORECASE)


@dataclass(frozen=True)
class Info:
    """What the interpreter knows about a value."""
    place: str | None = None      # DEV, CPU or None (unknown, or not a tensor)
    devobj: str | None = None     # for a device object: DEV, CPU or "meta"
    f64: bool | None = None       # float64 (True), another dtype (False), unknown (None)
    tf32: int | None = None       # line of a float32 matmul/conv on DEVICE outside exact_math
    mm: bool = False              # calling it runs a matmul (a layer, an answer that multiplies)
    answers: frozenset = frozenset()   # the student's answers it was computed from
    dtype64: bool | None = None   # for a dtype object: float64 or not


UNKNOWN = Info()


def merge(*infos):
    """What is known about a value computed from all of `infos`."""
    infos = [i for i in infos if i is not None]
    places = {i.place for i in infos if i.place}
    place = DEV if DEV in places else (CPU if places == {CPU} else None)
    f64s = {i.f64 for i in infos if i.place or i.f64 is not None}
    f64 = True if True in f64s else (False if f64s == {False} else None)
    tf32 = next((i.tf32 for i in infos if i.tf32), None)
    answers = frozenset().union(*(i.answers for i in infos)) if infos else frozenset()
    return Info(place=place, f64=f64, tf32=tf32, answers=answers)


@dataclass
class Finding:
    """One rule broken at one line of a test cell."""
    assignment: str
    cell: str
    rule: str
    line: int
    text: str
    why: str

    def __str__(self):
        return f"{self.assignment} {self.cell} line {self.line} [{self.rule}] {self.why}: {self.text.strip()}"


def dotted(node):
    """'torch.nn.functional.linear' for an attribute chain of names, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id] + parts[::-1])
    return None


def multiplies(tree, known=()):
    """Whether code contains a matrix product, a convolution, a matmul layer or a call of `known`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            return True
        if isinstance(node, ast.Call):
            name = dotted(node.func) or ""
            last = name.rsplit(".", 1)[-1] if name else getattr(node.func, "attr", "")
            if last in MATMUL_FUNCS or last in MATMUL_MODULES or name in known:
                return True
    return False


@dataclass
class Answers:
    """The names the solution cells define, whether each multiplies, and each one's statement."""
    statement: dict = field(default_factory=dict)
    multiplying: set = field(default_factory=set)


def task_statement(text):
    """The task statement in a markdown cell: from its last **Task marker on (all of it if none)."""
    at = text.rfind("**Task")
    return text if at < 0 else text[at:]


HEADING = re.compile(r"^#{1,4} (?!(BEGIN|END) SOLUTION)", re.M)


def read_answers(cells):
    """Map each name a solution cell binds to its statement; find those that multiply.

    A task's statement is its own text (from its **Task marker) and what its section (from the last
    heading) says before its first task: conventions stated once for every task of a section.
    """
    answers, trees, markdown, section, in_tasks = Answers(), {}, "", "", False
    for cell in cells:
        if cell.cell_type == "markdown":
            markdown, text = cell.source, cell.source
            heading = HEADING.search(text)
            if heading:
                section, in_tasks, text = "", False, text[heading.start():]
            if not in_tasks:
                at = text.find("**Task")
                section += "\n" + (text if at < 0 else text[:at])
                in_tasks = at >= 0
            continue
        if not roles.is_answer(cell):
            continue
        tree = parse(roles.to_python(cell.source))
        for node in tree.body:
            targets = [node] if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else \
                [t for t in ast.walk(node) if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)] \
                if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) else []
            for t in targets:
                name = getattr(t, "name", None) or t.id
                answers.statement[name] = section + "\n" + task_statement(markdown)
                trees[name] = node
    changed = True
    while changed:  # an answer that calls another answer that multiplies multiplies too
        changed = False
        for name, node in trees.items():
            if name not in answers.multiplying and multiplies(node, answers.multiplying):
                answers.multiplying.add(name)
                changed = True
    return answers


class CellRules:
    """Walk one test cell and collect the findings of the four rules."""

    def __init__(self, assignment, cell_id, source, answers):
        self.assignment, self.cell, self.answers = assignment, cell_id, answers
        self.lines = source.splitlines()
        self.tree = parse(roles.to_python(source))
        self.env = {"DEVICE": Info(devobj=DEV)}
        self.helpers = {}  # functions defined in the cell: name -> multiplies
        self.exact = 0
        self.findings = []

    def run(self):
        """All findings of the cell, in line order, each (rule, line) once."""
        self.block(self.tree.body)
        seen, unique = set(), []
        for f in sorted(self.findings, key=lambda f: (f.line, f.rule)):
            if (f.rule, f.line) not in seen:
                seen.add((f.rule, f.line))
                unique.append(f)
        return unique

    def report(self, rule, node, why):
        line = node.lineno
        self.findings.append(Finding(self.assignment, self.cell, rule, line, self.lines[line - 1], why))

    # ------------------------------------------------------------ statements

    def block(self, body):
        for stmt in body:
            self.statement(stmt)

    def statement(self, node):
        if isinstance(node, ast.Assign):
            value = self.expr(node.value)
            for target in node.targets:
                self.bind(target, value, node.value)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
            value = self.expr(node.value)
            if isinstance(node, ast.AugAssign):
                old = self.expr(node.target)
                self.mixing(node, [old, value], "an in-place operation")
                value = merge(old, value)
            self.bind(node.target, value, node.value)
        elif isinstance(node, ast.For):
            self.bind(node.target, self.element(node.iter), None)
            self.block(node.body)
            self.block(node.orelse)
        elif isinstance(node, ast.With):
            exact = any(isinstance(i.context_expr, ast.Call) and
                        (dotted(i.context_expr.func) or "").endswith("exact_math") for i in node.items)
            for item in node.items:
                self.expr(item.context_expr)
            self.exact += exact
            self.block(node.body)
            self.exact -= exact
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
            self.helpers[node.name] = multiplies(node, self.answers.multiplying | set(self.helpers))
            saved = dict(self.env)
            for arg in node.args.args:
                self.env[arg.arg] = UNKNOWN
            self.block(node.body)
            self.env = saved
        elif isinstance(node, (ast.If, ast.While)):
            self.expr(node.test)
            self.block(node.body)
            self.block(node.orelse)
        elif isinstance(node, ast.Try):
            for part in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
                self.block(part)
        elif isinstance(node, (ast.Expr, ast.Return)) and node.value is not None:
            self.expr(node.value)
        elif isinstance(node, ast.Assert):
            self.expr(node.test)

    def bind(self, target, value, value_node):
        if isinstance(target, ast.Name):
            self.env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            parts = None
            if isinstance(value_node, (ast.Tuple, ast.List)) and len(value_node.elts) == len(target.elts):
                parts = [self.expr(e) for e in value_node.elts]
            for i, t in enumerate(target.elts):
                self.bind(t, parts[i] if parts else replace(value, devobj=None), None)
        elif isinstance(target, (ast.Subscript, ast.Attribute)):
            self.expr(target.value)

    # ------------------------------------------------------------ expressions

    def element(self, node):
        """What is known about each element of the iterable `node`."""
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            parts = [self.expr(e) for e in node.elts]
            devs = {p.devobj for p in parts}
            info = merge(*parts)
            return replace(info, devobj=devs.pop() if len(devs) == 1 else None,
                           place=info.place if len({p.place for p in parts}) == 1 else None)
        if isinstance(node, ast.Call) and dotted(node.func) in ("enumerate", "zip", "range", "reversed", "sorted"):
            for a in node.args:
                self.element(a)
            return UNKNOWN
        return self.expr(node)

    def expr(self, node):
        method = getattr(self, "e_" + type(node).__name__, None)
        if method is not None:
            return method(node)
        infos = [self.expr(child) for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr)]
        return merge(*infos) if infos else UNKNOWN

    def e_Constant(self, node):
        if node.value in ("cpu", "meta"):
            return Info(devobj=CPU if node.value == "cpu" else "meta")
        if isinstance(node.value, str) and node.value.startswith("cuda"):
            return Info(devobj=DEV)
        return UNKNOWN

    def e_Name(self, node):
        return self.env.get(node.id, UNKNOWN)

    def e_Attribute(self, node):
        name = dotted(node)
        if name in ("torch.float64", "torch.double"):
            return Info(dtype64=True)
        if name and name.split(".")[0] == "torch" and name.split(".")[-1] in ("float32", "float", "float16",
                                                                                "bfloat16", "half"):
            return Info(dtype64=False)
        base = self.expr(node.value)
        if node.attr == "device":
            return Info(devobj=base.place)
        if node.attr == "dtype":
            return Info(dtype64=base.f64)
        return replace(base, mm=False, devobj=None, dtype64=None)

    def e_Subscript(self, node):
        self.expr(node.slice)
        return replace(self.expr(node.value), mm=False)

    def e_BinOp(self, node):
        left, right = self.expr(node.left), self.expr(node.right)
        self.mixing(node, [left, right], "an arithmetic operation")
        info = merge(left, right)
        if isinstance(node.op, ast.MatMult):
            info = self.multiplied(node, info)
        return info

    def e_Compare(self, node):
        parts = [self.expr(node.left)] + [self.expr(c) for c in node.comparators]
        self.mixing(node, parts, "a comparison")
        return replace(merge(*parts), place=None)

    def e_Lambda(self, node):
        saved = dict(self.env)
        for arg in node.args.args:
            self.env[arg.arg] = UNKNOWN
        self.expr(node.body)
        self.env = saved
        return Info(mm=multiplies(node.body, self.answers.multiplying | set(self.helpers)))

    def e_GeneratorExp(self, node):
        saved = dict(self.env)
        for gen in node.generators:
            self.bind(gen.target, self.element(gen.iter), None)
            for cond in gen.ifs:
                self.expr(cond)
        info = self.expr(node.elt)
        self.env = saved
        return info

    e_ListComp = e_SetComp = e_GeneratorExp

    def e_DictComp(self, node):
        return self.e_GeneratorExp(ast.GeneratorExp(elt=node.value, generators=node.generators))

    def multiplied(self, node, info):
        """`info` after a matrix product: note TF32 if it ran in float32 on DEVICE outside exact_math."""
        if info.place == DEV and info.f64 is not True and not self.exact:
            return replace(info, tf32=info.tf32 or node.lineno)
        return info

    def mixing(self, node, parts, what):
        places = {p.place for p in parts if p.place}
        if places == {DEV, CPU}:
            self.report("mixed-devices", node, f"{what} between a tensor on DEVICE and one on the CPU")

    # ------------------------------------------------------------ calls

    def e_Call(self, node):
        args = [self.expr(a) for a in node.args]
        kwargs = {k.arg: self.expr(k.value) for k in node.keywords if k.arg}
        name = dotted(node.func)
        if isinstance(node.func, ast.Attribute) and not (name and name.split(".")[0] in LIBRARIES):
            return self.method(node, self.expr(node.func.value), node.func.attr, args, kwargs)
        if name is None:
            return merge(self.expr(node.func), *args)
        last = name.rsplit(".", 1)[-1]
        if name.split(".")[0] in LIBRARIES:
            return self.library(node, name, last, args, kwargs)
        if last.startswith("check_") or last in ("as_tensor", "as_float", "as_int", "as_bool"):
            return self.check(node, last, args)
        if last in ("float", "int", "bool", "round", "abs", "len", "max", "min", "sum", "tuple", "list",
                    "sorted", "str", "repr", "print"):
            return replace(merge(*args), place=None if last != "abs" else merge(*args).place)
        return self.answer_call(node, name, args, kwargs)

    def library(self, node, name, last, args, kwargs):
        device = kwargs.get("device")
        dtype = kwargs.get("dtype")
        if name.startswith("nn.init.") or name.startswith("torch.nn.init."):
            if last in RANDOM_INITS and args and args[0].place != CPU:
                self.report("random-on-device", node, f"{name} draws on the device of its tensor")
            return args[0] if args else UNKNOWN
        if (name.startswith("nn.") or name.startswith("torch.nn.")) and last[:1].isupper():
            if device is not None and device.devobj not in (CPU, "meta") and last != "Module":
                self.report("random-on-device", node,
                            f"{name}(..., device=...) draws its initial weights on that device")
            place = CPU if device is None else (device.devobj if device.devobj in (DEV, CPU) else None)
            return Info(place=place, f64=None if dtype is None else dtype.dtype64, mm=last in MATMUL_MODULES)
        if last in CREATION:
            like = last.endswith("_like") and args
            if device is not None:
                place = device.devobj if device.devobj in (DEV, CPU) else None
            else:
                place = args[0].place if like else (merge(*args).place if last in ("as_tensor",) else CPU)
            if last in RANDOM_FUNCS:
                where = device.devobj if device is not None else (args[0].place if like else CPU)
                if where not in (CPU, "meta"):
                    self.report("random-on-device", node, f"{name} draws on a device that may be a GPU: "
                                "draw from a CPU generator, then move the tensor")
            f64 = dtype.dtype64 if dtype is not None else (args[0].f64 if like else None)
            return Info(place=place, f64=f64)
        if last in SAME_DEVICE_FUNCS:
            self.mixing(node, args + list(kwargs.values()), f"{name}")
        if last in FLOAT_COMPARISONS:
            self.tf32(node, args)
        info = merge(*args)
        if last in ("allclose", "equal", "dist"):
            info = replace(info, place=None)
        if last in MATMUL_FUNCS:
            info = self.multiplied(node, info)
        if dtype is not None and dtype.dtype64 is not None:
            info = replace(info, f64=dtype.dtype64)
        return info

    def method(self, node, base, attr, args, kwargs):
        if attr in TO_CPU:
            return replace(base, place=CPU, mm=False)
        if attr in TO_SCALAR:
            return replace(base, place=None, mm=False)
        if attr == "cuda":
            return replace(base, place=DEV)
        if attr in ("double", "float", "half"):
            return replace(base, f64=attr == "double")
        if attr == "to":
            info = base
            for a in args + list(kwargs.values()):
                if a.devobj in (DEV, CPU):
                    info = replace(info, place=a.devobj)
                elif a.devobj == "meta":
                    info = replace(info, place=None)
                if a.dtype64 is not None:
                    info = replace(info, f64=a.dtype64)
                if a.place:  # x.to(other_tensor)
                    info = replace(info, place=a.place, f64=a.f64)
            return info
        if attr in RANDOM_METHODS and base.place != CPU and base.place is not None:
            self.report("random-on-device", node, f".{attr}() draws on the device of its tensor")
        if attr in ("mm", "matmul", "bmm", "mv", "dot"):
            self.mixing(node, [base] + args, f".{attr}()")
            return self.multiplied(node, merge(base, *args))
        if attr in ("add", "sub", "mul", "div", "add_", "sub_", "mul_", "div_", "eq", "ne",
                    "allclose", "equal", "expand_as", "maximum", "minimum"):
            self.mixing(node, [base] + args, f".{attr}()")
        if base.mm:  # calling a layer's method, e.g. fc.forward(x)
            return self.layer_call(node, base, args)
        return replace(merge(base, *args), mm=False)

    def check(self, node, last, args):
        if last == "check_device" and len(args) >= 2:
            self.statement_names_device(node, args[1])
        if last in FLOAT_COMPARISONS:
            self.tf32(node, args[1:])
        if last == "as_tensor":
            return replace(merge(*args[1:2]), place=CPU)
        return replace(merge(*args[1:2]), place=None)

    def tf32(self, node, args):
        line = next((a.tf32 for a in args if a.tf32), None)
        if line:
            self.report("tf32", node, f"compares a float32 result of a matrix product or convolution on DEVICE "
                                      f"(line {line}) computed outside exact_math()")

    def statement_names_device(self, node, value):
        for answer in sorted(value.answers):
            statement = self.answers.statement.get(answer, "")
            if not DEVICE_WORDS.search(statement):
                self.report("device-statement", node, f"check_device on {answer}, whose task statement "
                                                      "does not say where the result must live")

    def answer_call(self, node, name, args, kwargs):
        callee = self.env.get(name)
        if callee is not None and callee.mm:  # a layer held in a variable
            return self.layer_call(node, callee, args)
        devices = [a.devobj for a in args + list(kwargs.values()) if a.devobj]
        info = merge(*args, *kwargs.values())
        if devices:
            info = replace(info, place=devices[-1] if devices[-1] in (DEV, CPU) else None)
        multiplies_ = name in self.answers.multiplying or self.helpers.get(name, False) or \
            (callee is not None and callee.mm)
        if name in self.answers.statement:
            info = replace(info, answers=info.answers | {name}, mm=multiplies_)
        if multiplies_:
            info = self.multiplied(node, info)
        return info

    def layer_call(self, node, layer, args):
        info = merge(replace(layer, mm=False), *args)
        return replace(self.multiplied(node, info), mm=False)


def graded_cells(path):
    """(grade id, source) of every test cell of a notebook, and what its answers are."""
    nb = nbformat.read(path, as_version=4)
    answers = read_answers(nb.cells)
    tests = [(roles.grade_id(c), c.source) for c in nb.cells if c.cell_type == "code" and roles.is_graded(c)]
    return tests, answers


def findings_of(path):
    """Every finding in the test cells of one source notebook."""
    tests, answers = graded_cells(path)
    found = []
    for grade_id, source in tests:
        found += CellRules(path.stem, grade_id, source, answers).run()
    return found


if __name__ == "__main__":
    everything = [f for p in NOTEBOOKS for f in findings_of(p)]
    print("\n".join(map(str, everything)) or "no findings")
    sys.exit(1 if everything else 0)
