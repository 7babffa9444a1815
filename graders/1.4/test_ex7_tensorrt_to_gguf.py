"""Grader for exercise 1.4.7 (quiz): why TensorRT -> GGUF is not a usual conversion.

A TensorRT engine is a compiled plan for one GPU and TensorRT version (fused layers, chosen tactics,
re-laid-out weights, no tokenizer or model configuration, an undocumented format); GGUF files are made by
llama.cpp's convert_hf_to_gguf.py (formerly convert-hf-to-gguf.py) from the Hugging Face checkpoint, then
quantized with llama-quantize (formerly quantize). Both are end points of separate pipelines that start
from the original weights. Answers are sealed below.
"""

from __future__ import annotations

from gradelib import GradeFailure, answer, check_number, unseal
from gradelib.quiz import quiz_checks

# The answers and feedback, sealed so that they are not plain text here.
_KEY = unseal(
    "c$}40O>g5i5dA9yU+NUHfqtNe^bk0XlLn3LtmEu1HYkj-G?EBYq)JjX+(rI-XGnkTCYN3mhU9SGym|BdwKpBz&sK}c=xILdU"
    "BcI%ZG*DL^ZKQSy$pJ5`Q-8`dVld3jo*^v^K@Ji6>H2lF?cQ8cX!XX;DdGK;r5rGGr0ZfH$YRswJZV|Z=DD9uqCbKuL>Ui?$"
    "8AFFBK4WE%{+e%CBjS4G#0R1=kr5@$tqMq&-*zcaP5=g0;{eKi`Zpm{LHU!N*Q-&}1+i4ljlYIzM&23k22`<e=uX#)ev%io>"
    "C>uvMXEB$u$}Z9qq$RS22}WD12wl7*U}^BrnvFy~N#`TEMQkLR<Glf`m%yO>Y^FNy0nB%*AO43Mcf2h>&<9?H&Bk%6OuMpX="
    "K7nnX()l8jGo7dKpfekq$%#_wKU=n(=See`x_`z<-FwK1I;zp$M2M@V5rK&oI0{k8J)0Kb71&(!u3`xTO=&DLMyv3Xt1m&C7"
    "Diffe-pfu2Gw@i_zWWyubc3x2Vk*I4Bb|?jU`s&Q7`rvx2Ie_X9y&+Ab9cB=6dM;Iz<f6Q43)#S_NOk7AgD$#<@_@D+vpwN&"
    "bjZNx!gjDJ{*a1+}WaYavfnA^DmaL?vyTKzC^yU2eQ9y_++tq8ZYi2m#J@up1$<<RITcA73`|2x^md=BB|+MP?v*X2X7C~BH"
    "q6q)x+8gQtE@X8&FA@&N3@ZovhDhhFa?t&*Cm>LJl8yEC&NVcd8XpVA%H)zwKsJ21jY07cQIAes~_umiJ#KtL1$D@O{ZK=io"
    "5L0{*yu0~rruwAv>GC&ZC^4}CF(wKC`wcU;CXX(XkQxxS1FPZc*1a3l9jG@ED=qA-kZ0={F7@x*`lb@k_Jnu=L2o+qoP<!Cv"
    "XPG-xe@5Z(_x*p$5dgqh+(i_SD*YdeJ*5qU0D3+#JSX-$E6M|A{9tw1^gf)3pkUvgs|2P@Ls%rG`#|$bm<S;JJg%35?;97J{"
    "08gLi%HtTE33hK48={u!U@N#vP#M*I8r1!beyh=3BxEdz24$r3t|1ec+-Mto+Z|eCfzx`*BAGEM&x8-Si*I@c1eiPP{RxUAP"
    "3Xx-1Y<$)sa8z?SxTRtI`<ZBvDh2SRU()JCt?lk`aI7R9a}UZws3NyC>{pn_@s2UiMXs&T&&o%Nca-ooyJ(~5ki){q|bYYN("
    "K)PQ*phMsU6d@f0bu9qxVb%@z{1+RCjKbx#cBKX{uet-;w<Q?3)rLpBx@=%jELgh9qi3ZMcF@a(^42R{LsWu~%$Hum1slzL&"
    "K"
)


check_choice, check_statements, check_token, check_token_set, check_value = quiz_checks(_KEY)


def test_main_reason(learner):
    """an engine is a compiled, hardware-specific plan, not an interchange format"""
    check_choice(learner, "MAIN_REASON")


def test_convert_from(learner):
    """GGUF is made from the original checkpoint"""
    check_choice(learner, "CONVERT_FROM")


def test_llama_cpp_tools(learner):
    """the llama.cpp converter script and quantize tool"""
    check_token(learner, "CONVERTER_SCRIPT")
    check_token(learner, "QUANTIZE_TOOL")


def test_true_statements(learner):
    """what an engine lacks, and how the two pipelines relate"""
    check_statements(learner, "TRUE_STATEMENTS")
