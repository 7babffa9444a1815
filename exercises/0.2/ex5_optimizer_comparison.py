"""Exercise 0.2.5: SGD with momentum, RMSprop and Adam from scratch, compared on the same network.

Write three optimizers with the interface of ``torch.optim``: the constructor takes an iterable of
parameters (leaf tensors with ``requires_grad=True``) and hyperparameters; ``step()`` updates every
parameter in place from its ``.grad`` (inside ``torch.no_grad()``); ``zero_grad()`` sets every
parameter's ``.grad`` to ``None``. Skip parameters whose ``.grad`` is ``None`` (they keep their value
and their state). Keep one state per parameter (buffers shaped like the parameter, initialised to zeros,
and for Adam a step count of its own, counted only on the steps where it has a gradient). Your updates must equal PyTorch's, whose conventions are, for a gradient
``g`` and step number ``t = 1, 2, ...`` of that parameter:

* ``SGDMomentum(params, lr, momentum=0.9)`` (``torch.optim.SGD`` with ``momentum``, no dampening, no
  Nesterov): ``buf = momentum * buf + g`` (the first step sets ``buf = g``), then ``p -= lr * buf``.
* ``RMSprop(params, lr=0.01, alpha=0.99, eps=1e-8)``: ``v = alpha * v + (1 - alpha) * g**2``, then
  ``p -= lr * g / (sqrt(v) + eps)``. Note where eps goes: *outside* the square root.
* ``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)``: ``m = b1 * m + (1 - b1) * g``,
  ``v = b2 * v + (1 - b2) * g**2``, ``m_hat = m / (1 - b1**t)``, ``v_hat = v / (1 - b2**t)``, then
  ``p -= lr * m_hat / (sqrt(v_hat) + eps)``.

Also write ``train(model, X, y, optimizer, steps) -> losses``: the loop that compares optimizers on one
architecture. At each step: ``optimizer.zero_grad()``; ``loss = mean((model(X) - y) ** 2)``; append
``loss.item()`` to ``losses``; ``loss.backward()``; ``optimizer.step()``. Return the ``steps`` losses
(each measured before its update). Autograd is fine here: only the update rules are yours.

Off-limits while your code runs: ``torch.optim.SGD``, ``torch.optim.RMSprop``, ``torch.optim.Adam``,
``torch.optim.AdamW`` and their functional forms (the grader runs them as the reference). Subclassing
``torch.optim.Optimizer`` is allowed but not needed.

The grader trains a small float64 MLP for 20 steps with your optimizer and with PyTorch's from identical
starting weights, under default and non-default hyperparameters (for example ``eps=1e-3``), and compares
every parameter after every step within ``rtol=1e-6, atol=1e-9``.

The grader also runs your code on its device (a GPU when there is one): create every tensor on the
input's device (``device=x.device``, ``torch.zeros_like``), with no hard-coded ``"cuda"`` or ``.cuda()``
(they fail on a Mac or a CPU-only laptop).
"""

from __future__ import annotations

from typing import Iterable

import torch


class SGDMomentum:
    def __init__(self, params: Iterable[torch.Tensor], lr: float, momentum: float = 0.9):
        raise NotImplementedError("write SGDMomentum")

    def zero_grad(self) -> None:
        raise NotImplementedError("write SGDMomentum.zero_grad")

    def step(self) -> None:
        raise NotImplementedError("write SGDMomentum.step")


class RMSprop:
    def __init__(self, params: Iterable[torch.Tensor], lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8):
        raise NotImplementedError("write RMSprop")

    def zero_grad(self) -> None:
        raise NotImplementedError("write RMSprop.zero_grad")

    def step(self) -> None:
        raise NotImplementedError("write RMSprop.step")


class Adam:
    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ):
        raise NotImplementedError("write Adam")

    def zero_grad(self) -> None:
        raise NotImplementedError("write Adam.zero_grad")

    def step(self) -> None:
        raise NotImplementedError("write Adam.step")


def train(model: torch.nn.Module, X: torch.Tensor, y: torch.Tensor, optimizer, steps: int) -> list[float]:
    """Full-batch MSE training; return the loss before each of the ``steps`` updates."""
    raise NotImplementedError("write train")
