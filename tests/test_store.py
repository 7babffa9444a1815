"""The store and the journal: rebuild is exact, two machines merge, concurrent writers lose nothing, and a
process killed mid-write leaves both the journal and the database readable and consistent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tracker.store.journal import Event, Journal, read_file
from tracker.store.models import SCHEMA_VERSION
from tracker.store.store import Store


def open_store(folder: Path, machine: str = "aaaa1111", db: str = "db.sqlite") -> Store:
    return Store(f"sqlite:///{folder / db}", Journal(folder / "journal", machine), tz="Europe/Paris")


def sample_history(store: Store) -> None:
    store.record("tick", {"item": "0.1.c1.1"})
    store.record("hint", {"exercise": "1.1.1", "index": 1})
    store.record(
        "attempt",
        {"exercise": "1.1.1", "status": "failed", "device": "cpu", "device_name": "CPU", "duration": 1.5,
         "grader_hash": "g" * 64, "learner_hash": "l" * 64, "grader_modified": False, "passed_checks": 3,
         "total_checks": 11, "tests": [{"name": "test_a", "outcome": "failed", "message": "wrong", "duration": 0.1}]},
    )
    store.record("untick", {"item": "0.1.c1.1"})
    store.record("tick", {"item": "0.1.c1.2"})
    store.record("log", {"date": "2026-11-21", "module": "1.1", "title": "Quantization", "progress": "p",
                         "insight": "i", "challenge": "c", "next_steps": "n"})


def snapshot(store: Store) -> tuple:
    return (
        [(e.id, e.type, e.data) for e in store.events()],
        store.attempts(),
        [store.test_results(a.event_id) for a in store.attempts()],
        store.ticked_items(),
        store.hints(),
        store.log_entries(),
    )


def test_records_are_indexed_and_derived_state_follows(tmp_path):
    with open_store(tmp_path) as store:
        sample_history(store)
        assert store.ticked_items() == {"0.1.c1.2"}
        [attempt] = store.attempts("1.1.1")
        assert (attempt.status, attempt.passed_checks, attempt.total_checks) == ("failed", 3, 11)
        assert store.test_results(attempt.event_id)[0].message == "wrong"
        assert [h.hint_index for h in store.hints("1.1.1")] == [1]
        assert store.log_entries()[0].insight == "i"
        assert store.check_consistency() == []
        events = store.events()
        assert all(e.tz == "Europe/Paris" for e in events)
        assert [e.ts for e in events] == sorted(e.ts for e in events)


def test_rebuild_recreates_the_database_exactly(tmp_path):
    with open_store(tmp_path) as store:
        sample_history(store)
        before = snapshot(store)
        assert store.rebuild() == 6
        assert snapshot(store) == before
    (tmp_path / "db.sqlite").unlink()
    with open_store(tmp_path) as store:  # a deleted database loses nothing
        assert snapshot(store) == before


def test_two_machines_merge_by_union(tmp_path):
    shared = tmp_path / "journal"
    with open_store(tmp_path, "aaaa1111", "a.sqlite") as a, open_store(tmp_path, "bbbb2222", "b.sqlite") as b:
        a.record("tick", {"item": "0.1.c1.1"})
        b.record("tick", {"item": "0.1.c1.2"})
        a.record("tick", {"item": "0.1.c1.3"})
        assert sorted(p.name for p in shared.glob("*.jsonl")) == ["aaaa1111.jsonl", "bbbb2222.jsonl"]
        # Each machine's database picks up the other's file on the next sync.
        assert a.sync() == 1 and b.sync() == 2
        assert a.ticked_items() == b.ticked_items() == {"0.1.c1.1", "0.1.c1.2", "0.1.c1.3"}


def test_event_ids_are_unique_and_lines_round_trip(tmp_path):
    with open_store(tmp_path) as store:
        for _ in range(200):
            store.record("hint", {"exercise": "1.1.1", "index": 1})
        events = read_file(store.journal.own_file).events
    assert len({e.id for e in events}) == 200
    line = events[0].to_json()
    assert Event.from_json(line) == events[0]


WRITER = textwrap.dedent(
    """
    import random, sys
    from pathlib import Path
    from tracker.store.journal import Journal
    from tracker.store.store import Store
    folder, n, tag = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    attempts = len(sys.argv) > 4
    rng = random.Random(tag)
    store = Store(f"sqlite:///{folder / 'db.sqlite'}", Journal(folder / "journal", "samemach"))
    print("ready", flush=True)
    for i in range(n):
        if attempts:  # the same few exercises from both writers, passing and failing
            store.record("attempt", {"exercise": f"1.1.{rng.randint(1, 4)}",
                                     "status": rng.choice(["passed", "passed", "failed", "needs_gpu", "cancelled"]),
                                     "grader_modified": rng.random() < 0.1})
        else:
            store.record("tick", {"item": f"{tag}.{i}"})
    store.close()
    """
)


def kept_state_is_exact(store: Store) -> None:
    """What the store keeps for speed agrees with the attempts, and with a rebuild from the journal."""
    assert store.check_consistency() == []
    kept, statuses = store.derived(), store.latest_statuses()
    store.rebuild()
    assert store.derived() == kept and store.latest_statuses() == statuses


def test_concurrent_writers_lose_nothing(tmp_path):
    """Two processes (say, the TUI and a CLI) write to the same journal file and database at once."""
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    procs = [subprocess.Popen([sys.executable, str(script), str(tmp_path), "150", tag]) for tag in ("tui", "cli")]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    with open_store(tmp_path, "samemach") as store:
        items = store.ticked_items()
        assert len(items) == 300
        assert len(read_file(store.journal.own_file).events) == 300
        assert store.check_consistency() == []


def test_concurrent_writers_keep_the_latest_attempts_exact(tmp_path):
    """Two processes grade the same exercises at once: each exercise's kept latest attempt and its pass-state
    changes are those of the whole history, whichever process's insert came first."""
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    procs = [subprocess.Popen([sys.executable, str(script), str(tmp_path), "120", tag, "attempts"])
             for tag in ("tui", "cli")]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    with open_store(tmp_path, "samemach") as store:
        assert len(store.attempts()) == 240
        kept_state_is_exact(store)


