"""Exercise 1.4.3: parse the metadata key-value section of a GGUF file, tokenizer included.

A GGUF file carries everything needed to run the model, the tokenizer too, in typed key-value pairs
right after the 24-byte header (magic b"GGUF", uint32 version, uint64 tensor_count, uint64
metadata_kv_count; see exercise 1.4.2). Everything is little-endian and written back to back, with no
padding. Each pair is:

    key         a string
    value_type  uint32, one of the 13 types below
    value       encoded according to value_type

A string is a uint64 byte length followed by that many bytes of UTF-8 (no terminating zero). The value
types and their encodings:

    0 UINT8   1 byte        1 INT8    1 byte, signed     2 UINT16  2 bytes     3 INT16  2 bytes, signed
    4 UINT32  4 bytes       5 INT32   4 bytes, signed    6 FLOAT32 4 bytes (IEEE 754 single)
    7 BOOL    1 byte, 0 = false, 1 = true                8 STRING  a string as above
    9 ARRAY   uint32 element type, uint64 element COUNT (not bytes), then the elements back to back
    10 UINT64 8 bytes       11 INT64  8 bytes, signed    12 FLOAT64 8 bytes (IEEE 754 double)

The tokenizer lives in keys like ``tokenizer.ggml.tokens`` (ARRAY of STRING: the vocabulary, indexed by
token id), ``tokenizer.ggml.scores`` (ARRAY of FLOAT32) and ``tokenizer.ggml.token_type`` (ARRAY of
INT32). Token strings are UTF-8 and often not ASCII (SentencePiece marks a leading space with U+2581).
The spec allows arrays of arrays; llama.cpp rejects them. The grader does not use them, so handle them
either way.

Write three functions with the ``struct`` module (``buf`` is bytes-like: ``bytes``, ``bytearray`` or
``memoryview``; ``offset`` is a byte position in it):

1. ``read_string(buf, offset) -> (str, next_offset)``.
2. ``read_value(buf, offset, value_type) -> (value, next_offset)``: integer types give ``int``, FLOAT32
   and FLOAT64 give ``float``, BOOL gives ``bool``, STRING gives ``str``, ARRAY gives a ``list`` of the
   element values (a NumPy array is also accepted for numeric arrays).
3. ``parse_metadata(buf) -> (metadata, next_offset)``: check the header (magic b"GGUF", version 2 or 3;
   ``ValueError`` otherwise), then read ``metadata_kv_count`` pairs into a dict ``{key: value}`` that keeps
   the file's order, and return it with the offset just after the last pair (where the tensor infos
   begin).

A parser reads files from strangers, so it must fail cleanly. Raise ``ValueError`` when:

* a read would run past the end of ``buf`` (a string or array length that the data cannot hold
  included; never allocate or loop over a length before checking it against the bytes left): the
  message contains the word ``truncated``;
* a value type is not one of the 13 above: the message contains the word ``type``;
* a key appears twice: the message contains the word ``duplicate``.

Each message names its own problem only: one message holding every keyword fails every check.

Tolerances: integers, strings and offsets exact; floats equal the float32/float64 value stored.
"""

from __future__ import annotations

import struct  # noqa: F401
from typing import Any


def read_string(buf: bytes | bytearray | memoryview, offset: int) -> tuple[str, int]:
    """Read a GGUF string (uint64 byte length + UTF-8 bytes) at ``offset``."""
    raise NotImplementedError("write read_string")


def read_value(buf: bytes | bytearray | memoryview, offset: int, value_type: int) -> tuple[Any, int]:
    """Read one value of GGUF type ``value_type`` at ``offset``; return it and the offset after it."""
    raise NotImplementedError("write read_value")


def parse_metadata(buf: bytes | bytearray | memoryview) -> tuple[dict[str, Any], int]:
    """Parse the header and every metadata pair; return ``({key: value}, offset after the last pair)``."""
    raise NotImplementedError("write parse_metadata")
