"""Mutants of a reference solution: the mistakes people make in deep-learning code.

Each operator looks at one AST node of the solution (the lines between ``### BEGIN SOLUTION``
and ``### END SOLUTION``) and proposes replacements; a mutant is the cell's source with that
node's text replaced by the unparsed replacement, so everything else (comments, layout) stays as
written and the diff shows one small change. ``FORBIDDEN_CALLS`` adds, per group of
``dlcourse.rules.FORBIDDEN`` that a statement forbids, a harmless forbidden call as the first
statement of every function of the answer.

The module is long because it is a catalogue: one short function per kind of mistake.
"""
import ast
import copy
from dataclasses import dataclass

from ..notebook.names import parse

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


@dataclass
class Mutant:
    """One mutant: the operator's name, the original and the mutated line, the whole cell's source."""
    operator: str
    line: str
    mutated: str
    source: str


def _neg(value):
    return ast.UnaryOp(ast.USub(), ast.Constant(-value)) if value < 0 else ast.Constant(value)


def _int_value(node):
    """The int a Constant or a negated Constant stands for, else None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _int_value(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def _names(node):
    """Attribute and function names used anywhere in `node`."""
    out = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute):
            out.add(sub.attr)
        elif isinstance(sub, ast.Name):
            out.add(sub.id)
    return out


def _with(node, **fields):
    new = copy.copy(node)
    for key, value in fields.items():
        setattr(new, key, value)
    return new


def _call_name(node):
    """The called name of a Call: `f` for f(...), `attr` for x.attr(...)."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


_MODULES = {"torch", "F", "np", "numpy", "nn", "math"}


def _on_module(node):
    """True for a call torch.f(...) / F.f(...) / np.f(...) (the tensor is an argument, not the receiver)."""
    return isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and node.func.value.id in _MODULES


# ---------------------------------------------------------------- operators: node -> replacements

