"""Reference solution for exercise 0.6.1 (shown by `tracker solution 0.6.1` after a pass)."""

from __future__ import annotations

import torch


def _affine_shape(x: torch.Tensor) -> tuple[int, ...]:
    # (C,) parameters broadcast against (N, C, *spatial) as (1, C, 1, ..., 1).
    return (1, x.shape[1]) + (1,) * (x.dim() - 2)


def _normalize(x: torch.Tensor, mean: torch.Tensor, var: torch.Tensor, eps: float) -> torch.Tensor:
    return (x - mean) / torch.sqrt(var + eps)


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    dims = [0] + list(range(2, x.dim()))
    shape = _affine_shape(x)
    if training:
        mean = x.mean(dim=dims, keepdim=True)
        var = x.var(dim=dims, unbiased=False, keepdim=True)
        n = x.numel() // x.shape[1]
        with torch.no_grad():
            unbiased = var.reshape(-1) * n / (n - 1)
            running_mean.mul_(1 - momentum).add_(momentum * mean.reshape(-1))
            running_var.mul_(1 - momentum).add_(momentum * unbiased)
    else:
        mean = running_mean.reshape(shape)
        var = running_var.reshape(shape)
    y = _normalize(x, mean, var, eps)
    return y * weight.reshape(shape) + bias.reshape(shape)


def layer_norm(x, normalized_shape, weight, bias, eps=1e-5):
    dims = list(range(x.dim() - len(normalized_shape), x.dim()))
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, unbiased=False, keepdim=True)
    return _normalize(x, mean, var, eps) * weight + bias


def group_norm(x, num_groups, weight, bias, eps=1e-5):
    n, c = x.shape[:2]
    grouped = x.reshape(n, num_groups, -1)
    mean = grouped.mean(dim=2, keepdim=True)
    var = grouped.var(dim=2, unbiased=False, keepdim=True)
    y = _normalize(grouped, mean, var, eps).reshape(x.shape)
    shape = _affine_shape(x)
    return y * weight.reshape(shape) + bias.reshape(shape)


def instance_norm(x, weight, bias, eps=1e-5):
    dims = list(range(2, x.dim()))
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, unbiased=False, keepdim=True)
    shape = _affine_shape(x)
    return _normalize(x, mean, var, eps) * weight.reshape(shape) + bias.reshape(shape)
