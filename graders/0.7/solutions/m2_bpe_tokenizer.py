"""Reference solution for milestone 0.7.m2 (shown by `tracker solution 0.7.m2` after a pass)."""

from __future__ import annotations

import re

SPLIT_PATTERN = r"""'(?:s|t|re|ve|m|ll|d)| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|_+|\s+(?!\S)|\s+"""


def _merge(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


class BPETokenizer:
    def __init__(self, special_tokens: list[str] | None = None):
        self.special_tokens = list(special_tokens or [])
        self.merges: dict[tuple[int, int], int] = {}
        self.special_ids: dict[str, int] = {}
        self._set_special_ids()

    def _set_special_ids(self) -> None:
        base = 256 + len(self.merges)
        self.special_ids = {s: base + i for i, s in enumerate(self.special_tokens)}

    def _split_special(self, text: str) -> list[str]:
        """Ordinary pieces and special tokens, in order (special tokens kept as separate items)."""
        if not self.special_tokens:
            return [text]
        ordered = sorted(self.special_tokens, key=len, reverse=True)  # longest first at the same start
        pattern = "(" + "|".join(re.escape(s) for s in ordered) + ")"
        return [piece for piece in re.split(pattern, text) if piece]

    def train(self, text: str, vocab_size: int) -> None:
        chunks: dict[str, int] = {}  # identical chunks are counted once, weighted by frequency
        for piece in self._split_special(text):
            if piece in self.special_tokens:
                continue
            for chunk in re.findall(SPLIT_PATTERN, piece):
                chunks[chunk] = chunks.get(chunk, 0) + 1
        seqs = [(list(c.encode("utf-8")), n) for c, n in chunks.items()]
        self.merges = {}
        for new_id in range(256, vocab_size):
            counts: dict[tuple[int, int], int] = {}
            for ids, n in seqs:
                for pair in zip(ids, ids[1:]):
                    counts[pair] = counts.get(pair, 0) + n
            if not counts:
                break
            best = max(counts.values())
            pair = min(p for p, c in counts.items() if c == best)
            self.merges[pair] = new_id
            seqs = [(_merge(ids, pair, new_id), n) for ids, n in seqs]
        self._set_special_ids()

    def _encode_chunk(self, chunk: str) -> list[int]:
        ids = list(chunk.encode("utf-8"))
        while len(ids) >= 2:
            candidates = [p for p in zip(ids, ids[1:]) if p in self.merges]
            if not candidates:
                break
            pair = min(candidates, key=self.merges.__getitem__)
            ids = _merge(ids, pair, self.merges[pair])
        return ids

    def encode(self, text: str) -> list[int]:
        out: list[int] = []
        for piece in self._split_special(text):
            if piece in self.special_ids:
                out.append(self.special_ids[piece])
                continue
            for chunk in re.findall(SPLIT_PATTERN, piece):
                out.extend(self._encode_chunk(chunk))
        return out

    def decode(self, ids: list[int]) -> str:
        vocab = {i: bytes([i]) for i in range(256)}
        for (a, b), new_id in sorted(self.merges.items(), key=lambda item: item[1]):
            vocab[new_id] = vocab[a] + vocab[b]
        for s, i in self.special_ids.items():
            vocab[i] = s.encode("utf-8")
        return b"".join(vocab[i] for i in ids).decode("utf-8", errors="replace")
