"""Grader for exercise 0.7.6: a byte-level BPE tokenizer.

The merges are compared with the grader's own implementation of the stub's rules (overlapping pair
counts, lexicographically smallest pair on ties, left-to-right non-overlapping replacement) on a
hand-checkable example and on two fixed corpora, one of them multilingual; encodings of held-out text are
compared exactly; the round trip ``decode(encode(s)) == s`` is checked on strings in many scripts, emoji
ZWJ sequences, combining marks, astral-plane letters and control characters. Probes: breaking ties by
first occurrence (``max(stats, key=stats.get)``), counting pairs without overlap, replacing right to left,
ids that do not start at 256, not stopping when no pair is left, encoding by applying the first mergeable
pair of the sequence instead of the earliest-learned one, code points instead of UTF-8 bytes, decoding
with chr() instead of bytes, and decoding invalid UTF-8 without errors="replace".
"""

from __future__ import annotations

from gradelib import GradeFailure, check_true

CORPUS_EN = (
    "the tokenizer reads the text as bytes, then the tokenizer merges the most common pair of tokens "
    "into a new token. then it counts the pairs again, and again it merges the most common pair. "
    "a token that appears often becomes one symbol; the rarer tokens stay as bytes. "
    "there is no unknown token: every string is a sequence of bytes, and every byte is a token. "
    "aaa aaaa aaaaa bbb bbbb abab abab ababab the the the theta then there these those. "
) * 3

CORPUS_MIXED = (
    "Grüße aus München! Ça va très bien, merci. Español: el niño come piña. "
    "Русский текст для проверки. Ελληνικά γράμματα. 日本語のテキストです。中文字符测试。"
    "한국어 문장입니다. emoji: 🙂🙂🙂 👩‍💻 🇫🇷 ok. math: ∑ x² ≤ ∞. "
) * 4

ROUND_TRIP = [
    "",
    "a",
    "hello world",
    "héllo wörld, Grüße",
    "日本語のテキストと、まだ見ていない漢字: 鬱",
    "family: 👩‍👩‍👧‍👦, flags 🇯🇵🇧🇷, skin tone 👍🏽",
    "Ελληνικά, Русский, עברית, العربية, हिन्दी, ไทย",
    "combining: e\u0301 a\u0308 n\u0303 (decomposed), precomposed: é ä ñ",
    "astral: 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕏 🂡",
    "control: \x00\x01\t\n\r\x7f end",
    "the tokenizer merges the most common pair of tokens",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "\ufeffBOM and \u200bzero width\u200d joiner",
]


# --- the grader's reference, with switches that reproduce the classic mistakes ----------------


def _counts(ids, overlap=True):
    counts = {}
    i = 0
    while i < len(ids) - 1:
        pair = (ids[i], ids[i + 1])
        counts[pair] = counts.get(pair, 0) + 1
        if not overlap and ids[i] == ids[i + 1] and i + 2 < len(ids) and ids[i + 2] == ids[i]:
            i += 2
        else:
            i += 1
    return counts


def _merge(ids, pair, new_id, right_to_left=False):
    if right_to_left:
        return list(reversed(_merge(list(reversed(ids)), (pair[1], pair[0]), new_id)))
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def _train(text, vocab_size, tie="lex", overlap=True, right_to_left=False):
    ids = list(text.encode("utf-8"))
    merges = {}
    for new_id in range(256, vocab_size):
        if len(ids) < 2:
            break
        counts = _counts(ids, overlap)
        best = max(counts.values())
        if tie == "lex":
            pair = min(p for p, c in counts.items() if c == best)
        else:
            pair = max(counts, key=counts.get)  # first seen among the most frequent
        merges[pair] = new_id
        ids = _merge(ids, pair, new_id, right_to_left)
    return merges


def _encode(text, merges, mode="rank"):
    ids = list(text.encode("utf-8"))
    while len(ids) >= 2:
        pairs = [p for p in zip(ids, ids[1:]) if p in merges]
        if not pairs:
            break
        pair = min(pairs, key=lambda p: merges[p]) if mode == "rank" else pairs[0]
        ids = _merge(ids, pair, merges[pair])
    return ids


