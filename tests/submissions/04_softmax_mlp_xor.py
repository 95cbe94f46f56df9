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
}
