"""Every file the tracker generates, rendered from the curriculum and the journal alone.

The renderers are pure: given the same history they return the same bytes. They read as of the last
recorded day, so nothing changes with the clock.
"""

from __future__ import annotations

from datetime import datetime, time, timezone
from pathlib import Path

from tracker.curriculum.model import Curriculum
from tracker.grading import results as R
from tracker.progress import rules
from tracker.progress import state as S
from tracker.publish import captains_log, heatmap, readme
from tracker.publish.gitops import Renderer, apply_renderers
from tracker.store.journal import Event, read_all

README = "README.md"
GENERATED = (README, readme.LOG_PATH, readme.HEATMAP_PATH)


def states_from_events(c: Curriculum, events: list[Event]) -> dict[str, str]:
    """Each exercise's state from the attempts in the history, by the store's rule (S.states_from_latest)."""
    latest: dict[str, str] = {}
    gpu: set[str] = set()
    for ev in events:
        status = ev.data.get("status", "")
        if ev.type != "attempt" or ev.data.get("grader_modified") or status == "cancelled":
            continue
        if status == R.NEEDS_GPU:
            gpu.add(ev.data.get("exercise", ""))
        else:
            latest[ev.data.get("exercise", "")] = status
    return S.states_from_latest(c, latest, gpu - set(latest))


def as_of(events: list[Event]) -> datetime:
    """Noon of the last recorded day in its own zone, or a fixed instant for an empty history."""
    if not events:
        return datetime(2000, 1, 1, 12, tzinfo=timezone.utc)
    last = max(events, key=lambda e: (e.ts, e.id))
    day = rules.event_day(last)
    zone = rules.ZoneInfo(last.tz) if last.tz else timezone.utc
    return datetime.combine(day, time(12), tzinfo=zone)


def journey_of(c: Curriculum, events: list[Event]) -> readme.Journey:
    """Study time from the session events; the current module: the one of the latest exercise or item."""
    seconds = sum(int(ev.data.get("seconds", 0)) for ev in events if ev.type == "session")
    current = None
    for ev in events:
        ident = ev.data.get("module") if ev.type == "session" else ev.data.get("exercise") or ev.data.get("item")
        if ident and ident[0].isdigit():
            module = ".".join(ident.split(".")[:2])
            current = module if c.has_module(module) else current
    return readme.Journey(seconds, current)


def renderers(c: Curriculum, events: list[Event], settings: rules.Settings) -> dict[str, Renderer]:
    events = sorted(events, key=lambda e: (e.ts, e.id))
    progress = rules.evaluate(c, events, settings, as_of(events))
    return renderers_for(c, progress, states_from_events(c, events), journey_of(c, events), settings,
                         [e for e in events if e.type == "settings"])


def renderers_for(c: Curriculum, progress: rules.Progress, states: dict[str, str], journey: readme.Journey,
                  settings: rules.Settings, settings_events: list[Event] = ()) -> dict[str, Renderer]:
    """The same from what the history comes to (the store keeps it: no replay); ``settings_events`` say
    when the course was chosen and whether its gates are lifted."""
    sections = {
        "dashboard": readme.render_dashboard(c, progress, states, journey, settings_events),
        "curriculum": readme.render_curriculum(c, progress),
        "log": readme.render_log_index(c, progress),
    }
    svg = heatmap.render(progress.daily_xp, progress.last_day, settings.daily_goal)
    return {
        README: lambda text: readme.replace_sections(text, sections, README),
        readme.LOG_PATH: lambda text: captains_log.render(c, progress, text),
        readme.HEATMAP_PATH: lambda _text: svg,
    }


def regenerate_in(settings: rules.Settings):
    """For a sync: the renderers for another checkout of the repository (its own curriculum and journal)."""

    def build(worktree: Path) -> dict[str, Renderer]:
        from tracker.config import Config
        from tracker.curriculum.course import load_course

        c = load_course(Config.load(worktree).curriculum_path, worktree).curriculum  # the course it follows
        return renderers(c, list(read_all(worktree / "journal")), settings)

    return build


def write(repo: Path, files: dict[str, Renderer]) -> list[str]:
    """Apply the renderers to the working tree; write only what changes. Returns the paths written."""
    return apply_renderers(repo, files)
