"""Grader for the paper quiz paper.lora: LoRA (Hu et al., 2021).

The paper: "LoRA: Low-Rank Adaptation of Large Language Models" (Hu et al., 2021).

Every answer, and an explanation for each common wrong answer, is sealed in ``_SEALED``; no message prints
the right answer (numbers go through ``check_number(..., reveal=False)``; sets of statements are reported
as a count of misjudged ones). Each test is one question of the stub.

Probes: both factors random or both zero; an SVD initialisation; the rsLoRA scaling alpha / sqrt(r) or the
ratio upside down; adapting the MLP too; the GPU-memory factor given for the parameter factor (and the
reverse); LoRA adding inference latency; tuning alpha per rank.
"""

from __future__ import annotations

import numbers

from gradelib import GradeFailure, answer, check_number, unseal

# The answer key, sealed: {question: {options, answer, why (wrong answer -> explanation),
# where (what to re-read)}}.
_SEALED = (
    "c$}?NUvJtl5dSJCUP`reqtJHRrfJGrG$8>)kggBgR2|6$tR{A5J1|=HyYJ2+6P3D`YDic~e7?KiAKyb~G#w?K_wdj$l~+bPe*WIU"
    "P6VB$EU7G+EY$hQD{8kT%R$ZdcD)OSQNC=IU&GSyl4I(Pbzo6vri|co49WrS-$5IFa!=MkiQcN;z+b_y2}+Yuapb_%zN$T>Yt$=p"
    "u%z5r;;0>Xi%KiK`VitPtjNL^wRiBN?hW3Z-M~jF<_#Z$Py&4jbsnv6usqwT#6}@<WieBvJ(wH_(>6o^ly%`%RVd0}xeLLZf;(s;"
    "B5<Zj+NNO0wrxWo?wbcq8$MN<4TIwZWkWCb#oJzCp`1kJmZ_2=i*Hxb%uSC$6-KX|;49E`jtyEB;CE+gv4|sJrod=Aj+kUGabq)&"
    "JC8vsvZ2U=Qc)VtUY|mDY_=zJ)ORN{v{(|$anI<ktBljbMC3`y9ft&q%XmDRetD5u@X#zl0xYUE!W(eEtnb=mp;xdTS!ssVS}LZ2"
    "vLkRQ6T);b1Gq=s=-#zXz(vsS^#?6r(Zs5i(#S^o%d20r4J>lcQm3w*$_O&E)&GZ?Nu10_m&3(NsM!al;cLs#zUkKCg(?+mEPv<g"
    "Y$v+PE_%-{la9BfR%`Ja+bp+4_l>h)GM>q;sta=eg4%~}Tvf$RI2Jx7dBQ3<wo*x~OnW=S6%rZRv*#h@ES|@c+xhV7`Z5`PoreA^"
    "p-d<^?eUL;N-B*NY=grl0*0mIdy#tRwsk6bRjfMOT~i*AYdC1QAw8L24{sMqoD3(!Y0_|?np%5)x_H9yX#{5xTpSYIm-0L)Qq(dj"
    "80U(`RhqHO2;r;tO6JIZ@?=yMW>+%T;f@EEFv}cUj?d(bMyC|KsneaPIe4m{BatQ;ey?1vtYb&Aq&yWAHNs_vT;t+e6K_eT^Fy)T"
    "vRJv&nT%4NAUkj+7KKdJJ5Fy2*&3-SEAl)>HuS9GF1TCDF_TevI85KYk*l)5jACW3&=jy?wg~o5EWqO*q)h#G"
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


def test_init(learner):
    """how the two low-rank factors are initialised"""
    _check_choice(learner, "INIT")


def test_scaling(learner):
    """the constant that scales ΔWx"""
    _check_choice(learner, "SCALING")


def test_matrices(learner):
    """which weight matrices the main experiments adapt"""
    _check_letters(learner, "MATRICES")


def test_param_reduction(learner):
    """the trainable-parameter and GPU-memory savings on GPT-3 175B"""
    params, memory = _KEY["PARAM_REDUCTION"]["params"], _KEY["PARAM_REDUCTION"]["memory"]
    _check_value(learner, "PARAM_REDUCTION", params, rtol=0.05,
                 mistakes={"the paper's GPU-memory factor (not its trainable-parameter factor)": memory})
    _check_value(learner, "MEMORY_REDUCTION", memory, rtol=0.05,
                 mistakes={"the paper's trainable-parameter factor (not its GPU-memory factor)": params})


def test_true_statements(learner):
    """which statements about LoRA the paper supports"""
    _check_statements(learner, "TRUE_STATEMENTS")
