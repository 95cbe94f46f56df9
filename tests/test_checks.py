"""The check helpers: right answers pass, wrong ones fail with a message that says why."""
import numpy as np
import pytest
import torch

from dlcourse import checks
from dlcourse.notebook.variants import HOSTILE_PRELUDE

ns = {}
exec(HOSTILE_PRELUDE, ns)
ClaimsEqual = ns["_ClaimsEqual"]


def message(fn, *args, **kwargs):
    with pytest.raises(checks.CheckError) as info:
        fn(*args, **kwargs)
    return str(info.value)


def test_close_tensors_pass_and_lists_are_coerced():
    assert checks.check_close("y", torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0]))
    assert checks.check_close("y", [1.0, 2.0], torch.tensor([1.0, 2.0 + 1e-9]))
    assert checks.check_close("y", np.array([1.0, 2.0]), torch.tensor([1.0, 2.0]))


def test_shape_mismatch_names_both_shapes():
    msg = message(checks.check_close, "dW", torch.zeros(2, 3), torch.zeros(3, 2))
    assert "expected shape (3, 2)" in msg and "found shape (2, 3)" in msg and msg.startswith("dW")


def test_value_mismatch_names_the_first_entry_and_the_tolerance():
    msg = message(checks.check_close, "y", torch.tensor([1.0, 2.5, 3.0]), torch.tensor([1.0, 2.0, 3.0]),
                  atol=1e-6, rtol=0)
    assert "entry [1] is 2.5, expected 2" in msg and "atol=1e-06" in msg


def test_nan_and_inf_answers_fail():
    assert "entry [0]" in message(checks.check_close, "y", torch.tensor([float("nan")]), torch.tensor([1.0]))
    assert "entry [0]" in message(checks.check_close, "y", torch.tensor([float("inf")]), torch.tensor([1.0]))


def test_dtype_and_device_are_reported():
    assert "expected dtype torch.float64, found torch.float32" in message(
        checks.check_dtype, "g", torch.zeros(2), torch.float64)
    assert "expected dtype torch.float64" in message(
        checks.check_close, "g", torch.zeros(2), torch.zeros(2, dtype=torch.float64), dtype=torch.float64)
    assert "expected the tensor on cuda" in message(checks.check_device, "g", torch.zeros(2), "cuda")


def test_objects_claiming_to_equal_anything_fail_every_check():
    fake = ClaimsEqual()
    for fn, expected in [(checks.check_close, torch.ones(2)), (checks.check_float, 1.0),
                         (checks.check_int, 3), (checks.check_bool, True),
                         (checks.check_choices, {"A"}), (checks.check_shape_tuple, (2, 3))]:
        assert "found _ClaimsEqual" in message(fn, "answer", fake, expected)


def test_tensor_subclasses_are_rejected():
    class Liar(torch.Tensor):
        def __eq__(self, other):
            return True
    liar = torch.zeros(2).as_subclass(Liar)
    assert "subclass Liar" in message(checks.check_close, "y", liar, torch.ones(2))


def test_numbers_are_coerced_and_wrong_types_rejected():
    assert checks.check_float("loss", torch.tensor(0.5), 0.5)
    assert checks.check_float("loss", np.float32(0.5), 0.5)
    assert "expected a number" in message(checks.check_float, "loss", "0.5", 0.5)
    assert "expected a number" in message(checks.check_float, "loss", True, 1.0)
    assert "expected a single number" in message(checks.check_float, "loss", torch.ones(3), 1.0)
    assert "expected 2, found 3" in message(checks.check_int, "n", 3.0, 2)
    assert "whole number" in message(checks.check_int, "n", 2.5, 2)


def test_choices_accept_sets_lists_and_strings_but_not_wrong_sets():
    for answer in ({"A", "C"}, ["c", "a"], "A, C", ("A", "C")):
        assert checks.check_choices("opts", answer, {"A", "C"})
    assert "1 wrong, 1 missing" in message(checks.check_choices, "opts", {"A", "B"}, {"A", "C"})
    assert "single letter" in message(checks.check_choices, "opts", {"AB"}, {"A"})


