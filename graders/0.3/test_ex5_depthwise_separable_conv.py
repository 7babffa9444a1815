"""Grader for exercise 0.3.5: depthwise separable convolution and its parameter count.

Form: the catalogue's "depthwise separable conv equals grouped conv + 1x1" is kept, with the depthwise and
pointwise steps written from scratch (``F.conv2d`` is the reference, so it is off-limits to the learner):
calling ``F.conv2d(groups=C)`` would make the comparison circular. Added: the equivalent standard weight,
which shows why the separable form is cheaper (it is a factorised k x k x C_in filter).

References: ``F.conv2d`` with ``groups=C`` (depthwise), a 1x1 ``F.conv2d`` (pointwise), their composition,
and ``sum(p.numel())`` of real ``nn.Conv2d`` modules for the parameter counts (all captured before the
learner's code runs). Probes: a flipped kernel, output channel o reading input channel o % C instead of
o // M (depth multiplier > 1), a transposed pointwise weight, missing biases, the wrong interleaving in
the factorised weight, k instead of k * k, the depthwise step counted as a full convolution, the depth
multiplier or the depthwise bias left out of the count.
"""

from __future__ import annotations

import itertools

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_defaults, check_number, check_true, to_tensor
from gradelib.devices import check_follows_device, to_device, tolerance, trusted
from torch import nn

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
_Conv2d = nn.Conv2d

RTOL, ATOL = 1e-4, 1e-4


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: intra-op threads only add synchronisation cost on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _rand(shape, g):
    return torch.randn(*shape, generator=g)


def _check(got, expected, name, mistakes=None):
    got = to_tensor(got, name)
    if got.shape != expected.shape:
        raise GradeFailure(f"{name} has shape {tuple(got.shape)}, expected {tuple(expected.shape)}")
    check_close(got, expected, name=name, rtol=RTOL, atol=ATOL, mistakes=mistakes)


def _modulo_channels(x, weight, bias, stride, padding, dilation):
    """What output channel o reading input channel o % C gives."""
    c, cm = x.shape[1], weight.shape[0]
    picked = x[:, [o % c for o in range(cm)]]
    return _conv2d(picked, weight, bias, stride, padding, dilation, groups=cm)


def test_depthwise_grid(learner):
    """depthwise conv (multiplier 1) equals F.conv2d(groups=C) over kernels, strides, paddings, dilations"""
    for i, (k, s, p, d) in enumerate(itertools.product([1, 3, 5], [1, 2], [0, 1, 2], [1, 2])):
        if d * (k - 1) + 1 > 8 + 2 * p:
            continue
        g = torch.Generator().manual_seed(i)
        x, weight, bias = _rand((2, 3, 8, 9), g), _rand((3, 1, k, k), g), _rand((3,), g)
        expected = _conv2d(x, weight, bias, s, p, d, groups=3)
        _check(
            learner.depthwise_conv2d(x, weight, bias, s, p, d),
            expected,
            f"depthwise_conv2d with k={k}, stride={s}, padding={p}, dilation={d}",
            mistakes={
                "flipping the kernel (a mathematical convolution, not PyTorch's cross-correlation)": _conv2d(
                    x, weight.flip(-1, -2), bias, s, p, d, groups=3
                ),
                "forgetting the bias": _conv2d(x, weight, None, s, p, d, groups=3),
            },
        )


def test_depthwise_multiplier(learner):
    """with depth multiplier M, output channel o filters input channel o // M"""
    for c, m in [(3, 2), (2, 3), (4, 2)]:
        g = torch.Generator().manual_seed(10 * c + m)
        x, weight, bias = _rand((2, c, 7, 6), g), _rand((c * m, 1, 3, 3), g), _rand((c * m,), g)
        expected = _conv2d(x, weight, bias, 1, 1, 1, groups=c)
        _check(
            learner.depthwise_conv2d(x, weight, bias, 1, 1, 1),
            expected,
            f"depthwise_conv2d with C={c}, M={m} (weight {tuple(weight.shape)})",
            mistakes={
                "output channel o reading input channel o % C instead of o // M": _modulo_channels(
                    x, weight, bias, 1, 1, 1
                )
            },
        )


