"""The progress rules' kept fold (tracker.progress.kept): whatever happened to the store (events arriving in
any order, another curriculum, a rebuild, two processes writing and folding at once, a process killed in the
middle of a write), progress read through the kept state is exactly the fold of the whole journal from
scratch, and the kept state is used (only the events after it are read)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest

from tracker.curriculum.loader import load
from tracker.progress import kept, rules
from tracker.store.journal import Journal, read_file
from tracker.store.store import Store

from .conftest import PROJECT

NOW = datetime(2026, 4, 2, 9, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def curriculum():
    return load(PROJECT / "curriculum.yaml").curriculum


def open_store(folder: Path, machine: str = "aaaa1111", db: str = "db.sqlite") -> Store:
    return Store(f"sqlite:///{folder / db}", Journal(folder / "journal", machine), tz="Europe/Paris")


def random_event(rng: random.Random, c) -> tuple[str, dict]:
    """An event of a learner working through the first modules: mostly attempts, some ticks, hints, logs."""
    modules = list(c.modules())[:3]
    exercises = [e.id for m in modules for e in m.exercises] + [e.id for e in c.gradables() if e.is_paper_quiz][:1]
    items = [i.id for m in modules for i in m.items() if not i.items] + [p.id for p in c.papers][:2]
    roll = rng.random()
    if roll < 0.7:
        return "attempt", {"exercise": rng.choice(exercises), "device": rng.choice(["cpu", "cpu", "cuda"]),
                           "status": rng.choice(["passed", "passed", "passed", "failed", "needs_gpu", "cancelled"]),
                           "grader_modified": rng.random() < 0.05}
    if roll < 0.85:
        return rng.choice(["tick", "tick", "untick"]), {"item": rng.choice(items)}
    if roll < 0.92:
        return "hint", {"exercise": rng.choice(exercises), "index": 1}
    if roll < 0.97:
        day = f"2026-03-{rng.randrange(1, 28):02d}"
        return "log", {"date": day, "module": "0.1", "title": "t", "progress": "p", "insight": "i",
                       "challenge": rng.choice(["", "c"]), "next_steps": "n"}
    return "settings", {"vacation": rng.random() < 0.5}


def two_machines_writing(a: Store, b: Store, c, rng: random.Random, n: int) -> Iterator[int]:
    """Record ``n`` random events at random times of March, two of every three on ``a``, the others on
    ``b``; yield each event's number after it is recorded."""
    for i in range(n):
        store = a if i % 3 else b
        ts = f"2026-03-{1 + rng.randrange(25):02d}T{rng.randrange(6, 23):02d}:{rng.randrange(60):02d}:00.{i:06d}Z"
        store.record(*random_event(rng, c), ts=ts)
        yield i


def from_scratch(store: Store, c) -> rules.Progress:
    """The rules applied to every event of every journal file, read from the files themselves."""
    journal = [ev for path in store.journal.files() for ev in read_file(path).events]
    return rules.evaluate(c, journal, rules.Settings(), NOW)


def through_checkpoint(store: Store, c) -> rules.Progress:
    return rules.finish(c, kept.folded(store, c), rules.Settings(), NOW)


def assert_exact(store: Store, c) -> None:
    """From what this process remembers, and from the store alone (as a fresh process would), the same
    progress as the fold from scratch."""
    scratch = from_scratch(store, c)
    assert through_checkpoint(store, c) == scratch
    kept.forget()
    assert through_checkpoint(store, c) == scratch
    assert scratch.ledger  # the history earned something: the comparison is not between two empty states


