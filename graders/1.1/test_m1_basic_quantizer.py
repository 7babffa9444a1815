"""Grader for milestone 1.1.m1: per-tensor and per-channel static INT8 post-training quantization of a
small CNN trained on digits.

At import the grader trains the stated LeNet-style CNN in FP32 (seeded, single thread, 4 epochs of Adam on
1,347 digits; about a second), with its own forward built from ``nn`` modules. References: weight codes
from ``torch.quantize_per_tensor`` / ``torch.quantize_per_channel``, the fake-quantized network from
``torch.fake_quantize_per_tensor_affine`` (activations, uint8) and ``torch.fake_quantize_per_channel_affine``
(weights), calibration ranges from forward hooks. Pixels are scaled as (v + 0.5) / 17 rather than v / 16:
with v / 16 and a min-max range of [0, 1], the pixel value 8 lands exactly on the rounding tie 127.5, which
valid implementations (x / scale versus x * (1 / scale), float32 versus float64) resolve differently, sizes from the stated counting rule. Probes: dividing by
128, max(w) instead of max(|w|), per-channel scales along the wrong axis or a single scale, calibrating
layer outputs instead of inputs, an activation range that excludes zero, dividing by 256, forgetting to
quantize activations (or weights), per-tensor weights in per-channel mode, evaluating in FP32, and size
arithmetic that counts biases as int8, forgets the scales or counts one scale per tensor in per-channel mode.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from gradelib import GradeFailure, as_float, check_close, check_number, check_true, to_tensor
from gradelib.devices import check_follows_device, check_host_syncs, on_device
from sklearn.datasets import load_digits

FORBIDDEN = [
    "torch.quantize_per_tensor",
    "torch.quantize_per_channel",
    "torch.fake_quantize_per_tensor_affine",
    "torch.fake_quantize_per_channel_affine",
]

_qpt = torch.quantize_per_tensor
_qpc = torch.quantize_per_channel
_fq_t = torch.fake_quantize_per_tensor_affine
_fq_c = torch.fake_quantize_per_channel_affine
LAYERS = ("conv1", "conv2", "fc1", "fc2")


class _Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.fc1 = nn.Linear(64, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def _setup():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        d = load_digits()
        X = torch.tensor((d.data + 0.5) / 17.0, dtype=torch.float32).reshape(-1, 1, 8, 8)
        y = torch.tensor(d.target, dtype=torch.int64)
        perm = torch.tensor(np.random.default_rng(0).permutation(len(X)))
        tr, te = perm[:1347], perm[1347:]
        torch.manual_seed(0)
        net = _Net()
        opt = torch.optim.Adam(net.parameters(), lr=0.01)
        g = torch.Generator().manual_seed(1)
        for _ in range(4):
            order = tr[torch.randperm(len(tr), generator=g)]
            for start in range(0, len(order), 64):
                b = order[start : start + 64]
                loss = F.cross_entropy(net(X[b]), y[b])
                opt.zero_grad()
                loss.backward()
                opt.step()
        net.eval()
        params = {k: v.detach().clone() for k, v in net.state_dict().items()}
        return net, params, X[tr[:128]].clone(), X[te].clone(), y[te].clone()
    finally:
        torch.set_num_threads(threads)


_NET, _PARAMS, _CALIB, _XTEST, _YTEST = _setup()


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _params() -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in _PARAMS.items()}


def _ref_ranges(outputs: bool = False) -> dict[str, tuple[float, float]]:
    ranges = {}
    hooks = []
    for name in LAYERS:
        def hook(mod, inp, out, name=name):
            t = out if outputs else inp[0]
            ranges[name] = (float(t.min()), float(t.max()))
        hooks.append(getattr(_NET, name).register_forward_hook(hook))
    with torch.no_grad():
        _NET(_CALIB)
    for h in hooks:
        h.remove()
    return ranges


def _act_qparams(lo: float, hi: float) -> tuple[float, int]:
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi == lo:
        return 1.0, 0
    scale = (hi - lo) / 255
    return scale, max(0, min(255, int(round(-lo / scale))))


def _w_scales(w: torch.Tensor) -> torch.Tensor:
    amax = w.abs().reshape(w.shape[0], -1).max(dim=1).values
    return torch.where(amax > 0, amax / 127, torch.ones_like(amax)).to(torch.float32)


def _ref_forward(x, ranges, mode, quant_acts=True, quant_weights=True):
    mods = {name: getattr(_NET, name) for name in LAYERS}
    with torch.no_grad():
        for name in LAYERS:
            if name == "fc1":
                x = x.flatten(1)
            if quant_acts:
                scale, zp = _act_qparams(*ranges[name])
                x = _fq_t(x, scale, zp, 0, 255)
            w = mods[name].weight
            if quant_weights:
                if mode == "per_tensor":
                    amax = float(w.abs().max())
                    w = _fq_t(w, amax / 127, 0, -128, 127)
                else:
                    s = _w_scales(w)
                    w = _fq_c(w, s, torch.zeros(len(s), dtype=torch.int32), 0, -128, 127)
            if name.startswith("conv"):
                x = F.max_pool2d(F.relu(F.conv2d(x, w, mods[name].bias, padding=1)), 2)
            else:
                x = F.linear(x, w, mods[name].bias)
                if name == "fc1":
                    x = F.relu(x)
    return x


def _accuracy(logits) -> float:
    return float((logits.argmax(1) == _YTEST).float().mean())


def _pair(value, name):
    if not (isinstance(value, tuple) and len(value) == 2):
        raise GradeFailure(f"{name} should return a tuple of two, got {type(value).__name__}")
    return value


def _codes_match(got, expected, name, mistakes):
    """Exact codes, tolerating a few off-by-one entries at rounding boundaries."""
    check_true(isinstance(got, torch.Tensor), f"{name} should be a tensor, got {type(got).__name__}")
    check_true(got.dtype == torch.int8, f"{name} has dtype {got.dtype}, expected torch.int8")
    check_true(tuple(got.shape) == tuple(expected.shape), f"{name} has shape {tuple(got.shape)}, expected {tuple(expected.shape)}")
    diff = (got.to(torch.int32) - expected.to(torch.int32)).abs()
    if int(diff.max()) <= 1 and int((diff > 0).sum()) <= max(2, expected.numel() // 500):
        return
    check_close(got, expected, name=name, rtol=0, atol=0, mistakes=mistakes)


# ---------------------------------------------------------------------------------------------------
def test_fp32_forward(learner):
    """fp32_forward reproduces the stated CNN's logits"""
    got = learner.fp32_forward(_params(), _XTEST[:64].clone())
    with torch.no_grad():
        expected = _NET(_XTEST[:64])
    check_close(got, expected, name="the FP32 logits", rtol=1e-4, atol=1e-4)


