"""Exercise 1.2.4: GPTQ on one linear layer (Frantar et al., 2022), with the act-order option.

Round-to-nearest (RTN) quantizes every weight on its own. GPTQ quantizes the columns of ``W`` (shape
``(out_features, in_features)``, the layer computes ``y = x @ W.T``) one at a time and, after each column,
moves the not-yet-quantized columns to compensate for the error just made, using the inverse Hessian
of the layer's squared output error, ``H = 2 X^T X / n`` for calibration inputs ``X`` (n, in_features).
The result has a much lower OUTPUT error ``mean((X W^T - X W_hat^T)^2)`` than RTN, though every weight
is still on the same grid.

The grid (shared by RTN and GPTQ, the asymmetric scheme of exercise 1.1.1 with ``b`` bits, one scale per
output row, computed once from the ORIGINAL ``W``): for row ``r``, ``lo = min(W[r].min(), 0)``,
``hi = max(W[r].max(), 0)``, ``maxq = 2 ** bits - 1``, ``scale = (hi - lo) / maxq`` and
``zero = round(-lo / scale)`` clamped to [0, maxq] (``scale = 1``, ``zero = 0`` if ``hi == lo``).
A value ``w`` of row ``r`` becomes ``(clamp(round(w / scale) + zero, 0, maxq) - zero) * scale``
(round-half-to-even, ``torch.round``).

``gptq_quantize(W, X, bits=4, act_order=False, percdamp=0.01)`` follows the GPTQ reference code
(work in float64; the lazy-batch blocking of the paper is an optimisation that does not change the
result, so a plain column loop is fine):

1. ``H = 2 * X.T @ X / n``. Keep a working copy ``W`` of the weights (do not modify the caller's).
2. Dead inputs: for every ``i`` with ``H[i, i] == 0`` (an input that is always 0), set ``H[i, i] = 1``
   and ``W[:, i] = 0``.
3. Compute the grid (scale, zero per row) from the weights as they are now (after step 2).
4. If ``act_order``: ``perm = argsort(diag(H), descending=True)`` (stable); permute the columns of ``W``
   and both the rows and columns of ``H`` by ``perm``.
5. Damping: ``H += percdamp * mean(diag(H)) * I``.
6. ``U`` = the upper Cholesky factor of ``H^-1`` (``H^-1 = U^T U``; e.g.
   ``torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(H)), upper=True)``).
7. For ``i = 0 .. in_features - 1``: ``q = quantize(W[:, i])`` on each row's grid; store it as column
   ``i`` of the result; ``err = (W[:, i] - q) / U[i, i]``; ``W[:, i+1:] -= outer(err, U[i, i+1:])``.
8. If ``act_order``, undo the permutation of the result's columns. Return it as float32,
   shape ``(out_features, in_features)``: the dequantized weights, every entry on its row's grid.

Also implement ``quantize_rtn(W, bits=4)``: every weight rounded on the same grid, no compensation.

The grader runs your code on its device (a GPU when there is one): create every tensor on the input's
device (``device=x.device`` or ``torch.*_like``), and never hard-code ``"cuda"``.

Grading: every returned weight must lie on its row's grid (tolerance 1e-4 of a step); the output error
must equal the reference's within 2% (a different float order can flip a few roundings, so at least
97% of the integer codes must equal the reference's), and must be clearly below RTN's. No library
quantizer is involved.
"""

from __future__ import annotations

import torch


def quantize_rtn(W: torch.Tensor, bits: int = 4) -> torch.Tensor:
    """Round-to-nearest on the per-row asymmetric grid; float32, W's shape."""
    raise NotImplementedError("write quantize_rtn")


def gptq_quantize(
    W: torch.Tensor, X: torch.Tensor, bits: int = 4, act_order: bool = False, percdamp: float = 0.01
) -> torch.Tensor:
    """GPTQ-quantized (dequantized) weights, float32, W's shape."""
    raise NotImplementedError("write gptq_quantize")
