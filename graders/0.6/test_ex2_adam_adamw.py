"""Grader for exercise 0.6.2: Adam with bias correction and AdamW.

Form: the catalogue's. A small tanh MLP is trained for 50 full-batch steps with the learner's optimizer
and with ``torch.optim.Adam``/``AdamW`` (captured before the learner's code runs, ``foreach=False``)
from the same initial weights; every parameter is compared after every step. Wrong answers are matched
against trajectories that a simulator in this file produces with each classic mistake switched on.

Probes: no bias correction (or only on one moment), a step count that is never incremented, eps inside
the square root, beta1 and beta2 swapped, the ``params`` generator stored as is (exhausted after the first
step), AdamW as L2 (coupled) decay, decoupled decay without the learning rate, decay applied after the
update, Adam's weight decay made decoupled, and one global step counter instead of one per parameter.
"""

from __future__ import annotations

import pytest
import torch
import torch._dynamo  # noqa: F401  (building an optimizer imports it, and it rewraps torch.manual_seed)
from gradelib import GradeFailure, check_close, check_defaults
from gradelib.devices import check_follows_device, to_device, tolerance

FORBIDDEN = [
    "torch.optim.Adam",
    "torch.optim.AdamW",
    "torch.optim.adam.Adam",
    "torch.optim.adamw.AdamW",
    "torch.optim.adam.adam",
    "torch.optim.adamw.adamw",
    "torch._fused_adam_",
    "torch._fused_adamw_",
]

# Captured before any learner code runs.
_TorchAdam = torch.optim.Adam
_TorchAdamW = torch.optim.AdamW

STEPS = 50
RTOL, ATOL = 1e-4, 1e-6



@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is faster than two, and much steadier on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

class _Sim:
    """A configurable Adam used only to produce what each classic mistake gives."""

    def __init__(self, params, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, *, decay="l2",
                 bias="both", eps_inside=False, eps_hat=False, t_fixed=False, global_step=False, one_shot=False):
        self.params = list(params)
        self.lr, (self.b1, self.b2), self.eps, self.wd = lr, betas, eps, weight_decay
        self.decay, self.bias, self.eps_inside, self.eps_hat = decay, bias, eps_inside, eps_hat
        self.t_fixed, self.global_step, self.one_shot = t_fixed, global_step, one_shot
        self.state: dict[int, dict] = {}
        self.calls = 0

    @torch.no_grad()
    def step(self) -> None:
        self.calls += 1
        if self.one_shot and self.calls > 1:
            return
        for p in self.params:
            if p.grad is None:
                continue
            s = self.state.setdefault(id(p), {"t": 0, "m": torch.zeros_like(p), "v": torch.zeros_like(p)})
            s["t"] += 1
            t = 1 if self.t_fixed else (self.calls if self.global_step else s["t"])
            g = p.grad
            if self.wd:
                if self.decay == "l2":
                    g = g + self.wd * p
                elif self.decay == "decoupled":
                    p.mul_(1 - self.lr * self.wd)
                elif self.decay == "decoupled_no_lr":
                    p.mul_(1 - self.wd)
            s["m"].mul_(self.b1).add_((1 - self.b1) * g)
            s["v"].mul_(self.b2).add_((1 - self.b2) * g * g)
            m_hat = s["m"] / (1 - self.b1**t) if self.bias in ("both", "m") else s["m"]
            v_hat = s["v"] / (1 - self.b2**t) if self.bias in ("both", "v") else s["v"]
            denom = (v_hat + self.eps).sqrt() if self.eps_inside else v_hat.sqrt() + self.eps
            if self.eps_hat:
                step_size = self.lr * (1 - self.b2**t) ** 0.5 / (1 - self.b1**t)
                p.sub_(step_size * s["m"] / (s["v"].sqrt() + self.eps))
            else:
                p.sub_(self.lr * m_hat / denom)
            if self.wd and self.decay == "decoupled_after":
                p.mul_(1 - self.lr * self.wd)


def _model_and_data():
    g = torch.Generator().manual_seed(7)
    x = torch.randn(32, 4, generator=g)
    y = torch.sin(x @ torch.randn(4, 1, generator=g)) + 0.1 * torch.randn(32, 1, generator=g)
    w1 = 0.5 * torch.randn(8, 4, generator=g)
    b1 = 0.1 * torch.randn(8, generator=g)
    w2 = 0.5 * torch.randn(1, 8, generator=g)
    b2 = torch.zeros(1)
    return x, y, (w1, b1, w2, b2)


class _MLP(torch.nn.Module):
    def __init__(self, init):
        super().__init__()
        w1, b1, w2, b2 = init
        self.fc1 = torch.nn.Linear(4, 8)
        self.fc2 = torch.nn.Linear(8, 1)
        with torch.no_grad():
            self.fc1.weight.copy_(w1)
            self.fc1.bias.copy_(b1)
            self.fc2.weight.copy_(w2)
            self.fc2.bias.copy_(b2)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


