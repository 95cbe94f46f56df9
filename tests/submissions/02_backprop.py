"""Made-up submissions for 02_backprop: answer cells by grade id, and the test cells they lose."""

VARIANTS = {
    # Correct, but written differently from the reference: full marks.
    "alternative": {
        "cells": {
            "jacobian_identity": "def jacobian_identity(x):\n    return torch.diag(torch.ones_like(x))",
            "grad_xtx": "def grad_xtx(x):\n    return x + x",
            "numerical_grad": '''
def numerical_grad(f, x, eps=1e-6):
    flat = x.reshape(-1)
    grad = torch.empty_like(flat)
    for k in range(flat.numel()):
        step = torch.zeros_like(flat)
        step[k] = eps
        up = f((flat + step).reshape(x.shape))
        down = f((flat - step).reshape(x.shape))
        grad[k] = (float(up) - float(down)) / (2 * eps)
    return grad.reshape(x.shape)
''',
            "relative_error": '''
def relative_error(a, b):
    num = torch.linalg.vector_norm(a - b)
    den = torch.linalg.vector_norm(a) + torch.linalg.vector_norm(b)
    return 0.0 if den == 0 else float(num / den)
''',
            "sigmoid_layer_backward": '''
def sigmoid_layer_backward(x, W, b, grad_out):
    z = torch.einsum("bi,oi->bo", x, W) + b
    s = 1 / (1 + torch.exp(-z))
    dz = grad_out * s * (1 - s)
    return torch.einsum("bo,bi->oi", dz, x), torch.einsum("bo->o", dz), torch.einsum("bo,oi->bi", dz, W)
''',
            "conv_weight_grad": '''
def conv_weight_grad(x, grad_out):
    # dL/dw is the valid cross-correlation of the input with the upstream gradient
    k1 = x.shape[0] - grad_out.shape[0] + 1
    k2 = x.shape[1] - grad_out.shape[1] + 1
    patches = x[None, None].unfold(2, grad_out.shape[0], 1).unfold(3, grad_out.shape[1], 1)
    return (patches[0, 0] * grad_out).sum(dim=(-2, -1)).reshape(k1, k2)
''',
            "conv_bias_grad": "def conv_bias_grad(grad_out):\n    return float(torch.sum(grad_out).item())",
        },
        "loses": [],
    },
    # torch.eye without dtype= gives float32 for a float64 x.
    "mistake_eye_default_dtype": {
        "cells": {"jacobian_identity": "def jacobian_identity(x):\n    return torch.eye(len(x), device=x.device)"},
        "loses": ["test_jacobian_identity"],
    },
    # d(x^T x)/dx taken as x: the factor 2 is lost.
    "mistake_grad_xtx_no_two": {
        "cells": {"grad_xtx": "def grad_xtx(x):\n    return x.clone()"},
        "loses": ["test_grad_xtx"],
    },
    # One-sided difference: error of order eps, caught with eps=1e-3.
    "mistake_forward_difference": {
        "cells": {
            "numerical_grad": '''
def numerical_grad(f, x, eps=1e-6):
    x = x.detach().clone()
    grad = torch.zeros_like(x)
    f0 = float(f(x))
    for i in itertools.product(*(range(d) for d in x.shape)):
        old = x[i].item()
        x[i] = old + eps
        grad[i] = (float(f(x)) - f0) / eps
        x[i] = old
    return grad
''',
        },
        "loses": ["test_numerical_grad"],
    },
    # Perturbs the caller's tensor in place and never puts the entries back.
    "mistake_numgrad_leaves_x_changed": {
        "cells": {
            "numerical_grad": '''
def numerical_grad(f, x, eps=1e-6):
    grad = torch.zeros_like(x)
    for i in itertools.product(*(range(d) for d in x.shape)):
        old = x[i].item()
        x[i] = old + eps
        f_plus = float(f(x))
        x[i] = old - eps
        f_minus = float(f(x))
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad
''',
        },
        "loses": ["test_numerical_grad"],
    },
    # The absolute error instead of the relative one.
    "mistake_relative_error_absolute": {
        "cells": {"relative_error": "def relative_error(a, b):\n    return float((a - b).norm())"},
        "loses": ["test_relative_error"],
    },
    # The sigmoid's derivative is left out of the chain: every gradient is wrong.
    "mistake_no_sigmoid_derivative": {
        "cells": {
            "sigmoid_layer_backward": '''
def sigmoid_layer_backward(x, W, b, grad_out):
    return grad_out.T @ x, grad_out.sum(0), grad_out @ W
''',
        },
        "loses": ["test_sigmoid_grad_W", "test_sigmoid_grad_b", "test_sigmoid_grad_x"],
    },
    # Autograd inside the layer's backward: the task forbids it, and the checks switch it off.
    "mistake_autograd_inside": {
        "cells": {
            "sigmoid_layer_backward": '''
def sigmoid_layer_backward(x, W, b, grad_out):
    x, W, b = (t.clone().requires_grad_(True) for t in (x, W, b))
    torch.sigmoid(x @ W.T + b).backward(grad_out)
    return W.grad, b.grad, x.grad
''',
        },
        "loses": ["test_sigmoid_grad_W", "test_sigmoid_grad_b", "test_sigmoid_grad_x"],
    },
    # grad_W laid out as (d_in, d_out): x^T delta instead of delta^T x.
    "mistake_transposed_grad_W": {
        "cells": {
            "sigmoid_layer_backward": '''
def sigmoid_layer_backward(x, W, b, grad_out):
    s = torch.sigmoid(x @ W.T + b)
    delta = grad_out * s * (1 - s)
    return x.T @ delta, delta.sum(0), delta @ W
''',
        },
        "loses": ["test_sigmoid_grad_W"],
    },
    # Parameter gradients averaged over the batch instead of summed.
    "mistake_batch_mean": {
        "cells": {
            "sigmoid_layer_backward": '''
def sigmoid_layer_backward(x, W, b, grad_out):
    s = torch.sigmoid(x @ W.T + b)
    delta = grad_out * s * (1 - s)
    return delta.T @ x / len(x), delta.mean(0), delta @ W
''',
        },
        "loses": ["test_sigmoid_grad_W", "test_sigmoid_grad_b"],
    },
    # Convolution instead of cross-correlation: the kernel gradient comes out flipped.
    "mistake_conv_flipped_kernel": {
        "cells": {
            "conv_weight_grad": '''
def conv_weight_grad(x, grad_out):
    oh, ow = grad_out.shape
    k1, k2 = x.shape[0] - oh + 1, x.shape[1] - ow + 1
    gw = torch.zeros(k1, k2, dtype=x.dtype, device=x.device)
    for m in range(k1):
        for n in range(k2):
            gw[m, n] = (grad_out * x[k1 - 1 - m:k1 - 1 - m + oh, k2 - 1 - n:k2 - 1 - n + ow]).sum()
    return gw
''',
        },
        "loses": ["test_conv_weight_grad"],
    },
    # More correct forms: torch.eye moved with .to(x), a NumPy float where a number is asked, the
    # caller's x perturbed in place and every entry put back exactly, F.conv2d as the
    # cross-correlation of the input with the upstream gradient, a sum of outer products, a
    # one-element float32 tensor for the bias gradient.
    "alternative_forms": {
        "cells": {
            "jacobian_identity": "def jacobian_identity(x):\n    return torch.eye(len(x)).to(x)",
            "grad_xtx": "def grad_xtx(x):\n    return torch.mul(x, 2.0)",
            "numerical_grad": '''
def numerical_grad(f, x, eps=1e-6):
    grad = torch.empty_like(x)
    flat, out = x.view(-1), grad.view(-1)
    for k in range(flat.numel()):
        old = flat[k].clone()
        flat[k] = old + eps
        up = float(f(x))
        flat[k] = old - eps
        down = float(f(x))
        flat[k] = old  # put the entry back exactly
        out[k] = (up - down) / (2 * eps)
    return grad
''',
            "relative_error": '''
import numpy as np

def relative_error(a, b):
    a, b = a.detach().cpu().numpy(), b.detach().cpu().numpy()
    den = np.linalg.norm(a) + np.linalg.norm(b)
    return np.float64(0.0) if den == 0 else np.linalg.norm(a - b) / den
''',
            "sigmoid_layer_backward": '''
def sigmoid_layer_backward(x, W, b, grad_out):
    s = torch.sigmoid(F.linear(x, W, b))
    delta = grad_out * s * (1 - s)
    grad_W = sum(torch.outer(d, xi) for d, xi in zip(delta, x))
    return grad_W, delta.sum(0), torch.matmul(delta, W)
''',
            "conv_weight_grad": "def conv_weight_grad(x, grad_out):\n    return F.conv2d(x[None, None], grad_out[None, None])[0, 0]",
            "conv_bias_grad": "def conv_bias_grad(grad_out):\n    return grad_out.float().sum().reshape(1)  # float32 is fine for a number",
        },
        "loses": [],
    },
    # Still more: a list of lists for the identity, a 0-dim tensor for the relative error, the
    # sigmoid's derivative written with exp, a Python loop building the kernel gradient from
    # floats, a NumPy float for the bias gradient.
    "alternative_loops": {
        "cells": {
            "jacobian_identity": '''
def jacobian_identity(x):
    n = x.shape[0]
    rows = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    return torch.tensor(rows, dtype=x.dtype, device=x.device)
''',
            "grad_xtx": "def grad_xtx(x):\n    return 2 * x.clone()",
            "relative_error": '''
def relative_error(a, b):
    den = a.norm() + b.norm()
    return torch.zeros((), dtype=a.dtype) if den == 0 else (a - b).norm() / den
''',
            "sigmoid_layer_backward": '''
def sigmoid_layer_backward(x, W, b, grad_out):
    z = x @ W.T + b
    delta = grad_out * torch.exp(-z.abs()) / (1 + torch.exp(-z.abs())) ** 2   # sigma' is even: no overflow
    return delta.T @ x, delta.sum(dim=0), delta @ W
''',
            "conv_weight_grad": '''
def conv_weight_grad(x, grad_out):
    oh, ow = grad_out.shape
    rows = []
    for m in range(x.shape[0] - oh + 1):
        rows.append([float((grad_out * x[m:m + oh, n:n + ow]).sum()) for n in range(x.shape[1] - ow + 1)])
    return torch.tensor(rows, dtype=x.dtype, device=x.device)
''',
            "conv_bias_grad": "import numpy as np\n\ndef conv_bias_grad(grad_out):\n    return np.float64(grad_out.sum().item())",
        },
        "loses": [],
    },
    # The shortcut Task 1.1 forbids: ask autograd for the Jacobian.
    "mistake_jacobian_by_autograd": {
        "cells": {"jacobian_identity": "def jacobian_identity(x):\n    return torch.autograd.functional.jacobian(lambda v: v, x)"},
        "loses": ["test_jacobian_identity"],
    },
    # Ones everywhere: each output taken to depend on every input.
    "mistake_jacobian_ones": {
        "cells": {"jacobian_identity": "def jacobian_identity(x):\n    return torch.ones(len(x), len(x), dtype=x.dtype, device=x.device)"},
        "loses": ["test_jacobian_identity"],
    },
    # Autograd for the gradient of x^T x, which Task 1.2 forbids.
    "mistake_grad_xtx_by_autograd": {
        "cells": {
            "grad_xtx": '''
def grad_xtx(x):
    v = x.detach().clone().requires_grad_(True)
    (v @ v).backward()
    return v.grad
''',
        },
        "loses": ["test_grad_xtx"],
    },
    # Always float64: wrong for a float32 x.
    "mistake_grad_xtx_float64": {
        "cells": {"grad_xtx": "def grad_xtx(x):\n    return 2 * x.double()"},
        "loses": ["test_grad_xtx"],
    },
    # The Jacobian's row shape (1, n) instead of the gradient's shape (n,).
    "mistake_grad_xtx_row": {
        "cells": {"grad_xtx": "def grad_xtx(x):\n    return 2 * x[None, :]"},
        "loses": ["test_grad_xtx"],
    },
    # eps is ignored: 1e-6 always.
    "mistake_numgrad_ignores_eps": {
        "cells": {
            "numerical_grad": '''
def numerical_grad(f, x, eps=1e-6):
    x = x.detach().clone()
    grad = torch.zeros_like(x)
    for i in itertools.product(*(range(d) for d in x.shape)):
        old = x[i].item()
        x[i] = old + 1e-6
        f_plus = float(f(x))
        x[i] = old - 1e-6
        f_minus = float(f(x))
        x[i] = old
        grad[i] = (f_plus - f_minus) / 2e-6
    return grad
''',
        },
        "loses": ["test_numerical_grad"],
    },
    # A central difference divided by eps instead of 2 eps.
    "mistake_numgrad_no_half": {
        "cells": {
            "numerical_grad": '''
def numerical_grad(f, x, eps=1e-6):
    x = x.detach().clone()
    grad = torch.zeros_like(x)
    for i in itertools.product(*(range(d) for d in x.shape)):
        old = x[i].item()
        x[i] = old + eps
        f_plus = float(f(x))
        x[i] = old - eps
        f_minus = float(f(x))
        x[i] = old
        grad[i] = (f_plus - f_minus) / eps
    return grad
''',
        },
        "loses": ["test_numerical_grad"],
    },
    # Only for vectors: x[i] of a matrix is a whole row.
    "mistake_numgrad_vectors_only": {
        "cells": {
            "numerical_grad": '''
def numerical_grad(f, x, eps=1e-6):
    x = x.detach().clone()
    grad = torch.zeros_like(x)
    for i in range(len(x)):
        old = x[i].clone()
        x[i] = old + eps
        f_plus = float(f(x))
        x[i] = old - eps
        f_minus = float(f(x))
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad
''',
        },
        "loses": ["test_numerical_grad"],
    },
    # Autograd instead of differences, which Task 2.1 forbids.
    "mistake_numgrad_by_autograd": {
        "cells": {
            "numerical_grad": '''
def numerical_grad(f, x, eps=1e-6):
    v = x.detach().clone().requires_grad_(True)
    y = f(v)
    if not torch.is_tensor(y):
        raise TypeError("f must return a tensor")
    y.backward()
    return v.grad
''',
        },
        "loses": ["test_numerical_grad"],
    },
    # The norm of the sum in the denominator instead of the sum of the norms.
    "mistake_relative_error_norm_of_sum": {
        "cells": {
            "relative_error": '''
def relative_error(a, b):
    den = (a + b).norm().item()
    return 0.0 if den == 0 else (a - b).norm().item() / den
''',
        },
        "loses": ["test_relative_error"],
    },
    # No special case: two zero tensors give 0/0 = nan.
    "mistake_relative_error_nan_for_zeros": {
        "cells": {"relative_error": "def relative_error(a, b):\n    return ((a - b).norm() / (a.norm() + b.norm())).item()"},
        "loses": ["test_relative_error"],
    },
    # A 0-dim tensor is one of the two forms the statement accepts for the relative error.
    "alternative_relative_error_0dim_tensor": {
        "cells": {"relative_error": "def relative_error(a, b):\n    den = a.norm() + b.norm()\n"
                                    "    return torch.zeros((), dtype=a.dtype) if den == 0 else (a - b).norm() / den"},
        "loses": [],
    },
    # The relative error entry by entry: a tensor of the shape of a, not one number.
    "mistake_relative_error_per_entry": {
        "cells": {"relative_error": "def relative_error(a, b):\n    return (a - b).abs() / (a.abs() + b.abs() + 1e-300)"},
        "loses": ["test_relative_error"],
    },
    # Python floats only: f(v).item() raises AttributeError when f gives a Python float, one of the three forms
    # the statement names (now caught by the visible check, with the form of f in the message).
    "mistake_numgrad_item_on_f_value": {
        "cells": {
            "numerical_grad": '''
def numerical_grad(f, x, eps=1e-6):
    x = x.detach().clone()
    grad = torch.zeros_like(x)
    for i in itertools.product(*(range(d) for d in x.shape)):
        old = x[i].item()
        x[i] = old + eps
        f_plus = f(x).item()
        x[i] = old - eps
        f_minus = f(x).item()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad
''',
        },
        "loses": ["test_numerical_grad"],
    },
    # Autograd switched back on inside the layer: the rule of Task 3.1 catches it.
    "mistake_autograd_in_enable_grad": {
        "cells": {
            "sigmoid_layer_backward": '''
def sigmoid_layer_backward(x, W, b, grad_out):
    with torch.enable_grad():
        x, W, b = (t.detach().clone().requires_grad_(True) for t in (x, W, b))
        torch.sigmoid(x @ W.T + b).backward(grad_out)
    return W.grad, b.grad, x.grad
''',
        },
        "loses": ["test_sigmoid_grad_W", "test_sigmoid_grad_b", "test_sigmoid_grad_x"],
    },
    # A torch.func transform: autograd by another name.
    "mistake_autograd_by_vjp": {
        "cells": {
            "sigmoid_layer_backward": '''
def sigmoid_layer_backward(x, W, b, grad_out):
    _, vjp = torch.func.vjp(lambda W, b, x: torch.sigmoid(x @ W.T + b), W, b, x)
    return vjp(grad_out)
''',
        },
        "loses": ["test_sigmoid_grad_W", "test_sigmoid_grad_b", "test_sigmoid_grad_x"],
    },
    # grad_x without the sigmoid's derivative (grad_W and grad_b right).
    "mistake_grad_x_skips_sigmoid": {
        "cells": {
            "sigmoid_layer_backward": '''
def sigmoid_layer_backward(x, W, b, grad_out):
    s = torch.sigmoid(x @ W.T + b)
    delta = grad_out * s * (1 - s)
    return delta.T @ x, delta.sum(0), grad_out @ W
''',
        },
        "loses": ["test_sigmoid_grad_x"],
    },
    # grad_b summed over the neurons instead of the batch.
    "mistake_grad_b_wrong_dim": {
        "cells": {
            "sigmoid_layer_backward": '''
def sigmoid_layer_backward(x, W, b, grad_out):
    s = torch.sigmoid(x @ W.T + b)
    delta = grad_out * s * (1 - s)
    return delta.T @ x, delta.sum(1), delta @ W
''',
        },
        "loses": ["test_sigmoid_grad_b"],
    },
    # Kernel size off by one (H - h instead of H - h + 1).
    "mistake_conv_kernel_off_by_one": {
        "cells": {
            "conv_weight_grad": '''
def conv_weight_grad(x, grad_out):
    oh, ow = grad_out.shape
    k1, k2 = x.shape[0] - oh, x.shape[1] - ow
    gw = torch.zeros(k1, k2, dtype=x.dtype, device=x.device)
    for m in range(k1):
        for n in range(k2):
            gw[m, n] = (grad_out * x[m:m + oh, n:n + ow]).sum()
    return gw
''',
        },
        "loses": ["test_conv_weight_grad"],
    },
    # The shortcuts Task 4.1 forbids: autograd through F.conv2d, or torch's own backward.
    "mistake_conv_by_autograd": {
        "cells": {
            "conv_weight_grad": '''
def conv_weight_grad(x, grad_out):
    k1, k2 = x.shape[0] - grad_out.shape[0] + 1, x.shape[1] - grad_out.shape[1] + 1
    with torch.enable_grad():
        w = torch.zeros(k1, k2, dtype=x.dtype, device=x.device, requires_grad=True)
        F.conv2d(x[None, None], w[None, None])[0, 0].backward(grad_out)
    return w.grad
''',
        },
        "loses": ["test_conv_weight_grad"],
    },
    "mistake_conv_by_torch_nn_grad": {
        "cells": {
            "conv_weight_grad": '''
def conv_weight_grad(x, grad_out):
    k1, k2 = x.shape[0] - grad_out.shape[0] + 1, x.shape[1] - grad_out.shape[1] + 1
    return torch.nn.grad.conv2d_weight(x[None, None], (1, 1, k1, k2), grad_out[None, None])[0, 0]
''',
        },
        "loses": ["test_conv_weight_grad"],
    },
    # The mean of the upstream gradient instead of its sum.
    "mistake_conv_bias_mean": {
        "cells": {"conv_bias_grad": "def conv_bias_grad(grad_out):\n    return grad_out.mean()"},
        "loses": ["test_conv_bias_grad"],
    },
    # Autograd for the bias gradient, which Task 4.2 forbids.
    "mistake_conv_bias_by_autograd": {
        "cells": {
            "conv_bias_grad": '''
def conv_bias_grad(grad_out):
    with torch.enable_grad():
        b = torch.zeros((), dtype=grad_out.dtype, device=grad_out.device, requires_grad=True)
        (grad_out * b).sum().backward()
    return b.grad
''',
        },
        "loses": ["test_conv_bias_grad"],
    },
    # --- Mistakes the property checks catch (drawn shapes and dtypes, inputs left unchanged, a fresh result).
    # Doubles x in place: the right numbers, but the caller's x is changed.
    "mistake_grad_xtx_in_place": {
        "cells": {"grad_xtx": "def grad_xtx(x):\n    return x.mul_(2)"},
        "loses": ["test_grad_xtx"],
    },
    # The gradient always in float64 ("work in float64"), whatever the dtype of x.
    "mistake_numgrad_always_float64": {
        "cells": {
            "numerical_grad": '''
def numerical_grad(f, x, eps=1e-6):
    x = x.detach().clone()
    grad = torch.zeros(x.shape, dtype=torch.float64, device=x.device)
    for i in itertools.product(*(range(d) for d in x.shape)):
        old = x[i].item()
        x[i] = old + eps
        f_plus = float(f(x))
        x[i] = old - eps
        f_minus = float(f(x))
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad
''',
        },
        "loses": ["test_numerical_grad"],
    },
    # Scales the upstream gradient in place: the caller's grad_out is changed (every gradient's test sees it).
    "mistake_sigmoid_scales_grad_out_in_place": {
        "cells": {
            "sigmoid_layer_backward": '''
def sigmoid_layer_backward(x, W, b, grad_out):
    s = torch.sigmoid(x @ W.T + b)
    grad_out *= s * (1 - s)
    return grad_out.T @ x, grad_out.sum(0), grad_out @ W
''',
        },
        "loses": ["test_sigmoid_grad_W", "test_sigmoid_grad_b", "test_sigmoid_grad_x"],
    },
    # Everything in float64: wrong dtype for float32 inputs.
    "mistake_sigmoid_always_float64": {
        "cells": {
            "sigmoid_layer_backward": '''
def sigmoid_layer_backward(x, W, b, grad_out):
    x, W, b, grad_out = x.double(), W.double(), b.double(), grad_out.double()
    s = torch.sigmoid(x @ W.T + b)
    delta = grad_out * s * (1 - s)
    return delta.T @ x, delta.sum(0), delta @ W
''',
        },
        "loses": ["test_sigmoid_grad_W", "test_sigmoid_grad_b", "test_sigmoid_grad_x"],
    },
    # The kernel gradient built in float64 whatever the dtype of x.
    "mistake_conv_always_float64": {
        "cells": {
            "conv_weight_grad": '''
def conv_weight_grad(x, grad_out):
    oh, ow = grad_out.shape
    k1, k2 = x.shape[0] - oh + 1, x.shape[1] - ow + 1
    gw = torch.zeros(k1, k2, dtype=torch.float64, device=x.device)
    for m in range(k1):
        for n in range(k2):
            gw[m, n] = (grad_out * x[m:m + oh, n:n + ow]).sum()
    return gw
''',
        },
        "loses": ["test_conv_weight_grad"],
    },
    # sigma'(z) = exp(-z) / (1 + exp(-z))**2 overflows to inf / inf = nan for z below -709 (a saturated unit).
    "mistake_sigmoid_derivative_overflows": {
        "cells": {"sigmoid_layer_backward": """
def sigmoid_layer_backward(x, W, b, grad_out):
    z = x @ W.T + b
    delta = grad_out * torch.exp(-z) / (1 + torch.exp(-z)) ** 2
    return delta.T @ x, delta.sum(dim=0), delta @ W
"""},
        "loses": ["test_sigmoid_grad_W", "test_sigmoid_grad_b", "test_sigmoid_grad_x"],
    },
}

