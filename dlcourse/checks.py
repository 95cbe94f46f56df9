"""Checks that test cells call. Each failure says what was expected and what was found.

Answers are coerced to plain Python values or plain CPU tensors before any comparison, so an
answer's own ``==`` (or a tensor subclass) never decides whether it is right.
"""
import math
import numbers

import numpy as np
import torch

# Taken at import time, before any student cell runs.
_isfinite = math.isfinite
_Tensor = torch.Tensor
_ndarray = np.ndarray

GREEN, RED, RESET = "\033[32m", "\033[31m", "\033[0m"


class CheckError(AssertionError):
    """A failed check; its message tells the student what was expected and what was found."""


def fail(name, message):
    """Raise a CheckError about answer `name`."""
    raise CheckError(f"{name}: {message}")


def passed(name, detail=""):
    """Print the green line a student sees when a check passes."""
    print(f"{GREEN}✔ {name}{': ' + detail if detail else ''}{RESET}")


def _kind(x):
    return type(x).__name__


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
    value = as_float(name, answer)
    if not value.is_integer():
        fail(name, f"expected a whole number, found {value!r}")
    return int(value)


def as_bool(name, answer):
    """A plain bool from True/False, a NumPy bool or a one-element bool tensor."""
    if isinstance(answer, (_Tensor, _ndarray)) and answer.dtype in (torch.bool, np.bool_):
        answer = as_tensor(name, answer).reshape(-1)
        if answer.numel() == 1:
            return bool(answer[0].item())
    if type(answer) in (bool, np.bool_):
        return bool(answer)
    fail(name, f"expected True or False, found {_kind(answer)}: {answer!r:.60}")


def as_tensor(name, answer, dtype=None):
    """A detached plain CPU tensor from a tensor, a NumPy array or a (nested) list of numbers."""
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


# ---------------------------------------------------------------- checks

def check_type(name, answer, expected_type):
    """Fail unless `answer` is an instance of `expected_type`."""
    if not isinstance(answer, expected_type):
        types = expected_type if isinstance(expected_type, tuple) else (expected_type,)
        names = [getattr(t, "__name__", str(t)) for t in types]
        want = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        fail(name, f"expected a {want}, found {_kind(answer)}")


def check_shape(name, answer, shape):
    """Fail unless the tensor `answer` has exactly `shape`."""
    if not isinstance(answer, (_Tensor, _ndarray)):
        fail(name, f"expected a tensor of shape {tuple(shape)}, found {_kind(answer)}")
    if tuple(answer.shape) != tuple(shape):
        fail(name, f"expected shape {tuple(shape)}, found shape {tuple(answer.shape)}")


def check_dtype(name, answer, dtype):
    """Fail unless the tensor `answer` has dtype `dtype`."""
    if not isinstance(answer, _Tensor):
        fail(name, f"expected a torch.Tensor of dtype {dtype}, found {_kind(answer)}")
    if answer.dtype != dtype:
        fail(name, f"expected dtype {dtype}, found {answer.dtype}; convert with .to({dtype})")


def check_device(name, answer, device):
    """Fail unless the tensor `answer` lives on `device` (compared by type: cpu, cuda)."""
    if torch.device(answer.device).type != torch.device(device).type:
        fail(name, f"expected the tensor on {torch.device(device).type}, found it on {answer.device}")


def check_close(name, answer, expected, *, atol=1e-8, rtol=1e-6, dtype=None):
    """Compare a tensor answer with `expected` entry by entry; report the first mismatch."""
    expected = as_tensor(f"{name} (reference)", expected)
    found = as_tensor(name, answer)
    if tuple(found.shape) != tuple(expected.shape):
        fail(name, f"expected shape {tuple(expected.shape)}, found shape {tuple(found.shape)}")
    if dtype is not None and found.dtype != dtype:
        fail(name, f"expected dtype {dtype}, found {found.dtype}")
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
        fail(name, f"entry {where} is {got}, expected {want} "
                   f"(tolerance atol={atol:g}, rtol={rtol:g}; {int(bad.sum())} of {bad.numel()} entries "
                   f"differ, largest difference {err:.3g})")
    return True


def check_float(name, answer, expected, *, atol=1e-8, rtol=1e-6):
    """Compare a number with `expected` within atol + rtol·|expected|."""
    value = as_float(name, answer)
    expected = float(expected)
    if not _isfinite(value) or abs(value - expected) > atol + rtol * abs(expected):
        got, want = _pair(value, expected)
        fail(name, f"expected {want}, found {got} (tolerance atol={atol:g}, rtol={rtol:g})")
    return True


def check_int(name, answer, expected):
    """Compare a whole number with `expected` exactly."""
    value = as_int(name, answer)
    if value != int(expected):
        fail(name, f"expected {int(expected)}, found {value}")
    return True


def check_bool(name, answer, expected):
    """Compare True/False with `expected`."""
    if as_bool(name, answer) is not bool(expected):
        fail(name, "that is not right; think again about the question")
    return True


def check_choices(name, answer, expected):
    """Compare a set of option letters with `expected` (all right ones, no wrong ones)."""
    found, expected = as_choices(name, answer), as_choices(f"{name} (reference)", expected)
    if found != expected:
        fail(name, f"your options {sorted(found)} are not the right set "
                   f"({len(found - expected)} wrong, {len(expected - found)} missing)")
    return True


def check_shape_tuple(name, answer, expected):
    """Compare a shape (tuple of ints, or a torch.Size) with `expected` exactly."""
    if not isinstance(answer, (tuple, list, torch.Size)) or not all(type(d) is int for d in answer):
        fail(name, f"expected a shape such as (2, 3), a tuple of ints; found {_kind(answer)}: {answer!r:.60}")
    if tuple(int(d) for d in answer) != tuple(expected):
        fail(name, "that is not the shape this reshape gives")
    return True
