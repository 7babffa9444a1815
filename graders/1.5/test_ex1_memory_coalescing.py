"""Grader for exercise 1.5.1: memory transactions of a warp's load, coalesced vs strided (CPU model).

The expected values come from the model in the stub (32-byte sectors, 128-byte L1 lines, aligned to
absolute addresses, duplicates free, inactive threads silent), computed here independently; it is the
sector model that Nsight Compute reports for global loads on current NVIDIA GPUs. Probes: one
transaction per thread, the span of the addresses instead of the distinct sectors, sectors counted from
the first address instead of from absolute 32-byte boundaries, lines counted in place of sectors (and the
reverse), inactive threads counted, and duplicate addresses counted as useful bytes.
"""

from __future__ import annotations

import math

from gradelib import check_number, check_true, numbers

WARP = 32


def _addresses(base, stride, size, n=WARP):
    return [base + t * stride * size for t in range(n)]


def _on(addresses, active):
    return list(addresses) if active is None else [a for a, on in zip(addresses, active) if on]


def _sectors(addresses, size, active=None, block=32):
    return len({a // block for a in _on(addresses, active)})


def _efficiency(addresses, size, active=None):
    useful = len({a + i for a in _on(addresses, active) for i in range(size)})
    return useful / (32 * _sectors(addresses, size, active))


def _sector_mistakes(addresses, size, active):
    on = _on(addresses, active)
    return {
        "one transaction per thread (an uncoalesced count)": len(on),
        "the span of the addresses divided by 32 instead of the distinct sectors touched": math.ceil(
            (max(on) + size - min(on)) / 32
        ),
        "counting sectors from the first address instead of absolute 32-byte boundaries": len(
            {(a - min(on)) // 32 for a in on}
        ),
        "counting 128-byte lines instead of 32-byte sectors": len({a // 128 for a in on}),
        "counting inactive threads too": _sectors(addresses, size),
    }


def _line_mistakes(addresses, size, active):
    on = _on(addresses, active)
    return {
        "counting 32-byte sectors instead of 128-byte lines": len({a // 32 for a in on}),
        "counting lines from the first address instead of absolute 128-byte boundaries": len(
            {(a - min(on)) // 128 for a in on}
        ),
        "counting inactive threads too": _sectors(addresses, size, block=128),
    }


def _check(learner, addresses, size, what, active=None):
    check_number(
        learner.sectors_per_request(addresses, size, active),
        _sectors(addresses, size, active),
        name=f"sectors per request for {what}",
        mistakes=_sector_mistakes(addresses, size, active),
    )
    check_number(
        learner.lines_per_request(addresses, size, active),
        _sectors(addresses, size, active, block=128),
        name=f"lines per request for {what}",
        mistakes=_line_mistakes(addresses, size, active),
    )
    on = _on(addresses, active)
    check_number(
        learner.load_efficiency(addresses, size, active),
        _efficiency(addresses, size, active),
        name=f"the load efficiency of {what}",
        rtol=1e-9,
        mistakes={
            "counting every thread's bytes, duplicates included, as useful": len(on) * size
            / (32 * _sectors(addresses, size, active)),
            "dividing by 128-byte lines instead of 32-byte sectors": len({a + i for a in on for i in range(size)})
            / (128 * _sectors(addresses, size, active, block=128)),
        },
    )


def _address_list(value, call: str) -> list:
    """The learner's addresses as a list, whole numbers as ints (so that they print as the learner wrote them)."""
    return [int(v) if float(v).is_integer() else v for v in numbers(value, call).tolist()]


def test_warp_addresses(learner):
    """thread t reads base + t * stride * elem_size"""
    got = _address_list(learner.warp_addresses(4096, 3, 4), "warp_addresses(4096, 3, 4)")
    check_true(got == _addresses(4096, 3, 4), f"warp_addresses(4096, 3, 4) gave {got[:4]}..., expected {_addresses(4096, 3, 4)[:4]}...")
    got = _address_list(learner.warp_addresses(0, 1, 8, n_threads=16), "warp_addresses(0, 1, 8, n_threads=16)")
    check_true(got == _addresses(0, 1, 8, 16), "warp_addresses(0, 1, 8, n_threads=16) is wrong")


def test_coalesced(learner):
    """a coalesced float32 load: 4 sectors, 1 line, 100% efficiency"""
    _check(learner, _addresses(1024, 1, 4), 4, "32 consecutive aligned float32")
    check_number(learner.sectors_per_request(_addresses(0, 1, 4), 4), 4, name="sectors of a coalesced float32 load")


def test_misaligned(learner):
    """misaligned loads: sectors are aligned to absolute 32-byte boundaries, not to the first address"""
    two_blocks = [1052 + 4 * t for t in range(16)] + [1052 + 4096 + 4 * t for t in range(16)]
    _check(learner, two_blocks, 4, "two runs of 16 float32, each starting 28 bytes into a sector")
    _check(learner, _addresses(1028, 1, 4), 4, "32 consecutive float32 starting at byte 1028 (5 sectors, 2 lines)")


def test_strided(learner):
    """strides 2, 8 and 32 floats: 8, 32 and 32 sectors; efficiency 50%, 12.5%, 12.5%"""
    for stride in (2, 8, 32):
        _check(learner, _addresses(2048, stride, 4), 4, f"float32 with a stride of {stride} elements")


def test_matrix_column(learner):
    """reading a column of a row-major 1024-wide float matrix: one sector (and line) per thread"""
    width = 1024
    column = [(row * width + 5) * 4 for row in range(WARP)]
    _check(learner, column, 4, "a column of a row-major float32 matrix")
    row = [(7 * width + c) * 4 for c in range(WARP)]
    _check(learner, row, 4, "a row of the same matrix")


def test_element_sizes(learner):
    """1-, 2-, 8- and 16-byte elements: 1, 2, 8 and 16 sectors when consecutive"""
    for size in (1, 2, 8, 16):
        _check(learner, _addresses(512, 1, size), size, f"32 consecutive {size}-byte elements")


def test_order_and_broadcast(learner):
    """the order of addresses does not matter; threads reading one address share one sector"""
    _check(learner, list(reversed(_addresses(256, 1, 4))), 4, "a coalesced load in reversed thread order")
    _check(learner, [4096 + 12] * WARP, 4, "all 32 threads reading the same float")
    _check(learner, [64 + 4 * (t // 2) for t in range(WARP)], 4, "pairs of threads reading the same float")


def test_inactive_threads(learner):
    """inactive threads request nothing"""
    half = [t < 16 for t in range(WARP)]
    _check(learner, _addresses(0, 1, 4), 4, "a coalesced load with threads 16-31 inactive", active=half)
    odd = [t % 2 == 1 for t in range(WARP)]
    _check(learner, _addresses(0, 1, 4), 4, "a coalesced load with only odd threads active", active=odd)
    one = [t == 9 for t in range(WARP)]
    _check(learner, _addresses(0, 32, 4), 4, "a strided load with only thread 9 active", active=one)
