"""Rules a statement states: forbid() at run time (dlcourse/rules.py), the static check (dlcourse/notebook/tasks.py)."""
import copy
import sys
import threading
import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlcourse import rules
from dlcourse.checks import CheckError, check_int
from dlcourse.notebook import tasks

X = torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 4.0]], dtype=torch.float64)
W = torch.randn(4, 3, dtype=torch.float64)


def _forbidden(groups, fn):
    """The message of running `fn` under forbid(groups), or None when it passes."""
    try:
        with rules.forbid("Task 9.9", "the formula by hand", groups):
            fn()
    except CheckError as exc:
        return str(exc)
    return None


# ---------------------------------------------------------------- what forbid sees

def test_forbid_names_the_task_the_rule_and_the_call():
    assert _forbidden(["softmax"], lambda: torch.softmax(X, 1)) == \
        "Task 9.9 asks for the formula by hand: your code called `torch.softmax`"


def test_forbid_sees_aliases_methods_getattr_and_modules():
    alias, smx = F, torch.softmax
    for fn in (lambda: alias.softmax(X, 1), lambda: smx(X, 1), lambda: X.softmax(1),
               lambda: getattr(torch, "soft" + "max")(X, 1), lambda: nn.Softmax(dim=1)(X),
               lambda: __import__("torch").nn.functional.log_softmax(X, 1)):
        assert "softmax" in _forbidden(["softmax"], fn)
    assert "`F.cross_entropy`" in _forbidden(["cross_entropy"], lambda: F.cross_entropy(X, torch.tensor([0, 2])))
    assert "`F.linear`" in _forbidden(["linear"], lambda: nn.Linear(3, 2, dtype=torch.float64)(X))
    assert "torch.nn" in _forbidden(["modules"], lambda: nn.Linear(3, 2, device="meta"))


def test_forbid_refuses_the_computation_under_any_name():
    """torch.ops overloads, torch._C bindings, torch.sparse, another loss, fused optimizer kernels."""
    cases = {
        "softmax": [lambda: torch.ops.aten._softmax(X, 1, False), lambda: torch.ops.aten.softmax.int(X, 1),
                    lambda: torch._C._VariableFunctions._log_softmax(X, 1, False),
                    lambda: torch.sparse.softmax(X.to_sparse(), 1), lambda: torch.special.softmax(X, 1)],
        "cross_entropy": [lambda: F.kl_div(X.log_softmax(1), X.softmax(1), reduction="batchmean"),
                          lambda: torch.ops.aten.nll_loss_forward(X, torch.tensor([0, 1]), None, 1, -100),
                          lambda: F.binary_cross_entropy_with_logits(X, X.sigmoid())],
        "linear": [lambda: torch._C._nn.linear(X, W), lambda: torch.ops.aten.linear(X, W),
                   lambda: nn.Linear.forward(type("L", (), {"weight": W, "bias": None})(), X)],
        "dropout": [lambda: torch.ops.aten.native_dropout(X, 0.5, True), lambda: torch._VF.dropout(X, 0.5, True)],
        "optim": [lambda: torch._fused_sgd_([X.clone()], [X], [], weight_decay=0.0, momentum=0.0, lr=0.1,
                                            dampening=0.0, nesterov=False, maximize=False, is_first_step=True),
                  lambda: torch._foreach_add_([X.clone()], [X])],
        "clip_grad": [lambda: torch._foreach_norm([X])],
        "autograd": [lambda: torch.ops.aten.tanh_backward(X, X.tanh()),
                     lambda: torch.nn.grad.conv2d_weight(torch.randn(1, 1, 4, 4), (1, 1, 2, 2),
                                                         torch.randn(1, 1, 3, 3))],
    }
    for group, fns in cases.items():
        for fn in fns:
            assert _forbidden([group], fn), (group, fn)