# Held-out cases: written from the student notebook alone by someone who had not read the tests,
# graded once before the tests were strengthened (the closing note of issue 21 has the figures),
# then added here with what each loses.
VARIANTS.update({
    # correct: the Jacobian of the identity is I_n; torch.eye(n).to(x) takes x's dtype and device
    'heldout_jacobian_eye_to_x': {
        "cells": {
            'jacobian_identity': 'def jacobian_identity(x):\n    return torch.eye(x.shape[0]).to(x)\n',
        },
        "loses": [],
    },
    # wrong: puts x itself on the diagonal (confusing f(x) = x with its derivative): right shape, dtype and device, so the visible check passes, but the entries are x_i instead of 1
    'heldout_jacobian_diag_of_x': {
        "cells": {
            'jacobian_identity': 'def jacobian_identity(x):\n    return torch.diag(x)\n',
        },
        "loses": ['test_jacobian_identity'],
    },
    # wrong: always float64 (the visible example's dtype): a float32 x gets a float64 Jacobian, but the statement asks for the dtype of x
    'heldout_jacobian_float64_hardcoded': {
        "cells": {
            'jacobian_identity': 'def jacobian_identity(x):\n    return torch.eye(len(x), dtype=torch.float64, device=x.device)\n',
        },
        "loses": ['test_jacobian_identity'],
    },
    # wrong: passes the dtype but not the device, so for x on the GPU the Jacobian is still built on the CPU
    'heldout_jacobian_device_ignored': {
        "cells": {
            'jacobian_identity': 'def jacobian_identity(x):\n    return torch.eye(x.numel(), dtype=x.dtype)\n',
        },
        "loses": ['test_jacobian_identity'],
    },
    # evasion: computes the Jacobian column by column with forward-mode autograd (torch.autograd.forward_ad make_dual / unpack_dual), which the statement's 'do not call autograd' forbids
    'heldout_jacobian_forward_mode_ad': {
        "cells": {
            'jacobian_identity': 'import torch.autograd.forward_ad as fwAD\n\ndef jacobian_identity(x):\n    n = x.shape[0]\n    J = torch.zeros(n, n, dtype=x.dtype, device=x.device)\n    with fwAD.dual_level():\n        for j in range(n):\n            e = torch.zeros(n, dtype=x.dtype, device=x.device)\n            e[j] = 1\n            y = fwAD.make_dual(x, e) * 1\n            J[:, j] = fwAD.unpack_dual(y).tangent\n    return J\n',
        },
        "loses": ['test_jacobian_identity'],
    },
    # correct: g = sum_i x_i^2 so dg/dx_j = 2 x_j, written as x + x (keeps shape, dtype, device)
    'heldout_grad_xtx_x_plus_x': {
        "cells": {
            'grad_xtx': 'def grad_xtx(x):\n    return x + x\n',
        },
        "loses": [],
    },
    # correct: 2x computed in NumPy and moved back to x's device; NumPy keeps float32/float64
    'heldout_grad_xtx_numpy_roundtrip': {
        "cells": {
            'grad_xtx': 'def grad_xtx(x):\n    return torch.from_numpy(2 * x.detach().cpu().numpy()).to(x.device)\n',
        },
        "loses": [],
    },
    # wrong: returns a copy of x (the factor 2 forgotten); the visible check only looks at shape, dtype and device
    'heldout_grad_xtx_forgot_factor_2': {
        "cells": {
            'grad_xtx': 'def grad_xtx(x):\n    return x.clone()\n',
        },
        "loses": ['test_grad_xtx'],
    },
    # evasion: builds x.x with requires_grad and calls its grad_fn nodes by hand (SumBackward, MulBackward): that is autograd's backward pass without the words backward() or autograd.grad
    'heldout_grad_xtx_calls_grad_fn_nodes': {
        "cells": {
            'grad_xtx': 'def grad_xtx(x):\n    v = x.detach().clone().requires_grad_(True)\n    with torch.enable_grad():\n        g = (v * v).sum()\n    upstream = g.grad_fn(torch.ones((), dtype=x.dtype, device=x.device))\n    left, right = g.grad_fn.next_functions[0][0](upstream)\n    return (left + right).detach()\n',
        },
        "loses": ['test_grad_xtx'],
    },
    # correct: perturbs a contiguous copy entry by entry through a flat view, restores each entry from the original, float() handles numbers and one-element tensors; result zeros(x.shape) on x's dtype/device
    'heldout_numgrad_flat_copy': {
        "cells": {
            'numerical_grad': 'def numerical_grad(f, x, eps=1e-6):\n    work = x.detach().clone(memory_format=torch.contiguous_format)\n    flat = work.view(-1)\n    original = x.detach().reshape(-1)\n    grad = torch.zeros(x.shape, dtype=x.dtype, device=x.device)\n    gflat = grad.view(-1)\n    for i in range(flat.numel()):\n        flat[i] = original[i] + eps\n        f_plus = float(f(work))\n        flat[i] = original[i] - eps\n        f_minus = float(f(work))\n        flat[i] = original[i]\n        gflat[i] = (f_plus - f_minus) / (2 * eps)\n    return grad\n',
        },
        "loses": [],
    },
    # correct: perturbs the caller's x itself over itertools.product of its indices and writes the saved value back exactly after each coordinate (the statement allows this); any shape incl. 0-d
    'heldout_numgrad_inplace_restore_exactly': {
        "cells": {
            'numerical_grad': 'def numerical_grad(f, x, eps=1e-6):\n    grad = torch.zeros_like(x)\n    for idx in itertools.product(*[range(n) for n in x.shape]):\n        saved = x[idx].item()\n        x[idx] = saved + eps\n        f_plus = f(x)\n        x[idx] = saved - eps\n        f_minus = f(x)\n        x[idx] = saved\n        grad[idx] = (float(f_plus) - float(f_minus)) / (2 * eps)\n    return grad\n',
        },
        "loses": [],
    },
    # wrong: forward difference (f(x+eps e_i) - f(x))/eps, error of order eps instead of eps^2; it even passes the visible sum(x**3) check, but differs from the central difference asked for
    'heldout_numgrad_one_sided': {
        "cells": {
            'numerical_grad': 'def numerical_grad(f, x, eps=1e-6):\n    base = float(f(x))\n    grad = torch.zeros_like(x)\n    for idx in itertools.product(*[range(n) for n in x.shape]):\n        shifted = x.clone()\n        shifted[idx] += eps\n        grad[idx] = (float(f(shifted)) - base) / eps\n    return grad\n',
        },
        "loses": ['test_numerical_grad'],
    },
    # wrong: uses a fixed step 1e-6 whatever eps is passed, so numerical_grad(f, x, eps=1e-2) is not the central difference with that eps
    'heldout_numgrad_ignores_eps': {
        "cells": {
            'numerical_grad': 'def numerical_grad(f, x, eps=1e-6):\n    h = 1e-6\n    grad = torch.zeros_like(x)\n    for idx in itertools.product(*[range(n) for n in x.shape]):\n        xp, xm = x.clone(), x.clone()\n        xp[idx] += h\n        xm[idx] -= h\n        grad[idx] = (float(f(xp)) - float(f(xm))) / (2 * h)\n    return grad\n',
        },
        "loses": ['test_numerical_grad'],
    },
    # wrong: loops over range(len(x)) and perturbs x[i]: for a 2-D x it moves whole rows at once, and a 0-d x raises; only right for the 1-D example
    'heldout_numgrad_first_dim_only': {
        "cells": {
            'numerical_grad': 'def numerical_grad(f, x, eps=1e-6):\n    grad = torch.zeros_like(x)\n    for i in range(len(x)):\n        xp, xm = x.clone(), x.clone()\n        xp[i] += eps\n        xm[i] -= eps\n        grad[i] = (float(f(xp)) - float(f(xm))) / (2 * eps)\n    return grad\n',
        },
        "loses": ['test_numerical_grad'],
    },
    # wrong: adds eps, subtracts 2 eps, adds eps back on the caller's x: rounding leaves most entries one ulp off, so x no longer holds exactly the same values (the visible 1, -2, 0.5 happen to survive)
    'heldout_numgrad_restore_by_arithmetic': {
        "cells": {
            'numerical_grad': 'def numerical_grad(f, x, eps=1e-6):\n    grad = torch.zeros_like(x)\n    for idx in itertools.product(*[range(n) for n in x.shape]):\n        x[idx] += eps\n        f_plus = float(f(x))\n        x[idx] -= 2 * eps\n        f_minus = float(f(x))\n        x[idx] += eps\n        grad[idx] = (f_plus - f_minus) / (2 * eps)\n    return grad\n',
        },
        "loses": ['test_numerical_grad'],
    },
    # wrong: calls .item() on f's value, so it raises AttributeError when f returns a Python number, which the statement allows
    'heldout_numgrad_item_on_f': {
        "cells": {
            'numerical_grad': 'def numerical_grad(f, x, eps=1e-6):\n    grad = torch.zeros_like(x)\n    for idx in itertools.product(*[range(n) for n in x.shape]):\n        xp, xm = x.clone(), x.clone()\n        xp[idx] += eps\n        xm[idx] -= eps\n        grad[idx] = (f(xp) - f(xm)).item() / (2 * eps)\n    return grad\n',
        },
        "loses": ['test_numerical_grad'],
    },
    # correct: vector_norm over all entries (any number of dimensions), float() of the ratio, 0.0 when both are zero
    'heldout_relerr_linalg_norm': {
        "cells": {
            'relative_error': 'def relative_error(a, b):\n    na = torch.linalg.vector_norm(a)\n    nb = torch.linalg.vector_norm(b)\n    if float(na) == 0.0 and float(nb) == 0.0:\n        return 0.0\n    return float(torch.linalg.vector_norm(a - b) / (na + nb))\n',
        },
        "loses": [],
    },
    # correct: np.linalg.norm of the flattened float64 arrays; returns np.float64, which is a subclass of Python float
    'heldout_relerr_numpy_float64': {
        "cells": {
            'relative_error': 'import numpy as np\n\ndef relative_error(a, b):\n    a = a.detach().cpu().double().numpy().ravel()\n    b = b.detach().cpu().double().numpy().ravel()\n    denom = np.linalg.norm(a) + np.linalg.norm(b)\n    if denom == 0:\n        return 0.0\n    return np.linalg.norm(a - b) / denom\n',
        },
        "loses": [],
    },
    # wrong: uses sums of absolute values (L1) instead of Euclidean norms; the visible a-vs-a, a-vs--a and zero cases give the same 0, 1, 0, but e.g. a=(1,0), b=(0,1) gives 1 instead of 0.707
    'heldout_relerr_l1_norm': {
        "cells": {
            'relative_error': 'def relative_error(a, b):\n    denom = a.abs().sum() + b.abs().sum()\n    if denom == 0:\n        return 0.0\n    return float((a - b).abs().sum() / denom)\n',
        },
        "loses": ['test_relative_error'],
    },
    # wrong: returns 0.0 whenever a is zero, but rel(0, b) = 1 for a non-zero b
    'heldout_relerr_zero_check_on_a_only': {
        "cells": {
            'relative_error': 'def relative_error(a, b):\n    if torch.count_nonzero(a) == 0:\n        return 0.0\n    return float(torch.norm(a - b) / (torch.norm(a) + torch.norm(b)))\n',
        },
        "loses": ['test_relative_error'],
    },
    # wrong: adds 1e-8 to the denominator to avoid 0/0: the result now depends on scale, e.g. a = 1e-10 * (3, 4) against -a gives about 0.01 instead of 1
    'heldout_relerr_epsilon_in_denominator': {
        "cells": {
            'relative_error': 'def relative_error(a, b):\n    return float(torch.norm(a - b) / (torch.norm(a) + torch.norm(b) + 1e-8))\n',
        },
        "loses": ['test_relative_error'],
    },
    # wrong: torch.linalg.norm(..., ord=2) is Euclidean for vectors but the spectral norm for matrices (and raises for 3-D tensors); the statement asks for the Euclidean norm over all entries
    'heldout_relerr_matrix_ord2': {
        "cells": {
            'relative_error': 'def relative_error(a, b):\n    na = torch.linalg.norm(a, ord=2)\n    nb = torch.linalg.norm(b, ord=2)\n    if na + nb == 0:\n        return 0.0\n    return float(torch.linalg.norm(a - b, ord=2) / (na + nb))\n',
        },
        "loses": ['test_relative_error'],
    },
    # correct: delta = grad_out * s * (1 - s); grad_W = delta^T x, grad_b = column sums of delta, grad_x = delta W
    'heldout_sigmoid_matrix_form': {
        "cells": {
            'sigmoid_layer_backward': 'def sigmoid_layer_backward(x, W, b, grad_out):\n    s = torch.sigmoid(x @ W.T + b)\n    delta = grad_out * s * (1 - s)\n    return delta.T @ x, delta.sum(dim=0), delta @ W\n',
        },
        "loses": [],
    },
    # correct: sigmoid written as 1/(1+exp(-z)) (saturates cleanly to 0 or 1, no NaN) and the three contractions written with einsum
    'heldout_sigmoid_einsum_exp': {
        "cells": {
            'sigmoid_layer_backward': 'def sigmoid_layer_backward(x, W, b, grad_out):\n    z = torch.einsum("bi,oi->bo", x, W) + b\n    s = 1.0 / (1.0 + torch.exp(-z))\n    delta = grad_out * s * (1.0 - s)\n    grad_W = torch.einsum("bo,bi->oi", delta, x)\n    grad_b = torch.einsum("bo->o", delta)\n    grad_x = torch.einsum("bo,oi->bi", delta, W)\n    return grad_W, grad_b, grad_x\n',
        },
        "loses": [],
    },
    # correct: one sample at a time: accumulates outer(delta_k, x_k) and delta_k into zero tensors made with x's dtype and device, and stores W^T delta_k as row k of grad_x
    'heldout_sigmoid_loop_over_samples': {
        "cells": {
            'sigmoid_layer_backward': 'def sigmoid_layer_backward(x, W, b, grad_out):\n    grad_W = torch.zeros_like(W)\n    grad_b = torch.zeros_like(b)\n    grad_x = torch.zeros_like(x)\n    for k in range(x.shape[0]):\n        s = torch.sigmoid(W @ x[k] + b)\n        delta = grad_out[k] * s * (1 - s)\n        grad_W += torch.outer(delta, x[k])\n        grad_b += delta\n        grad_x[k] = W.T @ delta\n    return grad_W, grad_b, grad_x\n',
        },
        "loses": [],
    },
    # correct: torch.vmap only batches torch.outer over the samples (no differentiation), then sums them: the same formula as delta^T x, no autograd involved
    'heldout_sigmoid_vmap_per_sample_outer': {
        "cells": {
            'sigmoid_layer_backward': 'def sigmoid_layer_backward(x, W, b, grad_out):\n    s = torch.sigmoid(x @ W.T + b)\n    delta = grad_out * s * (1 - s)\n    grad_W = torch.vmap(torch.outer)(delta, x).sum(dim=0)\n    return grad_W, delta.sum(dim=0), delta @ W\n',
        },
        "loses": [],
    },
    # wrong: sigma'(z) = exp(-z)/(1+exp(-z))^2 gives inf/inf = NaN once z < -709 (saturated units), where the true gradient is 0; right on moderate inputs only
    'heldout_sigmoid_derivative_from_exp_overflows': {
        "cells": {
            'sigmoid_layer_backward': 'def sigmoid_layer_backward(x, W, b, grad_out):\n    z = x @ W.T + b\n    e = torch.exp(-z)\n    delta = grad_out * e / (1 + e) ** 2\n    return delta.T @ x, delta.sum(dim=0), delta @ W\n',
        },
        "loses": ['test_sigmoid_grad_W', 'test_sigmoid_grad_b', 'test_sigmoid_grad_x'],
    },
    # wrong: converts everything to float64 (the notebook's advice for comparisons) and returns float64 even for float32 inputs; the statement asks for the dtype of the inputs
    'heldout_sigmoid_float64_hardcoded': {
        "cells": {
            'sigmoid_layer_backward': 'def sigmoid_layer_backward(x, W, b, grad_out):\n    x, W, b, grad_out = (t.double() for t in (x, W, b, grad_out))\n    s = torch.sigmoid(x @ W.T + b)\n    delta = grad_out * s * (1 - s)\n    return delta.T @ x, delta.sum(dim=0), delta @ W\n',
        },
        "loses": ['test_sigmoid_grad_W', 'test_sigmoid_grad_b', 'test_sigmoid_grad_x'],
    },
    # evasion: runs backward() in a worker thread, where grad mode is on again and the checker's mode is absent; the statement says without autograd
    'heldout_sigmoid_autograd_in_thread': {
        "cells": {
            'sigmoid_layer_backward': 'import threading\n\ndef sigmoid_layer_backward(x, W, b, grad_out):\n    box = {}\n    def work():\n        xs, Ws, bs = (t.detach().clone().requires_grad_(True) for t in (x, W, b))\n        torch.sigmoid(xs @ Ws.T + bs).backward(grad_out)\n        box["grads"] = (Ws.grad, bs.grad, xs.grad)\n    t = threading.Thread(target=work)\n    t.start()\n    t.join()\n    return box["grads"]\n',
        },
        "loses": ['test_sigmoid_grad_W', 'test_sigmoid_grad_b', 'test_sigmoid_grad_x'],
    },
    # evasion: gets every partial derivative from forward-mode autograd (torch.autograd.forward_ad), one tangent per parameter entry; it runs under no_grad but is still autograd
    'heldout_sigmoid_forward_mode_ad': {
        "cells": {
            'sigmoid_layer_backward': 'import torch.autograd.forward_ad as fwAD\n\ndef _directional(loss_of, at):\n    grad = torch.zeros(at.shape, dtype=at.dtype, device=at.device)\n    flat = grad.view(-1)\n    with fwAD.dual_level():\n        for k in range(at.numel()):\n            tangent = torch.zeros(at.numel(), dtype=at.dtype, device=at.device)\n            tangent[k] = 1\n            out = loss_of(fwAD.make_dual(at, tangent.view(at.shape)))\n            flat[k] = fwAD.unpack_dual(out).tangent\n    return grad\n\ndef sigmoid_layer_backward(x, W, b, grad_out):\n    def loss(x_, W_, b_):\n        return (grad_out * torch.sigmoid(x_ @ W_.T + b_)).sum()\n    return (_directional(lambda w: loss(x, w, b), W),\n            _directional(lambda c: loss(x, W, c), b),\n            _directional(lambda v: loss(v, W, b), x))\n',
        },
        "loses": ['test_sigmoid_grad_W', 'test_sigmoid_grad_b', 'test_sigmoid_grad_x'],
    },
    # correct: dL/dw_mn = sum_ij g_ij x_{i+m,j+n} is the valid cross-correlation of x with grad_out, i.e. a forward F.conv2d (not a ready-made gradient)
    'heldout_convw_conv2d_of_input_and_grad': {
        "cells": {
            'conv_weight_grad': 'def conv_weight_grad(x, grad_out):\n    return F.conv2d(x[None, None], grad_out[None, None])[0, 0]\n',
        },
        "loses": [],
    },
    # correct: for each kernel offset (m, n) sums grad_out times the matching window of x; kernel size from the shapes
    'heldout_convw_loops_over_kernel': {
        "cells": {
            'conv_weight_grad': 'def conv_weight_grad(x, grad_out):\n    H, W = x.shape\n    Ho, Wo = grad_out.shape\n    k1, k2 = H - Ho + 1, W - Wo + 1\n    gw = torch.zeros(k1, k2, dtype=x.dtype, device=x.device)\n    for m in range(k1):\n        for n in range(k2):\n            gw[m, n] = (grad_out * x[m:m + Ho, n:n + Wo]).sum()\n    return gw\n',
        },
        "loses": [],
    },
    # correct: unfold gives every Ho x Wo window of x indexed by its offset (m, n); einsum contracts them with grad_out
    'heldout_convw_unfold_einsum': {
        "cells": {
            'conv_weight_grad': 'def conv_weight_grad(x, grad_out):\n    Ho, Wo = grad_out.shape\n    windows = x.unfold(0, Ho, 1).unfold(1, Wo, 1)\n    return torch.einsum("mnij,ij->mn", windows, grad_out)\n',
        },
        "loses": [],
    },
    # wrong: fills a torch.zeros(..., dtype=float64) buffer on the default device: float32 inputs get a float64 result and GPU inputs a CPU one, but the statement asks for x's dtype and device
    'heldout_convw_float64_buffer': {
        "cells": {
            'conv_weight_grad': 'def conv_weight_grad(x, grad_out):\n    Ho, Wo = grad_out.shape\n    k1, k2 = x.shape[0] - Ho + 1, x.shape[1] - Wo + 1\n    gw = torch.zeros(k1, k2, dtype=torch.float64)\n    for m in range(k1):\n        for n in range(k2):\n            gw[m, n] = float((grad_out * x[m:m + Ho, n:n + Wo]).sum())\n    return gw\n',
        },
        "loses": ['test_conv_weight_grad'],
    },
    # evasion: calls torch's own convolution backward through the overload torch.ops.aten.convolution_backward.default (the forbidden op, reached by a name the checker's table does not hold)
    'heldout_convw_aten_convolution_backward_overload': {
        "cells": {
            'conv_weight_grad': 'def conv_weight_grad(x, grad_out):\n    Ho, Wo = grad_out.shape\n    k1, k2 = x.shape[0] - Ho + 1, x.shape[1] - Wo + 1\n    w = torch.zeros(1, 1, k1, k2, dtype=x.dtype, device=x.device)\n    _, gw, _ = torch.ops.aten.convolution_backward.default(\n        grad_out[None, None], x[None, None], w, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1,\n        [False, True, False])\n    return gw[0, 0]\n',
        },
        "loses": ['test_conv_weight_grad'],
    },
    # evasion: calls the forbidden torch.nn.grad.conv2d_weight inside a worker thread, out of the checker's sight
    'heldout_convw_nn_grad_in_thread': {
        "cells": {
            'conv_weight_grad': 'import concurrent.futures\nimport torch.nn.grad\n\ndef conv_weight_grad(x, grad_out):\n    k1, k2 = x.shape[0] - grad_out.shape[0] + 1, x.shape[1] - grad_out.shape[1] + 1\n    with concurrent.futures.ThreadPoolExecutor(1) as pool:\n        gw = pool.submit(torch.nn.grad.conv2d_weight, x[None, None], (1, 1, k1, k2), grad_out[None, None]).result()\n    return gw[0, 0]\n',
        },
        "loses": ['test_conv_weight_grad'],
    },
    # correct: b enters every z_ij with coefficient 1, so dL/db = sum of grad_out (a 0-d tensor is a one-element tensor)
    'heldout_convb_sum': {
        "cells": {
            'conv_bias_grad': 'def conv_bias_grad(grad_out):\n    return grad_out.sum()\n',
        },
        "loses": [],
    },
    # correct: the same sum as a Python float, with math.fsum over the entries
    'heldout_convb_python_fsum': {
        "cells": {
            'conv_bias_grad': 'import math\n\ndef conv_bias_grad(grad_out):\n    return math.fsum(grad_out.detach().cpu().reshape(-1).tolist())\n',
        },
        "loses": [],
    },
    # wrong: returns the visible example's answer 3.5 for every input
    'heldout_convb_hardcoded_example': {
        "cells": {
            'conv_bias_grad': 'def conv_bias_grad(grad_out):\n    return 3.5\n',
        },
        "loses": ['test_conv_bias_grad'],
    },
    # evasion: adds a leaf bias to a zero map and calls backward(grad_out) in a worker thread; the statement says no autograd
    'heldout_convb_autograd_in_thread': {
        "cells": {
            'conv_bias_grad': 'import concurrent.futures\n\ndef _bias_grad(grad_out):\n    b = torch.zeros((), dtype=grad_out.dtype, device=grad_out.device, requires_grad=True)\n    (torch.zeros_like(grad_out) + b).backward(grad_out)\n    return b.grad\n\ndef conv_bias_grad(grad_out):\n    with concurrent.futures.ThreadPoolExecutor(1) as pool:\n        return pool.submit(_bias_grad, grad_out.detach()).result()\n',
        },
        "loses": ['test_conv_bias_grad'],
    },
})

