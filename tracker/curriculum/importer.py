"""Turn a markdown roadmap (headings, checkbox and bullet lists, tables; or a notebook's markdown cells)
into a course file that validates, every item ticked by hand until exercises are attached.

The shape is read from the headings: the level that most lists sit directly under is a module's section
(a checklist), the level above it a module, the level above that a category. Three conventions of roadmaps
like curriculum.yaml's own markdown are kept: ``Module 0.1: Title`` gives the module its id, a section
named "Knowledge Checks" (items ``**Exercise 1:** ...``) holds exercises, and ``Capstone Project: Title``
(items ``**Objective:** ...`` and ``**Step 1:** ...``) is the module's capstone. A table is a note.
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


@dataclass
class _Module:
    title: str
    summary: str = ""
    sections: list[_Section] = field(default_factory=list)


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
    return text


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
    indent_of_parent = None

    def need_module() -> _Module:
        nonlocal module
        if not categories:
            categories.append(_Category(title or fallback_title))
        if module is None:
            module = _Module(categories[-1].title)
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
            target = need_section()
            if target.items and indent_of_parent is not None and indent > indent_of_parent:
                target.items[-1][1].append(text)
            else:
                target.items.append([text, []])
                indent_of_parent = indent
            pending = ""
            continue
        if TABLE.match(line):
            need_section().table.append(line.strip())
            continue
        if line.strip() and pending:
            paragraph = _clean(line)
            if paragraph and not paragraph.startswith(("!", "---")):
                if pending == "category" and categories and not categories[-1].description:
                    categories[-1].description = paragraph
                elif pending == "module" and module is not None and not module.summary:
                    module.summary = paragraph
                pending = ""
    return title or fallback_title, categories


def build_course(title: str, categories: list[_Category]) -> dict:
    """The course file's data: ids in the project's numbering, everything hand-ticked."""
    out = []
    numbered = 0
    for category in categories:
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
    return {"version": 1, "title": title, "categories": out, "log_template": LOG_TEMPLATE}


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
