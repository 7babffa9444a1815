"""Benchmark 5: README dashboard render for the real curriculum, and for a synthetic one ten times larger.

Target: at most 50 ms for the real curriculum, growing linearly (about 10x for 10x the course).
Usage: python bench/render.py [runs]
"""

from __future__ import annotations

import copy
import sys
import time

from _common import PROJECT, fmt, median


def bigger(curriculum, times: int):
    """The course repeated `times` times, with fresh ids (categories 0..3*times-1)."""
    from tracker.curriculum.loader import parse

    import yaml

    data = yaml.safe_load((PROJECT / "curriculum.yaml").read_text())
    categories = []
    for copy_index in range(times):
        for category in copy.deepcopy(data["categories"]):
            new_cat = str(int(category["id"]) + 3 * copy_index)
            old_cat = category["id"]
            category["id"] = new_cat
            renamed = yaml.safe_load(_rename(yaml.safe_dump(category), old_cat, new_cat))
            categories.append(renamed)
    data["categories"] = categories
    return parse(yaml.safe_dump(data, sort_keys=False), PROJECT / "curriculum.yaml").curriculum


def _rename(text: str, old: str, new: str) -> str:
    import re

    return re.sub(rf"(?<![\d.]){re.escape(old)}\.(\d+)", lambda m: f"{new}.{m.group(1)}", text)


def history(curriculum, n: int = 300):
    from tracker.store.journal import Event

    events = []
    exercises = [e.id for e in curriculum.exercises()][:60]
    for i in range(n):
        ts = f"2026-0{1 + i // 100}-{1 + (i % 28):02d}T18:{i % 60:02d}:00.000000Z"
        kind = "attempt" if i % 3 else "tick"
        data = ({"exercise": exercises[i % len(exercises)], "status": "passed" if i % 2 else "failed", "device": "cpu"}
                if kind == "attempt" else {"item": f"0.{1 + i % 9}.c1.1"})
        events.append(Event(id=f"{ts}-{i}", ts=ts, machine="m", type=kind, tz="UTC", data=data))
    return events


def render_once(curriculum, events) -> float:
    from tracker.progress.rules import Settings
    from tracker.publish.readme import empty_readme_sections
    from tracker.publish.site import renderers

    start = time.perf_counter()
    files = renderers(curriculum, events, Settings())
    files["README.md"](empty_readme_sections())
    return time.perf_counter() - start


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    from tracker.curriculum.loader import load

    real = load(PROJECT / "curriculum.yaml").curriculum
    big = bigger(real, 10)
    events = history(real)
    render_once(real, events)
    small_t = median([render_once(real, events) for _ in range(runs)])
    big_t = median([render_once(big, events) for _ in range(max(3, runs // 3))])
    print(f"README render, real curriculum ({len(list(real.exercises()))} exercises, {len(events)} events): median {fmt(small_t)} (target <= 50 ms)")
    print(f"README render, 10x curriculum ({len(list(big.exercises()))} exercises): median {fmt(big_t)}; ratio {big_t / small_t:.1f}x (linear is about 10x)")


if __name__ == "__main__":
    main()
