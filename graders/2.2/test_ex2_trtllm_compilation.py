"""Grader for exercise 2.2.2 (quiz): TensorRT-LLM compilation versus Hugging Face's dynamic approach.

Matching eight properties to the compiled or the dynamic approach, true/false statements about what the
tools really do (FP8 needs compute capability 8.9+, the tensor-parallel layout is fixed at build time,
in-flight batching, no build step in generate(), torch.compile, per-architecture model definitions), the
build command and the Triton backend name. Expected answers and explanations are sealed.
"""

from __future__ import annotations

from gradelib import GradeFailure, answer, unseal

_KEY = unseal(
    "c${rk(N5zy6#bQ}zHBR%irL)<2A;|QJ7|G{8IX3hv#Q+WCb62>8QURrM)U7`uAQI&`vSF__?~<2Imi7myL-3!a{u?$`Rtf}%oP6qGs|q#>YDS}l4hr!u5)clQgqM8Tle{%*p%8Z&0FQXd=)At!=blsx1^$rd$roL^Ggc4k>!q^;o2`Ks2zL4UKj9x%Y}6u4=A+rfgFG9*oWh|HR2%Ew$7@oTFw3iq-_M5?~Q77CK%6E$&POK_ts?<xz70b`t3ec*5H(!NqN$Nv?pxvBfC9is;-ZTbJ-50Og^;n6yjIZd6supv^HbIz3u9pD)k7&7TAGy3wlC=mA&EanJ|!m!!i`nxe7e8LGz%ppfk_{SW-SHS8|{~ZXZYmlEd@(a>Tb|Zc}H4@?dYMo4=_WT&U~jAiZAbC)BPnhTzF}AP8JE>S?o8A*(iCf9GXfYtwdNQ?p4+&);MbE6dt+%_i6#S~{W9%1pPsw~4j}ym9WKk;F)zkn!t5U4qIut43zRm}t_83`UV>rvcR#R5;bJ$cb#rP6cf-(p>viAVUv@v&}eO@RSA$O4<{k!G^^~#VVI`d)Y|r#Df5_!S_BvEZ&f}exq|7;#<yip);Ag3_u11)%2h;Du5v46Lj?$?O;Kg#bYi$C%x9xutE<5J@S+u##g>3=?u@5WwM;%o)ko_181Rg5eq91nxNW|%t81|w90ryQR}n;2@W5(j@7QUvW~vc#_N1AoOQi&Ikn0UWK?ezjOQX^l<~|-eSKwXrqZdlis~q$Rg&RJb-^|uT0FEr84&UlXI&y+K*Yg6PZkFwNMMV44;VjD_3qcr{pW}C&Bgla%OsbA>mb$H#qAM=I3kSIp|WyLKSC9~4pp2qq6KDa)mGO!?CEIrp62UZEh5_Yt3#T9v@OanPOwAkcZb+HS{*K6ZBND;p5#oSYR>}`sp^5Ct!vCwydx74i{-+8GBG5Y4V>f4%o?aMNQw;^lVl~hc~H+BHAl4p7dd5i0GCzDlu0Z9Z?J4a%cVIeYF$=14J88t)^-S%=<+D0JSKoBY6w}0-_SEq=Nv;)9ONTR$3Y9Vg*MuY;{Xt04)p}F6)f5-9pqT3Xd;SOZ4yf(dmjfyU#JYqVI!mG`C^m<G*a)={01YCuT;za7~>dXP{1t#Zcj+15>G~_7t#})(7@DgKZ%`zl_1Vo4U!g7h>Ls@ub-%Qk~1n=CC2WO48&!7fj)<&DXXpAZj0D*samux=Snh<7vXbu{Q~-Ge$q*Wlel@7)Q~d=S6A21^G#`yvoIgsf##$~+nX`**0-0D_GqJNIz%~x(XMT6Qrt8;nhv3XORIM}K*{6XtL46v6^(aUwBT=>(}&Bev(1N3*VpTtvzQFid*#hNGjQxDKNMnPQ#Tky<Dh;dH6S7v(s+GR1qS~reQ`;~wEuK-^Vb4DCtl8TtobSkWv;fx1iR)St2OdR2=VknhLPzZ`R;y4;#}T;y4jqrKm2(<_8XzZCSw?axENOs*T>5yN32o8;W;Yet1v}|Ycr?$@Zp%gPLKXNlNrOag)Ud^HarFNDS-f&$>bZ+{P3#4{rMk<31B<"
)


def test_q1_compiled_or_dynamic(learner):
    """Q1: eight properties, compiled engine or eager framework"""
    _check_mapping(learner, "Q1_STYLE", _KEY["Q1_STYLE"], {"compiled", "dynamic"})


def test_q2_true_false(learner):
    """Q2: six statements about TensorRT-LLM and Hugging Face"""
    _check_mapping(learner, "Q2_TRUE_FALSE", _KEY["Q2_TRUE_FALSE"])


def test_q3_build_command(learner):
    """Q3: the command that builds TensorRT-LLM engines"""
    right, why = _KEY["Q3_BUILD_COMMAND"]
    _check_choice(learner, "Q3_BUILD_COMMAND", right, {"trtllm-build", "trtexec", "torch.compile", "optimum-cli"}, why)


def test_q4_triton_backend(learner):
    """Q4: the Triton backend that serves TensorRT-LLM engines"""
    right, why = _KEY["Q4_TRITON_BACKEND"]
    _check_choice(learner, "Q4_TRITON_BACKEND", right, {"tensorrtllm", "python", "onnxruntime", "pytorch"}, why)


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
