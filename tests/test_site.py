"""The progress site: built from the course and the journal alone, the same bytes every time, the
learner's own files in docs/ never touched, committed and pushed with the README, and checked in a real
browser (headless Chromium) from disk and from a local web server.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urldefrag, urlparse
from urllib.request import url2pathname

import pytest

from tracker.config import Config
from tracker.errors import TrackerError
from tracker.publish.pages import files as F
from tracker.publish.pages.build import build

from .browser import IDS_JS, LINKS_JS, Chromium, find_chromium
from .conftest import PROJECT, git, make_fork, run_tracker
from .test_publish import C, SETTINGS, journey
from .test_rules import attempt, ev

# --- the pages, from a history -------------------------------------------------------------------------


def test_same_history_gives_the_same_bytes_and_every_page():
    files = build(C, journey(), SETTINGS)
    assert files == build(C, list(reversed(journey())), SETTINGS)  # order of reading does not matter
    assert {"index.html", "journal.html", "topics.html", "papers.html", ".nojekyll", "assets/site.css",
            "assets/site.js", "assets/search-index.js", "days/2026-03-02.html", "days/2026-03-03.html",
            "modules/1.1.html", "modules/2.2.html"} <= set(files)
    assert len([f for f in files if f.startswith("modules/")]) == len(list(C.modules()))
    assert not [f for f in files if f.startswith("days/") and f not in ("days/2026-03-02.html", "days/2026-03-03.html")]


def test_day_page_says_what_was_passed_and_ticked_in_words():
    files = build(C, journey(), SETTINGS)
    first = files["days/2026-03-02.html"]
    assert "Implement symmetric and asymmetric INT8 quantization" in first and "<code>1.1.1</code>" in first
    assert "graded on CUDA" in first and "<code>0.5.1</code>" in first  # 0.5.1 passed on a GPU
    assert "<code>0.1.c1.1</code>" in first and "Vector operations, dot products, norms" in first
    assert "No captain&#39;s log entry" in first or "No captain's log entry" in first
    second = files["days/2026-03-03.html"]
    assert "Zero must be exact" in second and "Rounding ties" in second and "Per-channel" in second
    assert "Module 1.1 - Scales" in second
    assert "Done on my own" in second and "<code>0.3.5</code>" in second  # ticked by hand
    assert "Papers read" in second and "LoRA" in second
    assert 'href="../days/2026-03-02.html"' not in second and 'href="2026-03-02.html"' in second  # the pager


def test_module_page_shows_ticks_passes_with_device_and_date():
    files = build(C, journey(), SETTINGS)
    page = files["modules/0.5.html"]
    assert "passed on CUDA" in page and 'href="../days/2026-03-02.html">2026-03-02</a>' in page
    one = files["modules/1.1.html"]
    assert "passed on CPU" in one and 'id="1.1.c3.2"' in one
    assert one.count('class="mark done"') == 1  # only 1.1.1 is done in module 1.1
    zero = files["modules/0.1.html"]
    assert '<li id="0.1.c1.1" class="on">' in zero
    named = build(C, journey() + [attempt("2026-03-03 18:30", "0.5.2", tz="Europe/Paris", device="cuda",
                                          device_name="NVIDIA GeForce RTX 4090")], SETTINGS)
    assert "passed on CUDA (NVIDIA GeForce RTX 4090)" in named["modules/0.5.html"]


def test_overview_has_the_dashboard_and_a_heatmap_linking_days():
    page = build(C, journey(), SETTINGS)["index.html"]
    assert "Level" in page and "Streak" in page and "Day 2" in page
    assert page.count('<a href="days/') >= 4  # two heatmap cells and the latest days
    assert "<title>2026-03-03: " in page and "2026-03-04" not in page  # the heatmap ends on the last day
    assert "Pacing" not in page  # the course has no pacing plan


def test_pacing_shows_where_the_course_has_a_plan():
    from tracker.publish.pages import content as K

    class Paced(type(C)):
        def pacing_for(self, progress):
            return K.Pacing(f"Day {progress.day_number} of 180: on plan", [("Month 1", 30, 2)])

    paced = Paced.model_validate(C.model_dump())
    paced.index()
    page = build(paced, journey(), SETTINGS)["index.html"]
    assert "Day 2 of 180: on plan" in page and "<td>Month 1</td>" in page


def test_search_index_holds_concepts_checks_papers_and_days():
    text = build(C, journey(), SETTINGS)["assets/search-index.js"]
    rows = json.loads(text.removeprefix("window.TRACKER_INDEX = ").rstrip(";\n"))
    by_id = {row[1]: row for row in rows}
    assert by_id["1.1.c3.2"][:2] == ["concept", "1.1.c3.2"] and by_id["1.1.c3.2"][3] == "modules/1.1.html#1.1.c3.2"
    assert by_id["1.1.1"][0] == "check" and by_id["paper.lora"][3] == "papers.html#paper.lora"
    assert by_id["2026-03-03"][0] == "day" and "Zero must be exact" in by_id["2026-03-03"][4]
    assert "**" not in by_id["1.1.c3.2"][2]  # markdown marks are stripped from titles


def test_learner_markdown_is_rendered_and_raw_html_is_not():
    events = journey() + [ev("log", "2026-03-04 19:00", "UTC", date="2026-03-04", module="1.1", title="T",
                             progress="", insight="`q = round(x / s)` and <script>alert(1)</script>",
                             challenge="**hard**", next_steps="c")]
    page = build(C, events, SETTINGS)["days/2026-03-04.html"]
    assert "<code>q = round(x / s)</code>" in page and "<strong>hard</strong>" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_fenced_block_in_a_note_is_highlighted_once():
    from tracker.publish.pages.render import markdown

    html = str(markdown("```python\nscale = x.abs().max() / 127\n```\n"))
    assert html.startswith('<pre class="highlight"><code>') and html.count("<pre") == 1
    assert '<span class="mi">127</span>' in html


def test_a_regression_is_shown_on_its_day():
    events = journey() + [attempt("2026-03-05 18:00", "1.1.1", "failed", tz="Europe/Paris")]
    files = build(C, events, SETTINGS)
    assert "Failing again" in files["days/2026-03-05.html"]
    assert 'class="ex state-failed"' in files["modules/1.1.html"]


def test_hundred_eighty_days_make_a_page_each():
    from datetime import date, timedelta

    events = []
    for i in range(180):
        day = (date(2026, 1, 1) + timedelta(days=i)).isoformat()
        events.append(ev("log", f"{day} 19:00", "UTC", date=day, module="0.1", title=f"Day {i}", progress="",
                         insight=f"insight {i}", challenge="c", next_steps="n"))
    files = build(C, events, SETTINGS)
    assert len([f for f in files if f.startswith("days/")]) == 180
    assert "Day 180" in files["index.html"]


# --- the learner's files in the site's folder ---------------------------------------------------------


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def test_a_learners_files_are_never_overwritten_or_deleted(tmp_path: Path):
    docs = tmp_path / "docs"
    _write(docs, {"authoring-exercises.md": "# The manual\n", "index.html": "<p>my own page</p>\n",
                  "assets/site.css": "body{}\n"})
    pages = build(C, journey(), SETTINGS)
    done = F.apply(tmp_path, "docs", F.plan(docs, pages))
    assert sorted(done.kept) == ["docs/assets/site.css", "docs/index.html"]
    assert (docs / "index.html").read_text() == "<p>my own page</p>\n"
    assert (docs / "assets/site.css").read_text() == "body{}\n"
    assert (docs / "authoring-exercises.md").read_text() == "# The manual\n"
    assert (docs / "modules/1.1.html").read_text() == pages["modules/1.1.html"]
    manifest = F.read_manifest(docs)
    assert "index.html" not in manifest and "modules/1.1.html" in manifest and "authoring-exercises.md" not in manifest

    again = F.apply(tmp_path, "docs", F.plan(docs, pages))
    assert again.written == [] and again.removed == []  # the same history writes nothing

    # A page the site wrote and the learner then edited stays theirs; an unchanged page it no longer makes goes.
    (docs / "modules/1.1.html").write_text("edited by hand\n")
    smaller = {k: v for k, v in pages.items() if k != "days/2026-03-02.html"}
    later = F.apply(tmp_path, "docs", F.plan(docs, smaller))
    assert later.kept == ["docs/assets/site.css", "docs/index.html", "docs/modules/1.1.html"]
    assert later.removed == ["docs/days/2026-03-02.html"] and not (docs / "days/2026-03-02.html").exists()
    assert (docs / "modules/1.1.html").read_text() == "edited by hand\n"
    assert (docs / "days/2026-03-03.html").exists()


def test_a_manifest_that_is_not_the_sites_is_a_clear_error(tmp_path: Path):
    _write(tmp_path, {F.MANIFEST: "not json"})
    with pytest.raises(TrackerError, match=r"\.tracker-site\.json: not a site manifest"):
        F.plan(tmp_path, {"index.html": "x"})


@pytest.mark.parametrize("value", ["../elsewhere", "/srv/www", "", ".git/x"])
def test_site_dir_must_stay_inside_the_repository(tmp_path: Path, value: str):
    (tmp_path / "curriculum.yaml").write_text("")
    (tmp_path / "tracker.toml").write_text(f'[site]\nenabled = true\ndir = "{value}"\n')
    with pytest.raises(TrackerError, match=r"tracker.toml: \[site\] dir must be a folder inside the repository"):
        Config.load(tmp_path)


def test_site_settings_default_to_docs_and_off(tmp_path: Path):
    from tracker.publish.pages import hook

    (tmp_path / "curriculum.yaml").write_text("")
    config = Config.load(tmp_path)
    assert config.site.enabled is False and config.site.dir == "docs"
    assert hook.renderers(tmp_path, config, C, journey(), SETTINGS) == {}  # off: commits carry no site
    config.site.enabled = True
    assert "docs/index.html" in hook.renderers(tmp_path, config, C, journey(), SETTINGS)


# --- a fork with three days of history, through the real CLI ------------------------------------------

DAYS = ("2026-03-02T18:00:00Z", "2026-03-03T18:00:00Z", "2026-03-04T18:00:00Z")
MANUAL = "# The tool's manual\n\nLives in docs/ beside the site.\n"


@pytest.fixture(scope="module")
def journey_fork(tmp_path_factory: pytest.TempPathFactory):
    """A fork with the site enabled and solutions published, three days of study, pushed to a bare remote."""
    root = tmp_path_factory.mktemp("site")
    repo = make_fork(root / "fork")
    (repo / "tracker.toml").write_text('[site]\nenabled = true\n\n[git]\ninclude_exercises = true\n')
    (repo / "docs").mkdir()
    (repo / "docs/authoring-exercises.md").write_text(MANUAL)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "settings and the manual")
    bare = root / "remote.git"
    git(root, "init", "-q", "--bare", str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "push", "-q", "-u", "origin", "main")
    home = root / "home"
    home.mkdir()
    env = {"TRACKER_REPO": str(repo), "TRACKER_DATA": str(repo / ".tracker"), "HOME": str(home),
           "GIT_CONFIG_NOSYSTEM": "1", "NO_COLOR": "1", "GIT_AUTHOR_NAME": "Learner",
           "GIT_AUTHOR_EMAIL": "learner@example.com", "GIT_COMMITTER_NAME": "Learner",
           "GIT_COMMITTER_EMAIL": "learner@example.com", "TRACKER_DEVICE": "cpu"}

    def tracker(when: str, *args: str):
        done = run_tracker(*args, cwd=repo, env={**env, "TRACKER_NOW": when})
        assert done.returncode in (0, 1), done.stderr
        return done

    shutil.copy2(PROJECT / "graders/0.5/solutions/ex1_scaled_dot_product_attention.py",
                 repo / "exercises/0.5/ex1_scaled_dot_product_attention.py")
    graded = tracker(DAYS[0], "grade", "0.5.1")
    assert graded.returncode == 0, graded.stdout + graded.stderr
    tracker(DAYS[0], "check", "0.5.c1")
    tracker(DAYS[0], "log", "--module", "0.5", "--insight", "Softmax over the keys, not the queries",
            "--challenge", "Masks that broadcast", "--next", "Multi-head attention")
    tracker(DAYS[1], "check", "1.1.c3")
    tracker(DAYS[1], "log", "--module", "1.1", "--insight", "Zero-point keeps zero exact",
            "--challenge", "Rounding ties", "--next", "Per-channel scales")
    shutil.copy2(PROJECT / "graders/papers/solutions/lora.py", repo / "exercises/papers/lora.py")
    assert tracker(DAYS[2], "grade", "paper.lora").returncode == 0  # its quiz passed: the paper is read
    tracker(DAYS[2], "log", "--module", "1.1", "--title", "Reading LoRA", "--insight", "Low-rank updates",
            "--challenge", "The scaling factor alpha", "--next", "QLoRA")
    synced = tracker(DAYS[2], "sync")
    return {"repo": repo, "bare": bare, "env": env, "sync": synced, "tracker": tracker}


def tracker_in(journey_fork, repo: Path, *args: str):
    """`tracker ARGS` in another copy of the fork, on its last day."""
    env = {**journey_fork["env"], "TRACKER_REPO": str(repo), "TRACKER_DATA": str(repo / ".tracker"), "TRACKER_NOW": DAYS[2]}
    return run_tracker(*args, cwd=repo, env=env)


def test_the_site_is_committed_with_the_generated_files_and_pushed(journey_fork):
    repo, bare = journey_fork["repo"], journey_fork["bare"]
    assert "pushed" in journey_fork["sync"].stdout
    pushed = git(bare, "ls-tree", "-r", "--name-only", "main", "docs").split()
    assert {"docs/index.html", "docs/.nojekyll", "docs/days/2026-03-04.html", "docs/modules/1.1.html",
            "docs/assets/search-index.js", "docs/.tracker-site.json"} <= set(pushed)
    assert git(bare, "show", "main:docs/authoring-exercises.md") == MANUAL  # the manual is untouched
    assert git(repo, "status", "--porcelain", "docs") == ""  # nothing left uncommitted
    # The commit after the last log entry carried its day's page with the README.
    last = git(repo, "log", "-1", "--name-only", "--format=", "--", "docs/days/2026-03-04.html")
    assert "docs/days/2026-03-04.html" in last


def test_tracker_site_rebuilds_the_same_bytes(journey_fork):
    repo = journey_fork["repo"]
    before = {p: p.read_bytes() for p in (repo / "docs").rglob("*") if p.is_file()}
    done = journey_fork["tracker"](DAYS[2], "site")
    assert done.returncode == 0 and "docs/ is up to date" in done.stdout, done.stdout + done.stderr
    assert {p: p.read_bytes() for p in (repo / "docs").rglob("*") if p.is_file()} == before


def test_the_fork_site_says_what_happened(journey_fork):
    docs = journey_fork["repo"] / "docs"
    day1 = (docs / "days/2026-03-02.html").read_text()
    assert "Implement scaled dot-product attention" in day1 and "graded on CPU" in day1
    assert "Softmax over the keys, not the queries" in day1
    module = (docs / "modules/0.5.html").read_text()
    assert "passed on CPU" in module and "2026-03-02" in module
    assert "My code:" in module and 'class="highlight"' in module and "softmax" in module  # the learner's code
    assert "(changed since it passed)" not in module
    assert "Reading LoRA" in (docs / "days/2026-03-04.html").read_text()
    assert 'id="paper.lora" class="on"' in (docs / "papers.html").read_text()


def test_a_learners_own_page_in_docs_is_kept_by_the_cli(journey_fork, tmp_path: Path):
    repo = tmp_path / "copy"
    shutil.copytree(journey_fork["repo"], repo)
    (repo / "docs/journal.html").write_text("<p>mine</p>\n")
    done = tracker_in(journey_fork, repo, "site")
    assert done.returncode == 0, done.stderr
    assert "kept docs/journal.html" in done.stderr
    assert (repo / "docs/journal.html").read_text() == "<p>mine</p>\n"


def test_code_changed_since_its_pass_is_marked(journey_fork, tmp_path: Path):
    repo = tmp_path / "copy"
    shutil.copytree(journey_fork["repo"], repo)
    stub = repo / "exercises/0.5/ex1_scaled_dot_product_attention.py"
    stub.write_text(stub.read_text() + "\n# tidied after the pass\n")
    assert tracker_in(journey_fork, repo, "site").returncode == 0
    page = (repo / "docs/modules/0.5.html").read_text()
    assert "(changed since it passed)" in page and "tidied after the pass" in page


def test_a_log_entry_edited_by_hand_shows_the_learners_words(journey_fork, tmp_path: Path):
    repo = tmp_path / "copy"
    shutil.copytree(journey_fork["repo"], repo)
    log = repo / "CAPTAINS_LOG.md"
    log.write_text(log.read_text().replace("Zero-point keeps zero exact", "Zero-point keeps zero exact, *finally*"))
    assert tracker_in(journey_fork, repo, "site").returncode == 0
    page = (repo / "docs/days/2026-03-03.html").read_text()
    assert "Zero-point keeps zero exact, <em>finally</em>" in page


def test_sync_between_two_machines_merges_the_site(journey_fork, tmp_path: Path):
    """Both machines tick something and commit their site; the second sync is rejected, replays onto the
    first's commits and regenerates every page from the merged journal."""
    bare = tmp_path / "remote.git"
    shutil.copytree(journey_fork["bare"], bare)
    laptop = tmp_path / "laptop"
    shutil.copytree(journey_fork["repo"], laptop)
    git(laptop, "remote", "set-url", "origin", str(bare))
    desktop = tmp_path / "desktop"
    git(tmp_path, "clone", "-q", "-b", "main", str(bare), str(desktop))

    def on(repo: Path, *args: str):
        done = tracker_in(journey_fork, repo, *args)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    on(desktop, "check", "0.1.c1.1")
    on(laptop, "check", "1.1.c1")
    assert "pushed" in on(laptop, "sync")
    assert "pushed" in on(desktop, "sync")  # rejected first: the laptop's commit was there
    one = git(bare, "show", "main:docs/modules/0.1.html")
    two = git(bare, "show", "main:docs/modules/1.1.html")
    assert '<li id="0.1.c1.1" class="on">' in one and '<li id="1.1.c1" class="on">' in two
    day = git(bare, "show", "main:docs/days/2026-03-04.html")
    assert "<code>0.1.c1.1</code>" in day and "<code>1.1.c1</code>" in day
    manifest = F.parse_manifest(git(bare, "show", "main:docs/.tracker-site.json"))
    # Every page is still the site's on both machines (a page only the laptop changed included).
    assert {"modules/0.1.html", "modules/1.1.html", "days/2026-03-04.html", "index.html"} <= set(manifest)
    for repo in (desktop, laptop):
        if repo is laptop:
            git(laptop, "pull", "-q", "--ff-only")
        done = tracker_in(journey_fork, repo, "site")
        assert done.returncode == 0 and "kept" not in done.stderr, done.stderr
        assert "up to date" in done.stdout, done.stdout
    assert git(bare, "show", "main:docs/authoring-exercises.md") == MANUAL
    assert git(desktop, "status", "--porcelain") == ""


