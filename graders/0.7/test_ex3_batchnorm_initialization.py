"""Grader for exercise 0.7.3: Kaiming initialisation with the tanh gain, and batch normalisation.

The gain is compared with ``torch.nn.init.calculate_gain("tanh")``; the initial weights with the grader's
own draw from the same generator; the batch-norm layer with ``torch.nn.functional.batch_norm`` (outputs,
running statistics over several steps, evaluation mode, and gradients of x, gamma and beta). Two behaviour
checks follow the lecture: an 8-layer tanh network built with the learner's init keeps its pre-activations
near unit std (0.9 to 1.3 from layer 2 on), and with the learner's batch norm after every linear layer the
pre-activations are exactly standardised even when the weights are scaled 0.2x or 5x. Probes: ReLU's
gain sqrt(2) or no gain, 1/sqrt(fan_out), gain squared, a transposed weight, the unbiased variance in the
normalisation, eps outside the square root, normalising over the feature axis, the momentum weighting
reversed, a biased running variance, and batch statistics in evaluation mode.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from gradelib import GradeFailure, as_float, check_close, check_number, check_shape, check_true, learner_tensor
from gradelib.devices import check_follows_device, to_device, tolerance, trusted

FORBIDDEN = [
    "torch.nn.init.calculate_gain",
    "torch.nn.init.kaiming_normal_",
    "torch.nn.functional.batch_norm",
    "torch.nn.BatchNorm1d",
    "torch.batch_norm",
]

_calculate_gain = torch.nn.init.calculate_gain
_batch_norm = F.batch_norm
_grad = torch.autograd.grad

TOL = dict(rtol=1e-4, atol=1e-5)


def _batch(n=64, d=12, seed=0, scale=3.0, shift=2.0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g) * scale * torch.linspace(0.2, 2.0, d) + shift


def test_tanh_gain(learner):
    """tanh's gain is 5/3"""
    expected = _calculate_gain("tanh")
    check_number(
        learner.tanh_gain(),
        expected,
        name="tanh_gain()",
        rtol=1e-6,
        mistakes={"ReLU's gain sqrt(2)": math.sqrt(2), "no gain (1.0)": 1.0},
    )


def test_kaiming_init(learner):
    """weights are randn(fan_in, fan_out) * gain / sqrt(fan_in)"""
    fan_in, fan_out, gain = 30, 50, 5 / 3
    z = torch.randn(fan_in, fan_out, generator=torch.Generator().manual_seed(4))
    got = learner.kaiming_init(fan_in, fan_out, gain, torch.Generator().manual_seed(4))
    check_true(isinstance(got, torch.Tensor), f"kaiming_init should return a tensor, got {type(got).__name__}")
    if tuple(got.shape) == (fan_out, fan_in):
        raise GradeFailure(
            f"kaiming_init({fan_in}, {fan_out}, ...) has shape {tuple(got.shape)}: the layer computes x @ W, "
            f"so W has shape (fan_in, fan_out) = ({fan_in}, {fan_out})"
        )
    check_close(
        got,
        z * gain / math.sqrt(fan_in),
        name="the initial weights",
        rtol=1e-5,
        atol=1e-7,
        mistakes={
            "dividing by sqrt(fan_out) instead of sqrt(fan_in)": z * gain / math.sqrt(fan_out),
            "leaving out the gain": z / math.sqrt(fan_in),
            "the ReLU formula sqrt(2 / fan_in), ignoring the gain": z * math.sqrt(2 / fan_in),
            "multiplying by gain ** 2 (the gain scales the std, not the variance)": z * gain**2 / math.sqrt(fan_in),
            "dividing by fan_in instead of sqrt(fan_in)": z * gain / fan_in,
        },
    )


