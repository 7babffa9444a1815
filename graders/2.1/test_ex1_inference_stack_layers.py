"""Grader for exercise 2.1.1 (quiz): the five layers of the inference stack.

Matching twelve concrete functions to their layer, ordering the layers, one computed answer (prefill
tokens left after a block-granular prefix-cache hit: only full blocks are reused), and five true/false
statements. Expected answers and explanations are sealed.
"""

from __future__ import annotations

from gradelib import GradeFailure, answer, unseal

_KEY = unseal(
    "c$|$^ZBH9V5dJG8e~D2I2^1ogs2?H%RTQFtLt0f)h1Pd-_Qrd=mwmBuBmR45X7|hiA?X){Z|~-Lo_Tp@zl|>Uug_oqeL5W-!?%&5zn@17<?FTbIGVs{iZ*IHhd(Ypfps+oa2|ZJmLG0h^5E7M0{RvD06IWiAb7Qg%C%jJ2#rg&R#7{9EN2|3GA`8to<olWMs3jVjs79TnQ+jy@hU{0s+cm9*LBU9oue-s?^;mMV)VLV)OTry-eMGf)dK0u0cOwTeo$zYRdZ}f;Sj%i0{@Bv)wt3XLTA!kTMDfr;7#WO!P=Fswb~=7=kqQ>bb=g+OPvgQCfO+;!8QMb&iGExPG(gLE3||wY)%~4CAkz}tnF@N^n4L_V5VZV;4~3j?JUA<lPi+w^%i@|SS3yspR`m|lhbs5{+>CZM@u3zRz}AM=w~Tl4a(N=H7SbxFa26FVMDc{2H|K?`8h_Z_Y93AP9-PbgMslC+Ti^3YL|{Du%f?3c_Y}%)peyPnYkxZV2vR<&opA>CUur5Y=W>_DU-Mr8fub2O-65Z9vgkrcj&u6LBi$2KMU~1&0t(nQt>8&Cjcz)^GERS-HOpE#LT#A8Ax7SBU+K#V(a{70w>%5g;1@-Qu?&Vy(@NxSqO}GiKmTG-rCS%C9}tbJL>o@atf=3qlP149y_Bel{;%=oT_(~3{#1ci+XPygiARtJrCozk=QKpL1HK*<*%8*EJZn~vC@HK^g~WzICXnFB0xVB@DZ&HY^@uqb%dq1wG_qUS1L~oEa&dHbIyo`s4c}F^Z02QIelLq8P^G?sdp}E^4yv;`gX1BxPXqPvUbKOpFy`~)T8Fm%P0I`N}qE4)RDdQ&Gv?B;x;nF9O-V1pK*sB|9tc_rg@mmGo=M=n>j~*%jr|rQ87GOY6?^iac7*DGL^Rn;eVXSTSB@#xc)GGBm3a<{fs_N!JQ!t=cA|1LeAKz#bz)nL%BMZdh}r@d}fF4EmXz8VmaimAK68}fmrA8#clhF(eab~0Zn*_R3<QbMJPHemlTPW@j{u%Gm02p_mk0)=-ei}5Z9D{!Xemg!siY{uH@yf*B8^%v$yBxoY15FmlImENBal#OEyYoyKsgl!<r2=$(Uj+d4R))3fmR~ARUHk0Ea|!NsbBQ{mIec3-}#=dkHtN{}O(I!yV~8YK*LN7;^$aOn4)&h$k9D`lEAuT)Tr8M}-;*EQ4O&g0+qd(k~GUZ5>~Im*YT$0Oc$T!amV`i10`v6)i4uXi2E#KP(5!C99V@&@rJ|>`mU7z0s}Y{_y&0`swug?DhG_)4Tf(bujXMqF)K5f(W*5h4=N+K#R}i4#|kG0BP{Z8B^@o7x`f!P&uAU#ce@uLl3bVTxc3)0*Y%S>7yByW~Pjyo+iEI-Qu&M;$`N;z#&B;uP_Q-2+Qm%f-D;#NL5P%=AGcNI1TkW4LvDrwbd;xYI>PFqg6NkPZ2n{`;`1#-MhYYMln;x_peN9OYy<YN4l8nCHF;|4&GMxFHWi^1yKhH*m#s%;ozRrC+n|;CQXm6O|F}=C(69>ZAYfD<_pi0bDO1?E71>bIwb=a-`lE$sp_%;3;H-W?j*07Non7mS42>D?CxQyaIUu}{#d4+ZXA}kytDb@GTTIPj@#S+0P=|hv;"
)

LAYERS = {"hardware", "infrastructure", "engine", "kv_cache", "routing"}


def test_q1_layer_of_each_function(learner):
    """Q1: twelve functions matched to their layer"""
    _check_mapping(learner, "Q1_LAYER", _KEY["Q1_LAYER"], LAYERS)


def test_q2_order(learner):
    """Q2: the layers from the metal up"""
    right, why = _KEY["Q2_ORDER"]
    got = answer(learner, "Q2_ORDER")
    if not isinstance(got, (list, tuple)) or len(got) != 5:
        raise GradeFailure(f"Q2_ORDER should be a list of the five short names, got {got!r}")
    norm = [_norm(v) for v in got]
    if sorted(norm) != sorted(LAYERS):
        raise GradeFailure(f"Q2_ORDER should hold each of {sorted(LAYERS)} exactly once, got {got!r}")
    if norm != right:
        raise GradeFailure(f"Q2_ORDER: {got!r} is not the right order. {why}")


def test_q3_prefill_tokens(learner):
    """Q3: prompt tokens left to prefill after a block-granular cache hit"""
    right, wrongs = _KEY["Q3_PREFILL"]
    got = answer(learner, "Q3_PREFILL")
    if isinstance(got, bool) or not isinstance(got, (int, float)) or got != int(got):
        raise GradeFailure(f"Q3_PREFILL should be a whole number of tokens, got {got!r}")
    if int(got) != right:
        raise GradeFailure(f"Q3_PREFILL: {int(got)} is not right. " + wrongs.get(str(int(got)), "Count the cached "
                           "full blocks of the system prompt and subtract their tokens from the whole prompt."))


def test_q4_true_false(learner):
    """Q4: five statements about the layers"""
    _check_mapping(learner, "Q4_TRUE_FALSE", _KEY["Q4_TRUE_FALSE"])


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