def test_pointwise(learner):
    """pointwise 1x1 conv mixes channels at every pixel"""
    g = torch.Generator().manual_seed(20)
    x, weight, bias = _rand((2, 4, 5, 6), g), _rand((4, 4, 1, 1), g), _rand((4,), g)
    _check(
        learner.pointwise_conv2d(x, weight, bias),
        _conv2d(x, weight, bias),
        "pointwise_conv2d with 4 -> 4 channels",
        mistakes={
            "using the weight transposed (weight[c, o] instead of weight[o, c])": _conv2d(
                x, weight.transpose(0, 1), bias
            ),
            "forgetting the bias": _conv2d(x, weight),
        },
    )
    x, weight = _rand((2, 3, 4, 5), g), _rand((7, 3, 1, 1), g)
    _check(learner.pointwise_conv2d(x, weight, None), _conv2d(x, weight), "pointwise_conv2d with 3 -> 7 channels, no bias")


def test_separable_equals_grouped_plus_1x1(learner):
    """separable conv equals F.conv2d(groups=C) followed by a 1x1 F.conv2d"""
    for c, m, c_out, k, s, p, d in [(3, 1, 5, 3, 1, 1, 1), (4, 2, 6, 3, 2, 1, 1), (2, 3, 4, 3, 1, 2, 2), (3, 1, 8, 5, 2, 2, 1)]:
        g = torch.Generator().manual_seed(30 + c + m + k)
        x = _rand((2, c, 9, 8), g)
        dw, db = _rand((c * m, 1, k, k), g), _rand((c * m,), g)
        pw, pb = _rand((c_out, c * m, 1, 1), g), _rand((c_out,), g)
        expected = _conv2d(_conv2d(x, dw, db, s, p, d, groups=c), pw, pb)
        _check(
            learner.separable_conv2d(x, dw, db, pw, pb, s, p, d),
            expected,
            f"separable_conv2d with C={c}, M={m}, C_out={c_out}, k={k}, stride={s}, padding={p}, dilation={d}",
            mistakes={
                "forgetting the depthwise bias": _conv2d(_conv2d(x, dw, None, s, p, d, groups=c), pw, pb),
                "forgetting the pointwise bias": _conv2d(_conv2d(x, dw, db, s, p, d, groups=c), pw),
                "putting a ReLU between the two steps (the exercise asks for none)": _conv2d(
                    F.relu(_conv2d(x, dw, db, s, p, d, groups=c)), pw, pb
                ),
            },
        )


def test_standard_weight(learner):
    """the equivalent standard weight W[o, c] = sum_m pw[o, c*M+m] * dw[c*M+m] reproduces the separable conv"""
    for c, m, c_out, k in [(3, 1, 4, 3), (3, 2, 5, 3), (2, 3, 4, 5)]:
        g = torch.Generator().manual_seed(40 + c * m + k)
        dw, pw = _rand((c * m, 1, k, k), g), _rand((c_out, c * m, 1, 1), g)
        expected = torch.einsum("ocm,cmuv->ocuv", pw.reshape(c_out, c, m), dw.reshape(c, m, k, k))
        wrong = torch.einsum("omc,mcuv->ocuv", pw.reshape(c_out, m, c), dw.reshape(m, c, k, k))
        got = to_tensor(learner.separable_as_standard_weight(dw, pw, c), "separable_as_standard_weight(...)")
        label = f"separable_as_standard_weight for C={c}, M={m}, C_out={c_out}, k={k}"
        _check(
            got,
            expected,
            label,
            mistakes={"grouping the depthwise filters as m * C + c instead of c * M + m": wrong} if m > 1 else None,
        )
        x = _rand((1, c, 7, 7), g)
        check_close(
            _conv2d(x, got.to(x.dtype), None, 1, 1),
            _conv2d(_conv2d(x, dw, None, 1, 1, groups=c), pw),
            name=f"F.conv2d with your standard weight vs the separable conv ({label})",
            rtol=RTOL,
            atol=ATOL,
        )


def _numel(*modules) -> int:
    return sum(p.numel() for module in modules for p in module.parameters())


_CONFIGS = [(3, 16, 3), (32, 64, 3), (64, 64, 5), (16, 8, 1), (128, 256, 3), (7, 9, 7)]