# --- in a real browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    chromium = Chromium(find_chromium())
    yield chromium
    chromium.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def served(journey_fork):
    """The fork served over HTTP on 127.0.0.1, the site under /docs/ as GitHub Pages serves /REPO/."""
    handler = functools.partial(_Quiet, directory=str(journey_fork["repo"]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/docs/"
    server.shutdown()
    server.server_close()


@pytest.fixture(params=["file", "http"])
def base(request, journey_fork) -> str:
    if request.param == "file":
        return (journey_fork["repo"] / "docs").as_uri() + "/"
    return request.getfixturevalue("served")


def _exists(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(url2pathname(parsed.path)).is_file()
    from urllib.request import urlopen

    with urlopen(url, timeout=10) as reply:  # only 127.0.0.1: the crawl never leaves the site
        return reply.status == 200


def crawl(browser: Chromium, base: str) -> tuple[set[str], list[str]]:
    """Load every page reachable from the overview; return the pages and every problem found."""
    queue, pages, problems = [base + "index.html"], set(), []
    anchors: list[tuple[str, str, str]] = []
    ids: dict[str, set[str]] = {}
    while queue:
        url = queue.pop(0)
        if url in pages:
            continue
        pages.add(url)
        browser.goto(url)
        problems += [f"{url}: {p}" for p in browser.problems()]
        ids[url] = set(json.loads(browser.eval(IDS_JS)))
        for link in json.loads(browser.eval(LINKS_JS)):
            target, fragment = urldefrag(link)
            if target.startswith("data:"):
                continue
            if not target.startswith(base):
                problems.append(f"{url}: links outside the site: {link}")
                continue
            target = target.split("?")[0]
            if target.endswith(".html"):
                if not _exists(target):
                    problems.append(f"{url}: broken link {link}")
                    continue
                queue.append(target)
                if fragment:
                    anchors.append((url, target, fragment))
            elif not _exists(target):
                problems.append(f"{url}: missing asset {link}")
    for source, target, fragment in anchors:
        if fragment not in ids.get(target, set()):
            problems.append(f"{source}: {target}#{fragment} has no such anchor")
    return pages, problems


def test_every_page_loads_without_errors_and_no_link_is_broken(browser, base, journey_fork):
    browser.emulate(1280, dark=False)
    pages, problems = crawl(browser, base)
    assert problems == []
    html = {p.relative_to(journey_fork["repo"] / "docs").as_posix()
            for p in (journey_fork["repo"] / "docs").rglob("*.html")}
    assert {page.removeprefix(base) for page in pages} == html  # every page is reachable from the overview
    assert {"index.html", "days/2026-03-03.html", "modules/1.1.html"} <= html


def test_a_search_for_a_concept_finds_its_page(browser, base):
    browser.goto(base + "days/2026-03-03.html")
    # The search box in the header of a day page sends the query to the topics page.
    browser.eval("document.getElementById('q-top').value = 'zero-point'; document.querySelector('form.search').submit()")
    browser.wait_for("Page.loadEventFired")
    assert browser.eval("location.pathname").endswith("/docs/topics.html")
    hits = json.loads(browser.eval("JSON.stringify(Array.from(document.querySelectorAll('#results-list a')).map(a => a.href))"))
    assert base + "modules/1.1.html#1.1.c3.2" in hits
    assert browser.eval("document.getElementById('archive').hidden") is True
    # Typing narrows it further, without a reload.
    browser.eval("const q = document.getElementById('q'); q.value = 'define zero-point'; q.dispatchEvent(new Event('input'))")
    hits = json.loads(browser.eval("JSON.stringify(Array.from(document.querySelectorAll('#results-list a')).map(a => a.href))"))
    assert hits == [base + "modules/1.1.html#1.1.c3.2"]
    browser.goto(hits[0])
    assert browser.eval("document.getElementById('1.1.c3.2').className") == "on"  # ticked on day 2
    assert browser.problems() == []


PAGES = {"overview": "index.html", "day": "days/2026-03-03.html", "module": "modules/0.5.html"}


@pytest.mark.parametrize("width,mobile", [(1280, False), (390, True)], ids=["desktop", "phone"])
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_screenshots_at_desktop_and_phone_widths_in_light_and_dark(browser, journey_fork, width, mobile, dark):
    base = (journey_fork["repo"] / "docs").as_uri() + "/"
    shots = Path(os.environ.get("TRACKER_SITE_SHOTS") or journey_fork["repo"].parent / "shots")
    browser.emulate(width, dark=dark, mobile=mobile)
    for name, page in PAGES.items():
        browser.goto(base + page)
        assert browser.problems() == []
        # Nothing wider than the window: no sideways scrolling on a phone.
        assert browser.eval("document.documentElement.scrollWidth") <= width, name
        background = browser.eval("getComputedStyle(document.body).backgroundColor")
        assert background == ("rgb(13, 17, 23)" if dark else "rgb(255, 255, 255)")
        path = shots / f"{name}-{'phone' if mobile else 'desktop'}-{'dark' if dark else 'light'}.png"
        browser.screenshot(path)
        assert path.stat().st_size > 10_000
