"""Grader for exercise 1.4.3: the GGUF metadata key-value section, all 13 value types and the tokenizer.

The grader builds real GGUF v3 files itself with the small writer below, written from the public GGUF
specification (ggml's docs/gguf.md): little-endian, length-prefixed UTF-8 strings, the 13 value types,
arrays as (uint32 element type, uint64 element count, elements). The error cases follow ggml's reader
(gguf.cpp): lengths are checked against the bytes left before anything is allocated, unknown types and
duplicate keys are rejected. Probes: signed/unsigned confusion, big-endian reads, string lengths taken as
characters instead of bytes, Latin-1 instead of UTF-8, the string length prefix left out of the offset,
array counts read as uint32 or as bytes, bool as int, and parsers that loop or allocate on a hostile
length.
"""

from __future__ import annotations

import math
import struct

import numpy as np
from gradelib import GradeFailure, check_number, check_true

from gradelib.gguf import (  # the shared GGUF writer
    UINT8,
    INT8,
    UINT16,
    INT16,
    UINT32,
    INT32,
    FLOAT32,
    BOOL,
    STRING,
    ARRAY,
    UINT64,
    INT64,
    FLOAT64,
    _SCALAR,
    GGML_F32,
    GGML_F16,
    GGML_Q4_0,
    GGML_Q8_0,
    GGML_I8,
    GGML_I32,
    _BLOCK,
    _gguf_string,
    _gguf_value,
    _gguf_kv,
    _pad,
    gguf_nbytes,
    gguf_file,
    expect_value_error,
)

# Each error case's word; a message for one case must not name the others' (one message for all fails).
_OTHERS = {"truncated": ("duplicate",), "type": ("truncated", "duplicate"), "duplicate": ("truncated",), "": ()}


def _expect_value_error(fn, args, word: str, what: str) -> None:
    expect_value_error(fn, args, word, what, not_words=_OTHERS[word], memory_hint=True)


def _f32(x: float) -> float:
    return struct.unpack("<f", struct.pack("<f", x))[0]


def _pair(value, name: str):
    if not (isinstance(value, tuple) and len(value) == 2):
        raise GradeFailure(f"{name} should return a tuple (value, next_offset), got {type(value).__name__}")
    return value


def _require(condition: bool, message: str) -> None:
    # A plain check: gradelib's check_true also re-verifies the libraries, too slow for 1000s of elements.
    if not condition:
        raise GradeFailure(message)


def _same(got, expected, where: str) -> None:
    """Compare a parsed value with the value written, type-aware; fail naming the key path."""
    if isinstance(expected, bool):
        if not isinstance(got, (bool, np.bool_)):
            raise GradeFailure(f"{where} should be a bool ({expected}), got {type(got).__name__} {got!r}: BOOL values are True/False")
        _require(bool(got) == expected, f"{where} should be {expected}, got {got!r}")
    elif isinstance(expected, int):
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer)):
            raise GradeFailure(f"{where} should be the int {expected}, got {type(got).__name__} {got!r}")
        _require(int(got) == expected, f"{where} should be {expected}, got {int(got)}")
    elif isinstance(expected, float):
        if not isinstance(got, (float, np.floating, int)) or isinstance(got, bool):
            raise GradeFailure(f"{where} should be the float {expected!r}, got {type(got).__name__} {got!r}")
        ok = float(got) == expected or (math.isnan(expected) and math.isnan(float(got)))
        _require(ok, f"{where} should be {expected!r} (the stored value), got {float(got)!r}")
    elif isinstance(expected, str):
        if not isinstance(got, str):
            raise GradeFailure(f"{where} should be the str {expected!r}, got {type(got).__name__} {got!r:.80}: decode the bytes as UTF-8")
        if got != expected:
            raw = expected.encode("utf-8")
            if got == raw.decode("latin-1"):
                raise GradeFailure(f"{where} is {got!r}, expected {expected!r}: this is what decoding Latin-1 instead of UTF-8 gives")
            raise GradeFailure(f"{where} is {got!r:.80}, expected {expected!r:.80}")
    elif isinstance(expected, list):
        if isinstance(got, np.ndarray):
            got = got.tolist()
        if not isinstance(got, (list, tuple)):
            raise GradeFailure(f"{where} should be a list of {len(expected)} values, got {type(got).__name__}")
        _require(
            len(got) == len(expected),
            f"{where} has {len(got)} elements, expected {len(expected)} (an array's uint64 length counts elements, not bytes)",
        )
        for i, (g, e) in enumerate(zip(got, expected)):
            _same(g, e, f"{where}[{i}]")
    else:  # pragma: no cover - the grader only writes the types above
        raise AssertionError(type(expected))


