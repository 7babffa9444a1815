"""Grader for exercise 0.10.5: Adam as Algorithm 1 of Kingma & Ba.

``adam_update`` is compared with Algorithm 1 written out here in float64, on gradients small enough
(and an epsilon large enough) that every placement of epsilon and every bias-correction slip changes the
answer. The optimizer class is compared step by step with ``torch.optim.Adam`` (captured before the
learner's code runs; it implements Algorithm 1 with epsilon after the corrected square root) on a small
regression, with manual gradients where some parameters have none, and with two parameter groups.
Probes: no bias correction, t + 1 in the correction, epsilon inside the square root, the paper's
"efficient" reordering (a different epsilon), |g| for g^2, no square root, betas on the wrong terms,
ascent instead of descent, in-place modification of the inputs, a step counter shared by all
parameters, steps counted for parameters without gradients, group settings ignored, no in-place update.
"""

from __future__ import annotations

import pytest
import torch
import torch._dynamo  # noqa: F401  (building an optimizer imports it: ~2 s, better spent at import than in a test)
from gradelib import GradeFailure, check_close, check_true
from gradelib.devices import check_follows_device, on_device, to_device, tolerance

FORBIDDEN = [
    "torch.optim.Adam",
    "torch.optim.AdamW",
    "torch.optim.adam.Adam",
    "torch.optim.adamw.AdamW",
    "torch.optim.adam.adam",
    "torch.optim.adamw.adamw",
    "torch._fused_adam_",
]

