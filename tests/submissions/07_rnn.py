"""Made-up submissions for 07_rnn: answer cells by grade id, and the test cells they lose."""

VARIANTS = {
    # Correct, but written differently from the reference: full marks.
    "alternative": {
        "cells": {
            "slow_options": "slow_options = 'c, a'",
            "h5_depends_on": "h5_depends_on = ['x_1', 'x2', 'X3', 'x4', 'x5', 'h_0', 'H1', 'h2', 'h3', 'h4']",
            "chain_rule_options": "chain_rule_options = ['e', 'b']",
            "rnn_grad_w": '''
def rnn_grad_w(w, h0, z, f, f_prime):
    hs, slopes = [h0], []
    for z_t in z:
        a = w * hs[-1] + z_t
        hs.append(f(a))
        slopes.append(f_prime(a))
    h_prev, fp = torch.stack(hs[:-1]), torch.stack(slopes)
    out = []
    for t in range(len(slopes)):                 # 0-based: this is step t + 1
        terms = [h_prev[i] * w ** (t - i) * torch.prod(fp[i:t + 1]) for i in range(t + 1)]
        out.append(torch.stack(terms).sum())
    return torch.stack(out)
''',
            "factor_w99": "from fractions import Fraction\nfactor_w99 = round(Fraction(11, 10) ** 99)",
            "power_table": '''
def power_table(ws, ts):
    return torch.tensor([[math.pow(w, t) for t in ts] for w in ws], dtype=torch.float64)
''',
            "vanishing_options": "vanishing_options = 'E, C, B'",
            "grad_norms": '''
def grad_norms(rnn, x, Ts):
    out = []
    for T in Ts:                                   # a fresh forward pass on the first T steps
        xc = x[:, :T].detach().clone().requires_grad_()
        h, _ = rnn(xc)
        h[:, -1].sum().backward()
        out.append(torch.linalg.vector_norm(xc.grad[:, 0]))
    return torch.stack(out)
''',
            "plot_grad_norms": '''
def plot_grad_norms(ax, Ts, norms):
    for name in norms:
        ax.semilogy(list(Ts), norms[name].tolist(), "s-", label=name)
    ax.set(xlabel="T", ylabel="gradient norm")
    ax.legend(loc="best")
    return ax
''',
            "clip_by_value": '''
def clip_by_value(parameters, clip_value):
    for p in list(parameters):
        if p.grad is None:
            continue
        p.grad.copy_(torch.clamp(p.grad, min=-clip_value, max=clip_value))
''',
            "clip_by_norm": '''
def clip_by_norm(parameters, max_norm):
    params = [p for p in parameters if p.grad is not None]
    if not params:
        return 0.0
    flat = torch.cat([p.grad.reshape(-1) for p in params])
    total = torch.linalg.vector_norm(flat)
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for p in params:
        p.grad.mul_(coef)
    return float(total)
''',
            "dependency_set": '''
def dependency_set(step, h_prev, i):
    row = torch.func.jacrev(step)(h_prev)[i]
    return set(j for j in range(row.shape[0]) if row[j].item() != 0.0)
''',
            "recurrence_options": "recurrence_options = ('E', 'D', 'B')",
        },
        "loses": [],
    },
    # Correct again, in other forms: NumPy scalars and arrays, a frozenset, NumPy strings, float32
    # storage and a CPU result where the statement allows them, labels given to ax.legend([...]).
    "alternative_numpy_float32_legend_list": {
        "cells": {
            "slow_options": "slow_options = frozenset({'A', 'C'})",
            "h5_depends_on": """
import numpy as np
h5_depends_on = tuple(np.array(["x1", "x2", "x3", "x4", "x5", "h0", "h1", "h2", "h3", "h4"]))
""",
            "chain_rule_options": "chain_rule_options = 'BE'",
            "rnn_grad_w": """
def rnn_grad_w(w, h0, z, f, f_prime):
    # the same closed sum, accumulated forwards: S_t = sum_i h_{i-1} w^{t-i} f'_i...f'_t
    # satisfies S_t = f'_t (h_{t-1} + w S_{t-1})
    h, out = h0, []
    s = torch.zeros((), dtype=z.dtype, device=z.device)
    for z_t in z:
        a = w * h + z_t
        s = f_prime(a) * (h + w * s)
        h = f(a)
        out.append(s)
    return torch.stack(out)
""",
            "factor_w99": "import numpy as np\nfactor_w99 = np.rint(np.float64(1.1) ** 99)",
            "power_table": """
import numpy as np
def power_table(ws, ts):
    return torch.from_numpy(np.power.outer(np.asarray(ws, dtype=np.float64), np.asarray(ts)))
""",
            "vanishing_options": "vanishing_options = ['B', 'C', 'E']",
            "grad_norms": """
def grad_norms(rnn, x, Ts):
    xc = x.detach().clone().requires_grad_(True)
    states, _ = rnn(xc)
    values = []
    for T in Ts:
        g = torch.autograd.grad(states[:, T - 1].sum(), xc, retain_graph=True)[0]
        values.append(float(g[:, 0].pow(2).sum().sqrt()))
    return torch.tensor(values)               # float32, on the CPU: both allowed
""",
            "plot_grad_norms": """
def plot_grad_norms(ax, Ts, norms):
    for values in norms.values():
        ax.plot(Ts, values.numpy(), "o-")
    ax.set_yscale("log")
    ax.set_xlabel("T")
    ax.set_ylabel("norm of the gradient")
    ax.legend(list(norms))
    return ax
""",
            "clip_by_value": """
def clip_by_value(parameters, clip_value):
    for p in parameters:
        if p.grad is not None:
            g = p.grad
            g[g > clip_value] = clip_value
            g[g < -clip_value] = -clip_value
""",
            "clip_by_norm": """
import numpy as np
def clip_by_norm(parameters, max_norm):
    params = [p for p in parameters if p.grad is not None]
    total = np.sqrt(sum(float((p.grad.cpu().numpy() ** 2).sum()) for p in params))
    if total > max_norm:
        for p in params:
            p.grad *= max_norm / (total + 1e-6)
    return total                              # a NumPy float
""",
            "dependency_set": """
import numpy as np
def dependency_set(step, h_prev, i):
    J = torch.autograd.functional.jacobian(step, h_prev)
    return set(np.flatnonzero(J[i].cpu().numpy()))     # a set of NumPy integers
""",
            "recurrence_options": "recurrence_options = 'BDE'",
        },
        "loses": [],
    },
    # A float32 accumulator for the total norm: float32 arithmetic where the statement allows it.
    "alternative_clip_norm_float32": {
        "cells": {
            "clip_by_norm": """
def clip_by_norm(parameters, max_norm):
    params = [p for p in parameters if p.grad is not None]
    total = torch.tensor(0.0)
    for p in params:
        total += p.grad.pow(2).sum().cpu()   # stays float32
    total = total.sqrt()
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for p in params:
            p.grad.mul_(coef.to(p.grad.device))
    return total
""",
        },
        "loses": [],
    },
    # Forbidden shortcut: autograd through the unrolled network instead of the closed sum.
    "forbidden_rnn_grad_w_autograd": {
        "cells": {
            "rnn_grad_w": """
def rnn_grad_w(w, h0, z, f, f_prime):
    w = w.detach().clone().requires_grad_(True)
    h, out = h0, []
    for z_t in z:
        h = f(w * h + z_t)
        (g,) = torch.autograd.grad(h, w, retain_graph=True)
        out.append(g)
    return torch.stack(out)
""",
        },
        "loses": ["test_rnn_grad_w"],
    },
    # Forbidden shortcut: torch.func.jacrev through the unrolled network.
    "forbidden_rnn_grad_w_torch_func": {
        "cells": {
            "rnn_grad_w": """
from torch.func import jacrev as _jr
def rnn_grad_w(w, h0, z, f, f_prime):
    def states(w):
        h, out = h0, []
        for z_t in z:
            h = f(w * h + z_t)
            out.append(h)
        return torch.stack(out)
    return _jr(states)(w)
""",
        },
        "loses": ["test_rnn_grad_w"],
    },
    # The power of w one too high for the earlier terms (w^{t-i+1} for i < t); the first entry has
    # only the term i = t, so only the hidden tests see it.
    "mistake_rnn_grad_w_power_off_by_one": {
        "cells": {
            "rnn_grad_w": """
def rnn_grad_w(w, h0, z, f, f_prime):
    h, slopes = [h0], []
    for z_t in z:
        a = w * h[-1] + z_t
        slopes.append(f_prime(a))
        h.append(f(a))
    out = []
    for t in range(1, len(z) + 1):
        total = torch.zeros((), dtype=z.dtype, device=z.device)
        for i in range(1, t + 1):
            prod = torch.prod(torch.stack(slopes[i - 1:t]))
            total = total + h[i - 1] * w ** (t - i + (i < t)) * prod
        out.append(total)
    return torch.stack(out)
""",
        },
        "loses": ["test_rnn_grad_w"],
    },
    # float32 arithmetic cast to float64 at the end: the visible check compares 12 digits.
    "mistake_power_table_float32": {
        "cells": {
            "power_table": """
def power_table(ws, ts):
    return (torch.tensor(ws)[:, None] ** torch.tensor(ts)[None, :]).double()
""",
        },
        "loses": ["test_power_table"],
    },
    # |w|^t: right for every visible weight (all positive), wrong for negative ones.
    "mistake_power_table_abs": {
        "cells": {
            "power_table": """
def power_table(ws, ts):
    w = torch.tensor(ws, dtype=torch.float64).abs()
    return torch.stack([w ** t for t in ts], dim=1)
""",
        },
        "loses": ["test_power_table"],
    },
    # s_T as the mean of h_T instead of its sum.
    "mistake_grad_norms_mean": {
        "cells": {
            "grad_norms": """
def grad_norms(rnn, x, Ts):
    x = x.detach().clone().requires_grad_(True)
    out, _ = rnn(x)
    return torch.stack([torch.autograd.grad(out[:, T - 1].mean(), x, retain_graph=True)[0][:, 0].norm()
                        for T in Ts])
""",
        },
        "loses": ["test_grad_norms"],
    },
    # The mean over the batch of per-sequence norms instead of one norm over the whole slice:
    # right for B = 1, wrong for B > 1 (the hidden tests use both).
    "mistake_grad_norms_mean_of_norms": {
        "cells": {
            "grad_norms": """
def grad_norms(rnn, x, Ts):
    x = x.detach().clone().requires_grad_(True)
    out, _ = rnn(x)
    norms = []
    for T in Ts:
        (g,) = torch.autograd.grad(out[:, T - 1].sum(), x, retain_graph=True)
        norms.append(g[:, 0].norm(dim=1).mean())
    return torch.stack(norms)
""",
        },
        "loses": ["test_grad_norms"],
    },
    # Works on x itself: x now requires a gradient.
    "mistake_grad_norms_changes_x": {
        "cells": {
            "grad_norms": """
def grad_norms(rnn, x, Ts):
    x.requires_grad_(True)
    out, _ = rnn(x)
    return torch.stack([torch.autograd.grad(out[:, T - 1].sum(), x, retain_graph=True)[0][:, 0].norm()
                        for T in Ts])
""",
        },
        "loses": ["test_grad_norms"],
    },
    # Plotted against 0, 1, 2, ... instead of Ts: only the hidden tests read the x data.
    "mistake_plot_against_index": {
        "cells": {
            "plot_grad_norms": """
def plot_grad_norms(ax, Ts, norms):
    for name, values in norms.items():
        ax.semilogy(values.numpy(), label=name)
    ax.set_xlabel("T")
    ax.set_ylabel("norm")
    ax.legend()
    return ax
""",
        },
        "loses": ["test_plot_grad_norms"],
    },
    # Forbidden shortcut: PyTorch's own clipping, reached through an alias.
    "forbidden_clip_by_value_torch": {
        "cells": {
            "clip_by_value": """
from torch.nn.utils import clip_grad_value_ as _clip
def clip_by_value(parameters, clip_value):
    _clip(parameters, clip_value)
""",
        },
        "loses": ["test_clip_by_value"],
    },
    # Only the upper bound: negative entries are never clipped.
    "mistake_clip_by_value_one_sided": {
        "cells": {
            "clip_by_value": """
def clip_by_value(parameters, clip_value):
    for p in parameters:
        if p.grad is not None:
            p.grad.clamp_(max=clip_value)
""",
        },
        "loses": ["test_clip_by_value"],
    },
    # Forbidden shortcut: torch's helper for the total norm.
    "forbidden_clip_by_norm_get_total_norm": {
        "cells": {
            "clip_by_norm": """
def clip_by_norm(parameters, max_norm):
    grads = [p.grad for p in parameters if p.grad is not None]
    total = torch.nn.utils.get_total_norm(grads)
    if total > max_norm:
        for g in grads:
            g.mul_(max_norm / (total + 1e-6))
    return total
""",
        },
        "loses": ["test_clip_by_norm"],
    },
    # Forbidden shortcut: clip_grad_norm_ itself, looked up with getattr.
    "forbidden_clip_by_norm_torch": {
        "cells": {
            "clip_by_norm": """
def clip_by_norm(parameters, max_norm):
    return getattr(torch.nn.utils, "clip_grad_norm_")(parameters, max_norm)
""",
        },
        "loses": ["test_clip_by_norm"],
    },
    # Walks the parameters twice: a generator (model.parameters()) is empty the second time.
    "mistake_clip_by_norm_generator_twice": {
        "cells": {
            "clip_by_norm": """
def clip_by_norm(parameters, max_norm):
    total = sum((p.grad ** 2).sum() for p in parameters if p.grad is not None) ** 0.5
    if total > max_norm:
        for p in parameters:
            if p.grad is not None:
                p.grad.mul_(max_norm / (total + 1e-6))
    return total
""",
        },
        "loses": ["test_clip_by_norm"],
    },
    # max_norm / norm without PyTorch's 1e-6: it shows only with tiny gradients (a hidden case).
    "mistake_clip_by_norm_no_epsilon": {
        "cells": {
            "clip_by_norm": """
def clip_by_norm(parameters, max_norm):
    grads = [p.grad for p in parameters if p.grad is not None]
    total = torch.sqrt(sum((g ** 2).sum() for g in grads))
    if total > max_norm:
        for g in grads:
            g.mul_(max_norm / total)
    return total
""",
        },
        "loses": ["test_clip_by_norm"],
    },
    # Returns the norm after clipping instead of before.
    "mistake_clip_by_norm_norm_after": {
        "cells": {
            "clip_by_norm": """
def clip_by_norm(parameters, max_norm):
    grads = [p.grad for p in parameters if p.grad is not None]
    total = torch.sqrt(sum((g ** 2).sum() for g in grads))
    if total > max_norm:
        for g in grads:
            g.mul_(max_norm / (total + 1e-6))
    return torch.sqrt(sum((g ** 2).sum() for g in grads))
""",
        },
        "loses": ["test_clip_by_norm"],
    },
    # The indices where J is zero, 1-based: both wrong.
    "mistake_dependency_set_zeros_one_based": {
        "cells": {
            "dependency_set": """
def dependency_set(step, h_prev, i):
    J = torch.autograd.functional.jacobian(step, h_prev)
    return {j + 1 for j in range(J.shape[1]) if J[i, j] == 0}
""",
        },
        "loses": ["test_dependency_set"],
    },
    # Quiz slips: "once the inputs are known every step can run at once" (forward and backward),
    # and dL/dw as the sum of the local terms, the paths through the earlier states forgotten.
    "mistake_quiz_slow_and_chain_rule": {
        "cells": {
            "slow_options": "slow_options = {'A', 'B', 'D'}",
            "chain_rule_options": "chain_rule_options = {'D'}",
        },
        "loses": ["test_slow_options", "test_chain_rule_options"],
    },
    # The product of slopes starts one step too late: f'_{i+1} ... f'_t instead of f'_i ... f'_t.
    "mistake_product_off_by_one": {
        "cells": {
            "rnn_grad_w": '''
def rnn_grad_w(w, h0, z, f, f_prime):
    T = z.shape[0]
    h, slopes = [h0], []
    for t in range(T):
        a = w * h[-1] + z[t]
        slopes.append(f_prime(a))
        h.append(f(a))
    grads = []
    for t in range(1, T + 1):
        total = torch.zeros((), dtype=z.dtype, device=z.device)
        for i in range(1, t + 1):
            prod = torch.ones((), dtype=z.dtype, device=z.device)
            for j in range(i + 1, t + 1):
                prod = prod * slopes[j - 1]
            total = total + h[i - 1] * w ** (t - i) * prod
        grads.append(total)
    return torch.stack(grads)
''',
        },
        "loses": ["test_rnn_grad_w"],
    },
    # The slope taken at the state h_j instead of at the pre-activation a_j.
    "mistake_slope_at_h": {
        "cells": {
            "rnn_grad_w": '''
def rnn_grad_w(w, h0, z, f, f_prime):
    h, slopes = [h0], []
    for t in range(z.shape[0]):
        h.append(f(w * h[-1] + z[t]))
        slopes.append(f_prime(h[-1]))
    out = []
    for t in range(1, len(slopes) + 1):
        total = 0.0
        for i in range(1, t + 1):
            prod = 1.0
            for j in range(i, t + 1):
                prod = prod * slopes[j - 1]
            total = total + h[i - 1] * w ** (t - i) * prod
        out.append(total)
    return torch.stack(out)
''',
        },
        "loses": ["test_rnn_grad_w"],
    },
    # The gradient with respect to the last input x_T instead of the first one.
    "mistake_grad_norm_last_input": {
        "cells": {
            "grad_norms": '''
def grad_norms(rnn, x, Ts):
    x = x.detach().clone().requires_grad_(True)
    out, _ = rnn(x)
    norms = []
    for T in Ts:
        (g,) = torch.autograd.grad(out[:, T - 1].sum(), x, retain_graph=True)
        norms.append(g[:, T - 1].norm())
    return torch.stack(norms)
''',
        },
        "loses": ["test_grad_norms"],
    },
    # Each parameter clipped to max_norm on its own, instead of the total norm over all of them.
    "mistake_clip_norm_per_parameter": {
        "cells": {
            "clip_by_norm": '''
def clip_by_norm(parameters, max_norm):
    total_sq = 0.0
    for p in parameters:
        if p.grad is None:
            continue
        n = p.grad.norm()
        total_sq = total_sq + n ** 2
        if n > max_norm:
            p.grad.mul_(max_norm / (n + 1e-6))
    return total_sq ** 0.5
''',
        },
        "loses": ["test_clip_by_norm"],
    },
    # Quiz slips: only the direct inputs of h5, w^100 instead of w^99, "large w vanishes" (and only
    # small w: saturation and the identity with w = 0.9 missed),
    # "the steps of one elementwise component run at once, and a component reads its neighbours".
    "mistake_quiz_answers": {
        "cells": {
            "h5_depends_on": "h5_depends_on = {'h4', 'x5'}",
            "factor_w99": "factor_w99 = round(1.1 ** 100)",
            "vanishing_options": "vanishing_options = {'B', 'D'}",
            "recurrence_options": "recurrence_options = {'A', 'C', 'E'}",
        },
        "loses": ["test_h5_depends_on", "test_factor_w99", "test_vanishing_options", "test_recurrence_options"],
    },
    # A linear y axis for values spanning 30 orders of magnitude, and a column of the
    # Jacobian read instead of a row.
    "mistake_linear_plot_and_jacobian_column": {
        "cells": {
            "plot_grad_norms": '''
def plot_grad_norms(ax, Ts, norms):
    for name, values in norms.items():
        ax.plot(Ts, values.cpu().numpy(), label=name)
    ax.set_xlabel("T")
    ax.set_ylabel("norm")
    ax.legend()
    return ax
''',
            "dependency_set": '''
def dependency_set(step, h_prev, i):
    J = torch.autograd.functional.jacobian(step, h_prev)
    return {int(j) for j in torch.nonzero(J[:, i]).flatten().tolist()}
''',
        },
        "loses": ["test_plot_grad_norms", "test_dependency_set"],
    },
    # The pre-activations written over z (an alias, not a copy): right values, but z is changed.
    "mistake_rnn_grad_w_overwrites_z": {
        "cells": {
            "rnn_grad_w": """
def rnn_grad_w(w, h0, z, f, f_prime):
    a = z                                   # the pre-activations, stored in z itself
    h = [h0]
    for t in range(len(z)):
        a[t] += w * h[-1]
        h.append(f(a[t]))
    fp = f_prime(a)
    out = []
    for t in range(len(z)):
        out.append(sum(h[i] * w ** (t - i) * torch.prod(fp[i:t + 1]) for i in range(t + 1)))
    return torch.stack(out)
""",
        },
        "loses": ["test_rnn_grad_w"],
    },
    # backward() through a copy of x that is not detached: right while x does not require a gradient;
    # for an x that does (the statement allows it) the copy is no leaf and has no .grad.
    "mistake_grad_norms_backward_without_detach": {
        "cells": {
            "grad_norms": """
def grad_norms(rnn, x, Ts):
    out = []
    for T in Ts:
        xc = x[:, :T].clone().requires_grad_(True)
        h, _ = rnn(xc)
        h[:, -1].sum().backward()
        out.append(xc.grad[:, 0].norm())
    return torch.stack(out)
""",
        },
        "loses": ["test_grad_norms"],
    },
    # One norm per distinct step (a dict keyed by T): a step listed twice gets one entry.
    "mistake_grad_norms_one_per_distinct_step": {
        "cells": {
            "grad_norms": """
def grad_norms(rnn, x, Ts):
    x = x.detach().clone().requires_grad_(True)
    out, _ = rnn(x)
    by_step = {T: torch.autograd.grad(out[:, T - 1].sum(), x, retain_graph=True)[0][:, 0].norm() for T in Ts}
    return torch.stack(list(by_step.values()))
""",
        },
        "loses": ["test_grad_norms"],
    },
    # The legend's names sorted while the lines follow the dict's order: names on the wrong curves
    # whenever the dict is not in sorted order.
    "mistake_plot_legend_sorted": {
        "cells": {
            "plot_grad_norms": """
def plot_grad_norms(ax, Ts, norms):
    for values in norms.values():
        ax.plot(Ts, values.numpy(), "o-")
    ax.set_yscale("log")
    ax.set_xlabel("T")
    ax.set_ylabel("norm")
    ax.legend(sorted(norms))
    return ax
""",
        },
        "loses": ["test_plot_grad_norms"],
    },
    # The clipped gradient put in a new tensor (p.grad = ...): the statement asks for in place.
    "mistake_clip_by_value_not_in_place": {
        "cells": {
            "clip_by_value": """
def clip_by_value(parameters, clip_value):
    for p in parameters:
        if p.grad is not None:
            p.grad = p.grad.clamp(-clip_value, clip_value)
""",
        },
        "loses": ["test_clip_by_value"],
    },
    # The scaled gradients put in new tensors (p.grad = p.grad * coef): not in place.
    "mistake_clip_by_norm_not_in_place": {
        "cells": {
            "clip_by_norm": """
def clip_by_norm(parameters, max_norm):
    params = [p for p in parameters if p.grad is not None]
    total = torch.sqrt(sum((p.grad ** 2).sum() for p in params))
    if total > max_norm:
        for p in params:
            p.grad = p.grad * (max_norm / (total + 1e-6))
    return total
""",
        },
        "loses": ["test_clip_by_norm"],
    },
    # The Jacobian taken at h = 0 instead of at h_prev: right for steps whose pattern of zeros does not
    # depend on the state, wrong for a relu step.
    "mistake_dependency_set_at_zero": {
        "cells": {
            "dependency_set": """
def dependency_set(step, h_prev, i):
    J = torch.autograd.functional.jacobian(step, torch.zeros_like(h_prev))
    return {int(j) for j in torch.nonzero(J[i]).flatten().tolist()}
""",
        },
        "loses": ["test_dependency_set"],
    },
    # With no gradient at all torch.cat([]) raises; clip_grad_norm_ (and the statement) return 0.
    "mistake_clip_by_norm_no_gradients": {
        "cells": {
            "clip_by_norm": """
def clip_by_norm(parameters, max_norm):
    params = [p for p in parameters if p.grad is not None]
    total = torch.linalg.vector_norm(torch.cat([p.grad.reshape(-1) for p in params]))
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for p in params:
        p.grad.mul_(coef)
    return float(total)
""",
        },
        "loses": ["test_clip_by_norm"],
    },
}

