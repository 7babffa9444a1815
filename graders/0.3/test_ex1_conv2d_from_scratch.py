"""Grader for exercise 0.3.1: 2D convolution from scratch with stride, padding, dilation and groups.

Outputs and gradients are compared with ``F.conv2d`` (captured before the learner's code runs) over a grid
of kernel sizes, strides, paddings and dilations, with rectangular (height != width) settings and groups.
Output sizes are compared with PyTorch's closed form. Probes: a flipped kernel (true convolution), a
missing bias, in/out channel axes swapped, dilation forgotten in the taps or in the output size, padding
on one side only, rounding the output size up, height and width settings swapped, the wrong group for an
output channel, and (through the shapes) a forgotten stride.
"""

from __future__ import annotations

import itertools
import math

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_defaults, check_true, learner_tensor, to_tensor
from gradelib.devices import check_follows_device, to_device, tolerance, trusted

FORBIDDEN = [
    "torch.nn.functional.conv2d",
    "torch.conv2d",
    "torch.nn.functional.conv1d",
    "torch.conv1d",
    "torch.nn.functional.conv3d",
    "torch.conv3d",
    "torch.convolution",
    "torch.nn.Conv2d",
    "torch.nn.functional.unfold",
    "torch.nn.Unfold",
]

# Captured before any learner code runs.
_conv2d = F.conv2d

