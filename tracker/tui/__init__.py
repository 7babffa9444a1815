"""The Textual app (the only package that imports Textual)."""


def make_app():
    """The app as ``tracker`` starts it, with the tracker it closes when done (the benchmark starts the same)."""
    from tracker.firstrun import needs_first_run
    from tracker.service import Tracker
    from tracker.tui.app import build_app

    tracker = Tracker.open()
    try:
        tracker.loaded  # a curriculum that fails the cross-reference checks is refused before the app starts
        return tracker, build_app(tracker, first_run=needs_first_run(tracker.repo, tracker.config.data_dir))
    except BaseException:
        tracker.close()
        raise


def run_app() -> None:
    tracker, app = make_app()
    with tracker:  # closing it ends the warm grading worker too
        app.run()
