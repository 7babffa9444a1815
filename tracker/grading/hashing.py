"""Hashes of graders and learner files, and the manifest that says what the graders should be.

``graders/MANIFEST.sha256`` lists ``<sha256>  <path>`` for every file under graders/. A grading run
whose grader (or the shared code every grader uses) differs from the manifest is shown to the learner
but never recorded as a pass.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

MANIFEST = "graders/MANIFEST.sha256"
# Files every grader depends on, besides its own file: the conftest, the ini and every gradelib module
# (so graders can share helpers there, and a change to any of them counts as a change to the grader).
SHARED = ("graders/conftest.py", "graders/pytest.ini")


def file_hash(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def grader_files(repo: Path, grader: Path) -> list[Path]:
    gradelib = sorted((repo / "graders" / "gradelib").glob("*.py"))
    return [Path(grader)] + [repo / shared for shared in SHARED] + gradelib


def grader_hash(repo: Path, grader: Path) -> str:
    """One hash over a grader and the shared grading code it runs with."""
    digest = hashlib.sha256()
    for path in grader_files(repo, grader):
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()


def tracked_files(repo: Path) -> list[Path]:
    """Every file the manifest covers: all of graders/ but caches and the manifest itself."""
    root = repo / "graders"
    out = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.name != Path(MANIFEST).name:
            out.append(path)
    return out


def build_manifest(repo: Path) -> str:
    lines = [f"{file_hash(p)}  {p.relative_to(repo).as_posix()}" for p in tracked_files(repo)]
    return "\n".join(lines) + "\n"


def read_manifest(repo: Path) -> dict[str, str]:
    path = repo / MANIFEST
    if not path.exists():
        return {}
    entries = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, _, name = line.partition("  ")
            entries[name.strip()] = digest.strip()
    return entries


def modified_files(repo: Path, files: list[Path], manifest: dict[str, str] | None = None) -> list[str]:
    """The files (relative paths) whose content differs from the manifest, or that it lacks."""
    manifest = read_manifest(repo) if manifest is None else manifest
    changed = []
    for path in files:
        rel = Path(path).resolve().relative_to(repo.resolve()).as_posix()
        if not path.exists() or manifest.get(rel) != file_hash(path):
            changed.append(rel)
    return changed