RTOL, ATOL = 1e-4, 1e-4


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: intra-op threads only add synchronisation cost on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _pair(value):
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _size(n: int, k: int, s: int, p: int, d: int) -> int:
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def _shape_mistakes(h, w, k, s, p, d):
    """Output spatial shapes that classic mistakes give, for the shape check."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = map(_pair, (k, s, p, d))
    return {
        "forgetting the dilation in the kernel's extent (a dilated kernel covers d * (k - 1) + 1 pixels)": (
            _size(h, kh, sh, ph, 1),
            _size(w, kw, sw, pw, 1),
        ),
        "padding only one side (p pixels in all instead of p on each side)": (
            (h + ph - dh * (kh - 1) - 1) // sh + 1,
            (w + pw - dw * (kw - 1) - 1) // sw + 1,
        ),
        "rounding the output size up instead of down": (
            math.ceil((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1,
            math.ceil((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1,
        ),
        "forgetting the stride (every position is computed)": (_size(h, kh, 1, ph, dh), _size(w, kw, 1, pw, dw)),
        "swapping the height and width settings": (_size(h, kh, sw, pw, dw), _size(w, kw, sh, ph, dh)),
    }


def _check_conv(got, x, weight, bias, stride, padding, dilation, groups, name, mistakes=None):
    expected = _conv2d(x, weight, bias, stride, padding, dilation, groups)
    got = to_tensor(got, name)
    if got.shape != expected.shape:
        message = f"{name} has shape {tuple(got.shape)}, expected {tuple(expected.shape)}"
        if got.dim() == 4 and got.shape[:2] == expected.shape[:2]:
            k = tuple(weight.shape[-2:])
            for what, shape in _shape_mistakes(x.shape[-2], x.shape[-1], k, stride, padding, dilation).items():
                if tuple(got.shape[-2:]) == shape:
                    message += f". This is the shape that {what} gives"
                    break
        raise GradeFailure(message)
    check_true(got.dtype == x.dtype, f"{name} has dtype {got.dtype}; expected {x.dtype}, the dtype of x")
    check_close(got, expected, name=name, rtol=RTOL, atol=ATOL, mistakes=mistakes)


def _data(n, c_in, c_out, h, w, kh, kw, groups=1, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, c_in, h, w, generator=g)
    weight = torch.randn(c_out, c_in // groups, kh, kw, generator=g)
    bias = torch.randn(c_out, generator=g)
    return x, weight, bias


def _describe(k, s, p, d, groups=1):
    text = f"kernel_size={k}, stride={s}, padding={p}, dilation={d}"
    return text + (f", groups={groups}" if groups != 1 else "")


def test_output_size(learner):
    """conv2d_output_size follows floor((H + 2p - d(k-1) - 1) / s) + 1"""
    grid = itertools.product([7, 8, 11], [1, 3, 4], [1, 2, 3], [0, 1, 2], [1, 2, 3])
    for n, k, s, p, d in grid:
        if d * (k - 1) + 1 > n + 2 * p:
            continue
        h, w = n, n + 3
        got = learner.conv2d_output_size(h, w, k, s, p, d)
        expected = (_size(h, k, s, p, d), _size(w, k, s, p, d))
        check_true(
            isinstance(got, tuple) and len(got) == 2,
            f"conv2d_output_size should return a tuple (H_out, W_out), got {got!r}",
        )
        got = tuple(int(v) for v in got)
        if got != expected:
            message = (
                f"conv2d_output_size({h}, {w}, kernel_size={k}, stride={s}, padding={p}, dilation={d}) "
                f"returned {got}, expected {expected}"
            )
            for what, shape in _shape_mistakes(h, w, k, s, p, d).items():
                if got == shape:
                    message += f". This is what {what} gives"
                    break
            raise GradeFailure(message)
    got = tuple(learner.conv2d_output_size(10, 13, (3, 5), (2, 1), (0, 2), (1, 2)))
    expected = (_size(10, 3, 2, 0, 1), _size(13, 5, 1, 2, 2))
    if got != expected:
        message = f"conv2d_output_size(10, 13, (3, 5), (2, 1), (0, 2), (1, 2)) returned {got}, expected {expected}"
        for what, shape in _shape_mistakes(10, 13, (3, 5), (2, 1), (0, 2), (1, 2)).items():
            if got == shape:
                message += f". This is what {what} gives"
                break
        raise GradeFailure(message)


def test_cross_correlation_no_flip(learner):
    """a single-channel, stride-1 convolution does not flip the kernel"""
    x, weight, _ = _data(1, 1, 1, 6, 7, 3, 2, seed=1)
    flipped = _conv2d(x, weight.flip(-1, -2))
    _check_conv(
        learner.conv2d(x, weight),
        x,
        weight,
        None,
        1,
        0,
        1,
        1,
        "conv2d(x, weight) for one channel",
        mistakes={"flipping the kernel (a mathematical convolution, not PyTorch's cross-correlation)": flipped},
    )


def test_channels_and_bias(learner):
    """several input and output channels, with the bias added once per output channel"""
    x, weight, bias = _data(2, 3, 3, 6, 5, 3, 3, seed=2)
    got = learner.conv2d(x, weight, bias)
    _check_conv(
        got,
        x,
        weight,
        bias,
        1,
        0,
        1,
        1,
        "conv2d(x, weight, bias) with 3 input and 3 output channels",
        mistakes={
            "forgetting the bias": _conv2d(x, weight),
            "adding the bias once per input channel (inside the channel sum)": _conv2d(x, weight, 3 * bias),
            "swapping the output- and input-channel axes of the weight": _conv2d(x, weight.transpose(0, 1), bias),
            "flipping the kernel (a mathematical convolution, not PyTorch's cross-correlation)": _conv2d(
                x, weight.flip(-1, -2), bias
            ),
        },
    )
    x, weight, bias = _data(2, 3, 5, 6, 5, 2, 3, seed=3)
    _check_conv(
        learner.conv2d(x, weight, bias),
        x,
        weight,
        bias,
        1,
        0,
        1,
        1,
        "conv2d(x, weight, bias) with 3 input and 5 output channels",
        mistakes={"forgetting the bias": _conv2d(x, weight)},
    )


def test_stride_padding_grid(learner):
    """stride 1-3 and zero padding 0-2, for kernel sizes 1-3, equal F.conv2d"""
    for k, s, p in itertools.product([1, 2, 3], [1, 2, 3], [0, 1, 2]):
        x, weight, bias = _data(2, 3, 4, 8, 7, k, k, seed=10 + k * 9 + s * 3 + p)
        _check_conv(
            learner.conv2d(x, weight, bias, stride=s, padding=p),
            x,
            weight,
            bias,
            s,
            p,
            1,
            1,
            f"conv2d with {_describe(k, s, p, 1)}",
            mistakes={"padding with ones (or the edge values) instead of zeros": _conv2d(
                F.pad(x, (p, p, p, p), value=1.0), weight, bias, s)} if p else None,
        )


def test_dilation(learner):
    """dilation spaces the kernel taps d apart"""
    for k, s, p, d in itertools.product([2, 3], [1, 2], [0, 2], [2, 3]):
        x, weight, bias = _data(2, 3, 4, 9, 10, k, k, seed=50 + k * 17 + s * 7 + p * 3 + d)
        expected = _conv2d(x, weight, bias, s, p, d)
        h_out, w_out = expected.shape[-2:]
        _check_conv(
            learner.conv2d(x, weight, bias, stride=s, padding=p, dilation=d),
            x,
            weight,
            bias,
            s,
            p,
            d,
            1,
            f"conv2d with {_describe(k, s, p, d)}",
            mistakes={
                "ignoring the dilation when picking the kernel taps (taps 1 apart, not d apart)": _conv2d(
                    x, weight, bias, s, p, 1
                )[..., :h_out, :w_out]
            },
        )


def test_rectangular_settings(learner):
    """(height, width) tuples for kernel, stride, padding and dilation are not mixed up"""
    configs = [
        ((2, 3), (1, 2), (0, 1), (1, 1)),
        ((3, 2), (2, 1), (1, 0), (1, 2)),
        ((3, 3), (2, 3), (2, 1), (2, 1)),
        ((1, 3), (3, 1), (0, 2), (1, 3)),
    ]
    for i, (k, s, p, d) in enumerate(configs):
        x, weight, bias = _data(2, 2, 3, 11, 12, k[0], k[1], seed=80 + i)
        mistakes = {}
        try:
            mistakes["swapping the height and width settings"] = _conv2d(x, weight, bias, s[::-1], p[::-1], d[::-1])
        except RuntimeError:
            pass
        _check_conv(
            learner.conv2d(x, weight, bias, stride=s, padding=p, dilation=d),
            x,
            weight,
            bias,
            s,
            p,
            d,
            1,
            f"conv2d with {_describe(k, s, p, d)}",
            mistakes=mistakes,
        )


def _wrong_group(x, weight, bias, groups, stride, padding):
    """Output channel o reading input group o % groups instead of o // (C_out / groups)."""
    c_in_g = weight.shape[1]
    outs = []
    for o in range(weight.shape[0]):
        g = o % groups
        outs.append(
            _conv2d(x[:, g * c_in_g : (g + 1) * c_in_g], weight[o : o + 1], bias[o : o + 1], stride, padding)
        )
    return torch.cat(outs, dim=1)


