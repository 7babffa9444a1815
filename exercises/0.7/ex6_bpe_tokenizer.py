"""Exercise 0.7.6: a byte-level BPE tokenizer: train, encode, decode.

Byte-level BPE starts from the UTF-8 bytes of the text (token ids 0..255, so every string is
representable) and repeatedly merges the most frequent adjacent pair of tokens into a new token. Write the
three functions below in plain Python (no tokenizer library).

Training, ``train(text, vocab_size) -> dict[tuple[int, int], int]``:

* start from ``list(text.encode("utf-8"))``;
* repeat ``vocab_size - 256`` times: count every adjacent pair of the CURRENT sequence, overlapping pairs
  included (``[97, 97, 97]`` contains the pair ``(97, 97)`` twice); pick the pair with the highest count;
  TIE-BREAK: among pairs with the same highest count, pick the smallest pair in lexicographic order
  (compare the first ids, then the second ids; Python's ``min`` on tuples), NOT the pair seen first;
  give it the next id (256, 257, ... in order) and replace its occurrences in the sequence, scanning left
  to right without overlap (``[97, 97, 97]`` with ``(97, 97) -> 256`` becomes ``[256, 97]``);
* stop early if the sequence has fewer than 2 tokens (no pair is left);
* return the merges as a dict ``{(a, b): new_id}`` in the order they were learned.

Encoding, ``encode(text, merges) -> list[int]``: start from the UTF-8 bytes; while some adjacent pair of
the sequence is in ``merges``, take the one with the LOWEST new id (the earliest merge learned) and
replace all its occurrences left to right without overlap, as in training; return the final ids. With
no merges at all, ``encode`` returns the raw bytes.

Decoding, ``decode(ids, merges) -> str``: the bytes of a token are its own byte for ids < 256 and the
concatenation of the bytes of ``a`` and ``b`` for a merged id ``(a, b) -> new_id``; concatenate the bytes
of all ids and decode them with ``.decode("utf-8", errors="replace")`` (an arbitrary id sequence need not
be valid UTF-8; invalid bytes become U+FFFD instead of raising).

The grader checks: merges exactly equal to a reference implementation of these rules on fixed corpora
(same pairs, same ids, same order); encodings exactly equal; ``decode(encode(s)) == s`` for strings in
many scripts, emoji sequences, combining marks and control characters, including strings with characters
never seen in training.
"""

from __future__ import annotations


def train(text: str, vocab_size: int) -> dict[tuple[int, int], int]:
    raise NotImplementedError("write train")


def encode(text: str, merges: dict[tuple[int, int], int]) -> list[int]:
    raise NotImplementedError("write encode")


def decode(ids: list[int], merges: dict[tuple[int, int], int]) -> str:
    raise NotImplementedError("write decode")
