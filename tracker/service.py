"""The one service layer the CLI and the TUI both call.

``Tracker`` owns the configuration, the curriculum and the store, and turns learner intentions
(grade this, tick that, show me a hint) into grading runs and recorded events. It returns plain data;
presentation belongs to the CLI and the TUI. Heavy imports stay out: grading runs in a child process, so
nothing here imports torch.
"""

from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from tracker.config import Config
from tracker.curriculum.loader import LoadedCurriculum, load
from tracker.curriculum.model import Curriculum, Exercise, Item
from tracker.errors import TrackerError
from tracker.grading import hashing
from tracker.grading import results as R
from tracker.grading.runner import Job, Limits, grade
from tracker.progress import state as S
from tracker.store.journal import Journal
from tracker.store.store import Store


@dataclass(frozen=True)
class HintReveal:
    exercise_id: str
    index: int  # 1-based
    total: int
    text: str
    newly_revealed: bool


class Tracker:
    """The application object: one per repository, shared by the CLI commands and the TUI."""

    def __init__(self, config: Config):
        self.config = config
        self._loaded: LoadedCurriculum | None = None
        self._store: Store | None = None
        self._lock = threading.Lock()

    @classmethod
    def open(cls, repo: Path | None = None) -> Tracker:
        return cls(Config.load(repo))

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Tracker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the parts, loaded on first use ----------------------------------------------------------

    @property
    def repo(self) -> Path:
        return self.config.repo

    @property
    def loaded(self) -> LoadedCurriculum:
        if self._loaded is None:
            self._loaded = load(self.config.curriculum_path)
        return self._loaded

    @property
    def curriculum(self) -> Curriculum:
        return self.loaded.curriculum

    @property
    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                journal = Journal(self.config.journal_dir, self.config.machine_id())
                self._store = Store(self.config.store_url(), journal, tz=self.config.timezone)
            return self._store

    def now(self) -> datetime:
        return datetime.now(timezone.utc).astimezone(ZoneInfo(self.config.timezone))

    # --- looking things up -----------------------------------------------------------------------

    def exercise(self, exercise_id: str) -> Exercise:
        if not self.curriculum.has_exercise(exercise_id):
            raise TrackerError(f"no exercise {exercise_id!r}; exercise ids look like 1.1.2 (`tracker status` lists them)")
        return self.curriculum.exercise(exercise_id)

    def item(self, item_id: str) -> Item:
        if not self.curriculum.has_item(item_id):
            raise TrackerError(
                f"no checklist item or capstone step {item_id!r}; ids look like 1.1.c2 or 1.1.p3 (see `tracker status --json`)"
            )
        return self.curriculum.item(item_id)

    def resolve_targets(self, target: str | None, all_: bool = False) -> list[Exercise]:
        if all_:
            return list(self.curriculum.exercises())
        if not target:
            raise TrackerError("say what to grade: a module (1.1), an exercise (1.1.2) or --all")
        if self.curriculum.has_module(target):
            return list(self.curriculum.module(target).exercises)
        return [self.exercise(target)]

    def states(self) -> dict[str, str]:
        return S.exercise_states(self.curriculum, self.store.attempts())

    def ticked(self) -> set[str]:
        return self.store.ticked_items()

    # --- grading ---------------------------------------------------------------------------------

    def limits(self) -> Limits:
        g = self.config.grading
        return Limits(timeout=g.timeout, memory_mb=g.memory_mb, output_kb=g.output_kb)

    def grade(
        self,
        exercises: list[Exercise],
        *,
        device: str | None = None,
        on_event: Callable[[dict], None] | None = None,
        cancel: threading.Event | None = None,
        record: bool = True,
    ) -> list[R.ExerciseResult]:
        """Grade exercises in a child process and record each attempt; coming-soon ones are reported."""
        device = device or self.config.grading.device
        runnable = [e for e in exercises if e.gradable]
        jobs = [Job(e.id, self.repo / e.grader, self.repo / e.stub) for e in runnable]  # type: ignore[operator]
        manifest = hashing.read_manifest(self.repo)
        results = {r.exercise_id: r for r in grade(jobs, self.repo, device=device, limits=self.limits(),
                                                   on_event=on_event, cancel=cancel)} if jobs else {}
        out = []
        for exercise in exercises:
            if not exercise.gradable:
                out.append(R.ExerciseResult(exercise.id, R.COMING_SOON, message="this exercise's grader is coming soon"))
                continue
            result = results[exercise.id]
            changed = hashing.modified_files(self.repo, hashing.grader_files(self.repo, self.repo / exercise.grader),
                                             manifest)
            if changed:
                result.grader_modified = True
                result.message = (
                    f"{', '.join(changed)} differ{'s' if len(changed) == 1 else ''} from the grader manifest, so this "
                    f"run is shown but not recorded as a pass; restore with `git checkout -- {' '.join(changed)}`"
                )
            if record and result.status != "cancelled":
                self._record_attempt(result)
            out.append(result)
        return out

    def _record_attempt(self, result: R.ExerciseResult) -> None:
        passed, total = result.counts
        self.store.record(
            "attempt",
            {
                "exercise": result.exercise_id,
                "status": result.status,
                "device": result.device,
                "device_name": result.device_name,
                "duration": round(result.duration, 4),
                "grader_hash": result.grader_hash,
                "learner_hash": result.learner_hash,
                "grader_modified": result.grader_modified,
                "passed_checks": passed,
                "total_checks": total,
                "tests": [
                    {"name": t.name, "outcome": t.outcome, "message": t.message[:2000], "duration": round(t.duration, 4)}
                    for t in result.tests
                ],
            },
        )

    # --- checklist, hints, reset, solution -------------------------------------------------------

    def check(self, item_id: str, ticked: bool = True) -> list[str]:
        """Tick (or untick) an item; a parent ticks all its leaves. Returns the leaf ids that changed."""
        item = self.item(item_id)
        leaves = [leaf for leaf in item.walk() if not leaf.items]
        current = self.ticked()
        changed = [leaf.id for leaf in leaves if (leaf.id in current) != ticked]
        if ticked:
            for leaf in leaves:
                if leaf.artifact and leaf.id in changed and not (self.repo / leaf.artifact).exists():
                    raise TrackerError(f"{leaf.id} points at {leaf.artifact}, which does not exist yet")
        for leaf_id in changed:
            self.store.record("tick" if ticked else "untick", {"item": leaf_id})
        return changed

    def hint(self, exercise_id: str) -> HintReveal:
        """Reveal the next hint (each reveal is recorded); once all are out, show the last again."""
        exercise = self.exercise(exercise_id)
        if not exercise.hints:
            raise TrackerError(f"{exercise_id} has no hints yet")
        revealed = {h.hint_index for h in self.store.hints(exercise_id)}
        index = next((i for i in range(1, len(exercise.hints) + 1) if i not in revealed), None)
        if index is None:
            return HintReveal(exercise_id, len(exercise.hints), len(exercise.hints), exercise.hints[-1], False)
        self.store.record("hint", {"exercise": exercise_id, "index": index})
        return HintReveal(exercise_id, index, len(exercise.hints), exercise.hints[index - 1], True)

    def hints_revealed(self, exercise_id: str) -> list[str]:
        exercise = self.exercise(exercise_id)
        indexes = sorted({h.hint_index for h in self.store.hints(exercise_id)})
        return [exercise.hints[i - 1] for i in indexes if 0 < i <= len(exercise.hints)]

    def pristine_stub(self, exercise: Exercise) -> bytes:
        """The stub as the course ships it: from git's HEAD where there is one, else the packaged copy."""
        from tracker.publish.gitops import committed_file

        content = committed_file(self.repo, exercise.stub)  # type: ignore[arg-type]
        if content is None:
            raise TrackerError(f"cannot find the original of {exercise.stub} in git; restore it by hand")
        return content

    def reset(self, exercise_id: str) -> Path | None:
        """Restore the stub; the learner's version is saved aside first. Returns where it was saved."""
        exercise = self.exercise(exercise_id)
        if not exercise.stub:
            raise TrackerError(f"{exercise_id} has no stub")
        path = self.repo / exercise.stub
        original = self.pristine_stub(exercise)
        saved = None
        if path.exists():
            if path.read_bytes() == original:
                return None
            stamp = self.now().strftime("%Y%m%d-%H%M%S")
            saved = self.config.data_dir / "saved" / f"{path.stem}.{stamp}{path.suffix}"
            saved.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, saved)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(original)
        self.store.record("reset", {"exercise": exercise_id, "saved": str(saved.relative_to(self.repo)) if saved and saved.is_relative_to(self.repo) else (str(saved) if saved else "")})
        return saved

    def solution(self, exercise_id: str) -> str:
        exercise = self.exercise(exercise_id)
        if self.states().get(exercise_id) != R.PASSED and not any(
            a.status == R.PASSED and not a.grader_modified for a in self.store.attempts(exercise_id)
        ):
            raise TrackerError(f"the reference solution of {exercise_id} opens after you pass it: `tracker grade {exercise_id}`")
        if not exercise.solution or not (self.repo / exercise.solution).exists():
            raise TrackerError(f"{exercise_id} has no reference solution")
        return (self.repo / exercise.solution).read_text(encoding="utf-8")

    # --- what next --------------------------------------------------------------------------------

    def next_up(self) -> tuple[str, str, str] | None:
        """(kind, id, text) of the first thing not done, in course order: failing exercises first."""
        states = self.states()
        ticked = self.ticked()
        for exercise in self.curriculum.exercises():
            if states[exercise.id] in (R.FAILED, R.TIMEOUT, R.CRASHED, R.MEMORY, R.OUTPUT, R.EXITED, R.ERROR):
                return ("exercise", exercise.id, exercise.title)
        for module in self.curriculum.modules():
            for exercise in module.exercises:
                if exercise.gradable and S.required(exercise) and states[exercise.id] != R.PASSED:
                    return ("exercise", exercise.id, exercise.title)
            for leaf in S.leaf_items(module, capstone=False):
                if leaf not in ticked:
                    return ("item", leaf, self.curriculum.item(leaf).text)
        return None