def test_weight_per_tensor(learner):
    """per-tensor int8 weight codes and scale equal torch.quantize_per_tensor's"""
    for name in LAYERS:
        w = _PARAMS[name + ".weight"]
        q, scale = _pair(learner.quantize_weight_per_tensor(w.clone()), "quantize_weight_per_tensor")
        amax = float(w.abs().max())
        check_number(scale, amax / 127, name=f"the per-tensor scale of {name}.weight",
                     mistakes={"dividing by 128 instead of 127": amax / 128,
                               "using max(w) instead of max(|w|)": float(w.max()) / 127})
        expected = _qpt(w, amax / 127, 0, torch.qint8).int_repr()
        _codes_match(q, expected, f"the per-tensor int8 codes of {name}.weight",
                     {"casting without clamping": torch.round(w / (amax / 127))})


def test_weight_per_channel(learner):
    """per-channel int8 weight codes and scales (one per output channel) equal torch.quantize_per_channel's"""
    for name in LAYERS:
        w = _PARAMS[name + ".weight"]
        q, scales = _pair(learner.quantize_weight_per_channel(w.clone()), "quantize_weight_per_channel")
        expected_s = _w_scales(w)
        check_true(isinstance(scales, torch.Tensor), f"the per-channel scales should be a tensor, got {type(scales).__name__}")
        if scales.numel() == 1:
            raise GradeFailure(f"the per-channel scales of {name}.weight hold one value: one scale per output "
                               f"channel (axis 0) is expected, {w.shape[0]} of them")
        last_axis = w.abs().reshape(-1, w.shape[-1]).max(0).values / 127 if w.dim() == 2 else None
        mistakes = {"taking the maximum along the wrong axis (per input channel)": last_axis} if last_axis is not None else {}
        check_close(scales, expected_s, name=f"the per-channel scales of {name}.weight", rtol=1e-6, atol=0,
                    mistakes=mistakes)
        expected = _qpc(w, expected_s.double(), torch.zeros(len(expected_s), dtype=torch.int64), 0, torch.qint8).int_repr()
        _codes_match(q, expected, f"the per-channel int8 codes of {name}.weight",
                     {"dividing by one per-tensor scale": torch.round(w / (float(w.abs().max()) / 127))})


