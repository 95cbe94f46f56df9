"""Made-up submissions for 07_rnn: answer cells by grade id, and the test cells they lose."""

VARIANTS = {
    # Correct, but written differently from the reference: full marks.
    "alternative": {
        "cells": {
            "slow_options": "slow_options = 'b'",
            "h5_depends_on": "h5_depends_on = ['x_1', 'x2', 'X3', 'x4', 'x5', 'h_0', 'H1', 'h2', 'h3', 'h4']",
            "chain_rule_options": "chain_rule_options = ['b']",
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
            "slow_options": "slow_options = frozenset({'B'})",
            "h5_depends_on": """
import numpy as np
h5_depends_on = tuple(np.array(["x1", "x2", "x3", "x4", "x5", "h0", "h1", "h2", "h3", "h4"]))
""",
            "chain_rule_options": "chain_rule_options = 'B'",
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
    # Quiz slips: "tanh is slow" added, the chain rule written as a sum.
    "mistake_quiz_slow_and_chain_rule": {
        "cells": {
            "slow_options": "slow_options = {'B', 'D'}",
            "chain_rule_options": "chain_rule_options = {'A'}",
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
    # Quiz slips: only the direct inputs of h5, w^100 instead of w^99, "large w vanishes",
    # "a matrix recurrence can start early".
    "mistake_quiz_answers": {
        "cells": {
            "h5_depends_on": "h5_depends_on = {'h4', 'x5'}",
            "factor_w99": "factor_w99 = round(1.1 ** 100)",
            "vanishing_options": "vanishing_options = {'B', 'C', 'D', 'E'}",
            "recurrence_options": "recurrence_options = {'A', 'B', 'D', 'E'}",
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
