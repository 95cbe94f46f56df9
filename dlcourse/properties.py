"""Property checks for hidden tests: a claim checked on many inputs that Hypothesis draws.

    for_all("softmax(z)", claim, shapes(1, 3), seeds(), examples=40)

runs ``claim(shape, seed)`` on `examples` drawn inputs and fails with the claim's own message for
the first input that breaks it (Hypothesis draws small inputs first: a batch of 1, a length-1
vector, …; it does not shrink a failure further, which would cost a wrong answer hundreds more runs).
Every grade is reproducible: the draws come from a fixed seed (no example database, no clock),
so a CPU and a GPU grader, or two runs, check the same inputs. A time budget bounds the work: a
claim whose examples together take longer than `seconds` fails with a message about speed.

Strategies: ``shapes``, ``seeds``, ``dtypes`` and Hypothesis's own (``st``). Tensors are built in
the claim from a seed with ``dlcourse.device.generator`` on the CPU and then moved, as every
test does.
"""
import time
import zlib

import torch
from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException
from hypothesis.internal.conjecture.providers import HypothesisProvider
from hypothesis.internal.constants_ast import Constants

from .checks import CheckError, fail, student_line

__all__ = ["for_all", "shapes", "seeds", "dtypes", "st"]

# Hypothesis mixes literals found in "local" modules (dlcourse, anything imported from the working
# folder) into a few of its draws, and caches them in ./.hypothesis: the inputs would depend on what
# a process happened to import (a GPU grader loads one more module) and a folder would appear beside
# the notebook. Only its built-in constants are used here: the same inputs on every grader.
HypothesisProvider._local_constants = Constants()


def shapes(min_dims=1, max_dims=3, min_side=1, max_side=6):
    """Tensor shapes: tuples of `min_dims`..`max_dims` sides, each `min_side`..`max_side`."""
    return st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


def seeds():
    """Seeds for dlcourse.device.generator (the values of a drawn tensor)."""
    return st.integers(0, 2 ** 31 - 1)


def dtypes(*choices):
    """Floating dtypes (float64 and float32 unless `choices` are given)."""
    return st.sampled_from(choices or (torch.float64, torch.float32))


class _Slow(Exception):
    """The claim's examples ran past their time budget."""


def for_all(name, claim, *strategies, examples=30, seconds=20.0):
    """Check `claim(*drawn)` on `examples` inputs drawn from `strategies`; fail for the first bad one.

    A CheckError from the claim is re-raised as it is (its message names the input); any other
    error from the student's code becomes a CheckError naming `name`, the input and the student's
    line that raised it.
    """
    __tracebackhide__ = True
    spent, last, failed = [0.0], [None], [False]

    @seed(zlib.crc32(name.encode()))
    @settings(database=None, deadline=None, max_examples=examples, derandomize=False, print_blob=False,
              phases=(Phase.explicit, Phase.generate), suppress_health_check=list(HealthCheck),
              verbosity=Verbosity.quiet, report_multiple_bugs=False)
    @given(st.tuples(*strategies))
    def run(drawn):
        last[0] = drawn
        if spent[0] > seconds and not failed[0]:  # the budget is for passing examples, not for a failure's rerun
            raise _Slow()
        start = time.perf_counter()
        try:
            claim(*drawn)
        except BaseException:
            failed[0] = True
            raise
        finally:
            spent[0] += time.perf_counter() - start

    try:
        run()
    except _Slow:
        fail(name, f"your code is too slow: {examples} checks on drawn inputs took more than {seconds:g} s")
    except (CheckError, HypothesisException):
        raise
    except Exception as exc:  # noqa: BLE001  (the student's code raised: say for which input)
        shown = ", ".join(repr(v) for v in last[0] or ())
        fail(name, f"raised {type(exc).__name__} ({str(exc)[:120]}) for the drawn input ({shown})",
             where=student_line(exc.__traceback__))
