"""Grader for the paper quiz paper.pagedattention: PagedAttention / vLLM (Kwon et al., 2023).

The paper: "Efficient Memory Management for Large Language Model Serving with PagedAttention" (Kwon et al.,
2023).

Every answer, and an explanation for each common wrong answer, is sealed in ``_SEALED``; no message prints
the right answer (numbers go through ``check_number(..., reveal=False)``; sets of statements are reported
as a count of misjudged ones). The KV-cache size per token is computed from the model's dimensions. Each
test is one question of the stub.

Probes: keys or values only, 4-byte values, bits, a single layer, the paper's rounded "800 KB" read as
800,000 bytes; one contiguous buffer per request (the earlier systems); exactly zero waste, reservation or
external fragmentation; writing into a shared block; the launch blog's factors against Hugging Face in
place of the paper's against FasterTransformer and Orca; contiguity; no sharing in beam search.
"""

from __future__ import annotations

import numbers

from gradelib import GradeFailure, answer, check_number, unseal

# The answer key, sealed: {question: {options, answer, why (wrong answer -> explanation),
# where (what to re-read)}}.
_SEALED = (
    "c$}qGTW=aU6#gqmyp%{ZQWLTd?GxLj%_=29fpk?>Rdnzim{DeI*7iVX)&Jh_*c7JC_F;El1~azL<-45u(z|+p|NDpecy>P>-`>w}"
    "uEy8Bm-MB#EyW8~y_uL;IZNl%pGf2Uj$W5s*J4)^sIv6#-GpZ1H<ewT^u7+LHyKT*e_p>$QQTVZ2CP5!xQES!K8!w!-X}cShOKzb"
    "lXkY{F5P2&6HAU%1={LwEQN%9U5Tf#3sIUtg&PptBJFJ%@2HAoxDBYR?<Jrr*8Bt18O2+!({Xv+|5<uoHDY5rbfT#=(%QR4ElpnY"
    "TJyPjBOzCw>Jkdv2u1fGma2kQ751s9mP>$UBR$A2q*NQO+YHlj(>N6K7{dT@4<Q2Tw$`CvTgYR|ZP=8O5dE2pK*Q4))SvQ7icyRR"
    "n(Eht!_zbBU%jW-dYL9{amHs}{u<5Z<A2KvcUf8Jn~f3<0XV}Etu3&42n2x?(r5*Y&MC;>tym+p@@^YmDKD81+(4Hl#6nyO7Y9%+"
    "$bJ4<yi*z!2wlJIkbu`~FQy7Yyl`!#gbFZhzLW1!KxIR2Lu;>V0u=iSOWp__s0-C+$poY*Dd#VQ@goHq0c!HDXtOW0=MFDt&xfby"
    "Pbqjse~58~_PwoQNk4LzwE|!>Q?tv_?SF94Q?8DpL(}UT;IG7r2XP%eCJAOWIxG8=&tN-W;at;(nD{Uy!}3QnIz=u3^bU#1h^4E+"
    "nFC1VmJ~|%+O?X?5pNvq5~54*v}@y<bsP2H-h0hDB02C&`bSAnQ8Hnw>p(8FAWgzXLob~t-&(72R2xX#q+vBkwd?l2kbg83cpFlG"
    "v|iVhNt|n~H`?HlwwV!&2rguf=9jlOcW*DJck};G(~=Dk2~<}PDpA%M0gWyJM#2YagQ_bj=dxX`w4OH%VCEii(Osid^i@H?uIAR7"
    "l60P6Au8mPJq{WX?hDydIC~7AqrXun`A*nG(v3HKKpsX3dEV~_aW@Di-O;kz1&jq}r>>qFi5DSyG~YE5{YL$<&dofPGuXFx<NMis"
    "G#^jK*YjCI&Y-!7)kPQFk1qyvKA_>J4#a2Qv!y{mkulw2^(w@}M5%Xq6ae|-?0R+>ZWzrN7+U2nmyhTd>6<0o;5>W4t@=97!|0rT"
    "b#R4bg9#5U!gD*zO=W;i)Isy>*^U`<p`Y7Wx&jD%{RYNkh<X"
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


def test_kv_bytes_per_token(learner):
    """the KV cache size of one token of OPT-13B"""
    layers, hidden, fp16_bytes = 40, 5120, 2
    per_token = 2 * layers * hidden * fp16_bytes  # a key and a value vector per layer
    _check_value(learner, "KV_BYTES_PER_TOKEN", per_token, mistakes={
        "counting only the keys or only the values (each token stores both), or 1 byte per value,": per_token / 2,
        "4 bytes per value (FP32; the model is served in FP16)": per_token * 2,
        "a count in bits rather than bytes": per_token * 8,
        "one layer only": per_token / layers,
        "the paper's rounded figure read as 800,000 bytes (compute the exact count),": 800_000,
    })


def test_mapping(learner):
    """how vLLM locates a request's KV cache"""
    _check_choice(learner, "MAPPING")


def test_waste(learner):
    """where vLLM still wastes KV cache memory, and about how much"""
    _check_choice(learner, "WASTE")


def test_sharing(learner):
    """what happens when a sample must write into a shared block"""
    _check_choice(learner, "SHARING")


def test_throughput(learner):
    """the throughput gain the paper reports over FasterTransformer and Orca"""
    _check_choice(learner, "THROUGHPUT")


def test_true_statements(learner):
    """which statements about vLLM the paper supports"""
    _check_statements(learner, "TRUE_STATEMENTS")
