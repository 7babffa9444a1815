
# Attack: rebind the checks in the grader module's own globals (what `from gradelib import check_close`
# bound there), so that every comparison the grader makes succeeds. gradelib itself is left alone.
import sys as _sys


def _accept(*args, **kwargs):
    return None


for _module in list(_sys.modules.values()):
    _file = str(getattr(_module, "__file__", "") or "")
    if _file.rsplit("/", 1)[-1].startswith("test_") and hasattr(_module, "check_close"):
        for _check in ("check_close", "check_number", "check_true", "check_shape"):
            if hasattr(_module, _check):
                setattr(_module, _check, _accept)
