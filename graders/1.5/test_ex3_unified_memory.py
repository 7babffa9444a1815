"""Grader for exercise 1.5.3 (quiz): unified memory vs explicit copies.

The answers follow the CUDA C++ Programming Guide (Unified Memory Programming: on-demand page migration and
oversubscription on devices with concurrentManagedAccess, i.e. Pascal and newer under Linux, versus
migration of everything at launch before Pascal; cudaMemPrefetchAsync and cudaMemAdvise) and its section
on overlapping data transfers with kernel execution, which needs page-locked host memory
(cudaMallocHost / cudaHostAlloc). Answers are sealed below.
"""

from __future__ import annotations

from gradelib import GradeFailure, answer, check_number, unseal
from gradelib.quiz import quiz_checks

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


check_choice, check_statements, check_token, check_token_set, check_value = quiz_checks(_KEY)


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
