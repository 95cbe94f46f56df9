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

# Held-out cases: written from the student notebook alone by someone who had not read the tests,
# graded once before the tests were strengthened (the closing note of issue 21 has the figures),
# then added here with what each loses.
VARIANTS.update({
    # correct: subtracts z.max(dim=-1, keepdim=True).values, exponentiates, divides by the keepdim sum: any shape, dtype and device kept, finite for +-1000
    'heldout_softmax_max_values_keepdim': {
        "cells": {
            'softmax': 'def softmax(z):\n    m = z.max(dim=-1, keepdim=True).values\n    e = torch.exp(z - m)\n    return e / e.sum(dim=-1, keepdim=True)\n',
        },
        "loses": [],
    },
    # correct: exp(z - logsumexp(z)) over the last dim: torch.logsumexp is the stable max-shifted log of the sum and is not one of the forbidden softmax functions
    'heldout_softmax_via_logsumexp': {
        "cells": {
            'softmax': 'def softmax(z):\n    return torch.exp(z - torch.logsumexp(z, dim=-1, keepdim=True))\n',
        },
        "loses": [],
    },
    # wrong: normalises over dim=1 (the class dim of the (B, K) example) instead of the last dim: raises for a single vector (K,) and normalises the wrong axis for 3-D inputs
    'heldout_softmax_dim1_hardcoded': {
        "cells": {
            'softmax': 'def softmax(z):\n    e = torch.exp(z - z.max(dim=1, keepdim=True).values)\n    return e / e.sum(dim=1, keepdim=True)\n',
        },
        "loses": ['test_softmax'],
    },
    # wrong: subtracts the row max only when some logit exceeds 80 (guards overflow, not underflow): logits that are all very negative, e.g. [[-1000, -1001]], give 0/0 = nan
    'heldout_softmax_shift_only_on_overflow': {
        "cells": {
            'softmax': 'def softmax(z):\n    # exp overflows above ~88, so shift only when it is needed\n    if z.max() > 80:\n        z = z - z.max(dim=-1, keepdim=True).values\n    e = torch.exp(z)\n    return e / e.sum(dim=-1, keepdim=True)\n',
        },
        "loses": ['test_softmax'],
    },
    # evasion: calls torch's softmax kernel under its ATen name torch.ops.aten._softmax: a built-in softmax, which the statement forbids
    'heldout_softmax_aten_underscore_softmax': {
        "cells": {
            'softmax': 'def softmax(z):\n    return torch.ops.aten._softmax(z, -1, False)\n',
        },
        "loses": ['test_softmax'],
    },
    # wrong: entropy of the soft label in bits (log2), 0.811, instead of the natural log asked for (0.562)
    'heldout_min_ce_mnist_in_bits': {
        "cells": {
            'min_ce_mnist': 'min_ce_mnist = -(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25))\n',
        },
        "loses": ['test_min_ce_mnist'],
    },
    # correct: uses sum_k p_k = 1 to write CE = logsumexp(z) - sum_k p_k z_k (and logsumexp(z) - z_c for indices via gather): exact for probability targets, finite for +-1000
    'heldout_cross_entropy_lse_minus_target_logit': {
        "cells": {
            'cross_entropy': 'def cross_entropy(z, target):\n    lse = torch.logsumexp(z, dim=1)                      # (B,)\n    if target.is_floating_point():\n        picked = (target.to(z.dtype) * z).sum(dim=1)    # sum_k p_k z_k, since sum_k p_k = 1\n    else:\n        picked = z.gather(1, target.long().view(-1, 1)).squeeze(1)\n    return (lse - picked).mean()\n',
        },
        "loses": [],
    },
    # wrong: F.one_hot(target) without num_classes infers K = max label + 1: right when the largest class occurs in the batch (as in the example), a shape error or wrong loss when it does not
    'heldout_cross_entropy_one_hot_without_num_classes': {
        "cells": {
            'cross_entropy': 'def cross_entropy(z, target):\n    log_probs = z - torch.logsumexp(z, dim=1, keepdim=True)\n    if target.is_floating_point():\n        p = target\n    else:\n        p = F.one_hot(target).to(z.dtype)\n    return -(p * log_probs).sum(dim=1).mean()\n',
        },
        "loses": ['test_cross_entropy'],
    },
    # wrong: sums the per-object losses and divides by z.shape[1] (K) instead of the batch size B: identical on the 3 x 3 example only
    'heldout_cross_entropy_divides_by_num_classes': {
        "cells": {
            'cross_entropy': 'def cross_entropy(z, target):\n    n = z.shape[1]\n    log_probs = z - torch.logsumexp(z, dim=1, keepdim=True)\n    if target.is_floating_point():\n        losses = -(target * log_probs).sum(dim=1)\n    else:\n        losses = -log_probs[torch.arange(z.shape[0], device=z.device), target]\n    return losses.sum() / n\n',
        },
        "loses": ['test_cross_entropy'],
    },
    # evasion: computes CE as PyTorch's KL-divergence loss F.kl_div on hand-made log-probabilities plus the target entropy: still one of PyTorch's losses, which the statement forbids
    'heldout_cross_entropy_kl_div_plus_entropy': {
        "cells": {
            'cross_entropy': 'def cross_entropy(z, target):\n    B, K = z.shape\n    log_q = z - torch.logsumexp(z, dim=1, keepdim=True)\n    if target.is_floating_point():\n        p = target.to(z.dtype)\n    else:\n        p = F.one_hot(target.long(), K).to(z.dtype)\n    # CE(p, q) = KL(p || q) + H(p)\n    kl = F.kl_div(log_q, p, reduction="batchmean")\n    entropy = -torch.special.xlogy(p, p).sum() / B\n    return kl + entropy\n',
        },
        "loses": ['test_cross_entropy'],
    },
    # correct: (softmax(z) - p) / B with torch.softmax (not forbidden in Task 1.7), subtracting 1 at the label positions by advanced indexing; probability targets subtracted directly
    'heldout_ce_grad_softmax_then_subtract_at_labels': {
        "cells": {
            'ce_grad': 'def ce_grad(z, target):\n    B = z.shape[0]\n    g = torch.softmax(z, dim=1)\n    if target.is_floating_point():\n        g = g - target.to(z.dtype)\n    else:\n        g = g.clone()\n        g[torch.arange(B, device=z.device), target.long()] -= 1\n    return g / B\n',
        },
        "loses": [],
    },
    # correct: stable softmax minus target rows (np.eye for indices) divided by B, computed in NumPy float64 and returned on z's device in z's dtype
    'heldout_ce_grad_numpy_round_trip': {
        "cells": {
            'ce_grad': 'def ce_grad(z, target):\n    Z = z.detach().cpu().to(torch.float64).numpy()\n    B, K = Z.shape\n    E = np.exp(Z - Z.max(axis=1, keepdims=True))\n    Y_hat = E / E.sum(axis=1, keepdims=True)\n    if target.is_floating_point():\n        P = target.detach().cpu().to(torch.float64).numpy()\n    else:\n        P = np.eye(K)[target.detach().cpu().long().numpy()]\n    G = (Y_hat - P) / B\n    return torch.from_numpy(G).to(dtype=z.dtype, device=z.device)\n',
        },
        "loses": [],
    },
    # wrong: class-index branch is right (the example uses indices only) but the probability branch returns (p - softmax(z)) / B, the negative gradient
    'heldout_ce_grad_soft_target_sign_flipped': {
        "cells": {
            'ce_grad': 'def ce_grad(z, target):\n    B, K = z.shape\n    e = torch.exp(z - z.max(dim=1, keepdim=True).values)\n    y_hat = e / e.sum(dim=1, keepdim=True)\n    if target.is_floating_point():\n        return (target - y_hat) / B\n    return (y_hat - F.one_hot(target, K).to(z.dtype)) / B\n',
        },
        "loses": ['test_ce_grad'],
    },
    # evasion: backpropagates F.cross_entropy with autograd inside a worker thread so a thread-local check misses it; the statement says no autograd
    'heldout_ce_grad_autograd_in_thread': {
        "cells": {
            'ce_grad': 'import threading\n\n\ndef ce_grad(z, target):\n    box = {}\n\n    def work():\n        t = z.detach().clone().requires_grad_(True)\n        F.cross_entropy(t, target).backward()\n        box["g"] = t.grad\n\n    th = threading.Thread(target=work)\n    th.start()\n    th.join()\n    return box["g"]\n',
        },
        "loses": ['test_ce_grad'],
    },
    # wrong: gives each weight as (n_in, n_out), the H @ W convention, but nn.Linear stores weight as (n_out, n_in): W1 is (5, 3), not (3, 5)
    'heldout_mlp_shapes_weights_transposed': {
        "cells": {
            'mlp_shapes': 'mlp_shapes = {"W1": (3, 5), "b1": (5,), "W2": (5, 2), "b2": (2,), "W3": (2, 4), "b3": (4,)}\n',
        },
        "loses": ['test_mlp_shapes'],
    },
    # correct: weights as the dot product of consecutive sizes plus biases as the sum of the output sizes, in NumPy int64 (a whole number; 0 for a single size)
    'heldout_count_params_numpy_dot': {
        "cells": {
            'count_params': 'def count_params(sizes):\n    s = np.asarray(list(sizes), dtype=np.int64)\n    if s.size < 2:\n        return 0\n    return np.dot(s[:-1], s[1:]) + s[1:].sum()\n',
        },
        "loses": [],
    },
    # wrong: counts only the weights, sum n_in * n_out, and forgets the bias of every layer (32 instead of 44 for [3, 5, 2, 4])
    'heldout_count_params_weights_only': {
        "cells": {
            'count_params': 'def count_params(sizes):\n    return sum(n_in * n_out for n_in, n_out in zip(sizes, sizes[1:]))\n',
        },
        "loses": ['test_count_params'],
    },
    # evasion: builds nn.Linear modules at the top level of the cell (outside the function) and reads their parameter counts from a table, falling back to building a module; the statement says from the sizes alone, without a module
    'heldout_count_params_module_table_at_top_level': {
        "cells": {
            'count_params': '_LAYER_PARAMS = {}\nfor _a in range(1, 33):\n    for _b in range(1, 33):\n        _LAYER_PARAMS[(_a, _b)] = sum(p.numel() for p in nn.Linear(_a, _b, device="meta").parameters())\n\n\ndef count_params(sizes):\n    total = 0\n    for a, b in zip(sizes[:-1], sizes[1:]):\n        if (a, b) not in _LAYER_PARAMS:\n            _LAYER_PARAMS[(a, b)] = sum(p.numel() for p in nn.Linear(a, b, device="meta").parameters())\n        total += _LAYER_PARAMS[(a, b)]\n    return total\n',
        },
        "loses": ['test_count_params'],
    },
    # correct: each layer as torch.einsum('bi,oi->bo', h, W) + b (a matrix product), act between layers only, any depth incl. a single layer
    'heldout_mlp_forward_einsum': {
        "cells": {
            'mlp_forward': 'def mlp_forward(x, params, act=torch.relu):\n    h = x\n    last = len(params) - 1\n    for i, (W, b) in enumerate(params):\n        h = torch.einsum("bi,oi->bo", h, W) + b\n        if i != last:\n            h = act(h)\n    return h\n',
        },
        "loses": [],
    },
    # wrong: always applies torch.relu between layers, ignoring the act argument: right with the default (the visible example), wrong for act=torch.tanh etc.
    'heldout_mlp_forward_ignores_act': {
        "cells": {
            'mlp_forward': 'def mlp_forward(x, params, act=torch.relu):\n    h = x\n    for W, b in params[:-1]:\n        h = torch.relu(h @ W.T + b)\n    W, b = params[-1]\n    return h @ W.T + b\n',
        },
        "loses": ['test_mlp_forward'],
    },
    # evasion: each layer through torch.ops.aten.linear, the kernel behind F.linear under its ATen name, instead of matrix products; the statement forbids F.linear
    'heldout_mlp_forward_aten_linear': {
        "cells": {
            'mlp_forward': 'def mlp_forward(x, params, act=torch.relu):\n    h = x\n    for i, (W, b) in enumerate(params):\n        h = torch.ops.aten.linear(h, W, b)\n        if i < len(params) - 1:\n            h = act(h)\n    return h\n',
        },
        "loses": ['test_mlp_forward'],
    },
    # correct: builds 'input', 'hidden 1', ..., 'output' in a loop (works for two layers too), passes them as a tuple to draw_network and returns ax
    'heldout_draw_mlp_loop_built_labels': {
        "cells": {
            'draw_mlp': 'def draw_mlp(ax, sizes):\n    names = []\n    for i in range(len(sizes)):\n        if i == 0:\n            names.append("input")\n        elif i == len(sizes) - 1:\n            names.append("output")\n        else:\n            names.append("hidden " + str(i))\n    draw_network(ax, list(sizes), labels=tuple(names))\n    return ax\n',
        },
        "loses": [],
    },
    # wrong: always passes the four names of the 3-5-2-4 example: for other depths the layers are misnamed (e.g. [2, 3] gives 'input', 'hidden 1') or matplotlib raises
    'heldout_draw_mlp_labels_hardcoded_for_example': {
        "cells": {
            'draw_mlp': 'def draw_mlp(ax, sizes):\n    draw_network(ax, sizes, ["input", "hidden 1", "hidden 2", "output"])\n    return ax\n',
        },
        "loses": ['test_draw_mlp'],
    },
    # correct: W1 = [[2, -2], [-2, 2]], w2 = [0.5, 0.5] as float64 tensors on DEVICE: f = |x1 - x2| gives 0, 1, 1, 0 on the four points
    'heldout_xor_weights_scaled_float64_on_device': {
        "cells": {
            'xor_weights': 'W1_xor = torch.tensor([[2.0, -2.0], [-2.0, 2.0]], dtype=torch.float64, device=DEVICE)\nw2_xor = torch.tensor([0.5, 0.5], dtype=torch.float64, device=DEVICE)\n',
        },
        "loses": [],
    },
    # wrong: W1 = [[1, -1], [-1, 1]] with w2 = [0.5, 0.5] gives f = 0.5 at (0, 1) and (1, 0), which is not > 0.5, so they are classified 0
    'heldout_xor_weights_output_exactly_threshold': {
        "cells": {
            'xor_weights': 'W1_xor = torch.tensor([[1.0, -1.0], [-1.0, 1.0]])\nw2_xor = torch.tensor([0.5, 0.5])\n',
        },
        "loses": ['test_xor_weights'],
    },
    # correct: closed-form gradients of the mean BCE with logits, grad_w = X^T (sigmoid(s) - y) / N and grad_b = mean(sigmoid(s) - y), simultaneous updates from w = 0, b = 0
    'heldout_train_linear_manual_gradients': {
        "cells": {
            'train_linear': 'def train_linear(X, y, steps=100, lr=1.0):\n    n, d = X.shape\n    w = torch.zeros(d, dtype=X.dtype, device=X.device)\n    b = torch.zeros((), dtype=X.dtype, device=X.device)\n    y = y.to(X.dtype)\n    for _ in range(steps):\n        r = torch.sigmoid(X @ w + b) - y\n        grad_w = X.T @ r / n\n        grad_b = r.mean()\n        w = w - lr * grad_w\n        b = b - lr * grad_b\n    return w, b\n',
        },
        "loses": [],
    },
    # wrong: descends the summed BCE (reduction='sum'), N times the gradient of the mean loss the statement prescribes; still learns AND and OR
    'heldout_train_linear_sum_reduction': {
        "cells": {
            'train_linear': 'def train_linear(X, y, steps=100, lr=1.0):\n    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device, requires_grad=True)\n    b = torch.zeros((), dtype=X.dtype, device=X.device, requires_grad=True)\n    for _ in range(steps):\n        loss = F.binary_cross_entropy_with_logits(X @ w + b, y, reduction="sum")\n        loss.backward()\n        with torch.no_grad():\n            w -= lr * w.grad\n            b -= lr * b.grad\n        w.grad = None\n        b.grad = None\n    return w.detach(), b.detach()\n',
        },
        "loses": ['test_train_linear'],
    },
    # correct: keeps the given initialisation and does hand-written backprop of the mean squared error (dL/df = 2 (f - y) / N, ReLU mask A > 0), simultaneous updates, plain tensors returned
    'heldout_train_xor_net_manual_backprop': {
        "cells": {
            'train_xor_net': 'def train_xor_net(X, y, seed, steps=300, lr=0.2):\n    g = generator(seed)\n    W1 = torch.randn(2, 2, generator=g, dtype=torch.float64).to(X.device)\n    w2 = torch.randn(2, generator=g, dtype=torch.float64).to(X.device)\n    N = X.shape[0]\n    for _ in range(steps):\n        A = X @ W1.T                      # (N, 2) pre-activations\n        H = torch.relu(A)\n        f = H @ w2\n        df = 2.0 * (f - y) / N            # dL/df\n        grad_w2 = H.T @ df\n        dA = torch.outer(df, w2) * (A > 0).to(A.dtype)\n        grad_W1 = dA.T @ X\n        W1 = W1 - lr * grad_W1\n        w2 = w2 - lr * grad_w2\n    return W1, w2\n',
        },
        "loses": [],
    },
    # wrong: hand-written gradient drops the 2 of d(f - y)^2/df, i.e. descends half the gradient of the stated loss (equivalent to lr/2)
    'heldout_train_xor_net_manual_missing_factor_two': {
        "cells": {
            'train_xor_net': 'def train_xor_net(X, y, seed, steps=300, lr=0.2):\n    g = generator(seed)\n    W1 = torch.randn(2, 2, generator=g, dtype=torch.float64).to(X.device)\n    w2 = torch.randn(2, generator=g, dtype=torch.float64).to(X.device)\n    N = X.shape[0]\n    for _ in range(steps):\n        A = X @ W1.T\n        H = torch.relu(A)\n        err = (H @ w2 - y) / N\n        grad_w2 = H.T @ err\n        grad_W1 = (torch.outer(err, w2) * (A > 0)).T @ X\n        W1 = W1 - lr * grad_W1\n        w2 = w2 - lr * grad_w2\n    return W1, w2\n',
        },
        "loses": ['test_train_xor_net'],
    },
    # correct: trains from each seed 0..9 with the defaults and keeps the seeds whose thresholded outputs equal y_xor on all four points (a list of ints)
    'heldout_xor_success_seeds_computed_list': {
        "cells": {
            'xor_success_seeds': 'xor_success_seeds = []\nfor seed in range(10):\n    W1_s, w2_s = train_xor_net(X_xor, y_xor, seed)\n    predicted = (xor_net(X_xor, W1_s, w2_s) > 0.5).to(y_xor.dtype)\n    if torch.equal(predicted, y_xor):\n        xor_success_seeds.append(seed)\n',
        },
        "loses": [],
    },
    # correct: the statement's grid g = torch.linspace(-0.5, 1.5, n) in float64, points from torch.cartesian_prod with the pair swapped so entry [i, j] is (g_j, g_i), network in NumPy float64, imshow origin lower + extent, one scatter coloured by XOR class via c= and a colour map
    'heldout_plot_decision_regions_cartesian_prod_numpy': {
        "cells": {
            'plot_decision_regions': 'def plot_decision_regions(ax, W1, w2, n=201):\n    W = W1.detach().to("cpu", torch.float64).numpy()\n    v = w2.detach().to("cpu", torch.float64).numpy()\n    g = torch.linspace(-0.5, 1.5, n).to(torch.float64)\n    pairs = torch.cartesian_prod(g, g).numpy()      # rows (g_i, g_j), i slowest\n    pts = pairs[:, ::-1]                            # (x1, x2) = (g_j, g_i)\n    f = np.maximum(pts @ W.T, 0.0) @ v\n    image = (f > 0.5).astype(np.float64).reshape(n, n)\n    ax.imshow(image, origin="lower", extent=(-0.5, 1.5, -0.5, 1.5), cmap="Pastel1", vmin=0.0, vmax=1.0)\n    xs = np.array([0.0, 0.0, 1.0, 1.0])\n    ys = np.array([0.0, 1.0, 0.0, 1.0])\n    ax.scatter(xs, ys, c=[0.0, 1.0, 1.0, 0.0], cmap="bwr", vmin=0.0, vmax=1.0, edgecolors="k", s=80)\n    ax.set_xlabel("x1")\n    ax.set_ylabel("x2")\n    return ax\n',
        },
        "loses": [],
    },
    # wrong: meshgrid with indexing='ij' used as (x1, x2), so entry [i, j] is the class at (g_i, g_j): the image is transposed (invisible for the symmetric weights of the example)
    'heldout_plot_decision_regions_image_transposed': {
        "cells": {
            'plot_decision_regions': 'def plot_decision_regions(ax, W1, w2, n=201):\n    g = torch.linspace(-0.5, 1.5, n).to(torch.float64)\n    x1, x2 = torch.meshgrid(g, g, indexing="ij")\n    pts = torch.stack([x1.reshape(-1), x2.reshape(-1)], dim=1).to(W1.device)\n    f = xor_net(pts, W1.to(torch.float64), w2.to(torch.float64))\n    image = (f > 0.5).to(torch.float64).reshape(n, n).cpu()\n    ax.imshow(image, origin="lower", extent=(-0.5, 1.5, -0.5, 1.5), cmap="viridis")\n    ax.scatter([0, 0, 1, 1], [0, 1, 0, 1], c=["tab:blue", "tab:red", "tab:red", "tab:blue"])\n    return ax\n',
        },
        "loses": ['test_plot_decision_regions'],
    },
    # wrong: colours the four points by the network's predicted class instead of their XOR class: indistinguishable for weights that solve XOR, wrong for weights that do not
    'heldout_plot_decision_regions_points_coloured_by_prediction': {
        "cells": {
            'plot_decision_regions': 'def plot_decision_regions(ax, W1, w2, n=201):\n    W1 = W1.to(torch.float64)\n    w2 = w2.to(torch.float64)\n    g = torch.linspace(-0.5, 1.5, n).to(torch.float64)\n    x2, x1 = torch.meshgrid(g, g, indexing="ij")\n    grid = torch.stack([x1.flatten(), x2.flatten()], dim=1).to(W1.device)\n    image = (xor_net(grid, W1, w2) > 0.5).to(torch.float64).reshape(n, n).cpu()\n    ax.imshow(image, origin="lower", extent=(-0.5, 1.5, -0.5, 1.5), cmap="coolwarm", vmin=0, vmax=1)\n    corners = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64, device=W1.device)\n    pred = (xor_net(corners, W1, w2) > 0.5).to(torch.float64).cpu()\n    ax.scatter(corners[:, 0].cpu(), corners[:, 1].cpu(), c=pred.numpy(), cmap="coolwarm", vmin=0, vmax=1,\n               edgecolors="k")\n    return ax\n',
        },
        "loses": ['test_plot_decision_regions'],
    },
    # correct: the set typed in after reading the runs; the statement no longer asks for it to be computed
    'fair_xor_success_seeds_typed_in': {
        "cells": {
            'xor_success_seeds': 'xor_success_seeds = {4, 7}\n',
        },
        "loses": [],
    },
    # wrong: the diagram drawn by hand (scatter and plot) instead of with draw_network, which the statement
    # requires: count_network sees no nodes or edges
    'mistake_draw_mlp_by_hand': {
        "cells": {
            'draw_mlp': 'def draw_mlp(ax, sizes):\n    for i, n in enumerate(sizes):\n        ax.scatter([i] * n, range(n))\n        if i:\n            for a in range(sizes[i - 1]):\n                for b in range(n):\n                    ax.plot([i - 1, i], [a, b], color="0.6")\n    names = ["input"] + [f"hidden {k}" for k in range(1, len(sizes) - 1)] + ["output"]\n    ax.set_xticks(range(len(sizes)), names)\n    return ax\n',
        },
        "loses": ['test_draw_mlp'],
    },
})

