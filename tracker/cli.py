"""The `tracker` command: a thin click layer over ``tracker.service``.

Bare ``tracker`` opens the TUI. Every error the learner can act on is one line and a non-zero exit.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import click

from tracker.errors import TrackerError

EXIT_FAILED = 1  # something graded did not pass
EXIT_ERROR = 2  # the command could not do what was asked


_told: set[str] = set()


def _notice(message: str) -> None:
    """A one-line notice on stderr (a setting ignored, a damaged journal line), once per command."""
    if message not in _told:
        _told.add(message)
        click.echo(f"tracker: {message}", err=True)


def _tracker():
    from tracker.service import Tracker

    t = Tracker.open()
    t.on_notice = _notice
    for warning in t.config.warnings:
        _notice(warning)
    return t


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tracker", prog_name="tracker")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Track a self-study ML curriculum: grade exercises, tick checklists, keep a captain's log.

    Run without a command to open the daily-session app.
    """
    if ctx.invoked_subcommand is None:
        from tracker.tui import run_app

        run_app()


# --- the first run ------------------------------------------------------------------------------


@cli.command()
@click.option("--timezone", default=None, help="Your IANA time zone (default: the system's), e.g. America/Los_Angeles.")
@click.option("--editor", default=None, help="What opens stubs and log entries (default: $VISUAL, then $EDITOR).")
@click.option("--push/--no-push", default=None, help="Push after each sync (default: on when there is a remote).")
@click.option("--publish-solutions/--no-publish-solutions", default=None,
              help="Commit your solutions in exercises/ too; they become public when pushed (default: no).")
@click.option("-y", "--yes", is_flag=True, help="Take the defaults for everything not given, without asking.")
def init(timezone: str | None, editor: str | None, push: bool | None, publish_solutions: bool | None, yes: bool) -> None:
    """Set up this fork: time zone, editor, pushing, publishing solutions; writes tracker.toml and turns the
    README's opening into your journey's."""
    from tracker import firstrun

    with _tracker() as t:
        proposed = firstrun.defaults(t.repo)
        ask = sys.stdin.isatty() and not yes
        if ask:
            timezone = timezone or click.prompt("Time zone (a day rolls over at 04:00 there)", default=proposed.timezone)
            while not firstrun.valid_zone(timezone):
                click.echo(f"unknown time zone {timezone!r}; use an IANA name such as Europe/Paris")
                timezone = click.prompt("Time zone", default=proposed.timezone)
            editor = editor if editor is not None else click.prompt("Editor", default=proposed.editor or "", show_default=bool(proposed.editor))
            push = push if push is not None else click.confirm("Push to your remote when syncing?", default=proposed.push)
            if publish_solutions is None:
                publish_solutions = click.confirm("Publish your solutions in exercises/ (public once pushed)?", default=False)
        answers = firstrun.Answers(
            timezone or proposed.timezone, proposed.editor if editor is None else editor,
            proposed.push if push is None else push, proposed.publish_solutions if publish_solutions is None else publish_solutions,
        )
        if not firstrun.valid_zone(answers.timezone):
            raise TrackerError(f"unknown time zone {answers.timezone!r} (use an IANA name such as Europe/Paris)")
        if not ask:
            click.echo(f"{'no terminal to ask on' if not yes else '--yes'}: took the defaults for what was not given: "
                       f"{firstrun.describe(answers)}", err=True)
        changed = t.first_run(answers)
    click.echo(f"{', '.join(changed)} written: {firstrun.describe(answers)}" if changed else "already set up as asked")
    if "README.md" in changed:
        click.echo("README.md now opens on your journey; put your own picture and quote at its top")


# --- status and next ---------------------------------------------------------------------------


