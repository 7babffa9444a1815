"""Grader for exercise 1.6.2: theoretical occupancy from threads, registers and shared memory per block.

The reference is the closed-form model the stub states (the one behind the CUDA occupancy calculator and
Nsight Compute's "Block Limit" rows), computed here independently; the register-budget function is
checked against a brute-force search over every register count. Launch configurations are chosen so that
each classic mistake changes the answer: a partial warp not rounded up, registers not rounded to the
per-warp allocation unit, the reserved 1 KiB of shared memory per block forgotten, the shared-memory
allocation unit ignored, the per-SM block limit ignored, warps counted instead of whole blocks, and the
255-register cap forgotten. A second SM (a T4) catches constants copied from the A100.
"""

from __future__ import annotations

import math

from gradelib import GradeFailure, check_number, check_true

A100 = {
    "warp_size": 32,
    "max_threads_per_block": 1024,
    "max_warps_per_sm": 64,
    "max_blocks_per_sm": 32,
    "registers_per_sm": 65536,
    "max_registers_per_thread": 255,
    "register_allocation_unit": 256,
    "shared_memory_per_sm": 167936,
    "max_shared_memory_per_block": 166912,
    "reserved_shared_memory_per_block": 1024,
    "shared_memory_allocation_unit": 128,
}

T4 = {
    "warp_size": 32,
    "max_threads_per_block": 1024,
    "max_warps_per_sm": 32,
    "max_blocks_per_sm": 16,
    "registers_per_sm": 65536,
    "max_registers_per_thread": 255,
    "register_allocation_unit": 256,
    "shared_memory_per_sm": 65536,
    "max_shared_memory_per_block": 65536,
    "reserved_shared_memory_per_block": 0,
    "shared_memory_allocation_unit": 256,
}

KEYS = [
    "warps_per_block",
    "block_limit_sm",
    "block_limit_warps",
    "block_limit_registers",
    "block_limit_shared_mem",
    "active_blocks",
    "active_warps",
    "occupancy",
    "limiters",
]


