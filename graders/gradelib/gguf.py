"""A small GGUF v3 writer (little-endian) shared by the 1.4 graders, written from the public GGUF
specification (ggml's docs/gguf.md): the magic bytes b"GGUF", a uint32 version, uint64 counts,
length-prefixed UTF-8 strings, the 13 metadata value types, tensor infos and aligned tensor data.
"""

from __future__ import annotations

import struct

UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64 = range(13)
_SCALAR = {UINT8: "B", INT8: "b", UINT16: "H", INT16: "h", UINT32: "I", INT32: "i", FLOAT32: "f",
           UINT64: "Q", INT64: "q", FLOAT64: "d"}
# ggml tensor types used here: (id, elements per block, bytes per block).
GGML_F32, GGML_F16, GGML_Q4_0, GGML_Q8_0, GGML_I8, GGML_I32 = 0, 1, 2, 8, 24, 26
_BLOCK = {GGML_F32: (1, 4), GGML_F16: (1, 2), GGML_Q4_0: (32, 18), GGML_Q8_0: (32, 34), GGML_I8: (1, 1),
          GGML_I32: (1, 4)}


def _gguf_string(text) -> bytes:
    raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    return struct.pack("<Q", len(raw)) + raw


def _gguf_value(vtype: int, value) -> bytes:
    if vtype == STRING:
        return _gguf_string(value)
    if vtype == BOOL:
        return struct.pack("<B", 1 if value else 0)
    if vtype == ARRAY:
        etype, items = value
        return struct.pack("<IQ", etype, len(items)) + b"".join(_gguf_value(etype, v) for v in items)
    return struct.pack("<" + _SCALAR[vtype], value)


def _gguf_kv(key: str, vtype: int, value) -> bytes:
    return _gguf_string(key) + struct.pack("<I", vtype) + _gguf_value(vtype, value)


def _pad(n: int, alignment: int) -> int:
    return n + (alignment - n % alignment) % alignment


def gguf_nbytes(shape, ggml_type: int) -> int:
    per_block, block_bytes = _BLOCK[ggml_type]
    count = 1
    for d in shape:
        count *= d
    return count // per_block * block_bytes


def gguf_file(kvs, tensors=(), *, version: int = 3, magic: bytes = b"GGUF", offsets=None) -> tuple[bytes, dict]:
    """Build a GGUF file. kvs: [(key, vtype, value)], written in order; tensors: [(name, shape in numpy
    order, ggml type, payload bytes)]. The alignment is general.alignment when kvs holds it, else 32.
    offsets overrides the relative data offsets (to build broken files). Returns the bytes and a layout
    dict: kv_end (where the tensor infos start), data_offset and each tensor's absolute offset."""
    alignment = next((v for k, t, v in kvs if k == "general.alignment"), 32)
    head = magic + struct.pack("<IQQ", version, len(tensors), len(kvs))
    body = b"".join(_gguf_kv(k, t, v) for k, t, v in kvs)
    rel, cursor = [], 0
    for _, shape, ggml_type, payload in tensors:
        assert len(payload) == gguf_nbytes(shape, ggml_type)
        rel.append(cursor)
        cursor = _pad(cursor + len(payload), alignment)
    if offsets is not None:
        rel = list(offsets)
    infos = b""
    for (name, shape, ggml_type, _), off in zip(tensors, rel):
        dims = list(reversed(shape))  # ggml order: ne[0] is the innermost (fastest-varying) dimension
        infos += _gguf_string(name) + struct.pack("<I", len(dims)) + struct.pack(f"<{len(dims)}Q", *dims)
        infos += struct.pack("<IQ", ggml_type, off)
    prefix = head + body + infos
    data_offset = _pad(len(prefix), alignment) if tensors else len(prefix)
    blob = bytearray(prefix + b"\0" * (data_offset - len(prefix)))
    for (_, _, _, payload), off in zip(tensors, rel):
        end = data_offset + off + len(payload)
        if len(blob) < end:
            blob += b"\0" * (end - len(blob))
        blob[data_offset + off : end] = payload
    if tensors:
        blob += b"\0" * (_pad(len(blob) - data_offset, alignment) - (len(blob) - data_offset))
    layout = {
        "kv_end": len(head) + len(body),
        "infos_end": len(prefix),
        "data_offset": data_offset,
        "alignment": alignment,
        "offsets": [data_offset + r for r in rel],
    }
    return bytes(blob), layout
# ------------------------------------------------------------------------------------------------------


def expect_value_error(fn, args: tuple, word: str, what: str, *, not_words: tuple[str, ...] = (),
                       memory_hint: bool = False) -> None:
    """``fn(*args)`` must raise ValueError whose message contains ``word`` and none of ``not_words`` (the
    words of the other error cases: one message holding every keyword names no problem at all)."""
    from gradelib import GradeFailure
    from tracker.grading.sandbox import Forbidden, NotStarted, Tampered

    try:
        result = fn(*args)
    except (NotImplementedError, NotStarted, Forbidden, Tampered):
        raise
    except ValueError as exc:
        text = str(exc).lower()
        if word not in text:
            raise GradeFailure(
                f"for {what} your code raised ValueError({str(exc)!r}); the message should say what is wrong "
                f"and contain the word {word!r}"
            ) from None
        others = [w for w in not_words if w in text]
        if others:
            raise GradeFailure(
                f"for {what} your code raised ValueError({str(exc)!r}), which also names "
                f"{' and '.join(map(repr, others))}: a message that names every problem tells the reader none; "
                f"say only what is wrong with this input"
            ) from None
        return
    except MemoryError:
        if not memory_hint:
            raise
        raise GradeFailure(
            f"for {what} your code ran out of memory: check a length against the bytes left BEFORE allocating "
            "or looping over it, and raise ValueError('... truncated ...')"
        ) from None
    except Exception as exc:  # noqa: BLE001 - any other exception is the learner's mistake to see
        raise GradeFailure(
            f"for {what} your code raised {type(exc).__name__}: {exc}; raise a ValueError whose message "
            f"contains {word!r} instead"
        ) from None
    raise GradeFailure(f"{what} was accepted (returned {str(result)[:80]!s}); it should raise ValueError "
                       f"mentioning {word!r}")