def _trajectory(make_opt, steps: int = STEPS, who: str = "reference", device="cpu") -> torch.Tensor:
    """Train the MLP (on ``device``) with ``make_opt(model.parameters())``; return the flat parameters after
    each step, on the CPU."""
    x, y, init = to_device(_model_and_data(), device)
    model = _MLP(init).to(device)
    opt = make_opt(model.parameters())
    rows = []
    for _ in range(steps):
        for p in model.parameters():
            p.grad = None
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        rows.append(torch.cat([p.detach().reshape(-1) for p in model.parameters()]).clone())
    traj = torch.stack(rows).cpu()
    if who == "learner" and not torch.isfinite(traj).all():
        first = int((~torch.isfinite(traj)).any(dim=1).nonzero()[0])
        raise GradeFailure(
            f"the parameters became NaN or inf at step {first + 1}: is the step count t starting at 1 "
            "(1 - beta ** 0 = 0 divides by zero), and eps added to the denominator?"
        )
    return traj


def _learner_trajectory(cls, steps: int = STEPS, device="cpu", **kwargs) -> torch.Tensor:
    def make(params):
        opt = cls(params, **kwargs)
        if not callable(getattr(opt, "step", None)):
            raise GradeFailure(f"{cls.__name__} has no step() method")
        return opt

    return _trajectory(make, steps=steps, who="learner", device=device)


def _sim(steps: int = STEPS, **kwargs):
    """What a mistake gives, computed only when the learner's answer is already wrong."""
    return lambda: _trajectory(lambda params: _Sim(params, **kwargs), steps=steps)


def _check(got: torch.Tensor, expected: torch.Tensor, name: str, mistakes: dict) -> None:
    """check_close, with the (costly) mistake trajectories simulated only on a failure."""
    if got.shape == expected.shape and torch.allclose(got.double(), expected.double(), rtol=RTOL, atol=ATOL):
        check_close(got, expected, name=name, rtol=RTOL, atol=ATOL)
        return
    check_close(got, expected, name=name, rtol=RTOL, atol=ATOL, mistakes={k: f() for k, f in mistakes.items()})


def test_adam_matches_torch(learner):
    """Adam: 50 steps of parameters equal torch.optim.Adam (bias correction on both moments)"""
    hp = dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8)
    got = _learner_trajectory(learner.Adam, **hp)
    expected = _trajectory(lambda params: _TorchAdam(params, foreach=False, **hp))
    _check(
        got,
        expected,
        "the parameters after each Adam step (rows: steps 1..50)",
        {
            "storing `params` as given: the generator is exhausted after the first step (use list(params))": _sim(
                one_shot=True, **hp
            ),
            "skipping the bias correction (m / (1 - beta1**t), v / (1 - beta2**t))": _sim(bias="none", **hp),
            "bias-correcting only the first moment m": _sim(bias="m", **hp),
            "bias-correcting only the second moment v": _sim(bias="v", **hp),
            "never incrementing the step count (t stays 1)": _sim(t_fixed=True, **hp),
            "swapping beta1 and beta2": _sim(lr=0.01, betas=(0.999, 0.9), eps=1e-8),
        },
    )


def test_adam_eps_outside_sqrt(learner):
    """Adam: eps is added after the square root, sqrt(v_hat) + eps"""
    hp = dict(lr=0.01, betas=(0.8, 0.99), eps=1e-3)
    got = _learner_trajectory(learner.Adam, steps=20, **hp)
    expected = _trajectory(lambda params: _TorchAdam(params, foreach=False, **hp), steps=20)
    _check(
        got,
        expected,
        "the parameters after each Adam step with eps=1e-3, betas=(0.8, 0.99)",
        {
            "adding eps inside the square root, sqrt(v_hat + eps),": _sim(20, eps_inside=True, **hp),
            "the paper's 'efficient' form (eps added to sqrt(v) before the bias correction)": _sim(20, eps_hat=True, **hp),
        },
    )


def test_adam_l2_weight_decay(learner):
    """Adam's weight_decay is L2: weight_decay * p is added to the gradient"""
    hp = dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.2)
    got = _learner_trajectory(learner.Adam, steps=20, **hp)
    expected = _trajectory(lambda params: _TorchAdam(params, foreach=False, **hp), steps=20)
    _check(
        got,
        expected,
        "the parameters after each Adam step with weight_decay=0.2",
        {
            "decoupled decay in Adam (that is AdamW; Adam adds weight_decay * p to the gradient)": _sim(
                20, decay="decoupled", **hp
            ),
            "ignoring weight_decay": _sim(20, lr=0.01, eps=1e-8),
        },
    )


