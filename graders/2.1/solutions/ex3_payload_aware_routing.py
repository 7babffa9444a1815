"""Reference solution for exercise 2.1.3 (shown by `tracker solution 2.1.3` after a pass)."""

from __future__ import annotations

from collections import OrderedDict


def block_keys(tokens: list[int], block_size: int) -> list[tuple[int, ...]]:
    n_full = len(tokens) // block_size
    return [tuple(tokens[: (i + 1) * block_size]) for i in range(n_full)]


class PrefixCache:
    def __init__(self, capacity: int):
        self.capacity = capacity
        self._keys: OrderedDict = OrderedDict()  # least recently used first

    def match(self, keys) -> int:
        n = 0
        for key in keys:
            if key not in self._keys:
                break
            n += 1
        return n

    def insert(self, keys) -> None:
        for key in keys:
            if key in self._keys:
                self._keys.move_to_end(key)
            else:
                self._keys[key] = None
            while len(self._keys) > self.capacity:
                self._keys.popitem(last=False)

    def __len__(self) -> int:
        return len(self._keys)


class RoundRobinRouter:
    def __init__(self, n_replicas: int):
        self.n_replicas = n_replicas
        self._next = 0

    def route(self, tokens) -> int:
        replica = self._next
        self._next = (self._next + 1) % self.n_replicas
        return replica


class PrefixAffinityRouter:
    """Bounded-load affinity: each prefix (keyed by its first block) has a home replica, chosen as the least
    loaded one when the prefix is first seen; a request goes home unless that would put the home replica
    above (1 + slack) times the mean load, in which case it goes to the least loaded replica."""

    def __init__(self, n_replicas: int, block_size: int, slack: float = 0.2):
        self.n_replicas = n_replicas
        self.block_size = block_size
        self.slack = slack
        self.home: dict[tuple[int, ...], int] = {}
        self.loads = [0] * n_replicas

    def _least_loaded(self) -> int:
        return min(range(self.n_replicas), key=lambda r: (self.loads[r], r))

    def route(self, tokens) -> int:
        key = tuple(tokens[: self.block_size])
        if key not in self.home:
            self.home[key] = self._least_loaded()
        replica = self.home[key]
        total_after = sum(self.loads) + 1
        if self.loads[replica] + 1 > (1 + self.slack) * total_after / self.n_replicas:
            replica = self._least_loaded()
        self.loads[replica] += 1
        return replica


def simulate(trace, router, n_replicas: int, capacity_blocks: int, block_size: int) -> dict:
    caches = [PrefixCache(capacity_blocks) for _ in range(n_replicas)]
    loads = [0] * n_replicas
    hit_tokens = total_tokens = 0
    for tokens in trace:
        replica = router.route(tokens)
        loads[replica] += 1
        keys = block_keys(tokens, block_size)
        hit_tokens += caches[replica].match(keys) * block_size
        total_tokens += len(tokens)
        caches[replica].insert(keys)
    return {"hit_rate": hit_tokens / total_tokens, "loads": loads}
