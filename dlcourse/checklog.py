"""The check log of gpu-check: every check a test cell calls, with what it compared, one JSON line each.

With ``DLCOURSE_CHECK_LOG`` set, ``dlcourse.checks`` wraps its ``check_*`` functions with
``record_checks`` and each call records its name, the found and expected values (coerced as the
check compares them; large tensors summarised), its tolerance, and pass or fail: as a JSON line
appended to the file it names or, when it says ``display``, as a display output (``MIME``) of the
cell that ran the check. tools/gpucheck.py compares two such logs, one per device. Student-side:
imports only the standard library at the top (torch when it summarises a tensor, IPython to display).
"""
import functools
import json
import os

LOG_VAR = "DLCOURSE_CHECK_LOG"
MIME = "application/vnd.dlcourse.check+json"  # with DLCOURSE_CHECK_LOG=display: one display output per check
SMALL = 256  # tensors up to this many entries are logged whole, larger ones summarised


def _summary(value):
    """A JSON-able summary of a coerced answer: a number, a short list, or a tensor's statistics."""
    import torch
    if isinstance(value, torch.Tensor):
        t = value.detach().cpu().to(torch.float64).reshape(-1)
        out = {"shape": list(value.shape), "dtype": str(value.dtype).replace("torch.", "")}
        if t.numel() <= SMALL:
            return {**out, "values": t.tolist()}
        finite = t[torch.isfinite(t)]
        return {**out, "n": t.numel(), "sum": float(finite.sum()), "abs_sum": float(finite.abs().sum()),
                "nonfinite": int(t.numel() - finite.numel()), "head": t[:32].tolist()}
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (tuple, list)):
        return [_summary(v) for v in value]
    return f"<{type(value).__name__}>"


def _coerced(checks, kind, answer, args, kwargs):
    """(found, expected, (atol, rtol)) as the check `kind` compares them; None where not numeric."""
    expected = args[0] if args else kwargs.get("expected")
    if kind == "check_close":
        found = checks.as_tensor("answer", answer)
        atol, rtol = checks.tolerance(kwargs.get("dtype") or found.dtype)
        atol = atol if kwargs.get("atol") is None else kwargs["atol"]
        rtol = rtol if kwargs.get("rtol") is None else kwargs["rtol"]
        return found, checks.as_tensor("reference", expected), (atol, rtol)
    if kind == "check_float":
        return checks.as_float("answer", answer), float(expected), (kwargs.get("atol", 1e-8), kwargs.get("rtol", 1e-6))
    coerce = {"check_int": checks.as_int, "check_bool": checks.as_bool, "check_choices": checks.as_choices,
              "check_shape_tuple": checks.as_shape, "check_int_set": checks.as_int_set}.get(kind)
    if coerce is not None:
        return coerce("answer", answer), None, None
    if kind == "check_shape":
        return list(answer.shape), None, None
    if kind == "check_dtype":
        return str(answer.dtype), None, None
    return None, None, None  # check_type, check_device: pass or fail is all that is compared


def _entry(checks, kind, name, answer, args, kwargs):
    """What the log records about one call of a check, whatever the answer is."""
    entry = {"check": kind, "name": str(name)[:200]}
    try:
        found, expected, tol = _coerced(checks, kind, answer, args, kwargs)
        entry.update(found=_summary(found), expected=_summary(expected), tol=tol)
    except Exception as exc:  # noqa: BLE001  (an answer the check itself rejects)
        entry["found"] = f"<unreadable: {type(exc).__name__}>"
    return entry


def record_checks(namespace, path):
    """Wrap every check_* function of `namespace` (dlcourse.checks) to append a JSON line per call to the
    file DLCOURSE_CHECK_LOG names at that moment (`path` if it names none)."""
    import types
    checks = types.SimpleNamespace(**namespace)
    for kind in [k for k, v in namespace.items() if k.startswith("check_") and callable(v)]:
        namespace[kind] = _logged(checks, kind, namespace[kind], path)


def _logged(checks, kind, check, path):
    @functools.wraps(check)
    def logged(name, answer, *args, **kwargs):
        ok, error = False, ""
        try:
            result = check(name, answer, *args, **kwargs)
            ok = True
            return result
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
            raise
        finally:
            entry = {**_entry(checks, kind, name, answer, args, kwargs), "ok": ok, "error": error}
            target = os.environ.get(LOG_VAR) or path
            if target == "display":  # an output of the running cell, read by gpu-check from the executed notebook
                from IPython.display import publish_display_data
                publish_display_data({MIME: entry})
            else:
                with open(target, "a") as log:
                    log.write(json.dumps(entry) + "\n")
    return logged
