"""Grader for exercise 1.4.7 (quiz): why TensorRT -> GGUF is not a usual conversion.

A TensorRT engine is a compiled plan for one GPU and TensorRT version (fused layers, chosen tactics,
re-laid-out weights, no tokenizer or model configuration, an undocumented format); GGUF files are made by
llama.cpp's convert_hf_to_gguf.py (formerly convert-hf-to-gguf.py) from the Hugging Face checkpoint, then
quantized with llama-quantize (formerly quantize). Both are end points of separate pipelines that start
from the original weights. Answers are sealed below.
"""

from __future__ import annotations

from gradelib import GradeFailure, answer, check_number, unseal

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
