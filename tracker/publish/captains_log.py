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


def _state_of(reason: str) -> tuple[str, str, bool] | None:
    """(kind, id, on) that a ledger line sets: an exercise passing, an item ticked, a module complete."""
    words = reason.split()
    if words[0] == "passed":
        return "exercise", words[1], True
    if words[-2:] == ["fails", "again"]:
        return "exercise", words[0], False
    if words[0] in ("ticked", "unticked"):
        return "item", words[1], words[0] == "ticked"
    if words[0] == "module":
        return "module", words[1], words[2] == "complete"
    return None


def _net(progress: Progress, day: date) -> tuple[dict[str, list[str]], list[str], int]:
    """What changed for good on ``day``: ({kind: ids reached}, exercises failing again, XP), each id once, in
    the order first touched; whatever was undone the same day is left out."""
    start: dict[tuple[str, str], bool] = {}
    end: dict[tuple[str, str], bool] = {}
    order: list[tuple[str, str]] = []
    xp = 0
    for change in progress.ledger:
        state = _state_of(change.reason)
        if change.day > day:
            continue
        if change.day == day:
            xp += change.delta
        if state is None:
            continue
        kind, ident, on = state
        if change.day < day:
            start[(kind, ident)] = on
        else:
            order.append((kind, ident))
        end[(kind, ident)] = on
    gained: dict[str, list[str]] = {"exercise": [], "item": [], "module": []}
    failing = []
    for key in dict.fromkeys(order):
        if end[key] and not start.get(key):
            gained[key[0]].append(key[1])
        elif key[0] == "exercise" and start.get(key) and not end[key]:
            failing.append(key[1])
    return gained, failing, xp


def _title(c: Curriculum | None, ident: str) -> str:
    """An exercise, item or paper in words, with its id."""
    text = ""
    if c is not None:
        if c.has_exercise(ident) and not ident.startswith("paper."):
            text = c.exercise(ident).title
        elif c.has_item(ident):
            text = c.item(ident).text
        else:
            text = next((p.title for p in c.papers if p.id == ident), "")
    text = text.replace("**", "").replace("`", "").strip().rstrip(":")
    if len(text) > 70:
        text = text[:67].rstrip() + "…"
    return f"{text} ({ident})" if text else ident


def _grouped(c: Curriculum | None, ids: list[str]) -> list[str]:
    """Ticked items with every leaf of a group ticked named by the group (once), in the order ticked."""
    if c is None:
        return ids
    done, out = set(ids), []
    for ident in ids:
        group = next((parent for parent in _parents(c, ident)
                      if all(leaf.id in done for leaf in parent.walk() if not leaf.items)), None)
        name = group.id if group is not None else ident
        if name not in out:
            out.append(name)
    return out


def _parents(c: Curriculum, ident: str) -> list:
    """The items that hold ``ident``, outermost first."""
    module = ".".join(ident.split(".")[:2])
    if not c.has_module(module):
        return []
    return [item for item in c.module(module).items()
            if item.items and item.id != ident and any(child.id == ident for child in item.walk())]


def _listed(c: Curriculum | None, ids: list[str], most: int = 4) -> str:
    words = [_title(c, i) for i in ids[:most]]
    if len(ids) > most:
        words.append(f"{len(ids) - most} more")
    return ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + words[-1]


def day_progress(progress: Progress, day: str, c: Curriculum | None = None) -> str:
    """What the history says happened that day, in a sentence: each exercise once, in its final state of the
    day, by title and id; ticks undone the same day are not counted."""
    gained, failing, xp = _net(progress, date.fromisoformat(day))
    papers = [p for p in gained["exercise"] if p.startswith("paper.")]
    passed = [p for p in gained["exercise"] if not p.startswith("paper.")]
    ticked, modules = gained["item"], gained["module"]
    parts = []
    if passed:
        parts.append(f"passed {_listed(c, passed)}")
    if failing:
        parts.append(f"{_listed(c, failing)} fail{'s' if len(failing) == 1 else ''} again")
    if ticked:
        parts.append(f"ticked {len(ticked)} checklist item{'s' if len(ticked) != 1 else ''}: {_listed(c, _grouped(c, ticked), 3)}")
    if modules:
        names = [f"{c.module(m).title} ({m})" if c is not None and c.has_module(m) else m for m in modules]
        parts.append(f"completed module {', '.join(names)}")
    if papers:
        parts.append(f"read {_listed(c, papers)} (quiz passed)")
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
    progress_text = (entry.get("progress") or "").strip() or day_progress(progress, day, c)
    return (
        f"### {day}: {c.words.module} {module} - {title}\n\n"
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
