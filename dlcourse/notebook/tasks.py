"""The tasks of a notebook, and the rules their statements state, read without running anything.

A *task* is an answer cell with the statement before it (an answer cell with no statement of
its own continues the task before it) and the cells up to the next task: its test cells, and
the cells a student added there. ``forbidden_groups`` reads a statement's rules ("no autograd",
"not `torch.softmax`") as groups of ``dlcourse.rules.FORBIDDEN``.

``rule_findings`` is the static half of a rule check: what no run-time hook can see, read from
the code a student wrote for a task that states a rule — a forbidden call anywhere in the cell
(at its top level too, say into a lookup table), private torch APIs (``torch._C``,
``torch.ops``, ``x._fw_primal``), threads and processes, profile and trace hooks, classes that
intercept torch calls. The grader (``grading/execute.py``) turns a finding into a failed test
cell of that task; the audit kills a mutant with one. Torch-free, like the grader's parent.
"""
import ast
import re
from dataclasses import dataclass, field

from .cells import grade_id, is_answer, is_graded, is_instructor_code, is_test, nbgrader, source
from .names import parse

# ---------------------------------------------------------------- rules in a statement

# A statement forbids a group when one of its sentences names it after a negation (or after "the checks
# fail if", as the statements say it). English and Russian (the editions in translations/): a Russian
# statement must give the same groups as the English it translates (tests/test_translations.py).
FORBIDDEN_WORDS = {
    "autograd": r"autograd",
    "softmax": r"softmax",
    "cross_entropy": r"cross_entropy",
    "linear": r"F\.linear|nn\.Linear",
    "modules": r"\bmodules?\b(?!\.\w)|модул(?:ь|я|ей|и|ям|ями)\b",  # not `module.parameters()`
    "clip_grad": r"clip_grad|clipping functions|функци\w* обрезки",
    "calculate_gain": r"calculate_gain",
    "optim": r"torch\.optim\b",
    "dropout": r"nn\.Dropout|F\.dropout",
    "torch": r"calling\s+torch\b(?!\.)|calls any torch function|вызыва\w*\s+torch\b(?!\.)|"
             r"вызов\w*\s+(?:функци\w*\s+)?torch\b(?!\.)|вызывает\s+(?:какую-либо|любую)\s+функцию\s+torch",
}
_NEGATION = re.compile(r"\b(not|no|nor|without|never|instead of|checks fail if)\b|n't\b|"
                       r"(?<!\w)(не|ни|нельзя|без|никогда|вместо|запрещ\w*)(?!\w)", re.IGNORECASE)


def forbidden_groups(statement):
    """The groups of FORBIDDEN that a task's statement (markdown) forbids: a negation, then the group's word."""
    sentences = re.split(r"(?<=[.!?;:])\s+|\n\s*\n", statement)
    negated = [s[m.end():] for s in sentences for m in [_NEGATION.search(s)] if m]
    return [g for g, pattern in FORBIDDEN_WORDS.items() if any(re.search(pattern, s) for s in negated)]


# ---------------------------------------------------------------- the tasks of a notebook

@dataclass
class Task:
    """One answer cell: its statement, the rules the statement states, the cells that follow it."""
    answer: int                                  # index of the answer cell in nb.cells
    grade_id: str
    statement: str
    groups: list
    tests: list = field(default_factory=list)    # indices of the graded code cells that test it
    added: list = field(default_factory=list)    # indices of code cells without nbgrader metadata (a student's)


def tasks(nb):
    """The code tasks of a notebook (nbformat's or plain JSON), in order."""
    out, statement = [], []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code" and is_answer(cell):
            text = "\n\n".join(statement) or (out[-1].statement if out else "")
            out.append(Task(i, grade_id(cell) or f"cell {i + 1}", text, forbidden_groups(text)))
        elif cell["cell_type"] == "markdown" and not (is_answer(cell) or is_graded(cell)):
            statement.append(source(cell))
        if is_answer(cell) or is_graded(cell):
            statement = []
    for task in out:
        tested = False
        for j in range(task.answer + 1, len(nb["cells"])):
            cell = nb["cells"][j]
            if cell["cell_type"] != "code":
                continue
            if is_answer(cell) and tested:
                break
            if is_test(cell):
                task.tests.append(j)
                tested = True
            elif not nbgrader(cell):
                task.added.append(j)
    return out


# ---------------------------------------------------------------- the static rule check

