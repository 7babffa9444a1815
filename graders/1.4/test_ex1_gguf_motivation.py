"""Grader for exercise 1.4.1 (quiz): why GGUF replaced GGML.

The answers follow the GGUF specification (ggml's docs/gguf.md: "Specification", "Standardized key-value
pairs", "Version History" and "Historical State of Affairs"). They are sealed below, with a note for each
wrong choice that points at the part of the spec to reread.
"""

from __future__ import annotations

from gradelib import GradeFailure, answer, check_number, unseal
from gradelib.quiz import quiz_checks

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


check_choice, check_statements, check_token, check_token_set, check_value = quiz_checks(_KEY)


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
