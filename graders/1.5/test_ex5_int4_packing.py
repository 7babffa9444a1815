"""Grader for exercise 1.5.5: signed INT4 quantize / pack / unpack and an exact INT32-accumulated matmul.

Expected values come from independent integer code here (int64 matmul on unpacked values, nibble layout
as the stub states) and ``torch.round`` for the quantizer. Probes: clamping to [-7, 7], rounding half away
from zero, truncating, no clamping, nibbles in the wrong order, the low nibble not masked, no sign
extension on unpacking, accumulation that wraps in int8 or int16, float32 accumulation that rounds sums
above 2**24 (the grader uses a sum that float32 cannot represent), a result that is not int32, and
per-channel scales applied along the wrong axis.
"""

from __future__ import annotations

import pytest
import torch
from gradelib import GradeFailure, check_close, check_shape, check_true
from gradelib.devices import on_device


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is far faster than several on a busy machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _q(shape, seed: int) -> torch.Tensor:
    return torch.randint(-8, 8, shape, generator=_gen(seed), dtype=torch.int8)


def _pack(q: torch.Tensor, swap: bool = False, mask_low: bool = True) -> torch.Tensor:
    v = q.to(torch.int64)
    low, high = v[..., 0::2], v[..., 1::2]
    if swap:
        low, high = high, low
    low = low & 0xF if mask_low else low
    return ((low | ((high & 0xF) << 4)) & 0xFF).to(torch.uint8)


def _unpack(p: torch.Tensor, signed: bool = True, swap: bool = False, sign_low: bool = True) -> torch.Tensor:
    v = p.to(torch.int64)
    low, high = v & 0xF, (v >> 4) & 0xF
    if swap:
        low, high = high, low
    if signed:
        high = torch.where(high >= 8, high - 16, high)
        if sign_low:
            low = torch.where(low >= 8, low - 16, low)
    return torch.stack([low, high], dim=-1).reshape(*p.shape[:-1], -1)


def _wrap(x: torch.Tensor, bits: int) -> torch.Tensor:
    half = 1 << (bits - 1)
    return (x + half) % (1 << bits) - half


def _matmul_mistakes(a_packed, b_packed) -> dict[str, torch.Tensor]:
    exact = _unpack(a_packed) @ _unpack(b_packed).T
    return {
        "unpacking without sign extension (nibbles read as 0..15)": _unpack(a_packed, signed=False)
        @ _unpack(b_packed, signed=False).T,
        "accumulating in int16, which wraps around": _wrap(exact, 16),
        "accumulating in int8, which wraps around": _wrap(exact, 8),
    }


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


def test_quantize(learner):
    """quantize: round half to even, clamp to [-8, 7], int8"""
    scale = 0.5
    x = scale * torch.tensor([-9.0, -8.5, -8.0, -7.5, -2.5, -0.5, 0.5, 1.5, 2.5, 6.5, 7.0, 7.5, 100.0])
    got = learner.quantize_int4(x, scale)
    check_true(isinstance(got, torch.Tensor) and got.dtype == torch.int8,
               f"quantize_int4 should return a torch.int8 tensor, got {getattr(got, 'dtype', type(got).__name__)}")
    v = x / scale
    check_close(
        got,
        torch.clamp(torch.round(v), -8, 7),
        name="the int4 codes",
        rtol=0,
        atol=0,
        mistakes={
            "clamping to [-7, 7] (the signed 4-bit range is [-8, 7])": torch.clamp(torch.round(v), -7, 7),
            "rounding half away from zero instead of half to even": torch.clamp(torch.sign(v) * torch.floor(v.abs() + 0.5), -8, 7),
            "truncating toward zero instead of rounding": torch.clamp(torch.trunc(v), -8, 7),
        },
    )


def test_pack_layout(learner):
    """packing puts element 2j in the low nibble and 2j+1 in the high nibble, two's complement"""
    q = torch.tensor([[-1, 2, -8, 7, 0, -3]], dtype=torch.int8)
    got = learner.pack_int4(q)
    check_true(isinstance(got, torch.Tensor) and got.dtype == torch.uint8,
               f"pack_int4 should return a torch.uint8 tensor, got {getattr(got, 'dtype', type(got).__name__)}")
    got = check_shape(got, (1, 3), "pack_int4 of a (1, 6) tensor")
    check_close(
        got,
        torch.tensor([[0x2F, 0x78, 0xD0]]),
        name="the packed bytes of [-1, 2, -8, 7, 0, -3]",
        rtol=0,
        atol=0,
        mistakes={
            "putting element 2j in the HIGH nibble (the stub puts it in the low one)": _pack(q, swap=True),
            "not masking the low nibble with 0xF (a negative value's sign bits spill into the high nibble)": _pack(
                q, mask_low=False
            ),
        },
    )


def test_pack_shapes(learner):
    """packing works along the last dimension of any tensor"""
    q = _q((4, 3, 16), 1)
    got = check_shape(learner.pack_int4(q), (4, 3, 8), "pack_int4 of a (4, 3, 16) tensor")
    check_close(got, _pack(q), name="the packed bytes", rtol=0, atol=0,
                mistakes={"putting element 2j in the high nibble": _pack(q, swap=True)})


