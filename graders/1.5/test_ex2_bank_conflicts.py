"""Grader for exercise 1.5.2: shared-memory bank-conflict degree and the padding trick (CPU model).

Expected values come from the model in the stub (32 banks of 4-byte words, broadcast of a shared word,
degree = the most distinct words in one bank), computed here independently. Probes: the byte address
instead of the word index modulo 32, threads counted instead of distinct words (no broadcast), 0 for a
conflict-free access, the number of conflicting banks instead of the worst bank, inactive threads
counted, and paddings that always add 1 or aim for a row length of 1 modulo 32.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from gradelib import check_number, check_true

WARP = 32


def _on(addresses, active):
    return list(addresses) if active is None else [a for a, on in zip(addresses, active) if on]


def _degree(addresses, active=None):
    words = defaultdict(set)
    for a in _on(addresses, active):
        words[(a // 4) % 32].add(a // 4)
    return max(len(w) for w in words.values())


def _column(width, col, pad=0, base=0, n=WARP):
    return [base + (t * (width + pad) + col) * 4 for t in range(n)]


def _check_degree(learner, addresses, what, active=None):
    on = _on(addresses, active)
    right = _degree(addresses, active)
    per_bank_threads = Counter((a // 4) % 32 for a in on)
    byte_banks = defaultdict(set)
    for a in on:
        byte_banks[a % 32].add(a // 4)
    mistakes = {}
    if right == 1:
        mistakes["returning 0 for a conflict-free access (the degree is 1: one pass)"] = 0
    mistakes |= {
        "counting threads per bank instead of DISTINCT words (threads reading one word share a broadcast)": max(
            per_bank_threads.values()
        ),
        "taking the byte address modulo 32 as the bank (the bank is the 4-byte WORD index modulo 32)": max(
            len(w) for w in byte_banks.values()
        ),
        "counting inactive threads too": _degree(addresses),
        "counting the banks that have a conflict instead of the worst bank's number of words": sum(
            1 for w in _words(on).values() if len(w) > 1
        ),
    }
    check_number(learner.conflict_degree(addresses, active), right, name=f"the conflict degree of {what}",
                 mistakes=mistakes)


def _words(on):
    words = defaultdict(set)
    for a in on:
        words[(a // 4) % 32].add(a // 4)
    return words


def test_bank_of(learner):
    """the bank is the 4-byte word index modulo 32"""
    for address in (0, 4, 124, 128, 132, 4100, 65532):
        check_number(
            learner.bank_of(address),
            (address // 4) % 32,
            name=f"bank_of({address})",
            mistakes={"the byte address modulo 32 (the bank is the WORD index modulo 32)": address % 32},
        )


def test_row_read(learner):
    """32 threads reading 32 consecutive floats: conflict-free (degree 1)"""
    _check_degree(learner, [256 + 4 * t for t in range(WARP)], "32 consecutive floats")


def test_column_addresses(learner):
    """column_read_addresses: base + (t * (row_width + pad) + col) * 4"""
    for args in ((32, 0, 0, 0), (32, 5, 1, 1024), (48, 3, 0, 64)):
        got = learner.column_read_addresses(*args)
        check_true(list(got) == _column(*args), f"column_read_addresses{args} gave {list(got)[:3]}..., expected {_column(*args)[:3]}...")


def test_column_reads(learner):
    """column reads: 32-way for 32 or 64 floats per row, 16-way for 48, 2-way for 2, conflict-free for odd rows"""
    for width, pad in ((32, 0), (64, 0), (48, 0), (16, 0), (2, 0), (33, 0), (32, 1), (31, 0), (48, 1)):
        _check_degree(learner, _column(width, 7, pad), f"a column read of rows of {width}+{pad} floats")


def test_broadcast_and_multicast(learner):
    """threads reading the same word share it: all 32 on one word is degree 1, two words of one bank degree 2"""
    _check_degree(learner, [512] * WARP, "all 32 threads reading one word")
    _check_degree(learner, [0] * 16 + [128] * 16, "16 threads on word 0 and 16 on word 32 (both in bank 0)")
    _check_degree(learner, [4 * (t // 2) for t in range(WARP)], "pairs of threads reading the same word")


def test_inactive_threads(learner):
    """inactive threads request nothing"""
    four = [t < 4 for t in range(WARP)]
    _check_degree(learner, _column(32, 0), "a 32-float column read with only threads 0-3 active", active=four)
    even = [t % 2 == 0 for t in range(WARP)]
    _check_degree(learner, _column(16, 1), "a 16-float column read with only even threads active", active=even)


def test_padding(learner):
    """the smallest padding that makes a column read conflict-free: 1 for even rows, 0 for odd"""
    for width in (32, 31, 48, 64, 16, 33, 96):
        right = 0 if width % 2 else 1
        check_number(
            learner.conflict_free_padding(width),
            right,
            name=f"conflict_free_padding({width})",
            mistakes={
                "always padding by 1 (an odd row length is conflict-free already)": 1,
                "padding to a row length of 1 modulo 32 (any odd row length works)": (1 - width) % 32,
            },
        )


def test_column_read_defaults(learner):
    """column_read_addresses defaults to no padding, base 0 and a warp of 32 threads, as the stub says"""
    from gradelib import check_defaults

    check_defaults(learner.column_read_addresses, "column_read_addresses", pad=0, base=0, n_threads=32)
