"""The rules of the game are pure functions of the history: XP, levels, streaks, achievements."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timezone

import pytest

from tracker.curriculum.loader import load
from tracker.progress import rules
from tracker.progress.rules import Settings, evaluate, level_floor, level_for, local_day
from tracker.progress.state import leaf_items
from tracker.store.journal import Event

from .conftest import PROJECT

C = load(PROJECT / "curriculum.yaml").curriculum
_ids = itertools.count()


def ev(kind: str, when: str, tz: str = "UTC", **data) -> Event:
    """An event at a UTC instant ('2026-03-01 10:00'), recorded in time zone tz."""
    moment = datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)
    ts = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return Event(id=f"{ts}-{next(_ids):06d}", ts=ts, machine="m", type=kind, tz=tz, data=data)


def attempt(when: str, exercise: str, status: str = "passed", tz: str = "UTC", **extra) -> Event:
    return ev("attempt", when, tz, exercise=exercise, status=status, device=extra.pop("device", "cpu"), **extra)


def at(when: str) -> datetime:
    return datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)


S30 = Settings(daily_goal=30)


def test_first_pass_earns_and_regression_takes_back_exactly():
    events = [attempt("2026-03-01 10:00", "1.1.1", "failed")]
    assert evaluate(C, events, S30, at("2026-03-01 12:00")).xp == 0
    events.append(attempt("2026-03-01 11:00", "1.1.1"))
    assert evaluate(C, events, S30, at("2026-03-01 12:00")).xp == 50
    events.append(attempt("2026-03-01 11:30", "1.1.1"))  # passing again gives nothing more
    assert evaluate(C, events, S30, at("2026-03-01 12:00")).xp == 50
    events.append(attempt("2026-03-02 09:00", "1.1.1", "failed"))
    progress = evaluate(C, events, S30, at("2026-03-02 12:00"))
    assert progress.xp == 0 and "1.1.1" not in progress.passed
    assert [c.delta for c in progress.ledger] == [50, -50]


def test_modified_grader_and_missing_gpu_change_nothing():
    events = [
        attempt("2026-03-01 10:00", "1.1.1", grader_modified=True),
        attempt("2026-03-01 10:05", "1.1.2", "needs_gpu"),
    ]
    progress = evaluate(C, events, S30, at("2026-03-01 12:00"))
    assert progress.xp == 0 and progress.passed == {}


def test_ticks_and_module_bonus_are_undone_exactly():
    module = C.module("1.1")
    events = [attempt("2026-03-01 10:00", e.id) for e in module.exercises]
    events += [ev("tick", "2026-03-01 11:00", item=i) for i in leaf_items(module, capstone=False)]
    done = evaluate(C, events, S30, at("2026-03-01 12:00"))
    expected = sum(C.xp_for_exercise(e) for e in module.exercises) + 5 * len(leaf_items(module, False)) + 100
    assert done.xp == expected and "1.1" in done.complete_modules
    events.append(ev("untick", "2026-03-01 11:30", item=leaf_items(module, False)[0]))
    undone = evaluate(C, events, S30, at("2026-03-01 12:00"))
    assert undone.xp == expected - 5 - 100 and "1.1" not in undone.complete_modules


def test_level_curve_is_published_and_ends_near_30():
    assert level_floor(1) == 0 and level_floor(2) == 60
    assert level_for(59).number == 1 and level_for(60).number == 2
    lvl = level_for(1000)
    assert lvl.floor <= 1000 < lvl.ceiling and lvl.to_next == lvl.ceiling - 1000
    events = []
    for module in C.modules():
        events += [attempt("2026-03-01 10:00", e.id) for e in module.exercises if e.device != "cuda"]
        events += [ev("tick", "2026-03-01 10:00", item=i) for i in leaf_items(module, False) + leaf_items(module, True)]
    events += [ev("tick", "2026-03-01 10:00", item=p.id) for p in C.papers]
    everything = evaluate(C, events, S30, at("2026-03-02 10:00"))
    assert 29 <= everything.level.number <= 31
    assert {a.achievement.id for a in everything.achievements} >= {
        "first-pass", "graduate", "halfway", "category-cleared", "pantheon", "builder", "unaided",
    }


def daily(days: list[str], tz: str = "UTC", hour: str = "10:00") -> list[Event]:
    """A day's goal met (one 50-XP pass) on each listed day, each on a different exercise."""
    exercises = [e.id for e in C.exercises()]
    return [attempt(f"{d} {hour}", exercises[i], tz=tz) for i, d in enumerate(days)]


