"""Grader for exercise 1.3.3: a LoRA linear layer, its merge, and the parameter reduction.

The reference is the closed form ``base(x) + (alpha / r) * x A^T B^T`` (and its gradients) on seeded
data; the counts are ``d_in * d_out`` and ``r * (d_in + d_out)``. Probes: A and B initialised the wrong
way round (or both zero), A or B with transposed shapes, a base layer that still trains, the scaling left
out or taken as alpha or r / alpha, a merge without the scaling, a merge done in place (forward then adds
B @ A twice), and the counts r * d_in * d_out, one factor only, or the bias included.
"""

from __future__ import annotations

import pytest
import torch
from gradelib import GradeFailure, answer, check_close, check_number, check_true, learner_tensor
from gradelib.devices import check_follows_device, to_device, tolerance, trusted
from torch import nn

D_IN, D_OUT, R, ALPHA = 24, 40, 4, 8.0


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is far faster than several on a busy machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def _base(seed: int = 0) -> nn.Linear:
    g = torch.Generator().manual_seed(seed)
    base = nn.Linear(D_IN, D_OUT)
    with torch.no_grad():
        base.weight.copy_(torch.randn(D_OUT, D_IN, generator=g) * 0.2)
        base.bias.copy_(torch.randn(D_OUT, generator=g))
    return base


def _make(learner, seed: int = 0):
    base = _base(seed)
    layer = learner.LoRALinear(base, R, ALPHA)
    for name in ("base", "lora_A", "lora_B", "scaling"):
        if not hasattr(layer, name):
            raise GradeFailure(f"LoRALinear has no attribute {name!r}; the stub lists the attributes to create")
    return layer, base


def _set_update(layer, seed: int = 1):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(R, D_IN, generator=g) * 0.3
    b = torch.randn(D_OUT, R, generator=g) * 0.3
    with torch.no_grad():
        layer.lora_A.copy_(a)
        layer.lora_B.copy_(b)
    return a, b


def _x(seed: int, *lead: int) -> torch.Tensor:
    return torch.randn(*lead, D_IN, generator=torch.Generator().manual_seed(seed))


def test_structure_and_init(learner):
    """A is (r, d_in) random, B is (d_out, r) zeros, scaling = alpha / r"""
    layer, _ = _make(learner)
    a, b = layer.lora_A, layer.lora_B
    check_true(isinstance(a, nn.Parameter) and isinstance(b, nn.Parameter), "lora_A and lora_B must be nn.Parameter")
    if tuple(a.shape) == (D_IN, R) or tuple(b.shape) == (R, D_OUT):
        raise GradeFailure(
            f"lora_A has shape {tuple(a.shape)} and lora_B {tuple(b.shape)}; expected A {(R, D_IN)} and "
            f"B {(D_OUT, R)}, so that B @ A has the shape of the weight, (d_out, d_in)"
        )
    check_true(tuple(a.shape) == (R, D_IN), f"lora_A has shape {tuple(a.shape)}, expected {(R, D_IN)}")
    check_true(tuple(b.shape) == (D_OUT, R), f"lora_B has shape {tuple(b.shape)}, expected {(D_OUT, R)}")
    a_zero, b_zero = bool((a == 0).all()), bool((b == 0).all())
    if a_zero and b_zero:
        raise GradeFailure(
            "lora_A and lora_B are both zero: then neither ever gets a gradient (each one's gradient goes "
            "through the other); initialise A randomly and B to zero"
        )
    if a_zero and not b_zero:
        raise GradeFailure("this is what initialising A to zero instead of B gives: LoRA starts B at zero, A random")
    check_true(b_zero, "lora_B must start at zero, so that the layer starts exactly as the pretrained one")
    check_true(float(a.std()) > 0, "lora_A must be initialised randomly (non-zero, not constant)")
    check_number(
        layer.scaling,
        ALPHA / R,
        name="scaling",
        mistakes={"scaling = alpha (not divided by r)": ALPHA, "scaling = r / alpha (inverted)": R / ALPHA},
    )


