"""Grader for exercise 0.10.4: perplexity from logits with padding ignored.

Reference: ``F.cross_entropy(reduction="none", ignore_index=pad_id)`` on the shifted logits and targets,
captured before the learner's code runs, then exp of the token-pooled mean. Closed-form checks: uniform
logits give perplexity V, confident correct logits give 1. Probes: no shift, shifting the wrong way,
masking by the input token instead of the target, counting padding in the mean, averaging per-sequence
perplexities or per-sequence mean NLLs, base 2, exp of the sum, and an unstable softmax.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_number, check_true
from gradelib.devices import on_device

FORBIDDEN = [
    "torch.nn.functional.cross_entropy",
    "torch.nn.functional.nll_loss",
    "torch.nn.CrossEntropyLoss",
    "torch.nn.NLLLoss",
]

_cross_entropy = F.cross_entropy
PAD = 0


def _batch(seed: int, lengths=(12, 9, 5, 7), vocab: int = 11, scale: float = 2.0):
    g = torch.Generator().manual_seed(seed)
    b, t = len(lengths), max(lengths)
    ids = torch.randint(1, vocab, (b, t), generator=g)
    for i, n in enumerate(lengths):
        ids[i, n:] = PAD
    logits = torch.randn(b, t, vocab, generator=g) * scale
    return logits, ids


def _ref_nll(logits, ids, pad=PAD):
    pred, tgt = logits[:, :-1], ids[:, 1:]
    nll = _cross_entropy(pred.reshape(-1, pred.shape[-1]).double(), tgt.reshape(-1), reduction="none", ignore_index=pad)
    return nll.reshape(tgt.shape), tgt != pad


def _all_nll(pred, tgt):
    """NLL at every position, padding targets included (scored as if real)."""
    return _cross_entropy(pred.reshape(-1, pred.shape[-1]).double(), tgt.reshape(-1), reduction="none").reshape(tgt.shape)


def _ppl_mistakes(logits, ids) -> dict[str, float]:
    nll, mask = _ref_nll(logits, ids)
    n = mask.sum(1)
    per_seq = nll.sum(1) / n
    unshifted = _all_nll(logits, ids)
    unshifted_mask = ids != PAD
    wrong_way = _all_nll(logits[:, 1:], ids[:, :-1])
    wrong_mask = ids[:, :-1] != PAD
    input_mask = ids[:, :-1] != PAD
    all_scored = _all_nll(logits[:, :-1], ids[:, 1:])
    total = float(nll.sum())
    return {
        "the mean of per-sequence perplexities": float(per_seq.exp().mean()),
        "exp of the mean of per-sequence mean NLLs (short sequences weigh as much as long ones)": math.exp(
            float(per_seq.mean())
        ),
        "dividing by every position, padding included": math.exp(total / nll.numel()),
        "scoring the padding targets as if they were tokens": math.exp(float(all_scored.mean())),
        "masking by the input token instead of the target (the prediction of the first pad is scored)": math.exp(
            float(all_scored[input_mask].mean())
        ),
        "forgetting the shift (logits[:, t] scored against input_ids[:, t])": math.exp(
            float(unshifted[unshifted_mask].mean())
        ),
        "shifting the wrong way (logits[:, 1:] against input_ids[:, :-1])": math.exp(float(wrong_way[wrong_mask].mean())),
        "base 2 (2 ** mean NLL) with a natural-log NLL": 2 ** (total / float(mask.sum())),
    }


def _nll_call(learner, logits, ids):
    out = learner.shifted_token_nll(logits, ids, PAD)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise GradeFailure(f"shifted_token_nll should return a tuple (nll, mask), got {type(out).__name__}")
    return out


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


def test_token_nll(learner):
    """per-target NLL of logits[:, :-1] against input_ids[:, 1:], 0 at padding"""
    logits, ids = _batch(0)
    nll, mask = _nll_call(learner, logits, ids)
    exp_nll, exp_mask = _ref_nll(logits, ids)
    nll_t = torch.as_tensor(nll)
    if tuple(nll_t.shape) == tuple(ids.shape):
        raise GradeFailure(
            f"nll has shape {tuple(nll_t.shape)}, the shape of input_ids; expected {tuple(exp_nll.shape)}: "
            "logits[:, t] predicts input_ids[:, t + 1], so drop the last prediction and the first target"
        )
    pred, tgt = logits[:, :-1], ids[:, 1:]
    check_close(
        nll,
        exp_nll,
        name="the per-target NLL",
        rtol=1e-5,
        atol=1e-5,
        mistakes={
            "shifting the wrong way (logits[:, 1:] against input_ids[:, :-1])": _all_nll(logits[:, 1:], ids[:, :-1])
            * (ids[:, :-1] != PAD),
            "not zeroing the padding targets": _all_nll(pred, tgt),
            "masking by the input token instead of the target": _all_nll(pred, tgt) * (ids[:, :-1] != PAD),
            "log base 2 instead of the natural log": exp_nll / math.log(2),
        },
    )
    mask_t = torch.as_tensor(mask)
    check_true(mask_t.dtype == torch.bool, f"mask should be a bool tensor, got dtype {mask_t.dtype}")
    check_close(
        mask_t,
        exp_mask,
        name="the mask of real targets",
        rtol=0,
        atol=0,
        mistakes={"masking by the input token instead of the target": ids[:, :-1] != PAD},
    )


def test_perplexity(learner):
    """perplexity is exp of the NLL averaged over every real target of the batch"""
    for seed in (1, 2):
        logits, ids = _batch(seed)
        nll, mask = _ref_nll(logits, ids)
        expected = math.exp(float(nll.sum()) / float(mask.sum()))
        got = learner.perplexity(logits, ids, PAD)
        check_number(got, expected, name=f"the perplexity (batch {seed})", rtol=1e-5, mistakes=_ppl_mistakes(logits, ids))


def test_uniform_logits_give_vocab_size(learner):
    """uniform logits give perplexity exactly V, whatever the padding"""
    _, ids = _batch(3, lengths=(10, 4, 8), vocab=50)
    logits = torch.full((*ids.shape, 50), 3.0)
    check_number(learner.perplexity(logits, ids, PAD), 50.0, name="the perplexity of uniform logits over 50 tokens", rtol=1e-5)


def test_confident_correct_gives_one(learner):
    """logits that put all mass on the right next token give perplexity 1"""
    _, ids = _batch(4, lengths=(9, 6))
    v = 11
    logits = torch.full((*ids.shape, v), -1e4)
    logits[:, :-1].scatter_(-1, ids[:, 1:].unsqueeze(-1), 1e4)
    check_number(learner.perplexity(logits, ids, PAD), 1.0, name="the perplexity of perfect predictions", rtol=1e-5)


def test_large_logits_stable(learner):
    """large logits (around 100, and as large as 1e4 as the stub says) give a finite, correct NLL"""
    base, ids = _batch(5, scale=1.0)
    # exp overflows float32 past ~88: logits of ~100, then logits whose largest is 1e4.
    for size, logits in (("~100", base * 30), ("up to 1e4", base / base.abs().max() * 1e4)):
        nll, mask = _ref_nll(logits, ids)
        got_nll, _ = _nll_call(learner, logits, ids)
        check_true(
            bool(torch.isfinite(torch.as_tensor(got_nll)).all()),
            f"the NLL has inf or NaN for logits of size {size}: use log_softmax / logsumexp, not log(softmax) or exp "
            "by hand",
        )
        check_close(got_nll, nll, name=f"the per-target NLL for logits of size {size}", rtol=1e-5, atol=1e-3)
