"""Grader for exercise 0.2.3: batch normalisation forward, backward and running statistics.

The reference is ``nn.BatchNorm1d`` in float64 (training and eval mode, its running buffers after several
batches) and autograd through it for the backward pass. One feature has a tiny variance so that where
eps goes matters, and the batch is small (N = 8) so that N versus N - 1 matters. Probes: unbiased
variance when normalising, eps outside the square root, statistics over the wrong axis, biased variance
in the running estimate, the momentum convention reversed, batch statistics in eval mode, and a
backward pass that ignores how mu and var depend on x (or swaps dgamma and dbeta).
"""

from __future__ import annotations

import pytest
import torch
from gradelib import GradeFailure, check_close, check_defaults, check_true, to_tensor
from gradelib.devices import check_follows_device, to_device, tolerance, trusted

FORBIDDEN = [
    "torch.nn.functional.batch_norm",
    "torch.batch_norm",
    "torch.native_batch_norm",
    "torch.nn.BatchNorm1d",
    "torch.Tensor.backward",
    "torch.autograd.grad",
]

_BatchNorm1d = torch.nn.BatchNorm1d
_grad = torch.autograd.grad
F64 = torch.float64
N, D = 8, 5
RTOL, ATOL = 1e-6, 1e-8


@pytest.fixture(autouse=True)
def _one_thread():
    """Batch norm's CPU kernels fan out to OpenMP threads, which crawl on a busy machine; these
    tensors are tiny, so one thread is fastest."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _warm_up() -> None:
    """The first batch-norm backward in a process pays a lazy initialisation; do it at collection."""
    bn = _BatchNorm1d(2, dtype=F64)
    leaf = torch.ones(3, 2, dtype=F64).cumsum(0).requires_grad_(True)
    out = bn(leaf)
    _grad(out, [leaf, bn.weight, bn.bias], torch.ones_like(out))  # the weight's gradient is the slow first one


_warm_up()


def _x(seed: int, n: int = N) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, D, generator=g, dtype=F64) * torch.tensor([3e-3, 1.0, 2.0, 0.5, 4.0], dtype=F64)
    return x + torch.tensor([0.0, 5.0, -3.0, 1.0, 10.0], dtype=F64)


def _affine(seed: int):
    g = torch.Generator().manual_seed(100 + seed)
    return 1 + 0.5 * torch.randn(D, generator=g, dtype=F64), 0.3 * torch.randn(D, generator=g, dtype=F64)


def _module(gamma, beta, momentum=0.1):
    bn = _BatchNorm1d(D, momentum=momentum, eps=1e-5, dtype=F64)
    with torch.no_grad():
        bn.weight.copy_(gamma)
        bn.bias.copy_(beta)
    return bn


def _alt_forward(x, gamma, beta, *, unbiased=False, eps_outside=False, dim=0):
    mu = x.mean(dim=dim, keepdim=True)
    var = x.var(dim=dim, unbiased=unbiased, keepdim=True)
    denom = torch.sqrt(var) + 1e-5 if eps_outside else torch.sqrt(var + 1e-5)
    return gamma * (x - mu) / denom + beta


def _unpack(out, name="batchnorm_forward"):
    if not (isinstance(out, tuple) and len(out) == 4):
        raise GradeFailure(f"{name} should return (out, cache, new_running_mean, new_running_var)")
    return out


def _call(learner, x, gamma, beta, rm, rv, training, momentum=0.1):
    return _unpack(learner.batchnorm_forward(x.clone(), gamma.clone(), beta.clone(), rm.clone(), rv.clone(), training, momentum, 1e-5))


def test_training_forward(learner):
    """training-mode output equals nn.BatchNorm1d's"""
    x = _x(1)
    gamma, beta = _affine(1)
    expected = _module(gamma, beta).train()(x).detach()
    out, _, _, _ = _call(learner, x, gamma, beta, torch.zeros(D, dtype=F64), torch.ones(D, dtype=F64), True)
    check_close(
        out,
        expected,
        name="the training-mode output",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "normalising with the unbiased (N - 1) variance": _alt_forward(x, gamma, beta, unbiased=True),
            "adding eps outside the square root (sqrt(var) + eps)": _alt_forward(x, gamma, beta, eps_outside=True),
            "normalising each row over the features (dim 1, layer norm) instead of each feature over the batch": _alt_forward(
                x, gamma, beta, dim=1
            ),
            "swapping gamma and beta": _alt_forward(x, beta, gamma),
        },
    )


