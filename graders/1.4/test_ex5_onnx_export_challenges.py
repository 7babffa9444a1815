"""Grader for exercise 1.4.5 (quiz): the challenges of exporting PyTorch models to ONNX.

Checked against what the tools do. In torch 2.13 here: torch.jit.trace (what the TorchScript ONNX
exporter runs) records only the branch taken and warns "Converting a tensor to a Python boolean might
cause the trace to be incorrect"; torch.export.export raises a data-dependent guard error on the same
model (GuardOnDataDependentSymNode). The rest follows the ONNX and PyTorch documentation: fixed input
shapes without dynamic_axes / dynamic_shapes, opset versioning, custom-op translation, initializers and
the 2 GB protobuf limit that forces external data. Answers are sealed below.
"""

from __future__ import annotations

from gradelib import GradeFailure, answer, check_number, unseal
from gradelib.quiz import quiz_checks

# The answers and feedback, sealed so that they are not plain text here.
_KEY = unseal(
    "c$}?PO>f&c5dA9yUD5(sFWT+NJrs)VwgFlva8xvlATTJ2vbdH=fu!QNLH_%`AuWFd#U6sa$d*VA-@Nx`Mo&q$NGG%D@?w$BC"
    "ts5>Jtd~|%4moGcZo>ODarX#@TE-daTVHaq{Vt%siZ7(QLMwuf*)sA6iTni%EH*vk*_70PFfKH<5qYQh3`evY{?2um9b%yd="
    "zchNK(4%{YMgXz4f)xq$<KykeAwF>w{=|Y;q*|pYXE8av{%YQ!Bjf<MHPtbV*u1NDCyQsAWX5vZAX=I4sj;McR~d6f<P#*pL"
    "}p)Hj7yod=@MSdR#$!Ry+1s)TB&mR62QdFrgv9-)YHmiDKxnlpcMHZd9pd%oG@_U4dMZcHPApjE5dQz3dM13CsTd1uZvfIpD"
    "v&)$YyR*b>uQIrB`=f>B3f~ms0yU+zPBG=mo^?>~`gE3vr=eM-zwO1|F&|u!l6Gjju3dVE>wTyM6<oOw=&2F!+7TGIZQvBW}"
    "o@pLMcn5l2CkrJS1v(tW)E+>C_NDORk5YD0mw1XKb*UIakip6d1Ulwz)l28t2}Mmg%!QxYG;krC417V$U@td{s9z!p0w93$H"
    "Mwn@n?@DUaqc4@wMV*^vV)9%IEJ;UPCVP|hOul-PaCUz5V(zz<B^=iYt#(xg=w0GDcx!G`SO+vInDmJI{pcyrbo(KEn2W39("
    "RV>S4Bw69oO!egKod@40T}+?mBakb#k@nP^r9-3lDKh_)$B>jOn83;l4vPo_H1v7weNSAYmnxcK+m?QWlM{Fmc#}I)d<$Y_C"
    "IQ3cU?1A80>0WM~(=_^?bT%H5&SLQr!@`1J32`u%dUOmAm5%XIN25;u@~m+WX;GHroyoa_0-Z^o=iMAU1!-Js@3*i{cAd@xa"
    "Thtc|RaOKb;f7hGFTpg;wCTrRV^-svgGyy=Yil<|mOZhksOV7yUD3P15>Ggl75@~r&G7;=(=td|cFV+Fu(dtySWb%K|@f>wS"
    "p&lF((OxgEva5?9pO@b*zh7p{FBhj^-(yRwT!_xt?~)JnhQaj!{MUPGRIB`3sQ&?3+$Hbu@7?`92hJ8hX3Lu_&1T<c^X%qD5"
    "hdxxWI9WZ>*g*=`F_He*`5>^UQAzdV>&1OQngV|C7Uv|3mqGCiz;tIlRxZ*6N6v_n?qw5bPpE32+(#>Djt8a+Zm0DF)jEDQ+"
    "JqpI6#5ijpVW8#^{rnWU;5c>^WgfcUE>NrntJRf(D)FQ%rm}G57tT6&-pMW-THGtL`TWn=oM9j~0ZqreD>lwiWb}T(W4s+BN"
    "Yzfx!U*9EYACOboL2;k3z3xjlL}Aeu6wsj4bG(cGe~mW?|nOo#C4!TGzsZ6hZ<>wp6&@VFe_YPMr=xB)3cw?&IX+P#Y(EX*n"
    ">p;%(>Q&j&*?LhTNX^bZfvR}c+r$Wb16Tu}6>{>Kox`iSS>j0XYhxkFzS>sLKSJAlKdY=CUyXQ`<"
)


check_choice, check_statements, check_token, check_token_set, check_value = quiz_checks(_KEY)


def test_traced_branch(learner):
    """tracing a data-dependent if records one branch"""
    check_choice(learner, "TRACED_BRANCH")


def test_torch_export_branch(learner):
    """torch.export refuses a data-dependent if"""
    check_choice(learner, "EXPORT_BRANCH")


def test_fixed_batch(learner):
    """without dynamic axes the example's shape is baked in"""
    check_choice(learner, "FIXED_BATCH")


def test_dynamic_arguments(learner):
    """the arguments that mark dimensions as dynamic"""
    check_token(learner, "DYNAMIC_AXES_ARG")
    check_token(learner, "DYNAMIC_SHAPES_ARG")


def test_protobuf_limit(learner):
    """the protobuf size limit that forces external weights"""
    check_value(learner, "PROTOBUF_LIMIT_GB")


def test_true_statements(learner):
    """opsets, custom ops, preprocessing, numerics and weights"""
    check_statements(learner, "TRUE_STATEMENTS")
