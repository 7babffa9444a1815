"""Grader for the paper quiz paper.qlora: QLoRA (Dettmers et al., 2023).

The paper: "QLoRA: Efficient Finetuning of Quantized LLMs" (Dettmers et al., 2023).

Every answer, and an explanation for each common wrong answer, is sealed in ``_SEALED``; no message prints
the right answer (numbers go through ``check_number(..., reveal=False)``; sets of statements are reported
as a count of misjudged ones). The bits per parameter of the quantization constants are computed from the
sealed block sizes and formats, not stored. Each test is one question of the stub.

Probes: NF4 as evenly spaced levels, per-block empirical quantiles, FP4 or k-means; Double Quantization of
the weights, of the adapters or of the optimizer states, or of the constants to NF4; the two block sizes
swapped; the constants' cost without Double Quantization, or without the second-level constants; paged
optimizers confused with vLLM's PagedAttention, ZeRO or gradient checkpointing; updating the 4-bit
weights; dataset size over quality.
"""

from __future__ import annotations

import numbers

from gradelib import GradeFailure, answer, check_number, unseal

# The answer key, sealed: {question: {options, answer, why (wrong answer -> explanation),
# where (what to re-read)}}.
_SEALED = (
    "c$}?O!EPcs5dD=BmrW$H8VE$Q$%$-W6b%6aWDXle$lYydD~;W2yJ5&E|GuwmV0&hiOOyjGyQ!{v^{VRCkH%=wSq%H%`ome{l72Ky"
    ">6OtA=f{R<G^vsBBjrcN57~IaQ)su97Dn;!ZN3X13w|RvQWraNrATE)1+Il7VI`G?P?~N>^Uf6^DwUOYr10C@Y;y@KZR}bUaF8kI"
    "tx75nFI%ZrxsPr#shy0V5RDxvM@CCps_!t(gcsy@rEF4a)@AtI=u}>kbY886S9(SNRziDKNJpi#loTd?rmd-pj1o!mdx;Qg0}n!H"
    "<a0n5Y-eSmB*&uCN^g-(4O$}Eu{G5y2ly9h%~>k7w=jt*k<!jfkwq#2-RHtHc0rx9M0r{k1}{zqlg?=qWT-T+#pYa)y$j5Vm0)MF"
    "9`K|Mr9}nrmNCGk(i>B3WOf-m?D>TYkYvpo5to2e6{7JPst4ZL%}l0Td^)F-`=OckXn+iTrQsBaA{Og8{|I;#@)`u#k<k~y4uaR4"
    "@x%47zqo(sjpiTJS&X3G3HzA)0$&A$PNoJ$tHTK#mnCY4Vj6Ow!RJgANRhQ_ND`SSL82q)#SSD=>mnq2avhRvU7Q9&cOm+AU%q`K"
    "9E-tuu7S$37cbra#-&&>*2Dh}t&FzVDxWveBc5(dl@yZhf2Hyr1$xWX^>F<6*TwAipMD(oBi)Y|ohG%r7f&A>@8*7SeLJ5mCjIGR"
    "(wp|~LewyDEgU&$ytQ#dc)mgs7AfC9A8%}X-u_r<lirv9&0;*6-`;_a>HFkQ)SEQnH%?&6w#H^nDA;ldxEgJON?+21>)-PpZx}ka"
    "g9}i<exp>RIG817(@DDt?WtGD>FW2k;f4~4sXVRa+E~_F^$b^873M!QBo0T7Tv?GRhJg_2b7_<gBIv}1yAwQa;+*WgB|9ix)Xwn!"
    "Ed;gv)-uh7R&L$g1B+VDx&1Z{1(fwTb)j~DK!zC<Pty`9pT#<I@xTU7DBqXK!xaxnzE?P|u3~fmCQ@shV-t6r!u?)=&IJ^Zy%(t|"
    "5$-4<apu_ISBUQ&x=>#lA887H=F^A%Vm9y1`*;1(Ja$=XD(!LV)_du()ui(#b)IS+)vlM%@rKwUVpuZuw4xjzq!COSs>@m2V}`f#"
    "Pb$Y%tV%4*s9xRB(Dc{y8G5(`=e$atg#3+rv)R0LiX8_P!@BBzI@-7@VG}g&VAvbcrp-j48GHhAvAB5A2&nU$oHC-wtAuEW=>x3?"
    "gU*5Ujr)^k9(f3x)hiHEJ6Lxcudn|B;`iy}"
)

_KEY = unseal(_SEALED)


def _fail(name: str, text: str) -> None:
    raise GradeFailure(f"{text}. Re-read {_KEY[name]['where']}.")