VOCAB = ["<unk>", "<s>", "</s>", "\u2581the", "\u2581a", "\u0120hello", "\u65e5\u672c", "\U0001f642", "", "<0x0A>"] + [
    f"\u2581tok{i}" for i in range(290)
]


def _llama_kvs():
    """(key, type, value written, value expected back) for a llama-style file using all 13 types."""
    scores = [-(i * 0.37) for i in range(len(VOCAB))]
    kinds = [2, 3, 3] + [1] * (len(VOCAB) - 3)
    merges = ["\u2581 t", "h e", "\u2581t he", "l l", "\u65e5 \u672c"]
    template = "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}{% endfor %}"
    rows = [
        ("general.architecture", STRING, "llama", "llama"),
        ("general.name", STRING, "Tiny Llama \u00e9t\u00e9 \u2603", "Tiny Llama \u00e9t\u00e9 \u2603"),
        ("general.alignment", UINT32, 32, 32),
        ("llama.context_length", UINT32, 4096, 4096),
        ("llama.embedding_length", UINT32, 64, 64),
        ("llama.block_count", UINT32, 2, 2),
        ("llama.rope.freq_base", FLOAT32, 10000.0, 10000.0),
        ("llama.attention.layer_norm_rms_epsilon", FLOAT32, 1e-5, _f32(1e-5)),
        ("test.u8", UINT8, 255, 255),
        ("test.i8", INT8, -100, -100),
        ("test.u16", UINT16, 65534, 65534),
        ("test.i16", INT16, -2, -2),
        ("test.u32", UINT32, 4_000_000_000, 4_000_000_000),
        ("test.i32", INT32, -123_456_789, -123_456_789),
        ("test.u64", UINT64, 2**64 - 5, 2**64 - 5),
        ("test.i64", INT64, -(2**62) - 7, -(2**62) - 7),
        ("test.f64", FLOAT64, 0.1, 0.1),
        ("test.flag_true", BOOL, True, True),
        ("test.flag_false", BOOL, False, False),
        ("tokenizer.ggml.model", STRING, "llama", "llama"),
        ("tokenizer.ggml.tokens", ARRAY, (STRING, VOCAB), list(VOCAB)),
        ("tokenizer.ggml.scores", ARRAY, (FLOAT32, scores), [_f32(s) for s in scores]),
        ("tokenizer.ggml.token_type", ARRAY, (INT32, kinds), kinds),
        ("tokenizer.ggml.merges", ARRAY, (STRING, merges), merges),
        ("tokenizer.ggml.bos_token_id", UINT32, 1, 1),
        ("tokenizer.ggml.eos_token_id", UINT32, 2, 2),
        ("tokenizer.ggml.add_bos_token", BOOL, True, True),
        ("tokenizer.chat_template", STRING, template, template),
        ("test.empty", ARRAY, (UINT8, []), []),
        ("test.bools", ARRAY, (BOOL, [True, False, True]), [True, False, True]),
        ("test.u64s", ARRAY, (UINT64, [0, 2**63, 7]), [0, 2**63, 7]),
    ]
    return rows


def _llama_file():
    rows = _llama_kvs()
    tensors = [("token_embd.weight", (len(VOCAB), 4), GGML_F32, bytes(len(VOCAB) * 16))]
    data, layout = gguf_file([(k, t, v) for k, t, v, _ in rows], tensors)
    return data, layout, {k: e for k, _, _, e in rows}


def _encoded(vtype, value) -> bytes:
    return _gguf_value(vtype, value)


def test_read_string(learner):
    """strings are a uint64 BYTE length + UTF-8 bytes; the offset moves past both"""
    junk = b"\x07\x07\x07"
    for text in ("general.architecture", "\u2581the", "\u65e5\u672c\u8a9e", "\u0120hello \U0001f642", ""):
        buf = junk + _gguf_string(text) + b"tail"
        value, nxt = _pair(learner.read_string(buf, len(junk)), "read_string")
        _same(value, text, f"read_string of {text!r}")
        raw = len(text.encode("utf-8"))
        check_number(
            nxt,
            len(junk) + 8 + raw,
            name=f"the next offset after the string {text!r}",
            mistakes={
                "counting the length in characters instead of bytes": len(junk) + 8 + len(text),
                "leaving the 8-byte length prefix out of the next offset": len(junk) + raw,
            },
        )


