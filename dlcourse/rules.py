"""The rules a task states ("without autograd", "no built-in softmax"), enforced where the work happens.

``forbid(task, rule, groups)`` runs a student's call and fails, naming what was called and the
rule, when the call does what one of the `groups` forbids, under whatever name it was reached:

- a torch *function* mode sees every torch function, method and operator, however it was
  imported or aliased (``F.softmax``, ``torch._C._nn.linear``, ``torch.ops.aten.linear``);
- a torch *dispatch* mode sees every ATen operation below that, so a computation is refused by
  what it is, not by its Python name: ``aten._softmax`` reached through ``torch.sparse`` or
  ``F.kl_div``, the fused kernels ``torch.optim`` calls, the backward operations autograd runs;
- a profile hook sees the plain-Python functions of ``torch.optim``, gradient clipping and
  ``calculate_gain`` (by code object);
- the call runs in one thread: starting a thread or a process, or handing work to a pool, fails,
  and so does a rule check entered while threads the notebook started are running (idle pool
  workers, such as asyncio's, are fine).

A check switched off from inside counts as breaking the rule: an operation that reaches the
dispatch mode without passing the function mode (``torch._C.DisableTorchFunction``, a popped
mode, a ``grad_fn`` node called directly), a replaced profile hook (``sys.setprofile``), a mode
missing from its stack when the call returns. What no run-time hook can see (a forbidden call
at the top of the cell, private torch APIs, hooks installed ahead of time) is read from the
answer cell when grading (``dlcourse.notebook.tasks.rule_findings``).

``autograd_outputs()`` is the other way round: it records what autograd's engine computed, so
a task that asks for gradients *by autograd* can check that the answer is one of them.

The module is long because the hooks (function mode, dispatch mode, profile hook, threads) and the
catalogue of forbidden operations they share must agree; each piece is short.
"""
import _thread
import contextlib
import functools
import inspect
import sys
import threading
import types
from concurrent.futures.thread import ThreadPoolExecutor, _WorkItem

import torch
import torch.nn.functional as F
from torch.nn.utils import clip_grad as _clip_grad
from torch.overrides import TorchFunctionMode, _get_current_function_mode_stack
from torch.utils._python_dispatch import TorchDispatchMode, _get_current_dispatch_mode_stack

from .checks import CheckError, as_tensor, calling_line, fail, is_students, students_frames, tolerance
from .i18n import marked, translate


def _package_functions(package):
    """Every Python function and method defined in `package` and its loaded submodules, with a name."""
    found, prefix = {}, package.__name__
    for name, module in list(sys.modules.items()):
        if module is None or (name != prefix and not name.startswith(prefix + ".")):
            continue
        for obj in list(vars(module).values()):
            members = vars(obj).values() if isinstance(obj, type) else [obj]
            for f in members:
                f = getattr(f, "__func__", f)
                if inspect.isfunction(inspect.unwrap(f)) and str(getattr(f, "__module__", "")).startswith(prefix):
                    found[f] = f"{prefix} ({f.__qualname__})"
    return found


_TENSOR = torch.Tensor
_LOSSES = {getattr(F, n): f"F.{n}" for n in dir(F)
           if (n.endswith("_loss") or n in ("cross_entropy", "kl_div", "binary_cross_entropy",
                                           "binary_cross_entropy_with_logits"))
           and callable(getattr(F, n))}
