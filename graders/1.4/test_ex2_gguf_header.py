"""Grader for exercise 1.4.2: the GGUF header (magic, version, tensor count, metadata count).

The grader builds real GGUF v3 files itself with the small writer below, written from the public GGUF
specification (ggml's docs/gguf.md): little-endian, the magic bytes b"GGUF", a uint32 version, uint64
counts, length-prefixed UTF-8 strings, the 13 metadata value types, tensor infos and aligned tensor data.
The error cases follow what ggml's own reader (gguf.cpp) rejects: bad magic, version 0, a version whose
low 16 bits are zero (a big-endian file), version 1 (uint32 counts, no longer supported) and versions
newer than 3. Probes: counts read as uint32 (the v1 layout), big-endian reads, the magic compared as the
wrong integer, errors other than ValueError, errors that do not say what is wrong, and truncated input.
"""

from __future__ import annotations

import os
import struct
import threading

import pytest

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
_OTHERS = {"truncated": ("magic", "endian"), "magic": ("truncated", "endian"),
           "version": ("truncated", "magic", "endian"), "endian": ("truncated", "magic")}


def _expect_value_error(fn, arg, word: str, what: str) -> None:
    expect_value_error(fn, (arg,), word, what, not_words=_OTHERS[word])


def _parse_valid(fn, data, what: str):
    """fn(data) on a valid header; a ValueError here is a false alarm worth explaining."""
    try:
        return fn(data)
    except ValueError as exc:
        raise GradeFailure(
            f"{what} is a valid GGUF header, but your code raised ValueError({str(exc)!r}). Compare the first "
            "4 bytes with b'GGUF' (as an integer read little-endian that is 0x46554747, not 0x47475546), "
            "and read the rest with little-endian formats ('<')"
        ) from None


def _check_header(got, version: int, tensors: int, kvs: int, what: str) -> None:
    check_true(isinstance(got, dict), f"parse_header should return a dict, got {type(got).__name__}")
    keys = {"version", "tensor_count", "metadata_kv_count"}
    check_true(keys <= set(got), f"the header dict has keys {sorted(got)}, expected {sorted(keys)}")
    check_number(
        got["version"],
        version,
        name=f"the version of {what}",
        mistakes={"reading the header big-endian (GGUF is little-endian)": struct.unpack(">I", struct.pack("<I", version))[0]},
    )
    check_number(
        got["tensor_count"],
        tensors,
        name=f"tensor_count of {what}",
        mistakes={"reading tensor_count as uint32 (the GGUF v1 layout) instead of uint64": tensors % 2**32},
    )
    check_number(
        got["metadata_kv_count"],
        kvs,
        name=f"metadata_kv_count of {what}",
        mistakes={
            "reading the counts as uint32 (the GGUF v1 layout) instead of uint64": tensors >> 32,
            "reading metadata_kv_count as uint32 instead of uint64": kvs % 2**32,
        },
    )


def _sample_file() -> bytes:
    kvs = [
        ("general.architecture", STRING, "llama"),
        ("general.name", STRING, "tiny-test"),
        ("llama.context_length", UINT32, 2048),
        ("llama.embedding_length", UINT32, 64),
        ("general.file_type", UINT32, 1),
        ("tokenizer.ggml.tokens", ARRAY, (STRING, ["<unk>", "<s>", "</s>", "\u2581the", "\u2581a"])),
        ("tokenizer.ggml.scores", ARRAY, (FLOAT32, [0.0, 0.0, 0.0, -1.5, -2.25])),
    ]
    tensors = [
        ("token_embd.weight", (5, 8), GGML_F32, struct.pack("<40f", *range(40))),
        ("output_norm.weight", (8,), GGML_F32, struct.pack("<8f", *([1.0] * 8))),
        ("output.weight", (5, 8), GGML_F16, bytes(80)),
    ]
    data, _ = gguf_file(kvs, tensors)
    return data


def test_header_of_a_real_file(learner):
    """a GGUF v3 file: version 3, 3 tensors, 7 metadata pairs"""
    got = _parse_valid(learner.parse_header, _sample_file(), "a small llama-style file")
    _check_header(got, 3, 3, 7, "a small llama-style file")