# --- helpers -------------------------------------------------------------------------------------


def _as_merges(value, what):
    if not isinstance(value, dict):
        raise GradeFailure(f"{what} should return a dict {{(a, b): new_id}}, got {type(value).__name__}")
    out = {}
    for key, new_id in value.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise GradeFailure(f"{what}: every key should be a pair (a, b) of ids, found {key!r}")
        out[(int(key[0]), int(key[1]))] = int(new_id)
    return out


def _fmt(merges, limit=6):
    items = list(merges.items())
    text = ", ".join(f"{a},{b}->{i}" for (a, b), i in items[:limit])
    return text + (", ..." if len(items) > limit else "")


def _check_merges(got, text, vocab_size, what):
    expected = _train(text, vocab_size)
    if list(got.items()) == list(expected.items()):
        return
    if got == expected:
        raise GradeFailure(f"{what}: the right merges, but not in the order learned (return them in order)")
    why = ""
    wrong = {
        "breaking ties by the pair seen FIRST (max(stats, key=stats.get)) instead of the lexicographically "
        "smallest pair": _train(text, vocab_size, tie="first"),
        "counting pairs without overlap (aaa holds the pair (a, a) twice)": _train(text, vocab_size, overlap=False),
        "replacing occurrences right to left (replace left to right)": _train(text, vocab_size, right_to_left=True),
    }
    for description, merges in wrong.items():
        if list(got.items()) == list(merges.items()):
            why = f" This is what {description} gives."
            break
    ids = sorted(got.values())
    if not why and ids and ids != list(range(256, 256 + len(ids))):
        why = " The new ids should be 256, 257, ... in order."
    if not why and len(got) != len(expected):
        why = f" You returned {len(got)} merges, expected {len(expected)}."
    first = next(
        (k for k, (a, b) in enumerate(zip(got.items(), expected.items())) if a != b),
        min(len(got), len(expected)),
    )
    raise GradeFailure(
        f"{what}: merge #{first} differs (expected {_fmt(dict(list(expected.items())[first:]), 3)}; "
        f"got {_fmt(dict(list(got.items())[first:]), 3)}).{why}"
    )


# --- tests ---------------------------------------------------------------------------------------


def test_train_small_example(learner):
    """'aaabdaaabac' with 3 merges: (a,a)->256, then the tie (a,b) vs (256,a) goes to (a,b)"""
    text = "aaabdaaabac"
    got = _as_merges(learner.train(text, 259), "train")
    _check_merges(got, text, 259, "train('aaabdaaabac', 259)")


def test_train_counts_overlapping_pairs(learner):
    """pairs are counted with overlap and replaced left to right"""
    for text in ("aaabbcbc", "aaaxyzxyzaaa", "zzzzz"):
        got = _as_merges(learner.train(text, 262), "train")
        _check_merges(got, text, 262, f"train({text!r}, 262)")


def test_train_stops_when_no_pair_is_left(learner):
    """training stops early when the sequence has a single token left"""
    got = _as_merges(learner.train("abab", 300), "train")
    _check_merges(got, "abab", 300, "train('abab', 300)")


def test_train_on_fixed_corpora(learner):
    """merges on two fixed corpora (English, multilingual) equal the reference"""
    corpora = (("the English corpus", CORPUS_EN, 256 + 60), ("the multilingual corpus", CORPUS_MIXED, 256 + 40))
    for name, text, size in corpora:
        got = _as_merges(learner.train(text, size), "train")
        _check_merges(got, text, size, f"train on {name}, vocab_size={size}")