def test_killed_attempt_writer_leaves_the_kept_state_exact(tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path), "100000", "k", "attempts"],
                            stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b"ready"
    time.sleep(1.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    written = read_file(tmp_path / "journal" / "samemach.jsonl").events
    with open_store(tmp_path, "samemach") as store:
        assert len(store.attempts()) == len(written) > 0
        kept_state_is_exact(store)


def test_attempts_arriving_out_of_order_keep_the_state_of_the_whole_history(tmp_path):
    """Another machine's older attempts arrive after a pull: the latest attempt and the pass-state changes
    are recomputed around them, and agree with the rule applied to the journal itself."""
    import random

    from tracker.curriculum.loader import load
    from tracker.progress import state as S
    from tracker.publish.site import states_from_events

    from .conftest import PROJECT

    curriculum = load(PROJECT / "curriculum.yaml").curriculum
    exercises = [e.id for e in curriculum.gradables() if e.gradable][:5]
    rng = random.Random(11)
    with open_store(tmp_path, "aaaa1111", "a.sqlite") as a, open_store(tmp_path, "bbbb2222", "b.sqlite") as b:
        for i in range(300):
            store = a if i % 2 else b
            ts = f"2026-03-{1 + rng.randrange(20):02d}T12:{rng.randrange(60):02d}:00.{i:06d}Z"  # any order
            store.record("attempt", {"exercise": rng.choice(exercises), "device": "cpu",
                                     "status": rng.choice(["passed", "failed", "failed", "needs_gpu", "cancelled"]),
                                     "grader_modified": rng.random() < 0.05}, ts=ts)
            if i % 37 == 0:
                a.sync(), b.sync()
        a.sync(), b.sync()
        assert a.derived() == b.derived()
        latest, gpu = a.latest_statuses()
        journal = sorted((ev for path in a.journal.files() for ev in read_file(path).events), key=lambda e: (e.ts, e.id))
        assert S.states_from_latest(curriculum, latest, gpu) == states_from_events(curriculum, journal)
        kept_state_is_exact(a)


def test_killed_writer_leaves_journal_and_database_consistent(tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path), "100000", "k"], stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b"ready"
    time.sleep(1.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    journal_file = tmp_path / "journal" / "samemach.jsonl"
    written = read_file(journal_file)
    assert written.bad_lines == [] and len(written.events) > 0
    with open_store(tmp_path, "samemach") as store:  # opening catches the database up with the journal
        assert store.check_consistency() == []
        assert len(store.ticked_items()) == len(written.events)


def test_torn_last_line_is_ignored_and_the_next_write_starts_fresh(tmp_path):
    with open_store(tmp_path) as store:
        store.record("tick", {"item": "a"})
        with open(store.journal.own_file, "ab") as fh:
            fh.write(b'{"id": "half-writ')  # a process died here
        store.record("tick", {"item": "b"})
        result = read_file(store.journal.own_file)
        assert [e.data["item"] for e in result.events] == ["a", "b"]
        assert result.bad_lines == [2]
        store.rebuild()
        assert store.ticked_items() == {"a", "b"}
        assert store.bad_lines == {"aaaa1111.jsonl": [2]}


def test_shrunk_journal_triggers_a_rebuild(tmp_path):
    with open_store(tmp_path) as store:
        store.record("tick", {"item": "a"})
        store.record("tick", {"item": "b"})
        lines = store.journal.own_file.read_text().splitlines(keepends=True)
        store.journal.own_file.write_text(lines[0])  # e.g. a git reset dropped the last event
        store.sync()
        assert store.ticked_items() == {"a"}
        assert store.check_consistency() == []


def test_journal_lines_are_one_json_object_each(tmp_path):
    with open_store(tmp_path) as store:
        sample_history(store)
    for line in (tmp_path / "journal" / "aaaa1111.jsonl").read_text().splitlines():
        record = json.loads(line)
        assert {"id", "ts", "machine", "tz", "type"} <= set(record)


def test_events_keep_their_order_under_a_frozen_clock(tmp_path):
    """A tick and its untick in the same instant must not swap (it once left items ticked)."""
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}", Journal(tmp_path / "journal", "m"), clock=lambda: 1_700_000_000.0)
    for _ in range(20):
        store.record("tick", {"item": "a"})
        store.record("untick", {"item": "a"})
    assert store.ticked_items() == set()
    stamps = [e.ts for e in store.events()]
    assert stamps == sorted(stamps) and len(set(stamps)) == 40
    store.close()


