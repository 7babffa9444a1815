"""Grader for milestone 0.7.m2: byte-level BPE with regex pre-splitting and special tokens.

The merges, encodings and special ids are compared exactly with the grader's own implementation of the
stub's rules on fixed corpora (English prose with numbers and code, and a mixed-script corpus), and
``decode(encode(s)) == s`` is checked on many scripts, emoji (ZWJ sequences, flags, skin tones),
combining marks, newlines, tabs and control characters, with special tokens anywhere. Probes: merging
across chunk boundaries (no pre-splitting), breaking ties by first occurrence, counting pairs without
overlap, special-token bytes merged, wrong special ids.
"""

from __future__ import annotations

import re

from gradelib import GradeFailure, check_true

SPLIT = r"""'(?:s|t|re|ve|m|ll|d)| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|_+|\s+(?!\S)|\s+"""
EOT = "<|endoftext|>"

ENGLISH = (
    "The cat sat on the mat. The cat's hat was flat, and the rat ran at 10:30 or 10:45.\n"
    "def add_one(x_value):\n\treturn x_value + 1  # it's 2024, isn't it?\n"
    "aaaa bbbb aaaa abab baba 1111 2222 1212 -- ... !!! ???\n"
    "They're here; we've seen them, we'll see them, I'd say I'm sure.\n"
) * 3 + EOT + "Another document: the end of the cat and the hat." + EOT + "x"
MIXED = (
    "Grüße aus Köln! naïve café résumé — 東京都は日本の首都です。東京タワー。\n"
    "Привет, мир! Привет всем. 🙂🙂 👩‍💻 emoji 🇫🇷🇫🇷 e\u0301e\u0301 \u0915\u094d\u0937 "
    "مرحبا بالعالم 12345 67890\n"
) * 4
ROUND_TRIP = [
    "",
    "hello world",
    "  leading and trailing spaces  ",
    "line one\nline two\r\n\ttabbed\n\n",
    "控制\x00字符\x07 and \x1b[0m escapes",
    "👨‍👩‍👧‍👦 family, 👍🏽 thumbs, 🇯🇵🇰🇷 flags, 🏳️‍🌈",
    "Zalgo: Z\u0351\u0358a\u0353l\u0315g\u0338o and a\u0308\u0301",
    "日本語のテキストと한국어 텍스트와 中文文本",
    "עברית ואנגלית mixed العربية",
    "snake_case_name __dunder__ 3.14159 1e-9 0xFF",
    EOT,
    EOT + EOT + "text between" + EOT,
    "x" + EOT + "y<|endoftext|z <|endoftext",
    "never seen: ᚠᛇᚻ ꦧꦱꦗꦮ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \U0001f9ec",
]


def _merge(ids, pair, new_id):
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def _pieces(text, specials):
    if not specials:
        return [text]
    pat = "(" + "|".join(re.escape(s) for s in sorted(specials, key=len, reverse=True)) + ")"
    return [p for p in re.split(pat, text) if p]


def _ref_train(text, vocab_size, specials, *, split=True, tie="min", overlap=True, join_specials=False):
    if join_specials:
        pieces = ["".join(p for p in _pieces(text, specials) if p not in specials)]
    else:
        pieces = [p for p in _pieces(text, specials) if p not in specials]
    chunks = [c for p in pieces for c in (re.findall(SPLIT, p) if split else [p])]
    seqs = [list(c.encode("utf-8")) for c in chunks]
    merges = {}
    for new_id in range(256, vocab_size):
        counts = {}
        for ids in seqs:
            i = 0
            while i + 1 < len(ids):
                pair = (ids[i], ids[i + 1])
                counts[pair] = counts.get(pair, 0) + 1
                if not overlap and ids[i] == ids[i + 1] and i + 2 < len(ids) and ids[i + 2] == ids[i]:
                    i += 2
                else:
                    i += 1
        if not counts:
            break
        best = max(counts.values())
        pair = min(p for p, c in counts.items() if c == best) if tie == "min" else next(p for p, c in counts.items() if c == best)
        merges[pair] = new_id
        seqs = [_merge(ids, pair, new_id) for ids in seqs]
    return merges


def _ref_encode(text, merges, specials, *, by_rank=True):
    sid = {s: 256 + len(merges) + i for i, s in enumerate(specials)}
    out = []
    for piece in _pieces(text, specials):
        if piece in sid:
            out.append(sid[piece])
            continue
        for chunk in re.findall(SPLIT, piece):
            ids = list(chunk.encode("utf-8"))
            while len(ids) >= 2:
                cands = [p for p in zip(ids, ids[1:]) if p in merges]
                if not cands:
                    break
                if by_rank:
                    pair = min(cands, key=merges.__getitem__)
                else:
                    pair = max(cands, key=lambda p: (cands.count(p), -merges[p]))
                ids = _merge(ids, pair, merges[pair])
            out.extend(ids)
    return out


def _trained(learner, text, vocab_size, specials):
    tok = learner.BPETokenizer(list(specials))
    tok.train(text, vocab_size)
    merges = getattr(tok, "merges", None)
    check_true(isinstance(merges, dict), f"tokenizer.merges should be a dict {{(a, b): new_id}}, got {type(merges).__name__}")
    return tok