def op_sign(node):
    """A unary minus dropped, or the returned value negated."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and _int_value(node) is None:
        yield node.operand
    if isinstance(node, ast.Return) and node.value is not None and not isinstance(node.value, ast.Tuple) \
            and any(isinstance(n, ast.Name) and n.id not in _MODULES for n in ast.walk(node.value)):
        yield _with(node, value=ast.UnaryOp(ast.USub(), node.value))


_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}


def op_add_sub(node):
    """+ and - swapped (also in += and -=)."""
    if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in (ast.Add, ast.Sub):
        yield _with(node, op=_SWAP[type(node.op)]())


def op_mul_div(node):
    """* and / swapped (also in *= and /=)."""
    if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in (ast.Mult, ast.Div):
        yield _with(node, op=_SWAP[type(node.op)]())


def op_range(node):
    """Off by one in a range: range(n) -> range(n - 1), range(1, n); range(a, b) -> range(a + 1, b), range(a, b - 1)."""
    if _call_name(node) == "range" and isinstance(node.func, ast.Name) and not node.keywords:
        args = node.args
        one = ast.Constant(1)
        if len(args) == 1:
            yield _with(node, args=[ast.BinOp(args[0], ast.Sub(), one)])
            yield _with(node, args=[one, args[0]])
        elif len(args) == 2:
            yield _with(node, args=[ast.BinOp(args[0], ast.Add(), one), args[1]])
            yield _with(node, args=[args[0], ast.BinOp(args[1], ast.Sub(), one)])


def op_index(node):
    """Off by one in a subscript: x[i] -> x[i + 1] for a computed index i."""
    if not isinstance(node, ast.Subscript):
        return
    parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    for k, part in enumerate(parts):
        if isinstance(part, (ast.Name, ast.BinOp)):
            shifted = ast.BinOp(part, ast.Add(), ast.Constant(1))
            new = parts[:k] + [shifted] + parts[k + 1:]
            yield _with(node, slice=ast.Tuple(new, ast.Load()) if isinstance(node.slice, ast.Tuple) else shifted)


_TRANSPOSE_ATTRS = {"T", "mT", "mH", "H"}
_TRANSPOSE_CALLS = {"t", "transpose", "permute", "swapaxes", "swapdims", "movedim"}


def op_transpose(node):
    """A missing transpose: .T, .mT, .t(), .transpose(...), .permute(...) dropped."""
    if isinstance(node, ast.Attribute) and node.attr in _TRANSPOSE_ATTRS:
        yield node.value
    if _call_name(node) in _TRANSPOSE_CALLS and isinstance(node.func, ast.Attribute):
        if _on_module(node):
            if node.args:
                yield node.args[0]
        else:
            yield node.func.value


_DIM_CALLS = {"sum", "mean", "max", "min", "amax", "amin", "argmax", "argmin", "softmax", "log_softmax",
              "logsumexp", "cumsum", "cumprod", "prod", "std", "var", "cat", "stack", "unsqueeze", "squeeze",
              "flip", "norm", "all", "any", "median", "sort", "argsort", "topk"}


def _other_dim(value):
    return -1 if value == 0 else 0


def op_dim(node):
    """The wrong dim: dim=-1 -> 0, dim=0 -> -1, dim=1 -> 0 (keyword or positional)."""
    if not isinstance(node, ast.Call):
        return
    for k, kw in enumerate(node.keywords):
        value = _int_value(kw.value)
        if kw.arg in ("dim", "axis") and value is not None:
            yield _with(node, keywords=node.keywords[:k] + [ast.keyword(kw.arg, _neg(_other_dim(value)))]
                        + node.keywords[k + 1:])
    name = _call_name(node)
    pos = 1 if isinstance(node.func, ast.Attribute) and _on_module(node) else 0
    if name in _DIM_CALLS and name != "norm" and len(node.args) > pos:
        value = _int_value(node.args[pos])
        if value is not None:
            yield _with(node, args=node.args[:pos] + [_neg(_other_dim(value))] + node.args[pos + 1:])


def op_keepdim(node):
    """keepdim=True dropped."""
    if isinstance(node, ast.Call):
        for k, kw in enumerate(node.keywords):
            if kw.arg == "keepdim" and isinstance(kw.value, ast.Constant) and kw.value.value is True:
                yield _with(node, keywords=node.keywords[:k] + node.keywords[k + 1:])


def op_mean_sum(node):
    """mean instead of sum and back."""
    if isinstance(node, ast.Attribute) and node.attr in ("mean", "sum"):
        yield _with(node, attr="sum" if node.attr == "mean" else "mean")


_SIZE_NAMES = {"B", "N", "n", "T", "batch", "batch_size", "numel", "len", "shape", "size", "n_samples"}


def op_batch_size(node):
    """A missing 1/B: a division by a size (len, .shape, .size(), .numel(), B, N) dropped."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and _names(node.right) & _SIZE_NAMES:
        yield node.left


def op_max_shift(node):
    """The max-subtraction dropped: z - z.max(...) -> z, and m = z.max(...) -> m = 0."""
    has_max = lambda sub: any(isinstance(s, ast.Attribute) and s.attr in ("max", "amax") for s in ast.walk(sub))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) and has_max(node.right):
        yield node.left
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
            and isinstance(node.value, (ast.Call, ast.Attribute)) and has_max(node.value):
        yield _with(node, value=ast.Constant(0))


def op_float64(node):
    """float64 -> float32: torch.float64 / torch.double -> torch.float32, .double() -> .float()."""
    if isinstance(node, ast.Attribute) and node.attr in ("float64", "double") and isinstance(node.value, ast.Name) \
            and node.value.id in ("torch", "np", "numpy"):
        yield _with(node, attr="float32")
    if _call_name(node) == "double" and isinstance(node.func, ast.Attribute) and not _on_module(node):
        yield _with(node, func=_with(node.func, attr="float"))


def _is_bias_correction(node):
    return any(isinstance(s, ast.BinOp) and isinstance(s.op, ast.Sub) and isinstance(s.left, ast.Constant)
               and s.left.value == 1 and isinstance(s.right, ast.BinOp) and isinstance(s.right.op, ast.Pow)
               for s in ast.walk(node))


