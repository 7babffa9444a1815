"""Grader for exercise 0.2.5: SGD with momentum, RMSprop and Adam against ``torch.optim``.

Each optimizer trains the same small float64 MLP (plus one parameter that never gets a gradient) for 20
full-batch steps from identical weights, once with the learner's class and once with PyTorch's, under
default and non-default hyperparameters (``eps=1e-3`` makes the placement of eps visible, ``alpha=0.9``
and ``betas=(0.8, 0.99)`` the roles of the decay rates); every parameter is compared after every step.
The training loop is checked with a plain SGD written here. Known-wrong trajectories are computed only
when the learner's differs, to keep the time down. Probes: dampened or Nesterov-style momentum, eps
inside the square root, alpha on the wrong term, no square root, Adam without bias correction or with it
on m only, a step count that never advances, swapped betas, zero_grad that does nothing, and losses
logged after the update.
"""

from __future__ import annotations

import pytest
import torch
from gradelib import GradeFailure, check_close, check_defaults, check_true, numbers, to_tensor
from gradelib.devices import check_follows_device, to_device, tolerance, trusted

FORBIDDEN = [
    "torch.optim.SGD",
    "torch.optim.RMSprop",
    "torch.optim.Adam",
    "torch.optim.AdamW",
    "torch.optim.sgd.SGD",
    "torch.optim.rmsprop.RMSprop",
    "torch.optim.adam.Adam",
    "torch.optim.adamw.AdamW",
    "torch.optim.sgd.sgd",
    "torch.optim.rmsprop.rmsprop",
    "torch.optim.adam.adam",
    "torch.optim._functional.sgd",
    "torch.optim._functional.rmsprop",
    "torch.optim._functional.adam",
]

_SGD, _RMSprop, _Adam = torch.optim.SGD, torch.optim.RMSprop, torch.optim.Adam
F64 = torch.float64
STEPS = 20


def _warm_up() -> None:
    """The first torch.optim step imports torch._dynamo, which rewraps torch.manual_seed; doing it here, at
    collection, keeps that out of the test time and out of the sandbox's tamper check."""
    for make in (_SGD, _RMSprop, _Adam):
        p = torch.nn.Parameter(torch.ones(2, dtype=torch.float64))
        p.grad = torch.ones(2, dtype=torch.float64)
        make([p], lr=0.1).step()


_warm_up()
RTOL, ATOL = 1e-6, 1e-9


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny tensors: one thread is fastest, and OpenMP threads crawl on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _problem(seed: int):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(32, 4, generator=g, dtype=F64)
    y = torch.sin(X @ torch.tensor([[1.0], [-2.0], [0.5], [1.5]], dtype=F64)) + 0.1 * torch.randn(32, 1, generator=g, dtype=F64)
    return X, y


def _model(seed: int):
    g = torch.Generator().manual_seed(1000 + seed)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)).to(F64)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(0.5 * torch.randn(p.shape, generator=g, dtype=F64))
    unused = torch.nn.Parameter(torch.ones(3, dtype=F64))  # never receives a gradient
    return model, unused


def _trajectory(make_opt, seed: int, *, zero_grad: bool = True) -> torch.Tensor:
    model, unused = _model(seed)
    params = [*model.parameters(), unused]
    opt = make_opt(params)
    X, y = _problem(seed)
    rows = []
    for _ in range(STEPS):
        if zero_grad:
            opt.zero_grad()
        loss = ((model(X) - y) ** 2).mean()
        loss.backward()
        opt.step()
        rows.append(torch.cat([p.detach().reshape(-1) for p in params]).clone())
    return torch.stack(rows)


