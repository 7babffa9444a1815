"""The README's generated sections: the Progress Dashboard, the course with its true ticks, and the log index.

Each section sits between a pair of marker comments; every other byte of the learner's README is left as
it is. A missing, doubled or misordered marker is an error, never a silent skip. Rendering is a pure
function of the curriculum and the history, as of the last recorded day: the same history always gives
the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.curriculum.model import Curriculum, Item, Module
from tracker.errors import TrackerError
from tracker.progress import state as S
from tracker.progress.report import bar
from tracker.progress.rules import Progress

SECTIONS = ("dashboard", "curriculum", "log")
HEATMAP_PATH = "progress/activity.svg"
LOG_PATH = "CAPTAINS_LOG.md"


def start_marker(name: str) -> str:
    return f"<!-- tracker:{name}:start -->"


def end_marker(name: str) -> str:
    return f"<!-- tracker:{name}:end -->"


class MarkerError(TrackerError):
    pass


@dataclass(frozen=True)
class Span:
    name: str
    start: int  # index just after the start marker
    end: int  # index of the end marker


def find_sections(text: str, filename: str = "README.md") -> list[Span]:
    """Locate every generated section; raise MarkerError on a missing, doubled or misordered marker."""
    spans = []
    for name in SECTIONS:
        for marker in (start_marker(name), end_marker(name)):
            count = text.count(marker)
            if count == 0:
                raise MarkerError(
                    f"{filename} has no {marker} marker; put the pair {start_marker(name)} ... {end_marker(name)} "
                    f"where the {name} section should go"
                )
            if count > 1:
                line = text[: text.index(marker, text.index(marker) + 1)].count("\n") + 1
                raise MarkerError(f"{filename}:{line}: {marker} appears {count} times; keep exactly one")
        begin, finish = text.index(start_marker(name)), text.index(end_marker(name))
        if finish < begin:
            line = text[:finish].count("\n") + 1
            raise MarkerError(f"{filename}:{line}: {end_marker(name)} comes before {start_marker(name)}")
        spans.append(Span(name, begin + len(start_marker(name)), finish))
    for before, after in zip(spans, spans[1:]):
        if after.start < before.end:
            line = text[: after.start].count("\n") + 1
            raise MarkerError(f"{filename}:{line}: the {after.name} section must come after the {before.name} section")
    return spans


def replace_sections(text: str, rendered: dict[str, str], filename: str = "README.md") -> str:
    spans = find_sections(text, filename)
    out, cursor = [], 0
    for span in spans:
        out.append(text[cursor : span.start])
        out.append("\n" + rendered[span.name].strip("\n") + "\n")
        cursor = span.end
    out.append(text[cursor:])
    return "".join(out)


def empty_readme_sections() -> str:
    return "\n\n".join(f"{start_marker(n)}\n{end_marker(n)}" for n in SECTIONS) + "\n"


# --- the dashboard ----------------------------------------------------------------------------------


def _status(progress_list: list[S.ModuleProgress]) -> str:
    return S.category_status(progress_list)


@dataclass(frozen=True)
class Journey:
    """What the history says beyond the rules: study time and where the learner is now."""

    study_seconds: int = 0
    current_module: str | None = None


def _duration(seconds: int) -> str:
    hours, minutes = divmod(max(seconds, 0) // 60, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def render_summary(c: Curriculum, progress: Progress, journey: Journey) -> list[str]:
    """The lines beside the table: exercises passed of the total, study time, the current module, the
    latest log line."""
    exercises = [e.id for e in c.exercises()]
    passed = sum(e in progress.passed for e in exercises)
    lines = [f"**{passed} / {len(exercises)}** exercises passed<br>", f"**{_duration(journey.study_seconds)}** of study<br>"]
    if journey.current_module and c.has_module(journey.current_module):
        module = c.module(journey.current_module)
        lines.append(f"Now on **{c.words.module} {module.id}**: {module.title}<br>")
    if progress.logs:
        day, entry = max(progress.logs.items())
        module, title = entry.get("module") or "", entry.get("title") or ""
        said = next((entry.get(k, "").strip() for k in ("insight", "next_steps", "challenge", "progress")
                     if (entry.get(k) or "").strip()), "")
        said = said if len(said) <= 90 else said[:87].rstrip() + "…"
        lines.append(f"Latest log: [{day}: {title or c.words.module + ' ' + module}]"
                     f"({LOG_PATH}#{_anchor(day, module, title, c.words.module)})"
                     + (f": *{said}*" if said else ""))
    else:
        lines.append("Latest log: none yet (`tracker log`)")
    return lines


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else word + "s"


def render_course(c: Curriculum, progress: Progress, events: list) -> list[str]:
    """The course's pace and its locked parts, above the table (nothing for a course without either)."""
    from tracker.progress.gates import describe

    lines = describe(c, progress, events)
    if not lines:
        return []
    gates = ("locked", "open (gates lifted)")
    out = [f"- {'🔒 ' if line.startswith('locked') else ''}{line}" if line.startswith(gates) else f"**{line}**"
           for line in lines]
    return out + [""]


