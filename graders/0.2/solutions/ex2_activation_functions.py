"""Reference solution for exercise 0.2.2 (shown by `tracker solution 0.2.2` after a pass)."""

from __future__ import annotations

import math

import torch

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


def relu(x):
    return torch.where(x > 0, x, torch.zeros_like(x))


def relu_grad(x):
    return (x > 0).to(x.dtype)


def leaky_relu(x, negative_slope=0.01):
    return torch.where(x > 0, x, negative_slope * x)


def leaky_relu_grad(x, negative_slope=0.01):
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, negative_slope))


def sigmoid(x):
    e = torch.exp(-torch.abs(x))  # never overflows
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x):
    e = torch.exp(-2 * torch.abs(x))
    return torch.sign(x) * (1 - e) / (1 + e)


def tanh_grad(x):
    t = tanh(x)
    return 1 - t * t


def _phi(x):  # standard normal pdf
    return torch.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _Phi(x):  # standard normal cdf
    return 0.5 * (1 + torch.erf(x / math.sqrt(2.0)))


def gelu(x, approximate="none"):
    if approximate == "tanh":
        return 0.5 * x * (1 + tanh(_SQRT_2_OVER_PI * (x + _GELU_C * x**3)))
    return x * _Phi(x)


def gelu_grad(x, approximate="none"):
    if approximate == "tanh":
        t = tanh(_SQRT_2_OVER_PI * (x + _GELU_C * x**3))
        inner_grad = _SQRT_2_OVER_PI * (1 + 3 * _GELU_C * x * x)
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * inner_grad
    return _Phi(x) + x * _phi(x)
