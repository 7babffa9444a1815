"""Grader for exercise 1.2.3: the NF4 codebook, blockwise absmax quantization and double quantization.

No NF4 library is available offline, so the references are written here from the construction the stub
states (bitsandbytes' ``create_normal_map`` with ``torch.special.ndtri``); the grader also checks them
against the 16 levels QLoRA publishes (to 1e-6). Codes must equal the nearest-level reference, except
where a value sits within 1e-5 of a midpoint between two levels (a float-rounding tie that a valid
implementation may break either way). Probes: evenly spaced INT4 levels, symmetric quantiles without a
zero, unnormalised levels, unsorted levels, a per-tensor absmax, blocks down the columns, max(x) for
max(|x|), the level below instead of the nearest, a hard-coded codebook, absmax repeated instead of
interleaved, double quantization without the mean offset or with /128, one second-level scale for all,
the storage cost without the second-level scales, and an MSE that forgets the dequantized absmax.
"""

from __future__ import annotations

import pytest
import torch
from gradelib import GradeFailure, check_close, check_number, check_true
from gradelib.devices import check_follows_device, on_device

_DELTA = 0.9677083
_PUBLISHED = [
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
    -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
    0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
    0.7229568362236023, 1.0,
]


def _nf4(delta: float = _DELTA, normalize: bool = True) -> torch.Tensor:
    nd = torch.special.ndtri
    pos = nd(torch.linspace(delta, 0.5, 9, dtype=torch.float64)[:-1])
    neg = -nd(torch.linspace(delta, 0.5, 8, dtype=torch.float64)[:-1])
    v = torch.cat([neg, torch.zeros(1, dtype=torch.float64), pos]).sort().values
    return (v / v.abs().max() if normalize else v).float()


_NF4 = _nf4()
assert float((_NF4.double() - torch.tensor(_PUBLISHED, dtype=torch.float64)).abs().max()) < 1e-6
_INT4 = torch.linspace(-1, 1, 16)


