"""Grader for exercise 0.9.2: the top Hessian eigenvalue by power iteration on Hessian-vector products.

Two problems: the MSE loss of a small tanh MLP (21 parameters, a gap |lambda_2| / |lambda_1| of 0.38 at the
chosen point) and a quadratic whose dominant eigenvalue is NEGATIVE (-6, next 4.5). Hessian-vector
products and the full Hessian are compared with ``torch.autograd.functional.hessian``; the eigenvalue and
eigenvector with ``torch.linalg.eigh`` of that Hessian. Probes: a first ``grad`` without
``create_graph=True``, returning the gradient instead of H v, returning ||H v|| (the sign is lost) or the
largest algebraic eigenvalue, a non-unit eigenvector, a loop that ignores the stopping tolerance, and
finite differences of the gradient in place of double backward (caught by the method: the Hessian-vector
product must differentiate the graph of the first gradient). Every decomposition that would find the
eigenvalue without power iteration (eigen- and singular-value routines of torch, NumPy and SciPy, and
SciPy's sparse eigensolvers run on the learner's own hvp) is off-limits.
"""

from __future__ import annotations

import pytest
import torch
from gradelib import GradeFailure, check_close, check_number, check_true
from gradelib.devices import check_follows_device, on_device

FORBIDDEN = [
    "torch.autograd.functional.hessian",
    "torch.autograd.functional.hvp",
    "torch.autograd.functional.vhp",
    "torch.autograd.functional.jacobian",
    "torch.func.hessian",
    "torch.func.jacrev",
    "torch.func.jacfwd",
    "torch.linalg.eigh",
    "torch.linalg.eigvalsh",
    "torch.linalg.eig",
    "torch.linalg.eigvals",
    "torch.lobpcg",
    "numpy.linalg.eigh",
    "numpy.linalg.eigvalsh",
    "numpy.linalg.eig",
    "numpy.linalg.eigvals",
    "numpy.linalg.svd",
    "torch.linalg.svd",
    "torch.linalg.svdvals",
    "torch.svd",
    "torch.svd_lowrank",
    "scipy.linalg.eigh",
    "scipy.linalg.eigvalsh",
    "scipy.linalg.eig",
    "scipy.linalg.eigvals",
    "scipy.linalg.svd",
    "scipy.linalg.svdvals",
    "scipy.sparse.linalg.eigsh",
    "scipy.sparse.linalg.eigs",
    "scipy.sparse.linalg.lobpcg",
    "scipy.sparse.linalg.svds",
]

