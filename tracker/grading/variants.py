"""Known-buggy variants of a reference solution, written as small replacements of its text.

``graders/M.m/variants/exK_slug.yaml`` lists variants; each names a mistake, the text a grader's failure
message must contain (``expect``) and the replacements that introduce the mistake. Writing them as edits
of the reference keeps each mistake to one visible line and keeps the solution in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from tracker.errors import TrackerError


@dataclass(frozen=True)
class Variant:
    name: str
    expect: str
    replace: tuple[tuple[str, str], ...]

    def apply(self, source: str) -> str:
        """The reference text with this variant's mistake in it; every old text must occur exactly once."""
        for old, new in self.replace:
            count = source.count(old)
            if count != 1:
                raise TrackerError(f"variant {self.name}: {old!r} occurs {count} times in the solution, not once")
            source = source.replace(old, new)
        return source


def variants_path(solution: Path) -> Path:
    """graders/M.m/solutions/exK_slug.py -> graders/M.m/variants/exK_slug.yaml"""
    return solution.parent.parent / "variants" / (solution.stem + ".yaml")


def load_variants(path: Path) -> list[Variant]:
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    out = []
    for entry in data:
        try:
            pairs = tuple((str(old), str(new)) for old, new in entry["replace"])
            out.append(Variant(str(entry["name"]), str(entry["expect"]), pairs))
        except (KeyError, TypeError, ValueError) as exc:
            raise TrackerError(f"{path}: malformed variant {entry!r}: {exc}") from None
    return out
