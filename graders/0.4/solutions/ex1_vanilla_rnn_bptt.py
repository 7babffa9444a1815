"""Reference solution for exercise 0.4.1 (shown by `tracker solution 0.4.1` after a pass).

Walk the sequence backwards carrying ``dh_next``, the gradient that reaches h_t from the later steps.
At step t the total gradient of h_t is its direct part plus ``dh_next``; through tanh it becomes
``da = dh * (1 - h_t**2)`` (tanh' written with the output h_t); then

    dW_xh += da.T @ x_t,   dW_hh += da.T @ h_{t-1},   db_h += da.sum(0),
    dx_t   = da @ W_xh,    dh_next = da @ W_hh        (the gradient of h_{t-1}).

Truncation simply drops ``dh_next`` at a chunk boundary instead of passing it on.
"""

from __future__ import annotations

import torch


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    h = h0
    hs = []
    for t in range(x.shape[0]):
        h = torch.tanh(x[t] @ W_xh.T + h @ W_hh.T + b_h)
        hs.append(h)
    return torch.stack(hs)


def rnn_backward(x, h0, hs, W_xh, W_hh, b_h, dhs, truncate=None):
    steps = x.shape[0]
    dx = torch.zeros_like(x)
    dW_xh = torch.zeros_like(W_xh)
    dW_hh = torch.zeros_like(W_hh)
    db_h = torch.zeros_like(b_h)
    dh_next = torch.zeros_like(h0)
    for t in reversed(range(steps)):
        h_prev = hs[t - 1] if t > 0 else h0
        dh = dhs[t] + dh_next
        da = dh * (1 - hs[t] ** 2)
        dW_xh += da.T @ x[t]
        dW_hh += da.T @ h_prev
        db_h += da.sum(0)
        dx[t] = da @ W_xh
        dh_next = da @ W_hh
        if truncate is not None and t > 0 and t % truncate == 0:
            dh_next = torch.zeros_like(dh_next)  # h_{t-1} enters a new chunk as a constant
    return {"x": dx, "h0": dh_next, "W_xh": dW_xh, "W_hh": dW_hh, "b_h": db_h}