def op_bias_correction(node):
    """Bias correction forgotten: m / (1 - beta ** t) -> m."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and _is_bias_correction(node.right):
        yield node.left


def _adaptive(node):
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and _names(node.right) & {"sqrt", "rsqrt"}


def op_decay(node):
    """Decay inside the adaptive step: a * m / (sqrt(v) + eps) + lam * w -> (a * m + lam * w) / (sqrt(v) + eps)."""
    if isinstance(node, ast.BinOp) and type(node.op) in (ast.Add, ast.Sub):
        if _adaptive(node.left):
            yield ast.BinOp(ast.BinOp(node.left.left, node.op, node.right), ast.Div(), node.left.right)
        if _adaptive(node.right) and isinstance(node.op, ast.Add):
            yield ast.BinOp(ast.BinOp(node.left, node.op, node.right.left), ast.Div(), node.right.right)


_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt}


def op_comparison(node):
    """< and <= swapped, > and >= swapped."""
    if isinstance(node, ast.Compare):
        for k, cmp in enumerate(node.ops):
            if type(cmp) in _CMP:
                yield _with(node, ops=node.ops[:k] + [_CMP[type(cmp)]()] + node.ops[k + 1:])


_CONSTANTS = {0: 1, 1: 0, 2: 1, 0.5: 1}  # 0.0 looks up 0: the mutant keeps the constant's type


def op_constant(node):
    """A constant changed: 0 <-> 1, 2 -> 1, 0.5 -> 1, True <-> False (in a value answer also k -> k + 1)."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float, bool):
        if type(node.value) is bool:
            yield ast.Constant(not node.value)
        elif node.value in _CONSTANTS:
            yield ast.Constant(type(node.value)(_CONSTANTS[node.value]))
        elif type(node.value) is int and getattr(node, "in_value_answer", False):
            yield ast.Constant(node.value + 1)


def op_swap(node):
    """The arguments of a binary operator swapped: a - b -> b - a, a / b, a @ b, a ** b."""
    if isinstance(node, ast.BinOp) and type(node.op) in (ast.Sub, ast.Div, ast.MatMult, ast.Pow, ast.FloorDiv):
        yield _with(node, left=node.right, right=node.left)


def op_return_operand(node):
    """An operand of the returned value dropped: return a + b -> return a, return b."""
    if isinstance(node, ast.Return) and isinstance(node.value, ast.BinOp):
        yield _with(node, value=node.value.left)
        yield _with(node, value=node.value.right)


def op_drop_term(node):
    """A term of a sum dropped: g = grad + lam * w -> g = grad."""
    if isinstance(node, ast.BinOp) and type(node.op) in (ast.Add, ast.Sub):
        yield node.left
        if isinstance(node.op, ast.Add):
            yield node.right


_ACTIVATIONS = {"relu": ("sigmoid", "tanh"), "sigmoid": ("relu", "tanh"), "tanh": ("relu", "sigmoid"),
                "ReLU": ("Sigmoid", "Tanh"), "Sigmoid": ("ReLU", "Tanh"), "Tanh": ("ReLU", "Sigmoid")}


def op_activation(node):
    """torch.relu <-> torch.sigmoid / torch.tanh (and nn.ReLU, nn.Tanh, nn.Sigmoid)."""
    if isinstance(node, ast.Attribute) and node.attr in _ACTIVATIONS:
        for other in _ACTIVATIONS[node.attr]:
            yield _with(node, attr=other)


_MIN_MAX = {"max": "min", "min": "max", "argmax": "argmin", "argmin": "argmax", "amax": "amin", "amin": "amax"}


def op_min_max(node):
    """max <-> min, argmax <-> argmin (functions and methods)."""
    if isinstance(node, ast.Attribute) and node.attr in _MIN_MAX:
        yield _with(node, attr=_MIN_MAX[node.attr])
    if isinstance(node, ast.Name) and node.id in ("max", "min"):
        yield _with(node, id=_MIN_MAX[node.id])


def op_exp_log(node):
    """exp <-> log."""
    if isinstance(node, ast.Attribute) and node.attr in ("exp", "log"):
        yield _with(node, attr="log" if node.attr == "exp" else "exp")


