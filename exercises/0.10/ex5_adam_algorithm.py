"""Exercise 0.10.5: Adam exactly as Algorithm 1 of Kingma & Ba (2014).

Algorithm 1, for one parameter tensor, with step size alpha (``lr``), decay rates beta1, beta2 and
epsilon (defaults 1e-3, 0.9, 0.999, 1e-8), starting from m_0 = v_0 = 0 and t = 0:

    t   <- t + 1
    g_t <- gradient at theta_{t-1}
    m_t <- beta1 * m_{t-1} + (1 - beta1) * g_t              (biased first moment)
    v_t <- beta2 * v_{t-1} + (1 - beta2) * g_t ** 2         (biased second raw moment, elementwise square)
    m_hat <- m_t / (1 - beta1 ** t)                         (bias corrections)
    v_hat <- v_t / (1 - beta2 ** t)
    theta_t <- theta_{t-1} - alpha * m_hat / (sqrt(v_hat) + epsilon)

Epsilon is added AFTER the square root of the bias-corrected v_hat, exactly as written above. (Section 2
of the paper also gives a reordered "more efficient" form that folds the corrections into the step size;
it puts epsilon next to the uncorrected sqrt(v_t), which is a different epsilon. Do not use it.)

Implement:

``adam_update(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8) -> (theta, m, v)``
    One update. ``theta, grad, m, v`` are tensors of one shape and dtype (the grader uses float64);
    ``t`` is the index of THIS update, already incremented (1 for the first update). Return the new
    ``(theta_t, m_t, v_t)`` as new tensors; do not modify the arguments in place.

``class Adam(torch.optim.Optimizer)``
    ``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)``; no weight decay, no AMSGrad. Pass the
    defaults to ``torch.optim.Optimizer.__init__`` so that parameter groups work, and read ``lr``,
    ``betas`` and ``eps`` from each group. ``step(closure=None)``: if a closure is given, call it
    (with gradients enabled) and return its loss, else return None; update every parameter whose
    ``.grad`` is not None IN PLACE (under ``torch.no_grad()``), and skip parameters whose ``.grad``
    is None. Keep the state per parameter in ``self.state[p]``: its own step count t (incremented only
    when that parameter is updated, so a parameter that first gets a gradient at the optimizer's 4th step
    uses t = 1 then), m and v.

Off-limits: ``torch.optim.Adam``, ``torch.optim.AdamW`` and their functional forms.

The grader also runs both on its device (a GPU when there is one): make the state on each parameter's
device (``torch.zeros_like(p)``), and never hard-code ``"cuda"``.

Tolerances: ``adam_update`` rtol 1e-7 (float64); the optimizer's parameters after each step rtol 1e-5,
atol 1e-6 against ``torch.optim.Adam`` (which implements Algorithm 1) on float32 parameters.
"""

from __future__ import annotations

import torch


def adam_update(
    theta: torch.Tensor,
    grad: torch.Tensor,
    m: torch.Tensor,
    v: torch.Tensor,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One step of Algorithm 1; t is this update's index (1 for the first). Returns (theta, m, v)."""
    raise NotImplementedError("write adam_update")


class Adam(torch.optim.Optimizer):
    """Algorithm 1 as a torch optimizer (per-parameter state: step, m, v)."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        raise NotImplementedError("write Adam.__init__")

    @torch.no_grad()
    def step(self, closure=None):
        raise NotImplementedError("write Adam.step")
