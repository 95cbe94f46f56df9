"""Made-up submissions for 03_saturation: answer cells by grade id, and the test cells they lose."""

VARIANTS = {
    # Correct, but written differently from the reference: full marks.
    "alternative": {
        "cells": {
            "tanh_prime": "def tanh_prime(z):\n    return torch.cosh(z).pow(-2)",
            "plot_tanh": '''
def plot_tanh(ax):
    z = np.linspace(-6.0, 6.0, 500)
    ax.plot(z, np.tanh(z), "k-", label="tanh")
    ax.plot(z, 1.0 / np.cosh(z) ** 2, "r--", label="derivative")
    ax.grid(True)
    ax.legend(loc="upper left")
    return ax
''',
            "saturation_threshold": '''
def saturation_threshold(eps):
    # tanh(z)^2 = 1 - eps, so tanh(z) = s and z = artanh(s) = 0.5 * ln((1 + s) / (1 - s))
    s = np.sqrt(1.0 - eps)
    return 0.5 * np.log((1.0 + s) / (1.0 - s))
''',
            "chain_grads": '''
def chain_grads(x, weights, activation):
    # the chain rule by hand: derivatives of the activation come from autograd on one number
    def deriv(z):
        z = torch.tensor(z, dtype=torch.float64, requires_grad=True)
        activation(z).backward()
        return z.grad.item()
    hs, zs = [float(x)], []
    for w in weights:
        zs.append(w * hs[-1])
        hs.append(activation(torch.tensor(zs[-1], dtype=torch.float64)).item())
    n = len(weights)
    grads = []
    for k in range(n):
        g = hs[k] * deriv(zs[k])
        for j in range(k + 1, n):
            g *= weights[j] * deriv(zs[j])
        grads.append(g)
    return torch.tensor(grads, dtype=torch.float64)
''',
            "x100_grads": '''
tanh_grads = [0.0, 0.168, 0.304, 0.436]
relu_grads = [100, 100, 100, 100]
tanh_vanishes_faster = bool(sum(tanh_grads) < sum(relu_grads))
''',
            "mean_first_layer_grad": '''
def mean_first_layer_grad(activation_name, seed):
    torch.manual_seed(seed)
    act = getattr(torch.nn, activation_name)()
    net = torch.nn.Sequential(torch.nn.Linear(1, 1, bias=False), act,
                              torch.nn.Linear(1, 1, bias=False), act,
                              torch.nn.Linear(1, 1, bias=False), act)
    for layer in (net[0], net[2], net[4]):
        torch.nn.init.ones_(layer.weight)
    xs = torch.randn(200, 1)
    total = 0.0
    for i in range(xs.shape[0]):
        (g,) = torch.autograd.grad(net(xs[i]).squeeze(), net[0].weight)
        total += abs(g.item())
    return total / xs.shape[0]
''',
            "best_activation": "best_activation = sorted(search_values.items(), key=lambda kv: -kv[1])[0][0]",
        },
        "loses": [],
    },
    # Correct again, in other natural forms: a formula through exp, a legend given its texts
    # (no label=), a 0-dim float64 tensor, float32 autograd converted at the end, NumPy floats in a
    # tuple, a NumPy bool, a 0-dim tensor for a number, a NumPy string.
    "alternative_forms": {
        "cells": {
            "tanh_prime": "def tanh_prime(z):\n    return 4 / (torch.exp(z) + torch.exp(-z)) ** 2",
            "plot_tanh": '''
def plot_tanh(ax):
    z = torch.linspace(-6, 6, 101)
    ax.plot(z, torch.tanh(z))
    ax.plot(z, 1 - torch.tanh(z) ** 2)
    ax.legend(["tanh", "its derivative"])
    return ax
''',
            "saturation_threshold": '''
def saturation_threshold(eps):
    # sech(z)^2 = eps  <=>  cosh(z) = 1 / sqrt(eps)
    return torch.acosh(torch.tensor(eps, dtype=torch.float64).rsqrt())
''',
            "chain_grads": '''
def chain_grads(x, weights, activation):
    w = torch.tensor(weights, requires_grad=True)   # float32
    out = torch.tensor(float(x))
    for k in range(len(weights)):
        out = activation(w[k] * out)
    out.backward()
    return w.grad.double()
''',
            "x100_grads": '''
tanh_grads = tuple(np.round(chain_grads(100.0, [1.0] * 4, torch.tanh).numpy(), 3))
relu_grads = torch.full((4,), 100.0)
tanh_vanishes_faster = np.sum(tanh_grads[:2]) < np.sum(relu_grads[:2].numpy())
''',
            "mean_first_layer_grad": '''
def mean_first_layer_grad(activation_name, seed):
    torch.manual_seed(seed)
    act = getattr(nn, activation_name)()
    fc1, fc2, fc3 = (nn.Linear(1, 1, bias=False) for _ in range(3))
    for fc in (fc1, fc2, fc3):
        nn.init.constant_(fc.weight, 1.0)
    xs = torch.randn(200, 1)
    grads = torch.zeros(200)
    for i in range(200):
        for fc in (fc1, fc2, fc3):
            fc.zero_grad()
        act(fc3(act(fc2(act(fc1(xs[i])))))).sum().backward()
        grads[i] = fc1.weight.grad.abs().squeeze()
    return grads.mean()
''',
            "best_activation": '''
_names = np.array(list(search_values))
best_activation = _names[np.argmax(list(search_values.values()))]
''',
        },
        "loses": [],
    },
    # Forbidden: tanh' by autograd, switched back on inside the function.
    "forbidden_tanh_prime_autograd": {
        "cells": {
            "tanh_prime": '''
def tanh_prime(z):
    with torch.enable_grad():
        z = z.detach().clone().requires_grad_(True)
        torch.tanh(z).sum().backward()
    return z.grad
''',
        },
        "loses": ["test_tanh_prime"],
    },
    # 1 - z**2: the derivative written in z instead of tanh z; and curves labelled without a legend.
    "mistake_derivative_in_z_and_no_legend": {
        "cells": {
            "tanh_prime": "def tanh_prime(z):\n    return 1 - z ** 2",
            "plot_tanh": '''
def plot_tanh(ax):
    z = np.linspace(-6, 6, 200)
    ax.plot(z, np.tanh(z), label="tanh")
    ax.plot(z, 1 - np.tanh(z) ** 2, label="tanh'")
    return ax
''',
        },
        "loses": ["test_tanh_prime", "test_plot_tanh"],
    },
    # The closed form in float32 (torch's default dtype): wrong for small eps.
    "mistake_threshold_in_float32": {
        "cells": {
            "saturation_threshold": "def saturation_threshold(eps):\n"
                                    "    return float(torch.atanh(torch.sqrt(1 - torch.tensor(eps))))",
        },
        "loses": ["test_saturation_threshold"],
    },
    # The activation's derivative taken at the layer's output h_k instead of its input z_k. Task 3.2
    # uses chain_grads, so its numbers are wrong too.
    "mistake_derivative_at_output": {
        "cells": {
            "chain_grads": '''
def chain_grads(x, weights, activation):
    def deriv(v):
        v = torch.tensor(float(v), dtype=torch.float64, requires_grad=True)
        activation(v).backward()
        return float(v.grad)
    h = [float(x)]
    for w in weights:
        h.append(float(activation(torch.tensor(w * h[-1], dtype=torch.float64))))
    n = len(weights)
    grads = []
    for k in range(n):
        g = h[k] * deriv(h[k + 1])
        for j in range(k + 1, n):
            g *= weights[j] * deriv(h[j + 1])
        grads.append(g)
    return torch.tensor(grads, dtype=torch.float64)
''',
        },
        "loses": ["test_chain_grads", "test_x100_grads"],
    },
    # The inputs drawn with device=DEVICE: right on a CPU, other numbers on a GPU. The check runs
    # the experiment with DEVICE on the meta device, so it fails on every machine.
    "mistake_inputs_drawn_on_device": {
        "cells": {
            "mean_first_layer_grad": '''
def mean_first_layer_grad(activation_name, seed):
    torch.manual_seed(seed)
    act = getattr(nn, activation_name)()
    layers = [nn.Linear(1, 1, bias=False) for _ in range(3)]
    with torch.no_grad():
        for layer in layers:
            layer.weight.fill_(1.0)
    grads = []
    for x in torch.randn(200, 1, device=DEVICE):
        out = x
        for layer in layers:
            out = act(layer.to(x.device)(out))
        out.backward()
        grads.append(layers[0].weight.grad.abs().item())
        for layer in layers:
            layer.weight.grad = None
    return float(np.mean(grads))
''',
        },
        "loses": ["test_mean_first_layer_grad"],
    },
    # All 200 inputs in one batch: right for every activation but RReLU, whose random slopes are
    # then drawn in another order.
    "mistake_inputs_in_one_batch": {
        "cells": {
            "mean_first_layer_grad": '''
def mean_first_layer_grad(activation_name, seed):
    torch.manual_seed(seed)
    act = getattr(nn, activation_name)()
    layers = [nn.Linear(1, 1, bias=False) for _ in range(3)]
    xs = torch.randn(200, 1)
    w1 = torch.ones(200, 1, requires_grad=True)
    out = act(act(act(w1 * xs)))
    out.sum().backward()
    return float(w1.grad.abs().mean())
''',
        },
        "loses": ["test_mean_first_layer_grad"],
    },
    # The square forgotten: 1 - tanh(z) instead of 1 - tanh(z)**2.
    "mistake_tanh_prime_not_squared": {
        "cells": {"tanh_prime": "def tanh_prime(z):\n    return 1 - torch.tanh(z)"},
        "loses": ["test_tanh_prime"],
    },
    # torch.arange leaves out its end point: the curves stop at 5.95, not 6.
    "mistake_plot_arange_misses_end": {
        "cells": {
            "plot_tanh": '''
def plot_tanh(ax):
    z = torch.arange(-6, 6, 0.05)
    ax.plot(z, torch.tanh(z), label="tanh")
    ax.plot(z, 1 - torch.tanh(z) ** 2, label="tanh'")
    ax.legend()
    return ax
''',
        },
        "loses": ["test_plot_tanh"],
    },
    # tanh^2 = 1 - eps solved as tanh = 1 - eps (the square root forgotten).
    "mistake_threshold_no_sqrt": {
        "cells": {"saturation_threshold": "def saturation_threshold(eps):\n    return math.atanh(1 - eps)"},
        "loses": ["test_saturation_threshold"],
    },
    # The chain rule without the later weights: right when every weight is 1, wrong otherwise.
    "mistake_chain_forgets_weights": {
        "cells": {
            "chain_grads": '''
def chain_grads(x, weights, activation):
    h = [torch.tensor(float(x), dtype=torch.float64)]
    z = []
    for w in weights:
        z.append(w * h[-1])
        h.append(activation(z[-1]))
    def deriv(v):
        v = v.detach().clone().requires_grad_(True)
        activation(v).backward()
        return v.grad
    grads = []
    for k in range(len(weights)):
        g = h[k] * deriv(z[k])
        for j in range(k + 1, len(weights)):
            g = g * deriv(z[j])
        grads.append(g)
    return torch.stack(grads)
''',
        },
        "loses": ["test_chain_grads"],
    },
    # The source quiz's wrong answer, copied.
    "mistake_source_answer": {
        "cells": {
            "x100_grads": "tanh_grads = [1.0, 1.0, 1.0, 1.0]\nrelu_grads = [0.0, 0.0, 0.0, 0.0]\n"
                          "tanh_vanishes_faster = True",
        },
        "loses": ["test_x100_grads"],
    },
    # Gradients listed from the last weight to the first.
    "mistake_reversed_order": {
        "cells": {
            "x100_grads": '''
tanh_grads = [round(v, 3) for v in chain_grads(100.0, [1.0] * 4, torch.tanh).tolist()][::-1]
relu_grads = [round(v, 3) for v in chain_grads(100.0, [1.0] * 4, torch.relu).tolist()][::-1]
tanh_vanishes_faster = True
''',
        },
        "loses": ["test_x100_grads"],
    },
    # Seeding after the layers are built: the inputs are drawn from a different state.
    # (Hardshrink still wins at seed 11, so best_activation stays right.)
    "mistake_seed_after_layers": {
        "cells": {
            "mean_first_layer_grad": '''
def mean_first_layer_grad(activation_name, seed):
    act = getattr(nn, activation_name)()
    fc1, fc2, fc3 = nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False)
    for fc in (fc1, fc2, fc3):
        fc.weight.data.fill_(1.0)
    torch.manual_seed(seed)
    grads = []
    for x in torch.randn(200, 1):
        out = act(fc3(act(fc2(act(fc1(x))))))
        out.backward()
        grads.append(abs(fc1.weight.grad.item()))
        fc1.zero_grad(); fc2.zero_grad(); fc3.zero_grad()
    return float(np.mean(grads))
''',
        },
        "loses": ["test_mean_first_layer_grad"],
    },
    # The smallest instead of the largest.
    "mistake_best_is_min": {
        "cells": {"best_activation": "best_activation = min(search_values, key=search_values.get)"},
        "loses": ["test_best_activation"],
    },
    # tanh' computed in place, in the input's own storage: the right values, but the caller's z is
    # overwritten by its derivative.
    "mistake_tanh_prime_in_place": {
        "cells": {"tanh_prime": "def tanh_prime(z):\n    return z.tanh_().pow_(2).neg_().add_(1)"},
        "loses": ["test_tanh_prime"],
    },
    # The two legend names given in the wrong order: the derivative's curve is called tanh and the
    # other way round (two lines, two entries, the right data).
    "mistake_legend_names_swapped": {
        "cells": {
            "plot_tanh": '''
def plot_tanh(ax):
    z = torch.linspace(-6, 6, 200)
    ax.plot(z, 1 - torch.tanh(z) ** 2)
    ax.plot(z, torch.tanh(z))
    ax.legend(["tanh(z)", "tanh'(z)"])
    return ax
''',
        },
        "loses": ["test_plot_tanh"],
    },
}