class _Alt:
    """The three update rules with a switch for each classic mistake (used only to name a failure)."""

    def __init__(self, params, kind, lr, **kw):
        self.params, self.kind, self.lr, self.kw = list(params), kind, lr, kw
        self.state = [dict() for _ in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        kw = self.kw
        self.steps = getattr(self, "steps", 0) + 1
        for p, s in zip(self.params, self.state):
            if p.grad is None:
                continue
            g = p.grad
            if self.kind == "sgd":
                m = kw["momentum"]
                if "buf" not in s:
                    s["buf"] = (1 - m) * g.clone() if kw.get("dampening") else g.clone()
                else:
                    s["buf"] = m * s["buf"] + ((1 - m) * g if kw.get("dampening") else g)
                update = g + m * s["buf"] if kw.get("nesterov") else s["buf"]
                p -= self.lr * update
            elif self.kind == "rmsprop":
                a, eps = kw["alpha"], kw["eps"]
                v = s.get("v", torch.zeros_like(p))
                s["v"] = (1 - a) * v + a * g**2 if kw.get("alpha_swapped") else a * v + (1 - a) * g**2
                if kw.get("eps_inside"):
                    denom = torch.sqrt(s["v"] + eps)
                elif kw.get("no_sqrt"):
                    denom = s["v"] + eps
                else:
                    denom = torch.sqrt(s["v"]) + eps
                p -= self.lr * g / denom
            else:  # adam
                b1, b2 = kw["betas"]
                if kw.get("swapped_betas"):
                    b1, b2 = b2, b1
                eps = kw["eps"]
                s["t"] = 1 if kw.get("t_fixed") else s.get("t", 0) + 1
                if kw.get("shared_t") == "param":  # one counter on the optimizer, counted for each parameter
                    self.t = getattr(self, "t", 0) + 1
                    s["t"] = self.t
                elif kw.get("shared_t") == "step":  # one counter on the optimizer, counted once per step()
                    s["t"] = self.steps
                s["m"] = b1 * s.get("m", torch.zeros_like(p)) + (1 - b1) * g
                s["v"] = b2 * s.get("v", torch.zeros_like(p)) + (1 - b2) * g**2
                t = s["t"]
                m_hat = s["m"] if kw.get("no_correction") else s["m"] / (1 - b1**t)
                v_hat = s["v"] if kw.get("no_correction") or kw.get("correct_m_only") else s["v"] / (1 - b2**t)
                denom = torch.sqrt(v_hat + eps) if kw.get("eps_inside") else torch.sqrt(v_hat) + eps
                p -= self.lr * m_hat / denom


def _compare(got: torch.Tensor, expected: torch.Tensor, name: str, mistakes) -> None:
    """check_close, computing the (slow) known-wrong trajectories only when they are needed."""
    if got.shape == expected.shape and bool(torch.allclose(got, expected, rtol=RTOL, atol=ATOL)):
        return
    check_close(got, expected, name=name, rtol=RTOL, atol=ATOL, mistakes=mistakes())


def _learner_trajectory(make_opt, seed):
    got = _trajectory(make_opt, seed)
    check_true(not bool(torch.isnan(got).any()), "the parameters became NaN (a division by zero? 1 - beta**t with t = 0?)")
    unused = got[:, -3:]
    check_true(
        bool(torch.equal(unused, torch.ones_like(unused))),
        "a parameter whose .grad is None was changed: skip parameters without a gradient",
    )
    return got


SGD_CONFIGS = [dict(lr=0.05, momentum=0.9), dict(lr=0.1, momentum=0.5)]
RMSPROP_CONFIGS = [dict(lr=0.01, alpha=0.99, eps=1e-8), dict(lr=0.005, alpha=0.9, eps=1e-3)]
ADAM_CONFIGS = [dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8), dict(lr=0.02, betas=(0.8, 0.99), eps=1e-3)]


def test_sgd_momentum(learner):
    """SGD with momentum: 20-step trajectories equal torch.optim.SGD(momentum=...)"""
    for i, cfg in enumerate(SGD_CONFIGS):
        expected = _trajectory(lambda ps: _SGD(ps, lr=cfg["lr"], momentum=cfg["momentum"]), i)
        got = _learner_trajectory(lambda ps: learner.SGDMomentum(ps, cfg["lr"], momentum=cfg["momentum"]), i)
        _compare(
            got,
            expected,
            f"the parameters after each SGD step ({cfg}; rows are steps)",
            lambda: {
                "a dampened buffer (buf = momentum * buf + (1 - momentum) * g)": _trajectory(
                    lambda ps: _Alt(ps, "sgd", cfg["lr"], momentum=cfg["momentum"], dampening=True), i
                ),
                "a Nesterov-style update (g + momentum * buf)": _trajectory(
                    lambda ps: _Alt(ps, "sgd", cfg["lr"], momentum=cfg["momentum"], nesterov=True), i
                ),
                "a zero_grad that leaves the gradients in place (they accumulate)": _trajectory(
                    lambda ps: _SGD(ps, lr=cfg["lr"], momentum=cfg["momentum"]), i, zero_grad=False
                ),
                "plain SGD without momentum": _trajectory(lambda ps: _SGD(ps, lr=cfg["lr"]), i),
            },
        )


def test_rmsprop(learner):
    """RMSprop: 20-step trajectories equal torch.optim.RMSprop"""
    for i, cfg in enumerate(RMSPROP_CONFIGS):
        expected = _trajectory(lambda ps: _RMSprop(ps, **cfg), 10 + i)
        got = _learner_trajectory(lambda ps: learner.RMSprop(ps, **cfg), 10 + i)
        _compare(
            got,
            expected,
            f"the parameters after each RMSprop step ({cfg}; rows are steps)",
            lambda: {
                "eps inside the square root (sqrt(v + eps))": _trajectory(lambda ps: _Alt(ps, "rmsprop", eps_inside=True, **cfg), 10 + i),
                "alpha on the new g**2 instead of on the old average": _trajectory(
                    lambda ps: _Alt(ps, "rmsprop", alpha_swapped=True, **cfg), 10 + i
                ),
                "dividing by v instead of sqrt(v)": _trajectory(lambda ps: _Alt(ps, "rmsprop", no_sqrt=True, **cfg), 10 + i),
            },
        )


