"""Reference solution for exercise 1.4.2 (shown by `tracker solution 1.4.2` after a pass)."""

from __future__ import annotations

import struct
from pathlib import Path

GGUF_MAGIC = b"GGUF"
HEADER_SIZE = 24
SUPPORTED_VERSIONS = (2, 3)


def parse_header(data: bytes | bytearray | memoryview) -> dict[str, int]:
    data = bytes(data[:HEADER_SIZE])
    if len(data) < HEADER_SIZE:
        raise ValueError(f"truncated GGUF header: {len(data)} bytes, the header needs {HEADER_SIZE}")
    magic = data[:4]
    if magic != GGUF_MAGIC:
        raise ValueError(f"bad magic {magic!r}: a GGUF file starts with {GGUF_MAGIC!r}")
    version, tensor_count, kv_count = struct.unpack_from("<IQQ", data, 4)
    if version == 0:
        raise ValueError("bad GGUF version 0")
    if version & 0xFFFF == 0:
        raise ValueError(
            f"version field reads as {version:#x}: this looks like a big-endian file "
            "(endianness mismatch with this little-endian reader)"
        )
    if version not in SUPPORTED_VERSIONS:
        raise ValueError(f"unsupported GGUF version {version}; this reader supports {SUPPORTED_VERSIONS}")
    return {"version": version, "tensor_count": tensor_count, "metadata_kv_count": kv_count}


def read_header(path: str | Path) -> dict[str, int]:
    with open(path, "rb") as f:
        return parse_header(f.read(HEADER_SIZE))
