"""Reference solution for exercise 0.4.3 (shown by `tracker solution 0.4.3` after a pass).

The input and hidden products are computed separately (not summed first) because the reset gate must
scale only the hidden part of the candidate, bias included. Parameter counts: per layer and direction,
G * H * (input + H) weights plus 2 * G * H biases; a GRU has three gate blocks to the LSTM's four, so it
has exactly 3/4 of the parameters of an LSTM of the same sizes.
"""

from __future__ import annotations

import torch


def gru_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    a_r, a_z, a_n = (x @ W_ih.T + b_ih).chunk(3, dim=1)
    u_r, u_z, u_n = (h @ W_hh.T + b_hh).chunk(3, dim=1)
    r = torch.sigmoid(a_r + u_r)
    z = torch.sigmoid(a_z + u_z)
    n = torch.tanh(a_n + r * u_n)
    return (1 - z) * n + z * h


def gru_sequence(x, h0, W_ih, W_hh, b_ih, b_hh):
    h = h0
    outputs = []
    for t in range(x.shape[0]):
        h = gru_cell(x[t], h, W_ih, W_hh, b_ih, b_hh)
        outputs.append(h)
    return torch.stack(outputs), h


def _count(gates, input_size, hidden_size, num_layers, bias, bidirectional):
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        layer_input = input_size if layer == 0 else hidden_size * directions
        per_direction = gates * hidden_size * (layer_input + hidden_size)
        if bias:
            per_direction += 2 * gates * hidden_size
        total += directions * per_direction
    return total


def lstm_param_count(input_size, hidden_size, num_layers=1, bias=True, bidirectional=False):
    return _count(4, input_size, hidden_size, num_layers, bias, bidirectional)


def gru_param_count(input_size, hidden_size, num_layers=1, bias=True, bidirectional=False):
    return _count(3, input_size, hidden_size, num_layers, bias, bidirectional)