def test_read_integers(learner):
    """the 8 integer types: sizes, signedness and little-endian order"""
    cases = [
        (UINT8, 255, "<B", "<b"), (INT8, -1, "<b", "<B"), (UINT16, 65534, "<H", "<h"), (INT16, -2, "<h", "<H"),
        (UINT32, 0xFFFFFFF0, "<I", "<i"), (INT32, -123456, "<i", "<I"), (UINT64, 2**64 - 3, "<Q", "<q"),
        (INT64, -(2**40) - 1, "<q", "<Q"),
    ]  # fmt: skip
    names = {UINT8: "UINT8", INT8: "INT8", UINT16: "UINT16", INT16: "INT16", UINT32: "UINT32", INT32: "INT32",
             UINT64: "UINT64", INT64: "INT64"}
    for vtype, value, fmt, other in cases:
        raw = struct.pack(fmt, value)
        buf = b"\x01\x02" + raw + b"\xee" * 8
        got, nxt = _pair(learner.read_value(buf, 2, vtype), "read_value")
        mistakes = {"reading the wrong signedness": struct.unpack(other, raw)[0]}
        if len(raw) > 1:
            mistakes["reading big-endian (GGUF is little-endian)"] = struct.unpack(">" + fmt[1], raw)[0]
        check_true(not isinstance(got, bool), f"read_value(..., {names[vtype]}) returned a bool; integers are ints")
        check_number(got, value, name=f"the {names[vtype]} value", mistakes=mistakes)
        check_number(nxt, 2 + len(raw), name=f"the next offset after a {names[vtype]}")


def test_read_floats_and_bools(learner):
    """FLOAT32 (4 bytes), FLOAT64 (8 bytes) and BOOL (1 byte, True/False)"""
    buf = b"\x00" + struct.pack("<f", 0.1) + b"\x55" * 8
    got, nxt = _pair(learner.read_value(buf, 1, FLOAT32), "read_value")
    check_number(nxt, 5, name="the next offset after a FLOAT32", mistakes={"reading a FLOAT32 as 8 bytes": 9})
    _same(got, _f32(0.1), "the FLOAT32 value")
    buf = b"\x00\x00" + struct.pack("<d", -2.5e-300) + b"\x55"
    got, nxt = _pair(learner.read_value(buf, 2, FLOAT64), "read_value")
    _same(got, -2.5e-300, "the FLOAT64 value")
    check_number(nxt, 10, name="the next offset after a FLOAT64")
    for byte, expected in ((b"\x01", True), (b"\x00", False)):
        got, nxt = _pair(learner.read_value(b"\x09" + byte + b"\x09", 1, BOOL), "read_value")
        _same(got, expected, f"the BOOL stored as {byte!r}")
        check_number(nxt, 2, name="the next offset after a BOOL (1 byte)")


def test_read_arrays(learner):
    """arrays: uint32 element type, uint64 element COUNT, then the elements (the tokenizer's vocabulary)"""
    tokens = VOCAB[:12]
    cases = [
        ("an array of strings (tokenizer.ggml.tokens)", (STRING, tokens), list(tokens)),
        ("an array of FLOAT32 (tokenizer.ggml.scores)", (FLOAT32, [0.0, -1.25, 0.1]), [0.0, -1.25, _f32(0.1)]),
        ("an array of INT32 (tokenizer.ggml.token_type)", (INT32, [1, 3, -6]), [1, 3, -6]),
        ("an empty array", (UINT16, []), []),
        ("an array of BOOL", (BOOL, [True, True, False]), [True, True, False]),
    ]
    for what, value, expected in cases:
        raw = _gguf_value(ARRAY, value)
        try:
            result = learner.read_value(b"\xaa" * 5 + raw + b"\xbb" * 16, 5, ARRAY)
        except ValueError as exc:
            raise GradeFailure(
                f"your code raised ValueError({str(exc)!r}) on {what}, which is valid: an array starts with a "
                "uint32 element type and a uint64 element COUNT (not a byte count), then the elements"
            ) from None
        got, nxt = _pair(result, "read_value")
        _same(got, expected, what)
        check_number(nxt, 5 + len(raw), name=f"the next offset after {what}")


