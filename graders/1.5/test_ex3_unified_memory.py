"""Grader for exercise 1.5.3 (quiz): unified memory vs explicit copies.

The answers follow the CUDA C++ Programming Guide (Unified Memory Programming: on-demand page migration and
oversubscription on devices with concurrentManagedAccess, i.e. Pascal and newer under Linux, versus
migration of everything at launch before Pascal; cudaMemPrefetchAsync and cudaMemAdvise) and its section
on overlapping data transfers with kernel execution, which needs page-locked host memory
(cudaMallocHost / cudaHostAlloc). Answers are sealed below.
"""

from __future__ import annotations

from gradelib import GradeFailure, answer, check_number, unseal

# The answers and feedback, sealed so that they are not plain text here.
_KEY = unseal(
    "c$}?OO>Y}F5dABJF0ldGz1xRE)<+^#wgp>G3j~EhaYtH0yX2PSN)dwm_r4jfJ{%{90zGJ<<&raR-g`6r)|)?#C*#HNQ}0H7>"
    "-i>G?;`$x>FHiy^_KiF{3v>V<EdTTQNZ{7c|}w#wb{twB`?pdbJnfZMWferRe7_)+odXfOsb~ZhrO~<nYPgPy29sA{NXoQ;J"
    ";6_wlPt-RZXB3B~x;++HWbUT06un6i1HN85lC&cgtP$4N()7ccdC`9YU#<4>`Yfg(_%k4gD;9Dk+CnOTu!YZ0h5u1g1_{cRt"
    "B}N4x7x2^ah>P!5v3M9lfr-nYu>n$!irbf1Rv7qzpgl;Vd?JCd!_;_{Z$7CvWG%pvcufq%a%DbRKA`*)<DOrM??uZzc*|1RG"
    "0op|~uR6;1NLhG)Q1@f9qshy4Wt)Mr)Zfpg5k3cuh@00-SD9{Y`Ak)w{d*+C?gwO{qJ92^hz{*FkqEWSOohcc@uEZ-=Sr<r2"
    "YObTvl`3qZE}WMGoKLNETcrs0x(zHhqyog+t^*Y8U?EpQ08pGnyxU_*&I^X*TT>pKc07FsFfk_Ck6nzN<+%u;4f|@{G}$IpL"
    "<M7{s3HO?-5H<iL9w-wo+%BCp%|&S+h2C7E}mY-ug{CYVthY-SUmrrY;SNk9E~Tvb2Y#8?)ZJkk1;<cqP8TK;{!gp0QBXaZ5"
    ")%WDpl&Olw^XBQO$=_Qn2R3=b3ezn@l?E%>;-D9t;^<5dSCF7k05nHi945Ryx?U7f$au;h+3P%yH`WgTdAo$=Q23&aSkeCn7"
    "q?V=1_&0y#8}O~2>jI3hQTcUM_GR!1hyk8<}FYG}V+_A@wi`j%J&?au86xNBGgO1eXnX4@Yiy+@CCWnC8E=tzQWbRc&gJb0*"
    "U#`Lj8Egz!#@Cdh8x>0_mMmlM=08<gQNsd1#II7h6E18xteNch^X>I6ch)hqAbv`?JmPvk}17By+0ig?)`vwsLr8c<pS<|%-"
    "zi#s8l|?_7-7uYSl$rM%mi3KK1*~NT3*l+2s}>n9;NK_G#Xay<pbf7w3`3w|*3m4h?@c}#e13d+dVU@MHJ?p~)5ZUF`Q(Xz6"
    "~s;{v<4io<4cU90`?akxEh%<AR~{f*4dRk&Ao`$p?HI#24_%%QP)_C{qsxZG}lDdUz+JS!0I=n71m$@W4nwdSgBjQxr?{wel"
    "yzfU_IPG(BSOe@gcF*U>LKhB$15eO2=r8_*2~SwzeA-1AR<Fff4$Lh)WLV-0?!pjh%JxhI#NSTXC*f0^#|v?c|(KA0Eb|*TH"
    "P|ILx=nX*O{=wN$`97TU1F|7Gzws*diH4ufM~MgzWl<n9^Fr=YB(G*ellr&UBH%w28^RF9asKTfyyFItJA{|nW72>A"
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


def test_prefetch(learner):
    """what cudaMemPrefetchAsync does"""
    check_choice(learner, "PREFETCH")


def test_first_touch(learner):
    """a kernel's first touch of managed memory on Pascal and newer"""
    check_choice(learner, "FIRST_TOUCH")


def test_true_statements(learner):
    """transfers, pointers, oversubscription, overlap, synchronisation and hints"""
    check_statements(learner, "TRUE_STATEMENTS")


def test_favours_explicit(learner):
    """when explicit copies are the better tool"""
    check_choice(learner, "FAVOURS_EXPLICIT")


def test_pinned_alloc(learner):
    """the call that allocates page-locked host memory"""
    check_token(learner, "PINNED_ALLOC")
