"""Reference solution for lib.flash_attention (shown by `tracker solution lib.flash_attention` after a pass)."""

from __future__ import annotations

import math

import torch


def flash_attention(q, k, v, block_size=16, causal=False):
    L, d = q.shape
    S = k.shape[0]
    scale = 1.0 / math.sqrt(d)
    m = torch.full((L, 1), float("-inf"), dtype=q.dtype, device=q.device)
    l = torch.zeros(L, 1, dtype=q.dtype, device=q.device)
    acc = torch.zeros(L, v.shape[1], dtype=q.dtype, device=q.device)
    rows = torch.arange(L, device=q.device).unsqueeze(1)
    for start in range(0, S, block_size):
        k_tile, v_tile = k[start:start + block_size], v[start:start + block_size]
        s = (q @ k_tile.T) * scale
        if causal:
            cols = torch.arange(start, start + k_tile.shape[0], device=q.device).unsqueeze(0)
            s = s.masked_fill(cols > rows, float("-inf"))
        m_new = torch.maximum(m, s.max(dim=1, keepdim=True).values)
        safe = torch.where(torch.isinf(m_new), torch.zeros_like(m_new), m_new)
        p = torch.exp(s - safe)
        correction = torch.exp(m - safe)
        l = l * correction + p.sum(dim=1, keepdim=True)
        acc = acc * correction + p @ v_tile
        m = m_new
    return acc / l
