"""Three-way merges of the files the tracker shares with the learner, so that no word they wrote is dropped.

The README and the captain's log hold both generated text and the learner's own. When two machines changed
one of them, the generated parts are simply rendered again from the merged journal; what the learner wrote
is merged line by line, and where both sides changed the same lines, both versions are kept, one after the
other, with a note that says so. Nothing here decides on its own to throw text away.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tracker.publish import captains_log
from tracker.publish.readme import SECTIONS, end_marker, start_marker

README = "README.md"
LOG = "CAPTAINS_LOG.md"


@dataclass
class Merged:
    text: str
    notes: list[str] = field(default_factory=list)  # what the learner should look at, one line each


def merge_lines(base: str, ours: str, theirs: str, label: str) -> Merged:
    """``git merge-file``; on a conflict, both sides' lines are kept (a union), with a note."""
    if ours == theirs or theirs == base:
        return Merged(ours)
    if ours == base:
        return Merged(theirs)
    with tempfile.TemporaryDirectory(prefix="tracker-merge-") as tmp:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
        done = subprocess.run(["git", "merge-file", "-p", *paths], capture_output=True)
        if done.returncode == 0:
            return Merged(done.stdout.decode("utf-8"))
        union = subprocess.run(["git", "merge-file", "-p", "--union", *paths], capture_output=True)
    return Merged(
        union.stdout.decode("utf-8"),
        [f"{label}: both machines changed the same lines; both versions are kept, one after the other: "
         "read them and keep what you want"],
    )


def _blank_sections(text: str) -> str:
    """The README with every generated section emptied: what is left is the learner's own text."""
    for name in SECTIONS:
        start, end = start_marker(name), end_marker(name)
        if text.count(start) == 1 and text.count(end) == 1 and text.index(start) < text.index(end):
            text = text[: text.index(start) + len(start)] + "\n" + text[text.index(end):]
    return text


def merge_readme(base: str, ours: str, theirs: str) -> Merged:
    """The learner's text merged; the generated sections come out empty, to be rendered again."""
    return merge_lines(_blank_sections(base), _blank_sections(ours), _blank_sections(theirs), README)


def _split_log(text: str) -> tuple[str, dict[str, tuple[str, str]], str]:
    """(text before the first entry, day -> (sha, body), text after the last entry)."""
    matches = list(captains_log.ENTRY.finditer(text))
    if not matches:
        return text, {}, ""
    return text[: matches[0].start()], captains_log.parse_entries(text), text[matches[-1].end():]


def merge_log(base: str, ours: str, theirs: str) -> Merged:
    """Entries merged day by day: an entry edited by hand on one side wins over the generated one; edited
    differently on both sides, both versions stay in that day's entry."""
    b_head, b_days, b_tail = _split_log(base)
    o_head, o_days, o_tail = _split_log(ours)
    t_head, t_days, t_tail = _split_log(theirs)
    notes: list[str] = []
    head = merge_lines(b_head, o_head, t_head, f"{LOG} (its opening)")
    tail = merge_lines(b_tail, o_tail, t_tail, f"{LOG} (its end)")
    notes += head.notes + tail.notes
    blocks = []
    for day in sorted(set(o_days) | set(t_days), reverse=True):
        mine, other, was = o_days.get(day), t_days.get(day), b_days.get(day)
        if mine is None or other is None:
            chosen = mine or other
        elif mine[1] == other[1] or other == was:
            chosen = mine
        elif mine == was:
            chosen = other
        elif not captains_log.is_edited(*other):
            chosen = mine  # theirs is only the generated text: it is rendered again anyway
        elif not captains_log.is_edited(*mine):
            chosen = other
        else:
            body = mine[1].rstrip("\n") + "\n\n*Also written for this day on another machine:*\n\n" + other[1]
            chosen = (mine[0], body)
            notes.append(f"{LOG}: the entry for {day} was edited on both machines; both versions are kept in it")
        blocks.append(f"<!-- log:{day} sha:{chosen[0]} -->\n{chosen[1]}<!-- /log:{day} -->\n")
    return Merged(head.text + "\n".join(blocks) + tail.text, notes)


MERGERS = {README: merge_readme, LOG: merge_log}
