"""Grader for exercise 1.4.4: GGUF tensor infos, aligned data offsets and zero-copy memory mapping.

The grader builds real GGUF v3 files itself with the small writer below, written from the public GGUF
specification (ggml's docs/gguf.md): tensor infos (name, n_dims, dims innermost-first, ggml type, offset
relative to the data section), zero padding to ``general.alignment`` (default 32) before the data, and
each tensor's data padded to the alignment, as ggml's and gguf-py's writers lay it out. Block sizes are
ggml's (Q4_0: 32 weights in 18 bytes, Q8_0: 32 in 34). Zero-copy loading is checked the way it shows:
the grader rewrites bytes of the file after loading, and arrays that view a memory map see the change.
Probes: align_offset that adds a full alignment to an aligned offset (or rounds down), quantized sizes
without their block scale or at one byte per weight, dims not reversed, offsets taken as absolute, no
padding before the data section, general.alignment ignored, arrays that are copies or writeable, and
missing checks for misaligned offsets and truncated data.
"""

from __future__ import annotations

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
_OTHERS = {"align": ("truncated",), "truncated": (), "": ()}


def _expect_value_error(fn, args, word: str, what: str) -> None:
    expect_value_error(fn, args, word, what, not_words=_OTHERS[word])


def _arrays(seed: int = 0):
    rng = np.random.default_rng(seed)
    return {
        "token_embd.weight": (GGML_F32, rng.standard_normal((3, 5)).astype(np.float32)),
        "blk.0.attn_q.weight": (GGML_F16, rng.standard_normal((2, 3, 4)).astype(np.float16)),
        "blk.0.attn_norm.weight": (GGML_I8, rng.integers(-128, 128, 7).astype(np.int8)),
        "blk.0.ffn_up.weight": (GGML_Q8_0, rng.integers(0, 256, (2, 68)).astype(np.uint8)),  # shape (2, 64)
        "blk.0.ffn_down.weight": (GGML_Q4_0, rng.integers(0, 256, (3, 36)).astype(np.uint8)),  # shape (3, 64)
        "rope_freqs": (GGML_I32, rng.integers(-(2**31), 2**31, (2, 2)).astype(np.int32)),
    }


_LOGICAL_SHAPE = {"blk.0.ffn_up.weight": (2, 64), "blk.0.ffn_down.weight": (3, 64)}


def _tensors(arrays):
    return [
        (name, _LOGICAL_SHAPE.get(name, arr.shape), ggml_type, arr.astype(arr.dtype.newbyteorder("<")).tobytes())
        for name, (ggml_type, arr) in arrays.items()
    ]


def _file(alignment=None, seed: int = 0, offsets=None):
    kvs = [("general.architecture", STRING, "llama"), ("general.name", STRING, "aligned")]
    if alignment is not None:
        kvs.append(("general.alignment", UINT32, alignment))
    kvs += [("llama.block_count", UINT32, 1), ("tokenizer.ggml.tokens", ARRAY, (STRING, ["a", "\u2581b", "c"]))]
    arrays = _arrays(seed)
    data, layout = gguf_file(kvs, _tensors(arrays), offsets=offsets)
    return data, layout, arrays