def _running(x_batches, momentum, *, unbiased=True, reversed_momentum=False):
    rm, rv = torch.zeros(D, dtype=F64), torch.ones(D, dtype=F64)
    for x in x_batches:
        mu, var = x.mean(0), x.var(0, unbiased=unbiased)
        a = (1 - momentum) if reversed_momentum else momentum
        rm, rv = (1 - a) * rm + a * mu, (1 - a) * rv + a * var
    return rm, rv


def test_running_statistics(learner):
    """running mean and (unbiased) running variance after 3 batches equal nn.BatchNorm1d's buffers"""
    gamma, beta = _affine(2)
    batches = [_x(10 + i) for i in range(3)]
    for momentum in (0.1, 0.3):
        bn = _module(gamma, beta, momentum).train()
        rm, rv = torch.zeros(D, dtype=F64), torch.ones(D, dtype=F64)
        for x in batches:
            bn(x)
            _, _, rm, rv = _call(learner, x, gamma, beta, rm, rv, True, momentum)
        check_close(
            rm,
            bn.running_mean,
            name=f"running_mean (momentum={momentum})",
            rtol=RTOL,
            atol=ATOL,
            mistakes={
                "the momentum convention reversed (new = momentum * old + (1 - momentum) * batch)": _running(
                    batches, momentum, reversed_momentum=True
                )[0],
            },
        )
        check_close(
            rv,
            bn.running_var,
            name=f"running_var (momentum={momentum})",
            rtol=RTOL,
            atol=ATOL,
            mistakes={
                "keeping the biased variance in the running estimate (PyTorch keeps the unbiased one)": _running(
                    batches, momentum, unbiased=False
                )[1],
                "the momentum convention reversed (new = momentum * old + (1 - momentum) * batch)": _running(
                    batches, momentum, reversed_momentum=True
                )[1],
            },
        )


def test_eval_mode_uses_running_statistics(learner):
    """eval mode normalises with the running statistics and leaves them unchanged"""
    gamma, beta = _affine(3)
    bn = _module(gamma, beta).train()
    for i in range(4):
        bn(_x(20 + i))
    bn.eval()
    x = _x(30) * 1.5 + 0.7  # a batch whose own statistics differ from the running ones
    rm, rv = bn.running_mean.clone(), bn.running_var.clone()
    out, _, rm2, rv2 = _call(learner, x, gamma, beta, rm, rv, False)
    check_close(
        out,
        bn(x).detach(),
        name="the eval-mode output",
        rtol=RTOL,
        atol=ATOL,
        mistakes={"normalising with the batch's own statistics in eval mode": _alt_forward(x, gamma, beta)},
    )
    check_close(rm2, rm, name="running_mean after an eval-mode call (must not change)", rtol=0, atol=1e-12)
    check_close(rv2, rv, name="running_var after an eval-mode call (must not change)", rtol=0, atol=1e-12)


def _reference_backward(x, gamma, beta, dout):
    bn = _module(gamma, beta).train()
    leaf = x.clone().requires_grad_(True)
    out = bn(leaf)
    return _grad(out, [leaf, bn.weight, bn.bias], dout)


