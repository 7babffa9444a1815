"""tracker: a gamified progress tracker with auto-graded exercises for a self-study ML curriculum."""

__version__ = "0.1.0"