def test_calibration(learner):
    """min-max calibration records the range of each layer's INPUT over the calibration set"""
    got = learner.calibrate(_params(), _CALIB.clone())
    expected, outputs = _ref_ranges(), _ref_ranges(outputs=True)
    check_true(isinstance(got, dict) and set(got) == set(LAYERS),
               f"calibrate should return a dict with keys {list(LAYERS)}, got {got!r:.120}")
    for name in LAYERS:
        lo, hi = _pair(tuple(got[name]), f"calibrate()[{name!r}]")
        check_number(hi, expected[name][1], name=f"the calibrated max of {name}'s input", rtol=1e-5, atol=1e-6,
                     mistakes={"recording each layer's output instead of its input": outputs[name][1]})
        check_number(lo, expected[name][0], name=f"the calibrated min of {name}'s input", rtol=1e-5, atol=1e-6,
                     mistakes={"recording each layer's output instead of its input": outputs[name][0]})


def test_activation_qparams(learner):
    """activation parameters: asymmetric uint8 over a range widened to contain zero"""
    for lo, hi in ((-1.5, 3.2), (0.0, 5.763), (2.0, 5.0), (-4.0, -1.0)):
        scale, zp = _pair(learner.activation_qparams(lo, hi), "activation_qparams")
        exp_s, exp_zp = _act_qparams(lo, hi)
        check_number(scale, exp_s, name=f"the activation scale for range ({lo}, {hi})",
                     mistakes={"a range that does not contain zero": (hi - lo) / 255,
                               "dividing by 256": exp_s * 255 / 256,
                               "a symmetric scale max(|lo|, |hi|) / 127": max(abs(lo), abs(hi)) / 127})
        check_true(isinstance(zp, (int, np.integer)) and not isinstance(zp, bool),
                   f"the zero-point should be a Python int, got {zp!r}")
        check_number(zp, exp_zp, name=f"the activation zero-point for range ({lo}, {hi})",
                     mistakes={"a zero-point with its sign flipped": -exp_zp})


def _logits_agree(got, expected, name, mistakes):
    got = to_tensor(got, name).to(torch.float32)
    check_true(tuple(got.shape) == tuple(expected.shape), f"{name} has shape {tuple(got.shape)}, expected {tuple(expected.shape)}")
    rows_ok = ((got - expected).abs() <= 2e-3).all(dim=1)
    if float(rows_ok.float().mean()) >= 0.98:
        return
    for description, wrong in mistakes.items():
        if float(((got - wrong).abs() <= 2e-3).all(dim=1).float().mean()) >= 0.98:
            raise GradeFailure(f"{name}: {int((~rows_ok).sum())} of {len(rows_ok)} test images differ from the "
                               f"reference by more than 2e-3. This is what {description} gives.")
    check_close(got, expected, name=name, rtol=0, atol=2e-3)


@pytest.mark.parametrize("mode", ["per_tensor", "per_channel"])
def test_fake_quant_forward(learner, mode):
    """the fake-quantized forward pass matches PyTorch's fake quantization at the stated points"""
    ranges = _ref_ranges()
    got = learner.fake_quant_forward(_params(), _XTEST.clone(), dict(ranges), mode)
    expected = _ref_forward(_XTEST, ranges, mode)
    other = "per_channel" if mode == "per_tensor" else "per_tensor"
    mistakes = {
        "not quantizing the activations": _ref_forward(_XTEST, ranges, mode, quant_acts=False),
        "not quantizing the weights": _ref_forward(_XTEST, ranges, mode, quant_weights=False),
        f"{other.replace('_', '-')} weights": _ref_forward(_XTEST, ranges, other),
        "the plain FP32 network": _ref_forward(_XTEST, ranges, mode, quant_acts=False, quant_weights=False),
    }
    _logits_agree(got, expected, f"the {mode.replace('_', '-')} fake-quantized logits", mistakes)


