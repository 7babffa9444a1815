"""Reference solution for milestone 1.1.m1 (shown by `tracker solution 1.1.m1` after a pass)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

LAYERS = ("conv1", "conv2", "fc1", "fc2")


def _layer(name, params, x, weight):
    bias = params[name + ".bias"]
    if name.startswith("conv"):
        return F.conv2d(x, weight, bias, padding=1)
    return F.linear(x, weight, bias)


def _run(params, x, before_layer):
    """The network, calling before_layer(name, input) -> (input, weight) at each layer."""
    for name in LAYERS:
        if name == "fc1":
            x = x.flatten(1)
        x, w = before_layer(name, x)
        x = _layer(name, params, x, w)
        if name.startswith("conv"):
            x = F.max_pool2d(F.relu(x), 2)
        elif name == "fc1":
            x = F.relu(x)
    return x


def fp32_forward(params, x):
    return _run(params, x, lambda name, inp: (inp, params[name + ".weight"]))


def calibrate(params, calib_x):
    ranges = {}

    def record(name, inp):
        ranges[name] = (float(inp.min()), float(inp.max()))
        return inp, params[name + ".weight"]

    with torch.no_grad():
        _run(params, calib_x, record)
    return ranges


def activation_qparams(lo, hi):
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    if hi == lo:
        return 1.0, 0
    scale = (hi - lo) / 255
    zero_point = max(0, min(255, int(round(-lo / scale))))
    return scale, zero_point


def quantize_weight_per_tensor(w):
    amax = float(w.abs().max())
    scale = amax / 127 if amax > 0 else 1.0
    q = torch.clamp(torch.round(w / scale), -128, 127).to(torch.int8)
    return q, scale


def quantize_weight_per_channel(w):
    amax = w.abs().reshape(w.shape[0], -1).max(dim=1).values
    scales = torch.where(amax > 0, amax / 127, torch.ones_like(amax)).to(torch.float32)
    shape = (-1,) + (1,) * (w.dim() - 1)
    q = torch.clamp(torch.round(w / scales.reshape(shape)), -128, 127).to(torch.int8)
    return q, scales


def fake_quant_forward(params, x, act_ranges, mode):
    def before(name, inp):
        scale, zp = activation_qparams(*act_ranges[name])
        q = torch.clamp(torch.round(inp / scale) + zp, 0, 255)
        inp = (q - zp) * scale
        w = params[name + ".weight"]
        if mode == "per_tensor":
            qw, s = quantize_weight_per_tensor(w)
            w = qw.to(torch.float32) * s
        elif mode == "per_channel":
            qw, s = quantize_weight_per_channel(w)
            w = qw.to(torch.float32) * s.reshape((-1,) + (1,) * (w.dim() - 1))
        else:
            raise ValueError(mode)
        return inp, w

    with torch.no_grad():
        return _run(params, x, before)


def evaluate(params, x, y, act_ranges=None, mode="fp32"):
    with torch.no_grad():
        logits = fp32_forward(params, x) if mode == "fp32" else fake_quant_forward(params, x, act_ranges, mode)
    return float((logits.argmax(dim=1) == y).float().mean())


def model_size_bytes(params, mode):
    total = 0
    for key, t in params.items():
        if mode == "fp32" or key.endswith(".bias"):
            total += 4 * t.numel()
        elif mode == "per_tensor":
            total += t.numel() + 4
        elif mode == "per_channel":
            total += t.numel() + 4 * t.shape[0]
        else:
            raise ValueError(mode)
    return total