# Attribute or imported names that are the forbidden computation, per group (on any object: `z.softmax(-1)`).
_NAMES = {
    "softmax": {"softmax", "log_softmax", "softmin", "Softmax", "LogSoftmax", "Softmin", "Softmax2d"},
    "cross_entropy": {"cross_entropy", "nll_loss", "kl_div", "binary_cross_entropy",
                      "binary_cross_entropy_with_logits"},
    "linear": {"linear", "bilinear", "Linear", "Bilinear", "LazyLinear"},
    "autograd": {"backward", "grad_fn", "autograd", "functorch", "forward_ad", "enable_grad", "set_grad_enabled",
                 "requires_grad_", "jacrev", "jacfwd", "vjp", "jvp", "hessian", "linearize", "grad_and_value"},
    "clip_grad": {"clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_",
                  "clip_grad"},
    "calculate_gain": {"calculate_gain"},
    "dropout": {"dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout",
                "native_dropout", "feature_dropout", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
                "FeatureAlphaDropout"},
    "optim": {"optim"},
}
# Dotted torch paths that are the forbidden computation, per group (a prefix matches what is under it).
_PATHS = {
    "autograd": ("torch.autograd", "torch.func.grad", "torch.nn.grad", "torch.Tensor.backward"),
    "optim": ("torch.optim",),
    "clip_grad": ("torch.nn.utils.clip_grad",),
    "torch": ("torch",),
    "cross_entropy": ("torch.nn.modules.loss",),
}
_THREADS = {"threading", "_thread", "concurrent", "multiprocessing", "subprocess", "asyncio", "joblib",
            "torch.multiprocessing", "os.fork", "os.forkpty", "os.system", "os.popen", "os.posix_spawn",
            "os.posix_spawnp", "os.spawnv", "os.spawnl", "os.execv", "os.execl"}
_HOOKS = {"sys.setprofile", "sys.settrace", "sys.monitoring", "sys.addaudithook", "threading.setprofile",
          "threading.settrace", "threading.setprofile_all_threads", "threading.settrace_all_threads"}
_INTERCEPT = {"__torch_function__", "__torch_dispatch__"}
_CODE = {"__code__", "__globals__", "__closure__"}  # a function rebuilt from another's code object
_CODE_PATHS = {"types.FunctionType", "types.CodeType", "types.LambdaType", "marshal", "sys.modules"}
_IMPORTERS = {"importlib.import_module", "__import__", "importlib.__import__"}
_CHECKS = ("dlcourse.rules", "dlcourse.checks.forbid")


def module_aliases(sources):
    """name -> module path for every `import` in `sources` (the notebook's setup cells and the cell itself)."""
    aliases = {}
    for text in sources:
        tree = _parse(text)
        for node in ast.walk(tree) if tree else ():
            if isinstance(node, ast.Import):
                for a in node.names:
                    aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases


