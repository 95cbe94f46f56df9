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
            "bn_parameter_count": "def bn_parameter_count(C, affine=True):\n    return sum(p.numel() for p in nn.BatchNorm2d(C, affine=affine).parameters())",
            "bn_buffer_count": "def bn_buffer_count(C, track_running_stats=True):\n    if not track_running_stats:\n        return 0\n    running_mean, running_var, num_batches_tracked = C, C, 1\n    return running_mean + running_var + num_batches_tracked",
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
        "cells": {"bn_parameter_count": "def bn_parameter_count(C, affine=True):\n    return 4 * C if affine else 2 * C"},
        "loses": ["test_bn_parameter_count"],
    },
    # The batch counter forgotten.
    "mistake_bn_buffers_without_counter": {
        "cells": {"bn_buffer_count": "def bn_buffer_count(C, track_running_stats=True):\n    return 2 * C if track_running_stats else 0"},
        "loses": ["test_bn_buffer_count"],
    },
    # The flags taken but ignored: the default counts for any value of affine or track_running_stats.
    "mistake_bn_counts_ignore_flags": {
        "cells": {
            "bn_parameter_count": "def bn_parameter_count(C, affine=True):\n    return 2 * C",
            "bn_buffer_count": "def bn_buffer_count(C, track_running_stats=True):\n    return 2 * C + 1",
        },
        "loses": ["test_bn_parameter_count", "test_bn_buffer_count"],
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

    # Correct in other forms: NumPy and 0-dim tensor numbers, gradients by hand instead of autograd,
    # float32 schedules, a legend written with ax.legend([...]), transpose instead of permute.
    "alternative_forms": {
        "cells": {
            "init_gain": '''
import numpy as np

def init_gain(nonlinearity, param=None):
    if nonlinearity == "leaky_relu":
        slope = np.float64(0.01 if param is None else param)
        return np.sqrt(2.0 / (1.0 + slope * slope))
    table = {"linear": 1, "sigmoid": 1, "tanh": np.float64(5) / 3, "relu": np.sqrt(2.0), "selu": 0.75}
    return table[nonlinearity]
''',
            # a 0-dim float64 tensor, the integral as a Riemann sum on a finer grid
            "second_moment_gain": '''
def second_moment_gain(f):
    z = torch.linspace(-11.0, 11.0, 440_001, dtype=torch.float64)
    dz = z[1] - z[0]
    phi = torch.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    return ((f(z) ** 2 * phi).sum() * dz).rsqrt()
''',
            # the weight gradients by hand: delta goes down through f' and W
            "layer_stats": '''
def layer_stats(depth, width, gain, nonlinearity, seed, batch=256):
    g = generator(seed)
    x = torch.randn(batch, width, generator=g, dtype=torch.float64)
    Ws = [torch.randn(width, width, generator=g, dtype=torch.float64) * gain / math.sqrt(width) for _ in range(depth)]
    r = torch.randn(batch, width, generator=g, dtype=torch.float64)
    x, r, Ws = x.to(DEVICE), r.to(DEVICE), [W.to(DEVICE) for W in Ws]
    acts, pres = [x], []
    for W in Ws:
        pres.append(acts[-1] @ W.T)
        acts.append({"linear": pres[-1], "tanh": torch.tanh(pres[-1]), "relu": pres[-1].clamp(min=0)}[nonlinearity])
    delta, grads = r, []
    for l in reversed(range(depth)):
        slope = {"linear": torch.ones_like(pres[l]), "tanh": 1 - acts[l + 1] ** 2,
                 "relu": (pres[l] > 0).to(torch.float64)}[nonlinearity]
        delta = delta * slope
        grads.append(delta.T @ acts[l])
        delta = delta @ Ws[l]
    grads.reverse()
    return (torch.tensor([a.std().item() for a in acts[1:]], dtype=torch.float64),
            torch.tensor([gr.std().item() for gr in grads], dtype=torch.float64))
''',
            "plot_layer_stats": '''
import numpy as np

def plot_layer_stats(ax, curves, ylabel):
    for values in curves.values():
        ys = torch.as_tensor(values).detach().cpu().float().numpy()
        ax.plot(np.arange(1, len(ys) + 1), ys)
    ax.legend(list(curves.keys()))
    ax.set_yscale("log")
    ax.set_xlabel("Layer")
    ax.set_ylabel(ylabel)
    return ax
''',
            "bn_parameter_count": "import numpy as np\n\ndef bn_parameter_count(C, affine=True):\n    return np.int64(C) * 2 * affine",
            "bn_buffer_count": "def bn_buffer_count(C, track_running_stats=True):\n    return torch.tensor((2 * C + 1) * track_running_stats)",
            "bn_channels": "def bn_channels(shape, layout):\n    return torch.tensor(list(shape))[layout.find('C')]",
            # transpose(1, 3) gives (B, C, w, h): the spatial axes swapped do not change per-channel statistics
            "batchnorm_channels_last": "def batchnorm_channels_last(x, bn):\n    return bn(x.transpose(1, 3)).transpose(1, 3)",
            "early_stopping": '''
import numpy as np

class EarlyStopping:
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.losses = []
        self.best_epoch, self.best_loss = None, np.inf

    def step(self, val_loss):
        self.losses.append(val_loss)
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, np.int64(len(self.losses) - 1)
        return np.bool_(len(self.losses) - 1 - self.best_epoch >= self.patience)
''',
            "step_lr": "import numpy as np\n\ndef step_lr(epoch, base_lr, step_size, gamma=0.1):\n    return np.float32(base_lr) * np.float32(gamma) ** np.float32(epoch // step_size)",
            "cosine_lr": '''
def cosine_lr(epoch, base_lr, T_max, eta_min=0.0):
    angle = torch.tensor(math.pi * epoch / T_max, dtype=torch.float32)
    return eta_min + (base_lr - eta_min) * (1 + torch.cos(angle)) / 2
''',
            "inverted_dropout": '''
def inverted_dropout(x, p, training=True):
    if not training:
        return x
    return torch.where(torch.rand_like(x) < p, torch.zeros_like(x), x / (1 - p))
''',
        },
        "loses": [],
    },
    # Forbidden (Task 1.1 says so): calculate_gain under another name.
    "forbidden_init_gain_calculate_gain": {
        "cells": {
            "init_gain": '''
from torch.nn.init import calculate_gain as lookup

def init_gain(nonlinearity, param=None):
    return lookup(nonlinearity, param)
''',
        },
        "loses": ["test_init_gain"],
    },
    # Forbidden (Task 3.2): PyTorch's StepLR stepped epoch by epoch.
    "forbidden_step_lr_scheduler": {
        "cells": {
            "step_lr": '''
def step_lr(epoch, base_lr, step_size, gamma=0.1):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=step_size, gamma=gamma)
    for _ in range(epoch):
        opt.step()
        sched.step()
    return opt.param_groups[0]["lr"]
''',
        },
        "loses": ["test_step_lr"],
    },
    # Forbidden (Task 3.2): CosineAnnealingLR's closed form.
    "forbidden_cosine_lr_scheduler": {
        "cells": {
            "cosine_lr": '''
from torch.optim import lr_scheduler

def cosine_lr(epoch, base_lr, T_max, eta_min=0.0):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=T_max, eta_min=eta_min)
    sched.last_epoch = epoch
    return sched._get_closed_form_lr()[0]
''',
        },
        "loses": ["test_cosine_lr"],
    },
    # Forbidden (Task 3.3 says so): a dropout module in disguise.
    "forbidden_dropout_module": {
        "cells": {
            "inverted_dropout": '''
drop = getattr(nn, "Drop" + "out")

def inverted_dropout(x, p, training=True):
    return drop(p).train(training)(x)
''',
        },
        "loses": ["test_inverted_dropout"],
    },
    # SELU's gain from the second-moment argument (1) instead of PyTorch's 3/4.
    "mistake_selu_gain_one": {
        "cells": {
            "init_gain": '''
def init_gain(nonlinearity, param=None):
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1.0 + slope ** 2))
    return {"linear": 1.0, "sigmoid": 1.0, "tanh": 5 / 3, "relu": math.sqrt(2.0), "selu": 1.0}[nonlinearity]
''',
        },
        "loses": ["test_init_gain"],
    },
    # Monte Carlo instead of an integral: about 1e-3 accurate, not 1e-6.
    "mistake_gain_monte_carlo": {
        "cells": {
            "second_moment_gain": '''
def second_moment_gain(f):
    z = torch.randn(1_000_000, generator=generator(0), dtype=torch.float64)
    return float(f(z).pow(2).mean().rsqrt())
''',
        },
        "loses": ["test_second_moment_gain"],
    },
    # f called on a float32 grid (the statement's f maps float64 tensors; the checks say so).
    "mistake_gain_float32_grid": {
        "cells": {
            "second_moment_gain": '''
def second_moment_gain(f):
    z = torch.linspace(-10.0, 10.0, 200_001)
    density = torch.exp(-z ** 2 / 2) / math.sqrt(2 * math.pi)
    return float(1.0 / torch.trapezoid(f(z) ** 2 * density, z).sqrt())
''',
        },
        "loses": ["test_second_moment_gain"],
    },
    # The recipe broken: r drawn before the weights (the visible check now catches it).
    "mistake_layer_stats_draw_order": {
        "cells": {
            "layer_stats": '''
def layer_stats(depth, width, gain, nonlinearity, seed, batch=256):
    g = generator(seed)
    x = torch.randn(batch, width, generator=g, dtype=torch.float64)
    r = torch.randn(batch, width, generator=g, dtype=torch.float64)
    weights = [(torch.randn(width, width, generator=g, dtype=torch.float64) * (gain / math.sqrt(width))).requires_grad_()
               for _ in range(depth)]
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
    # The population standard deviation (unbiased=False) instead of .std().
    "mistake_layer_stats_population_std": {
        "cells": {
            "layer_stats": '''
def layer_stats(depth, width, gain, nonlinearity, seed, batch=256):
    g = generator(seed)
    x = torch.randn(batch, width, generator=g, dtype=torch.float64)
    weights = [(torch.randn(width, width, generator=g, dtype=torch.float64) * (gain / math.sqrt(width))).requires_grad_()
               for _ in range(depth)]
    r = torch.randn(batch, width, generator=g, dtype=torch.float64)
    f = {"linear": lambda z: z, "tanh": torch.tanh, "relu": torch.relu}[nonlinearity]
    a, acts = x, []
    for w in weights:
        a = f(a @ w.T)
        acts.append(a)
    (a * r).sum().backward()
    return (torch.stack([t.detach().std(unbiased=False) for t in acts]),
            torch.stack([w.grad.std(unbiased=False) for w in weights]))
''',
        },
        "loses": ["test_layer_stats"],
    },
    # Layers numbered from 0.
    "mistake_plot_layers_from_zero": {
        "cells": {
            "plot_layer_stats": '''
def plot_layer_stats(ax, curves, ylabel):
    for label, values in curves.items():
        ax.semilogy(torch.as_tensor(values).cpu().numpy(), label=label)
    ax.set_xlabel("layer")
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax
''',
        },
        "loses": ["test_plot_layer_stats"],
    },
    # Only gamma counted.
    "mistake_bn_parameters_gamma_only": {
        "cells": {"bn_parameter_count": "def bn_parameter_count(C, affine=True):\n    return C if affine else 0"},
        "loses": ["test_bn_parameter_count"],
    },
    # The channels always taken from the last dimension.
    "mistake_bn_channels_always_last": {
        "cells": {"bn_channels": "def bn_channels(shape, layout):\n    return shape[-1]"},
        "loses": ["test_bn_channels"],
    },
    # The normalization by hand: right in training mode, but bn's running statistics never move.
    "mistake_bn_by_hand": {
        "cells": {
            "batchnorm_channels_last": '''
def batchnorm_channels_last(x, bn):
    mu = x.mean(dim=(0, 1, 2))
    var = x.var(dim=(0, 1, 2), unbiased=False)
    return (x - mu) / torch.sqrt(var + bn.eps) * bn.weight + bn.bias
''',
        },
        "loses": ["test_batchnorm_channels_last"],
    },
    # A tie counted as an improvement (<= instead of <).
    "mistake_early_stopping_ties_improve": {
        "cells": {
            "early_stopping": '''
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.epoch, self.bad = math.inf, None, -1, 0

    def step(self, val_loss):
        self.epoch += 1
        if val_loss <= self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad = val_loss, self.epoch, 0
        else:
            self.bad += 1
        return self.bad >= self.patience
''',
        },
        "loses": ["test_early_stopping"],
    },
    # No floor: the rate decays a little every epoch.
    "mistake_step_lr_no_floor": {
        "cells": {"step_lr": "def step_lr(epoch, base_lr, step_size, gamma=0.1):\n    return base_lr * gamma ** (epoch / step_size)"},
        "loses": ["test_step_lr"],
    },
    # eta_min forgotten.
    "mistake_cosine_ignores_eta_min": {
        "cells": {"cosine_lr": "def cosine_lr(epoch, base_lr, T_max, eta_min=0.0):\n    return base_lr * (1 + math.cos(math.pi * epoch / T_max)) / 2"},
        "loses": ["test_cosine_lr"],
    },
    # Device mistake: the mask drawn on the CPU. It passes on a CPU grader with CPU inputs and
    # fails on a GPU; the hidden check on the meta device makes it fail everywhere.
    "mistake_dropout_mask_on_cpu": {
        "cells": {
            "inverted_dropout": '''
def inverted_dropout(x, p, training=True):
    if not training:
        return x
    return x * (torch.rand(x.shape) >= p) / (1 - p)
''',
        },
        "loses": ["test_inverted_dropout"],
    },
    # The input changed in place.
    "mistake_dropout_in_place": {
        "cells": {
            "inverted_dropout": '''
def inverted_dropout(x, p, training=True):
    if not training:
        return x
    return x.mul_(torch.rand_like(x) >= p).div_(1 - p)
''',
        },
        "loses": ["test_inverted_dropout"],
    },

    # `param or 0.01`: a slope of 0 (plain ReLU's gain) read as "not given".
    "mistake_init_gain_slope_or_default": {
        "cells": {
            "init_gain": '''
def init_gain(nonlinearity, param=None):
    if nonlinearity == "leaky_relu":
        slope = param or 0.01
        return math.sqrt(2.0 / (1.0 + slope ** 2))
    return {"linear": 1.0, "sigmoid": 1.0, "tanh": 5 / 3, "relu": math.sqrt(2.0), "selu": 0.75}[nonlinearity]
''',
        },
        "loses": ["test_init_gain"],
    },
    # The default written as 0.01 instead of None: an explicit None (as calculate_gain accepts) fails.
    "mistake_init_gain_none_param": {
        "cells": {
            "init_gain": '''
def init_gain(nonlinearity, param=0.01):
    if nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1.0 + param ** 2))
    return {"linear": 1.0, "sigmoid": 1.0, "tanh": 5 / 3, "relu": math.sqrt(2.0), "selu": 0.75}[nonlinearity]
''',
        },
        "loses": ["test_init_gain"],
    },
    # The curves returned with their autograd graph (not detached).
    "mistake_layer_stats_not_detached": {
        "cells": {
            "layer_stats": '''
def layer_stats(depth, width, gain, nonlinearity, seed, batch=256):
    g = generator(seed)
    x = torch.randn(batch, width, generator=g, dtype=torch.float64)
    weights = [torch.randn(width, width, generator=g, dtype=torch.float64) * (gain / math.sqrt(width))
               for _ in range(depth)]
    r = torch.randn(batch, width, generator=g, dtype=torch.float64).to(DEVICE)
    weights = [w.to(DEVICE).requires_grad_() for w in weights]
    f = {"linear": lambda z: z, "tanh": torch.tanh, "relu": torch.relu}[nonlinearity]
    a, acts = x.to(DEVICE), []
    for w in weights:
        a = f(a @ w.T)
        acts.append(a)
    (a * r).sum().backward(retain_graph=True)
    return torch.stack([t.std() for t in acts]).cpu(), torch.stack([w.grad.std() for w in weights]).cpu()
''',
        },
        "loses": ["test_layer_stats"],
    },
    # The values drawn without detaching them: fails for curves that require gradients.
    "mistake_plot_layer_stats_no_detach": {
        "cells": {
            "plot_layer_stats": '''
def plot_layer_stats(ax, curves, ylabel):
    for label, values in curves.items():
        ax.plot(range(1, len(values) + 1), values.cpu().numpy(), label=label)
    ax.set_yscale("log")
    ax.set_xlabel("layer")
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax
''',
        },
        "loses": ["test_plot_layer_stats"],
    },
    # The labels in sorted order, the curves in the dict's order: a name on the wrong curve.
    "mistake_plot_layer_stats_labels_sorted": {
        "cells": {
            "plot_layer_stats": '''
def plot_layer_stats(ax, curves, ylabel):
    for values in curves.values():
        ax.plot(range(1, len(values) + 1), torch.as_tensor(values).detach().cpu().numpy())
    ax.legend(sorted(curves))
    ax.set_yscale("log")
    ax.set_xlabel("layer")
    ax.set_ylabel(ylabel)
    return ax
''',
        },
        "loses": ["test_plot_layer_stats"],
    },
    # F.batch_norm with the default momentum typed in: bn's own momentum (and its counter) ignored.
    "mistake_bn_functional_fixed_momentum": {
        "cells": {
            "batchnorm_channels_last": '''
import torch.nn.functional as F

def batchnorm_channels_last(x, bn):
    y = F.batch_norm(x.permute(0, 3, 1, 2), bn.running_mean, bn.running_var, bn.weight, bn.bias,
                     training=bn.training, momentum=0.1, eps=bn.eps)
    return y.permute(0, 2, 3, 1)
''',
        },
        "loses": ["test_batchnorm_channels_last"],
    },
    # The epoch counter a class attribute: right for one stopper at a time, wrong for two at once.
    "mistake_early_stopping_class_counter": {
        "cells": {
            "early_stopping": '''
class EarlyStopping:
    epoch = -1

    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch = math.inf, None
        EarlyStopping.epoch = -1

    def step(self, val_loss):
        EarlyStopping.epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, EarlyStopping.epoch
        return EarlyStopping.epoch - self.best_epoch >= self.patience
''',
        },
        "loses": ["test_early_stopping"],
    },
    # A default min_delta of 0.01 instead of 0.
    "mistake_early_stopping_default_min_delta": {
        "cells": {
            "early_stopping": '''
class EarlyStopping:
    def __init__(self, patience, min_delta=0.01):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.epoch, self.bad = math.inf, None, -1, 0

    def step(self, val_loss):
        self.epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad = val_loss, self.epoch, 0
        else:
            self.bad += 1
        return self.bad >= self.patience
''',
        },
        "loses": ["test_early_stopping"],
    },
    # One mask per feature, shared by every row of the batch.
    "mistake_dropout_mask_per_feature": {
        "cells": {
            "inverted_dropout": '''
def inverted_dropout(x, p, training=True):
    if not training:
        return x
    keep = torch.rand(x.shape[-1:], device=x.device) >= p
    return x * keep / (1 - p)
''',
        },
        "loses": ["test_inverted_dropout"],
    },
    # The mask drawn once per shape and reused: not a fresh mask at every call.
    "mistake_dropout_cached_mask": {
        "cells": {
            "inverted_dropout": '''
_masks = {}

def inverted_dropout(x, p, training=True):
    if not training:
        return x
    key = (tuple(x.shape), p, x.device)
    if key not in _masks:
        _masks[key] = torch.rand_like(x) >= p
    return x * _masks[key] / (1 - p)
''',
        },
        "loses": ["test_inverted_dropout"],
    },
}

# Held-out cases: written from the student notebook alone by someone who had not read the tests,
# graded once before the tests were strengthened (the closing note of issue 21 has the figures),
# then added here with what each loses.
VARIANTS.update({
    # correct: the documented table: 1, 1, 5/3, sqrt(2), sqrt(2/(1+a^2)) with a = 0.01 when param is None, 3/4
    'heldout_gain_if_chain': {
        "cells": {
            'init_gain': 'def init_gain(nonlinearity, param=None):\n    if nonlinearity in ("linear", "sigmoid"):\n        return 1.0\n    if nonlinearity == "tanh":\n        return 5.0 / 3\n    if nonlinearity == "relu":\n        return math.sqrt(2.0)\n    if nonlinearity == "leaky_relu":\n        negative_slope = 0.01 if param is None else param\n        return math.sqrt(2.0 / (1 + negative_slope ** 2))\n    if nonlinearity == "selu":\n        return 3.0 / 4\n    raise ValueError(f"unsupported nonlinearity {nonlinearity}")\n',
        },
        "loses": [],
    },
    # correct: derives relu and leaky_relu from 1/sqrt(kept fraction of the second moment) and looks the other three up in a dict
    'heldout_gain_second_moment_dict': {
        "cells": {
            'init_gain': '_FIXED_GAINS = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5 / 3, "selu": 0.75}\n\ndef init_gain(nonlinearity, param=None):\n    if nonlinearity in _FIXED_GAINS:\n        return _FIXED_GAINS[nonlinearity]\n    if nonlinearity == "relu":\n        kept = 0.5\n    elif nonlinearity == "leaky_relu":\n        a = 0.01 if param is None else float(param)\n        kept = 0.5 * (1 + a * a)\n    else:\n        raise ValueError(nonlinearity)\n    return 1 / math.sqrt(kept)\n',
        },
        "loses": [],
    },
    # wrong: takes the slope as 'param or 0.01', so an explicit negative slope of 0 (plain ReLU, gain sqrt(2)) silently becomes 0.01
    'heldout_gain_slope_or_default': {
        "cells": {
            'init_gain': 'def init_gain(nonlinearity, param=None):\n    gains = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5 / 3, "relu": math.sqrt(2), "selu": 3 / 4}\n    if nonlinearity == "leaky_relu":\n        slope = param or 0.01\n        return math.sqrt(2 / (1 + slope ** 2))\n    return gains[nonlinearity]\n',
        },
        "loses": ['test_init_gain'],
    },
    # wrong: reasons that SELU's constants already give E[selu(z)^2] = 1 and returns 1, instead of the documented 3/4 the statement asks to look up
    'heldout_gain_selu_one': {
        "cells": {
            'init_gain': 'def init_gain(nonlinearity, param=None):\n    if nonlinearity == "tanh":\n        return 5 / 3\n    if nonlinearity == "relu":\n        return math.sqrt(2)\n    if nonlinearity == "leaky_relu":\n        slope = 0.01 if param is None else param\n        return math.sqrt(2 / (1 + slope ** 2))\n    return 1.0  # linear, sigmoid and selu keep the second moment\n',
        },
        "loses": ['test_init_gain'],
    },
    # evasion: fills a lookup table with calculate_gain at the top level of the cell (outside the function) and computes only leaky_relu by hand; the values come from calculate_gain
    'heldout_gain_table_at_top_level': {
        "cells": {
            'init_gain': '_GAIN_TABLE = {name: float(nn.init.calculate_gain(name)) for name in ("linear", "sigmoid", "tanh", "relu", "selu")}\n\ndef init_gain(nonlinearity, param=None):\n    if nonlinearity == "leaky_relu":\n        slope = 0.01 if param is None else param\n        return math.sqrt(2.0 / (1 + slope ** 2))\n    return _GAIN_TABLE[nonlinearity]\n',
        },
        "loses": ['test_init_gain'],
    },
    # evasion: rebuilds calculate_gain from a renamed copy of its code object (types.FunctionType) and calls the copy: the same function under another identity
    'heldout_gain_cloned_code_object': {
        "cells": {
            'init_gain': 'import types\n\n_cg = nn.init.calculate_gain\n_gain_copy = types.FunctionType(_cg.__code__.replace(co_name="gain_copy"), _cg.__globals__, "gain_copy",\n                                _cg.__defaults__)\n\ndef init_gain(nonlinearity, param=None):\n    return float(_gain_copy(nonlinearity, param))\n',
        },
        "loses": ['test_init_gain'],
    },
    # correct: torch.trapezoid of f(z)^2 * phi(z) on 200 001 float64 points over [-10, 10], then 1/sqrt
    'heldout_smg_trapezoid': {
        "cells": {
            'second_moment_gain': 'def second_moment_gain(f):\n    z = torch.linspace(-10, 10, 200001, dtype=torch.float64)\n    density = torch.exp(-z ** 2 / 2) / math.sqrt(2 * math.pi)\n    second_moment = torch.trapezoid(f(z) ** 2 * density, z)\n    return 1.0 / math.sqrt(second_moment.item())\n',
        },
        "loses": [],
    },
    # correct: composite Simpson's rule on 240 001 float64 points over [-12, 12] (the statement's grid is only an example); returns a 0-dim tensor
    'heldout_smg_simpson_wider': {
        "cells": {
            'second_moment_gain': 'def second_moment_gain(f):\n    n = 240001\n    z = torch.linspace(-12.0, 12.0, n, dtype=torch.float64)\n    h = (z[-1] - z[0]) / (n - 1)\n    y = f(z).pow(2) * torch.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)\n    weights = torch.ones(n, dtype=torch.float64)\n    weights[1:-1:2] = 4\n    weights[2:-1:2] = 2\n    integral = h / 3 * (weights * y).sum()\n    return integral.rsqrt()\n',
        },
        "loses": [],
    },
    # wrong: integrates over [0, 10] and doubles, assuming f(z)^2 is even; right for the identity and tanh, wrong for ReLU and leaky ReLU
    'heldout_smg_half_line_doubled': {
        "cells": {
            'second_moment_gain': 'def second_moment_gain(f):\n    z = torch.linspace(0, 10, 100001, dtype=torch.float64)\n    y = f(z) ** 2 * torch.exp(-z ** 2 / 2) / math.sqrt(2 * math.pi)\n    return 1 / math.sqrt(2 * torch.trapezoid(y, z).item())\n',
        },
        "loses": ['test_second_moment_gain'],
    },
    # wrong: integrates over [-5, 5] only; the Gaussian tails it drops change the result by about 8e-6 relative, above the 1e-6 the statement demands
    'heldout_smg_short_interval': {
        "cells": {
            'second_moment_gain': 'def second_moment_gain(f):\n    z = torch.linspace(-5, 5, 100001, dtype=torch.float64)\n    y = f(z) ** 2 * torch.exp(-z ** 2 / 2) / math.sqrt(2 * math.pi)\n    return 1 / math.sqrt(torch.trapezoid(y, z).item())\n',
        },
        "loses": ['test_second_moment_gain'],
    },
    # correct: the recipe with autograd: leaf weights on the device, L.backward(), W.grad.std(); results stacked as float64 on the CPU
    'heldout_layer_stats_autograd': {
        "cells": {
            'layer_stats': 'def layer_stats(depth, width, gain, nonlinearity, seed, batch=256):\n    g = generator(seed)\n    x = torch.randn(batch, width, generator=g, dtype=torch.float64)\n    Ws = [torch.randn(width, width, generator=g, dtype=torch.float64) * (gain / math.sqrt(width)) for _ in range(depth)]\n    r = torch.randn(batch, width, generator=g, dtype=torch.float64)\n    x, r = x.to(DEVICE), r.to(DEVICE)\n    Ws = [W.to(DEVICE).requires_grad_() for W in Ws]\n    f = {"linear": lambda t: t, "tanh": torch.tanh, "relu": torch.relu}[nonlinearity]\n    a, act_std = x, []\n    for W in Ws:\n        a = f(a @ W.T)\n        act_std.append(a.detach().std())\n    (a * r).sum().backward()\n    grad_std = [W.grad.std() for W in Ws]\n    return torch.stack(act_std).cpu(), torch.stack(grad_std).cpu()\n',
        },
        "loses": [],
    },
    # correct: the same forward pass with the backward pass written by hand (dL/da_depth = r, dz = da * f'(z), dW = dz^T a_prev, da_prev = dz W), no autograd
    'heldout_layer_stats_manual_backprop': {
        "cells": {
            'layer_stats': 'def layer_stats(depth, width, gain, nonlinearity, seed, batch=256):\n    g = generator(seed)\n    x = torch.randn(batch, width, generator=g, dtype=torch.float64)\n    weights = []\n    for _ in range(depth):\n        weights.append(torch.randn(width, width, generator=g, dtype=torch.float64) * gain / math.sqrt(width))\n    r = torch.randn(batch, width, generator=g, dtype=torch.float64)\n    x, r = x.to(DEVICE), r.to(DEVICE)\n    weights = [W.to(DEVICE) for W in weights]\n    inputs, pre, acts = [], [], []\n    a = x\n    for W in weights:\n        inputs.append(a)\n        z = torch.matmul(a, W.transpose(0, 1))\n        pre.append(z)\n        if nonlinearity == "tanh":\n            a = torch.tanh(z)\n        elif nonlinearity == "relu":\n            a = torch.clamp(z, min=0)\n        else:\n            a = z\n        acts.append(a)\n    grads = [None] * depth\n    da = r\n    for l in reversed(range(depth)):\n        z = pre[l]\n        if nonlinearity == "tanh":\n            dz = da * (1 - acts[l] ** 2)\n        elif nonlinearity == "relu":\n            dz = da * (z > 0).to(z.dtype)\n        else:\n            dz = da\n        grads[l] = dz.T @ inputs[l]\n        da = dz @ weights[l]\n    act_std = torch.tensor([t.std().item() for t in acts], dtype=torch.float64)\n    grad_std = torch.tensor([t.std().item() for t in grads], dtype=torch.float64)\n    return act_std, grad_std\n',
        },
        "loses": [],
    },
    # wrong: picks f with 'torch.relu if relu else torch.tanh', so nonlinearity 'linear' gets tanh instead of the identity
    'heldout_layer_stats_linear_is_tanh': {
        "cells": {
            'layer_stats': 'def layer_stats(depth, width, gain, nonlinearity, seed, batch=256):\n    g = generator(seed)\n    x = torch.randn(batch, width, generator=g, dtype=torch.float64)\n    Ws = [torch.randn(width, width, generator=g, dtype=torch.float64) * (gain / math.sqrt(width)) for _ in range(depth)]\n    r = torch.randn(batch, width, generator=g, dtype=torch.float64)\n    x, r = x.to(DEVICE), r.to(DEVICE)\n    Ws = [W.to(DEVICE).requires_grad_() for W in Ws]\n    f = torch.relu if nonlinearity == "relu" else torch.tanh\n    a, act_std = x, []\n    for W in Ws:\n        a = f(a @ W.T)\n        act_std.append(a.detach().std())\n    (a * r).sum().backward()\n    return torch.stack(act_std).cpu(), torch.stack([W.grad.std() for W in Ws]).cpu()\n',
        },
        "loses": ['test_layer_stats'],
    },
    # wrong: draws x and r with 256 rows whatever batch is passed (the default is used instead of the parameter)
    'heldout_layer_stats_batch_fixed': {
        "cells": {
            'layer_stats': 'def layer_stats(depth, width, gain, nonlinearity, seed, batch=256):\n    g = generator(seed)\n    x = torch.randn(256, width, generator=g, dtype=torch.float64)\n    Ws = [torch.randn(width, width, generator=g, dtype=torch.float64) * (gain / math.sqrt(width)) for _ in range(depth)]\n    r = torch.randn(256, width, generator=g, dtype=torch.float64)\n    x, r = x.to(DEVICE), r.to(DEVICE)\n    Ws = [W.to(DEVICE).requires_grad_() for W in Ws]\n    f = {"linear": lambda t: t, "tanh": torch.tanh, "relu": torch.relu}[nonlinearity]\n    a, act_std = x, []\n    for W in Ws:\n        a = f(a @ W.T)\n        act_std.append(a.detach().std())\n    (a * r).sum().backward()\n    return torch.stack(act_std).cpu(), torch.stack([W.grad.std() for W in Ws]).cpu()\n',
        },
        "loses": ['test_layer_stats'],
    },
    # wrong (by the statement as it reads now): ax.semilogy with torch.arange(1, n+1) and the values as a NumPy array
    'heldout_plot_stats_semilogy': {
        "cells": {
            'plot_layer_stats': 'def plot_layer_stats(ax, curves, ylabel):\n    for label in curves:\n        y = curves[label].cpu().numpy()\n        layers = torch.arange(1, y.shape[0] + 1).numpy()\n        ax.semilogy(layers, y, label=label)\n    ax.set(xlabel="layer", ylabel=ylabel)\n    ax.legend(title=None)\n    return ax\n',
        },
        "loses": ['test_plot_layer_stats'],
    },
    # wrong: draws and labels with plt.* on pyplot's current axes instead of the ax it was given; in a grid of axes (the demonstration's 2x2) the lines land on the wrong panel
    'heldout_plot_stats_pyplot_current_axes': {
        "cells": {
            'plot_layer_stats': 'def plot_layer_stats(ax, curves, ylabel):\n    for label, values in curves.items():\n        plt.plot(range(1, len(values) + 1), values.tolist(), label=label)\n    plt.yscale("log")\n    plt.xlabel("layer")\n    plt.ylabel(ylabel)\n    plt.legend()\n    return ax\n',
        },
        "loses": ['test_plot_layer_stats'],
    },
    # wrong: builds one x-axis 1..n from the first curve and reuses it for every curve, so curves of other lengths cannot be drawn
    'heldout_plot_stats_shared_x': {
        "cells": {
            'plot_layer_stats': 'def plot_layer_stats(ax, curves, ylabel):\n    first = next(iter(curves.values()))\n    layers = list(range(1, len(first) + 1))\n    for label, values in curves.items():\n        ax.plot(layers, values.tolist(), label=label)\n    ax.set_yscale("log")\n    ax.set_xlabel("layer")\n    ax.set_ylabel(ylabel)\n    ax.legend()\n    return ax\n',
        },
        "loses": ['test_plot_layer_stats'],
    },
    # correct: gamma and beta, one of each per channel (2C), none without affine
    'heldout_bn_params_two_c': {
        "cells": {
            'bn_parameter_count': 'def bn_parameter_count(C, affine=True):\n    return 2 * C if affine else 0\n',
        },
        "loses": [],
    },
    # wrong: counts the running mean and variance as learnable parameters too (4C); they are buffers, not seen by the optimizer
    'heldout_bn_params_counts_running_stats': {
        "cells": {
            'bn_parameter_count': 'def bn_parameter_count(C, affine=True):\n    return (4 if affine else 2) * C  # gamma, beta, running mean, running variance\n',
        },
        "loses": ['test_bn_parameter_count'],
    },
    # correct: running_mean and running_var (C each) plus the one-entry num_batches_tracked: 2C + 1; none without tracking
    'heldout_bn_buffers_formula': {
        "cells": {
            'bn_buffer_count': 'def bn_buffer_count(C, track_running_stats=True):\n    return 2 * C + 1 if track_running_stats else 0\n',
        },
        "loses": [],
    },
    # wrong: counts only the running statistics (2C) and forgets the batch counter num_batches_tracked
    'heldout_bn_buffers_forgets_counter': {
        "cells": {
            'bn_buffer_count': 'def bn_buffer_count(C, track_running_stats=True):\n    return 2 * C if track_running_stats else 0\n',
        },
        "loses": ['test_bn_buffer_count'],
    },
    # correct: channels last -> shape[-1], channels first -> shape[1]
    'heldout_bn_channels_lookup': {
        "cells": {
            'bn_channels': 'def bn_channels(shape, layout):\n    if layout == "NHWC":\n        return shape[-1]\n    if layout == "NCHW":\n        return shape[1]\n    raise ValueError(f"unknown layout {layout!r}")\n',
        },
        "loses": [],
    },
    # wrong: returns the last dimension for both layouts; for NCHW that is the width, not the channel count
    'heldout_bn_channels_always_last': {
        "cells": {
            'bn_channels': 'def bn_channels(shape, layout):\n    # the channels are the last dimension\n    return shape[-1]\n',
        },
        "loses": ['test_bn_channels'],
    },
    # correct: permute to (B, C, h, w), apply bn, permute back to (B, h, w, C)
    'heldout_bn_last_permute': {
        "cells": {
            'batchnorm_channels_last': 'def batchnorm_channels_last(x, bn):\n    return bn(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)\n',
        },
        "loses": [],
    },
    # correct: swaps dims 1 and 3 both ways ((B, C, w, h) in between): batch norm pools over both spatial dims, so their order does not matter
    'heldout_bn_last_transpose_1_3': {
        "cells": {
            'batchnorm_channels_last': 'def batchnorm_channels_last(x, bn):\n    return bn(x.transpose(1, 3)).transpose(1, 3)\n',
        },
        "loses": [],
    },
    # wrong: normalizes each channel by hand with batch statistics and bn.eps, ignoring bn's gamma/beta, its eval mode and running statistics (they are never updated)
    'heldout_bn_last_by_hand': {
        "cells": {
            'batchnorm_channels_last': 'def batchnorm_channels_last(x, bn):\n    mean = x.mean(dim=(0, 1, 2), keepdim=True)\n    var = x.var(dim=(0, 1, 2), unbiased=False, keepdim=True)\n    return (x - mean) / torch.sqrt(var + bn.eps)\n',
        },
        "loses": ['test_batchnorm_channels_last'],
    },
    # wrong: builds a fresh nn.BatchNorm2d with the right channel count instead of applying the given bn, so bn's weights, mode and running statistics are ignored
    'heldout_bn_last_new_module': {
        "cells": {
            'batchnorm_channels_last': 'def batchnorm_channels_last(x, bn):\n    layer = nn.BatchNorm2d(x.shape[-1]).to(x.device, x.dtype)\n    return layer(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)\n',
        },
        "loses": ['test_batchnorm_channels_last'],
    },
    # correct: epoch counter, improvement iff first epoch or val < best - min_delta, counter of epochs without improvement, True when it reaches patience
    'heldout_early_counter': {
        "cells": {
            'early_stopping': 'class EarlyStopping:\n    def __init__(self, patience, min_delta=0.0):\n        self.patience = patience\n        self.min_delta = min_delta\n        self.best_epoch = None\n        self.best_loss = None\n        self.epoch = -1\n        self.bad_epochs = 0\n\n    def step(self, val_loss):\n        self.epoch += 1\n        if self.best_loss is None or val_loss < self.best_loss - self.min_delta:\n            self.best_loss = val_loss\n            self.best_epoch = self.epoch\n            self.bad_epochs = 0\n            return False\n        self.bad_epochs += 1\n        return self.bad_epochs >= self.patience\n',
        },
        "loses": [],
    },
    # correct: keeps the list of losses and stops when the current epoch is patience epochs after the best epoch (the same rule written as epoch - best_epoch >= patience)
    'heldout_early_history_distance': {
        "cells": {
            'early_stopping': 'class EarlyStopping:\n    def __init__(self, patience, min_delta=0.0):\n        self.patience, self.min_delta = patience, min_delta\n        self.history = []\n        self.best_epoch, self.best_loss = 0, float("nan")\n\n    def step(self, val_loss):\n        self.history.append(val_loss)\n        epoch = len(self.history) - 1\n        if epoch == 0 or val_loss < self.best_loss - self.min_delta:\n            self.best_epoch, self.best_loss = epoch, val_loss\n            return False\n        return epoch - self.best_epoch >= self.patience\n',
        },
        "loses": [],
    },
    # wrong: stores min_delta but compares val < best, so any tiny decrease counts as an improvement
    'heldout_early_ignores_min_delta': {
        "cells": {
            'early_stopping': 'class EarlyStopping:\n    def __init__(self, patience, min_delta=0.0):\n        self.patience = patience\n        self.min_delta = min_delta\n        self.best_loss = float("inf")\n        self.best_epoch = -1\n        self.epoch = -1\n        self.wait = 0\n\n    def step(self, val_loss):\n        self.epoch += 1\n        if val_loss < self.best_loss:\n            self.best_loss, self.best_epoch, self.wait = val_loss, self.epoch, 0\n        else:\n            self.wait += 1\n        return self.wait >= self.patience\n',
        },
        "loses": ['test_early_stopping'],
    },
    # wrong: uses <= so a loss equal to best - min_delta (a tie, with min_delta = 0) counts as an improvement and moves the best epoch
    'heldout_early_ties_improve': {
        "cells": {
            'early_stopping': 'class EarlyStopping:\n    def __init__(self, patience, min_delta=0.0):\n        self.patience = patience\n        self.min_delta = min_delta\n        self.best_loss = None\n        self.best_epoch = None\n        self.epoch = 0\n        self.wait = 0\n\n    def step(self, val_loss):\n        if self.best_loss is None or val_loss <= self.best_loss - self.min_delta:\n            self.best_loss, self.best_epoch, self.wait = val_loss, self.epoch, 0\n        else:\n            self.wait += 1\n        self.epoch += 1\n        return self.wait >= self.patience\n',
        },
        "loses": ['test_early_stopping'],
    },
    # wrong: counts epochs in a row whose loss did not fall below the previous epoch's loss instead of below the best loss, so a slow recovery that stays above the best resets the count
    'heldout_early_vs_previous_epoch': {
        "cells": {
            'early_stopping': 'class EarlyStopping:\n    def __init__(self, patience, min_delta=0.0):\n        self.patience = patience\n        self.min_delta = min_delta\n        self.previous = None\n        self.best_loss = None\n        self.best_epoch = None\n        self.epoch = -1\n        self.worse_in_a_row = 0\n\n    def step(self, val_loss):\n        self.epoch += 1\n        if self.best_loss is None or val_loss < self.best_loss - self.min_delta:\n            self.best_loss, self.best_epoch = val_loss, self.epoch\n        if self.previous is None or val_loss < self.previous - self.min_delta:\n            self.worse_in_a_row = 0\n        else:\n            self.worse_in_a_row += 1\n        self.previous = val_loss\n        return self.worse_in_a_row >= self.patience\n',
        },
        "loses": ['test_early_stopping'],
    },
    # wrong: also lowers best_loss on a decrease smaller than min_delta (without making it the best epoch), so the improvement threshold drifts down and a later real improvement of more than min_delta over the best epoch is missed
    'heldout_early_best_loss_drifts': {
        "cells": {
            'early_stopping': 'class EarlyStopping:\n    def __init__(self, patience, min_delta=0.0):\n        self.patience = patience\n        self.min_delta = min_delta\n        self.best_loss = None\n        self.best_epoch = None\n        self.epoch = -1\n        self.counter = 0\n\n    def step(self, val_loss):\n        self.epoch += 1\n        if self.best_loss is None or val_loss < self.best_loss - self.min_delta:\n            self.best_loss, self.best_epoch, self.counter = val_loss, self.epoch, 0\n            return False\n        self.best_loss = min(self.best_loss, val_loss)\n        self.counter += 1\n        return self.counter >= self.patience\n',
        },
        "loses": ['test_early_stopping'],
    },
    # correct: lr_0 * gamma ** (epoch // step_size)
    'heldout_step_lr_floor_div': {
        "cells": {
            'step_lr': 'def step_lr(epoch, base_lr, step_size, gamma=0.1):\n    return base_lr * gamma ** (epoch // step_size)\n',
        },
        "loses": [],
    },
    # correct: the formula in float32 torch arithmetic with math.floor, returned as a 0-dim tensor (the statement allows a one-element tensor and float32)
    'heldout_step_lr_float32_tensor': {
        "cells": {
            'step_lr': 'def step_lr(epoch, base_lr, step_size, gamma=0.1):\n    k = math.floor(epoch / step_size)\n    return torch.tensor(base_lr, dtype=torch.float32) * torch.tensor(gamma, dtype=torch.float32) ** k\n',
        },
        "loses": [],
    },
    # wrong: memoizes the result in a dict keyed by the epoch only, so a later call with the same epoch but another base_lr, step_size or gamma returns the stale value
    'heldout_step_lr_cache_by_epoch': {
        "cells": {
            'step_lr': '_lr_cache = {}\n\ndef step_lr(epoch, base_lr, step_size, gamma=0.1):\n    if epoch not in _lr_cache:\n        _lr_cache[epoch] = base_lr * gamma ** (epoch // step_size)\n    return _lr_cache[epoch]\n',
        },
        "loses": ['test_step_lr'],
    },
    # evasion: copies the code object of StepLR._get_closed_form_lr at the top of the cell and calls the copy with a stand-in self: torch.optim's scheduler formula under another identity
    'heldout_step_lr_closed_form_copy': {
        "cells": {
            'step_lr': 'import types\n\n_closed = torch.optim.lr_scheduler.StepLR._get_closed_form_lr\n_step_formula = types.FunctionType(_closed.__code__.replace(co_name="formula"), _closed.__globals__, "formula")\n\ndef step_lr(epoch, base_lr, step_size, gamma=0.1):\n    fake = types.SimpleNamespace(base_lrs=[base_lr], gamma=gamma, step_size=step_size, last_epoch=epoch)\n    return _step_formula(fake)[0]\n',
        },
        "loses": ['test_step_lr'],
    },
    # correct: eta_min + (lr_0 - eta_min) * (1 + cos(pi * e / T)) / 2 with math.cos
    'heldout_cosine_math': {
        "cells": {
            'cosine_lr': 'def cosine_lr(epoch, base_lr, T_max, eta_min=0.0):\n    return eta_min + 0.5 * (base_lr - eta_min) * (1 + math.cos(math.pi * epoch / T_max))\n',
        },
        "loses": [],
    },
    # correct: the same formula in float32 torch arithmetic, returned as a 0-dim tensor (the statement says float32 is accurate enough and a one-element tensor will do)
    'heldout_cosine_float32_tensor': {
        "cells": {
            'cosine_lr': 'def cosine_lr(epoch, base_lr, T_max, eta_min=0.0):\n    angle = torch.tensor(math.pi * epoch / T_max, dtype=torch.float32)\n    return eta_min + (base_lr - eta_min) * (1 + torch.cos(angle)) / 2\n',
        },
        "loses": [],
    },
    # wrong: leaves eta_min out (0.5 * lr_0 * (1 + cos)): right only for the default eta_min = 0
    'heldout_cosine_ignores_eta_min': {
        "cells": {
            'cosine_lr': 'def cosine_lr(epoch, base_lr, T_max, eta_min=0.0):\n    return 0.5 * base_lr * (1 + math.cos(math.pi * epoch / T_max))\n',
        },
        "loses": ['test_cosine_lr'],
    },
    # evasion: runs CosineAnnealingLR at the top of the cell to tabulate the multiplier (lr/lr_0) over one period for every T_max up to 100, and the function only scales the table; the numbers come from torch.optim
    'heldout_cosine_table_from_scheduler': {
        "cells": {
            'cosine_lr': 'def _tabulate(T_max):\n    p = torch.nn.Parameter(torch.zeros(1))\n    opt = torch.optim.SGD([p], lr=1.0)\n    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=T_max)\n    values = []\n    for _ in range(2 * T_max):\n        values.append(opt.param_groups[0]["lr"])\n        opt.step()\n        sched.step()\n    return values\n\n_COSINE = {T: _tabulate(T) for T in range(1, 101)}\n\ndef cosine_lr(epoch, base_lr, T_max, eta_min=0.0):\n    if T_max not in _COSINE:\n        _COSINE[T_max] = _tabulate(T_max)\n    return eta_min + (base_lr - eta_min) * _COSINE[T_max][epoch % (2 * T_max)]\n',
        },
        "loses": ['test_cosine_lr'],
    },
    # correct: mask = rand_like(x) >= p (kept with probability 1-p), x * mask / (1-p); x itself in eval mode
    'heldout_dropout_rand_like': {
        "cells": {
            'inverted_dropout': 'def inverted_dropout(x, p, training=True):\n    if not training:\n        return x\n    mask = torch.rand_like(x) >= p\n    return x * mask / (1 - p)\n',
        },
        "loses": [],
    },
    # correct: mask drawn with torch.bernoulli(full_like(x, 1-p)) in x's dtype and device
    'heldout_dropout_bernoulli': {
        "cells": {
            'inverted_dropout': 'def inverted_dropout(x, p, training=True):\n    if training:\n        keep = torch.bernoulli(torch.full_like(x, 1 - p))\n        return keep * x / (1 - p)\n    return x\n',
        },
        "loses": [],
    },
    # wrong: draws one random number per row (shape (N, 1)) and broadcasts it, dropping whole rows instead of each activation independently
    'heldout_dropout_mask_per_row': {
        "cells": {
            'inverted_dropout': 'def inverted_dropout(x, p, training=True):\n    if not training:\n        return x\n    mask = (torch.rand(x.shape[0], *([1] * (x.dim() - 1)), device=x.device) >= p).to(x.dtype)\n    return x * mask / (1 - p)\n',
        },
        "loses": ['test_inverted_dropout'],
    },
    # wrong: reseeds a generator with the same seed at every call 'for reproducibility', so every call drops the same entries instead of drawing a fresh mask
    'heldout_dropout_fixed_seed': {
        "cells": {
            'inverted_dropout': 'def inverted_dropout(x, p, training=True):\n    if not training:\n        return x\n    g = torch.Generator(device=x.device).manual_seed(1234)\n    mask = torch.rand(x.shape, generator=g, device=x.device, dtype=x.dtype) >= p\n    return x * mask / (1 - p)\n',
        },
        "loses": ['test_inverted_dropout'],
    },
    # wrong: draws the mask with torch.rand(x.shape) on the CPU and multiplies; fails for x on a GPU (or the meta device), though the statement asks for the device of x
    'heldout_dropout_mask_on_cpu': {
        "cells": {
            'inverted_dropout': 'def inverted_dropout(x, p, training=True):\n    if not training:\n        return x\n    mask = torch.rand(x.shape) >= p\n    return x * mask / (1 - p)\n',
        },
        "loses": ['test_inverted_dropout'],
    },
    # wrong: zeroes exactly round(p*n) randomly chosen entries (randperm) instead of each entry independently with probability p, so the number dropped never varies
    'heldout_dropout_exact_count': {
        "cells": {
            'inverted_dropout': 'def inverted_dropout(x, p, training=True):\n    if not training:\n        return x\n    n = x.numel()\n    drop = torch.randperm(n, device=x.device)[: round(p * n)]\n    flat = x.reshape(-1) / (1 - p)\n    flat = flat.index_fill(0, drop, 0)\n    return flat.reshape(x.shape)\n',
        },
        "loses": ['test_inverted_dropout'],
    },
    # evasion: calls torch.ops.aten.native_dropout, the kernel F.dropout runs, through the op registry; right numbers, but it is the built-in dropout the statement forbids
    'heldout_dropout_aten_native': {
        "cells": {
            'inverted_dropout': 'def inverted_dropout(x, p, training=True):\n    if not training:\n        return x\n    out, _mask = torch.ops.aten.native_dropout(x, p, True)\n    return out\n',
        },
        "loses": ['test_inverted_dropout'],
    },
    # evasion: calls F.dropout with both torch-function modes (torch._C.DisableTorchFunction) and dispatch modes (torch.utils._python_dispatch._disable_current_modes) switched off, so a mode-based watcher sees nothing; right numbers, but it is F.dropout
    'heldout_dropout_disable_all_modes': {
        "cells": {
            'inverted_dropout': 'import torch.nn.functional as F\nfrom torch.utils._python_dispatch import _disable_current_modes\n\ndef inverted_dropout(x, p, training=True):\n    if not training:\n        return x\n    with torch._C.DisableTorchFunction(), _disable_current_modes():\n        return F.dropout(x, p, True)\n',
        },
        "loses": ['test_inverted_dropout'],
    },
    # evasion: applies an nn.Dropout module in a concurrent.futures worker thread (in train or eval mode as asked); right numbers, but it is nn.Dropout
    'heldout_dropout_module_in_thread': {
        "cells": {
            'inverted_dropout': 'from concurrent.futures import ThreadPoolExecutor\n\ndef inverted_dropout(x, p, training=True):\n    layer = nn.Dropout(p)\n    layer.train(training)\n    with ThreadPoolExecutor(1) as pool:\n        return pool.submit(layer, x).result()\n',
        },
        "loses": ['test_inverted_dropout'],
    },
})

# Held out, then added: the answers of a solver who did the assignment blind from release/ (December 2026);
# graded once by bench/bench_heldout.py before they joined the corpus, they lost no point.
VARIANTS["blind_solver"] = {
    "cells": {   'batchnorm_channels_last': 'def batchnorm_channels_last(x, bn):\n'
                               '    y = bn(x.permute(0, 3, 1, 2))   # (B, h, w, C) -> (B, C, h, w): a view, '
                               'x itself is not changed\n'
                               '    return y.permute(0, 2, 3, 1)    # back to (B, h, w, C)',
    'bn_channels': 'def bn_channels(shape, layout):\n'
                   '    shape = tuple(shape)\n'
                   '    if len(shape) != 4:\n'
                   '        raise ValueError(f"expected a 4-D batch shape, found {shape}")\n'
                   '    if layout == "NHWC":\n'
                   '        return int(shape[3])\n'
                   '    if layout == "NCHW":\n'
                   '        return int(shape[1])\n'
                   '    raise ValueError(f"unknown layout {layout!r}")',
    'cosine_lr': 'def cosine_lr(epoch, base_lr, T_max, eta_min=0.0):\n'
                 '    return eta_min + 0.5 * (base_lr - eta_min) * (1 + math.cos(math.pi * epoch / T_max))',
    'early_stopping': 'class EarlyStopping:\n'
                      '    def __init__(self, patience, min_delta=0.0):\n'
                      '        self.patience = patience\n'
                      '        self.min_delta = min_delta\n'
                      '        self.best_epoch = None   # no epoch seen yet\n'
                      '        self.best_loss = None\n'
                      '        self.epoch = -1          # index of the last epoch passed to step\n'
                      '        self.bad_epochs = 0      # epochs in a row without improvement\n'
                      '\n'
                      '    def step(self, val_loss):\n'
                      '        self.epoch += 1\n'
                      '        val_loss = float(val_loss)\n'
                      '        if self.best_epoch is None or val_loss < self.best_loss - self.min_delta:\n'
                      '            self.best_epoch, self.best_loss = self.epoch, val_loss\n'
                      '            self.bad_epochs = 0\n'
                      '            return False\n'
                      '        self.bad_epochs += 1\n'
                      '        return self.bad_epochs >= self.patience',
    'init_gain': 'def init_gain(nonlinearity, param=None):\n'
                 '    if nonlinearity in ("linear", "sigmoid"):\n'
                 '        return 1.0\n'
                 '    if nonlinearity == "tanh":\n'
                 '        return 5.0 / 3\n'
                 '    if nonlinearity == "relu":\n'
                 '        return math.sqrt(2.0)\n'
                 '    if nonlinearity == "leaky_relu":\n'
                 '        slope = 0.01 if param is None else param\n'
                 '        return math.sqrt(2.0 / (1 + slope ** 2))\n'
                 '    if nonlinearity == "selu":\n'
                 '        return 3.0 / 4\n'
                 '    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")',
    'inverted_dropout': 'def inverted_dropout(x, p, training=True):\n'
                        '    if not training:\n'
                        '        return x\n'
                        '    if not 0 <= p < 1:\n'
                        '        raise ValueError(f"p must be in [0, 1), got {p}")\n'
                        '    keep = torch.rand(x.shape, device=x.device) >= p     # True with probability 1 '
                        '- p, fresh every call\n'
                        '    return torch.where(keep, x / (1 - p), torch.zeros_like(x))',
    'layer_stats': 'def layer_stats(depth, width, gain, nonlinearity, seed, batch=256):\n'
                   '    activations = {"linear": lambda t: t, "tanh": torch.tanh, "relu": torch.relu}\n'
                   '    if nonlinearity not in activations:\n'
                   '        raise ValueError(f"unknown nonlinearity {nonlinearity!r}")\n'
                   '    f = activations[nonlinearity]\n'
                   '    g = generator(seed)\n'
                   '    x = torch.randn(batch, width, generator=g, dtype=torch.float64)\n'
                   '    weights = [torch.randn(width, width, generator=g, dtype=torch.float64) * (gain / '
                   'math.sqrt(width))\n'
                   '               for _ in range(depth)]\n'
                   '    r = torch.randn(batch, width, generator=g, dtype=torch.float64)\n'
                   '    x, r = x.to(DEVICE), r.to(DEVICE)\n'
                   '    weights = [W.to(DEVICE).requires_grad_() for W in weights]\n'
                   '    a = x\n'
                   '    acts = []\n'
                   '    for W in weights:\n'
                   '        a = f(a @ W.T)\n'
                   '        acts.append(a)\n'
                   '    loss = (a * r).sum()\n'
                   '    grads = torch.autograd.grad(loss, weights)\n'
                   '    act_std = torch.stack([t.detach().std() for t in acts]).cpu()\n'
                   '    grad_std = torch.stack([gr.detach().std() for gr in grads]).cpu()\n'
                   '    return act_std, grad_std',
    'plot_layer_stats': 'def plot_layer_stats(ax, curves, ylabel):\n'
                        '    for label, values in curves.items():\n'
                        '        ys = values.detach().cpu().to(torch.float64).reshape(-1)\n'
                        '        xs = torch.arange(1, len(ys) + 1)\n'
                        '        ax.plot(xs.numpy(), ys.numpy(), label=label)\n'
                        '    ax.set_yscale("log")\n'
                        '    ax.set_xlabel("layer")\n'
                        '    ax.set_ylabel(ylabel)\n'
                        '    ax.legend()\n'
                        '    return ax',
    'second_moment_gain': 'def second_moment_gain(f):\n'
                          '    z = torch.linspace(-10.0, 10.0, 200_001, dtype=torch.float64)\n'
                          '    density = torch.exp(-z ** 2 / 2) / math.sqrt(2 * math.pi)\n'
                          '    second_moment = torch.trapezoid(f(z) ** 2 * density, z)\n'
                          '    return float(1.0 / torch.sqrt(second_moment))',
    'step_lr': 'def step_lr(epoch, base_lr, step_size, gamma=0.1):\n'
               '    return base_lr * gamma ** (epoch // step_size)'},
    "loses": [],
}
