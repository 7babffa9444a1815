"""Reference solution for exercise 0.9.2 (shown by `tracker solution 0.9.2` after a pass)."""

from __future__ import annotations

from typing import Callable

import torch

LossFn = Callable[[torch.Tensor], torch.Tensor]


def hvp(loss_fn: LossFn, theta: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    theta = theta.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(loss_fn(theta), theta, create_graph=True)
    (hv,) = torch.autograd.grad((grad * v).sum(), theta)
    return hv.detach()


def full_hessian(loss_fn: LossFn, theta: torch.Tensor) -> torch.Tensor:
    P = theta.numel()
    eye = torch.eye(P, dtype=torch.float64, device=theta.device)
    return torch.stack([hvp(loss_fn, theta, eye[j]) for j in range(P)], dim=1)


def top_hessian_eigenvalue(
    loss_fn: LossFn,
    theta: torch.Tensor,
    n_iter: int = 1000,
    tol: float = 1e-10,
    generator: torch.Generator | None = None,
) -> tuple[float, torch.Tensor]:
    v = torch.randn(theta.numel(), generator=generator, dtype=torch.float64).to(theta.device)
    v = v / v.norm()
    lam_prev = None
    lam = 0.0
    for _ in range(n_iter):
        w = hvp(loss_fn, theta, v)
        lam = float(v @ w)
        v = w / w.norm()
        if lam_prev is not None and abs(lam - lam_prev) <= tol * abs(lam):
            break
        lam_prev = lam
    return lam, v
