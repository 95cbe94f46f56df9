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
}
