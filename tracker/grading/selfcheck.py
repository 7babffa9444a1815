"""Prove that an exercise's grader tells right from wrong.

For one exercise: the untouched stub must report "not started", the reference solution must pass, and
every known-buggy variant (``graders/M.m/variants/exK_slug.yaml``) must fail with a message that contains
the variant's ``expect`` text. The project's tests run this for every gradable exercise; authors run

    python -m tracker.grading.selfcheck 1.1.1 [1.1.2 ...]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tracker.curriculum.model import Exercise
from tracker.grading import results as R
from tracker.grading.runner import Job, Limits, grade
from tracker.grading.variants import load_variants, variants_path

MIN_VARIANTS = 3


@dataclass
class Check:
    label: str
    ok: bool
    detail: str
    seconds: float = 0.0


def _messages(result: R.ExerciseResult) -> str:
    return "\n".join([result.message] + [t.message for t in result.tests])


def _one(repo: Path, exercise: Exercise, target: Path, device: str, worker=None) -> tuple[R.ExerciseResult, float]:
    start = time.monotonic()
    [result] = grade([Job(exercise.id, repo / exercise.grader, target)], repo, device=device, limits=Limits(timeout=120),
                     worker=worker)
    return result, time.monotonic() - start


def _cuda_here() -> bool:
    import torch

    return torch.cuda.is_available()


def selfcheck(repo: Path, exercise: Exercise, device: str = "cpu", worker=None) -> list[Check]:
    """Grade the stub, the reference and every variant (with the warm ``worker`` if given)."""
    assert exercise.grader and exercise.stub and exercise.solution, f"{exercise.id} lacks grader, stub or solution"
    if exercise.device == "cuda" and (device == "cpu" or not _cuda_here()):
        return _selfcheck_without_gpu(repo, exercise, worker)
    checks = []
    result, secs = _one(repo, exercise, repo / exercise.stub, device, worker)
    checks.append(
        Check("stub is not started", result.status == R.NOT_STARTED, f"{result.status}: {_messages(result)[:400]}", secs)
    )
    result, secs = _one(repo, exercise, repo / exercise.solution, device, worker)
    failing = [f"{t.name}: {t.outcome}: {t.message}" for t in result.tests if t.outcome != R.PASSED]
    checks.append(
        Check(
            f"reference passes ({sum(t.duration for t in result.tests):.2f} s of test time)",
            result.status == R.PASSED,
            f"{result.status}: {result.message} {' | '.join(failing)[:600]}",
            secs,
        )
    )
    solution_text = (repo / exercise.solution).read_text(encoding="utf-8")
    variants = load_variants(variants_path(repo / exercise.solution))
    if exercise.kind == "code":
        checks.append(
            Check(
                f"at least {MIN_VARIANTS} buggy variants",
                len(variants) >= MIN_VARIANTS,
                f"{len(variants)} variants",
            )
        )
    with tempfile.TemporaryDirectory(prefix=f"variants-{exercise.id}-") as tmp:
        for variant in variants:
            path = Path(tmp) / variant.name / Path(exercise.solution).name
            path.parent.mkdir()
            path.write_text(variant.apply(solution_text), encoding="utf-8")
            result, secs = _one(repo, exercise, path, device, worker)
            text = _messages(result)
            ok = result.status != R.PASSED and variant.expect.lower() in text.lower()
            checks.append(Check(f"variant {variant.name} fails naming “{variant.expect}”", ok, f"{result.status}: {text[:600]}", secs))
    return checks


def _selfcheck_without_gpu(repo: Path, exercise: Exercise, worker=None) -> list[Check]:
    """Where there is no CUDA, an exercise that needs it must say "needs a GPU" for every file: neither a
    pass nor a fail. (Its real check runs on a machine with a GPU: `selfcheck` with --device cuda.)"""
    checks = []
    targets = [("stub", repo / exercise.stub), ("reference", repo / exercise.solution)]  # type: ignore[operator]
    solution_text = (repo / exercise.solution).read_text(encoding="utf-8")  # type: ignore[operator]
    with tempfile.TemporaryDirectory(prefix=f"variants-{exercise.id}-") as tmp:
        for variant in load_variants(variants_path(repo / exercise.solution)):  # type: ignore[operator]
            path = Path(tmp) / variant.name / Path(exercise.solution).name  # type: ignore[arg-type]
            path.parent.mkdir()
            path.write_text(variant.apply(solution_text), encoding="utf-8")
            targets.append((f"variant {variant.name}", path))
        for label, target in targets:
            result, secs = _one(repo, exercise, target, "cpu", worker)
            checks.append(Check(f"{label} reports needs a GPU here", result.status == R.NEEDS_GPU,
                                f"{result.status}: {_messages(result)[:300]}", secs))
    return checks


def main(argv: list[str]) -> int:
    from tracker.curriculum.loader import load
    from tracker.grading.sandbox import repo_root

    repo = repo_root(Path.cwd().resolve())
    curriculum = load(repo / "curriculum.yaml").curriculum
    bad = 0
    for exercise_id in argv:
        exercise = curriculum.exercise(exercise_id)
        for check in selfcheck(repo, exercise, device=os.environ.get("TRACKER_DEVICE", "cpu")):
            mark = "ok  " if check.ok else "FAIL"
            print(f"{mark} {exercise_id} {check.label} ({check.seconds:.1f} s)")
            if not check.ok:
                bad += 1
                print(f"       {check.detail}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
