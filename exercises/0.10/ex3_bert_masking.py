"""Exercise 0.10.3: BERT's masked-language-model corruption (Devlin et al., 2018, section 3.1).

BERT picks 15% of the token positions for prediction; a picked token is replaced by [MASK] 80% of the
time, by a random token 10% of the time, and left unchanged 10% of the time. The model must predict the
original token at every picked position, and only there.

Implement ``bert_mask(input_ids, vocab_size, mask_id, special_ids, generator, mlm_probability=0.15)``:

* ``input_ids``: int64 tensor (B, T). Do not modify it; return new tensors.
* ``special_ids``: a list of ids that are never picked and never changed (e.g. [PAD], [CLS], [SEP],
  [MASK]). They need not be contiguous: BERT's own vocabulary has [PAD]=0, [UNK]=100, [CLS]=101,
  [SEP]=102, [MASK]=103.
* Picking: every position whose token is not special is picked independently with probability
  ``mlm_probability``.
* For each picked position, independently: with probability 0.8 the token becomes ``mask_id``; with
  probability 0.1 it becomes a random token drawn uniformly from the NON-special ids (every id in
  ``range(vocab_size)`` that is not in ``special_ids``; the draw may happen to equal the original token);
  otherwise (probability 0.1) it stays unchanged.
* Positions that are not picked keep their token.
* Return ``(inputs, labels)``, both int64 (B, T): ``inputs`` is the corrupted sequence; ``labels`` holds
  the ORIGINAL token at every picked position and -100 everywhere else (the ``ignore_index`` of
  PyTorch's cross-entropy), whatever the picked token was turned into.
* Randomness: draw every random number from ``generator`` (a ``torch.Generator``: pass
  ``generator=generator`` to ``torch.rand``, ``torch.randint``, ``torch.bernoulli``...). Never touch the
  global random number generator. The grader only checks that the same generator state gives the same
  result; how many numbers you draw, and in which order, is up to you.
* The grader runs your code on its device (a GPU when there is one), and ``generator`` lives there too:
  create every tensor on the input's device (``device=input_ids.device``, for the random draws as well),
  and never hard-code ``"cuda"``.

How it is graded (statistically, on about 50,000 tokens with a fixed seed): the fraction of non-special
tokens picked, and the fractions of picked tokens that become [MASK], a different random token, or stay
unchanged, must each lie within 6 standard deviations (binomial) of the expected value (0.15; 0.8,
0.1 * (1 - 1/n), 0.1 + 0.1/n with n the number of non-special ids). Picking must be spread over all
positions (no favouring the start of the sequence), random replacements must never be special ids and
must cover the non-special ids roughly uniformly. All other checks (labels, unchanged positions,
determinism) are exact.
"""

from __future__ import annotations

import torch


def bert_mask(
    input_ids: torch.Tensor,
    vocab_size: int,
    mask_id: int,
    special_ids: list[int],
    generator: torch.Generator,
    mlm_probability: float = 0.15,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (inputs, labels): the 80/10/10-corrupted ids and the labels (original id or -100)."""
    raise NotImplementedError("write bert_mask")
