"""CAPTAINS_LOG.md: one entry per day in the seed's template, newest first.

Progress is filled in from the day's recorded events; Key Insight, Challenge and Next Steps are the
learner's, written with `tracker log`. Each entry carries the hash of the text the tracker wrote; an entry
whose text no longer matches was edited by hand and is kept exactly as it is.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

from tracker.curriculum.model import Curriculum
from tracker.progress.rules import Progress

HEADER = "# Captain's Log\n\nMy optimization journey with insights, breakthroughs, and challenges.\n"
ENTRY = re.compile(r"<!-- log:(?P<day>\d{4}-\d{2}-\d{2}) sha:(?P<sha>[0-9a-f]{12}) -->\n(?P<body>.*?)<!-- /log:(?P=day) -->\n", re.S)


def _sha(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:12]


def day_progress(progress: Progress, day: str) -> str:
    """What the history says happened that day, in a sentence."""
    changes = [c for c in progress.ledger if c.day == date.fromisoformat(day)]
    passed = [c.reason.removeprefix("passed ") for c in changes if c.reason.startswith("passed ")]
    papers = [p for p in passed if p.startswith("paper.")]
    passed = [p for p in passed if not p.startswith("paper.")]
    ticked = sum(1 for c in changes if c.reason.startswith("ticked "))
    modules = [c.reason.split()[1] for c in changes if c.reason.endswith(" complete") and c.delta > 0]
    parts = []
    if passed:
        parts.append(f"passed {', '.join(passed)}")
    if ticked:
        parts.append(f"ticked {ticked} checklist item{'s' if ticked != 1 else ''}")
    if modules:
        parts.append(f"completed module {', '.join(modules)}")
    if papers:
        parts.append(f"read {', '.join(p.removeprefix('paper.') for p in papers)} (quiz passed)")
    xp = sum(c.delta for c in changes)
    summary = "; ".join(parts) if parts else "studied"
    return f"{summary[0].upper()}{summary[1:]} · {xp:+d} XP"


def reading_days(c: Curriculum, progress: Progress) -> dict[str, list[str]]:
    """Days on which a paper's quiz was passed: each gets a reading entry in the log."""
    titles = {p.id: p.title for p in c.papers}
    days: dict[str, list[str]] = {}
    for change in progress.ledger:
        paper = change.reason.removeprefix("passed ")
        if change.reason.startswith("passed ") and paper in titles and paper in progress.passed:
            days.setdefault(change.day.isoformat(), []).append(titles[paper])
    return days


def render_entry(c: Curriculum, progress: Progress, day: str, entry: dict) -> str:
    module = entry.get("module") or ""
    title = entry.get("title") or (c.module(module).title if module and c.has_module(module) else "")
    progress_text = (entry.get("progress") or "").strip() or day_progress(progress, day)
    return (
        f"### {day}: Module {module} - {title}\n\n"
        f"- **Progress:** {progress_text}\n"
        f"- **Key Insight:** {(entry.get('insight') or '').strip()}\n"
        f"- **Challenge:** {(entry.get('challenge') or '').strip()}\n"
        f"- **Next Steps:** {(entry.get('next_steps') or '').strip()}\n"
    )


def parse_entries(text: str) -> dict[str, tuple[str, str]]:
    """day -> (recorded sha, body as it is in the file)."""
    return {m["day"]: (m["sha"], m["body"]) for m in ENTRY.finditer(text)}


EMPTY = "\nNo entries yet: write today's with `tracker log`.\n"


def is_edited(sha: str, body: str) -> bool:
    """Whether the learner changed an entry after the tracker wrote it."""
    return _sha(body) != sha


def _outside(existing: str) -> tuple[str, str]:
    """The learner's text before the first entry and after the last one (the header by default)."""
    matches = list(ENTRY.finditer(existing))
    if not matches:
        head = existing.replace(EMPTY, "\n") if existing.strip() else HEADER + "\n"
        return head, ""
    return existing[: matches[0].start()], existing[matches[-1].end():]


def render(c: Curriculum, progress: Progress, existing: str = "") -> str:
    """The whole log file; entries edited by hand in ``existing``, and any text around the entries, are kept
    as they are."""
    old = parse_entries(existing)
    head, tail = _outside(existing)
    blocks = []
    readings = reading_days(c, progress)
    for day in sorted(set(progress.logs) | set(readings), reverse=True):
        entry = progress.logs.get(day) or {
            "module": "Pantheon", "title": "Read " + ", ".join(readings[day]),
            "insight": "", "challenge": "", "next_steps": "",
        }
        body = render_entry(c, progress, day, entry)
        sha = _sha(body)
        if day in old:
            recorded, current = old[day]
            if is_edited(recorded, current):  # the learner edited this entry: it stays theirs
                body, sha = current, recorded
        blocks.append(f"<!-- log:{day} sha:{sha} -->\n{body}<!-- /log:{day} -->\n")
    made = set(progress.logs) | set(readings)
    for day, (recorded, current) in old.items():
        if day not in made and is_edited(recorded, current):  # written by hand where the history has none: kept
            blocks.append(f"<!-- log:{day} sha:{recorded} -->\n{current}<!-- /log:{day} -->\n")
    blocks.sort(key=lambda block: block[9:19], reverse=True)
    if not blocks:
        return head.rstrip("\n") + "\n" + EMPTY + tail
    return head + "\n".join(blocks) + tail


def edited_days(text: str) -> list[str]:
    return [day for day, (sha, body) in parse_entries(text).items() if is_edited(sha, body)]