_Adam = torch.optim.Adam


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared.
    (The optimizer class is handed out as it is; its parameters are put on the device below.)"""
    return on_device(learner, device)


def _built(opt_cls, *args, **kwargs) -> torch.optim.Optimizer:
    """``opt_cls(*args, **kwargs)``, checked to be set up as an Optimizer (its groups, defaults and state)."""
    opt = opt_cls(*args, **kwargs)
    for attribute in ("defaults", "param_groups", "state"):
        if not hasattr(opt, attribute):
            raise GradeFailure(
                f"the optimizer has no .{attribute}: Adam.__init__ should call super().__init__(params, defaults)"
            )
    return opt


def _update(theta, g, m, v, t, lr, b1, b2, eps, rule: str = "correct"):
    if rule == "swapped_betas":
        m = b1 * g + (1 - b1) * m
        v = b2 * g * g + (1 - b2) * v
    else:
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * (g.abs() if rule == "abs_grad" else g * g)
    tc = t + 1 if rule == "t_plus_one" else t
    if rule == "no_bias_correction":
        m_hat, v_hat = m, v
    else:
        m_hat, v_hat = m / (1 - b1**tc), v / (1 - b2**tc)
    if rule == "eps_inside_sqrt":
        step = m_hat / torch.sqrt(v_hat + eps)
    elif rule == "efficient_form":
        step = (1 - b2**t) ** 0.5 / (1 - b1**t) * m / (torch.sqrt(v) + eps)
    elif rule == "no_sqrt":
        step = m_hat / (v_hat + eps)
    else:
        step = m_hat / (torch.sqrt(v_hat) + eps)
    theta = theta + lr * step if rule == "ascent" else theta - lr * step
    return theta, m, v


_RULES = {
    "leaving out the bias correction": "no_bias_correction",
    "bias-correcting with t + 1 (incrementing t again inside the update)": "t_plus_one",
    "putting epsilon inside the square root": "eps_inside_sqrt",
    "the paper's reordered 'efficient' form, whose epsilon sits next to the uncorrected sqrt(v)": "efficient_form",
    "using |g| instead of g ** 2 for v": "abs_grad",
    "dividing by v_hat without its square root": "no_sqrt",
    "putting beta on the new gradient and (1 - beta) on the old moment": "swapped_betas",
    "adding the step instead of subtracting it (gradient ascent)": "ascent",
}


def _state(seed: int, n: int = 24):
    g = torch.Generator().manual_seed(seed)
    theta = torch.randn(n, generator=g, dtype=torch.float64)
    grad = torch.randn(n, generator=g, dtype=torch.float64) * 1e-3  # comparable to eps = 1e-3 below
    m = torch.randn(n, generator=g, dtype=torch.float64) * 1e-3
    v = torch.rand(n, generator=g, dtype=torch.float64) * 1e-6
    return theta, grad, m, v


def _call_update(learner, theta, grad, m, v, t, lr, b1, b2, eps):
    out = learner.adam_update(theta, grad, m, v, t, lr, b1, b2, eps)
    if not (isinstance(out, tuple) and len(out) == 3):
        raise GradeFailure(f"adam_update should return a tuple (theta, m, v), got {type(out).__name__}")
    return out


def test_first_update(learner):
    """the first update (t = 1, m = v = 0) follows Algorithm 1"""
    theta, grad, _, _ = _state(0)
    zeros = torch.zeros_like(theta)
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-3
    got = _call_update(learner, theta.clone(), grad.clone(), zeros.clone(), zeros.clone(), 1, lr, b1, b2, eps)
    exp = _update(theta, grad, zeros, zeros, 1, lr, b1, b2, eps)
    names = ("theta_1", "m_1", "v_1")
    for i in (1, 2, 0):  # moments first: their mistakes explain a wrong theta
        mistakes = {d: _update(theta, grad, zeros, zeros, 1, lr, b1, b2, eps, r)[i] for d, r in _RULES.items()}
        check_close(got[i], exp[i], name=names[i], rtol=1e-7, atol=1e-15, mistakes=mistakes)


def test_later_update(learner):
    """a later update (t = 3, with m and v carried over) follows Algorithm 1"""
    theta, grad, m, v = _state(1)
    lr, b1, b2, eps = 0.05, 0.8, 0.99, 1e-3
    got = _call_update(learner, theta.clone(), grad.clone(), m.clone(), v.clone(), 3, lr, b1, b2, eps)
    exp = _update(theta, grad, m, v, 3, lr, b1, b2, eps)
    names = ("theta_3", "m_3", "v_3")
    for i in (1, 2, 0):
        mistakes = {d: _update(theta, grad, m, v, 3, lr, b1, b2, eps, r)[i] for d, r in _RULES.items()}
        check_close(got[i], exp[i], name=names[i], rtol=1e-7, atol=1e-15, mistakes=mistakes)


def test_update_defaults_and_purity(learner):
    """defaults are lr=1e-3, betas 0.9/0.999, eps=1e-8, and the inputs are not modified"""
    theta, grad, m, v = _state(2)
    copies = [x.clone() for x in (theta, grad, m, v)]
    got = learner.adam_update(theta, grad, m, v, 2)
    for name, before, after in zip(("theta", "grad", "m", "v"), copies, (theta, grad, m, v)):
        check_true(torch.equal(before, after), f"adam_update modified its argument `{name}` in place; return new tensors")
    exp = _update(*copies, 2, 1e-3, 0.9, 0.999, 1e-8)
    check_close(got[0], exp[0], name="theta with the default hyper-parameters", rtol=1e-7, atol=1e-15)


# --- the optimizer class -------------------------------------------------------------------------


def _problem(seed: int = 3):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(16, 4, generator=g)
    y = torch.randn(16, 3, generator=g)
    w0 = torch.randn(3, 4, generator=g) * 0.5
    b0 = torch.randn(3, generator=g) * 0.5
    return x, y, w0, b0


def _loss(w, b, x, y):
    return ((x @ w.T + b - y) ** 2).mean()


def _trajectory(opt_cls, steps: int, lr, betas, eps, *, learner_opt: bool, device="cpu"):
    x, y, w0, b0 = to_device(_problem(), device)
    w = torch.nn.Parameter(w0.clone())
    b = torch.nn.Parameter(b0.clone())
    opt = _built(opt_cls, [w, b], lr=lr, betas=betas, eps=eps)
    rows = []
    for k in range(steps):
        opt.zero_grad()
        _loss(w, b, x, y).backward()
        before = (w.detach().clone(), b.detach().clone())
        opt.step()
        if learner_opt and k == 0 and torch.equal(before[0], w.detach()) and torch.equal(before[1], b.detach()):
            raise GradeFailure(
                "step() did not change the parameters: update each p in place (p.copy_(...), p.add_(...), ...)"
            )
        rows.append(torch.cat([w.detach().reshape(-1), b.detach().reshape(-1)]))
    return torch.stack(rows).cpu()


def _simulated(steps: int, lr, betas, eps, rule="correct", shared_t=False):
    x, y, w0, b0 = _problem()
    params = [w0.clone(), b0.clone()]
    m = [torch.zeros_like(p) for p in params]
    v = [torch.zeros_like(p) for p in params]
    counter = 0
    rows = []
    for k in range(steps):
        leaves = [p.clone().requires_grad_(True) for p in params]
        grads = torch.autograd.grad(_loss(leaves[0], leaves[1], x, y), leaves)
        for i, gi in enumerate(grads):
            counter += 1
            t = counter if shared_t else k + 1
            params[i], m[i], v[i] = _update(params[i], gi, m[i], v[i], t, lr, betas[0], betas[1], eps, rule)
        rows.append(torch.cat([p.reshape(-1) for p in params]))
    return torch.stack(rows)


def test_optimizer_matches_torch_adam(learner):
    """the optimizer's parameters after each of 30 steps match torch.optim.Adam"""
    steps, lr, betas, eps = 30, 0.05, (0.8, 0.99), 1e-3
    got = _trajectory(learner.Adam, steps, lr, betas, eps, learner_opt=True)
    expected = _trajectory(_Adam, steps, lr, betas, eps, learner_opt=False)
    close = torch.allclose(got, expected, rtol=1e-5, atol=1e-6)
    mistakes = None
    if not close:
        mistakes = {d: _simulated(steps, lr, betas, eps, r) for d, r in _RULES.items() if r != "t_plus_one"}
        mistakes["one step counter shared by all parameters (t grows once per parameter, not once per step)"] = (
            _simulated(steps, lr, betas, eps, shared_t=True)
        )
        mistakes["bias-correcting with t + 1 (counting the step twice)"] = _simulated(steps, lr, betas, eps, "t_plus_one")
    check_close(got, expected, name="the parameters after steps 1..30 (row k = after step k+1)", rtol=1e-5, atol=1e-6, mistakes=mistakes)


