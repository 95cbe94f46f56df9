"""Demonstration cells: locked cells that only show the student something, left out when grading.

A locked, ungraded cell whose first line starts with ``# Demonstration`` draws a plot or prints a
table for the student; no test reads what it computes. When the grader runs a notebook, such a cell
is not run (its output says so), provided that
- it is exactly the instructor's cell (the source the gradebook holds: a student cannot mark one),
- at top level it assigns no attribute or item of what it did not create, and star-imports nothing,
- no cell that does run (the student's own cells included) may read a name it binds: a name read
  before the reading cell binds it, or read anywhere inside a function, a lambda or a class.
A cell that reads names dynamically (eval, globals, get_ipython, …) keeps every demonstration running.
Authors keep such cells free of side effects that later cells could see (seeds, global settings).
"""
import ast
import symtable

from .cells import is_graded, is_instructor_code
from .names import bindings, bindings_of, parse_cell

MARK = "# Demonstration"
NOT_RUN = "[a demonstration for the student: not run when grading]\n"
DYNAMIC = {"eval", "exec", "globals", "vars", "locals", "get_ipython", "__builtins__", "__import__", "dir"}
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def is_marked(source):
    """Whether a cell's first line marks it as a demonstration."""
    return source.lstrip().startswith(MARK)


def reads(source):
    """The global names a cell may read (see the module docstring); None when it may read any."""
    source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%matplotlib"))
    tree = parse_cell(source)
    if tree is None:
        return None
    if {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} & DYNAMIC:
        return None
    try:
        table = symtable.symtable(ast.unparse(tree), "<cell>", "exec")
    except (SyntaxError, ValueError):
        return None
    return _globals_of_inner_scopes(table) | _read_before_bound(tree.body, set())


def _read_before_bound(statements, bound):
    """Names the `statements` load before they have surely bound them; `bound` grows with what they
    surely bind (a loop's, a branch's or a try's bindings count inside it only)."""
    found = set()
    for stmt in statements:
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            found |= _loads_now(stmt.iter) - bound
            found |= _read_before_bound(stmt.body, bound | bindings_of(ast.Assign([stmt.target], None)))
            found |= _read_before_bound(stmt.orelse, set(bound))
        elif isinstance(stmt, (ast.If, ast.While)):
            found |= _loads_now(stmt.test) - bound
            found |= _read_before_bound(stmt.body, set(bound)) | _read_before_bound(stmt.orelse, set(bound))
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                found |= _loads_now(item.context_expr) - bound
                if item.optional_vars is not None:
                    bound |= bindings_of(ast.Assign([item.optional_vars], None))
            found |= _read_before_bound(stmt.body, bound)
        elif isinstance(stmt, ast.Try):
            for block in (stmt.body, *(h.body for h in stmt.handlers), stmt.orelse, stmt.finalbody):
                found |= _read_before_bound(block, set(bound))
            found |= {n.id for h in stmt.handlers if h.type for n in ast.walk(h.type) if isinstance(n, ast.Name)}
        else:
            found |= _loads_now(stmt) - bound
            bound |= bindings_of(stmt)
    return found


def _globals_of_inner_scopes(table):
    """Global names read inside the functions, lambdas and classes a cell defines (they may run later)."""
    found = set()
    for child in table.get_children():
        found |= {s.get_name() for s in child.get_symbols() if s.is_referenced() and s.is_global()}
        found |= _globals_of_inner_scopes(child)
    return found


def _loads_now(node):
    """Names loaded while a top-level statement runs (not inside the bodies it defines); `x += …` and
    `del x` read x too (they fail where x is unbound)."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Load, ast.Del)):
        return {node.id}
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        return {node.target.id} | _loads_now(node.value)
    if isinstance(node, _NESTED):  # only what runs at definition: decorators, defaults, bases
        parts = [*node.decorator_list] if hasattr(node, "decorator_list") else []
        parts += [*getattr(node, "bases", []), *getattr(node, "keywords", [])]
        if hasattr(node, "args"):
            parts += [*node.args.defaults, *[d for d in node.args.kw_defaults if d is not None]]
    else:
        parts = list(ast.iter_child_nodes(node))
    return set().union(*(_loads_now(p) for p in parts))


def mutates_outside(source):
    """Whether a cell assigns an attribute or an item of something it did not create at top level."""
    tree = parse_cell(source)
    if tree is None:
        return True
    bound = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.Assign, ast.Delete)):
            targets = stmt.targets
        elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
            targets = [stmt.target]
        else:
            targets = []
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, (ast.Attribute, ast.Subscript)):
                    root = node.value
                    while isinstance(root, (ast.Attribute, ast.Subscript, ast.Call)):
                        root = root.value if not isinstance(root, ast.Call) else root.func
                    if not (isinstance(root, ast.Name) and root.id in bound):
                        return True
        bound |= bindings_of(stmt)
    return False


def skipped(cells, trusted):
    """Indices of the notebook `cells` that grading leaves out; `trusted`: grade id -> the
    instructor's source of each locked cell (from the gradebook), or None when it is unknown."""
    if trusted is None:
        return set()
    candidates = {}
    for i, cell in enumerate(cells):
        if is_instructor_code(cell, trusted) and not is_graded(cell) and is_marked(cell.source):
            bound, _, star = bindings(cell.source)
            if not star and not mutates_outside(cell.source):
                candidates[i] = bound
    reading = {i: reads(c.source) for i, c in enumerate(cells) if c.cell_type == "code" and c.source.strip()}
    skip = set(candidates)
    while skip:
        running = [r for i, r in reading.items() if i not in skip]
        if any(r is None for r in running):
            return set()
        needed = set().union(*running)
        keep = {i for i in skip if candidates[i] & needed}
        if not keep:
            break
        skip -= keep
    return skip
