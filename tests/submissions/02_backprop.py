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
}
