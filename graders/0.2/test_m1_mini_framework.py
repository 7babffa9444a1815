"""Grader for milestone 0.2.m1: a mini deep-learning framework in NumPy, trained on digits.

Each piece is compared with its PyTorch counterpart in float64: ``nn.Linear``, ``relu``, ``nn.BatchNorm1d``
(training and eval, running buffers) with autograd for the gradients; ``F.cross_entropy`` and
``F.mse_loss``; ``torch.optim.SGD`` and ``torch.optim.Adam`` trajectories driven by the same gradient
sequence. Dropout masks are reproduced from the stated ``rng.random(x.shape) >= p`` draw. Finally the
stated network is trained on digits by the learner's framework and by a PyTorch mirror (same initial
weights, data order and dropout masks): the minibatch losses must track and the test accuracy must reach
0.93. Probes: a transposed weight gradient, a bias gradient not summed over the batch, ReLU's gradient
through negatives, dropout without the 1/(1-p) rescaling or active in eval mode, batch norm normalising
with the unbiased variance, biased running variance, a backward that treats mean and variance as
constants, batch statistics in eval mode, the cross-entropy gradient not divided by the batch size, the
MSE gradient without its factor 2, EMA-style momentum, and Adam without bias correction or with eps inside
the square root.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_true, member, numbers
from sklearn.datasets import load_digits

F64 = torch.float64
RTOL, ATOL = 1e-4, 1e-7


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _warm_up() -> None:
    """Autograd, batch norm and torch.optim pay a lazy initialisation on first use; pay it at collection."""
    leaf = torch.ones(3, 2, dtype=F64).cumsum(0).requires_grad_(True)
    bn = torch.nn.BatchNorm1d(2, dtype=F64)
    F.cross_entropy(bn(leaf), torch.tensor([0, 1, 1])).backward()
    for opt in (torch.optim.SGD([leaf], lr=0.1, momentum=0.9), torch.optim.Adam([leaf], lr=0.1)):
        opt.step()


_warm_up()


def _t(a) -> torch.Tensor:
    return torch.tensor(np.asarray(a), dtype=F64)


def _arr(value, name: str) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        raise GradeFailure(f"{name} should be a NumPy array, got a torch tensor")
    if not isinstance(value, (np.ndarray, float, int, np.number)):
        raise GradeFailure(f"{name} should be a NumPy array, got {type(value).__name__}")
    return np.asarray(value, dtype=np.float64)


def _randn(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def _loss_pair(value, name: str):
    if not (isinstance(value, tuple) and len(value) == 2):
        raise GradeFailure(f"{name} should return a tuple (loss, grad), got {type(value).__name__}")
    return value


# ---------------------------------------------------------------------------------------------------
def test_linear(learner):
    """Linear: y = x @ W.T + b, with dW, db and dx equal to autograd's"""
    layer = learner.Linear(5, 3, np.random.default_rng(0))
    check_true(set(layer.params) == {"W", "b"}, f"Linear.params should have keys W and b, got {sorted(layer.params)}")
    w_now = _arr(_param(layer, "W", "Linear"), "Linear.params['W']")
    check_true(w_now.shape == (3, 5), f"W should have shape (3, 5), got {w_now.shape}")
    x, w, b, go = _randn(1, 4, 5), _randn(2, 3, 5), _randn(3, 3), _randn(4, 4, 3)
    _param(layer, "W", "Linear")[...] = w
    _param(layer, "b", "Linear")[...] = b
    y = _arr(layer.forward(x.copy()), "Linear.forward")
    xt, wt, bt = _t(x).requires_grad_(), _t(w).requires_grad_(), _t(b).requires_grad_()
    yt = F.linear(xt, wt, bt)
    yt.backward(_t(go))
    check_close(y, yt.detach(), name="Linear forward", rtol=RTOL, atol=ATOL)
    dx = _arr(layer.backward(go.copy()), "Linear.backward")
    check_close(dx, xt.grad, name="Linear dLoss/dx", rtol=RTOL, atol=ATOL)
    check_close(_arr(member(member(layer, "grads", "Linear"), "W", "Linear.grads"), "grads['W']"), wt.grad, name="Linear grads['W']", rtol=RTOL, atol=ATOL,
                mistakes={"averaging over the batch instead of summing": wt.grad / 4})
    check_close(_arr(member(member(layer, "grads", "Linear"), "b", "Linear.grads"), "grads['b']"), bt.grad, name="Linear grads['b']", rtol=RTOL, atol=ATOL,
                mistakes={"averaging the bias gradient over the batch instead of summing": bt.grad / 4,
                          "the bias gradient of the first row only": _t(go[0])})


