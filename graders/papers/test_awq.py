"""Grader for the paper quiz paper.awq: AWQ (Lin et al., 2023).

The paper: "AWQ: Activation-aware Weight Quantization for LLM Compression and Acceleration" (Lin et al.,
2023).

Every answer, and an explanation for each common wrong answer, is sealed in ``_SEALED``; no message prints
the right answer (sets of statements are reported as a count of misjudged ones). Each test is one question
of the stub.

Probes: salient channels picked by weight magnitude, gradients or GPTQ-style Hessians; keeping salient
weights in FP16 or at more bits (the motivating experiment, not the method); SmoothQuant's factor in place
of AWQ's search; learned scales; a fixed hand-picked factor; AWQ as W8A8; "the larger s, the better".
"""

from __future__ import annotations

import numbers

from gradelib import GradeFailure, answer, check_number, unseal

# The answer key, sealed: {question: {options, answer, why (wrong answer -> explanation),
# where (what to re-read)}}.
_SEALED = (
    "c$~FW?`soH5dK$&z>5_wO0A02PoYFC)LNTJ5fPcYo7^qE+r4*puW6M2?>@7awuxF4t6!Gv&Cajqd1mr;G@Be9PLJoGU!6`4=7(>O"
    "NBi`3<hp2_4fy?W#G{NxxgLcc<>(VmwqYqA_QAZYSIIBeFR>QtxD)>%Q0I(|WCF#SBQdpoQB!ESX~fgQbD?=C^oxZlBn(OJ9iqHv"
    "h^y3*c+ogB8LWGcc4_CZ?Yz4%wxXk>H}tM&8_gF^_IyPrUV`{!-u;he+!#UHGci>i!^0GIK>OgsuTjP!-$9*kLd{!EQuIaw$t8Me"
    "R_GJWvMp(0Y#GQz%GnDHxx}ciYqr#x;#_MjaIw<BA(DraYj1d%oV}yMwOt<(+&Zc}m)ca=*O-W?Nzpt^ITz;ur{gN&al?a#=)>S1"
    "q;R$zJ71y(V;9c1H;)t8LwdYx)~F}W1i|siSfSg7wJh|6sw*}&#DB@!$?4nq^pB?FXOwZgZtGf~t&8RY1)&7F#3$3DgamOdO@|hX"
    "qK8UX8RdPX)?7+C?z|KxB;7{mxe^UpvoDuGWeluT%-TwpgrMnKiM1<<FPurD*ci8=rWBcOBS+^lTGj^B@}qw)1%p_v@{Y_~8YtbM"
    "f#^Y(cIv#UQ^v8^>s|Ccp`8=&qTb>29Xm?jq!_SscFbA;%?doS)q36zCP&lHv+3mY;Pv0wYy(cS*11?GA%VS+Zd%>~)8~9fEtf)2"
    "H=VthyvWdXBtY;WY|YhgO%DTDOpJ~ym>J@y$PDn5tRRux;&z5}X`HPfFSn&Iw%n|O2}3b38lVUGxmmON_wmox1^B2v24P<$kdQp!"
    "iKLA4)AyifKABJ7;7@3lpe|ew?d;RDO*TI6X0(^lvrikGJh_Gvlq^$4V`s7C8n+zhkmdiIlfH9!Jl}ha<LSef#5YBQzQ`*qBYJhR"
    "`&@B<I^f>0$4mumM5EhFd#SwZI~`ZPG;QCexmuc7>j<cQD_@AxDKlz-Jal8NIm#$F_#!7(aVw?asEL-&pDTZNud@4aalHd>_Y0_p"
    "c=~R1b@dGfB&c8"
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


def test_salient_fraction(learner):
    """what fraction of weight channels is salient"""
    _check_choice(learner, "SALIENT_FRACTION")


def test_saliency(learner):
    """how the salient channels are identified"""
    _check_choice(learner, "SALIENCY")


def test_protection(learner):
    """how AWQ's final method protects the salient channels"""
    _check_choice(learner, "PROTECTION")


def test_scale_search(learner):
    """how AWQ chooses the scaling factors"""
    _check_choice(learner, "SCALE_SEARCH")


def test_true_statements(learner):
    """which statements about AWQ the paper supports"""
    _check_statements(learner, "TRUE_STATEMENTS")
