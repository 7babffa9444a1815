"""Grader for exercise 1.1.3 (quiz): low-precision formats of five accelerators' matrix units.

Part A (formats per accelerator) is compared with sealed answers taken from the vendors' own documents
(NVIDIA datasheets and architecture whitepapers, Google's Cloud TPU v4 documentation); each wrong or
missing format is explained. Part B is computed, not stored: exponent and mantissa widths from
``torch.finfo`` (TF32 = FP32's exponent with FP16's mantissa) and the FP8 maxima from
``torch.finfo(torch.float8_e4m3fn / float8_e5m2).max``.

Probes: FP8 before Hopper, INT4 on H100, FP16 or FP32 on a TPU, INT8 Tensor Cores on Volta, a bare "FP8"
answer; counting the implicit bit or swapping (exponent, mantissa); 240 (the IEEE-style or FNUZ maximum)
for E4M3, and the maxima of the two FP8 formats swapped or E5M2's top exponent treated as finite.
"""

from __future__ import annotations

import math
import numbers
import re

import torch
from gradelib import GradeFailure, answer, check_true, unseal

CHOICES = ("FP32", "TF32", "BF16", "FP16", "FP8-E4M3", "FP8-E5M2", "INT8", "INT4")

_ALIASES = {
    "FP32": "FP32",
    "FLOAT32": "FP32",
    "TF32": "TF32",
    "TENSORFLOAT32": "TF32",
    "BF16": "BF16",
    "BFLOAT16": "BF16",
    "FP16": "FP16",
    "FLOAT16": "FP16",
    "HALF": "FP16",
    "FP8E4M3": "FP8-E4M3",
    "FP8E4M3FN": "FP8-E4M3",
    "E4M3": "FP8-E4M3",
    "E4M3FN": "FP8-E4M3",
    "FLOAT8E4M3FN": "FP8-E4M3",
    "FP8E5M2": "FP8-E5M2",
    "E5M2": "FP8-E5M2",
    "FLOAT8E5M2": "FP8-E5M2",
    "INT8": "INT8",
    "INT4": "INT4",
}

_SEALED = (
    "c%1E)QBT`25XZmDDK8BYXcP*o*i#3sT4{v{(rVH)A-8cGi^R@shk_8_eP<^racJ38HfaxgYMSJK=ez&U=RA4S_Tk~};OctZ3"
    "vawLc=8BWD=P8wn>PsBr{4E{@aTh<#6ArN$47W!e}V7_J`dWb5K^v$gmWRO0wN{5rxC1}j-i)kR8sJJm}bwzQ0D!21sDX~gM"
    "MdxY=YqR8`7c3Pz(Ohk)Di?c94!P!>*AruIUn=)TEG#sHqQg$@midu(S6Gj1~k3(`t}8SLTn7DV$F(dN8-y{V3~@y?x+9o2T"
    "`amFYXXrT3muo-(EIhIP=IilL?=(WIr^CZu_yS(ZG4c?*2A$X5A6K;=Tnl<+xifmqlAY(){#M8%Y9%w>{=oi}-^npsu#pRcV"
    "Jl{Vf{nklIKvd%R9FRThXFJ|DIDSM#NK_=;(DTYuP<%dCleOa(&E~x`{Qx89Kp>f$3UeiZomXkNU3U1CS)JPOzZ55scl86i5"
    "SzvpSnL5RPJ(uOM_r_$im{qh`=YC1%Kfr~vIhcZ2tiV+12Grz^g0<N+7<^7wb<~|*Qqo^^^wmyTcjm0<rklrL2~OimYs;Xkm"
    "}#03Q_pYtYdth+ny9=xp2cCf0}gA?>n2v!x_HzVJaopQU7@{QnA@zQC}Wmu9R9B>(XkZyGR|_nVNARbS;TIR^TJny9OEz($N"
    "+8+5n%we4@PR&R#jEU^iRaAaNW=nrCE|d!j#4ghUP6L*HGOMrO-FAZRjh2x9VRFR99aod!ydkx6LwpAO@4$>DEKBVr~Od>vJ"
    "HOD99Cs*&-1{w@-`jgi*iWUvI$XY#<yir=yEe&smy1!FBVPJ5NL&0cL@FoXTRJr<7x1vjsNB7>c8|3mGMM__2~=Srk7}lE)@"
    "8yGN<^&W;h9`=U<F`0J$hRbwOhM;}iRx-Vu#*kEQS&SRE2=b^Kfa^5gpj1gOvnJz6G&>lUy+d{XWe*)tYali"
)


def _format(token, where: str) -> str:
    if not isinstance(token, str):
        raise GradeFailure(f"{where}: {token!r} is not a string; use names from CHOICES such as \"BF16\"")
    key = re.sub(r"[^A-Z0-9]", "", token.upper())
    if key == "FP8":
        raise GradeFailure(f"{where}: say which FP8 format, \"FP8-E4M3\" and/or \"FP8-E5M2\", not {token!r}")
    if key not in _ALIASES:
        raise GradeFailure(f"{where}: {token!r} is not one of {', '.join(CHOICES)}")
    return _ALIASES[key]


def _formats(value, name: str) -> set[str]:
    if isinstance(value, str) or not isinstance(value, (set, frozenset, list, tuple)):
        raise GradeFailure(f"{name} should be a set of strings such as {{\"FP16\", \"INT8\"}}, got {value!r}")
    return {_format(token, name) for token in value}