def test_starts_at_base(learner):
    """with B = 0 the LoRA layer's output equals the base layer's exactly"""
    layer, base = _make(learner)
    x = _x(2, 5, 3)
    with torch.no_grad():
        check_close(layer(x), base(x), name="the output at initialisation (3-D input)", atol=1e-6)


def test_only_lora_trains(learner):
    """the base layer is frozen; the trainable parameters are A and B, r*(d_in+d_out) of them"""
    layer, base = _make(learner)
    check_true(
        all(not p.requires_grad for p in base.parameters()),
        "the base layer still has trainable parameters: set requires_grad=False on its weight and bias",
    )
    trainable = sum(p.numel() for p in layer.parameters() if p.requires_grad)
    check_number(
        trainable,
        R * (D_IN + D_OUT),
        name="the number of trainable parameters",
        mistakes={
            "leaving the base layer trainable": R * (D_IN + D_OUT) + D_IN * D_OUT + D_OUT,
            "leaving the base bias trainable": R * (D_IN + D_OUT) + D_OUT,
        },
    )


def test_forward(learner):
    """forward is base(x) + (alpha/r) * x A^T B^T, for inputs with any leading dimensions"""
    layer, base = _make(learner)
    a, b = _set_update(layer)
    x = _x(3, 2, 7)
    with torch.no_grad():
        delta = x @ a.T @ b.T
        expected = base(x) + ALPHA / R * delta
        got = layer(x)
    check_close(
        got,
        expected,
        name="the LoRA output",
        atol=1e-5,
        mistakes={
            "leaving out the scaling alpha / r": base(x) + delta,
            "scaling by alpha instead of alpha / r": base(x) + ALPHA * delta,
            "scaling by r / alpha instead of alpha / r": base(x) + R / ALPHA * delta,
            "returning only the low-rank update, without base(x)": ALPHA / R * delta,
        },
    )


def test_gradients(learner):
    """at initialisation B gets a gradient, A's is zero, and the base gets none"""
    layer, base = _make(learner)
    x = _x(4, 6)
    g = torch.randn(6, D_OUT, generator=torch.Generator().manual_seed(5))
    (layer(x) * g).sum().backward()
    check_true(base.weight.grad is None, "the base weight received a gradient: freeze it")
    a = layer.lora_A.detach()
    check_true(layer.lora_B.grad is not None, "lora_B received no gradient")
    check_close(
        layer.lora_B.grad,
        ALPHA / R * g.T @ (x @ a.T),
        name="d loss / d lora_B",
        atol=1e-5,
        mistakes={"leaving out the scaling alpha / r": g.T @ (x @ a.T)},
    )
    a_grad = layer.lora_A.grad
    check_true(
        a_grad is None or bool((a_grad == 0).all()),
        "lora_A has a non-zero gradient at initialisation; with B = 0 it must be zero (it flows through B)",
    )


def test_merge(learner):
    """merged() is an nn.Linear with W0 + (alpha/r) B A that gives the same outputs"""
    layer, base = _make(learner)
    a, b = _set_update(layer, seed=6)
    w0 = base.weight.detach().clone()
    x = _x(7, 9)
    with torch.no_grad():
        before = layer(x).clone()
        merged = layer.merged()
    check_true(isinstance(merged, nn.Linear), f"merged() should return an nn.Linear, got {type(merged).__name__}")
    check_true(merged is not layer.base, "merged() should return a NEW nn.Linear, not the base layer itself")
    check_close(
        merged.weight.detach(),
        w0 + ALPHA / R * b @ a,
        name="the merged weight",
        atol=1e-5,
        mistakes={"merging B @ A without the scaling alpha / r": w0 + b @ a},
    )
    with torch.no_grad():
        check_close(merged(x), before, name="the merged layer's output", atol=1e-5)
        after = layer(x)
    if not torch.allclose(base.weight.detach(), w0) or not torch.allclose(after, before, atol=1e-5):
        raise GradeFailure(
            "merged() changed the LoRA layer itself (merged in place): its forward now adds B @ A twice; "
            "build the merged weight in a new nn.Linear and leave self.base untouched"
        )


