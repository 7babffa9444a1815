"""Every file of the site, as text keyed by its path inside the site's folder.

Pages link to each other by relative paths (``../modules/1.1.html``), so the same files work opened from
disk and served under ``https://USER.github.io/REPO/``. Nothing is fetched at view time: the stylesheet,
the script and the search index ship beside the pages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Callable

from tracker.curriculum.model import Curriculum, Exercise
from tracker.progress import rules
from tracker.publish.pages import content as K
from tracker.publish.pages import render
from tracker.store.journal import Event

NOJEKYLL = ".nojekyll"
RECENT_DAYS = 7


@dataclass(frozen=True)
class Code:
    """The learner's own file for an exercise, shown when solutions are published."""

    path: str
    text: str
    sha: str  # sha256 of the file, to tell whether it changed since the pass


# exercise -> its published code, or None
CodeSource = Callable[[Exercise], "Code | None"]


def _static(name: str) -> str:
    return resources.files("tracker.publish.pages").joinpath("static").joinpath(name).read_text(encoding="utf-8")


def _page(template: str, root: str, **context) -> str:
    return render.templates().get_template(template).render(root=root, **context)


def build(c: Curriculum, events: list[Event], settings: rules.Settings, *, code: CodeSource | None = None,
          log_entries: dict[str, str] | None = None) -> dict[str, str]:
    """The site's files. ``log_entries`` maps a day to its captain's log entry as the learner edited it in
    CAPTAINS_LOG.md (markdown); other days are written from the journal."""
    site = K.gather(c, events, settings)
    progress = site.progress
    common = {"site": site, "c": c, "progress": progress, "K": K}
    # GitHub Pages only looks for the file; its text says why it is there (and an empty file would be
    # indistinguishable from an absent one to the generated-file writer).
    files: dict[str, str] = {NOJEKYLL: "GitHub Pages: serve these files as they are, without a Jekyll build.\n"}
    files["assets/site.css"] = _static("site.css") + "\n" + render.code_css()
    files["assets/site.js"] = _static("site.js")
    files["assets/search-index.js"] = _search_index(site)

    entries = {d.slug: _log_html(c, progress, d, (log_entries or {}).get(d.slug)) for d in site.days}
    categories = [(cat, [(m, site.module_progress(m)) for m in cat.modules]) for cat in c.categories]
    recent = list(reversed(site.days[-RECENT_DAYS:]))
    files["index.html"] = _page(
        "overview.html", "", page="overview", categories=categories, recent=recent, entries=entries,
        heat=K.heatmap(site, settings.daily_goal), goal=settings.daily_goal, **common,
    )
    files["journal.html"] = _page("journal.html", "", page="journal", days=list(reversed(site.days)), **common)
    files["papers.html"] = _page("papers.html", "", page="papers", **common)
    files["topics.html"] = _page("topics.html", "", page="topics", categories=categories, **common)
    for i, day in enumerate(site.days):
        before = site.days[i - 1] if i else None
        after = site.days[i + 1] if i + 1 < len(site.days) else None
        files[day.href] = _page("day.html", "../", page="day", day=day, entry=entries[day.slug],
                                before=before, after=after, **common)
    for module in c.modules():
        files[K.module_href(module.id)] = _page(
            "module.html", "../", page="module", module=module, category=c.category_of(module.id),
            mp=site.module_progress(module), code=_code_for(module, site, code), **common,
        )
    return files


def _code_for(module, site: K.Site, code: CodeSource | None) -> dict[str, str]:
    """Exercise id -> highlighted HTML of the learner's passing code (only with solutions published)."""
    if code is None:
        return {}
    out = {}
    exercises = list(module.exercises) + (list(module.capstone.milestones) if module.capstone else [])
    for exercise in exercises:
        if exercise.id not in site.passes or not exercise.stub:
            continue
        found = code(exercise)
        if found is not None:
            learner_hash = site.passes[exercise.id].learner_hash
            out[exercise.id] = {"path": found.path, "changed": bool(learner_hash) and learner_hash != found.sha,
                                "html": render.highlight(found.text, filename=found.path)}
    return out


def _log_html(c: Curriculum, progress: rules.Progress, day: K.Day, edited: str | None) -> str:
    """The day's captain's log entry, as CAPTAINS_LOG.md has it, rendered without its heading."""
    from dataclasses import replace

    from tracker.publish import captains_log

    if edited is not None:
        body = edited
    elif day.log is not None:
        # The entry reads only its own day's ledger: hand it that day alone (180 days stay linear).
        body = captains_log.render_entry(c, replace(progress, ledger=day.changes), day.slug, day.log)
    else:
        return ""
    lines = body.strip("\n").splitlines()
    if lines and lines[0].startswith("#"):
        lines = lines[1:]
    lines = [line for line in lines if line.strip()]
    if lines and all(line.startswith("- ") for line in lines):
        # The usual shape, one field a line: each line is inline markdown (much cheaper than a full parse).
        items = "".join(f"<li>{render.markdown_inline(line[2:])}</li>\n" for line in lines)
        return f"<ul>\n{items}</ul>\n"
    return str(render.markdown("\n".join(lines) + "\n"))


def _search_index(site: K.Site) -> str:
    """Every module, concept, check, paper and day: [kind, id, title, href, more words]."""
    c = site.c
    rows: list[list[str]] = []
    for module in c.modules():
        rows.append(["module", module.id, module.title, K.module_href(module.id), module.summary])
        for item in module.items():
            kind = "step" if ".p" in item.id else "concept"
            rows.append([kind, item.id, K.plain(item.text), K.href_of(c, item.id), module.title])
        for exercise in list(module.exercises) + (list(module.capstone.milestones) if module.capstone else []):
            kind = "milestone" if exercise.is_milestone else "check"
            rows.append([kind, exercise.id, exercise.title, K.href_of(c, exercise.id), module.title])
    for paper in c.papers:
        rows.append(["paper", paper.id, paper.title, K.href_of(c, paper.id), paper.citation])
    for day in site.days:
        words = ""
        if day.log:
            words = " ".join(str(day.log.get(k) or "") for k in ("title", "insight", "challenge", "next_steps"))
        rows.append(["day", day.slug, f"Day {day.number}: {day.title}", day.href, words])
    payload = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    # A script, not a .json file: browsers refuse fetch() from file://, and the site must work from disk.
    return "window.TRACKER_INDEX = " + payload.replace("</", "<\\/") + ";\n"
