"""Turn a markdown roadmap (headings, checkbox and bullet lists, tables; or a notebook's markdown cells)
into a course file that validates, every item ticked by hand until exercises are attached.

The shape is read from the headings: the level that most lists sit directly under is a module's section
(a checklist), the level above it a module, the level above that a category. Three conventions of roadmaps
like curriculum.yaml's own markdown are kept: ``Module 0.1: Title`` gives the module its id, a section
named "Knowledge Checks" (items ``**Exercise 1:** ...``) holds exercises, and ``Capstone Project: Title``
(items ``**Objective:** ...`` and ``**Step 1:** ...``) is the module's capstone. A table is a note.

Two kinds of top-level part are not work to tick, and go where curriculum.yaml keeps them: a part whose
every item is a paper (``**Title:** "Name" (Authors, 2023)``) becomes the course's ``papers``, and a part
without modules whose lists are plain bullets, in a roadmap whose work is checkboxes, becomes its
``arsenal`` of tools (each list titled by the bold line above it).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tracker.errors import TrackerError

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
LIST = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(?:\[([ xX])\]\s+)?(.*\S)\s*$")
TABLE = re.compile(r"^\s*\|.*\|\s*$")
MODULE_TITLE = re.compile(r"^Module\s+(\d+\.\d+):\s*(.+)$")
CHECK = re.compile(r"^\*\*(Exercise|Check|Self-Study)\s+\d+:\*\*\s*(.+)$")
OBJECTIVE = re.compile(r"^\*\*Objective:\*\*\s*(.+)$")
CAPSTONE = re.compile(r"^Capstone Project:\s*(.+)$")
GROUP = re.compile(r"^\*\*([^*]+?)\*\*\s*$")  # a bold line alone: the title of the list below it
PAPER = re.compile(r"^\*\*([^*]+?):\*\*\s*(.*\b(?:19|20)\d\d\b.*)$")  # **Title:** a citation with its year
LOG_TEMPLATE = (
    "YYYY-MM-DD: Module X.Y - Title\nProgress: [Current status and completed work]\n"
    "Key Insight: [Major understanding or breakthrough moment]\nChallenge: [Current obstacles and approach to resolution]\n"
    "Next Steps: [Planned actions and goals]\n"
)


@dataclass
class _Section:
    title: str
    items: list = field(default_factory=list)  # [text, [child texts]]
    table: list[str] = field(default_factory=list)
    checkboxes: int = 0  # how many of its items are checkboxes (- [ ] ...)


@dataclass
class _Module:
    title: str
    summary: str = ""
    sections: list[_Section] = field(default_factory=list)
    implicit: bool = False  # made for lists that sit right under a category heading


@dataclass
class _Category:
    title: str
    description: str = ""
    modules: list[_Module] = field(default_factory=list)


def markdown_of(path: Path) -> str:
    """The markdown of a file: the file itself, or a Jupyter notebook's markdown cells."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TrackerError(f"no file at {path}") from None
    except UnicodeDecodeError as exc:
        raise TrackerError(f"{path.name}: not UTF-8 text ({exc.reason})") from None
    if text.lstrip().startswith("{"):
        try:
            notebook = json.loads(text)
        except json.JSONDecodeError:
            return text
        cells = notebook.get("cells", []) if isinstance(notebook, dict) else []
        parts = []
        for cell in cells:
            if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
                source = cell.get("source", "")
                parts.append("".join(source) if isinstance(source, list) else str(source))
        return "\n\n".join(parts)
    return repair_mojibake(text)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# UTF-8 read back through a Windows code page: the lead bytes of emoji, arrows and box lines
_MOJIBAKE_SIGNS = ("ğŸ", "ðŸ", "â€", "âœ", "â”", "Ã")


def _as_utf8(run: str) -> str | None:
    for codepage in ("cp1252", "cp1254"):
        try:
            return run.encode(codepage).decode("utf-8")
        except UnicodeError:
            continue
    return None


def repair_mojibake(text: str) -> str:
    """UTF-8 text that was once decoded as cp1252/cp1254 and saved again, turned back into what was written.

    Only a text that carries the signs of that accident is touched, and only when most of its non-ASCII runs
    decode cleanly; a run whose bytes were lost on the way (a code page has holes) is dropped, since what is
    left of it is noise (it is nearly always an emoji in a heading).
    """
    if not any(sign in text for sign in _MOJIBAKE_SIGNS):
        return text
    runs = _NON_ASCII.findall(text)
    repaired = {run: _as_utf8(run) for run in set(runs)}
    if sum(1 for run in runs if repaired[run] is not None) * 2 < len(runs):
        return text
    return _NON_ASCII.sub(lambda m: repaired[m.group(0)] or "", text)