def test_adamw_matches_torch(learner):
    """AdamW: decoupled decay p *= 1 - lr * weight_decay, 50 steps equal torch.optim.AdamW"""
    hp = dict(lr=0.02, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.5)
    got = _learner_trajectory(learner.AdamW, **hp)
    expected = _trajectory(lambda params: _TorchAdamW(params, foreach=False, **hp))
    _check(
        got,
        expected,
        "the parameters after each AdamW step with weight_decay=0.5",
        {
            "L2 regularization (weight_decay * p added to the gradient) instead of decoupled decay": _sim(
                decay="l2", **hp
            ),
            "decaying by weight_decay without the learning rate, p *= 1 - weight_decay,": _sim(
                decay="decoupled_no_lr", **hp
            ),
            "applying the decay after the Adam update instead of before it": _sim(decay="decoupled_after", **hp),
            "ignoring weight_decay": _sim(lr=0.02, eps=1e-8),
            "skipping the bias correction": _sim(decay="decoupled", bias="none", **hp),
        },
    )


def test_adamw_default_weight_decay(learner):
    """AdamW's default weight_decay is 1e-2"""
    hp = dict(lr=0.05)
    got = _learner_trajectory(learner.AdamW, steps=10, **hp)
    expected = _trajectory(lambda params: _TorchAdamW(params, foreach=False, **hp), steps=10)
    _check(
        got,
        expected,
        "the parameters after each AdamW step with the default weight_decay",
        {"a default weight_decay of 0": _sim(10, lr=0.05)},
    )


def _late_trajectory(make_opt, who: str = "reference") -> torch.Tensor:
    """Two parameter vectors; ``b`` gets its first gradient only at step 11."""
    g = torch.Generator().manual_seed(3)
    x = torch.randn(16, 5, generator=g)
    y1, y2 = torch.randn(16, generator=g), torch.randn(16, generator=g)
    a = torch.nn.Parameter(0.3 * torch.randn(5, generator=g))
    b = torch.nn.Parameter(0.3 * torch.randn(5, generator=g))
    opt = make_opt(iter([a, b]))
    rows = []
    for step in range(30):
        a.grad = b.grad = None
        loss = ((x @ a - y1) ** 2).mean()
        if step >= 10:
            loss = loss + ((x @ b - y2) ** 2).mean()
        loss.backward()
        opt.step()
        rows.append(torch.cat([a.detach(), b.detach()]).clone())
    return torch.stack(rows)


def test_step_count_per_parameter(learner):
    """a parameter without a gradient is skipped, and its step count starts when it first gets one"""
    hp = dict(lr=0.05, betas=(0.9, 0.999), eps=1e-8)
    got = _late_trajectory(lambda params: learner.Adam(params, **hp), "learner")
    expected = _late_trajectory(lambda params: _TorchAdam(params, foreach=False, **hp))
    check_close(
        got[:10, 5:],
        expected[:10, 5:],
        name="a parameter whose grad is None during steps 1..10 (it must not move)",
        rtol=0,
        atol=0,
    )
    check_close(
        got,
        expected,
        name="the parameters over 30 steps, the second one getting gradients from step 11",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "one global step count shared by all parameters (each parameter counts its own steps)": _late_trajectory(
                lambda params: _Sim(params, global_step=True, **hp)
            )
            if not torch.allclose(got, expected, rtol=RTOL, atol=ATOL)
            else None
        },
    )


def test_defaults(learner):
    """the default arguments the stub states"""
    check_defaults(learner.Adam, "Adam", lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0)
    check_defaults(learner.AdamW, "AdamW", lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01)


def test_runs_on_the_parameters_device(learner, device):
    """on the grading device: the state is made on the parameters' device, and 10 steps of Adam and AdamW
    equal torch's optimizers there"""
    hp = dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)
    for name, cls, reference in (("Adam", learner.Adam, _TorchAdam), ("AdamW", learner.AdamW, _TorchAdamW)):

        def three_steps(x, y, model):
            opt = cls(model.parameters(), **hp)
            for _ in range(3):
                for p in model.parameters():
                    p.grad = None
                ((model(x) - y) ** 2).mean().backward()
                opt.step()
            # The state too: it must stay on the parameters' device between steps.
            return list(model.parameters()), vars(opt)

        x, y, init = _model_and_data()
        check_follows_device(three_steps, x, y, _MLP(init))
        got = _learner_trajectory(cls, steps=10, device=device, **hp)
        expected = _trajectory(lambda params: reference(params, foreach=False, **hp), steps=10, device=device)
        check_close(got, expected, name=f"the parameters after each {name} step on {device.type}",
                    **tolerance(device, cpu=(RTOL, ATOL)))
