"""Reference solution for exercise 1.4.3 (shown by `tracker solution 1.4.3` after a pass)."""

from __future__ import annotations

import struct
from typing import Any

UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64 = range(13)
SCALAR_FORMATS = {
    UINT8: "<B", INT8: "<b", UINT16: "<H", INT16: "<h", UINT32: "<I", INT32: "<i", FLOAT32: "<f",
    UINT64: "<Q", INT64: "<q", FLOAT64: "<d", BOOL: "<B",
}  # fmt: skip


def _need(buf, offset: int, size: int) -> None:
    if size < 0 or offset + size > len(buf):
        raise ValueError(f"truncated GGUF data: need {size} bytes at offset {offset}, have {len(buf) - offset}")


def _unpack(buf, offset: int, fmt: str) -> tuple[Any, int]:
    size = struct.calcsize(fmt)
    _need(buf, offset, size)
    return struct.unpack_from(fmt, buf, offset)[0], offset + size


def read_string(buf, offset: int) -> tuple[str, int]:
    length, offset = _unpack(buf, offset, "<Q")
    _need(buf, offset, length)
    return bytes(buf[offset : offset + length]).decode("utf-8"), offset + length


def read_value(buf, offset: int, value_type: int) -> tuple[Any, int]:
    if value_type == STRING:
        return read_string(buf, offset)
    if value_type == ARRAY:
        elem_type, offset = _unpack(buf, offset, "<I")
        count, offset = _unpack(buf, offset, "<Q")
        if elem_type not in SCALAR_FORMATS and elem_type not in (STRING, ARRAY):
            raise ValueError(f"unknown GGUF value type {elem_type} in an array")
        # Every element takes at least one byte (a string at least 8): check before looping.
        min_size = 8 if elem_type == STRING else struct.calcsize(SCALAR_FORMATS.get(elem_type, "<B"))
        _need(buf, offset, count * min_size)
        items = []
        for _ in range(count):
            item, offset = read_value(buf, offset, elem_type)
            items.append(item)
        return items, offset
    if value_type not in SCALAR_FORMATS:
        raise ValueError(f"unknown GGUF value type {value_type}")
    value, offset = _unpack(buf, offset, SCALAR_FORMATS[value_type])
    if value_type == BOOL:
        value = bool(value)
    return value, offset


def parse_metadata(buf) -> tuple[dict[str, Any], int]:
    _need(buf, 0, 24)
    if bytes(buf[:4]) != b"GGUF":
        raise ValueError(f"bad magic {bytes(buf[:4])!r}, expected b'GGUF'")
    version, _tensor_count, kv_count = struct.unpack_from("<IQQ", buf, 4)
    if version not in (2, 3):
        raise ValueError(f"unsupported GGUF version {version}")
    offset = 24
    metadata: dict[str, Any] = {}
    for _ in range(kv_count):
        key, offset = read_string(buf, offset)
        if key in metadata:
            raise ValueError(f"duplicate key {key!r}")
        value_type, offset = _unpack(buf, offset, "<I")
        value, offset = read_value(buf, offset, value_type)
        metadata[key] = value
    return metadata, offset
