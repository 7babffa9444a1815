"""The classic device mistakes are caught and named on a machine without a GPU: a tensor created on the CPU
from a device input, a hard-coded device, a host sync in a hot loop; and the grading settings that keep
verdicts equal across devices are in force."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
import torch

from tracker.grading import sandbox

from .conftest import PROJECT

sys.path.insert(0, str(PROJECT / "graders"))
from gradelib import devices  # noqa: E402


def learner(tmp_path: Path, source: str):
    """A learner's file under exercises/, imported the way graders import it."""
    path = tmp_path / "exercises" / "0.0" / "ex1_device.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("import torch\n" + textwrap.dedent(source).lstrip("\n"))
    return sandbox.load_learner(path)


X = torch.arange(12, dtype=torch.float32).reshape(3, 4)


def failure(fn, *args, **kwargs) -> str:
    with pytest.raises(devices.DeviceMistake) as info:
        devices.check_follows_device(fn, *args, **kwargs)
    return str(info.value)


def test_tensor_created_without_the_input_device_is_named_with_its_line(tmp_path):
    m = learner(tmp_path, """
        def center(x):
            mean = torch.zeros(x.shape[1])
            mean += x.mean(0)
            return x - mean
    """)
    text = failure(m.center, X)
    assert "line 3 of ex1_device.py (in center)" in text
    assert "torch.zeros creates a tensor on the CPU" in text and "device=x.device" in text


@pytest.mark.parametrize("body, named", [
    # torch itself lets these meet meta tensors; a GPU refuses them.
    ("    w = torch.ones(4, 2)\n    return x @ w\n", "line 6 of ex1_device.py (in f): torch.ones creates a tensor on the CPU"),
    ("    m = torch.zeros(4)\n    m.add_(x.mean(0))\n    return x - 1\n", "line 6 of ex1_device.py (in f): torch.zeros"),
    ("    return torch.nn.functional.linear(x, W)\n", "line 6 of ex1_device.py (in f): torch.linear mixes a tensor on the CPU"),
])
def test_a_cpu_tensor_that_meets_the_input_is_named_even_where_meta_allows_it(tmp_path, body, named):
    m = learner(tmp_path, "W = torch.ones(2, 4)\n\n\ndef f(x):\n" + body)
    assert named in failure(m.f, X)


def test_code_that_needs_values_is_followed_on_the_cpu(tmp_path):
    # .item() cannot run on the meta device; the same mistake is still found, at the same line.
    m = learner(tmp_path, """
        def scale_rows(x):
            peak = float(x.abs().max())
            weights = torch.arange(x.shape[0]).float()
            return x / peak * weights[:, None]
    """)
    text = failure(m.scale_rows, X)
    assert "line 4 of ex1_device.py (in scale_rows)" in text and "torch.arange creates a tensor on the CPU" in text


@pytest.mark.parametrize("body", [
    "    return x * torch.ones(x.shape[1], device=x.device)\n",
    "    return x * torch.ones_like(x)\n",
    "    return x * torch.tensor([1.0, 2.0, 3.0, 4.0]).to(x.device)\n",
    "    return x * torch.tensor(2.0)\n",  # a 0-d CPU tensor mixes with any device, as on a GPU
    "    return x[torch.arange(2)] * float(x.max())\n",  # indexing with CPU indices works on a GPU too
    "    w = torch.linspace(0, 1, x.shape[1], device=x.device)\n    return x * w * float(x.sum())\n",
])
def test_code_that_follows_the_input_device_passes(tmp_path, body):
    m = learner(tmp_path, "def f(x):\n" + body)
    devices.check_follows_device(m.f, X)


@pytest.mark.parametrize("line, named", [
    ("x = x.cuda()", ".cuda() hard-codes the device 'cuda'"),
    ("x = x.to('cuda')", ".to() hard-codes the device 'cuda'"),
    ("x = x.to(torch.device('cuda', 0))", ".to() hard-codes the device 'cuda'"),
    ("x = x + torch.ones(4, device='cuda')", "torch.ones hard-codes the device 'cuda'"),
    ("x = x.to(device='mps')", ".to() hard-codes the device 'mps'"),
])
def test_hard_coded_device_is_named_before_it_fails(tmp_path, line, named):
    m = learner(tmp_path, f"def f(x):\n    {line}\n    return x * 2\n")
    text = failure(m.f, X)
    assert named in text and "line 3 of ex1_device.py (in f)" in text, text


def test_hard_coded_device_in_code_that_needs_values(tmp_path):
    m = learner(tmp_path, "def f(x):\n    n = int(x.sum())\n    return x.cuda() * n\n")
    assert ".cuda() hard-codes the device 'cuda'" in failure(m.f, X)


def test_result_moved_to_the_cpu_is_named(tmp_path):
    m = learner(tmp_path, "def f(x):\n    return (x * 2).cpu()\n")
    assert "returned a tensor on the CPU" in failure(m.f, X)


