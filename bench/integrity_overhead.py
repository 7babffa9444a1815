"""Benchmark: what the integrity machinery costs a correct solution's grading (the signed channel, the seal
checked after every test, the operator guards while the learner's functions run, the device notes).

The baseline is the tracker of an earlier revision (``main`` unless given), measured in the same run: both
grade the same reference solutions of exercises that forbid torch routines, alternating, each in a fresh
cold child. Reported: the median of the time spent in the tests and of the wall time, and their ratios.
Usage: python bench/integrity_overhead.py [runs] [revision]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import PROJECT, fmt, median

EXERCISES = [
    ("0.5.5", "0.5", "ex5_attention_masks"),
    ("0.6.1", "0.6", "ex1_normalization_layers"),
    ("0.7.3", "0.7", "ex3_batchnorm_initialization"),
    ("0.9.2", "0.9", "ex2_hessian_top_eigenvalue"),
    ("1.1.1", "1.1", "ex1_int8_quantization"),
]

CHILD = """
import json, sys, time
from pathlib import Path
from tracker.grading.runner import Job, grade
repo = Path(sys.argv[1])
jobs = [Job(e, repo / f"graders/{m}/test_{s}.py", repo / f"graders/{m}/solutions/{s}.py") for e, m, s in json.loads(sys.argv[2])]
start = time.perf_counter()
results = [grade([job], repo, device="cpu")[0] for job in jobs]
wall = time.perf_counter() - start
print(json.dumps({"wall": wall, "tests": sum(t.duration for r in results for t in r.tests),
                  "status": [r.status for r in results]}))
"""


def measure(code_root: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    out = subprocess.run([sys.executable, "-c", CHILD, str(PROJECT), json.dumps(EXERCISES)], env=env,
                         capture_output=True, text=True, check=True, cwd=code_root)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    revision = sys.argv[2] if len(sys.argv) > 2 else "main"
    before = Path(tempfile.mkdtemp(prefix="tracker-before-"))
    archive = subprocess.run(["git", "archive", revision, "tracker"], cwd=PROJECT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(before)], input=archive.stdout, check=True)
    rows: dict[str, list[dict]] = {"before": [], "after": []}
    for _ in range(runs):
        rows["before"].append(measure(before))
        rows["after"].append(measure(PROJECT))
    for name in ("before", "after"):
        statuses = rows[name][0]["status"]
        print(f"{name:6}: {statuses.count('passed')}/{len(statuses)} passed, in tests "
              f"{fmt(median([r['tests'] for r in rows[name]]))}, wall {fmt(median([r['wall'] for r in rows[name]]))} "
              f"(median of {runs})")
    tests = median([r["tests"] for r in rows["after"]]) / median([r["tests"] for r in rows["before"]])
    wall = median([r["wall"] for r in rows["after"]]) / median([r["wall"] for r in rows["before"]])
    print(f"ratio after/before: in tests {tests:.2f}x, wall {wall:.2f}x (target: in tests under 1.15x)")


if __name__ == "__main__":
    main()