def test_deep_tanh_preactivations_near_unit_std(learner):
    """with the tanh gain, pre-activations of an 8-layer tanh net stay near unit std"""
    g = torch.Generator().manual_seed(1)
    x = torch.randn(512, 30, generator=g)
    gain = as_float(learner.tanh_gain(), "tanh_gain()")
    stds, fan_in = [], 30
    for _ in range(8):
        W = check_shape(learner.kaiming_init(fan_in, 100, gain, g), (fan_in, 100), "kaiming_init(fan_in, 100, ...)")
        h = x @ W.to(x.dtype)
        stds.append(float(h.std()))
        x = torch.tanh(h)
        fan_in = 100
    deep = stds[1:]
    shown = ", ".join(f"{s:.2f}" for s in stds)
    if min(deep) < 0.9:
        raise GradeFailure(
            f"pre-activation std per layer: {shown}; from layer 2 on it should stay between 0.9 and 1.3, but it "
            "shrinks: tanh squashes its input, and only the gain 5/3 makes up for it (sqrt(2) is ReLU's gain)"
        )
    if max(deep) > 1.3:
        raise GradeFailure(
            f"pre-activation std per layer: {shown}; from layer 2 on it should stay between 0.9 and 1.3, but it "
            "grows: the weights are too large and the tanh units saturate"
        )


def _reference_bn(x, rm, rv, gamma, beta, training, momentum=0.1, eps=1e-5):
    return _batch_norm(x, rm, rv, gamma, beta, training=training, momentum=momentum, eps=eps)


def _bn_mistakes(x, gamma, beta, eps=1e-5):
    mean = x.mean(0)
    var_b = x.var(0, unbiased=False)
    var_u = x.var(0, unbiased=True)
    mean_r = x.mean(1, keepdim=True)
    var_r = x.var(1, unbiased=False, keepdim=True)
    return {
        "normalising with the UNBIASED batch variance (PyTorch normalises with the biased one)": gamma
        * (x - mean)
        / torch.sqrt(var_u + eps)
        + beta,
        "adding eps outside the square root": gamma * (x - mean) / (torch.sqrt(var_b) + eps) + beta,
        "normalising each example over its features (axis 1) instead of each feature over the batch": gamma
        * (x - mean_r)
        / torch.sqrt(var_r + eps)
        + beta,
        "leaving out gamma and beta": (x - mean) / torch.sqrt(var_b + eps),
    }


def _learner_bn(learner, dim, **kwargs):
    bn = learner.BatchNorm1d(dim, **kwargs)
    for name in ("gamma", "beta", "running_mean", "running_var"):
        check_true(hasattr(bn, name), f"BatchNorm1d has no attribute {name!r}")
    check_true(getattr(bn, "training", None) is True, "a new BatchNorm1d should have training == True")
    params = bn.parameters()
    check_true(
        isinstance(params, (list, tuple)) and len(params) == 2 and params[0] is bn.gamma and params[1] is bn.beta,
        "parameters() should return [gamma, beta]",
    )
    return bn


def _set_affine(bn, dim, seed=3):
    g = torch.Generator().manual_seed(seed)
    gamma = 1 + 0.5 * torch.randn(dim, generator=g)
    beta = torch.randn(dim, generator=g)
    with torch.no_grad():
        bn.gamma.copy_(gamma)
        bn.beta.copy_(beta)
    return gamma, beta


def test_batchnorm_initial_state(learner):
    """gamma = 1, beta = 0 (trainable), running_mean = 0, running_var = 1"""
    bn = _learner_bn(learner, 7)
    initial = (("gamma", 1.0, True), ("beta", 0.0, True), ("running_mean", 0.0, False), ("running_var", 1.0, False))
    for name, value, grad in initial:
        t = getattr(bn, name)
        check_close(t, torch.full((7,), value), name=f"the initial {name}", rtol=0, atol=0)
        check_true(
            bool(t.requires_grad) == grad,
            f"{name} should {'' if grad else 'not '}require grad (requires_grad={bool(t.requires_grad)})",
        )


def test_batchnorm_training_forward(learner):
    """training mode normalises with the batch mean and the biased batch variance"""
    x = _batch()
    x[:, 0] = torch.randn(64, generator=torch.Generator().manual_seed(9)) * 1e-3  # variance comparable to eps
    bn = _learner_bn(learner, x.shape[1])
    gamma, beta = _set_affine(bn, x.shape[1])
    expected = _reference_bn(x, None, None, gamma, beta, True)
    got = bn(x)
    mistakes = _bn_mistakes(x, gamma, beta)
    check_close(got, expected, name="the batch-norm output (training mode)", mistakes=mistakes, **TOL)


