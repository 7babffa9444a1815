"""Grader for exercise 1.4.6 (quiz): what trtexec does in ONNX -> TensorRT conversion.

The answers follow NVIDIA's trtexec README (samples/trtexec in the TensorRT repository) and trtexec --help:
it builds serialized engines from ONNX (--onnx, --saveEngine, --loadEngine), benchmarks them on random
inputs by default (--loadInputs for real ones), takes optimization profiles for dynamic shapes
(--minShapes/--optShapes/--maxShapes), treats --fp16 as an allowed precision "in addition to fp32", and in
INT8 mode without a calibration cache uses placeholder scales ("trtexec does not provide calibration
capability"). Flags are compared without dashes or "=value" and without case. Answers are sealed below.
"""

from __future__ import annotations

from gradelib import GradeFailure, answer, check_number, unseal

# The answers and feedback, sealed so that they are not plain text here.
_KEY = unseal(
    "c$|$?U2oe)5d13(zQ_S&6>Wi{kRJ*<mJ_3nEm%xbz$lC(xe^Z|?})pTWhU@{&+MH{D``;l<#69SGdsIqvQO{x;^C@zxVT-cv"
    "N?UpY#+2W9`pN5WmC#Z87dj->>rHE_&qzEr{gtqU8-suAD6NnT;M0J$Oq+ur?s;kDMPn6H-A%SYi{YpI#T4-BiF=cqYb|~BY"
    "x_w3)*aGITY4a4F#JXHLCB~cq(~q9ZzYmgB;?@%o_7FO8{RZPdwSZp}R$X@nL~5gC`xRw(QB+K)th%x@M|Wt4pVZ?wquttDE"
    "BY2rve)y8w(wcQCISmY;SWKlQDuxUp@`jy$fhpVAsk2pB2o4n(FgoUBz<?VPHHS&|V@i-sLO6GXIE1BryAR7sN;{_~?PJOC)"
    "$^}2<2z+h4kMH{F3hHCbe(=mm!?D-kdR{39xhs*2yT};rJy!%Y#Prt^rHrfOMc5UsJRG^nEo}M<`_OvrXbaKAaZB4hyBNO_G"
    "Cab{*?#8V-1&Fk6)rNxFvcO#fD;d=tq`|Rgry=a;G5vHRRNeqGkX+y97e7SYT2=pV#K%AyoH|yup!s*~Bt4*&Y^tVHZYw6#2"
    "E0^Fc1@*_mOX1YL0rAhmr2#t_aKpY55uyTRHK+)7oB=KERNCVhNR>={W-Y|?o5KAt|Hz}wJ=whVjhNG!)owDja94M1_u;BjR"
    "Y7DrFwwYx&ncI7tTgi8s!ClQe?b*;#n;155+R2$;<Nub#ll_arbfYuqyIm@nLaOeBUXu{QT|3B0Fvl_gOCMa~T#RVILpn^5j"
    "o;hFdU18B~q+Y^WR#g(Io!fHtP^-SVSUr%XFQM#iR50ND`N2$>EEF1fX4<E3hZXMv7k-Ccpix2!zRX)iX2T_73)eSuUdW!|A"
    "5Am~_Se<b9>%Wv@v(8k|HMv1&f=}VHr-n#9G=YSP;Y=Srk%>r;hO1h1yb*%!^HZhOA;O%k4Jd|3h;SxAcPuKm=zY#*RQDrM2"
    "FPGSuAcm@I9Sws3m&;#&LFK)2gCrFbKe8KOlYw2Nbn$JEOevqo-^SiIB?q8rLwnYnCZznJ;nh>>Secld1Kj^=sF?Sv)U6J~W"
    "R^Ve<Jji|_^#EieXZZUZd-CY10~mJlBP-x`2egPXv2mP1{EAV?k8tZN}9t}T*6MuYz|UL7kvH-TM<rr"
)


def _normal_choice(value) -> str | None:
    return value.strip().lower() if isinstance(value, str) else None


def check_choice(learner, name: str) -> None:
    spec = _KEY[name]
    value = answer(learner, name)
    got = _normal_choice(value)
    if got not in spec["options"]:
        listed = ", ".join(repr(o) for o in spec["options"])
        raise GradeFailure(f"{name} should be one of {listed} (a string), got {value!r}")
    if got != spec["answer"]:
        raise GradeFailure(f"{name} = {got!r} is not right. {spec['feedback'][got]}")


def _letters(value, options: str) -> set[str] | None:
    if isinstance(value, str):
        items = [c for c in value if not (c.isspace() or c in ",;")]
    elif isinstance(value, (set, frozenset, list, tuple)):
        items = list(value)
    else:
        return None
    if not all(isinstance(i, str) and len(i.strip()) == 1 for i in items):
        return None
    letters = {i.strip().upper() for i in items}
    return letters if letters <= set(options) else None


def check_statements(learner, name: str) -> None:
    spec = _KEY[name]
    value = answer(learner, name)
    letters = _letters(value, spec["options"])
    if letters is None:
        raise GradeFailure(
            f"{name} should be the set of letters of the TRUE statements, e.g. {{'A', 'C'}}, using only "
            f"{', '.join(spec['options'])}; got {value!r}"
        )
    wrong = sorted(letters ^ set(spec["answer"]))
    if wrong:
        notes = " ".join(f"[{w}] {spec['hints'][w]}" for w in wrong)
        raise GradeFailure(f"{name}: {len(wrong)} statement(s) judged wrongly: {', '.join(wrong)}. {notes}")


def _normal_token(value) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip().split("=")[0].strip().lstrip("-").lower()


def check_token(learner, name: str) -> None:
    spec = _KEY[name]
    value = answer(learner, name)
    got = _normal_token(value)
    if not got:
        raise GradeFailure(f"{name} should be a short string, got {value!r}")
    if got not in spec["answer"]:
        raise GradeFailure(f"{name} = {value!r} is not right. {spec['hint']}")


def check_token_set(learner, name: str) -> None:
    spec = _KEY[name]
    value = answer(learner, name)
    if isinstance(value, str) or not isinstance(value, (set, frozenset, list, tuple)):
        raise GradeFailure(f"{name} should be a set of strings, got {value!r}")
    got = {_normal_token(v) for v in value}
    if got != set(spec["answer"]):
        raise GradeFailure(f"{name} = {value!r} is not right. {spec['hint']}")


def check_value(learner, name: str) -> None:
    spec = _KEY[name]
    check_number(answer(learner, name), spec["answer"], name=name, rtol=0, atol=spec.get("atol", 0),
                 mistakes={k: v for k, v in spec.get("mistakes", [])})


def test_what_it_does(learner):
    """trtexec builds engines from ONNX and benchmarks them"""
    check_choice(learner, "WHAT_IT_DOES")


def test_engine_flags(learner):
    """the flags that save and load a serialized engine"""
    check_token(learner, "SAVE_FLAG")
    check_token(learner, "LOAD_FLAG")


def test_shape_flags(learner):
    """the three flags of a dynamic-shape optimization profile"""
    check_token_set(learner, "SHAPE_FLAGS")


def test_true_statements(learner):
    """portability, build-time optimisation, precision flags and benchmark inputs"""
    check_statements(learner, "TRUE_STATEMENTS")
