"""Exercise 1.5.1: count the memory transactions of a warp's load, coalesced or strided.

The 32 threads of a warp issue a load together, and the memory system serves the whole warp at once. It
moves data in 32-byte SECTORS: each aligned 32-byte block of memory that holds at least one byte any
active thread asked for is moved once, no matter how many threads read from it (so two threads reading
the same address, or neighbouring addresses, share a sector). The L1 cache keeps 128-byte LINES (4
sectors, aligned to 128 bytes). This is the model Nsight Compute reports ("sectors per request"): a
perfectly coalesced float32 load touches 4 sectors, one line.

The model, precisely:

* thread ``t`` reads ``elem_size`` bytes starting at byte address ``addresses[t]``; ``elem_size`` is 1, 2,
  4, 8 or 16 and every address is a multiple of ``elem_size`` (CUDA requires natural alignment), so one
  access never crosses a sector;
* sector of byte address ``a``: ``a // 32``; line: ``a // 128`` (absolute addresses: alignment counts);
* ``active`` is an optional sequence of bools, one per thread (``None`` = all active); inactive threads
  (a divergent branch, a tail warp) request nothing;
* the load efficiency is (number of DISTINCT bytes requested by active threads) / (32 * sectors moved),
  a float in (0, 1]. At least one thread is active.

Write four functions in plain Python (``addresses`` is any sequence of ints, up to 32 of them):

1. ``warp_addresses(base, stride, elem_size, n_threads=32) -> list[int]``: the addresses of a strided
   access, thread ``t`` reading element ``t * stride`` of an array at byte address ``base``:
   ``base + t * stride * elem_size``.
2. ``sectors_per_request(addresses, elem_size, active=None) -> int``.
3. ``lines_per_request(addresses, elem_size, active=None) -> int``.
4. ``load_efficiency(addresses, elem_size, active=None) -> float``.

Counts must be exact; the efficiency is compared with a relative tolerance of 1e-9.
"""

from __future__ import annotations

from collections.abc import Sequence

SECTOR_BYTES = 32
LINE_BYTES = 128
WARP_SIZE = 32


def warp_addresses(base: int, stride: int, elem_size: int, n_threads: int = WARP_SIZE) -> list[int]:
    """Return the byte address each thread reads: ``base + t * stride * elem_size``."""
    raise NotImplementedError("write warp_addresses")


def sectors_per_request(addresses: Sequence[int], elem_size: int, active: Sequence[bool] | None = None) -> int:
    """Return the number of distinct 32-byte sectors the active threads touch."""
    raise NotImplementedError("write sectors_per_request")


def lines_per_request(addresses: Sequence[int], elem_size: int, active: Sequence[bool] | None = None) -> int:
    """Return the number of distinct 128-byte cache lines the active threads touch."""
    raise NotImplementedError("write lines_per_request")


def load_efficiency(addresses: Sequence[int], elem_size: int, active: Sequence[bool] | None = None) -> float:
    """Return distinct requested bytes / (32 * sectors moved)."""
    raise NotImplementedError("write load_efficiency")
