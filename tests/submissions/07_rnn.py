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
}
