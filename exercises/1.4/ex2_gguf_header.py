"""Exercise 1.4.2: read the header of a GGUF file, and refuse what is not one.

Every GGUF file (the format of llama.cpp and ggml) starts with a fixed 24-byte header, little-endian:

    offset  size  field
    0       4     magic              the bytes b"GGUF" (0x47 0x47 0x55 0x46)
    4       4     version            uint32; 3 today (2 has the same layout; 1 used uint32 counts)
    8       8     tensor_count       uint64
    16      8     metadata_kv_count  uint64

The magic says "this is a GGUF file" before anything else is trusted; the version says which layout
follows, so a reader can refuse a layout it does not know instead of misreading it.

Write two functions with the ``struct`` module (or ``int.from_bytes``):

1. ``parse_header(data) -> dict``: ``data`` is bytes-like (``bytes``, ``bytearray`` or ``memoryview``)
   holding at least the start of a file. Return ``{"version": int, "tensor_count": int,
   "metadata_kv_count": int}`` (Python ints). Raise ``ValueError`` with a message that says what is wrong,
   checked in this order:

   * fewer than 24 bytes: the message contains the word ``truncated``;
   * the first 4 bytes are not exactly ``b"GGUF"`` (legacy GGML/GGJT files, other formats, anything
     else): the message contains the word ``magic`` (show the bytes you found);
   * the version (read little-endian) is 0: the message contains the word ``version``;
   * the version has its low 16 bits all zero (e.g. ``0x03000000``): that is a big-endian file read on a
     little-endian machine, as llama.cpp diagnoses it; the message contains the word ``endian``;
   * any other version than 2 or 3 (1, or newer than 3): the message contains the word ``version``.

   Each message names its own problem only: one message holding every keyword fails every check.

2. ``read_header(path) -> dict``: open the file in binary mode, read its first 24 bytes (not the whole
   file) and return ``parse_header`` of them.

Counts and versions must be exact.
"""

from __future__ import annotations

import struct  # noqa: F401
from pathlib import Path


def parse_header(data: bytes | bytearray | memoryview) -> dict[str, int]:
    """Return ``{"version", "tensor_count", "metadata_kv_count"}`` of a GGUF header, or raise ValueError."""
    raise NotImplementedError("write parse_header")


def read_header(path: str | Path) -> dict[str, int]:
    """Read the first 24 bytes of the file at ``path`` and parse them."""
    raise NotImplementedError("write read_header")