def test_forbid_sees_autograd_however_it_is_reached():
    def leaf():
        return X.clone().requires_grad_(True)

    def backward():
        z = leaf()
        (z * z).sum().backward()

    def engine():  # the engine's private entry point
        z = leaf()
        torch.autograd.Variable._execution_engine.run_backward(((z * z).sum(),), (torch.ones((), dtype=z.dtype),),
                                                               False, False, (z,), True, False)

    def grad_fn():  # a node of the graph called directly
        z = leaf()
        (z * z).sum().grad_fn(torch.ones((), dtype=z.dtype))

    def forward_mode():
        import torch.autograd.forward_ad as fw
        with fw.dual_level():
            fw.unpack_dual(torch.tanh(fw.make_dual(X, torch.ones_like(X)))).tangent

    def in_enable_grad():
        with torch.enable_grad():
            backward()

    assert "`Tensor.backward`" in _forbidden(["autograd"], backward)
    def grad():
        z = leaf()
        return torch.autograd.grad((z * z).sum(), z)

    assert "`torch.autograd.grad`" in _forbidden(["autograd"], grad)
    for fn in (engine, grad_fn, forward_mode, lambda: torch.func.grad(lambda t: (t * t).sum())(X),
               lambda: torch.func.jacrev(torch.sin)(X), lambda: torch.func.jvp(torch.sin, (X,), (X,))):
        assert _forbidden(["autograd"], fn), fn
    with torch.no_grad():  # a check that switches autograd off cannot be escaped with enable_grad
        assert "`torch.enable_grad`" in _forbidden(["autograd"], in_enable_grad)
        assert _forbidden(["autograd"], lambda: torch.autograd.functional.jacobian(lambda t: 2 * t, X))


def test_vmap_is_batching_not_autograd():
    assert _forbidden(["autograd"], lambda: torch.vmap(lambda row: row * row.sum())(X)) is None


def test_a_check_switched_off_from_inside_fails():
    def disabled():
        with torch._C.DisableTorchFunction():
            torch.softmax(X, 1)

    def popped():
        mode = torch._C._pop_torch_function_stack()
        try:
            torch.exp(X)
        finally:
            torch._C._push_on_torch_function_stack(mode)

    def profile_off():
        sys.setprofile(None)
        torch.optim.SGD([nn.Parameter(torch.ones(1))], lr=0.1)

    for fn, groups in ((disabled, ["softmax"]), (popped, ["softmax"]), (profile_off, ["optim"])):
        message = _forbidden(groups, fn)
        assert message and ("switched off" in message or "setprofile" in message or "past the rule" in message), \
            (fn, message)


def _refused_at_entry():
    """A rule check entered now fails before it runs anything, saying the checks need one thread."""
    with pytest.raises(CheckError, match="one thread"):
        with rules.forbid("Task 9.9", "the formula by hand", ["softmax"]):
            pass


def test_one_thread_no_processes():
    def thread():
        t = threading.Thread(target=lambda: torch.softmax(X, 1))
        t.start()
        t.join()

    def pool():
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(1) as p:
            p.submit(torch.softmax, X, 1).result()

    def subprocess_():
        import subprocess
        subprocess.run(["true"])

    for fn in (thread, pool, subprocess_):
        assert "thread" in _forbidden(["softmax"], fn) or "process" in _forbidden(["softmax"], fn)
    stop = threading.Event()

    def waits():  # notebook code running in another thread
        stop.wait()

    worker = threading.Thread(target=waits, daemon=True)
    worker.start()
    try:
        _refused_at_entry()
    finally:
        stop.set()
        worker.join()
    assert _forbidden(["softmax"], lambda: None) is None  # once it has ended


def test_an_idle_pool_is_fine_and_work_handed_to_it_is_seen():
    # asyncio's default executor leaves idle workers behind in a kernel: they run nothing of the
    # student's, so a rule check goes ahead; work handed to them during the check is a rule broken.
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(2, thread_name_prefix="asyncio") as pool:
        pool.submit(int).result()  # an idle worker stays
        assert _forbidden(["softmax"], lambda: torch.exp(X) / torch.exp(X).sum(1, keepdim=True)) is None
        assert "concurrent.futures" in _forbidden(["softmax"], lambda: pool.submit(torch.softmax, X, 1).result())
        stop = threading.Event()
        busy = pool.submit(stop.wait)  # a worker in the middle of a job handed to it
        try:
            while not busy.running():
                time.sleep(0.01)
            time.sleep(0.1)
            _refused_at_entry()
        finally:
            stop.set()
            busy.result()