def test_partial_credit_pays_each_right_option_and_takes_a_share_for_each_wrong_one():
    right = {"A", "C"}
    assert checks.score_choices("opts", "A, C", right, points=2) == 2
    assert checks.score_choices("opts", {"A"}, right, points=2) == 1
    assert checks.score_choices("opts", {"A", "C", "D"}, right, points=2) == 1
    assert checks.score_choices("opts", ["e", "b", "c"], {"B", "C", "E"}, points=1) == 1
    assert checks.score_choices("opts", {"B", "C"}, {"B", "C", "E"}, points=1) == 0.67
    for nothing in ({"A", "B"}, set(), {"B", "D", "E"}, "ABCDE"):
        assert "no points" in message(checks.score_choices, "opts", nothing, right, 2)


def test_bools_must_be_bools():
    assert checks.check_bool("flag", False, False)
    assert checks.check_bool("flag", torch.tensor(True), True)
    assert "expected True or False" in message(checks.check_bool, "flag", 0, False)
    assert "not right" in message(checks.check_bool, "flag", True, False)


def test_near_misses_are_printed_with_enough_digits_to_differ():
    msg = message(checks.check_close, "g", torch.tensor([-1.28040001], dtype=torch.float64), torch.tensor([-1.2804], dtype=torch.float64),
                  atol=1e-12, rtol=0)
    assert "is -1.28040001, expected -1.2804" in msg
    assert "expected 0.1, found 0.1000001" in message(checks.check_float, "x", 0.1000001, 0.1, atol=0, rtol=1e-9)


def test_type_checks_name_every_accepted_type():
    assert "expected a set, list or str, found int" in message(checks.check_type, "opts", 3, (set, list, str))
    assert "expected a tuple, found list" in message(checks.check_type, "shape", [2, 3], tuple)


# ---------------------------------------------------------------- the coercion and tolerance policy

def test_shapes_and_integer_sets_accept_every_natural_container():
    for shape in ((2, 3), [2, 3], torch.Size([2, 3]), (np.int64(2), np.int32(3))):
        assert checks.check_shape_tuple("shape", shape, (2, 3))
    assert "tuple of whole numbers" in message(checks.check_shape_tuple, "shape", (2.0, 3), (2, 3))
    assert "tuple of whole numbers" in message(checks.check_shape_tuple, "shape", (True, 3), (1, 3))
    for seeds in ({0, 3}, [3, 0], (np.int64(0), np.int64(3)), {np.int64(3), np.int64(0)},
                  torch.tensor([0, 3]), np.array([3, 0])):
        assert checks.check_int_set("seeds", seeds, {0, 3})
    assert "1 wrong, 1 missing" in message(checks.check_int_set, "seeds", [0, 4], {0, 3})
    assert "whole number" in message(checks.check_int_set, "seeds", [0.5], {0})


def test_tolerance_follows_the_dtype_asked_for_or_the_answers_own():
    exact = torch.tensor([1.0, 2.0], dtype=torch.float64)
    float32_rounding = exact.float() * (1 + 3e-7)
    assert checks.check_close("y", float32_rounding, exact)            # float32 arithmetic accepted
    assert "expected dtype torch.float64" in message(checks.check_close, "y", float32_rounding, exact,
                                                     dtype=torch.float64)
    assert "entry [0]" in message(checks.check_close, "y", exact * (1 + 3e-5), exact)  # float64: tight
    assert checks.tolerance(torch.float32) == (1e-5, 1e-4)


def test_a_template_left_as_it_is_is_named_as_such():
    for check, args in [(checks.as_choices, ()), (checks.as_bool, ()), (checks.as_float, ()), (checks.as_shape, ())]:
        assert "replace it with your answer" in message(check, "answer", ..., *args)
