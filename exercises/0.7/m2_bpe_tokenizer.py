"""Milestone 0.7.m2: a byte-level BPE tokenizer with GPT-style pre-splitting and special tokens.

Write the class ``BPETokenizer`` in plain Python (``re`` is fine; no tokenizer library). It extends the
BPE of exercise 0.7.6 in the two ways GPT-2/GPT-4 tokenizers do: merges never cross the boundaries of
"chunks" found by a regular expression, and special tokens such as ``<|endoftext|>`` are never merged.

Pre-splitting: ``SPLIT_PATTERN`` below (given; use it as is) cuts ordinary text into chunks with
``re.findall(SPLIT_PATTERN, text)`` (contractions, runs of letters with an optional leading space, runs
of digits, runs of other symbols, whitespace). The chunks concatenate back to the text exactly.

``BPETokenizer(special_tokens=None)``: ``special_tokens`` is a list of strings (possibly empty). The
object has the attributes ``merges`` (a dict ``{(a, b): new_id}`` in the order learned, empty before
training) and ``special_ids`` (a dict ``{string: id}``).

``train(text, vocab_size)``:

* first remove the special tokens: split ``text`` on every occurrence of every special token string
  (exact match); the pieces between them are ordinary text, and a pair never spans a special token;
* split every piece into chunks with ``SPLIT_PATTERN``; each chunk becomes ``list(chunk.encode("utf-8"))``;
* repeat ``vocab_size - 256`` times: count every adjacent pair INSIDE each chunk, summed over all chunks
  (overlapping pairs count: ``[97, 97, 97]`` holds ``(97, 97)`` twice; a pair across two chunks never
  counts); pick the pair with the highest count; TIE-BREAK: among pairs with the same highest count take
  the smallest pair in lexicographic order (first id, then second id; Python's ``min`` on tuples), NOT
  the pair seen first; give it the next id (256, 257, ...) and replace its occurrences in every chunk,
  left to right, without overlap (``[97, 97, 97]`` becomes ``[256, 97]``); stop early if no pair is left;
* then give the special tokens the next ids after the merges, in the order of the list:
  ``special_ids[s_i] = 256 + len(merges) + i``.

``encode(text) -> list[int]``: split ``text`` on the special tokens (a special token string in the text
becomes its single id; where two special tokens overlap, the one that starts first wins, then the longer);
split each ordinary piece into chunks with ``SPLIT_PATTERN``; encode each chunk separately from its UTF-8
bytes by applying merges: while some adjacent pair of the chunk is in ``merges``, replace all occurrences
of the pair with the LOWEST new id (left to right, no overlap); concatenate the ids of all chunks and
special tokens in order. Before training (no merges), ordinary text encodes to its raw bytes.

``decode(ids) -> str``: bytes of id < 256 is that byte; of a merged id, the bytes of ``a`` then ``b``; of
a special id, the UTF-8 of its string; concatenate all bytes and ``.decode("utf-8", errors="replace")``.

The grader checks, on fixed corpora: merges exactly equal to a reference implementation of these rules
(same pairs, same ids, same order), encodings exactly equal, special token ids and the fact that their
bytes are never merged, and ``decode(encode(s)) == s`` for text in many scripts, emoji (including ZWJ
sequences and flags), combining marks, newlines, tabs and control characters, with special tokens
anywhere. The corpora are a few KB and need 60-90 merges: recounting all pairs every round is fast
enough (split the text into chunks once, before the merge loop).
"""

from __future__ import annotations

import re  # noqa: F401

SPLIT_PATTERN = r"""'(?:s|t|re|ve|m|ll|d)| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|_+|\s+(?!\S)|\s+"""


class BPETokenizer:
    def __init__(self, special_tokens: list[str] | None = None):
        raise NotImplementedError("write BPETokenizer.__init__")

    def train(self, text: str, vocab_size: int) -> None:
        raise NotImplementedError("write BPETokenizer.train")

    def encode(self, text: str) -> list[int]:
        raise NotImplementedError("write BPETokenizer.encode")

    def decode(self, ids: list[int]) -> str:
        raise NotImplementedError("write BPETokenizer.decode")
