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
            "bn_parameter_count": "import numpy as np\n\ndef bn_parameter_count(C):\n    return np.int64(C) * 2",
            "bn_buffer_count": "def bn_buffer_count(C):\n    return torch.tensor(2 * C + 1)",
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
        "cells": {"bn_parameter_count": "def bn_parameter_count(C):\n    return C"},
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
