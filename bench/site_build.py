"""Benchmark 8: the progress site for 180 days of logs, beside the README render, in the same run.

Target: the whole site (every page rendered and written to a fresh folder) in under a second.
The history is a 180-day journey through the real course: a log entry every day, concepts ticked and
checks passed in course order (some on CUDA), a failed attempt now and then, papers read.
Usage: python bench/site_build.py [runs] [--out DIR]   (--out also leaves the site there to look at)
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from _common import PROJECT, fmt, median


def journey(curriculum, days: int = 180):
    """A learner's 180 days: each day a few ticks, a pass or a failed attempt, and the day's log entry."""
    from tracker.store.journal import Event

    items = [i.id for m in curriculum.modules() for i in m.items() if not i.items]
    exercises = [e for e in curriculum.gradables() if e.gradable]
    events, n = [], 0

    def add(moment: datetime, kind: str, **data) -> None:
        nonlocal n
        n += 1
        ts = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        events.append(Event(id=f"{ts}-{n:06d}", ts=ts, machine="m", type=kind, tz="Europe/Paris", data=data))

    start = date(2026, 1, 5)
    for d in range(days):
        day = start + timedelta(days=d)
        t = datetime(day.year, day.month, day.day, 17, 0, tzinfo=timezone.utc)
        for k in range(3):
            if items:
                add(t + timedelta(minutes=k), "tick", item=items.pop(0))
        if exercises and d % 2 == 0:
            exercise = exercises.pop(0)
            if d % 10 == 0:
                add(t + timedelta(minutes=10), "attempt", exercise=exercise.id, status="failed", device="cpu")
            add(t + timedelta(minutes=20), "attempt", exercise=exercise.id, status="passed",
                device="cuda" if d % 6 == 0 else "cpu", device_name="NVIDIA GeForce RTX 4090" if d % 6 == 0 else "",
                learner_hash="")
        if d % 30 == 29 and d // 30 < len(curriculum.papers):
            add(t + timedelta(minutes=30), "tick", item=curriculum.papers[d // 30].id)
        module = ".".join((items[0] if items else "2.2.c1").split(".")[:2])
        add(t + timedelta(minutes=50), "log", date=day.isoformat(), module=module, title="", progress="",
            insight=f"Day {d + 1}: what `{module}` is really about, and why the **shapes** matter.",
            challenge="Numerical stability at the edges; wrote a test for it.",
            next_steps="Finish the module's checklist, then the next knowledge check.")
    return events


def readme_once(curriculum, events) -> float:
    from tracker.progress.rules import Settings
    from tracker.publish.readme import empty_readme_sections
    from tracker.publish.site import renderers

    start = time.perf_counter()
    files = renderers(curriculum, events, Settings(timezone="Europe/Paris"))
    files["README.md"](empty_readme_sections())
    return time.perf_counter() - start


def site_once(curriculum, events, out: Path) -> tuple[float, float, int]:
    """(render seconds, render + write seconds, files) for the whole site into an empty folder."""
    from tracker.progress.rules import Settings
    from tracker.publish.pages import files as F
    from tracker.publish.pages.build import build

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    start = time.perf_counter()
    pages = build(curriculum, events, Settings(timezone="Europe/Paris"))
    rendered = time.perf_counter() - start
    F.apply(out.parent, out.name, F.plan(out, pages))
    return rendered, time.perf_counter() - start, len(pages)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    runs = int(args[0]) if args else 7
    keep = Path(sys.argv[sys.argv.index("--out") + 1]) if "--out" in sys.argv else None
    from tracker.curriculum.loader import load

    c = load(PROJECT / "curriculum.yaml").curriculum
    events = journey(c)
    scratch = Path(tempfile.mkdtemp(prefix="tracker-site-bench-")) / "docs"
    site_once(c, events, scratch)  # imports and template compilation, once, as in a long-lived process
    readme_once(c, events)
    readme, render, total = [], [], []
    for _ in range(runs):  # interleaved, so both see the same load on the machine
        readme.append(readme_once(c, events))
        r, t, count = site_once(c, events, scratch)
        render.append(r)
        total.append(t)
    shutil.rmtree(scratch.parent, ignore_errors=True)
    cold = _cold_process()
    print(f"history: 180 days, {len(events)} events, {count} site files")
    print(f"README render (dashboard, log, heatmap): median {fmt(median(readme))}")
    print(f"site render, every page: median {fmt(median(render))}; with writing: median {fmt(median(total))} "
          f"(target < 1 s); {median(total) / median(readme):.0f}x the README render")
    print(f"site build in a fresh process (imports and templates included): {fmt(cold)}")
    if keep:
        site_once(c, events, keep)
        print(f"the site is in {keep}: open {(keep / 'index.html').resolve().as_uri()}")


def _cold_process() -> float:
    """One build in a new interpreter, as `tracker site` pays it (imports, template compilation)."""
    import subprocess

    code = ("import sys, time; sys.path.insert(0, 'bench'); t = time.perf_counter(); import site_build as b; "
            "from tracker.curriculum.loader import load; from pathlib import Path; import tempfile; "
            "c = load(b.PROJECT / 'curriculum.yaml').curriculum; e = b.journey(c); s = time.perf_counter(); "
            "b.site_once(c, e, Path(tempfile.mkdtemp()) / 'docs'); print(time.perf_counter() - s)")
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
