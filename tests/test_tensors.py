"""01_tensors: the reference answers agree with torch itself and with numbers worked out by hand."""
import itertools

import pytest
import torch
from conftest import reference_namespace
from torch import nn


@pytest.fixture(scope="module")
def ref():
    """The instructor's answer cells of 01_tensors, run in one namespace after the imports cell."""
    return reference_namespace("01_tensors", "answers")


def _torch_reshape(shape, new_shape):
    try:
        return tuple(torch.empty(shape, device="meta").reshape(new_shape).shape)
    except RuntimeError:
        return None


def test_reshape_prediction_by_hand(ref):
    predict = ref["reshape_result"]
    assert predict((6000, 28, 28), (-1, 6000)) == (784, 6000)     # 4 704 000 / 6000
    assert predict((6000, 28, 28), (-1, 14, 32, 7)) == (1500, 14, 32, 7)
    assert predict((6000, 28, 28), (-1, 9)) is None               # 4 704 000 is not a multiple of 9
    assert predict((6000, 28, 28), (28, 28, 6000, 2)) is None     # twice as many entries


def test_reshape_prediction_agrees_with_torch_on_every_small_shape(ref):
    shapes = [s for n in (1, 2) for s in itertools.product((1, 2, 3, 4), repeat=n)]
    for shape, new in itertools.product(shapes, [*shapes, *[(-1,), (-1, 2), (3, -1), (2, -1, 2)]]):
        assert ref["reshape_result"](shape, new) == _torch_reshape(shape, new), (shape, new)


def test_len_reshape_shape_is_what_torch_gives(ref):
    for shape in itertools.product((3, 4, 6000), (1, 2, 28), (1, 2, 28)):
        x = torch.empty(shape, device="meta")
        try:
            want = tuple(x.reshape(len(x[1]), len(x), len(x[2])).shape)
        except RuntimeError:
            want = None
        assert ref["len_reshape_shape"](shape) == want, shape
    assert ref["len_reshape_shape"]((6000, 28, 28)) == (28, 6000, 28)


def test_add_on_puts_the_sum_on_the_device_asked_for(ref):
    a, b = torch.arange(3.0), torch.ones(3)
    assert torch.equal(ref["add_on"](a, b, "cpu"), torch.tensor([1.0, 2.0, 3.0]))
    assert ref["add_on"](a, b, torch.device("meta")).device.type == "meta"


def test_make_layer_is_nn_linear_seeded_with_the_seed(ref):
    torch.manual_seed(99)
    layer = ref["make_layer"](5)
    torch.manual_seed(5)
    want = nn.Linear(2, 3)
    assert torch.equal(layer.weight, want.weight) and torch.equal(layer.bias, want.bias)
    assert not torch.equal(ref["make_layer"](6).weight, layer.weight)


def test_linear_layer_by_hand(ref):
    # Y = x W^T + b for x = (10, 20), W rows (11, 12), (21, 22), (31, 32), b = (31, 32, 33)
    x = torch.tensor([[10.0, 20.0]], dtype=torch.float64)
    W = torch.tensor([[11.0, 12.0], [21.0, 22.0], [31.0, 32.0]], dtype=torch.float64)
    b = torch.tensor([31.0, 32.0, 33.0], dtype=torch.float64)
    assert ref["linear_forward"](x, W, b).tolist() == [[381.0, 682.0, 983.0]]
    dW, db = ref["linear_grads"](x, W, b)
    assert dW.tolist() == [[10.0, 20.0]] * 3 and db.tolist() == [1.0, 1.0, 1.0]
    assert not W.requires_grad and W.grad is None


def test_linear_grads_of_a_batch_are_column_sums_and_the_batch_size(ref):
    x = torch.tensor([[1.0, -1.0], [2.0, 5.0], [0.5, 0.0]], dtype=torch.float64)
    W, b = torch.zeros(4, 2, dtype=torch.float64), torch.zeros(4, dtype=torch.float64)
    dW, db = ref["linear_grads"](x, W, b)
    assert dW.tolist() == [[3.5, 4.0]] * 4 and db.tolist() == [3.0] * 4


def _rule_message(groups, fn):
    """The message of running `fn` under a task's rule, or None when it passes."""
    from dlcourse.checks import CheckError
    from dlcourse.rules import forbid
    try:
        with forbid("Task 1.1", "a prediction made without calling torch", groups):
            fn()
    except CheckError as exc:
        return str(exc)
    return None


def test_the_rule_of_task_1_1_sees_any_torch_call_and_nothing_else(ref):
    def ask_torch():
        try:
            torch.zeros(2, 3).reshape(3, -1)
        except RuntimeError:
            return None

    assert _rule_message(["torch"], ask_torch) == \
        "Task 1.1 asks for a prediction made without calling torch: your code called `torch.zeros`"
    empty = torch.Tensor()
    assert "torch.Tensor.reshape" in _rule_message(["torch"], lambda: torch.Tensor.reshape(empty, (0,)))
    assert "aten.empty" in _rule_message(["torch"], torch.Tensor)  # a constructor torch.overrides leaves out
    assert _rule_message(["torch"], lambda: ref["reshape_result"]((6000, 28, 28), (-1, 6000))) is None
    import numpy as np
    assert _rule_message(["torch"], lambda: np.empty((2, 3)).reshape(3, -1)) is None


def test_broadcast_prediction_agrees_with_torch_on_every_small_pair(ref):
    shapes = [s for n in (0, 1, 2, 3) for s in itertools.product((0, 1, 2, 3), repeat=n)]
    for a, b in itertools.product(shapes, repeat=2):
        try:
            want = tuple(torch.broadcast_shapes(a, b))
        except RuntimeError:
            want = None
        assert ref["broadcast_shape"](a, b) == want, (a, b)


def test_draw_on_is_a_seeded_cpu_generator_moved_to_the_device_and_leaves_the_global_one(ref):
    state = torch.get_rng_state()
    x = ref["draw_on"](5, (2, 3), "meta")
    assert x.device.type == "meta" and x.dtype == torch.float64 and x.shape == (2, 3)
    y = ref["draw_on"](5, (2, 3), "cpu")
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(y, torch.randn(2, 3, generator=torch.Generator().manual_seed(5), dtype=torch.float64))
    assert not torch.equal(y, ref["draw_on"](6, (2, 3), "cpu"))
