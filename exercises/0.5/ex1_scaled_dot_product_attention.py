"""Exercise 0.5.1: scaled dot-product attention from scratch, with boolean, additive and causal masks.

Write ``scaled_dot_product_attention(q, k, v, mask=None, is_causal=False)`` with basic tensor operations
(matmul, ``torch.softmax``, ``masked_fill``, ``torch.where``, ...). ``F.scaled_dot_product_attention``,
``nn.MultiheadAttention`` and ``F.multi_head_attention_forward`` are off-limits while your code runs: the
grader uses the first one as the reference.

Shapes (every leading dimension is a batch dimension; the grader uses ``(B, L, d)`` and ``(B, H, L, d)``):

* ``q``: ``(..., L, d_k)`` queries, ``k``: ``(..., S, d_k)`` keys, ``v``: ``(..., S, d_v)`` values;
  ``L`` may differ from ``S`` and ``d_v`` may differ from ``d_k``.
* Return a tuple ``(output, weights)``: ``output`` is ``(..., L, d_v)`` and ``weights`` is ``(..., L, S)``,
  both of the dtype of ``q`` (float32 or float64).

Computation:

* ``scores = q @ k^T / sqrt(d_k)`` (``d_k`` is the last dimension of ``q`` and ``k``);
* apply the mask (below) to the scores;
* ``weights = softmax(scores)`` over the keys, that is over the last axis: each row of ``weights``
  (one query) sums to 1 over the ``S`` keys;
* ``output = weights @ v``.

Masks follow the conventions of ``torch.nn.functional.scaled_dot_product_attention``:

* A **boolean** ``mask`` (``dtype=torch.bool``), broadcastable to ``(..., L, S)``: ``True`` means "this
  query may attend to this key" (keep), ``False`` means "masked out" (the score becomes ``-inf``, so its
  weight is exactly 0). Note that ``nn.MultiheadAttention`` uses the opposite polarity; here True = keep.
* A **float** ``mask``, broadcastable to ``(..., L, S)``: it is *added* to the scaled scores
  (``scores = q @ k^T / sqrt(d_k) + mask``). ``0`` leaves a score alone, ``-inf`` masks it out, and any
  other finite value biases it (relative-position biases such as ALiBi work this way).
* ``is_causal=True``: query ``i`` attends only to keys ``j <= i``: the mask is
  ``torch.ones(L, S, dtype=torch.bool).tril()``, aligned to the top-left corner also when ``L != S``.
  The grader never passes a ``mask`` together with ``is_causal=True``.
* **Fully masked rows**: if every key of a query is masked out (all ``False``, or all ``-inf``), the
  softmax of that row is undefined (0/0 = NaN). Return **zeros** for that query's row of ``weights`` and of
  ``output``, never NaN. This is what ``F.scaled_dot_product_attention`` returns.

Gradients must flow to ``q``, ``k`` and ``v`` (no ``.detach()``, no ``torch.no_grad()``); the grader
compares them with the reference's gradients on inputs without fully masked rows.

Tolerance: outputs, weights and gradients are compared with the reference with ``rtol=1e-4`` and
``atol=1e-5``.
"""

from __future__ import annotations

import torch


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    is_causal: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(output, weights)`` of softmax(q k^T / sqrt(d_k) + mask) v, as described above."""
    raise NotImplementedError("write scaled_dot_product_attention")