def test_a_module_argument_is_moved_with_the_inputs(tmp_path):
    m = learner(tmp_path, """
        def apply(layer, x):
            return layer(x) + torch.zeros(layer.out_features, device=x.device)
    """)
    layer = torch.nn.Linear(4, 2)
    devices.check_follows_device(m.apply, layer, X)
    assert layer.weight.device.type == "cpu"  # the grader's own module is untouched


def test_not_started_is_not_a_device_mistake(tmp_path):
    m = learner(tmp_path, "def f(x):\n    raise NotImplementedError('write f')\n")
    with pytest.raises(NotImplementedError, match="write f"):
        devices.check_follows_device(m.f, X)


def test_item_in_a_hot_loop_is_counted_and_named(tmp_path):
    m = learner(tmp_path, """
        def total(x):
            s = 0.0
            for v in x.reshape(-1):
                s += v.item()
            return s

        def total_once(x):
            return x.sum().item()
    """)
    with pytest.raises(devices.DeviceMistake) as info:
        devices.check_host_syncs(m.total, X, most=2)
    assert "line 5 of ex1_device.py (in total): .item() ran 12 times" in str(info.value)
    assert devices.check_host_syncs(m.total_once, X, most=2) == 66.0
    _, count = devices.count_host_syncs(m.total_once, X)
    assert sum(count.values()) == 1


def test_grader_calls_are_not_counted(tmp_path):
    m = learner(tmp_path, "def f(x):\n    return x * 2\n")
    _, count = devices.count_host_syncs(lambda x: float(m.f(x).sum()), X)
    assert not count


def test_references_are_computed_on_the_cpu_in_float64():
    out = devices.trusted(lambda a, b: a @ b, X, X.T)
    assert out.dtype == torch.float64 and out.device.type == "cpu"
    assert devices.to_device(X, "cpu").dtype == torch.float32


def test_tolerance_is_stated_per_device():
    assert devices.tolerance("cpu") == {"rtol": 1e-5, "atol": 1e-6}
    assert devices.tolerance("cuda") == {"rtol": 1e-4, "atol": 1e-5}
    assert devices.tolerance("cpu", cpu=(1e-7, 0.0)) == {"rtol": 1e-7, "atol": 0.0}
    # A grader that states only the CPU figure gets no tighter than the device's float32 default.
    assert devices.tolerance("cuda", cpu=(1e-7, 0.0)) == {"rtol": 1e-4, "atol": 1e-5}
    assert devices.tolerance("cuda", cpu=(1e-7, 0.0), cuda=(1e-3, 1e-3)) == {"rtol": 1e-3, "atol": 1e-3}


def test_grading_settings_turn_reduced_precision_off():
    before = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32,
              torch.are_deterministic_algorithms_enabled(), torch.get_float32_matmul_precision())
    try:
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        devices.same_verdict_everywhere()
        assert not torch.backends.cuda.matmul.allow_tf32 and not torch.backends.cudnn.allow_tf32
        assert torch.backends.cudnn.deterministic and not torch.backends.cudnn.benchmark
        assert torch.are_deterministic_algorithms_enabled()
        assert torch.get_float32_matmul_precision() == "highest"
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = before[0], before[1]
        torch.use_deterministic_algorithms(before[2])
        torch.set_float32_matmul_precision(before[3])


def test_learner_functions_run_on_the_grading_device(tmp_path):
    m = learner(tmp_path, """
        SCALE = 3

        def where(x, layer=None, pair=()):
            return {"x": x.device.type, "layer": layer.weight.device.type if layer is not None else None,
                    "pair": [t.device.type for t in pair]}

        def double(x):
            return x * SCALE

        class Box:
            pass
    """)
    on_meta = devices.on_device(m, "meta")  # meta stands in for a GPU
    assert on_meta.where(X, pair=(X, X)) == {"x": "meta", "layer": None, "pair": ["meta", "meta"]}
    assert on_meta.SCALE == 3 and on_meta.Box is m.Box
    on_cpu = devices.on_device(m, "cpu")
    layer = torch.nn.Linear(2, 2)
    weight = layer.weight
    assert on_cpu.where(X, layer=layer)["layer"] == "cpu" and layer.weight is weight  # moved in place
    assert torch.equal(on_cpu.double(X), X * 3)
    # A grader that swaps one of the learner's functions swaps the learner's own, never a wrapper.
    original = on_cpu.double
    on_cpu.double = lambda x: x
    on_cpu.double = original
    assert m.double is original.__learner_function__


def test_a_change_in_place_shows_in_the_graders_tensor(tmp_path):
    m = learner(tmp_path, "def clip(x):\n    x.clamp_(max=5)\n    return x\n")
    x = X.clone()
    devices.on_device(m, "cpu").clip(x)
    assert float(x.max()) == 5.0
