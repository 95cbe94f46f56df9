"""Made-up submissions for 01_tensors: answer cells by grade id, and the test cells they lose."""

VARIANTS = {
    # Correct, but written differently from the reference: full marks.
    "alternative": {
        "cells": {
            "reshape_result": '''
import math

def reshape_result(shape, new_shape):
    total = math.prod(shape)
    rest = math.prod(d for d in new_shape if d != -1)
    if -1 not in new_shape:
        return tuple(new_shape) if rest == total else None
    if rest == 0 or total % rest != 0:
        return None
    return tuple(d if d != -1 else total // rest for d in new_shape)
''',
            "len_reshape_shape": "def len_reshape_shape(shape):\n    a, b, c = shape\n    return reshape_result(shape, (b, a, b))",
            "device_options": "device_options = 'a, c'",
            "seed_options": "seed_options = ['C', 'A']",
            "add_on": "def add_on(a, b, device):\n    return torch.add(a.to(device), b.to(device))",
            "make_layer": "def make_layer(seed):\n    g = torch.manual_seed(seed)\n    layer = nn.Linear(2, 3)\n    return layer",
            "linear_forward": "def linear_forward(x, weight, bias):\n    return torch.addmm(bias, x, weight.t())",
            "linear_grads": '''
def linear_grads(x, weight, bias):
    w = weight.clone().detach().requires_grad_()
    b = bias.clone().detach().requires_grad_()
    s = torch.einsum("bi,oi->bo", x, w) + b
    dw, db = torch.autograd.grad(s.sum(), (w, b))
    return dw, db
''',
        },
        "loses": [],
    },
    # Other natural forms: NumPy (allowed: only torch is off limits in Task 1.1), lists instead of
    # tuples, NumPy integers and booleans, a private torch.Generator, a loop over rows, torch.func.
    "alternative_numpy_and_lists": {
        "cells": {
            "reshape_result": '''
import numpy as np

def reshape_result(shape, new_shape):
    try:  # np.empty allocates nothing it touches; NumPy's reshape follows the same rules
        return list(np.empty(shape, dtype=np.int8).reshape(new_shape).shape)
    except ValueError:
        return None
''',
            "len_reshape_shape": "import numpy as np\n\ndef len_reshape_shape(shape):\n    a, b, c = (np.int64(d) for d in shape)\n    return [b, a, b] if a * b * b == a * b * c else None",
            "device_options": "device_options = frozenset('CA')",
            "seed_options": "seed_options = ('a', 'c')",
            "add_on": "def add_on(a, b, device):\n    return (a.cpu() + b.cpu()).to(device=device)",
            "make_layer": '''
def make_layer(seed):
    g = torch.Generator().manual_seed(seed)
    layer = nn.Linear(2, 3)
    bound = 1 / 2 ** 0.5
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=g)
        layer.bias.uniform_(-bound, bound, generator=g)
    return layer
''',
            "train_gain_implies_test_gain": "import numpy as np\ntrain_gain_implies_test_gain = np.bool_(False)",
            "linear_forward": '''
def linear_forward(x, weight, bias):
    return torch.stack([weight @ row + bias for row in x])
''',
            "linear_grads": '''
def linear_grads(x, weight, bias):
    total = lambda w, b: (x @ w.T + b).sum()
    return list(torch.func.grad(total, argnums=(0, 1))(weight.detach(), bias.detach()))
''',
        },
        "loses": [],
    },
    # More: NumPy integers in a shape, a layer built on the course's device after seeding (torch.manual_seed seeds every
    # device, so it is reproducible anywhere), fork_rng to leave the global state alone, the
    # transposed product written the other way round, backward() on a mean scaled back to a sum.
    "alternative_devices_and_forms": {
        "cells": {
            "reshape_result": '''
import numpy as np

def reshape_result(shape, new_shape):  # NumPy integers in the answer are fine
    n = np.prod(shape, dtype=np.int64)
    m = np.prod([d for d in new_shape if d != -1], dtype=np.int64)
    if -1 not in new_shape:
        return tuple(np.int64(d) for d in new_shape) if m == n else None
    return None if n % m else tuple(n // m if d == -1 else np.int64(d) for d in new_shape)
''',
            "add_on": "def add_on(a, b, device):\n    a, b = a.to(device), b.to(device)\n    return a + b",
            "make_layer": '''
def make_layer(seed):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Linear(2, 3, device=DEVICE)
''',
            "linear_forward": "def linear_forward(x, weight, bias):\n    return (weight @ x.T).T + bias[None, :]",
            "linear_grads": '''
def linear_grads(x, weight, bias):
    w = weight.detach().clone()
    b = bias.detach().clone()
    w.requires_grad = True
    b.requires_grad = True
    y = linear_forward(x, w, b)
    (y.mean() * y.numel()).backward()
    return (w.grad, b.grad)
''',
        },
        "loses": [],
    },
    # The classic slip: forgetting that nn.Linear stores W as (out, in).
    "mistake_no_transpose": {
        "cells": {"linear_forward": "def linear_forward(x, weight, bias):\n    return x @ weight + bias"},
        "loses": ["test_linear_forward"],
    },
    # The shortcut Task 1.1 forbids: ask torch and catch its error.
    "mistake_reshape_asks_torch": {
        "cells": {
            "reshape_result": '''
def reshape_result(shape, new_shape):
    try:
        return tuple(torch.empty(shape).reshape(new_shape).shape)
    except RuntimeError:
        return None
''',
        },
        "loses": ["test_reshape_result"],
    },
    # -1 handled, but an impossible reshape is not detected (floor division hides it).
    "mistake_reshape_floor": {
        "cells": {
            "reshape_result": '''
def reshape_result(shape, new_shape):
    total = 1
    for d in shape:
        total *= d
    known = 1
    for d in new_shape:
        if d != -1:
            known *= d
    return tuple(total // known if d == -1 else d for d in new_shape)
''',
        },
        "loses": ["test_reshape_result"],
    },
    # Without -1 every shape is taken as valid: the number of entries is never compared.
    "mistake_reshape_no_count_without_minus_one": {
        "cells": {
            "reshape_result": '''
def reshape_result(shape, new_shape):
    total = 1
    for d in shape:
        total *= d
    known = 1
    for d in new_shape:
        if d != -1:
            known *= d
    if -1 not in new_shape:
        return tuple(new_shape)
    return None if total % known else tuple(total // known if d == -1 else d for d in new_shape)
''',
        },
        "loses": ["test_reshape_result"],
    },
    # len(x[1]) read as len(x) (the first dimension of x, not of x[1]).
    "mistake_len_of_row": {
        "cells": {"len_reshape_shape": "def len_reshape_shape(shape):\n    a, b, c = shape\n    return (a, a, a) if a == b == c else None"},
        "loses": ["test_len_reshape_shape"],
    },
    # The NumPy option taken to work; the seeding options mixed up.
    "mistake_options": {
        "cells": {"device_options": "device_options = {'A', 'C', 'D'}", "seed_options": "seed_options = {'A', 'B', 'C'}"},
        "loses": {"test_device_options": 0.5, "test_seed_options": 0.5},  # one wrong letter of two right: half
    },
    # Ignores `device`: computes on the first tensor's device (right only when that is `device`).
    "mistake_add_on_ignores_device": {
        "cells": {"add_on": "def add_on(a, b, device):\n    return a + b.to(a.device)"},
        "loses": ["test_add_on"],
    },
    # Computes on the course's DEVICE whatever `device` says: right on a grader whose DEVICE is
    # the device asked for, so only the meta device exposes it on a CPU-only grader.
    "mistake_add_on_course_device": {
        "cells": {"add_on": "def add_on(a, b, device):\n    return a.to(DEVICE) + b.to(DEVICE)"},
        "loses": ["test_add_on"],
    },
    # Moves only one operand: a tensor on `device` plus one left where it was.
    "mistake_add_on_moves_one": {
        "cells": {"add_on": "def add_on(a, b, device):\n    return a.to(device) + b"},
        "loses": ["test_add_on"],
    },
    # Seeded once with a constant: reproducible, but every seed gives the same layer.
    "mistake_make_layer_fixed_seed": {
        "cells": {"make_layer": "def make_layer(seed):\n    torch.manual_seed(0)\n    return nn.Linear(2, 3)"},
        "loses": ["test_make_layer"],
    },
    # Seeded after the layer drew its weights: the seed comes too late.
    "mistake_make_layer_seed_after": {
        "cells": {"make_layer": "def make_layer(seed):\n    layer = nn.Linear(2, 3)\n    torch.manual_seed(seed)\n    return layer"},
        "loses": ["test_make_layer"],
    },
    # The weight is re-drawn after seeding, the bias keeps its unseeded draw.
    "mistake_make_layer_bias_unseeded": {
        "cells": {
            "make_layer": '''
def make_layer(seed):
    layer = nn.Linear(2, 3)
    torch.manual_seed(seed)
    nn.init.kaiming_uniform_(layer.weight, a=5 ** 0.5)
    return layer
''',
        },
        "loses": ["test_make_layer"],
    },
    "mistake_train_gain_true": {
        "cells": {"train_gain_implies_test_gain": "train_gain_implies_test_gain = True"},
        "loses": ["test_train_gain_implies_test_gain"],
    },
    # The bias forgotten.
    "mistake_linear_no_bias": {
        "cells": {"linear_forward": "def linear_forward(x, weight, bias):\n    return x @ weight.T"},
        "loses": ["test_linear_forward"],
    },
    # The shortcuts Task 5.1 forbids: F.linear, or a module with the weights copied in.
    "mistake_linear_by_F_linear": {
        "cells": {"linear_forward": "def linear_forward(x, weight, bias):\n    return torch.nn.functional.linear(x, weight, bias)"},
        "loses": ["test_linear_forward"],
    },
    "mistake_linear_by_module": {
        "cells": {
            "linear_forward": '''
def linear_forward(x, weight, bias):
    fc = nn.Linear(weight.shape[1], weight.shape[0], dtype=x.dtype, device=x.device)
    with torch.no_grad():
        fc.weight.copy_(weight)
        fc.bias.copy_(bias)
    return fc(x).detach()
''',
        },
        "loses": ["test_linear_forward"],
    },
    # backward() of the mean instead of the sum: every gradient is divided by B * out.
    "mistake_linear_grads_mean": {
        "cells": {
            "linear_grads": '''
def linear_grads(x, weight, bias):
    w = weight.detach().clone().requires_grad_(True)
    b = bias.detach().clone().requires_grad_(True)
    (x @ w.T + b).mean().backward()
    return w.grad, b.grad
''',
        },
        "loses": ["test_linear_grads"],
    },
    # The closed form of Task 5.3 typed in: right numbers, but the task asks for autograd.
    "mistake_linear_grads_closed_form": {
        "cells": {
            "linear_grads": '''
def linear_grads(x, weight, bias):
    return x.sum(0).expand_as(weight).clone(), torch.full_like(bias, len(x))
''',
        },
        "loses": ["test_linear_grads"],
    },
    # Makes the caller's tensors require gradients instead of working on copies.
    "mistake_linear_grads_in_place": {
        "cells": {
            "linear_grads": '''
def linear_grads(x, weight, bias):
    weight.requires_grad_(True)
    bias.requires_grad_(True)
    (x @ weight.T + bias).sum().backward()
    return weight.grad, bias.grad
''',
        },
        "loses": ["test_linear_grads"],
    },
    # Autograd through nn.Linear instead of the student's own formula.
    "mistake_linear_grads_by_module": {
        "cells": {
            "linear_grads": '''
def linear_grads(x, weight, bias):
    fc = nn.Linear(weight.shape[1], weight.shape[0], dtype=x.dtype, device=x.device)
    with torch.no_grad():
        fc.weight.copy_(weight)
        fc.bias.copy_(bias)
    fc(x).sum().backward()
    return fc.weight.grad, fc.bias.grad
''',
        },
        "loses": ["test_linear_grads"],
    },
    # --- Mistakes the property checks catch (drawn shapes and dtypes, inputs left unchanged, a fresh result).
    # functools.reduce without a start value: a 0-dim tensor's shape () raises instead of giving one entry.
    "mistake_reshape_reduce_no_start": {
        "cells": {
            "reshape_result": '''
import functools
import operator

def reshape_result(shape, new_shape):
    total = functools.reduce(operator.mul, shape)
    known = functools.reduce(operator.mul, [d for d in new_shape if d != -1], 1)
    if -1 in new_shape:
        return None if total % known else tuple(total // known if d == -1 else d for d in new_shape)
    return tuple(new_shape) if known == total else None
''',
        },
        "loses": ["test_reshape_result"],
    },
    # Stacks the two tensors to add them: right for equal shapes only, not where a + b broadcasts.
    "mistake_add_on_same_shape_only": {
        "cells": {"add_on": "def add_on(a, b, device):\n    return torch.stack([a.to(device), b.to(device)]).sum(0)"},
        "loses": ["test_add_on"],
    },
    # Adds in place: when a already lives on `device`, .to returns a itself and the caller's a changes.
    "mistake_add_on_in_place": {
        "cells": {"add_on": "def add_on(a, b, device):\n    a = a.to(device)\n    a += b.to(device)\n    return a"},
        "loses": ["test_add_on"],
    },
    # One layer per seed, kept and handed out again: equal weights, but not a fresh layer.
    "mistake_make_layer_cached": {
        "cells": {
            "make_layer": '''
_layers = {}

def make_layer(seed):
    if seed not in _layers:
        torch.manual_seed(seed)
        _layers[seed] = nn.Linear(2, 3)
    return _layers[seed]
''',
        },
        "loses": ["test_make_layer"],
    },
    # Transposes the caller's weight in place (t_): right numbers, but the weight it was given changes.
    "mistake_linear_transposes_in_place": {
        "cells": {"linear_forward": "def linear_forward(x, weight, bias):\n    return x @ weight.t_() + bias"},
        "loses": ["test_linear_forward"],
    },
    # Copies without detaching: a weight that requires gradients gives a copy that is no leaf, whose
    # gradient stays None, and backward() writes into the caller's weight.grad.
    "mistake_linear_grads_no_detach": {
        "cells": {
            "linear_grads": '''
def linear_grads(x, weight, bias):
    w = weight.clone().requires_grad_(True)
    b = bias.clone().requires_grad_(True)
    (x @ w.T + b).sum().backward()
    return w.grad, b.grad
''',
        },
        "loses": ["test_linear_grads"],
    },
}

