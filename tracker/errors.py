"""The one exception type that the CLI turns into a one-line message and a non-zero exit."""


class TrackerError(Exception):
    """A problem the learner can act on; its text is shown as is, without a traceback."""