@cli.command()
@click.argument("module_id", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the documented JSON schema (docs/status-json.md).")
def status(module_id: str | None, as_json: bool) -> None:
    """Show categories and modules with progress bars; with a module (0.1), its exercises, concepts and
    capstone steps with their ids."""
    from tracker.progress.report import status_report

    if module_id and not as_json:
        with _tracker() as t:
            _module_status(t, module_id)
        return
    with _tracker() as t:
        report = status_report(t)
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    from tracker.progress.report import bar
    from tracker.progress.rules import curve_text

    with _tracker() as t:
        progress = t.progress()
        focus, suggestion = t.suggestion()
        rank = t.curriculum.words.rank.lower()
    level, streak = progress.level, progress.streak
    risk = " (at risk: meet today's goal)" if streak.at_risk else (" (safe today)" if streak.today_counted else "")
    click.echo(
        f"Day {progress.day_number} · {rank} {level.number} · {level.xp} XP ({level.to_next} to {rank} {level.number + 1}; {curve_text()})"
    )
    click.echo(
        f"Streak {streak.current} day{'s' if streak.current != 1 else ''}{risk} · {streak.freezes} freeze{'s' if streak.freezes != 1 else ''} · "
        f"{streak.active_share:.0%} of days active · habit {streak.habit:.0%} · today {progress.today_xp}/{t.config.daily_goal} XP"
        + (" · on vacation" if streak.on_vacation else "")
    )
    if suggestion is None:
        hint = ""
    elif suggestion.kind == "log":
        hint = " → write today's captain's log entry: `tracker log`"
    else:
        hint = f" → {suggestion.id}: {_plain(suggestion.text)}"
    click.echo(f"Today's focus: {focus.name}{hint}")
    with _tracker() as t:
        for line in t.course_lines(progress):
            click.echo(line)
    click.echo("")
    words = report["course"]["words"]["module"].lower() + "s"
    for category in report["categories"]:
        click.echo(
            f"{category['label']:<38} {bar(category['fraction'])} {category['modules_completed']}/{category['modules_total']} "
            f"{words}  {category['status']}" + ("  🔒 locked" if category["locked_until"] else "")
        )
        for module in category["modules"]:
            passed = sum(e["state"] == "passed" for e in module["exercises"])
            soon = sum(e["status"] == "coming_soon" for e in module["exercises"])
            extra = f", {soon} coming soon" if soon else ""
            mark = "✓" if module["complete"] else " "
            click.echo(
                f"  {mark} {module['id']:<5} {module['title'][:40]:<40} {bar(module['fraction'], 10)} "
                f"{passed}/{len(module['exercises'])} checks{extra}"
            )


def _module_status(t: Any, module_id: str) -> None:
    from tracker.grading import results as R
    from tracker.progress import state as S

    if not t.curriculum.has_module(module_id):
        raise TrackerError(f"no module {module_id!r}; module ids look like 0.1 (`tracker status` lists them)")
    module = t.curriculum.module(module_id)
    states, ticked = t.states(), t.ticked()
    p = S.module_progress(module, states, ticked)
    click.echo(f"{t.curriculum.words.module} {module.id}: {_plain(module.title)}")
    click.echo(f"{p.exercises_passed}/{p.exercises_total} checks passed · {p.items_ticked}/{p.items_total} concepts · "
               f"{p.steps_ticked}/{p.steps_total} capstone steps" + (" · complete" if p.complete else ""))
    click.echo("\nKnowledge checks (`tracker grade ID`):")
    for e in module.exercises:
        state = states[e.id]
        label = R.STATUS_LABELS.get(state, state.replace("_", " "))
        click.echo(f"  {_SYMBOL.get(state, '!')} {e.id:<8} {label:<12} {_clip(_plain(e.title), 60)}"
                   + (f"\n             {e.stub}" if e.stub else ""))

    def items(roots: list, depth: int = 1) -> None:
        for item in roots:
            mark = "x" if S.is_ticked(item.id, t.curriculum, ticked) else " "
            click.echo(f"{'  ' * depth}[{mark}] {item.id:<10} {_clip(_plain(item.text), 70)}")
            items(item.items, depth + 1)

    if module.checklists:
        click.echo("\nConcepts (`tracker check ID`):")
        items([i for c in module.checklists for i in c.items])
    if module.capstone:
        click.echo(f"\nCapstone: {_plain(module.capstone.title)} (`tracker check ID`):")
        items(module.capstone.steps)


@cli.command(name="next")
def next_() -> None:
    """Show the next exercise or checklist item to work on (the app's "Next" too)."""
    with _tracker() as t:
        up = t.next_up()
        lines = t.course_lines()
        closed = bool(t.closed_modules())
        for line in lines:
            click.echo(line)
    if up is None and closed:
        click.echo("Everything open is done; the locked parts above open as you master what they require "
                   "(`tracker course gates lifted` opens them now)")
        return
    if up is None:
        click.echo("Everything is done. Congratulations, graduate!")
        return
    click.echo(_next_text(up))


def _next_text(up: Any, lead: str = "Next") -> str:
    if up.kind == "exercise":
        return (f"{lead}: exercise {up.id}: {_plain(up.text)}\n  open {up.path}, then `tracker grade {up.id} --watch`"
                if up.path else f"{lead}: exercise {up.id}: {_plain(up.text)}\n  grade it with `tracker grade {up.id}`")
    if up.kind == "log":
        return f"{lead}: write today's captain's log entry: `tracker log`"
    return f"{lead}: {up.id}: {_plain(up.text)}\n  tick it with `tracker check {up.id}`"


def _published(t: Any) -> None:
    """Say what happened to the dashboard and git after an event (a warning goes to stderr)."""
    if t.last_publish.startswith("warning:"):
        click.echo(f"tracker: {t.last_publish}", err=True)
    elif t.last_publish:
        click.echo(t.last_publish, err=True)


def _plain(text: str) -> str:
    return text.replace("**", "").replace("`", "")


def _clip(text: str, most: int) -> str:
    """At most ``most`` characters, cut at a word with an ellipsis rather than inside one."""
    if len(text) <= most:
        return text
    return text[:most - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


# --- checklist ------------------------------------------------------------------------------------


@cli.command()
@click.argument("item_id")
def check(item_id: str) -> None:
    """Tick a checklist item or capstone step (a group ticks all its items)."""
    with _tracker() as t:
        changed = t.check(item_id, True)
        _published(t)
    click.echo(f"ticked {', '.join(changed)}" if changed else f"{item_id} was already ticked")


@cli.command()
@click.argument("item_id")
def uncheck(item_id: str) -> None:
    """Untick a checklist item or capstone step."""
    with _tracker() as t:
        changed = t.check(item_id, False)
        _published(t)
    click.echo(f"unticked {', '.join(changed)}" if changed else f"{item_id} was not ticked")


# --- grading -------------------------------------------------------------------------------------


@cli.command(name="grade")
@click.argument("target", required=False)
@click.option("--all", "all_", is_flag=True, help="Grade every exercise.")
@click.option("--device", type=click.Choice(["auto", "cuda", "mps", "cpu"]), default=None,
              help="Where graders run (default: CUDA, then MPS, then CPU).")
@click.option("-v", "--verbose", is_flag=True, help="Also show the full pytest output.")
@click.option("-w", "--watch", is_flag=True, help="Re-grade the exercise every time you save it (Ctrl+C stops).")
def grade_cmd(target: str | None, all_: bool, device: str | None, verbose: bool, watch: bool) -> None:
    """Grade a module (1.1) or an exercise (1.1.2) with the hidden graders.

    Exits 0 only when everything graded passed.
    """
    from tracker.grading import results as R

    with _tracker() as t:
        exercises = t.resolve_targets(target, all_)
        if watch:
            _watch(t, exercises, device, verbose)
            return
        click.echo(f"grading {len(exercises)} exercise{'s' if len(exercises) != 1 else ''}...", err=True)
        # Several exercises: the warm worker keeps torch loaded across the children a run may need.
        worker = t.warm() if len(exercises) > 1 else None
        results = t.grade(exercises, device=device, worker=worker)
        for exercise, result in zip(exercises, results):
            _print_result(t, exercise, result, verbose)
        _published(t)
    counted = [r for r in results if r.status not in (R.COMING_SOON, R.NEEDS_GPU)]
    passed = sum(r.passed for r in counted)
    if len(results) > 1:
        click.echo(f"\n{passed}/{len(counted)} passed" + (f" ({len(results) - len(counted)} not gradable here)" if len(counted) < len(results) else ""))
    if any(not r.passed for r in counted) or not counted:
        sys.exit(EXIT_FAILED)


def _watch(t: Any, exercises: list, device: str | None, verbose: bool) -> None:
    import threading

    if len(exercises) != 1:
        raise TrackerError("watch one exercise at a time, for example `tracker grade 1.1.2 --watch`")
    [exercise] = exercises
    while exercise is not None:
        offer: list = []

        def show(result: Any, exercise: Any = exercise, offer: list = offer) -> None:
            click.echo("")
            _print_result(t, exercise, result, verbose)
            _published(t)
            payoff = t.payoff(exercise.id) if result.passed else None
            offer[:] = [payoff.next] if payoff and payoff.next and payoff.next.kind == "exercise" else []
            move = f"; press Enter to move on to {offer[0].id}" if offer and interactive else ""
            click.echo(f"watching {exercise.stub}; save to grade again{move}, Ctrl+C to stop", err=True)

        interactive = sys.stdin.isatty()
        watcher = t.watch(exercise, show, on_start=lambda e=exercise: click.echo(f"grading {e.id}...", err=True),
                          device=device)
        thread = threading.Thread(target=watcher.run, daemon=True, name="tracker-watch")
        thread.start()
        exercise = None
        try:
            while thread.is_alive():
                if interactive:
                    line = sys.stdin.readline()
                    if not line:  # end of input: keep watching until Ctrl+C
                        interactive = False
                    elif offer:
                        exercise = t.exercise(offer[0].id)
                        break
                else:
                    thread.join(0.5)
        except KeyboardInterrupt:
            click.echo("stopped watching", err=True)
        finally:
            watcher.stop.set()
            thread.join(timeout=15)
        if exercise is not None:
            click.echo(f"\nmoving on to {exercise.id}: {exercise.title}\n  open {exercise.stub}", err=True)


_SYMBOL = {"passed": "✓", "failed": "✗", "not_started": "·", "needs_gpu": "◌", "coming_soon": "…"}


def _print_result(t: Any, exercise: Any, result: Any, verbose: bool) -> None:
    from tracker.grading import results as R

    label = R.STATUS_LABELS.get(result.status, result.status)
    checks = result.checks_text()
    timing = ", ".join(x for x in (result.timing_text(), result.device) if x)
    head = f"{label}: {checks}" if checks else label
    click.echo(f"{_SYMBOL.get(result.status, '!')} {exercise.id} {head}{f' ({timing})' if timing else ''}  {_clip(exercise.title, 60)}")
    if result.message:
        click.echo(f"    {result.message}")
    if result.status == R.NOT_STARTED:
        click.echo(f"    {_not_started_words(t, exercise)}")
    else:
        shown = set()
        for test in R.failing_first(result.tests):
            if test.outcome == R.PASSED and result.status == R.PASSED:
                continue
            mark = _SYMBOL.get(test.outcome, "!")
            click.echo(f"    {mark} {test.description}")
            if test.message and test.outcome != R.PASSED:
                if test.message in shown:
                    continue  # one error (a syntax error, say) that stops every check is shown once
                shown.add(test.message)
                click.echo(f"        {test.message}")
    if result.status not in (R.PASSED, R.COMING_SOON, R.NEEDS_GPU) and exercise.hints:
        click.echo("    " + _hint_offer_text(t, exercise, result))
    payoff = t.payoff(exercise.id) if result.passed else None
    if payoff is not None:
        click.echo(f"    {payoff.summary()}")
        if payoff.next is not None:
            click.echo("    " + _next_text(payoff.next).replace("\n", "\n    "))
    if verbose and result.output:
        click.echo("    --- pytest output ---")
        click.echo(result.output.rstrip())


def _hint_offer_text(t: Any, exercise: Any, result: Any) -> str:
    """The hint for the first failing check, offered (or shown again once all are out)."""
    from tracker.grading import results as R

    failing = next((x for x in result.tests if x.outcome in (R.FAILED, R.ERROR)), None)
    name = failing.name if failing else None
    offer = t.hint_offer(exercise.id, name)
    total = len(exercise.hints)
    tied = exercise.tied_hints(name)
    if offer is None:
        index = (tied or [total])[0]
        return f"hint {index}: {exercise.hints[index - 1].text}"
    about = f", for “{_clip(failing.description, 60)}”" if offer in tied and failing.description else ""
    return f"stuck? `tracker hint {exercise.id}` shows hint {offer} of {total}{about}"


def _not_started_words(t: Any, exercise: Any) -> str:
    try:
        text = (t.repo / exercise.stub).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, TypeError):
        text = ""
    if exercise.kind == "quiz" and "NotImplementedError" not in text:
        return f"open {exercise.stub} and answer each question in place of its `= None`"
    return f"open {exercise.stub} and replace the `raise NotImplementedError` lines"


@cli.command()
@click.argument("exercise_id")
def hint(exercise_id: str) -> None:
    """Reveal the next hint of an exercise (each reveal is recorded)."""
    with _tracker() as t:
        reveal = t.hint(exercise_id)
    note = "" if reveal.newly_revealed else " (all hints are out)"
    check = f", for the check “{reveal.check}”" if reveal.check else ""
    click.echo(f"Hint {reveal.index} of {reveal.total} for {exercise_id}{check}{note}:\n  {reveal.text}")


@cli.command()
@click.argument("exercise_id")
def reset(exercise_id: str) -> None:
    """Restore an exercise's stub, saving your version aside first."""
    with _tracker() as t:
        saved = t.reset(exercise_id)
        stub = t.exercise(exercise_id).stub
    if saved is None:
        click.echo(f"{stub} is already the original stub")
    else:
        click.echo(f"restored {stub}; your version is saved at {saved}")


@cli.command()
@click.argument("exercise_id")
def solution(exercise_id: str) -> None:
    """Show the reference solution of an exercise you have passed."""
    with _tracker() as t:
        click.echo(t.solution(exercise_id), nl=False)


# --- publishing ------------------------------------------------------------------------------------


@cli.command()
def dashboard() -> None:
    """Regenerate the README sections, the captain's log and the heatmap (no commit)."""
    with _tracker() as t:
        written = t.dashboard()
    click.echo(f"updated {', '.join(written)}" if written else "everything is up to date")


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=__import__("pathlib").Path), default=".tracker/preview")
def preview(folder) -> None:
    """Write the README as GitHub shows it (HTML, light and dark) and print how to take its pictures."""
    from tracker.config import find_repo
    from tracker.publish import preview as P

    pages = P.write(find_repo(), folder)
    click.echo("wrote " + ", ".join(str(p) for p in pages))
    click.echo("pictures in light and dark mode, with a headless chromium:")
    for command in P.chromium_commands(pages):
        click.echo(f"  {command}")