def test_accuracy(learner):
    """accuracies: FP32, per-tensor and per-channel INT8 match the reference and stay close to FP32"""
    ranges = _ref_ranges()
    fp32 = _accuracy(_ref_forward(_XTEST, ranges, "per_tensor", quant_acts=False, quant_weights=False))
    results = {}
    for mode in ("fp32", "per_tensor", "per_channel"):
        got = as_float(learner.evaluate(_params(), _XTEST.clone(), _YTEST.clone(), dict(ranges), mode),
                       f"the {mode} accuracy")
        exp = fp32 if mode == "fp32" else _accuracy(_ref_forward(_XTEST, ranges, mode))
        mistakes = {} if mode == "fp32" else {"evaluating the FP32 network": fp32}
        if abs(float(got) - exp) > 1.5 / len(_YTEST):
            check_number(got, exp, name=f"the {mode} accuracy", atol=1.5 / len(_YTEST), mistakes=mistakes)
        results[mode] = float(got)
    for mode in ("per_tensor", "per_channel"):
        check_true(results[mode] >= results["fp32"] - 0.03,
                   f"the {mode} accuracy {results[mode]:.4f} is more than 0.03 below FP32 ({results['fp32']:.4f})")
    check_true(results["per_channel"] >= results["per_tensor"] - 0.02,
               f"per-channel accuracy {results['per_channel']:.4f} is more than 0.02 below per-tensor "
               f"({results['per_tensor']:.4f})")


def test_model_size(learner):
    """model size in bytes: FP32, per-tensor INT8 and per-channel INT8, counted as stated"""
    p = _params()
    weights = [v for k, v in p.items() if k.endswith(".weight")]
    n_w = sum(w.numel() for w in weights)
    n_b = sum(v.numel() for k, v in p.items() if k.endswith(".bias"))
    n_ch = sum(w.shape[0] for w in weights)
    fp32 = 4 * (n_w + n_b)
    per_tensor = n_w + 4 * len(weights) + 4 * n_b
    per_channel = n_w + 4 * n_ch + 4 * n_b
    common = {"counting the biases as int8 too": n_w + n_b + 4 * len(weights),
              "forgetting the float32 scales": n_w + 4 * n_b}
    check_number(learner.model_size_bytes(p, "fp32"), fp32, name="the FP32 size in bytes", atol=0, rtol=0,
                 mistakes={"counting the weights only": 4 * n_w, "counting elements, not bytes": n_w + n_b})
    check_number(learner.model_size_bytes(p, "per_tensor"), per_tensor, name="the per-tensor INT8 size in bytes",
                 atol=0, rtol=0, mistakes={**common, "one scale per output channel": per_channel})
    check_number(learner.model_size_bytes(p, "per_channel"), per_channel, name="the per-channel INT8 size in bytes",
                 atol=0, rtol=0, mistakes={**common, "one scale per tensor instead of per output channel": per_tensor,
                                           "forgetting the per-channel scales": n_w + 4 * n_b})


def test_tensors_stay_on_the_inputs_device(learner):
    """quantizers, calibration and both forwards keep every tensor on the input's device; the per-channel
    scales are not read back one channel at a time"""
    ranges = _ref_ranges()
    x = _XTEST[:8].clone()
    for name in LAYERS:
        check_host_syncs(learner.quantize_weight_per_channel, _PARAMS[name + ".weight"], most=2)
        check_follows_device(learner.quantize_weight_per_channel, _PARAMS[name + ".weight"])
        check_follows_device(learner.quantize_weight_per_tensor, _PARAMS[name + ".weight"])
    check_follows_device(learner.fp32_forward, _params(), x)
    check_follows_device(learner.calibrate, _params(), x)
    for mode in ("per_tensor", "per_channel"):
        check_follows_device(learner.fake_quant_forward, _params(), x, dict(ranges), mode)