def test_relu(learner):
    """ReLU: max(x, 0) forward, gradient passes only where x > 0 (0 at x == 0)"""
    layer = learner.ReLU()
    x = _randn(5, 6, 4)
    x[0, :2] = 0.0
    go = _randn(6, 6, 4)
    y = _arr(layer.forward(x.copy()), "ReLU.forward")
    check_close(y, np.maximum(x, 0), name="ReLU forward", rtol=RTOL, atol=ATOL)
    dx = _arr(layer.backward(go.copy()), "ReLU.backward")
    check_close(dx, go * (x > 0), name="ReLU dLoss/dx", rtol=RTOL, atol=ATOL,
                mistakes={"passing the gradient where x >= 0 (1 at x == 0)": go * (x >= 0),
                          "multiplying the gradient by the output instead of the mask": go * np.maximum(x, 0)})


def test_dropout(learner):
    """inverted dropout: mask from rng.random(x.shape) >= p, scaled by 1/(1-p); identity in eval"""
    p = 0.3
    layer = learner.Dropout(p, np.random.default_rng(7))
    x, go = _randn(8, 10, 6) + 2.0, _randn(9, 10, 6)
    keep = np.random.default_rng(7).random(x.shape) >= p
    y = _arr(layer.forward(x.copy()), "Dropout.forward (training)")
    check_close(y, x * keep / (1 - p), name="Dropout forward in training mode", rtol=RTOL, atol=ATOL,
                mistakes={"forgetting the 1/(1-p) rescaling": x * keep,
                          "multiplying by (1 - p) instead of dividing": x * keep * (1 - p),
                          "keeping where rng.random < p (p used as the keep probability)": x * (~keep) / (1 - p),
                          "keeping where rng.random < p, divided by p": x * (~keep) / p})
    dx = _arr(layer.backward(go.copy()), "Dropout.backward")
    check_close(dx, go * keep / (1 - p), name="Dropout dLoss/dx", rtol=RTOL, atol=ATOL,
                mistakes={"a backward without the 1/(1-p) rescaling": go * keep,
                          "a backward that ignores the mask": go})
    layer.eval()
    y = _arr(layer.forward(x.copy()), "Dropout.forward (eval)")
    check_close(y, x, name="Dropout forward in eval mode", rtol=RTOL, atol=ATOL,
                mistakes={"scaling by (1 - p) in eval mode": x * (1 - p)})


def _param(layer, key: str, what: str) -> np.ndarray:
    return member(member(layer, "params", what), key, f"{what}.params")


def _bn_data(seed: int, n: int = 8) -> np.ndarray:
    x = _randn(seed, n, 5) * np.array([3e-3, 1.0, 2.0, 0.5, 4.0]) + np.array([0.0, 5.0, -3.0, 1.0, 10.0])
    return x