def _lines(markdown: str) -> list[str]:
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if not fenced:
            out.append(line.rstrip())
    return out


def _clean(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text).strip().strip("*").strip()


def parse_roadmap(markdown: str, fallback_title: str) -> tuple[str, list[_Category]]:
    lines = _lines(markdown)
    # The level lists sit under most often is the section level.
    under: Counter = Counter()
    level = 0
    for line in lines:
        if m := HEADING.match(line):
            level = len(m.group(1))
        elif LIST.match(line) and level:
            under[level] += 1
    if not under:
        raise TrackerError("no heading is followed by a list: a roadmap needs headings and checkbox or bullet lists")
    section_level = under.most_common(1)[0][0]
    module_level, category_level = section_level - 1, section_level - 2
    title = ""
    categories: list[_Category] = []
    module: _Module | None = None
    section: _Section | None = None
    pending = ""  # which heading the next paragraph describes: "category" or "module"
    group = ""  # a bold line alone, waiting to title the list that follows it
    indent_of_parent = None

    def need_module() -> _Module:
        nonlocal module
        if not categories:
            categories.append(_Category(title or fallback_title))
        if module is None:
            module = _Module(categories[-1].title, implicit=True)
            categories[-1].modules.append(module)
        return module

    def need_section() -> _Section:
        nonlocal section
        if section is None:
            section = _Section("Checklist")
            need_module().sections.append(section)
        return section

    for line in lines:
        if m := HEADING.match(line):
            depth, text = len(m.group(1)), _clean(m.group(2))
            group = ""
            if not text:
                continue
            if depth < category_level or (depth <= category_level and category_level < 1):
                title = title or text
                continue
            if depth == category_level:
                categories.append(_Category(text))
                module, section, pending = None, None, "category"
            elif depth == module_level:
                if not categories:
                    categories.append(_Category(title or fallback_title))
                module = _Module(text)
                categories[-1].modules.append(module)
                section, pending = None, "module"
            else:
                section = _Section(text)
                need_module().sections.append(section)
                pending = ""
            continue
        if m := LIST.match(line):
            indent, text = len(m.group(1).expandtabs(4)), m.group(3).strip()
            if group and (section is None or section.items):  # a heading just above names the list itself
                section = _Section(group)
                need_module().sections.append(section)
            group = ""
            target = need_section()
            if target.items and indent_of_parent is not None and indent > indent_of_parent:
                target.items[-1][1].append(text)
            else:
                target.items.append([text, []])
                target.checkboxes += m.group(2) is not None
                indent_of_parent = indent
            pending = ""
            continue
        if TABLE.match(line):
            need_section().table.append(line.strip())
            continue
        if (bold := GROUP.match(line.strip())) and not pending:
            group = bold.group(1).strip().rstrip(":").strip()
            continue
        if line.strip():
            group = ""
        if line.strip() and pending:
            paragraph = _clean(line)
            if paragraph and not paragraph.startswith(("!", "---")):
                if pending == "category" and categories and not categories[-1].description:
                    categories[-1].description = paragraph
                elif pending == "module" and module is not None and not module.summary:
                    module.summary = paragraph
                pending = ""
    return title or fallback_title, categories


def _papers(category: _Category) -> list[dict] | None:
    """A part that lists papers, as curriculum.yaml's ``papers`` (None when it is not one)."""
    items = [text for m in category.modules for s in m.sections for text, _ in s.items]
    found = [PAPER.match(text) for text in items]
    if not items or not all(found):
        return None
    papers, seen = [], set()
    for match in found:
        paper_title = match.group(1).strip()
        slug = re.sub(r"[^a-z0-9]+", "", re.sub(r"\(.*?\)", "", paper_title).lower()) or "paper"
        ident, n = f"paper.{slug}", 1
        while ident in seen:
            n += 1
            ident = f"paper.{slug}-{n}"
        seen.add(ident)
        papers.append({"id": ident, "title": paper_title, "citation": match.group(2).strip()})
    return papers


