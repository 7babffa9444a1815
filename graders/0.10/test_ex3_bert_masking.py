"""Grader for exercise 0.10.3: BERT's 15% / 80-10-10 masking.

Any correct implementation draws its own random numbers, so the proportions are checked statistically:
each measured fraction must lie within 6 binomial standard deviations of its expected value (for a
correct solution a false alarm has probability below 1e-8 per check); the exact parts (labels,
untouched positions, specials, determinism, the global RNG left alone) are checked exactly. The data
is a seeded batch of ~50,000 tokens with [CLS] ... [SEP] [PAD]... rows and BERT's non-contiguous special
ids. Probes: specials picked, labels on every position or labels that
hold the corrupted token, random replacement drawn with p=0.1 from the 20% left (2% overall), no
unchanged 10%, no random 10%, random draws overwriting [MASK], always [MASK], picking the start of each
sequence, random draws that include special ids, modifying the input in place, and the global RNG.
"""

from __future__ import annotations

import math

import pytest
import torch
from gradelib import GradeFailure, check_true
from gradelib.devices import check_follows_device, on_device

PAD, UNK, CLS, SEP, MASK = 0, 100, 101, 102, 103
SPECIAL = [PAD, UNK, CLS, SEP, MASK]
VOCAB = 2000


def _corpus(seed: int, batch: int = 192, length: int = 256, vocab: int = VOCAB, special=SPECIAL) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    allowed = torch.tensor([i for i in range(vocab) if i not in set(special)])
    ids = allowed[torch.randint(len(allowed), (batch, length), generator=g)]
    pad, unk, cls, sep = special[0], special[1], special[2], special[3]
    ids[torch.rand(batch, length, generator=g) < 0.01] = unk
    lengths = torch.randint(length // 2, length + 1, (batch,), generator=g)
    for b, n in enumerate(lengths.tolist()):
        ids[b, 0] = cls
        ids[b, n - 1] = sep
        ids[b, n:] = pad
    return ids


_GRADING = {"device": torch.device("cpu")}  # where the learner's tensors and generator live (set below)


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device, drawing from a generator there; results come back
    to the CPU to be checked."""
    _GRADING["device"] = device
    return on_device(learner, device)


def _generator(seed: int) -> torch.Generator:
    return torch.Generator(device=_GRADING["device"]).manual_seed(seed)


def _rng_states() -> list[torch.Tensor]:
    """The global generators a stray draw would advance: the CPU's, and the grading device's own."""
    kind = _GRADING["device"].type
    device_state = {"cuda": lambda: torch.cuda.get_rng_state(), "mps": lambda: torch.mps.get_rng_state()}.get(kind)
    return [torch.get_rng_state()] + ([device_state()] if device_state else [])


def _call(learner, ids, seed, *, vocab=VOCAB, mask=MASK, special=SPECIAL, p=0.15):
    g = _generator(seed)
    out = learner.bert_mask(ids, vocab, mask, list(special), g, p)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise GradeFailure(f"bert_mask should return a tuple (inputs, labels), got {type(out).__name__}")
    inputs, labels = out
    for name, t in (("inputs", inputs), ("labels", labels)):
        check_true(isinstance(t, torch.Tensor), f"{name} should be a tensor, got {type(t).__name__}")
        check_true(tuple(t.shape) == tuple(ids.shape), f"{name} has shape {tuple(t.shape)}, expected {tuple(ids.shape)}")
        check_true(t.dtype == torch.int64, f"{name} has dtype {t.dtype}, expected torch.int64")
    return inputs, labels


def _within(observed: float, expected: float, n: int, what: str, known: dict[str, float] | None = None) -> None:
    """Fail unless observed is within 6 binomial standard deviations of expected (n trials)."""
    sigma = math.sqrt(max(expected * (1 - expected), 1e-12) / max(n, 1))
    bound = 6 * sigma
    if abs(observed - expected) <= bound:
        return
    named = ""
    for description, value in (known or {}).items():
        s = math.sqrt(max(value * (1 - value), 1e-12) / max(n, 1))
        if abs(observed - value) <= 6 * s:
            named = f" This is what {description} gives."
            break
    raise GradeFailure(
        f"{what} is {observed:.4f} over {n} tokens, expected {expected:.4f} +- {bound:.4f} "
        f"(6 standard deviations).{named}"
    )


@pytest.fixture(scope="module")
def _main(learner):
    ids = _corpus(0)
    before = ids.clone()
    inputs, labels = _call(learner, ids, seed=1234)
    if not torch.equal(ids, before):
        raise GradeFailure("bert_mask modified input_ids in place; clone it and return new tensors")
    special = torch.isin(ids, torch.tensor(SPECIAL))
    return ids, inputs, labels, special


def test_labels(_main):
    """labels hold the original token at picked positions and -100 everywhere else"""
    ids, inputs, labels, special = _main
    picked = labels != -100
    check_true(bool(picked.any()), "no position was picked: every label is -100")
    if bool(picked.all()):
        raise GradeFailure("every position has a label: unpicked positions (and specials) must have label -100")
    bad = picked & (labels != ids)
    if bool(bad.any()):
        i = tuple(int(v) for v in bad.nonzero()[0])
        hint = ""
        if bool((labels[bad] == inputs[bad]).all()):
            hint = " (the labels hold the corrupted token; they must hold the ORIGINAL one)"
        raise GradeFailure(
            f"the label at {list(i)} is {int(labels[i])}, but the original token there is {int(ids[i])}{hint}"
        )


def test_specials_and_unpicked_untouched(_main):
    """special tokens are never picked, and unpicked positions keep their token"""
    ids, inputs, labels, special = _main
    picked = labels != -100
    if bool((picked & special).any()):
        n = int((picked & special).sum())
        raise GradeFailure(f"{n} special tokens ([CLS], [SEP], [PAD], [UNK]) were picked; they never should be")
    changed = (inputs != ids) & ~picked
    if bool(changed.any()):
        n = int(changed.sum())
        raise GradeFailure(
            f"{n} positions that were not picked (label -100) were changed: only picked tokens are corrupted"
        )


def test_pick_rate(_main):
    """15% of the non-special tokens are picked"""
    ids, inputs, labels, special = _main
    picked = labels != -100
    n = int((~special).sum())
    rate = float((picked & ~special).sum()) / n
    _within(
        rate,
        0.15,
        n,
        "the fraction of non-special tokens that were picked",
        {"putting labels only on the [MASK]ed positions (0.15 x 0.8)": 0.12},
    )


def test_eighty_ten_ten(_main):
    """of the picked tokens, 80% become [MASK], 10% a random token, 10% stay unchanged"""
    ids, inputs, labels, special = _main
    picked = labels != -100
    n = int(picked.sum())
    check_true(n > 0, "no position was picked (every label is -100), so there is no 80/10/10 split to measure")
    n_normal = VOCAB - len(SPECIAL)
    masked = float((picked & (inputs == MASK)).sum()) / n
    kept = float((picked & (inputs == ids)).sum()) / n
    randomized = float((picked & (inputs != MASK) & (inputs != ids)).sum()) / n
    _within(
        masked,
        0.8,
        n,
        "the fraction of picked tokens replaced by [MASK]",
        {
            "replacing every picked token by [MASK]": 1.0,
            "letting the random 10% overwrite [MASK]ed tokens (independent draws)": 0.72,
        },
    )
    _within(
        randomized,
        0.1 * (1 - 1 / n_normal),
        n,
        "the fraction of picked tokens replaced by a different random token",
        {
            "drawing the random replacement with probability 0.1 from the 20% left over (use 0.5 of the rest)": 0.02,
            "randomizing every picked token that is not [MASK]ed (no unchanged 10%)": 0.2,
            "leaving out the random replacement": 0.0,
        },
    )
    _within(
        kept,
        0.1 + 0.1 / n_normal,
        n,
        "the fraction of picked tokens left unchanged",
        {
            "leaving out the unchanged 10% (every non-[MASK] token is randomized)": 0.0,
            "leaving out the random replacement (the whole 20% stays unchanged)": 0.2,
        },
    )


def test_picks_spread_over_positions(_main):
    """picking is spread over the whole sequence, not the first tokens"""
    ids, inputs, labels, special = _main
    picked = labels != -100
    cut = ids.shape[1] // 4
    for name, sl in (("the first quarter of each sequence", slice(0, cut)), ("the rest of each sequence", slice(cut, None))):
        cand = ~special[:, sl]
        n = int(cand.sum())
        rate = float((picked[:, sl] & cand).sum()) / n
        _within(rate, 0.15, n, f"the pick rate in {name}", {"picking the first 15% of each sequence": 0.6 if sl.start == 0 else 0.0})


def test_mlm_probability_argument(learner):
    """mlm_probability is honoured (0.3 picks 30%)"""
    ids = _corpus(5, batch=64)
    inputs, labels = _call(learner, ids, seed=77, p=0.3)
    special = torch.isin(ids, torch.tensor(SPECIAL))
    n = int((~special).sum())
    _within(float((labels != -100).sum()) / n, 0.3, n, "the pick rate with mlm_probability=0.3", {"ignoring mlm_probability (always 15%)": 0.15})


def test_random_tokens_are_normal_ids(learner):
    """random replacements are uniform over the non-special ids only"""
    special = [0, 10, 11, 12, 13]  # a small vocabulary with specials in the middle
    vocab, mask = 40, 13
    ids = _corpus(9, batch=96, length=128, vocab=vocab, special=special)
    inputs, labels = _call(learner, ids, seed=5, vocab=vocab, mask=mask, special=special, p=1.0)
    changed = (labels != -100) & (inputs != ids) & (inputs != mask)
    drawn = inputs[changed]
    check_true(drawn.numel() > 0, "with mlm_probability=1.0 no picked token was replaced by a random token")
    bad = torch.isin(drawn, torch.tensor(special))
    if bool(bad.any()):
        raise GradeFailure(
            f"{int(bad.sum())} of {drawn.numel()} random replacements are special ids "
            f"({sorted(set(drawn[bad].tolist()))}); draw only from the non-special ids"
        )
    out_of_range = (drawn < 0) | (drawn >= vocab)
    check_true(not bool(out_of_range.any()), "some random replacements are outside range(vocab_size)")
    normal = [i for i in range(vocab) if i not in special]
    counts = torch.bincount(drawn, minlength=vocab)[normal]
    missing = [normal[i] for i in range(len(normal)) if int(counts[i]) == 0]
    check_true(
        not missing,
        f"{drawn.numel()} random replacements never used the ids {missing[:8]}: draw uniformly from every non-special id",
    )


def test_deterministic_with_generator(learner):
    """the same generator seed gives the same result, and the global RNG is left alone"""
    ids = _corpus(11, batch=32, length=64)
    torch.manual_seed(2024)
    states = _rng_states()
    a = _call(learner, ids, seed=42)
    if not all(torch.equal(now, before) for now, before in zip(_rng_states(), states)):
        raise GradeFailure(
            "bert_mask drew numbers from the global random number generator; pass generator=generator to every "
            "random call"
        )
    torch.manual_seed(7)
    b = _call(learner, ids, seed=42)
    check_true(
        torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]),
        "two calls with generators seeded alike gave different results: draw all randomness from `generator`",
    )
    c = _call(learner, ids, seed=43)
    check_true(
        not torch.equal(a[1], c[1]),
        "generators with different seeds gave the same picks: use the generator you are given",
    )


def test_default_probability(learner):
    """bert_mask's mlm_probability defaults to 0.15, as the stub's signature says"""
    from gradelib import check_defaults

    check_defaults(learner.bert_mask, "bert_mask", mlm_probability=0.15)


def test_tensors_stay_on_the_inputs_device(learner):
    """every mask, draw and lookup table is made on the input's device"""
    ids = _corpus(13, batch=4, length=32)
    generator = torch.Generator().manual_seed(3)  # on the CPU, like the inputs of this check
    check_follows_device(learner.bert_mask, ids, VOCAB, MASK, list(SPECIAL), generator, 0.15)
