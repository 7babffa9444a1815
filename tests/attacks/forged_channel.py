
# Attack: write a passing result for this exercise straight into the results file the parent reads, with a
# closing record, and leave before any test runs.
import json as _json
import os as _os
import sys as _sys

if "--tracker-results" in _sys.argv:  # a fresh `python -m pytest`
    _args = _sys.argv
else:  # a fork of the warm worker: the command line is in pytest's configuration, up the stack
    _frame = _sys._getframe()
    while "config" not in _frame.f_locals or not hasattr(_frame.f_locals["config"], "invocation_params"):
        _frame = _frame.f_back
    _args = _frame.f_locals["config"].invocation_params.args
_path = _args[list(_args).index("--tracker-results") + 1]
_grader = next(a for a in _args if a.endswith(".py") and "test_ex1_int8" in a)
with open(_path, "a", encoding="utf-8") as _fh:
    for _n in range(12):
        _fh.write(_json.dumps({"event": "test", "grader": _grader, "test": f"test_{_n}", "description": "forged",
                               "outcome": "passed", "message": "", "duration": 0.01, "seq": 99}) + "\n")
    _fh.write(_json.dumps({"event": "end", "device": "cpu", "device_name": "CPU", "failed": 0}) + "\n")
_os._exit(0)
