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
from typing import TYPE_CHECKING, Any, Callable, TypeVar
from zoneinfo import ZoneInfo

from tracker.config import Config
from tracker.curriculum.course import attach_library
from tracker.curriculum.loader import LoadedCurriculum, load
from tracker.curriculum.model import Curriculum, Exercise, Hint, Item
from tracker.curriculum.validate import check as check_curriculum
from tracker.curriculum.validate import repo_file
from tracker.errors import TrackerError
from tracker.grading import hashing
from tracker.grading import results as R
from tracker.progress import state as S
from tracker.store.journal import Journal

if TYPE_CHECKING:
    from tracker.grading.runner import Limits
    from tracker.store.reads import QuickReader
    from tracker.store.store import Store

T = TypeVar("T")


@dataclass(frozen=True)
class HintReveal:
    exercise_id: str
    index: int  # 1-based
    total: int
    text: str
    newly_revealed: bool
    check: str | None = None  # what the check it helps with verifies, when that check failed first


def parse_day(text: str) -> str:
    """A day as the learner typed it, checked: YYYY-MM-DD and a real date."""
    import re
    from datetime import date

    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            raise ValueError
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise TrackerError(f"{text!r} is not a day: write it as YYYY-MM-DD, such as 2026-03-02") from None


MAX_NOTICES = 10  # damaged journal lines named one by one; the rest are counted (doctor lists them all)


