"""Reference solution for exercise 0.7.2 (shown by `tracker solution 0.7.2` after a pass)."""

from __future__ import annotations


import torch
import torch.nn.functional as F


def _indices(text: str, chars: str) -> torch.Tensor:
    lookup = {c: i for i, c in enumerate(chars)}
    return torch.tensor([lookup[c] for c in text], dtype=torch.int64)


def bigram_counts(text: str, chars: str) -> torch.Tensor:
    V = len(chars)
    ix = _indices(text, chars)
    flat = ix[:-1] * V + ix[1:]
    return torch.bincount(flat, minlength=V * V).reshape(V, V)


def bigram_probs(counts: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    smoothed = counts.to(torch.float64) + alpha
    return smoothed / smoothed.sum(dim=1, keepdim=True)


def nll(probs: torch.Tensor, text: str, chars: str) -> float:
    ix = _indices(text, chars)
    p = probs.to(torch.float64)[ix[:-1], ix[1:]]
    return float(-torch.log(p).mean())


def stationary_distribution(P: torch.Tensor) -> torch.Tensor:
    P = P.to(torch.float64)
    pi = torch.full((P.shape[0],), 1.0 / P.shape[0], dtype=torch.float64, device=P.device)
    for _ in range(100_000):
        new = pi @ P
        if float((new - pi).abs().max()) < 1e-12:
            pi = new
            break
        pi = new
    return pi / pi.sum()


def entropy_rate(P: torch.Tensor) -> float:
    P = P.to(torch.float64)
    pi = stationary_distribution(P)
    plogp = torch.where(P > 0, P * torch.log(P.clamp_min(1e-300)), torch.zeros_like(P))
    return float(-(pi * plogp.sum(dim=1)).sum())


def sample(P: torch.Tensor, chars: str, n: int, start: str, generator: torch.Generator) -> str:
    P = P.to(torch.float64)
    i = chars.index(start)
    out = [start]
    for _ in range(n - 1):
        i = int(torch.multinomial(P[i], 1, generator=generator))
        out.append(chars[i])
    return "".join(out)


def train_neural_bigram(text: str, chars: str, steps: int, generator: torch.Generator) -> torch.Tensor:
    V = len(chars)
    ix = _indices(text, chars)
    xs, ys = ix[:-1], ix[1:]
    W = torch.randn(V, V, generator=generator, requires_grad=True)
    for _ in range(steps):
        loss = F.cross_entropy(W[xs], ys)
        W.grad = None
        loss.backward()
        with torch.no_grad():
            W -= 20.0 * W.grad
    return W.detach()


