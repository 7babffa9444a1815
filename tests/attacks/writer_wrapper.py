
# Attack: wrap the grading plugin's result writer so that every test record says "passed".
import tracker.grading.plugin as _plugin

_real_write = _plugin._writer.write


def _always_passed(record):
    if record.get("event") == "test":
        record = {**record, "outcome": "passed", "message": ""}
    _real_write(record)


_plugin._writer.write = _always_passed