def test_adam(learner):
    """Adam: 20-step trajectories equal torch.optim.Adam (bias correction included)"""
    for i, cfg in enumerate(ADAM_CONFIGS):
        expected = _trajectory(lambda ps: _Adam(ps, **cfg), 20 + i)
        got = _learner_trajectory(lambda ps: learner.Adam(ps, **cfg), 20 + i)
        _compare(
            got,
            expected,
            f"the parameters after each Adam step ({cfg}; rows are steps)",
            lambda: {
                "leaving out the bias correction (1 - beta**t)": _trajectory(lambda ps: _Alt(ps, "adam", no_correction=True, **cfg), 20 + i),
                "bias-correcting m but not v": _trajectory(lambda ps: _Alt(ps, "adam", correct_m_only=True, **cfg), 20 + i),
                "a step count t that stays at 1": _trajectory(lambda ps: _Alt(ps, "adam", t_fixed=True, **cfg), 20 + i),
                "one step count shared by all parameters (t counted for each parameter)": _trajectory(
                    lambda ps: _Alt(ps, "adam", shared_t="param", **cfg), 20 + i),
                "eps inside the square root (sqrt(v_hat + eps))": _trajectory(lambda ps: _Alt(ps, "adam", eps_inside=True, **cfg), 20 + i),
                "beta1 and beta2 swapped": _trajectory(lambda ps: _Alt(ps, "adam", swapped_betas=True, **cfg), 20 + i),
            },
        )


def _late_trajectory(make_opt) -> torch.Tensor:
    """Two parameters; the second first receives a gradient at step 6, so its own step count starts there."""
    g = torch.Generator().manual_seed(77)
    a = torch.randn(5, generator=g, dtype=F64).requires_grad_()
    b = torch.randn(5, generator=g, dtype=F64).requires_grad_()
    opt = make_opt([a, b])
    rows = []
    for step in range(12):
        opt.zero_grad()
        loss = (a**2).sum()
        if step >= 5:
            loss = loss + ((b - 1) ** 2).sum()
        loss.backward()
        opt.step()
        rows.append(torch.cat([a.detach(), b.detach()]).clone())
    return torch.stack(rows)


def test_adam_step_count_per_parameter(learner):
    """Adam keeps a step count per parameter: one that first gets a gradient late starts at t = 1"""
    cfg = ADAM_CONFIGS[0]
    got = _late_trajectory(lambda ps: learner.Adam(ps, **cfg))
    _compare(
        got,
        _late_trajectory(lambda ps: _Adam(ps, **cfg)),
        "the parameters after each Adam step (the second parameter gets gradients from step 6; rows are steps)",
        lambda: {
            "one step count shared by all parameters (t counted once per step())": _late_trajectory(
                lambda ps: _Alt(ps, "adam", shared_t="step", **cfg)),
            "one step count shared by all parameters (t counted for each parameter)": _late_trajectory(
                lambda ps: _Alt(ps, "adam", shared_t="param", **cfg)),
        },
    )


def test_zero_grad_sets_none(learner):
    """zero_grad sets every .grad to None"""
    for name, make in (
        ("SGDMomentum", lambda ps: learner.SGDMomentum(ps, 0.1)),
        ("RMSprop", lambda ps: learner.RMSprop(ps)),
        ("Adam", lambda ps: learner.Adam(ps)),
    ):
        p = torch.nn.Parameter(torch.ones(4, dtype=F64))
        opt = make([p])
        (p * 2).sum().backward()
        opt.zero_grad()
        check_true(p.grad is None, f"{name}.zero_grad left .grad as {p.grad!r}; set it to None")


class _PlainSGD:
    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        for p in self.params:
            if p.grad is not None:
                p -= self.lr * p.grad


class _NoZeroGrad(_PlainSGD):
    def zero_grad(self):
        pass


def _reference_losses(seed, lr, steps, *, log_after=False, accumulate=False):
    model, _ = _model(seed)
    X, y = _problem(seed)
    opt = (_NoZeroGrad if accumulate else _PlainSGD)(model.parameters(), lr)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((model(X) - y) ** 2).mean()
        if not log_after:
            losses.append(loss.item())
        loss.backward()
        opt.step()
        if log_after:
            losses.append(((model(X) - y) ** 2).mean().item())
    return torch.tensor(losses, dtype=F64)


