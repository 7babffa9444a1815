"""Grader for exercise 1.5.4: warp execution efficiency of a divergent branch (CPU model).

Expected values come from the SIMT model in the stub (a warp runs each path that at least one active
thread takes; efficiency = lane-work / (32 * issued instructions), as Nsight Compute's warp execution
efficiency), computed here independently. Probes: both paths issued even when the warp agrees, only the
longer path issued, the fraction of threads on one path taken as the efficiency, inactive lanes counted as
working or as making the warp diverge, divergence judged over the whole block instead of per warp, and
the block's efficiency as an unweighted mean of its warps'.
"""

from __future__ import annotations

from gradelib import check_number

WARP = 32


def _counts(cond, active):
    active = [True] * len(cond) if active is None else active
    taken = [c for c, on in zip(cond, active) if on]
    return sum(taken), len(taken) - sum(taken)


def _issued(nt, ne, tc, ec):
    return (tc if nt else 0) + (ec if ne else 0)


def _eff(cond, tc, ec, active=None):
    nt, ne = _counts(cond, active)
    return (tc * nt + ec * ne) / (WARP * _issued(nt, ne, tc, ec))


def _check_warp(learner, cond, tc, ec, what, active=None):
    nt, ne = _counts(cond, active)
    all_nt, all_ne = _counts(cond, None)
    issued = _issued(nt, ne, tc, ec)
    work = tc * nt + ec * ne
    check_number(
        learner.issued_instructions(cond, tc, ec, active),
        issued,
        name=f"issued instructions for {what}",
        mistakes={
            "issuing both paths even when every active thread takes the same one": tc + ec,
            "issuing only the longer path (a divergent warp runs both, one after the other)": max(
                tc if nt else 0, ec if ne else 0
            ),
            "letting inactive threads' conditions make the warp diverge": _issued(all_nt, all_ne, tc, ec),
        },
    )
    check_number(
        learner.warp_efficiency(cond, tc, ec, active),
        work / (WARP * issued),
        name=f"the warp execution efficiency of {what}",
        rtol=1e-9,
        mistakes={
            "issuing both paths even when every active thread takes the same one": work / (WARP * (tc + ec)),
            "the fraction of threads taking the then-path": nt / WARP,
            "counting inactive lanes as doing work": (tc * all_nt + ec * all_ne) / (WARP * _issued(all_nt, all_ne, tc, ec)),
            "issuing only the longer path": work / (WARP * max(tc if nt else 0, ec if ne else 0)),
            "dividing by the active threads instead of the warp's 32 lanes": work / ((nt + ne) * issued),
        },
    )


def test_uniform_warp(learner):
    """a warp whose threads all agree runs one path at full efficiency"""
    _check_warp(learner, [True] * WARP, 30, 10, "a warp where every thread takes the then-path")
    _check_warp(learner, [False] * WARP, 30, 10, "a warp where every thread takes the else-path")


def test_divergent_warp(learner):
    """a divergent warp runs both paths: 24/8 split with costs 30/10 gives 62.5%"""
    _check_warp(learner, [t < 24 for t in range(WARP)], 30, 10, "24 threads on a 30-instruction path, 8 on a 10-instruction one")
    _check_warp(learner, [t % 2 == 0 for t in range(WARP)], 10, 10, "even/odd threads on two 10-instruction paths")
    _check_warp(learner, [t == 5 for t in range(WARP)], 100, 1, "one thread on a 100-instruction path")


def test_inactive_lanes(learner):
    """inactive lanes do no work and do not make a warp diverge"""
    first20 = [t < 20 for t in range(WARP)]
    _check_warp(learner, [True] * WARP, 16, 4, "a tail warp of 20 active threads, all on the then-path", active=first20)
    cond = [t < 16 for t in range(WARP)]
    first16 = [t < 16 for t in range(WARP)]
    _check_warp(learner, cond, 16, 4, "16 active threads on the then-path, the inactive ones 'false'", active=first16)
    _check_warp(learner, [t < 10 for t in range(WARP)], 16, 4, "20 active threads split 10/10", active=first20)


def _block(pred, n=128):
    return [pred(t) for t in range(n)]


def test_divergent_warps(learner):
    """divergence is per warp: tid % 2 splits every warp, (tid / 32) % 2 none"""
    cases = [
        ("threadIdx.x % 2 == 0", _block(lambda t: t % 2 == 0), 4),
        ("(threadIdx.x / 32) % 2 == 0", _block(lambda t: (t // 32) % 2 == 0), 0),
        ("threadIdx.x < 48", _block(lambda t: t < 48), 1),
        ("threadIdx.x < 64", _block(lambda t: t < 64), 0),
        ("threadIdx.x % 64 < 40", _block(lambda t: t % 64 < 40), 2),
    ]
    for what, cond, right in cases:
        check_number(
            learner.divergent_warps(cond),
            right,
            name=f"divergent warps of a 128-thread block for {what}",
            mistakes={"judging divergence over the whole block instead of per warp": int(any(cond) and not all(cond))},
        )


def test_block_efficiency(learner):
    """block efficiency = total lane-work / (32 * total issued), warp by warp"""
    cases = [
        ("threadIdx.x % 2 == 0", _block(lambda t: t % 2 == 0), 10, 10),
        ("(threadIdx.x / 32) % 2 == 0", _block(lambda t: (t // 32) % 2 == 0), 10, 10),
        ("threadIdx.x < 48", _block(lambda t: t < 48), 20, 20),
        ("threadIdx.x % 64 < 40", _block(lambda t: t % 64 < 40), 25, 5),
    ]
    for what, cond, tc, ec in cases:
        warps = [cond[i : i + WARP] for i in range(0, len(cond), WARP)]
        work = sum(tc * sum(w) + ec * (WARP - sum(w)) for w in warps)
        issued = sum(_issued(sum(w), WARP - sum(w), tc, ec) for w in warps)
        nt = sum(cond)
        whole = (tc * nt + ec * (len(cond) - nt)) / (len(cond) * _issued(nt, len(cond) - nt, tc, ec))
        check_number(
            learner.block_efficiency(cond, tc, ec),
            work / (WARP * issued),
            name=f"the block efficiency for {what} (costs {tc}/{ec})",
            rtol=1e-9,
            mistakes={
                "treating the whole block as one warp (divergence is per warp)": whole,
                "averaging the warps' efficiencies instead of total work / total issued": sum(
                    _eff(w, tc, ec) for w in warps
                )
                / len(warps),
            },
        )