def test_batchnorm_training(learner):
    """BatchNorm1d in training mode: output and gradients equal nn.BatchNorm1d's"""
    layer = learner.BatchNorm1d(5)
    gamma, beta = _randn(11, 5) + 1.0, _randn(12, 5)
    _param(layer, "gamma", "BatchNorm1d")[...] = gamma
    _param(layer, "beta", "BatchNorm1d")[...] = beta
    x, go = _bn_data(13), _randn(14, 8, 5)
    bn = torch.nn.BatchNorm1d(5, dtype=F64)
    with torch.no_grad():
        bn.weight.copy_(_t(gamma))
        bn.bias.copy_(_t(beta))
    xt = _t(x).requires_grad_()
    yt = bn(xt)
    yt.backward(_t(go))
    y = _arr(layer.forward(x.copy()), "BatchNorm1d.forward")
    mu, var_u = x.mean(0), x.var(0, ddof=1)
    check_close(y, yt.detach(), name="BatchNorm1d forward (training)", rtol=RTOL, atol=1e-6,
                mistakes={"normalising with the unbiased (N - 1) variance": gamma * (x - mu) / np.sqrt(var_u + 1e-5) + beta,
                          "eps outside the square root": gamma * (x - mu) / (np.sqrt(x.var(0)) + 1e-5) + beta})
    dx = _arr(layer.backward(go.copy()), "BatchNorm1d.backward")
    naive = go * gamma / np.sqrt(x.var(0) + 1e-5)
    check_close(dx, xt.grad, name="BatchNorm1d dLoss/dx (training)", rtol=RTOL, atol=1e-6,
                mistakes={"treating the batch mean and variance as constants in backward": naive})
    check_close(_arr(member(member(layer, "grads", "BatchNorm1d"), "gamma", "BatchNorm1d.grads"), "grads['gamma']"), bn.weight.grad, name="BatchNorm1d grads['gamma']",
                rtol=RTOL, atol=ATOL, mistakes={"swapping dgamma and dbeta": bn.bias.grad})
    check_close(_arr(member(member(layer, "grads", "BatchNorm1d"), "beta", "BatchNorm1d.grads"), "grads['beta']"), bn.bias.grad, name="BatchNorm1d grads['beta']",
                rtol=RTOL, atol=ATOL, mistakes={"swapping dgamma and dbeta": bn.weight.grad})


def test_batchnorm_running_and_eval(learner):
    """BatchNorm1d running statistics (unbiased var, momentum 0.1) and eval mode match PyTorch"""
    layer = learner.BatchNorm1d(5)
    bn = torch.nn.BatchNorm1d(5, dtype=F64)
    rm, rv_biased, rv_rev = np.zeros(5), np.ones(5), (np.zeros(5), np.ones(5))
    for seed in (21, 22, 23):
        x = _bn_data(seed)
        layer.forward(x.copy())
        with torch.no_grad():
            bn(_t(x))
        rv_biased = 0.9 * rv_biased + 0.1 * x.var(0)
        rv_rev = (0.1 * rv_rev[0] + 0.9 * x.mean(0), 0.1 * rv_rev[1] + 0.9 * x.var(0, ddof=1))
    check_close(_arr(member(layer, "running_mean", "BatchNorm1d"), "running_mean"), bn.running_mean, name="BatchNorm1d running_mean after 3 batches",
                rtol=RTOL, atol=ATOL, mistakes={"the momentum convention reversed (0.9 on the new batch)": rv_rev[0]})
    check_close(_arr(member(layer, "running_var", "BatchNorm1d"), "running_var"), bn.running_var, name="BatchNorm1d running_var after 3 batches",
                rtol=RTOL, atol=ATOL, mistakes={"using the biased variance in the running estimate": rv_biased,
                                                "the momentum convention reversed (0.9 on the new batch)": rv_rev[1]})
    layer.eval()
    bn.eval()
    x, go = _bn_data(24), _randn(25, 8, 5)
    xt = _t(x).requires_grad_()
    yt = bn(xt)
    yt.backward(_t(go))
    mu, var = x.mean(0), x.var(0)
    y = _arr(layer.forward(x.copy()), "BatchNorm1d.forward (eval)")
    check_close(y, yt.detach(), name="BatchNorm1d forward (eval)", rtol=RTOL, atol=1e-6,
                mistakes={"using batch statistics in eval mode": (x - mu) / np.sqrt(var + 1e-5)})
    check_close(_arr(member(layer, "running_mean", "BatchNorm1d"), "running_mean"), bn.running_mean, name="running_mean after an eval forward",
                rtol=RTOL, atol=ATOL)
    dx = _arr(layer.backward(go.copy()), "BatchNorm1d.backward (eval)")
    check_close(dx, xt.grad, name="BatchNorm1d dLoss/dx (eval)", rtol=RTOL, atol=1e-6)


