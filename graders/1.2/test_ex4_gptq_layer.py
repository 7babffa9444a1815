"""Grader for exercise 1.2.4: GPTQ on one linear layer, with act-order.

The reference is the GPTQ reference algorithm (Cholesky of the damped inverse Hessian, column-by-column
error feedback) written here in float64; it agrees code-for-code with a float32 version and with the
sequential OBS-style inverse-Hessian update on the grader's data. Because a valid implementation could
still flip a rounding near a tie, the learner's weights are judged by (1) lying exactly on each row's
grid from the original W, (2) an output error within 2% of the reference's, with at least 97% of the
integer codes equal, and (3) beating round-to-nearest. Calibration inputs are correlated with
heavy-tailed column scales, the regime where GPTQ and act-order matter. Probes: per-tensor, symmetric or
zero-excluding grids, /16 for /15, no error compensation (RTN), compensation without the 1/U[i,i],
the Cholesky factor of H instead of H^-1, the wrong sign, a grid recomputed from updated weights, act-order
not undone or ascending or ignored, no damping (singular H), dead inputs not zeroed, modifying W.
"""

from __future__ import annotations

import functools

import pytest
import torch
from gradelib import GradeFailure, check_close, check_number, check_true
from gradelib.devices import check_follows_device, on_device


def _grid(W: torch.Tensor, bits: int, mode: str = "asym"):
    maxq = 2**bits - 1
    W = W.double()
    if mode == "per_tensor":
        W_stat = W.reshape(1, -1)
    else:
        W_stat = W
    if mode == "no_zero":
        lo, hi = W_stat.min(1, keepdim=True).values, W_stat.max(1, keepdim=True).values
    else:
        lo = torch.clamp(W_stat.min(1, keepdim=True).values, max=0)
        hi = torch.clamp(W_stat.max(1, keepdim=True).values, min=0)
    flat = hi == lo
    div = maxq + 1 if mode == "div16" else maxq
    scale = torch.where(flat, torch.ones_like(hi), (hi - lo) / div)
    zero = torch.where(flat, torch.zeros_like(lo), torch.clamp(torch.round(-lo / scale), 0, maxq))
    return scale, zero, maxq


def _quant(w, scale, zero, maxq):
    return (torch.clamp(torch.round(w / scale) + zero, 0, maxq) - zero) * scale


def _rtn(W, bits=4, mode="asym"):
    if mode == "symmetric":
        amax = W.double().abs().amax(1, keepdim=True)
        half = 2 ** (bits - 1)
        s = torch.where(amax > 0, amax / (half - 1), torch.ones_like(amax))
        return (torch.clamp(torch.round(W.double() / s), -half, half - 1) * s).float()
    return _quant(W.double(), *_grid(W, bits, mode)).float()


def _gptq(W, X, bits=4, act_order=False, percdamp=0.01, compensate=True, divide=True, use_h=False, sign=1.0,
          unpermute=True, descending=True):
    W = W.double().clone()
    X = X.double()
    n, cols = X.shape
    H = 2 * X.T @ X / n
    dead = torch.diag(H) == 0
    H[dead, dead] = 1
    W[:, dead] = 0
    scale, zero, maxq = _grid(W, bits)
    perm = torch.arange(cols)
    if act_order:
        perm = torch.argsort(torch.diag(H), descending=descending, stable=True)
        W = W[:, perm]
        H = H[perm][:, perm]
    H = H + percdamp * torch.mean(torch.diag(H)) * torch.eye(cols, dtype=torch.float64)
    if use_h:
        U = torch.linalg.cholesky(H, upper=True)
    else:
        U = torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(H)), upper=True)
    Q = torch.zeros_like(W)
    for i in range(cols):
        w = W[:, i : i + 1]
        q = _quant(w, scale, zero, maxq)
        Q[:, i : i + 1] = q
        if compensate:
            err = (w - q) / (U[i, i] if divide else 1.0)
            W[:, i + 1 :] -= sign * (err @ U[i : i + 1, i + 1 :])
    if act_order and unpermute:
        Q = Q[:, torch.argsort(perm)]
    return Q.float()


@functools.lru_cache(maxsize=None)
def _ref_run(seed: int, act_order: bool = False) -> torch.Tensor:
    W, X = _data(seed)
    return _gptq(W, X, act_order=act_order)


