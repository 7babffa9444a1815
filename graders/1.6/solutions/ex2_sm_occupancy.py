"""Reference solution for exercise 1.6.2 (shown by `tracker solution 1.6.2` after a pass)."""

from __future__ import annotations

A100_SM = {
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


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _round_up(a: int, unit: int) -> int:
    return _ceil_div(a, unit) * unit


def theoretical_occupancy(
    threads_per_block: int,
    registers_per_thread: int,
    shared_memory_per_block: int,
    spec: dict = A100_SM,
) -> dict:
    if not 1 <= threads_per_block <= spec["max_threads_per_block"]:
        raise ValueError(f"threads_per_block={threads_per_block} is not a valid block size")
    if not 1 <= registers_per_thread <= spec["max_registers_per_thread"]:
        raise ValueError(f"registers_per_thread={registers_per_thread} is out of range")
    if not 0 <= shared_memory_per_block <= spec["max_shared_memory_per_block"]:
        raise ValueError(f"shared_memory_per_block={shared_memory_per_block} is out of range")

    warps_per_block = _ceil_div(threads_per_block, spec["warp_size"])
    limit_sm = spec["max_blocks_per_sm"]
    limit_warps = spec["max_warps_per_sm"] // warps_per_block
    registers_per_warp = _round_up(registers_per_thread * spec["warp_size"], spec["register_allocation_unit"])
    limit_registers = spec["registers_per_sm"] // (registers_per_warp * warps_per_block)
    charged = _round_up(
        shared_memory_per_block + spec["reserved_shared_memory_per_block"], spec["shared_memory_allocation_unit"]
    )
    limit_shared = spec["shared_memory_per_sm"] // charged if charged > 0 else spec["max_blocks_per_sm"]

    limits = {"sm": limit_sm, "warps": limit_warps, "registers": limit_registers, "shared_mem": limit_shared}
    active_blocks = min(limits.values())
    active_warps = active_blocks * warps_per_block
    return {
        "warps_per_block": warps_per_block,
        "block_limit_sm": limit_sm,
        "block_limit_warps": limit_warps,
        "block_limit_registers": limit_registers,
        "block_limit_shared_mem": limit_shared,
        "active_blocks": active_blocks,
        "active_warps": active_warps,
        "occupancy": active_warps / spec["max_warps_per_sm"],
        "limiters": [name for name, limit in limits.items() if limit == active_blocks],
    }


def max_registers_for_occupancy(threads_per_block: int, target_occupancy: float, spec: dict = A100_SM) -> int | None:
    warps_per_block = _ceil_div(threads_per_block, spec["warp_size"])
    # The fewest resident blocks that reach the target.
    blocks = max(1, _ceil_div_float(target_occupancy * spec["max_warps_per_sm"], warps_per_block))
    block_cap = min(spec["max_blocks_per_sm"], spec["max_warps_per_sm"] // warps_per_block)
    if blocks > block_cap:
        return None
    # Register budget per warp, rounded down to the allocation unit.
    unit = spec["register_allocation_unit"]
    per_warp = spec["registers_per_sm"] // (blocks * warps_per_block) // unit * unit
    registers = min(per_warp // spec["warp_size"], spec["max_registers_per_thread"])
    return registers if registers >= 1 else None


def _ceil_div_float(a: float, b: int) -> int:
    import math

    return math.ceil(a / b - 1e-12)