def test_standard_param_count(learner):
    """conv2d_param_count equals the parameters of nn.Conv2d(c_in, c_out, k)"""
    for (c_in, c_out, k), bias in itertools.product(_CONFIGS, (True, False)):
        expected = _numel(_Conv2d(c_in, c_out, k, bias=bias))
        mistakes = {"counting k instead of k * k weights per filter": c_out * c_in * k + (c_out if bias else 0)}
        if bias:
            mistakes["forgetting the bias (one per output channel)"] = c_out * c_in * k * k
        else:
            mistakes["counting a bias although bias=False"] = c_out * c_in * k * k + c_out
        got = learner.conv2d_param_count(c_in, c_out, k, bias=bias)
        check_number(got, expected, name=f"conv2d_param_count({c_in}, {c_out}, {k}, bias={bias})",
                     rtol=0, mistakes=mistakes)


def test_separable_param_count(learner):
    """separable_param_count equals the parameters of the depthwise plus the pointwise nn.Conv2d"""
    for (c_in, c_out, k), m, bias in itertools.product(_CONFIGS, (1, 2), (True, False)):
        mid = c_in * m
        expected = _numel(_Conv2d(c_in, mid, k, groups=c_in, bias=bias), _Conv2d(mid, c_out, 1, bias=bias))
        b = 1 if bias else 0
        mistakes = {
            "forgetting the depthwise step's bias": expected - b * mid,
            "counting the depthwise step as a full convolution (c_in * M * c_in * k * k weights)": expected
            + mid * (c_in - 1) * k * k,
            "counting k instead of k * k weights per depthwise filter": expected - mid * k * (k - 1),
            "ignoring the depth multiplier": c_in * k * k + b * c_in + c_out * c_in + b * c_out,
        }
        got = learner.separable_param_count(c_in, c_out, k, depth_multiplier=m, bias=bias)
        check_number(
            got,
            expected,
            name=f"separable_param_count({c_in}, {c_out}, {k}, depth_multiplier={m}, bias={bias})",
            rtol=0,
            mistakes={what: value for what, value in mistakes.items() if value != expected},
        )
    check_true(
        learner.separable_param_count(256, 256, 3) < learner.conv2d_param_count(256, 256, 3) / 8,
        "for 256 -> 256 channels with 3x3 kernels a separable conv should need about 1/C_out + 1/k^2 ~ 0.115 "
        "of the standard conv's parameters",
    )


def test_defaults(learner):
    """the default arguments the stub states"""
    check_defaults(learner.depthwise_conv2d, "depthwise_conv2d", bias=None, stride=1, padding=0, dilation=1)
    check_defaults(learner.separable_conv2d, "separable_conv2d", stride=1, padding=0, dilation=1)
    check_defaults(learner.conv2d_param_count, "conv2d_param_count", bias=True)


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: the depthwise, pointwise and separable convolutions and the standard weight keep
    their tensors there and equal a float64 CPU reference"""
    g = torch.Generator().manual_seed(60)
    c, m, c_out, k, s, p, d = 3, 2, 5, 3, 2, 1, 1
    x = _rand((2, c, 9, 8), g)
    dw, db = _rand((c * m, 1, k, k), g), _rand((c * m,), g)
    pw, pb = _rand((c_out, c * m, 1, 1), g), _rand((c_out,), g)
    cases = [
        ("depthwise_conv2d", learner.depthwise_conv2d, (x, dw, db, s, p, d),
         lambda x, dw, db: _conv2d(x, dw, db, s, p, d, groups=c)),
        ("pointwise_conv2d", learner.pointwise_conv2d, (x, pw[:, :c], pb), lambda x, pw, pb: _conv2d(x, pw, pb)),
        ("separable_conv2d", learner.separable_conv2d, (x, dw, db, pw, pb, s, p, d),
         lambda x, dw, db, pw, pb: _conv2d(_conv2d(x, dw, db, s, p, d, groups=c), pw, pb)),
        ("separable_as_standard_weight", learner.separable_as_standard_weight, (dw, pw, c),
         lambda dw, pw: torch.einsum("ocm,cmuv->ocuv", pw.reshape(c_out, c, m), dw.reshape(c, m, k, k))),
    ]
    for name, fn, args, reference in cases:
        check_follows_device(fn, *args)
        got = to_tensor(fn(*to_device(args, device)), name)
        check_true(got.device.type == device.type, f"{name} returned a tensor on {got.device.type} for inputs on {device.type}")
        expected = trusted(reference, *[a for a in args if isinstance(a, torch.Tensor)])
        check_close(got, expected, name=f"{name} on {device.type}", **tolerance(device, cpu=(RTOL, ATOL)))
