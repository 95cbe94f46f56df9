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
