"""Reference solution for exercise 1.5.2 (shown by `tracker solution 1.5.2` after a pass)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

NUM_BANKS = 32
BANK_BYTES = 4


def bank_of(byte_address: int) -> int:
    return (byte_address // BANK_BYTES) % NUM_BANKS


def conflict_degree(addresses: Sequence[int], active: Sequence[bool] | None = None) -> int:
    if active is None:
        active = [True] * len(addresses)
    words_per_bank: dict[int, set[int]] = defaultdict(set)
    for address, on in zip(addresses, active):
        if on:
            words_per_bank[bank_of(address)].add(address // BANK_BYTES)
    return max(len(words) for words in words_per_bank.values())


def column_read_addresses(row_width: int, col: int, pad: int = 0, base: int = 0, n_threads: int = 32) -> list[int]:
    return [base + (t * (row_width + pad) + col) * 4 for t in range(n_threads)]


def conflict_free_padding(row_width: int) -> int:
    for pad in range(NUM_BANKS):
        if conflict_degree(column_read_addresses(row_width, 0, pad)) == 1:
            return pad
    raise AssertionError("unreachable: an odd row length is always conflict-free")
