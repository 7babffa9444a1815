"""Library exercise lib.kv_cache_decode: autoregressive decoding with a key/value cache.

A decoder generating token t only needs the NEW query; the keys and values of tokens 0..t-1 were already
computed at earlier steps. Keeping them in a cache turns each step from O(t * d) projections into O(d),
and the outputs must be exactly those of full causal attention recomputed from scratch.

One attention head, no output projection. Shapes: ``B`` batch, ``d_model`` hidden size, ``d_head`` head size
(``d_model != d_head`` in the grader). Weights ``Wq, Wk, Wv`` have shape ``(d_model, d_head)``; a token's
query is ``x_t @ Wq`` (likewise key and value).

1. ``decode_step(x_t, Wq, Wk, Wv, cache) -> (out_t, cache)``:
   * ``x_t``: ``(B, d_model)``, the newest token's hidden state;
   * ``cache``: ``None`` before the first token, else a dict ``{"k": (B, t, d_head), "v": (B, t, d_head)}``
     holding the keys and values of the ``t`` earlier tokens, oldest first;
   * append the new key and value at the END of the cache (position ``t``), then attend: the new token
     attends to every cached position INCLUDING ITSELF, with scores ``q . k / sqrt(d_head)`` and a softmax
     over positions;
   * return ``out_t`` of shape ``(B, d_head)`` and the new cache (``k`` and ``v`` of shape ``(B, t+1, d_head)``).
   Use only the cache for earlier tokens (the grader hands you caches it built itself).

2. ``decode(x, Wq, Wk, Wv) -> out``: ``x`` is ``(B, T, d_model)``; run ``decode_step`` for t = 0..T-1 and
   return the outputs stacked to ``(B, T, d_head)``. This must equal causal self-attention over the whole
   sequence.

Inputs arrive on the grader's device (CPU, CUDA or MPS): create nothing on another device.
``torch.nn.functional.scaled_dot_product_attention`` and ``torch.nn.MultiheadAttention`` are off-limits.
Tolerance: ``rtol=1e-4, atol=1e-5`` (float32).
"""

from __future__ import annotations

import torch


def decode_step(x_t: torch.Tensor, Wq: torch.Tensor, Wk: torch.Tensor, Wv: torch.Tensor,
                cache: dict | None) -> tuple[torch.Tensor, dict]:
    """Attend the newest token to the cache plus itself; return (out_t, new cache)."""
    raise NotImplementedError("write decode_step")


def decode(x: torch.Tensor, Wq: torch.Tensor, Wk: torch.Tensor, Wv: torch.Tensor) -> torch.Tensor:
    """Decode the whole sequence token by token with the cache; return (B, T, d_head)."""
    raise NotImplementedError("write decode")
