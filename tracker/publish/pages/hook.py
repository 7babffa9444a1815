"""Where the site meets the rest of the tracker: ``tracker site``, the commit after each event (when
``[site] enabled = true``) and ``tracker sync``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

from tracker.config import site_dir
from tracker.curriculum.model import Curriculum, Exercise
from tracker.progress import rules
from tracker.publish.gitops import Renderer
from tracker.publish.pages import files as F
from tracker.publish.pages.build import Code, build
from tracker.store.journal import Event


def _code_source(repo: Path) -> Callable[[Exercise], Code | None]:
    def code(exercise: Exercise) -> Code | None:
        path = repo / exercise.stub  # type: ignore[operator]
        if not path.is_file():
            return None
        data = path.read_bytes()
        return Code(exercise.stub, data.decode("utf-8", "replace"), hashlib.sha256(data).hexdigest())  # type: ignore[arg-type]

    return code


def _edited_log_entries(repo: Path) -> dict[str, str]:
    """Entries of CAPTAINS_LOG.md the learner edited by hand: the site shows their words, not the journal's."""
    from tracker.publish import captains_log
    from tracker.publish.readme import LOG_PATH

    path = repo / LOG_PATH
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8")
    entries = captains_log.parse_entries(text)
    return {day: entries[day][1] for day in captains_log.edited_days(text)}


def pages(repo: Path, config, c: Curriculum, events: list[Event], settings: rules.Settings) -> dict[str, str]:
    """The site's files for this repository, keyed by their path inside the site's folder."""
    code = _code_source(repo) if config.git.include_exercises else None
    return build(c, events, settings, code=code, log_entries=_edited_log_entries(repo))


def build_into(repo: Path, config, c: Curriculum, events: list[Event], settings: rules.Settings) -> F.Written:
    """`tracker site`: write the site, remove its stale pages, keep every file that is not its own."""
    site = site_dir(config.site.dir)
    return F.apply(repo, site, F.plan(repo / site, pages(repo, config, c, events, settings)))


def _head_blobs(repo: Path, site: str) -> dict[str, str] | None:
    """Git's blob id of each committed file under the site's folder (None outside a repository)."""
    from tracker.publish import gitops

    if not gitops.is_repo(repo) or gitops.head(repo) is None:
        return None
    listing = gitops.out(repo, "ls-tree", "-r", "--full-tree", "HEAD", "--", site)
    blobs = {}
    for line in listing.splitlines():
        meta, _, path = line.partition("\t")
        blobs[path] = meta.split()[2]
    return blobs


def _blob_id(text: str) -> str:
    data = text.encode("utf-8")
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def renderers(repo: Path, config, c: Curriculum, events: list[Event], settings: rules.Settings,
              trusted: frozenset[str] = frozenset()) -> dict[str, Renderer]:
    """The site's pages as renderers for the commit made after each event; none unless the site is enabled.

    Only pages that differ from the committed or the working-tree version are handed over, so a day's
    commit touches a handful of files, not every page of a long journey.
    """
    if not config.site.enabled:
        return {}
    site = site_dir(config.site.dir)
    the_plan = F.plan(repo / site, pages(repo, config, c, events, settings), trusted=trusted)
    files = dict(the_plan.write)
    files[F.MANIFEST] = F.manifest_text(the_plan.write)
    committed = _head_blobs(repo, site)
    out: dict[str, Renderer] = {}
    for rel, text in files.items():
        path = f"{site}/{rel}"
        on_disk = repo / path
        fresh = on_disk.is_file() and on_disk.read_bytes() == text.encode("utf-8")
        if fresh and committed is not None and committed.get(path) == _blob_id(text):
            continue
        out[path] = lambda _current, text=text: text
    return out


def with_site(config, regenerate: Callable[[Path], dict[str, Renderer]], own_paths: tuple[str, ...],
              repo: Path) -> tuple[Callable[[Path], dict[str, Renderer]], tuple[str, ...]]:
    """For `tracker sync`: regenerate the site too in the replayed checkout, and count its files as the
    tracker's own when both sides changed them."""
    if not config.site.enabled:
        return regenerate, own_paths
    site = site_dir(config.site.dir)
    local = frozenset(F.read_manifest(repo / site))

    def both(worktree: Path) -> dict[str, Renderer]:
        from tracker.curriculum.loader import load
        from tracker.publish import gitops
        from tracker.store.journal import read_all

        files = regenerate(worktree)
        c = load(worktree / "curriculum.yaml").curriculum
        settings = rules.Settings(daily_goal=config.daily_goal, timezone=config.timezone)
        # Pages either machine's site wrote are the site's: the remote's manifest (just fetched), this
        # machine's, and the one the replay ended with.
        remote = gitops.git(repo, "show", f"FETCH_HEAD:{site}/{F.MANIFEST}", check=False)
        theirs = F.parse_manifest(remote.stdout.decode("utf-8", "replace")) if remote.returncode == 0 else {}
        trusted = local | frozenset(theirs) | frozenset(F.read_manifest(worktree / site))
        files.update(renderers(worktree, config, c, list(read_all(worktree / "journal")), settings, trusted))
        return files

    return both, own_paths + tuple(f"{site}/{rel}" for rel in local) + (f"{site}/{F.MANIFEST}",)