def test_optimizer_defaults(learner):
    """Adam(params) uses lr=1e-3, betas (0.9, 0.999), eps=1e-8"""
    x, y, w0, b0 = _problem(4)
    ws = [torch.nn.Parameter(w0.clone()) for _ in range(2)]
    mine, ref = _built(learner.Adam, [ws[0]]), _Adam([ws[1]])
    for _ in range(5):
        for opt, w in ((mine, ws[0]), (ref, ws[1])):
            opt.zero_grad()
            _loss(w, b0, x, y).backward()
            opt.step()
    check_close(ws[0].detach(), ws[1].detach(), name="the weights after 5 default steps", rtol=1e-5, atol=1e-7)


def _manual_run(opt_cls, lr=0.1):
    """Three parameters with hand-made gradients; `c` gets none for the first three steps."""
    g = torch.Generator().manual_seed(5)
    a, b, c = (torch.nn.Parameter(torch.randn(5, generator=g)) for _ in range(3))
    grads = [[torch.randn(5, generator=g) for _ in range(3)] for _ in range(6)]
    opt = _built(opt_cls, [a, b, c], lr=lr, betas=(0.9, 0.999), eps=1e-8)
    for k in range(6):
        a.grad, b.grad = grads[k][0].clone(), grads[k][1].clone()
        c.grad = grads[k][2].clone() if k >= 3 else None
        opt.step()
    return torch.stack([a.detach(), b.detach(), c.detach()])


def test_skips_parameters_without_grad(learner):
    """a parameter without .grad is skipped, and its own t starts when its first gradient comes"""
    got = _manual_run(learner.Adam)
    expected = _manual_run(_Adam)
    check_close(
        got[2],
        expected[2],
        name="the parameter that got gradients only from step 4",
        rtol=1e-5,
        atol=1e-6,
        mistakes={"counting the steps without a gradient in that parameter's t (its bias correction starts at t=4)":
                  _manual_run(_CountsEveryCall)[2]},
    )
    check_close(got[:2], expected[:2], name="the parameters with gradients at every step", rtol=1e-5, atol=1e-6)


def test_param_groups(learner):
    """each parameter group uses its own lr, betas and eps"""
    x, y, w0, b0 = _problem(6)

    def run(opt_cls):
        w = torch.nn.Parameter(w0.clone())
        b = torch.nn.Parameter(b0.clone())
        groups = [{"params": [w]}, {"params": [b], "lr": 0.2, "betas": (0.5, 0.9), "eps": 1e-2}]
        opt = _built(opt_cls, groups, lr=0.01)
        for _ in range(8):
            opt.zero_grad()
            _loss(w, b, x, y).backward()
            opt.step()
        return w.detach(), b.detach()

    (gw, gb), (ew, eb) = run(learner.Adam), run(_Adam)
    check_close(gb, eb, name="the second group's bias (its own lr 0.2, betas (0.5, 0.9), eps 1e-2)", rtol=1e-5, atol=1e-6,
                mistakes={"the defaults' lr 0.01 in every group (each group's update uses group['lr'])":
                          _second_group_without_lr(x, y, w0, b0)})
    check_close(gw, ew, name="the first group's weights (lr 0.01 from the defaults)", rtol=1e-5, atol=1e-6)