# Held-out cases: written from the student notebook alone by someone who had not read the tests,
# graded once before the tests were strengthened (the closing note of issue 21 has the figures),
# then added here with what each loses.
VARIANTS.update({
    # correct: the right options A and C given as a string of letters, a form the statement's test cell accepts
    'heldout_slow_options_string': {
        "cells": {
            'slow_options': 'slow_options = "AC"\n',
        },
        "loses": [],
    },
    # wrong: leaves out h0: the start state feeds h1..h4 and so changes h5 (right set is x1..x5, h0..h4)
    'heldout_h5_forgets_h0': {
        "cells": {
            'h5_depends_on': 'h5_depends_on = {"x1", "x2", "x3", "x4", "x5", "h1", "h2", "h3", "h4"}\n',
        },
        "loses": ['test_h5_depends_on'],
    },
    # correct: 1.1**99 = 12527.83 rounded to 12528, kept as a 0-d float64 tensor (a whole number)
    'heldout_factor_w99_tensor': {
        "cells": {
            'factor_w99': 'factor_w99 = torch.tensor(1.1, dtype=torch.float64).pow(99).round()\n',
        },
        "loses": [],
    },
    # wrong: int() truncates 12527.83 to 12527 instead of rounding to the nearest integer 12528
    'heldout_factor_w99_truncated': {
        "cells": {
            'factor_w99': 'factor_w99 = int(1.1 ** 99)\n',
        },
        "loses": ['test_factor_w99'],
    },
    # correct: forward pass, then the closed sum with product j = i..t written as three plain loops
    'heldout_grad_w_triple_loop': {
        "cells": {
            'rnn_grad_w': "def rnn_grad_w(w, h0, z, f, f_prime):\n    T = z.shape[0]\n    hs = [h0]            # h_0 .. h_T\n    pre = []             # a_1 .. a_T\n    h = h0\n    for t in range(T):\n        a = w * h + z[t]\n        h = f(a)\n        pre.append(a)\n        hs.append(h)\n    slopes = f_prime(torch.stack(pre))      # f'_1 .. f'_T\n    result = []\n    for t in range(1, T + 1):\n        total = torch.zeros((), dtype=z.dtype, device=z.device)\n        for i in range(1, t + 1):\n            prod = torch.ones((), dtype=z.dtype, device=z.device)\n            for j in range(i, t + 1):\n                prod = prod * slopes[j - 1]\n            total = total + hs[i - 1] * w ** (t - i) * prod\n        result.append(total)\n    return torch.stack(result).to(dtype=z.dtype, device=z.device)\n",
        },
        "loses": [],
    },
    # correct: closed sum vectorised over i: suffix products by a flipped cumprod (no division), powers w**(t-i) by arange
    'heldout_grad_w_suffix_cumprod': {
        "cells": {
            'rnn_grad_w': "def rnn_grad_w(w, h0, z, f, f_prime):\n    T = len(z)\n    a = torch.empty_like(z)\n    h = torch.empty_like(z)\n    prev = h0\n    for t in range(T):\n        a[t] = w * prev + z[t]\n        h[t] = f(a[t])\n        prev = h[t]\n    fp = f_prime(a)\n    h_prev = torch.cat([h0.reshape(1).to(z), h[:-1]])      # h_0 .. h_{T-1}\n    out = torch.empty_like(z)\n    for t in range(1, T + 1):\n        # suffix[i-1] = prod_{j=i}^{t} f'_j, i = 1..t\n        suffix = torch.flip(torch.cumprod(torch.flip(fp[:t], [0]), 0), [0])\n        powers = w ** torch.arange(t - 1, -1, -1, device=z.device, dtype=z.dtype)   # w^(t-i)\n        out[t - 1] = (h_prev[:t] * powers * suffix).sum()\n    return out\n",
        },
        "loses": [],
    },
    # wrong: ignores the f and f_prime arguments and always uses tanh and 1 - tanh^2 (right only for tanh, the visible case)
    'heldout_grad_w_hardcoded_tanh': {
        "cells": {
            'rnn_grad_w': 'def rnn_grad_w(w, h0, z, f, f_prime):\n    T = len(z)\n    hs = [h0]\n    a = []\n    for t in range(T):\n        a.append(w * hs[-1] + z[t])\n        hs.append(torch.tanh(a[-1]))\n    fp = 1 - torch.tanh(torch.stack(a)) ** 2\n    out = []\n    for t in range(1, T + 1):\n        s = torch.zeros((), dtype=z.dtype, device=z.device)\n        for i in range(1, t + 1):\n            s = s + hs[i - 1] * w ** (t - i) * fp[i - 1:t].prod()\n        out.append(s)\n    return torch.stack(out)\n',
        },
        "loses": ['test_rnn_grad_w'],
    },
    # wrong: takes the product over all slopes j = 1..t instead of j = i..t: right for t = 1, wrong from t = 2 on
    'heldout_grad_w_all_slopes': {
        "cells": {
            'rnn_grad_w': 'def rnn_grad_w(w, h0, z, f, f_prime):\n    T = len(z)\n    hs = [h0]\n    a = []\n    for t in range(T):\n        a.append(w * hs[-1] + z[t])\n        hs.append(f(a[-1]))\n    fp = f_prime(torch.stack(a))\n    out = []\n    for t in range(1, T + 1):\n        s = torch.zeros((), dtype=z.dtype, device=z.device)\n        for i in range(1, t + 1):\n            s = s + hs[i - 1] * w ** (t - i) * fp[:t].prod()\n        out.append(s)\n    return torch.stack(out)\n',
        },
        "loses": ['test_rnn_grad_w'],
    },
    # wrong: gets prod_{j=i}^t f'_j as C_t / C_{i-1} from one cumprod: 0/0 = NaN once a slope is exactly 0 (saturated tanh) or the cumprod underflows (long sigmoid sequences)
    'heldout_grad_w_cumprod_division': {
        "cells": {
            'rnn_grad_w': "def rnn_grad_w(w, h0, z, f, f_prime):\n    T = len(z)\n    hs = [h0]\n    a = []\n    for t in range(T):\n        a.append(w * hs[-1] + z[t])\n        hs.append(f(a[-1]))\n    fp = f_prime(torch.stack(a))\n    C = torch.cat([torch.ones(1, dtype=z.dtype, device=z.device), torch.cumprod(fp, 0)])   # C[k] = f'_1...f'_k\n    h_prev = torch.stack(hs[:-1])\n    out = torch.empty_like(z)\n    for t in range(1, T + 1):\n        i = torch.arange(1, t + 1, device=z.device)\n        out[t - 1] = (h_prev[:t] * w ** (t - i).to(z.dtype) * C[t] / C[i - 1]).sum()\n    return out\n",
        },
        "loses": ['test_rnn_grad_w'],
    },
    # evasion: forward-mode autodiff (torch.autograd.forward_ad dual numbers) gives dh_t/dw as tangents: autograd and no closed sum, though it calls none of the named functions
    'heldout_grad_w_forward_mode_ad': {
        "cells": {
            'rnn_grad_w': 'import torch.autograd.forward_ad as fwAD\n\n\ndef rnn_grad_w(w, h0, z, f, f_prime):\n    with fwAD.dual_level():\n        wd = fwAD.make_dual(w.detach(), torch.ones_like(w))\n        h = h0.detach()\n        tangents = []\n        for t in range(len(z)):\n            h = f(wd * h + z[t].detach())\n            tangents.append(fwAD.unpack_dual(h).tangent)\n        out = torch.stack(tangents)\n    return out.detach().to(dtype=z.dtype, device=z.device)\n',
        },
        "loses": ['test_rnn_grad_w'],
    },
    # evasion: runs torch.autograd.grad in a concurrent.futures worker thread, where the caller's thread-local torch function mode does not see it
    'heldout_grad_w_autograd_in_thread': {
        "cells": {
            'rnn_grad_w': 'from concurrent.futures import ThreadPoolExecutor\n\n\ndef _grads_by_autograd(w, h0, z, f):\n    wl = w.detach().clone().requires_grad_(True)\n    h = h0.detach()\n    hs = []\n    for t in range(len(z)):\n        h = f(wl * h + z[t].detach())\n        hs.append(h)\n    return torch.stack([torch.autograd.grad(ht, wl, retain_graph=True)[0] for ht in hs]).detach()\n\n\ndef rnn_grad_w(w, h0, z, f, f_prime):\n    with ThreadPoolExecutor(max_workers=1) as pool:\n        out = pool.submit(_grads_by_autograd, w, h0, z, f).result()\n    return out.to(dtype=z.dtype, device=z.device)\n',
        },
        "loses": ['test_rnn_grad_w'],
    },
    # evasion: calls torch.autograd.grad inside torch._C.DisableTorchFunction(), which switches off the torch function mode that watches for it
    'heldout_grad_w_autograd_torch_function_disabled': {
        "cells": {
            'rnn_grad_w': 'def rnn_grad_w(w, h0, z, f, f_prime):\n    with torch._C.DisableTorchFunction():\n        wl = w.detach().clone().requires_grad_(True)\n        h = h0.detach()\n        hs = []\n        for t in range(len(z)):\n            h = f(wl * h + z[t].detach())\n            hs.append(h)\n        grads = [torch.autograd.grad(ht, wl, retain_graph=True)[0] for ht in hs]\n        out = torch.stack(grads).detach()\n    return out.to(dtype=z.dtype, device=z.device)\n',
        },
        "loses": ['test_rnn_grad_w'],
    },
    # correct: nested loops with math.pow on Python floats, then one float64 tensor reshaped to (len(ws), len(ts))
    'heldout_power_table_math_pow_loops': {
        "cells": {
            'power_table': 'def power_table(ws, ts):\n    values = [math.pow(w, t) for w in ws for t in ts]\n    return torch.tensor(values, dtype=torch.float64).reshape(len(ws), len(ts))\n',
        },
        "loses": [],
    },
    # correct: float64 column of bases raised to a row of integer exponents by broadcasting (float64 from the start)
    'heldout_power_table_broadcast': {
        "cells": {
            'power_table': 'def power_table(ws, ts):\n    base = torch.tensor(ws, dtype=torch.float64).reshape(-1, 1)\n    expo = torch.tensor(ts, dtype=torch.int64).reshape(1, -1)\n    return torch.pow(base, expo)\n',
        },
        "loses": [],
    },
    # wrong: computes w**t as exp(t*log w): NaN for a negative w and for 0.0**0 (should be 1), though fine for the visible positive ws
    'heldout_power_table_exp_log': {
        "cells": {
            'power_table': 'def power_table(ws, ts):\n    w = torch.tensor(ws, dtype=torch.float64)[:, None]\n    t = torch.tensor(ts, dtype=torch.float64)[None, :]\n    return torch.exp(t * torch.log(w))\n',
        },
        "loses": ['test_power_table'],
    },
    # correct: a fresh detached copy and a forward pass on x[:, :T] per T (zero start state, so h_T is the same), autograd.grad, norm of the x_1 slice
    'heldout_grad_norms_one_forward_per_T': {
        "cells": {
            'grad_norms': 'def grad_norms(rnn, x, Ts):\n    norms = []\n    for T in Ts:\n        xc = x.detach().clone().requires_grad_(True)\n        out, _ = rnn(xc[:, :T])\n        s = out[:, T - 1].sum()\n        (g,) = torch.autograd.grad(s, xc)\n        norms.append(torch.linalg.vector_norm(g[:, 0, :]))\n    if not norms:\n        return torch.zeros(0, dtype=x.dtype)\n    return torch.stack(norms).detach()\n',
        },
        "loses": [],
    },
    # correct: one forward pass, backward(inputs=[xc], retain_graph=True) per T with xc.grad reset each time, so nothing accumulates and the model's .grad is untouched
    'heldout_grad_norms_backward_inputs': {
        "cells": {
            'grad_norms': 'def grad_norms(rnn, x, Ts):\n    xc = x.detach().clone()\n    xc.requires_grad_()\n    out = rnn(xc)[0]\n    result = torch.zeros(len(Ts), dtype=torch.float64)\n    for k, T in enumerate(Ts):\n        xc.grad = None\n        out[:, T - 1, :].sum().backward(inputs=[xc], retain_graph=True)\n        result[k] = xc.grad[:, 0, :].pow(2).sum().sqrt().item()\n    return result\n',
        },
        "loses": [],
    },
    # wrong: iterates over sorted(Ts), so the norms come back in increasing-T order instead of the order of Ts (same for the visible sorted Ts)
    'heldout_grad_norms_sorted_steps': {
        "cells": {
            'grad_norms': 'def grad_norms(rnn, x, Ts):\n    xc = x.detach().clone().requires_grad_(True)\n    out, _ = rnn(xc)\n    norms = []\n    for T in sorted(Ts):\n        g = torch.autograd.grad(out[:, T - 1].sum(), xc, retain_graph=True)[0]\n        norms.append(g[:, 0].norm())\n    return torch.stack(norms)\n',
        },
        "loses": ['test_grad_norms'],
    },
    # wrong: uses backward() on one copy without clearing xc.grad, so entry k is the norm of the gradients summed over the first k+1 steps of Ts
    'heldout_grad_norms_accumulated_grad': {
        "cells": {
            'grad_norms': 'def grad_norms(rnn, x, Ts):\n    xc = x.detach().clone().requires_grad_(True)\n    out, _ = rnn(xc)\n    norms = []\n    for T in Ts:\n        out[:, T - 1].sum().backward(inputs=[xc], retain_graph=True)\n        norms.append(xc.grad[:, 0].norm().item())\n    return torch.tensor(norms)\n',
        },
        "loses": ['test_grad_norms'],
    },
    # correct: ax.semilogy per model in dict order, then ax.legend(list of names) in the same order, both axes labelled, returns ax
    'heldout_plot_semilogy_legend_list': {
        "cells": {
            'plot_grad_norms': 'def plot_grad_norms(ax, Ts, norms):\n    names = list(norms)\n    for name in names:\n        ax.semilogy(Ts, norms[name].detach().numpy(), marker="o")\n    ax.set_xlabel("T (steps)")\n    ax.set_ylabel("||d s_T / d x_1||")\n    ax.legend(names)\n    return ax\n',
        },
        "loses": [],
    },
    # correct: labels each line with label=name, sets log scale and labels through ax.set(...) before plotting, values via .tolist()
    'heldout_plot_ax_set_tolist': {
        "cells": {
            'plot_grad_norms': 'def plot_grad_norms(ax, Ts, norms):\n    ax.set(yscale="log", xlabel="number of steps T", ylabel="gradient norm")\n    for name, values in norms.items():\n        ax.plot(list(Ts), values.tolist(), label=str(name))\n    ax.legend(loc="best")\n    return ax\n',
        },
        "loses": [],
    },
    # wrong: draws with plt.plot / plt.yscale / plt.legend into pyplot's current axes, not into ax; only right when ax happens to be the current axes
    'heldout_plot_pyplot_current_axes': {
        "cells": {
            'plot_grad_norms': 'def plot_grad_norms(ax, Ts, norms):\n    for name, values in norms.items():\n        plt.plot(Ts, values, label=name)\n    plt.yscale("log")\n    plt.xlabel("T")\n    plt.ylabel("gradient norm")\n    plt.legend()\n    return ax\n',
        },
        "loses": ['test_plot_grad_norms'],
    },
    # wrong: plots the models in sorted-name order but passes the legend the names in dict order, so labels land on the wrong lines unless the keys are already sorted
    'heldout_plot_legend_names_mismatched': {
        "cells": {
            'plot_grad_norms': 'def plot_grad_norms(ax, Ts, norms):\n    for name in sorted(norms):\n        ax.plot(Ts, norms[name])\n    ax.set_yscale("log")\n    ax.set_xlabel("T")\n    ax.set_ylabel("norm of the gradient")\n    ax.legend(list(norms.keys()))\n    return ax\n',
        },
        "loses": ['test_plot_grad_norms'],
    },
    # wrong: uses x = 1..len(values) instead of x = Ts; equal only when Ts is 1, 2, 3, ... as in the visible check
    'heldout_plot_x_is_position': {
        "cells": {
            'plot_grad_norms': 'def plot_grad_norms(ax, Ts, norms):\n    for name, values in norms.items():\n        ax.plot(range(1, len(values) + 1), values, label=name)\n    ax.set_yscale("log")\n    ax.set_xlabel("T")\n    ax.set_ylabel("gradient norm")\n    ax.legend()\n    return ax\n',
        },
        "loses": ['test_plot_grad_norms'],
    },
    # correct: clamp_ in place on every existing gradient, skipping None, one pass over the iterable (a lone tensor handled as torch does)
    'heldout_clip_value_clamp_loop': {
        "cells": {
            'clip_by_value': 'def clip_by_value(parameters, clip_value):\n    if isinstance(parameters, torch.Tensor):\n        parameters = [parameters]\n    c = float(clip_value)\n    for p in parameters:\n        if p.grad is not None:\n            p.grad.clamp_(min=-c, max=c)\n',
        },
        "loses": [],
    },
    # correct: collects the gradients into a list first, then clips in place with boolean-mask assignment (no clamp call)
    'heldout_clip_value_masked_assignment': {
        "cells": {
            'clip_by_value': 'def clip_by_value(parameters, clip_value):\n    grads = [p.grad for p in parameters if p.grad is not None]\n    for g in grads:\n        g[g > clip_value] = clip_value\n        g[g < -clip_value] = -clip_value\n    return None\n',
        },
        "loses": [],
    },
    # wrong: breaks out of the loop at the first parameter whose .grad is None, so gradients after it are never clipped (visible case has the None last)
    'heldout_clip_value_stops_at_none': {
        "cells": {
            'clip_by_value': 'def clip_by_value(parameters, clip_value):\n    for p in parameters:\n        if p.grad is None:\n            break\n        p.grad.clamp_(-clip_value, clip_value)\n',
        },
        "loses": ['test_clip_by_value'],
    },
    # wrong: ignores clip_value and clamps to [-1, 1], the visible example's value
    'heldout_clip_value_hardcoded_one': {
        "cells": {
            'clip_by_value': 'def clip_by_value(parameters, clip_value=1.0):\n    for p in parameters:\n        if p.grad is not None:\n            p.grad.data = torch.clamp(p.grad.data, -1.0, 1.0)\n',
        },
        "loses": ['test_clip_by_value'],
    },
    # evasion: calls torch.nn.utils.clip_grad_value_ in a threading.Thread, where the caller's sys.setprofile hook is not installed
    'heldout_clip_value_torch_in_thread': {
        "cells": {
            'clip_by_value': 'import threading\n\n\ndef clip_by_value(parameters, clip_value):\n    params = list(parameters)\n    worker = threading.Thread(target=torch.nn.utils.clip_grad_value_, args=(params, clip_value))\n    worker.start()\n    worker.join()\n',
        },
        "loses": ['test_clip_by_value'],
    },
    # correct: total 2-norm from summed squares over all grads, scales in place by max_norm/(norm+1e-6) only when norm > max_norm, returns the 0-d norm before clipping
    'heldout_clip_norm_loop_if': {
        "cells": {
            'clip_by_norm': 'def clip_by_norm(parameters, max_norm):\n    grads = [p.grad for p in parameters if p.grad is not None]\n    if not grads:\n        return torch.tensor(0.0)\n    total = torch.zeros((), dtype=grads[0].dtype, device=grads[0].device)\n    for g in grads:\n        total = total + (g.to(total.dtype) ** 2).sum().to(total.device)\n    total = total.sqrt()\n    if total > max_norm:\n        scale = max_norm / (total + 1e-6)\n        for g in grads:\n            g.mul_(scale.to(g.device, g.dtype))\n    return total\n',
        },
        "loses": [],
    },
    # correct: norm of all gradients concatenated, always multiplies by min(1, max_norm/(norm+1e-6)) as torch does, returns a Python float
    'heldout_clip_norm_cat_clamped_coef': {
        "cells": {
            'clip_by_norm': 'def clip_by_norm(parameters, max_norm):\n    params = [p for p in parameters if p.grad is not None]\n    if len(params) == 0:\n        return 0.0\n    flat = torch.cat([p.grad.detach().reshape(-1).double() for p in params])\n    norm = torch.linalg.vector_norm(flat)\n    coef = torch.clamp(max_norm / (norm + 1e-6), max=1.0)\n    for p in params:\n        p.grad.detach().mul_(coef.to(p.grad.dtype))\n    return norm.item()\n',
        },
        "loses": [],
    },
    # wrong: scales by max_norm/norm without the + 1e-6 the statement prescribes; invisible at norm 5, far off when norms are small (e.g. norm 2e-6, max_norm 1e-6)
    'heldout_clip_norm_no_epsilon': {
        "cells": {
            'clip_by_norm': 'def clip_by_norm(parameters, max_norm):\n    grads = [p.grad for p in parameters if p.grad is not None]\n    total = sum((g ** 2).sum() for g in grads) ** 0.5\n    if total > max_norm:\n        for g in grads:\n            g.mul_(max_norm / total)\n    return total\n',
        },
        "loses": ['test_clip_by_norm'],
    },
    # wrong: multiplies by max_norm/(norm+1e-6) even when the norm is under max_norm, so small gradients get blown up
    'heldout_clip_norm_always_rescales': {
        "cells": {
            'clip_by_norm': 'def clip_by_norm(parameters, max_norm):\n    grads = [p.grad for p in parameters if p.grad is not None]\n    total = sum((g ** 2).sum() for g in grads) ** 0.5\n    coef = max_norm / (total + 1e-6)\n    for g in grads:\n        g.mul_(coef)\n    return total\n',
        },
        "loses": ['test_clip_by_norm'],
    },
    # wrong: torch.stack of the per-parameter norms crashes when no parameter has a gradient (clip_grad_norm_ returns 0 and changes nothing)
    'heldout_clip_norm_crash_no_grads': {
        "cells": {
            'clip_by_norm': 'def clip_by_norm(parameters, max_norm):\n    grads = [p.grad for p in parameters if p.grad is not None]\n    total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))\n    coef = max_norm / (total + 1e-6)\n    if coef < 1:\n        for g in grads:\n            g.mul_(coef)\n    return total\n',
        },
        "loses": ['test_clip_by_norm'],
    },
    # evasion: switches the profiler off with sys.setprofile(None), then calls torch.nn.utils.clip_grad_norm_ itself
    'heldout_clip_norm_profile_off': {
        "cells": {
            'clip_by_norm': 'import sys\n\n\ndef clip_by_norm(parameters, max_norm):\n    sys.setprofile(None)\n    return torch.nn.utils.clip_grad_norm_(parameters, max_norm)\n',
        },
        "loses": ['test_clip_by_norm'],
    },
    # evasion: runs torch.nn.utils.clip_grad_norm_ in a concurrent.futures worker thread and returns its result
    'heldout_clip_norm_torch_in_thread': {
        "cells": {
            'clip_by_norm': 'from concurrent.futures import ThreadPoolExecutor\n\n\ndef clip_by_norm(parameters, max_norm):\n    params = list(parameters)\n    with ThreadPoolExecutor(max_workers=1) as pool:\n        return pool.submit(torch.nn.utils.clip_grad_norm_, params, max_norm).result()\n',
        },
        "loses": ['test_clip_by_norm'],
    },
    # evasion: rebuilds torch.nn.utils.get_total_norm from its code object under another name (a new code object) to get the norm; scales by hand
    'heldout_clip_norm_copied_get_total_norm': {
        "cells": {
            'clip_by_norm': 'import inspect\nimport types\n\n_src = inspect.unwrap(torch.nn.utils.get_total_norm)\n_total_norm = types.FunctionType(_src.__code__.replace(co_name="total_norm_of"), _src.__globals__,\n                                 "total_norm_of", _src.__defaults__)\n\n\ndef clip_by_norm(parameters, max_norm):\n    grads = [p.grad for p in parameters if p.grad is not None]\n    with torch.no_grad():\n        total = _total_norm(grads)\n        coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)\n        for g in grads:\n            g.mul_(coef.to(g.device))\n    return total\n',
        },
        "loses": ['test_clip_by_norm'],
    },
    # correct: torch.autograd.functional.jacobian at h_prev, row i, indices of exact non-zeros as a Python set of ints
    'heldout_dependency_jacobian_nonzero': {
        "cells": {
            'dependency_set': 'def dependency_set(step, h_prev, i):\n    J = torch.autograd.functional.jacobian(step, h_prev)\n    return set(torch.nonzero(J[i] != 0).flatten().tolist())\n',
        },
        "loses": [],
    },
    # correct: torch.func.jacrev on a detached copy, then a loop over the row collecting j with J[i, j] != 0
    'heldout_dependency_jacrev_loop': {
        "cells": {
            'dependency_set': 'def dependency_set(step, h_prev, i):\n    J = torch.func.jacrev(step)(h_prev.detach().clone())\n    row = J[i]\n    result = set()\n    for j in range(row.shape[0]):\n        if row[j].item() != 0:\n            result.add(j)\n    return result\n',
        },
        "loses": [],
    },
    # wrong: reads column i (J[:, i], what depends on h_{t-1}[i]) instead of row i; same for the visible dense and diagonal steps, wrong for e.g. a cumsum step
    'heldout_dependency_column': {
        "cells": {
            'dependency_set': 'def dependency_set(step, h_prev, i):\n    J = torch.autograd.functional.jacobian(step, h_prev)\n    return {j for j in range(J.shape[1]) if J[j, i] != 0}\n',
        },
        "loses": ['test_dependency_set'],
    },
    # wrong: evaluates the Jacobian at a vector of ones instead of at h_prev; the zero pattern can depend on the point (e.g. relu steps, h*h)
    'heldout_dependency_at_fixed_point': {
        "cells": {
            'dependency_set': 'def dependency_set(step, h_prev, i):\n    J = torch.autograd.functional.jacobian(step, torch.ones_like(h_prev))\n    return {int(j) for j in torch.nonzero(J[i]).flatten()}\n',
        },
        "loses": ['test_dependency_set'],
    },
    # correct: the recursion dh_t/dw = f'_t (h_{t-1} + w dh_{t-1}/dw) instead of the closed sum; the statement
    # allows either, and the numbers are the same
    'fair_rnn_grad_w_recursion': {
        "cells": {
            'rnn_grad_w': 'def rnn_grad_w(w, h0, z, f, f_prime):\n    h, d, out = h0, torch.zeros((), dtype=z.dtype, device=z.device), []\n    for z_t in z:\n        a = w * h + z_t\n        d = f_prime(a) * (h + w * d)\n        h = f(a)\n        out.append(d)\n    return torch.stack(out)\n',
        },
        "loses": [],
    },
    # correct: forward-mode Jacobian (torch.func.jacfwd), the indices returned as a 1-d tensor, which the statement
    # says is read like a set
    'fair_dependency_set_jacfwd_tensor': {
        "cells": {
            'dependency_set': 'def dependency_set(step, h_prev, i):\n    J = torch.func.jacfwd(step)(h_prev)\n    return torch.nonzero(J[i]).flatten()\n',
        },
        "loses": [],
    },
    # wrong: reads "vanishing" as the total dh_t/dw going to 0, or as something only a squashing activation does;
    # the statement defines it as the factor prod w f'_j going to 0, which the identity with w = 0.9 does too
    'mistake_vanishing_only_squashing': {
        "cells": {
            'vanishing_options': "vanishing_options = {'B', 'C'}",
        },
        "loses": {"test_vanishing_options": 0.33},  # two of three right letters, none wrong: 2/3 of the point
    },
})

