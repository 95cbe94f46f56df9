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
            "len_reshape_shape": "len_reshape_shape = torch.Size([28, 6000, 28])\nlen_reshape_shape = tuple(len_reshape_shape)",
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
            "len_reshape_shape": "import numpy as np\nlen_reshape_shape = [np.int64(28), np.int64(6000), np.int64(28)]",
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
    # len(x[1]) read as 6000 (the first dimension of x, not of x[1]).
    "mistake_len_of_row": {
        "cells": {"len_reshape_shape": "len_reshape_shape = (6000, 6000, 6000)"},
        "loses": ["test_len_reshape_shape"],
    },
    # The NumPy option taken to work; the seeding options mixed up.
    "mistake_options": {
        "cells": {"device_options": "device_options = {'A', 'C', 'D'}", "seed_options": "seed_options = {'A', 'B', 'C'}"},
        "loses": ["test_device_options", "test_seed_options"],
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