class _PublishingBase:
    """Progress, the generated files and git, on top of a Tracker (mixed in below)."""

    config: Config
    git_notes: list[str] = []

    @property
    def settings(self):
        from tracker.progress.rules import Settings

        return Settings(daily_goal=self.config.daily_goal, timezone=self.config.timezone)

    def progress(self, now: datetime | None = None):
        """Where the learner stands now (live: today is the clock's today)."""
        from tracker.progress import kept, rules

        state = self._read(lambda reader: kept.folded(reader, self.curriculum))
        return rules.finish(self.curriculum, state, self.settings, now or self.now())

    def suggestion(self, now: datetime | None = None):
        from tracker.progress.focus import focus_for, suggest

        progress = self.progress(now)
        closed = self.closed_modules(progress)
        return focus_for(progress.today), suggest(self.curriculum, progress, self.states(), progress.today, closed)

    def renderers(self):
        from tracker.progress import kept, rules
        from tracker.publish import readme, site
        from tracker.publish.pages import hook

        state = kept.folded(self.store, self.curriculum)
        progress = rules.finish(self.curriculum, state, self.settings, kept.as_of(state))
        seconds = sum(self.store.session_seconds().values())
        journey = readme.Journey(seconds, self.store.recent_module(self.curriculum.has_module, sessions=True))
        files = site.renderers_for(self.curriculum, progress, self.states(), journey, self.settings,
                                   self.store.events_of("settings"))
        if self.config.site.enabled:  # the site's pages read the history itself
            files.update(hook.renderers(self.repo, self.config, self.curriculum, self.store.progress_events(),
                                        self.settings))
        return files

    def build_site(self):
        """Write the progress site into [site] dir; returns what was written, removed and kept."""
        from tracker.publish.pages import hook

        return hook.build_into(self.repo, self.config, self.curriculum, self.store.progress_events(), self.settings)

    def dashboard(self) -> list[str]:
        """Regenerate the README sections, the log and the heatmap; return the files written."""
        from tracker.publish.site import write

        return write(self.repo, self.renderers())

    def _plain_files(self) -> list[str]:
        files = [p.relative_to(self.repo).as_posix() for p in self.store.journal.files()]
        if self.config.git.include_exercises:
            for exercise in self.curriculum.exercises():
                if exercise.stub and (self.repo / exercise.stub).exists():
                    files.append(exercise.stub)
        return files

    session: str | None = None  # set by the app: its events make one commit

    def commit_group(self) -> str:
        """Commits of one group coalesce: one app session, or (from the shell) one study day."""
        return f"session {self.session}" if self.session else f"day {self.progress().today.isoformat()}"

    def commit(self, message: str, only_if_visible: bool = False, include_edits: bool = False,
               coalesce: bool = False) -> list[str]:
        """Commit the tracker's own files (never the learner's other changes); returns the paths committed.
        With ``only_if_visible``, a change to the journal alone does not make a commit; with ``coalesce``,
        the commit joins the tracker's previous one of the same group (not pushed yet, begun within the
        configured window); with ``include_edits``, the learner's hand edits of the README and the log go too."""
        from tracker.publish import gitops

        if not gitops.is_repo(self.repo):
            self.dashboard()
            return []
        window = 0.0
        if coalesce:
            window = float("inf") if self.session else self.config.git.coalesce_minutes * 60.0
        result = gitops.commit_files(self.repo, self.renderers(), message, plain=self._plain_files(),
                                     only_if_rendered_changed=only_if_visible, include_edits=include_edits,
                                     group=self.commit_group(), now=self._clock().timestamp(), window=window)
        self.git_notes = result.notes
        return result.paths

    def after_event(self, message: str) -> str:
        """What happens after a pass, a tick or a log entry: regenerate, and commit and push if configured.

        The event is already recorded; a problem here (a README without markers, git refusing) is returned
        as a warning for the learner to act on, not raised.
        """
        try:
            if self.config.git.commit != "event":
                self.dashboard()
                return ""
            committed = self.commit(message, only_if_visible=True, coalesce=True)
            if committed and self.config.git.push and not self.session:
                return self.sync().message
            said = f"committed: {message}" if committed else ""
            return "\n".join([*(f"note: {n}" for n in self.git_notes), said]).strip()
        except TrackerError as exc:
            return f"warning: recorded, but the dashboard was not updated: {exc}"

    def sync(self):
        """Commit pending progress and push it; on a rejected push, replay, regenerate and retry."""
        from tracker.publish import gitops
        from tracker.publish.site import GENERATED, regenerate_in

        from tracker.publish.pages.hook import with_site

        self.commit(self.commit_message(None), include_edits=True, coalesce=True)
        regenerate, own_paths = with_site(self.config, regenerate_in(self.settings), GENERATED, self.repo)
        result = gitops.sync(self.repo, regenerate, own_paths=own_paths)
        result.notes = self.git_notes + result.notes
        return result

    def first_run(self, answers) -> list[str]:
        """Write the first run's answers (tracker.toml) and prepare the README, then commit them."""
        from tracker import firstrun
        from tracker.config import CONFIG_FILE
        from tracker.publish import gitops

        changed = firstrun.apply(self.repo, answers)
        self.config = Config.load(self.repo)
        if getattr(self, "_store", None) is not None:  # events from now on carry the new zone
            self._store.close()
            self._store = None
        if changed and gitops.is_repo(self.repo):
            gitops.commit_files(self.repo, self.renderers(), "init: my settings and my journey's README",
                                plain=[*self._plain_files(), CONFIG_FILE], include_edits=True)
        return changed

    def unpushed(self) -> int | None:
        """Commits waiting to be pushed (None without git or a remote)."""
        from tracker.publish import gitops

        return gitops.unpushed(self.repo) if gitops.is_repo(self.repo) else None

    def commit_message(self, module_id: str | None, checks: str = "") -> str:
        progress = self.progress()
        gained = progress.today_xp
        scope = f"progress({module_id})" if module_id else "progress"
        parts = [p for p in (checks, f"{gained:+d} XP today", f"{self.curriculum.words.rank.lower()} {progress.level.number}",
                             f"day {progress.day_number}") if p]
        return f"{scope}: " + " · ".join(parts)

    def log_entry(self, *, day: str | None = None, module: str = "", title: str = "", insight: str = "",
                  challenge: str = "", next_steps: str = "", progress_text: str = "") -> dict:
        progress = self.progress()
        day = parse_day(day) if day else progress.today.isoformat()
        if module and not self.curriculum.has_module(module):
            raise TrackerError(f"no module {module!r}")
        if not module:
            module = self._recent_module() or ""
        if not title and module:
            title = self.curriculum.module(module).title
        if not progress_text.strip():
            from tracker.publish.captains_log import day_progress

            progress_text = day_progress(progress, day, self.curriculum)  # filled in from the day's events, and stored
        data = {"date": day, "module": module, "title": title, "progress": progress_text, "insight": insight,
                "challenge": challenge, "next_steps": next_steps}
        self.store.record("log", data)
        self.after_event(f"log({day}): {title or 'entry'}")
        return data

    def _recent_module(self) -> str | None:
        return self.store.recent_module()

    def vacation(self, on: bool) -> None:
        self.store.record("settings", {"vacation": on})


