"""Every course is checked like curriculum.yaml, with file, line and field: a circle of requirements, through
a category's or a module's `requires`, is an error wherever the course is used, and a broken course is
refused before a fork switches to it."""

from __future__ import annotations

from pathlib import Path

from tracker.curriculum.course import validate_course
from tracker.curriculum.loader import CurriculumError, load

from .conftest import PROJECT, git, run_tracker

SMALL_LLM = PROJECT / "courses" / "small-llm.yaml"


def circled(text: str) -> tuple[str, int]:
    """small-llm with its first step requiring phase 2's (which waits for phase 1): the text and the line."""
    anchor = "    - 0.7.1\n    days: 7\n"
    assert anchor in text
    text = text.replace(anchor, anchor + "    requires:\n    - '2.1'\n", 1)
    return text, text.splitlines().index("    - '2.1'") + 1


def test_a_circle_through_a_module_is_found_at_its_requires(tmp_path):
    text, line = circled(SMALL_LLM.read_text(encoding="utf-8"))
    path = tmp_path / "small-llm.yaml"
    path.write_text(text, encoding="utf-8")
    problems = [str(p) for p in validate_course(load(path), PROJECT)]
    assert problems == [f"small-llm.yaml:{line}:7: categories[0].modules[0].requires[0]: the parts require each "
                        "other in a circle: 1 -> 2 -> 1"]


def test_a_bad_plan_names_file_line_and_field(tmp_path):
    text = SMALL_LLM.read_text(encoding="utf-8").replace("    days: 7\n", "    days: 0\n", 1)
    path = tmp_path / "small-llm.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load(path)
    except CurriculumError as exc:
        [problem] = exc.problems
    line = text.splitlines().index("    days: 0") + 1
    assert str(problem).startswith(f"small-llm.yaml:{line}:") and "categories[0].modules[0].days" in str(problem)


def test_a_circle_is_refused_by_course_use_validate_and_status(fork: Path):
    course = fork / "courses" / "small-llm.yaml"
    text, line = circled(course.read_text(encoding="utf-8"))
    course.write_text(text, encoding="utf-8")
    git(fork, "commit", "-qam", "a circle")
    expected = (f"small-llm.yaml:{line}:7: categories[0].modules[0].requires[0]: the parts require each other in a "
                "circle: 1 -> 2 -> 1")

    refused = run_tracker("course", "use", "small-llm")
    assert refused.returncode == 2 and refused.stderr.strip() == f"tracker: {expected}"
    assert not (fork / "tracker.toml").exists()  # nothing changed: the fork still follows curriculum.yaml
    assert run_tracker("status").returncode == 0

    (fork / "tracker.toml").write_text('[course]\nactive = "small-llm"\n', encoding="utf-8")  # chosen by hand
    validate = run_tracker("validate")
    assert validate.returncode == 2 and expected in validate.stdout.splitlines()
    status = run_tracker("status")
    assert status.returncode == 2 and status.stderr.strip() == f"tracker: {expected}"
