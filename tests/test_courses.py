"""Courses over one exercise library: the library's own exercises tell right from wrong, every course file
validates like curriculum.yaml, and a pass counts in every course that uses the exercise."""

from __future__ import annotations

import pytest

from tracker.curriculum.course import (
    LIBRARY, _load_library_file, course_names, course_path, load_course, validate_course, validate_library,
)
from tracker.curriculum.loader import CurriculumError, load
from tracker.curriculum.validate import validate

from .conftest import PROJECT
from .test_exercises import assert_tells_right_from_wrong, worker  # noqa: F401 (a fixture)

LIBRARY_EXERCISES = list(_load_library_file(PROJECT / LIBRARY).curriculum.exercises)


@pytest.mark.slow
@pytest.mark.parametrize("exercise", LIBRARY_EXERCISES, ids=[e.id for e in LIBRARY_EXERCISES])
def test_library_exercise_tells_right_from_wrong(exercise, worker):
    assert_tells_right_from_wrong(exercise, worker)


def test_library_validates():
    assert validate_library(PROJECT) == []
    assert len(LIBRARY_EXERCISES) >= 8
    for exercise in LIBRARY_EXERCISES:
        assert 2 <= len(exercise.hints) <= 3, exercise.id


def test_library_problems_name_file_and_line(tmp_path):
    (tmp_path / "courses").mkdir()
    (tmp_path / "curriculum.yaml").write_text((PROJECT / "curriculum.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / LIBRARY).write_text("version: 1\nexercises:\n  - id: kv\n    title: x\n    kind: code\n    status: coming_soon\n",
                                    encoding="utf-8")
    [problem] = validate_library(tmp_path)
    assert str(problem).startswith("library.yaml:3:")
    assert "lib.kv_cache_decode" in str(problem)


SEEDS = PROJECT / "tests" / "roadmaps"  # the five roadmaps the courses were made from


@pytest.mark.parametrize("name", course_names(PROJECT))
def test_every_course_validates_like_curriculum_yaml(name):
    raw = load(course_path(PROJECT, name))
    assert [str(p) for p in validate(raw, PROJECT) + validate_course(raw, PROJECT)] == []
    c = load_course(course_path(PROJECT, name), PROJECT).curriculum
    assert sum(e.gradable for e in c.gradables()) > 0


def test_small_llm_shares_the_library_and_gates_its_phases():
    c = load_course(course_path(PROJECT, "small-llm"), PROJECT).curriculum
    ids = {e.id for e in c.gradables()}
    assert {"0.5.1", "0.5.3", "0.6.1", "0.6.2", "0.7.6", "1.1.1", "lib.kv_cache_decode", "lib.flash_attention",
            "lib.sft_loss_mask", "lib.dpo_loss", "lib.ppo_clip"} <= ids
    assert c.exercise("0.5.1").module_id == "2.1"  # where it sits in this course, not in curriculum.yaml
    assert [cat.requires for cat in c.categories] == [[], ["1"], ["2"], ["3"], ["4"]]


def test_unknown_used_exercise_names_file_and_line(tmp_path):
    text = (PROJECT / "courses" / "small-llm.yaml").read_text(encoding="utf-8").replace("lib.ppo_clip", "lib.nope")
    (tmp_path / "courses").mkdir()
    path = tmp_path / "courses" / "small-llm.yaml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("    - lib.nope") + 1
    problems = validate_course(load(path), PROJECT)
    assert [str(p) for p in problems] == [f"small-llm.yaml:{line}:7: categories[3].modules[0].uses[3]: 'lib.nope' is not an exercise of the library"]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed roadmaps are not beside the project")
@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else [], ids=lambda p: p.name[:3])
def test_import_every_seed_validates(seed, tmp_path):
    from tracker.curriculum.importer import import_roadmap
    from tracker.curriculum.loader import parse

    text = import_roadmap(seed)
    loaded = parse(text, tmp_path / "imported.yaml")
    assert [str(p) for p in validate(loaded, PROJECT, check_manifest=False)] == []
    assert all(not e.gradable for e in loaded.curriculum.gradables())


