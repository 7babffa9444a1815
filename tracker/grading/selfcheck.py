"""Prove that an exercise's grader tells right from wrong.

For one exercise: the untouched stub must report "not started", the reference solution must pass, and
every known-buggy variant (``graders/M.m/variants/exK_slug.yaml``) must fail with a message that contains
the variant's ``expect`` text. The project's tests run this for every gradable exercise; authors run

    python -m tracker.grading.selfcheck 1.1.1 [1.1.2 ...]

``--device cuda`` (or ``mps``, ``cpu``) grades the stub, the reference and every variant of the named
exercises (all of them when none is named) on that device and on the CPU, and prints a table of every
verdict that differs; where the device is absent it says so and exits non-zero.
"""

from __future__ import annotations

import argparse
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
    variants = load_variants(variants_path(repo / exercise.solution))
    if exercise.kind == "code":
        checks.append(
            Check(
                f"at least {MIN_VARIANTS} buggy variants",
                len(variants) >= MIN_VARIANTS,
                f"{len(variants)} variants",
            )
        )
    expects = {f"variant {v.name}": v.expect for v in variants}
    with tempfile.TemporaryDirectory(prefix=f"variants-{exercise.id}-") as tmp:
        for label, path in _targets(repo, exercise, Path(tmp))[2:]:
            result, secs = _one(repo, exercise, path, device, worker)
            text = _messages(result)
            expect = expects[label]
            ok = result.status != R.PASSED and expect.lower() in text.lower()
            checks.append(Check(f"{label} fails naming “{expect}”", ok, f"{result.status}: {text[:600]}", secs))
    return checks


def _selfcheck_without_gpu(repo: Path, exercise: Exercise, worker=None) -> list[Check]:
    """Where there is no CUDA, an exercise that needs it must say "needs a GPU" for every file: neither a
    pass nor a fail. (Its real check runs on a machine with a GPU: `selfcheck` with --device cuda.)"""
    checks = []
    with tempfile.TemporaryDirectory(prefix=f"variants-{exercise.id}-") as tmp:
        for label, target in _targets(repo, exercise, Path(tmp)):
            result, secs = _one(repo, exercise, target, "cpu", worker)
            checks.append(Check(f"{label} reports needs a GPU here", result.status == R.NEEDS_GPU,
                                f"{result.status}: {_messages(result)[:300]}", secs))
    return checks


@dataclass
class Verdict:
    """What grading one file gave: its status and each check's outcome."""

    status: str
    outcomes: tuple[tuple[str, str], ...]
    message: str

    @classmethod
    def of(cls, result: R.ExerciseResult) -> Verdict:
        return cls(result.status, tuple((t.name, t.outcome) for t in result.tests), _messages(result))

    def same_as(self, other: Verdict) -> bool:
        return self.status == other.status and self.outcomes == other.outcomes

    def brief(self) -> str:
        odd = [f"{name}: {outcome}" for name, outcome in self.outcomes if outcome != self.status]
        return self.status + (f" ({', '.join(odd[:2])})" if odd and self.status != R.PASSED else "")


@dataclass
class Difference:
    exercise: str
    label: str
    cpu: str
    device: str
    detail: str


def _targets(repo: Path, exercise: Exercise, tmp: Path) -> list[tuple[str, Path]]:
    """The stub, the reference and every variant (written under ``tmp``), each with its label."""
    solution = repo / exercise.solution  # type: ignore[operator]
    targets = [("stub", repo / exercise.stub), ("reference", solution)]  # type: ignore[operator]
    text = solution.read_text(encoding="utf-8")
    for variant in load_variants(variants_path(solution)):
        path = tmp / variant.name / solution.name
        path.parent.mkdir()
        path.write_text(variant.apply(text), encoding="utf-8")
        targets.append((f"variant {variant.name}", path))
    return targets


def compare_devices(repo: Path, exercise: Exercise, device: str, worker=None) -> list[Difference]:
    """Grade every file of ``exercise`` on ``device`` and on the CPU; the verdicts that differ.

    An exercise that needs CUDA has no CPU verdict to compare with: its own self-check runs on the device.
    """
    if exercise.device == "cuda":
        return [Difference(exercise.id, c.label, "needs a GPU", "FAIL", c.detail)
                for c in selfcheck(repo, exercise, device=device, worker=worker) if not c.ok]
    out = []
    with tempfile.TemporaryDirectory(prefix=f"devices-{exercise.id}-") as tmp:
        for label, target in _targets(repo, exercise, Path(tmp)):
            on_cpu = Verdict.of(_one(repo, exercise, target, "cpu", worker)[0])
            result = _one(repo, exercise, target, device, worker)[0]
            there = Verdict.of(result)
            if result.device != device:
                out.append(Difference(exercise.id, label, on_cpu.brief(), f"ran on {result.device or '?'}",
                                      f"asked for {device}, the grading child used {result.device or 'nothing'}"))
            elif not on_cpu.same_as(there):
                out.append(Difference(exercise.id, label, on_cpu.brief(), there.brief(), there.message[:300]))
    return out