def _parse(source):
    """The AST of a cell (IPython magics and shell escapes read as `pass`), or None if it does not parse."""
    lines = [line[:len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith(("%", "!")) else line
             for line in source.splitlines()]
    try:
        return parse("\n".join(lines))
    except (SyntaxError, ValueError):
        return None


def _dotted(node, aliases):
    """The dotted path of a Name/Attribute chain with its root resolved through `aliases` (None if not a chain)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([aliases.get(node.id, node.id)] + parts[::-1])


def _private(path):
    """The first private part of a torch path (`_C`, `ops`, `_foreach_norm`), or None."""
    parts = path.split(".")
    if parts[0] != "torch":
        return None
    for part in parts[1:]:
        if part == "ops" or (part.startswith("_") and not part.endswith("__")):
            return part
    return None


class _RuleScanner(ast.NodeVisitor):
    """Findings (line, what) for the code of a task whose statement forbids `groups`."""

    def __init__(self, groups, aliases):
        self.groups, self.aliases, self.found = set(groups), aliases, []

    def hit(self, node, what):
        self.found.append((getattr(node, "lineno", 1), what))

    def check_path(self, node, path):
        root = path.split(".")[0]
        if any(path == t or path.startswith(t + ".") for t in _THREADS):
            self.hit(node, f"uses `{path}`: the checks run your code in one thread, without other processes")
        elif any(path == t or path.startswith(t + ".") for t in _HOOKS):
            self.hit(node, f"uses `{path}`, which can switch the rule check off")
        elif any(path == t or path.startswith(t + ".") for t in _CODE_PATHS):
            self.hit(node, f"uses `{path}`: a function rebuilt or a module reached this way can go around the "
                           "rule check")
        elif any(path == t or path.startswith(t + ".") for t in _CHECKS):
            self.hit(node, f"reaches into the course's rule check (`{path}`)")
        elif _private(path):
            self.hit(node, f"uses a private torch API (`{path}`), which can go around the rule check")
        else:
            last = path.rpartition(".")[2]
            for group in sorted(self.groups):
                named = last in _NAMES.get(group, ()) and root == "torch"
                under = any(path == p or path.startswith(p + ".") for p in _PATHS.get(group, ()))
                if named or under or (group == "modules" and root == "torch" and ".nn." in path + "."
                                      and last[:1].isupper() and last != "Parameter"):
                    self.hit(node, f"uses `{path}`, which the statement rules out")
                    return

    def visit_Attribute(self, node):
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in self.aliases:  # a module's path: judged as a whole
            self.check_path(node, _dotted(node, self.aliases))
            return
        if node.attr in _CODE:
            self.hit(node, f"uses `.{node.attr}`: a function rebuilt from another's code can go around the rule check")
        elif node.attr.startswith("_") and not node.attr.endswith("__") and not (
                isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            self.hit(node, f"uses the private attribute `.{node.attr}`, which can go around the rule check")
        elif any(node.attr in _NAMES.get(g, ()) for g in self.groups):
            self.hit(node, f"calls `.{node.attr}`, which the statement rules out")
        self.generic_visit(node)

    def visit_Name(self, node):
        path = self.aliases.get(node.id)
        if path is not None and isinstance(node.ctx, ast.Load):
            self.check_path(node, path)

    def visit_Import(self, node):
        for a in node.names:
            self.check_path(node, a.name)

    def visit_ImportFrom(self, node):
        for a in node.names:
            if node.module and not node.level:
                self.check_path(node, f"{node.module}.{a.name}")

    def visit_Call(self, node):
        func = _dotted(node.func, self.aliases) if isinstance(node.func, (ast.Name, ast.Attribute)) else None
        if func in _IMPORTERS and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            self.check_path(node, node.args[0].value)  # importlib.import_module("torch.optim.adam") is an import
        self.generic_visit(node)

    def visit_ClassDef(self, node):
        tricks = sorted(_INTERCEPT & {f.name for f in node.body if isinstance(f, ast.FunctionDef)})
        if tricks:
            self.hit(node, f"defines {', '.join(tricks)}, which intercepts torch calls")
        self.generic_visit(node)

    def visit_keyword(self, node):
        if "autograd" in self.groups and node.arg == "requires_grad" and not (
                isinstance(node.value, ast.Constant) and not node.value.value):
            self.hit(node, "asks for `requires_grad`, which the statement rules out (autograd)")
        self.generic_visit(node)


def rule_findings(source, groups, setup_aliases=None):
    """[(line, what)] in the code a student wrote for a task whose statement forbids `groups`."""
    if not groups:
        return []
    tree = _parse(source)
    if tree is None:
        return []  # it cannot run either: its tests fail on their own
    aliases = {**(setup_aliases or {}), **module_aliases([source])}
    scanner = _RuleScanner(groups, aliases)
    scanner.visit(tree)
    return sorted(set(scanner.found))


def rule_verdicts(nb):
    """test cell index -> the message that fails it: the rule its task's code breaks where no hook can see it."""
    setup = [source(c) for c in nb["cells"] if is_instructor_code(c)]
    aliases = module_aliases(setup)
    verdicts = {}
    for task in tasks(nb):
        if not task.groups:
            continue
        for index in [task.answer, *task.added]:
            code = source(nb["cells"][index])
            found = rule_findings(code, task.groups, aliases)
            if found:
                line, what = found[0]
                where = f"line {line} of {'your answer cell' if index == task.answer else 'a cell you added'}"
                message = (f"{_task_name(task)}: {where} {what} (a task with a rule is checked in the cell too, "
                           f"not only while its function runs)")
                for test in task.tests:
                    verdicts.setdefault(test, message)
                break
    return verdicts


def _task_name(task):
    """"Task 1.4" from the statement, else the answer's grade id."""
    found = re.findall(r"\*\*(?:Task|Задача) (\d+(?:\.\d+)*)", task.statement)
    return f"Task {found[-1]}" if found else task.grade_id
