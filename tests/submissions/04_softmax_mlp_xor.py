"""Made-up submissions for 04_softmax_mlp_xor: answer cells by grade id, and the test cells they lose."""

VARIANTS = {
    # Correct, but written differently from the reference: full marks.
    "alternative": {
        "cells": {
            "softmax": '''
def softmax(z):
    # log-sum-exp is computed stably by torch; exp of (z - lse) never overflows
    return torch.exp(z - torch.logsumexp(z, dim=-1, keepdim=True))
''',
            "p_mnist": "p_mnist = torch.bincount(torch.tensor([1, 1, 1, 7]), minlength=10).float() / 4",
            "min_ce_mnist": "_q = p_mnist[p_mnist > 0]\nmin_ce_mnist = float(-(_q * _q.log()).sum())",
            "cross_entropy": '''
def cross_entropy(z, target):
    log_probs = z - torch.logsumexp(z, dim=1, keepdim=True)
    if target.dtype in (torch.int64, torch.int32):
        return -log_probs.gather(1, target.view(-1, 1)).mean()
    return -(target * log_probs).sum() / z.shape[0]
''',
            "ce_grad": '''
def ce_grad(z, target):
    y_hat = torch.exp(z - torch.logsumexp(z, dim=1, keepdim=True))
    if not target.is_floating_point():
        p = torch.zeros_like(z)
        p[torch.arange(len(target)), target] = 1.0
    else:
        p = target
    B = len(z)
    return y_hat / B - p / B
''',
            "mlp_shapes": 'mlp_shapes = dict(W1=[5, 3], b1=[5], W2=[2, 5], b2=[2], W3=[4, 2], b3=[4])',
            "count_params": '''
def count_params(sizes):
    total = 0
    for i in range(1, len(sizes)):
        total += sizes[i - 1] * sizes[i] + sizes[i]
    return int(total)
''',
            "mlp_forward": '''
def mlp_forward(x, params, act=torch.relu):
    *hidden, (W_last, b_last) = params
    for W, b in hidden:
        x = act(torch.addmm(b, x, W.t()))
    return torch.addmm(b_last, x, W_last.t())
''',
            "draw_mlp": '''
def draw_mlp(ax, sizes):
    names = ["hidden %d" % i for i in range(len(sizes))]
    names[0], names[-1] = "input", "output"
    draw_network(ax, list(sizes), labels=names)
    return ax
''',
            "xor_weights": "W1_xor = torch.tensor([[2.0, -2.0], [-3.0, 3.0]], dtype=torch.float64)\nw2_xor = torch.tensor([0.5, 0.4], dtype=torch.float64)",
            "train_linear": '''
def train_linear(X, y, steps=100, lr=1.0):
    N, d = X.shape
    w = X.new_zeros(d)
    b = X.new_zeros(())
    for _ in range(steps):
        err = torch.sigmoid(X @ w + b) - y
        w = w - lr * (X.T @ err) / N
        b = b - lr * err.mean()
    return w, b
''',
            "linear_xor_best": "linear_xor_best = 0.75",
            "train_xor_net": '''
def train_xor_net(X, y, seed, steps=300, lr=0.2):
    g = generator(seed)
    W1 = torch.randn(2, 2, generator=g, dtype=torch.float64).to(X.device)
    w2 = torch.randn(2, generator=g, dtype=torch.float64).to(X.device)
    W1 = nn.Parameter(W1)
    w2 = nn.Parameter(w2)
    opt = torch.optim.SGD([W1, w2], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        F.mse_loss(xor_net(X, W1, w2), y).backward()
        opt.step()
    return W1.detach().clone(), w2.detach().clone()
''',
            "xor_success_seeds": '''
def _solves(seed):
    W1, w2 = train_xor_net(X_xor, y_xor, seed)
    return torch.equal((xor_net(X_xor, W1, w2) > 0.5).double(), y_xor)

xor_success_seeds = [s for s in range(10) if _solves(s)]
''',
            "plot_decision_regions": '''
import numpy as np

def plot_decision_regions(ax, W1, w2, n=201):
    W1 = torch.as_tensor(W1).double().cpu()
    w2 = torch.as_tensor(w2).double().cpu()
    grid = np.linspace(-0.5, 1.5, n)
    xx1, xx2 = np.meshgrid(grid, grid)          # xx1 varies along columns, xx2 along rows
    pts = torch.from_numpy(np.column_stack([xx1.ravel(), xx2.ravel()]))
    classes = (torch.relu(pts @ W1.T) @ w2 > 0.5).numpy().reshape(n, n).astype(float)
    ax.imshow(classes, origin="lower", extent=(-0.5, 1.5, -0.5, 1.5), cmap="Pastel1")
    ax.scatter([0, 1, 0, 1], [0, 0, 1, 1], c=["C0", "C1", "C1", "C0"])
    return ax
''',
        },
        "loses": [],
    },
    # Correct again, in other natural forms: amax and a division, float64 and NumPy numbers, a
    # gather-free loss with amax, torch.softmax inside ce_grad (only autograd is ruled out there),
    # NumPy integers in shapes and counts, einsum, a tuple of labels, float32 weights, optim.SGD on
    # BCE, a Fraction, hand-written gradients, a tensor of seeds, a plot from NumPy.
    "alternative_forms": {
        "cells": {
            "softmax": '''
def softmax(z):
    e = (z - z.amax(dim=-1, keepdim=True)).exp()
    return e.div(e.sum(-1, keepdim=True))
''',
            "p_mnist": "p_mnist = torch.tensor([0, 3, 0, 0, 0, 0, 0, 1, 0, 0], dtype=torch.float64) / 4",
            "min_ce_mnist": "import numpy as np\nmin_ce_mnist = -(0.75 * np.log(0.75) + 0.25 * np.log(0.25))",
            "cross_entropy": '''
def cross_entropy(z, target):
    m = z.amax(dim=1, keepdim=True)
    log_y = (z - m) - (z - m).exp().sum(dim=1, keepdim=True).log()
    if target.dtype == torch.long:
        target = torch.zeros_like(z).scatter_(1, target[:, None], 1.0)
    return (-(target * log_y).sum(dim=1)).mean()
''',
            "ce_grad": '''
def ce_grad(z, target):
    if target.dtype == torch.long:
        target = F.one_hot(target, num_classes=z.shape[1]).to(z)
    return (torch.softmax(z, dim=1) - target) / z.shape[0]
''',
            "mlp_shapes": '''
import numpy as np
mlp_shapes = {f"W{i}": (np.int64(o), np.int64(n)) for i, (n, o) in enumerate([(3, 5), (5, 2), (2, 4)], 1)}
mlp_shapes.update({f"b{i}": torch.Size([o]) for i, o in enumerate([5, 2, 4], 1)})
''',
            "count_params": '''
import numpy as np
def count_params(sizes):
    s = np.asarray(sizes)
    return np.sum(s[:-1] * s[1:] + s[1:])
''',
            "mlp_forward": '''
def mlp_forward(x, params, act=torch.relu):
    for i, (W, b) in enumerate(params):
        if i > 0:
            x = act(x)
        x = torch.einsum("bi,oi->bo", x, W) + b
    return x
''',
            "draw_mlp": '''
def draw_mlp(ax, sizes):
    hidden = tuple("hidden {}".format(k) for k in range(1, len(sizes) - 1))
    draw_network(ax, sizes, ("input",) + hidden + ("output",))
    return ax
''',
            "xor_weights": "W1_xor = 3 * torch.tensor([[1.0, -1.0], [-1.0, 1.0]])\nw2_xor = torch.tensor([0.4, 0.4])",
            "train_linear": '''
def train_linear(X, y, steps=100, lr=1.0):
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.zeros((), dtype=X.dtype, device=X.device, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        F.binary_cross_entropy_with_logits(X @ w + b, y).backward()
        opt.step()
    return w.detach(), b.detach()
''',
            "linear_xor_best": "from fractions import Fraction\nlinear_xor_best = Fraction(3, 4)",
            "train_xor_net": '''
def train_xor_net(X, y, seed, steps=300, lr=0.2):
    g = generator(seed)
    W1 = torch.randn(2, 2, generator=g, dtype=torch.float64).to(X.device)
    w2 = torch.randn(2, generator=g, dtype=torch.float64).to(X.device)
    N = len(y)
    for _ in range(steps):
        A = X @ W1.T
        H = torch.relu(A)
        r = H @ w2 - y
        d = 2 * r / N
        gw2 = H.T @ d
        gW1 = ((d[:, None] * w2[None, :]) * (A > 0)).T @ X
        W1, w2 = W1 - lr * gW1, w2 - lr * gw2
    return W1, w2
''',
            "xor_success_seeds": '''
_solved = torch.tensor([bool(((xor_net(X_xor, *train_xor_net(X_xor, y_xor, s)) > 0.5).double() == y_xor).all())
                        for s in range(10)])
xor_success_seeds = torch.nonzero(_solved).flatten()
''',
            "plot_decision_regions": '''
import numpy as np
def plot_decision_regions(ax, W1, w2, n=201):
    W1, w2 = np.asarray(W1.cpu(), dtype=float), np.asarray(w2.cpu(), dtype=float)
    g = np.linspace(-0.5, 1.5, n)
    pts = np.stack(np.meshgrid(g, g), axis=-1)          # [i, j] = (g[j], g[i])
    out = np.maximum(pts @ W1.T, 0) @ w2
    ax.imshow((out > 0.5).astype(float), origin="lower", extent=(-0.5, 1.5, -0.5, 1.5), cmap="viridis")
    ax.scatter([0, 0, 1, 1], [0, 1, 0, 1], c=["white", "black", "black", "white"])
    return ax
''',
        },
        "loses": [],
    },
    # Forbidden: softmax by torch's own function, under another name.
    "forbidden_softmax_builtin": {
        "cells": {"softmax": "from torch.nn.functional import softmax as _sm\n\ndef softmax(z):\n    return _sm(z, dim=-1)"},
        "loses": ["test_softmax"],
    },
    # Forbidden: the loss by F.cross_entropy (both target kinds are accepted by it).
    "forbidden_cross_entropy_builtin": {
        "cells": {"cross_entropy": "def cross_entropy(z, target):\n    return F.cross_entropy(z, target)"},
        "loses": ["test_cross_entropy"],
    },
    # Forbidden: ce_grad by autograd through F.cross_entropy (the example).
    "forbidden_ce_grad_autograd": {
        "cells": {
            "ce_grad": '''
def ce_grad(z, target):
    z = z.detach().clone().requires_grad_(True)
    F.cross_entropy(z, target).backward()
    return z.grad
''',
        },
        "loses": ["test_ce_grad"],
    },
    # Forbidden: the same through torch.func, and an nn.Linear in mlp_forward, and a module
    # built to count parameters.
    "forbidden_func_grad_linear_and_module": {
        "cells": {
            "ce_grad": "def ce_grad(z, target):\n    return torch.func.grad(lambda v: F.cross_entropy(v, target))(z)",
            "mlp_forward": '''
def mlp_forward(x, params, act=torch.relu):
    h = x
    for i, (W, b) in enumerate(params):
        h = F.linear(h, W, b)
        if i < len(params) - 1:
            h = act(h)
    return h
''',
            "count_params": '''
def count_params(sizes):
    layers = [nn.Linear(a, b, device="meta") for a, b in zip(sizes, sizes[1:])]
    return sum(p.numel() for layer in layers for p in layer.parameters())
''',
        },
        "loses": ["test_ce_grad", "test_mlp_forward", "test_count_params"],
    },
    # Cross-entropy without the max-subtraction (the example): exp(1000) overflows.
    "mistake_ce_no_max_shift": {
        "cells": {
            "cross_entropy": '''
def cross_entropy(z, target):
    p = target if target.is_floating_point() else F.one_hot(target, z.shape[-1]).to(z.dtype)
    log_y = z - torch.log(torch.exp(z).sum(dim=-1, keepdim=True))
    return -(p * log_y).sum(dim=-1).mean()
''',
        },
        "loses": ["test_cross_entropy"],
    },
    # log(softmax(z)): a probability that underflows to 0 gives log 0 = -inf.
    "mistake_ce_log_of_softmax": {
        "cells": {
            "cross_entropy": '''
def cross_entropy(z, target):
    p = target if target.is_floating_point() else F.one_hot(target, z.shape[-1]).to(z.dtype)
    return -(p * torch.log(softmax(z))).sum(dim=-1).mean()
''',
        },
        "loses": ["test_cross_entropy"],
    },
    # One global maximum instead of one per row: rows far below it underflow to 0 / 0.
    # The soft label's weights swapped between 1 and 7; min CE in bits (log2).
    "mistake_global_max_swapped_label_log2": {
        "cells": {
            "softmax": "def softmax(z):\n    e = torch.exp(z - z.max())\n    return e / e.sum(dim=-1, keepdim=True)",
            "p_mnist": "p_mnist = torch.zeros(10)\np_mnist[1] = 0.25\np_mnist[7] = 0.75",
            "min_ce_mnist": "min_ce_mnist = -(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25))",
        },
        "loses": ["test_softmax", "test_p_mnist", "test_min_ce_mnist"],
    },
    # Shapes stored as (in, out); the activation applied after the last layer too; hidden layers
    # numbered from 0.
    "mistake_in_out_transposed_act_after_last_hidden_from_0": {
        "cells": {
            "mlp_shapes": 'mlp_shapes = {"W1": (3, 5), "b1": (5,), "W2": (5, 2), "b2": (2,), "W3": (2, 4), "b3": (4,)}',
            "mlp_forward": '''
def mlp_forward(x, params, act=torch.relu):
    h = x
    for W, b in params:
        h = act(h @ W.T + b)
    return h
''',
            "draw_mlp": '''
def draw_mlp(ax, sizes):
    labels = ["input"] + [f"hidden {i}" for i in range(len(sizes) - 2)] + ["output"]
    return draw_network(ax, sizes, labels)
''',
        },
        "loses": ["test_mlp_shapes", "test_mlp_forward", "test_draw_mlp"],
    },
    # Gradient descent on the summed loss (no 1/N); "half the points" as the best accuracy;
    # train_xor_net ignoring its steps and lr (right only at the defaults).
    "mistake_sum_not_mean_half_and_fixed_steps": {
        "cells": {
            "train_linear": '''
def train_linear(X, y, steps=100, lr=1.0):
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device)
    b = torch.zeros((), dtype=X.dtype, device=X.device)
    for _ in range(steps):
        r = torch.sigmoid(X @ w + b) - y
        w, b = w - lr * X.T @ r, b - lr * r.sum()
    return w, b
''',
            "linear_xor_best": "linear_xor_best = 0.5",
            "train_xor_net": '''
def train_xor_net(X, y, seed, steps=300, lr=0.2):
    g = generator(seed)
    W1 = torch.randn(2, 2, generator=g, dtype=torch.float64).to(X.device)
    w2 = torch.randn(2, generator=g, dtype=torch.float64).to(X.device)
    W1.requires_grad_(True)
    w2.requires_grad_(True)
    for _ in range(300):
        loss = ((xor_net(X, W1, w2) - y) ** 2).mean()
        gW1, gw2 = torch.autograd.grad(loss, (W1, w2))
        with torch.no_grad():
            W1 -= 0.2 * gW1
            w2 -= 0.2 * gw2
    return W1.detach(), w2.detach()
''',
        },
        "loses": ["test_train_linear", "test_linear_xor_best", "test_train_xor_net"],
    },
    # Success read as "at least 3 of the 4 points right"; the image drawn with rows along x1
    # (meshgrid's "xy" and "ij" confused).
    "mistake_success_3_of_4_and_transposed_image": {
        "cells": {
            "xor_success_seeds": '''
xor_success_seeds = set()
for seed in range(10):
    W1, w2 = train_xor_net(X_xor, y_xor, seed)
    if float(((xor_net(X_xor, W1, w2) > 0.5).double() == y_xor).double().mean()) >= 0.75:
        xor_success_seeds.add(seed)
''',
            "plot_decision_regions": '''
def plot_decision_regions(ax, W1, w2, n=201):
    W1, w2 = W1.double().cpu(), w2.double().cpu()
    g = torch.linspace(-0.5, 1.5, n, dtype=torch.float64)
    x1, x2 = torch.meshgrid(g, g, indexing="ij")
    points = torch.stack([x1.reshape(-1), x2.reshape(-1)], dim=1)
    image = (xor_net(points, W1, w2) > 0.5).double().reshape(n, n)
    ax.imshow(image.numpy(), origin="lower", extent=(-0.5, 1.5, -0.5, 1.5), cmap="coolwarm")
    ax.scatter([0, 0, 1, 1], [0, 1, 0, 1], c=[0, 1, 1, 0], cmap="coolwarm")
    return ax
''',
        },
        "loses": ["test_xor_success_seeds", "test_plot_decision_regions"],
    },
    # The four points all in one colour.
    "mistake_points_not_coloured_by_class": {
        "cells": {
            "plot_decision_regions": '''
def plot_decision_regions(ax, W1, w2, n=201):
    W1, w2 = W1.double().cpu(), w2.double().cpu()
    g = torch.linspace(-0.5, 1.5, n, dtype=torch.float64)
    x2, x1 = torch.meshgrid(g, g, indexing="ij")
    points = torch.stack([x1.reshape(-1), x2.reshape(-1)], dim=1)
    image = (xor_net(points, W1, w2) > 0.5).double().reshape(n, n)
    ax.imshow(image.numpy(), origin="lower", extent=(-0.5, 1.5, -0.5, 1.5), cmap="coolwarm")
    ax.scatter([0, 0, 1, 1], [0, 1, 0, 1], color="k")
    return ax
''',
        },
        "loses": ["test_plot_decision_regions"],
    },
    # Softmax without subtracting the maximum: exp(1000) overflows and the result is nan.
    "mistake_no_max_shift": {
        "cells": {
            "softmax": '''
def softmax(z):
    e = torch.exp(z)
    return e / e.sum(dim=-1, keepdim=True)
''',
        },
        "loses": ["test_softmax"],
    },
    # The gradient of one object's loss, applied to the mean over a batch: B times too large.
    "mistake_no_batch_mean": {
        "cells": {
            "ce_grad": '''
def ce_grad(z, target):
    if target.is_floating_point():
        p = target
    else:
        p = F.one_hot(target, z.shape[-1]).to(z.dtype)
    return softmax(z) - p
''',
        },
        "loses": ["test_ce_grad"],
    },
    # A bias smuggled into the hidden layer as a third input column: not the network asked for.
    "mistake_xor_bias_column": {
        "cells": {
            "xor_weights": "W1_xor = torch.tensor([[1.0, 1.0, 0.0], [1.0, 1.0, -1.0]])\nw2_xor = torch.tensor([1.0, -2.0])",
        },
        "loses": ["test_xor_weights"],
    },
    # Counting only the weights (the edges of the diagram), forgetting the biases.
    "mistake_params_without_biases": {
        "cells": {
            "count_params": "def count_params(sizes):\n    return sum(a * b for a, b in zip(sizes, sizes[1:]))",
        },
        "loses": ["test_count_params"],
    },
    # The maximum subtracted in place: the right probabilities, but the caller's logits are changed
    # (ce_grad, which calls softmax, then changes its input too).
    "mistake_softmax_in_place": {
        "cells": {
            "softmax": '''
def softmax(z):
    z -= z.max(dim=-1, keepdim=True).values
    e = torch.exp(z)
    return e / e.sum(dim=-1, keepdim=True)
''',
        },
        "loses": ["test_softmax", "test_ce_grad"],
    },
    # A default step size other than the statement's (0.5 for 1.0): AND and OR are still learnt, and
    # every call that passes lr is right.
    "mistake_train_linear_default_lr": {
        "cells": {
            "train_linear": '''
def train_linear(X, y, steps=100, lr=0.5):
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device)
    b = torch.zeros((), dtype=X.dtype, device=X.device)
    for _ in range(steps):
        r = torch.sigmoid(X @ w + b) - y
        w, b = w - lr * X.T @ r / len(y), b - lr * r.mean()
    return w, b
''',
        },
        "loses": ["test_train_linear"],
    },
    # The bias started as torch.tensor(0.0): float32 whatever the dtype of X.
    "mistake_train_linear_bias_float32": {
        "cells": {
            "train_linear": '''
def train_linear(X, y, steps=100, lr=1.0):
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.tensor(0.0, device=X.device, requires_grad=True)
    for _ in range(steps):
        loss = F.binary_cross_entropy_with_logits(X @ w + b, y)
        gw, gb = torch.autograd.grad(loss, (w, b))
        with torch.no_grad():
            w -= lr * gw
            b -= lr * gb
    return w.detach(), b.detach()
''',
        },
        "loses": ["test_train_linear"],
    },
    # The trained weights returned still attached to autograd (the .detach() forgotten).
    "mistake_xor_net_not_detached": {
        "cells": {
            "train_xor_net": '''
def train_xor_net(X, y, seed, steps=300, lr=0.2):
    g = generator(seed)
    W1 = torch.randn(2, 2, generator=g, dtype=torch.float64).to(X.device)
    w2 = torch.randn(2, generator=g, dtype=torch.float64).to(X.device)
    W1.requires_grad_(True)
    w2.requires_grad_(True)
    for _ in range(steps):
        loss = ((xor_net(X, W1, w2) - y) ** 2).mean()
        gW1, gw2 = torch.autograd.grad(loss, (W1, w2))
        with torch.no_grad():
            W1 -= lr * gW1
            w2 -= lr * gw2
    return W1, w2
''',
        },
        "loses": ["test_train_xor_net"],
    },
    # The mean over the four XOR points written as a division by 4: right on the XOR data only.
    "mistake_xor_net_divides_by_4": {
        "cells": {
            "train_xor_net": '''
def train_xor_net(X, y, seed, steps=300, lr=0.2):
    g = generator(seed)
    W1 = torch.randn(2, 2, generator=g, dtype=torch.float64).to(X.device)
    w2 = torch.randn(2, generator=g, dtype=torch.float64).to(X.device)
    for _ in range(steps):
        A = X @ W1.T
        r = torch.relu(A) @ w2 - y
        d = 2 * r / 4
        gw2 = torch.relu(A).T @ d
        gW1 = ((d[:, None] * w2[None, :]) * (A > 0)).T @ X
        W1, w2 = W1 - lr * gW1, w2 - lr * gw2
    return W1, w2
''',
        },
        "loses": ["test_train_xor_net"],
    },
    # The weights used in the dtype they come in: float32 weights meet the float64 grid and the
    # product fails; and a default grid of 200 points, not 201.
    "mistake_regions_not_float64_default_200": {
        "cells": {
            "plot_decision_regions": '''
def plot_decision_regions(ax, W1, w2, n=200):
    g = torch.linspace(-0.5, 1.5, n, dtype=torch.float64, device=W1.device)
    x2, x1 = torch.meshgrid(g, g, indexing="ij")
    points = torch.stack([x1.reshape(-1), x2.reshape(-1)], dim=1)
    image = (xor_net(points, W1, w2) > 0.5).double().reshape(n, n)
    ax.imshow(image.cpu().numpy(), origin="lower", extent=(-0.5, 1.5, -0.5, 1.5), cmap="coolwarm")
    ax.scatter([0, 0, 1, 1], [0, 1, 0, 1], c=[0, 1, 1, 0], cmap="coolwarm")
    return ax
''',
        },
        "loses": ["test_plot_decision_regions"],
    },
    # F.one_hot(target) without num_classes: K is taken as the largest label + 1, too few columns
    # whenever the last class is missing from the batch (a batch of 1, say).
    "mistake_one_hot_infers_classes": {
        "cells": {
            "cross_entropy": '''
def cross_entropy(z, target):
    p = target if target.is_floating_point() else F.one_hot(target).to(z.dtype)
    log_y = z - torch.logsumexp(z, dim=-1, keepdim=True)
    return -(p * log_y).sum(dim=-1).mean()
''',
            "ce_grad": '''
def ce_grad(z, target):
    p = target if target.is_floating_point() else F.one_hot(target).to(z.dtype)
    return (softmax(z) - p) / z.shape[0]
''',
        },
        "loses": ["test_cross_entropy", "test_ce_grad"],
    },
    # The outputs computed in float32 (torch's default dtype), against the statement: right wherever the
    # boundary is not within about 1e-7 of a pixel, wrong on a column that sits 1e-10 from it.
    "mistake_regions_in_float32": {
        "cells": {
            "plot_decision_regions": '''
def plot_decision_regions(ax, W1, w2, n=201):
    W1, w2 = W1.float().cpu(), w2.float().cpu()
    g = torch.linspace(-0.5, 1.5, n)
    x2, x1 = torch.meshgrid(g, g, indexing="ij")
    points = torch.stack([x1.reshape(-1), x2.reshape(-1)], dim=1)
    image = (xor_net(points, W1, w2) > 0.5).float().reshape(n, n)
    ax.imshow(image.numpy(), origin="lower", extent=(-0.5, 1.5, -0.5, 1.5), cmap="coolwarm")
    ax.scatter([0, 0, 1, 1], [0, 1, 0, 1], c=[0, 1, 1, 0], cmap="coolwarm")
    return ax
''',
        },
        "loses": ["test_plot_decision_regions"],
    },
}