def _reference(threads, regs, smem, spec, *, warp_round=True, reg_unit=True, reserved=True, smem_unit=True,
               sm_limit=True, whole_blocks=True):
    """The stated model; the keyword switches reproduce the classic mistakes."""
    ws = spec["warp_size"]
    wpb = math.ceil(threads / ws) if warp_round else threads / ws
    lim_sm = spec["max_blocks_per_sm"] if sm_limit else 10**9
    lim_w = math.floor(spec["max_warps_per_sm"] / wpb)
    unit = spec["register_allocation_unit"] if reg_unit else 1
    rpw = math.ceil(regs * ws / unit) * unit
    if whole_blocks:
        lim_r = math.floor(spec["registers_per_sm"] / (rpw * wpb))
    else:  # warps that fit in the register file, as if a block could be partly resident
        lim_r = (spec["registers_per_sm"] // rpw) / wpb
    total = smem + (spec["reserved_shared_memory_per_block"] if reserved else 0)
    sunit = spec["shared_memory_allocation_unit"] if smem_unit else 1
    charged = math.ceil(total / sunit) * sunit
    lim_s = spec["shared_memory_per_sm"] // charged if charged > 0 else spec["max_blocks_per_sm"]
    limits = {"sm": lim_sm, "warps": lim_w, "registers": lim_r, "shared_mem": lim_s}
    active = min(limits.values())
    return {
        "warps_per_block": wpb,
        "block_limit_sm": lim_sm,
        "block_limit_warps": lim_w,
        "block_limit_registers": lim_r,
        "block_limit_shared_mem": lim_s,
        "active_blocks": active,
        "active_warps": active * wpb,
        "occupancy": active * wpb / spec["max_warps_per_sm"],
        "limiters": [k for k, v in limits.items() if v == active],
    }


def _result(learner, threads, regs, smem, spec):
    out = learner.theoretical_occupancy(threads, regs, smem, spec)
    if not isinstance(out, dict):
        raise GradeFailure(f"theoretical_occupancy should return a dict, got {type(out).__name__}")
    missing = [k for k in KEYS if k not in out]
    if missing:
        raise GradeFailure(f"theoretical_occupancy's dict lacks the keys {missing}")
    return out


def _check(learner, threads, regs, smem, spec, spec_name, mistakes=None):
    """Compare occupancy first (naming a mistake if it matches one), then every other field."""
    label = f"threads={threads}, registers={regs}, shared memory={smem} B on the {spec_name}"
    got = _result(learner, threads, regs, smem, spec)
    exp = _reference(threads, regs, smem, spec)
    check_number(
        got["occupancy"],
        exp["occupancy"],
        name=f"the occupancy for {label}",
        rtol=0,
        atol=1e-9,
        mistakes={desc: _reference(threads, regs, smem, spec, **kw)["occupancy"] for desc, kw in (mistakes or {}).items()},
    )
    for key in KEYS[:-2]:
        value = got[key]
        check_true(
            isinstance(value, int) and not isinstance(value, bool) and value == exp[key],
            f"{key} for {label}: got {value!r}, expected {exp[key]!r}",
        )
    limiters = got["limiters"]
    check_true(
        isinstance(limiters, (list, tuple)) and list(limiters) == exp["limiters"],
        f"limiters for {label}: got {limiters!r}, expected {exp['limiters']!r} "
        "(every resource whose block limit equals active_blocks, in the order sm, warps, registers, shared_mem)",
    )


def test_full_occupancy(learner):
    """256 threads, 32 registers, no shared memory: 8 blocks, 100 %, limited by warps and registers"""
    _check(learner, 256, 32, 0, A100, "A100")


def test_partial_warp_rounds_up(learner):
    """a 200-thread block occupies 7 whole warps"""
    _check(learner, 200, 40, 0, A100, "A100", mistakes={
        "counting threads / 32 = 6.25 warps per block instead of rounding up to 7": {"warp_round": False},
    })


def test_register_allocation_unit(learner):
    """37 registers per thread are allocated as 1280 per warp (a unit of 256)"""
    _check(learner, 128, 37, 0, A100, "A100", mistakes={
        "not rounding registers per warp up to the 256-register allocation unit": {"reg_unit": False},
        "counting resident warps instead of whole blocks": {"reg_unit": True, "whole_blocks": False},
    })
    _check(learner, 96, 90, 0, A100, "A100", mistakes={
        "not rounding registers per warp up to the 256-register allocation unit": {"reg_unit": False},
        "counting resident warps instead of whole blocks": {"whole_blocks": False},
    })


def test_reserved_shared_memory(learner):
    """every block is charged 1 KiB of reserved shared memory on the A100"""
    _check(learner, 128, 32, 41000, A100, "A100", mistakes={
        "forgetting the 1 KiB of shared memory reserved per block": {"reserved": False},
    })


def test_shared_memory_allocation_unit(learner):
    """shared memory per block is rounded up to the 128-byte allocation unit"""
    _check(learner, 128, 32, 32556, A100, "A100", mistakes={
        "not rounding shared memory up to its allocation unit": {"smem_unit": False},
    })


def test_block_slot_limit(learner):
    """one-warp blocks are capped by the 32 block slots of the SM: 50 %"""
    _check(learner, 32, 16, 0, A100, "A100", mistakes={
        "ignoring the maximum number of resident blocks per SM": {"sm_limit": False},
    })


def test_register_limited_big_blocks(learner):
    """1024 threads x 64 registers fit once; 1024 x 255 registers do not fit at all (0 blocks)"""
    _check(learner, 1024, 64, 0, A100, "A100")
    _check(learner, 1024, 255, 0, A100, "A100")


def test_other_sm(learner):
    """a T4 (32 warps, 16 blocks, 64 KiB, no reserved memory) gives its own limits"""
    _check(learner, 256, 64, 0, T4, "T4")
    _check(learner, 96, 48, 12000, T4, "T4", mistakes={
        "using the A100's 128-byte shared-memory unit instead of the spec's": {"smem_unit": False},
    })
    _check(learner, 64, 24, 2000, T4, "T4")


def test_invalid_launch_raises(learner):
    """invalid per-block requests raise ValueError"""
    bad = [
        (1025, 32, 0, A100, "1025 threads per block"),
        (0, 32, 0, A100, "0 threads per block"),
        (128, 256, 0, A100, "256 registers per thread"),
        (128, 32, 166913, A100, "166913 bytes of shared memory per block"),
        (128, 32, 65537, T4, "65537 bytes of shared memory per block on the T4"),
    ]
    for threads, regs, smem, spec, what in bad:
        try:
            learner.theoretical_occupancy(threads, regs, smem, spec)
        except ValueError:
            continue
        raise GradeFailure(f"theoretical_occupancy accepted {what}; it should raise ValueError")
    # The largest valid requests must not raise.
    learner.theoretical_occupancy(1024, 255, 166912, A100)


def _brute_force(threads, target, spec):
    best = None
    for r in range(1, spec["max_registers_per_thread"] + 1):
        if _reference(threads, r, 0, spec)["occupancy"] >= target:
            best = r
    return best


def test_max_registers_for_occupancy(learner):
    """the largest register count per thread that keeps a target occupancy"""
    cases = [(256, 0.75, A100, "A100"), (256, 1.0, A100, "A100"), (128, 0.5, A100, "A100"),
             (64, 0.25, A100, "A100"), (1024, 0.1, A100, "A100"), (192, 0.5, T4, "T4"), (160, 0.625, A100, "A100")]
    for threads, target, spec, name in cases:
        expected = _brute_force(threads, target, spec)
        got = learner.max_registers_for_occupancy(threads, target, spec)
        label = f"max_registers_for_occupancy({threads} threads, target {target}) on the {name}"
        wpb = math.ceil(threads / 32)
        blocks = math.ceil(target * spec["max_warps_per_sm"] / wpb)
        no_unit = spec["registers_per_sm"] // (blocks * wpb) // 32
        if got != expected and got == no_unit:
            raise GradeFailure(f"{label}: got {got!r}, expected {expected!r}. This is what not rounding the "
                               "per-warp register budget down to the 256-register allocation unit gives.")
        check_true(isinstance(got, int) and not isinstance(got, bool) and got == expected,
                   f"{label}: got {got!r}, expected {expected!r}")


def test_register_cap_and_unreachable(learner):
    """the answer never exceeds 255 registers, and is None when warps or blocks forbid the target"""
    got = learner.max_registers_for_occupancy(32, 0.015625, A100)
    check_true(got == 255, f"max_registers_for_occupancy(32 threads, target 1/64) on the A100: got {got!r}, "
                           "expected 255 (the budget is larger, but no thread can use more than 255 registers)")
    got = learner.max_registers_for_occupancy(768, 1.0, A100)
    check_true(got is None, f"max_registers_for_occupancy(768 threads, target 1.0) on the A100: got {got!r}, "
                            "expected None (at most 2 blocks of 24 warps fit in 64 warp slots: 75 %)")
    got = learner.max_registers_for_occupancy(32, 1.0, T4)
    check_true(got is None, f"max_registers_for_occupancy(32 threads, target 1.0) on the T4: got {got!r}, "
                            "expected None (16 one-warp blocks fill only half of the 32 warp slots)")


def test_defaults_and_edges(learner):
    """spec defaults to the stub's A100_SM (every value as the stub gives it); one register per thread is a valid
    launch; and 96-thread blocks (3 warps) cannot reach occupancy 1.0, since only 21 whole blocks fit in 64 warp
    slots"""
    from gradelib import check_defaults

    for name in ("theoretical_occupancy", "max_registers_for_occupancy"):
        check_defaults(getattr(learner, name), name, spec=A100)
    try:
        out = _result(learner, 64, 1, 0, A100)
    except ValueError as error:
        raise GradeFailure(f"theoretical_occupancy(64 threads, 1 register, 0 bytes) raised ValueError ({error}): "
                           "registers_per_thread may be anything in [1, max_registers_per_thread]") from None
    check_number(out["occupancy"], _reference(64, 1, 0, A100)["occupancy"], name="the occupancy with 1 register")
    got = learner.max_registers_for_occupancy(96, 1.0, A100)
    check_true(got is None, f"max_registers_for_occupancy(96 threads, target 1.0) on the A100: got {got!r}, expected "
                            "None (64 // 3 = 21 whole blocks of 3 warps: 63 of 64 warps)")