def _check_layout(got, layout, arrays, what: str) -> None:
    check_true(isinstance(got, dict), f"read_tensor_infos should return a dict, got {type(got).__name__}")
    for key in ("alignment", "data_offset", "tensors"):
        check_true(key in got, f"read_tensor_infos(...) has no {key!r} entry")
    alignment = layout["alignment"]
    check_number(got["alignment"], alignment, name=f"the alignment of {what}",
                 mistakes={"ignoring general.alignment (always 32)": 32})
    check_number(
        got["data_offset"],
        layout["data_offset"],
        name=f"data_offset of {what}",
        mistakes={
            "aligning the data section to 32 instead of general.alignment": _pad(layout["infos_end"], 32),
            "forgetting the padding between the tensor infos and the data": layout["infos_end"],
        },
    )
    tensors = got["tensors"]
    check_true(isinstance(tensors, list) and len(tensors) == len(arrays),
               f"expected a list of {len(arrays)} tensors, got {type(tensors).__name__} of length {len(tensors)}")
    for info, (name, (ggml_type, arr)), offset in zip(tensors, arrays.items(), layout["offsets"]):
        check_true(isinstance(info, dict), "each entry of 'tensors' should be a dict")
        check_true(info.get("name") == name, f"tensor names in file order: expected {name!r}, got {info.get('name')!r}")
        shape = _LOGICAL_SHAPE.get(name, arr.shape)
        got_shape = tuple(int(d) for d in info.get("shape", ()))
        if got_shape != shape and got_shape == tuple(reversed(shape)):
            raise GradeFailure(
                f"the shape of {name} is {got_shape}, expected {shape}: the dims in a tensor info are in ggml "
                "order (innermost first); reverse them to get the NumPy shape"
            )
        check_true(got_shape == shape, f"the shape of {name} is {got_shape}, expected {shape}")
        check_number(info.get("ggml_type"), ggml_type, name=f"the ggml type of {name}")
        check_number(
            info.get("offset"),
            offset,
            name=f"the absolute data offset of {name}",
            mistakes={
                "returning the offset relative to the data section (add data_offset)": offset - layout["data_offset"],
                "adding the relative offset to the end of the tensor infos, not to the aligned data_offset": offset
                - layout["data_offset"]
                + layout["infos_end"],
            },
        )
        check_number(info.get("nbytes"), gguf_nbytes(shape, ggml_type), name=f"nbytes of {name}")


def test_align_offset(learner):
    """align_offset rounds up to a multiple; an aligned offset stays where it is"""
    for offset, alignment, expected in ((0, 32, 0), (1, 32, 32), (31, 32, 32), (32, 32, 32), (33, 32, 64),
                                        (100, 64, 128), (4096, 4096, 4096), (4097, 8, 4104)):
        got = learner.align_offset(offset, alignment)
        check_number(
            got,
            expected,
            name=f"align_offset({offset}, {alignment})",
            mistakes={
                "always adding alignment - offset % alignment (an aligned offset moves a whole step)": offset
                + alignment
                - offset % alignment,
                "rounding down instead of up": offset - offset % alignment,
            },
        )


def test_ggml_nbytes(learner):
    """sizes in bytes: plain types by element, Q4_0/Q8_0 by blocks of 32 with their f16 scale"""
    cases = [
        ((3, 5), GGML_F32, 60, {}),
        ((2, 3, 4), GGML_F16, 48, {"counting F16 as 4 bytes": 96}),
        ((7,), GGML_I8, 7, {}),
        ((2, 2), GGML_I32, 16, {}),
        ((4, 64), GGML_Q8_0, 272, {"one byte per weight, forgetting each block's f16 scale": 256,
                                   "4 bytes per weight": 1024}),
        ((4, 64), GGML_Q4_0, 144, {"half a byte per weight, forgetting each block's f16 scale": 128,
                                   "one byte per weight": 256}),
    ]
    for shape, ggml_type, expected, mistakes in cases:
        check_number(learner.ggml_nbytes(shape, ggml_type), expected,
                     name=f"ggml_nbytes({shape}, type {ggml_type})", mistakes=mistakes)
    _expect_value_error(learner.ggml_nbytes, ((4, 256), 12), "", "the unsupported ggml type 12 (Q4_K)")


def test_infos_default_alignment(learner):
    """tensor infos without general.alignment: alignment 32, padded data section, absolute offsets"""
    data, layout, arrays = _file()
    _check_layout(learner.read_tensor_infos(data), layout, arrays, "a file without general.alignment")


def test_infos_general_alignment(learner):
    """general.alignment = 64 (set among other keys) decides the padding and the offsets"""
    data, layout, arrays = _file(alignment=64, seed=1)
    check_true(layout["data_offset"] != _pad(layout["infos_end"], 32), "grader data check: 32 and 64 must differ")
    _check_layout(learner.read_tensor_infos(memoryview(data)), layout, arrays, "a file with general.alignment=64")


def test_rejects_misaligned_offset(learner):
    """a tensor offset that is not a multiple of the alignment raises ValueError('... align ...')"""
    data, _, _ = _file(offsets=[0, 64, 128, 160, 340, 480])  # 340 is not a multiple of 32
    _expect_value_error(learner.read_tensor_infos, (data,), "align", "a tensor at relative offset 340 (alignment 32)")


def test_rejects_truncated_data(learner):
    """a file that ends inside a tensor's data raises ValueError('... truncated ...')"""
    data, layout, _ = _file()
    cut = layout["offsets"][-1] + 4
    _expect_value_error(learner.read_tensor_infos, (data[:cut],), "truncated", "a file that ends inside the last tensor")