_hessian = torch.autograd.functional.hessian
_eigh = torch.linalg.eigh
_grad = torch.autograd.grad


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device (theta and v there, the losses' data following
    theta); results come back to the CPU to be compared."""
    return on_device(learner, device)


def _mlp_problem():
    g = torch.Generator().manual_seed(1)
    X = torch.randn(20, 2, generator=g, dtype=torch.float64)
    y = torch.sin(2 * X[:, :1]) + 0.5 * X[:, 1:]

    def loss_fn(th):
        W1, b1, W2, b2 = th[:10].view(5, 2), th[10:15], th[15:20].view(1, 5), th[20:]
        Xd, yd = X.to(th.device), y.to(th.device)  # the data follow theta to the grading device
        return ((torch.tanh(Xd @ W1.T + b1) @ W2.T + b2 - yd) ** 2).mean()

    theta = torch.randn(21, generator=g, dtype=torch.float64)
    return loss_fn, theta


def _quadratic_problem():
    g = torch.Generator().manual_seed(2)
    Q, _ = torch.linalg.qr(torch.randn(8, 8, generator=g, dtype=torch.float64))
    eig = torch.tensor([-6.0, 4.5, 3.0, 2.0, 1.0, 0.5, -0.25, 0.1], dtype=torch.float64)
    A = Q @ torch.diag(eig) @ Q.T
    A = (A + A.T) / 2
    b = torch.randn(8, generator=g, dtype=torch.float64)

    def loss_fn(th):
        Ad, bd = A.to(th.device), b.to(th.device)
        return 0.5 * th @ Ad @ th + bd @ th

    return loss_fn, torch.randn(8, generator=g, dtype=torch.float64)


def _call_hvp(learner, loss_fn, theta, v):
    try:
        out = learner.hvp(loss_fn, theta.clone(), v.clone())
    except NotImplementedError:
        raise
    except RuntimeError as exc:
        if "does not require grad" in str(exc) or "does not have a grad_fn" in str(exc):
            raise GradeFailure(
                f"hvp raised RuntimeError: {exc} -- the first torch.autograd.grad needs create_graph=True, so that "
                "the gradient can be differentiated again"
            ) from None
        raise
    check_true(isinstance(out, torch.Tensor), f"hvp should return a tensor, got {type(out).__name__}")
    return out


class _FirstBackward(torch.autograd.Function):
    """Identity on theta; its backward notes whether the first gradient kept a graph (create_graph=True)
    and routes that gradient through _SecondBackward, whose backward runs only in a double backward."""

    seen: dict = {}

    @staticmethod
    def forward(ctx, theta):
        return theta.view_as(theta)

    @staticmethod
    def backward(ctx, grad):
        _FirstBackward.seen["graph"] = _FirstBackward.seen.get("graph", False) or torch.is_grad_enabled()
        return _SecondBackward.apply(grad)


class _SecondBackward(torch.autograd.Function):
    @staticmethod
    def forward(ctx, grad):
        return grad.view_as(grad)

    @staticmethod
    def backward(ctx, grad):
        _FirstBackward.seen["double"] = True
        return grad


def _true_grad(loss_fn, theta):
    th = theta.clone().requires_grad_(True)
    (g,) = _grad(loss_fn(th), th)
    return g


def test_hvp_matches_full_hessian(learner):
    """hvp(v) equals H @ v (exact, by double backward)"""
    for loss_fn, theta in (_mlp_problem(), _quadratic_problem()):
        H = _hessian(loss_fn, theta)
        v = torch.randn(theta.numel(), generator=torch.Generator().manual_seed(3), dtype=torch.float64)
        got = _call_hvp(learner, loss_fn, theta, v)
        grad = _true_grad(loss_fn, theta)
        check_close(
            got,
            H @ v,
            name=f"hvp on a {theta.numel()}-parameter problem",
            rtol=1e-8,
            atol=1e-10,
            mistakes={
                "returning the gradient instead of the Hessian-vector product": grad,
                "the gradient times (grad . v)": grad * (grad @ v),
            },
        )


def test_hvp_is_double_backward(learner):
    """hvp differentiates the gradient's own graph (double backward), not finite differences of gradients"""
    loss_fn, theta = _mlp_problem()
    v = torch.randn(theta.numel(), generator=torch.Generator().manual_seed(7), dtype=torch.float64)
    calls = {"n": 0}

    def probed(th):
        calls["n"] += 1
        return loss_fn(_FirstBackward.apply(th))

    _FirstBackward.seen = {}
    got = _call_hvp(learner, probed, theta, v)
    seen = dict(_FirstBackward.seen)
    check_true(
        seen.get("graph", False) and seen.get("double", False),
        "hvp did not differentiate the gradient a second time: "
        + ("the loss was evaluated {} times, as finite differences of the gradient do; ".format(calls["n"])
           if calls["n"] > 1 else "")
        + "take g = torch.autograd.grad(loss, theta, create_graph=True), then differentiate (g * v).sum()",
    )
    check_close(got, _hessian(loss_fn, theta) @ v, name="hvp through double backward", rtol=1e-12, atol=1e-14)


def test_full_hessian(learner):
    """full_hessian equals torch.autograd.functional.hessian"""
    loss_fn, theta = _mlp_problem()
    H = _hessian(loss_fn, theta)
    got = learner.full_hessian(loss_fn, theta.clone())
    check_close(got, H, name="the full Hessian (21 x 21)", rtol=1e-8, atol=1e-10)


def _dominant(H):
    w, V = _eigh(H)
    i = int(torch.argmax(w.abs()))
    return float(w[i]), V[:, i], w


def _check_eig(learner, loss_fn, theta, label, seed):
    H = _hessian(loss_fn, theta)
    lam, u, w = _dominant(H)
    gen = torch.Generator().manual_seed(seed)
    out = learner.top_hessian_eigenvalue(loss_fn, theta.clone(), n_iter=1000, tol=1e-10, generator=gen)
    check_true(
        isinstance(out, tuple) and len(out) == 2,
        f"top_hessian_eigenvalue should return (eigenvalue, eigenvector), got {type(out).__name__}",
    )
    got, vec = out
    largest = float(w.max())
    check_number(
        got,
        lam,
        name=f"the top eigenvalue (largest magnitude) of {label}",
        rtol=1e-6,
        mistakes={
            "returning ||H v|| (the magnitude: the sign of a negative eigenvalue is lost)": abs(lam),
            "the largest ALGEBRAIC eigenvalue (power iteration finds the largest magnitude)": largest,
        },
    )
    vec = torch.as_tensor(vec, dtype=torch.float64).detach().flatten()
    check_true(vec.numel() == theta.numel(), f"the eigenvector has {vec.numel()} entries, expected {theta.numel()}")
    norm = float(vec.norm())
    check_true(abs(norm - 1) <= 1e-6, f"the eigenvector should have unit norm, it has norm {norm:.6g}")
    cos = abs(float(vec @ u))
    check_true(
        cos >= 0.9999,
        f"the eigenvector's |cosine| with the true top eigenvector of {label} is {cos:.6f}, expected >= 0.9999",
    )


