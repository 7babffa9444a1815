
# Attack: write a passing result for this exercise straight into the results file the parent reads, with a
# closing record, and leave before any test runs.
import json as _json
import os as _os
import sys as _sys

_path = _sys.argv[_sys.argv.index("--tracker-results") + 1]
_grader = next(a for a in _sys.argv if a.endswith(".py") and "test_ex1_int8" in a)
with open(_path, "a", encoding="utf-8") as _fh:
    for _n in range(12):
        _fh.write(_json.dumps({"event": "test", "grader": _grader, "test": f"test_{_n}", "description": "forged",
                               "outcome": "passed", "message": "", "duration": 0.01, "seq": 99}) + "\n")
    _fh.write(_json.dumps({"event": "end", "device": "cpu", "device_name": "CPU", "failed": 0}) + "\n")
_os._exit(0)