def _tree(c, category_ids):
    return [(cat.id, cat.title, [(m.id, m.title, m.check_label,
             [(cl.title, [(i.id, i.text, [(j.id, j.text) for j in i.items]) for i in cl.items]) for cl in m.checklists],
             [(e.id, e.title) for e in m.exercises],
             (m.capstone.title, m.capstone.objective, [(s.id, s.text) for s in m.capstone.steps]) if m.capstone else None)
             for m in cat.modules]) for cat in c.categories if cat.id in category_ids]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed roadmaps are not beside the project")
def test_import_of_the_first_course_gives_curriculum_yaml_tree(tmp_path):
    from tracker.curriculum.importer import import_roadmap
    from tracker.curriculum.loader import parse

    [seed] = SEEDS.glob("002_*.txt")
    imported = parse(import_roadmap(seed), tmp_path / "imported.yaml").curriculum
    ours = load(PROJECT / "curriculum.yaml").curriculum
    ids = {cat.id for cat in ours.categories}
    assert _tree(imported, ids) == _tree(ours, ids)
    # The tools and the papers go where curriculum.yaml keeps them, not into parts to tick.
    assert [cat.id for cat in imported.categories] == [cat.id for cat in ours.categories]
    assert [(g.title, g.lines) for g in imported.arsenal] == [(g.title, g.lines) for g in ours.arsenal]
    assert [(p.id, p.title, p.citation) for p in imported.papers] == [(p.id, p.title, p.citation) for p in ours.papers]


def test_a_learner_switches_course_and_keeps_passes(fork):
    """The real CLI: choose the small-LLM course, pass an exercise it shares, see pacing and gates, lift them."""
    import shutil

    from .conftest import run_tracker

    now = {"TRACKER_NOW": "2026-03-02T18:00:00Z"}
    assert run_tracker("course", "use", "small-llm", env=now).returncode == 0
    assert 'active = "small-llm"' in (fork / "tracker.toml").read_text(encoding="utf-8")
    shutil.copy(PROJECT / "graders/0.2/solutions/ex1_xor_manual_backprop.py", fork / "exercises/0.2/ex1_xor_manual_backprop.py")
    assert run_tracker("grade", "0.2.1", env=now).returncode == 0
    out = run_tracker("status", env={"TRACKER_NOW": "2026-03-08T18:00:00Z"}).stdout
    assert "Day 7 of 58 · Phase 1: Foundational Neurons & Backprop · " in out
    assert "behind plan (it waits for you, nothing is lost)" in out
    assert "locked: Phase 2: Core Transformer Components · opens when Phase 1: Foundational Neurons & Backprop is mastered" in out
    assert run_tracker("course", "gates", "lifted", env=now).returncode == 0
    assert "open (gates lifted): Phase 2" in run_tracker("next", env=now).stdout
    # Back on the first course, the pass of 0.2.1 still counts there.
    assert run_tracker("course", "use", "curriculum", env=now).returncode == 0
    status = run_tracker("status", "--json", env=now).stdout
    import json

    states = {e["id"]: e["state"] for c in json.loads(status)["categories"] for m in c["modules"] for e in m["exercises"]}
    assert states["0.2.1"] == "passed"
    assert run_tracker("validate", env=now).returncode == 0


def test_import_command_writes_a_course(fork):
    from .conftest import run_tracker

    result = run_tracker("import", str(SEEDS / "004_2abdc8885bd88246.txt"), "--name", "plan")
    assert result.returncode == 0, result.stderr
    assert (fork / "courses" / "plan.yaml").exists()
    assert "plan" in run_tracker("course", "list").stdout