def op_option(node):
    """One option dropped from a set of options: {"A", "C"} -> {"A"}."""
    if isinstance(node, ast.Set):
        for k in range(len(node.elts)):
            rest = node.elts[:k] + node.elts[k + 1:]
            yield _with(node, elts=rest) if rest else ast.Call(ast.Name("set", ast.Load()), [], [])


def op_edge_case(node):
    """An edge-case branch removed: `if <case>: return/raise/continue/break` never taken."""
    if isinstance(node, ast.If) and not node.orelse and isinstance(node.body[-1], (ast.Return, ast.Raise,
                                                                                   ast.Continue, ast.Break)):
        yield _with(node, test=ast.Constant(False))


def op_dtype(node):
    """A dtype narrowed: dtype=<anything but float32> -> dtype=torch.float32."""
    if isinstance(node, ast.Call):
        for k, kw in enumerate(node.keywords):
            if kw.arg == "dtype" and "float32" not in ast.unparse(kw.value):
                narrowed = ast.keyword("dtype", ast.Attribute(ast.Name("torch", ast.Load()), "float32", ast.Load()))
                yield _with(node, keywords=node.keywords[:k] + [narrowed] + node.keywords[k + 1:])


def op_detach(node):
    """.detach() dropped: a result that still carries the graph."""
    if _call_name(node) == "detach" and isinstance(node.func, ast.Attribute) and not node.args:
        yield node.func.value


_RANDOM_LIKE = {"rand_like", "randn_like", "bernoulli"}


def op_per_row_random(node):
    """Randomness drawn per row instead of per element: rand_like(x) -> rand_like(x[..., :1]).expand_as(x)."""
    if _call_name(node) in _RANDOM_LIKE | {"rand", "randn"} and isinstance(node.func, ast.Attribute) \
            and _on_module(node) and node.args:
        if _call_name(node) in _RANDOM_LIKE:
            row = ast.Subscript(node.args[0], ast.Tuple([ast.Constant(...), ast.Slice(None, ast.Constant(1))],
                                                        ast.Load()), ast.Load())
            drawn = _with(node, args=[row, *node.args[1:]])
        else:
            drawn = ast.Subscript(node, ast.Tuple([ast.Constant(...), ast.Slice(None, ast.Constant(1))],
                                                  ast.Load()), ast.Load())
        yield ast.Call(ast.Attribute(drawn, "expand_as", ast.Load()), [node], [])


def op_pairing(node):
    """Names paired with the wrong values (labels on the wrong curves): a loop over d.items() or zip(a, b)
    walks the values in reverse."""
    if isinstance(node, ast.For) and isinstance(node.target, ast.Tuple) and len(node.target.elts) == 2:
        it = node.iter
        if _call_name(it) == "items" and isinstance(it.func, ast.Attribute) and not it.args:
            owner = it.func.value
            keys = ast.Call(ast.Attribute(owner, "keys", ast.Load()), [], [])
            values = ast.Call(ast.Name("list", ast.Load()), [ast.Call(ast.Attribute(owner, "values", ast.Load()),
                                                                        [], [])], [])
        elif _call_name(it) == "zip" and isinstance(it.func, ast.Name) and len(it.args) == 2 and not it.keywords:
            keys, values = it.args[0], ast.Call(ast.Name("list", ast.Load()), [it.args[1]], [])
        else:
            return
        flipped = ast.Subscript(values, ast.Slice(None, None, ast.Constant(-1)), ast.Load())
        yield _with(node, iter=ast.Call(ast.Name("zip", ast.Load()), [keys, flipped], []))
    if _call_name(node) == "legend" and node.args and isinstance(node.args[0], (ast.List, ast.Tuple)) \
            and len(node.args[0].elts) > 1:
        yield _with(node, args=[_with(node.args[0], elts=node.args[0].elts[::-1]), *node.args[1:]])