# Held-out cases: written from the student notebook alone by someone who had not read the tests,
# graded once before the tests were strengthened (the closing note of issue 21 has the figures),
# then added here with what each loses.
VARIANTS.update({
    # correct: math.prod of both shapes, infers the -1 entry only when it divides exactly, and compares sizes when there is no -1; plain Python, no torch
    'heldout_reshape_math_prod': {
        "cells": {
            'reshape_result': 'import math\n\ndef reshape_result(shape, new_shape):\n    total = math.prod(shape)\n    new_shape = tuple(int(d) for d in new_shape)\n    if -1 not in new_shape:\n        return new_shape if math.prod(new_shape) == total else None\n    known = math.prod(d for d in new_shape if d != -1)\n    if total % known != 0:\n        return None\n    return tuple(total // known if d == -1 else d for d in new_shape)\n',
        },
        "loses": [],
    },
    # correct: explicit loops (no imports): counts entries, finds the -1 wherever it is, returns None on a remainder or a size mismatch; handles scalars () and zero-size shapes
    'heldout_reshape_loop_any_position': {
        "cells": {
            'reshape_result': 'def reshape_result(shape, new_shape):\n    total = 1\n    for d in shape:\n        total *= d\n    known = 1\n    hole = None\n    for i, d in enumerate(new_shape):\n        if d == -1:\n            hole = i\n        else:\n            known *= d\n    result = [int(d) for d in new_shape]\n    if hole is None:\n        if known != total:\n            return None\n        return tuple(result)\n    if total % known:\n        return None\n    result[hole] = total // known\n    return tuple(result)\n',
        },
        "loses": [],
    },
    # wrong: infers the -1 entry with // but never checks the remainder, so (6000,28,28) -> (-1, 9) gives (522666, 9) instead of None
    'heldout_reshape_no_divisibility_check': {
        "cells": {
            'reshape_result': 'import math\n\ndef reshape_result(shape, new_shape):\n    total = math.prod(shape)\n    if -1 not in new_shape:\n        return tuple(new_shape) if math.prod(new_shape) == total else None\n    known = math.prod(d for d in new_shape if d != -1)\n    return tuple(total // known if d == -1 else d for d in new_shape)\n',
        },
        "loses": ['test_reshape_result'],
    },
    # wrong: when new_shape has no -1 it is returned unchanged, so an impossible reshape such as (6000,28,28) -> (10, 10) gives (10, 10) instead of None
    'heldout_reshape_no_size_check_without_minus1': {
        "cells": {
            'reshape_result': 'import math\n\ndef reshape_result(shape, new_shape):\n    if -1 not in new_shape:\n        return tuple(new_shape)\n    total = math.prod(shape)\n    known = math.prod(d for d in new_shape if d != -1)\n    if total % known:\n        return None\n    return tuple(total // known if d == -1 else d for d in new_shape)\n',
        },
        "loses": ['test_reshape_result'],
    },
    # wrong: only looks for -1 in the first position (every visible example has it there); (6000,28,28) -> (14, -1) comes back as (14, -1) instead of (14, 336000)
    'heldout_reshape_minus1_first_only': {
        "cells": {
            'reshape_result': 'import math\n\ndef reshape_result(shape, new_shape):\n    total = math.prod(shape)\n    new_shape = tuple(new_shape)\n    if new_shape and new_shape[0] == -1:\n        known = math.prod(new_shape[1:])\n        if total % known:\n            return None\n        return (total // known,) + new_shape[1:]\n    return new_shape if math.prod(new_shape) == total else None\n',
        },
        "loses": ['test_reshape_result'],
    },
    # wrong: np.prod of an empty list is the float 1.0, so new_shape (-1,) gives (4704000.0,), a float where a tuple of ints is asked (the visible (-1, 6000) check passes)
    'heldout_reshape_numpy_prod_float': {
        "cells": {
            'reshape_result': 'import numpy as np\n\ndef reshape_result(shape, new_shape):\n    total = np.prod(shape)\n    others = [d for d in new_shape if d != -1]\n    known = np.prod(others)\n    if len(others) == len(new_shape):\n        return tuple(new_shape) if known == total else None\n    if total % known != 0:\n        return None\n    return tuple(total // known if d == -1 else d for d in new_shape)\n',
        },
        "loses": ['test_reshape_result'],
    },
    # wrong: treats an inferred dimension of 0 as impossible, but torch.empty((0, 5)).reshape(-1, 5) is valid and has shape (0, 5)
    'heldout_reshape_rejects_zero_size': {
        "cells": {
            'reshape_result': 'import math\n\ndef reshape_result(shape, new_shape):\n    total = math.prod(shape)\n    if -1 not in new_shape:\n        return tuple(new_shape) if math.prod(new_shape) == total else None\n    known = math.prod(d for d in new_shape if d != -1)\n    if total % known or total // known < 1:\n        return None\n    return tuple(total // known if d == -1 else d for d in new_shape)\n',
        },
        "loses": ['test_reshape_result'],
    },
    # evasion: asks torch itself (a meta tensor's reshape) inside a worker thread, where the calling thread's checks do not reach; the statement says no torch call at all
    'heldout_reshape_torch_in_thread': {
        "cells": {
            'reshape_result': 'import concurrent.futures\n\ndef _ask_torch(shape, new_shape):\n    try:\n        return tuple(int(d) for d in torch.empty(tuple(shape), device="meta").reshape(tuple(new_shape)).shape)\n    except RuntimeError:\n        return None\n\ndef reshape_result(shape, new_shape):\n    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:\n        return pool.submit(_ask_torch, shape, new_shape).result()\n',
        },
        "loses": ['test_reshape_result'],
    },
    # evasion: calls torch's own shape inference (torch._prims_common.infer_size and torch.Size.numel), plain-Python torch code the function-mode check does not see; still calling torch
    'heldout_reshape_torch_internal_infer_size': {
        "cells": {
            'reshape_result': 'from torch._prims_common import infer_size\n\ndef reshape_result(shape, new_shape):\n    try:\n        return tuple(int(d) for d in infer_size(tuple(new_shape), torch.Size(tuple(shape)).numel()))\n    except RuntimeError:\n        return None\n',
        },
        "loses": ['test_reshape_result'],
    },
    # correct: len(x[1]) = b, len(x) = a, len(x[2]) = b, and b*a*b equals the size only when b == c
    'heldout_len_shape_literal': {
        "cells": {
            'len_reshape_shape': 'def len_reshape_shape(shape):\n    return (shape[1], shape[0], shape[1]) if shape[1] == shape[2] else None\n',
        },
        "loses": [],
    },
    # wrong: assumes the reshape keeps x's own shape (6000, 28, 28); the first argument is len(x[1]) = 28
    'heldout_len_shape_unchanged': {
        "cells": {
            'len_reshape_shape': 'def len_reshape_shape(shape):\n    return tuple(shape)\n',
        },
        "loses": ['test_len_reshape_shape'],
    },
    # correct: A and C put both operands on one device; B mixes GPU and CPU, D mixes a GPU tensor with a NumPy array
    'heldout_device_options_set': {
        "cells": {
            'device_options': 'device_options = {"A", "C"}\n',
        },
        "loses": [],
    },
    # wrong: adds D, but a GPU tensor plus a NumPy array fails (the array is host memory, never moved to the GPU)
    'heldout_device_options_numpy_too': {
        "cells": {
            'device_options': 'device_options = {"A", "C", "D"}\n',
        },
        "loses": {'test_device_options': 0.5},
    },
    # correct: A and C are true; B is false (successive draws differ), D is false (CPU and GPU kernels round differently)
    'heldout_seed_options_list': {
        "cells": {
            'seed_options': 'seed_options = ["A", "C"]\n',
        },
        "loses": [],
    },
    # wrong: includes B: after one manual_seed the generator advances, so successive torch.rand(1) calls differ
    'heldout_seed_options_same_draw': {
        "cells": {
            'seed_options': 'seed_options = {"A", "B", "C"}\n',
        },
        "loses": {'test_seed_options': 0.5},
    },
    # correct: moves both operands to torch.device(device) and adds there (works for str or torch.device, meta included)
    'heldout_add_on_move_both': {
        "cells": {
            'add_on': 'def add_on(a, b, device):\n    device = torch.device(device)\n    return torch.add(a.to(device), b.to(device))\n',
        },
        "loses": [],
    },
    # wrong: a.to(device) is a itself when a is already there, and += then overwrites the caller's a; it also cannot broadcast to a larger b or promote a float32 a with a float64 b as a + b does
    'heldout_add_on_inplace_on_a': {
        "cells": {
            'add_on': 'def add_on(a, b, device):\n    s = a.to(device)\n    s += b.to(device)\n    return s\n',
        },
        "loses": ['test_add_on'],
    },
    # wrong: starts from a copy of a and adds b in place: result keeps a's shape and dtype, so a (3,) plus a (2, 1) b fails and an int a plus a float b is rejected, where a + b broadcasts and promotes
    'heldout_add_on_clone_then_add': {
        "cells": {
            'add_on': 'def add_on(a, b, device):\n    out = a.to(device).clone()\n    out.add_(b.to(device))\n    return out\n',
        },
        "loses": ['test_add_on'],
    },
    # correct: seeds the global generator with seed right before building nn.Linear(2, 3)
    'heldout_make_layer_manual_seed': {
        "cells": {
            'make_layer': 'def make_layer(seed):\n    torch.manual_seed(seed)\n    return nn.Linear(2, 3)\n',
        },
        "loses": [],
    },
    # correct: seeds inside torch.random.fork_rng, so the layer depends only on seed and the caller's random stream is left as it was
    'heldout_make_layer_fork_rng': {
        "cells": {
            'make_layer': 'def make_layer(seed):\n    with torch.random.fork_rng(devices=[]):\n        torch.manual_seed(seed)\n        layer = nn.Linear(2, 3)\n    return layer\n',
        },
        "loses": [],
    },
    # correct: re-initialises weight and bias from a private torch.Generator seeded with seed (PyTorch's default U(-1/sqrt(2), 1/sqrt(2)) bounds), never touching the global generator
    'heldout_make_layer_own_generator': {
        "cells": {
            'make_layer': 'def make_layer(seed):\n    layer = nn.Linear(2, 3)\n    g = torch.Generator().manual_seed(seed)\n    bound = 1 / 2 ** 0.5\n    with torch.no_grad():\n        layer.weight.copy_(torch.rand(3, 2, generator=g) * 2 * bound - bound)\n        layer.bias.copy_(torch.rand(3, generator=g) * 2 * bound - bound)\n    return layer\n',
        },
        "loses": [],
    },
    # wrong: always seeds with 0, so make_layer(1) equals make_layer(0); the visible check only tries seed 0
    'heldout_make_layer_ignores_seed': {
        "cells": {
            'make_layer': 'def make_layer(seed):\n    torch.manual_seed(0)\n    return nn.Linear(2, 3)\n',
        },
        "loses": ['test_make_layer'],
    },
    # wrong: returns the same cached module for a repeated seed: once the first layer is trained (or modified), the next make_layer(seed) no longer has the seed's initial parameters
    'heldout_make_layer_cached_object': {
        "cells": {
            'make_layer': '_layers = {}\n\ndef make_layer(seed):\n    if seed not in _layers:\n        torch.manual_seed(seed)\n        _layers[seed] = nn.Linear(2, 3)\n    return _layers[seed]\n',
        },
        "loses": ['test_make_layer'],
    },
    # correct: overfitting: training accuracy can rise while test accuracy falls
    'heldout_train_gain_false': {
        "cells": {
            'train_gain_implies_test_gain': 'train_gain_implies_test_gain = False\n',
        },
        "loses": [],
    },
    # correct: torch.addmm(bias, x, weight.T) is exactly b + X W^T as one fused matrix product
    'heldout_linear_forward_addmm': {
        "cells": {
            'linear_forward': 'def linear_forward(x, weight, bias):\n    return torch.addmm(bias, x, weight.t())\n',
        },
        "loses": [],
    },
    # correct: does the matrix product in NumPy (no torch.nn involved) and returns a tensor with x's dtype and device
    'heldout_linear_forward_numpy_roundtrip': {
        "cells": {
            'linear_forward': 'def linear_forward(x, weight, bias):\n    xs, ws, bs = (t.detach().cpu().numpy() for t in (x, weight, bias))\n    y = xs @ ws.T + bs\n    return torch.from_numpy(y).to(device=x.device, dtype=x.dtype)\n',
        },
        "loses": [],
    },
    # wrong: computes W x + b for the first row only and adds a batch dimension: right for the visible batch of 1, wrong shape for any larger batch
    'heldout_linear_forward_first_sample_only': {
        "cells": {
            'linear_forward': 'def linear_forward(x, weight, bias):\n    return (weight @ x[0] + bias).unsqueeze(0)\n',
        },
        "loses": ['test_linear_forward'],
    },
    # wrong: weight.t_() transposes the caller's tensor in place: the first result is right but the caller's weight now has shape (in, out), so the next call with it fails or is wrong
    'heldout_linear_forward_transposes_weight_in_place': {
        "cells": {
            'linear_forward': 'def linear_forward(x, weight, bias):\n    return x @ weight.t_() + bias\n',
        },
        "loses": ['test_linear_forward'],
    },
    # evasion: calls the same kernel as F.linear under another name, torch.ops.aten.linear, which the function-mode check does not map to F.linear
    'heldout_linear_forward_aten_linear': {
        "cells": {
            'linear_forward': 'def linear_forward(x, weight, bias):\n    return torch.ops.aten.linear.default(x, weight, bias)\n',
        },
        "loses": ['test_linear_forward'],
    },
    # evasion: runs torch.nn.functional.linear in a worker thread, whose torch-function mode stack is empty
    'heldout_linear_forward_f_linear_in_thread': {
        "cells": {
            'linear_forward': 'import threading\nimport torch.nn.functional as _F\n\ndef linear_forward(x, weight, bias):\n    box = {}\n    worker = threading.Thread(target=lambda: box.setdefault("y", _F.linear(x, weight, bias)))\n    worker.start()\n    worker.join()\n    return box["y"]\n',
        },
        "loses": ['test_linear_forward'],
    },
    # evasion: pops every torch-function mode off the stack (the checker's included), calls F.linear, and pushes them back
    'heldout_linear_forward_pop_mode_stack': {
        "cells": {
            'linear_forward': 'import torch.nn.functional as _F\nfrom torch.overrides import _pop_mode, _push_mode, _len_torch_function_stack\n\ndef linear_forward(x, weight, bias):\n    modes = [_pop_mode() for _ in range(_len_torch_function_stack())]\n    try:\n        return _F.linear(x, weight, bias)\n    finally:\n        for mode in reversed(modes):\n            _push_mode(mode)\n',
        },
        "loses": ['test_linear_forward'],
    },
    # correct: detached clones as leaves, s = (x @ W.T + b).sum(), torch.autograd.grad for both; inputs untouched
    'heldout_linear_grads_autograd_grad': {
        "cells": {
            'linear_grads': 'def linear_grads(x, weight, bias):\n    W = weight.detach().clone().requires_grad_(True)\n    b = bias.detach().clone().requires_grad_(True)\n    with torch.enable_grad():\n        s = (x.detach() @ W.T + b).sum()\n        dW, db = torch.autograd.grad(s, (W, b))\n    return dW, db\n',
        },
        "loses": [],
    },
    # wrong (by the statement as it reads now): Y.backward(ones_like(Y)) is the gradient of the sum of Y's entries; leaves are fresh copies made with empty_like + copy_, so the inputs never require or hold a gradient
    'heldout_linear_grads_backward_ones': {
        "cells": {
            'linear_grads': 'def linear_grads(x, weight, bias):\n    W = torch.empty_like(weight).copy_(weight).requires_grad_()\n    b = torch.empty_like(bias).copy_(bias).requires_grad_()\n    y = torch.addmm(b, x, W.t())\n    y.backward(torch.ones_like(y))\n    return W.grad, b.grad\n',
        },
        "loses": ['test_linear_grads'],
    },
    # wrong: calls requires_grad_ on the caller's weight and bias instead of copies: the gradients are right, but afterwards the inputs require and hold a gradient
    'heldout_linear_grads_requires_grad_on_inputs': {
        "cells": {
            'linear_grads': 'def linear_grads(x, weight, bias):\n    weight.requires_grad_(True)\n    bias.requires_grad_(True)\n    (x @ weight.T + bias).sum().backward()\n    return weight.grad.clone(), bias.grad.clone()\n',
        },
        "loses": ['test_linear_grads'],
    },
    # wrong: sums over outputs but averages over the batch, which divides both gradients by B; it coincides with s only for the visible batch of 1
    'heldout_linear_grads_mean_over_batch': {
        "cells": {
            'linear_grads': 'def linear_grads(x, weight, bias):\n    W = weight.detach().clone().requires_grad_(True)\n    b = bias.detach().clone().requires_grad_(True)\n    (x @ W.T + b).sum(dim=1).mean().backward()\n    return W.grad, b.grad\n',
        },
        "loses": ['test_linear_grads'],
    },
    # evasion: calls backward() on a throw-away tensor so autograd is 'used', but returns the closed form (column sums of x, B ones) typed in by hand instead of autograd's gradients
    'heldout_linear_grads_decoy_backward': {
        "cells": {
            'linear_grads': 'def linear_grads(x, weight, bias):\n    probe = torch.zeros((), requires_grad=True)\n    (probe * 1.0).backward()\n    dW = x.detach().sum(dim=0).expand(weight.shape[0], -1).clone()\n    db = torch.full_like(bias, float(x.shape[0]))\n    return dW, db\n',
        },
        "loses": ['test_linear_grads'],
    },
    # evasion: builds the forward pass with F.linear in a worker thread (outside the checker's mode) and only calls backward() in the checked thread; the statement forbids F.linear
    'heldout_linear_grads_f_linear_in_thread': {
        "cells": {
            'linear_grads': 'import concurrent.futures\nimport torch.nn.functional as _F\n\ndef linear_grads(x, weight, bias):\n    W = weight.detach().clone().requires_grad_(True)\n    b = bias.detach().clone().requires_grad_(True)\n    with concurrent.futures.ThreadPoolExecutor(1) as pool:\n        y = pool.submit(_F.linear, x, W, b).result()\n    y.sum().backward()\n    return W.grad, b.grad\n',
        },
        "loses": ['test_linear_grads'],
    },
})

