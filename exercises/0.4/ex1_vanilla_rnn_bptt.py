"""Exercise 0.4.1: a vanilla RNN forward pass and backpropagation through time (BPTT) by hand.

The recurrence (one bias vector; row-vector convention, batch first in each step):

    h_t = tanh(x_t @ W_xh.T + h_{t-1} @ W_hh.T + b_h),    t = 1, ..., T

Shapes: ``x`` is ``(T, N, D)`` (time first: ``x[t]`` is the input of step t+1 for a batch of N),
``h0`` is ``(N, H)``, ``W_xh`` is ``(H, D)``, ``W_hh`` is ``(H, H)``, ``b_h`` is ``(H,)``. All float32.

Write

* ``rnn_forward(x, h0, W_xh, W_hh, b_h) -> hs``: all hidden states ``h_1 ... h_T`` stacked, shape
  ``(T, N, H)`` (``hs[t]`` is h_{t+1}; h0 is not included).
* ``rnn_backward(x, h0, hs, W_xh, W_hh, b_h, dhs, truncate=None) -> dict``: the gradients, by hand, of a
  loss L whose own partial derivative with respect to each hidden state is given: ``dhs`` has shape
  ``(T, N, H)`` and ``dhs[t] = dL/d hs[t]`` counting only the loss's direct use of hs[t] (e.g. a readout at
  that step), not its influence through later states. Equivalently, L = ``(hs * dhs).sum()`` with ``dhs``
  held fixed. Your job is the TOTAL gradient, which also flows back through the recurrence. ``hs`` is
  the output of ``rnn_forward`` on the same inputs. Return a dict with the keys ``"x"`` (shape of x),
  ``"h0"`` (shape of h0), ``"W_xh"``, ``"W_hh"``, ``"b_h"`` (shapes of those parameters).

  ``truncate=None`` is full BPTT. ``truncate=k`` (an int >= 1) is truncated BPTT in chunks of k steps: the
  sequence is cut into chunks of steps [0, k), [k, 2k), ... (0-based step indices), and the hidden
  state that enters a chunk other than the first is treated as a constant (as if ``.detach()`` were
  called on it): no gradient crosses a chunk boundary. The forward values do not change. ``"h0"``
  still receives the gradient of the first chunk.

Off-limits while your code runs (the grader uses them as the reference; your backward must be written
out by hand): ``torch.autograd.grad``, ``torch.autograd.backward``, ``Tensor.backward``,
``torch.func.grad``, ``torch.func.vjp``, ``torch.func.grad_and_value``, ``torch.autograd.functional.vjp``,
``torch.autograd.functional.jacobian``, ``torch.nn.RNN``, ``torch.nn.RNNCell``, ``torch.rnn_tanh``,
``torch.rnn_tanh_cell``.

The grader compares your forward with ``nn.RNN`` (same weights) and your gradients with autograd, on
sequences of up to 12 steps, and then trains a tiny RNN on a delayed-echo task with your gradients
(plain gradient descent) to check that the loss falls as it does with autograd's. Tolerances:
rtol = 1e-4, atol = 1e-5 for the forward, rtol = 1e-3, atol = 1e-5 for gradients.

The grader also runs your code on its device (a GPU when there is one): create every tensor on the
input's device (``device=x.device``, ``torch.zeros_like``), with no hard-coded ``"cuda"`` or ``.cuda()``
(they fail on a Mac or a CPU-only laptop) and no ``.item()`` inside a loop (each one waits for the GPU).
"""

from __future__ import annotations

import torch


def rnn_forward(
    x: torch.Tensor, h0: torch.Tensor, W_xh: torch.Tensor, W_hh: torch.Tensor, b_h: torch.Tensor
) -> torch.Tensor:
    """Return all hidden states h_1..h_T, shape ``(T, N, H)``."""
    raise NotImplementedError("write rnn_forward")


def rnn_backward(
    x: torch.Tensor,
    h0: torch.Tensor,
    hs: torch.Tensor,
    W_xh: torch.Tensor,
    W_hh: torch.Tensor,
    b_h: torch.Tensor,
    dhs: torch.Tensor,
    truncate: int | None = None,
) -> dict[str, torch.Tensor]:
    """Return ``{"x", "h0", "W_xh", "W_hh", "b_h"}`` gradients computed by backpropagation through time."""
    raise NotImplementedError("write rnn_backward")