def test_top_eigenvalue_of_mlp_loss(learner):
    """power iteration finds eigvalsh's top eigenvalue of an MLP loss Hessian"""
    loss_fn, theta = _mlp_problem()
    _check_eig(learner, loss_fn, theta, "the MLP loss Hessian", seed=4)


def test_top_eigenvalue_negative_dominant(learner):
    """the dominant eigenvalue keeps its sign when it is negative (-6 beats 4.5)"""
    loss_fn, theta = _quadratic_problem()
    _check_eig(learner, loss_fn, theta, "a quadratic with eigenvalues -6, 4.5, 3, ...", seed=5)


def test_power_iteration_uses_hvp_products_only(learner):
    """power iteration needs far fewer Hessian-vector products than P columns would (stops at tol)"""
    loss_fn, theta = _mlp_problem()
    calls = {"n": 0}

    def counted(th):
        calls["n"] += 1
        return loss_fn(th)

    gen = torch.Generator().manual_seed(6)
    learner.top_hessian_eigenvalue(counted, theta.clone(), n_iter=1000, tol=1e-10, generator=gen)
    # Each hvp evaluates the loss once; with a gap of 0.38 convergence takes a few dozen products.
    check_true(
        calls["n"] <= 200,
        f"top_hessian_eigenvalue evaluated the loss {calls['n']} times on a problem where power iteration converges "
        "in a few dozen Hessian-vector products: stop when |lam - lam_previous| <= tol * |lam|",
    )



def _spec_power(A, seed, n_iter, tol, *, raw_start=False, tol_over_lam=False):
    """The stub's power iteration, step by step, with H @ v = A @ v: (lam, v, products used)."""
    v = torch.randn(A.shape[0], generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    if not raw_start:
        v = v / v.norm()
    lam, prev, used = 0.0, None, 0
    for _ in range(n_iter):
        w = A @ v
        used += 1
        lam = float(v @ w)
        v = w / w.norm()
        bound = tol / abs(lam) if tol_over_lam else tol * abs(lam)
        if prev is not None and abs(lam - prev) <= bound:
            break
        prev = lam
    return lam, v, used


def test_power_iteration_follows_the_stub(learner):
    """the stub's defaults; one step from the normalised start, and the stop rule |lam - prev| <= tol * |lam|
    followed step for step (a loose tol stops early, so where it stops shows in lam)"""
    from gradelib import check_defaults, to_tensor

    check_defaults(learner.top_hessian_eigenvalue, "top_hessian_eigenvalue", n_iter=1000, tol=1e-10,
                   generator=None)
    loss_fn, theta = _quadratic_problem()
    A = _hessian(loss_fn, theta)
    for n_iter, tol in ((1, 1e-10), (2, 1e-10), (1000, 1e-3)):
        lam, v, used = _spec_power(A, 7, n_iter, tol)
        out = learner.top_hessian_eigenvalue(loss_fn, theta.clone(), n_iter=n_iter, tol=tol,
                                             generator=torch.Generator().manual_seed(7))
        check_true(isinstance(out, tuple) and len(out) == 2,
                   f"top_hessian_eigenvalue should return (eigenvalue, eigenvector), got {type(out).__name__}")
        check_number(out[0], lam, rtol=1e-9, atol=1e-12,
                     name=f"lam after power iteration with n_iter={n_iter}, tol={tol:g} (the stub's steps: "
                          f"{used} product(s) from this start)",
                     mistakes={
                         "not normalising the random start vector": _spec_power(A, 7, n_iter, tol, raw_start=True)[0],
                         "stopping at |lam - prev| <= tol / |lam| (the stub says tol * |lam|)":
                             _spec_power(A, 7, n_iter, tol, tol_over_lam=True)[0],
                     })
        vec = to_tensor(out[1], "the eigenvector").detach().to(torch.float64).flatten()
        if vec.numel() == v.numel() and float(vec @ v) < 0:
            vec = -vec  # its overall sign is the learner's choice
        check_close(vec, v, rtol=1e-8, atol=1e-10, name=f"the vector after n_iter={n_iter}, tol={tol:g}")


def test_stays_on_thetas_device(learner):
    """hvp and the full Hessian make no tensor off theta's device"""
    loss_fn, theta = _mlp_problem()
    v = torch.randn(theta.numel(), generator=torch.Generator().manual_seed(9), dtype=torch.float64)
    check_follows_device(learner.hvp, loss_fn, theta, v)
    check_follows_device(learner.full_hessian, loss_fn, theta)