# The specific mistakes first: when two operators make the same mutant, the first one names it.
OPERATORS = {name: globals()[f"op_{name}"] for name in (
    "max_shift", "bias_correction", "decay", "batch_size", "transpose", "dim", "keepdim", "mean_sum", "float64",
    "dtype", "detach", "per_row_random", "edge_case", "pairing",
    "range", "index", "comparison", "activation", "min_max", "exp_log", "option",
    "sign", "add_sub", "mul_div", "swap", "constant", "return_operand", "drop_term")}

# A harmless call of each group of dlcourse.rules.FORBIDDEN.
FORBIDDEN_CALLS = {
    "autograd": "torch.zeros(1, requires_grad=True).sum().backward()",
    "softmax": "torch.softmax(torch.zeros(1), 0)",
    "cross_entropy": "torch.nn.functional.cross_entropy(torch.zeros(1, 2), torch.zeros(1, dtype=torch.long))",
    "linear": "torch.nn.functional.linear(torch.zeros(1), torch.zeros(1, 1))",
    "modules": "torch.nn.Linear(1, 1)",
    "clip_grad": "torch.nn.utils.clip_grad_value_([], 1.0)",
    "calculate_gain": "torch.nn.init.calculate_gain('relu')",
    "optim": "torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)",
    "dropout": "torch.nn.functional.dropout(torch.zeros(1), 0.5)",
    "torch": "torch.zeros(1)",
}
# The same computation under another name: a torch.ops overload, a private kernel, a dynamic name.
FORBIDDEN_ALIASES = {
    "autograd": "torch.ops.aten.tanh_backward(torch.ones(1), torch.zeros(1))",
    "softmax": "torch.ops.aten._softmax(torch.zeros(1), 0, False)",
    "cross_entropy": "torch.ops.aten.nll_loss_forward(torch.zeros(1, 2), torch.zeros(1, dtype=torch.long), None, 1, -100)",
    "linear": "torch.ops.aten.linear(torch.zeros(1), torch.zeros(1, 1))",
    "modules": "getattr(torch.nn, 'Lin' + 'ear')(1, 1)",
    "clip_grad": "torch._foreach_norm([torch.zeros(1)])",
    "calculate_gain": "getattr(torch.nn.init, 'calculate_' + 'gain')('relu')",
    "optim": "torch._foreach_add_([torch.zeros(1)], [torch.zeros(1)])",
    "dropout": "torch.ops.aten.native_dropout(torch.zeros(1), 0.5, True)",
    "torch": "torch.ops.aten.zeros([1])",
}
# ---------------------------------------------------------------- building mutants

def solution_lines(source):
    """(first, last) line numbers (1-based) strictly inside each BEGIN/END SOLUTION pair."""
    lines, spans, start = source.splitlines(), [], None
    for no, text in enumerate(lines, 1):
        if text.strip() == BEGIN:
            start = no
        elif text.strip() == END and start is not None:
            spans.append((start + 1, no - 1))
            start = None
    return spans


_ATOMS = (ast.Name, ast.Constant, ast.Attribute, ast.Call, ast.Subscript, ast.List, ast.Tuple, ast.Dict,
          ast.Set, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


_CLASSES = [(ast.Add, ast.Sub), (ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.MatMult), (ast.Pow,)]


def _precedence(node):
    """A label equal for nodes that bind alike (either may replace the other without parentheses)."""
    if isinstance(node, ast.BinOp):
        return next(k for k, ops in enumerate(_CLASSES) if isinstance(node.op, ops))
    return type(node).__name__ if isinstance(node, (ast.Compare, ast.BoolOp)) else None


class _Splicer:
    """Replaces the text of one node of a cell's source with the unparsed text of another."""

    def __init__(self, source):
        self.data = source.encode()
        self.starts = [0]
        for line in source.encode().splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))

    def span(self, node):
        return (self.starts[node.lineno - 1] + node.col_offset, self.starts[node.end_lineno - 1] + node.end_col_offset)

    def replace_all(self, edits):
        """The source with each (node, text) of `edits` replaced (the nodes do not overlap)."""
        data = self.data
        for (a, b), text in sorted(((self.span(n), t) for n, t in edits), reverse=True):
            data = data[:a] + text.encode() + data[b:]
        return data.decode()

    def replace(self, node, new, bare):
        """The source with `node` replaced by `new` (parenthesized unless `bare` or atomic)."""
        a, b = self.span(node)
        text = ast.unparse(ast.fix_missing_locations(new))
        wrapped = self.data[a - 1:a] == b"(" and self.data[b:b + 1] == b")"
        same = _precedence(new) is not None and _precedence(new) == _precedence(node)
        if isinstance(new, ast.expr) and not (bare or wrapped or same or isinstance(new, _ATOMS)):
            text = f"({text})"
        if isinstance(new, ast.stmt):
            indent = " " * node.col_offset
            text = text.replace("\n", "\n" + indent)
        return (self.data[:a] + text.encode() + self.data[b:]).decode()


