"""Reference solution for exercise 2.2.3 (shown by `tracker solution 2.2.3` after a pass)."""

from __future__ import annotations

import math

import torch


class BlockAllocator:
    def __init__(self, num_blocks: int):
        self.num_blocks = num_blocks
        self._free = set(range(num_blocks))

    def allocate(self) -> int:
        if not self._free:
            raise RuntimeError("out of KV cache blocks")
        block = min(self._free)
        self._free.remove(block)
        return block

    def free(self, block_id: int) -> None:
        if not 0 <= block_id < self.num_blocks or block_id in self._free:
            raise ValueError(f"block {block_id} is not allocated")
        self._free.add(block_id)

    def num_free(self) -> int:
        return len(self._free)


class PagedKVCache:
    def __init__(self, num_blocks: int, block_size: int, n_heads: int, head_dim: int):
        self.block_size = block_size
        self.k_cache = torch.zeros(num_blocks, block_size, n_heads, head_dim)
        self.v_cache = torch.zeros(num_blocks, block_size, n_heads, head_dim)
        self.allocator = BlockAllocator(num_blocks)
        self._tables: dict[int, list[int]] = {}
        self._lens: dict[int, int] = {}

    def add_sequence(self, seq_id: int) -> None:
        if seq_id in self._tables:
            raise ValueError(f"sequence {seq_id} already exists")
        self._tables[seq_id] = []
        self._lens[seq_id] = 0

    def append(self, seq_id: int, k: torch.Tensor, v: torch.Tensor) -> None:
        pos = self._lens[seq_id]
        if pos % self.block_size == 0:
            self._tables[seq_id].append(self.allocator.allocate())
        block = self._tables[seq_id][pos // self.block_size]
        slot = pos % self.block_size
        self.k_cache[block, slot] = k
        self.v_cache[block, slot] = v
        self._lens[seq_id] = pos + 1

    def block_table(self, seq_id: int) -> list[int]:
        return list(self._tables[seq_id])

    def seq_len(self, seq_id: int) -> int:
        return self._lens[seq_id]

    def free_sequence(self, seq_id: int) -> None:
        for block in self._tables.pop(seq_id):
            self.allocator.free(block)
        del self._lens[seq_id]

    def gather(self, seq_id: int) -> tuple[torch.Tensor, torch.Tensor]:
        n = self._lens[seq_id]
        table = torch.tensor(self._tables[seq_id], dtype=torch.long)
        k = self.k_cache[table].flatten(0, 1)[:n]
        v = self.v_cache[table].flatten(0, 1)[:n]
        return k, v


def paged_attention(q, k_cache, v_cache, block_tables, seq_lens, scale=None) -> torch.Tensor:
    head_dim = q.shape[-1]
    scale = 1.0 / math.sqrt(head_dim) if scale is None else scale
    outs = []
    for b, (table, n) in enumerate(zip(block_tables, seq_lens)):
        idx = torch.tensor(table, dtype=torch.long)
        keys = k_cache[idx].flatten(0, 1)[:n]  # [n, heads, dim]
        values = v_cache[idx].flatten(0, 1)[:n]
        scores = torch.einsum("hd,nhd->hn", q[b], keys) * scale
        weights = torch.softmax(scores, dim=-1)
        outs.append(torch.einsum("hn,nhd->hd", weights, values))
    return torch.stack(outs)


def kv_memory_waste(requests, block_size: int, max_seq_len: int) -> dict:
    used = contiguous = paged = 0
    for prompt_len, output_len in requests:
        length = prompt_len + output_len
        if length > max_seq_len:
            raise ValueError(f"a request of {length} tokens exceeds max_seq_len={max_seq_len}")
        used += length
        contiguous += max_seq_len
        paged += math.ceil(length / block_size) * block_size
    return {
        "contiguous_reserved": contiguous,
        "contiguous_waste": (contiguous - used) / contiguous,
        "paged_reserved": paged,
        "paged_waste": (paged - used) / paged,
    }


def _heads(x, w, n_heads):
    t, d = x.shape
    return (x @ w.T).view(t, n_heads, d // n_heads)


def full_attention(x, w_q, w_k, w_v, w_o, n_heads: int) -> torch.Tensor:
    t, d = x.shape
    q, k, v = (_heads(x, w, n_heads).transpose(0, 1) for w in (w_q, w_k, w_v))  # [heads, T, dim]
    scores = q @ k.transpose(1, 2) / math.sqrt(d // n_heads)
    mask = torch.ones(t, t, dtype=torch.bool, device=x.device).tril()
    scores = scores.masked_fill(~mask, float("-inf"))
    out = torch.softmax(scores, dim=-1) @ v  # [heads, T, dim]
    return out.transpose(0, 1).reshape(t, d) @ w_o.T


def incremental_attention(x, w_q, w_k, w_v, w_o, n_heads: int, block_size: int) -> torch.Tensor:
    t, d = x.shape
    head_dim = d // n_heads
    cache = PagedKVCache(math.ceil(t / block_size), block_size, n_heads, head_dim)
    cache.add_sequence(0)
    outputs = []
    for i in range(t):
        token = x[i : i + 1]
        q, k, v = (_heads(token, w, n_heads)[0] for w in (w_q, w_k, w_v))
        cache.append(0, k, v)
        out = paged_attention(q[None], cache.k_cache, cache.v_cache, [cache.block_table(0)], [cache.seq_len(0)])
        outputs.append(out[0].reshape(d))
    return torch.stack(outputs) @ w_o.T
