"""Reads before SQLAlchemy: a quick reader over the store's SQLite file reads exactly what the store reads,
steps aside wherever the store has work to do first, and is what the app's first screen and `tracker status`
read through."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.progress import kept, rules
from tracker.store.journal import Event, Journal, new_id
from tracker.store.reads import QuickReader

from .conftest import run_tracker
from .test_store_checkpoint import NOW, curriculum, open_store, through_checkpoint, two_machines_writing  # noqa: F401

TYPES = ("attempt", "tick", "untick", "hint", "log", "settings", "session")


def quick(folder: Path, machine: str = "aaaa1111", db: str = "db.sqlite") -> QuickReader | None:
    return QuickReader.open(folder / db, f"sqlite:///{folder / db}", Journal(folder / "journal", machine))


def same_reads(store, reader, key: str) -> None:
    assert reader.checkpoint(key) == store.checkpoint(key)
    mark = store.checkpoint(key)[0]
    if mark is not None:  # the caller already holds the state of that token
        assert reader.checkpoint(key, mark[2]) == store.checkpoint(key, mark[2])
    assert reader.latest_statuses() == store.latest_statuses()
    assert reader.ticked_items() == store.ticked_items()
    assert reader.damaged_lines() == store.damaged_lines()
    for type_ in TYPES:
        assert reader.events_of(type_) == store.events_of(type_)


def test_quick_reads_are_the_store_reads_as_two_machines_write(tmp_path, curriculum):
    """Random histories from two machines, synced now and then (so kept folds go stale and are kept again):
    at every look, each read through sqlite3 equals the store's through SQLAlchemy."""
    rng = random.Random(11)
    key = kept.key_of(curriculum)
    with open_store(tmp_path, "aaaa1111", "a.sqlite") as a, open_store(tmp_path, "bbbb2222", "b.sqlite") as b:
        for i in two_machines_writing(a, b, curriculum, rng, 240):
            if i % 37 == 0:
                through_checkpoint(a, curriculum)
                a.sync(), b.sync()
                for machine, db, s in (("aaaa1111", "a.sqlite", a), ("bbbb2222", "b.sqlite", b)):
                    reader = quick(tmp_path, machine, db)
                    assert reader is not None
                    same_reads(s, reader, key)
                    reader.close()
        a.sync()
        reader = quick(tmp_path, "aaaa1111", "a.sqlite")
        assert a.checkpoints()[key][3] is True  # b's older events made a's kept fold stale
        same_reads(a, reader, key)
        assert reader.checkpoint(key)[0] is None
        # The fold through the quick reader is the store's, and a quick reader keeps nothing.
        before = a.checkpoints()
        kept.forget()
        folded_quickly = rules.finish(curriculum, kept.folded(reader, curriculum), rules.Settings(), NOW)
        assert a.checkpoints() == before
        assert folded_quickly == through_checkpoint(a, curriculum)
        reader.close()


def test_a_quick_reader_steps_aside_wherever_the_store_has_work_first(tmp_path, curriculum):
    assert quick(tmp_path) is None  # no database yet: the store makes it
    with open_store(tmp_path) as store:
        store.record("tick", {"item": "0.1.c1.1"})
    reader = quick(tmp_path)
    assert reader is not None and reader.ticked_items() == {"0.1.c1.1"}

    # A line the database has not indexed (another machine's, after a pull): the store must catch up first.
    journal = Journal(tmp_path / "journal", "bbbb2222")
    ts = "2026-03-05T10:00:00.000000Z"
    journal.append(Event(id=new_id(ts, "bbbb2222"), ts=ts, machine="bbbb2222", type="tick", data={"item": "0.1.c1.2"}))
    with pytest.raises(QuickReader.Outdated):
        reader.ticked_items()
    assert quick(tmp_path) is None
    with open_store(tmp_path) as store:  # it catches up; the quick reader reads again, the new line included
        assert store.ticked_items() == {"0.1.c1.1", "0.1.c1.2"}
    assert reader.ticked_items() == {"0.1.c1.1", "0.1.c1.2"}

    # A journal that lost a line the database read (a git reset, a repair): only a rebuild is exact.
    [own] = [p for p in (tmp_path / "journal").glob("*.jsonl") if p.name.startswith("aaaa1111")]
    own.write_bytes(b"")
    with pytest.raises(QuickReader.Outdated):
        reader.ticked_items()
    reader.close()
    with open_store(tmp_path) as store:
        assert store.ticked_items() == {"0.1.c1.2"}

    # A database of another layout: the store rebuilds it.
    import sqlite3

    with sqlite3.connect(tmp_path / "db.sqlite") as connection:
        connection.execute("UPDATE meta SET value = '0' WHERE key = 'schema'")
    assert quick(tmp_path) is None
    # A file that is not a database at all.
    (tmp_path / "other.sqlite").write_bytes(b"not a database " * 100)
    assert quick(tmp_path, db="other.sqlite") is None


STATUS_IMPORTS = r"""
import json, sys
from tracker.cli import main
try:
    main(["status", "--json"])
finally:
    print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] == "sqlalchemy")[:3]), file=sys.stderr)
"""


def test_status_reads_without_sqlalchemy_and_sees_another_machines_line(fork):
    """Through the CLI: once the database has read the journal, `tracker status` answers without importing
    SQLAlchemy; a line brought by a pull is seen at once (the store catches up for it first)."""
    from .test_store import ticked_in_status

    assert run_tracker("check", "0.1.c1.1").returncode == 0

    def status() -> tuple[set[str], list[str]]:
        out = subprocess.run([sys.executable, "-c", STATUS_IMPORTS], cwd=fork, capture_output=True, text=True,
                             timeout=120)
        assert out.returncode == 0, out.stderr
        return ticked_in_status(out.stdout), json.loads(out.stderr.strip().splitlines()[-1])

    assert status() == ({"0.1.c1.1"}, [])
    journal = Journal(fork / "journal", "bbbb2222")  # another machine's tick, as a pull brings it
    ts = "2026-03-05T10:00:00.000000Z"
    journal.append(Event(id=new_id(ts, "bbbb2222"), ts=ts, machine="bbbb2222", type="tick", data={"item": "0.1.c1.2"}))
    ticked, imported = status()
    assert ticked == {"0.1.c1.1", "0.1.c1.2"} and imported != []  # the store caught up
    assert status() == ({"0.1.c1.1", "0.1.c1.2"}, [])