def test_losses(learner):
    """softmax cross-entropy and MSE: mean losses and gradients equal F.cross_entropy / F.mse_loss"""
    logits = _randn(31, 6, 10) * 3
    logits[0, 0] = 800.0  # an overflow-prone row
    labels = np.array([0, 3, 9, 2, 2, 7])
    lt = _t(logits).requires_grad_()
    lref = F.cross_entropy(lt, torch.tensor(labels))
    lref.backward()
    loss, grad = _loss_pair(learner.softmax_cross_entropy(logits.copy(), labels.copy()), "softmax_cross_entropy")
    check_close(np.float64(loss), lref.detach(), name="softmax cross-entropy loss", rtol=RTOL, atol=ATOL,
                mistakes={"summing over the batch instead of averaging": lref.detach() * 6})
    check_close(_arr(grad, "the cross-entropy gradient"), lt.grad, name="softmax cross-entropy gradient", rtol=RTOL,
                atol=ATOL, mistakes={"not dividing the gradient by the batch size": lt.grad * 6})
    pred, target = _randn(32, 4, 3), _randn(33, 4, 3)
    pt = _t(pred).requires_grad_()
    mref = F.mse_loss(pt, _t(target))
    mref.backward()
    loss, grad = _loss_pair(learner.mse_loss(pred.copy(), target.copy()), "mse_loss")
    check_close(np.float64(loss), mref.detach(), name="MSE loss", rtol=RTOL, atol=ATOL,
                mistakes={"averaging over the rows only": mref.detach() * 3,
                          "half the squared error": mref.detach() / 2})
    check_close(_arr(grad, "the MSE gradient"), pt.grad, name="MSE gradient", rtol=RTOL, atol=ATOL,
                mistakes={"dropping the factor 2 from d/dx (x - t)^2": pt.grad / 2,
                          "averaging over the rows only": pt.grad * 3})


def _trajectory(learner, make_ours, make_torch, steps: int = 6):
    """Drive both optimizers with the same gradient sequence; return (ours W, ours b, torch W, torch b)."""
    w0, b0 = _randn(41, 3, 4), _randn(42, 3)
    params = {"W": w0.copy(), "b": b0.copy()}
    grads: dict = {}
    opt = make_ours([(params, grads)])
    tw, tb = _t(w0).requires_grad_(), _t(b0).requires_grad_()
    topt = make_torch([tw, tb])
    for step in range(steps):
        gw, gb = _randn(100 + step, 3, 4), _randn(200 + step, 3)
        grads["W"], grads["b"] = gw.copy(), gb.copy()
        opt.step()
        tw.grad, tb.grad = _t(gw), _t(gb)
        topt.step()
    return params, tw.detach(), tb.detach()


def _sgd_ema(lr: float, mu: float, steps: int = 6):
    p = _randn(41, 3, 4).copy()
    v = np.zeros_like(p)
    for step in range(steps):
        v = mu * v + (1 - mu) * _randn(100 + step, 3, 4)
        p = p - lr * v
    return p


