"""Exercise 0.6.2: Adam with bias correction, and AdamW (decoupled weight decay), from scratch.

Write two optimizer classes whose parameter trajectories equal ``torch.optim.Adam`` and
``torch.optim.AdamW`` step for step. ``torch.optim.Adam``, ``torch.optim.AdamW`` (and their
``torch.optim.adam`` / ``torch.optim.adamw`` module twins, the functional ``adam``/``adamw`` and the
fused ``torch._fused_adam_``/``torch._fused_adamw_`` kernels) are off-limits while your code runs: the
grader uses them as the reference. Subclassing ``torch.optim.Optimizer`` is allowed but not required.

Interface (both classes):

* ``__init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=...)`` where ``params`` is
  an iterable of tensors (the grader passes ``model.parameters()``, a GENERATOR that can be iterated
  only once). The default ``weight_decay`` is ``0.0`` for ``Adam`` and ``1e-2`` for ``AdamW``.
* ``step(self) -> None`` updates every parameter IN PLACE from its ``.grad`` (no autograd history: use
  ``torch.no_grad()``). The grader computes the gradients and clears them between steps (it sets
  ``p.grad = None``); your ``step`` must not zero or modify gradients. A parameter whose ``.grad`` is
  ``None`` is skipped entirely: it does not move and its state does not change.

Per parameter ``p`` with gradient ``g``, keep its own state: the first moment ``m`` and the second moment
``v`` (zeros of ``p``'s shape at first) and its own step count ``t`` (0 at first; it counts the steps in
which THIS parameter had a gradient). On each step:

1. ``t = t + 1``
2. ``Adam`` only, when ``weight_decay != 0``: L2 regularization folded into the gradient,
   ``g = g + weight_decay * p``.
   ``AdamW`` only: decoupled weight decay applied to the parameter first, ``p = p * (1 - lr * weight_decay)``
   (the gradient is left alone).
3. ``m = beta1 * m + (1 - beta1) * g`` and ``v = beta2 * v + (1 - beta2) * g * g``
4. bias correction: ``m_hat = m / (1 - beta1 ** t)`` and ``v_hat = v / (1 - beta2 ** t)``
5. ``p = p - lr * m_hat / (sqrt(v_hat) + eps)`` (``eps`` OUTSIDE the square root)

The grader also steps your optimizers with the parameters on its device (a GPU when there is one): make
the state on each parameter's device (``torch.zeros_like(p)``), and never hard-code ``"cuda"``.

Tolerance: after every one of 50 steps, all parameters are compared with torch's with ``rtol=1e-4`` and
``atol=1e-6`` (float32 parameters; float64 arithmetic inside is fine).
"""

from __future__ import annotations

import torch


class Adam:
    """Adam with bias correction; ``weight_decay`` is classic L2 (added to the gradient)."""

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0):
        raise NotImplementedError("write Adam.__init__")

    def step(self) -> None:
        raise NotImplementedError("write Adam.step")


class AdamW:
    """Adam with decoupled weight decay: ``p *= 1 - lr * weight_decay`` before the Adam update."""

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2):
        raise NotImplementedError("write AdamW.__init__")

    def step(self) -> None:
        raise NotImplementedError("write AdamW.step")