def test_unpack(learner):
    """unpacking sign-extends each nibble: 0xF -> -1, 0x8 -> -8"""
    p = torch.randint(0, 256, (5, 8), generator=_gen(2), dtype=torch.int64).to(torch.uint8)
    p[0, :4] = torch.tensor([0x8F, 0xF8, 0x70, 0x07], dtype=torch.uint8)
    got = learner.unpack_int4(p)
    check_true(isinstance(got, torch.Tensor) and got.dtype == torch.int8,
               f"unpack_int4 should return a torch.int8 tensor, got {getattr(got, 'dtype', type(got).__name__)}")
    got = check_shape(got, (5, 16), "unpack_int4 of a (5, 8) tensor")
    check_close(
        got,
        _unpack(p),
        name="the unpacked values",
        rtol=0,
        atol=0,
        mistakes={
            "forgetting to sign-extend (nibbles >= 8 must become n - 16)": _unpack(p, signed=False),
            "taking the high nibble first (element 2j is in the LOW nibble)": _unpack(p, swap=True),
            "sign-extending only the high nibble": _unpack(p, sign_low=False),
        },
    )


def test_round_trip(learner):
    """unpack(pack(q)) == q for every value in [-8, 7]"""
    q = torch.arange(-8, 8, dtype=torch.int8).repeat(3, 2)
    check_close(learner.unpack_int4(learner.pack_int4(q)), q, name="unpack(pack(q))", rtol=0, atol=0)


def _check_matmul(got, expected, mistakes, what):
    check_true(isinstance(got, torch.Tensor), f"int4_matmul should return a tensor, got {type(got).__name__}")
    if got.dtype != torch.int32:
        raise GradeFailure(
            f"int4_matmul returned dtype {got.dtype} for {what}; accumulate in integers and return torch.int32"
        )
    check_close(got, expected, name=f"int4_matmul for {what}", rtol=0, atol=0, mistakes=mistakes)


def test_matmul_small(learner):
    """int4 matmul equals A @ B.T exactly, as int32"""
    a, b = _pack(_q((3, 64), 3)), _pack(_q((5, 64), 4))
    _check_matmul(learner.int4_matmul(a, b), _unpack(a) @ _unpack(b).T, _matmul_mistakes(a, b), "(3, 64) x (5, 64)")


def test_matmul_needs_int32(learner):
    """sums beyond int16: (-8) * (-8) over K = 1024 is 65536, which int16 accumulation wraps"""
    qa, qb = _q((2, 1024), 5), _q((3, 1024), 6)
    qa[0] = -8
    qb[0] = -8
    qb[1] = 7
    a, b = _pack(qa), _pack(qb)
    _check_matmul(learner.int4_matmul(a, b), _unpack(a) @ _unpack(b).T, _matmul_mistakes(a, b), "K = 1024")


def test_matmul_exact_beyond_float32(learner):
    """a dot product of 2**20 int4 products that float32 cannot represent comes out exactly"""
    k = 2**20
    qa = torch.full((1, k), 7, dtype=torch.int8)
    qb = torch.full((1, k), 7, dtype=torch.int8)
    qb[0, 12345] = 6
    exact = 49 * k - 7  # 51,380,217: odd and above 2**25, so not a float32 value
    a, b = _pack(qa), _pack(qb)
    got = learner.int4_matmul(a, b)
    check_true(isinstance(got, torch.Tensor), f"int4_matmul should return a tensor, got {type(got).__name__}")
    check_shape(got, (1, 1), "int4_matmul of (1, K) x (1, K)")
    value = int(got.reshape(-1)[0].item())
    if value != exact and abs(value - exact) <= 64:
        raise GradeFailure(
            f"int4_matmul gave {value}, expected {exact}: this is what accumulating in float32 gives (above 2**24 "
            "float32 cannot hold every integer); accumulate in int32 or int64"
        )
    _check_matmul(got, torch.tensor([[exact]]), {}, "K = 2**20")


def test_linear_scales(learner):
    """dequantization: int32 result * activation scale * per-output-channel weight scale"""
    a, b = _pack(_q((4, 32), 7)), _pack(_q((4, 32), 8))
    a_scale = 0.05
    b_scales = torch.tensor([0.5, 0.25, 2.0, 0.125])
    acc = (_unpack(a) @ _unpack(b).T).to(torch.float64)
    got = learner.int4_linear(a, a_scale, b, b_scales)
    check_true(isinstance(got, torch.Tensor) and got.dtype == torch.float32,
               f"int4_linear should return a torch.float32 tensor, got {getattr(got, 'dtype', type(got).__name__)}")
    check_close(
        got,
        acc * a_scale * b_scales[None, :],
        name="int4_linear",
        rtol=1e-6,
        atol=1e-6,
        mistakes={
            "applying the per-channel scales along rows (they belong to output channels, the columns)": acc
            * a_scale
            * b_scales[:, None],
            "forgetting the activation scale": acc * b_scales[None, :],
            "dividing by the scales instead of multiplying": acc / a_scale / b_scales[None, :],
        },
    )
