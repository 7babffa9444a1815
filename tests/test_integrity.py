"""A verdict cannot be forged by the learner's code: attacks written as learner files, graded the way a learner
grades (the real CLI in a scratch fork), each must exit non-zero and leave a tampered (or failed) attempt,
never a pass. Also: the seal and the signed channel on their own, and the record of where tests ran."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.grading import integrity
from tracker.grading import results as R
from tracker.grading.runner import Job, grade
from tracker.grading.worker import FORK_SAFE

from .conftest import PROJECT, run_tracker

ATTACKS = Path(__file__).parent / "attacks"
SOLUTION = (PROJECT / "graders/1.1/solutions/ex1_int8_quantization.py").read_text()
WRONG = SOLUTION.replace("amax / 127", "amax / 128")  # a wrong scale: every code and MSE check fails
STUB = "exercises/1.1/ex1_int8_quantization.py"

pytestmark = pytest.mark.slow


def attempts(repo: Path) -> list[dict]:
    out = []
    for path in sorted((repo / "journal").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            event = json.loads(line)
            if event.get("type") == "attempt":
                out.append(event)
    return out


def grade_attack(fork: Path, text: str):
    (fork / STUB).write_text(text)
    proc = run_tracker("grade", "1.1.1", "--device", "cpu")
    [attempt] = [a for a in attempts(fork) if a["exercise"] == "1.1.1"]
    return proc, attempt


ATTACKS_NAMED = {  # attack: what the verdict must name
    "grader_globals": "check_close",
    "snapshot_and_gradelib": "check_close",
    "writer_wrapper": "result writer",
    "writer_class": "_Writer.write",
    "hook_code": "pytest_runtest_makereport",
    "forged_channel": "not signed",
    "real_writer_lies": "wrote a result record itself",
}


@pytest.mark.parametrize("attack, named", list(ATTACKS_NAMED.items()))
def test_tampering_with_the_grading_machinery_is_recorded_as_tampered(fork, attack, named):
    proc, attempt = grade_attack(fork, WRONG + (ATTACKS / f"{attack}.py").read_text())
    assert proc.returncode != 0, proc.stdout
    assert attempt["status"] == R.TAMPERED
    assert "tampered" in proc.stdout and named in proc.stdout, proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


@pytest.mark.skipif(not FORK_SAFE, reason="the warm worker forks (Linux only)")
def test_the_warm_worker_catches_every_attack_the_cold_path_does(tmp_path):
    """Watch mode grades in children of a warm worker made ready before the save (collected and sealed,
    waiting), with the seal and the snapshot checked the quick way: every attack saved into the file is
    still caught, run after run, and an honest save after them still passes."""
    from tracker.grading.runner import prepare
    from tracker.grading.worker import WarmWorker

    grader = PROJECT / "graders/1.1/test_ex1_int8_quantization.py"
    path = tmp_path / "ex1_int8_quantization.py"
    job = Job("1.1.1", grader, path)
    worker = WarmWorker()
    try:
        for attack, text in [*((a, WRONG + (ATTACKS / f"{a}.py").read_text()) for a in ATTACKS_NAMED),
                             ("honest", SOLUTION)]:
            prepare([job], PROJECT, worker, device="cpu")
            assert worker.ready is not None
            path.write_text(text)  # the save, after the run was made ready
            [result] = grade([job], PROJECT, device="cpu", worker=worker)
            assert worker.ready is None  # the ready run graded it
            if attack == "honest":
                assert result.status == R.PASSED, result.message
            else:
                assert result.status == R.TAMPERED, (attack, result.status, result.message)
                assert ATTACKS_NAMED[attack] in result.message, (attack, result.message)
        assert worker.served == len(ATTACKS_NAMED) + 1  # all of them children of one warm worker
    finally:
        worker.close()


def test_a_skip_raised_by_learner_code_is_a_failure_not_a_missing_gpu(fork):
    proc, attempt = grade_attack(fork, SOLUTION + (ATTACKS / "learner_skip.py").read_text())
    assert proc.returncode != 0
    assert attempt["status"] == R.FAILED
    assert "your code skipped this check" in proc.stdout


def test_stopping_the_session_early_is_not_a_pass(fork):
    proc, attempt = grade_attack(fork, SOLUTION + (ATTACKS / "session_exit.py").read_text())
    assert proc.returncode != 0
    assert attempt["status"] == R.EXITED
    assert "checks ran" in proc.stdout


def test_an_honest_solution_is_not_tampered_and_records_where_it_ran(fork):
    proc, attempt = grade_attack(fork, SOLUTION)
    assert proc.returncode == 0, proc.stdout
    assert attempt["status"] == R.PASSED
    # A CPU run never claims anything else; each test says where the learner's tensors lived.
    assert attempt["device"] == "cpu" and attempt["device_name"].startswith("CPU")
    assert all(t["devices"] == ["cpu"] for t in attempt["tests"])
    status = json.loads(run_tracker("status", "--json").stdout)
    [shown] = [e for c in status["categories"] for m in c["modules"] for e in m["exercises"] if e["id"] == "1.1.1"]
    assert shown["state"] == "passed" and shown["graded_on"] == "cpu"


def test_a_quiz_records_no_tensor_device(tmp_path):
    """A test whose learner code touched no tensor records no device; the attempt says cpu, never cuda."""
    grader = PROJECT / "graders/1.1/test_ex3_accelerator_dtypes.py"
    solution = PROJECT / "graders/1.1/solutions/ex3_accelerator_dtypes.py"
    [result] = grade([Job("1.1.3", grader, solution)], PROJECT, device="auto")
    assert result.status == R.PASSED, result.message
    assert all(t.devices == [] for t in result.tests)
    assert result.device == "cpu"


# --- the pieces on their own ---------------------------------------------------------------------------


def test_channel_accepts_only_signed_records_in_order(tmp_path):
    key_file = integrity.write_key(tmp_path)
    key = key_file.read_bytes()
    signer = integrity.Signer(str(key_file))
    assert not key_file.exists()  # the child deletes the key as it reads it
    lines = [json.loads(signer.sign({"event": "start", "n": i})) for i in range(3)]
    channel = integrity.Channel(key)
    assert [channel.accept(r)["n"] for r in lines] == [0, 1, 2]
    replay = integrity.Channel(key)
    assert replay.accept(lines[0]) is not None and replay.accept(lines[0]) is None
    assert "replayed" in replay.problem
    edited = integrity.Channel(key)
    assert edited.accept({**lines[0], "n": 7}) is None and "not signed" in edited.problem


def test_seal_names_what_changed():
    import types

    module = types.ModuleType("graded")
    exec("def check(x):\n    return x\nCASES = [1, 2, 3]\nclass W:\n    def write(self):\n        return 1\n",
         module.__dict__)
    module.W.__module__ = "graded"
    seal = integrity.Seal()
    seal.add_namespace("graded", module, data=True)
    assert seal.broken() == []
    module.CASES.clear()
    module.check.__code__ = (lambda x: None).__code__
    module.W.write = lambda self: 2
    assert seal.broken() == ["graded.check", "graded.CASES", "graded.W.write"]


def _sealed_module():
    import types

    module = types.ModuleType("graded")
    exec(
        "import functools\n"
        "def check(x, tol=1e-6, *, rtol=None):\n    return x\n"
        "def plain(x):\n    return x\n"
        "def outer():\n    helper = plain\n    def inner(x):\n        return helper(x)\n    return inner\n"
        "closed = outer()\n"
        "CASES = [1, 2, 3]\n"
        "class W:\n"
        "    def write(self):\n        return 1\n"
        "    @staticmethod\n    def make():\n        return 1\n"
        "    @property\n    def size(self):\n        return 1\n",
        module.__dict__)
    module.W.__module__ = "graded"
    return module


def _rebind(m):
    m.plain = lambda x: 0


def _delete(m):
    del m.plain


def _new_code(m):
    m.plain.__code__ = (lambda x: 0).__code__


def _new_defaults(m):
    m.check.__defaults__ = (1e9,)


def _new_kwdefaults(m):
    m.plain.__kwdefaults__ = {"x": 0}


def _kwdefault_in_place(m):
    m.check.__kwdefaults__["rtol"] = m.plain


def _closure_cell(m):
    m.closed.__closure__[0].cell_contents = lambda x: 0


def _method(m):
    m.W.write.__code__ = (lambda self: 2).__code__


def _staticmethod_again(m):
    vars(m.W)["make"].__init__(lambda: 2)


def _property_again(m):
    vars(m.W)["size"].__init__(lambda self: 2)


def _data_in_place(m):
    m.CASES.append(4)


@pytest.mark.parametrize("change, named", [
    (_rebind, "graded.plain"), (_delete, "graded.plain"), (_new_code, "graded.plain"),
    (_new_defaults, "graded.check"), (_new_kwdefaults, "graded.plain"), (_kwdefault_in_place, "graded.check"),
    (_closure_cell, "graded.closed"), (_method, "graded.W.write"), (_staticmethod_again, "graded.W.make"),
    (_property_again, "graded.W.size"), (_data_in_place, "graded.CASES"),
])
def test_the_seals_quick_check_misses_nothing_the_full_one_sees(change, named):
    """After every test the seal is checked the quick way (identities at C speed); each kind of change
    must still be seen, and named."""
    module = _sealed_module()
    seal = integrity.Seal()
    seal.add_namespace("graded", module, data=True)
    assert seal.broken() == []
    assert seal.broken() == []  # the quick check, once built, passes an untouched namespace
    change(module)
    assert named in seal.broken()


def test_the_snapshots_quick_check_misses_nothing():
    """The sandbox's snapshot is checked before and after each of a grader's checks, the quick way: a
    replaced library function is still found and put back, a forbid guard is not a change, and neither
    is putting the original back when the guard goes."""
    import torch

    from tracker.grading import sandbox

    sandbox.reset()
    sandbox.take_snapshot()
    real_softmax, real_norm = torch.softmax, torch.Tensor.norm
    try:
        sandbox.verify()
        sandbox.verify()
        torch.softmax = lambda *a, **k: None
        with pytest.raises(sandbox.Tampered, match="torch.softmax"):
            sandbox.verify()
        assert torch.softmax is real_softmax  # put back
        sandbox.verify()
        forbid = sandbox.push_forbid(["torch.nn.functional.softmax"])
        sandbox.verify()  # the guard is allowed
        torch.Tensor.norm = lambda *a, **k: None
        with pytest.raises(sandbox.Tampered, match="torch.Tensor.norm"):
            sandbox.verify()
        assert torch.Tensor.norm is real_norm
        sandbox.pop_forbid(forbid)
        sandbox.verify()
        # A new attribute that shadows what the class inherits is a change too, and goes away.
        assert "add" not in vars(torch.Tensor)
        torch.Tensor.add = lambda *a, **k: None
        with pytest.raises(sandbox.Tampered, match="torch.Tensor.add"):
            sandbox.verify()
        assert "add" not in vars(torch.Tensor) and torch.ones(2).add(1).tolist() == [2.0, 2.0]
        sandbox.verify()
        # What shadows nothing is no change: pickling a tensor makes copyreg cache __slotnames__ on the class.
        import io
        torch.save(torch.ones(1), io.BytesIO())
        sandbox.verify()
        sandbox.verify()
    finally:
        torch.softmax, torch.Tensor.norm = real_softmax, real_norm
        sandbox.reset()


# --- forbidden means the kernel, not the name ------------------------------------------------------------

ALIASES = [
    # (exercise, learner file stem, attack, what the message must name)
    ("0.5.5", "0.5/ex5_attention_masks", "alias_sdpa_c_nn",
     "F.scaled_dot_product_attention is off-limits in this exercise (reached as torch._C._nn.scaled_dot_product_attention)"),
    ("0.5.5", "0.5/ex5_attention_masks", "alias_sdpa_aten",
     "F.scaled_dot_product_attention is off-limits in this exercise (reached as "
     "torch.ops.aten._scaled_dot_product_flash_attention_for_cpu"),
    ("0.6.1", "0.6/ex1_normalization_layers", "alias_layer_norm_aten",
     "torch.native_layer_norm is off-limits in this exercise (reached as torch.ops.aten.native_layer_norm.default)"),
    ("0.6.1", "0.6/ex1_normalization_layers", "alias_layer_norm_method",
     "F.layer_norm is off-limits in this exercise (reached as torch.ops.aten.layer_norm)"),
    ("0.7.3", "0.7/ex3_batchnorm_initialization", "alias_batch_norm_vf",
     "torch.batch_norm is off-limits in this exercise"),
]


def test_a_forbidden_operator_is_refused_under_any_alias(tmp_path):
    jobs = []
    for n, (exercise, stem, attack, _) in enumerate(ALIASES):
        folder, name = stem.split("/")
        path = tmp_path / attack / f"{name}.py"
        path.parent.mkdir()
        path.write_text((PROJECT / f"graders/{folder}/solutions/{name}.py").read_text()
                        + (ATTACKS / f"{attack}.py").read_text())
        jobs.append(Job(f"{exercise}#{n}", PROJECT / f"graders/{folder}/test_{name}.py", path))
    # One child per job, as the learner's runs would be (a grader module holds one learner file at a time).
    for job, (_, _, attack, named) in zip(jobs, ALIASES):
        [result] = grade([job], PROJECT, device="cpu")
        text = "\n".join(t.message for t in result.tests)
        assert result.status == R.FAILED, (attack, result.status, text)
        assert named in text, (attack, text)


def test_the_guards_do_not_trip_on_the_graders_own_references(tmp_path):
    """A grader's callback that the learner's code calls runs forbidden operators freely; only the
    learner's own calls are refused."""
    from tracker.grading import operators, sandbox

    import torch

    learner = tmp_path / "exercises" / "mine.py"
    learner.parent.mkdir()
    learner.write_text("def run(x, callback):\n    return callback(x)\n\n"
                       "def cheat(x):\n    return torch.ops.aten._softmax(x, 0, False)\n\nimport torch\n")
    sandbox.reset()
    forbid = sandbox.push_forbid(["torch.nn.functional.softmax"])
    try:
        module = sandbox.load_learner(learner)
        x = torch.randn(4)
        reference = module.run(x, lambda t: torch.softmax(t, 0))  # the grader's own code, called back
        assert torch.allclose(reference, torch.nn.functional.softmax(x, 0))
        with pytest.raises(sandbox.Forbidden, match=r"F.softmax is off-limits .*reached as torch.ops.aten._softmax"):
            module.cheat(x)
        assert sandbox.devices_seen == {"cpu"}
    finally:
        sandbox.pop_forbid(forbid)
        sandbox.reset()
    assert operators.aten_names()  # the dispatcher's op list is readable in this torch
