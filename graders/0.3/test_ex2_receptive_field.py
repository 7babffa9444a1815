"""Grader for exercise 0.3.2: receptive field and effective stride of a conv/pool stack (code + questions).

The trusted reference is a measurement, not the recurrence: a chain of 1D convolutions with all-ones
kernels (same kernel, stride and dilation as each layer, no padding) is built with ``F.conv1d``; the
gradient of output unit 0 (and unit 1) with respect to the input marks the input pixels that unit can
see, so the extent of the nonzero gradient is the receptive field and the shift between units 0 and 1 is
the effective stride. The recurrence is used only to size the input. Probes: strides ignored, the jump
updated before widening (a layer's own stride applied to its own kernel), dilation ignored, kernel sizes
summed, starting from 0 instead of 1, and strides summed instead of multiplied. The two answers about
the given five-layer network are computed the same way, so they are never stored in plain text.
"""

from __future__ import annotations

import random

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, answer, check_number, check_true

_conv1d = F.conv1d

# The network of the stub's Part 2 (the grader's own copy: editing the stub's list changes nothing).
_FIVE_LAYER = [(7, 2), (3, 2), (3, 2), (3, 2), (3, 1, 2)]


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: intra-op threads only add synchronisation cost on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _unpack(layer):
    return layer[0], layer[1], (layer[2] if len(layer) > 2 else 1)


def _recurrence(layers, *, use_stride=True, stride_first=False, use_dilation=True, start=1):
    rf, jump = start, 1
    for layer in layers:
        k, s, d = _unpack(layer)
        span = (d if use_dilation else 1) * (k - 1) + 1
        if stride_first and use_stride:
            jump *= s
        rf += (span - 1) * jump
        if use_stride and not stride_first:
            jump *= s
    return rf


def _measure(layers) -> tuple[int, int]:
    """(receptive field, effective stride) from the gradient of output units 0 and 1 of an all-ones chain."""
    jump = 1
    for layer in layers:
        jump *= _unpack(layer)[1]
    length = _recurrence(layers) + jump + 2
    x = torch.zeros(1, 1, length, dtype=torch.float64, requires_grad=True)
    y = x
    for layer in layers:
        k, s, d = _unpack(layer)
        y = _conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), stride=s, dilation=d)
    (g0,) = torch.autograd.grad(y[0, 0, 0], x, retain_graph=True)
    (g1,) = torch.autograd.grad(y[0, 0, 1], x)
    nz0 = torch.nonzero(g0[0, 0]).flatten()
    nz1 = torch.nonzero(g1[0, 0]).flatten()
    return int(nz0[-1] - nz0[0] + 1), int(nz1[0] - nz0[0])


def _rf_mistakes(layers) -> dict[str, float]:
    jump_product = 1
    for layer in layers:
        jump_product *= _unpack(layer)[1]
    candidates = {
        "ignoring the strides (adding k - 1 per layer, as if every stride were 1)": _recurrence(layers, use_stride=False),
        "multiplying in a layer's own stride before adding its kernel (a layer's stride only affects the layers "
        "after it)": _recurrence(layers, stride_first=True),
        "ignoring the dilation (a dilated kernel spans d * (k - 1) + 1 pixels)": _recurrence(layers, use_dilation=False),
        "starting from 0 instead of 1 (a pixel sees itself)": _recurrence(layers, start=0),
        "summing the kernel sizes": sum(_unpack(layer)[0] for layer in layers),
    }
    return candidates


def _check_rf(learner, layers, label):
    expected, _ = _measure(layers)
    got = learner.receptive_field(list(layers))
    check_number(got, expected, name=f"receptive_field({label})", mistakes=_rf_mistakes(layers))


def test_empty_network(learner):
    """an empty network has receptive field 1 and effective stride 1"""
    check_number(learner.receptive_field([]), 1, name="receptive_field([])")
    check_number(learner.effective_stride([]), 1, name="effective_stride([])")


def test_single_layer(learner):
    """one layer sees its kernel's span d * (k - 1) + 1, whatever its stride"""
    for layer in [(1, 1), (3, 1), (5, 2), (7, 4), (3, 1, 2), (3, 2, 3), (2, 2)]:
        _check_rf(learner, [layer], f"[{layer}]")


def test_stride_affects_later_layers(learner):
    """a layer's stride multiplies the growth of every layer after it"""
    for layers in ([(3, 2), (3, 1)], [(3, 1), (3, 2)], [(2, 2), (2, 2), (2, 2)], [(3, 3), (3, 1), (1, 1)]):
        _check_rf(learner, layers, repr(layers))


def test_dilated_stacks(learner):
    """dilated layers widen the field by d * (k - 1) times the current jump"""
    for layers in ([(3, 1, 1), (3, 1, 2), (3, 1, 4)], [(3, 2), (3, 1, 2), (3, 1, 3)], [(5, 1, 2), (2, 2, 1)]):
        _check_rf(learner, layers, repr(layers))


def test_random_stacks(learner):
    """random stacks of 1-6 layers match the measured receptive field"""
    rng = random.Random(3)
    for _ in range(25):
        layers = []
        for _ in range(rng.randint(1, 6)):
            k, s = rng.choice([1, 2, 3, 3, 5, 7]), rng.choice([1, 1, 2, 3])
            layers.append((k, s, rng.choice([1, 2, 3])) if rng.random() < 0.3 else (k, s))
        _check_rf(learner, layers, repr(layers))


def test_effective_stride(learner):
    """the effective stride is the measured distance between neighbouring output units"""
    rng = random.Random(8)
    for _ in range(12):
        layers = [(rng.choice([1, 3, 5]), rng.choice([1, 2, 3])) for _ in range(rng.randint(1, 5))]
        _, expected = _measure(layers)
        strides = [s for _, s in layers]
        got = learner.effective_stride(list(layers))
        check_number(
            got,
            expected,
            name=f"effective_stride({layers!r})",
            mistakes={"summing the strides instead of multiplying them": sum(strides)} if sum(strides) != expected else None,
        )


def _check_answer(value, expected: int, name: str, mistakes: dict[str, int]) -> None:
    """Like check_number, but the message never reveals the expected answer."""
    check_true(
        isinstance(value, (int, float)) and not isinstance(value, bool),
        f"{name} should be a number (an int), got {type(value).__name__}: {value!r}",
    )
    if value == expected:
        return
    for what, wrong in mistakes.items():
        if value == wrong:
            raise GradeFailure(f"{name} = {value!r} is not right. This is what {what} gives.")
    raise GradeFailure(f"{name} = {value!r} is not right; check it with your receptive_field / effective_stride")


def test_five_layer_answers(learner):
    """RF_FIVE_LAYER and STRIDE_FIVE_LAYER for the given five-layer network"""
    rf, jump = _measure(_FIVE_LAYER)
    _check_answer(answer(learner, "RF_FIVE_LAYER"), rf, "RF_FIVE_LAYER", _rf_mistakes(_FIVE_LAYER))
    strides = [_unpack(layer)[1] for layer in _FIVE_LAYER]
    _check_answer(
        answer(learner, "STRIDE_FIVE_LAYER"),
        jump,
        "STRIDE_FIVE_LAYER",
        {"summing the strides instead of multiplying them": sum(strides)},
    )