def _err(W, W_hat, X) -> float:
    return float(((X.double() @ W.double().T - X.double() @ torch.as_tensor(W_hat).double().T) ** 2).mean())


def _data(seed: int, out: int = 32, inp: int = 64, n: int = 256):
    g = torch.Generator().manual_seed(seed)
    col_scale = torch.exp(torch.randn(inp, generator=g) * 0.8)
    mix = torch.randn(inp, inp, generator=g) / inp**0.5 + torch.eye(inp)
    X = (torch.randn(n, inp, generator=g) @ mix) * col_scale
    W = torch.randn(out, inp, generator=g) * 0.1
    return W, X


def _call(learner, W, X, **kw):
    W_in, X_in = W.clone(), X.clone()
    try:
        out = learner.gptq_quantize(W_in, X_in, **kw)
    except torch.linalg.LinAlgError as exc:
        raise GradeFailure(
            f"the Cholesky factorisation failed ({str(exc).splitlines()[0]}): H is singular when there are fewer "
            "calibration rows than inputs or a dead input; add percdamp * mean(diag(H)) to the diagonal"
        ) from None
    check_true(torch.equal(W_in, W) and torch.equal(X_in, X), "gptq_quantize modified W or X in place; work on a copy")
    check_true(isinstance(out, torch.Tensor), f"gptq_quantize should return a tensor, got {type(out).__name__}")
    check_true(tuple(out.shape) == tuple(W.shape), f"the result has shape {tuple(out.shape)}, expected {tuple(W.shape)}")
    return out


def _check_error(got: float, expected: float, name: str, mistakes) -> None:
    """check_number with rtol 2%; the mistakes (callables: each is a GPTQ run) are computed only on failure."""
    if abs(got - expected) <= 0.02 * abs(expected):
        return
    check_number(got, expected, name=name, rtol=0.02, mistakes={k: f() for k, f in mistakes.items()})


@pytest.fixture(scope="module")
def _runs(learner):
    """The learner's GPTQ result per (data seed, act_order), computed once per grading run."""
    cache: dict = {}

    def run(seed: int, act_order: bool = False):
        if (seed, act_order) not in cache:
            W, X = _data(seed)
            cache[(seed, act_order)] = _call(learner, W, X, act_order=act_order)
        return cache[(seed, act_order)]

    return run


def _codes(Q, W, bits=4):
    W = W.double().clone()
    scale, zero, _ = _grid(W, bits)
    return Q.double() / scale + zero


def _check_on_grid(Q, W, bits=4, dead=None):
    W = W.clone()
    if dead is not None:
        W[:, dead] = 0
    c = _codes(Q, W, bits)
    off = (c - torch.round(c)).abs()
    if bool((off > 1e-4).any()):
        r, i = (int(v) for v in torch.nonzero(off > 1e-4)[0])
        raise GradeFailure(
            f"weight [{r}, {i}] = {float(Q[r, i]):.6g} is not on row {r}'s grid (it sits {float(off[r, i]):.3g} of a "
            "step away): quantize every column on the grid computed once from the ORIGINAL W, not from the updated one"
        )
    maxq = 2**bits - 1
    check_true(bool(((torch.round(c) >= 0) & (torch.round(c) <= maxq)).all()), f"some codes fall outside [0, {maxq}]")


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


def test_rtn(learner):
    """round-to-nearest on a per-row asymmetric grid that contains zero"""
    g = torch.Generator().manual_seed(0)
    W = torch.randn(16, 48, generator=g) * torch.linspace(0.05, 0.5, 16)[:, None]
    W[2] = W[2].abs() + 0.1  # an all-positive row: the grid must still contain 0
    W[5] = 0.0
    for bits in (4, 3):
        got = learner.quantize_rtn(W, bits)
        check_close(
            got,
            _rtn(W, bits),
            name=f"the {bits}-bit RTN weights",
            rtol=1e-5,
            atol=1e-7,
            dtype=torch.float32,
            mistakes={
                "one grid for the whole tensor instead of one per output row": _rtn(W, bits, "per_tensor"),
                "a symmetric grid (absmax / (2^(b-1) - 1)) instead of the asymmetric min-max one": _rtn(W, bits, "symmetric"),
                "a range [min, max] not widened to contain 0": _rtn(W, bits, "no_zero"),
                "dividing the range by 2^bits instead of 2^bits - 1": _rtn(W, bits, "div16"),
            },
        )


