"""Reference solution for exercise 0.3.5 (shown by `tracker solution 0.3.5` after a pass).

Depthwise: one strided slice of the padded input per kernel tap; each input channel is repeated M times
(``repeat_interleave``, so that its M outputs are consecutive) and scaled by that tap's per-output-channel
weight. Pointwise: a matrix product over the channel axis at every pixel. The equivalent standard weight
is ``W[o, c] = sum_m pw[o, c*M + m] * dw[c*M + m]``: a rank-limited factorisation of a k x k x C_in
filter, which is where the savings come from: separable / standard ~= 1 / C_out + 1 / k^2.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def depthwise_conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    n, c, h, w = x.shape
    cm, _, k, _ = weight.shape
    m = cm // c
    h_out = (h + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    w_out = (w + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    xp = F.pad(x, (padding, padding, padding, padding)).repeat_interleave(m, dim=1)
    out = x.new_zeros(n, cm, h_out, w_out)
    for u in range(k):
        for v in range(k):
            top, left = u * dilation, v * dilation
            patch = xp[:, :, top : top + stride * (h_out - 1) + 1 : stride, left : left + stride * (w_out - 1) + 1 : stride]
            out = out + patch * weight[:, 0, u, v].reshape(1, cm, 1, 1)
    if bias is not None:
        out = out + bias.reshape(1, cm, 1, 1)
    return out


def pointwise_conv2d(x, weight, bias=None):
    out = torch.einsum("nchw,oc->nohw", x, weight[:, :, 0, 0])
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1)
    return out


def separable_conv2d(x, dw_weight, dw_bias, pw_weight, pw_bias, stride=1, padding=0, dilation=1):
    return pointwise_conv2d(depthwise_conv2d(x, dw_weight, dw_bias, stride, padding, dilation), pw_weight, pw_bias)


def separable_as_standard_weight(dw_weight, pw_weight, in_channels):
    cm, _, k, _ = dw_weight.shape
    m = cm // in_channels
    c_out = pw_weight.shape[0]
    dw = dw_weight.reshape(in_channels, m, k, k)
    pw = pw_weight.reshape(c_out, in_channels, m)
    return torch.einsum("ocm,cmuv->ocuv", pw, dw)


def conv2d_param_count(c_in, c_out, k, bias=True):
    return c_out * c_in * k * k + (c_out if bias else 0)


def separable_param_count(c_in, c_out, k, depth_multiplier=1, bias=True):
    mid = c_in * depth_multiplier
    depthwise = mid * k * k + (mid if bias else 0)
    pointwise = c_out * mid + (c_out if bias else 0)
    return depthwise + pointwise
