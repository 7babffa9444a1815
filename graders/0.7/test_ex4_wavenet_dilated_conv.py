"""Grader for exercise 0.7.4: a WaveNet-style stack of dilated causal convolutions.

The learner's layers are recomputed with ``torch.nn.functional.conv1d`` from their own weights (left zero
padding, dilations 1, 2, 4, ...); causality is checked by perturbing single input positions, and the
receptive field by the support of the gradient of one output position (it must be exactly the
``receptive_field(L, k)`` positions up to and including that one). Probes: the receptive field formula as
2**L - 1, L + 1 or 2**(L + 1); padding on the right or on both sides (the output sees the future); no
padding (the sequence shrinks); dilations that do not double (receptive field L + 1) or that start at 2.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_number, check_true, learner_tensor
from gradelib.devices import check_follows_device, to_device, tolerance, trusted

_conv1d = F.conv1d
_pad = F.pad
_grad = torch.autograd.grad

TOL = dict(rtol=1e-5, atol=1e-6)


def _x(b=2, c=3, t=40, seed=0):
    return torch.randn(b, c, t, generator=torch.Generator().manual_seed(seed))


def _weights(module, what: str):
    conv = getattr(module, "conv", None)
    if not isinstance(conv, torch.nn.Conv1d):
        raise GradeFailure(f"{what} should hold its convolution as self.conv = nn.Conv1d(...), found {conv!r}")
    padding = conv.padding if isinstance(conv.padding, tuple) else (conv.padding,)
    check_true(
        padding == (0,),
        f"{what}.conv has padding={conv.padding}: Conv1d pads both sides; keep padding=0 and pad on the left yourself",
    )
    return conv.weight.detach(), None if conv.bias is None else conv.bias.detach(), conv


def _causal(x, w, b, dilation):
    k = w.shape[-1]
    return _conv1d(_pad(x, ((k - 1) * dilation, 0)), w, b, dilation=dilation)


def test_receptive_field_formula(learner):
    """receptive_field(L) = 2**L for kernel 2, 1 + (k - 1)(2**L - 1) in general"""
    for n_layers in (1, 3, 5, 8):
        check_number(
            learner.receptive_field(n_layers, 2),
            2**n_layers,
            name=f"receptive_field({n_layers}, 2)",
            mistakes={
                "2**L - 1 (the current position is part of the field)": 2**n_layers - 1,
                "L + 1, as without dilation": n_layers + 1,
                "2**(L + 1), one layer too many": 2 ** (n_layers + 1),
            },
        )
    check_number(
        learner.receptive_field(3, 3),
        1 + 2 * (2**3 - 1),
        name="receptive_field(3, 3)",
        mistakes={"ignoring the kernel size (2**L)": 8, "kernel_size**L": 27},
    )


def test_causal_conv_output(learner):
    """CausalConv1d keeps the length and equals left-padded conv1d"""
    x = _x()
    for k, d in ((2, 4), (3, 2), (2, 1)):
        layer = learner.CausalConv1d(3, 5, k, dilation=d)
        w, b, conv = _weights(layer, f"CausalConv1d(3, 5, {k}, dilation={d})")
        check_true(
            tuple(w.shape) == (5, 3, k) and conv.dilation == (d,),
            f"CausalConv1d(3, 5, {k}, dilation={d}).conv should be nn.Conv1d(3, 5, {k}, dilation={d}), found "
            f"weight {tuple(w.shape)} and dilation {conv.dilation}",
        )
        p = (k - 1) * d
        with torch.no_grad():
            got = layer(x)
            full = _conv1d(_pad(x, (p, p)), w, b, dilation=d)
        if tuple(got.shape) == (2, 5, 40 - p):
            raise GradeFailure(
                f"CausalConv1d(3, 5, {k}, dilation={d}) shrinks the sequence from 40 to {40 - p}: pad "
                f"(kernel_size - 1) * dilation = {p} zeros on the left first"
            )
        check_close(
            got,
            _causal(x, w, b, d),
            name=f"the output of CausalConv1d(3, 5, {k}, dilation={d})",
            mistakes={
                "padding on the right, or padding both sides and keeping the LAST T outputs (the output looks "
                "into the future)": _conv1d(_pad(x, (0, p)), w, b, dilation=d),
                "padding both sides and keeping the middle T outputs (the output looks into the future)": full[
                    ..., p // 2 : p // 2 + x.shape[-1]
                ],
            },
            **TOL,
        )


def _stack(learner, channels, n_layers, k=2):
    stack = learner.WaveNetStack(channels, n_layers, k)
    layers = getattr(stack, "layers", None)
    check_true(
        isinstance(layers, torch.nn.ModuleList) and len(layers) == n_layers,
        f"WaveNetStack({channels}, {n_layers}) should hold its {n_layers} layers in self.layers (an nn.ModuleList), "
        f"found {type(layers).__name__}",
    )
    dilations = []
    for i, layer in enumerate(layers):
        _, _, conv = _weights(layer, f"layers[{i}]")
        dilations.append(conv.dilation[0])
    expected = [2**i for i in range(n_layers)]
    if dilations != expected:
        why = ""
        if all(d == 1 for d in dilations):
            why = " Without dilation the receptive field only grows by one position per layer (L + 1)."
        elif dilations == [2 ** (i + 1) for i in range(n_layers)]:
            why = " Starting at 2 skips every odd offset: the field has holes."
        raise GradeFailure(f"the dilations of the layers are {dilations}, expected {expected} (doubling from 1).{why}")
    return stack


def _reference_stack(stack, x):
    h = x
    for i, layer in enumerate(stack.layers):
        w, b, conv = _weights(layer, f"layers[{i}]")
        h = h + torch.tanh(_causal(h, w, b, conv.dilation[0]))
    return h


def test_stack_forward(learner):
    """the stack applies h = h + tanh(layer(h)) with dilations 1, 2, 4, ..."""
    stack = _stack(learner, 3, 4)
    x = _x()
    with torch.no_grad():
        got = stack(x)
        expected = _reference_stack(stack, x)
    check_close(
        got,
        expected,
        name="the output of WaveNetStack(3, 4)",
        mistakes={"leaving out the residual connection (h = tanh(layer(h)))": _no_residual(stack, x)},
        **TOL,
    )


def _no_residual(stack, x):
    h = x
    with torch.no_grad():
        for layer in stack.layers:
            w, b, conv = _weights(layer, "a layer")
            h = torch.tanh(_causal(h, w, b, conv.dilation[0]))
    return h


def test_causality_by_perturbation(learner):
    """changing the input at time t0 changes no output before t0, and changes the output at t0"""
    stack = _stack(learner, 3, 4)
    x = _x(t=40)
    with torch.no_grad():
        base = stack(x)
        for t0 in (0, 7, 20, 39):
            x2 = x.clone()
            x2[..., t0] += torch.randn(2, 3, generator=torch.Generator().manual_seed(t0))
            out = stack(x2)
            diff = (out - base).abs().amax(dim=(0, 1))
            before = diff[:t0]
            if t0 > 0 and float(before.max()) > 1e-6:
                first = int(torch.nonzero(before > 1e-6)[0])
                raise GradeFailure(
                    f"changing the input at time {t0} changed the output at time {first} (by {float(before.max()):.3g}"
                    " at most): the stack is not causal, an output looks into the future"
                )
            check_true(
                float(diff[t0]) > 1e-4,
                f"changing the input at time {t0} did not change the output at time {t0}: each output should "
                "depend on the current input too",
            )


def _support(stack, t: int, x: torch.Tensor) -> list[int]:
    x = x.clone().requires_grad_(True)
    out = stack(x)
    (g,) = _grad(out[..., t].sum(), [x])
    mag = g.abs().sum(dim=(0, 1))
    return [int(i) for i in torch.nonzero(mag > 0).flatten()]


def test_receptive_field_by_gradient(learner):
    """an output depends on exactly the last receptive_field(L, k) inputs up to itself"""
    for n_layers, k, T, t in ((5, 2, 48, 40), (3, 3, 30, 25), (1, 2, 10, 6)):
        stack = _stack(learner, 3, n_layers, k)
        support = _support(stack, t, _x(t=T, seed=n_layers))
        rf = 1 + (k - 1) * (2**n_layers - 1)
        expected = list(range(t - rf + 1, t + 1))
        if support != expected:
            future = [i for i in support if i > t]
            detail = f"positions {support[0]}..{support[-1]} ({len(support)} of them)" if support else "no position"
            why = " It reaches into the future." if future else ""
            raise GradeFailure(
                f"with L={n_layers}, kernel {k}, output position {t} depends on input {detail}; expected "
                f"{expected[0]}..{expected[-1]} ({rf} positions, the receptive field).{why}"
            )
        check_number(
            learner.receptive_field(n_layers, k),
            len(support),
            name=f"receptive_field({n_layers}, {k}) compared with the measured field",
        )


def test_defaults(learner):
    """the defaults the stub states: kernel_size=2 and dilation=1"""
    check_true(learner.receptive_field(4) == 16, f"receptive_field(4) with the default kernel_size=2 is 16, got "
               f"{learner.receptive_field(4)!r}")
    layer = learner.CausalConv1d(3, 5, 2)
    w, _, conv = _weights(layer, "CausalConv1d(3, 5, 2)")
    check_true(conv.dilation == (1,), f"CausalConv1d(3, 5, 2) should default to dilation=1, found {conv.dilation}")
    stack = learner.WaveNetStack(3, 2)
    kernels = [_weights(layer, f"layers[{i}]")[0].shape[-1] for i, layer in enumerate(getattr(stack, "layers", []))]
    check_true(kernels == [2, 2], f"WaveNetStack(3, 2) should default to kernel_size=2, found kernel sizes {kernels}")


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: no tensor made off the input's device; the stack equals a float64 CPU reference"""
    stack = _stack(learner, 3, 3)
    x = _x(t=24, seed=7)
    check_follows_device(lambda stack, x: stack(x), stack, x)
    with torch.no_grad():
        got = learner_tensor(to_device(stack, device)(to_device(x, device)), "the output of WaveNetStack(3, 3)")
    check_true(got.device.type == device.type, f"the stack's output is on {got.device.type}, x on {device.type}")
    check_close(got.cpu(), trusted(_reference_stack, stack, x), name=f"the output of WaveNetStack(3, 3) on {device.type}",
                **tolerance(device, cpu=(TOL["rtol"], TOL["atol"])))
