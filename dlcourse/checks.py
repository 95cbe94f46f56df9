"""Checks that test cells call. Each failure says what was expected and what was found.

Answers are coerced to plain Python values or plain CPU tensors before any comparison, so an
answer's own ``==`` (or a tensor subclass) never decides whether it is right.

**Coercion policy** (one place, used by every test cell): unless a statement names a type, any
natural form of a right answer is accepted —

- a number: Python ``int``/``float``, a NumPy scalar, a 0-dim or one-element tensor or array
  (``as_float``, ``as_int``; ``bool`` is not a number);
- a tensor: a tensor on any device, a NumPy array, a (nested) list or tuple of numbers
  (``as_tensor``);
- a shape: a tuple, list or ``torch.Size`` of whole numbers, NumPy integers included
  (``as_shape``);
- a set of whole numbers: a set, list, tuple, range, tensor or array of them (``as_int_set``);
- True/False: ``bool``, ``np.bool_`` or a one-element bool tensor (``as_bool``).

**Tolerance policy**: ``check_close`` compares with ``atol + rtol·|expected|``. Without explicit
tolerances they follow the answer's dtype (``TOLERANCE``): float64 atol 1e-8, rtol 1e-6; float32
atol 1e-5, rtol 1e-4; float16/bfloat16 atol 1e-2, rtol 1e-2. A statement that asks for a dtype
passes ``dtype=`` so the check enforces it (and its tolerance); one that does not must accept
float32 arithmetic. Explicit tolerances are for answers whose error a derivation bounds (they
are never tighter than the dtype allows).

**Rules** ("without autograd", "no built-in softmax") are enforced by ``dlcourse.rules.forbid``.
"""
import linecache
import math
import numbers
import os
import sys
import types

import numpy as np
import torch

from .i18n import ngettext, translate

# Taken at import time, before any student cell runs.
_isfinite = math.isfinite
_Tensor = torch.Tensor
_ndarray = np.ndarray