# Python objects per group, for the function mode (and by code object for PYTHON_GROUPS).
FORBIDDEN = {
    "autograd": {
        _TENSOR.backward: "Tensor.backward", torch.autograd.grad: "torch.autograd.grad",
        torch.autograd.backward: "torch.autograd.backward",
        torch.ops.aten.convolution_backward: "torch.nn.grad (torch's own convolution backward)",
    },
    "softmax": {
        torch.softmax: "torch.softmax", F.softmax: "F.softmax", _TENSOR.softmax: "Tensor.softmax",
        torch.log_softmax: "torch.log_softmax", F.log_softmax: "F.log_softmax",
        _TENSOR.log_softmax: "Tensor.log_softmax", torch._softmax: "torch._softmax",
        torch._log_softmax: "torch._log_softmax", torch.special.softmax: "torch.special.softmax",
        torch.special.log_softmax: "torch.special.log_softmax", F.softmin: "F.softmin",
        torch.sparse.softmax: "torch.sparse.softmax", torch.sparse.log_softmax: "torch.sparse.log_softmax",
        torch.masked.softmax: "torch.masked.softmax", torch.masked.log_softmax: "torch.masked.log_softmax",
        torch.masked.softmin: "torch.masked.softmin",
    },
    "cross_entropy": _LOSSES,  # every built-in loss: one of them equals the cross-entropy on some input
    "linear": {F.linear: "F.linear", F.bilinear: "F.bilinear"},
    "modules": {},  # module construction and calls, seen through torch's global module hooks
    "clip_grad": {
        _clip_grad.clip_grad_value_: "torch.nn.utils.clip_grad_value_",
        _clip_grad.clip_grad_norm_: "torch.nn.utils.clip_grad_norm_",
        _clip_grad.clip_grad_norm: "torch.nn.utils.clip_grad_norm",
        _clip_grad._get_total_norm: "torch.nn.utils.get_total_norm",
        _clip_grad._clip_grads_with_norm_: "torch.nn.utils.clip_grads_with_norm_",
    },
    "torch": {},  # any torch function or operation at all, for a task to be done without torch
    "calculate_gain": {torch.nn.init.calculate_gain: "nn.init.calculate_gain"},
    "dropout": {
        F.dropout: "F.dropout", F.dropout1d: "F.dropout1d", F.dropout2d: "F.dropout2d", F.dropout3d: "F.dropout3d",
        F.alpha_dropout: "F.alpha_dropout", F.feature_alpha_dropout: "F.feature_alpha_dropout",
        torch.dropout: "torch.dropout", torch.dropout_: "torch.dropout_", torch.native_dropout: "torch.native_dropout",
        torch.alpha_dropout: "torch.alpha_dropout", torch.feature_dropout: "torch.feature_dropout",
        torch.feature_alpha_dropout: "torch.feature_alpha_dropout",
    },
    "optim": _package_functions(torch.optim),  # optimizers, their functional forms, LR schedulers
}
PYTHON_GROUPS = {"clip_grad", "calculate_gain", "optim"}  # plain Python: watched with sys.setprofile

# ATen operations per group: what the computation is, whatever Python name reached it. The
# function mode also refuses a C function or a torch.ops overload of one of these names.
ATEN = {
    "softmax": {"softmax", "log_softmax", "_softmax", "_log_softmax", "_safe_softmax", "special_softmax",
                "special_log_softmax", "_softmax_backward_data", "_log_softmax_backward_data", "_sparse_softmax",
                "_sparse_log_softmax", "_sparse_softmax_backward_data", "_sparse_log_softmax_backward_data",
                "_masked_softmax", "_masked_softmax_backward"},
    "cross_entropy": {"cross_entropy_loss", "nll_loss", "nll_loss_nd", "nll_loss_forward", "nll_loss2d",
                      "nll_loss2d_forward", "nll_loss_backward", "nll_loss2d_backward", "binary_cross_entropy",
                      "binary_cross_entropy_with_logits", "binary_cross_entropy_backward", "kl_div",
                      "poisson_nll_loss", "multilabel_margin_loss", "multilabel_margin_loss_forward",
                      "multi_margin_loss", "soft_margin_loss", "ctc_loss", "_ctc_loss", "huber_loss",
                      "smooth_l1_loss", "mse_loss", "l1_loss", "margin_ranking_loss", "hinge_embedding_loss",
                      "cosine_embedding_loss", "triplet_margin_loss"},
    "linear": {"linear", "bilinear", "_trilinear", "mkldnn_linear", "_addmm_activation"},
    "dropout": {"dropout", "dropout_", "feature_dropout", "feature_dropout_", "alpha_dropout", "alpha_dropout_",
                "feature_alpha_dropout", "feature_alpha_dropout_", "native_dropout", "native_dropout_backward",
                "_fused_dropout", "_masked_scale"},
    "autograd": {"_make_dual", "_unpack_dual", "make_dual", "unpack_dual", "_fw_primal"},
}
PREFIXES = {"optim": ("_fused_", "_foreach_"), "clip_grad": ("_foreach_",)}  # the kernels they run on


def _is_backward(name):
    """True for a ready-made gradient: convolution_backward, tanh_backward, _softmax_backward_data, …"""
    return name.endswith("_backward") or "_backward_" in name


def _grad_transform():
    """True inside a torch.func transform that differentiates (grad, vjp, jacrev, jvp, …); vmap is not one."""
    if torch._C._functorch.maybe_current_level() is None:
        return False
    from torch._functorch.pyfunctorch import retrieve_all_functorch_interpreters
    kinds = {str(i.key()).rpartition(".")[2] for i in retrieve_all_functorch_interpreters()}
    return bool(kinds & {"Grad", "Jvp"})


