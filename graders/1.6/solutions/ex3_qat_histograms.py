"""Reference solution for exercise 1.6.3 (shown by `tracker solution 1.6.3` after a pass)."""

from __future__ import annotations

import torch


def histogram_summary(x: torch.Tensor, bins: int) -> dict:
    flat = x.reshape(-1).to(torch.float64)
    lo, hi = float(flat.min()), float(flat.max())
    summary = {
        "min": lo,
        "max": hi,
        "num": flat.numel(),
        "sum": float(flat.sum()),
        "sum_squares": float((flat * flat).sum()),
    }
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    edges = lo + (hi - lo) * torch.arange(bins + 1, dtype=torch.float64, device=flat.device) / bins
    # Index of the bin of each value; the maximum belongs to the last (closed) bin.
    index = torch.searchsorted(edges, flat, right=True) - 1
    index = index.clamp(0, bins - 1)
    counts = torch.bincount(index, minlength=bins)
    summary["edges"] = edges
    summary["counts"] = counts.to(torch.int64)
    return summary


def _codes(x: torch.Tensor, scale: float, zero_point: int) -> torch.Tensor:
    return torch.round(x.to(torch.float64) / scale) + zero_point


def clipped_fraction(x: torch.Tensor, scale: float, zero_point: int, qmin: int, qmax: int) -> dict:
    codes = _codes(x, scale, zero_point)
    n = codes.numel()
    low = int((codes < qmin).sum())
    high = int((codes > qmax).sum())
    return {"low": low / n, "high": high / n, "total": (low + high) / n}


def levels_used(x: torch.Tensor, scale: float, zero_point: int, qmin: int, qmax: int) -> int:
    codes = torch.clamp(_codes(x, scale, zero_point), qmin, qmax)
    return int(torch.unique(codes).numel())


def diagnose(
    x: torch.Tensor,
    scale: float,
    zero_point: int,
    qmin: int,
    qmax: int,
    max_clipped: float = 0.01,
    min_level_fraction: float = 0.25,
) -> str:
    if clipped_fraction(x, scale, zero_point, qmin, qmax)["total"] > max_clipped:
        return "saturated"
    if levels_used(x, scale, zero_point, qmin, qmax) / (qmax - qmin + 1) < min_level_fraction:
        return "underused"
    return "ok"