def test_parse_llama_metadata(learner):
    """a llama-style file: all 31 pairs, in file order, with the offset where the tensor infos start"""
    data, layout, expected = _llama_file()
    metadata, nxt = _pair(learner.parse_metadata(data), "parse_metadata")
    check_true(isinstance(metadata, dict), f"parse_metadata should return a dict first, got {type(metadata).__name__}")
    missing = [k for k in expected if k not in metadata]
    check_true(not missing, f"keys missing from the metadata: {missing[:5]}")
    extra = [k for k in metadata if k not in expected]
    check_true(not extra, f"unexpected keys in the metadata: {extra[:5]}")
    check_true(list(metadata) == list(expected), "the metadata dict should keep the order of the pairs in the file")
    for key, value in expected.items():
        _same(metadata[key], value, f"metadata[{key!r}]")
    check_number(nxt, layout["kv_end"], name="the offset after the last metadata pair")


def test_parse_empty_metadata(learner):
    """a file with no metadata pairs parses to an empty dict ending at byte 24"""
    data, _ = gguf_file([])
    metadata, nxt = _pair(learner.parse_metadata(data), "parse_metadata")
    check_true(metadata == {}, f"expected an empty dict, got {metadata!r}")
    check_number(nxt, 24, name="the offset after an empty metadata section")


def test_truncated_files(learner):
    """a file cut anywhere inside the metadata raises ValueError('... truncated ...')"""
    data, layout, _ = _llama_file()
    for cut in (30, 60, 200, layout["kv_end"] - 700, layout["kv_end"] - 1):
        _expect_value_error(learner.parse_metadata, (data[:cut],), "truncated", f"a file cut at byte {cut}")


def test_hostile_lengths(learner):
    """huge string and array lengths raise 'truncated' at once: nothing is allocated or looped first"""
    header = b"GGUF" + struct.pack("<IQQ", 3, 0, 1)
    key = _gguf_string("tokenizer.ggml.tokens")
    cases = {
        "a string whose length is 2**62": header + _gguf_string("k") + struct.pack("<IQ", STRING, 2**62) + b"abc",
        "an array of 2**60 strings": header + key + struct.pack("<IIQ", ARRAY, STRING, 2**60) + _gguf_string("a"),
        "an array of 2**61 UINT8": header + key + struct.pack("<IIQ", ARRAY, UINT8, 2**61) + b"\x01\x02",
        "an array of 2**40 FLOAT64": header + key + struct.pack("<IIQ", ARRAY, FLOAT64, 2**40) + bytes(16),
    }
    for what, data in cases.items():
        _expect_value_error(learner.parse_metadata, (data,), "truncated", what)


def test_unknown_types_and_duplicates(learner):
    """unknown value types raise ValueError('... type ...'); a repeated key raises ValueError('... duplicate ...')"""
    header = b"GGUF" + struct.pack("<IQQ", 3, 0, 1)
    bad_scalar = header + _gguf_string("x.y") + struct.pack("<I", 13) + bytes(16)
    bad_array = header + _gguf_string("x.y") + struct.pack("<IIQ", ARRAY, 99, 2) + bytes(16)
    _expect_value_error(learner.parse_metadata, (bad_scalar,), "type", "a pair of value type 13")
    _expect_value_error(learner.parse_metadata, (bad_array,), "type", "an array of element type 99")
    dup, _ = gguf_file([("general.name", STRING, "a"), ("general.alignment", UINT32, 32), ("general.name", STRING, "b")])
    _expect_value_error(learner.parse_metadata, (dup,), "duplicate", "a file with the key general.name twice")
    _expect_value_error(learner.parse_metadata, (b"GGJT" + bytes(40),), "", "a file with the magic b'GGJT'")


def test_version_two_and_three(learner):
    """both versions the stub names parse (2 and 3: the same layout of the metadata)"""
    for version in (2, 3):
        data, layout = gguf_file([("general.name", STRING, "v")], version=version)
        try:
            metadata, nxt = _pair(learner.parse_metadata(data), "parse_metadata")
        except ValueError as error:
            raise GradeFailure(f"parse_metadata refused a GGUF version {version} file ({error}); the stub accepts "
                               "versions 2 and 3") from None
        check_true(metadata == {"general.name": "v"},
                   f"a version {version} file with one pair parsed to {metadata!r}")
        check_number(nxt, layout["kv_end"], name=f"the offset after the metadata of a version {version} file")
