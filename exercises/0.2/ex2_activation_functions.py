"""Exercise 0.2.2: activation functions and their derivatives, written from exp, erf and friends.

Write each activation ``f`` and its elementwise derivative ``f_grad(x) = f'(x)``. Every function takes a
floating-point tensor of any shape and returns a tensor of the same shape and dtype (the grader uses
``torch.float32`` and ``torch.float64``).

* ``relu(x) = max(x, 0)``; ``relu_grad(x)`` is 1 for ``x > 0`` and 0 otherwise (0 at ``x = 0``,
  PyTorch's convention).
* ``leaky_relu(x, negative_slope=0.01)`` is ``x`` for ``x > 0`` and ``negative_slope * x`` otherwise;
  ``leaky_relu_grad(x, negative_slope=0.01)`` is 1 for ``x > 0`` and ``negative_slope`` otherwise
  (``negative_slope`` at ``x = 0``, PyTorch's convention).
* ``sigmoid(x) = 1 / (1 + exp(-x))``; ``sigmoid_grad``. Both must be *stable*: finite and correct at
  ``x = +-1000`` in float32 and float64 (no ``inf / inf``, no NaN). Hint: only ever exponentiate a
  non-positive number, ``exp(-|x|)``.
* ``tanh(x)``; ``tanh_grad``. Also stable at ``+-1000`` (the textbook
  ``(e^x - e^-x) / (e^x + e^-x)`` is ``inf / inf`` there).
* ``gelu(x, approximate="none")``; ``gelu_grad(x, approximate="none")``, matching PyTorch's
  ``F.gelu``:

  - ``approximate="none"`` (exact): ``gelu(x) = x * Phi(x)`` with the standard normal CDF
    ``Phi(x) = 0.5 * (1 + erf(x / sqrt(2)))``;
  - ``approximate="tanh"``: ``gelu(x) = 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))``.

  Both must be finite and correct at ``+-1000`` too.

Off-limits while your code runs (the grader uses them as the reference): ``torch.relu``,
``torch.sigmoid``, ``torch.tanh``, ``torch.special.expit``, the ``Tensor`` methods ``relu``,
``sigmoid``, ``tanh`` (and their in-place ``_`` forms), ``F.relu``, ``F.leaky_relu``, ``F.sigmoid``,
``F.tanh``, ``F.gelu``, and autograd (``Tensor.backward``, ``torch.autograd.grad``). Allowed:
``torch.exp``, ``torch.erf``, ``torch.abs``, ``torch.where``, ``torch.clamp``, ``torch.sign``,
arithmetic, and your own functions (your ``gelu`` may call your ``tanh``).

Tolerances: float64 results within ``rtol=1e-7, atol=1e-10`` of PyTorch's values and autograd's
derivatives; float32 within ``rtol=1e-5, atol=1e-5``. The grader checks dtype and shape too.

The grader also runs your code on its device (a GPU when there is one): create every tensor on the
input's device (``device=x.device``, ``torch.zeros_like``), with no hard-coded ``"cuda"`` or ``.cuda()``
(they fail on a Mac or a CPU-only laptop) and no ``.item()`` inside a loop (each one waits for the GPU).
"""

from __future__ import annotations

import torch


def relu(x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("write relu")


def relu_grad(x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("write relu_grad")


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    raise NotImplementedError("write leaky_relu")


def leaky_relu_grad(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    raise NotImplementedError("write leaky_relu_grad")


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("write sigmoid")


def sigmoid_grad(x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("write sigmoid_grad")


def tanh(x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("write tanh")


def tanh_grad(x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("write tanh_grad")


def gelu(x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    raise NotImplementedError("write gelu")


def gelu_grad(x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    raise NotImplementedError("write gelu_grad")