GREEN, RED, CYAN, RESET = "\033[32m", "\033[31m", "\033[36m", "\033[0m"
# Where the course's code, Python and the libraries live: frames there are not the student's.
_OURS = tuple({os.path.join(p, "") for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
              | {os.path.join(os.path.dirname(os.path.abspath(__file__)), "")})


class CheckError(AssertionError):
    """A failed check; its message tells the student what was expected and what was found.

    IPython (JupyterLab, and the notebooks nbgrader stores) shows it in two lines, through its
    documented hook ``_render_traceback_``: the student's line that failed and the message in red,
    none of the checker's frames. `where` names that line when the check knows it better than the
    traceback does (a forbidden call, an error the student's code raised inside a property check).
    """

    where = None

    def _render_traceback_(self):
        """The lines IPython shows and stores as this error's traceback."""
        return short_traceback(self)


def is_students(code):
    """True for code of the notebook (a cell, a module beside it), not of Python, a library or dlcourse."""
    return not code.co_filename.startswith(_OURS) and not code.co_filename.startswith("<frozen")


def student_line(tb):
    """(file, line) of the innermost frame of traceback `tb` in the student's code, or None."""
    found = None
    while tb is not None:
        if is_students(tb.tb_frame.f_code):
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def students_frames(tb):
    """Traceback `tb` with only the entries in the student's code (unchanged when it has none)."""
    kept, entry = [], tb
    while entry is not None:
        kept += [entry] if is_students(entry.tb_frame.f_code) else []
        entry = entry.tb_next
    short = None
    for entry in reversed(kept):
        short = types.TracebackType(short, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return short if kept else tb


def calling_line(frame):
    """(file, line) of the innermost of `frame` and its callers in the student's code, or None."""
    while frame is not None and not is_students(frame.f_code):
        frame = frame.f_back
    return (frame.f_code.co_filename, frame.f_lineno) if frame is not None else None


def _place(file, line):
    """'Cell In[3], line 2: y = f(x)' in JupyterLab, 'File "a.py", line 2: y = f(x)' elsewhere."""
    from IPython import get_ipython
    shell = get_ipython()
    named = shell.compile.format_code_name(file) if shell is not None else None
    where = f"{named[0]} {named[1]}, line {line}" if named else f'File "{file}", line {line}'
    code = linecache.getline(file, line).strip()
    return f"{CYAN}{where}:{RESET} {code}" if code else f"{CYAN}{where}{RESET}"


def short_traceback(error):
    """The student's line where `error` happened (when there is one) and its message in red."""
    where = error.where or student_line(error.__traceback__)
    return ([_place(*where)] if where else []) + [f"{RED}{type(error).__name__}: {error}{RESET}"]


def fail(name, message, where=None):
    """Raise a CheckError about answer `name` (`where`: the student's line to show, if not the caller's)."""
    __tracebackhide__ = True  # IPython and pytest show the message, not this frame
    error = CheckError(f"{translate(name)}: {translate(message)}")
    error.where = where
    raise error


def passed(name, detail=""):
    """Print the green line a student sees when a check passes."""
    name, detail = translate(name), translate(detail)
    print(f"{GREEN}✔ {name}{': ' + detail if detail else ''}{RESET}")


def _kind(x):
    """The type of an answer, as a message names it (the template's `...` is named as such)."""
    return translate("`...` (replace it with your answer)") if x is Ellipsis else type(x).__name__


def _pair(found, expected):
    """Both numbers with just enough digits to tell them apart (at least 6, at most 17)."""
    for digits in range(6, 18):
        a, b = f"{found:.{digits}g}", f"{expected:.{digits}g}"
        if a != b:
            break
    return a, b


# ---------------------------------------------------------------- coercion

def as_float(name, answer):
    """A plain float from a Python/NumPy number or a one-element tensor; anything else fails."""
    __tracebackhide__ = True
    if isinstance(answer, (_Tensor, _ndarray)):
        size = answer.numel() if isinstance(answer, _Tensor) else answer.size
        if size != 1:
            fail(name, f"expected a single number, found a {_kind(answer)} of shape {tuple(answer.shape)}")
        answer = (answer.detach().cpu() if isinstance(answer, _Tensor) else answer).reshape(-1)[0].item()
    if not isinstance(answer, numbers.Real) or isinstance(answer, (bool, np.bool_)):
        fail(name, f"expected a number (int or float), found {_kind(answer)}")
    return float(answer)


def as_int(name, answer):
    """A plain int from an int, an integral float, or a one-element integer tensor."""
    __tracebackhide__ = True
    value = as_float(name, answer)
    if not value.is_integer():
        fail(name, f"expected a whole number, found {value!r}")
    return int(value)


def as_bool(name, answer):
    """A plain bool from True/False, a NumPy bool or a one-element bool tensor."""
    __tracebackhide__ = True
    if isinstance(answer, (_Tensor, _ndarray)) and answer.dtype in (torch.bool, np.bool_):
        answer = as_tensor(name, answer).reshape(-1)
        if answer.numel() == 1:
            return bool(answer[0].item())
    if type(answer) in (bool, np.bool_):
        return bool(answer)
    fail(name, f"expected True or False, found {_kind(answer)}: {answer!r:.60}")


def as_tensor(name, answer, dtype=None):
    """A detached plain CPU tensor from a tensor, a NumPy array or a (nested) list of numbers."""
    __tracebackhide__ = True
    if isinstance(answer, _Tensor):
        t = answer.detach()
        if type(t) is not _Tensor and not isinstance(answer, torch.nn.Parameter):
            fail(name, f"expected a torch.Tensor, found the subclass {_kind(answer)}")
        t = t.cpu().clone()
        if type(t) is not _Tensor:
            t = torch.Tensor._make_subclass(_Tensor, t)
        return t if dtype is None else t.to(dtype)
    if isinstance(answer, _ndarray) and answer.dtype.kind in "biuf":
        return torch.from_numpy(np.array(answer)).to(dtype or torch.float64)
    if isinstance(answer, (list, tuple)):
        try:
            arr = np.array(answer, dtype=np.float64)
        except (TypeError, ValueError):
            fail(name, "expected a tensor; found a list that is not a rectangular list of numbers")
        return torch.from_numpy(arr).to(dtype or torch.float64)
    fail(name, f"expected a torch.Tensor, found {_kind(answer)}")


def as_choices(name, answer):
    """A set of upper-case option letters from a set, list, tuple or string of letters."""
    __tracebackhide__ = True
    if isinstance(answer, str):
        items = [c for c in answer if not c.isspace() and c != ","]
    elif type(answer) in (set, frozenset, list, tuple):
        items = list(answer)
    else:
        fail(name, f"expected a set of option letters such as {{'A', 'C'}}, found {_kind(answer)}")
    letters = set()
    for item in items:
        if type(item) is not str or len(item.strip()) != 1 or not item.strip().isalpha():
            fail(name, f"each option must be a single letter such as 'A'; found {item!r:.40}")
        letters.add(item.strip().upper())
    return letters


def as_shape(name, answer):
    """A tuple of ints from a tuple, list or torch.Size of whole numbers (NumPy integers too)."""
    __tracebackhide__ = True
    if isinstance(answer, (tuple, list, torch.Size)) and all(
            isinstance(d, (numbers.Integral, np.integer)) and not isinstance(d, (bool, np.bool_)) for d in answer):
        return tuple(int(d) for d in answer)
    fail(name, f"expected a shape such as (2, 3), a tuple of whole numbers; found {_kind(answer)}: {answer!r:.60}")


def as_int_set(name, answer):
    """A set of ints from a set, list, tuple, range, tensor or array of whole numbers."""
    __tracebackhide__ = True
    if isinstance(answer, (_Tensor, _ndarray)):
        answer = as_tensor(name, answer).reshape(-1).tolist()
    if not isinstance(answer, (set, frozenset, list, tuple, range)):
        fail(name, f"expected a set or list of whole numbers such as {{0, 3}}, found {_kind(answer)}")
    return {as_int(f"an element of {name}", item) for item in answer}


# ---------------------------------------------------------------- checks

TOLERANCE = {torch.float64: (1e-8, 1e-6), torch.float32: (1e-5, 1e-4),
             torch.float16: (1e-2, 1e-2), torch.bfloat16: (1e-2, 1e-2)}


def tolerance(dtype):
    """(atol, rtol) for comparing an answer of `dtype` (see the module's tolerance policy)."""
    return TOLERANCE.get(dtype, TOLERANCE[torch.float64])


def check_type(name, answer, expected_type):
    """Fail unless `answer` is an instance of `expected_type`."""
    __tracebackhide__ = True
    if not isinstance(answer, expected_type):
        types = expected_type if isinstance(expected_type, tuple) else (expected_type,)
        names = [getattr(t, "__name__", str(t)) for t in types]
        want = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {translate('or')} " + names[-1]
        fail(name, f"expected a {want}, found {_kind(answer)}")


def check_shape(name, answer, shape):
    """Fail unless the tensor `answer` has exactly `shape`."""
    __tracebackhide__ = True
    if not isinstance(answer, (_Tensor, _ndarray)):
        fail(name, f"expected a tensor of shape {tuple(shape)}, found {_kind(answer)}")
    if tuple(answer.shape) != tuple(shape):
        fail(name, f"expected shape {tuple(shape)}, found shape {tuple(answer.shape)}")


def check_dtype(name, answer, dtype):
    """Fail unless the tensor `answer` has dtype `dtype`."""
    __tracebackhide__ = True
    if not isinstance(answer, _Tensor):
        fail(name, f"expected a torch.Tensor of dtype {dtype}, found {_kind(answer)}")
    if answer.dtype != dtype:
        fail(name, f"expected dtype {dtype}, found {answer.dtype}; convert with .to({dtype})")


def check_device(name, answer, device):
    """Fail unless the tensor `answer` lives on `device` (compared by type: cpu, cuda)."""
    __tracebackhide__ = True
    if torch.device(answer.device).type != torch.device(device).type:
        fail(name, f"expected the tensor on {torch.device(device).type}, found it on {answer.device}")


def check_close(name, answer, expected, *, atol=None, rtol=None, dtype=None):
    """Compare a tensor answer with `expected` entry by entry; report the first mismatch.

    Tolerances not given follow `dtype` when the statement asks for one, else the answer's dtype.
    """
    __tracebackhide__ = True
    expected = as_tensor(f"{name} (reference)", expected)
    found = as_tensor(name, answer)
    if tuple(found.shape) != tuple(expected.shape):
        fail(name, f"expected shape {tuple(expected.shape)}, found shape {tuple(found.shape)}")
    if dtype is not None and found.dtype != dtype:
        fail(name, f"expected dtype {dtype}, found {found.dtype}; convert with .to({dtype})")
    default_atol, default_rtol = tolerance(dtype or found.dtype)
    atol = default_atol if atol is None else atol
    rtol = default_rtol if rtol is None else rtol
    found, expected = found.to(torch.float64), expected.to(torch.float64)
    if found.numel() == 0:
        return True
    finite_ok = torch.isfinite(found) | ~torch.isfinite(expected)
    bad = ~finite_ok | ((found - expected).abs() > atol + rtol * expected.abs())
    bad = bad | (torch.isnan(found) != torch.isnan(expected))
    if bool(bad.any()):
        idx = tuple(int(i) for i in torch.nonzero(bad)[0])
        where = f"[{', '.join(map(str, idx))}]" if idx else ""
        err = float((found - expected).abs().nan_to_num(nan=math.inf).max())
        got, want = _pair(found[idx].item(), expected[idx].item())
        differ = ngettext("{n} of {total} entries differs", "{n} of {total} entries differ", int(bad.sum()),
                          total=bad.numel())
        fail(name, f"entry {where} is {got}, expected {want} "
                   f"(tolerance atol={atol:g}, rtol={rtol:g}; {differ}, largest difference {err:.3g})")
    return True


def check_float(name, answer, expected, *, atol=1e-8, rtol=1e-6):
    """Compare a number with `expected` within atol + rtol·|expected|."""
    __tracebackhide__ = True
    value = as_float(name, answer)
    expected = float(expected)
    if not _isfinite(value) or abs(value - expected) > atol + rtol * abs(expected):
        got, want = _pair(value, expected)
        fail(name, f"expected {want}, found {got} (tolerance atol={atol:g}, rtol={rtol:g})")
    return True


def check_int(name, answer, expected):
    """Compare a whole number with `expected` exactly."""
    __tracebackhide__ = True
    value = as_int(name, answer)
    if value != int(expected):
        fail(name, f"expected {int(expected)}, found {value}")
    return True


def check_bool(name, answer, expected):
    """Compare True/False with `expected`."""
    __tracebackhide__ = True
    if as_bool(name, answer) is not bool(expected):
        fail(name, "that is not right; think again about the question")
    return True


def check_choices(name, answer, expected):
    """Compare a set of option letters with `expected` (all right ones, no wrong ones)."""
    __tracebackhide__ = True
    found, expected = as_choices(name, answer), as_choices(f"{name} (reference)", expected)
    if found != expected:
        fail(name, f"your options {sorted(found)} are not the right set "
                   f"({len(found - expected)} wrong, {len(expected - found)} missing)")
    return True


def score_choices(name, answer, expected, points):
    """Partial credit for a set of option letters: `points` × (right − wrong) / number of right ones.

    Each right option earns its share, each wrong one takes a share away; a score of 0 fails with
    the counts. The score is the cell's last value, which nbgrader reads as the points earned."""
    __tracebackhide__ = True
    found, expected = as_choices(name, answer), as_choices(f"{name} (reference)", expected)
    right, wrong = len(found & expected), len(found - expected)
    score = round(points * max(0, right - wrong) / len(expected), 2)
    counts = (ngettext("{n} of {total} right options", "{n} of {total} right options", right, total=len(expected))
              + ", " + ngettext("{n} wrong", "{n} wrong", wrong))
    if score == 0:
        fail(name, f"{counts}: no points")
    if score == points:
        passed(name, counts)
    else:
        print(f"{name}: {counts}: " + ngettext("{score} of {n} points", "{score} of {n} points", points,
                                               score=f"{score:g}"))
    return score


def check_shape_tuple(name, answer, expected):
    """Compare a shape (tuple, list or torch.Size of whole numbers) with `expected` exactly."""
    __tracebackhide__ = True
    if as_shape(name, answer) != tuple(expected):
        fail(name, "that is not the shape this reshape gives")
    return True


def check_int_set(name, answer, expected):
    """Compare a set of whole numbers with `expected` (all right ones, no others)."""
    __tracebackhide__ = True
    found, expected = as_int_set(name, answer), {int(e) for e in expected}
    if found != expected:
        fail(name, f"{sorted(found)} is not the right set ({len(found - expected)} wrong, "
                   f"{len(expected - found)} missing)")
    return True


# gpu-check (tools/gpucheck.py): with DLCOURSE_CHECK_LOG set, every check_* call records what it
# compared (name, found and expected values, tolerance, pass/fail): a JSON line appended to that
# file, or with DLCOURSE_CHECK_LOG=display an output of the running cell (checklog.py).
if os.environ.get("DLCOURSE_CHECK_LOG"):
    from .checklog import record_checks
    record_checks(globals(), os.environ["DLCOURSE_CHECK_LOG"])
