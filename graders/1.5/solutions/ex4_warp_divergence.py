"""Reference solution for exercise 1.5.4 (shown by `tracker solution 1.5.4` after a pass)."""

from __future__ import annotations

from collections.abc import Sequence

WARP_SIZE = 32


def _counts(cond, active) -> tuple[int, int]:
    if active is None:
        active = [True] * len(cond)
    taken = [c for c, on in zip(cond, active) if on]
    n_then = sum(1 for c in taken if c)
    return n_then, len(taken) - n_then


def _issued(n_then: int, n_else: int, then_cost: int, else_cost: int) -> int:
    return (then_cost if n_then else 0) + (else_cost if n_else else 0)


def issued_instructions(cond: Sequence[bool], then_cost: int, else_cost: int, active: Sequence[bool] | None = None) -> int:
    return _issued(*_counts(cond, active), then_cost, else_cost)


def warp_efficiency(cond: Sequence[bool], then_cost: int, else_cost: int, active: Sequence[bool] | None = None) -> float:
    n_then, n_else = _counts(cond, active)
    work = then_cost * n_then + else_cost * n_else
    return work / (WARP_SIZE * _issued(n_then, n_else, then_cost, else_cost))


def _warps(block_cond: Sequence[bool]) -> list[list[bool]]:
    return [list(block_cond[i : i + WARP_SIZE]) for i in range(0, len(block_cond), WARP_SIZE)]


def divergent_warps(block_cond: Sequence[bool]) -> int:
    return sum(1 for warp in _warps(block_cond) if any(warp) and not all(warp))


def block_efficiency(block_cond: Sequence[bool], then_cost: int, else_cost: int) -> float:
    work = issued = 0
    for warp in _warps(block_cond):
        n_then, n_else = _counts(warp, None)
        work += then_cost * n_then + else_cost * n_else
        issued += _issued(n_then, n_else, then_cost, else_cost)
    return work / (WARP_SIZE * issued)
