"""Exercise 1.5.2: shared-memory bank conflicts and the padding trick.

Shared memory is split into 32 BANKS, each 4 bytes wide: the 4-byte word at byte address ``a`` lives in
bank ``(a // 4) % 32``, so consecutive words fall in consecutive banks. Each bank serves one word per
cycle. When the 32 threads of a warp access shared memory together:

* threads that read the SAME word are served at once (broadcast), whatever their number;
* threads that read DIFFERENT words of the same bank are served one after another: the access is replayed.

The conflict degree of a warp's access is the largest number of DISTINCT words requested from any one
bank: 1 means conflict-free, 32 the worst case (the access takes 32 times as long).

Reading a column of a row-major ``32 x 32`` float tile (thread ``t`` reads ``tile[t][c]``) puts every
thread in the same bank: 32-way conflicts. Declaring the tile ``[32][33]`` (one unused float of padding
per row) shifts each row by one bank, and the column read becomes conflict-free.

Write four functions in plain Python. All accesses are of 4-byte words (addresses are multiples of 4).

1. ``bank_of(byte_address) -> int``.
2. ``conflict_degree(addresses, active=None) -> int``: ``addresses`` holds the byte address each thread
   reads (up to 32 of them); ``active`` is an optional sequence of bools (``None`` = all active;
   inactive threads request nothing). At least one thread is active.
3. ``column_read_addresses(row_width, col, pad=0, base=0, n_threads=32) -> list[int]``: thread ``t``
   reads ``tile[t][col]`` of a float32 tile stored row-major at byte address ``base`` whose rows hold
   ``row_width + pad`` floats: ``base + (t * (row_width + pad) + col) * 4``.
4. ``conflict_free_padding(row_width) -> int``: the smallest ``pad >= 0`` (in floats) for which a column
   read of 32 rows is conflict-free.

All results are exact integers.
"""

from __future__ import annotations

from collections.abc import Sequence

NUM_BANKS = 32
BANK_BYTES = 4


def bank_of(byte_address: int) -> int:
    """Return the bank of the 4-byte word at ``byte_address``."""
    raise NotImplementedError("write bank_of")


def conflict_degree(addresses: Sequence[int], active: Sequence[bool] | None = None) -> int:
    """Return the largest number of distinct words that the active threads request from one bank."""
    raise NotImplementedError("write conflict_degree")


def column_read_addresses(row_width: int, col: int, pad: int = 0, base: int = 0, n_threads: int = 32) -> list[int]:
    """Return the byte addresses of ``tile[t][col]`` for ``t = 0 .. n_threads - 1`` (rows of row_width + pad floats)."""
    raise NotImplementedError("write column_read_addresses")


def conflict_free_padding(row_width: int) -> int:
    """Return the smallest padding (in floats) that makes a 32-row column read conflict-free."""
    raise NotImplementedError("write conflict_free_padding")
