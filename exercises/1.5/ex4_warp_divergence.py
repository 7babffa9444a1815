"""Exercise 1.5.4: what a divergent branch costs a warp.

The 32 threads of a warp execute one instruction stream (SIMT). At ``if (cond) { A } else { B }``, a warp
whose active threads all agree runs only the path they take. A warp whose threads disagree runs BOTH
paths one after the other, each with the threads of the other path masked off (independent thread
scheduling on Volta and later changes how the paths interleave, not this cost). Nsight Compute's warp
execution efficiency measures the waste: the average fraction of the 32 lanes doing useful work per
instruction the warp issues.

The model, precisely, for one ``if``/``else`` whose paths cost ``then_cost`` and ``else_cost``
instructions:

* ``cond`` is a sequence of bools, one per thread of the warp (up to 32); ``active`` an optional sequence
  of bools (``None`` = all active): inactive threads (a tail warp, an earlier exit) take neither path and
  never count as doing work;
* the warp issues ``then_cost`` instructions if at least one active thread has ``cond`` true, plus
  ``else_cost`` if at least one active thread has ``cond`` false;
* lane-work = ``then_cost * (active threads taking the then path) + else_cost * (active threads taking
  the else path)``;
* warp execution efficiency = lane-work / (32 * issued instructions). At least one thread is active.

For a whole block, warps are consecutive groups of 32 threads (threads 0-31, 32-63, ...); divergence is a
property of each warp, never of the block.

Write four functions in plain Python:

1. ``issued_instructions(cond, then_cost, else_cost, active=None) -> int``: for one warp.
2. ``warp_efficiency(cond, then_cost, else_cost, active=None) -> float``: for one warp.
3. ``divergent_warps(block_cond) -> int``: ``block_cond`` holds one bool per thread of a block (a multiple
   of 32 of them, all active); return the number of warps whose threads disagree.
4. ``block_efficiency(block_cond, then_cost, else_cost) -> float``: the total lane-work of all the warps of
   the block divided by (32 * the total instructions they issue).

Counts are exact; efficiencies are compared with a relative tolerance of 1e-9.
"""

from __future__ import annotations

from collections.abc import Sequence

WARP_SIZE = 32


def issued_instructions(cond: Sequence[bool], then_cost: int, else_cost: int, active: Sequence[bool] | None = None) -> int:
    """Return the instructions one warp issues for the if/else."""
    raise NotImplementedError("write issued_instructions")


def warp_efficiency(cond: Sequence[bool], then_cost: int, else_cost: int, active: Sequence[bool] | None = None) -> float:
    """Return lane-work / (32 * issued instructions) for one warp."""
    raise NotImplementedError("write warp_efficiency")


def divergent_warps(block_cond: Sequence[bool]) -> int:
    """Return how many warps of the block contain both outcomes of the condition."""
    raise NotImplementedError("write divergent_warps")


def block_efficiency(block_cond: Sequence[bool], then_cost: int, else_cost: int) -> float:
    """Return the block's total lane-work / (32 * total issued instructions over its warps)."""
    raise NotImplementedError("write block_efficiency")