def device_available(device: str) -> str | None:
    """None when this machine has ``device``; else one line that says why not."""
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        build = "a CPU-only build" if torch.version.cuda is None else f"built for CUDA {torch.version.cuda}"
        return f"CUDA is not available on this machine (torch {torch.__version__}, {build}): nothing to compare"
    if device == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        return f"MPS (Apple GPU) is not available on this machine (torch {torch.__version__}): nothing to compare"
    return None


def print_differences(differences: list[Difference], device: str, compared: int, files: int) -> None:
    if not differences:
        print(f"{compared} exercises, {files} files: every verdict on {device} equals the CPU's")
        return
    rows = [("exercise", "file", "cpu", device, "message on " + device)]
    rows += [(d.exercise, d.label, d.cpu, d.device, d.detail.replace("\n", " ")[:120]) for d in differences]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[4])
    print(f"{len(differences)} of {files} verdicts differ on {device} from the CPU ({compared} exercises)")


def _run_on_device(repo: Path, exercises: list[Exercise], device: str, worker=None) -> int:
    missing = device_available(device)
    if missing:
        print(missing, file=sys.stderr)
        return 2
    if device == "cpu":
        return _run_checks(repo, exercises, "cpu", worker)
    cpu_only = [e for e in exercises if e.device == "cpu"]
    compared = [e for e in exercises if e.device != "cpu"]
    if cpu_only:
        print(f"{len(cpu_only)} exercises grade on the CPU only (device: cpu) and are not compared")
    differences: list[Difference] = []
    files = 0
    for exercise in compared:
        start = time.monotonic()
        found = compare_devices(repo, exercise, device, worker)
        files += 2 + len(load_variants(variants_path(repo / exercise.solution)))  # type: ignore[operator]
        differences += found
        print(f"{'ok  ' if not found else 'DIFF'} {exercise.id} ({time.monotonic() - start:.1f} s)", flush=True)
    print_differences(differences, device, len(compared), files)
    return 1 if differences else 0


def _run_checks(repo: Path, exercises: list[Exercise], device: str, worker=None) -> int:
    bad = 0
    for exercise in exercises:
        for check in selfcheck(repo, exercise, device=device, worker=worker):
            mark = "ok  " if check.ok else "FAIL"
            print(f"{mark} {exercise.id} {check.label} ({check.seconds:.1f} s)")
            if not check.ok:
                bad += 1
                print(f"       {check.detail}")
    return 1 if bad else 0


def main(argv: list[str]) -> int:
    from tracker.curriculum.loader import load
    from tracker.grading.sandbox import repo_root

    parser = argparse.ArgumentParser(prog="python -m tracker.grading.selfcheck",
                                     description="Prove that graders tell right from wrong.")
    parser.add_argument("exercises", nargs="*", help="exercise ids (with --device: all when none given)")
    parser.add_argument("--device", choices=("cuda", "mps", "cpu"),
                        help="grade on this device and list every verdict that differs from the CPU's")
    args = parser.parse_args(argv)
    repo = repo_root(Path.cwd().resolve())
    curriculum = load(repo / "curriculum.yaml").curriculum
    unknown = [i for i in args.exercises if not curriculum.has_exercise(i)]
    if unknown:
        print(f"unknown exercise {unknown[0]}", file=sys.stderr)
        return 2
    chosen = [curriculum.exercise(i) for i in args.exercises]
    if not chosen and not args.device:
        parser.error("name at least one exercise (or pass --device)")
    from tracker.grading.worker import WarmWorker

    worker = WarmWorker()
    try:
        warm = worker if worker.usable() else None
        if args.device:
            everything = [e for e in curriculum.gradables() if e.gradable and e.grader]
            return _run_on_device(repo, chosen or everything, args.device, warm)
        return _run_checks(repo, chosen, os.environ.get("TRACKER_DEVICE", "cpu"), warm)
    finally:
        worker.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