def test_a_circle_of_parts_is_a_validation_error(tmp_path):
    text = (PROJECT / "courses" / "small-llm.yaml").read_text(encoding="utf-8")
    text = text.replace("  title: Foundational Neurons & Backprop\n", "  title: Foundational Neurons & Backprop\n  requires:\n  - '3'\n", 1)
    path = tmp_path / "small-llm.yaml"
    path.write_text(text, encoding="utf-8")
    problems = [str(p) for p in validate_course(load(path), PROJECT)]
    assert any("require each other in a circle: 1 -> 3 -> 2 -> 1" in p for p in problems), problems


def test_set_active_keeps_the_rest_of_tracker_toml(tmp_path):
    from tracker.curriculum.course import set_active

    (tmp_path / "curriculum.yaml").write_text("x", encoding="utf-8")
    (tmp_path / "courses").mkdir()
    (tmp_path / "courses" / "levels.yaml").write_text("x", encoding="utf-8")
    toml = tmp_path / "tracker.toml"
    toml.write_text('[tracker]\ndaily_goal = 40\n\n[course]\nactive = "curriculum"\n\n[git]\npush = true\n', encoding="utf-8")
    set_active(tmp_path, "levels")
    assert toml.read_text(encoding="utf-8") == '[tracker]\ndaily_goal = 40\n\n[course]\nactive = "levels"\n\n[git]\npush = true\n'
    with pytest.raises(Exception, match="no course named 'nope'"):
        set_active(tmp_path, "nope")


def _progress(day, passed=(), ticked=()):
    from types import SimpleNamespace

    return SimpleNamespace(day_number=day, passed=dict.fromkeys(passed), ticked=set(ticked), by_hand=set())


def test_pacing_counts_days_and_never_resets():
    from tracker.progress.pacing import pace

    c = load_course(course_path(PROJECT, "days-180"), PROJECT).curriculum
    assert pace(c, _progress(1)).line() == "Day 1 of 180 · Month 1: Foundations · on plan"
    behind = pace(c, _progress(23)).line()
    assert behind.startswith("Day 23 of 180 · Month 1: Foundations · 22 days behind plan")
    week1 = [i.id for i in c.module("1.2").items()]
    done = pace(c, _progress(23, ticked=week1))
    assert done.part == "Month 1: Foundations" and done.ahead > -22  # work done moves the position, not the clock
    # Everything of month 1 done on day 3: ahead of plan, and the learner is in month 2.
    month1 = [e.id for m in c.categories[0].modules for e in m.exercises]
    items = [i.id for m in c.categories[0].modules for i in m.items()]
    ahead = pace(c, _progress(3, passed=month1, ticked=items))
    assert ahead.part == "Month 2: Core ML/DL" and ahead.line().endswith("28 days ahead of plan")


def test_import_turns_a_twice_decoded_roadmap_back_into_its_words(tmp_path):
    """A roadmap saved after a trip through a Windows code page imports with its own words, not 'ğŸš€'."""
    from tracker.curriculum.importer import import_roadmap, repair_mojibake

    written = "# 🚀 Journey\n\n## 📅 Month 1: Foundations ✅\n\n- [ ] Day 1 — NumPy ├── arrays\n"
    damaged = written.encode("utf-8").decode("cp1254", errors="ignore")
    assert "ğŸš€" in damaged
    roadmap = tmp_path / "roadmap.md"
    roadmap.write_text(damaged, encoding="utf-8")
    text = import_roadmap(roadmap)
    assert "Month 1: Foundations ✅" in text and "ğŸ" not in text and "â€" not in text
    # Text that only looks foreign is left as it was written.
    assert repair_mojibake("# Öğrenme yolu: ağaçlar ve çizgeler\n") == "# Öğrenme yolu: ağaçlar ve çizgeler\n"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed roadmaps are not beside the project")
def test_import_of_the_180_day_plan_reads_its_emoji(tmp_path):
    from tracker.curriculum.importer import import_roadmap

    [seed] = SEEDS.glob("004_*.txt")
    text = import_roadmap(seed)
    assert "ğŸ" not in text and "â”" not in text and "â€" not in text