def render_dashboard(c: Curriculum, progress: Progress, states: dict[str, str], journey: Journey = Journey(),
                     events: list = ()) -> str:
    from tracker.progress.gates import part_title

    lines = [
        "## Progress Dashboard",
        "",
        *render_course(c, progress, list(events)),
        '<table><tr><td valign="top">',
        "",
        f"| {c.words.category} | Status | Completion | {_plural(c.words.module)} |",
        "|----------|--------|------------|---------|",
    ]
    capstone_steps_done = capstone_steps_total = capstones_done = capstones_total = 0
    for category in c.categories:
        mp = [S.module_progress(m, states, progress.ticked | progress.by_hand) for m in category.modules]
        done = sum(p.complete for p in mp)
        fraction = 1.0 if done == len(mp) else sum(p.fraction for p in mp) / len(mp)
        lines.append(
            f"| **{part_title(c, category)}** | {_status(mp)} | {bar(fraction)} | {done} / {len(mp)} |"
        )
        for p in mp:
            if p.steps_total:
                capstones_total += 1
                capstones_done += p.capstone_complete
                capstone_steps_total += p.steps_total
                capstone_steps_done += p.steps_ticked
    fraction = capstone_steps_done / capstone_steps_total if capstone_steps_total else 0.0
    if capstones_done == capstones_total and capstones_total:
        status = "Completed"
    elif capstones_done:
        status = "In Progress"
    elif capstone_steps_done:
        status = "Started"
    else:
        status = "Not Started"
    if capstones_total:  # a course without capstone projects has no row to count them
        lines.append(
            f"| **Total Projects Completed** | {status} | {bar(fraction)} | **{capstones_done} / {capstones_total}** |"
        )
    lines += ["", '</td><td valign="top">', ""] + render_summary(c, progress, journey) + ["", "</td></tr></table>", ""]
    level = progress.level
    streak = progress.streak
    day = f"Day {progress.day_number}" if progress.first_day else "Day 0"
    as_of = f" (as of {progress.today.isoformat()})" if progress.first_day else ""
    lines.append(
        f"**{c.words.rank} {level.number}** · {level.xp} XP ({level.to_next} to {c.words.rank.lower()} {level.number + 1}) · "
        f"Streak {streak.current} day{'s' if streak.current != 1 else ''} "
        f"({streak.active_share:.0%} of days active, habit {streak.habit:.0%}) · {day}{as_of} · "
        f"{len(progress.achievements)} achievement{'s' if len(progress.achievements) != 1 else ''}"
    )
    lines.append("")
    lines.append(f"![Activity over the last 26 weeks]({HEATMAP_PATH})")
    if progress.achievements:
        lines.append("")
        recent = progress.achievements[-3:]
        lines.append("Latest achievements: " + " · ".join(f"**{e.achievement.title}** ({e.achievement.rarity})" for e in recent))
    return "\n".join(lines)


# --- the course, with ticks -------------------------------------------------------------------------


def _mark(ticked: bool) -> str:
    return "[x]" if ticked else "[ ]"


def _items(items: list[Item], c: Curriculum, ticked: set[str], depth: int = 0) -> list[str]:
    out = []
    for item in items:
        out.append(f"{'  ' * depth}- {_mark(S.is_ticked(item.id, c, ticked))} {item.text}")
        out.extend(_items(item.items, c, ticked, depth + 1))
    return out