class _Watch:
    """What one forbid() call watches, and the first forbidden thing it saw."""

    def __init__(self, groups):
        self.groups = frozenset(groups)
        self.names = {f: n for g in self.groups for f, n in FORBIDDEN[g].items()}
        self.aten = frozenset().union(*(ATEN.get(g, ()) for g in self.groups))
        self.prefixes = tuple(p for g in self.groups for p in PREFIXES.get(g, ()))
        self.grad_was_on = torch.is_grad_enabled()
        self.called = None
        self.where = None  # the student's line that made the first forbidden call
        self.depth = 0  # > 0 while the function mode runs a call

    def note(self, what):
        """Remember the first forbidden call (student code cannot catch its way out of it)."""
        if self.called is None:
            self.called, self.where = what, calling_line(sys._getframe(1))
        raise CheckError(f"called {what}")

    def denied(self, op):
        """True when the ATen operation named `op` is a computation the groups forbid."""
        if op in self.aten or (self.prefixes and op.startswith(self.prefixes)):
            return True
        return "autograd" in self.groups and _is_backward(op)

    def function(self, func, args):
        """The name of `func` when calling it breaks a rule, else None."""
        try:
            name = self.names.get(func)
        except TypeError:  # unhashable
            name = None
        if name is not None:
            return name
        if "torch" in self.groups:
            return torch.overrides.resolve_name(func) or getattr(func, "__name__", repr(func))
        op = _op_name(func)
        if isinstance(op, str) and self.denied(op):
            return torch.overrides.resolve_name(func) or f"torch.ops.aten.{op}"
        if "autograd" in self.groups:
            if func is torch._C._set_grad_enabled and args and args[0] and not self.grad_was_on:
                return "torch.enable_grad"
            if _grad_transform():
                return "a torch.func transform that differentiates (grad, vjp, jacrev, jvp, …)"
        return None


def _op_name(func):
    """`_softmax` for torch.ops.aten._softmax(.default), the C function's name for a builtin, else None."""
    if isinstance(func, torch._ops.OpOverload):
        return func._opname
    if isinstance(func, torch._ops.OpOverloadPacket):
        return func._qualified_op_name.rpartition("::")[2]
    return getattr(func, "__name__", None) if isinstance(func, (types.BuiltinFunctionType,
                                                                 types.MethodDescriptorType)) else None


class _Functions(TorchFunctionMode):
    """Every torch function, method and operator the call makes."""

    def __init__(self, watch):
        super().__init__()
        self.watch = watch

    def __torch_function__(self, func, types, args=(), kwargs=None):
        watch = self.watch
        name = watch.function(func, args)
        if name is not None:
            watch.note(f"`{name}`")
        watch.depth += 1
        try:
            return func(*args, **(kwargs or {}))
        finally:
            watch.depth -= 1


class _Mode(TorchDispatchMode):
    """A dispatch mode without torch.compile's wrapper (which imports torch._dynamo: a second, once)."""

    @classmethod
    def _should_skip_dynamo(cls):
        return False


class _Operations(_Mode):
    """Every ATen operation below the function mode, and whether it came through the function mode."""

    def __init__(self, watch):
        super().__init__()
        self.watch = watch

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        watch, op = self.watch, func._opname
        if watch.depth == 0:  # not through the function mode: only tensor construction may (torch.from_numpy)
            if not torch._C._is_torch_function_enabled() or torch._C._len_torch_function_stack() == 0:
                watch.note(f"`aten.{op}` with the rule check switched off (torch._C.DisableTorchFunction or "
                           "a popped mode)")
            if op not in _CONSTRUCTION:
                watch.note(f"`aten.{op}` past the rule check (a grad_fn node called directly, or another "
                           "private entry point)")
        if "torch" in watch.groups or watch.denied(op):
            watch.note(f"`aten.{op}` (a computation this rule forbids, whatever name reached it)")
        if "autograd" in watch.groups and torch._C._current_graph_task_id() != -1:
            watch.note("autograd (its backward engine ran)")
        return func(*args, **(kwargs or {}))


# What torch functions that torch.overrides leaves out run (torch.from_numpy, torch.Tensor(array), pickling).
_CONSTRUCTION = {"lift_fresh", "lift_fresh_copy", "_to_copy", "set_", "alias", "detach", "empty", "empty_strided",
                 "copy_", "_copy_from", "_copy_from_and_resize", "resize_", "zeros", "ones", "full"}


