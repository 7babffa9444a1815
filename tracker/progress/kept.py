"""The progress rules' fold, kept in the store so that looking at progress does not replay the history.

``folded(store, curriculum)`` returns the rules' state after every event the store holds. It starts from the
state the store keeps for this curriculum and version of the rules (a checkpoint: the fold up to some event,
as JSON) and folds only the events after it; once ``SAVE_EVERY`` events were indexed or folded since, it
keeps the new state in place of the old. Without a usable checkpoint (a new database, a rebuilt one, another curriculum,
changed rules, or an event indexed since at or before the checkpoint's point, such as another machine's
older events after a pull) it folds the whole history, exactly as ``rules.evaluate`` does, and keeps that.

The checkpoint is derived and disposable: ``rebuild`` drops it with the rest of the database, and the result
is the same with it or without it (the tests compare the two, with two writing processes and a writer killed
mid-write). A process remembers the last state it read or wrote, so asking twice costs one small query.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from tracker.curriculum.model import Curriculum
from tracker.progress import rules
from tracker.progress import state as S

if TYPE_CHECKING:
    from tracker.store.store import Store

SAVE_EVERY = 64  # events indexed or folded since the checkpoint before it is written again

_lock = threading.Lock()
_remembered: dict[tuple[str, str], tuple[str, rules.Folded]] = {}  # (url, key) -> (token, state)
_fingerprints: dict[int, tuple[Curriculum, str]] = {}
_RULES_CODE = hashlib.sha256(b"".join(Path(rules.__file__).with_name(name).read_bytes()
                                      for name in ("rules.py", "state.py", "kept.py"))).hexdigest()


def key_of(curriculum: Curriculum) -> str:
    """What a checkpoint is valid for: what the fold reads of the curriculum, and the rules' code."""
    found = _fingerprints.get(id(curriculum))
    if found is None or found[0] is not curriculum:
        digest = hashlib.sha256("\n".join(_shape(curriculum)).encode() + _RULES_CODE.encode()).hexdigest()[:40]
        if len(_fingerprints) > 8:
            _fingerprints.clear()
        found = _fingerprints[id(curriculum)] = (curriculum, digest)
    return found[1]


def _shape(c: Curriculum) -> Iterator[str]:
    """Every part of the curriculum the rules' fold looks at (ids, XP amounts, which exercise sits in which
    module, what a module needs to be complete), one line each: cheaper to hash than the whole model."""
    yield c.xp.model_dump_json()
    for category in c.categories:
        yield f"category {category.id}: {' '.join(m.id for m in category.modules)}"
    for module in c.modules():
        yield f"module {module.id} {bool(module.checklists)} {' '.join(e.id for e in module.exercises)}"
        for capstone in (False, True):
            yield f"  leaves {capstone}: {' '.join(S.leaf_items(module, capstone=capstone))}"
        for item in module.items():
            yield f"  item {item.id} {c.xp_for_item(item)}"
    for exercise in c.gradables():
        yield (f"exercise {exercise.id} {exercise.module_id} {c.xp_for_exercise(exercise)} {exercise.gradable} "
               f"{S.required(exercise)}")
    yield f"papers {' '.join(p.id for p in c.papers)}"


def folded(store: Store, curriculum: Curriculum) -> rules.Folded:
    """The rules' fold over every event in the store (do not change it: it is shared)."""
    key = key_of(curriculum)
    memo_key = (store.url, key)
    with _lock:
        remembered = _remembered.get(memo_key)
    mark, text, events, seq = store.checkpoint(key, remembered[0] if remembered else None)
    if mark is None:
        start = None
    elif text is None and remembered is not None and remembered[0] == mark[2]:
        start = remembered[1]
    else:
        start = rules.Folded.from_json(curriculum, text or "")
        _remember(memo_key, mark[2], start)
    state = rules.fold(curriculum, events, start) if events or start is None else start
    # Kept again once enough has been indexed since, even where little of it was for the rules (a run of
    # passes in watch mode): what is read at every look stays short.
    if state.last is not None and (mark is None or len(events) >= SAVE_EVERY or seq - mark[3] >= SAVE_EVERY):
        ts, event_id, _tz = state.last
        token = store.keep_checkpoint(key, ts, event_id, seq, state.to_json())
        if token is not None:
            _remember(memo_key, token, state)
    return state


def _remember(memo_key: tuple[str, str], token: str, state: rules.Folded) -> None:
    with _lock:
        _remembered[memo_key] = (token, state)


def as_of(state: rules.Folded) -> datetime:
    """Noon of the last recorded day in its own zone (as ``site.as_of`` reads a list of events)."""
    from datetime import time, timezone
    from zoneinfo import ZoneInfo

    if state.last is None:
        return datetime(2000, 1, 1, 12, tzinfo=timezone.utc)
    ts, _id, tz = state.last
    moment = datetime.fromisoformat(ts[:-1]).replace(tzinfo=timezone.utc)
    day = rules.local_day(moment, tz)
    return datetime.combine(day, time(12), tzinfo=ZoneInfo(tz) if tz else timezone.utc)


def forget() -> None:
    """Drop what this process remembers (the store's checkpoints stay)."""
    with _lock:
        _remembered.clear()
