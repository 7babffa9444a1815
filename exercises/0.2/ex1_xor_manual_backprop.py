"""Exercise 0.2.1: a 2-layer network for XOR, forward and backward pass by hand.

The network, for a batch ``X`` of shape ``(N, 2)`` (``torch.float64``):

    z1 = X @ W1 + b1          W1: (2, H),  b1: (H,)
    h  = tanh(z1)
    z2 = h @ W2 + b2          W2: (H, 1),  b2: (1,)
    y_hat = sigmoid(z2)       shape (N, 1)

and the loss is the *mean* binary cross-entropy over the batch,
``L = -mean(y * log(y_hat) + (1 - y) * log(1 - y_hat))`` with targets ``y`` of shape ``(N, 1)``.
Parameters travel in a dict with the keys ``"W1"``, ``"b1"``, ``"W2"``, ``"b2"`` (shapes above).

Write:

* ``forward(X, params) -> (y_hat, cache)``: ``y_hat`` of shape ``(N, 1)``; ``cache`` is whatever your
  ``backward`` needs (the grader only passes it back to you).
* ``bce_loss(y_hat, y) -> torch.Tensor``: the scalar loss above.
* ``backward(X, y, params, cache) -> grads``: a dict with the same four keys, each gradient
  ``dL/dparam`` with exactly the shape of its parameter. Derive it with the chain rule: autograd is
  off-limits here (``Tensor.backward``, ``torch.autograd.grad``/``backward``, ``torch.func.grad``/``vjp``
  raise while your code runs; the grader uses them to check you). Useful facts: for the sigmoid + mean
  BCE pair, ``dL/dz2 = (y_hat - y) / N``; ``tanh'(z) = 1 - tanh(z) ** 2``.
* ``train(X, y, params, lr, steps) -> (params, losses)``: full-batch gradient descent. At each step:
  forward, append the loss (a Python float) at the current parameters to ``losses``, backward, then
  ``param = param - lr * grad`` for all four parameters. Return the final parameters (a new dict; leave
  the caller's dict and its tensors unchanged) and ``losses`` (length ``steps``).

Tolerances: outputs, losses and gradients within ``rtol=1e-6, atol=1e-9`` of the grader's float64
reference; after training from the grader's starting parameters the network must classify all four XOR
points correctly (``y_hat > 0.5`` exactly for the 1s).

The grader also runs your code on its device (a GPU when there is one): create every tensor on the
input's device (``device=x.device``, ``torch.zeros_like``), with no hard-coded ``"cuda"`` or ``.cuda()``
(they fail on a Mac or a CPU-only laptop).
"""

from __future__ import annotations

import torch

XOR_X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
XOR_Y = torch.tensor([[0.0], [1.0], [1.0], [0.0]], dtype=torch.float64)


def forward(X: torch.Tensor, params: dict[str, torch.Tensor]) -> tuple[torch.Tensor, object]:
    """Return ``(y_hat (N, 1), cache)``."""
    raise NotImplementedError("write forward")


def bce_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean binary cross-entropy, a scalar tensor."""
    raise NotImplementedError("write bce_loss")


def backward(
    X: torch.Tensor, y: torch.Tensor, params: dict[str, torch.Tensor], cache: object
) -> dict[str, torch.Tensor]:
    """Gradients of the mean BCE with respect to ``W1``, ``b1``, ``W2``, ``b2``."""
    raise NotImplementedError("write backward")


def train(
    X: torch.Tensor, y: torch.Tensor, params: dict[str, torch.Tensor], lr: float, steps: int
) -> tuple[dict[str, torch.Tensor], list[float]]:
    """Full-batch gradient descent; return ``(final params, losses)``."""
    raise NotImplementedError("write train")
