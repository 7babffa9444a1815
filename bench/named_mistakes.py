"""How often does a grader's message name the learner's mistake, rather than only point at the quantity?

The classic mistakes are the known-buggy variants of every exercise (``graders/M.m/variants/*.yaml``). Each
is graded through the real grading path (the warm worker's forked children, the grader's limits, on the
CPU), and its failure counts as NAMED when

1. the grade is a failure whose messages contain the variant's ``expect`` text (what the project's own
   tests already demand), and
2. the message that carries it is not one of gradelib's bare comparisons: a ``check_close`` headline
   ("X: the worst difference from the reference is ... values are outside rtol=..., atol=...") or a
   ``check_number`` line ("X: got 3.1, expected 2.9 (rtol=..., atol=...)"), or a bare shape or dtype
   mismatch, with no sentence after it. Such a message says WHICH quantity is wrong, not what the
   learner did; an ``expect`` found there can only be part of the quantity's name. A sentence such as
   "This is what <mistake> gives.", a probe's own explanation or a check's specific text passes.

Exercises that need a GPU are left out on a machine without one (their variants report "needs a GPU").
Target: at least 95 % of the classic mistakes named.

    python bench/named_mistakes.py [--modules 0.8,0.9] [--exercise 1.2.2] [--jobs 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import PROJECT

# gradelib's generic comparison messages, whole (a named message adds a sentence after them).
_NUMBER = r"-?(?:[\d.]+(?:e[-+]?\d+)?|inf|nan)"
_BARE = [
    re.compile(rf"^.*: the (?:worst )?difference from the reference is {_NUMBER}(?: at index \[[\d, ]*\])? "
               rf"\(expected {_NUMBER}, got {_NUMBER}, allowed {_NUMBER}\); \d+ of \d+ values are outside "
               rf"rtol=\S+, atol=\S+?\.?$", re.S),
    re.compile(rf"^.*: got {_NUMBER}(?:, expected {_NUMBER})? \((?:rtol=\S+, atol=\S+|not within the tolerance)\)\.?$",
               re.S),
    re.compile(r"^.* has shape \([\d, ]*\), expected \([\d, ]*\)\.?$", re.S),
    re.compile(r"^.* has dtype \S+, expected \S+\.?$", re.S),
]


def bare(message: str) -> bool:
    """True when ``message`` is only one of gradelib's generic comparisons (no named mistake after it)."""
    text = message.strip()
    return any(pattern.match(text) for pattern in _BARE)


def verdict(status: str, messages: list[str], expect: str) -> tuple[str, str]:
    """('named' | 'bare' | 'not caught' | 'other message', the message judged) for a variant graded
    ``status`` ("passed", "failed", "error", ...) with these messages."""
    if status == "passed":
        return "not caught", ""
    if status != "failed":  # an error, a timeout, a crash: not a failure of a check that names anything
        return "other message", f"{status}: " + next((m for m in messages if m), "")
    carrying = [m for m in messages if expect.lower() in m.lower()]
    if not carrying:
        return "other message", next((m for m in messages if m), "")
    named = [m for m in carrying if not bare(m)]
    return ("named", named[0]) if named else ("bare", carrying[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", help="comma-separated module ids (0.1,0.2) or 'papers'")
    parser.add_argument("--exercise", help="comma-separated exercise ids")
    parser.add_argument("--jobs", type=int, default=2, help="variants graded side by side")
    parser.add_argument("--json", type=Path, help="also write every verdict here")
    args = parser.parse_args(argv)

    from tracker.curriculum.loader import load
    from tracker.grading import results as R
    from tracker.grading.runner import Job, Limits, grade
    from tracker.grading.selfcheck import _cuda_here
    from tracker.grading.variants import load_variants, variants_path
    from tracker.grading.worker import WarmWorker

    curriculum = load(PROJECT / "curriculum.yaml").curriculum
    modules = args.modules.split(",") if args.modules else None
    ids = args.exercise.split(",") if args.exercise else None
    cuda = _cuda_here()
    chosen, skipped = [], []
    for exercise in curriculum.gradables():
        if not (exercise.gradable and exercise.solution and exercise.grader):
            continue
        module = "papers" if exercise.is_paper_quiz else exercise.module_id
        if (modules and module not in modules and exercise.module_id not in modules) or (ids and exercise.id not in ids):
            continue
        variants = load_variants(variants_path(PROJECT / exercise.solution))
        if exercise.device == "cuda" and not cuda:
            skipped.append((exercise.id, len(variants)))
            continue
        chosen.extend((exercise, variant) for variant in variants)

    worker = WarmWorker()
    rows = []
    with tempfile.TemporaryDirectory(prefix="named-mistakes-") as tmp:

        def one(item):
            number, (exercise, variant) = item
            solution = PROJECT / exercise.solution
            path = Path(tmp) / f"v{number}" / solution.name
            path.parent.mkdir()
            path.write_text(variant.apply(solution.read_text(encoding="utf-8")), encoding="utf-8")
            [result] = grade([Job(exercise.id, PROJECT / exercise.grader, path)], PROJECT, device="cpu",
                             limits=Limits(timeout=120), worker=worker if worker.usable() else None)
            messages = [result.message] + [t.message for t in result.tests if t.outcome != R.PASSED]
            kind, message = verdict(result.status, messages, variant.expect)
            return {"exercise": exercise.id, "variant": variant.name, "expect": variant.expect, "verdict": kind,
                    "message": message[:400]}

        try:
            with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                for row in pool.map(one, enumerate(chosen)):
                    rows.append(row)
                    print(f"{row['exercise']} {row['variant']}: {row['verdict']}", file=sys.stderr, flush=True)
        finally:
            worker.close()

    named = sum(r["verdict"] == "named" for r in rows)
    print(f"{named} of {len(rows)} classic mistakes named: {100 * named / max(1, len(rows)):.1f}%")
    for kind in ("bare", "other message", "not caught"):
        odd = [r for r in rows if r["verdict"] == kind]
        if odd:
            print(f"\n{kind} ({len(odd)}):")
            for r in odd:
                print(f"  {r['exercise']} {r['variant']} (expect {r['expect']!r}): {r['message'][:200]}")
    if skipped:
        print(f"\nleft out, they need a GPU: {', '.join(f'{e} ({n} variants)' for e, n in skipped)}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