def _check_ids(got, expected, what, mistakes=None):
    if not isinstance(got, list) or not all(isinstance(i, int) for i in got):
        raise GradeFailure(f"{what} should be a list of Python ints, got {type(got).__name__}: {str(got)[:80]}")
    if got == expected:
        return
    for description, wrong in (mistakes or {}).items():
        if got == wrong:
            raise GradeFailure(f"{what}: got {got[:12]}, expected {expected[:12]}. This is what {description} gives.")
    first = next((k for k, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
    raise GradeFailure(
        f"{what}: the ids differ from position {first} on (expected {expected[first:first + 8]}, "
        f"got {got[first:first + 8]}; lengths {len(expected)} and {len(got)})"
    )


def test_encode_without_merges_gives_utf8_bytes(learner):
    """with no merges, encode returns the UTF-8 bytes"""
    text = "é€😀a"
    _check_ids(
        learner.encode(text, {}),
        list(text.encode("utf-8")),
        "encode('é€😀a', {})",
        mistakes={"encoding code points (ord) instead of UTF-8 bytes": [ord(c) for c in text]},
    )


def test_encode_applies_earliest_merge_first(learner):
    """encode merges the pair with the LOWEST id first, not the first pair in the text"""
    merges = {(98, 99): 256, (97, 98): 257, (257, 99): 258, (97, 256): 259}
    text = "abcabc"
    _check_ids(
        learner.encode(text, merges),
        _encode(text, merges),
        "encode('abcabc') with merges (b,c)->256, (a,b)->257, (257,c)->258, (a,256)->259",
        mistakes={
            "applying the first mergeable pair of the sequence instead of the earliest-learned one": _encode(
                text, merges, mode="first"
            )
        },
    )


def test_encode_matches_reference(learner):
    """encodings of held-out text equal the reference's"""
    merges = _train(CORPUS_EN + CORPUS_MIXED, 256 + 80)
    for text in ("then the tokens merge again; abab aaaa", "München, 日本語, 🙂🙂 ok", CORPUS_EN[:200]):
        _check_ids(
            learner.encode(text, dict(merges)),
            _encode(text, merges),
            f"encode({text[:30]!r}...)",
            mistakes={
                "applying the first mergeable pair of the sequence instead of the earliest-learned one": _encode(
                    text, merges, mode="first"
                )
            },
        )
    ids = _encode(CORPUS_EN, merges)
    check_true(len(ids) < len(CORPUS_EN.encode("utf-8")) / 2, "sanity: the learned merges should compress the corpus")


def test_round_trip_diverse_unicode(learner):
    """decode(encode(s)) == s for many scripts, emoji, combining marks and control characters"""
    merges = _as_merges(learner.train(CORPUS_EN + CORPUS_MIXED, 256 + 80), "train")
    for s in ROUND_TRIP:
        ids = learner.encode(s, merges)
        back = learner.decode(ids, merges)
        if back != s:
            raise GradeFailure(
                f"decode(encode(s)) != s for s = {s!r}: got {back!r}"
                + (
                    " (decode must join the BYTES of the tokens and decode them as UTF-8 once, not chr() each id)"
                    if any(ord(c) > 127 for c in s)
                    else ""
                )
            )


def test_decode_tokens_and_invalid_bytes(learner):
    """decode joins token bytes; invalid UTF-8 becomes U+FFFD instead of raising"""
    merges = {(0xC3, 0xA9): 256, (256, 0x74): 257}  # 'é' and 'ét'
    got = learner.decode([257, 0xC3, 0xA9, 0x21], merges)
    check_true(
        got == "été!", f"decode([257, 0xC3, 0xA9, 0x21]) with é->256, ét->257 gave {got!r}, expected 'été!'"
    )
    try:
        got = learner.decode([0x61, 0xE2, 0x82, 0x62, 0xFF], merges)
    except UnicodeDecodeError:
        raise GradeFailure(
            "decode raised UnicodeDecodeError on an id sequence that is not valid UTF-8: decode the bytes with "
            'errors="replace"'
        ) from None
    expected = bytes([0x61, 0xE2, 0x82, 0x62, 0xFF]).decode("utf-8", errors="replace")
    check_true(got == expected, f"decode of invalid UTF-8 gave {got!r}, expected {expected!r} (errors='replace')")