# Held out, then added: the answers of a solver who did the assignment blind from release/ (December 2026);
# graded once by bench/bench_heldout.py before they joined the corpus, they lost no point.
VARIANTS["blind_solver"] = {
    "cells": {   'ce_grad': 'def ce_grad(z, target):\n'
               '    B, K = z.shape\n'
               '    y_hat = softmax(z)                                              # (B, K), stable (Task '
               '1.1)\n'
               '    if target.dtype.is_floating_point:\n'
               '        p = target.to(dtype=z.dtype, device=z.device)\n'
               '    else:\n'
               '        p = F.one_hot(target.to(z.device), num_classes=K).to(z.dtype)\n'
               '    return (y_hat - p) / B',
    'count_params': 'def count_params(sizes):\n'
                    '    # each layer n_in -> n_out has n_out * n_in weights and n_out biases\n'
                    '    return int(sum(n_out * n_in + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:])))',
    'cross_entropy': 'def cross_entropy(z, target):\n'
                     '    m = z.max(dim=-1, keepdim=True).values\n'
                     '    log_y = z - m - torch.log(torch.exp(z - m).sum(dim=-1, keepdim=True))   # '
                     'log-softmax, shape (B, K)\n'
                     '    if target.dtype.is_floating_point:\n'
                     '        p = target.to(dtype=z.dtype, device=z.device)                      # '
                     'probabilities (B, K)\n'
                     '    else:\n'
                     '        p = F.one_hot(target.to(z.device), num_classes=z.shape[-1]).to(z.dtype)  # '
                     'class indices -> one-hot\n'
                     '    return -(p * log_y).sum(dim=-1).mean()',
    'draw_mlp': 'def draw_mlp(ax, sizes):\n'
                '    n_hidden = len(sizes) - 2\n'
                '    labels = ["input"] + [f"hidden {i}" for i in range(1, n_hidden + 1)] + ["output"]\n'
                '    draw_network(ax, sizes, labels)\n'
                '    return ax',
    'linear_xor_best': '# 4/4 is impossible (Task 3.4); 3/4 is reached, e.g. by w = (-1, -1), b = 1.5:\n'
                       '# scores 1.5, 0.5, 0.5, -0.5 -> classes 1, 1, 1, 0, wrong only at (0, 0).\n'
                       'linear_xor_best = 3 / 4',
    'min_ce_mnist': '# entropy of p_mnist: only the two non-zero entries contribute (0 log 0 = 0)\n'
                    'min_ce_mnist = float(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))\n'
                    'print(min_ce_mnist)',
    'mlp_forward': 'def mlp_forward(x, params, act=torch.relu):\n'
                   '    h = x\n'
                   '    for i, (W, b) in enumerate(params):\n'
                   '        h = h @ W.T + b                 # batch rows: H W^T + b\n'
                   '        if i < len(params) - 1:         # no nonlinearity after the last layer\n'
                   '            h = act(h)\n'
                   '    return h',
    'mlp_shapes': 'mlp_shapes = {\n'
                  '    "W1": (5, 3), "b1": (5,),\n'
                  '    "W2": (2, 5), "b2": (2,),\n'
                  '    "W3": (4, 2), "b3": (4,),\n'
                  '}',
    'p_mnist': 'p_mnist = torch.zeros(10)\np_mnist[1] = 0.75\np_mnist[7] = 0.25',
    'plot_decision_regions': 'def plot_decision_regions(ax, W1, w2, n=201):\n'
                             '    g = torch.linspace(-0.5, 1.5, n, dtype=torch.float64)\n'
                             '    x2, x1 = torch.meshgrid(g, g, indexing="ij")      # x1[i, j] = g[j], x2[i, '
                             'j] = g[i]\n'
                             '    W1c = W1.detach().to(device="cpu", dtype=torch.float64)\n'
                             '    w2c = w2.detach().to(device="cpu", dtype=torch.float64)\n'
                             '    pts = torch.stack([x1.reshape(-1), x2.reshape(-1)], dim=1)   # (n*n, 2), '
                             'row-major over [i, j]\n'
                             '    f = xor_net(pts, W1c, w2c)                                   # (n*n,)\n'
                             '    image = (f > 0.5).to(torch.float64).reshape(n, n)\n'
                             '    ax.imshow(image.numpy(), origin="lower", extent=(-0.5, 1.5, -0.5, 1.5),\n'
                             '              cmap="coolwarm", vmin=0, vmax=1, alpha=0.4)\n'
                             '    ax.scatter([0, 0, 1, 1], [0, 1, 0, 1], c=[0, 1, 1, 0], cmap="coolwarm", '
                             'vmin=0, vmax=1,\n'
                             '               edgecolors="k", s=80)\n'
                             '    ax.set_xlabel("$x_1$")\n'
                             '    ax.set_ylabel("$x_2$")\n'
                             '    return ax',
    'softmax': 'def softmax(z):\n'
               '    m = z.max(dim=-1, keepdim=True).values\n'
               '    e = torch.exp(z - m)\n'
               '    return e / e.sum(dim=-1, keepdim=True)',
    'train_linear': 'def train_linear(X, y, steps=100, lr=1.0):\n'
                    '    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device)\n'
                    '    b = torch.zeros((), dtype=X.dtype, device=X.device)\n'
                    '    for _ in range(steps):\n'
                    '        s = X @ w + b\n'
                    '        r = torch.sigmoid(s) - y            # dL/ds_n times N\n'
                    '        grad_w = X.T @ r / len(y)\n'
                    '        grad_b = r.mean()\n'
                    '        w = w - lr * grad_w\n'
                    '        b = b - lr * grad_b\n'
                    '    return w, b',
    'train_xor_net': 'def train_xor_net(X, y, seed, steps=300, lr=0.2):\n'
                     '    g = generator(seed)\n'
                     '    W1 = torch.randn(2, 2, generator=g, dtype=torch.float64).to(X.device)\n'
                     '    w2 = torch.randn(2, generator=g, dtype=torch.float64).to(X.device)\n'
                     '    W1 = W1.clone().requires_grad_(True)\n'
                     '    w2 = w2.clone().requires_grad_(True)\n'
                     '    for _ in range(steps):\n'
                     '        loss = ((xor_net(X, W1, w2) - y) ** 2).mean()\n'
                     '        gW1, gw2 = torch.autograd.grad(loss, (W1, w2))\n'
                     '        with torch.no_grad():\n'
                     '            W1 -= lr * gW1\n'
                     '            w2 -= lr * gw2\n'
                     '    W1, w2 = W1.detach(), w2.detach()\n'
                     '    return W1, w2',
    'xor_success_seeds': 'xor_success_seeds = set()\n'
                         'for seed in range(10):\n'
                         '    W1_s, w2_s = train_xor_net(X_xor, y_xor, seed)\n'
                         '    pred = (xor_net(X_xor, W1_s, w2_s) > 0.5).double()\n'
                         '    if bool((pred == y_xor).all()):\n'
                         '        xor_success_seeds.add(seed)\n'
                         'print(sorted(xor_success_seeds))',
    'xor_weights': 'W1_xor = torch.tensor([[1.0, -1.0],     # hidden 1: relu(x1 - x2), 1 only at (1, 0)\n'
                   '                       [-1.0, 1.0]])    # hidden 2: relu(x2 - x1), 1 only at (0, 1)\n'
                   'w2_xor = torch.tensor([1.0, 1.0])'},
    "loses": [],
}