def _module_hook(watch):
    def hook(*args):
        watch.note("`torch.nn` (it built or called a module)")
    return hook


@functools.lru_cache(maxsize=None)
def _watched_codes(groups):
    """code object -> name of every plain-Python function of `groups`, for the profile hook (read-only)."""
    return types.MappingProxyType({inspect.unwrap(f).__code__: n for g in groups for f, n in FORBIDDEN[g].items()})


def _profile_hook(watch, codes):
    """A sys.setprofile hook noting a call of any function whose code object is in `codes`."""
    def hook(frame, event, arg):
        if event == "call" and frame.f_code in codes:
            watch.note(f"`{codes[frame.f_code]}`")
    return hook


# ---------------------------------------------------------------- one thread, no processes

_WATCHING = []  # the watches in force (the audit hook reads it)
_AUDITED = {"os.fork": marked("a new process (os.fork)"), "os.forkpty": marked("a new process (os.forkpty)"),
            "os.posix_spawn": marked("a new process (os.posix_spawn)"), "os.exec": marked("another program (os.exec)"),
            "os.spawn": marked("a new process (os.spawn)"), "os.system": marked("a shell command (os.system)"),
            "subprocess.Popen": marked("a new process (subprocess)"), "sys.setprofile": marked("`sys.setprofile` (it replaces "
            "the rule check's profile hook)"), "sys.settrace": marked("`sys.settrace` during a rule check")}


def _audit(event, args):
    """Python's audit hook (installed once, for good): no process, and the profile hook stays."""
    if _WATCHING and event in _AUDITED:
        _WATCHING[-1].note(_AUDITED[event])


sys.addaudithook(_audit)


def _code_of(func):
    """The code object of a function or bound method, else None."""
    return getattr(func, "__code__", None) or getattr(getattr(func, "__func__", None), "__code__", None)


def _foreign_threads():
    """Names of live threads that run notebook code, or that notebook code started (pools included)."""
    me, names = threading.get_ident(), []
    threads = {t.ident: t for t in threading.enumerate()}
    for ident, frame in sys._current_frames().items():
        thread = threads.get(ident)
        target = getattr(thread, "_target", None)
        started = [_code_of(target), _code_of(getattr(type(thread), "run", None))] if thread else []
        pool = str(getattr(target, "__module__", "")).startswith("multiprocessing.")
        stack = []
        while frame is not None:
            stack.append(frame.f_code)
            frame = frame.f_back
        busy = _WorkItem.run.__code__ in stack  # an idle pool worker (asyncio's, say) waits and is fine
        if ident != me and (pool or busy or any(c is not None and is_students(c) for c in started + stack)):
            names.append(getattr(thread, "name", None) or f"thread {ident}")
    return names


def _no_threads(watch):
    def start(*args, **kwargs):
        watch.note("`threading` (it started a thread: the checks run your code in one thread)")
    return start


def _no_pool(watch, original):
    def run(*args, **kwargs):
        watch.note("`concurrent.futures` (it handed work to another thread: the checks run your code in one thread)")
        return original(*args, **kwargs)
    return run


def _one_thread(watch):
    """Refuse new threads, and work handed to a pool's idle threads; return what puts them back."""
    saved = [(m, n, getattr(m, n)) for m, n in ((_thread, "start_new_thread"), (_thread, "start_joinable_thread"),
                                                 (threading, "_start_new_thread"),
                                                 (threading, "_start_joinable_thread")) if hasattr(m, n)]
    refuse = _no_threads(watch)
    for module, name, _ in saved:
        setattr(module, name, refuse)
    for cls, name in ((ThreadPoolExecutor, "submit"), (_WorkItem, "run")):
        saved.append((cls, name, cls.__dict__[name]))
        setattr(cls, name, _no_pool(watch, cls.__dict__[name]))
    return lambda: [setattr(module, name, value) for module, name, value in saved]


# ---------------------------------------------------------------- forbid

