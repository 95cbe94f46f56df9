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

# Section 6 (fit_linear, max_stable_lr): answers written blind from the student notebook by someone who had not
# read the tests, graded once through autograde before they joined the corpus: 19 of 19 as the writer expected.
# Written from the student notebook only (release/01_tensors/01_tensors.ipynb).
#
# How I read the statement (what a fair grader accepts):
# * 6.1 rules out torch.optim, nn.Linear and every other torch.nn *module* (nn.Module class, e.g. nn.MSELoss).
#   torch.nn.functional.mse_loss is not a module: the statement itself defines L "as
#   torch.nn.functional.mse_loss(Y, T) computes it", and Task 5.1 had to name F.linear on its own because
#   "torch.nn module" does not cover functions. So F.mse_loss is accepted.
# * 6.1 says the gradients come "with autograd", but the only things it rules out (and that the checks say they
#   fail on) are torch.optim and torch.nn modules. A hand-written gradient gives the same numbers and uses no
#   ruled-out call, so I count it as accepted. This is the one borderline call (variant
#   "correct_manual_gradient_formula"); contrast 5.2, whose statement puts "by autograd" in bold and whose
#   checks verify it.
# * 6.1: torch.func (grad_and_value) is autograd, so it is accepted. Doing the arithmetic in float64 inside
#   and returning tensors of x's dtype and device is accepted.
# * 6.2 rules out autograd only. The statement suggests "a function of torch.linalg (eigvalsh, say)"; the
#   Rules paragraph says NumPy is fine. So numpy.linalg.eigvalsh, SVD / spectral norm, the B x B Gram matrix,
#   the full block-diagonal Hessian, and a converged power iteration all count as correct.
# * Intro rules: threads/processes, torch private APIs, and a ruled-out call anywhere in the task's cells
#   (including a lookup table built at the top of the cell) cost the task its points.
# * Hidden checks use other inputs (out_features > 1, steps = 0, other shapes, float32). So an answer that is
#   right only for the visible example (out = 1, B = 4, steps = 5, float64) still loses.
#
# Expected losses are per test cell: test_fit_linear judges fit_linear, test_max_stable_lr judges max_stable_lr.
# A variant that gives only one cell gets the correct answer for the other.
VARIANTS.update({
    # ------------------------------------------------------------------ CORRECT
    # CORRECT: the plain way for 6.1 (.backward(), zero the grads, update under no_grad, losses preallocated);
    # 6.2: eigvalsh of the (in+1)x(in+1) matrix X~^T X~ scaled by 2/(B*out), in float64 on the CPU.
    "correct_backward_eigvalsh": {
        "cells": {
            "fit_linear": r'''def fit_linear(x, t, lr, steps):
    x, t = x.detach(), t.detach()
    n_out, n_in = t.shape[1], x.shape[1]
    W = torch.zeros(n_out, n_in, dtype=x.dtype, device=x.device, requires_grad=True)
    b = torch.zeros(n_out, dtype=x.dtype, device=x.device, requires_grad=True)
    losses = torch.empty(steps, dtype=x.dtype, device=x.device)
    for s in range(steps):
        loss = ((x @ W.T + b - t) ** 2).mean()
        losses[s] = loss.detach()
        if W.grad is not None:
            W.grad.zero_()
            b.grad.zero_()
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
    return W.detach(), b.detach(), losses
''',
            "max_stable_lr": r'''def max_stable_lr(x, out_features):
    xd = x.detach().to("cpu", torch.float64)
    B = xd.shape[0]
    xt = torch.cat([xd, torch.ones(B, 1, dtype=torch.float64)], dim=1)
    # Hessian = kron(I_out, 2/(B*out) * X~^T X~): same top eigenvalue as the small block
    lam = torch.linalg.eigvalsh(xt.T @ xt)[-1].item() * 2.0 / (B * out_features)
    return 2.0 / lam
''',
        },
        "loses": [],
    },
    # CORRECT: 6.1 with torch.autograd.grad and F.mse_loss (a function, not an nn module: allowed), parameters
    # rebuilt each step, losses stacked with an explicit empty case for steps = 0;
    # 6.2 via the spectral norm (largest singular value) of X~: lambda_max = 2/(B*out) * sigma_max^2.
    "correct_autograd_grad_mse_loss_spectral_norm": {
        "cells": {
            "fit_linear": r'''import torch.nn.functional as F

def fit_linear(x, t, lr, steps):
    x, t = x.detach(), t.detach()
    W = x.new_zeros(t.shape[1], x.shape[1])
    b = x.new_zeros(t.shape[1])
    history = []
    for _ in range(steps):
        W.requires_grad_(True)
        b.requires_grad_(True)
        loss = F.mse_loss(x @ W.mT + b, t)
        gW, gb = torch.autograd.grad(loss, (W, b))
        history.append(loss.detach())
        W = (W - lr * gW).detach()
        b = (b - lr * gb).detach()
    losses = torch.stack(history) if history else x.new_zeros(0)
    return W.detach(), b.detach(), losses
''',
            "max_stable_lr": r'''def max_stable_lr(x, out_features):
    xd = x.detach().cpu().double()
    B = xd.shape[0]
    xt = torch.cat([xd, xd.new_ones(B, 1)], dim=1)
    sigma = torch.linalg.matrix_norm(xt, ord=2)       # largest singular value of X~
    lam_max = 2.0 * float(sigma) ** 2 / (B * out_features)
    return float(2.0 / lam_max)
''',
        },
        "loses": [],
    },
    # CORRECT: 6.1 done in float64 inside (p.grad = None, loss as sum / numel, p.sub_), results cast back to
    # x's dtype at the end (allowed: the statement only fixes the returned dtype/device);
    # 6.2 builds the full block-diagonal Hessian with torch.kron and takes eigvalsh(...)[-1].
    "correct_float64_inside_full_kron_hessian": {
        "cells": {
            "fit_linear": r'''def fit_linear(x, t, lr, steps):
    xd = x.detach().to(torch.float64)
    td = t.detach().to(torch.float64)
    W = torch.zeros(td.shape[1], xd.shape[1], dtype=torch.float64, device=x.device, requires_grad=True)
    b = torch.zeros(td.shape[1], dtype=torch.float64, device=x.device, requires_grad=True)
    losses = torch.zeros(steps, dtype=torch.float64, device=x.device)
    for s in range(steps):
        W.grad = None
        b.grad = None
        loss = (xd @ W.t() + b - td).pow(2).sum() / td.numel()
        loss.backward()
        losses[s] = loss.detach()
        with torch.no_grad():
            W.sub_(lr * W.grad)
            b.sub_(lr * b.grad)
    return W.detach().to(x.dtype), b.detach().to(x.dtype), losses.to(x.dtype)
''',
            "max_stable_lr": r'''def max_stable_lr(x, out_features):
    xd = x.detach().double().cpu()
    B = xd.shape[0]
    xt = torch.cat([xd, torch.ones(B, 1, dtype=torch.float64)], 1)
    block = (2.0 / (B * out_features)) * (xt.T @ xt)
    H = torch.kron(torch.eye(out_features, dtype=torch.float64), block)   # parameters ordered output by output
    return 2.0 / torch.linalg.eigvalsh(H)[-1].item()
''',
        },
        "loses": [],
    },
    # CORRECT: 6.1 with one augmented parameter theta = [W b] of shape (out, in+1) on X~ = [X 1], losses kept as
    # Python floats and turned into a tensor of x's dtype/device (exact: item() of a float32 is exact);
    # 6.2 via the B x B Gram matrix X~ X~^T, which has the same nonzero eigenvalues as X~^T X~.
    "correct_augmented_theta_gram_matrix": {
        "cells": {
            "fit_linear": r'''def fit_linear(x, t, lr, steps):
    x, t = x.detach(), t.detach()
    B, n_in = x.shape
    xt = torch.cat([x, torch.ones(B, 1, dtype=x.dtype, device=x.device)], dim=1)
    theta = torch.zeros(t.shape[1], n_in + 1, dtype=x.dtype, device=x.device, requires_grad=True)
    losses = []
    for _ in range(steps):
        r = xt @ theta.T - t
        loss = (r * r).mean()
        losses.append(loss.item())
        theta.grad = None
        loss.backward()
        with torch.no_grad():
            theta -= lr * theta.grad
    th = theta.detach()
    weight = th[:, :n_in].clone()
    bias = th[:, n_in].clone()
    return weight, bias, torch.tensor(losses, dtype=x.dtype, device=x.device)
''',
            "max_stable_lr": r'''def max_stable_lr(x, out_features):
    xd = x.detach().to(device="cpu", dtype=torch.float64)
    B = xd.shape[0]
    xt = torch.cat([xd, torch.ones(B, 1, dtype=torch.float64)], 1)
    gram = xt @ xt.T                      # B x B, same nonzero spectrum as X~^T X~
    lam = 2.0 * torch.linalg.eigvalsh(gram).max().item() / (B * out_features)
    return float(2.0 / lam)
''',
        },
        "loses": [],
    },
    # CORRECT: 6.1 with torch.func.grad_and_value (functional autograd, not ruled out), new tensors every step;
    # 6.2 with numpy.linalg.eigvalsh (the Rules say NumPy is fine; only autograd is ruled out in 6.2).
    "correct_torch_func_numpy_eigvalsh": {
        "cells": {
            "fit_linear": r'''from torch.func import grad_and_value

def fit_linear(x, t, lr, steps):
    x, t = x.detach(), t.detach()

    def mse(params):
        W, b = params
        return ((x @ W.T + b - t) ** 2).mean()

    step = grad_and_value(mse)
    W = torch.zeros(t.shape[1], x.shape[1], dtype=x.dtype, device=x.device)
    b = torch.zeros(t.shape[1], dtype=x.dtype, device=x.device)
    losses = torch.zeros(steps, dtype=x.dtype, device=x.device)
    for s in range(steps):
        (gW, gb), loss = step((W, b))
        losses[s] = loss
        W, b = W - lr * gW, b - lr * gb
    return W.detach(), b.detach(), losses.detach()
''',
            "max_stable_lr": r'''import numpy as np

def max_stable_lr(x, out_features):
    a = x.detach().cpu().double().numpy()
    B = a.shape[0]
    at = np.hstack([a, np.ones((B, 1))])
    lam = np.linalg.eigvalsh(at.T @ at)[-1] * 2.0 / (B * out_features)
    return float(2.0 / lam)
''',
        },
        "loses": [],
    },
    # CORRECT (BORDERLINE, see header): 6.1 with the gradient written by hand, dL/dW = 2/(B*out) R^T X,
    # dL/db = 2/(B*out) sum_k R_k. Same numbers as autograd, no ruled-out call (torch.optim / nn modules), so a
    # fair grader gives the points; a grader that insists on autograd here would be enforcing an unstated rule.
    "correct_manual_gradient_formula": {
        "cells": {
            "fit_linear": r'''def fit_linear(x, t, lr, steps):
    x, t = x.detach(), t.detach()
    n = t.numel()
    W = torch.zeros(t.shape[1], x.shape[1], dtype=x.dtype, device=x.device)
    b = torch.zeros(t.shape[1], dtype=x.dtype, device=x.device)
    losses = torch.zeros(steps, dtype=x.dtype, device=x.device)
    for s in range(steps):
        r = x @ W.T + b - t
        losses[s] = (r * r).mean()
        W = W - lr * (2.0 / n) * (r.T @ x)
        b = b - lr * (2.0 / n) * r.sum(dim=0)
    return W, b, losses
''',
        },
        "loses": [],
    },
    # CORRECT: 6.2 only, by power iteration with repeated squaring (M <- M@M / ||M||, 64 times, i.e. power
    # 2^64) and a Rayleigh quotient on the original matrix: converged to float64 precision, no autograd.
    "correct_power_iteration_squaring": {
        "cells": {
            "max_stable_lr": r'''def max_stable_lr(x, out_features):
    xd = x.detach().double().cpu()
    B = xd.shape[0]
    xt = torch.cat([xd, torch.ones(B, 1, dtype=torch.float64)], 1)
    A = (2.0 / (B * out_features)) * (xt.T @ xt)      # one diagonal block of the Hessian
    M = A / torch.linalg.matrix_norm(A)
    for _ in range(64):
        M = M @ M
        M = M / torch.linalg.matrix_norm(M)
    j = int(torch.linalg.vector_norm(M, dim=0).argmax())
    v = M[:, j] / torch.linalg.vector_norm(M[:, j])
    lam = float(v @ (A @ v))
    return 2.0 / lam
''',
        },
        "loses": [],
    },
    # ------------------------------------------------------------------ MISTAKES
    # MISTAKE: 6.1 records the loss after the update (recomputed at the new W, b), so losses[0] is not the loss
    # at W = 0, b = 0; 6.2 returns 1/lambda_max instead of 2/lambda_max (half the bound). Both wrong.
    "mistake_loss_after_step_and_one_over_lambda": {
        "cells": {
            "fit_linear": r'''def fit_linear(x, t, lr, steps):
    W = torch.zeros(t.shape[1], x.shape[1], dtype=x.dtype, device=x.device, requires_grad=True)
    b = torch.zeros(t.shape[1], dtype=x.dtype, device=x.device, requires_grad=True)
    losses = torch.zeros(steps, dtype=x.dtype, device=x.device)
    for s in range(steps):
        loss = ((x @ W.T + b - t) ** 2).mean()
        gW, gb = torch.autograd.grad(loss, [W, b])
        with torch.no_grad():
            W -= lr * gW
            b -= lr * gb
            losses[s] = ((x @ W.T + b - t) ** 2).mean()   # loss after the step
    return W.detach(), b.detach(), losses
''',
            "max_stable_lr": r'''def max_stable_lr(x, out_features):
    xd = x.detach().double().cpu()
    B = xd.shape[0]
    xt = torch.cat([xd, torch.ones(B, 1, dtype=torch.float64)], 1)
    H = 2.0 / (B * out_features) * xt.T @ xt
    return 1.0 / torch.linalg.eigvalsh(H)[-1].item()
''',
        },
        "loses": ["test_fit_linear", "test_max_stable_lr"],
    },
    # MISTAKE: 6.1 uses the sum of squared errors instead of the mean (losses B*out times too big, steps far too
    # long); 6.2 forgets the column of ones (Hessian of W alone, bias ignored) -> wrong lambda_max.
    "mistake_sum_not_mean_and_no_bias_column": {
        "cells": {
            "fit_linear": r'''def fit_linear(x, t, lr, steps):
    W = torch.zeros(t.shape[1], x.shape[1], dtype=x.dtype, device=x.device, requires_grad=True)
    b = torch.zeros(t.shape[1], dtype=x.dtype, device=x.device, requires_grad=True)
    losses = torch.zeros(steps, dtype=x.dtype, device=x.device)
    for s in range(steps):
        W.grad, b.grad = None, None
        loss = ((x @ W.T + b - t) ** 2).sum()
        loss.backward()
        losses[s] = loss.detach()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
    return W.detach(), b.detach(), losses
''',
            "max_stable_lr": r'''def max_stable_lr(x, out_features):
    xd = x.detach().double().cpu()
    B = xd.shape[0]
    H = 2.0 / (B * out_features) * (xd.T @ xd)      # no column of ones: the bias is left out
    return 2.0 / torch.linalg.eigvalsh(H)[-1].item()
''',
        },
        "loses": ["test_fit_linear", "test_max_stable_lr"],
    },
    # MISTAKE ("right only for out_features = 1"): 6.1 sums the squared errors over the outputs and averages over
    # the batch only (1/B instead of 1/(B*out)); 6.2 divides by B but forgets out_features (bound out times too
    # small). Both pass the visible out = 1 example and fail the hidden checks with out > 1.
    "mistake_only_right_for_one_output": {
        "cells": {
            "fit_linear": r'''def fit_linear(x, t, lr, steps):
    W = torch.zeros(t.shape[1], x.shape[1], dtype=x.dtype, device=x.device, requires_grad=True)
    b = torch.zeros(t.shape[1], dtype=x.dtype, device=x.device, requires_grad=True)
    losses = torch.zeros(steps, dtype=x.dtype, device=x.device)
    for s in range(steps):
        err = x @ W.T + b - t
        loss = (err ** 2).sum(dim=1).mean()      # mean over the batch only
        gW, gb = torch.autograd.grad(loss, (W, b))
        losses[s] = loss.detach()
        with torch.no_grad():
            W -= lr * gW
            b -= lr * gb
    return W.detach(), b.detach(), losses
''',
            "max_stable_lr": r'''def max_stable_lr(x, out_features):
    xd = x.detach().double().cpu()
    B = xd.shape[0]
    xt = torch.cat([xd, torch.ones(B, 1, dtype=torch.float64)], 1)
    H = (2.0 / B) * (xt.T @ xt)                      # out_features forgotten
    return 2.0 / torch.linalg.eigvalsh(H)[-1].item()
''',
        },
        "loses": ["test_fit_linear", "test_max_stable_lr"],
    },
    # MISTAKE: 6.1 calls .backward() every step without zeroing .grad, so gradients accumulate from step 2 on
    # (losses[0] and losses[1] are right, the rest and the final W, b are not); 6.2 forgets the factor 2 of the
    # squared error's second derivative (Hessian = X~^T X~ / (B*out)), returning twice the bound.
    "mistake_grads_accumulate_and_hessian_missing_2": {
        "cells": {
            "fit_linear": r'''def fit_linear(x, t, lr, steps):
    W = torch.zeros(t.shape[1], x.shape[1], dtype=x.dtype, device=x.device, requires_grad=True)
    b = torch.zeros(t.shape[1], dtype=x.dtype, device=x.device, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((x @ W.T + b - t) ** 2).mean()
        losses.append(loss.item())
        loss.backward()                          # .grad never zeroed
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
    return W.detach(), b.detach(), torch.tensor(losses, dtype=x.dtype, device=x.device)
''',
            "max_stable_lr": r'''def max_stable_lr(x, out_features):
    xd = x.detach().double().cpu()
    B = xd.shape[0]
    xt = torch.cat([xd, torch.ones(B, 1, dtype=torch.float64)], 1)
    H = (xt.T @ xt) / (B * out_features)            # factor 2 missing
    return 2.0 / torch.linalg.eigvalsh(H)[-1].item()
''',
        },
        "loses": ["test_fit_linear", "test_max_stable_lr"],
    },
    # MISTAKE: 6.1 starts from random weights (torch.randn, as a layer would) instead of W = 0, b = 0;
    # 6.2 takes eigvalsh(...)[0], the SMALLEST eigenvalue (eigvalsh sorts ascending), instead of [-1].
    "mistake_random_init_and_smallest_eigenvalue": {
        "cells": {
            "fit_linear": r'''def fit_linear(x, t, lr, steps):
    W = torch.randn(t.shape[1], x.shape[1], dtype=x.dtype, device=x.device).requires_grad_()
    b = torch.randn(t.shape[1], dtype=x.dtype, device=x.device).requires_grad_()
    losses = torch.zeros(steps, dtype=x.dtype, device=x.device)
    for s in range(steps):
        loss = ((x @ W.T + b - t) ** 2).mean()
        gW, gb = torch.autograd.grad(loss, (W, b))
        losses[s] = loss.detach()
        with torch.no_grad():
            W -= lr * gW
            b -= lr * gb
    return W.detach(), b.detach(), losses
''',
            "max_stable_lr": r'''def max_stable_lr(x, out_features):
    xd = x.detach().double().cpu()
    B = xd.shape[0]
    xt = torch.cat([xd, torch.ones(B, 1, dtype=torch.float64)], 1)
    H = 2.0 / (B * out_features) * (xt.T @ xt)
    lam_max = torch.linalg.eigvalsh(H)[0].item()     # [0] is the smallest
    return 2.0 / lam_max
''',
        },
        "loses": ["test_fit_linear", "test_max_stable_lr"],
    },
    # MISTAKE: 6.1 returns the leaf tensors W and b themselves, still requiring gradients (statement: "all three
    # are detached tensors"); 6.2 returns a 0-dim tensor instead of a Python float. Numbers right, form wrong.
    "mistake_not_detached_and_tensor_not_float": {
        "cells": {
            "fit_linear": r'''def fit_linear(x, t, lr, steps):
    W = torch.zeros(t.shape[1], x.shape[1], dtype=x.dtype, device=x.device, requires_grad=True)
    b = torch.zeros(t.shape[1], dtype=x.dtype, device=x.device, requires_grad=True)
    losses = torch.zeros(steps, dtype=x.dtype, device=x.device)
    for s in range(steps):
        loss = ((x @ W.T + b - t) ** 2).mean()
        gW, gb = torch.autograd.grad(loss, (W, b))
        losses[s] = loss.detach()
        with torch.no_grad():
            W -= lr * gW
            b -= lr * gb
    return W, b, losses                          # W and b still require grad
''',
            "max_stable_lr": r'''def max_stable_lr(x, out_features):
    xd = x.detach().double().cpu()
    B = xd.shape[0]
    xt = torch.cat([xd, torch.ones(B, 1, dtype=torch.float64)], 1)
    H = 2.0 / (B * out_features) * (xt.T @ xt)
    return 2.0 / torch.linalg.eigvalsh(H)[-1]          # a tensor, not a float
''',
        },
        "loses": ["test_fit_linear", "test_max_stable_lr"],
    },
    # MISTAKE: 6.1 builds losses with torch.stack of a Python list, which raises on steps = 0 (the statement
    # asks for the zero layer and an empty losses there); 6.2 gets the right number but scales x IN PLACE:
    # x.detach().double() is x's own storage when x is already float64, so `z *= c` changes x.
    "mistake_steps0_crash_and_mutates_x": {
        "cells": {
            "fit_linear": r'''def fit_linear(x, t, lr, steps):
    W = torch.zeros(t.shape[1], x.shape[1], dtype=x.dtype, device=x.device, requires_grad=True)
    b = torch.zeros(t.shape[1], dtype=x.dtype, device=x.device, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((x @ W.T + b - t) ** 2).mean()
        gW, gb = torch.autograd.grad(loss, (W, b))
        losses.append(loss.detach())
        with torch.no_grad():
            W -= lr * gW
            b -= lr * gb
    return W.detach(), b.detach(), torch.stack(losses)   # RuntimeError when steps == 0
''',
            "max_stable_lr": r'''def max_stable_lr(x, out_features):
    B = x.shape[0]
    c = (2.0 / (B * out_features)) ** 0.5
    z = x.detach().double()            # no copy if x is float64
    z *= c                             # H = Z~^T Z~ with Z~ = c * X~ ... but this writes into x
    z = torch.cat([z.cpu(), torch.full((B, 1), c, dtype=torch.float64)], 1)
    return 2.0 / torch.linalg.eigvalsh(z.T @ z)[-1].item()
''',
        },
        "loses": ["test_fit_linear", "test_max_stable_lr"],
    },
    # MISTAKE: 6.1 collects loss.item() values and calls torch.tensor(losses) without dtype/device, so losses is
    # float32 on the CPU whatever x is (statement: same dtype and device as x). Visible example is float64.
    "mistake_losses_float32_on_cpu": {
        "cells": {
            "fit_linear": r'''def fit_linear(x, t, lr, steps):
    W = torch.zeros(t.shape[1], x.shape[1], dtype=x.dtype, device=x.device, requires_grad=True)
    b = torch.zeros(t.shape[1], dtype=x.dtype, device=x.device, requires_grad=True)
    losses = []
    for _ in range(steps):
        W.grad = b.grad = None
        loss = ((x @ W.T + b - t) ** 2).mean()
        loss.backward()
        losses.append(loss.item())
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
    return W.detach(), b.detach(), torch.tensor(losses)
''',
        },
        "loses": ["test_fit_linear"],
    },
    # ------------------------------------------------------------------ EVASIONS
    # EVASION: 6.1 uses torch.optim.SGD on hand-made tensors (no nn.Linear, but torch.optim is ruled out);
    # 6.2 gets the Hessian from torch.autograd.functional.hessian (autograd is ruled out). Numbers are right.
    "evasion_optim_sgd_and_autograd_hessian": {
        "cells": {
            "fit_linear": r'''def fit_linear(x, t, lr, steps):
    W = torch.zeros(t.shape[1], x.shape[1], dtype=x.dtype, device=x.device, requires_grad=True)
    b = torch.zeros(t.shape[1], dtype=x.dtype, device=x.device, requires_grad=True)
    opt = torch.optim.SGD([W, b], lr=lr)
    losses = torch.zeros(steps, dtype=x.dtype, device=x.device)
    for s in range(steps):
        opt.zero_grad()
        loss = ((x @ W.T + b - t) ** 2).mean()
        loss.backward()
        opt.step()
        losses[s] = loss.detach()
    return W.detach(), b.detach(), losses
''',
            "max_stable_lr": r'''def max_stable_lr(x, out_features):
    xd = x.detach().double().cpu()
    n_in = xd.shape[1]
    t = torch.zeros(xd.shape[0], out_features, dtype=torch.float64)

    def loss(theta):
        W = theta[:out_features * n_in].reshape(out_features, n_in)
        b = theta[out_features * n_in:]
        return ((xd @ W.T + b - t) ** 2).mean()

    H = torch.autograd.functional.hessian(loss, torch.zeros(out_features * (n_in + 1), dtype=torch.float64))
    return 2.0 / torch.linalg.eigvalsh(H)[-1].item()
''',
        },
        "loses": ["test_fit_linear", "test_max_stable_lr"],
    },
    # EVASION: 6.1 trains an nn.Linear with nn.MSELoss (both torch.nn modules, ruled out) and a hand-written
    # update; 6.2 hides autograd behind a lookup table built at the top of the cell (the Rules say such a table
    # counts, and the call still runs autograd).
    "evasion_nn_modules_and_autograd_via_table": {
        "cells": {
            "fit_linear": r'''def fit_linear(x, t, lr, steps):
    layer = nn.Linear(x.shape[1], t.shape[1]).to(device=x.device, dtype=x.dtype)
    criterion = nn.MSELoss()
    with torch.no_grad():
        layer.weight.zero_()
        layer.bias.zero_()
    losses = torch.zeros(steps, dtype=x.dtype, device=x.device)
    for s in range(steps):
        loss = criterion(layer(x), t)
        gW, gb = torch.autograd.grad(loss, (layer.weight, layer.bias))
        losses[s] = loss.detach()
        with torch.no_grad():
            layer.weight -= lr * gW
            layer.bias -= lr * gb
    return layer.weight.detach().clone(), layer.bias.detach().clone(), losses
''',
            "max_stable_lr": r'''_TOOLS = {"second_derivative": getattr(torch.autograd.functional, "hes" + "sian")}

def max_stable_lr(x, out_features):
    xd = x.detach().double().cpu()
    n_in = xd.shape[1]

    def loss(theta):
        W = theta[:out_features * n_in].reshape(out_features, n_in)
        return ((xd @ W.T + theta[out_features * n_in:]) ** 2).mean()

    H = _TOOLS["second_derivative"](loss, torch.zeros(out_features * (n_in + 1), dtype=torch.float64))
    return 2.0 / torch.linalg.eigvalsh(H)[-1].item()
''',
        },
        "loses": ["test_fit_linear", "test_max_stable_lr"],
    },
    # EVASION: both run the ruled-out tools in a separate thread to dodge a per-thread watcher: 6.1 trains
    # nn.Linear with torch.optim.SGD, 6.2 uses torch.autograd.functional.hessian. Threads are ruled out too.
    "evasion_ruled_out_calls_in_a_thread": {
        "cells": {
            "fit_linear": r'''import threading

def fit_linear(x, t, lr, steps):
    box = {}

    def work():
        layer = nn.Linear(x.shape[1], t.shape[1]).to(device=x.device, dtype=x.dtype)
        with torch.no_grad():
            layer.weight.zero_()
            layer.bias.zero_()
        opt = torch.optim.SGD(layer.parameters(), lr=lr)
        losses = torch.zeros(steps, dtype=x.dtype, device=x.device)
        for s in range(steps):
            opt.zero_grad()
            loss = ((layer(x) - t) ** 2).mean()
            loss.backward()
            opt.step()
            losses[s] = loss.detach()
        box["out"] = (layer.weight.detach().clone(), layer.bias.detach().clone(), losses)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    return box["out"]
''',
            "max_stable_lr": r'''import threading

def max_stable_lr(x, out_features):
    xd = x.detach().double().cpu()
    n_in = xd.shape[1]
    box = {}

    def loss(theta):
        W = theta[:out_features * n_in].reshape(out_features, n_in)
        return ((xd @ W.T + theta[out_features * n_in:]) ** 2).mean()

    def work():
        box["H"] = torch.autograd.functional.hessian(
            loss, torch.zeros(out_features * (n_in + 1), dtype=torch.float64))

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    return 2.0 / torch.linalg.eigvalsh(box["H"])[-1].item()
''',
        },
        "loses": ["test_fit_linear", "test_max_stable_lr"],
    },
    # EVASION: hard-codes the visible example's answers (x_fit, t_fit, lr 0.1, 5 steps; max_stable_lr(x_fit, 1)),
    # cast to x's dtype/device so the visible checks pass; wrong on any other input the hidden checks use.
    "evasion_hardcoded_visible_example": {
        "cells": {
            "fit_linear": r'''def fit_linear(x, t, lr, steps):
    weight = torch.tensor([[1.17838703125, 0.16937484374999995]], dtype=x.dtype, device=x.device)
    bias = torch.tensor([0.52561859375], dtype=x.dtype, device=x.device)
    losses = torch.tensor([5.25, 1.7967187499999997, 1.0398785156249999, 0.8090538955078125,
                           0.6893875665747069], dtype=x.dtype, device=x.device)
    return weight, bias, losses
''',
            "max_stable_lr": r'''def max_stable_lr(x, out_features):
    return 0.35482777524242853
''',
        },
        "loses": ["test_fit_linear", "test_max_stable_lr"],
    },
})
