"""The Textual app (the only package that imports Textual)."""


def run_app() -> None:
    from tracker.firstrun import needs_first_run
    from tracker.service import Tracker
    from tracker.tui.app import build_app

    with Tracker.open() as tracker:  # closing it ends the warm grading worker too
        tracker.loaded  # a curriculum that fails the cross-reference checks is refused before the app starts
        build_app(tracker, first_run=needs_first_run(tracker.repo, tracker.config.data_dir)).run()
