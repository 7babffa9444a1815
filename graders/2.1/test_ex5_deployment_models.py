"""Grader for exercise 2.1.5 (quiz): deployment models and their trade-offs.

Scenario matching (Build-Your-Own, Integrated Deployment, Inference-as-a-Service), two orderings (control;
time to a first production request), a cost break-even and the utilization it implies (computed here from
the stated prices and throughput, within 1 %), and five true/false statements. Expected answers and
explanations are sealed.
"""

from __future__ import annotations

from gradelib import GradeFailure, answer, unseal

_KEY = unseal(
    "c${rkYi}Y)5d14GbW&^yFn%Xk`G5^MS#b_OaH2~Tp<%aSN9@j!nOSq><o}-P8D4hm4~AtPT~%G(z26%T$K&6I{lQ(MOWzv`|Nm-CR<_ZkMqdR*p-_P;wIX8!m8@Qvbns-ChH_cY*aXK-QnV;lm|9m+U{#SaIc2pEwxT&Z!=<N8l_g;ZUDvwITVHMMTEnI3(zM1xW^s`%o9W3e*r}kcQ6)`km$PX%{syK=1gMqrg7D5Rn^c>H<6LJ!O-iQV)O4z|7~fdZX6lp=uFgX3n0&x$7mKpMj!nkYyT7G_1sEbE1v_Wc6taajGd!-5@F7iw_k?{&NV0^)1fI!yE_lF(veMQ$sVuX#2@!^9RoR@uZBpYW$Z6D!^POTMif8vCA?1XsgY}RL&t1CRhM+z#O1r8cc@v3Ys&t-%^UNVuo?zws8N4Z!nMEGh%<`3g@Y{SyB%c+W*Cm)6=G@1P%fgmXs%#FKXoWlxF3NrPUFK3mev^`3qDpou`hvVES5OUV=Hd}&Uv$n6C`9%QiCAxt{QJ7X2?b<Hjf_)-=?7BZ6xMp7rVWrv9>Z$EiIm~6v~Dh|OC1Ue(I*0Yqr^t)MDd;Ak+0`+O4@&{JwUwz!NbY;X82|FIJ_GVANzwx0l8KFE!ZfIFu6%4r-SH=|9KoHLydTvI+V>@tpOZao)sTM5~JR39NkjBrCLw>3O<~UpY8{P{yx%8#@<2|{BojaVut3tigH2OSQ^P8UR8|pUtN7<=42$b_Q3)YV?C*CV8VQ15%KChy>u!o(K6WiCg}>N@VTEExudd12kYc<s@<j-AI`?tkAvQ?<H7HPFGBCMb9Q_Y|Jv!}yovS(!N=kUkDIUyCSn*s7%d#MLMzds8=s>)3*~@;K6Tm`o!A{JU6#n#T8g&lHDkj#E4N)cR`V9Wuo3Gl3uGfzDUx2m<e%@KX@VPw|EX2!w{hgRE}gW`JM`(Opl@_}+M$AeeseIh9-`%1%7-Sa?coG`+q&9~*Qm$&_<3}Dcl&2=bUTcKblR7f#}}QmpH6=~Nnh52NCOx2pEX*$g7s7;o<vE8C4)*Q%6=SsqEv7?f#kfW-%r>C*kq@~i!D*rf_N#DL{=jmcp>^qI*dw83G1=>`vuHE2gl9xPG_z4k>Bd_jZT{vSnx;1;fC(Tc=Y%@82{3{dm8Kp8QMN3Q{&^ph_d^ga@{B~T5(z0r6+h~CSwiUwe;AaD~>z-W;pB(q;;Stbd6SlJwOkVKHa!27ztHKGlezqqmz|&b#2F%3<4cu$h|RxuHYrWA6is;KfIEEQ)4ApuWK~5`zvW@qPAo&)Fw^ui3*ueXcC-gg8nzQAql>o4STa>&25A$3q2Fqac*G9=Q?rNfKM|Cz6tB!qXr69P<zgkmZ=_O5^uDUN<O&$I+W<U-gbz46p&&r%Z5FFZ%58Xlu?S*iqfWXi0>(QNvXr06lg0l+R`Y9V4zjXPMiY=*0kgm1#c7!fXJo$?7Gb%h95vC2Sf&VGcr-lO<l`ec>ND-Pb1m"
)

MODELS = {"byo", "integrated", "iaas"}
GPU_PER_HOUR, HOURS, API_PER_MILLION, TOKENS_PER_S = 2.50, 730, 0.60, 1500


def _break_even() -> float:
    return GPU_PER_HOUR * HOURS / (API_PER_MILLION / 1e6)


def test_q1_model_per_organization(learner):
    """Q1: the deployment model that suits each organization"""
    _check_mapping(learner, "Q1_MODEL", _KEY["Q1_MODEL"], MODELS)


def _check_order(learner, name):
    right, why = _KEY[name]
    got = answer(learner, name)
    if not isinstance(got, (list, tuple)) or sorted(_norm(v) for v in got) != sorted(MODELS):
        raise GradeFailure(f"{name} should be a list holding each of {sorted(MODELS)} once, got {got!r}")
    if [_norm(v) for v in got] != right:
        raise GradeFailure(f"{name}: {got!r} is not the right order. {why}")


def test_q2_control_order(learner):
    """Q2: from the most control to the least"""
    _check_order(learner, "Q2_CONTROL_ORDER")


def test_q3_speed_order(learner):
    """Q3: from the fastest first production request to the slowest"""
    _check_order(learner, "Q3_SPEED_ORDER")


def _check_with_hint(value, exp, name, mistakes, hint):
    """Within 1 % (relative); a wrong answer is explained without showing the expected number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise GradeFailure(f"{name} should be a number, got {value!r}")
    if abs(value - exp) <= 0.01 * abs(exp):
        return
    for description, wrong in mistakes.items():
        if abs(value - wrong) <= 0.01 * abs(wrong):
            raise GradeFailure(f"{name}: {value:.6g} is not right. This is what {description} gives.")
    raise GradeFailure(f"{name}: {value:.6g} is not within 1 % of the right value. {hint}")


def test_q4_break_even(learner):
    """Q4: monthly tokens at which a dedicated GPU costs the same as the API"""
    exp = _break_even()
    _check_with_hint(answer(learner, "Q4_BREAK_EVEN"), exp, "Q4_BREAK_EVEN (tokens per month)",
                     {"a price per thousand tokens instead of per million": exp / 1000,
                      "a 720-hour month instead of the stated 730 hours": GPU_PER_HOUR * 720 / (API_PER_MILLION / 1e6)},
                     _KEY["Q4_BREAK_EVEN"][1]["generic"])


def test_q5_utilization(learner):
    """Q5: the fraction of the GPU's monthly capacity used at break-even"""
    exp = _break_even() / (TOKENS_PER_S * HOURS * 3600)
    _check_with_hint(answer(learner, "Q5_UTILIZATION"), exp, "Q5_UTILIZATION (a fraction)",
                     {"a percentage instead of a fraction between 0 and 1": exp * 100},
                     _KEY["Q5_UTILIZATION"][1]["generic"])


def test_q6_true_false(learner):
    """Q6: five statements about cost and control"""
    _check_mapping(learner, "Q6_TRUE_FALSE", _KEY["Q6_TRUE_FALSE"])


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
