"""Grader for lib.sft_loss_mask: labels masked on prompt and padding, loss shifted and averaged by token.

The reference loss is ``F.cross_entropy(..., ignore_index=-100)`` on shifted logits, captured before the
learner's code runs. Rows have different prompt and response lengths so that every probe differs: the
prompt or the padding counted, no shift, a mean per sequence, and a prompt mask one token short.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_true

FORBIDDEN = ["torch.nn.functional.cross_entropy", "torch.nn.functional.nll_loss",
             "torch.nn.CrossEntropyLoss", "torch.nn.NLLLoss"]

_cross_entropy = F.cross_entropy
IGNORE = -100


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _batch(device, seed=0, V=11):
    g = torch.Generator().manual_seed(seed)
    B, T = 3, 10
    ids = torch.randint(1, V, (B, T), generator=g)
    prompt = torch.tensor([3, 5, 2])
    lengths = torch.tensor([10, 8, 5])  # real tokens per row; the rest is padding (id 0)
    mask = (torch.arange(T).unsqueeze(0) < lengths.unsqueeze(1)).long()
    ids = ids * mask
    logits = torch.randn(B, T, V, generator=g) * 2
    return [t.to(device) for t in (ids, prompt, mask, logits)]


def _labels(ids, prompt, mask, prompt_shift=0, mask_prompt=True, mask_pad=True):
    pos = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0)
    labels = ids.clone()
    if mask_prompt:
        labels[pos < prompt.unsqueeze(1) + prompt_shift] = IGNORE
    if mask_pad:
        labels[mask == 0] = IGNORE
    return labels


def _loss(logits, labels, shift=True, per_sequence=False):
    if shift:
        logits, labels = logits[:, :-1], labels[:, 1:]
    if per_sequence:
        rows = [_cross_entropy(logits[b], labels[b], ignore_index=IGNORE) for b in range(labels.shape[0])]
        return torch.stack(rows).mean()
    return _cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=IGNORE)


def test_labels(learner, device):
    """labels are input_ids with -100 on every prompt position and every padding position"""
    ids, prompt, mask, _ = _batch(device)
    got = learner.sft_labels(ids, prompt, mask)
    check_true(isinstance(got, torch.Tensor), f"sft_labels should return a tensor, got {type(got).__name__}")
    check_close(got, _labels(ids, prompt, mask), name="sft_labels", rtol=0, atol=0, mistakes={
        "training on the prompt tokens too (prompt not set to -100)": _labels(ids, prompt, mask, mask_prompt=False),
        "counting padding (padding not set to -100)": _labels(ids, prompt, mask, mask_pad=False),
        "masking one prompt token too few": _labels(ids, prompt, mask, prompt_shift=-1),
        "masking one prompt token too many": _labels(ids, prompt, mask, prompt_shift=1),
    })


def test_loss(learner, device):
    """the loss is the next-token NLL over unmasked labels (logits[:, t] predict labels[:, t+1]), mean over tokens"""
    ids, prompt, mask, logits = _batch(device, seed=1)
    labels = _labels(ids, prompt, mask)
    got = learner.sft_loss(logits, labels)
    if not isinstance(got, torch.Tensor):
        raise GradeFailure(f"sft_loss should return a tensor, got {type(got).__name__}")
    check_close(got, _loss(logits, labels), name="sft_loss", mistakes={
        "forgetting the shift (logits[:, t] must predict the token at t + 1)": _loss(logits, labels, shift=False),
        "averaging each sequence first, then over the batch (average over all tokens)": _loss(logits, labels, per_sequence=True),
    })


def test_end_to_end(learner, device):
    """sft_loss(logits, sft_labels(...)) trains on the responses only and has the reference gradient"""
    ids, prompt, mask, logits = _batch(device, seed=2)
    logits = logits.clone().requires_grad_(True)
    got = learner.sft_loss(logits, learner.sft_labels(ids, prompt, mask))
    if not isinstance(got, torch.Tensor) or not got.requires_grad:
        raise GradeFailure("sft_loss must stay differentiable with respect to logits (no .item(), no detach)")
    expected = _loss(logits, _labels(ids, prompt, mask))
    check_close(got, expected, name="the loss of the whole pipeline", mistakes={
        "training on the prompt tokens too": _loss(logits, _labels(ids, prompt, mask, mask_prompt=False)),
        "counting padding as targets": _loss(logits, _labels(ids, prompt, mask, mask_pad=False)),
        "masking one prompt token too few": _loss(logits, _labels(ids, prompt, mask, prompt_shift=-1)),
    })
    (grad,) = torch.autograd.grad(got, logits)
    (want,) = torch.autograd.grad(expected, logits)
    check_close(grad, want, name="the gradient of the loss with respect to logits")
