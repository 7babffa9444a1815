"""Exercise 2.1.3: payload-aware routing: send requests that share a prompt prefix to the same replica.

An LLM server with prefix caching (vLLM's automatic prefix caching, SGLang's radix cache) skips the
prefill of any leading blocks of a prompt whose KV cache it still holds. A router that only balances load
(round robin) scatters requests that share a system prompt or a document over all replicas, so every
replica computes and caches the same prefix. A payload-aware router looks inside the request (its tokens)
and sends requests with the same prefix to the same replica, while keeping the load balanced.

Part 1: the cache model (the grader holds you to exactly this).

* Prompts are lists of int token ids. They are cut into blocks of ``block_size`` tokens; only full blocks
  are cached (a trailing partial block never is). ``block_keys`` returns one key per full block; the key of
  block ``i`` is the tuple of ALL tokens from the start of the prompt to the end of that block,
  ``tuple(tokens[:(i + 1) * block_size])``, so a block is reused only when everything before it matches
  too (as vLLM's chained block hashes do).
* ``PrefixCache(capacity)`` holds at most ``capacity`` keys with least-recently-used eviction.
  ``match(keys)`` returns how many LEADING keys of the list are in the cache (it stops at the first miss)
  and changes nothing. ``insert(keys)`` goes through the keys in order: a key already present becomes the
  most recently used; a new key is added as the most recently used; whenever the cache holds more than
  ``capacity`` keys, the least recently used key is evicted.
* ``simulate(trace, router, n_replicas, capacity_blocks, block_size)`` replays a trace (a list of
  prompts) in order, one cache per replica: ``r = router.route(tokens)``; that replica's cache ``match``es
  the prompt's keys (hit tokens ``= matched blocks * block_size``) and then ``insert``s all of them. It
  returns ``{"hit_rate": total hit tokens / total prompt tokens (all tokens, partial blocks included),
  "loads": [number of requests routed to each replica]}``.
* ``RoundRobinRouter(n_replicas).route`` returns 0, 1, ..., n_replicas - 1, 0, 1, ... whatever the prompt.

Part 2: ``PrefixAffinityRouter(n_replicas, block_size)``: your design. Its ``route(tokens)`` sees only the
prompt (and whatever state the router keeps). The grader replays traces of 400 requests through its own
``simulate`` with 4 replicas, 64 blocks of cache per replica and ``block_size = 16``. Each trace has 24 to
32 shared prefixes of 64 to 192 tokens, each request being one prefix followed by a unique suffix of 8 to
72 random tokens; prefix popularity is skewed (Zipf-like), and in one trace half of all requests share one
prefix. On every trace your router must

* reach a hit rate at least 0.08 (absolute) above round robin's on the same trace, and
* route at most ``1.25 * 400 / 4 = 125`` requests to any one replica (pure affinity overloads the replica of
  a hot prefix: bound the load).

A fresh router is built for each trace. ``hash()`` of a tuple of ints is deterministic and fine to use.
Hit rates and loads of Part 1 are compared exactly. No routine is off-limits.
"""

from __future__ import annotations


def block_keys(tokens: list[int], block_size: int) -> list[tuple[int, ...]]:
    """One key per full block: ``tuple(tokens[:(i + 1) * block_size])`` for block ``i``."""
    raise NotImplementedError("write block_keys")


class PrefixCache:
    """An LRU set of block keys, holding at most ``capacity`` keys."""

    def __init__(self, capacity: int):
        raise NotImplementedError("write PrefixCache")

    def match(self, keys: list[tuple[int, ...]]) -> int:
        """How many leading keys are cached (no change to the cache)."""
        raise NotImplementedError("write PrefixCache.match")

    def insert(self, keys: list[tuple[int, ...]]) -> None:
        """Add or refresh the keys in order, evicting the least recently used beyond ``capacity``."""
        raise NotImplementedError("write PrefixCache.insert")

    def __len__(self) -> int:
        """The number of keys held."""
        raise NotImplementedError("write PrefixCache.__len__")


class RoundRobinRouter:
    def __init__(self, n_replicas: int):
        raise NotImplementedError("write RoundRobinRouter")

    def route(self, tokens: list[int]) -> int:
        raise NotImplementedError("write RoundRobinRouter.route")


class PrefixAffinityRouter:
    def __init__(self, n_replicas: int, block_size: int):
        raise NotImplementedError("write PrefixAffinityRouter")

    def route(self, tokens: list[int]) -> int:
        """The replica (``0 <= r < n_replicas``) for this prompt."""
        raise NotImplementedError("write PrefixAffinityRouter.route")


def simulate(trace: list[list[int]], router, n_replicas: int, capacity_blocks: int, block_size: int) -> dict:
    """Replay ``trace`` through ``router`` (any object with ``route``); see Part 1."""
    raise NotImplementedError("write simulate")
