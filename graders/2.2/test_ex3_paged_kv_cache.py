"""Grader for exercise 2.2.3: a paged KV cache with block allocator and block tables, paged attention,
memory waste versus contiguous allocation, and incremental decoding equal to a full forward.

References: ``torch.nn.functional.scaled_dot_product_attention`` (captured before the learner's code runs)
on contiguous keys and values gathered by the grader itself; block tables from the stated allocation rule
(lowest free block, a new block only when a token starts one, none held early at an exact multiple of the
block size); the waste fractions from their closed form.
Paged attention is tested on a pool filled with garbage and block tables in scrambled physical order, so
reading slots past seq_len or ignoring the table shows. Probes: a stack or queue free list instead of the
lowest free block, a block per token, a missing 1/sqrt(head_dim), attention over the whole last block,
a scale of 1/head_dim, sqrt(head_dim) or 1/sqrt(d_model), a given scale ignored, softmax over the wrong axis, rounding blocks down, waste relative to the used tokens or averaged per
request, a non-causal full forward, and heads split in the wrong order.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_number, check_true
from gradelib.devices import check_follows_device, on_device

FORBIDDEN = ["torch.nn.functional.scaled_dot_product_attention"]

_sdpa = F.scaled_dot_product_attention

RTOL, ATOL = 1e-4, 1e-5


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


# --- allocator and cache ----------------------------------------------------------------------------


def test_allocator_lowest_free(learner):
    """allocate returns the lowest free block; errors on exhaustion and double free"""
    alloc = learner.BlockAllocator(5)
    got = [alloc.allocate() for _ in range(4)]
    check_true(got == [0, 1, 2, 3], f"the first four allocations of BlockAllocator(5) returned {got}, expected [0, 1, 2, 3]")
    alloc.free(0)
    alloc.free(2)
    first = alloc.allocate()
    names = {2: "a stack (the last freed block first)", 4: "a queue (never-used blocks before freed ones)"}
    if first != 0:
        why = f" This is what {names[first]} gives." if first in names else ""
        raise GradeFailure(f"after freeing blocks 0 and then 2, allocate() returned {first}, expected 0 (the lowest "
                           f"free block).{why}")
    second = alloc.allocate()
    check_true(second == 2, f"the next allocate() returned {second}, expected 2")
    check_true(alloc.num_free() == 1, f"num_free() is {alloc.num_free()}, expected 1")
    check_true(alloc.allocate() == 4, "the last free block is 4")
    try:
        alloc.allocate()
    except RuntimeError:
        pass
    else:
        raise GradeFailure("allocate() on an exhausted pool should raise RuntimeError")
    alloc.free(1)
    for bad in (1, 7):
        try:
            alloc.free(bad)
        except ValueError:
            continue
        raise GradeFailure(f"free({bad}) of a block that is not allocated should raise ValueError")


def _table(cache, seq: int) -> list:
    table = cache.block_table(seq)
    check_true(isinstance(table, list) and all(isinstance(b, int) for b in table),
               f"block_table({seq}) should return a list of block ids (ints), got {table!r}")
    return table


def _free(cache) -> int:
    allocator = getattr(cache, "allocator", None)
    check_true(hasattr(allocator, "num_free"), "the cache should keep its BlockAllocator in the attribute allocator")
    return allocator.num_free()


def _gather(cache, seq: int):
    out = cache.gather(seq)
    check_true(isinstance(out, tuple) and len(out) == 2, f"gather({seq}) should return (keys, values), got {out!r}"[:200])
    return out


def _tok(seq: int, pos: int, heads: int = 2, dim: int = 3):
    base = torch.arange(heads * dim, dtype=torch.float32).view(heads, dim)
    return base + 100 * seq + pos, -(base + 100 * seq + pos)


def _interleaved(learner):
    cache = learner.PagedKVCache(8, 4, 2, 3)
    cache.add_sequence(10)
    cache.add_sequence(20)
    for pos in range(6):
        cache.append(10, *_tok(10, pos))
        if pos < 5:
            cache.append(20, *_tok(20, pos))
    return cache


def test_block_tables_interleaved(learner):
    """two interleaved sequences get non-contiguous blocks: [0, 2] and [1, 3]"""
    try:
        cache = _interleaved(learner)
    except NotImplementedError:
        raise
    except RuntimeError as exc:
        raise GradeFailure(f"appending 6 and 5 tokens with block_size 4 to a pool of 8 blocks raised RuntimeError "
                           f"({exc}), but only 4 blocks are needed: a new block is needed only when a token starts a "
                           "block (position % block_size == 0), not for every token") from None
    a, b = _table(cache, 10), _table(cache, 20)
    if len(a) == 6:
        raise GradeFailure(f"sequence 10 (6 tokens, block_size 4) has block table {a}: a new block is needed only "
                           "when a token starts a block (position % block_size == 0), not for every token")
    check_true((a, b) == ([0, 2], [1, 3]),
               f"block tables after interleaved appends: got {a} and {b}, expected [0, 2] and [1, 3]")
    check_true(cache.seq_len(10) == 6 and cache.seq_len(20) == 5,
               f"seq_len: got {cache.seq_len(10)} and {cache.seq_len(20)}, expected 6 and 5")
    check_true(_free(cache) == 4, f"4 of 8 blocks should be free, num_free() is {_free(cache)}")


def test_exact_multiple_of_the_block_size(learner):
    """a sequence whose length is an exact multiple of block_size holds no extra block"""
    cache = learner.PagedKVCache(2, 4, 2, 3)  # exactly two blocks: room for 8 tokens, no more
    cache.add_sequence(0)
    for pos in range(8):
        try:
            cache.append(0, *_tok(0, pos))
        except NotImplementedError:
            raise
        except RuntimeError as exc:
            raise GradeFailure(
                f"a pool of 2 blocks of 4 slots holds 8 tokens, but appending token {pos} raised RuntimeError ({exc}): "
                "a block was allocated one token early; allocate only when the token about to be written starts a "
                "block (position % block_size == 0)") from None
        table = _table(cache, 0)
        need = pos // 4 + 1
        if len(table) != need:
            early = " (an extra block, allocated one token early)" if len(table) == need + 1 else ""
            raise GradeFailure(
                f"after {pos + 1} tokens with block_size 4 the block table is {table}{early}, expected {need} "
                f"block{'s' if need > 1 else ''}: allocate only when the token about to be written starts a block "
                "(position % block_size == 0)")
    check_true(_free(cache) == 0, f"8 tokens fill both blocks; num_free() is {_free(cache)}")
    cache.free_sequence(0)
    check_true(_free(cache) == 2, f"after free_sequence, num_free() is {_free(cache)}, "
                                                "expected 2")


def test_slots_and_gather(learner):
    """token p sits in block_table[p // block_size], slot p % block_size; gather restores the order"""
    cache = _interleaved(learner)
    for seq, n in ((10, 6), (20, 5)):
        table = _table(cache, seq)
        check_true(len(table) == -(-n // 4), f"sequence {seq} ({n} tokens, block_size 4) has block table {table}, "
                                            f"expected {-(-n // 4)} blocks")
        for pos in range(n):
            k, v = _tok(seq, pos)
            block, slot = table[pos // 4], pos % 4
            check_close(cache.k_cache[block, slot], k, name=f"k_cache[{block}, {slot}] (sequence {seq}, token {pos})",
                        rtol=0, atol=0)
            check_close(cache.v_cache[block, slot], v, name=f"v_cache[{block}, {slot}] (sequence {seq}, token {pos})",
                        rtol=0, atol=0)
        keys, values = _gather(cache, seq)
        check_close(keys, torch.stack([_tok(seq, p)[0] for p in range(n)]), name=f"gather({seq}) keys", rtol=0, atol=0)
        check_close(values, torch.stack([_tok(seq, p)[1] for p in range(n)]), name=f"gather({seq}) values", rtol=0, atol=0)


def test_free_and_reuse(learner):
    """freed blocks return to the pool and are reused lowest first"""
    cache = _interleaved(learner)
    cache.free_sequence(10)
    check_true(_free(cache) == 6, f"after freeing sequence 10, num_free() is "
                                                f"{_free(cache)}, expected 6")
    cache.add_sequence(30)
    for pos in range(9):
        cache.append(30, *_tok(30, pos))
    table = _table(cache, 30)
    check_true(table == [0, 2, 4], f"a new 9-token sequence after freeing blocks 0 and 2 got block table {table}, "
                                   "expected [0, 2, 4]")
    keys, _ = _gather(cache, 30)
    check_close(keys, torch.stack([_tok(30, p)[0] for p in range(9)]), name="gather(30) keys", rtol=0, atol=0)
    try:
        cache.add_sequence(20)
    except ValueError:
        pass
    else:
        raise GradeFailure("add_sequence of an existing sequence id should raise ValueError")


# --- paged attention --------------------------------------------------------------------------------


def _pool(seed=0, num_blocks=12, block_size=4, heads=2, dim=8, lens=(1, 7, 13)):
    g = torch.Generator().manual_seed(seed)
    k_cache = torch.randn(num_blocks, block_size, heads, dim, generator=g) * 3  # garbage everywhere
    v_cache = torch.randn(num_blocks, block_size, heads, dim, generator=g) * 3
    order = torch.randperm(num_blocks, generator=g).tolist()
    tables, at = [], 0
    for n in lens:
        need = math.ceil(n / block_size)
        tables.append(order[at : at + need])
        at += need
    q = torch.randn(len(lens), heads, dim, generator=g)
    return q, k_cache, v_cache, tables, list(lens)


def _reference(q, k_cache, v_cache, tables, lens, scale=None, *, whole_blocks=False, no_scale=False, head_softmax=False):
    """SDPA on the gathered keys and values; the keyword flags give the classic mistakes' outputs."""
    outs = []
    for b, (table, n) in enumerate(zip(tables, lens)):
        keys = k_cache[table].flatten(0, 1)
        values = v_cache[table].flatten(0, 1)
        if not whole_blocks:
            keys, values = keys[:n], values[:n]
        kh, vh, qh = keys.transpose(0, 1), values.transpose(0, 1), q[b][:, None, :]  # [heads, n, dim]
        if head_softmax:
            s = (qh @ kh.transpose(1, 2))[:, 0, :] / math.sqrt(q.shape[-1])
            outs.append(torch.einsum("hn,hnd->hd", torch.softmax(s, dim=0), vh))
            continue
        sc = 1.0 if no_scale else scale
        outs.append(_sdpa(qh, kh, vh, scale=sc)[:, 0, :])
    return torch.stack(outs)


def test_paged_attention_matches_contiguous(learner):
    """attention through scrambled block tables equals SDPA on the contiguous keys and values"""
    q, k_cache, v_cache, tables, lens = _pool()
    got = learner.paged_attention(q, k_cache, v_cache, tables, lens)
    check_close(got, _reference(q, k_cache, v_cache, tables, lens), name="paged_attention", rtol=RTOL, atol=ATOL,
                mistakes={"attending to every slot of the last block, past seq_len":
                          _reference(q, k_cache, v_cache, tables, lens, whole_blocks=True),
                          "forgetting the 1/sqrt(head_dim) scale": _reference(q, k_cache, v_cache, tables, lens, no_scale=True),
                          "dividing the scores by head_dim instead of sqrt(head_dim)":
                          _reference(q, k_cache, v_cache, tables, lens, scale=1 / q.shape[-1]),
                          "multiplying by sqrt(head_dim) instead of dividing":
                          _reference(q, k_cache, v_cache, tables, lens, scale=math.sqrt(q.shape[-1])),
                          "a softmax over the heads instead of over the cached tokens":
                          _reference(q, k_cache, v_cache, tables, lens, head_softmax=True)})


def test_paged_attention_custom_scale(learner):
    """an explicit scale replaces 1/sqrt(head_dim)"""
    q, k_cache, v_cache, tables, lens = _pool(seed=3, lens=(4, 9))
    got = learner.paged_attention(q, k_cache, v_cache, tables, lens, scale=0.2)
    check_close(got, _reference(q, k_cache, v_cache, tables, lens, scale=0.2), name="paged_attention with scale=0.2",
                rtol=RTOL, atol=ATOL,
                mistakes={"ignoring the given scale (always 1/sqrt(head_dim))": _reference(q, k_cache, v_cache, tables, lens),
                          "multiplying by the default 1/sqrt(head_dim) as well as the given scale":
                          _reference(q, k_cache, v_cache, tables, lens, scale=0.2 / math.sqrt(q.shape[-1]))})


# --- memory waste -------------------------------------------------------------------------------------


def _trace(seed=5, n=200):
    g = torch.Generator().manual_seed(seed)
    prompts = torch.randint(20, 500, (n,), generator=g).tolist()
    outputs = torch.randint(10, 400, (n,), generator=g).tolist()
    return list(zip(prompts, outputs))


def test_memory_waste(learner):
    """contiguous max_seq_len reservations waste most memory; paging wastes under a block per request"""
    trace = _trace()
    max_len, bs = 2048, 16
    lengths = [p + o for p, o in trace]
    used = sum(lengths)
    contiguous = max_len * len(trace)
    paged = sum(math.ceil(n / bs) * bs for n in lengths)
    floor_paged = sum(n // bs * bs for n in lengths)
    got = learner.kv_memory_waste(trace, bs, max_len)
    check_true(isinstance(got, dict), f"kv_memory_waste should return a dict, got {type(got).__name__}")
    check_number(got.get("contiguous_reserved"), contiguous, name="contiguous_reserved (token slots)", rtol=0)
    check_number(got.get("paged_reserved"), paged, name="paged_reserved (token slots)", rtol=0,
                 mistakes={"rounding the blocks of each request down instead of up": floor_paged})
    check_number(got.get("contiguous_waste"), (contiguous - used) / contiguous, name="contiguous_waste", rtol=1e-9,
                 mistakes={"dividing the waste by the used tokens instead of the reserved ones": (contiguous - used) / used})
    check_number(got.get("paged_waste"), (paged - used) / paged, name="paged_waste", rtol=1e-9,
                 mistakes={"dividing the waste by the used tokens instead of the reserved ones": (paged - used) / used,
                           "averaging each request's waste fraction instead of summing token slots":
                           sum((math.ceil(n / bs) * bs - n) / (math.ceil(n / bs) * bs) for n in lengths) / len(lengths)})
    try:
        learner.kv_memory_waste([(2000, 100)], bs, max_len)
    except ValueError:
        pass
    else:
        raise GradeFailure("kv_memory_waste should raise ValueError for a request longer than max_seq_len")


# --- full forward and incremental decoding -------------------------------------------------------------


def _layer(seed=11, t=11, d=16):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(t, d, generator=g)
    ws = [torch.randn(d, d, generator=g) / math.sqrt(d) for _ in range(4)]
    return x, ws


def _reference_layer(x, w_q, w_k, w_v, w_o, n_heads, *, causal=True, heads_last=False, scale=None):
    t, d = x.shape
    hd = d // n_heads

    def split(w):
        y = x @ w.T
        y = y.view(t, hd, n_heads).permute(2, 0, 1) if heads_last else y.view(t, n_heads, hd).transpose(0, 1)
        return y

    out = _sdpa(split(w_q), split(w_k), split(w_v), is_causal=causal, scale=scale)
    out = out.permute(1, 2, 0).reshape(t, d) if heads_last else out.transpose(0, 1).reshape(t, d)
    return out @ w_o.T


def test_full_attention(learner):
    """the causal multi-head layer equals the SDPA reference"""
    x, (wq, wk, wv, wo) = _layer()
    got = learner.full_attention(x, wq, wk, wv, wo, 4)
    check_close(got, _reference_layer(x, wq, wk, wv, wo, 4), name="full_attention", rtol=RTOL, atol=ATOL,
                mistakes={"attention without the causal mask": _reference_layer(x, wq, wk, wv, wo, 4, causal=False),
                          "scaling by 1/sqrt(d_model) instead of 1/sqrt(head_dim)":
                          _reference_layer(x, wq, wk, wv, wo, 4, scale=1 / math.sqrt(x.shape[1])),
                          "dividing the scores by head_dim instead of sqrt(head_dim)":
                          _reference_layer(x, wq, wk, wv, wo, 4, scale=4 / x.shape[1]),
                          "forgetting the 1/sqrt(head_dim) scale": _reference_layer(x, wq, wk, wv, wo, 4, scale=1.0),
                          "splitting the heads in the wrong order (head_dim before n_heads)":
                          _reference_layer(x, wq, wk, wv, wo, 4, heads_last=True)})


def test_incremental_equals_full(learner):
    """token-by-token decoding through the paged cache equals the full causal forward"""
    x, (wq, wk, wv, wo) = _layer(seed=12, t=13, d=16)
    calls = []
    original = learner.paged_attention
    raw = getattr(original, "__learner_function__", original)  # called from the learner's code: no moves

    def counting(*args, **kwargs):
        calls.append(1)
        return raw(*args, **kwargs)

    learner.paged_attention = counting
    try:
        got = learner.incremental_attention(x, wq, wk, wv, wo, 2, 4)
    finally:
        learner.paged_attention = original
    check_close(got, _reference_layer(x, wq, wk, wv, wo, 2), name="incremental_attention", rtol=RTOL, atol=ATOL,
                mistakes={"attention without the causal mask": _reference_layer(x, wq, wk, wv, wo, 2, causal=False)})
    check_true(len(calls) == 13, f"incremental_attention called paged_attention {len(calls)} times for 13 tokens; "
                                 "decode one token at a time through the paged cache")


def test_attention_stays_on_the_inputs_device(learner):
    """paged and full attention create every tensor on the input's device (checked without a GPU)"""
    q, k_cache, v_cache, tables, lens = _pool(seed=4, lens=(3, 6))
    check_follows_device(learner.paged_attention, q, k_cache, v_cache, tables, lens)
    x, (wq, wk, wv, wo) = _layer(seed=5, t=6, d=8)
    check_follows_device(learner.full_attention, x, wq, wk, wv, wo, 2)


def test_edges_of_the_pool_and_of_max_seq_len(learner):
    """free(num_blocks) and free(-1) name blocks that do not exist (ValueError); a request of exactly
    max_seq_len tokens fits (only a longer one raises)"""
    alloc = learner.BlockAllocator(4)
    for _ in range(4):
        alloc.allocate()
    for bad in (4, -1):
        try:
            alloc.free(bad)
        except ValueError:
            continue
        raise GradeFailure(f"free({bad}) on BlockAllocator(4) (blocks 0 to 3, all allocated) should raise ValueError: "
                           "there is no such block")
    check_true(alloc.num_free() == 0, f"after refusing free(4) and free(-1), num_free() is {alloc.num_free()}, "
                                      "expected 0")
    try:
        got = learner.kv_memory_waste([(2000, 48), (10, 6)], 16, 2048)
    except ValueError as error:
        raise GradeFailure(f"kv_memory_waste refused a request of exactly max_seq_len=2048 tokens ({error}): only a "
                           "request LONGER than max_seq_len raises") from None
    check_true(isinstance(got, dict), f"kv_memory_waste should return a dict, got {type(got).__name__}")
    check_number(got.get("paged_reserved"), 2048 + 16, name="paged_reserved for requests of 2048 and 16 tokens", rtol=0)