@cli.command()
@click.option("--module", "module", default="", help="The module the entry is about (default: the latest you worked on).")
@click.option("--title", default="", help="A title (default: the module's).")
@click.option("--insight", default="", help="Key Insight: a major understanding or breakthrough.")
@click.option("--challenge", default="", help="Challenge: current obstacles and your approach.")
@click.option("--next", "next_steps", default="", help="Next Steps: planned actions and goals.")
@click.option("--date", "day", default=None, help="The entry's day, YYYY-MM-DD (default: today).")
def log(module: str, title: str, insight: str, challenge: str, next_steps: str, day: str | None) -> None:
    """Write the day's captain's log entry (Progress is filled in from the day's events).

    Without --insight, --challenge and --next, opens $EDITOR on the template.
    """
    from tracker.service import parse_day

    day = parse_day(day) if day is not None else None  # before anything is opened, edited or written
    with _tracker() as t:
        if not (insight or challenge or next_steps):
            insight, challenge, next_steps, title = _edit_entry(t, module, title)
        entry = t.log_entry(day=day, module=module, title=title, insight=insight, challenge=challenge,
                            next_steps=next_steps)
        _published(t)
        word = t.curriculum.words.module
    click.echo(f"logged {entry['date']}: {word} {entry['module']} - {entry['title']}")