def _weights(seed: int = 0, rows: int = 128, cols: int = 256) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(rows, cols, generator=g) * 0.02
    w *= torch.linspace(0.5, 2.0, rows)[:, None]  # blocks (and DQ blocks) of different spreads
    w[3, 17] = 0.3  # outliers in two blocks
    w[rows * 2 // 3, cols * 3 // 4] = -0.25
    return w


def _ref_quant(w: torch.Tensor, codebook: torch.Tensor, bs: int = 64):
    blocks = w.reshape(-1, bs).float()
    absmax = blocks.abs().amax(1)
    norm = blocks / torch.where(absmax > 0, absmax, torch.ones_like(absmax))[:, None]
    codes = (norm[..., None] - codebook).abs().argmin(-1).reshape(-1)
    return codes, absmax, norm.reshape(-1)


def _ref_dq(absmax: torch.Tensor, bs: int = 256, use_offset: bool = True, div: int = 127):
    offset = float(absmax.mean()) if use_offset else 0.0
    c = (absmax - offset).reshape(-1, bs)
    amax = c.abs().amax(1)
    scales = torch.where(amax > 0, amax / div, torch.ones_like(amax))
    q = torch.clamp(torch.round(c / scales[:, None]), -128, 127)
    return q.reshape(-1), scales, offset


def _ref_deq_absmax(q, scales, offset, bs=256):
    return (q.float().reshape(-1, bs) * scales[:, None] + offset).reshape(-1)


def _ref_mse(w, codebook, bs=64, double_quant=False):
    codes, absmax, _ = _ref_quant(w, codebook, bs)
    if double_quant:
        absmax = _ref_deq_absmax(*_ref_dq(absmax))
    w_hat = (codebook[codes].reshape(-1, bs) * absmax[:, None]).reshape(w.shape)
    return float(((w - w_hat) ** 2).mean())


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


def test_codebook(learner):
    """the NF4 codebook: 16 ascending normal-quantile levels from -1 to 1 with an exact 0"""
    got = learner.nf4_codebook()
    check_true(isinstance(got, torch.Tensor), f"nf4_codebook should return a tensor, got {type(got).__name__}")
    if got.numel() != 16:
        raise GradeFailure(
            f"the codebook has {got.numel()} levels, expected 16 (4 bits): 8 positive, 7 negative and 0"
        )
    check_true(got.dtype == torch.float32, f"the codebook has dtype {got.dtype}, expected torch.float32")
    if not bool((got[1:] > got[:-1]).all()):
        if torch.allclose(got.sort().values, _NF4, atol=1e-6):
            raise GradeFailure("the codebook has the right levels in the wrong order: sort them ascending")
    nd = torch.special.ndtri
    symmetric = nd(torch.linspace(1 - _DELTA, _DELTA, 16, dtype=torch.float64))
    check_close(
        got,
        _NF4,
        name="the NF4 levels",
        rtol=0,
        atol=1e-6,
        mistakes={
            "16 evenly spaced levels (plain INT4) instead of normal quantiles": _INT4,
            "16 symmetric quantiles without an exact zero": (symmetric / symmetric.abs().max()).float(),
            "skipping the division by the largest level (levels must span [-1, 1])": _nf4(normalize=False),
            "swapping the halves (8 negative and 7 positive levels)": -_NF4.flip(0),
        },
    )


def _call_quant(learner, w, codebook, bs=64):
    out = learner.quantize_blockwise(w, codebook, bs)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise GradeFailure(f"quantize_blockwise should return a tuple (codes, absmax), got {type(out).__name__}")
    return out


def _check_codes(got, w, codebook, bs, name):
    exp, absmax, norm = _ref_quant(w, codebook, bs)
    got_t = torch.as_tensor(got)
    check_true(got_t.dtype == torch.uint8, f"{name} have dtype {got_t.dtype}, expected torch.uint8")
    check_true(tuple(got_t.shape) == tuple(exp.shape), f"{name} have shape {tuple(got_t.shape)}, expected {tuple(exp.shape)} (flattened)")
    g = got_t.long()
    diff = g != exp
    if bool(diff.any()):
        valid = (g >= 0) & (g < len(codebook))
        gc = codebook[g.clamp(0, len(codebook) - 1)]
        near_tie = valid & (((norm - gc).abs() - (norm - codebook[exp]).abs()).abs() <= 1e-5)
        if bool((diff & ~near_tie).any()):
            below = (torch.bucketize(norm, codebook, right=True) - 1).clamp(0, len(codebook) - 1)
            check_close(
                g,
                exp,
                name=name,
                rtol=0,
                atol=0,
                mistakes={
                    "rounding onto 16 evenly spaced levels instead of picking the nearest codebook level": torch.round(
                        (norm + 1) / 2 * 15
                    ),
                    "taking the level just below the value instead of the nearest one": below,
                    "using the NF4 levels whatever codebook is passed in": (norm[..., None] - _NF4).abs().argmin(-1),
                    "normalising by the whole tensor's absmax instead of each block's": (
                        (w.reshape(-1)[..., None] / w.abs().max() - codebook).abs().argmin(-1)
                    ),
                },
            )


def test_blockwise_absmax(learner):
    """absmax is max(|x|) of each block of 64 consecutive values (row-major)"""
    w = _weights()
    _, absmax = _call_quant(learner, w, _NF4)
    exp = _ref_quant(w, _NF4)[1]
    am = torch.as_tensor(absmax)
    if am.numel() == 1:
        raise GradeFailure("absmax has a single value: it must be one per block of 64 (blockwise, not per tensor)")
    check_close(
        am,
        exp,
        name="the block absmax values",
        rtol=1e-6,
        atol=0,
        dtype=torch.float32,
        mistakes={
            "blocks taken down the columns (flatten w.T) instead of row-major": w.t().reshape(-1, 64).abs().amax(1),
            "max(x) instead of max(|x|)": w.reshape(-1, 64).amax(1),
        },
    )


def test_nf4_codes(learner):
    """each value gets the index of the nearest NF4 level after dividing by its block's absmax"""
    w = _weights(1)
    codes, _ = _call_quant(learner, w, _NF4)
    _check_codes(codes, w, _NF4, 64, "the NF4 codes")


def test_codes_with_other_codebook(learner):
    """quantize_blockwise uses the codebook it is given (evenly spaced INT4 levels, block 32)"""
    w = _weights(2, rows=16, cols=64)
    codes, absmax = _call_quant(learner, w, _INT4, 32)
    check_close(absmax, _ref_quant(w, _INT4, 32)[1], name="the absmax of blocks of 32", rtol=1e-6, atol=0)
    _check_codes(codes, w, _INT4, 32, "the INT4 codes")


def test_dequantize(learner):
    """dequantize gives codebook[code] * its block's absmax, in the original shape"""
    w = _weights(3, rows=32, cols=128)
    codes, absmax, _ = _ref_quant(w, _NF4)
    codes = codes.to(torch.uint8)
    got = learner.dequantize_blockwise(codes, absmax, _NF4, 64, tuple(w.shape))
    values = _NF4[codes.long()]
    expected = (values.reshape(-1, 64) * absmax[:, None]).reshape(w.shape)
    check_close(
        got,
        expected,
        name="the dequantized weights",
        rtol=1e-6,
        atol=1e-9,
        dtype=torch.float32,
        mistakes={
            "pairing values with absmax.repeat(block_size) instead of repeat_interleave": (
                values * absmax.repeat(64)
            ).reshape(w.shape),
            "forgetting to multiply by the block's absmax": values.reshape(w.shape),
        },
    )


def test_double_quantization(learner):
    """double quantization: mean offset, int8 codes and one scale per 256 absmax values"""
    w = _weights(4)
    absmax = _ref_quant(w, _NF4)[1]  # 512 values: two second-level blocks
    out = learner.double_quantize(absmax, 256)
    if not (isinstance(out, tuple) and len(out) == 3):
        raise GradeFailure(f"double_quantize should return a tuple (q, scales, offset), got {type(out).__name__}")
    q, scales, offset = out
    eq, es, eo = _ref_dq(absmax)
    check_number(offset, eo, name="the offset (mean of the absmax values)", rtol=1e-6, mistakes={"not subtracting the mean (offset 0)": 0.0})
    st = torch.as_tensor(scales)
    if st.numel() == 1:
        raise GradeFailure("there is a single second-level scale: use one per block of 256 absmax values")
    nq, ns, _ = _ref_dq(absmax, use_offset=False)
    _, s128, _ = _ref_dq(absmax, div=128)
    check_close(
        st,
        es,
        name="the second-level scales",
        rtol=1e-6,
        atol=0,
        dtype=torch.float32,
        mistakes={"quantizing absmax without subtracting its mean": ns, "dividing by 128 instead of 127": s128},
    )
    qt = torch.as_tensor(q)
    check_true(qt.dtype == torch.int8, f"the second-level codes have dtype {qt.dtype}, expected torch.int8")
    check_close(qt, eq, name="the second-level int8 codes", rtol=0, atol=0)
    back = learner.dequantize_absmax(eq.to(torch.int8), es, eo, 256)
    check_close(
        back,
        _ref_deq_absmax(eq, es, eo),
        name="the dequantized absmax values",
        rtol=1e-6,
        atol=1e-9,
        mistakes={"forgetting to add the offset back": _ref_deq_absmax(eq, es, 0.0)},
    )
    err = (_ref_deq_absmax(eq, es, eo) - absmax).abs().max()
    check_true(bool(err <= es.max() / 2 + 1e-9), "internal: dequantized absmax error exceeds half a step")


def test_bits_per_parameter(learner):
    """storage: 4 + 32/64 = 4.5 bits, and 4 + 8/64 + 32/(64*256) with double quantization"""
    cases = [((64, False, 256), 4 + 32 / 64), ((64, True, 256), 4 + 8 / 64 + 32 / (64 * 256)), ((32, True, 128), 4 + 8 / 32 + 32 / (32 * 128)), ((128, False, 256), 4 + 32 / 128)]
    for (bs, dq, dbs), expected in cases:
        got = learner.bits_per_parameter(bs, dq, dbs)
        check_number(
            got,
            expected,
            name=f"bits_per_parameter(block_size={bs}, double_quant={dq}, dq_block_size={dbs})",
            rtol=1e-9,
            mistakes={
                "leaving out the 32-bit second-level scales": 4 + 8 / bs,
                "ignoring double quantization (still 32 bits per absmax)": 4 + 32 / bs,
                "charging a 32-bit scale per dq_block_size weights instead of per dq_block_size blocks": 4 + 8 / bs + 32 / dbs,
                "forgetting the 4 bits of the code itself": (8 / bs + 32 / (bs * dbs)) if dq else 32 / bs,
            },
        )
    check_number(learner.bits_per_parameter(), 4.5, name="bits_per_parameter() with the defaults", rtol=1e-9)


def test_roundtrip_mse(learner):
    """NF4 round-trip MSE matches, beats evenly spaced INT4, and double quantization barely adds to it"""
    w = _weights(5)
    plain = learner.nf4_roundtrip_mse(w, 64, False)
    check_number(plain, _ref_mse(w, _NF4), name="the NF4 round-trip MSE", rtol=1e-4, mistakes={"evenly spaced INT4 levels": _ref_mse(w, _INT4)})
    dq = learner.nf4_roundtrip_mse(w, 64, True)
    check_number(
        dq,
        _ref_mse(w, _NF4, double_quant=True),
        name="the NF4 round-trip MSE with double quantization",
        rtol=1e-4,
        mistakes={"using the original absmax instead of the double-quantized one": _ref_mse(w, _NF4)},
    )
    int4 = _ref_mse(w, _INT4)
    check_true(float(plain) < int4, f"NF4's MSE {float(plain):.4g} should be below evenly spaced INT4's {int4:.4g} on normal weights")
    check_true(float(dq) < 1.01 * float(plain), "double quantization should raise the MSE by well under 1%")


def test_tensors_stay_on_the_inputs_device(learner):
    """every tensor the code creates lives on the input's device (checked without a GPU)"""
    w = torch.randn(4, 64, generator=torch.Generator().manual_seed(3))
    check_follows_device(learner.quantize_blockwise, w, _NF4, 64)
    check_follows_device(learner.double_quantize, w.abs().reshape(-1)[:256] + 0.1, 256)


def test_signature_defaults(learner):
    """the stub's defaults: blocks of 64, double quantization off, second-level blocks of 256"""
    from gradelib import check_defaults

    for name, defaults in (("quantize_blockwise", dict(block_size=64)), ("double_quantize", dict(block_size=256)),
                           ("dequantize_absmax", dict(block_size=256)),
                           ("bits_per_parameter", dict(block_size=64, double_quant=False, dq_block_size=256)),
                           ("nf4_roundtrip_mse", dict(block_size=64, double_quant=False))):
        fn = getattr(learner, name)
        check_defaults(getattr(fn, "__learner_function__", fn), name, **defaults)