def test_closure(learner):
    """step(closure) evaluates the closure once and returns its loss"""
    x, y, w0, b0 = _problem(7)
    w = torch.nn.Parameter(w0.clone())
    opt = _built(learner.Adam, [w], lr=0.01)
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = _loss(w, b0, x, y)
        loss.backward()
        return loss

    out = opt.step(closure)
    check_true(len(calls) == 1, f"step(closure) called the closure {len(calls)} times, expected once")
    check_true(isinstance(out, torch.Tensor) and out.dim() == 0, "step(closure) should return the closure's loss")
    check_true(
        abs(float(out) - float(_loss(w0, b0, x, y))) < 1e-6,
        "step(closure) should return the loss computed BEFORE the update (the closure's return value)",
    )


def test_signature_defaults(learner):
    """adam_update and Adam keep the stub's defaults: lr=1e-3, betas 0.9/0.999, eps=1e-8 (an eps default
    of 2e-8 moves an update by too little for the value checks to see)"""
    from gradelib import check_defaults

    check_defaults(learner.adam_update, "adam_update", lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)
    check_defaults(learner.Adam, "Adam", lr=1e-3, betas=(0.9, 0.999), eps=1e-8)


class _CountsEveryCall:
    """Adam whose per-parameter t counts every step() call, with a gradient or not: a classic slip. (A plain
    class: a torch.optim.Optimizer subclass would have its step wrapped by torch at construction.)"""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.defaults = dict(lr=lr, betas=betas, eps=eps)
        self.param_groups = [{"params": list(params), **self.defaults}]
        self.state = {}

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state.setdefault(id(p), {"step": 0, "m": torch.zeros_like(p), "v": torch.zeros_like(p)})
                state["step"] += 1
                if p.grad is not None:
                    new, state["m"], state["v"] = _update(p, p.grad, state["m"], state["v"], state["step"], group["lr"],
                                                          *group["betas"], group["eps"])
                    p.copy_(new)


def _second_group_without_lr(x, y, w0, b0):
    """The second group's bias after test_param_groups' 8 steps when its lr is the defaults' 0.01."""
    w, b = torch.nn.Parameter(w0.clone()), torch.nn.Parameter(b0.clone())
    opt = _Adam([{"params": [w]}, {"params": [b], "betas": (0.5, 0.9), "eps": 1e-2}], lr=0.01)
    for _ in range(8):
        opt.zero_grad()
        _loss(w, b, x, y).backward()
        opt.step()
    return b.detach()


def test_runs_on_the_parameters_device(learner, device):
    """on the grading device: adam_update and the optimizer's state stay on the parameters' device, and 10
    steps equal torch.optim.Adam there"""
    theta, grad, m, v = (t.to(torch.float32) for t in _state(4))
    check_follows_device(learner.adam_update, theta, grad, m, v, 2, 0.01, 0.9, 0.999, 1e-3)

    def three_steps(x, y, w0, b0):
        w, b = torch.nn.Parameter(w0.clone()), torch.nn.Parameter(b0.clone())
        opt = _built(learner.Adam, [w, b], lr=0.05, betas=(0.8, 0.99), eps=1e-3)
        for _ in range(3):
            opt.zero_grad()
            _loss(w, b, x, y).backward()
            opt.step()
        # The state too: it must stay on the parameters' device between steps.
        return [w, b], list(opt.state.values())

    check_follows_device(three_steps, *_problem())
    got = _trajectory(learner.Adam, 10, 0.05, (0.8, 0.99), 1e-3, learner_opt=True, device=device)
    expected = _trajectory(_Adam, 10, 0.05, (0.8, 0.99), 1e-3, learner_opt=False, device=device)
    check_close(got, expected, name=f"the parameters after steps 1..10 on {device.type}",
                **tolerance(device, cpu=(1e-5, 1e-6)))
