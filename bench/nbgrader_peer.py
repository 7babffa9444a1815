"""Benchmark 3: the same exercise (0.5.1, scaled dot-product attention) graded by nbgrader's autograde, the
tool a learner would otherwise use, beside tracker's cold and warm grading.

nbgrader lives in the benchmark's own environment (bench/.venv-nbgrader, made on first use with
`pip install torch==2.13.0 nbgrader`, or pass --nbgrader-python). The notebook holds the reference
solution and test cells that check what the tracker's grader checks (outputs and weights against
F.scaled_dot_product_attention with no mask, boolean, additive and causal masks, zeros for fully masked rows,
gradients). Targets: tracker at least 30x faster warm and at least 2x faster cold.
Usage: python bench/nbgrader_peer.py [runs] [--nbgrader-python PATH]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import PROJECT, fmt, fork, median

EXERCISE = "0.5.1"
SOLUTION = PROJECT / "graders/0.5/solutions/ex1_scaled_dot_product_attention.py"

TESTS = r'''
import torch, torch.nn.functional as F
g = torch.Generator().manual_seed(0)
def rand(*shape): return torch.randn(*shape, generator=g, dtype=torch.float64)
q, k, v = rand(2, 3, 5, 8), rand(2, 3, 7, 8), rand(2, 3, 7, 4)
eye = torch.eye(7, dtype=torch.float64).expand(2, 3, 7, 7)
def check(mask=None, causal=False, qq=q, kk=k, vv=v):
    out, w = scaled_dot_product_attention(qq, kk, vv, mask=mask, is_causal=causal)
    ref = F.scaled_dot_product_attention(qq, kk, vv, attn_mask=mask, is_causal=causal)
    ref_w = F.scaled_dot_product_attention(qq, kk, eye[..., : kk.shape[-2], : kk.shape[-2]], attn_mask=mask, is_causal=causal)
    assert out.shape == ref.shape and w.shape == ref_w.shape
    assert torch.allclose(out, ref, rtol=1e-4, atol=1e-5)
    assert torch.allclose(w, ref_w, rtol=1e-4, atol=1e-5)
check()
check(mask=torch.rand(5, 7, generator=g) > 0.3)
check(mask=rand(5, 7))
square = rand(2, 3, 6, 8)
check(causal=True, qq=square, kk=square, vv=rand(2, 3, 6, 4))
full = torch.ones(5, 7, dtype=torch.bool); full[2] = False
out, w = scaled_dot_product_attention(q, k, v, mask=full)
assert torch.all(out[..., 2, :] == 0) and torch.all(w[..., 2, :] == 0) and not torch.isnan(out).any()
qg, kg, vg = (t.clone().requires_grad_(True) for t in (q, k, v))
scaled_dot_product_attention(qg, kg, vg)[0].sum().backward()
qr, kr, vr = (t.clone().requires_grad_(True) for t in (q, k, v))
F.scaled_dot_product_attention(qr, kr, vr).sum().backward()
assert torch.allclose(qg.grad, qr.grad, rtol=1e-4, atol=1e-5) and torch.allclose(vg.grad, vr.grad, rtol=1e-4, atol=1e-5)
'''


def cell(source: str, meta: dict) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {"nbgrader": {"schema_version": 3, **meta}},
            "outputs": [], "source": source}


def notebook(solution: str) -> dict:
    return {
        "cells": [
            cell("### BEGIN SOLUTION\n" + solution + "\n### END SOLUTION\n",
                 {"grade": False, "grade_id": "solution", "locked": False, "solution": True, "task": False}),
            cell(TESTS, {"grade": True, "grade_id": "tests", "locked": True, "points": 6, "solution": False, "task": False}),
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def nbgrader_python(argv: list[str]) -> Path:
    if "--nbgrader-python" in argv:
        return Path(argv[argv.index("--nbgrader-python") + 1])
    venv = Path(__file__).parent / ".venv-nbgrader"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "torch==2.13.0"], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "nbgrader"], check=True)
    return python


def course(python: Path) -> tuple[Path, dict]:
    root = Path(tempfile.mkdtemp(prefix="nbgrader-bench-"))
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        "c.CourseDirectory.course_id = 'bench'\n"
        "c.ExecutePreprocessor.timeout = 300\n"
    )
    source = root / "source" / "ps1"
    source.mkdir(parents=True)
    nb = notebook(SOLUTION.read_text())
    (source / "attention.ipynb").write_text(json.dumps(nb))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / ".jupyter"), "JUPYTER_DATA_DIR": str(root / ".jupyter-data"),
           "PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # nbgrader runs its own tools
    nbgrader = [str(python), "-m", "nbgrader"]
    subprocess.run([*nbgrader, "db", "student", "add", "student1"], cwd=root, env=env, check=True, capture_output=True)
    subprocess.run([*nbgrader, "generate_assignment", "ps1", "--force"], cwd=root, env=env, check=True, capture_output=True)
    submitted = root / "submitted" / "student1" / "ps1"
    submitted.mkdir(parents=True)
    shutil.copy(source / "attention.ipynb", submitted / "attention.ipynb")
    (submitted / "timestamp.txt").write_text("2026-01-01 12:00:00 UTC")
    return root, env


def autograde(python: Path, root: Path, env: dict) -> float:
    start = time.perf_counter()
    done = subprocess.run([str(python), "-m", "nbgrader", "autograde", "ps1", "--student", "student1", "--force"],
                          cwd=root, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"nbgrader autograde failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return elapsed


def tracker_times(runs: int) -> tuple[float, float]:
    """(cold, warm) medians of grading 0.5.1's reference through the tracker's service."""
    from tracker.service import Tracker

    repo = fork(with_solutions=True)
    with Tracker.open(repo) as tracker:
        exercise = tracker.exercise(EXERCISE)
        cold = []
        for _ in range(runs):
            start = time.perf_counter()
            tracker.grade([exercise], device="cpu", publish=False)
            cold.append(time.perf_counter() - start)
        worker = tracker.warm()
        worker.start()
        tracker.grade([exercise], device="cpu", worker=worker, publish=False)
        warm = []
        for _ in range(runs):
            start = time.perf_counter()
            tracker.grade([exercise], device="cpu", worker=worker, publish=False)
            warm.append(time.perf_counter() - start)
    return median(cold), median(warm)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 5
    python = nbgrader_python(sys.argv)
    root, env = course(python)
    autograde(python, root, env)  # warm the file cache
    peer = median([autograde(python, root, env) for _ in range(runs)])
    cold, warm = tracker_times(runs)
    print(f"nbgrader autograde of {EXERCISE} (reference solution), median of {runs}: {fmt(peer)}")
    print(f"tracker grade, cold: {fmt(cold)} ({peer / cold:.1f}x faster; target >= 2x)")
    print(f"tracker grade, warm worker: {fmt(warm)} ({peer / warm:.1f}x faster; target >= 30x)")


if __name__ == "__main__":
    main()
