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
from gradelib.quiz import quiz_checks

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


check_choice, check_statements, check_token, check_token_set, check_value = quiz_checks(_KEY)


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