def _bare_children(tree):
    """Expression nodes whose replacement needs no parentheses (statement values, call arguments)."""
    bare = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Return, ast.Assign, ast.AugAssign, ast.Expr, ast.AnnAssign, ast.keyword)):
            if node.value is not None:
                bare.add(id(node.value))
        elif isinstance(node, (ast.If, ast.While, ast.IfExp, ast.Assert)):
            bare.add(id(node.test))
        elif isinstance(node, ast.Call):
            bare.update(id(a) for a in node.args)
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            bare.update(id(e) for e in node.elts)
    return bare


_DRAWING = {"ax", "axes", "plt", "fig"}
_LITERAL = (ast.Constant, ast.List, ast.Tuple, ast.UnaryOp, ast.USub, ast.Load)


def _skipped(tree):
    """(operator, node id) pairs not to try: what other operators cover (-1, keepdim=True), a drawing call's styling."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            skip.add(("constant", id(node.operand)))
        elif isinstance(node, ast.keyword) and node.arg in ("keepdim", "dim", "axis"):
            skip.add(("constant", id(node.value)))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                isinstance(node.func.value, ast.Name) and node.func.value.id in _DRAWING:
            for arg in node.args + [kw.value for kw in node.keywords]:  # literal styling of a drawing call
                if all(isinstance(n, _LITERAL) for n in ast.walk(arg)):
                    skip.update((op, id(n)) for n in ast.walk(arg) for op in ("constant", "sign"))
    return skip


def _line(source, lineno):
    lines = source.splitlines()
    return lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""


def _canonical(source):
    try:
        return ast.dump(parse(source))
    except SyntaxError:
        return None


def _loads(fn, name):
    """The Name nodes that read `name` in the body of `fn` (not in nested functions that rebind it)."""
    return [n for stmt in fn.body for n in ast.walk(stmt) if isinstance(n, ast.Name) and n.id == name
            and isinstance(n.ctx, ast.Load)]


def _used_as_value(fn, name):
    """True when `name` is only read as a value in `fn`: never called, iterated, unpacked or subscripted."""
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
            return False
        if isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.iter, ast.Name) and node.iter.id == name:
            return False
        if isinstance(node, ast.Starred) and isinstance(node.value, ast.Name) and node.value.id == name:
            return False
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == name:
            return False
        if isinstance(node, ast.Call) and any(isinstance(a, ast.Name) and a.id == name for a in node.args) \
                and _call_name(node) in ("len", "list", "tuple", "zip", "enumerate", "iter", "sorted", "set", "dict"):
            return False
    return True


def _function_mutants(source, functions, splicer, inside):
    """(operator, line, source) of the mistakes that change a whole function, not one node.

    ignored_parameter  a parameter with a default ignored: every read of it replaced by the default;
    fixed_point        an input replaced by a fixed point: every read of `x` becomes `(x * 0 + 1)`;
    cached_result      the first call's result returned by every later call (an object kept between calls).
    """
    for fn in functions:
        args = fn.args.args
        defaults = dict(zip([a.arg for a in args[len(args) - len(fn.args.defaults):]], fn.args.defaults))
        for arg in args:
            reads = [n for n in _loads(fn, arg.arg) if inside(n)]
            if not reads or arg.arg in ("self", "cls"):
                continue
            if arg.arg in defaults:
                text = ast.unparse(defaults[arg.arg])
                yield "ignored_parameter", reads[0].lineno, splicer.replace_all([(n, f"({text})") for n in reads])
            if _used_as_value(fn, arg.arg):
                yield "fixed_point", reads[0].lineno, splicer.replace_all(
                    [(n, f"({arg.arg} * 0 + 1)") for n in reads])
        returns = [n for n in ast.walk(fn) if isinstance(n, ast.Return) and n.value is not None and inside(n)]
        if returns:
            key = repr(fn.name)
            edits = [(r.value, f"_MUTANT_CACHE.setdefault({key}, {ast.unparse(r.value)})") for r in returns]
            yield "cached_result", returns[0].lineno + 1, "_MUTANT_CACHE = {}\n" + splicer.replace_all(edits)


def mutants(source, forbidden=()):
    """All distinct, compilable mutants of the solution in a cell's `source` (operators, then forbidden calls)."""
    spans = solution_lines(source)
    tree = parse(source)
    inside = lambda n: any(a <= n.lineno and n.end_lineno <= b for a, b in spans)
    inside_any = lambda n: any(a <= n.end_lineno and n.lineno <= b for a, b in spans)  # overlaps a solution
    nodes = sorted((n for n in ast.walk(tree) if hasattr(n, "lineno") and inside(n)),
                   key=lambda n: (n.lineno, n.col_offset, -n.end_lineno, -n.end_col_offset))
    splicer, bare = _Splicer(source), _bare_children(tree)
    if not any(isinstance(n, (ast.FunctionDef, ast.ClassDef)) for n in ast.walk(tree)):
        for n in ast.walk(tree):  # a value answer: every number in it matters
            n.in_value_answer = True
    skip = _skipped(tree)
    seen, out = {_canonical(source)}, []

    def add(operator, lineno, new_source):
        key = _canonical(new_source)
        if key is None or key in seen:
            return
        try:
            compile(new_source, "<mutant>", "exec")
        except (SyntaxError, ValueError):
            return
        seen.add(key)
        out.append(Mutant(operator, _line(source, lineno), _line(new_source, lineno), new_source))

    order = list(OPERATORS)
    found = [(order.index(name), k, node.lineno, name, splicer.replace(node, new, id(node) in bare))
             for k, node in enumerate(nodes) for name, operator in OPERATORS.items()
             if (name, id(node)) not in skip for new in operator(node)]
    for _, _, lineno, name, new_source in sorted(found, key=lambda f: f[:2]):
        add(name, lineno, new_source)
    position = {(f[3], f[4]): (f[1], f[0]) for f in found}
    out.sort(key=lambda m: position[m.operator, m.source])  # back in the order of the source
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and inside_any(n)]
    for operator, lineno, new_source in _function_mutants(source, functions, splicer, inside):
        before = len(out)
        add(operator, lineno, new_source)
        if len(out) > before and operator == "cached_result":  # one line added at the top
            out[-1].line = _line(source, lineno - 1)
    lines = source.splitlines(keepends=True)
    for group in forbidden:
        plants = {f"forbidden:{group}": FORBIDDEN_CALLS[group], f"forbidden_alias:{group}": FORBIDDEN_ALIASES[group],
                  f"forbidden_thread:{group}": "import threading; _t = threading.Thread(target=lambda: "
                                               f"{FORBIDDEN_CALLS[group]}); _t.start(); _t.join()"}
        for fn in functions:
            first = next((s for s in fn.body if inside(s)), fn.body[0])
            for operator, plant in plants.items():
                call = " " * first.col_offset + plant + "\n"
                before = len(out)
                add(operator, fn.lineno, "".join(lines[:first.lineno - 1]) + call + "".join(lines[first.lineno - 1:]))
                if len(out) > before:
                    out[-1].mutated = call.strip()
        table = f"_TABLE = {FORBIDDEN_CALLS[group]}  # made once, at the top of the cell\n"
        before = len(out)
        add(f"forbidden_table:{group}", 1, table + source)
        if len(out) > before:
            out[-1].line, out[-1].mutated = "(the top of the cell)", table.strip()
    return out