class Tracker(_PublishingBase):
    """The application object: one per repository, shared by the CLI commands and the TUI."""

    def __init__(self, config: Config, clock: Callable[[], datetime] | None = None):
        self.config = config
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._loaded: LoadedCurriculum | None = None
        self._store: Store | None = None
        self._quick: QuickReader | None = None  # reads before the store opens (see ``_read``)
        self._quick_tried = False
        self._lock = threading.Lock()
        self._recording = threading.RLock()  # recording an attempt and publishing: one at a time
        self.last_publish = ""
        self.payoffs: dict[str, Payoff] = {}
        self._worker = None
        # Told each notice (a database set aside, a damaged journal line) once the store opens.
        self.on_notice: Callable[[str], None] | None = None

    @classmethod
    def open(cls, repo: Path | None = None) -> Tracker:
        """The tracker of a repository. TRACKER_NOW (an ISO 8601 instant) pins the clock, to replay or
        demonstrate a journey; events then carry that time."""
        import os

        pinned = os.environ.get("TRACKER_NOW")
        clock = None
        if pinned:
            try:
                moment = datetime.fromisoformat(pinned.replace("Z", "+00:00"))
            except ValueError:
                raise TrackerError(f"TRACKER_NOW={pinned!r} is not an ISO 8601 time such as 2026-03-02T18:00:00Z") from None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            clock = lambda: moment  # noqa: E731
        return cls(Config.load(repo), clock=clock)

    def warm(self):
        """The warm grading worker (started on first use; None where the platform cannot fork)."""
        from tracker.grading.worker import WarmWorker

        with self._lock:
            if self._worker is None:
                worker = WarmWorker()
                if not worker.usable():
                    return None
                self._worker = worker
            return self._worker

    def watch(self, exercise: Exercise, on_result: Callable[[R.ExerciseResult], None], *,
              on_start: Callable[[], None] | None = None, device: str | None = None):
        """A Watcher that re-grades the exercise on every save, with the warm worker; call .run() (blocks)
        and set .stop to end it."""
        from tracker.grading.watch import Watcher

        if not exercise.gradable or not exercise.stub:
            raise TrackerError(f"{exercise.id} cannot be watched: its grader is coming soon")
        self.refuse_locked([(exercise.id, exercise.module_id)])
        worker = self.warm()
        if worker is not None:
            worker.start_soon()  # warm by the first save, whichever thread grades it

        def grade_once(cancel: threading.Event) -> R.ExerciseResult:
            return self.grade([exercise], device=device, cancel=cancel, worker=worker, publish=False)[0]

        def after(result: R.ExerciseResult) -> None:
            if worker is not None:  # the next save's grading, made ready while the learner reads this one
                self.prepare_grading(exercise, device=device)
            self.publish_grades([result])

        # The learner sees the verdict first; the dashboard and git follow, off the path of the next save.
        return Watcher([repo_file(self.repo, exercise.stub)], grade_once, on_result, on_start=on_start, after=after)

    def prepare_grading(self, exercise: Exercise, *, device: str | None = None) -> None:
        """Make the next grading of ``exercise`` ready in the warm worker: collected and sealed, waiting for
        the save (see runner.prepare)."""
        from tracker.grading.runner import Job, prepare

        worker = self._worker
        if worker is None or not exercise.gradable or not exercise.stub:
            return
        job = Job(exercise.id, repo_file(self.repo, exercise.grader), repo_file(self.repo, exercise.stub))
        prepare([job], self.repo, worker, device=device or self.config.grading.device, limits=self.limits())

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._quick is not None:
            self._quick.close()
            self._quick = None

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
            cache = self.config.data_dir / "cache"
            loaded = load(self.config.curriculum_path, cache_dir=cache)
            check_curriculum(loaded, self.repo)  # the cross-reference checks of `tracker validate`, paths included
            self._loaded = attach_library(loaded, self.repo, cache_dir=cache)
        return self._loaded

    @property
    def curriculum(self) -> Curriculum:
        return self.loaded.curriculum

    @property
    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                self._open_store(catch_up=True)
            return self._store  # type: ignore[return-value]

    def _open_store(self, catch_up: bool) -> None:
        from tracker.store.store import Store  # SQLAlchemy loads here, off the app's first frame

        self._store = Store(self.config.store_url(), self._journal(), tz=self.config.timezone,
                            clock=lambda: self._clock().timestamp(), catch_up=catch_up)
        if catch_up:
            self._tell(self._store)

    def _journal(self) -> Journal:
        return Journal(self.config.journal_dir, self.config.machine_id())

    def _read(self, reads: Callable[[Any], T]) -> T:
        """``reads(reader)`` with the store once it is open. Before that, with a quick reader over the same
        SQLite file where it has indexed the whole journal: what the learner looks at first (the app's
        Today, ``tracker status``) then comes without SQLAlchemy's import. A quick reader that finds the
        journal ahead of the database, or another layout, hands over to the store, which catches up."""
        from tracker.store.reads import QuickReader

        with self._lock:
            if self._store is None and not self._quick_tried:
                self._quick_tried = True
                path = self.config.database_file()
                if path is not None:
                    self._quick = QuickReader.open(path, self.config.store_url(), self._journal())
                    if self._quick is not None:
                        self._tell(self._quick)
            quick = self._quick if self._store is None else None
        if quick is not None:
            try:
                return reads(quick)
            except QuickReader.Outdated:
                pass
        return reads(self.store)

    def _settings_events(self) -> list:
        return self._read(lambda reader: reader.events_of("settings"))

    def _tell(self, store: Store | QuickReader) -> None:
        if self.on_notice is None:
            return
        damaged = store.damaged_lines()
        notices = [*store.notices,
                   *(f"{file}:{line}: damaged journal line skipped ({reason}); `tracker doctor` says how to repair it"
                     for file, line, reason in damaged[:MAX_NOTICES])]
        if len(damaged) > MAX_NOTICES:
            notices.append(f"and {len(damaged) - MAX_NOTICES} more damaged journal lines (`tracker doctor` lists them)")
        for notice in notices:  # the CLI says each once, whether a quick reader or the store told it first
            self.on_notice(notice)

    def rebuild(self) -> int:
        """Recreate the database from the journal (once: opening the store for it indexes nothing)."""
        with self._lock:
            if self._store is None:
                self._open_store(catch_up=False)
            store = self._store
        count = store.rebuild()  # type: ignore[union-attr]
        self._tell(store)  # type: ignore[arg-type]
        return count

    def now(self) -> datetime:
        return self._clock().astimezone(ZoneInfo(self.config.timezone))

    def exercise_text(self, exercise: Exercise) -> str:
        """What the exercise asks: the stub's docstring (read, never imported) or the markdown stub."""
        import ast

        if not exercise.stub:
            return exercise.title
        # The specification is the stub as the course ships it, whatever the learner has done to the file.
        try:
            text = self.pristine_stub(exercise).decode("utf-8")
        except (TrackerError, UnicodeDecodeError):
            stub = repo_file(self.repo, exercise.stub)
            if not stub.exists():
                return exercise.title
            text = stub.read_text(encoding="utf-8")
        if not exercise.stub.endswith(".py"):
            return text
        try:
            return ast.get_docstring(ast.parse(text)) or exercise.title
        except SyntaxError:
            return exercise.title

    def record_session(self, module_id: str, seconds: int) -> None:
        """Active study time on a module (idle time excluded by the caller)."""
        if seconds > 0 and self.curriculum.has_module(module_id):
            self.store.record("session", {"module": module_id, "seconds": int(seconds)})

    def time_per_module(self) -> dict[str, int]:
        return self.store.session_seconds()

    # --- looking things up -----------------------------------------------------------------------

    def exercise(self, exercise_id: str) -> Exercise:
        if not self.curriculum.has_exercise(exercise_id):
            raise TrackerError(f"no exercise {exercise_id!r}; exercise ids look like 1.1.2 (`tracker status 1.1` lists a module's)")
        return self.curriculum.exercise(exercise_id)

    def item(self, item_id: str) -> Item:
        if not self.curriculum.has_item(item_id):
            raise TrackerError(
                f"no checklist item or capstone step {item_id!r}; ids look like 1.1.c2 or 1.1.p3 (`tracker status 1.1` lists a module's)"
            )
        return self.curriculum.item(item_id)

    def resolve_targets(self, target: str | None, all_: bool = False) -> list[Exercise]:
        if all_:
            closed = self.closed_modules()
            return [e for e in self.curriculum.gradables() if e.module_id not in closed]
        if not target:
            raise TrackerError("say what to grade: a module (1.1), an exercise (1.1.2) or --all")
        if self.curriculum.has_module(target):
            self.refuse_locked([(target, target)])
            module = self.curriculum.module(target)
            return list(module.exercises) + (list(module.capstone.milestones) if module.capstone else [])
        if self.curriculum.has_exercise(target):
            self.refuse_locked([(target, self.curriculum.exercise(target).module_id)])
        if target == "papers":
            return [p.quiz for p in self.curriculum.papers if p.quiz is not None]
        return [self.exercise(target)]

    def states(self) -> dict[str, str]:
        latest, gpu_only = self._read(lambda reader: reader.latest_statuses())
        return S.states_from_latest(self.curriculum, latest, gpu_only)

    def ticked(self) -> set[str]:
        return self._read(lambda reader: reader.ticked_items())

    # --- grading ---------------------------------------------------------------------------------

    def parallel_jobs(self) -> int:
        """How many grading children run side by side (warm worker only). Each child runs one torch thread,
        so one child per core, at most four: on two cores, two children graded every reference in 14.1 s
        against 23.7 s one at a time (bench/grade_all.py, same run)."""
        import os

        if self.config.grading.jobs > 0:
            return self.config.grading.jobs
        return max(1, min(4, os.cpu_count() or 1))

    def limits(self) -> Limits:
        from tracker.grading.runner import Limits  # grading's machinery stays off the TUI's start

        g = self.config.grading
        return Limits(timeout=g.timeout, memory_mb=g.memory_mb, output_kb=g.output_kb, threads=g.threads)

    def grade(
        self,
        exercises: list[Exercise],
        *,
        device: str | None = None,
        on_event: Callable[[dict], None] | None = None,
        cancel: threading.Event | None = None,
        record: bool = True,
        worker=None,
        publish: bool = True,
    ) -> list[R.ExerciseResult]:
        """Grade exercises in a child process and record each attempt; coming-soon ones are reported."""
        import time

        self.refuse_locked([(e.id, e.module_id) for e in exercises if e.gradable])
        started = time.monotonic()
        device = device or self.config.grading.device
        runnable = [e for e in exercises if e.gradable]
        from tracker.grading.runner import Job, grade

        jobs = [Job(e.id, repo_file(self.repo, e.grader), repo_file(self.repo, e.stub)) for e in runnable]  # type: ignore[arg-type]
        manifest = hashing.read_manifest(self.repo)
        results = {r.exercise_id: r for r in grade(jobs, self.repo, device=device, limits=self.limits(),
                                                   on_event=on_event, cancel=cancel, worker=worker,
                                                   parallel=self.parallel_jobs())} if jobs else {}
        out = []
        for result in results.values():
            result.wall = time.monotonic() - started
        passes = [r.exercise_id for r in results.values() if r.passed]
        before = self.progress() if record and passes else None
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
        passes = [r.exercise_id for r in out if r.passed and not r.grader_modified]
        if before is not None and passes:
            self._payoff(passes, before)
        if record and publish:
            self.publish_grades(out)
        return out

    def publish_grades(self, results: list[R.ExerciseResult]) -> None:
        """After passes: regenerate the dashboard, and commit (and push) as configured."""
        with self._recording:
            self._publish_grades(results)

    def _publish_grades(self, results: list[R.ExerciseResult]) -> None:
        passes = [r for r in results if r.passed and not r.grader_modified]
        if not passes:
            return
        modules = sorted({r.exercise_id.rsplit(".", 1)[0] for r in passes})
        scope = modules[0] if len(modules) == 1 else None
        graded = [r for r in results if r.status not in (R.COMING_SOON, R.NEEDS_GPU)]
        checks = f"{len(passes)}/{len(graded)} exercise{'s' if len(graded) != 1 else ''} passed"
        if len(results) == 1:
            passed, total = passes[0].counts
            checks = f"{passes[0].exercise_id}: {passed}/{total} checks passed"
        self.last_publish = self.after_event(self.commit_message(scope, checks))

    def _record_attempt(self, result: R.ExerciseResult) -> None:
        # The watch lane may be publishing meanwhile, and its store sync must not meet this attempt half
        # written (in the journal, not yet in the database).
        with self._recording:
            self._record_attempt_now(result)

    def _record_attempt_now(self, result: R.ExerciseResult) -> None:
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
                    {"name": t.name, "description": t.description, "outcome": t.outcome, "message": t.message[:2000],
                     "duration": round(t.duration, 4), "devices": t.devices}
                    for t in result.tests
                ],
            },
        )

    # --- checklist, hints, reset, solution -------------------------------------------------------

    def check(self, item_id: str, ticked: bool = True) -> list[str]:
        """Tick (or untick) an item; a parent ticks all its leaves. Returns the leaf ids that changed.

        A coming-soon exercise, done on one's own, can be ticked by hand; a gradable one is earned by grading.
        """
        if self.curriculum.has_exercise(item_id):
            exercise = self.curriculum.exercise(item_id)
            if exercise.gradable:
                raise TrackerError(f"{item_id} is graded, not ticked: `tracker grade {item_id}`")
            current = item_id in self.ticked()
            if current == ticked:
                return []
            if ticked:
                self.refuse_locked([(item_id, exercise.module_id)])
            self.store.record("tick" if ticked else "untick", {"item": item_id})
            scope = exercise.module_id if self.curriculum.has_module(exercise.module_id) else None
            self.last_publish = self.after_event(self.commit_message(scope, f"{item_id} {'ticked' if ticked else 'unticked'} by hand"))
            return [item_id]
        item = self.item(item_id)
        leaves = [leaf for leaf in item.walk() if not leaf.items]
        current = self.ticked()
        changed = [leaf.id for leaf in leaves if (leaf.id in current) != ticked]
        if ticked and changed:
            self.refuse_locked([(item_id, ".".join(item_id.split(".")[:2]))])
            for leaf in leaves:
                if leaf.artifact and leaf.id in changed and not repo_file(self.repo, leaf.artifact).exists():
                    raise TrackerError(f"{leaf.id} points at {leaf.artifact}, which does not exist yet")
        for leaf_id in changed:
            self.store.record("tick" if ticked else "untick", {"item": leaf_id})
        if changed:
            module = ".".join(item_id.split(".")[:2]) if item_id[0].isdigit() else None
            verb = "ticked" if ticked else "unticked"
            self.last_publish = self.after_event(self.commit_message(module, f"{verb} {len(changed)} item{'s' if len(changed) != 1 else ''}"))
        return changed

    def failing_check(self, exercise_id: str):
        """The first check that failed in the newest attempt (a stored test record), or None."""
        attempts = self.store.attempts(exercise_id)
        if not attempts:
            return None
        tests = self.store.test_results(attempts[-1].event_id)
        return next((t for t in tests if t.outcome in (R.FAILED, R.ERROR)), None)

    def hint_offer(self, exercise_id: str, failing_name: str | None = None) -> int | None:
        """The index of the hint `tracker hint` reveals next: the one tied to the first failing check of the
        newest attempt (``failing_name`` when the caller has it), else the next in order; None once all are out."""
        if failing_name is None:
            failing = self.failing_check(exercise_id)
            failing_name = failing.name if failing else None
        revealed = {h.hint_index for h in self.store.hints(exercise_id)}
        return self.exercise(exercise_id).hint_for(failing_name, revealed)

    def hint(self, exercise_id: str) -> HintReveal:
        """Reveal the hint on offer (each reveal is recorded); once all are out, show again the one for the
        first failing check, or the last."""
        exercise = self.exercise(exercise_id)
        if not exercise.hints:
            raise TrackerError(f"{exercise_id} has no hints yet")
        failing = self.failing_check(exercise_id)
        name = failing.name if failing else None
        index = self.hint_offer(exercise_id, name)
        new = index is not None
        if index is None:
            index = (exercise.tied_hints(name) or [len(exercise.hints)])[0]
        else:
            self.store.record("hint", {"exercise": exercise_id, "index": index})
        for_check = None
        if index in exercise.tied_hints(name):
            for_check = failing.description or name.removeprefix("test_").replace("_", " ")  # type: ignore[union-attr]
        return HintReveal(exercise_id, index, len(exercise.hints), exercise.hints[index - 1].text, new, for_check)

    def hints_revealed(self, exercise_id: str) -> list[str]:
        """The revealed hints' texts, in the course's order."""
        return [hint.text for _, hint in self.revealed_hints(exercise_id)]

    def revealed_hints(self, exercise_id: str) -> list[tuple[int, Hint]]:
        """The revealed hints with their 1-based indexes, in the course's order."""
        exercise = self.exercise(exercise_id)
        indexes = sorted({h.hint_index for h in self.store.hints(exercise_id)})
        return [(i, exercise.hints[i - 1]) for i in indexes if 0 < i <= len(exercise.hints)]

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
        path = repo_file(self.repo, exercise.stub)
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
        if not exercise.solution or not repo_file(self.repo, exercise.solution).exists():
            raise TrackerError(f"{exercise_id} has no reference solution")
        return repo_file(self.repo, exercise.solution).read_text(encoding="utf-8")

    # --- what next --------------------------------------------------------------------------------

    def next_up(self):
        """The one "next" the CLI and the TUI both show: today's suggestion (see progress.focus), with the
        file to open when it is an exercise. None when everything is done."""
        _, suggestion = self.suggestion()
        if suggestion is None:
            return None
        return NextUp(suggestion.kind, suggestion.id, suggestion.text, self._stub_of(suggestion))

    def _stub_of(self, suggestion) -> str:
        if suggestion.kind == "exercise" and self.curriculum.has_exercise(suggestion.id):
            return self.curriculum.exercise(suggestion.id).stub or ""
        return ""

    def next_exercise(self, after: str | None = None) -> NextUp | None:
        """The exercise to move on to after a pass: one that fails, else the next required one not passed."""
        from tracker.progress.focus import next_exercise

        progress = self.progress()
        found = next_exercise(self.curriculum, progress, self.states(), after=after, closed=self.closed_modules(progress))
        return NextUp(found.kind, found.id, found.text, self._stub_of(found)) if found else None

    def payoff(self, exercise_id: str) -> Payoff | None:
        """What the latest pass of an exercise earned (set by grade); None if it did not just pass."""
        return self.payoffs.get(exercise_id)

    def _payoff(self, passes: list[str], before) -> None:
        after = self.progress()
        earned_before = {e.achievement.id for e in before.achievements}
        new = [e.achievement.title for e in after.achievements if e.achievement.id not in earned_before]
        level = after.level.number if after.level.number > before.level.number else None
        nxt = self.next_exercise(after=passes[-1])
        for exercise_id in passes:
            self.payoffs[exercise_id] = Payoff(after.xp - before.xp, level, new, nxt, self.curriculum.words.rank)

    # --- courses, gates and pacing ----------------------------------------------------------------

    def course_view(self, progress=None) -> dict:
        """The active course's name, its pace today, its locks, and whether the learner lifted the gates."""
        from tracker.progress import gates as G
        from tracker.progress.pacing import course_start, pace

        progress = progress or self.progress()
        return {
            "name": self.config.course,
            "pace": pace(self.curriculum, progress, course_start(self._settings_events())),
            "locks": G.locks(self.curriculum, progress),
            "gates_lifted": self.gates_lifted(),
        }

    def course_lines(self, progress=None) -> list[str]:
        """The pace and the locked parts of the active course, as lines (none for a course without either)."""
        from tracker.progress import gates as G
        from tracker.progress.pacing import category_days

        c = self.curriculum
        if not G.has_gates(c) and not any(category_days(cat) for cat in c.categories):
            return []  # most courses: nothing to say, and no history to read for it
        return G.describe(c, progress or self.progress(), self._settings_events())

    def gates_lifted(self) -> bool:
        from tracker.progress.gates import gates_lifted

        return gates_lifted(self._settings_events())

    def closed_modules(self, progress=None) -> frozenset[str]:
        """The modules a mastery gate keeps locked now (none when the course has no gates or they are lifted)."""
        from tracker.progress import gates as G

        c = self.curriculum
        if not G.has_gates(c) or self.gates_lifted():
            return frozenset()
        return frozenset(G.locked_ids(c, G.locks(c, progress or self.progress())))

    def refuse_locked(self, wanted: list[tuple[str, str]]) -> None:
        """Raise a TrackerError that says what opens the part when a gate keeps locked the module of one of
        ``wanted`` (pairs of an exercise or item id and its module id)."""
        from tracker.progress import gates as G

        c = self.curriculum
        if not wanted or not G.has_gates(c) or self.gates_lifted():
            return
        found = G.locks(c, self.progress())
        for ident, module_id in wanted:
            lock = G.lock_of(c, found, module_id)
            if lock is not None:
                raise TrackerError(
                    f"{ident} is in {lock.title}, locked until {' and '.join(lock.needs)} is mastered; "
                    "`tracker course gates lifted` opens every part now (recorded in your journal)"
                )

    def lift_gates(self, lifted: bool) -> None:
        """Open every gate (or close them again); the choice is recorded in the journal."""
        self.store.record("settings", {"gates": "lifted" if lifted else "on"})

    def use_course(self, name: str) -> None:
        """Follow another course: tracker.toml names it, the journal says when, and the README and the log
        change to its parts and words (committed with tracker.toml where commits follow events). A course
        that does not load is refused with its first problem, before anything changes. Passes keep their ids."""
        from tracker.config import CONFIG_FILE
        from tracker.curriculum.course import course_names, course_path, set_active
        from tracker.publish import gitops

        if name not in course_names(self.repo):
            raise TrackerError(f"no course named {name!r}; `tracker course list` shows them")
        loaded = load(course_path(self.repo, name))
        check_curriculum(loaded, self.repo)
        attach_library(loaded, self.repo)
        set_active(self.config.repo, name)
        self.config.raw.setdefault("course", {})["active"] = name
        self._loaded = None
        self.store.record("settings", {"course": name})
        try:
            if self.config.git.commit == "event" and gitops.is_repo(self.repo):
                gitops.commit_files(self.repo, self.renderers(), f"course: follow {name}",
                                    plain=[*self._plain_files(), CONFIG_FILE])
            else:
                self.dashboard()
        except TrackerError as exc:
            self.last_publish = f"warning: now following {name}, but the dashboard was not updated: {exc}"


@dataclass(frozen=True)
class NextUp:
    kind: str  # "exercise", "item", "step" or "log"
    id: str
    text: str
    path: str = ""  # the file to open, for an exercise


@dataclass(frozen=True)
class Payoff:
    """What a pass earned, and where to go on."""

    xp: int
    level: int | None  # the level reached, when the pass raised it
    achievements: list[str]
    next: NextUp | None
    rank: str = "Level"  # what the course calls the XP levels

    def summary(self) -> str:
        # A pass of what was passed before earns nothing new: say so, not "+0 XP".
        parts = [f"+{self.xp} XP" if self.xp > 0 else f"{self.xp} XP" if self.xp else "no new XP (passed before)"]
        if self.level:
            parts.append(f"{self.rank.lower()} {self.level} reached")
        parts += [f"🏆 {title}" for title in self.achievements]
        return " · ".join(parts)