def test_batchnorm_running_statistics(learner):
    """running mean and (unbiased) running variance follow momentum=0.1 over 3 batches"""
    d = 12
    bn = _learner_bn(learner, d)
    rm, rv = torch.zeros(d), torch.ones(d)
    wrong = {"reversed": (torch.zeros(d), torch.ones(d)), "biased": (torch.zeros(d), torch.ones(d))}
    for step in range(3):
        x = _batch(n=32, d=d, seed=10 + step)
        bn(x)
        _reference_bn(x, rm, rv, None, None, True)
        m, vb, vu = x.mean(0), x.var(0, unbiased=False), x.var(0, unbiased=True)
        wrong["reversed"] = (0.9 * m + 0.1 * wrong["reversed"][0], 0.9 * vu + 0.1 * wrong["reversed"][1])
        wrong["biased"] = (0.9 * wrong["biased"][0] + 0.1 * m, 0.9 * wrong["biased"][1] + 0.1 * vb)
    check_close(
        bn.running_mean,
        rm,
        name="running_mean after 3 batches",
        mistakes={"weighting the new batch by 1 - momentum (0.9) instead of momentum (0.1)": wrong["reversed"][0]},
        **TOL,
    )
    check_close(
        bn.running_var,
        rv,
        name="running_var after 3 batches",
        mistakes={
            "weighting the new batch by 1 - momentum (0.9) instead of momentum (0.1)": wrong["reversed"][1],
            "updating running_var with the BIASED batch variance (PyTorch uses the unbiased one)": wrong["biased"][1],
        },
        **TOL,
    )
    check_true(
        not getattr(bn.running_mean, "requires_grad", False) and not getattr(bn.running_var, "requires_grad", False),
        "the running statistics should not track gradients (update them under torch.no_grad())",
    )


def test_batchnorm_eval_mode(learner):
    """evaluation mode normalises with the running statistics and leaves them unchanged"""
    d = 12
    bn = _learner_bn(learner, d)
    gamma, beta = _set_affine(bn, d)
    rm, rv = torch.zeros(d), torch.ones(d)
    for step in range(4):
        x = _batch(n=32, d=d, seed=20 + step)
        bn(x)
        _reference_bn(x, rm, rv, gamma, beta, True)
    bn.training = False
    x = _batch(n=16, d=d, seed=30, shift=-1.0)
    expected = _reference_bn(x, rm.clone(), rv.clone(), gamma, beta, False)
    got = bn(x)
    check_close(
        got,
        expected,
        name="the batch-norm output in evaluation mode",
        mistakes={
            "normalising with the batch statistics in evaluation mode": _reference_bn(x, None, None, gamma, beta, True)
        },
        **TOL,
    )
    check_close(bn.running_mean, rm, name="running_mean after an evaluation call (it must not change)", **TOL)
    check_close(bn.running_var, rv, name="running_var after an evaluation call (it must not change)", **TOL)
    one = bn(x[:1])
    check_close(one, expected[:1], name="the evaluation output of a batch of ONE example", **TOL)


def test_batchnorm_gradients(learner):
    """gradients of x, gamma and beta equal PyTorch's batch norm"""
    x = _batch(n=40, d=9, seed=5)
    R = torch.randn(40, 9, generator=torch.Generator().manual_seed(6))
    bn = _learner_bn(learner, 9)
    gamma, beta = _set_affine(bn, 9)
    xl = x.clone().requires_grad_(True)
    out = bn(xl)
    out = learner_tensor(out, "the batch-norm output", shape=tuple(R.shape), grad=True)
    got = _grad((out * R).sum(), [xl, bn.gamma, bn.beta], allow_unused=True)
    xr, gr, br = x.clone().requires_grad_(True), gamma.clone().requires_grad_(True), beta.clone().requires_grad_(True)
    ref = _reference_bn(xr, None, None, gr, br, True)
    expected = _grad((ref * R).sum(), [xr, gr, br])
    for name, g, e in zip(("x", "gamma", "beta"), got, expected):
        if g is None:
            raise GradeFailure(f"no gradient reaches {name}: is it detached somewhere?")
        mistakes = None
        if name == "x":
            mistakes = {
                "detaching the batch mean and variance (the gradient through the statistics is lost)": R
                * gamma
                / torch.sqrt(x.var(0, unbiased=False) + 1e-5)
            }
        check_close(g, e, name=f"the gradient of {name}", mistakes=mistakes, **TOL)


