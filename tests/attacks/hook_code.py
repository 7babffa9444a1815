
# Attack: swap the code of the plugin's report hook for one that records every test as passed.
import tracker.grading.plugin as _plugin

_real = _plugin.pytest_runtest_makereport


def _forged(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None
    if call.when == "teardown":
        _writer.write(  # noqa: F821 - the plugin's global: this code runs with the plugin's globals
            {"event": "test", "grader": str(item.path), "test": item.name, "description": "",
             "outcome": "passed", "message": "", "duration": 0.0, "devices": []})


_real.__code__ = _forged.__code__