def _letter(value, name: str) -> str:
    options = _KEY[name]["options"]
    listed = ", ".join(f'"{o}"' for o in options)
    if not isinstance(value, str):
        raise GradeFailure(f"{name} should be one letter in quotes, one of {listed}; got {value!r}")
    letter = value.strip().strip("()").strip().lower()
    if letter not in options:
        raise GradeFailure(f"{name}: {value!r} is not one of the listed options ({listed})")
    return letter


def _collection(value, name: str, example: str) -> list:
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, (set, frozenset, list, tuple)):
        raise GradeFailure(f"{name} should be a set such as {example} (set() if none applies), got {value!r}")
    return list(value)


def _judged_wrongly(name: str, wrong: list, total: int, noun: str) -> None:
    notes = [_KEY[name]["why"][str(item)] for item in wrong if str(item) in _KEY[name]["why"]]
    verb = "is" if len(wrong) == 1 else "are"
    text = f"{name}: {len(wrong)} of the {total} {noun} {verb} judged wrongly"
    if notes:
        text += (": " if len(wrong) == 1 else ". Among them: ") + "; ".join(notes)
    _fail(name, text)


def _check_choice(learner, name: str) -> None:
    """One letter among the listed options; a known wrong option is explained."""
    got = _letter(answer(learner, name), name)
    if got == _KEY[name]["answer"]:
        return
    why = _KEY[name]["why"].get(got)
    _fail(name, f"{name} = {got!r} is not what the paper says" + (f": {why}" if why else ""))


def _check_letters(learner, name: str) -> None:
    """A set of letters; the message counts the misjudged options without naming the right set."""
    got = {_letter(item, name) for item in _collection(answer(learner, name), name, '{"a", "c"}')}
    wrong = sorted(got ^ set(_KEY[name]["answer"]))
    if wrong:
        _judged_wrongly(name, wrong, len(_KEY[name]["options"]), "options")


def _check_statements(learner, name: str) -> None:
    """A set of true statement numbers; the message counts the misjudged statements."""
    count = _KEY[name]["count"]
    got = set()
    for item in _collection(answer(learner, name), name, "{1, 3}"):
        if isinstance(item, bool) or not isinstance(item, numbers.Integral) or not 1 <= int(item) <= count:
            raise GradeFailure(f"{name}: {item!r} is not a statement number from 1 to {count}")
        got.add(int(item))
    wrong = sorted(got ^ set(_KEY[name]["answer"]))
    if wrong:
        _judged_wrongly(name, wrong, count, "statements")


def _check_value(learner, name: str, expected: float, *, rtol: float = 1e-9, atol: float = 0.0, mistakes=None) -> None:
    """A number, compared without revealing the expected value."""
    value = answer(learner, name)
    try:
        check_number(value, expected, name=name, rtol=rtol, atol=atol, mistakes=mistakes, reveal=False)
    except GradeFailure as exc:
        _fail(name, str(exc).rstrip("."))


def test_nf4_levels(learner):
    """what the 16 values of the NF4 data type are"""
    _check_choice(learner, "NF4_LEVELS")


def test_double_quant(learner):
    """what Double Quantization quantizes, and to what"""
    _check_choice(learner, "DOUBLE_QUANT")


def test_block_sizes(learner):
    """the block sizes of the two quantization levels"""
    value = answer(learner, "BLOCK_SIZES")
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)) or len(value) != 2 or not all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value
    ):
        raise GradeFailure(f"BLOCK_SIZES should be a tuple of two ints, such as (32, 512); got {value!r}")
    got, expected = [int(v) for v in value], _KEY["BLOCK_SIZES"]["answer"]
    if got == expected:
        return
    if got == expected[::-1]:
        _fail("BLOCK_SIZES", f"BLOCK_SIZES = {tuple(got)}: the two block sizes are swapped")
    wrong = sum(g != e for g, e in zip(got, expected))
    _fail("BLOCK_SIZES", f"BLOCK_SIZES = {tuple(got)}: {wrong} of the two block sizes {'is' if wrong == 1 else 'are'} not the paper's")


def test_dq_bits_per_param(learner):
    """the memory per parameter of the quantization constants with Double Quantization"""
    k = _KEY["DQ_BITS_PER_PARAM"]
    per_weight = k["bits_c2"] / k["block1"] + k["bits_c1"] / (k["block1"] * k["block2"])
    _check_value(learner, "DQ_BITS_PER_PARAM", per_weight, atol=5e-4, mistakes={
        "the cost WITHOUT Double Quantization (one 32-bit constant per block)": k["bits_c1"] / k["block1"],
        "leaving out the 32-bit constants of the second level": k["bits_c2"] / k["block1"],
        "the saving rather than the remaining cost": k["bits_c1"] / k["block1"] - per_weight,
    })


def test_paged_optimizers(learner):
    """what paged optimizers rely on"""
    _check_choice(learner, "PAGED_OPTIMIZERS")


def test_true_statements(learner):
    """which statements about QLoRA the paper supports"""
    _check_statements(learner, "TRUE_STATEMENTS")
