"""Reference solution for exercise 0.3.1 (shown by `tracker solution 0.3.1` after a pass).

One strided slice of the padded input per kernel tap: for tap (u, v) the slice holds, for every output
position (i, j), the input pixel that this tap multiplies. Each slice is contracted with that tap's
weights over the input channels of its group, and the kH * kW contributions are summed.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _pair(value: int | tuple[int, int]) -> tuple[int, int]:
    if isinstance(value, int):
        return value, value
    return int(value[0]), int(value[1])


def _out_size(size: int, k: int, s: int, p: int, d: int) -> int:
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def conv2d_output_size(h, w, kernel_size, stride=1, padding=0, dilation=1):
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    dh, dw = _pair(dilation)
    return _out_size(h, kh, sh, ph, dh), _out_size(w, kw, sw, pw, dw)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    n, c_in, h, w = x.shape
    c_out, c_in_g, kh, kw = weight.shape
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    dh, dw = _pair(dilation)
    h_out, w_out = conv2d_output_size(h, w, (kh, kw), (sh, sw), (ph, pw), (dh, dw))
    xp = F.pad(x, (pw, pw, ph, ph))
    c_out_g = c_out // groups
    # weight per group: (groups, C_out/groups, C_in/groups, kH, kW)
    wg = weight.reshape(groups, c_out_g, c_in_g, kh, kw)
    out = x.new_zeros(n, groups, c_out_g, h_out, w_out)
    for u in range(kh):
        for v in range(kw):
            top, left = u * dh, v * dw
            patch = xp[:, :, top : top + sh * (h_out - 1) + 1 : sh, left : left + sw * (w_out - 1) + 1 : sw]
            patch = patch.reshape(n, groups, c_in_g, h_out, w_out)
            out = out + torch.einsum("ngchw,goc->ngohw", patch, wg[:, :, :, u, v])
    out = out.reshape(n, c_out, h_out, w_out)
    if bias is not None:
        out = out + bias.reshape(1, c_out, 1, 1)
    return out