def _watching(watch):
    """Switch the four watchers on; return stop(normally): note any switched off on the way, switch them off.

    Plain calls, not generator context managers: an error leaving the block keeps its own traceback."""
    undo, functions, operations = [], _Functions(watch), _Operations(watch)
    codes = _watched_codes(frozenset(watch.groups & PYTHON_GROUPS))
    old_profile = sys.getprofile()
    profile = _profile_hook(watch, codes) if codes else old_profile
    try:
        if "modules" in watch.groups:
            hooks = torch.nn.modules.module
            handles = [hooks.register_module_forward_pre_hook(_module_hook(watch)),
                       hooks.register_module_parameter_registration_hook(_module_hook(watch)),
                       hooks.register_module_module_registration_hook(_module_hook(watch))]
            undo.append(lambda: [handle.remove() for handle in handles])
        undo.append(_one_thread(watch))
        if codes:
            sys.setprofile(profile)
            undo.append(lambda: sys.setprofile(old_profile))
        _WATCHING.append(watch)
        undo.append(lambda: _WATCHING.remove(watch))
        for mode in (functions, operations):
            mode.__enter__()
            undo.append(lambda mode=mode: mode.__exit__(None, None, None))
    except BaseException:
        _undo(undo)
        raise

    def stop(normally):
        if normally:
            _still_on(watch, functions, operations, profile)
        _undo(undo)
    return stop


def _undo(steps):
    """Run the steps, last first, every one even if one fails (the first failure is raised after)."""
    errors = []
    for step in reversed(steps):
        try:
            step()
        except BaseException as exc:  # noqa: BLE001  (raised below, once the others have run)
            errors.append(exc)
    if errors:
        raise errors[0]


def _still_on(watch, functions, operations, profile):
    """Note a check that student code switched off: a mode gone from its stack, another profile hook."""
    if functions not in _get_current_function_mode_stack() or operations not in _get_current_dispatch_mode_stack():
        watch.called = watch.called or "torch's mode stack (a rule check's mode was removed)"
    elif sys.getprofile() is not profile:
        watch.called = watch.called or "`sys.setprofile` (the rule check's profile hook was replaced)"


def forbid(task, rule, groups):
    """Fail if code run inside does what the task forbids: "Task 1.7 asks for …: your code called …".

    `groups` names FORBIDDEN's groups ("autograd", "softmax", "cross_entropy", "linear", "modules",
    "clip_grad", "torch", "calculate_gain", "dropout", "optim"). The call is recorded even if the
    student's code catches the error it raises. Threads the notebook started must have ended.
    """
    return _Forbid(task, rule, groups)


class _Forbid:
    """The context manager forbid() returns: the watchers while the block runs, the verdict when it ends."""

    def __init__(self, task, rule, groups):
        self.task, self.rule, self.groups = task, rule, groups

    def __enter__(self):
        __tracebackhide__ = True
        others = _foreign_threads()
        if others:
            fail(self.task, f"the checks run your code in one thread, and threads your notebook started are still "
                            f"running ({', '.join(others[:3])}): let them finish (or restart the kernel) and run the "
                            "check again")
        self.watch = _Watch(self.groups)
        self.stop = _watching(self.watch)
        return self.watch

    def __exit__(self, kind, error, tb):
        __tracebackhide__ = True
        self.stop(normally=kind is None)
        if self.watch.called and (kind is None or issubclass(kind, Exception)):
            broken = CheckError(translate(f"{self.task} asks for {self.rule}: your code called {self.watch.called}"))
            broken.where = self.watch.where
            raise broken from None
        if error is not None:  # any other error goes on, shown from the student's frames (not the watchers')
            error.__traceback__ = students_frames(tb)
        return False


# ---------------------------------------------------------------- gradients that autograd computed

class _EngineOutputs(_Mode):
    """Records every tensor autograd's backward engine computes."""

    def __init__(self):
        super().__init__()
        self.tensors = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if torch._C._current_graph_task_id() != -1:
            self.tensors += [t.detach().cpu() for t in (out if isinstance(out, (tuple, list)) else [out])
                             if isinstance(t, _TENSOR) and t.device.type != "meta"]
        return out


@contextlib.contextmanager
def autograd_outputs():
    """Record what autograd computes inside the block: a list of CPU tensors, for `check_by_autograd`."""
    recorder = _EngineOutputs()
    with recorder:
        yield recorder.tensors


def check_by_autograd(name, answer, outputs, task):
    """Fail unless `answer` is one of the tensors autograd computed (`outputs` of autograd_outputs())."""
    __tracebackhide__ = True
    found = as_tensor(name, answer)
    atol, rtol = tolerance(found.dtype)
    for t in outputs:
        if t.shape == found.shape and torch.allclose(t.to(found.dtype), found, atol=atol, rtol=rtol):
            return True
    fail(name, f"{task} asks for gradients computed by autograd: this answer is none of the gradients "
               "autograd computed while your function ran")
