"""Made-up submissions for 06_training: answer cells by grade id, and the test cells they lose."""

VARIANTS = {
    # Correct, but written differently from the reference: full marks.
    "alternative": {
        "cells": {
            "init_gain": '''
GAINS = {"linear": 1, "sigmoid": 1, "tanh": 5 / 3, "relu": 2 ** 0.5, "selu": 3 / 4}

def init_gain(nonlinearity, param=None):
    if nonlinearity == "leaky_relu":
        a = 0.01 if param is None else float(param)
        return (2 / (1 + a * a)) ** 0.5
    return GAINS[nonlinearity]
''',
            # Simpson's rule in NumPy on another grid
            "second_moment_gain": '''
import numpy as np

def second_moment_gain(f):
    z = np.linspace(-12.0, 12.0, 120_001)
    fz = f(torch.from_numpy(z)).numpy()
    integrand = fz ** 2 * np.exp(-z ** 2 / 2) / np.sqrt(2 * np.pi)
    h = z[1] - z[0]
    simpson = h / 3 * (integrand[0] + integrand[-1] + 4 * integrand[1:-1:2].sum() + 2 * integrand[2:-1:2].sum())
    return 1 / np.sqrt(simpson)
''',
            # F.linear, torch.autograd.grad, modules for the activations, the device from the start
            "layer_stats": '''
import torch.nn.functional as F

def layer_stats(depth, width, gain, nonlinearity, seed, batch=256):
    gen = generator(seed)
    draw = lambda *shape: torch.randn(*shape, generator=gen, dtype=torch.float64)
    x = draw(batch, width).to(DEVICE)
    Ws = [(draw(width, width) * gain / width ** 0.5).to(DEVICE).requires_grad_(True) for _ in range(depth)]
    r = draw(batch, width).to(DEVICE)
    act = {"linear": nn.Identity(), "tanh": nn.Tanh(), "relu": nn.ReLU()}[nonlinearity]
    h, stds = x, []
    for W in Ws:
        h = act(F.linear(h, W))
        stds.append(h.std())
    grads = torch.autograd.grad(torch.sum(h * r), Ws)
    return (torch.stack(stds).detach().to("cpu"), torch.stack([g.std() for g in grads]).to("cpu"))
''',
            "plot_layer_stats": '''
def plot_layer_stats(ax, curves, ylabel):
    for name, ys in curves.items():
        ys = [float(v) for v in ys]
        ax.semilogy(list(range(1, len(ys) + 1)), ys, marker="o", markersize=2, label=name)
    ax.set(xlabel="layer", ylabel=ylabel)
    ax.legend(fontsize=8)
    return ax
''',
            "bn_parameter_count": "def bn_parameter_count(C):\n    return sum(p.numel() for p in nn.BatchNorm2d(C).parameters())",
            "bn_buffer_count": "def bn_buffer_count(C):\n    running_mean, running_var, num_batches_tracked = C, C, 1\n    return running_mean + running_var + num_batches_tracked",
            "bn_channels": "def bn_channels(shape, layout):\n    return shape[-1] if layout == 'NHWC' else shape[1]",
            "batchnorm_channels_last": '''
def batchnorm_channels_last(x, bn):
    nchw = x.movedim(-1, 1).contiguous()
    return bn(nchw).movedim(1, -1)
''',
            # a closure over the history instead of counters
            "early_stopping": '''
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta, self.history = patience, min_delta, []
        self.best_epoch, self.best_loss = None, float("inf")

    def step(self, val_loss):
        self.history.append(val_loss)
        epoch = len(self.history) - 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_epoch, self.best_loss = epoch, val_loss
        return epoch - self.best_epoch >= self.patience
''',
            "step_lr": "def step_lr(epoch, base_lr, step_size, gamma=0.1):\n    lr = base_lr\n    for _ in range(int(epoch) // int(step_size)):\n        lr *= gamma\n    return lr",
            "cosine_lr": "def cosine_lr(epoch, base_lr, T_max, eta_min=0.0):\n    return eta_min + (base_lr - eta_min) * math.cos(math.pi * epoch / (2 * T_max)) ** 2",
            "inverted_dropout": '''
def inverted_dropout(x, p, training=True):
    if not training or p == 0:
        return x
    mask = torch.empty_like(x).bernoulli_(1 - p)
    return mask * x / (1 - p)
''',
        },
        "loses": [],
    },
    # Leaky ReLU's gain without its slope.
    "mistake_leaky_gain_ignores_slope": {
        "cells": {
            "init_gain": '''
def init_gain(nonlinearity, param=None):
    return {"linear": 1.0, "sigmoid": 1.0, "tanh": 5 / 3, "relu": math.sqrt(2), "leaky_relu": math.sqrt(2),
            "selu": 0.75}[nonlinearity]
''',
        },
        "loses": ["test_init_gain"],
    },
    # The variance of f(z) instead of its second moment (ReLU's output does not have mean 0).
    "mistake_gain_from_variance": {
        "cells": {
            "second_moment_gain": '''
def second_moment_gain(f):
    z = torch.linspace(-10.0, 10.0, 200_001, dtype=torch.float64)
    density = torch.exp(-z ** 2 / 2) / math.sqrt(2 * math.pi)
    mean = torch.trapezoid(f(z) * density, z)
    var = torch.trapezoid((f(z) - mean) ** 2 * density, z)
    return float(1.0 / var.sqrt())
''',
        },
        "loses": ["test_second_moment_gain"],
    },
    # Weights drawn with standard deviation `gain` (the 1/sqrt(fan_in) forgotten).
    "mistake_layer_stats_no_fan_in": {
        "cells": {
            "layer_stats": '''
def layer_stats(depth, width, gain, nonlinearity, seed, batch=256):
    g = generator(seed)
    x = torch.randn(batch, width, generator=g, dtype=torch.float64)
    weights = [(torch.randn(width, width, generator=g, dtype=torch.float64) * gain).requires_grad_() for _ in range(depth)]
    r = torch.randn(batch, width, generator=g, dtype=torch.float64)
    f = {"linear": lambda z: z, "tanh": torch.tanh, "relu": torch.relu}[nonlinearity]
    a, acts = x, []
    for w in weights:
        a = f(a @ w.T)
        acts.append(a)
    (a * r).sum().backward()
    return torch.stack([t.detach().std() for t in acts]), torch.stack([w.grad.std() for w in weights])
''',
        },
        "loses": ["test_layer_stats"],
    },
    # The standard deviation of the pre-activations instead of the activations.
    "mistake_layer_stats_preactivations": {
        "cells": {
            "layer_stats": '''
def layer_stats(depth, width, gain, nonlinearity, seed, batch=256):
    g = generator(seed)
    x = torch.randn(batch, width, generator=g, dtype=torch.float64)
    weights = [(torch.randn(width, width, generator=g, dtype=torch.float64) * (gain / math.sqrt(width))).requires_grad_()
               for _ in range(depth)]
    r = torch.randn(batch, width, generator=g, dtype=torch.float64)
    f = {"linear": lambda z: z, "tanh": torch.tanh, "relu": torch.relu}[nonlinearity]
    a, pre = x, []
    for w in weights:
        h = a @ w.T
        pre.append(h)
        a = f(h)
    (a * r).sum().backward()
    return torch.stack([t.detach().std() for t in pre]), torch.stack([w.grad.std() for w in weights])
''',
        },
        "loses": ["test_layer_stats"],
    },
    # A linear y-axis.
    "mistake_plot_linear_scale": {
        "cells": {
            "plot_layer_stats": '''
def plot_layer_stats(ax, curves, ylabel):
    for label, values in curves.items():
        ax.plot(range(1, len(values) + 1), torch.as_tensor(values).cpu().numpy(), label=label)
    ax.set_xlabel("layer")
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax
''',
        },
        "loses": ["test_plot_layer_stats"],
    },
    # The running mean and variance counted as parameters.
    "mistake_bn_counts_running_stats": {
        "cells": {"bn_parameter_count": "def bn_parameter_count(C):\n    return 4 * C"},
        "loses": ["test_bn_parameter_count"],
    },
    # The batch counter forgotten.
    "mistake_bn_buffers_without_counter": {
        "cells": {"bn_buffer_count": "def bn_buffer_count(C):\n    return 2 * C"},
        "loses": ["test_bn_buffer_count"],
    },
    # The layout trap: PyTorch's channel position used for a channels-last batch.
    "mistake_bn_channels_always_dim1": {
        "cells": {"bn_channels": "def bn_channels(shape, layout):\n    return shape[1]"},
        "loses": ["test_bn_channels"],
    },
    # reshape instead of permute: the right shape, the wrong numbers in each channel.
    "mistake_bn_reshape_not_permute": {
        "cells": {
            "batchnorm_channels_last": '''
def batchnorm_channels_last(x, bn):
    B, h, w, C = x.shape
    return bn(x.reshape(B, C, h, w)).reshape(B, h, w, C)
''',
        },
        "loses": ["test_batchnorm_channels_last"],
    },
    # Stopping right, but keeping the last epoch's weights.
    "mistake_early_stopping_keeps_last": {
        "cells": {
            "early_stopping": '''
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.epoch, self.bad = math.inf, None, -1, 0

    def step(self, val_loss):
        self.epoch += 1
        self.best_epoch = self.epoch
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.bad = val_loss, 0
        else:
            self.bad += 1
        return self.bad >= self.patience
''',
        },
        "loses": ["test_early_stopping"],
    },
    # One epoch of patience too many.
    "mistake_early_stopping_off_by_one": {
        "cells": {
            "early_stopping": '''
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.epoch, self.bad = math.inf, None, -1, 0

    def step(self, val_loss):
        self.epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad = val_loss, self.epoch, 0
        else:
            self.bad += 1
        return self.bad > self.patience
''',
        },
        "loses": ["test_early_stopping"],
    },
    # Decaying one epoch early.
    "mistake_step_lr_off_by_one": {
        "cells": {"step_lr": "def step_lr(epoch, base_lr, step_size, gamma=0.1):\n    return base_lr * gamma ** ((epoch + 1) // step_size)"},
        "loses": ["test_step_lr"],
    },
    # Half a cosine period too long: the rate only reaches half way down.
    "mistake_cosine_half_period": {
        "cells": {"cosine_lr": "def cosine_lr(epoch, base_lr, T_max, eta_min=0.0):\n    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * epoch / (2 * T_max))) / 2"},
        "loses": ["test_cosine_lr"],
    },
    # Dropout without the 1/(1-p) scaling.
    "mistake_dropout_no_rescale": {
        "cells": {
            "inverted_dropout": '''
def inverted_dropout(x, p, training=True):
    if not training:
        return x
    return x * (torch.rand(x.shape, device=x.device) >= p)
''',
        },
        "loses": ["test_inverted_dropout"],
    },
    # p read as the keep probability.
    "mistake_dropout_p_is_keep": {
        "cells": {
            "inverted_dropout": '''
def inverted_dropout(x, p, training=True):
    if not training:
        return x
    return x * (torch.rand(x.shape, device=x.device) < p) / p if p > 0 else x
''',
        },
        "loses": ["test_inverted_dropout"],
    },
    # Dropping in evaluation too.
    "mistake_dropout_in_eval": {
        "cells": {
            "inverted_dropout": '''
def inverted_dropout(x, p, training=True):
    keep = torch.rand(x.shape, device=x.device) >= p
    return x * keep / (1 - p)
''',
        },
        "loses": ["test_inverted_dropout"],
    },
}