def test_progress_events_give_the_same_progress_as_the_whole_history(tmp_path):
    import random
    from datetime import datetime, timezone

    from tracker.curriculum.loader import load
    from tracker.progress.rules import Settings, evaluate

    from .conftest import PROJECT

    curriculum = load(PROJECT / "curriculum.yaml").curriculum
    exercises = [e.id for e in curriculum.exercises()][:12]
    rng = random.Random(3)
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}", Journal(tmp_path / "journal", "m"))
    for i in range(600):
        ts = f"2026-03-{1 + i // 40:02d}T{10 + (i % 40) // 4:02d}:{(i * 7) % 60:02d}:00.000000Z"
        if i % 5 == 0:
            store.record(rng.choice(["tick", "untick"]), {"item": rng.choice(["0.1.c1.1", "0.1.c1.2", "paper.lora"])}, ts=ts)
        else:
            store.record("attempt", {"exercise": rng.choice(exercises), "status": rng.choice(["passed", "failed", "timeout"]),
                                     "device": rng.choice(["cpu", "cuda"]), "grader_modified": rng.random() < 0.05}, ts=ts)
    now = datetime(2026, 3, 20, tzinfo=timezone.utc)
    whole = evaluate(curriculum, store.events(), Settings(), now)
    short = store.progress_events()
    part = evaluate(curriculum, short, Settings(), now)
    assert len(short) < len(store.events())
    assert (part.xp, part.passed, part.ticked, part.daily_xp, part.first_day, part.last_day) == (
        whole.xp, whole.passed, whole.ticked, whole.daily_xp, whole.first_day, whole.last_day)
    assert [e.achievement.id for e in part.achievements] == [e.achievement.id for e in whole.achievements]
    assert part.streak == whole.streak
    store.close()


