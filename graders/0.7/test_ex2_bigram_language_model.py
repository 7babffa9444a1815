"""Grader for exercise 0.7.2: a character bigram model against the entropy rate of a known source.

The grader draws texts from a fixed, non-symmetric bigram (Markov) distribution P over 8 characters with a
non-uniform stationary distribution. Counts, probabilities, NLL, the stationary distribution and the
entropy rate are compared with NumPy closed forms; the count model (trained on 20,000 characters) and the
neural bigram (3,000 characters, 100 steps) must reach a held-out NLL within 0.05 nats of the entropy
rate; samples are checked transition by transition with a 5-sigma binomial band. Probes: transposed counts
or a wrap-around pair, column normalisation, smoothing ignored or added after normalising, NLL in bits,
summed or divided by L, the uniform vector or a right eigenvector as "stationary", an entropy rate
weighted uniformly or in bits or H(pi), sampling from the column or always from the start row, not using
the generator, and a transposed weight matrix.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
import torch
from gradelib import GradeFailure, check_close, check_number, check_true
from gradelib.devices import check_follows_device, check_host_syncs, on_device

CHARS = " aeinost"
V = len(CHARS)


@functools.lru_cache(maxsize=None)
def _source() -> np.ndarray:
    rng = np.random.default_rng(7)
    P = rng.dirichlet(np.full(V, 0.7), size=V)
    return 0.97 * P + 0.03 / V


@functools.lru_cache(maxsize=None)
def _text(n: int, seed: int) -> str:
    P = _source()
    cum = np.cumsum(P, axis=1)
    u = np.random.default_rng(seed).random(n)
    states = [1]
    for k in range(1, n):
        row = cum[states[-1]]
        states.append(min(int(np.searchsorted(row, u[k] * row[-1], side="right")), V - 1))
    return "".join(CHARS[i] for i in states)


def _ix(text: str) -> np.ndarray:
    return np.array([CHARS.index(c) for c in text])


def _counts(text: str) -> np.ndarray:
    ix = _ix(text)
    N = np.zeros((V, V), dtype=np.int64)
    np.add.at(N, (ix[:-1], ix[1:]), 1)
    return N


def _stationary(P: np.ndarray) -> np.ndarray:
    w, vecs = np.linalg.eig(P.T)
    pi = np.real(vecs[:, np.argmin(np.abs(w - 1))])
    return pi / pi.sum()


def _entropy_rate(P: np.ndarray) -> float:
    return float(-(_stationary(P) * (P * np.log(P)).sum(axis=1)).sum())


def _nll(P: np.ndarray, text: str) -> float:
    ix = _ix(text)
    return float(-np.log(P[ix[:-1], ix[1:]]).mean())


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


def _as_float64(value, name: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise GradeFailure(f"{name} should be a torch.Tensor, got {type(value).__name__}")
    return value.detach().to(torch.float64)


def test_bigram_counts(learner):
    """counts N[i, j] of consecutive pairs (current i, next j), no wrap-around"""
    text = "aa  ta n  sosaotie" * 3 + "nt"
    N = _counts(text)
    wrapped = N.copy()
    wrapped[CHARS.index(text[-1]), CHARS.index(text[0])] += 1
    got = learner.bigram_counts(text, CHARS)
    check_true(isinstance(got, torch.Tensor), f"bigram_counts should return a tensor, got {type(got).__name__}")
    check_true(got.dtype == torch.int64, f"bigram_counts returned dtype {got.dtype}, expected torch.int64")
    check_close(
        got,
        torch.from_numpy(N),
        name="the bigram counts",
        rtol=0,
        atol=0,
        mistakes={
            "indexing N[next, current] (the transpose)": torch.from_numpy(N.T.copy()),
            "counting a wrap-around pair (last character -> first)": torch.from_numpy(wrapped),
        },
    )
    long_text = _text(20_000, 1)
    check_close(
        learner.bigram_counts(long_text, CHARS),
        torch.from_numpy(_counts(long_text)),
        name="the counts of a 20,000-character text",
        rtol=0,
        atol=0,
    )


def test_bigram_probs(learner):
    """add-alpha smoothed probabilities, normalised over each ROW"""
    N = _counts("aa  ta n  sosaotie" * 2 + "nt")  # has zero counts, so smoothing matters
    for alpha in (1.0, 0.5, None):  # None: the default, alpha=1.0
        S = N + (1.0 if alpha is None else alpha)
        expected = S / S.sum(axis=1, keepdims=True)
        mle = N / np.maximum(N.sum(axis=1, keepdims=True), 1)
        args = () if alpha is None else (alpha,)
        got = _as_float64(learner.bigram_probs(torch.from_numpy(N), *args), "bigram_probs")
        check_close(
            got,
            torch.from_numpy(expected),
            name=f"the probabilities with alpha={alpha}" if alpha is not None else "the probabilities with the default alpha (1.0)",
            rtol=1e-5,
            atol=1e-7,
            mistakes={
                "normalising each column instead of each row": torch.from_numpy(S / S.sum(axis=0, keepdims=True)),
                "ignoring alpha (no smoothing)": torch.from_numpy(mle),
                "adding alpha after normalising": torch.from_numpy(
                    (mle + S - N) / (mle + S - N).sum(axis=1, keepdims=True)
                ),
            },
        )


def test_nll(learner):
    """mean negative log-likelihood per transition, in nats"""
    P = _source()
    text = _text(2_000, 3)
    ix = _ix(text)
    logp = np.log(P[ix[:-1], ix[1:]])
    got = learner.nll(torch.from_numpy(P), text, CHARS)
    expected = float(-logp.mean())
    check_number(
        got,
        expected,
        name="the NLL of a 2,000-character text",
        rtol=1e-5,
        mistakes={
            "log base 2 (bits) instead of the natural log": expected / math.log(2),
            "the sum over transitions instead of the mean": float(-logp.sum()),
            "dividing by the text length L instead of the L - 1 transitions": float(-logp.sum() / len(text)),
            "reading probs[next, current] (the transpose)": float(-np.log(P[ix[1:], ix[:-1]]).mean()),
            "the mean log-likelihood without the minus sign": -expected,
        },
    )


def test_stationary_distribution(learner):
    """pi @ P = pi with sum(pi) = 1 (the LEFT eigenvector for eigenvalue 1)"""
    P = _source()
    expected = _stationary(P)
    got = _as_float64(learner.stationary_distribution(torch.from_numpy(P)), "stationary_distribution")
    check_close(
        got,
        torch.from_numpy(expected),
        name="the stationary distribution",
        rtol=1e-5,
        atol=1e-7,
        mistakes={
            "the uniform distribution (a RIGHT eigenvector, P @ v = v, is constant for a row-stochastic P)": torch.full(
                (V,), 1.0 / V, dtype=torch.float64
            ),
            "the normalised column sums of P (one step from uniform, not the fixed point)": torch.from_numpy(
                P.sum(axis=0) / V
            ),
        },
    )


def test_entropy_rate(learner):
    """entropy rate -sum_i pi_i sum_j P_ij ln P_ij of the source"""
    P = _source()
    pi = _stationary(P)
    row_h = -(P * np.log(P)).sum(axis=1)
    expected = float(pi @ row_h)
    got = learner.entropy_rate(torch.from_numpy(P))
    check_number(
        got,
        expected,
        name="the entropy rate",
        rtol=1e-5,
        mistakes={
            "weighting the rows uniformly instead of by the stationary distribution": float(row_h.mean()),
            "log base 2 (bits) instead of the natural log": expected / math.log(2),
            "the entropy of the stationary distribution H(pi) (that ignores the previous character)": float(
                -(pi * np.log(pi)).sum()
            ),
        },
    )
    # Each state moves 1 or 2 steps around a 4-cycle: half the entries are 0, the entropy rate is ln 2.
    cycle = 0.5 * np.roll(np.eye(4), 1, axis=1) + 0.5 * np.roll(np.eye(4), 2, axis=1)
    check_number(
        learner.entropy_rate(torch.from_numpy(cycle)),
        _entropy_rate_safe(cycle),
        name="the entropy rate of a chain with zero entries (0 ln 0 = 0)",
        rtol=1e-5,
        atol=1e-9,
    )


def _entropy_rate_safe(P: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(P > 0, P * np.log(np.where(P > 0, P, 1.0)), 0.0)
    w, vecs = np.linalg.eig(P.T)
    pi = np.real(vecs[:, np.argmin(np.abs(w - 1))])
    pi = pi / pi.sum()
    return float(-(pi * plogp.sum(axis=1)).sum())


def test_count_model_reaches_entropy_rate(learner):
    """the count model (alpha=1) is within 0.05 nats of the entropy rate on held-out text"""
    train, test = _text(20_000, 1), _text(20_000, 2)
    H = _entropy_rate(_source())
    P_hat = _as_float64(learner.bigram_probs(learner.bigram_counts(train, CHARS), 1.0), "bigram_probs")
    got = _nll(P_hat.numpy(), test)
    check_true(
        abs(got - H) <= 0.05,
        f"the held-out NLL of the count model is {got:.4f} nats, the source's entropy rate is {H:.4f}: "
        f"they should be within 0.05 (uniform guessing gives ln {V} = {math.log(V):.4f})",
    )


def _frequencies(text: str) -> tuple[np.ndarray, np.ndarray]:
    N = _counts(text).astype(np.float64)
    rows = N.sum(axis=1, keepdims=True)
    return N / np.maximum(rows, 1), rows


def test_sample(learner, device):
    """samples start with `start`, use the generator, and follow the rows of P"""
    P = _source()
    Pt = torch.from_numpy(P)
    seeded = lambda seed: torch.Generator(device=device).manual_seed(seed)  # noqa: E731  (where P is drawn from)
    a = learner.sample(Pt, CHARS, 2_000, "e", seeded(5))
    check_true(isinstance(a, str), f"sample should return a str, got {type(a).__name__}")
    check_true(len(a) == 2_000, f"sample(..., n=2000, ...) returned {len(a)} characters")
    check_true(a[0] == "e", f"the sample should start with the start character 'e', got {a[0]!r}")
    b = learner.sample(Pt, CHARS, 2_000, "e", seeded(5))
    check_true(
        a == b,
        "two samples drawn with generators seeded identically differ: draw every character with the "
        "generator you are given",
    )
    text = learner.sample(Pt, CHARS, 10_000, "a", seeded(6))
    freq, rows = _frequencies(text)
    band = 5 * np.sqrt(P * (1 - P) / np.maximum(rows, 1)) + 0.005
    bad = np.abs(freq - P) > band
    if bad.any():
        i, j = np.argwhere(bad)[0]
        cols = P.T / P.T.sum(axis=1, keepdims=True)
        why = ""
        if np.abs(freq - cols).max() < np.abs(freq - P).max() / 2:
            why = " This is what drawing from the COLUMN P[:, i] instead of the row P[i] gives."
        elif np.abs(freq - P[CHARS.index("a")]).max() < 0.05:
            why = " Every row looks like P['a']: each character must be drawn from the row of the PREVIOUS one."
        raise GradeFailure(
            f"in your 10,000-character sample, {CHARS[i]!r} is followed by {CHARS[j]!r} with frequency "
            f"{freq[i, j]:.3f}, but P gives {P[i, j]:.3f} ({int(bad.sum())} of {V * V} transitions are outside "
            f"a 5-sigma band).{why}"
        )


def test_neural_bigram(learner):
    """the neural bigram softmax(W[i]) trained 100 steps is within 0.05 nats of the entropy rate"""
    train, test = _text(3_000, 11), _text(20_000, 2)
    H = _entropy_rate(_source())
    W = learner.train_neural_bigram(train, CHARS, 100, torch.Generator().manual_seed(0))
    W = _as_float64(W, "train_neural_bigram")
    check_true(tuple(W.shape) == (V, V), f"W has shape {tuple(W.shape)}, expected ({V}, {V})")
    got = _nll(torch.softmax(W, dim=1).numpy(), test)
    if abs(got - H) > 0.05:
        why = ""
        if abs(_nll(torch.softmax(W.T, dim=1).numpy(), test) - H) <= 0.05:
            why = " softmax(W.T) would fit: your W is transposed (row i must hold the logits AFTER chars[i])."
        raise GradeFailure(
            f"the held-out NLL of softmax(W, dim=1) is {got:.4f} nats, the entropy rate is {H:.4f}: they should "
            f"be within 0.05 after 100 steps (is the learning rate large enough, and the loss the MEAN "
            f"cross-entropy over all transitions?).{why}"
        )


def test_neural_bigram_is_trained_from_its_initialisation(learner):
    """the neural bigram starts from torch.randn(V, V, generator=generator) and is trained from there"""
    train = _text(3_000, 11)
    init = torch.randn(V, V, generator=torch.Generator().manual_seed(5)).to(torch.float64)
    W0 = _as_float64(learner.train_neural_bigram(train, CHARS, 0, torch.Generator().manual_seed(5)),
                     "train_neural_bigram(steps=0)")
    counts = np.zeros((V, V))
    for a, b in zip(train, train[1:]):
        counts[CHARS.index(a), CHARS.index(b)] += 1
    log_counts = np.log((counts + 1) / (counts + 1).sum(axis=1, keepdims=True))
    check_close(
        W0,
        init,
        name="W after 0 training steps (it should be the initial W, torch.randn(V, V, generator=generator))",
        rtol=0,
        atol=1e-6,
        mistakes={"returning the count model's log-probabilities instead of training W (the optimum, not the "
                  "method)": log_counts},
    )
    W1 = _as_float64(learner.train_neural_bigram(train, CHARS, 1, torch.Generator().manual_seed(5)),
                     "train_neural_bigram(steps=1)")
    check_true(tuple(W1.shape) == (V, V) and not torch.allclose(W1, init, rtol=0, atol=1e-9),
               "W after 1 training step equals the initial W: the step did not change it")


def test_tensors_stay_on_the_inputs_device(learner):
    """probabilities, NLL, stationary distribution and entropy rate keep their tensors on the input's device,
    and the NLL reads no value back per transition"""
    N = torch.from_numpy(_counts(_text(500, 4)))
    P = torch.from_numpy(_source())
    text = _text(300, 5)
    check_follows_device(learner.bigram_probs, N, 1.0)
    check_follows_device(learner.nll, P, text, CHARS)
    check_follows_device(learner.stationary_distribution, P)
    check_follows_device(learner.entropy_rate, P)
    check_host_syncs(learner.nll, P, text, CHARS, most=4)