def test_train_loop(learner):
    """train records the MSE before each update and steps the optimizer it is given"""
    model, _ = _model(30)
    X, y = _problem(30)
    losses = learner.train(model, X.clone(), y.clone(), _PlainSGD(model.parameters(), 0.2), 15)
    got = numbers(losses, "the losses of train")
    check_close(
        got,
        _reference_losses(30, 0.2, 15),
        name="the losses of train",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "logging the loss after the update instead of before it": _reference_losses(30, 0.2, 15, log_after=True),
            "never calling zero_grad (gradients accumulate)": _reference_losses(30, 0.2, 15, accumulate=True),
        },
    )


def test_optimizers_compared_on_one_network(learner):
    """train with each of your optimizers gives torch.optim's loss curve on the same network"""
    for name, mine, theirs in (
        ("SGDMomentum", lambda ps: learner.SGDMomentum(ps, 0.05, momentum=0.9), lambda ps: _SGD(ps, lr=0.05, momentum=0.9)),
        ("RMSprop", lambda ps: learner.RMSprop(ps, lr=0.01), lambda ps: _RMSprop(ps, lr=0.01)),
        ("Adam", lambda ps: learner.Adam(ps, lr=0.02), lambda ps: _Adam(ps, lr=0.02)),
    ):
        model, _ = _model(40)
        X, y = _problem(40)
        got = numbers(learner.train(model, X, y, mine(list(model.parameters())), STEPS), "the losses of train")
        ref_model, _ = _model(40)
        opt = theirs(list(ref_model.parameters()))
        expected = []
        for _ in range(STEPS):
            opt.zero_grad()
            loss = ((ref_model(X) - y) ** 2).mean()
            expected.append(loss.item())
            loss.backward()
            opt.step()
        check_close(got.to(F64), torch.tensor(expected, dtype=F64), name=f"the loss curve with {name}", rtol=RTOL, atol=ATOL)


def test_defaults(learner):
    """the default arguments the stub states"""
    check_defaults(learner.SGDMomentum, "SGDMomentum", momentum=0.9)
    check_defaults(learner.RMSprop, "RMSprop", lr=0.01, alpha=0.99, eps=1e-08)
    check_defaults(learner.Adam, "Adam", lr=0.001, betas=(0.9, 0.999), eps=1e-08)


def _steps(make_opt, w, grads):
    """Steps of an optimizer on one parameter (beside one whose .grad stays None) from given gradients."""
    p = w.detach().clone().requires_grad_(True)
    idle = torch.ones(3, dtype=w.dtype, device=w.device, requires_grad=True)
    opt = make_opt([p, idle])
    for g in grads:
        opt.zero_grad()
        p.grad = g.clone()
        opt.step()
    return p.detach(), idle.detach()


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: each optimizer keeps its state beside the parameters, the updates equal
    torch.optim's in float64 on the CPU, and train runs there"""
    g = torch.Generator().manual_seed(50)
    w = torch.randn(4, 3, generator=g, dtype=F64)
    grads = tuple(torch.randn(4, 3, generator=g, dtype=F64) for _ in range(3))
    for name, mine, theirs in (
        ("SGDMomentum", lambda ps: learner.SGDMomentum(ps, 0.05, momentum=0.9), lambda ps: _SGD(ps, lr=0.05, momentum=0.9)),
        ("RMSprop", lambda ps: learner.RMSprop(ps, lr=0.01), lambda ps: _RMSprop(ps, lr=0.01)),
        ("Adam", lambda ps: learner.Adam(ps, lr=0.02), lambda ps: _Adam(ps, lr=0.02)),
    ):
        check_follows_device(lambda w, grads: _steps(mine, w, grads)[0], w, grads)
        got, idle = _steps(mine, *to_device((w, grads), device))
        check_true(got.device.type == device.type, f"{name} moved the parameter to {got.device.type} from {device.type}")
        check_true(bool(torch.equal(idle.cpu(), torch.ones(3, dtype=F64))),
                   f"{name} changed a parameter whose .grad is None on {device.type}: skip parameters without a gradient")
        expected = trusted(lambda w, grads: _steps(theirs, w, grads)[0], w, grads)
        check_close(got, expected, name=f"the parameter after 3 steps of {name} on {device.type}", **tolerance(device))
    model, _ = _model(30)
    X, y = _problem(30)
    model.to(device)
    losses = numbers(learner.train(model, *to_device((X, y), device), _PlainSGD(model.parameters(), 0.2), 5), "the losses of train")
    check_close(losses, _reference_losses(30, 0.2, 5), name=f"the losses of train on {device.type}", **tolerance(device))
