"""Grader for exercise 1.6.1 (quiz): Nsight Systems versus Nsight Compute.

Scenario matching (which tool first), Nsight Compute section identifiers as accepted by
``ncu --section``, true/false statements about what the tools really do (kernel replay, serialized launches,
OS runtime tracing, report extensions, kernel filters, nvprof's end of support at compute capability 8.0),
and the first tool of a profiling workflow. Expected answers and explanations are sealed.
"""

from __future__ import annotations

from gradelib import GradeFailure, answer, unseal

_KEY = unseal(
    "c$|e-U2oeq6#XlNUuFYVwsw0M66_((+M$?Nr*+Z}7>0nBD2X*isw8FAE%x7cE=kF<(~pNZmPC>FoO|xM*PmyvpFG^H*Q?nj`#j_L{AZ@!!OfOz_Q&l#lZ6tj;;myj@0=*u_P}m%zc+Trw!-&9Xy&}Y0#}=!8LbZZV4PtSFPf~Eg<xJbLP;&y{FRec?b#+gbc-vNZrqrr?Yv;hn4M$XV-LZ0!fK)Diia&OX8$6rZ45H+D8_fS@U^hh<<c=F8|h=PjcANTNR}@0bPE0p$4YA&CcR@dw?)q_-S4y)*0K4f6?lJLvK585WY(CH5G*dwB91ZTC&aDy!YbY}Q)0(f;wY|*6rLk?3R#xI3hhCi6}*Y$g-1ZcPDvWsdqkEKR&pgj;efRHk~srNNS4;dr<BBKVxYy8yz9J{Vh@}q&%2iE{15`A5Vp$XyT~KK5InD$70z@v7mTQq`Yf6s99xguIFWm4bUag>kh9{Q#%2^%EqIZTbH{G(f4^qew=V-;HqX0)$F+Y3Y>N<Ekm8`b38UYjEe26efj{GVhtz1KG)Mkh2q-}dDkXVDbv%L?mt_jHsSr@o*PxtuSapK<)!VzjndQ17A>`IL#~Q8=;PXQ#9L^^``LRg$QuLSSXy&vVYpp3IDl*Hw<+=EcNLuQ>|G0<;*He@mB*EASFP#Ni4OhbDQdbMA6n+MPl6|bDbFqVfzvA+DsDEXUzH80Z!N~+%o&dk)mEc>1i(I=7fk>^PwpbI(QESd~g)HLhA-c>m3KyC{aCr-+zF!>i{P!o`z-=2h2Yl{~cHhcuSiSKabw!`jd6^Tc|FF~Rrw^OwH+L`BuO>F>$RfxUun!$~hu}(SK{A<Gbgf9^ax|WaVtj2)SJk*pKsjY8ha-S8%0VmmZb=Cu$ia-(Ww4^t(u!U<mTwBfSb^Yq6e$0Ckv|JXz6wPiC{Be<&%RR2(dbmDOHk`$qp-3Fn?~1ga3naUsKB8}`U6@jc3R|Mw_>D$9>&+`a5_0|PKirNVDsn$loq#``WQ^RrFCKqWpk4537$TQ!HbifDeEEW)6Jt{#Q^&xbe?n`D7L&TWggJf#2rO2y3*>&lC7SGhlSWnm`Z{=0E{IxRM1dB6P|<Qetx)nbN~F|#r10Q{HQu_J8(-1XBwhFg_vpI@->feCoN4WK_&+tsIXh^#x7w+t2kUGxO=jep-&+kR4p__1qPxV-@`KkD)a&P3SA{&*gAnnd*rlJWqHGFhZL0D#u%M4J!XSW7sxopA7V|HFpP<yORn62@==dV`oMKxlNH9e5zQ4jdfr*|RjBqjo5ThSg7?x%a-%S#9Q#*tl8L?tlF4y{&!V+$2u|osd2p-wV8O;&AA6JIO$%=g^HJ106sU}@T$q87m7&E=G(2LR97atro-$Nw(LrO9Bn@vE+8#Yj^ToVX@K@8)8sscSQZSm}8sROZj!_GxmPrjlx*)WpYDg!K{P4ZmPO4!Hb5DGaalMtU!+Ez+JC+rOg}I|^TVwrk-r_CaB1!(he!ci9ysc0(_KLyn&mEnferd)k&r<_Q0{R7g&md)zGY$nArLhfWo&&r1P~aw@2PLKDd3Un9uc4Ak?(vx!Ht(gc4Ln(5=%cq<2%V}2f6#rW@ZXz&9cpt%iN&PlPpT7q1a609VfxgZ=9+BBenkI{_cOW|)e~l|==WnOj#8gzd3Y<{$U^3pEOXPFZYSI67%;7(28P%n{#fe6psZ09Mg?JAg@eC1UCqbe0VMxLP|J6Faj>vo9$vhBv$;E&3E;C32C*D%xdw$9N^5-iGTaZ9*6;(X4Dmhu<XDcwgF67THClce3d0VaBcOo0cxVyLNLOn7Z4iddfK`vP6dhNJe#9HzEKDOcHH#1_C?rh(16Ko+xB"
)