def test_progress_through_the_checkpoint_is_the_fold_from_scratch_as_events_arrive(tmp_path, curriculum, monkeypatch):
    monkeypatch.setattr(kept, "SAVE_EVERY", 8)
    rng = random.Random(5)
    with open_store(tmp_path) as store:
        for i in range(400):
            ts = f"2026-03-{1 + i // 16:02d}T{6 + (i % 16):02d}:00:00.{i:06d}Z"  # 16 events a day for 25 days
            store.record(*random_event(rng, curriculum), ts=ts)
            if i % 23 == 0:
                assert through_checkpoint(store, curriculum) == from_scratch(store, curriculum)
        assert_exact(store, curriculum)
        # The kept state is used: only the events after it are read, a handful of the history's.
        key = kept.key_of(curriculum)
        mark, state, events, _seq = store.checkpoint(key)
        assert mark is not None and state is not None
        assert len(events) < kept.SAVE_EVERY < len(store.events()) / 10


def test_a_long_run_of_attempts_that_change_nothing_moves_the_checkpoint_on(tmp_path, curriculum):
    """Watch mode passing the same exercise again and again: nothing for the rules, yet the checkpoint
    follows, so a look reads a few events, not the whole run."""
    with open_store(tmp_path) as store:
        for i in range(300):
            store.record("attempt", {"exercise": "0.1.1", "status": "passed"}, ts=f"2026-03-02T10:00:00.{i:06d}Z")
            through_checkpoint(store, curriculum)
        mark, _state, events, seq = store.checkpoint(kept.key_of(curriculum))
        assert mark is not None and seq - mark[3] < kept.SAVE_EVERY and len(events) <= 1
        assert_exact(store, curriculum)


def test_an_older_event_indexed_later_makes_the_checkpoint_stale(tmp_path, curriculum):
    """Another machine's older events arrive after a pull: the kept fold misses them, so it is not used
    (the whole history is folded again, and kept), and progress stays exact."""
    rng = random.Random(8)
    with open_store(tmp_path, "aaaa1111", "a.sqlite") as a, open_store(tmp_path, "bbbb2222", "b.sqlite") as b:
        for i in two_machines_writing(a, b, curriculum, rng, 300):
            if i % 41 == 0:
                through_checkpoint(a, curriculum), through_checkpoint(b, curriculum)  # each keeps a fold
                a.sync(), b.sync()
        through_checkpoint(a, curriculum)
        key = kept.key_of(curriculum)
        assert a.checkpoints()[key][3] is False
        a.sync()  # b's events, most of them older than a's last event
        assert a.checkpoints()[key][3] is True
        assert_exact(a, curriculum)
        assert a.checkpoints()[key][3] is False  # folded again and kept
        b.sync()
        assert_exact(b, curriculum)


def test_each_curriculum_keeps_its_own_fold_and_a_rebuild_drops_them(tmp_path, curriculum):
    # The same course with another XP amount for code exercises.
    other = curriculum.model_copy(update={"xp": curriculum.xp.model_copy(update={"code": curriculum.xp.code + 7})},
                                  deep=True)
    other.index()
    rng = random.Random(2)
    with open_store(tmp_path) as store:
        for i in range(150):
            store.record(*random_event(rng, curriculum), ts=f"2026-03-{1 + i // 10:02d}T12:00:00.{i:06d}Z")
        assert_exact(store, curriculum)
        assert_exact(store, other)
        assert through_checkpoint(store, other).xp != through_checkpoint(store, curriculum).xp
        assert set(store.checkpoints()) == {kept.key_of(curriculum), kept.key_of(other)}
        store.rebuild()
        assert store.checkpoints() == {}
        assert_exact(store, curriculum)


def test_a_checkpoint_round_trips_through_json(tmp_path, curriculum):
    rng = random.Random(4)
    with open_store(tmp_path) as store:
        for i in range(200):
            store.record(*random_event(rng, curriculum), ts=f"2026-03-{1 + i // 10:02d}T12:00:00.{i:06d}Z")
        state = rules.fold(curriculum, store.events())
    back = rules.Folded.from_json(curriculum, state.to_json())
    assert back.to_json() == state.to_json()
    assert rules.finish(curriculum, back, rules.Settings(), NOW) == rules.finish(curriculum, state, rules.Settings(), NOW)