def test_parameter_counts(learner):
    """full fine-tuning trains d_in*d_out weights, LoRA r*(d_in+d_out)"""
    for d_in, d_out, r in ((2048, 8192, 16), (4096, 4096, 8), (768, 3072, 4)):
        result = learner.lora_parameter_counts(d_in, d_out, r)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise GradeFailure(f"lora_parameter_counts should return a tuple (full, lora), got {result!r}")
        full, lora = result
        check_number(full, d_in * d_out, name=f"full parameters for ({d_in}, {d_out})",
                     mistakes={"including the bias": d_in * d_out + d_out})
        check_number(
            lora,
            r * (d_in + d_out),
            name=f"LoRA parameters for ({d_in}, {d_out}, r={r})",
            mistakes={
                "r * d_in * d_out (a rank-r product is two thin matrices, not r full ones)": r * d_in * d_out,
                "counting only A (r * d_in)": r * d_in,
                "counting only B (d_out * r)": r * d_out,
                "d_in * d_out / r": d_in * d_out / r,
            },
        )


def test_answers(learner):
    """for d_in=2048, d_out=8192, r=16: the counts and the reduction factor"""
    full, lora = 2048 * 8192, 16 * (2048 + 8192)
    check_number(answer(learner, "FULL_PARAMS"), full, name="FULL_PARAMS",
                 mistakes={"including the bias": full + 8192})
    check_number(
        answer(learner, "LORA_PARAMS"),
        lora,
        name="LORA_PARAMS",
        mistakes={
            "r * d_in * d_out": 16 * full,
            "counting only A (r * d_in)": 16 * 2048,
            "counting only B (d_out * r)": 16 * 8192,
        },
    )
    check_number(
        answer(learner, "REDUCTION_FACTOR"),
        full / lora,
        name="REDUCTION_FACTOR",
        mistakes={
            "LORA_PARAMS / FULL_PARAMS (the ratio upside down)": lora / full,
            "the trainable share in percent": 100 * lora / full,
            "counting only A": full / (16 * 2048),
            "counting only B": full / (16 * 8192),
            "d_out / r (or another single-dimension ratio)": 8192 / 16,
        },
    )


def _merged(layer) -> nn.Linear:
    merged = layer.merged()
    check_true(isinstance(merged, nn.Linear), f"merged() should return an nn.Linear, got {type(merged).__name__}")
    return merged


def test_runs_on_the_base_layers_device(learner, device):
    """on the grading device: A, B and the merged layer live with the base layer, and the forward and the
    merged weight equal a float64 CPU reference"""

    def forward_and_merge(base, x):
        layer = learner.LoRALinear(base, R, ALPHA)
        return layer(x), _merged(layer)(x)

    base, x = _base(), _x(3, 5)
    check_follows_device(forward_and_merge, base, x)
    layer = learner.LoRALinear(to_device(base, device), R, ALPHA)
    a, b = _set_update(layer)
    with torch.no_grad():
        got, merged = learner_tensor(layer(to_device(x, device)), "the LoRA output"), _merged(layer)
    check_true(got.device.type == device.type, f"the LoRA output is on {got.device.type}, x on {device.type}")
    made_on = merged.weight.device.type
    check_true(made_on == device.type, f"merged() built its nn.Linear on {made_on}, not on the base layer's device "
                                       f"({device.type}): pass device=self.base.weight.device")
    tol = tolerance(device, cpu=(1e-5, 1e-5))
    expected = trusted(lambda w, bias, x, a, b: x @ w.T + bias + ALPHA / R * x @ a.T @ b.T,
                       base.weight, base.bias, x, a, b)
    check_close(got.cpu(), expected, name=f"the LoRA output on {device.type}", **tol)
    check_close(merged.weight.detach().cpu(), trusted(lambda w, a, b: w + ALPHA / R * b @ a, base.weight, a, b),
                name=f"the merged weight on {device.type}", **tol)