def test_sgd_momentum(learner):
    """SGD with momentum follows torch.optim.SGD's trajectory over 6 steps"""
    lr, mu = 0.1, 0.9
    params, tw, tb = _trajectory(learner, lambda ps: learner.SGD(ps, lr=lr, momentum=mu),
                                 lambda ps: torch.optim.SGD(ps, lr=lr, momentum=mu))
    plain, ptw, _ = _trajectory(learner, lambda ps: learner.SGD(ps, lr=lr),
                                lambda ps: torch.optim.SGD(ps, lr=lr))
    check_close(_arr(plain["W"], "params['W']"), ptw, name="W after 6 plain SGD steps", rtol=RTOL, atol=ATOL)
    check_close(_arr(params["W"], "params['W']"), tw, name="W after 6 SGD-momentum steps", rtol=RTOL, atol=ATOL,
                mistakes={"ignoring the momentum": ptw,
                          "an EMA velocity v = mu v + (1 - mu) g (dampening)": _sgd_ema(lr, mu)})
    check_close(_arr(params["b"], "params['b']"), tb, name="b after 6 SGD-momentum steps", rtol=RTOL, atol=ATOL)


def _adam_variant(lr, steps=6, bias_correction=True, eps_inside=False):
    p = _randn(41, 3, 4).copy()
    m = v = np.zeros_like(p)
    for t in range(1, steps + 1):
        g = _randn(100 + t - 1, 3, 4)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        mh, vh = (m / (1 - 0.9**t), v / (1 - 0.999**t)) if bias_correction else (m, v)
        p = p - lr * mh / (np.sqrt(vh + 1e-8) if eps_inside else np.sqrt(vh) + 1e-8)
    return p


def test_adam(learner):
    """Adam follows torch.optim.Adam's trajectory over 6 steps"""
    lr = 0.01
    params, tw, tb = _trajectory(learner, lambda ps: learner.Adam(ps, lr=lr), lambda ps: torch.optim.Adam(ps, lr=lr))
    check_close(_arr(params["W"], "params['W']"), tw, name="W after 6 Adam steps", rtol=RTOL, atol=ATOL,
                mistakes={"skipping the bias correction": _adam_variant(lr, bias_correction=False)})
    check_close(_arr(params["b"], "params['b']"), tb, name="b after 6 Adam steps", rtol=RTOL, atol=ATOL)
    # a tiny-gradient case where the place of eps matters
    w0 = np.full((2, 2), 1.0)
    params = {"W": w0.copy()}
    grads = {"W": np.full((2, 2), 1e-9)}
    opt = learner.Adam([(params, grads)], lr=lr)
    tw = _t(w0).requires_grad_()
    topt = torch.optim.Adam([tw], lr=lr)
    tw.grad = _t(grads["W"])
    opt.step()
    topt.step()
    inside = w0 - lr * 1e-9 / np.sqrt(1e-18 + 1e-8)
    check_close(_arr(params["W"], "params['W']"), tw.detach(), name="W after one Adam step with a 1e-9 gradient",
                rtol=1e-7, atol=1e-9, mistakes={"putting eps inside the square root": inside})


# ---------------------------------------------------------------------------------------------------
def _digits():
    d = load_digits()
    X, y = d.data / 16.0, d.target
    perm = np.random.default_rng(0).permutation(len(X))
    tr, te = perm[:1347], perm[1347:]
    return X[tr], y[tr], X[te], y[te]


