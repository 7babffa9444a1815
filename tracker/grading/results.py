"""Plain result types of a grading run (no storage, no UI)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# Outcome of one test of a grader.
PASSED = "passed"
FAILED = "failed"
NOT_STARTED = "not_started"
NEEDS_GPU = "needs_gpu"
ERROR = "error"  # the grader itself broke, not the learner's code
TAMPERED = "tampered"  # the grading machinery was changed while the learner's code ran: never a verdict

# Status of a whole exercise: the test outcomes above, plus what the runner saw happen to the child.
TIMEOUT = "timeout"
CRASHED = "crashed"
MEMORY = "memory"
OUTPUT = "output"
EXITED = "exited"
COMING_SOON = "coming_soon"

PROCESS_FAILURES = (TIMEOUT, CRASHED, MEMORY, OUTPUT, EXITED)

STATUS_LABELS = {
    PASSED: "passed",
    FAILED: "failed",
    NOT_STARTED: "not started",
    NEEDS_GPU: "needs a GPU",
    ERROR: "grader error",
    TAMPERED: "tampered",
    TIMEOUT: "timed out",
    CRASHED: "crashed",
    MEMORY: "out of memory",
    OUTPUT: "too much output",
    EXITED: "exited early",
    COMING_SOON: "coming soon",
}


@dataclass
class TestResult:
    """One check of a grader, as the learner sees it."""

    name: str  # the test function's name
    description: str  # what the check verifies, from the test's docstring
    outcome: str
    message: str = ""
    duration: float = 0.0
    devices: list[str] = field(default_factory=list)  # where the learner's tensors lived during this test


@dataclass
class ExerciseResult:
    """Everything one grading of one exercise produced."""

    exercise_id: str
    status: str
    tests: list[TestResult] = field(default_factory=list)
    message: str = ""  # a process-level explanation (timeout, crash) or a summary
    device: str = ""
    device_name: str = ""
    duration: float = 0.0  # seconds the checks ran
    wall: float = 0.0  # seconds the learner waited for the verdict, start-up included
    grader_hash: str = ""
    learner_hash: str = ""
    grader_modified: bool = False
    output: str = ""  # what the child printed (shown with --verbose)

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @property
    def counts(self) -> tuple[int, int]:
        """(passed checks, checks that count) where checks that need a missing GPU do not count."""
        counted = [t for t in self.tests if t.outcome != NEEDS_GPU]
        return sum(t.outcome == PASSED for t in counted), len(counted)

    def checks_text(self) -> str:
        """"2 of 5 checks pass", or "" when nothing was checked."""
        passed, total = self.counts
        if not total:
            return ""
        return f"{passed} of {total} check{'s' if total != 1 else ''} pass{'es' if total == 1 else ''}"

    def timing_text(self) -> str:
        """Test time beside the time the learner waited: "tests 0.2 s, 1.3 s in all"."""
        if not self.tests and not self.wall:
            return ""
        parts = [f"tests {self.duration:.1f} s"] if self.tests else []
        if self.wall:
            parts.append(f"{self.wall:.1f} s in all")
        return ", ".join(parts)

    def to_dict(self) -> dict:
        return asdict(self)


def summarize(outcomes: list[str]) -> str:
    """The status of an exercise from the outcomes of its tests."""
    if not outcomes:
        return ERROR
    if any(o == ERROR for o in outcomes):
        return ERROR
    counted = [o for o in outcomes if o != NEEDS_GPU]
    if not counted:
        return NEEDS_GPU
    if all(o == NOT_STARTED for o in counted):
        return NOT_STARTED
    if all(o == PASSED for o in counted):
        return PASSED
    return FAILED


def failing_first(tests: list[TestResult]) -> list[TestResult]:
    """The checks to read first first: failures and errors, then the rest, each in grader order."""
    return sorted(tests, key=lambda t: t.outcome == PASSED)