def test_backward(learner):
    """dx, dgamma and dbeta equal autograd through nn.BatchNorm1d"""
    for seed in (4, 5):
        x = _x(seed)
        gamma, beta = _affine(seed)
        g = torch.Generator().manual_seed(200 + seed)
        dout = torch.randn(N, D, generator=g, dtype=F64)
        dx_ref, dgamma_ref, dbeta_ref = _reference_backward(x, gamma, beta, dout)
        _, cache, _, _ = _call(learner, x, gamma, beta, torch.zeros(D, dtype=F64), torch.ones(D, dtype=F64), True)
        out = learner.batchnorm_backward(dout.clone(), cache)
        if not (isinstance(out, tuple) and len(out) == 3):
            raise GradeFailure("batchnorm_backward should return (dx, dgamma, dbeta)")
        dx, dgamma, dbeta = out
        mu, var = x.mean(0), x.var(0, unbiased=False)
        inv_std = 1 / torch.sqrt(var + 1e-5)
        x_hat = (x - mu) * inv_std
        dx_hat = dout * gamma
        check_close(
            dgamma,
            dgamma_ref,
            name="dgamma",
            rtol=RTOL,
            atol=ATOL,
            mistakes={"dgamma and dbeta swapped (dgamma = sum(dout * x_hat))": dbeta_ref},
        )
        check_close(dbeta, dbeta_ref, name="dbeta", rtol=RTOL, atol=ATOL, mistakes={"dgamma and dbeta swapped": dgamma_ref})
        check_close(
            dx,
            dx_ref,
            name="dx",
            rtol=RTOL,
            atol=ATOL,
            mistakes={
                "treating mu and var as constants (dx = dout * gamma / sqrt(var + eps))": dx_hat * inv_std,
                "keeping the path through mu but not through var": inv_std * (dx_hat - dx_hat.mean(0)),
                "forgetting gamma in dx": inv_std / N * (N * dout - dout.sum(0) - x_hat * (dout * x_hat).sum(0)),
            },
        )


def test_defaults(learner):
    """the default arguments the stub states"""
    check_defaults(learner.batchnorm_forward, "batchnorm_forward", momentum=0.1, eps=1e-05)


def _forward_backward(learner, x, gamma, beta, dout):
    out, cache, rm, rv = _unpack(learner.batchnorm_forward(x, gamma, beta, torch.zeros_like(gamma), torch.ones_like(gamma), True, 0.1, 1e-5))
    grads = learner.batchnorm_backward(dout, cache)
    if not (isinstance(grads, tuple) and len(grads) == 3):
        raise GradeFailure("batchnorm_backward should return (dx, dgamma, dbeta)")
    return (out, rm, rv, *grads)


def _reference_forward_backward(x, gamma, beta, dout):
    bn = _module(gamma, beta).train()
    leaf = x.clone().requires_grad_(True)
    out = bn(leaf)
    return (out.detach(), bn.running_mean, bn.running_var, *_grad(out, [leaf, bn.weight, bn.bias], dout))


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: forward (training and eval) and backward keep their tensors there, values
    equal a float64 CPU reference"""
    x = _x(30)
    gamma, beta = _affine(30)
    dout = torch.randn(N, D, generator=torch.Generator().manual_seed(230), dtype=F64)
    rm, rv = torch.full((D,), 0.5, dtype=F64), torch.full((D,), 2.0, dtype=F64)
    check_follows_device(lambda *a: _forward_backward(learner, *a), x, gamma, beta, dout)
    check_follows_device(learner.batchnorm_forward, x, gamma, beta, rm, rv, False, 0.1, 1e-5)
    got = _forward_backward(learner, *to_device((x, gamma, beta, dout), device))
    expected = trusted(_reference_forward_backward, x, gamma, beta, dout)
    for what, mine, ref in zip(("the output", "the new running mean", "the new running variance", "dx", "dgamma", "dbeta"), got, expected):
        mine = to_tensor(mine, what)
        check_true(mine.device.type == device.type, f"{what} is on {mine.device.type}, the inputs on {device.type}")
        check_close(mine, ref, name=f"{what} on {device.type}", **tolerance(device))
    out = _unpack(learner.batchnorm_forward(*to_device((x, gamma, beta, rm, rv), device), False, 0.1, 1e-5))[0]
    expected = trusted(lambda x, g, b, m, v: g * (x - m) / torch.sqrt(v + 1e-5) + b, x, gamma, beta, rm, rv)
    check_close(out, expected, name=f"the eval-mode output on {device.type}", **tolerance(device))
