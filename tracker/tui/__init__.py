"""The Textual app (the only package that imports Textual)."""


def run_app() -> None:
    from tracker.tui.app import build_app

    build_app().run()
