"""Grader for exercise 1.4.1 (quiz): why GGUF replaced GGML.

The answers follow the GGUF specification (ggml's docs/gguf.md: "Specification", "Standardized key-value
pairs", "Version History" and "Historical State of Affairs"). They are sealed below, with a note for each
wrong choice that points at the part of the spec to reread.
"""

from __future__ import annotations

from gradelib import GradeFailure, answer, check_number, unseal

# The answers and feedback, sealed so that they are not plain text here.
_KEY = unseal(
    "c%02u-%leq5dK$2`*Lj+q6!eY!ow**lA;o>f^brWP~_d6?7H#Vd$yO5JMq8w8*c&}r&em8`m#T4&&)U9d^7%<{Wkt%aegtGj"
    "IYO6XXEUczGkkC+S!2byG&&R%5r%W@+h-=Je3V=_So-tmds_Yid8aJvOJyMPN;Mo$ht^{Yg*4CP-GjNr&2|AOtEIlHxXx=E<"
    "_4ZZK%|qi)c2~1(h2nwT$ekX;gbcpF3rv{-OjM>5%N5#o3_0FnKP!LbirIR)83#z+LPuDzDmF?2?VqA#zD7kfPRwpe5R}i=A"
    "iUN5Pq**c2tST%2H;i!M4JD0D?FrpBm74U4t~cx?>nrZwEKjl@b$_@dSk`G`}vDqP9Kp2QtRI>k2%yGF-oc#mzVm8D!;<pEP"
    "|To(t(PL+ue98|RAHI7>_x7M)+#rVrT&YzG)DYUI*P15jI87jGjSGL85)=KgRZ%fiKQ00^f!|dq^pyt=N<HgN<G#}5#SM!@U"
    "LdZs^XXoQd_PY3Y*+~9R<uOjWsI`qDS&qc!qNmT9l9tXlD)vRIH!b^CdDSowA_)dR$Vxw=B2pNE*V%|;B|Rw9AyFYfl6Ssje"
    "@yFI#a>@3Z9ycZ>)DX>8V8Tb5^28ZkRMUV_@M_4e3#Cx2#y4l=g%F)SJH|%RIz2R%<!8EDqG6o6dFbI4vK21K(Qor%~oPH%*"
    "YaJ-xmKBh?RBgq=K`z5TaYLg_ixWsv0x=NuUJ!AuWdig#uaOo&FcX&H&+j#o<RGL`Y0QUQ}6eOl5v>g~~evfu!8eCGd=+l0F"
    "m(8h}9NU5kE{p#R9PN(><*%MVyqVHKphA9@wQ^BgKbPC10z`;qod!VHx2(xqaz4pM<Ro-QT7)KIsOnKPPy*P8vnNOVnl-+ec"
    "}3sgfW&i9=xy7J6Bm7O52Mgu}daNUq9OL1s)Wu-d@sg&y)Y$WARF0OCpi`i`S`(pC(dN!JWHw2{~f&uSk|Nb++8H8!+?JP`o"
    "TiBfiT{2YwWjdW*ZoyIwVWV5Oo6@_24lB=ihtHwY*qBZF5w^{0XGykeaxe-$#r?Lc(X*r5%lTq-c`?0`#_nhI4)(!5&NN_9t"
    "vIEMflsZfI1N?AJ^cBXBP4p4y&t49HQMT?Yo5m<P#U)mIQc#uJ37SY(c%5Q1pl<ZIQw;UHT~DOiu#VpT$WFDwVRKjYg^}WwP"
    "1+!y4=xl@Nxl+v9@{MK$1RgM`lVzRl1=3oebi4Z{~7{9+iLsAy&h-iuE3Duzo^e3h`^lgKa0+&X_%D8WbtqE!zToI{1$q{LR"
    "fOQYsv#V@Nvb!AWB!COY)f(V;-xWxfADqT}f=5<16r"
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


def test_key_difference(learner):
    """the key difference between GGJT and GGUF"""
    check_choice(learner, "KEY_DIFFERENCE")


def test_true_statements(learner):
    """what went wrong with GGML/GGMF/GGJT and what GGUF does instead"""
    check_statements(learner, "TRUE_STATEMENTS")


def test_first_mmap_format(learner):
    """the legacy format that first aligned tensors for mmap"""
    check_choice(learner, "FIRST_MMAP_FORMAT")


def test_default_alignment(learner):
    """the alignment to assume without general.alignment"""
    check_value(learner, "DEFAULT_ALIGNMENT")


def test_version_changes(learner):
    """what GGUF v2 and v3 changed"""
    check_choice(learner, "V2_CHANGE")
    check_choice(learner, "V3_CHANGE")
