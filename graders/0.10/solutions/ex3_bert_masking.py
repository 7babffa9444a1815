"""Reference solution for exercise 0.10.3 (shown by `tracker solution 0.10.3` after a pass)."""

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
    inputs = input_ids.clone()
    labels = input_ids.clone()
    special = torch.isin(input_ids, torch.tensor(list(special_ids), dtype=input_ids.dtype, device=input_ids.device))

    prob = torch.full(input_ids.shape, mlm_probability, device=input_ids.device)
    prob[special] = 0.0
    picked = torch.bernoulli(prob, generator=generator).bool()
    labels[~picked] = -100

    # 80% of the picked positions become [MASK].
    masked = torch.bernoulli(torch.full(input_ids.shape, 0.8, device=input_ids.device), generator=generator).bool() & picked
    inputs[masked] = mask_id

    # Half of the remaining 20% (10% overall) become a random non-special token.
    randomized = torch.bernoulli(torch.full(input_ids.shape, 0.5, device=input_ids.device), generator=generator).bool() & picked & ~masked
    allowed = torch.tensor([i for i in range(vocab_size) if i not in set(special_ids)], dtype=input_ids.dtype, device=input_ids.device)
    draws = torch.randint(len(allowed), input_ids.shape, generator=generator, device=input_ids.device)
    inputs[randomized] = allowed[draws[randomized]]

    # The last 10% keep their token.
    return inputs, labels
