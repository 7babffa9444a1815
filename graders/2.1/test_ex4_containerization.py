"""Grader for exercise 2.1.4 (quiz): containerization of GPU inference services.

Where each piece of the GPU software stack lives (host, image, or injected by the NVIDIA Container
Toolkit), true/false statements about what Docker and Kubernetes actually do (shared kernel, CPU
architecture, mutable tags versus digests, the 64 MB default /dev/shm, driver compatibility, GPU limits,
layer caching, multi-stage builds), and three names from the real tools (the nvidia/cuda flavor with nvcc,
the docker run GPU option, the Kubernetes GPU resource). Expected answers and explanations are sealed.
"""

from __future__ import annotations

from gradelib import GradeFailure, answer, unseal

_KEY = unseal(
    "c$|G!?{C{S5dBvU{!$yTovmw&Ax43@PMQTvo8Rq+VK8Wlwm3_qMpAaYV*mTzk&+@e>%JtAMBcr7_uieq4sL&3e*X3R?tE}cUk3tze;?%5hryTz54obPaz+)DIlWVkv?tNNDs5I5YDUtUAhc1=lh1`y6mX40yztG@F?mZm@NI2;5JjOfvZgyo!enGrOknUpx)d8V9sB_dtB6ROKa~tBV^oD+$vP8L#4KxEE=7>}^Q0|g^+m`~93loj^zqZ>+2x!TEoyqOw%7t)X=@XFKajN50f<7n*wsn<Tp6whrMTb|PML5r@Rqv8<Jp`Xg6dMm5`i=)z<0uF<!RVd;=-6@{qAahKO*L@_R39sC8X*dKG@pP+KE!_t=rOGcv{uE0CyX~q@FUy13I89CXoU6Sj>*m-5f%0&6sWu57vP^2FEv$c&E*Vl-Z!r2qxwgRaIyyg0=><WU5joQ$_;UDXqj7-RxM3ImVz!BQ6@g&jq(=ixR+?Q<Z~kq+S&bGWD##W~VbPCcf05yu`h=vt_?6O=CgO7P)5eQ#fuSi|u*ehWz-V4!Y3c@S=?)MI~18)hIz)KQqC1HG}T@zLLiz*de*KTe9nK(l=5V11y*hR9AFy^GHHU<x!=DRs~4wE&$Cx0C4+q`Ed7mzI;Ewy6?F(xEi4bizoMSyR^530FeZqIjlN@*O_D1xeV`%j4`w7D5=gG_KUI2;hquKqVSyclCSy}D*7vP7L2r+iiKD_EVwqPO9!;Jb}Hr+u6*+fp>b|_;gD=h__x!+nh{2TVkqsYgl~v&0!}Z2p7g_|&!e9E8b%((CUH^LK|p6zS!jU?3amwm_$z$0JFtXK7`2aeC=-B?GL6Cl4S&Hbd-?j!>2x{;Fu^)(CP^%=kvV2ch5A>A_8u4iB=V@Lo&y_%XI6q)+CYBH{F6ciq3jRu=p<9S6Q7qcuv!ZgKch1d#FZ5p4<L+y*m3yw<6?0Yi?VgtIJ;-<57A7TOb}t>_1|cy!;`M$TNc5nXS}wb-MISC+0&mVu}M+lsJ3yCQxfc9YS?;{M+$JfOvZd#9L9#DNZmw^p*&n!@Py<}^?cY+2BV~=I`vl#qJg0{S<LM*p&<2Xp-T<x!+>dmOffx9HdQ_AvDjZ$nT?Rr&JxLr;IqrbA0ZNlFbK>UhkTajV-hNxdEzk``4x)(aCy;iyLsMhr)r<N4X+?pAr5%U6QN+mE8z;w1`MhqnF|9o&Ef*$;9RtJs#HAN7-X|X`5RLWL4$SGosY9T(gF*ss#$7E><&-E`_MpW@CfOw_sPLc{!~let7YE!5Xqqg-ai@7=t>t!C4weUE_QE{3L^z19fuH%!zj=%gz#xR3-TrZ8h||8J=rd;IQf2BzQ3A(y1t78IY#D*eBH)Mxz>f)@yJQzHue65_iBm-!m`Xaqc}pvA}~8CM-d-bfsDZQO29L@NGFe0cf`(TyItM}JYMLDuiIBkNQi-7MA(xFH0T-kXC3nY{|VClIvPWrNj9~i6oK#|4#VaV#cQeF{xHH^sw`_ODmSv)Um*<X_42o$@0WMy_t%eii}MKU*dy(tOF^kB>J7IugZzW$*bG~J2`rtg^V~N^Yq!3@#LZfx`tSIZTl_Bpf}7I"
)


def test_q1_host_image_or_injected(learner):
    """Q1: host, image, or injected by the NVIDIA Container Toolkit"""
    _check_mapping(learner, "Q1_WHERE", _KEY["Q1_WHERE"], {"host", "image", "injected"})


def test_q2_true_false(learner):
    """Q2: eight statements about Docker and Kubernetes"""
    _check_mapping(learner, "Q2_TRUE_FALSE", _KEY["Q2_TRUE_FALSE"])


def test_q3_cuda_image_flavor(learner):
    """Q3: the nvidia/cuda flavor that has nvcc"""
    right, why = _KEY["Q3_FLAVOR"]
    _check_choice(learner, "Q3_FLAVOR", right, {"base", "runtime", "devel"}, why)


def test_q4_docker_gpu_option(learner):
    """Q4: the docker run option that exposes GPUs"""
    right, why = _KEY["Q4_GPU_FLAG"]
    _check_choice(learner, "Q4_GPU_FLAG", right, {"--gpus", "--device", "--runtime", "--privileged"}, why)


def test_q5_kubernetes_gpu_resource(learner):
    """Q5: the resource name a pod requests for a GPU"""
    right, why = _KEY["Q5_K8S_RESOURCE"]
    _check_choice(learner, "Q5_K8S_RESOURCE", right, {"nvidia.com/gpu", "gpu", "nvidia/gpu", "cuda.nvidia.com/device"}, why)


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