def test_streak_counts_days_and_today_unmet_is_at_risk_not_broken():
    events = daily(["2026-03-01", "2026-03-02", "2026-03-03"])
    s = evaluate(C, events, S30, at("2026-03-04 12:00")).streak
    assert (s.current, s.at_risk, s.today_counted) == (3, True, False)
    s = evaluate(C, events, S30, at("2026-03-03 20:00")).streak
    assert (s.current, s.at_risk, s.today_counted) == (3, False, True)


def test_a_day_below_the_goal_does_not_count():
    events = [ev("tick", "2026-03-01 10:00", item="0.1.c1.1")]  # 5 XP < 30
    progress = evaluate(C, events, S30, at("2026-03-02 12:00"))
    assert progress.streak.current == 0 and progress.daily_xp == {date(2026, 3, 1): 5}
    assert evaluate(C, events, Settings(daily_goal=5), at("2026-03-01 12:00")).streak.current == 1


def test_missed_day_without_freeze_breaks_the_streak():
    events = daily(["2026-03-01", "2026-03-02", "2026-03-04"])
    s = evaluate(C, events, S30, at("2026-03-04 12:00")).streak
    assert (s.current, s.longest) == (1, 2)


def test_freeze_earned_every_7_days_pauses_a_missed_day():
    days = [f"2026-03-{d:02d}" for d in range(1, 8)] + ["2026-03-09"]  # the 8th is missed
    s = evaluate(C, daily(days), S30, at("2026-03-09 12:00")).streak
    assert s.frozen_days == [date(2026, 3, 8)]
    assert s.current == 8  # the frozen day paused the streak, it did not extend it
    assert s.freezes == 0


def test_at_most_two_freezes_are_banked():
    days = [f"2026-03-{d:02d}" for d in range(1, 29)]
    s = evaluate(C, daily(days), S30, at("2026-03-28 12:00")).streak
    assert s.freezes == 2 and s.current == 28
    days.append("2026-04-01")  # three missed days: two frozen, the third breaks
    s = evaluate(C, daily(days), S30, at("2026-04-01 12:00")).streak
    assert s.frozen_days == [date(2026, 3, 29), date(2026, 3, 30)] and s.current == 1


def test_vacation_pauses_the_streak():
    events = daily(["2026-03-01", "2026-03-02"])
    events.append(ev("settings", "2026-03-02 20:00", vacation=True))
    events.append(ev("settings", "2026-03-06 08:00", vacation=False))
    events += daily(["2026-03-06"])[:0] + [attempt("2026-03-06 10:00", "0.5.3")]
    s = evaluate(C, events, S30, at("2026-03-06 12:00")).streak
    assert s.current == 3 and s.frozen_days == []


def test_rollover_is_at_four_in_the_morning():
    assert local_day(at("2026-03-02 03:59"), "UTC") == date(2026, 3, 1)
    assert local_day(at("2026-03-02 04:00"), "UTC") == date(2026, 3, 2)
    # 02:30 UTC is 03:30 in Paris in winter: still the previous day there.
    assert local_day(at("2026-01-10 02:30"), "Europe/Paris") == date(2026, 1, 9)


@pytest.mark.parametrize("days", [
    ["2026-03-28", "2026-03-29", "2026-03-30"],  # Europe's spring-forward night
    ["2026-10-24", "2026-10-25", "2026-10-26"],  # and fall-back
])
def test_daylight_saving_changes_keep_days_consecutive(days):
    # Every evening at 22:30 Paris time, whatever the offset that day.
    events = []
    for i, d in enumerate(days):
        local = datetime.strptime(f"{d} 22:30", "%Y-%m-%d %H:%M").replace(tzinfo=rules.ZoneInfo("Europe/Paris"))
        utc = local.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")
        events.append(attempt(utc, [e.id for e in C.exercises()][i], tz="Europe/Paris"))
    progress = evaluate(C, events, Settings(30, "Europe/Paris"), at(f"{days[-1]} 21:00"))
    assert sorted(progress.daily_xp) == [date.fromisoformat(d) for d in days]
    assert progress.streak.current == 3