def test_gptq_on_grid(_runs):
    """every GPTQ weight lies on its row's grid computed from the original W"""
    W, _ = _data(0)
    _check_on_grid(_runs(0), W)


def test_gptq_matches_reference(_runs):
    """GPTQ's output error matches the reference (within 2%) and its codes agree"""
    W, X = _data(0)
    Q = _runs(0)
    ref = _ref_run(0)
    _check_error(
        _err(W, Q, X),
        _err(W, ref, X),
        "the output error mean((XW^T - XQ^T)^2)",
        {
            "no error compensation at all (plain round-to-nearest)": lambda: _err(W, _gptq(W, X, compensate=False), X),
            "compensating with (w - q) without dividing by U[i, i]": lambda: _err(W, _gptq(W, X, divide=False), X),
            "the Cholesky factor of H instead of H^-1": lambda: _err(W, _gptq(W, X, use_h=True), X),
            "adding the compensation instead of subtracting it": lambda: _err(W, _gptq(W, X, sign=-1.0), X),
        },
    )
    agree = float((torch.round(_codes(Q, W)) == torch.round(_codes(ref, W))).float().mean())
    check_true(agree >= 0.97, f"only {agree:.1%} of your integer codes equal the reference's; expected at least 97%")


def test_gptq_beats_rtn(_runs):
    """GPTQ's output error is well below round-to-nearest's on correlated inputs"""
    W, X = _data(0)
    e_gptq, e_rtn = _err(W, _runs(0), X), _err(W, _rtn(W), X)
    check_true(e_gptq < 0.9 * e_rtn, f"GPTQ's output error {e_gptq:.4g} should be well below RTN's {e_rtn:.4g}")


def test_act_order(_runs):
    """act_order quantizes columns by decreasing diag(H), undoes the permutation, and lowers the error"""
    W, X = _data(0)
    Q = _runs(0, True)
    _check_on_grid(Q, W)
    ref = _ref_run(0, True)
    plain = _err(W, _ref_run(0), X)
    _check_error(
        _err(W, Q, X),
        _err(W, ref, X),
        "the output error with act_order=True",
        {
            "forgetting to undo the permutation of the columns": lambda: _err(
                W, _gptq(W, X, act_order=True, unpermute=False), X
            ),
            "ordering by increasing diag(H)": lambda: _err(W, _gptq(W, X, act_order=True, descending=False), X),
            "ignoring act_order": lambda: plain,
        },
    )
    agree = float((torch.round(_codes(Q, W)) == torch.round(_codes(ref, W))).float().mean())
    check_true(agree >= 0.97, f"only {agree:.1%} of your act-order codes equal the reference's; expected at least 97%")
    check_true(_err(W, Q, X) < plain, "act_order should lower the output error on these heavy-tailed inputs")


def test_dead_inputs_and_damping(learner):
    """few calibration rows and dead inputs: damping keeps H invertible, dead weights become 0"""
    W, X = _data(4, n=24)  # 24 rows for 64 inputs: X^T X is singular without damping
    dead = [5, 40]
    X[:, dead] = 0
    Q = _call(learner, W, X, bits=3)
    _check_on_grid(Q, W, bits=3, dead=dead)
    for i in dead:
        if bool((Q[:, i] != 0).any()):
            raise GradeFailure(
                f"column {i} of X is all zero (a dead input), but your weights there are not 0: set W[:, i] = 0 "
                "and H[i, i] = 1 for dead inputs"
            )
    check_number(_err(W, Q, X), _err(W, _gptq(W, X, bits=3), X), name="the 3-bit output error with dead inputs", rtol=0.02)


def test_tensors_stay_on_the_inputs_device(learner):
    """every tensor the code creates lives on the input's device (checked without a GPU)"""
    g = torch.Generator().manual_seed(3)
    W, X = torch.randn(8, 16, generator=g), torch.randn(32, 16, generator=g)
    check_follows_device(learner.gptq_quantize, W, X)
    check_follows_device(learner.quantize_rtn, W, 4)