def test_a_database_of_an_older_layout_is_rebuilt_from_the_journal(tmp_path):
    import sqlite3

    with open_store(tmp_path) as store:
        sample_history(store)
    db = sqlite3.connect(tmp_path / "db.sqlite")
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    db.execute("CREATE TABLE test_results (id INTEGER PRIMARY KEY)")  # a table of the old layout
    db.commit()
    db.close()
    with open_store(tmp_path) as store:
        assert len(store.events()) == 6 and store.check_consistency() == []
    tables = {r[0] for r in sqlite3.connect(tmp_path / "db.sqlite").execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "test_results" not in tables



def table_rows(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table but the kept folds (which a rebuild drops), without the order events were
    indexed in (which follows the order they arrived in), sorted."""
    import sqlite3

    from tracker.store import models as M

    con = sqlite3.connect(db)
    try:
        rows = {}
        for table in M.Base.metadata.sorted_tables:
            if table.name == M.CheckpointRow.__tablename__:
                continue
            columns = [c.name for c in table.columns if not (table.name == "events" and c.name == "seq")]
            rows[table.name] = sorted(con.execute(f"SELECT {', '.join(columns)} FROM {table.name}"), key=repr)
        return rows
    finally:
        con.close()


def test_a_rebuilt_database_holds_the_rows_of_one_built_event_by_event(tmp_path):
    """Two machines' events, attempts in any order and of every kind, indexed one by one and by sync; then
    rebuilt from the journal in one pass: every table holds the same rows, the kept state included."""
    import random

    rng = random.Random(5)
    with open_store(tmp_path, "aaaa1111", "a.sqlite") as a, open_store(tmp_path, "bbbb2222", "b.sqlite") as b:
        for i in range(240):
            store = a if rng.random() < 0.6 else b
            ts = f"2026-04-{1 + rng.randrange(9):02d}T0{rng.randrange(10)}:{rng.randrange(60):02d}:00.{i:06d}Z"
            kind = rng.random()
            if kind < 0.7:
                data = {"exercise": f"1.1.{rng.randint(1, 4)}", "grader_hash": "g" * 64,
                        "status": rng.choice(["passed", "passed", "failed", "needs_gpu", "cancelled", "timeout"]),
                        "tests": [{"name": "test_a", "outcome": "failed", "message": f"m{i}", "duration": 0.1}]}
                if rng.random() < 0.1:
                    data["grader_modified"] = True
                if rng.random() < 0.5:
                    data.update(device="cpu", device_name="CPU", duration=1.5, passed_checks=2, total_checks=3)
                store.record("attempt", data, ts=ts)
            elif kind < 0.8:
                store.record(rng.choice(["tick", "untick"]), {"item": f"0.1.c1.{rng.randint(1, 3)}"}, ts=ts)
            elif kind < 0.9:
                store.record("hint", {"exercise": "1.1.1", "index": rng.randint(1, 3)}, ts=ts)
            elif kind < 0.95:
                store.record("session", {"module": "1.1", "seconds": 60}, ts=ts)
            else:
                store.record("log", {"date": ts[:10], "module": "1.1", "title": f"day {i}"}, ts=ts)
            if i % 29 == 0:
                a.sync()
        a.sync()
        assert a.check_consistency() == []
        built = table_rows(tmp_path / "a.sqlite")
        assert len(built["attempts"]) > 100 and any(flips for *_, flips in built["attempts"])
        assert a.rebuild() == len(built["events"])
        assert table_rows(tmp_path / "a.sqlite") == built
    (tmp_path / "a.sqlite").unlink()
    with open_store(tmp_path, "aaaa1111", "a.sqlite"):  # a new database, built from the journal on opening
        assert table_rows(tmp_path / "a.sqlite") == built


def test_a_rebuild_leaves_the_collector_and_the_page_cache_as_they_were(tmp_path):
    """A rebuild holds off the garbage collector and holds its pages in memory until its commit; both are
    as before once it is done, and a new database has the store's page size."""
    import gc

    from tracker.store.store import PAGE_SIZE

    with open_store(tmp_path) as store:
        sample_history(store)
        with store.engine.connect() as connection:
            cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        assert store.rebuild() == 6 and gc.isenabled()
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == cache
            assert connection.exec_driver_sql("PRAGMA page_size").scalar() == PAGE_SIZE
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_the_status_and_progress_queries_read_indexes_not_the_history(tmp_path):
    """Each query behind status, the progress look from a kept fold and the insert of an attempt reads an
    index (or one row per exercise), never every attempt or every event; the check that a kept fold is
    still good reads only the events indexed since it was kept."""
    import sqlite3

    from sqlalchemy import event

    with open_store(tmp_path) as store:
        for i in range(40):
            store.record("attempt", {"exercise": f"1.1.{i % 4}", "status": "passed" if i % 3 else "failed"})
        sample_history(store)
        statements: dict[str, tuple] = {}

        @event.listens_for(store.engine, "before_cursor_execute")
        def keep(conn, cursor, statement, params, context, executemany):
            if statement.lstrip().startswith("SELECT") and not executemany:
                statements.setdefault(statement, params)

        last = store.events()[-1]
        store.keep_checkpoint("k", last.ts, last.id, 46, "{}")
        store.record("tick", {"item": "0.1.c1.3"})
        store.latest_statuses(), store.ticked_items(), store.checkpoint("k"), store.progress_events()
        store.events_of("settings"), store.session_seconds(), store.recent_module()
        store.record("attempt", {"exercise": "1.1.1", "status": "failed"})
    con = sqlite3.connect(tmp_path / "db.sqlite")
    plans = {sql: [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + sql, params)] for sql, params in statements.items()}
    con.close()
    for sql, plan in plans.items():
        for step in plan:
            # A scan of a whole table, or of a range of the history up to a point, reads every attempt.
            assert step not in ("SCAN events", "SCAN attempts") and "(ts<?)" not in step, (sql, plan)
            assert not step.startswith("SCAN attempts") or "ix_attempts_flips_ts" in step, (sql, plan)
    [stale] = [plan for sql, plan in plans.items() if "seq > ?" in sql]  # (the quick reader runs the same SQL)
    assert stale == ["SEARCH events USING INTEGER PRIMARY KEY (rowid>?)"]

# --- a damaged journal, through the real commands ---------------------------------------------------


def damage(journal_file: Path) -> dict[int, str]:
    """Append one damaged line of each kind after the file's good lines; return line number -> reason."""
    good = json.loads(journal_file.read_text().splitlines()[0])
    lines = journal_file.read_bytes().splitlines()
    first = len(lines) + 1
    event = dict(good, id="x-damaged")
    bad = [
        (b"\x00\xff\xfe binary \x9c garbage", "not UTF-8 text (binary data)"),
        (b'{"id": "x1", "ts": ', "not valid JSON"),
        (json.dumps({k: v for k, v in event.items() if k != "item"}).encode(), "a tick event needs the field 'item'"),
        (json.dumps(dict(event, ts="yesterday")).encode(),
         "bad timestamp 'yesterday' (it must look like 2026-03-02T18:00:00.000000Z)"),
        (json.dumps(dict(event, item=7)).encode(), "the field 'item' of a tick event must be a string, not 7"),
        (json.dumps(dict(event, ts="2026-13-45T10:00:00.000000Z")).encode(),
         "bad timestamp '2026-13-45T10:00:00.000000Z' (it must look like 2026-03-02T18:00:00.000000Z)"),
    ]
    with open(journal_file, "ab") as fh:
        fh.write(b"".join(line + b"\n" for line, _ in bad))
        fh.write(b'{"id": "killed-mid-wri')  # a truncated last line: the writer was killed here
    reasons = {first + i: reason for i, (_, reason) in enumerate(bad)}
    reasons[first + len(bad)] = "the line is cut off (a write was interrupted)"
    return reasons


def named(output: str, name: str, reasons: dict[int, str]) -> None:
    for line, reason in reasons.items():
        assert f"tracker: journal/{name}:{line}: damaged journal line skipped ({reason}); `tracker doctor` says how to repair it" in output


def ticked_in_status(stdout: str) -> set[str]:
    def walk(items):
        for item in items:
            yield from ([item["id"]] if item["ticked"] else [])
            yield from walk(item["items"])

    report = json.loads(stdout)
    return {i for c in report["categories"] for m in c["modules"] for i in walk(m["checklist"])}


def test_every_command_names_each_damaged_line_and_keeps_every_other_event(fork):
    from .conftest import run_tracker

    for item in ("0.1.c1.1", "0.1.c1.2"):
        assert run_tracker("check", item).returncode == 0
    [journal_file] = (fork / "journal").glob("*.jsonl")
    name, undamaged = journal_file.name, journal_file.read_bytes()
    reasons = damage(journal_file)
    cut = max(reasons)

    status = run_tracker("status", "--json")
    assert status.returncode == 0 and "Traceback" not in status.stderr, status.stderr
    named(status.stderr, name, reasons)
    assert {"0.1.c1.1", "0.1.c1.2"} <= ticked_in_status(status.stdout)

    checked = run_tracker("check", "0.1.c1.3")  # the next write starts on a fresh line after the cut-off one
    assert checked.returncode == 0 and "Traceback" not in checked.stderr, checked.stderr
    named(checked.stderr, name, reasons)
    reasons[cut] = "not valid JSON"  # now a whole line, followed by the new event

    rebuilt = run_tracker("rebuild")
    assert rebuilt.returncode == 0 and "Traceback" not in rebuilt.stderr, rebuilt.stderr
    assert "rebuilt the database from the journal: 3 events" in rebuilt.stdout  # every undamaged event
    named(rebuilt.stderr, name, reasons)

    synced = run_tracker("sync")
    assert "Traceback" not in synced.stderr, synced.stderr
    named(synced.stderr, name, reasons)

    doctor = run_tracker("doctor")
    assert doctor.returncode == 2 and "Traceback" not in doctor.stdout + doctor.stderr
    for line, reason in reasons.items():
        assert f"✗ journal        journal/{name}:{line}: {reason}" in doctor.stdout
    assert f"✗ repair         fix or delete each line named above in journal/{name}" in doctor.stdout
    assert "then run `tracker rebuild`" in doctor.stdout

    # Repaired as doctor says (the damaged lines deleted): every command is quiet again and nothing is lost.
    journal_file.write_bytes(undamaged + journal_file.read_bytes().splitlines(keepends=True)[-1])
    after = run_tracker("status", "--json")
    assert after.returncode == 0 and "damaged" not in after.stderr, after.stderr
    assert {"0.1.c1.1", "0.1.c1.2", "0.1.c1.3"} <= ticked_in_status(after.stdout)


def test_rebuild_keeps_every_undamaged_event_whatever_is_damaged_around_it(tmp_path):
    with open_store(tmp_path) as store:
        sample_history(store)
        for i in range(8):
            store.record("hint", {"exercise": "1.1.1", "index": i + 1})
        before = snapshot(store)
    journal_file = tmp_path / "journal" / "aaaa1111.jsonl"
    good = journal_file.read_bytes().splitlines(keepends=True)
    damaged = [b'{"type": "attempt"}\n', b"\x80\x81\n", b'{"id":"a","ts":"2026-01-01T00:00:00.000000Z","machine":"m","type":"hint","exercise":"1.1.1","index":"one"}\n',
               b'[1, 2]\n', b'{"id":"b","ts":"2026-01-01T00:00:00.000000Z","machine":"m","type":"log","date":"2026-02-30"}\n']
    lines = []
    for i, line in enumerate(good):  # a damaged line after every third good one
        lines.append(line)
        if i % 3 == 2 and damaged:
            lines.append(damaged.pop(0))
    journal_file.write_bytes(b"".join(lines + damaged))
    with open_store(tmp_path) as store:  # the file changed before the part read: rebuilt
        assert store.rebuild() == 14
        assert snapshot(store) == before
        assert [(line, reason) for _, line, reason in store.damaged_lines()] == [
            (4, "the field 'id' is missing"), (8, "not UTF-8 text (binary data)"),
            (12, "the field 'index' of a hint event must be a whole number, not \"one\""),
            (16, "not a JSON object"), (19, "bad date '2026-02-30' (it must look like 2026-03-02)")]
        assert store.check_consistency() == []


# --- a database that cannot be read --------------------------------------------------------------------


def _wrong_schema(db: Path) -> None:
    import sqlite3

    db.unlink()
    con = sqlite3.connect(db)  # the current version stamp, but a table without its columns
    con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    con.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
    con.execute("CREATE TABLE attempts (event_id TEXT)")
    con.commit()
    con.close()


DAMAGED_DATABASES = {
    "garbage": (lambda db: db.write_bytes(b"\x13\x37 not a database " * 500), "it is not a SQLite database"),
    "truncated": (lambda db: db.write_bytes(db.read_bytes()[: db.stat().st_size // 2]), "it is cut short"),
    "wrong schema": (_wrong_schema, "its layout is wrong (no such table: damaged_lines)"),
}


@pytest.mark.parametrize("how", list(DAMAGED_DATABASES))
def test_a_database_that_cannot_be_read_is_set_aside_and_rebuilt(fork, how):
    from .conftest import run_tracker

    assert run_tracker("check", "0.1.c1.1").returncode == 0
    db = fork / ".tracker" / "tracker.db"
    spoil, why = DAMAGED_DATABASES[how]
    spoil(db)
    spoiled = db.read_bytes()
    for command in (("status", "--json"), ("rebuild",)):
        done = run_tracker(*command)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        if command == ("status", "--json"):
            [notice] = done.stderr.splitlines()
            assert notice.startswith(f"tracker: .tracker/tracker.db could not be read ({why}")
            assert notice.endswith("and rebuilt from the journal")
            assert "0.1.c1.1" in ticked_in_status(done.stdout)
        else:
            assert done.stderr == "" and "rebuilt the database from the journal: 1 events" in done.stdout
    [aside] = (fork / ".tracker").glob("tracker.db.damaged-*")
    assert aside.read_bytes() == spoiled  # renamed, never deleted
