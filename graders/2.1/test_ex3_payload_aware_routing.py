"""Grader for exercise 2.1.3: a prefix-affinity (payload-aware) router versus round robin.

Part 1 (block keys, the LRU prefix cache, the simulator, round robin) is compared exactly with a reference
written here. Part 2 is judged on outcomes, because many router designs are valid: the learner's router is
replayed through the grader's own simulator on three seeded traces (Zipf-skewed prefixes, one very hot
prefix, a flatter popularity over more prefixes) and must beat round robin's token hit rate by 0.08 while
keeping every replica at or below 1.25 times the mean load. Probes: a partial last block cached, per-block
keys without the preceding tokens, a match that counts non-leading hits or refreshes recency, FIFO instead
of LRU, a router keyed on the whole prompt (its unique suffix scatters requests like round robin), and
pure affinity without a load bound.
"""

from __future__ import annotations

import random

from gradelib import GradeFailure, check_number, check_true

BLOCK = 16
N_REPLICAS = 4
CAPACITY = 64
MARGIN = 0.08
LOAD_FACTOR = 1.25


# --- reference model ------------------------------------------------------------------------------


def _keys(tokens, bs):
    return [tuple(tokens[: (i + 1) * bs]) for i in range(len(tokens) // bs)]


class _LRU:
    def __init__(self, capacity):
        self.capacity = capacity
        self.order: list = []  # least recently used first

    def match(self, keys):
        n = 0
        while n < len(keys) and keys[n] in self.order:
            n += 1
        return n

    def insert(self, keys):
        for key in keys:
            if key in self.order:
                self.order.remove(key)
            self.order.append(key)
            if len(self.order) > self.capacity:
                self.order.pop(0)


class _RoundRobin:
    def __init__(self, n):
        self.n, self.i = n, -1

    def route(self, tokens):
        self.i += 1
        return self.i % self.n


class _FirstBlockHash:
    """Affinity without a load bound (used to exercise the learner's simulator)."""

    def __init__(self, n, bs):
        self.n, self.bs = n, bs

    def route(self, tokens):
        return sum(tokens[: self.bs]) % self.n


def _simulate(trace, router, n, capacity, bs):
    caches = [_LRU(capacity) for _ in range(n)]
    loads = [0] * n
    hits = total = 0
    for tokens in trace:
        r = router.route(list(tokens))
        if isinstance(r, bool) or not isinstance(r, int) or not 0 <= r < n:
            try:
                r = int(r)
            except (TypeError, ValueError):
                raise GradeFailure(f"route returned {r!r}; it must be an int replica index in [0, {n})") from None
            if not 0 <= r < n:
                raise GradeFailure(f"route returned {r}; it must be an int replica index in [0, {n})")
        loads[r] += 1
        keys = _keys(tokens, bs)
        hits += caches[r].match(keys) * bs
        total += len(tokens)
        caches[r].insert(keys)
    return {"hit_rate": hits / total, "loads": loads}


def _trace(seed, n_requests=400, groups=24, zipf=1.0, hot=None):
    rng = random.Random(seed)
    prefixes = [[rng.randrange(32000) for _ in range(rng.randrange(4, 13) * BLOCK)] for _ in range(groups)]
    weights = [1 / (i + 1) ** zipf for i in range(groups)]
    if hot is not None:  # the first prefix gets a share `hot` of all requests
        rest = sum(weights[1:])
        weights[0] = hot * rest / (1 - hot)
    trace = []
    for _ in range(n_requests):
        g = rng.choices(range(groups), weights=weights)[0]
        trace.append(prefixes[g] + [rng.randrange(32000) for _ in range(rng.randrange(8, 73))])
    return trace


TRACES = {
    "Zipf-skewed prefixes": dict(seed=101, groups=24, zipf=1.0),
    "one prefix in half of all requests": dict(seed=102, groups=24, zipf=1.0, hot=0.5),
    "32 prefixes, flatter popularity": dict(seed=103, groups=32, zipf=0.6),
}


# --- Part 1 -----------------------------------------------------------------------------------------


def test_block_keys(learner):
    """one key per full block, each holding the whole prefix up to that block"""
    tokens = list(range(100, 150))  # 50 tokens: 3 full blocks of 16, 2 left over
    got = learner.block_keys(tokens, BLOCK)
    exp = _keys(tokens, BLOCK)
    got = [tuple(k) for k in got] if isinstance(got, (list, tuple)) else got
    if isinstance(got, list) and len(got) == len(exp) + 1:
        raise GradeFailure("block_keys returned 4 keys for 50 tokens with blocks of 16: the partial last block "
                           "(2 tokens) must not be cached")
    if isinstance(got, list) and got == [tuple(tokens[i * BLOCK:(i + 1) * BLOCK]) for i in range(3)]:
        raise GradeFailure("block_keys returned each block's own tokens; the key of block i must hold all tokens "
                           "from the start, tuple(tokens[:(i + 1) * block_size]), so that equal blocks after "
                           "different prefixes are not confused")
    check_true(got == exp, f"block_keys(50 tokens, 16) returned {str(got)[:200]}, expected {len(exp)} keys "
                           f"of lengths 16, 32, 48")
    check_true(learner.block_keys(list(range(15)), BLOCK) in ([], ()), "a 15-token prompt has no full block: "
                                                                       "block_keys should return []")


def _cache_script(learner):
    """Replays operations on the learner's cache and the reference; returns the first disagreement."""
    a, b, c, d, e, f, x = (("k", i) for i in range(7))
    ops = [("insert", [a, b, c]), ("match", [a, b, x]), ("match", [x, b]), ("insert", [d, e]), ("match", [a]),
           ("match", [b, c]), ("len", None), ("insert", [b]), ("insert", [f]), ("match", [b]), ("match", [c]),
           ("match", [d, e, b, f]), ("len", None)]
    mine, ref = learner.PrefixCache(4), _LRU(4)
    for step, (op, keys) in enumerate(ops):
        if op == "insert":
            mine.insert(keys)
            ref.insert(keys)
        elif op == "match":
            got, exp = mine.match(keys), ref.match(keys)
            if got != exp:
                return step, op, keys, got, exp
        else:
            got, exp = len(mine), len(ref.order)
            if got != exp:
                return step, op, keys, got, exp
    return None


def test_prefix_cache_lru(learner):
    """match counts leading cached keys; insert refreshes and evicts the least recently used"""
    bad = _cache_script(learner)
    if bad is None:
        return
    step, op, keys, got, exp = bad
    names = {("k", i): "abcdefx"[i] for i in range(7)}
    shown = "" if keys is None else "[" + ", ".join(names[k] for k in keys) + "]"
    hint = ""
    if (step, got, exp) == (2, 1, 0):
        hint = " match must stop at the first key that is not cached (only a leading run can be reused)."
    elif step in (9, 10) and (got, exp) in ((0, 1), (1, 0)):
        hint = (" After insert [a, b, c], insert [d, e] (evicts a), insert [b] (b becomes the most recent) and "
                "insert [f], the evicted key is c: this is what FIFO eviction, or not refreshing a key that is "
                "inserted again, gets wrong.")
    raise GradeFailure(f"PrefixCache(capacity 4), operation {step + 1} ({op} {shown}): got {got}, expected {exp}.{hint}")


def test_match_does_not_refresh(learner):
    """match changes nothing: a matched key can still be the one evicted"""
    a, b, c = ("a",), ("b",), ("c",)
    cache = learner.PrefixCache(2)
    cache.insert([a])
    cache.insert([b])
    cache.match([a])
    cache.insert([c])
    got = cache.match([a])
    check_true(got == 0, "after insert [a], insert [b], match [a], insert [c] with capacity 2, a should be evicted "
                         f"(match must not refresh it), but match([a]) returned {got}")


def test_round_robin_and_simulate(learner):
    """simulate and RoundRobinRouter give the reference hit rate and loads"""
    trace = _trace(7, n_requests=120, groups=10)
    exp = _simulate(trace, _RoundRobin(N_REPLICAS), N_REPLICAS, 32, BLOCK)
    got = learner.simulate(trace, _RoundRobin(N_REPLICAS), N_REPLICAS, 32, BLOCK)
    check_true(isinstance(got, dict) and {"hit_rate", "loads"} <= set(got),
               f"simulate should return a dict with hit_rate and loads, got {str(got)[:120]}")
    check_number(got["hit_rate"], exp["hit_rate"], name="simulate's hit rate with round robin", rtol=1e-12,
                 mistakes={"dividing by the tokens of full blocks only (count every prompt token)":
                           exp["hit_rate"] * sum(map(len, trace)) / sum(len(t) // BLOCK * BLOCK for t in trace)})
    check_true(list(got["loads"]) == exp["loads"], f"simulate's loads: got {got['loads']}, expected {exp['loads']}")
    exp2 = _simulate(trace, _FirstBlockHash(N_REPLICAS, BLOCK), N_REPLICAS, 32, BLOCK)
    got2 = learner.simulate(trace, _FirstBlockHash(N_REPLICAS, BLOCK), N_REPLICAS, 32, BLOCK)
    check_number(got2["hit_rate"], exp2["hit_rate"], name="simulate's hit rate with a first-block hash router",
                 rtol=1e-12)
    rr = learner.RoundRobinRouter(3)
    seq = [rr.route([1, 2, 3]) for _ in range(7)]
    check_true(seq == [0, 1, 2, 0, 1, 2, 0], f"RoundRobinRouter(3) routed seven requests to {seq}, expected "
                                             "[0, 1, 2, 0, 1, 2, 0]")


# --- Part 2 -----------------------------------------------------------------------------------------


def _evaluate(learner, name):
    trace = _trace(**TRACES[name])
    baseline = _simulate(trace, _RoundRobin(N_REPLICAS), N_REPLICAS, CAPACITY, BLOCK)
    router = learner.PrefixAffinityRouter(N_REPLICAS, BLOCK)
    result = _simulate(trace, router, N_REPLICAS, CAPACITY, BLOCK)
    return trace, baseline, result


def _check_router(learner, name):
    trace, baseline, result = _evaluate(learner, name)
    limit = LOAD_FACTOR * len(trace) / N_REPLICAS
    if max(result["loads"]) > limit:
        raise GradeFailure(f"on the trace '{name}', your router sent {max(result['loads'])} of {len(trace)} requests "
                           f"to one replica (loads {result['loads']}); the limit is {limit:g}. Pure affinity "
                           "overloads the replica of a hot prefix: bound each replica's load and send the "
                           "overflow elsewhere")
    if result["hit_rate"] < baseline["hit_rate"] + MARGIN:
        raise GradeFailure(f"on the trace '{name}', your router's hit rate {result['hit_rate']:.3f} does not beat "
                           f"round robin's {baseline['hit_rate']:.3f} by {MARGIN}. Key the affinity on the shared "
                           "prefix (for instance the first block), not on the whole prompt whose unique suffix "
                           "scatters requests like round robin")


def test_router_beats_round_robin_zipf(learner):
    """Zipf-skewed prefixes: hit rate at least 0.08 above round robin, load at most 1.25 x mean"""
    _check_router(learner, "Zipf-skewed prefixes")


def test_router_hot_prefix(learner):
    """one prefix in half of all requests: the load bound still holds"""
    _check_router(learner, "one prefix in half of all requests")


def test_router_flat_popularity(learner):
    """32 prefixes with flatter popularity: still beats round robin"""
    _check_router(learner, "32 prefixes, flatter popularity")
