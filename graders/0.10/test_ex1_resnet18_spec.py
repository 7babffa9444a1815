"""Grader for exercise 0.10.1: ResNet-18 to the paper's specification.

torchvision is not a dependency, so the reference is written here: a state-dict layout (torchvision's key
names, which the stub prescribes) and a functional forward pass with ``F.conv2d`` / ``F.batch_norm``.
The catalogue asked for the parameter count (11,689,512 with 1000 classes); a count alone misses a
ReLU in the wrong place or the stride on the wrong convolution, so the grader also checks every stage's
output shape (on the ``meta`` device: no compute) and compares logits with the reference forward pass
after loading the same weights. Probes: biased convolutions, option-A (zero-padding) shortcuts,
3x3 projections, projections without batch norm, a projection on every block, a 3x3 stem, an fc without
bias, ResNet-34's block counts, a missing max pool, ReLU before the residual addition, no ReLU after it,
the stride on the second convolution of a block, and torchvision's ready-made model.
"""

from __future__ import annotations

import types

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_number, check_true

_conv2d = F.conv2d
_batch_norm = F.batch_norm
_max_pool2d = F.max_pool2d
_relu = F.relu
_linear = F.linear

_STAGES = [(64, 64, 1), (64, 128, 2), (128, 256, 2), (256, 512, 2)]


def _layout(
    num_classes: int = 1000,
    *,
    blocks=(2, 2, 2, 2),
    conv_bias: bool = False,
    shortcut: str = "projection",  # "projection" | "zero_pad" | "projection3x3" | "every_block"
    shortcut_bn: bool = True,
    stem_kernel: int = 7,
    fc_bias: bool = True,
) -> list[tuple[str, tuple[int, ...], bool]]:
    """(key, shape, is_parameter) for every state-dict entry of a ResNet with these choices."""
    out: list[tuple[str, tuple[int, ...], bool]] = []

    def conv(key, cout, cin, k):
        out.append((f"{key}.weight", (cout, cin, k, k), True))
        if conv_bias:
            out.append((f"{key}.bias", (cout,), True))

    def bn(key, c):
        out.append((f"{key}.weight", (c,), True))
        out.append((f"{key}.bias", (c,), True))
        out.append((f"{key}.running_mean", (c,), False))
        out.append((f"{key}.running_var", (c,), False))
        out.append((f"{key}.num_batches_tracked", (), False))

    conv("conv1", 64, 3, stem_kernel)
    bn("bn1", 64)
    for li, ((cin, cout, stride), n) in enumerate(zip(_STAGES, blocks), start=1):
        for b in range(n):
            c_in = cin if b == 0 else cout
            s = stride if b == 0 else 1
            key = f"layer{li}.{b}"
            conv(f"{key}.conv1", cout, c_in, 3)
            bn(f"{key}.bn1", cout)
            conv(f"{key}.conv2", cout, cout, 3)
            bn(f"{key}.bn2", cout)
            needs = s != 1 or c_in != cout
            if shortcut == "every_block" or (needs and shortcut in ("projection", "projection3x3")):
                conv(f"{key}.downsample.0", cout, c_in, 3 if shortcut == "projection3x3" else 1)
                if shortcut_bn:
                    bn(f"{key}.downsample.1", cout)
    out.append(("fc.weight", (num_classes, 512), True))
    if fc_bias:
        out.append(("fc.bias", (num_classes,), True))
    return out


def _count(layout) -> int:
    total = 0
    for _, shape, is_param in layout:
        if is_param:
            n = 1
            for d in shape:
                n *= d
            total += n
    return total


def _reference_state(num_classes: int, seed: int) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    state: dict[str, torch.Tensor] = {}
    for key, shape, _ in _layout(num_classes):
        if key.endswith("num_batches_tracked"):
            state[key] = torch.tensor(0, dtype=torch.long)
        elif key.endswith("running_var"):
            state[key] = 0.5 + torch.rand(shape, generator=g)
        elif key.endswith("running_mean"):
            state[key] = 0.1 * torch.randn(shape, generator=g)
        elif len(shape) == 4:  # He initialisation keeps activations of a sane size through 18 layers
            fan_in = shape[1] * shape[2] * shape[3]
            state[key] = torch.randn(shape, generator=g) * (2.0 / fan_in) ** 0.5
        elif key.startswith("fc."):
            state[key] = torch.randn(shape, generator=g) * (1.0 / 512) ** 0.5
        elif key.endswith(".weight"):  # batch-norm gamma
            state[key] = 0.6 + 0.5 * torch.rand(shape, generator=g)
        else:  # batch-norm beta
            state[key] = 0.1 * torch.randn(shape, generator=g)
    return state


