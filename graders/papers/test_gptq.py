"""Grader for the paper quiz paper.gptq: GPTQ (Frantar et al., 2022).

The paper: "GPTQ: Accurate Post-Training Quantization for Generative Pre-trained Transformers" (Frantar et
al., 2022).

Every answer, and an explanation for each common wrong answer, is sealed in ``_SEALED``; no message prints
the right answer (numbers go through ``check_number(..., reveal=False)``; sets are reported as a count of
misjudged items). Each test is one question of the stub.

Probes: GPTQ as quantization-aware training, as LLM.int8()-style mixed precision or as AdaRound; OBQ's
greedy order; OBQ's runtime for GPTQ's; 2-bit or ternary as the "negligible loss" widths; GPTQ
quantizing activations; GPTQ needing end-to-end backpropagation.
"""

from __future__ import annotations

import numbers

from gradelib import GradeFailure, answer, check_number, unseal

# The answer key, sealed: {question: {options, answer, why (wrong answer -> explanation),
# where (what to re-read)}}.
_SEALED = (
    "c$~FVVNV)C5dA9?z7&$9iK5nM`T<(1CRz}%wK3N0-3@me?{=@Vdz{qx-#fbth>c0pr2VqMvNQAMy*KmNIzRh7?4Jx<NATFvm6ci<"
    "{(jREtq5ANI}&%K?!eY9pF)`ii64bGO}_NOvAgM~Vxnu6f;1pXtunAVf=H5@ghhyJ3#QNwRNC0CB_WmMHznF!r^dgnM1=&2v}lgu"
    "WIVfkW1y~57fp46kmwQ(%t@Dkg~29A!hn*?yZ62{XoX#qYx`=YBTyO$*S8S}M$A{SNbW1rmB@r6g7J{9v)tn<b&5q`f(xCWU%Zvd"
    "9=1EKTqz$gg^DndhT{TmkjhvTDI+HS$A<QhNE7Heph$A~Q43||PY!NSX1RrU8Jd+V=EAjMa2A$mp96v%jAUABZSzZaA39Ive9oLG"
    "8$rRW5foCPtJr9|XI|jzVgIo8<dt*Wxf~47_1lB?fGNnxN!W>2dXRNdBlboq3K%%j;4<LwH2GYk$;aX3&n9~5pLp9p!rj<h_%=oZ"
    "r+Y?-=@K-hNXJ|5m`ml|B0RD}P=<Uikqk)YP!JYNh*2<cLV=)IvedLn#A;insjQj*oY{45V~=b+^js#@7?}5QFZ5uY_@^W&MW&>!"
    "Q`}f%6VDBVK&ckGSomB(Y&BgfH0E^)_MkoE1l~aXBGV*oUa}NZixuoZyT55><a3`X;}CUxwhyC=@%ixjZ1(M6D?v5OU19`HE|V}2"
    "8(O>TE<F;EC6AEnmYwm;DJN@mU8F1vczboN?kZ%dj9q74@x7W69`p*836tm~D~kU>*~$3o?sRlDncnTZ+aLJ$b6t}oZO<_#t>>>7"
    "!QSn5anC?(IB#O1?e@nS&VB^L2bQ1dQkDniizsC3y9gC$ldIv~bk?5@FNU9IQ(rP+Ml63j*cRnxCxYF`!8o|xQm41Q=z<@+S{2J<"
    "Ub9v%d?f?MiX}?|pT;`}VZU)FU@9J{x-x!?h9z3+g<Cdr<f6}8h_|m3Z-2YiW~I7pwPCIN4)cTOyxu4<m}r)EZHT$1GU(Snh4-*~"
    "ef@pL!Za+9*EzU=KYri5e<L)sozMn$J+58{w#DF$=J9nKX>h$g*J3>V0#NEovj"
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


def test_lineage(learner):
    """the method GPTQ builds on"""
    _check_choice(learner, "LINEAGE")


def test_order(learner):
    """the order in which GPTQ quantizes a layer's weights"""
    _check_choice(learner, "ORDER")


def test_complexity(learner):
    """GPTQ's runtime for one layer"""
    _check_choice(learner, "COMPLEXITY")


def test_gpu_hours_175b(learner):
    """the scale GPTQ reaches: GPU hours and bit widths for 175B-parameter models"""
    k = _KEY["GPU_HOURS_175B"]
    _check_value(learner, "GPU_HOURS_175B", k["hours"], atol=1.0)
    value = answer(learner, "BIT_WIDTHS")
    got = set()
    for item in _collection(value, "BIT_WIDTHS", "{5, 6}"):
        if isinstance(item, bool) or not isinstance(item, numbers.Integral):
            raise GradeFailure(f"BIT_WIDTHS: {item!r} is not an int")
        got.add(int(item))
    expected = set(k["bits"])
    if got == expected:
        return
    notes = []
    if got & {1, 2}:
        notes.append("2 bits and ternary values are an extreme regime the paper explores separately, at a visible accuracy cost")
    if got & {8, 16}:
        notes.append("8 bits is already within reach of simple round-to-nearest; the claim is about lower widths")
    wrong = len(got ^ expected)
    text = f"BIT_WIDTHS: {wrong} bit width{'s are' if wrong > 1 else ' is'} wrongly included or left out"
    _fail("GPU_HOURS_175B", text + (" (" + "; ".join(notes) + ")" if notes else ""))


def test_true_statements(learner):
    """which statements about GPTQ the paper supports"""
    _check_statements(learner, "TRUE_STATEMENTS")
