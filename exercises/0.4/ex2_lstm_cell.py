"""Exercise 0.4.2: an LSTM cell, gate by gate, laid out exactly as PyTorch lays it out.

Write the LSTM of ``nn.LSTMCell`` / ``nn.LSTM`` (no peepholes, no projection) from basic tensor
operations (``@``, ``torch.sigmoid``, ``torch.tanh``, slicing, ``chunk``, ``torch.stack``).
Off-limits while your code runs (the grader uses them as the reference): ``torch.nn.LSTMCell``,
``torch.nn.LSTM``, ``torch.lstm_cell``, ``torch.lstm``.

Layout (PyTorch's): the four gates' weights are stacked along the first axis in the order
**i, f, g, o** (input gate, forget gate, cell candidate, output gate):

* ``W_ih`` is ``(4H, D)``: rows ``0:H`` belong to i, ``H:2H`` to f, ``2H:3H`` to g, ``3H:4H`` to o;
* ``W_hh`` is ``(4H, H)``, ``b_ih`` and ``b_hh`` are ``(4H,)``, split the same way (two bias vectors,
  both added).

For an input ``x`` of shape ``(N, D)`` and a state ``(h, c)``, each ``(N, H)``:

    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh          # (N, 4H), then split into 4 blocks of H
    i = sigmoid(z_i)   f = sigmoid(z_f)   g = tanh(z_g)   o = sigmoid(z_o)
    c_new = f * c + i * g
    h_new = o * tanh(c_new)

Write

* ``lstm_gates(x, h, W_ih, W_hh, b_ih, b_hh) -> (i, f, g, o)``: the four gate activations, each ``(N, H)``
  (after their sigmoid / tanh).
* ``lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh) -> (h_new, c_new)``: one step.
* ``lstm_sequence(x, h0, c0, W_ih, W_hh, b_ih, b_hh) -> (outputs, (h_T, c_T))``: run the cell over
  ``x`` of shape ``(T, N, D)`` (time first) from ``(h0, c0)``; ``outputs`` is ``(T, N, H)`` and holds the
  hidden states h_1..h_T (what ``nn.LSTM`` returns as its output), ``(h_T, c_T)`` is the final state.
* ``set_forget_bias(cell, value)``: for an ``nn.LSTMCell`` ``cell`` (built by the grader), set its forget
  gate's total bias to ``value`` (a common initialisation: value = 1 keeps the cell's memory at the start of
  training): ``cell.bias_ih``'s forget-gate entries become ``value``, ``cell.bias_hh``'s forget-gate entries
  become 0, every other entry is left unchanged. Modify the parameters in place (under
  ``torch.no_grad()``); return None.

Everything is float32; keep it differentiable (the grader compares gradients through ``lstm_cell``
with ``nn.LSTMCell``'s). Tolerances: rtol = 1e-4, atol = 1e-5 (gradients rtol = 1e-4, atol = 1e-4);
``set_forget_bias`` exactly.

The grader also runs your code on its device (a GPU when there is one): create every tensor on the
input's device (``device=x.device``, ``torch.zeros_like``), with no hard-coded ``"cuda"`` or ``.cuda()``
(they fail on a Mac or a CPU-only laptop) and no ``.item()`` inside a loop (each one waits for the GPU).
"""

from __future__ import annotations

import torch
from torch import nn


def lstm_gates(
    x: torch.Tensor, h: torch.Tensor, W_ih: torch.Tensor, W_hh: torch.Tensor, b_ih: torch.Tensor, b_hh: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Return the activations ``(i, f, g, o)``, each of shape ``(N, H)``."""
    raise NotImplementedError("write lstm_gates")


def lstm_cell(
    x: torch.Tensor,
    h: torch.Tensor,
    c: torch.Tensor,
    W_ih: torch.Tensor,
    W_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(h_new, c_new)``, each of shape ``(N, H)``."""
    raise NotImplementedError("write lstm_cell")


def lstm_sequence(
    x: torch.Tensor,
    h0: torch.Tensor,
    c0: torch.Tensor,
    W_ih: torch.Tensor,
    W_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
    """Return ``(outputs, (h_T, c_T))`` with outputs of shape ``(T, N, H)``."""
    raise NotImplementedError("write lstm_sequence")


def set_forget_bias(cell: nn.LSTMCell, value: float = 1.0) -> None:
    """Make the forget gate's total bias equal ``value`` (in bias_ih; bias_hh's forget entries to 0), in place."""
    raise NotImplementedError("write set_forget_bias")