def test_moving_time_zones_uses_each_events_own_zone():
    # New York in the evening, then a flight to Tokyo: 01:00 UTC on the 3rd is 10:00 on the 3rd in Tokyo.
    events = [
        attempt("2026-03-02 00:30", "0.1.1", tz="America/New_York"),  # 19:30 on the 1st in New York
        attempt("2026-03-02 23:30", "0.1.2", tz="America/New_York"),  # 18:30 on the 2nd
        attempt("2026-03-03 01:00", "0.1.3", tz="Asia/Tokyo"),  # 10:00 on the 3rd in Tokyo
    ]
    progress = evaluate(C, events, Settings(30, "Asia/Tokyo"), at("2026-03-03 02:00"))
    assert sorted(progress.daily_xp) == [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)]
    assert progress.streak.current == 3


def test_two_machines_in_different_zones_share_one_streak():
    desktop = [attempt("2026-03-01 20:00", "0.1.1", tz="Europe/Paris"), attempt("2026-03-03 20:00", "0.1.3", tz="Europe/Paris")]
    laptop = [attempt("2026-03-03 03:00", "0.1.2", tz="America/Los_Angeles")]  # 19:00 on the 2nd in LA
    progress = evaluate(C, desktop + laptop, Settings(30, "Europe/Paris"), at("2026-03-03 21:00"))
    assert progress.streak.current == 3 and progress.day_number == 3


def test_achievements_are_taken_back_on_undo():
    events = [attempt("2026-03-01 10:00", "0.2.1")]
    earned = {a.achievement.id for a in evaluate(C, events, S30, at("2026-03-01 12:00")).achievements}
    assert {"first-pass", "backprop-by-hand"} <= earned
    events.append(attempt("2026-03-01 11:00", "0.2.1", "failed"))
    assert evaluate(C, events, S30, at("2026-03-01 12:00")).achievements == []


def test_comeback_and_week_one():
    days = [f"2026-03-{d:02d}" for d in range(1, 8)] + ["2026-03-20"]
    earned = {a.achievement.id for a in evaluate(C, daily(days), S30, at("2026-03-20 12:00")).achievements}
    assert {"week-one", "comeback"} <= earned


def test_log_entries_earn_once_per_day_when_complete():
    full = dict(date="2026-03-01", module="1.1", title="t", progress="p", insight="i", challenge="c", next_steps="n")
    events = [ev("log", "2026-03-01 20:00", **{**full, "challenge": ""})]
    assert evaluate(C, events, S30, at("2026-03-01 21:00")).xp == 0
    events.append(ev("log", "2026-03-01 20:30", **full))
    events.append(ev("log", "2026-03-01 20:45", **{**full, "insight": "better"}))
    assert evaluate(C, events, S30, at("2026-03-01 21:00")).xp == 10


def test_day_counter_and_active_share():
    events = daily(["2026-03-01", "2026-03-03"])
    progress = evaluate(C, events, S30, at("2026-03-04 12:00"))
    assert progress.day_number == 4
    assert progress.streak.active_share == pytest.approx(2 / 3)
    assert 0 < progress.streak.habit < 1


def test_twenty_achievements_each_with_rarity_and_how():
    assert len(rules.ACHIEVEMENTS) >= 15
    for a in rules.ACHIEVEMENTS:
        assert a.rarity in rules.RARITIES and a.how and a.title


def test_progress_toward_locked_achievements():
    full = dict(module="0.5", title="t", progress="p", insight="i", challenge="c", next_steps="n")
    events = daily(["2026-03-01", "2026-03-02", "2026-03-03"])
    events += [attempt("2026-03-03 10:00", "0.5.1"), attempt("2026-03-03 10:05", "0.5.2")]
    events += [ev("log", f"2026-03-0{d} 21:00", date=f"2026-03-0{d}", **full) for d in (1, 2)]
    events.append(ev("log", "2026-03-03 21:00", date="2026-03-03", **{**full, "challenge": ""}))  # not complete
    progress = evaluate(C, events, S30, at("2026-03-03 22:00"))
    far = rules.toward(C, progress)
    assert far["week-one"] == (3, 7) and far["chain-21"] == (3, 21)
    assert far["log-7"] == (2, 7) and far["log-100"] == (2, 100)
    assert far["attention"] == (2, len(C.module("0.5").exercises))
    assert far["pantheon"] == (0, 6) and far["graduate"][1] == sum(e.device != "cuda" for e in C.exercises())
    assert "backprop-by-hand" not in far and "on-the-metal" not in far  # one deed, nothing to count
    assert all(have <= need for have, need in far.values())
