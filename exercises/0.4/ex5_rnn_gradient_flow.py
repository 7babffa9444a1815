"""Exercise 0.4.5: how far back does the gradient reach? RNN vs GRU vs LSTM on synthetic sequences.

Measure how the gradient of a loss at the END of a sequence shrinks as it travels back through time, and
summarise that decay by a per-step retention factor and a horizon. Autograd is allowed (and expected).

Write

* ``hidden_grad_norms(cell, x) -> norms``: ``cell`` is an ``nn.RNNCell``, ``nn.GRUCell`` or ``nn.LSTMCell``
  (built by the grader; use ``cell.hidden_size``; do not change its parameters); ``x`` has shape
  ``(T, N, D)`` (time first). Unroll the cell over x from a zero initial state (h = 0, and c = 0 for the
  LSTM): ``h = cell(x[t], h)`` for the RNN and GRU cells, ``h, c = cell(x[t], (h, c))`` for the LSTM cell.
  Let ``L = h_T.sum()`` (the sum over batch and hidden units of the LAST hidden state). Return a 1-D
  float tensor of length T with ``norms[t] = || dL / d h_{t+1} ||``, the Frobenius norm over the whole
  ``(N, H)`` gradient of the hidden state produced at step t (0-based), where dL/dh is the TOTAL
  derivative through all later steps (for the LSTM, h is the cell's hidden output, not its cell state c).
  So ``norms[T-1] = sqrt(N * H)``, and ``norms[0]`` is the gradient that reaches the first step.
* ``retention_per_step(norms) -> float``: fit ``ln(norms[t]) = a + b * k`` by ordinary least squares over
  all T points, where ``k = T - 1 - t`` is the number of steps back from the end, and return ``exp(b)``:
  the factor by which the gradient norm is multiplied per step back (< 1 means it vanishes). Natural log.
* ``vanishing_horizon(norms, threshold=1e-2) -> int | None``: the smallest number of steps back k
  (1 <= k <= T - 1) with ``norms[T - 1 - k] < threshold * norms[T - 1]`` (strictly below); ``None`` if no
  such k exists.

The grader compares all three with its own reference on seeded cells (float32), then shows the classic
result on them: with PyTorch's default initialisation an LSTM's gradient decays about as fast as a
vanilla RNN's, while an LSTM whose forget-gate bias is set to 1 retains far more per step. Tolerances:
norms rtol = 1e-3, atol = 1e-12; retention rtol = 1e-3; horizons exactly.

The grader also runs your code on its device (a GPU when there is one): create every tensor on the
input's device (``device=x.device``, ``torch.zeros_like``), with no hard-coded ``"cuda"`` or ``.cuda()``
(they fail on a Mac or a CPU-only laptop) and no ``.item()`` per step in ``hidden_grad_norms`` (each one
waits for the GPU).
"""

from __future__ import annotations

import torch
from torch import nn


def hidden_grad_norms(cell: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Return ``norms`` of shape ``(T,)``: the norm of dL/dh at every step, L = h_T.sum()."""
    raise NotImplementedError("write hidden_grad_norms")


def retention_per_step(norms: torch.Tensor) -> float:
    """Return exp(slope) of the least-squares fit of ln(norm) against the number of steps back."""
    raise NotImplementedError("write retention_per_step")


def vanishing_horizon(norms: torch.Tensor, threshold: float = 1e-2) -> int | None:
    """Return the first k >= 1 steps back where the norm drops below threshold * norms[-1], or None."""
    raise NotImplementedError("write vanishing_horizon")
