"""Exercise 0.5.5: causal (decoder) vs bidirectional (encoder) attention, and padding masks.

An encoder lets every position attend to every (real) position; a decoder is causal: position ``i`` may
only use positions ``0..i``, so that training on a whole sequence at once never lets a prediction see the
future. Padding masks make batches of sequences of different lengths behave as if each were alone.

Write the four functions below with basic tensor operations. ``F.scaled_dot_product_attention``,
``nn.MultiheadAttention`` and ``F.multi_head_attention_forward`` are off-limits while your code runs: the
grader uses the first one as a reference, and feeds *your* masks to it.

Convention for every mask here (the boolean convention of ``F.scaled_dot_product_attention`` and of
exercise 0.5.1): ``dtype=torch.bool``, ``True`` = **may attend** (keep), ``False`` = masked out.

* ``causal_mask(T)``: ``(T, T)``, entry ``[i, j]`` is ``True`` iff ``j <= i`` (query ``i`` may attend to key
  ``j``; the diagonal is included: a position sees itself).
* ``padding_mask(lengths, T)``: ``lengths`` is an int64 tensor ``(B,)`` with ``1 <= lengths[b] <= T``; return
  ``(B, T)``, entry ``[b, t]`` is ``True`` iff ``t < lengths[b]`` (a real token; the padding comes at the end).
* ``attention_mask(lengths, T, causal)``: ``(B, 1, T, T)`` (the ``1`` broadcasts over heads), entry
  ``[b, 0, i, j]`` is ``True`` iff key ``j`` is a real token of sequence ``b`` **and**, when ``causal`` is
  true, ``j <= i``. Padding masks the **keys** (columns) only: every query row, padded or not, keeps at least
  key 0, so no row is ever fully masked (the outputs at padded query positions are simply ignored).
* ``masked_self_attention(x, w_q, w_k, w_v, lengths=None, causal=False)``: single-head self-attention of
  ``x`` ``(B, T, d_model)`` with ``q = x @ w_q``, ``k = x @ w_k``, ``v = x @ w_v`` (each ``w`` is
  ``(d_model, d_head)``, no bias), ``softmax(q k^T / sqrt(d_head))`` over the keys with
  ``attention_mask(lengths, T, causal)`` applied (``lengths=None`` means every sequence has length ``T``),
  times ``v``. Returns ``(B, T, d_head)``. Only outputs at real positions are checked.

The grader also perturbs inputs: with ``causal=True``, changing the tokens after position ``t`` must not
change any output at positions ``<= t``; changing padding tokens must not change any output at a real
position; with ``causal=False``, the first position must see the last one.

Tolerance: masks must be exactly right (booleans); attention outputs are compared with ``rtol=1e-4``,
``atol=1e-5``, and "unchanged" in the perturbation tests means within ``1e-6``.

The grader also runs your code on its device (a GPU when there is one): create every tensor on the
input's device (``device=x.device``, ``torch.zeros_like``), with no hard-coded ``"cuda"`` or ``.cuda()``
(they fail on a Mac or a CPU-only laptop) and no ``.item()`` inside a loop (each one waits for the GPU).
"""

from __future__ import annotations

import torch


def causal_mask(T: int) -> torch.Tensor:
    """``(T, T)`` bool, ``True`` where query ``i`` may attend to key ``j`` (``j <= i``)."""
    raise NotImplementedError("write causal_mask")


def padding_mask(lengths: torch.Tensor, T: int) -> torch.Tensor:
    """``(B, T)`` bool, ``True`` at real tokens (``t < lengths[b]``)."""
    raise NotImplementedError("write padding_mask")


def attention_mask(lengths: torch.Tensor, T: int, causal: bool) -> torch.Tensor:
    """``(B, 1, T, T)`` bool: key ``j`` is real for sequence ``b`` and (if ``causal``) ``j <= i``."""
    raise NotImplementedError("write attention_mask")


def masked_self_attention(
    x: torch.Tensor,
    w_q: torch.Tensor,
    w_k: torch.Tensor,
    w_v: torch.Tensor,
    lengths: torch.Tensor | None = None,
    causal: bool = False,
) -> torch.Tensor:
    """Single-head self-attention of ``x`` ``(B, T, d_model)`` with the mask above; returns ``(B, T, d_head)``."""
    raise NotImplementedError("write masked_self_attention")