TOOLS = {"nsys", "ncu"}
SECTIONS = {"speedoflight", "occupancy", "launchstats", "warpstatestats", "memoryworkloadanalysis",
            "schedulerstats", "computeworkloadanalysis", "sourcecounters"}


def test_q1_tool_per_scenario(learner):
    """Q1: the right tool for each of ten profiling questions"""
    _check_mapping(learner, "Q1_TOOL", _KEY["Q1_TOOL"], TOOLS)


def test_q2_ncu_sections(learner):
    """Q2: which Nsight Compute section reports what"""
    _check_mapping(learner, "Q2_SECTION", _KEY["Q2_SECTION"], SECTIONS)


def test_q3_true_false(learner):
    """Q3: eight statements about what nsys and ncu actually do"""
    _check_mapping(learner, "Q3_TRUE_FALSE", _KEY["Q3_TRUE_FALSE"])


def test_q4_first_tool(learner):
    """Q4: the tool to run first on an end-to-end slowdown"""
    right, why = _KEY["Q4_FIRST"]
    _check_choice(learner, "Q4_FIRST", right, TOOLS, why)


# --- quiz helpers (private to this grader) ------------------------------------------------------


def _norm(value):
    # A list or dict where a string belongs compares as its text: a wrong answer, never a grader error.
    if isinstance(value, str):
        return value.strip().lower()
    return value if isinstance(value, (bool, int, float, type(None))) else repr(value)


def _check_mapping(learner, name: str, key: dict, choices=None) -> None:
    """``key`` maps each item to ``[right answer, why]``; answers are lower-case strings from ``choices``,
    or booleans when ``choices`` is None. Every wrong item is reported with its explanation."""
    value = answer(learner, name)
    if not isinstance(value, dict):
        raise GradeFailure(f"{name} should be a dict {{item: answer}}, got {type(value).__name__}: {value!r}"[:300])
    given = {_norm(str(k)): v for k, v in value.items()}
    missing = sorted(set(key) - set(given))
    extra = sorted(set(given) - set(key))
    if missing or extra:
        raise GradeFailure(f"{name} should have exactly the items {sorted(key)}; missing {missing}, unexpected {extra}")
    wrong = []
    for item in sorted(key):
        right, why = key[item]
        got = given[item]
        if choices is None:
            if not isinstance(got, bool):
                raise GradeFailure(f"{name}[{item!r}] should be True or False, got {got!r}")
        else:
            got = _norm(got)
            if got not in choices:
                raise GradeFailure(f"{name}[{item!r}] is {given[item]!r}: choose one of {sorted(choices)}")
        if got != right:
            wrong.append(f"({item}) {why}")
    if wrong:
        raise GradeFailure(f"{name}: {len(wrong)} of {len(key)} answers are wrong. " + " ".join(wrong))


def _check_choice(learner, name: str, right, choices, why: str, mistakes: dict | None = None) -> None:
    """One answer from ``choices`` (compared lower-case); ``mistakes`` maps a wrong answer to its explanation."""
    got = answer(learner, name)
    norm = _norm(got)
    if norm not in choices:
        raise GradeFailure(f"{name} is {got!r}: choose one of {sorted(choices)}")
    if norm != right:
        raise GradeFailure(f"{name}: {got!r} is not right. " + (mistakes or {}).get(norm, why))