def _reference_forward(
    sd: dict[str, torch.Tensor],
    x: torch.Tensor,
    *,
    relu_before_add: bool = False,
    final_relu: bool = True,
    stride_on_conv2: bool = False,
    maxpool: bool = True,
) -> torch.Tensor:
    def bn(h, key):
        return _batch_norm(
            h, sd[f"{key}.running_mean"], sd[f"{key}.running_var"], sd[f"{key}.weight"], sd[f"{key}.bias"],
            training=False, eps=1e-5,
        )

    h = _relu(bn(_conv2d(x, sd["conv1.weight"], stride=2, padding=3), "bn1"))
    if maxpool:
        h = _max_pool2d(h, 3, stride=2, padding=1)
    for li, (cin, cout, stride) in enumerate(_STAGES, start=1):
        for b in range(2):
            key = f"layer{li}.{b}"
            s = stride if b == 0 else 1
            s1, s2 = (1, s) if stride_on_conv2 else (s, 1)
            out = _relu(bn(_conv2d(h, sd[f"{key}.conv1.weight"], stride=s1, padding=1), f"{key}.bn1"))
            out = bn(_conv2d(out, sd[f"{key}.conv2.weight"], stride=s2, padding=1), f"{key}.bn2")
            if f"{key}.downsample.0.weight" in sd:
                short = bn(_conv2d(h, sd[f"{key}.downsample.0.weight"], stride=s), f"{key}.downsample.1")
            else:
                short = h
            if relu_before_add:
                h = _relu(out) + short
            else:
                h = out + short
                if final_relu:
                    h = _relu(h)
    h = h.mean(dim=(2, 3))
    return _linear(h, sd["fc.weight"], sd["fc.bias"])


def _build(learner, num_classes: int, device: str | None = None):
    check_true(hasattr(learner, "ResNet18"), "your file has no class ResNet18")
    if device is None:
        model = learner.ResNet18(num_classes)
    else:
        with torch.device(device):
            model = learner.ResNet18(num_classes)
    check_true(isinstance(model, torch.nn.Module), "ResNet18(...) should be a torch.nn.Module")
    return model


def _meta_model(learner, num_classes: int):
    try:
        return _build(learner, num_classes, "meta")
    except (NotImplementedError, GradeFailure):
        raise
    except Exception:  # noqa: BLE001 - some valid code does not run on meta; build it for real then
        return _build(learner, num_classes)


def _no_torchvision(learner) -> None:
    for name, value in vars(learner).items():
        module = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", "") or ""
        if isinstance(module, str) and module.split(".")[0] == "torchvision":
            raise GradeFailure(f"`{name}` in your file comes from torchvision: build ResNet-18 from nn layers")


def test_parameter_count(learner):
    """ResNet-18 with a 1000-class head has exactly 11,689,512 parameters"""
    model = _meta_model(learner, 1000)
    _no_torchvision(learner)
    got = sum(p.numel() for p in model.parameters())
    expected = _count(_layout(1000))
    assert expected == 11_689_512
    check_number(
        got,
        expected,
        name="the number of parameters (1000 classes)",
        rtol=0,
        mistakes={
            "giving the convolutions a bias (batch norm already provides the shift)": _count(
                _layout(1000, conv_bias=True)
            ),
            "identity shortcuts with zero padding (option A) instead of 1x1 projections (option B)": _count(
                _layout(1000, shortcut="zero_pad")
            ),
            "3x3 instead of 1x1 projection convolutions": _count(_layout(1000, shortcut="projection3x3")),
            "projection shortcuts without their batch norm": _count(_layout(1000, shortcut_bn=False)),
            "a projection shortcut on every block, even where the identity fits": _count(
                _layout(1000, shortcut="every_block")
            ),
            "a 3x3 first convolution instead of 7x7": _count(_layout(1000, stem_kernel=3)),
            "a final Linear layer without bias": _count(_layout(1000, fc_bias=False)),
            "ResNet-34's block counts [3, 4, 6, 3] instead of [2, 2, 2, 2]": _count(_layout(1000, blocks=(3, 4, 6, 3))),
        },
    )


