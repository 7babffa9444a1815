"""Exercise 1.4.4: GGUF tensor infos, aligned data offsets, and tensors memory-mapped without a copy.

After the header and the metadata pairs (exercises 1.4.2 and 1.4.3; paste your parser in, this file must
work on its own) come ``tensor_count`` tensor infos, back to back, little-endian. For the pairs you need,
again: the header is 24 bytes (b"GGUF", uint32 version, uint64 tensor_count, uint64 metadata_kv_count);
each pair is a key (a string: uint64 byte length + UTF-8 bytes), a uint32 value type and the value:

    0 UINT8   1 byte        1 INT8    1 byte, signed     2 UINT16  2 bytes     3 INT16  2 bytes, signed
    4 UINT32  4 bytes       5 INT32   4 bytes, signed    6 FLOAT32 4 bytes (IEEE 754 single)
    7 BOOL    1 byte, 0 = false, 1 = true                8 STRING  a string as above
    9 ARRAY   uint32 element type, uint64 element COUNT (not bytes), then the elements back to back
    10 UINT64 8 bytes       11 INT64  8 bytes, signed    12 FLOAT64 8 bytes (IEEE 754 double)

Each tensor info is:

    name         a GGUF string (uint64 byte length + UTF-8 bytes)
    n_dims       uint32
    dims         n_dims x uint64, in ggml order: dims[0] is the INNERMOST (fastest-varying) dimension,
                 so a PyTorch/NumPy shape (rows, cols) is stored as [cols, rows]
    ggml_type    uint32 (the tensor's data type, below)
    offset       uint64, where the tensor's data starts, counted from the start of the tensor-DATA
                 section (not from the start of the file); a multiple of the alignment

Then zero padding up to the next multiple of the alignment, then the tensor-data section. The alignment is
the metadata value ``general.alignment`` (a UINT32) when present, else 32. Aligned data is what lets a
loader ``mmap`` the file and hand out pointers into it directly.

The ggml types to support, with their size (elements per block, bytes per block):

    0 F32 (1, 4)    1 F16 (1, 2)    24 I8 (1, 1)    26 I32 (1, 4)
    2 Q4_0 (32, 18): blocks of 32 weights along the innermost dimension, an f16 scale + 32 x 4 bits
    8 Q8_0 (32, 34): blocks of 32 weights along the innermost dimension, an f16 scale + 32 x int8

Any other type: ``ValueError``. Write four functions:

1. ``align_offset(offset, alignment) -> int``: the smallest multiple of ``alignment`` that is
   ``>= offset``.
2. ``ggml_nbytes(shape, ggml_type) -> int``: the bytes of a tensor of NumPy-order ``shape`` (a tuple,
   outermost first; for Q4_0/Q8_0 the last entry is a multiple of 32).
3. ``read_tensor_infos(buf) -> dict`` for a whole file in ``buf`` (bytes-like). Return
   ``{"alignment": int, "data_offset": int, "tensors": [...]}`` where ``data_offset`` is the absolute
   file offset of the tensor-data section and ``tensors`` lists, in file order, dicts
   ``{"name": str, "shape": tuple (NumPy order, outermost first), "ggml_type": int,
   "offset": int (ABSOLUTE file offset of the tensor's data), "nbytes": int}``.
   Raise ``ValueError`` with the word ``align`` in the message when a tensor's relative offset is not a
   multiple of the alignment, and with the word ``truncated`` when a tensor's data would run past the end
   of ``buf`` (or any read does); a misaligned offset's message names the alignment, not truncation.
4. ``load_tensors(path) -> dict[str, numpy.ndarray]``: memory-map the file READ-ONLY (``numpy.memmap``
   with ``mode="r"``, or ``mmap.mmap(..., access=mmap.ACCESS_READ)`` + ``numpy.frombuffer``) and return
   one array per tensor that is a VIEW into the map, never a copy: F32 -> float32, F16 -> float16,
   I8 -> int8, I32 -> int32, each of its NumPy-order shape; Q4_0 / Q8_0 -> the raw uint8 bytes, of shape
   ``shape[:-1] + (shape[-1] // 32 * bytes_per_block,)`` (as llama.cpp's gguf-py does). Do not read the
   file into memory (``open(...).read()`` copies it): the grader changes the file after loading and
   expects your arrays to show the change. The arrays must not be writeable.

Sizes, offsets and shapes must be exact; tensor values equal the stored values.
"""

from __future__ import annotations

import mmap  # noqa: F401
import struct  # noqa: F401
from pathlib import Path
from typing import Any

import numpy as np


def align_offset(offset: int, alignment: int) -> int:
    """Round ``offset`` up to a multiple of ``alignment`` (an aligned offset stays as it is)."""
    raise NotImplementedError("write align_offset")


def ggml_nbytes(shape: tuple[int, ...], ggml_type: int) -> int:
    """Return the data size in bytes of a tensor of NumPy-order ``shape`` and ggml type ``ggml_type``."""
    raise NotImplementedError("write ggml_nbytes")


def read_tensor_infos(buf: bytes | bytearray | memoryview) -> dict[str, Any]:
    """Parse a whole GGUF file's tensor infos; return alignment, data_offset and the tensors' layout."""
    raise NotImplementedError("write read_tensor_infos")


def load_tensors(path: str | Path) -> dict[str, np.ndarray]:
    """Memory-map the GGUF file at ``path`` read-only and return each tensor as a zero-copy NumPy view."""
    raise NotImplementedError("write load_tensors")