def _edit_entry(t: Any, module: str, title: str) -> tuple[str, str, str, str]:
    from tracker.publish.captains_log import day_progress

    progress = t.progress()
    template = (
        f"Title: {title}\n"
        f"Progress: {day_progress(progress, progress.today.isoformat(), t.curriculum)}  (filled in for you)\n"
        "Key Insight: \nChallenge: \nNext Steps: \n"
    )
    text = click.edit(template, extension=".md", require_save=True)
    if text is None:
        raise TrackerError("no entry written (the editor closed without saving)")
    fields = {"Title": title, "Key Insight": "", "Challenge": "", "Next Steps": ""}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() in fields:
            fields[key.strip()] = value.strip()
    if not (fields["Key Insight"] or fields["Challenge"] or fields["Next Steps"]):
        raise TrackerError("the entry is empty; write a Key Insight, a Challenge or Next Steps")
    return fields["Key Insight"], fields["Challenge"], fields["Next Steps"], fields["Title"]


@cli.command()
def sync() -> None:
    """Commit pending progress and push it (rebasing onto the remote when it moved; never forcing)."""
    with _tracker() as t:
        result = t.sync()
        if t.config.git.include_exercises and result.pushed:
            click.echo("note: your solutions in exercises/ are committed and now on the remote", err=True)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(result.message)
    if result.refused:
        sys.exit(EXIT_ERROR)
    if not result.pushed and "no git remote" not in result.message:
        sys.exit(EXIT_FAILED)  # nothing went out: a script should know


