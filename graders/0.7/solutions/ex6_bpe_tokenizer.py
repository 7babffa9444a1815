"""Reference solution for exercise 0.7.6 (shown by `tracker solution 0.7.6` after a pass)."""

from __future__ import annotations


def _pair_counts(ids: list[int]) -> dict[tuple[int, int], int]:
    counts: dict[tuple[int, int], int] = {}
    for pair in zip(ids, ids[1:]):
        counts[pair] = counts.get(pair, 0) + 1
    return counts


def _merge(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def train(text: str, vocab_size: int) -> dict[tuple[int, int], int]:
    ids = list(text.encode("utf-8"))
    merges: dict[tuple[int, int], int] = {}
    for new_id in range(256, vocab_size):
        if len(ids) < 2:
            break
        counts = _pair_counts(ids)
        best = max(counts.values())
        pair = min(p for p, c in counts.items() if c == best)
        merges[pair] = new_id
        ids = _merge(ids, pair, new_id)
    return merges


def encode(text: str, merges: dict[tuple[int, int], int]) -> list[int]:
    ids = list(text.encode("utf-8"))
    while len(ids) >= 2:
        candidates = [p for p in set(zip(ids, ids[1:])) if p in merges]
        if not candidates:
            break
        pair = min(candidates, key=lambda p: merges[p])
        ids = _merge(ids, pair, merges[pair])
    return ids


def decode(ids: list[int], merges: dict[tuple[int, int], int]) -> str:
    vocab = {i: bytes([i]) for i in range(256)}
    for (a, b), new_id in sorted(merges.items(), key=lambda item: item[1]):
        vocab[new_id] = vocab[a] + vocab[b]
    return b"".join(vocab[i] for i in ids).decode("utf-8", errors="replace")