def _tools(category: _Category, checkboxes: bool) -> list[dict] | None:
    """A part of plain bullet lists with no modules, in a roadmap of checkboxes: curriculum.yaml's
    ``arsenal`` (None when it is not one)."""
    sections = [s for m in category.modules for s in m.sections if s.items]
    if not checkboxes or not sections or not all(m.implicit for m in category.modules) or any(s.checkboxes for s in sections):
        return None
    return [{"title": category.title if s.title == "Checklist" else s.title,
             "lines": [line for text, kids in s.items for line in (text, *kids)]} for s in sections]


def build_course(title: str, categories: list[_Category]) -> dict:
    """The course file's data: ids in the project's numbering, everything hand-ticked."""
    out = []
    numbered = 0
    papers: list[dict] = []
    arsenal: list[dict] = []
    checkboxes = any(s.checkboxes for c in categories for m in c.modules for s in m.sections)
    for category in categories:
        if (found := _papers(category)) is not None:
            papers += [p for p in found if p["id"] not in {q["id"] for q in papers}]
            continue
        if (tools := _tools(category, checkboxes)) is not None:
            arsenal += tools
            continue
        modules = []
        for module in category.modules:
            if not any(s.items or s.table for s in module.sections):
                continue
            modules.append(module)
        if not any(s.items for m in modules for s in m.sections):
            continue  # only tables (a dashboard, an overview): nothing to tick
        found = [MODULE_TITLE.match(m.title) for m in modules]
        cid = found[0].group(1).split(".")[0] if found[0] else str(numbered + 1)
        numbered = max(numbered, int(cid)) if cid.isdigit() else numbered + 1
        data_modules = []
        for mi, (module, match) in enumerate(zip(modules, found), start=1):
            mid = match.group(1) if match and match.group(1).startswith(cid + ".") else f"{cid}.{mi}"
            mtitle = match.group(2) if match else module.title
            data_modules.append(_module(mid, mtitle, module))
        out.append({"id": cid, "title": category.title, "description": category.description or category.title,
                    "modules": data_modules})
    if not out:
        raise TrackerError("the roadmap has headings but no lists under them to make items of")
    data: dict = {"version": 1, "title": title, "categories": out}
    if arsenal:
        data["arsenal"] = arsenal
    if papers:
        data["papers"] = papers
    return data | {"log_template": LOG_TEMPLATE}


def _module(mid: str, title: str, module: _Module) -> dict:
    data: dict = {"id": mid, "title": title, "summary": module.summary or title}
    checklists, notes, exercises = [], [], []
    label = None
    capstone = None
    number = 0
    for section in module.sections:
        if section.table and not section.items:
            notes.append({"title": section.title, "body": "\n".join(section.table)})
            continue
        checks = [CHECK.match(text) for text, _ in section.items]
        if section.items and section.title.lower() == "knowledge checks" or (checks and all(checks)):
            for match, (text, _) in zip(checks, section.items):
                label = label or (match.group(1) if match else None)
                exercises.append({"id": f"{mid}.{len(exercises) + 1}", "title": match.group(2) if match else _clean(text),
                                  "kind": "code", "status": "coming_soon"})
            continue
        if cap := CAPSTONE.match(section.title):
            objective = next((OBJECTIVE.match(t).group(1) for t, _ in section.items if OBJECTIVE.match(t)), cap.group(1))
            steps = [(t, kids) for t, kids in section.items if not OBJECTIVE.match(t)]
            if steps:
                capstone = {"title": cap.group(1), "objective": objective,
                            "steps": [_item(f"{mid}.p{i}", t, kids) for i, (t, kids) in enumerate(steps, 1)]}
                continue
        if not section.items:
            continue
        items = []
        for text, kids in section.items:
            number += 1
            items.append(_item(f"{mid}.c{number}", text, kids))
        checklists.append({"title": section.title, "items": items})
    if label and label != "Exercise":
        data["check_label"] = label
    if checklists:
        data["checklists"] = checklists
    if notes:
        data["notes"] = notes
    if exercises:
        data["exercises"] = exercises
    if capstone:
        data["capstone"] = capstone
    return data


def _item(ident: str, text: str, kids: list[str]) -> dict:
    item: dict = {"id": ident, "text": text}
    if kids:
        item["items"] = [{"id": f"{ident}.{j}", "text": kid} for j, kid in enumerate(kids, 1)]
    return item


def import_roadmap(path: Path) -> str:
    """The YAML text of a course made from the roadmap at path."""
    title, categories = parse_roadmap(markdown_of(path), path.stem.replace("_", " "))
    data = build_course(title, categories)
    header = f"# Imported from {path.name} by `tracker import`; items are ticked by hand until exercises are attached.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