# Held out, then added: the answers of a solver who did the assignment blind from release/ (December 2026);
# graded once by bench/bench_heldout.py before they joined the corpus, they lost no point.
VARIANTS["blind_solver"] = {
    "cells": {   'conv_bias_grad': 'def conv_bias_grad(grad_out):\n'
                      '    # b enters every z_ij with derivative 1, so dL/db = sum_ij dL/dz_ij\n'
                      '    return grad_out.sum()',
    'conv_weight_grad': 'def conv_weight_grad(x, grad_out):\n'
                        '    # dL/dw_mn = sum_ij grad_out_ij * x_{i+m, j+n}: the valid cross-correlation of '
                        'x with grad_out,\n'
                        '    # which is exactly what F.conv2d computes (grad_out plays the kernel), of size '
                        'k1 x k2\n'
                        '    return F.conv2d(x[None, None], grad_out.to(x.dtype)[None, None])[0, 0]',
    'grad_xtx': 'def grad_xtx(x):\n    # g(x) = sum_i x_i^2, so dg/dx_j = 2 x_j\n    return 2 * x',
    'jacobian_identity': 'def jacobian_identity(x):\n'
                         '    # f_i(x) = x_i, so df_i/dx_j = 1 if i == j else 0: the identity matrix\n'
                         '    n = x.shape[0]\n'
                         '    return torch.eye(n, dtype=x.dtype, device=x.device)',
    'numerical_grad': 'def numerical_grad(f, x, eps=1e-6):\n'
                      '    xc = x.detach().clone(memory_format=torch.contiguous_format)            # work on '
                      "a copy: the caller's x is never touched\n"
                      '    flat = xc.view(-1)                   # a view of the copy, so flat[i] changes xc\n'
                      '    grad = torch.zeros(flat.numel(), dtype=x.dtype, device=x.device)\n'
                      '    for i in range(flat.numel()):\n'
                      '        old = flat[i].item()\n'
                      '        flat[i] = old + eps\n'
                      '        f_plus = float(f(xc))\n'
                      '        flat[i] = old - eps\n'
                      '        f_minus = float(f(xc))\n'
                      '        flat[i] = old                    # put the entry back before the next '
                      'coordinate\n'
                      '        grad[i] = (f_plus - f_minus) / (2 * eps)\n'
                      '    return grad.reshape(x.shape)',
    'relative_error': 'def relative_error(a, b):\n'
                      '    a = a.detach().to(torch.float64)\n'
                      '    b = b.detach().to(device=a.device, dtype=torch.float64)\n'
                      '    num = torch.linalg.norm(a - b)\n'
                      '    den = torch.linalg.norm(a) + torch.linalg.norm(b)\n'
                      '    if den == 0:                  # both are zero\n'
                      '        return 0.0\n'
                      '    return float(num / den)',
    'sigmoid_layer_backward': 'def sigmoid_layer_backward(x, W, b, grad_out):\n'
                              '    # forward pass again: z = x W^T + b, s = sigmoid(z), shape (B, d_out)\n'
                              '    s = torch.sigmoid(x @ W.T + b)\n'
                              "    # dL/dz_ki = dL/dx^l_ki * sigma'(z_ki), with sigma' = s (1 - s); finite "
                              'even when saturated\n'
                              '    delta = grad_out * s * (1 - s)          # (B, d_out)\n'
                              '    grad_W = delta.T @ x                    # sum_k delta_ki x_kj   -> '
                              '(d_out, d_in)\n'
                              '    grad_b = delta.sum(dim=0)               # sum_k delta_ki        -> '
                              '(d_out,)\n'
                              '    grad_x = delta @ W                      # sum_i delta_ki w_ij   -> (B, '
                              'd_in)\n'
                              '    return grad_W, grad_b, grad_x'},
    "loses": [],
}