def test_forbid_records_a_call_the_student_code_catches():
    def sneaky():
        try:
            torch.softmax(X, 1)
        except Exception:  # noqa: BLE001
            pass
        return torch.exp(X) / torch.exp(X).sum(1, keepdim=True)

    assert "`torch.softmax`" in _forbidden(["softmax"], sneaky)


def test_honest_code_passes_every_rule():
    """What correct answers do: arithmetic, reductions, conversions, printing, indexing, NumPy, meta tensors."""
    def honest():
        y = X @ W.T + 1.0
        z = torch.exp(y - y.max(-1, keepdim=True).values)
        z = z / z.sum(-1, keepdim=True)
        float(z[0, 0]), z.tolist(), len(z), bool(z[0, 0] > 0), np.asarray(z), repr(z), copy.deepcopy(z), list(z)
        z[0] = 1.0
        torch.logsumexp(y, -1), torch.randn(3, generator=torch.Generator().manual_seed(1)), torch.tensor([1.0])
        p = nn.Parameter(torch.ones(3))
        p.grad = torch.ones(3)
        p.grad.mul_(2).clamp_(-1, 1)
        torch.zeros(2, device="meta") * 2, X.to(torch.float32).clone().detach(), torch.bernoulli(torch.full((3,), 0.5))
        with torch.no_grad():
            p * 2
        return z

    for groups in (["softmax", "cross_entropy"], ["autograd"], ["optim"], ["linear", "modules"], ["clip_grad"],
                   ["dropout"], ["calculate_gain"]):
        assert _forbidden(groups, honest) is None, groups
    assert _forbidden(["torch"], lambda: (len((2, 3)), torch.Size([2, 3]).numel())) is None


def test_forbid_lets_the_checks_own_errors_through():
    with pytest.raises(CheckError, match="expected 2, found 1"):
        with rules.forbid("Task 9.9", "the formula by hand", ["softmax"]):
            check_int("n", 1, 2)
    with pytest.raises(ZeroDivisionError):
        with rules.forbid("Task 9.9", "the formula by hand", ["softmax"]):
            1 / 0


def test_gradients_by_autograd_are_told_from_a_decoy():
    x, w, b = torch.randn(3, 2), torch.randn(4, 2), torch.randn(4)

    def by_autograd(x, w, b):
        w, b = w.clone().requires_grad_(), b.clone().requires_grad_()
        (x @ w.T + b).sum().backward()
        return w.grad, b.grad

    def decoy(x, w, b):  # calls backward on something else and types in the closed form
        torch.zeros(1, requires_grad=True).sum().backward()
        return x.sum(0).expand(4, 2).clone(), torch.full((4,), 3.0)

    for fn, honest in ((by_autograd, True), (decoy, False)):
        with rules.autograd_outputs() as computed:
            dw, db = fn(x, w, b)
        try:
            rules.check_by_autograd("dW", dw, computed, "Task 5.2")
            rules.check_by_autograd("db", db, computed, "Task 5.2")
            assert honest
        except CheckError as exc:
            assert not honest and "computed by autograd" in str(exc)


# ---------------------------------------------------------------- the static check of the answer cell

SETUP = "import torch\nimport torch.nn.functional as F\nfrom torch import nn\nimport threading\n"


def _findings(source, groups):
    return [what for _, what in tasks.rule_findings(source, groups, tasks.module_aliases([SETUP]))]


def test_static_check_finds_what_no_hook_sees():
    table = "_TABLE = F.softmax(torch.eye(3), 1)\ndef softmax(z):\n    return _TABLE[z.argmax(-1)]\n"
    assert _findings(table, ["softmax"])
    for source in ("def f(z):\n    return torch._C._nn.linear(z, z)\n",
                   "def f(z):\n    return torch.ops.aten._softmax(z, -1, False)\n",
                   "import sys\ndef f(z):\n    sys.setprofile(None)\n    return z\n",
                   "from concurrent.futures import ThreadPoolExecutor\n",
                   "def f(z):\n    t = threading.Thread(target=print)\n    return z\n",
                   "import _thread\n",
                   "def f(z):\n    return z._fw_primal(0)\n",
                   "class T(torch.Tensor):\n    def __torch_function__(cls, *a):\n        pass\n",
                   "from dlcourse.rules import forbid\n"):
        assert _findings(source, ["softmax"]), source
    assert _findings("def f(x):\n    return torch.zeros(1)\n", ["torch"])
    assert _findings("def f(x):\n    y = x.clone().requires_grad_()\n    return y\n", ["autograd"])
    assert _findings("def f(x, w):\n    return nn.Linear(3, 2)(x)\n", ["modules"])
    assert _findings("from torch.nn.functional import softmax as s\ndef f(z):\n    return s(z, -1)\n", ["softmax"])