# Held out, then added: the answers of a solver who did the assignment blind from release/ (December 2026);
# graded once by bench/bench_heldout.py before they joined the corpus, they lost no point.
VARIANTS["blind_solver"] = {
    "cells": {   'add_on': 'def add_on(a, b, device):\n'
              '    # .to returns a copy on `device` (or the tensor itself if it is already there);\n'
              '    # the sum is a new tensor, so a and b are left unchanged\n'
              '    return a.to(device) + b.to(device)',
    'broadcast_shape': 'def broadcast_shape(a, b):\n'
                       '    a, b = tuple(a), tuple(b)\n'
                       '    n = max(len(a), len(b))\n'
                       '    # pad the shorter shape with 1s on the left\n'
                       '    a = (1,) * (n - len(a)) + a\n'
                       '    b = (1,) * (n - len(b)) + b\n'
                       '    out = []\n'
                       '    for da, db in zip(a, b):\n'
                       '        if da == db:\n'
                       '            out.append(da)\n'
                       '        elif da == 1:\n'
                       '            out.append(db)\n'
                       '        elif db == 1:\n'
                       '            out.append(da)\n'
                       '        else:\n'
                       '            return None\n'
                       '    return tuple(out)',
    'device_options': 'device_options = {"A", "C"}',
    'draw_on': 'def draw_on(seed, shape, device):\n'
               '    # a CPU generator of our own: the global generator is not touched\n'
               '    g = torch.Generator(device="cpu").manual_seed(seed)\n'
               '    # draw on the CPU in one call, in float64, then move to the device\n'
               '    x = torch.randn(tuple(shape), generator=g, dtype=torch.float64)\n'
               '    return x.to(device)',
    'len_reshape_shape': 'def len_reshape_shape(shape):\n'
                         '    n, a, b = shape\n'
                         '    # len(x[1]) = a (x[1] has shape (a, b)), len(x) = n, len(x[2]) = a\n'
                         '    new_shape = (a, n, a)\n'
                         '    # valid only when it holds as many entries as x: a*n*a == n*a*b, i.e. a == b\n'
                         '    if a * n * a != n * a * b:\n'
                         '        return None\n'
                         '    return new_shape',
    'linear_forward': 'def linear_forward(x, weight, bias):\n'
                      '    # Y = X W^T + b, b broadcast over the rows; nothing is modified in place\n'
                      '    return x @ weight.T + bias',
    'linear_grads': 'def linear_grads(x, weight, bias):\n'
                    "    # detached copies that require gradients: the caller's tensors get no .grad\n"
                    '    # and keep their requires_grad flag\n'
                    '    w = weight.detach().clone().requires_grad_(True)\n'
                    '    b = bias.detach().clone().requires_grad_(True)\n'
                    '    xd = x.detach()\n'
                    '    with torch.enable_grad():\n'
                    '        s = linear_forward(xd, w, b).sum()\n'
                    '        dW, db = torch.autograd.grad(s, (w, b))\n'
                    '    return dW, db',
    'make_layer': 'def make_layer(seed):\n'
                  "    # reset the global generator, so the layer's initialisation depends only on seed\n"
                  '    torch.manual_seed(seed)\n'
                  '    return nn.Linear(2, 3)',
    'reshape_result': 'def reshape_result(shape, new_shape):\n'
                      '    # number of entries of the original tensor; () has one entry\n'
                      '    numel = 1\n'
                      '    for d in shape:\n'
                      '        numel *= d\n'
                      '    if isinstance(new_shape, int):\n'
                      '        new_shape = (new_shape,)\n'
                      '    new_shape = tuple(new_shape)\n'
                      '    known = 1\n'
                      '    n_infer = 0\n'
                      '    for d in new_shape:\n'
                      '        if d == -1:\n'
                      '            n_infer += 1\n'
                      '        else:\n'
                      '            known *= d\n'
                      '    if n_infer > 1:\n'
                      '        return None\n'
                      '    if n_infer == 0:\n'
                      '        return new_shape if known == numel else None\n'
                      '    # one dimension is -1: infer it\n'
                      '    if known == 0:\n'
                      '        return None  # -1 would be ambiguous\n'
                      '    if numel % known != 0:\n'
                      '        return None\n'
                      '    inferred = numel // known\n'
                      '    return tuple(inferred if d == -1 else d for d in new_shape)',
    'seed_options': 'seed_options = {"A", "C"}',
    'train_gain_implies_test_gain': 'train_gain_implies_test_gain = False'},
    "loses": [],
}
