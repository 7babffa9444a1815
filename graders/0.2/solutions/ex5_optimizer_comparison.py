"""Reference solution for exercise 0.2.5 (shown by `tracker solution 0.2.5` after a pass)."""

from __future__ import annotations

import torch


class _Base:
    def __init__(self, params):
        self.params = list(params)
        self.state = [{} for _ in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None


class SGDMomentum(_Base):
    def __init__(self, params, lr, momentum=0.9):
        super().__init__(params)
        self.lr, self.momentum = lr, momentum

    @torch.no_grad()
    def step(self):
        for p, state in zip(self.params, self.state):
            if p.grad is None:
                continue
            if "buf" not in state:
                state["buf"] = p.grad.clone()
            else:
                state["buf"].mul_(self.momentum).add_(p.grad)
            p.sub_(self.lr * state["buf"])


class RMSprop(_Base):
    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8):
        super().__init__(params)
        self.lr, self.alpha, self.eps = lr, alpha, eps

    @torch.no_grad()
    def step(self):
        for p, state in zip(self.params, self.state):
            if p.grad is None:
                continue
            v = state.setdefault("v", torch.zeros_like(p))
            v.mul_(self.alpha).add_((1 - self.alpha) * p.grad**2)
            p.sub_(self.lr * p.grad / (v.sqrt() + self.eps))


class Adam(_Base):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params)
        self.lr, self.betas, self.eps = lr, betas, eps

    @torch.no_grad()
    def step(self):
        b1, b2 = self.betas
        for p, state in zip(self.params, self.state):
            if p.grad is None:
                continue
            if not state:
                state.update(t=0, m=torch.zeros_like(p), v=torch.zeros_like(p))
            state["t"] += 1
            t, m, v = state["t"], state["m"], state["v"]
            m.mul_(b1).add_((1 - b1) * p.grad)
            v.mul_(b2).add_((1 - b2) * p.grad**2)
            m_hat = m / (1 - b1**t)
            v_hat = v / (1 - b2**t)
            p.sub_(self.lr * m_hat / (v_hat.sqrt() + self.eps))


def train(model, X, y, optimizer, steps):
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((model(X) - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    return losses
