"""Grader for the paper quiz paper.smoothquant: SmoothQuant (Xiao et al., 2022).

The paper: "SmoothQuant: Accurate and Efficient Post-Training Quantization for Large Language Models" (Xiao
et al., 2022).

Every answer, and an explanation for each common wrong answer, is sealed in ``_SEALED``; no message prints
the right answer (numbers go through ``check_number(..., reveal=False)``; sets of statements are reported
as a count of misjudged ones). The smoothing factor is computed from the paper's formula on the numbers of
the question. Each test is one question of the stub.

Probes: the difficulty migrated the wrong way, or outliers kept in FP16 (LLM.int8()); weight-only 4-bit
(GPTQ/AWQ) or weight-only INT8 for SmoothQuant's target; the factor upside down, with the exponents
swapped, or with alpha = 0.5 instead of the given alpha; alpha = 1, 0 or a larger value as the default;
factors recomputed per batch; quantization-aware training.
"""

from __future__ import annotations

import numbers

from gradelib import GradeFailure, answer, check_number, unseal

# The answer key, sealed: {question: {options, answer, why (wrong answer -> explanation),
# where (what to re-read)}}.
_SEALED = (
    "c$}?MOHbo45dJHpTo$AjEz3h__f$cFN~O=BJs^bKWYUb9*ui!PUBrLi8K*_97VU{k5<8x6zQ_12x*E*-m+@dcihjadWGYWaJN|x%"
    "RMdfJA&*2JY4pfXrCo!T|F^%Jd>!f*vSYEE<e03W$tlUfWZ-iI-<a^ORD~8Y(y0SfZVleRbFH+eKL|>vo2p#dwC%}=E5wTQ5=`w2"
    "LhFDuTu+YAfgB8ncSofC#lhh>2PM5?+N~@m<X8Ztn3%FMjzrEcn3u-*d@9{QFkN6&DsSl(%DV7W6_lu;9grzmEY{L&Fp4i)@ysUF"
    "(9(u;Oth*{3nfP>vLq&7kVa*pP;0auSfFnZHISE6RqcaJSv5$@+`H&KScnz{evU~1K7oT7z7RIz;Iwt9ZFxmmMhVkh9|ovx#c2SV"
    "aFB!fmn7Np>l)22oOT!F#c+}D(EAWb1~-#<8d&sxPd@_NEfnvdK=p$EwR;okUPzp1WjNf>)^O#DM})P$v_3rVn$j4%0w*)3eA{z{"
    "R%78HQJOP=+F`oyw6IYN=PhG?V&wd8JdSS%qnoGe-eo+V1z-M&>9iA6A(IK~%-GhVAVW;b7@jxVn6LWRz58MO)EiE2djatyfbU0V"
    "pUuIhL8Yt*UhYpHlSjSudBBcm_x-1N+>85n{ZTv*=!vPd=dbhKs2`3y@S`Kh=Z`y?pKMKO89PuG*}Z}m+znGsJCn&47EYB_fsiV%"
    "f^(TEQa-_1ZEm^c(KWSe?||f}tSZsV<(2btW;^}N;4BE<xt$WYRixR!Zf21Ijq}~@)?V^oczfRe0z###z5"
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


def test_direction(learner):
    """which way SmoothQuant migrates the quantization difficulty"""
    _check_choice(learner, "DIRECTION")


def test_precision(learner):
    """the precision SmoothQuant targets"""
    _check_choice(learner, "PRECISION")


def test_smoothing_factor(learner):
    """the per-channel smoothing factor for given maxima and alpha"""
    x_max, w_max, alpha = 16.0, 0.25, 0.75
    s = x_max**alpha / w_max ** (1 - alpha)
    _check_value(learner, "SMOOTHING_FACTOR", s, rtol=1e-3, mistakes={
        "the factor upside down (1 / s_j)": 1 / s,
        "the exponents swapped, max|X_j|^(1 - alpha) / max|W_j|^alpha": x_max ** (1 - alpha) / w_max**alpha,
        "alpha = 0.5 instead of the alpha of the question": (x_max / w_max) ** 0.5,
        "the weights' maximum over the activations' maximum": w_max**alpha / x_max ** (1 - alpha),
        "the activations' maximum alone (alpha = 1)": x_max,
    })


def test_default_alpha(learner):
    """the migration strength the paper uses for most models"""
    _check_value(learner, "DEFAULT_ALPHA", _KEY["DEFAULT_ALPHA"]["answer"], atol=0.01, mistakes={
        "alpha = 1, which moves ALL of the difficulty onto the weights,": 1.0,
        "alpha = 0, which leaves all of the difficulty with the activations,": 0.0,
        "a larger alpha, which the paper keeps for models whose activation outliers are harder,": 0.75,
    })


def test_true_statements(learner):
    """which statements about SmoothQuant the paper supports"""
    _check_statements(learner, "TRUE_STATEMENTS")
