"""The device self-check and `tracker doctor`'s GPU line: a run on a machine without the device says so
and exits non-zero, a CPU run never claims CUDA, and verdicts that differ are listed in a table."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from tracker import doctor
from tracker.curriculum.loader import load
from tracker.grading import results as R
from tracker.grading.runner import Job, grade
from tracker.grading.selfcheck import Difference, compare_devices, print_differences

from .conftest import PROJECT, run_tracker

CURRICULUM = load(PROJECT / "curriculum.yaml").curriculum
QUIZ = CURRICULUM.exercise("1.4.1")  # a quiz: quick to grade


@pytest.fixture(scope="module")
def worker():
    from tracker.grading.worker import WarmWorker

    w = WarmWorker()
    yield w if w.usable() else None
    w.close()


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_selfcheck_on_an_absent_device_says_so_in_one_line():
    result = subprocess.run([sys.executable, "-m", "tracker.grading.selfcheck", "--device", "cuda"],
                            cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("CUDA is not available on this machine (torch ")
    assert len(result.stderr.strip().splitlines()) == 1 and not result.stdout


@pytest.mark.slow
@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_a_cpu_run_never_claims_cuda(worker):
    [result] = grade([Job(QUIZ.id, PROJECT / QUIZ.grader, PROJECT / QUIZ.solution)], PROJECT, device="cuda",
                     worker=worker)
    assert result.status == R.PASSED and result.device == "cpu" and "CUDA" not in result.device_name
    # Asked to compare with CUDA here, the self-check reports every file as graded on the CPU instead.
    differences = compare_devices(PROJECT, QUIZ, "cuda", worker)
    assert differences and all(d.device == "ran on cpu" for d in differences)
    assert {d.label for d in differences} >= {"stub", "reference"}


@pytest.mark.slow
def test_same_device_gives_the_same_verdicts(worker):
    assert compare_devices(PROJECT, QUIZ, "cpu", worker) == []


def test_differing_verdicts_are_printed_as_a_table(capsys):
    print_differences([Difference("0.5.4", "variant no_scale", "failed", "passed", "all checks passed")],
                      "cuda", compared=3, files=20)
    header, row, summary = capsys.readouterr().out.splitlines()
    assert header.split()[:4] == ["exercise", "file", "cpu", "cuda"]
    assert row.split()[:5] == ["0.5.4", "variant", "no_scale", "failed", "passed"]
    assert summary == "1 of 20 verdicts differ on cuda from the CPU (3 exercises)"
    print_differences([], "cuda", compared=3, files=20)
    assert capsys.readouterr().out.strip() == "3 exercises, 20 files: every verdict on cuda equals the CPU's"


def test_doctor_names_the_gpu_its_memory_and_the_exercises_on_it(monkeypatch):
    gradables = list(CURRICULUM.gradables())
    on_gpu = sum(e.gradable and e.device != "cpu" for e in gradables)
    total = sum(e.gradable for e in gradables)
    monkeypatch.setattr(doctor, "_probed", ["2.13.0", True, "NVIDIA GeForce RTX 3060 Ti", False, 8 * 2**30])
    assert doctor.gpu_line(gradables) == ("gpu", f"NVIDIA GeForce RTX 3060 Ti, 8.0 GiB; {on_gpu} of {total} "
                                                 "exercises grade on it", True)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_doctor_on_a_machine_without_a_gpu(fork):
    out = run_tracker("doctor").stdout
    [line] = [ln for ln in out.splitlines() if ln.split()[1:2] == ["gpu"]]
    assert "none:" in line and "grade on the CPU here" in line and "needs a GPU" in line
