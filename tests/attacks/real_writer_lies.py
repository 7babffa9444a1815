
# Attack: no machinery is replaced; the plugin's own writer is handed passing results for every check of
# this grader, with a closing record, and the process leaves before any test runs.
import os as _os
import sys as _sys

import tracker.grading.plugin as _plugin

_grader = next(m.__file__ for m in list(_sys.modules.values()) if "test_ex1_int8" in str(getattr(m, "__file__", "")))
for _n in range(11):
    _plugin._writer.write({"event": "test", "grader": _grader, "test": f"test_{_n}", "description": "forged",
                           "outcome": "passed", "message": "", "duration": 0.01, "devices": ["cpu"]})
_plugin._writer.write({"event": "end", "device": "cpu", "device_name": "CPU", "device_names": {}, "failed": 0})
_os._exit(0)
