"""Reference solution for exercise 1.2.4 (shown by `tracker solution 1.2.4` after a pass)."""

from __future__ import annotations

import torch


def _grid(W: torch.Tensor, bits: int) -> tuple[torch.Tensor, torch.Tensor, int]:
    maxq = 2**bits - 1
    lo = torch.clamp(W.min(dim=1, keepdim=True).values, max=0)
    hi = torch.clamp(W.max(dim=1, keepdim=True).values, min=0)
    flat = hi == lo
    scale = torch.where(flat, torch.ones_like(hi), (hi - lo) / maxq)
    zero = torch.where(flat, torch.zeros_like(lo), torch.clamp(torch.round(-lo / scale), 0, maxq))
    return scale, zero, maxq


def _quantize(w: torch.Tensor, scale: torch.Tensor, zero: torch.Tensor, maxq: int) -> torch.Tensor:
    q = torch.clamp(torch.round(w / scale) + zero, 0, maxq)
    return (q - zero) * scale


def quantize_rtn(W: torch.Tensor, bits: int = 4) -> torch.Tensor:
    W = W.to(torch.float64)
    scale, zero, maxq = _grid(W, bits)
    return _quantize(W, scale, zero, maxq).to(torch.float32)


def gptq_quantize(
    W: torch.Tensor, X: torch.Tensor, bits: int = 4, act_order: bool = False, percdamp: float = 0.01
) -> torch.Tensor:
    W = W.to(torch.float64).clone()
    X = X.to(torch.float64)
    n, columns = X.shape
    H = 2 * X.T @ X / n

    dead = torch.diag(H) == 0
    H[dead, dead] = 1
    W[:, dead] = 0

    scale, zero, maxq = _grid(W, bits)

    if act_order:
        perm = torch.argsort(torch.diag(H), descending=True, stable=True)
        W = W[:, perm]
        H = H[perm][:, perm]

    H = H + percdamp * torch.mean(torch.diag(H)) * torch.eye(columns, dtype=H.dtype, device=H.device)
    U = torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(H)), upper=True)

    Q = torch.zeros_like(W)
    for i in range(columns):
        w = W[:, i : i + 1]
        q = _quantize(w, scale, zero, maxq)
        Q[:, i : i + 1] = q
        err = (w - q) / U[i, i]
        W[:, i + 1 :] -= err @ U[i : i + 1, i + 1 :]

    if act_order:
        Q = Q[:, torch.argsort(perm)]
    return Q.to(torch.float32)