@cli.command()
@click.argument("state", type=click.Choice(["on", "off"]))
def vacation(state: str) -> None:
    """Pause the streak while you are away (on), or resume it (off)."""
    with _tracker() as t:
        t.vacation(state == "on")
    click.echo("vacation mode is on: missed days pause the streak" if state == "on" else "vacation mode is off")


@cli.command(name="site")
@click.option("--url", "show", is_flag=True, help="Also print the overview's file:// address, to open in a browser.")
def site_cmd(show: bool) -> None:
    """Build the progress site (GitHub Pages) into docs/, or [site] dir; your own files there are kept."""
    with _tracker() as t:
        done = t.build_site()
        folder = t.repo / t.config.site.dir
    for path in done.kept:
        click.echo(f"kept {path}: it is not the site's (or you edited it); move it to let the site write it", err=True)
    removed = f"; removed {len(done.removed)} old page{'s' if len(done.removed) != 1 else ''}" if done.removed else ""
    if done.written:
        click.echo(f"site: wrote {len(done.written)} file{'s' if len(done.written) != 1 else ''} in {t.config.site.dir}/{removed}")
    else:
        click.echo(f"site: {t.config.site.dir}/ is up to date{removed}")
    if show:
        click.echo((folder / "index.html").resolve().as_uri())


