"""Exercise 1.6.2: theoretical occupancy, and what limits it.

Nsight Compute's "Occupancy" section reports, for one kernel launch, how many blocks of that kernel can
be resident on one SM at once, limited separately by the SM's block slots, its warp slots, its register
file and its shared memory ("Block Limit SM / Warps / Registers / Shared Mem"), and the theoretical
occupancy that follows. Write that calculator.

The SM is described by a dict with the keys of ``A100_SM`` below (an NVIDIA A100, compute capability
8.0); the grader also uses other SMs (for instance a T4, compute capability 7.5: 32 warps and 16 blocks
per SM, 64 KiB of shared memory, no reserved shared memory, a 256-byte allocation unit), so read every
value from ``spec``, never from the constant.

The model (the grader holds you to exactly this):

* ``warps_per_block = ceil(threads_per_block / warp_size)``: a partial warp occupies a whole warp slot.
* Block limit SM: ``max_blocks_per_sm``.
* Block limit warps: ``floor(max_warps_per_sm / warps_per_block)``.
* Block limit registers: registers are allocated per warp, in units of ``register_allocation_unit``:
  ``registers_per_warp = ceil(registers_per_thread * warp_size / unit) * unit``, and the limit is
  ``floor(registers_per_sm / (registers_per_warp * warps_per_block))``.
* Block limit shared memory: each block is charged
  ``ceil((shared_memory_per_block + reserved_shared_memory_per_block) / shared_memory_allocation_unit)
  * shared_memory_allocation_unit`` bytes, and the limit is ``floor(shared_memory_per_sm / that)``. When a
  block is charged 0 bytes, shared memory sets no limit: report ``max_blocks_per_sm``.
* ``active_blocks`` is the smallest of the four limits (it may be 0: the launch would then fail with
  "too many resources requested"), ``active_warps = active_blocks * warps_per_block`` and
  ``occupancy = active_warps / max_warps_per_sm`` (a float in [0, 1]).

``theoretical_occupancy`` raises ``ValueError`` when the launch is invalid per block: threads per block
outside ``[1, max_threads_per_block]``, registers per thread outside ``[1, max_registers_per_thread]``, or
shared memory per block outside ``[0, max_shared_memory_per_block]``.

Counts are Python ints and are compared exactly; the occupancy is compared with an absolute tolerance of
1e-9. No library routines are off-limits (no CUDA is needed: this is arithmetic).
"""

from __future__ import annotations

A100_SM = {
    "warp_size": 32,
    "max_threads_per_block": 1024,
    "max_warps_per_sm": 64,
    "max_blocks_per_sm": 32,
    "registers_per_sm": 65536,  # 32-bit registers
    "max_registers_per_thread": 255,
    "register_allocation_unit": 256,  # registers, allocated per warp
    "shared_memory_per_sm": 167936,  # bytes: the largest carve-out, 164 KiB
    "max_shared_memory_per_block": 166912,  # bytes: 163 KiB (the opt-in maximum)
    "reserved_shared_memory_per_block": 1024,  # bytes the system reserves for every block
    "shared_memory_allocation_unit": 128,  # bytes
}


def theoretical_occupancy(
    threads_per_block: int,
    registers_per_thread: int,
    shared_memory_per_block: int,
    spec: dict = A100_SM,
) -> dict:
    """Return a dict with exactly these keys:

    ``"warps_per_block"``, ``"block_limit_sm"``, ``"block_limit_warps"``, ``"block_limit_registers"``,
    ``"block_limit_shared_mem"``, ``"active_blocks"``, ``"active_warps"`` (ints), ``"occupancy"`` (float)
    and ``"limiters"``: the list of the names among ``"sm"``, ``"warps"``, ``"registers"``,
    ``"shared_mem"`` (in that order) whose block limit equals ``active_blocks``.

    ``shared_memory_per_block`` is in bytes (static plus dynamic).
    """
    raise NotImplementedError("write theoretical_occupancy")


def max_registers_for_occupancy(threads_per_block: int, target_occupancy: float, spec: dict = A100_SM) -> int | None:
    """The fix for a register-limited kernel (``__launch_bounds__`` or ``-maxrregcount``): the largest
    ``registers_per_thread`` in ``[1, max_registers_per_thread]`` for which
    ``theoretical_occupancy(threads_per_block, registers_per_thread, 0, spec)["occupancy"] >= target_occupancy``,
    or ``None`` when no register count reaches the target (the warp or block limits forbid it)."""
    raise NotImplementedError("write max_registers_for_occupancy")