@pytest.fixture(scope="module")
def _loaded(learner):
    sd = _reference_state(10, seed=0)
    model = _meta_model(learner, 10)
    mine = model.state_dict()
    missing = sorted(set(sd) - set(mine))
    unexpected = sorted(set(mine) - set(sd))
    if missing or unexpected:
        raise GradeFailure(
            "your state dict's keys differ from ResNet-18's: "
            + (f"missing {missing[:4]}{' ...' if len(missing) > 4 else ''}" if missing else "")
            + ("; " if missing and unexpected else "")
            + (f"unexpected {unexpected[:4]}{' ...' if len(unexpected) > 4 else ''}" if unexpected else "")
            + " (use the attribute names of the stub; convolutions have no bias)"
        )
    for key, value in sd.items():
        if tuple(mine[key].shape) != tuple(value.shape):
            raise GradeFailure(f"{key} has shape {tuple(mine[key].shape)}, expected {tuple(value.shape)}")
    if any(p.is_meta for p in model.parameters()):
        model = model.to_empty(device="cpu")  # skip initialising 11M weights that are overwritten anyway
    model.load_state_dict(sd, strict=True)
    return model.eval(), sd


def test_state_dict_layout(_loaded):
    """the state dict has ResNet-18's keys and shapes (torchvision's names)"""
    model, sd = _loaded
    check_true(len(model.state_dict()) == len(sd), "the state dict has the wrong number of entries")


_STAGES_64 = [
    ("conv1", (1, 64, 32, 32)),
    ("maxpool", (1, 64, 16, 16)),
    ("layer1", (1, 64, 16, 16)),
    ("layer2", (1, 128, 8, 8)),
    ("layer3", (1, 256, 4, 4)),
    ("layer4", (1, 512, 2, 2)),
    ("avgpool", (1, 512, 1, 1)),
    ("fc", (1, 10)),
]


def test_stage_shapes(_loaded):
    """each stage downsamples like the paper: a 64x64 image gives 32, 16, 16, 8, 4, 2, then 1x1"""
    model, _ = _loaded
    seen: dict[str, tuple[int, ...]] = {}
    handles = []
    for name, _ in _STAGES_64:
        sub = getattr(model, name, None)
        check_true(isinstance(sub, torch.nn.Module), f"your ResNet18 has no submodule `{name}` (see the stub's names)")
        handles.append(sub.register_forward_hook(lambda m, i, o, name=name: seen.__setitem__(name, tuple(o.shape))))
    try:
        with torch.no_grad():
            model(torch.zeros(1, 3, 64, 64))
    finally:
        for h in handles:
            h.remove()
    for name, shape in _STAGES_64:
        check_true(name in seen, f"`{name}` was never called in forward()")
        got = seen[name]
        if name == "avgpool" and got == (1, 512):
            continue  # a pooling module that also flattens is fine
        if got != shape:
            extra = ""
            if seen.get("maxpool") == seen.get("conv1") or name.startswith("layer") and got[-1] == 2 * shape[-1]:
                extra = " (is the 3x3, stride-2 max pool after the stem missing?)"
            raise GradeFailure(f"`{name}` gives shape {got} for a 64x64 image, expected {shape}{extra}")


def _check_logits(model, sd, x, name):
    with torch.no_grad():
        got = model(x)
        expected = _reference_forward(sd, x)
    scale = float(expected.abs().max())
    rtol, atol = 1e-4, 1e-4 * scale
    mistakes = None
    close = isinstance(got, torch.Tensor) and got.shape == expected.shape and torch.allclose(got, expected, rtol=rtol, atol=atol)
    if not close:  # only now pay for the wrong-architecture forward passes
        with torch.no_grad():
            mistakes = {
                "a ReLU before the residual addition (relu(bn2(...)) + x)": _reference_forward(sd, x, relu_before_add=True),
                "leaving out the ReLU after the residual addition": _reference_forward(sd, x, final_relu=False),
                "putting the stride on the block's second convolution": _reference_forward(sd, x, stride_on_conv2=True),
                "leaving out the max pool after the stem": _reference_forward(sd, x, maxpool=False),
            }
    check_close(got, expected, name=name, rtol=rtol, atol=atol, mistakes=mistakes)


def test_forward_matches_reference(_loaded):
    """eval-mode logits equal a reference ResNet-18 with the same weights"""
    model, sd = _loaded
    g = torch.Generator().manual_seed(1)
    _check_logits(model, sd, torch.randn(2, 3, 32, 32, generator=g), "the logits")


def test_any_input_size(_loaded):
    """global average pooling makes any input size work: (1, 3, 40, 24) -> (1, 10)"""
    model, sd = _loaded
    g = torch.Generator().manual_seed(2)
    _check_logits(model, sd, torch.randn(1, 3, 40, 24, generator=g), "the logits for a 40x24 input")


def test_block_defaults(learner):
    """BasicBlock's stride defaults to 1, as the stub's signature says"""
    from gradelib import check_defaults

    check_defaults(learner.BasicBlock, "BasicBlock", stride=1)
