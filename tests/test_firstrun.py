"""The first run: `tracker init` without a terminal, with flags, over the learner's own settings; doctor's day."""

from __future__ import annotations

from .conftest import git, run_tracker


def test_init_without_a_terminal_takes_the_defaults_and_says_so(fork):
    result = run_tracker("init", cwd=fork, env={"TZ": "America/Los_Angeles", "VISUAL": "", "EDITOR": "nano"})
    assert result.returncode == 0, result.stderr
    assert "no terminal to ask on: took the defaults" in result.stderr and "America/Los_Angeles" in result.stderr
    settings = (fork / "tracker.toml").read_text()
    assert 'timezone = "America/Los_Angeles"' in settings and 'editor = "nano"' in settings
    assert "push = false" in settings and "include_exercises = false" in settings  # no remote, private solutions
    readme = (fork / "README.md").read_text()
    assert readme.startswith("![A journey through ML systems](progress/cover.svg)\n\n> Let's see how far I go\n\n"
                             "<!-- tracker:dashboard:start -->\n## Progress Dashboard")
    assert "gamified progress tracker" not in readme.split("<!-- tracker:dashboard:end -->")[0]
    assert git(fork, "log", "-1", "--format=%s").strip() == "init: my settings and my journey's README"
    committed = git(fork, "show", "--name-only", "--format=", "HEAD").split()
    assert {"README.md", "tracker.toml"} <= set(committed) <= {"README.md", "tracker.toml", "CAPTAINS_LOG.md",
                                                              "progress/activity.svg"}
    # The app sees the zone: a Californian evening is one day.
    status = run_tracker("status", cwd=fork, env={"TRACKER_NOW": "2026-03-03T05:30:00Z"})
    assert status.returncode == 0
    again = run_tracker("init", "--yes", cwd=fork, env={"TZ": "America/Los_Angeles", "EDITOR": "nano"})
    assert again.stdout.strip() == "already set up as asked"


def test_init_flags_change_only_their_keys_and_keep_the_learners_lines(fork):
    (fork / "tracker.toml").write_text("# my settings, by hand\n[tracker]\ndaily_goal = 45  # ambitious\n\n"
                                       "[grading]\ntimeout = 90\n")
    (fork / "README.md").write_text((fork / "README.md").read_text().replace(
        "**tracker** is a gamified progress tracker", "I wrote this opening myself. **tracker** is a gamified progress tracker"))
    git(fork, "remote", "add", "origin", str(fork.parent / "remote.git"))
    result = run_tracker("init", "--timezone", "Europe/Paris", "--editor", "code --wait", "--publish-solutions", cwd=fork)
    assert result.returncode == 0, result.stderr
    settings = (fork / "tracker.toml").read_text()
    assert settings.startswith("# my settings, by hand\n[tracker]\ndaily_goal = 45  # ambitious\n")
    assert 'timezone = "Europe/Paris"' in settings and 'editor = "code --wait"' in settings
    assert "[grading]\ntimeout = 90\n" in settings
    assert "push = true" in settings and "include_exercises = true" in settings  # a remote: pushing proposed
    assert "README.md" not in result.stdout.split(" written")[0]  # the README already had the learner's words


def test_init_rejects_an_unknown_zone_in_one_line(fork):
    result = run_tracker("init", "--timezone", "Mars/Olympus", cwd=fork)
    assert result.returncode == 2
    assert result.stderr.strip() == "tracker: unknown time zone 'Mars/Olympus' (use an IANA name such as Europe/Paris)"
    assert not (fork / "tracker.toml").exists()


def test_doctor_shows_the_zone_and_when_the_day_rolls_over(fork):
    (fork / "tracker.toml").write_text('[tracker]\ntimezone = "America/Los_Angeles"\n')
    result = run_tracker("doctor", cwd=fork, env={"TRACKER_NOW": "2026-03-03T06:30:00Z"})
    lines = {line[2:16].strip(): line[17:] for line in result.stdout.splitlines()}
    assert lines["time zone"].startswith("America/Los_Angeles (tracker.toml)")
    assert lines["time zone"].endswith("now 2026-03-02 22:30 there")
    assert lines["day"] == "today is 2026-03-02; it rolls over at 04:00 local time (2026-03-03 04:00, in 5 h 30 min)"