WRITER = textwrap.dedent(
    """
    import random, sys
    from pathlib import Path
    from tracker.curriculum.loader import load
    from tracker.progress import kept
    from tracker.store.journal import Journal
    from tracker.store.store import Store
    sys.path.insert(0, sys.argv[4])
    from tests.test_store_checkpoint import random_event
    folder, n, tag = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    c = load(Path(sys.argv[4]) / "curriculum.yaml").curriculum
    kept.SAVE_EVERY = 1  # write the checkpoint at nearly every look: as many writes as can be
    rng = random.Random(tag)
    store = Store(f"sqlite:///{folder / 'db.sqlite'}", Journal(folder / "journal", "samemach"), tz="Europe/Paris")
    print("ready", flush=True)
    for i in range(n):
        store.record(*random_event(rng, c))
        kept.folded(store, c)  # reads the other process's checkpoint, folds on, keeps its own
    store.close()
    """
)


def writer(tmp_path: Path, n: int, tag: str) -> subprocess.Popen:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    return subprocess.Popen([sys.executable, str(script), str(tmp_path), str(n), tag, str(PROJECT)],
                            stdout=subprocess.PIPE)


def test_two_processes_writing_and_folding_at_once_leave_the_kept_fold_exact(tmp_path, curriculum):
    procs = [writer(tmp_path, 120, tag) for tag in ("tui", "cli")]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    with open_store(tmp_path, "samemach") as store:
        assert len(store.events()) == 240
        key = kept.key_of(curriculum)
        assert key in store.checkpoints()  # the processes kept one (a fresh process would start from it)
        assert_exact(store, curriculum)


def test_a_process_killed_in_the_middle_of_a_write_leaves_the_kept_fold_exact(tmp_path, curriculum):
    proc = writer(tmp_path, 100_000, "k")
    assert proc.stdout.readline().strip() == b"ready"
    time.sleep(2.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with open_store(tmp_path, "samemach") as store:  # opening indexes what the journal has and the database lacks
        assert len(store.events()) == len(read_file(store.journal.own_file).events) > 0
        assert kept.key_of(curriculum) in store.checkpoints()
        assert_exact(store, curriculum)


def test_tracker_dashboard_from_the_kept_fold_writes_the_files_of_the_whole_journal(fork, curriculum):
    """`tracker dashboard` renders from the kept fold and the store's tables (states, study time, the current
    module); the same README, log and heatmap follow from the journal alone, as a sync regenerates them."""
    from tracker.config import Config
    from tracker.publish import site
    from tracker.service import Tracker
    from tracker.store.journal import read_all

    from .conftest import run_tracker

    rng = random.Random(12)

    def write(count: int, day0: int) -> None:
        with Store(f"sqlite:///{fork.parent / 'scratch.sqlite'}", Journal(fork / "journal", "m1"), tz="Europe/Paris") as s:
            for i in range(count):
                ts = f"2026-03-{day0 + i // 20:02d}T{4 + (i % 20):02d}:00:00.{i:06d}Z"
                if rng.random() < 0.05:
                    s.record("session", {"module": rng.choice(["0.1", "0.2"]), "seconds": rng.randrange(60, 3600)}, ts=ts)
                else:
                    s.record(*random_event(rng, curriculum), ts=ts)

    write(200, 1)
    assert run_tracker("dashboard", cwd=fork).returncode == 0  # folds the whole history, keeps it
    write(120, 12)
    paths = [fork / name for name in site.GENERATED]
    before = {path: path.read_text() if path.exists() else "" for path in paths}
    done = run_tracker("dashboard", cwd=fork)  # folds the new events on top of the kept fold
    assert done.returncode == 0, done.stderr
    with Tracker(Config.load(fork)) as t:
        settings = t.settings
        assert kept.key_of(t.curriculum) in t.store.checkpoints()
        renderers = site.renderers(t.curriculum, list(read_all(fork / "journal")), settings)
    for path in paths:
        assert path.read_text() == renderers[path.relative_to(fork).as_posix()](before[path]), path.name
    assert (fork / "README.md").read_text() != before[fork / "README.md"]  # the new events show