# --- maintenance -----------------------------------------------------------------------------------


@cli.command()
def validate() -> None:
    """Check curriculum.yaml and everything it points at; report each problem with file, line and field."""
    from tracker.config import find_repo
    from tracker.curriculum.loader import CurriculumError, load
    from tracker.curriculum.validate import validate as run

    from tracker.config import Config
    from tracker.curriculum.course import load_course, validate_course, validate_library

    repo = find_repo()
    path = Config.load(repo).curriculum_path  # the active course (curriculum.yaml unless tracker.toml says)
    try:
        loaded = load(path)
    except CurriculumError as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        sys.exit(EXIT_ERROR)
    problems = run(loaded, repo) + validate_course(loaded, repo) + validate_library(repo)
    if not problems:
        loaded = load_course(path, repo)
    for problem in problems:
        click.echo(str(problem))
    c = loaded.curriculum
    exercises = list(c.exercises())
    gradable = sum(e.gradable for e in exercises)
    extras = [e for e in c.gradables() if e.is_milestone or e.is_paper_quiz]
    for module in c.modules():
        soon = [e.id for e in module.exercises if not e.gradable]
        if soon:
            click.echo(f"  {module.id}: coming soon: {', '.join(soon)}")
    soon_extra = [e.id for e in extras if not e.gradable]
    if soon_extra:
        click.echo(f"  milestones and paper quizzes coming soon: {', '.join(soon_extra)}")
    click.echo(
        f"{len(list(c.modules()))} modules, {len(exercises)} knowledge checks: {gradable} gradable, "
        f"{len(exercises) - gradable} coming soon; {sum(e.gradable for e in extras)}/{len(extras)} capstone milestones "
        f"and paper quizzes gradable; {len(problems)} problem{'s' if len(problems) != 1 else ''}"
    )
    if problems:
        sys.exit(EXIT_ERROR)


@cli.command()
def doctor() -> None:
    """Check Python, torch, CUDA or MPS, git identity and remote, and the database."""
    from tracker.doctor import run_checks

    ok = True
    for label, value, good in run_checks():
        ok &= good
        click.echo(f"{'✓' if good else '✗'} {label:<14} {value}")
    if not ok:
        sys.exit(EXIT_ERROR)


@cli.command()
def rebuild() -> None:
    """Recreate the database from the journal."""
    with _tracker() as t:
        count = t.rebuild()
    click.echo(f"rebuilt the database from the journal: {count} events")


