"""The README dashboard, the captain's log and the heatmap: true marks, exact form, same bytes every time."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.progress.report import bar
from tracker.progress.rules import Settings
from tracker.publish import captains_log, heatmap, readme
from tracker.publish.readme import MarkerError, empty_readme_sections, find_sections, replace_sections
from tracker.publish.site import renderers

from .conftest import PROJECT
from .test_rules import at, attempt, ev

def _with_coming_soon(exercise_id: str):
    """The course with one exercise still coming soon (to show a check ticked by hand)."""
    import re

    from tracker.curriculum.loader import parse

    text = (PROJECT / "curriculum.yaml").read_text()
    block = re.search(rf"- id: {re.escape(exercise_id)}\n(?:.*\n)*?\s+status: gradable\n", text)
    text = text[: block.start()] + block.group(0).replace("status: gradable", "status: coming_soon") + text[block.end():]
    return parse(text, PROJECT / "curriculum.yaml").curriculum


C = _with_coming_soon("0.3.5")
SETTINGS = Settings(daily_goal=30, timezone="Europe/Paris")


def journey():
    return [
        attempt("2026-03-02 18:00", "1.1.1", tz="Europe/Paris"),
        attempt("2026-03-02 18:05", "0.5.1", tz="Europe/Paris", device="cuda"),
        ev("tick", "2026-03-02 18:10", "Europe/Paris", item="0.1.c1.1"),
        ev("tick", "2026-03-03 18:10", "Europe/Paris", item="0.3.5"),  # a coming-soon exercise, by hand
        ev("tick", "2026-03-03 18:12", "Europe/Paris", item="paper.lora"),
        ev("log", "2026-03-03 19:00", "Europe/Paris", date="2026-03-03", module="1.1", title="Scales",
           progress="", insight="Zero must be exact", challenge="Rounding ties", next_steps="Per-channel"),
    ]


@pytest.mark.parametrize("fraction,expected", [
    (0.0, 0), (0.001, 1), (0.04, 1), (0.5, 12), (0.999, 24), (1.0, 25),
])
def test_bar_rules(fraction, expected):
    cells = bar(fraction)
    assert len(cells) == 25 and cells.count("█") == expected


def test_readme_sections_replace_only_between_markers():
    text = "# Mine\n\nintro ✨\n\n" + empty_readme_sections() + "\nfooter\n"
    out = renderers(C, journey(), SETTINGS)["README.md"](text)
    assert out.startswith("# Mine\n\nintro ✨\n\n<!-- tracker:dashboard:start -->\n## Progress Dashboard")
    assert out.endswith("<!-- tracker:log:end -->\n\nfooter\n")
    again = renderers(C, journey(), SETTINGS)["README.md"](out)
    assert again == out  # the same history gives the same bytes


def test_dashboard_in_the_seeds_form_with_true_marks():
    out = renderers(C, journey(), SETTINGS)["README.md"](empty_readme_sections())
    assert "| **Revisiting the Basics** | Started | █░░░░░░░░░░░░░░░░░░░░░░░░ | 0 / 10 |" in out
    assert "| **Total Projects Completed** | Not Started | ░░░░░░░░░░░░░░░░░░░░░░░░░ | **0 / 17** |" in out
    assert "- [x] **Exercise 1:** Implement symmetric and asymmetric INT8 quantization" in out
    assert "· ✅ graded on CPU" in out and "· ✅ graded on CUDA" in out
    assert "- [x] **Exercise 5:** Build depthwise separable convolution" in out and "✋ ticked by hand" in out
    assert "- [x] **LoRA:**" in out and "- [ ] **QLoRA:**" in out
    assert "  - [x] Vector operations, dot products, norms, and orthogonality" in out
    assert "- [ ] **Linear Algebra Essentials:**" in out  # a parent is ticked only when all its items are
    assert "Day 2 (as of 2026-03-03)" in out
    ticks = out.count("[x]")
    assert ticks == 5, ticks  # exactly where the history says so


@pytest.mark.parametrize("text,message", [
    ("nothing here\n", "README.md has no <!-- tracker:dashboard:start --> marker"),
    (empty_readme_sections() + "<!-- tracker:log:end -->\n", "<!-- tracker:log:end --> appears 2 times"),
    (empty_readme_sections().replace("<!-- tracker:curriculum:start -->\n<!-- tracker:curriculum:end -->",
                                     "<!-- tracker:curriculum:end -->\n<!-- tracker:curriculum:start -->"),
     "<!-- tracker:curriculum:end --> comes before <!-- tracker:curriculum:start -->"),
    ("<!-- tracker:log:start -->\n<!-- tracker:log:end -->\n<!-- tracker:dashboard:start -->\n"
     "<!-- tracker:dashboard:end -->\n<!-- tracker:curriculum:start -->\n<!-- tracker:curriculum:end -->\n",
     "the log section must come after the curriculum section"),
])
def test_marker_problems_are_errors(text, message):
    with pytest.raises(MarkerError, match=message.replace("(", r"\(").replace(")", r"\)")):
        find_sections(text)


def test_heatmap_is_deterministic_and_ends_at_the_last_day():
    files = renderers(C, journey(), SETTINGS)
    svg = files["progress/activity.svg"]("")
    assert svg == renderers(C, journey(), SETTINGS)["progress/activity.svg"]("")
    assert "<title>2026-03-03: " in svg and "2026-03-04" not in svg
    assert svg.count("<rect") > 150 and "2 active days" in svg
    assert heatmap.level(0, 30) == 0 and heatmap.level(10, 30) == 1 and heatmap.level(200, 30) == 4


def test_heatmap_reads_in_light_and_dark_with_the_learners_own_range():
    days = {date(2026, 3, 1): 70, date(2026, 3, 2): 110, date(2026, 3, 3): 80}
    assert heatmap.scale(days, 30) == {70: 1, 80: 3, 110: 4}  # three days, three shades
    svg = heatmap.render(days, date(2026, 3, 3), 30)
    assert "<rect width=" not in svg and "fill=" not in svg  # no opaque card: the page shows through
    assert "@media (prefers-color-scheme: dark)" in svg
    assert ">Less</text>" in svg and ">More</text>" in svg
    assert ">Mar</text>" in svg and ">Sep</text>" in svg  # the current month is labelled, and earlier ones
    assert "3 active days, 260 XP" in svg
    one = heatmap.render({date(2026, 3, 3): 20}, date(2026, 3, 3), 30)
    assert "1 active day, 20 XP" in one and 'class="l2"><title>2026-03-03' in one


def test_log_entry_in_the_seeds_template_with_progress_filled_in():
    text = renderers(C, journey(), SETTINGS)["CAPTAINS_LOG.md"]("")
    assert "### 2026-03-03: Module 1.1 - Scales" in text
    assert "- **Progress:** Ticked 2 checklist items: Build depthwise separable convolution" in text
    assert "(0.3.5) and LoRA (paper.lora) · +" in text
    assert "- **Key Insight:** Zero must be exact" in text and "- **Next Steps:** Per-channel" in text


def test_a_group_ticked_whole_in_a_day_is_named_once():
    from tracker.progress.rules import evaluate

    day = [ev("tick", f"2026-03-02 18:0{i}", "Europe/Paris", item=f"0.1.c1.{i}") for i in (1, 2, 3)]
    day.append(ev("tick", "2026-03-02 18:05", "Europe/Paris", item="0.1.c2.1"))
    text = captains_log.day_progress(evaluate(C, day, SETTINGS, at("2026-03-02 20:00")), "2026-03-02", C)
    assert text.startswith("Ticked 4 checklist items: Linear Algebra Essentials (0.1.c1) and Bayes' theorem")


def test_hand_edited_log_entry_is_never_overwritten():
    render = renderers(C, journey(), SETTINGS)["CAPTAINS_LOG.md"]
    text = render("")
    edited = text.replace("Zero must be exact", "Zero must be exact, and I finally see why")
    assert captains_log.edited_days(edited) == ["2026-03-03"]
    more = journey() + [ev("log", "2026-03-04 19:00", "Europe/Paris", date="2026-03-04", module="1.1", title="Next",
                           progress="", insight="a", challenge="b", next_steps="c")]
    again = renderers(C, more, SETTINGS)["CAPTAINS_LOG.md"](edited)
    assert "and I finally see why" in again and "### 2026-03-04: Module 1.1 - Next" in again


def test_readme_log_index_links_to_the_log():
    out = renderers(C, journey(), SETTINGS)["README.md"](empty_readme_sections())
    assert "- [2026-03-03: Module 1.1 - Scales](CAPTAINS_LOG.md#2026-03-03-module-11---scales)" in out


def test_empty_journey_shows_the_template():
    out = renderers(C, [], SETTINGS)["README.md"](empty_readme_sections())
    assert "YYYY-MM-DD: Module X.Y - Title" in out and "**Level 1** · 0 XP" in out
    assert out.count("[x]") == 0


def test_project_readme_carries_the_empty_journey():
    from tracker.curriculum.loader import load

    text = (PROJECT / "README.md").read_text()
    files = renderers(load(PROJECT / "curriculum.yaml").curriculum, [], SETTINGS)
    assert files["README.md"](text) == text, "run `tracker dashboard` on an empty journey and commit"
    assert (PROJECT / "CAPTAINS_LOG.md").read_text() == files["CAPTAINS_LOG.md"]("")
    assert (PROJECT / "progress/activity.svg").read_text() == files["progress/activity.svg"]("")


def test_log_progress_in_words_once_per_exercise_with_nothing_undone():
    day = [
        attempt("2026-03-02 18:00", "1.1.1", tz="Europe/Paris"),
        attempt("2026-03-02 18:10", "1.1.1", tz="Europe/Paris", status="failed"),
        attempt("2026-03-02 18:20", "1.1.1", tz="Europe/Paris"),
        attempt("2026-03-02 18:30", "1.1.2", tz="Europe/Paris", status="failed"),
        ev("tick", "2026-03-02 18:40", "Europe/Paris", item="0.1.c1.1"),
        ev("tick", "2026-03-02 18:41", "Europe/Paris", item="0.1.c1.2"),
        ev("untick", "2026-03-02 18:42", "Europe/Paris", item="0.1.c1.2"),
        ev("tick", "2026-03-02 18:43", "Europe/Paris", item="paper.lora"),
    ]
    from tracker.progress.rules import evaluate

    progress = evaluate(C, day, SETTINGS, at("2026-03-02 20:00"))
    text = captains_log.day_progress(progress, "2026-03-02", C)
    assert text.startswith("Passed Implement symmetric and asymmetric INT8 quantization functions, cal… (1.1.1); "
                           "ticked 2 checklist items: ")
    assert text.count("1.1.1") == 1 and "1.1.2" not in text  # never passed: nothing to publish
    assert "Vector operations, dot products, norms, and orthogonality (0.1.c1.1)" in text
    assert "0.1.c1.2" not in text  # ticked and unticked the same day
    assert "(paper.lora)" in text and "LoRA" in text


def test_log_says_when_a_passed_exercise_fails_again():
    days = [attempt("2026-03-02 18:00", "1.1.1", tz="Europe/Paris"),
            attempt("2026-03-03 18:00", "1.1.1", tz="Europe/Paris", status="failed")]
    from tracker.progress.rules import evaluate

    progress = evaluate(C, days, SETTINGS, at("2026-03-03 20:00"))
    assert captains_log.day_progress(progress, "2026-03-03", C).startswith("Implement symmetric and asymmetric INT8 quantization functions, cal… (1.1.1) fails again")


def test_text_around_the_log_entries_is_kept():
    render = renderers(C, journey(), SETTINGS)["CAPTAINS_LOG.md"]
    text = render("").replace("My optimization journey", "My own words at the top.\n\nMy optimization journey")
    text += "\nA closing note of mine.\n"
    again = render(text)
    assert "My own words at the top." in again and again.endswith("A closing note of mine.\n")
    assert render(again) == again