def test_groups(learner):
    """groups split the channels into independent blocks (groups = C_in is depthwise)"""
    for c_in, c_out, groups in [(4, 6, 2), (6, 6, 3), (3, 6, 3), (4, 4, 4)]:
        x, weight, bias = _data(2, c_in, c_out, 7, 8, 3, 3, groups=groups, seed=100 + groups + c_out)
        _check_conv(
            learner.conv2d(x, weight, bias, stride=1, padding=1, groups=groups),
            x,
            weight,
            bias,
            1,
            1,
            1,
            groups,
            f"conv2d with C_in={c_in}, C_out={c_out}, {_describe(3, 1, 1, 1, groups)}",
            mistakes={
                "assigning output channel o to group o % groups instead of o // (C_out // groups)": _wrong_group(
                    x, weight, bias, groups, 1, 1
                )
            },
        )


def test_gradients(learner):
    """gradients with respect to x, weight and bias equal PyTorch's"""
    for k, s, p, d, groups in [(3, 2, 1, 1, 1), ((2, 3), (1, 2), (1, 0), (2, 1), 2)]:
        kh, kw = _pair(k)
        x, weight, bias = _data(2, 4, 4, 8, 9, kh, kw, groups=groups, seed=200 + groups)
        upstream = torch.randn(_conv2d(x, weight, bias, s, p, d, groups).shape, generator=torch.Generator().manual_seed(5))
        grads = []
        for fn in (learner.conv2d, _conv2d):
            xs, ws, bs = (t.clone().requires_grad_(True) for t in (x, weight, bias))
            out = fn(xs, ws, bs, s, p, d, groups)
            if fn is learner.conv2d:
                out = learner_tensor(out, "conv2d's output", shape=tuple(upstream.shape), grad=True)
            (out * upstream).sum().backward()
            grads.append((xs.grad, ws.grad, bs.grad))
        label = _describe(k, s, p, d, groups)
        for what, got, expected in zip(("x", "weight", "bias"), grads[0], grads[1]):
            check_true(got is not None, f"no gradient reached {what} through your conv2d ({label})")
            check_close(got, expected, name=f"the gradient with respect to {what} ({label})", rtol=RTOL, atol=ATOL)


def test_defaults(learner):
    """the default arguments the stub states"""
    check_defaults(learner.conv2d_output_size, "conv2d_output_size", stride=1, padding=0, dilation=1)


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: conv2d keeps every tensor there and equals a float64 CPU reference"""
    for k, s, p, d, groups in [(3, 1, 1, 1, 1), ((2, 3), (2, 1), (1, 0), (1, 2), 2)]:
        kh, kw = _pair(k)
        x, weight, bias = _data(2, 4, 6, 7, 8, kh, kw, groups=groups, seed=300 + groups)
        label = _describe(k, s, p, d, groups)
        check_follows_device(learner.conv2d, x, weight, bias, s, p, d, groups)
        got = to_tensor(learner.conv2d(*to_device((x, weight, bias), device), s, p, d, groups), f"conv2d ({label})")
        check_true(got.device.type == device.type, f"conv2d returned a tensor on {got.device.type} for inputs on {device.type}")
        expected = trusted(_conv2d, x, weight, bias, s, p, d, groups)
        check_close(got, expected, name=f"conv2d with {label} on {device.type}", **tolerance(device, cpu=(RTOL, ATOL)))