@cli.command(hidden=True)
@click.option("--write", is_flag=True, help="Rewrite graders/MANIFEST.sha256 from the graders on disk.")
def manifest(write: bool) -> None:
    """For course authors: show or rewrite the grader manifest."""
    from tracker.config import find_repo
    from tracker.grading import hashing

    repo = find_repo()
    text = hashing.build_manifest(repo)
    if write:
        (repo / hashing.MANIFEST).write_text(text, encoding="utf-8")
        click.echo(f"wrote {hashing.MANIFEST} ({text.count(chr(10))} files)")
    else:
        click.echo(text, nl=False)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning known errors into one line and an exit status."""
    try:
        cli.main(args=argv, prog_name="tracker", standalone_mode=False)
    except TrackerError as exc:
        click.echo(f"tracker: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    except click.exceptions.Abort:
        click.echo("tracker: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"tracker: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("tracker: interrupted", err=True)
        sys.exit(130)
    except OSError as exc:
        click.echo(f"tracker: {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "), err=True)
        sys.exit(EXIT_ERROR)


# --- courses ---------------------------------------------------------------------------------------


@cli.group()
def course() -> None:
    """Choose the course this fork follows (passes count in every course that uses the exercise)."""


@course.command(name="list")
def course_list() -> None:
    """List the courses, their parts and graded items; the active one is marked."""
    from tracker.config import Config
    from tracker.curriculum.course import course_names, course_path, load_course

    config = Config.load()
    for name in course_names(config.repo):
        c = load_course(course_path(config.repo, name), config.repo).curriculum
        graded = sum(e.gradable for e in c.gradables())
        mark = "*" if name == config.course else " "
        click.echo(f"{mark} {name:<12} {c.title} · {len(c.categories)} × {c.words.category.lower()}, "
                   f"{len(list(c.modules()))} × {c.words.module.lower()}, {graded} graded")


@course.command(name="use")
@click.argument("name")
def course_use(name: str) -> None:
    """Follow the course NAME from now on (recorded in tracker.toml and the journal)."""
    with _tracker() as t:
        t.use_course(name)
        title = t.curriculum.title
        _published(t)
    click.echo(f"now following {name}: {title}")


@course.command(name="gates")
@click.argument("state", type=click.Choice(["on", "lifted", "off"]))
def course_gates(state: str) -> None:
    """Keep parts locked until what they require is mastered (on), or open everything (lifted, or off)."""
    state = "lifted" if state == "off" else state
    with _tracker() as t:
        t.lift_gates(state == "lifted")
    click.echo("gates lifted: every part is open" if state == "lifted" else "gates on: a part opens when what it requires is mastered")


@cli.command(name="import")
@click.argument("roadmap", type=click.Path(dir_okay=False))
@click.option("--name", help="Course name (default: the roadmap's file name).")
def import_(roadmap: str, name: str | None) -> None:
    """Turn a markdown roadmap into courses/NAME.yaml, items ticked by hand until exercises are attached."""
    from pathlib import Path

    from tracker.config import find_repo
    from tracker.curriculum.course import COURSES, course_path
    from tracker.curriculum.importer import import_roadmap
    from tracker.curriculum.loader import CurriculumError, parse
    from tracker.curriculum.validate import validate as run

    repo = find_repo()
    source = Path(roadmap)
    name = name or re.sub(r"[^a-z0-9_-]+", "-", source.stem.lower()).strip("-") or "imported"
    target = course_path(repo, name)
    if target.exists():
        raise TrackerError(f"{target.relative_to(repo)} exists already; choose another --name")
    text = import_roadmap(source)
    try:
        problems = run(parse(text, target), repo, check_manifest=False)
    except CurriculumError as exc:
        problems = exc.problems
    if problems:
        raise TrackerError(f"the imported course does not validate: {problems[0]}")
    (repo / COURSES).mkdir(exist_ok=True)
    target.write_text(text, encoding="utf-8")
    c = parse(text, target).curriculum
    click.echo(f"wrote {target.relative_to(repo)}: {len(c.categories)} parts, {len(list(c.modules()))} modules, "
               f"{sum(len(list(m.items())) for m in c.modules())} items to tick; follow it with `tracker course use {name}`")