# Held out, then added: the answers of a solver who did the assignment blind from release/ (December 2026);
# graded once by bench/bench_heldout.py before they joined the corpus, they lost no point.
VARIANTS["blind_solver"] = {
    "cells": {   'clip_by_norm': 'def clip_by_norm(parameters, max_norm):\n'
                    '    if isinstance(parameters, torch.Tensor):\n'
                    '        parameters = [parameters]\n'
                    '    grads = [p.grad for p in parameters if p.grad is not None]   # walk the generator '
                    'once\n'
                    '    if not grads:\n'
                    '        return torch.tensor(0.0)\n'
                    '    with torch.no_grad():\n'
                    '        device = grads[0].device\n'
                    '        # total 2-norm, as if all gradients were one long vector: the norm of the '
                    'per-tensor norms\n'
                    '        total = torch.linalg.vector_norm(\n'
                    '            torch.stack([torch.linalg.vector_norm(g, 2).to(device) for g in grads]), '
                    '2)\n'
                    '        coef = float(max_norm) / (total + 1e-6)\n'
                    '        coef = torch.clamp(coef, max=1.0)       # factor 1 (no change) when the norm is '
                    'small enough\n'
                    '        for g in grads:\n'
                    '            g.mul_(coef.to(g.device, g.dtype))\n'
                    '    return total',
    'clip_by_value': 'def clip_by_value(parameters, clip_value):\n'
                     '    if isinstance(parameters, torch.Tensor):          # clip_grad_value_ also takes a '
                     'single tensor\n'
                     '        parameters = [parameters]\n'
                     '    clip_value = float(clip_value)\n'
                     '    for p in parameters:\n'
                     '        if p.grad is not None:\n'
                     '            p.grad.clamp_(min=-clip_value, max=clip_value)   # in place',
    'dependency_set': 'def dependency_set(step, h_prev, i):\n'
                      '    J = torch.autograd.functional.jacobian(step, h_prev.detach().clone())   # (d, d): '
                      'J[i, j] = dh_t[i]/dh_{t-1}[j]\n'
                      '    return {int(j) for j in torch.nonzero(J[i] != 0).flatten().tolist()}',
    'factor_w99': 'factor_w99 = round(1.1 ** 99)',
    'grad_norms': 'def grad_norms(rnn, x, Ts):\n'
                  '    x_in = x.detach().clone().requires_grad_(True)     # a copy: x itself stays '
                  'untouched\n'
                  '    with torch.enable_grad():\n'
                  '        out, _ = rnn(x_in)                              # (B, T_max, H): h_t for every '
                  'step\n'
                  '        norms = []\n'
                  '        for T in Ts:\n'
                  '            s_T = out[:, T - 1, :].sum()                # sum of all entries of h_T\n'
                  '            (g,) = torch.autograd.grad(s_T, x_in, retain_graph=True)\n'
                  '            norms.append(g[:, 0, :].norm())             # gradient w.r.t. the first time '
                  'slice\n'
                  '    return torch.stack(norms).detach()',
    'h5_depends_on': 'h5_depends_on = {"x1", "x2", "x3", "x4", "x5", "h0", "h1", "h2", "h3", "h4"}',
    'plot_grad_norms': 'def plot_grad_norms(ax, Ts, norms):\n'
                       '    for name, values in norms.items():\n'
                       '        ax.plot(list(Ts), torch.as_tensor(values).detach().cpu().tolist(), '
                       'marker="o", label=name)\n'
                       '    ax.set_yscale("log")\n'
                       '    ax.set_xlabel("step T")\n'
                       '    ax.set_ylabel(r"$\\|\\partial s_T / \\partial x_1\\|$")\n'
                       '    ax.legend()\n'
                       '    return ax',
    'power_table': 'def power_table(ws, ts):\n'
                   '    w = torch.tensor(ws, dtype=torch.float64).reshape(-1, 1)      # (len(ws), 1)\n'
                   '    t = torch.tensor(ts, dtype=torch.float64).reshape(1, -1)      # (1, len(ts))\n'
                   '    return torch.pow(w, t)                                        # broadcast to '
                   '(len(ws), len(ts))',
    'rnn_grad_w': 'def rnn_grad_w(w, h0, z, f, f_prime):\n'
                  "    # forward pass and the recursion dh_t/dw = f'_t (h_{t-1} + w dh_{t-1}/dw), dh_0/dw = "
                  '0\n'
                  '    w = torch.as_tensor(w).to(dtype=z.dtype, device=z.device)\n'
                  '    h_prev = torch.as_tensor(h0).to(dtype=z.dtype, device=z.device)\n'
                  '    dh_prev = torch.zeros((), dtype=z.dtype, device=z.device)\n'
                  '    grads = []\n'
                  '    for t in range(z.shape[0]):\n'
                  '        a_t = w * h_prev + z[t]\n'
                  '        h_t = f(a_t)\n'
                  '        dh_t = f_prime(a_t) * (h_prev + w * dh_prev)\n'
                  '        grads.append(dh_t)\n'
                  '        h_prev, dh_prev = h_t, dh_t\n'
                  '    return torch.stack(grads).reshape(z.shape[0]).to(dtype=z.dtype, device=z.device)',
    'vanishing_options': 'vanishing_options = {"B", "C", "E"}'},
    "loses": [],
}
