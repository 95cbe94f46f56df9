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

# Held-out cases: written from the student notebook alone by someone who had not read the tests,
# graded once before the tests were strengthened (the closing note of issue 21 has the figures),
# then added here with what each loses.
VARIANTS.update({
    # correct: uses the equivalent form sech^2 z = 1 / cosh^2 z (cosh overflows to inf only where the true value underflows to 0); no autograd
    'heldout_tanh_prime_sech_squared_via_cosh': {
        "cells": {
            'tanh_prime': 'def tanh_prime(z):\n    # 1 - tanh^2 = 1 / cosh^2\n    return 1.0 / torch.cosh(z) ** 2\n',
        },
        "loses": [],
    },
    # correct: computes 1 - tanh^2 in NumPy float64 and converts back to the dtype and device of z (0-dim and empty inputs handled by np.asarray)
    'heldout_tanh_prime_numpy_round_trip': {
        "cells": {
            'tanh_prime': 'def tanh_prime(z):\n    a = z.detach().cpu().to(torch.float64).numpy()\n    d = np.asarray(1.0 - np.tanh(a) ** 2, dtype=np.float64)\n    return torch.from_numpy(d).to(dtype=z.dtype, device=z.device)\n',
        },
        "loses": [],
    },
    # correct: writes the formula for one element and batches it with torch.vmap over the flattened tensor (pure batching, no differentiation), reshaped back to z's shape
    'heldout_tanh_prime_vmap_over_elements': {
        "cells": {
            'tanh_prime': 'def _tanh_prime_one(t):\n    y = torch.tanh(t)\n    return 1 - y * y\n\n\ndef tanh_prime(z):\n    flat = z.reshape(-1)\n    return torch.vmap(_tanh_prime_one)(flat).reshape(z.shape)\n',
        },
        "loses": [],
    },
    # wrong: returns 1 - tanh z (square forgotten): right shape/dtype/device and right at z = 0, wrong everywhere else
    'heldout_tanh_prime_forgot_square': {
        "cells": {
            'tanh_prime': 'def tanh_prime(z):\n    return 1 - torch.tanh(z)\n',
        },
        "loses": ['test_tanh_prime'],
    },
    # wrong: casts to float64 'for accuracy' and returns float64 for every input, so a float32 z gets the wrong dtype (statement: dtype of z)
    'heldout_tanh_prime_always_float64': {
        "cells": {
            'tanh_prime': 'def tanh_prime(z):\n    z64 = z.to(torch.float64)\n    return 1 - torch.tanh(z64) ** 2\n',
        },
        "loses": ['test_tanh_prime'],
    },
    # wrong: loops over z.tolist() with math.tanh: works for a 1-D vector like the example, but raises for 0-dim or 2-D tensors (statement: any shape)
    'heldout_tanh_prime_python_list_1d_only': {
        "cells": {
            'tanh_prime': 'def tanh_prime(z):\n    values = [1 - math.tanh(v) ** 2 for v in z.tolist()]\n    return torch.tensor(values, dtype=z.dtype, device=z.device)\n',
        },
        "loses": ['test_tanh_prime'],
    },
    # evasion: runs autograd (backward of tanh) in a worker thread so a thread-local check does not see it; statement forbids autograd
    'heldout_tanh_prime_autograd_in_thread': {
        "cells": {
            'tanh_prime': 'import concurrent.futures as _cf\n\n\ndef _tanh_grad_worker(z):\n    t = z.detach().clone().requires_grad_(True)\n    torch.tanh(t).sum().backward()\n    return t.grad.detach()\n\n\ndef tanh_prime(z):\n    with _cf.ThreadPoolExecutor(max_workers=1) as pool:\n        return pool.submit(_tanh_grad_worker, z).result()\n',
        },
        "loses": ['test_tanh_prime'],
    },
    # evasion: calls autograd's own backward kernel torch.ops.aten.tanh_backward instead of writing the formula; it is autograd's derivative under another name
    'heldout_tanh_prime_aten_tanh_backward': {
        "cells": {
            'tanh_prime': 'def tanh_prime(z):\n    return torch.ops.aten.tanh_backward(torch.ones_like(z), torch.tanh(z))\n',
        },
        "loses": ['test_tanh_prime'],
    },
    # evasion: gets the derivative from forward-mode automatic differentiation (dual numbers, torch.autograd.forward_ad): autograd, which the statement forbids
    'heldout_tanh_prime_forward_mode_ad': {
        "cells": {
            'tanh_prime': 'import torch.autograd.forward_ad as fwAD\n\n\ndef tanh_prime(z):\n    z = z.detach()\n    with fwAD.dual_level():\n        dual = fwAD.make_dual(z, torch.ones_like(z))\n        tangent = fwAD.unpack_dual(torch.tanh(dual)).tangent\n    return tangent.detach()\n',
        },
        "loses": ['test_tanh_prime'],
    },
    # evasion: pops every torch function mode off the stack (switching the checker off), calls torch.autograd.grad, pushes the modes back
    'heldout_tanh_prime_pop_function_mode_stack': {
        "cells": {
            'tanh_prime': 'def tanh_prime(z):\n    popped = []\n    while torch._C._len_torch_function_stack() > 0:\n        popped.append(torch._C._pop_torch_function_stack())\n    try:\n        t = z.detach().clone().requires_grad_(True)\n        (g,) = torch.autograd.grad(torch.tanh(t).sum(), t)\n    finally:\n        for mode in reversed(popped):\n            torch._C._push_on_torch_function_stack(mode)\n    return g.detach()\n',
        },
        "loses": ['test_tanh_prime'],
    },
    # correct: one ax.plot call with CPU torch tensors over torch.linspace(-6, 6, 241), names the curves with ax.legend([...]), returns ax
    'heldout_plot_tanh_legend_list_torch_tensors': {
        "cells": {
            'plot_tanh': 'def plot_tanh(ax):\n    z = torch.linspace(-6, 6, 241)\n    ax.plot(z, torch.tanh(z), z, 1 - torch.tanh(z) ** 2)\n    ax.legend([r"$\\tanh z$", r"$\\tanh\'(z)$"])\n    ax.set_xlabel("z")\n    return ax\n',
        },
        "loses": [],
    },
    # correct: labelled tanh and tanh' lines on np.linspace(-6, 6, 1000), a figure-level legend, plus unlabelled dashed guide lines at y=0 and z=0 (extra decoration, not forbidden)
    'heldout_plot_tanh_figure_legend_with_guides': {
        "cells": {
            'plot_tanh': 'def plot_tanh(ax):\n    z = np.linspace(-6.0, 6.0, 1000)\n    y = np.tanh(z)\n    ax.axhline(0.0, color="0.8", linestyle="--", linewidth=0.8)\n    ax.axvline(0.0, color="0.8", linestyle="--", linewidth=0.8)\n    ax.plot(z, 1 - y ** 2, label="derivative 1 - tanh(z)^2", color="C1")\n    ax.plot(z, y, label="tanh(z)", color="C0")\n    ax.figure.legend(loc="upper left")\n    ax.grid(True, alpha=0.3)\n    return ax\n',
        },
        "loses": [],
    },
    # wrong: np.arange(-6, 6, 0.05) stops at 5.95, so the curves do not cover the right end z = 6 (statement: both ends included)
    'heldout_plot_tanh_arange_misses_right_end': {
        "cells": {
            'plot_tanh': 'def plot_tanh(ax):\n    z = np.arange(-6, 6, 0.05)\n    ax.plot(z, np.tanh(z), label="tanh(z)")\n    ax.plot(z, 1 - np.tanh(z) ** 2, label="tanh\'(z)")\n    ax.legend()\n    return ax\n',
        },
        "loses": ['test_plot_tanh'],
    },
    # wrong: two labelled lines and a legend, but the tanh curve is labelled as the derivative and the derivative as tanh
    'heldout_plot_tanh_labels_swapped': {
        "cells": {
            'plot_tanh': 'def plot_tanh(ax):\n    z = torch.linspace(-6, 6, 300, dtype=torch.float64)\n    d = 1 - torch.tanh(z) ** 2\n    ax.plot(z.numpy(), torch.tanh(z).numpy(), label="tanh\'(z)")\n    ax.plot(z.numpy(), d.numpy(), label="tanh(z)")\n    ax.legend()\n    return ax\n',
        },
        "loses": ['test_plot_tanh'],
    },
    # correct: z* = atanh(s) = log((1 + s) / sqrt(eps)) with s = sqrt(1 - eps), using (1 - s)(1 + s) = eps; float64 math, accurate for every eps in (0, 1)
    'heldout_saturation_threshold_log_form': {
        "cells": {
            'saturation_threshold': 'def saturation_threshold(eps):\n    # tanh z* = s = sqrt(1 - eps);  atanh s = 0.5 log((1 + s) / (1 - s)) and (1 - s)(1 + s) = eps\n    s = math.sqrt(1.0 - eps)\n    return math.log((1.0 + s) / math.sqrt(eps))\n',
        },
        "loses": [],
    },
    # correct: sech^2 z = eps gives cosh z = 1/sqrt(eps), z* = arccosh(1/sqrt(eps)) with NumPy float64, returned as a float
    'heldout_saturation_threshold_numpy_arccosh': {
        "cells": {
            'saturation_threshold': "def saturation_threshold(eps):\n    # tanh' = 1 / cosh^2  =>  cosh z* = 1 / sqrt(eps)\n    return float(np.arccosh(1.0 / np.sqrt(np.float64(eps))))\n",
        },
        "loses": [],
    },
    # wrong: same closed form but in float32 torch (torch.tensor(eps) default dtype): inaccurate for small eps and inf once 1 - eps rounds to 1 (eps < 6e-8)
    'heldout_saturation_threshold_float32_torch': {
        "cells": {
            'saturation_threshold': 'def saturation_threshold(eps):\n    e = torch.tensor(eps)\n    return torch.atanh(torch.sqrt(1 - e)).item()\n',
        },
        "loses": ['test_saturation_threshold'],
    },
    # wrong: solves the large-|z| approximation 4 e^{-2z} = eps instead of the exact equation: z = 0.5 log(4/eps) is off by ~eps/4 (e.g. 2.9957 vs 2.9932 at eps=0.01, badly wrong for eps near 1)
    'heldout_saturation_threshold_asymptotic_formula': {
        "cells": {
            'saturation_threshold': "def saturation_threshold(eps):\n    # tanh'(z) ~ 4 exp(-2z)\n    return 0.5 * math.log(4.0 / eps)\n",
        },
        "loses": ['test_saturation_threshold'],
    },
    # correct: forward pass stores z_k and h_k, gets each a'(z_k) from a scalar autograd call, then applies the chain-rule product formula of the statement
    'heldout_chain_grads_formula_with_scalar_derivatives': {
        "cells": {
            'chain_grads': 'def chain_grads(x, weights, activation):\n    n = len(weights)\n    h = [torch.tensor(float(x), dtype=torch.float64)]\n    zs = []\n    for w in weights:\n        zk = float(w) * h[-1]\n        zs.append(zk)\n        h.append(activation(zk))\n    dact = []\n    for zk in zs:\n        t = zk.detach().clone().requires_grad_(True)\n        (d,) = torch.autograd.grad(activation(t), t)\n        dact.append(d.detach())\n    grads = torch.zeros(n, dtype=torch.float64)\n    for k in range(n):\n        g = h[k].detach() * dact[k]\n        for j in range(k + 1, n):\n            g = g * float(weights[j]) * dact[j]\n        grads[k] = g\n    return grads\n',
        },
        "loses": [],
    },
    # correct: writes out(w) as a function of a float64 weight vector and differentiates it with torch.func.grad (autograd is allowed here)
    'heldout_chain_grads_torch_func_grad': {
        "cells": {
            'chain_grads': 'from torch.func import grad as _func_grad\n\n\ndef chain_grads(x, weights, activation):\n    w = torch.as_tensor([float(v) for v in weights], dtype=torch.float64)\n\n    def out(w):\n        h = torch.tensor(float(x), dtype=torch.float64)\n        for k in range(w.shape[0]):\n            h = activation(w[k] * h)\n        return h\n\n    return _func_grad(out)(w)\n',
        },
        "loses": [],
    },
    # wrong: formula with every a'(z_j) taken as 1 (only h_{k-1} times the later weights): right for the identity example, wrong for tanh/ReLU
    'heldout_chain_grads_ignores_activation_derivative': {
        "cells": {
            'chain_grads': 'def chain_grads(x, weights, activation):\n    h = [torch.tensor(float(x), dtype=torch.float64)]\n    for w in weights:\n        h.append(activation(float(w) * h[-1]))\n    n = len(weights)\n    out = []\n    for k in range(n):\n        g = h[k]\n        for j in range(k + 1, n):\n            g = g * float(weights[j])\n        out.append(g)\n    return torch.stack(out).to(torch.float64)\n',
        },
        "loses": ['test_chain_grads', 'test_x100_grads'],
    },
    # wrong: uses the previous pre-activation z_{k-1} where the formula needs h_{k-1} = a(z_{k-1}); identical for the identity example only
    'heldout_chain_grads_preactivation_instead_of_h': {
        "cells": {
            'chain_grads': 'def chain_grads(x, weights, activation):\n    n = len(weights)\n    inp = [float(x)]          # input of layer k (meant to be h_{k-1})\n    zs = []\n    h = torch.tensor(float(x), dtype=torch.float64)\n    for w in weights:\n        z = float(w) * h\n        zs.append(z)\n        h = activation(z)\n        inp.append(float(z))  # bug: stores z instead of h\n    dact = []\n    for z in zs:\n        t = z.detach().clone().requires_grad_(True)\n        dact.append(torch.autograd.grad(activation(t), t)[0])\n    grads = []\n    for k in range(n):\n        g = inp[k] * dact[k]\n        for j in range(k + 1, n):\n            g = g * float(weights[j]) * dact[j]\n        grads.append(g)\n    return torch.stack(grads).to(torch.float64)\n',
        },
        "loses": ['test_chain_grads', 'test_x100_grads'],
    },
    # correct: the right rounded numbers typed in as tuples, and the verdict as a NumPy bool from a comparison (no compute-with-code rule in Task 3.2)
    'heldout_x100_grads_typed_values_tuples_numpy_bool': {
        "cells": {
            'x100_grads': "# tanh: w1 sees z = 100, tanh'(100) ~ 4e-87, so its gradient rounds to 0\ntanh_grads = (0.0, 0.168, 0.304, 0.436)\nrelu_grads = (100.0, 100.0, 100.0, 100.0)\ntanh_vanishes_faster = np.float64(tanh_grads[0]) < np.float64(relu_grads[0])\n",
        },
        "loses": [],
    },
    # wrong: the answer the statement warns about: tanh [1,1,1,1] and ReLU [0,0,0,0] (and hence 'tanh does not vanish faster')
    'heldout_x100_grads_the_quoted_wrong_answer': {
        "cells": {
            'x100_grads': 'tanh_grads = [1.0, 1.0, 1.0, 1.0]\nrelu_grads = [0.0, 0.0, 0.0, 0.0]\ntanh_vanishes_faster = False\n',
        },
        "loses": ['test_x100_grads'],
    },
    # wrong: rounds to 2 decimal places instead of 3 (0.17, 0.3, 0.44): each value is also a valid 3-place number, but not the right one
    'heldout_x100_grads_two_decimals': {
        "cells": {
            'x100_grads': '_t = chain_grads(100.0, [1.0, 1.0, 1.0, 1.0], torch.tanh)\n_r = chain_grads(100.0, [1.0, 1.0, 1.0, 1.0], torch.relu)\ntanh_grads = [round(float(v), 2) for v in _t]\nrelu_grads = [round(float(v), 2) for v in _r]\ntanh_vanishes_faster = tanh_grads[0] < relu_grads[0]\n',
        },
        "loses": ['test_x100_grads'],
    },
    # correct: same draws in the same order (seed, activation, fc1..fc3 via nn.Sequential, randn(200, 1)); per input torch.autograd.grad(out, fc1.weight) instead of backward+clear, which draws nothing and gives the same numbers
    'heldout_mean_first_layer_grad_sequential_autograd_grad': {
        "cells": {
            'mean_first_layer_grad': 'def mean_first_layer_grad(activation_name, seed):\n    torch.manual_seed(seed)\n    act = getattr(nn, activation_name)()\n    fc1 = nn.Linear(1, 1, bias=False)\n    fc2 = nn.Linear(1, 1, bias=False)\n    fc3 = nn.Linear(1, 1, bias=False)\n    for fc in (fc1, fc2, fc3):\n        nn.init.ones_(fc.weight)\n    net = nn.Sequential(fc1, act, fc2, act, fc3, act)\n    xs = torch.randn(200, 1)\n    grads = []\n    for x in xs:                      # x has shape (1,)\n        out = net(x)\n        (g,) = torch.autograd.grad(out.sum(), fc1.weight)\n        grads.append(g.abs().item())\n    return sum(grads) / len(grads)\n',
        },
        "loses": [],
    },
    # correct: builds the activation before seeding (it draws nothing), draws torch.randn(200) (the same 200 numbers as randn(200, 1)), slices shape-(1,) inputs, zero_grad between inputs, statistics.fmean
    'heldout_mean_first_layer_grad_flat_draw_and_zero_grad': {
        "cells": {
            'mean_first_layer_grad': 'import statistics\n\n\ndef mean_first_layer_grad(activation_name, seed):\n    act = getattr(nn, activation_name)()      # constructing an activation draws nothing\n    torch.manual_seed(seed)\n    layers = [nn.Linear(1, 1, bias=False) for _ in range(3)]   # fc1, fc2, fc3 in order\n    for layer in layers:\n        layer.weight.data = torch.ones(1, 1)\n    xs = torch.randn(200)\n    values = []\n    for i in range(200):\n        h = xs[i:i + 1]\n        for layer in layers:\n            h = act(layer(h))\n        h.sum().backward()\n        values.append(float(layers[0].weight.grad.abs()))\n        for layer in layers:\n            layer.zero_grad()\n        act.zero_grad()\n    return statistics.fmean(values)\n',
        },
        "loses": [],
    },
    # wrong: seeds with the example's 11 whatever seed is passed: right for the published example, wrong for every other seed
    'heldout_mean_first_layer_grad_seed_ignored': {
        "cells": {
            'mean_first_layer_grad': 'def mean_first_layer_grad(activation_name, seed):\n    torch.manual_seed(11)\n    act = getattr(nn, activation_name)()\n    fc1, fc2, fc3 = (nn.Linear(1, 1, bias=False) for _ in range(3))\n    with torch.no_grad():\n        for fc in (fc1, fc2, fc3):\n            fc.weight.fill_(1.0)\n    xs = torch.randn(200, 1)\n    total = 0.0\n    for i in range(200):\n        out = act(fc3(act(fc2(act(fc1(xs[i]))))))\n        out.backward()\n        total += fc1.weight.grad.abs().item()\n        fc1.weight.grad = fc2.weight.grad = fc3.weight.grad = None\n    return total / 200\n',
        },
        "loses": ['test_mean_first_layer_grad'],
    },
    # wrong: puts the network in eval mode 'since we only measure', which makes RReLU deterministic (fixed slope) instead of the default training-mode RReLU; wrong for RReLU
    'heldout_mean_first_layer_grad_eval_mode': {
        "cells": {
            'mean_first_layer_grad': 'def mean_first_layer_grad(activation_name, seed):\n    torch.manual_seed(seed)\n    act = getattr(nn, activation_name)()\n    fc1 = nn.Linear(1, 1, bias=False)\n    fc2 = nn.Linear(1, 1, bias=False)\n    fc3 = nn.Linear(1, 1, bias=False)\n    with torch.no_grad():\n        for fc in (fc1, fc2, fc3):\n            fc.weight.fill_(1.0)\n    net = nn.Sequential(fc1, act, fc2, act, fc3, act).eval()\n    xs = torch.randn(200, 1)\n    total = 0.0\n    for i in range(200):\n        net.zero_grad()\n        net(xs[i]).backward()\n        total += abs(fc1.weight.grad.item())\n    return total / 200\n',
        },
        "loses": ['test_mean_first_layer_grad'],
    },
    # correct: computes the argmax over ACTIVATIONS of mean_first_layer_grad(name, 11), which is 'Hardshrink'
    'heldout_best_activation_computed_argmax': {
        "cells": {
            'best_activation': 'best_activation = max(ACTIVATIONS, key=lambda name: mean_first_layer_grad(name, 11))\n',
        },
        "loses": [],
    },
    # wrong: names SELU (second largest, the 'expected' winner) instead of Hardshrink
    'heldout_best_activation_runner_up': {
        "cells": {
            'best_activation': 'best_activation = "SELU"\n',
        },
        "loses": ['test_best_activation'],
    },
})

