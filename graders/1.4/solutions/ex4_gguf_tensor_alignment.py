"""Reference solution for exercise 1.4.4 (shown by `tracker solution 1.4.4` after a pass)."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import numpy as np

# --- the metadata parser of exercise 1.4.3 ------------------------------------------------------------
UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64 = range(13)
SCALAR_FORMATS = {
    UINT8: "<B", INT8: "<b", UINT16: "<H", INT16: "<h", UINT32: "<I", INT32: "<i", FLOAT32: "<f",
    UINT64: "<Q", INT64: "<q", FLOAT64: "<d", BOOL: "<B",
}  # fmt: skip


def _need(buf, offset: int, size: int) -> None:
    if size < 0 or offset + size > len(buf):
        raise ValueError(f"truncated GGUF data: need {size} bytes at offset {offset}, have {len(buf) - offset}")


def _unpack(buf, offset: int, fmt: str):
    size = struct.calcsize(fmt)
    _need(buf, offset, size)
    return struct.unpack_from(fmt, buf, offset)[0], offset + size


def _string(buf, offset: int):
    length, offset = _unpack(buf, offset, "<Q")
    _need(buf, offset, length)
    return bytes(buf[offset : offset + length]).decode("utf-8"), offset + length


def _value(buf, offset: int, value_type: int):
    if value_type == STRING:
        return _string(buf, offset)
    if value_type == ARRAY:
        elem_type, offset = _unpack(buf, offset, "<I")
        count, offset = _unpack(buf, offset, "<Q")
        _need(buf, offset, count)  # every element takes at least one byte
        items = []
        for _ in range(count):
            item, offset = _value(buf, offset, elem_type)
            items.append(item)
        return items, offset
    if value_type not in SCALAR_FORMATS:
        raise ValueError(f"unknown GGUF value type {value_type}")
    value, offset = _unpack(buf, offset, SCALAR_FORMATS[value_type])
    return (bool(value) if value_type == BOOL else value), offset


def _metadata(buf):
    _need(buf, 0, 24)
    if bytes(buf[:4]) != b"GGUF":
        raise ValueError(f"bad magic {bytes(buf[:4])!r}")
    version, tensor_count, kv_count = struct.unpack_from("<IQQ", buf, 4)
    if version not in (2, 3):
        raise ValueError(f"unsupported GGUF version {version}")
    offset, metadata, types = 24, {}, {}
    for _ in range(kv_count):
        key, offset = _string(buf, offset)
        value_type, offset = _unpack(buf, offset, "<I")
        metadata[key], offset = _value(buf, offset, value_type)
        types[key] = value_type
    return metadata, types, tensor_count, offset


# --- this exercise ------------------------------------------------------------------------------------
DEFAULT_ALIGNMENT = 32
# ggml type -> (elements per block, bytes per block, NumPy dtype of a plain type or None for quantized)
GGML_TYPES = {
    0: (1, 4, np.float32),
    1: (1, 2, np.float16),
    24: (1, 1, np.int8),
    26: (1, 4, np.int32),
    2: (32, 18, None),  # Q4_0
    8: (32, 34, None),  # Q8_0
}


def align_offset(offset: int, alignment: int) -> int:
    return offset + (alignment - offset % alignment) % alignment


def _type(ggml_type: int):
    if ggml_type not in GGML_TYPES:
        raise ValueError(f"unsupported ggml type {ggml_type}")
    return GGML_TYPES[ggml_type]


def ggml_nbytes(shape: tuple[int, ...], ggml_type: int) -> int:
    per_block, block_bytes, _ = _type(ggml_type)
    count = 1
    for d in shape:
        count *= int(d)
    return count // per_block * block_bytes


def read_tensor_infos(buf) -> dict[str, Any]:
    metadata, types, tensor_count, offset = _metadata(buf)
    alignment = DEFAULT_ALIGNMENT
    if "general.alignment" in metadata:
        if types["general.alignment"] != UINT32:
            raise ValueError("general.alignment must be a UINT32")
        alignment = int(metadata["general.alignment"])
    infos = []
    for _ in range(tensor_count):
        name, offset = _string(buf, offset)
        n_dims, offset = _unpack(buf, offset, "<I")
        dims = []
        for _ in range(n_dims):
            d, offset = _unpack(buf, offset, "<Q")
            dims.append(d)
        ggml_type, offset = _unpack(buf, offset, "<I")
        relative, offset = _unpack(buf, offset, "<Q")
        if relative % alignment:
            raise ValueError(f"tensor {name!r} has offset {relative}, not a multiple of the alignment {alignment}")
        shape = tuple(reversed(dims))
        infos.append((name, shape, ggml_type, relative))
    data_offset = align_offset(offset, alignment) if tensor_count else offset
    tensors = []
    for name, shape, ggml_type, relative in infos:
        nbytes = ggml_nbytes(shape, ggml_type)
        start = data_offset + relative
        _need(buf, start, nbytes)
        tensors.append({"name": name, "shape": shape, "ggml_type": ggml_type, "offset": start, "nbytes": nbytes})
    return {"alignment": alignment, "data_offset": data_offset, "tensors": tensors}


def load_tensors(path: str | Path) -> dict[str, np.ndarray]:
    mapped = np.memmap(path, dtype=np.uint8, mode="r")
    layout = read_tensor_infos(mapped)
    out = {}
    for t in layout["tensors"]:
        per_block, block_bytes, dtype = _type(t["ggml_type"])
        raw = mapped[t["offset"] : t["offset"] + t["nbytes"]]
        if dtype is None:
            shape = t["shape"][:-1] + (t["shape"][-1] // per_block * block_bytes,)
            out[t["name"]] = raw.reshape(shape)
        else:
            out[t["name"]] = raw.view(dtype).reshape(t["shape"])
    return out
