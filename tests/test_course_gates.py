"""Mastery gates through the real CLI: `next` skips a locked phase, grading or ticking in one is refused with
what opens it, and lifting the gates is the learner's recorded choice."""

from __future__ import annotations

import json

from .conftest import run_tracker

MONDAY = {"TRACKER_NOW": "2026-03-02T18:00:00Z"}
SATURDAY = {"TRACKER_NOW": "2026-03-07T18:00:00Z"}  # revision day: redo what needed hints


def test_next_skips_a_locked_phase_and_grading_there_is_refused(fork):
    assert run_tracker("course", "use", "small-llm", env=MONDAY).returncode == 0
    # A hint read in phase 2: on a revision day `next` would send the learner back to it, but phase 2 is locked.
    assert run_tracker("hint", "0.5.1", env=MONDAY).returncode == 0
    out = run_tracker("next", env=SATURDAY).stdout
    assert "locked: Phase 2: Core Transformer Components · opens when Phase 1: Foundational Neurons & Backprop is mastered" in out
    assert "Next: exercise 0.2.1" in out and "0.5.1" not in out.split("Next:")[1]

    refused = run_tracker("grade", "0.5.1", env=SATURDAY)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "tracker: 0.5.1 is in Phase 2: Core Transformer Components, locked until Phase 1: Foundational Neurons & "
        "Backprop is mastered; `tracker course gates lifted` opens every part now (recorded in your journal)")
    assert "grading" not in refused.stderr  # refused before any child was started
    whole_phase = run_tracker("grade", "3.1", env=SATURDAY)
    assert whole_phase.returncode == 2 and "Phase 3: Optimization & Architecture" in whole_phase.stderr
    ticked = run_tracker("check", "2.1.c1", env=SATURDAY)
    assert ticked.returncode == 2 and "2.1.c1 is in Phase 2" in ticked.stderr
    assert "[ ] 2.1.c1" in run_tracker("status", "2.1", env=SATURDAY).stdout

    # The learner lifts the gates: recorded in the journal, and phase 2 is open to `next`, ticks and grading.
    assert run_tracker("course", "gates", "off", env=SATURDAY).returncode == 0
    journal = "".join(p.read_text(encoding="utf-8") for p in (fork / "journal").rglob("*.jsonl"))
    assert any(json.loads(line).get("type") == "settings" and json.loads(line).get("gates") == "lifted"
               for line in journal.splitlines())
    out = run_tracker("next", env=SATURDAY).stdout
    assert "open (gates lifted): Phase 2" in out and "Next: exercise 0.5.1: Redo without hints" in out
    assert run_tracker("check", "2.1.c1", env=SATURDAY).returncode == 0

    # Gates back on (an hour later): the tick stays, nothing is taken away, and the phase is locked again.
    later = {"TRACKER_NOW": "2026-03-07T19:00:00Z"}
    assert run_tracker("course", "gates", "on", env=later).returncode == 0
    assert "[x] 2.1.c1" in run_tracker("status", "2.1", env=later).stdout
    assert run_tracker("grade", "0.5.1", env=later).returncode == 2


def test_mastering_a_phase_opens_the_next_and_a_gpu_only_check_is_optional():
    from types import SimpleNamespace

    from tracker.curriculum.course import course_path, load_course
    from tracker.progress import gates as G

    from .conftest import PROJECT

    c = load_course(course_path(PROJECT, "small-llm"), PROJECT).curriculum

    def progress(passed):
        return SimpleNamespace(passed=dict.fromkeys(passed), ticked=set(), by_hand=set())

    assert [lock.part for lock in G.locks(c, progress(["0.2.1", "0.2.2"]))] == ["2", "3", "4", "5"]
    assert [lock.part for lock in G.locks(c, progress(["0.2.1", "0.2.2", "0.7.1"]))] == ["3", "4", "5"]
    # A check only a GPU can grade does not hold a CPU learner back.
    exercises = c.module("1.1").exercises
    exercises[2] = exercises[2].model_copy(update={"device": "cuda"})
    assert [lock.part for lock in G.locks(c, progress(["0.2.1", "0.2.2"]))] == ["3", "4", "5"]
