"""Reference solution for exercise 0.4.5 (shown by `tracker solution 0.4.5` after a pass).

Keep every hidden state of the unrolled graph and ask autograd for dL/dh_t of all of them at once. In a
vanilla RNN each step back multiplies the gradient by W_hh.T diag(1 - h^2), so it shrinks geometrically
unless W_hh is large; an LSTM's cell state carries it through an elementwise product with the forget
gate, which stays close to 1 when the forget bias is positive: the "constant error carousel".
"""

from __future__ import annotations

import math

import torch
from torch import nn


def hidden_grad_norms(cell, x):
    steps, batch, _ = x.shape
    h = x.new_zeros(batch, cell.hidden_size)
    c = x.new_zeros(batch, cell.hidden_size)
    states = []
    for t in range(steps):
        if isinstance(cell, nn.LSTMCell):
            h, c = cell(x[t], (h, c))
        else:
            h = cell(x[t], h)
        states.append(h)
    loss = states[-1].sum()
    grads = torch.autograd.grad(loss, states)
    return torch.stack([g.norm() for g in grads]).detach()


def retention_per_step(norms):
    logs = [math.log(float(v)) for v in norms]
    steps = len(logs)
    back = [steps - 1 - t for t in range(steps)]
    mean_k = sum(back) / steps
    mean_y = sum(logs) / steps
    cov = sum((k - mean_k) * (y - mean_y) for k, y in zip(back, logs))
    var = sum((k - mean_k) ** 2 for k in back)
    return math.exp(cov / var)


def vanishing_horizon(norms, threshold=1e-2):
    steps = len(norms)
    last = float(norms[steps - 1])
    for k in range(1, steps):
        if float(norms[steps - 1 - k]) < threshold * last:
            return k
    return None