def test_static_check_leaves_honest_code_alone():
    honest = ("def softmax(z):\n    e = torch.exp(z - z.max(-1, keepdim=True).values)\n"
              "    return e / e.sum(-1, keepdim=True)\n\n"
              "def cross_entropy(z, t):\n    p = softmax(z)  # our own\n"
              "    return -torch.log(p[range(len(t)), t]).mean()\n"
              "print(torch.logsumexp(torch.zeros(3), 0), F.one_hot(torch.tensor([1]), 3))\n")
    assert _findings(honest, ["softmax", "cross_entropy"]) == []
    assert _findings("def f(x):\n    with torch.no_grad():\n        return x.detach() * 2\n", ["autograd"]) == []
    assert _findings("def f(x, w, b):\n    return x @ w.T + b\n", ["linear", "modules"]) == []
    assert _findings("def f(s, n):\n    return tuple(s)\n", ["torch"]) == []
    assert _findings("class A:\n    def __init__(self):\n        self._n = 0\n", ["optim"]) == []
    assert _findings("anything = 1\n", []) == []


def test_rule_verdicts_fail_the_tests_of_the_task_whose_cell_breaks_its_rule():
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    def nbg(gid, **kw):
        return {"nbgrader": {"grade_id": gid, "schema_version": 3, "locked": kw.get("locked", False),
                             "solution": kw.get("solution", False), "grade": kw.get("grade", False), "points": 1}}
    nb = new_notebook(cells=[
        new_code_cell(SETUP, metadata=nbg("imports", locked=True)),
        new_markdown_cell("**Task 1.1.** Write `softmax(z)`, not with `torch.softmax`.",
                          metadata=nbg("md", locked=True)),
        new_code_cell("_T = torch.softmax(torch.eye(2), 1)\ndef softmax(z):\n    return _T",
                      metadata=nbg("softmax", solution=True)),
        new_code_cell("softmax(1)", metadata=nbg("test_softmax", locked=True, grade=True)),
        new_markdown_cell("**Task 1.2.** Write `double(z)`.", metadata=nbg("md2", locked=True)),
        new_code_cell("def double(z):\n    return torch.softmax(z, 0) * 0 + 2 * z",
                      metadata=nbg("double", solution=True)),
        new_code_cell("double(1)", metadata=nbg("test_double", locked=True, grade=True)),
    ])
    nb = nbformat.from_dict(nb)
    verdicts = tasks.rule_verdicts(nb)
    assert list(verdicts) == [3]  # Task 1.2 states no rule
    assert verdicts[3].startswith("Task 1.1: line 1 of your answer cell uses `torch.softmax`")


def test_numpy_round_trips_and_legacy_constructors_are_not_a_bypass():
    a = np.arange(6.0).reshape(2, 3)
    for fn in (lambda: torch.from_numpy(X.numpy() @ a.T), lambda: torch.Tensor(a), lambda: torch.FloatTensor([1.0]),
               lambda: __import__("pickle").loads(__import__("pickle").dumps(X))):
        assert _forbidden(["softmax", "linear", "modules", "autograd"], fn) is None


def test_static_check_sees_modules_reached_by_name_and_functions_rebuilt_from_code():
    for source in ('import importlib\n_adam = importlib.import_module("torch.optim.adam")\n',
                   'import types\ndef f(g):\n    return types.FunctionType(g.__code__, {})\n',
                   'def f(g):\n    return g.__globals__\n'):
        assert _findings(source, ["optim"]), source
