
# Attack: the same, on the writer's class rather than its instance.
import tracker.grading.plugin as _plugin

_real_write = _plugin._Writer.write


def _always_passed(self, record):
    if record.get("event") == "test":
        record = {**record, "outcome": "passed", "message": ""}
    _real_write(self, record)


_plugin._Writer.write = _always_passed