def test_batchnorm_standardises_preactivations(learner):
    """with batch norm, pre-activations have mean 0 and std 1 even with badly scaled weights"""
    for scale in (0.2, 5.0):
        g = torch.Generator().manual_seed(2)
        x = torch.randn(256, 30, generator=g)
        fan_in = 30
        for layer in range(6):
            W = torch.randn(fan_in, 64, generator=g) * scale / math.sqrt(fan_in)
            bn = learner.BatchNorm1d(64)
            with torch.no_grad():
                h = check_shape(bn(x @ W), (256, 64), "BatchNorm1d(64)(h)")
            mean, std = h.mean(0), h.std(0, unbiased=False)
            worst_mean, worst_std = float(mean.abs().max()), float((std - 1).abs().max())
            if worst_mean > 1e-3 or worst_std > 1e-2:
                m, s = float(mean[mean.abs().argmax()]), float(std[(std - 1).abs().argmax()])
                raise GradeFailure(
                    f"weights scaled {scale}x, layer {layer + 1}: after your batch norm some pre-activation feature "
                    f"has mean {m:.4f} or std {s:.4f}; "
                    "in training mode every feature should come out with mean 0 and std 1"
                )
            x = torch.tanh(h)
            fan_in = 64


def _on(bn, device):
    """The layer's tensors moved to ``device``, as ``Module.to`` would move them (gamma, beta stay trainable)."""
    for name in ("gamma", "beta"):
        setattr(bn, name, getattr(bn, name).detach().to(device).requires_grad_(True))
    for name in ("running_mean", "running_var"):
        setattr(bn, name, getattr(bn, name).detach().to(device))
    return bn


def test_batchnorm_runs_on_the_inputs_device(learner, device):
    """on the grading device: no tensor made off the input's device; outputs, running statistics and
    gradients equal a float64 CPU reference"""
    d = 12
    x1, x2 = _batch(n=32, d=d, seed=40), _batch(n=16, d=d, seed=41, shift=-1.0)
    R = torch.randn(32, d, generator=torch.Generator().manual_seed(42))

    def train_then_eval(x1, x2):
        bn = _on(_learner_bn(learner, d), x1.device)
        y1 = bn(x1)
        bn.training = False
        return y1, bn(x2), bn.running_mean, bn.running_var

    check_follows_device(train_then_eval, x1, x2)

    bn = _on(_learner_bn(learner, d), device)
    gamma, beta = _set_affine(bn, d, seed=43)
    xd = to_device(x1, device).requires_grad_(True)
    out = learner_tensor(bn(xd), "the batch-norm output", shape=(32, d), grad=True)
    check_true(out.device.type == device.type, f"the batch-norm output is on {out.device.type}, x on {device.type}")
    got = _grad((out * to_device(R, device)).sum(), [xd, bn.gamma, bn.beta], allow_unused=True)
    bn.training = False
    evaluated = bn(to_device(x2, device))

    def reference(x1, x2, gamma, beta, R):
        rm, rv = torch.zeros(d, dtype=x1.dtype), torch.ones(d, dtype=x1.dtype)
        xr, gr, br = (t.clone().requires_grad_(True) for t in (x1, gamma, beta))
        y = _reference_bn(xr, rm, rv, gr, br, True)
        return (y.detach(), *_grad((y * R).sum(), [xr, gr, br]), rm, rv,
                _reference_bn(x2, rm, rv, gamma, beta, False))

    expected = trusted(reference, x1, x2, gamma, beta, R)
    tol = tolerance(device, cpu=(TOL["rtol"], TOL["atol"]))
    names = ("output (training mode)", "gradient of x", "gradient of gamma", "gradient of beta")
    for name, g, e in zip(names, (out, *got), expected):
        if g is None:
            raise GradeFailure(f"no gradient reaches {name.split()[-1]} on {device.type}: is it detached somewhere?")
        check_close(g.detach().cpu(), e, name=f"the batch-norm {name} on {device.type}", **tol)
    for name, g, e in zip(("running_mean", "running_var", "output in evaluation mode"),
                          (bn.running_mean, bn.running_var, evaluated), expected[4:]):
        check_close(learner_tensor(g, name).detach().cpu(), e, name=f"the batch-norm {name} on {device.type}", **tol)
