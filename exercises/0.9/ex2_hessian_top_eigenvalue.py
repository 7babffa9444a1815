"""Exercise 0.9.2: the top Hessian eigenvalue of a loss, by power iteration on Hessian-vector products.

The sharpness of a loss landscape at a point is the largest eigenvalue (in magnitude) of the Hessian of
the loss with respect to the parameters. For a real network the Hessian (P x P) is far too big to form,
but a Hessian-vector product H v costs about two backward passes (Pearlmutter's trick: differentiate
``grad(loss) . v`` once more), and power iteration needs nothing else.

Conventions: ``loss_fn`` is a Python callable that maps a 1-D float64 tensor ``theta`` (all parameters,
flattened; P entries) to a scalar tensor, differentiably. Every tensor you return is float64 and
detached.

* ``hvp(loss_fn, theta, v) -> Tensor (P,)``: the exact product H(theta) @ v by double backward: compute
  the gradient with ``torch.autograd.grad(..., create_graph=True)`` at a copy of theta that requires
  grad, then differentiate ``(grad * v).sum()`` once more. No finite differences.
* ``full_hessian(loss_fn, theta) -> Tensor (P, P)``: the whole Hessian, one column per Hessian-vector
  product with a basis vector (column j = H @ e_j).
* ``top_hessian_eigenvalue(loss_fn, theta, n_iter=1000, tol=1e-10, generator=None) -> (float, Tensor)``:
  power iteration. Start from ``v = torch.randn(P, generator=generator, dtype=torch.float64)``,
  normalised to unit length; repeat at most ``n_iter`` times: ``w = hvp(loss_fn, theta, v)``,
  ``lam = v . w`` (the Rayleigh quotient, v has unit norm), ``v = w / ||w||``; stop as soon as
  ``|lam - lam_previous| <= tol * |lam|``. Return ``(lam, v)``: the eigenvalue of LARGEST MAGNITUDE, with
  its sign (a Hessian can have negative eigenvalues; power iteration converges to the one of largest
  |lambda|), and a unit-norm eigenvector (its overall sign is arbitrary).

Off-limits while your code runs (the grader uses them as the reference): ``torch.autograd.functional``'s
``hessian``, ``hvp``, ``vhp``, ``jacobian``; ``torch.func.hessian``, ``jacrev``, ``jacfwd``; eigen-solvers
``torch.linalg.eigh``, ``eigvalsh``, ``eig``, ``eigvals``, ``torch.lobpcg``, ``numpy.linalg.eigh``,
``eigvalsh``, ``eig``, ``eigvals``.

The grader runs your code with ``theta`` on its device (a GPU when there is one; the generator stays on
the CPU): create every tensor on theta's device (``device=theta.device``, or ``.to(theta.device)`` after a
draw from the generator), and never hard-code ``"cuda"``.

Tolerances: ``hvp`` and ``full_hessian`` against ``torch.autograd.functional.hessian`` with rtol=1e-8,
atol=1e-10; the eigenvalue against ``torch.linalg.eigvalsh`` of the full Hessian with rtol=1e-6; the
eigenvector must have unit norm (within 1e-6) and |cosine| >= 0.9999 with the true one. The grader's
problems have a clear gap between the top two eigenvalue magnitudes, so 1000 iterations are plenty.
"""

from __future__ import annotations

from typing import Callable

import torch

LossFn = Callable[[torch.Tensor], torch.Tensor]


def hvp(loss_fn: LossFn, theta: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("write hvp")


def full_hessian(loss_fn: LossFn, theta: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("write full_hessian")


def top_hessian_eigenvalue(
    loss_fn: LossFn,
    theta: torch.Tensor,
    n_iter: int = 1000,
    tol: float = 1e-10,
    generator: torch.Generator | None = None,
) -> tuple[float, torch.Tensor]:
    raise NotImplementedError("write top_hessian_eigenvalue")
