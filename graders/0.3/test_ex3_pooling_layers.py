"""Grader for exercise 0.3.3: max, average and global average pooling by hand.

Compared with ``F.max_pool2d``, ``F.avg_pool2d`` and ``F.adaptive_avg_pool2d`` (captured before the
learner's code runs) over a grid of kernel sizes, strides (including the default ``None``) and paddings,
with rectangular settings and both ``count_include_pad`` modes; gradients on overlapping windows. Inputs
for max pooling are shifted to be mostly negative so that zero padding would win at the borders. Probes:
stride defaulting to 1, zero padding for max pooling, ``count_include_pad`` inverted, window sums or
division by k instead of k * k, one-sided padding, rounding the output size up, height and width settings
swapped, global pooling with max / over the wrong axes / keeping the singleton dimensions.
"""

from __future__ import annotations

import itertools
import math

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_true, learner_tensor, to_tensor
from gradelib.devices import check_follows_device, to_device, tolerance, trusted

FORBIDDEN = [
    "torch.nn.functional.max_pool2d",
    "torch.nn.functional.max_pool2d_with_indices",
    "torch.nn.functional.avg_pool2d",
    "torch.nn.functional.adaptive_avg_pool2d",
    "torch.nn.functional.adaptive_max_pool2d",
    "torch.nn.functional.lp_pool2d",
    "torch.nn.functional.max_pool1d",
    "torch.nn.functional.avg_pool1d",
    "torch.nn.functional.unfold",
    "torch.max_pool2d",
    "torch.max_pool1d",
    "torch.avg_pool1d",
    "torch.nn.MaxPool2d",
    "torch.nn.AvgPool2d",
    "torch.nn.AdaptiveAvgPool2d",
    "torch.nn.Unfold",
]

# Captured before any learner code runs.
_max_pool2d = F.max_pool2d
_avg_pool2d = F.avg_pool2d
_adaptive_avg_pool2d = F.adaptive_avg_pool2d


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: intra-op threads only add synchronisation cost on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _pair(value):
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _shape_mistakes(h, w, k, s, p):
    (kh, kw), (ph, pw) = _pair(k), _pair(p)
    sh, sw = _pair(k if s is None else s)
    out = {}
    if s is None:
        out["defaulting the stride to 1 instead of to kernel_size"] = ((h + 2 * ph - kh) + 1, (w + 2 * pw - kw) + 1)
    out["padding only one side (p pixels in all instead of p on each side)"] = (
        (h + ph - kh) // sh + 1,
        (w + pw - kw) // sw + 1,
    )
    out["rounding the output size up instead of down"] = (
        math.ceil((h + 2 * ph - kh) / sh) + 1,
        math.ceil((w + 2 * pw - kw) / sw) + 1,
    )
    out["swapping the height and width settings"] = ((h + 2 * pw - kw) // sw + 1, (w + 2 * ph - kh) // sh + 1)
    return out


def _check_pool(got, expected, x, k, s, p, name, mistakes=None, rtol=1e-5, atol=1e-5):
    got = to_tensor(got, name)
    if got.shape != expected.shape:
        message = f"{name} has shape {tuple(got.shape)}, expected {tuple(expected.shape)}"
        if got.dim() == 4 and got.shape[:2] == expected.shape[:2]:
            for what, shape in _shape_mistakes(x.shape[-2], x.shape[-1], k, s, p).items():
                if tuple(got.shape[-2:]) == shape:
                    message += f". This is the shape that {what} gives"
                    break
        raise GradeFailure(message)
    check_true(got.dtype == torch.float32, f"{name} has dtype {got.dtype}, expected torch.float32")
    check_close(got, expected, name=name, rtol=rtol, atol=atol, mistakes=mistakes)


def _data(shape, seed, shift=0.0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed)) + shift


def _label(k, s, p, extra=""):
    return f"kernel_size={k}, stride={s}, padding={p}{extra}"


def _configs():
    for k, s, p in itertools.product([2, 3, (2, 3), (3, 2)], [None, 1, 2, (1, 2)], [0, 1, (1, 0)]):
        kh, kw = _pair(k)
        ph, pw = _pair(p)
        if ph <= kh // 2 and pw <= kw // 2:
            yield k, s, p


def test_max_pool_default_stride(learner):
    """max pooling with stride=None uses non-overlapping windows (stride = kernel_size)"""
    x = _data((2, 3, 8, 9), seed=1)
    got = learner.max_pool2d(x, 2)
    _check_pool(got, _max_pool2d(x, 2), x, 2, None, 0, "max_pool2d(x, 2)", rtol=1e-6, atol=1e-6)


def test_max_pool_grid(learner):
    """max pooling equals F.max_pool2d over kernels, strides and paddings (padding never wins)"""
    for i, (k, s, p) in enumerate(_configs()):
        x = _data((2, 2, 7, 8), seed=10 + i, shift=-3.0)
        ph, pw = _pair(p)
        mistakes = {}
        if ph or pw:
            mistakes["padding with zeros instead of -inf (a padded 0 beats negative pixels)"] = _max_pool2d(
                F.pad(x, (pw, pw, ph, ph)), k, s
            )
        _check_pool(
            learner.max_pool2d(x, k, s, p),
            _max_pool2d(x, k, s, p),
            x,
            k,
            s,
            p,
            f"max_pool2d with {_label(k, s, p)}",
            mistakes=mistakes,
            rtol=1e-6,
            atol=1e-6,
        )


