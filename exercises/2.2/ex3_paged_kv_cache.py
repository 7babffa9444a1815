"""Exercise 2.2.3: a paged KV cache (vLLM's PagedAttention), checked against contiguous attention.

Pre-vLLM servers reserved one contiguous KV region of ``max_seq_len`` tokens per request, wasting most of
it. PagedAttention borrows virtual memory from operating systems: the KV cache is a pool of fixed-size
blocks, each sequence has a block table mapping its logical blocks to physical ones, and blocks are
allocated only when a sequence grows into them. Build it, prove that attention through the block table
equals ordinary attention, and measure the memory saved.

Conventions (the grader holds you to exactly these):

* Tensors are ``torch.float32``. The pool is two tensors, ``k_cache`` and ``v_cache``, each of shape
  ``[num_blocks, block_size, n_heads, head_dim]``.
* ``BlockAllocator(num_blocks)``: ``allocate()`` returns the LOWEST-numbered free block (so results are
  deterministic) and raises ``RuntimeError`` when none is free; ``free(block_id)`` returns a block to the
  pool and raises ``ValueError`` if that block is not currently allocated; ``num_free()`` counts free blocks.
* ``PagedKVCache.append(seq_id, k, v)`` stores one token (``k``, ``v`` of shape ``[n_heads, head_dim]``).
  The token at position ``p`` (0-based) lives in physical block ``block_table[p // block_size]``, slot
  ``p % block_size``. A new block is allocated (from the cache's allocator) only when the token about to be
  written starts a new block, i.e. when ``p % block_size == 0``.
* Attention: for each sequence and head, ``softmax(q . K^T * scale) V`` over the sequence's ``seq_len``
  cached tokens, with ``scale = 1 / sqrt(head_dim)`` unless given. Slots past ``seq_len`` in the last
  block hold garbage and must be ignored.
* Multi-head self-attention layer (``full_attention`` and ``incremental_attention``): for ``x`` of shape
  ``[T, d_model]`` and weights ``[d_model, d_model]`` (``nn.Linear`` convention, no biases):
  ``q = x @ w_q.T``, ``k = x @ w_k.T``, ``v = x @ w_v.T``, each viewed as ``[T, n_heads, head_dim]`` with
  ``head_dim = d_model // n_heads`` (head ``h`` is columns ``h * head_dim`` to ``(h + 1) * head_dim``); causal
  attention per head (token ``t`` attends to tokens ``0..t``); heads concatenated back to ``[T, d_model]``
  and multiplied by ``w_o.T``.
* Memory waste of a trace of ``(prompt_len, output_len)`` requests, at their final lengths
  ``L = prompt_len + output_len`` (all resident at once): contiguous allocation reserves ``max_seq_len``
  token slots per request; paged allocation reserves ``ceil(L / block_size) * block_size``. A waste fraction
  is ``(reserved - used) / reserved`` summed over the trace.

The grader runs ``paged_attention``, ``full_attention`` and ``incremental_attention`` on its device (a GPU
when there is one): create every tensor (a causal mask, a cache) on the input's device (``device=x.device``);
block ids may be a Python list or a CPU index tensor, as indexing allows.

``torch.nn.functional.scaled_dot_product_attention`` is off-limits while your code runs (the grader uses
it as the reference). Tolerances: block ids and counts exactly; tensors within rtol 1e-4, atol 1e-5;
waste fractions within rtol 1e-9.
"""

from __future__ import annotations

import torch


class BlockAllocator:
    def __init__(self, num_blocks: int):
        raise NotImplementedError("write BlockAllocator")

    def allocate(self) -> int:
        raise NotImplementedError("write BlockAllocator.allocate")

    def free(self, block_id: int) -> None:
        raise NotImplementedError("write BlockAllocator.free")

    def num_free(self) -> int:
        raise NotImplementedError("write BlockAllocator.num_free")


class PagedKVCache:
    """Attributes ``k_cache``, ``v_cache`` (the pools, zero-initialized), ``block_size`` and ``allocator``."""

    def __init__(self, num_blocks: int, block_size: int, n_heads: int, head_dim: int):
        raise NotImplementedError("write PagedKVCache")

    def add_sequence(self, seq_id: int) -> None:
        """Start an empty sequence (no blocks yet). ``ValueError`` if ``seq_id`` already exists."""
        raise NotImplementedError("write PagedKVCache.add_sequence")

    def append(self, seq_id: int, k: torch.Tensor, v: torch.Tensor) -> None:
        raise NotImplementedError("write PagedKVCache.append")

    def block_table(self, seq_id: int) -> list[int]:
        """The physical block ids of the sequence, in logical order (a new list)."""
        raise NotImplementedError("write PagedKVCache.block_table")

    def seq_len(self, seq_id: int) -> int:
        raise NotImplementedError("write PagedKVCache.seq_len")

    def free_sequence(self, seq_id: int) -> None:
        """Return all of the sequence's blocks to the allocator and forget the sequence."""
        raise NotImplementedError("write PagedKVCache.free_sequence")

    def gather(self, seq_id: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The sequence's keys and values as contiguous ``[seq_len, n_heads, head_dim]`` tensors."""
        raise NotImplementedError("write PagedKVCache.gather")


def paged_attention(
    q: torch.Tensor,
    k_cache: torch.Tensor,
    v_cache: torch.Tensor,
    block_tables: list[list[int]],
    seq_lens: list[int],
    scale: float | None = None,
) -> torch.Tensor:
    """One query token per sequence: ``q`` is ``[B, n_heads, head_dim]``; sequence ``b`` attends to its first
    ``seq_lens[b]`` tokens, found through ``block_tables[b]``. Return ``[B, n_heads, head_dim]``."""
    raise NotImplementedError("write paged_attention")


def kv_memory_waste(requests: list[tuple[int, int]], block_size: int, max_seq_len: int) -> dict:
    """Return ``{"contiguous_reserved": int, "contiguous_waste": float, "paged_reserved": int,
    "paged_waste": float}`` (reserved token slots over the whole trace, and waste fractions). Raise
    ``ValueError`` if a request's final length exceeds ``max_seq_len``."""
    raise NotImplementedError("write kv_memory_waste")


def full_attention(x, w_q, w_k, w_v, w_o, n_heads: int) -> torch.Tensor:
    """The causal multi-head self-attention layer over all of ``x`` at once: ``[T, d_model]``."""
    raise NotImplementedError("write full_attention")


def incremental_attention(x, w_q, w_k, w_v, w_o, n_heads: int, block_size: int) -> torch.Tensor:
    """The same layer computed token by token, as in decoding: for t = 0, 1, ..., project token t, append its
    k and v to a ``PagedKVCache`` (with ``ceil(T / block_size)`` blocks), and call ``paged_attention`` once
    for its query (a batch of one). Return the ``[T, d_model]`` outputs; they must equal ``full_attention``."""
    raise NotImplementedError("write incremental_attention")