def _check_accelerator(learner, name: str) -> None:
    key = unseal(_SEALED)[name]
    got = _formats(answer(learner, name), name)
    expected = set(key["answer"])
    if got == expected:
        return
    fp32_note = (
        "FP32 counts only where the matrix unit multiplies full FP32 inputs, not for FP32 accumulation, CUDA "
        "cores or bf16 emulation"
    )
    problems = []
    for fmt in sorted(got - expected, key=CHOICES.index):
        note = key["extra"].get(fmt) or (fp32_note if fmt == "FP32" else "")
        problems.append(f"{fmt} should not be there" + (f" ({note})" if note else ""))
    for fmt in sorted(expected - got, key=CHOICES.index):
        note = key["missing"].get(fmt, "")
        problems.append(f"{fmt} is missing" + (f" ({note})" if note else ""))
    raise GradeFailure(f"{name}: " + "; ".join(problems))


def test_v100(learner):
    """NVIDIA V100 (Volta): Tensor Core input formats"""
    _check_accelerator(learner, "V100_FORMATS")


def test_t4(learner):
    """NVIDIA T4 (Turing): Tensor Core input formats"""
    _check_accelerator(learner, "T4_FORMATS")


def test_a100(learner):
    """NVIDIA A100 (Ampere): Tensor Core input formats"""
    _check_accelerator(learner, "A100_FORMATS")


def test_h100(learner):
    """NVIDIA H100 (Hopper): Tensor Core input formats"""
    _check_accelerator(learner, "H100_FORMATS")


def test_tpu_v4(learner):
    """Google Cloud TPU v4: MXU input formats"""
    _check_accelerator(learner, "TPU_V4_FORMATS")


def _bits(dtype: torch.dtype) -> tuple[int, int]:
    info = torch.finfo(dtype)
    mantissa = -round(math.log2(info.eps))
    return info.bits - 1 - mantissa, mantissa


def test_format_bits(learner):
    """(exponent bits, mantissa bits) of TF32, BF16, FP16 and the two FP8 formats"""
    value = answer(learner, "FORMAT_BITS")
    check_true(isinstance(value, dict), f"FORMAT_BITS should be a dict, got {type(value).__name__}")
    got = {}
    for key, pair in value.items():
        fmt = _format(key, "FORMAT_BITS")
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in pair)):
            raise GradeFailure(f"FORMAT_BITS[{key!r}] should be a pair of ints (exponent_bits, mantissa_bits), got {pair!r}")
        got[fmt] = tuple(int(v) for v in pair)
    expected = {
        "TF32": (_bits(torch.float32)[0], _bits(torch.float16)[1]),
        "BF16": _bits(torch.bfloat16),
        "FP16": _bits(torch.float16),
        "FP8-E4M3": _bits(torch.float8_e4m3fn),
        "FP8-E5M2": _bits(torch.float8_e5m2),
    }
    missing = [fmt for fmt in expected if fmt not in got]
    check_true(not missing, f"FORMAT_BITS lacks {', '.join(missing)}")
    for fmt, (e, m) in expected.items():
        ge, gm = got[fmt]
        if (ge, gm) == (e, m):
            continue
        if (ge, gm) == (m, e):
            hint = "the pair is (exponent_bits, mantissa_bits): the two are swapped"
        elif (ge, gm) == (e, m + 1):
            hint = "that counts the implicit leading 1, which is not stored"
        elif ge + gm == e + m + 1:
            hint = "that counts the sign bit too"
        elif fmt == "TF32" and gm == 23:
            hint = "TF32 keeps FP32's exponent but only 10 mantissa bits"
        else:
            hint = f"the {fmt} format has {1 + e + m} bits in all, one of them the sign"
        raise GradeFailure(f"FORMAT_BITS[{fmt!r}] is {(ge, gm)}: {hint}")


def _check_quiz_number(value, expected: float, name: str, mistakes: dict[str, float]) -> None:
    """Like check_number, but a wrong answer does not reveal the expected one."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise GradeFailure(f"{name} should be a number, got {value!r}")
    value = float(value)
    if math.isclose(value, expected, rel_tol=1e-9):
        return
    for description, wrong in mistakes.items():
        if math.isclose(value, wrong, rel_tol=1e-9):
            raise GradeFailure(f"{name} = {value:g} is not right: this is what {description} gives")
    raise GradeFailure(
        f"{name} = {value:g} is not right: take the largest exponent field that still encodes finite numbers "
        "and the largest mantissa allowed with it, then apply the bias"
    )


def test_fp8_e4m3_max(learner):
    """the largest finite FP8 E4M3 value (OCP E4M3FN, torch.float8_e4m3fn)"""
    e4m3 = float(torch.finfo(torch.float8_e4m3fn).max)
    e5m2 = float(torch.finfo(torch.float8_e5m2).max)
    _check_quiz_number(
        answer(learner, "FP8_E4M3_MAX"),
        e4m3,
        "FP8_E4M3_MAX",
        {
            "reserving the top exponent for infinities and NaN, as IEEE formats do (E4M3FN reserves only "
            "the all-ones pattern for NaN and has no infinities), or the FNUZ variant's bias": (2 - 2**-3) * 2.0**7,
            "the E5M2 maximum (the two FP8 formats swapped)": e5m2,
        },
    )


def test_fp8_e5m2_max(learner):
    """the largest finite FP8 E5M2 value (torch.float8_e5m2)"""
    e4m3 = float(torch.finfo(torch.float8_e4m3fn).max)
    e5m2 = float(torch.finfo(torch.float8_e5m2).max)
    _check_quiz_number(
        answer(learner, "FP8_E5M2_MAX"),
        e5m2,
        "FP8_E5M2_MAX",
        {
            "treating the top exponent as finite (E5M2 keeps it for infinities and NaN, as IEEE formats do)": (
                2 - 2**-2
            )
            * 2.0**16,
            "the E4M3 maximum (the two FP8 formats swapped)": e4m3,
        },
    )