def test_avg_pool_grid(learner):
    """average pooling equals F.avg_pool2d over kernels, strides and paddings, both count_include_pad modes"""
    for i, (k, s, p) in enumerate(_configs()):
        x = _data((2, 2, 7, 8), seed=100 + i, shift=1.0)
        kh, kw = _pair(k)
        for include in (True, False):
            expected = _avg_pool2d(x, k, s, p, count_include_pad=include)
            mistakes = {
                "summing each window instead of averaging it": expected * (kh * kw)
                if include
                else _avg_pool2d(x, k, s, p, count_include_pad=True) * (kh * kw),
            }
            if p != 0:
                mistakes[
                    f"count_include_pad={not include} (the divisor should be "
                    + ("kH * kW, padding included)" if include else "the number of real pixels in the window)")
                ] = _avg_pool2d(x, k, s, p, count_include_pad=not include)
            if kh == kw and include:
                mistakes["dividing by k instead of k * k"] = expected * kh
            _check_pool(
                learner.avg_pool2d(x, k, s, p, count_include_pad=include),
                expected,
                x,
                k,
                s,
                p,
                f"avg_pool2d with {_label(k, s, p, f', count_include_pad={include}')}",
                mistakes=mistakes,
            )


def test_avg_pool_default_stride(learner):
    """average pooling with stride=None and count_include_pad left at its default (True)"""
    x = _data((1, 2, 9, 6), seed=7)
    _check_pool(learner.avg_pool2d(x, 3, padding=1), _avg_pool2d(x, 3, padding=1), x, 3, None, 1,
                "avg_pool2d(x, 3, padding=1)",
                mistakes={"count_include_pad=False by default (the default is True)": _avg_pool2d(
                    x, 3, padding=1, count_include_pad=False)})


def test_global_avg_pool(learner):
    """global average pooling gives the (N, C) mean over all spatial positions"""
    x = _data((3, 4, 5, 6), seed=9, shift=0.5)
    expected = _adaptive_avg_pool2d(x, 1).reshape(3, 4)
    got = to_tensor(learner.global_avg_pool2d(x), "global_avg_pool2d(x)")
    if got.shape != expected.shape:
        message = f"global_avg_pool2d(x) has shape {tuple(got.shape)}, expected (3, 4) = (N, C)"
        if tuple(got.shape) == (3, 4, 1, 1):
            message += ": drop the two singleton spatial dimensions (no keepdim)"
        elif tuple(got.shape) in ((3, 5, 6), (5, 6), (4, 5, 6)):
            message += ": average over the spatial axes H and W (the last two), not over the batch or channels"
        raise GradeFailure(message)
    check_close(
        got,
        expected,
        name="global_avg_pool2d(x)",
        rtol=1e-5,
        atol=1e-5,
        mistakes={
            "taking the max instead of the mean": x.amax(dim=(-2, -1)),
            "averaging over one spatial axis only": x.mean(dim=-1)[..., 0],
        },
    )


def test_max_pool_gradient(learner):
    """the max-pool gradient flows to each window's maximum, summed over overlapping windows"""
    for k, s, p in [(3, 1, 1), ((3, 2), (2, 1), (1, 0))]:
        x = _data((2, 2, 6, 7), seed=31)
        upstream = _data(_max_pool2d(x, k, s, p).shape, seed=32)
        grads = []
        for fn in (learner.max_pool2d, _max_pool2d):
            xs = x.clone().requires_grad_(True)
            out = fn(xs, k, s, p)
            if fn is learner.max_pool2d:
                out = learner_tensor(out, "max_pool2d's output", shape=tuple(upstream.shape), grad=True)
            (out * upstream).sum().backward()
            grads.append(xs.grad)
        check_close(
            grads[0], grads[1], name=f"the gradient of max_pool2d with {_label(k, s, p)}", rtol=1e-5, atol=1e-5
        )
    x = _data((1, 2, 6, 6), seed=33)
    xs = x.clone().requires_grad_(True)
    learner.avg_pool2d(xs, 3, 2, 1, count_include_pad=False).sum().backward()
    xr = x.clone().requires_grad_(True)
    _avg_pool2d(xr, 3, 2, 1, count_include_pad=False).sum().backward()
    check_close(xs.grad, xr.grad, name="the gradient of avg_pool2d(x, 3, 2, 1, count_include_pad=False)",
                rtol=1e-5, atol=1e-5)


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: each pooling keeps its tensors there and equals a float64 CPU reference"""
    x = _data((2, 3, 6, 7), seed=40, shift=0.5)
    cases = [
        ("max_pool2d", learner.max_pool2d, (x, 3, 2, 1), {}, lambda x: _max_pool2d(x, 3, 2, 1)),
        ("avg_pool2d", learner.avg_pool2d, (x, 3, 2, 1), {}, lambda x: _avg_pool2d(x, 3, 2, 1)),
        ("avg_pool2d(count_include_pad=False)", learner.avg_pool2d, (x, (3, 2), 1, (1, 1)), {"count_include_pad": False},
         lambda x: _avg_pool2d(x, (3, 2), 1, (1, 1), count_include_pad=False)),
        ("global_avg_pool2d", learner.global_avg_pool2d, (x,), {}, lambda x: _adaptive_avg_pool2d(x, 1).reshape(2, 3)),
    ]
    for name, fn, args, kwargs, reference in cases:
        check_follows_device(fn, *args, **kwargs)
        got = to_tensor(fn(to_device(x, device), *args[1:], **kwargs), name)
        check_true(got.device.type == device.type, f"{name} returned a tensor on {got.device.type} for an input on {device.type}")
        check_close(got, trusted(reference, x), name=f"{name} on {device.type}", **tolerance(device))