def _load(learner, tmp_path, name="model.gguf", **kw):
    data, layout, arrays = _file(**kw)
    path = tmp_path / name
    path.write_bytes(data)
    got = learner.load_tensors(path)
    check_true(isinstance(got, dict), f"load_tensors should return a dict, got {type(got).__name__}")
    check_true(set(got) == set(arrays), f"load_tensors returned {sorted(got)}, expected {sorted(arrays)}")
    return got, layout, arrays, path


def test_load_tensor_values(learner, tmp_path):
    """load_tensors gives each tensor's values with its dtype and NumPy shape"""
    got, _, arrays, _ = _load(learner, tmp_path, alignment=64, seed=2)
    for name, (_, expected) in arrays.items():
        arr = got[name]
        check_true(isinstance(arr, np.ndarray), f"{name} should be a numpy array, got {type(arr).__name__}")
        check_true(arr.dtype == expected.dtype, f"{name} has dtype {arr.dtype}, expected {expected.dtype}")
        if arr.shape != expected.shape and arr.shape == tuple(reversed(expected.shape)):
            raise GradeFailure(f"{name} has shape {arr.shape}, expected {expected.shape}: reverse the ggml dims")
        check_true(arr.shape == expected.shape, f"{name} has shape {arr.shape}, expected {expected.shape}")
        if expected.ndim == 2 and np.array_equal(np.asarray(arr), expected.reshape(expected.shape[::-1]).T):
            raise GradeFailure(
                f"the values of {name} are in the wrong order: this is what reshaping the data to the ggml dims "
                "(innermost first) and transposing gives; the bytes are already in NumPy (row-major) order for "
                "the reversed dims, so reshape them to the NumPy shape directly")
        check_true(np.array_equal(np.asarray(arr), expected),
                   f"the values of {name} differ from the stored ones (wrong offset, or data read from the wrong place)")


def test_load_is_zero_copy(learner, tmp_path):
    """the arrays are views of a memory map: bytes changed in the file afterwards show in them"""
    got, layout, arrays, path = _load(learner, tmp_path, "mapped.gguf")
    names = list(arrays)
    new_row = np.arange(5, dtype=np.float32) * 1000
    with open(path, "r+b") as f:
        f.seek(layout["offsets"][0])
        f.write(new_row.tobytes())
        f.seek(layout["offsets"][2])
        f.write(bytes([7] * 7))
        f.flush()
    embd = np.asarray(got[names[0]])
    if np.array_equal(embd[0], arrays[names[0]][1][0]):
        raise GradeFailure(
            "after the file changed, your arrays still hold the old values: they are copies (the file read into "
            "memory), not views of a memory map; use numpy.memmap(path, mode='r') or mmap + numpy.frombuffer"
        )
    check_true(np.array_equal(embd[0], new_row), "the array of token_embd.weight does not show the bytes now in the file")
    check_true(np.array_equal(np.asarray(got[names[2]]), np.full(7, 7, np.int8)),
               f"the array of {names[2]} does not show the bytes now in the file")


def test_load_is_read_only(learner, tmp_path):
    """the arrays are read-only: a model loader must never write into the weights file"""
    got, _, _, _ = _load(learner, tmp_path, "readonly.gguf", seed=3)
    writeable = [n for n, a in got.items() if isinstance(a, np.ndarray) and a.flags.writeable]
    check_true(
        not writeable,
        f"{writeable[0] if writeable else ''} is writeable: map the file read-only (numpy.memmap mode='r', or "
        "mmap.ACCESS_READ), so that a stray write cannot change the weights file",
    )


def test_data_ending_at_the_last_byte(learner):
    """a file whose last tensor ends exactly at its last byte (no padding after it) is whole, not truncated"""
    data, layout, arrays = _file(seed=2)
    end = layout["offsets"][-1] + len(_tensors(arrays)[-1][3])
    check_true(end < len(data), "grader data check: the file must carry padding after its last tensor")
    try:
        got = learner.read_tensor_infos(data[:end])
    except ValueError as error:
        raise GradeFailure(f"read_tensor_infos refused a file whose last tensor ends exactly at the end of the file "
                           f"({error}): only data that runs PAST the end is truncated") from None
    _check_layout(got, layout, arrays, "a file that ends with the last tensor's last byte")
