"""Bad input from the learner's side: every bad value in tracker.toml, and a day that is not a day, is one
line naming the file, the key and what it must be; nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.config import Config
from tracker.errors import TrackerError

from .conftest import git, run_tracker

BAD_SETTINGS = [
    ('[grading]\ntimeout = "soon"\n',
     'tracker.toml: [grading] timeout must be a number of seconds above 0 (at most 86,400), not "soon"'),
    ("[tracker]\ndaily_goal = [1, 2]\n",
     "tracker.toml: [tracker] daily_goal must be a whole number of XP from 1 to 100,000, not [1, 2]"),
    ('[store]\nurl = "mongodb://localhost/progress"\n',
     'tracker.toml: [store] url must be a SQLAlchemy URL such as "sqlite:///path/to/tracker.db" or '
     '"postgresql://host/db", not "mongodb://localhost/progress"'),
    ("[grading]\nmemory_mb = -512\n",
     "tracker.toml: [grading] memory_mb must be a whole number of megabytes from 64 to 1,048,576, not -512"),
    ("[tracker]\ndaily_goal = -1\n", "tracker.toml: [tracker] daily_goal must be a whole number of XP from 1 to 100,000, not -1"),
    ("[grading]\ntimeout = -3.5\n", "tracker.toml: [grading] timeout must be a number of seconds above 0 (at most 86,400), not -3.5"),
    ("[grading]\njobs = true\n",
     "tracker.toml: [grading] jobs must be a whole number of grading children (0: one per core) from 0 to 1,024, not true"),
    ('[grading]\ndevice = "tpu"\n', 'tracker.toml: [grading] device must be "auto", "cuda", "mps" or "cpu", not "tpu"'),
    ('[git]\ncommit = "always"\n', 'tracker.toml: [git] commit must be "event", "session" or "off", not "always"'),
    ('[git]\npush = "yes"\n', 'tracker.toml: [git] push must be true or false, not "yes"'),
    ('[tracker]\ntimezone = "Mars/Olympus"\n',
     'tracker.toml: [tracker] timezone must be an IANA time zone name such as "Europe/Paris", not "Mars/Olympus"'),
    ('grading = 5\n', "tracker.toml: grading must be a table ([grading] followed by its keys), not 5"),
    ("[grading]\ntimeout = soon\n", "tracker.toml:2:11: not valid TOML: Invalid value"),
    ('[grading]\ntimeout = "soon"\nthreads = 0\n',
     'tracker.toml: [grading] timeout must be a number of seconds above 0 (at most 86,400), not "soon" (and 1 more)'),
]


@pytest.mark.parametrize("text,expected", BAD_SETTINGS, ids=[e.split(":", 1)[1][:40] for _, e in BAD_SETTINGS])
def test_every_bad_setting_is_one_line_naming_the_file_and_key(fork, text, expected):
    (fork / "tracker.toml").write_text(text)
    with pytest.raises(TrackerError) as caught:
        Config.load(fork)
    assert str(caught.value) == expected


def test_unknown_settings_are_warned_about_and_ignored(fork):
    (fork / "tracker.toml").write_text("[grading]\ntimout = 5\n[colours]\ntheme = 1\n")
    config = Config.load(fork)
    assert config.warnings == [
        "tracker.toml: [grading] timout is not a setting (known: timeout, memory_mb, output_kb, device, threads, jobs); it is ignored",
        "tracker.toml: [colours] is not a section of the settings ([tracker], [grading], [git], [site], [course], [store]); it is ignored",
    ]
    assert config.grading.timeout == 60.0


def test_the_local_settings_file_is_named_in_its_errors(fork):
    (fork / "tracker.toml").write_text("[grading]\ntimeout = 30\n")
    (fork / ".tracker").mkdir(exist_ok=True)
    (fork / ".tracker" / "tracker.toml").write_text("[grading]\ntimeout = 0\n")
    with pytest.raises(TrackerError, match=r"^\.tracker/tracker\.toml: \[grading\] timeout must be"):
        Config.load(fork)


def test_through_the_cli_a_bad_setting_is_one_line_and_exit_2_and_a_typo_a_warning(fork):
    (fork / "tracker.toml").write_text('[grading]\ntimeout = "soon"\n')
    done = run_tracker("status")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == 'tracker: tracker.toml: [grading] timeout must be a number of seconds above 0 (at most 86,400), not "soon"\n'
    (fork / "tracker.toml").write_text("[tracker]\ndaly_goal = 10\n")
    done = run_tracker("status")
    assert done.returncode == 0
    assert done.stderr.splitlines()[0] == (
        "tracker: tracker.toml: [tracker] daly_goal is not a setting (known: timezone, daily_goal, editor); it is ignored")


@pytest.mark.parametrize("day", ["not-a-date", "2026-13-45", "2026-02-30", "26-3-2", ""])
def test_a_log_date_that_is_not_a_day_is_refused_and_nothing_is_written(fork: Path, day):
    head = git(fork, "rev-parse", "HEAD")
    log = fork / "CAPTAINS_LOG.md"
    before = log.read_bytes() if log.exists() else None
    done = run_tracker("log", "--date", day, "--insight", "i", "--challenge", "c", "--next", "n")
    assert done.returncode == 2
    assert done.stderr == f"tracker: {day!r} is not a day: write it as YYYY-MM-DD, such as 2026-03-02\n"
    assert git(fork, "rev-parse", "HEAD") == head
    assert not (fork / "journal").exists() or not any((fork / "journal").glob("*.jsonl"))
    assert (log.read_bytes() if log.exists() else None) == before


def test_a_real_day_is_logged(fork: Path):
    done = run_tracker("log", "--date", "2026-03-02", "--insight", "Fused kernels", "--challenge", "c", "--next", "n")
    assert done.returncode == 0, done.stderr
    assert "logged 2026-03-02" in done.stdout
