"""What a cell's code binds and reads at top level, from its syntax tree (nothing is run)."""
import ast
import threading

_AST_LOCK = threading.Lock()


def parse(source, mode="exec"):
    """``ast.parse``, one thread at a time: CPython 3.11 counts the depth of the tree it builds in one
    counter per process, so two threads parsing at once can fail with "SystemError: AST constructor
    recursion depth mismatch" (python/cpython#106905). The grader parses in several threads."""
    with _AST_LOCK:
        return ast.parse(source, mode=mode)


def parse_cell(source):
    """The AST of a cell's source (IPython magics turned into Python first); None if it has none."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        source = TransformerManager().transform_cell(source)
    except Exception:
        pass
    try:
        return parse(source)
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