def _compare_merges(got, expected, label, mistakes):
    got_list = [(tuple(k), v) for k, v in got.items()]
    exp_list = list(expected.items())
    if got_list == exp_list:
        return
    for what, wrong in mistakes.items():
        if got_list == list(wrong.items()):
            raise GradeFailure(f"the merges learned on {label} differ from the reference. This is what {what} gives.")
    for i, (g, e) in enumerate(zip(got_list, exp_list)):
        if g != e:
            raise GradeFailure(
                f"the merges learned on {label} differ from the reference at merge #{i}: expected {e[0]} -> {e[1]}, "
                f"got {g[0]} -> {g[1]}"
            )
    raise GradeFailure(f"{len(got_list)} merges learned on {label}, expected {len(exp_list)}")


def test_merges_match_reference(learner):
    """merges on English text with code equal the reference (chunks, counts, tie-break, ids)"""
    tok = _trained(learner, ENGLISH, 256 + 60, [EOT])
    expected = _ref_train(ENGLISH, 256 + 60, [EOT])
    _compare_merges(
        tok.merges,
        expected,
        "the English corpus",
        {
            "merging across chunk boundaries (no regex pre-splitting)": _ref_train(ENGLISH, 256 + 60, [EOT], split=False),
            "breaking ties by the pair seen first instead of the smallest pair": _ref_train(ENGLISH, 256 + 60, [EOT], tie="first"),
            "counting pairs without overlap ('aaa' holding (a, a) once)": _ref_train(ENGLISH, 256 + 60, [EOT], overlap=False),
            "training on the special tokens' text as ordinary text (remove them first)": _ref_train(ENGLISH, 256 + 60, []),
        },
    )


def test_merges_mixed_scripts(learner):
    """merges on a mixed-script corpus (accents, CJK, Cyrillic, emoji, Arabic) equal the reference"""
    tok = _trained(learner, MIXED, 256 + 90, [])
    expected = _ref_train(MIXED, 256 + 90, [])
    _compare_merges(
        tok.merges,
        expected,
        "the mixed-script corpus",
        {
            "merging across chunk boundaries (no regex pre-splitting)": _ref_train(MIXED, 256 + 90, [], split=False),
            "breaking ties by the pair seen first instead of the smallest pair": _ref_train(MIXED, 256 + 90, [], tie="first"),
        },
    )


def test_special_tokens(learner):
    """special tokens get ids 256 + len(merges) + i, encode to one id each, and their bytes are never merged"""
    specials = [EOT, "<|pad|>"]
    tok = _trained(learner, ENGLISH, 256 + 60, specials)
    n = len(tok.merges)
    expected = {EOT: 256 + n, "<|pad|>": 257 + n}
    got = dict(getattr(tok, "special_ids", {}) or {})
    if got != expected:
        raise GradeFailure(f"special_ids is {got}, expected {expected} (the ids right after the merges, in list order)")
    ids = tok.encode("a" + EOT + "b<|pad|>" + EOT)
    check_true(
        ids == _ref_encode("a" + EOT + "b<|pad|>" + EOT, tok.merges, specials),
        f"encode('a<|endoftext|>b<|pad|><|endoftext|>') gave {ids}; each special token must be its single id "
        f"{expected[EOT]} / {expected['<|pad|>']} between the ordinary ids",
    )
    vocab = {i: bytes([i]) for i in range(256)}
    for (a, b), new_id in sorted(tok.merges.items(), key=lambda kv: kv[1]):
        vocab[new_id] = vocab.get(a, b"") + vocab.get(b, b"")
        check_true(b"<|" not in vocab[new_id] and b"|>" not in vocab[new_id],
                   f"merge {new_id} holds the bytes {vocab[new_id]!r} of a special token: remove special tokens before counting")


def test_encode_matches_reference(learner):
    """encode applies merges in the order learned, chunk by chunk, and equals the reference"""
    tok = _trained(learner, ENGLISH, 256 + 60, [EOT])
    merges = _ref_train(ENGLISH, 256 + 60, [EOT])
    for text in ["The cat sat on the flat mat at 10:30.", "aaaaaaa abababab they're", "unseen words: zebra_quux 987"]:
        got = tok.encode(text)
        exp = _ref_encode(text, merges, [EOT])
        if got != exp:
            raise GradeFailure(f"encode({text!r}) gave {got}, expected {exp}")
    fresh = learner.BPETokenizer([EOT])
    check_true(fresh.encode("hé") == list("hé".encode("utf-8")), "before training, encode should return the raw UTF-8 bytes")


def test_round_trip(learner):
    """decode(encode(s)) == s for many scripts, emoji, combining marks, control characters, special tokens"""
    tok = _trained(learner, MIXED + EOT + ENGLISH, 256 + 80, [EOT])
    for text in ROUND_TRIP:
        ids = tok.encode(text)
        check_true(isinstance(ids, list), f"encode should return a list of ints, got {type(ids).__name__}")
        back = tok.decode(ids)
        check_true(back == text, f"decode(encode({text!r})) gave {back!r}")
    try:
        bad = tok.decode([0xE6, 0x97])
    except UnicodeDecodeError:
        raise GradeFailure(
            "decode([0xE6, 0x97]) (an incomplete UTF-8 character) raised UnicodeDecodeError: decode with "
            'errors="replace" so that invalid bytes become U+FFFD'
        ) from None
    check_true(bad == "\ufffd", f"decode of invalid UTF-8 ([0xE6, 0x97]) should give U+FFFD, got {bad!r}")