# Held out, then added: the answers of a solver who did the assignment blind from release/ (December 2026);
# graded once by bench/bench_heldout.py before they joined the corpus, they lost no point.
VARIANTS["blind_solver"] = {
    "cells": {   'best_activation': 'best_activation = max(ACTIVATIONS, key=search_values.get)\n'
                       'print(best_activation, round(search_values[best_activation], 5))',
    'chain_grads': 'def chain_grads(x, weights, activation):\n'
                   '    w = torch.tensor([float(v) for v in weights], dtype=torch.float64, '
                   'requires_grad=True)\n'
                   '    h = torch.tensor(float(x), dtype=torch.float64)\n'
                   '    for k in range(w.shape[0]):\n'
                   '        h = activation(w[k] * h)\n'
                   '    if w.shape[0] == 0:\n'
                   '        return torch.zeros(0, dtype=torch.float64)\n'
                   '    (g,) = torch.autograd.grad(h, w, allow_unused=True)\n'
                   '    if g is None:\n'
                   '        g = torch.zeros_like(w)\n'
                   '    return g.detach()',
    'mean_first_layer_grad': 'def mean_first_layer_grad(activation_name, seed):\n'
                             '    torch.manual_seed(seed)\n'
                             '    act = getattr(nn, activation_name)()\n'
                             '    fc1 = nn.Linear(1, 1, bias=False)\n'
                             '    fc2 = nn.Linear(1, 1, bias=False)\n'
                             '    fc3 = nn.Linear(1, 1, bias=False)\n'
                             '    with torch.no_grad():\n'
                             '        for fc in (fc1, fc2, fc3):\n'
                             '            fc.weight.fill_(1.0)\n'
                             '    xs = torch.randn(200, 1)\n'
                             '    total = 0.0\n'
                             '    for x in xs:                      # x has shape (1,)\n'
                             '        for p in (fc1, fc2, fc3, act):\n'
                             '            p.zero_grad()\n'
                             '        out = act(fc3(act(fc2(act(fc1(x))))))\n'
                             '        out.sum().backward()\n'
                             '        total += fc1.weight.grad.abs().item()\n'
                             '    return total / len(xs)',
    'plot_tanh': 'def plot_tanh(ax):\n'
                 '    z = torch.linspace(-6, 6, 241, dtype=torch.float64)\n'
                 '    ax.plot(z.numpy(), torch.tanh(z).numpy(), label="tanh(z)")\n'
                 '    ax.plot(z.numpy(), tanh_prime(z).numpy(), label="tanh\'(z) = 1 - tanh^2(z)")\n'
                 '    ax.set_xlabel("z")\n'
                 '    ax.legend()\n'
                 '    return ax',
    'saturation_threshold': 'def saturation_threshold(eps):\n'
                            '    # 1 - tanh^2 z = eps  <=>  tanh z = sqrt(1 - eps)  <=>  z = atanh(sqrt(1 - '
                            'eps))\n'
                            '    # = 1/2 log((1 + s) / (1 - s)) with s = sqrt(1 - eps); since (1 - s)(1 + s) '
                            '= eps this is\n'
                            '    # log((1 + s) / sqrt(eps)), which avoids the cancellation in 1 - s for tiny '
                            'eps.\n'
                            '    eps = float(eps)\n'
                            '    s = math.sqrt(1.0 - eps)\n'
                            '    return math.log((1.0 + s) / math.sqrt(eps))',
    'tanh_prime': 'def tanh_prime(z):\n    y = torch.tanh(z)\n    return 1 - y * y',
    'x100_grads': '_t = chain_grads(100.0, [1.0] * 4, torch.tanh)\n'
                  '_r = chain_grads(100.0, [1.0] * 4, torch.relu)\n'
                  'print("tanh raw:", _t.tolist())\n'
                  'print("relu raw:", _r.tolist())\n'
                  'tanh_grads = [round(v, 3) for v in _t.tolist()]\n'
                  'relu_grads = [round(v, 3) for v in _r.tolist()]\n'
                  "# tanh: w1 is multiplied by tanh'(100) ~ 4e-87 (exactly 0 here, since tanh(100) rounds to "
                  '1.0); ReLU: every factor is 1\n'
                  'tanh_vanishes_faster = True'},
    "loses": [],
}