def _torch_mirror(w1, b1, w2, b2, X, y, epochs=3, batch=64, lr=0.01, p=0.1):
    lin1, lin2 = torch.nn.Linear(64, 64, dtype=F64), torch.nn.Linear(64, 10, dtype=F64)
    bn = torch.nn.BatchNorm1d(64, dtype=F64)
    with torch.no_grad():
        lin1.weight.copy_(_t(w1)), lin1.bias.copy_(_t(b1)), lin2.weight.copy_(_t(w2)), lin2.bias.copy_(_t(b2))
    params = [*lin1.parameters(), *bn.parameters(), *lin2.parameters()]
    opt = torch.optim.Adam(params, lr=lr)
    order_rng, drop_rng = np.random.default_rng(1), np.random.default_rng(2)
    Xt, yt = _t(X), torch.tensor(y)
    losses = []
    for _ in range(epochs):
        order = order_rng.permutation(len(X))
        for start in range(0, len(X), batch):
            idx = torch.tensor(order[start : start + batch])
            h = torch.relu(bn(lin1(Xt[idx])))
            mask = _t(drop_rng.random(h.shape) >= p) / (1 - p)
            loss = F.cross_entropy(lin2(h * mask), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
    return np.array(losses)


def test_train_digits(learner):
    """the stated network trains on digits to >= 0.93 test accuracy, tracking PyTorch's losses"""
    Xtr, ytr, Xte, yte = _digits()
    init = np.random.default_rng(3)
    w1, b1 = init.uniform(-0.125, 0.125, (64, 64)), init.uniform(-0.125, 0.125, 64)
    k = 1 / np.sqrt(64)
    w2, b2 = init.uniform(-k, k, (10, 64)), init.uniform(-k, k, 10)
    L = learner
    lin1, lin2 = L.Linear(64, 64, np.random.default_rng(9)), L.Linear(64, 10, np.random.default_rng(9))
    _param(lin1, "W", "Linear")[...], _param(lin1, "b", "Linear")[...] = w1, b1
    _param(lin2, "W", "Linear")[...], _param(lin2, "b", "Linear")[...] = w2, b2
    net = L.Network([lin1, L.BatchNorm1d(64), L.ReLU(), L.Dropout(0.1, np.random.default_rng(2)), lin2])
    opt = L.Adam(net.parameters(), lr=0.01)
    losses = L.train(net, opt, Xtr.copy(), ytr.copy(), 3, 64, np.random.default_rng(1))
    expected = _torch_mirror(w1, b1, w2, b2, Xtr, ytr)
    check_true(isinstance(losses, list) and len(losses) == len(expected),
               f"train should return a list of {len(expected)} minibatch losses (3 epochs x 22 batches), "
               f"got {type(losses).__name__} of length {len(losses) if hasattr(losses, '__len__') else '?'}")
    check_close(numbers(losses, "the minibatch losses"), expected, name="the minibatch losses against PyTorch's",
                rtol=1e-2, atol=1e-3,
                mistakes={"training on the batches in the same order every epoch (shuffle with order = "
                          "rng.permutation(n) at the start of each epoch)": _unshuffled_mirror(w1, b1, w2, b2, Xtr, ytr)})
    acc = L.accuracy(net, Xte.copy(), yte.copy())
    check_true(isinstance(acc, (float, np.floating)), f"accuracy should return a float, got {type(acc).__name__}")
    check_true(float(acc) >= 0.93, f"test accuracy is {float(acc):.4f}; the stated network reaches >= 0.93")


def _unshuffled_mirror(w1, b1, w2, b2, X, y, epochs=3, batch=64, lr=0.01, p=0.1):
    """_torch_mirror with the batches in the data's own order every epoch: what a train without shuffling gives."""
    lin1, lin2 = torch.nn.Linear(64, 64, dtype=F64), torch.nn.Linear(64, 10, dtype=F64)
    bn = torch.nn.BatchNorm1d(64, dtype=F64)
    with torch.no_grad():
        lin1.weight.copy_(_t(w1)), lin1.bias.copy_(_t(b1)), lin2.weight.copy_(_t(w2)), lin2.bias.copy_(_t(b2))
    opt = torch.optim.Adam([*lin1.parameters(), *bn.parameters(), *lin2.parameters()], lr=lr)
    drop_rng, Xt, yt, losses = np.random.default_rng(2), _t(X), torch.tensor(y), []
    for _ in range(epochs):
        for start in range(0, len(X), batch):
            h = torch.relu(bn(lin1(Xt[start : start + batch])))
            mask = _t(drop_rng.random(h.shape) >= p) / (1 - p)
            loss = F.cross_entropy(lin2(h * mask), yt[start : start + batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
    return np.array(losses)
