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
    # The classic slip: forgetting that nn.Linear stores W as (out, in).
    "mistake_no_transpose": {
        "cells": {"linear_forward": "def linear_forward(x, weight, bias):\n    return x @ weight + bias"},
        "loses": ["test_linear_forward"],
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
}