def test_counts_are_uint64(learner):
    """tensor and metadata counts are uint64: values above 2**32 survive"""
    tensors, kvs = 2**33 + 7, 2**40 + 3
    header = b"GGUF" + struct.pack("<IQQ", 3, tensors, kvs)
    got = _parse_valid(learner.parse_header, header, "a header with huge counts")
    _check_header(got, 3, tensors, kvs, "a header with huge counts")


def test_bytes_like_and_version_2(learner):
    """bytearray and memoryview input work; version 2 (same layout) is accepted"""
    header = b"GGUF" + struct.pack("<IQQ", 2, 4, 9) + b"rest of the file"
    for kind, data in (("bytearray", bytearray(header)), ("memoryview", memoryview(header))):
        what = f"a version-2 header given as a {kind}"
        _check_header(_parse_valid(learner.parse_header, data, what), 2, 4, 9, what)


def test_rejects_bad_magic(learner):
    """files that do not start with b'GGUF' are rejected with a ValueError about the magic"""
    rest = struct.pack("<IQQ", 3, 1, 1)
    cases = {
        b"lmgg": "a legacy GGML file (magic 'ggml' written little-endian)",
        b"tjgg": "a legacy GGJT file",
        b"GGML": "a file starting with b'GGML'",
        b"gguf": "a file starting with lowercase b'gguf'",
        b"PK\x03\x04": "a zip archive (a PyTorch .pt checkpoint)",
        b"\x93NUM": "a NumPy .npy file",
    }
    for magic, what in cases.items():
        _expect_value_error(learner.parse_header, magic + rest, "magic", what)


def test_rejects_versions(learner):
    """version 0, 1 (uint32 counts) and future versions are rejected with a ValueError about the version"""
    for version, what in ((0, "version 0"), (1, "a GGUF v1 header"), (4, "version 4 (newer than this reader)"),
                          (77, "version 77")):
        _expect_value_error(learner.parse_header, b"GGUF" + struct.pack("<IQQ", version, 1, 1), "version", what)


def test_rejects_big_endian(learner):
    """a big-endian file (version reads as 0x03000000) is rejected with a ValueError about endianness"""
    _expect_value_error(learner.parse_header, b"GGUF" + struct.pack(">IQQ", 3, 2, 5), "endian",
                        "a big-endian GGUF v3 header")


def test_rejects_truncated(learner):
    """input shorter than the 24-byte header is rejected with a ValueError saying 'truncated'"""
    full = b"GGUF" + struct.pack("<IQQ", 3, 1, 1)
    for cut in (0, 3, 6, 23):
        _expect_value_error(learner.parse_header, full[:cut], "truncated", f"the first {cut} bytes of a header")


def test_read_header_from_file(learner, tmp_path):
    """read_header opens the file in binary mode and parses its header"""
    path = tmp_path / "model.gguf"
    path.write_bytes(_sample_file())
    _check_header(_parse_valid(learner.read_header, path, "the file on disk"), 3, 3, 7, "the file read from disk")
    what = "the file read from disk (path given as a str)"
    _check_header(_parse_valid(learner.read_header, str(path), what), 3, 3, 7, what)
    bad = tmp_path / "old.bin"
    bad.write_bytes(b"tjgg" + bytes(100))
    _expect_value_error(learner.read_header, bad, "magic", "a legacy GGJT file on disk")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX only")
def test_read_header_reads_only_the_header(learner, tmp_path):
    """read_header reads the first 24 bytes, not the whole file"""
    # A named pipe that holds the header and then stays open: reading 24 bytes returns at once, reading the
    # whole file waits for its end, which the writer gives only after a second.
    path = tmp_path / "stream.gguf"
    os.mkfifo(path)
    header = _sample_file()[:24]
    returned = threading.Event()
    waited = []

    def writer():
        with open(path, "wb", buffering=0) as pipe:
            pipe.write(header)
            if not returned.wait(1.0):
                waited.append(True)
                pipe.write(bytes(4096))

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        got = _parse_valid(learner.read_header, path, "the header at the start of a stream")
    finally:
        returned.set()
        thread.join(5)
    check_true(not waited, "read_header waited for the end of the file before parsing: it read the whole file (a model "
                           "is gigabytes), where the first 24 bytes are all a header needs; read f.read(24)")
    _check_header(got, 3, 3, 7, "the header at the start of a stream")
