"""Writing the site into a folder the learner may share with files of their own (``docs/`` holds a
project's manual, a learner's notes, a Jekyll site).

The site keeps a manifest, ``.tracker-site.json``, of every file it wrote and the hash of what it wrote.
It rewrites or deletes a file only when the manifest says it wrote it and the file is unchanged since; a
file it did not write, or one the learner edited, is kept as it is and reported.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from tracker.errors import TrackerError

MANIFEST = ".tracker-site.json"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def read_manifest(site_dir: Path) -> dict[str, str]:
    path = site_dir / MANIFEST
    if not path.exists():
        return {}
    return parse_manifest(path.read_text(encoding="utf-8"), path)


def parse_manifest(text: str, path: Path | str = MANIFEST) -> dict[str, str]:
    try:
        data = json.loads(text)
        files = data["files"]
        if not isinstance(files, dict):
            raise TypeError
        return {str(k): str(v) for k, v in files.items()}
    except (ValueError, KeyError, TypeError):
        raise TrackerError(f"{path}: not a site manifest the tracker wrote; move it aside and build again") from None


def manifest_text(files: dict[str, str]) -> str:
    body = {"about": "Files written by `tracker site`; it rewrites or deletes only these, and only unchanged.",
            "files": {rel: _sha(text) for rel, text in sorted(files.items())}}
    return json.dumps(body, indent=1, sort_keys=True) + "\n"


@dataclass
class Plan:
    write: dict[str, str]  # path inside the site folder -> text (everything the site owns after this build)
    kept: list[str] = field(default_factory=list)  # the learner's files, left alone
    stale: list[str] = field(default_factory=list)  # files the site wrote before and no longer makes


def plan(site_dir: Path, pages: dict[str, str], trusted: frozenset[str] = frozenset()) -> Plan:
    """Which of the pages may be written, and which older pages of the site's may go.

    ``trusted`` files count as the site's whatever their content: for a sync's replay, where the two
    machines' versions of a page meet (each machine's manifest lists it) and neither is the learner's."""
    owned = read_manifest(site_dir)
    write, kept = {}, []
    for rel, text in pages.items():
        path = site_dir / rel
        if path.is_file():
            current = path.read_bytes().decode("utf-8", "replace")
            ours = rel in trusted or (rel in owned and _sha(current) == owned[rel])
            if current != text and not ours:
                kept.append(rel)
                continue
        elif path.exists():  # a folder where a page should be
            kept.append(rel)
            continue
        write[rel] = text
    stale = []
    for rel, sha in sorted(owned.items()):
        path = site_dir / rel
        if rel not in pages and path.is_file() and _sha(path.read_bytes().decode("utf-8", "replace")) == sha:
            stale.append(rel)
    return Plan(write, sorted(kept), stale)


@dataclass
class Written:
    written: list[str]  # paths relative to the repository
    removed: list[str]
    kept: list[str]


def apply(repo: Path, site_rel: str, the_plan: Plan) -> Written:
    """Write what changed, remove the site's stale pages, and record the manifest."""
    site_dir = repo / site_rel
    written, removed = [], []
    files = dict(the_plan.write)
    files[MANIFEST] = manifest_text(the_plan.write)
    for rel, text in sorted(files.items()):
        path = site_dir / rel
        if path.is_file() and path.read_bytes() == text.encode("utf-8"):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        written.append(f"{site_rel}/{rel}")
    for rel in the_plan.stale:
        (site_dir / rel).unlink()
        removed.append(f"{site_rel}/{rel}")
        parent = (site_dir / rel).parent
        while parent != site_dir and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    return Written(written, removed, [f"{site_rel}/{rel}" for rel in the_plan.kept])
