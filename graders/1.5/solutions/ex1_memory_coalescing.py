"""Reference solution for exercise 1.5.1 (shown by `tracker solution 1.5.1` after a pass)."""

from __future__ import annotations

from collections.abc import Sequence

SECTOR_BYTES = 32
LINE_BYTES = 128
WARP_SIZE = 32


def warp_addresses(base: int, stride: int, elem_size: int, n_threads: int = WARP_SIZE) -> list[int]:
    return [base + t * stride * elem_size for t in range(n_threads)]


def _active(addresses: Sequence[int], active: Sequence[bool] | None) -> list[int]:
    if active is None:
        return list(addresses)
    return [a for a, on in zip(addresses, active) if on]


def _blocks(addresses, elem_size, active, block: int) -> set[int]:
    # elem_size divides the block size and addresses are naturally aligned: one block per access.
    return {a // block for a in _active(addresses, active)}


def sectors_per_request(addresses: Sequence[int], elem_size: int, active: Sequence[bool] | None = None) -> int:
    return len(_blocks(addresses, elem_size, active, SECTOR_BYTES))


def lines_per_request(addresses: Sequence[int], elem_size: int, active: Sequence[bool] | None = None) -> int:
    return len(_blocks(addresses, elem_size, active, LINE_BYTES))


def load_efficiency(addresses: Sequence[int], elem_size: int, active: Sequence[bool] | None = None) -> float:
    requested = {a + i for a in _active(addresses, active) for i in range(elem_size)}
    return len(requested) / (SECTOR_BYTES * sectors_per_request(addresses, elem_size, active))