def _exercise_line(c: Curriculum, module: Module, exercise, progress: Progress) -> str:
    if exercise.is_milestone:
        label = f"**Milestone {exercise.id.rsplit('.m', 1)[1]}:**"
    else:
        label = f"**{module.check_label} {exercise.number}:**"
    if exercise.id in progress.passed:
        device = progress.passed[exercise.id][1] or "cpu"
        hints = progress.hints.get(exercise.id, 0)
        used = f" · {hints} hint{'s' if hints != 1 else ''}" if hints else ""
        return f"- [x] {label} {exercise.title} · ✅ graded on {device.upper() if device != 'cpu' else 'CPU'}{used}"
    if exercise.id in progress.by_hand:
        return f"- [x] {label} {exercise.title} · ✋ ticked by hand"
    suffix = " · needs a GPU" if exercise.device == "cuda" else ""
    return f"- [ ] {label} {exercise.title}{suffix}"


def render_module(c: Curriculum, module: Module, progress: Progress) -> list[str]:
    ticked = progress.ticked
    lines = [f"### {c.words.module} {module.id}: {module.title}", "", f"**{module.summary}**", ""]
    for checklist in module.checklists:
        lines += [f"#### {checklist.title}", ""]
        lines += _items(checklist.items, c, ticked)
        lines.append("")
    for note in module.notes:
        lines += [f"#### {note.title}", "", note.body.rstrip("\n"), ""]
    if module.exercises:
        lines += ["#### Knowledge Checks", ""]
        lines += [_exercise_line(c, module, e, progress) for e in module.exercises]
        lines.append("")
    if module.capstone:
        cap = module.capstone
        done = module.id in progress.complete_capstones
        lines += [f"#### Capstone Project: {cap.title}", "", f"- {_mark(done)} **Objective:** {cap.objective}"]
        lines += _items(cap.steps, c, ticked)
        lines += [_exercise_line(c, module, m, progress) for m in cap.milestones]
        lines.append("")
    return lines


def render_curriculum(c: Curriculum, progress: Progress) -> str:
    from tracker.progress.gates import part_title

    lines: list[str] = []
    for category in c.categories:
        lines += [f"## {part_title(c, category)}", "", category.description, ""]
        for module in category.modules:
            lines += render_module(c, module, progress)
            lines += ["---", ""]
    if c.arsenal:
        lines += ["## The Arsenal: Tools & Frameworks", "", "Essential software ecosystem for the inference optimization journey:", ""]
        for group in c.arsenal:
            lines += [f"**{group.title}**"] + [f"- {line}" for line in group.lines] + [""]
        lines += ["---", ""]
    if c.papers:
        lines += ["## The Pantheon: Foundational Papers", "", "Essential research papers underlying the techniques in this curriculum:", ""]
        for paper in c.papers:
            quiz = " · ✅ quiz passed" if paper.id in progress.passed else ""
            read = paper.id in progress.ticked or paper.id in progress.passed
            lines.append(f"- {_mark(read)} **{paper.title}:** {paper.citation}{quiz}")
        lines.append("")
    return "\n".join(lines).rstrip("\n")


def render_log_index(c: Curriculum, progress: Progress, recent: int = 5) -> str:
    lines = ["## Captain's Log", "", "My optimization journey with insights, breakthroughs, and challenges:", ""]
    entries = sorted(progress.logs.items())
    if not entries:
        lines += ["**Template Entry:**", "```", c.log_template.rstrip("\n"), "```"]
        return "\n".join(lines)
    for day, entry in reversed(entries[-recent:]):
        title = entry.get("title") or ""
        module = entry.get("module") or ""
        lines.append(f"- [{day}: {c.words.module} {module} - {title}]({LOG_PATH}#{_anchor(day, module, title, c.words.module)})")
    if len(entries) > recent:
        lines.append(f"- … and {len(entries) - recent} earlier entries in [{LOG_PATH}]({LOG_PATH})")
    return "\n".join(lines)


def _anchor(day: str, module: str, title: str, word: str = "Module") -> str:
    """GitHub's heading anchor for '### day: Module m - title' (the course's word for a module)."""
    text = f"{day}: {word} {module} - {title}".lower()
    keep = "".join(ch for ch in text if ch.isalnum() or ch in " -_")
    return keep.replace(" ", "-")
