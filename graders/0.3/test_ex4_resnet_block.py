"""Grader for exercise 0.3.4: the ResNet basic block with identity or projection shortcut.

The reference is the grader's own block (conv-BN-ReLU-conv-BN, plus shortcut, then ReLU) with random
weights and random batch-norm statistics; its state dict is loaded into the learner's block with
``strict=True``, so a structural mistake (biases on the convolutions, a missing or superfluous projection,
a projection without BN, a 3x3 projection) is reported from the keys and shapes. Outputs are compared in
training mode and in eval mode, then the gradients of the input and of every parameter. Value probes come
from the reference block with one mistake switched on: the last ReLU before the addition (or missing), a
ReLU on the branch before the addition, the stride on conv2 instead of conv1, and no skip connection.
Gradient flow: with bn2's scale and shift at zero the residual branch outputs zeros, so a residual stack
passes the shortcut's gradient to the input (exactly 1[x > 0] through identity blocks), and a plain stack
(``residual=False``) passes none.
"""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_true, learner_tensor
from gradelib.devices import check_follows_device, to_device, tolerance, trusted
from torch import nn

RTOL, ATOL = 1e-4, 1e-5


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: intra-op threads only add synchronisation cost on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


class _RefBlock(nn.Module):
    """The reference block; the keyword flags reproduce classic mistakes for the probes."""

    def __init__(self, cin, cout, stride=1, residual=True, *, relu_after_add=True, relu_on_branch=False,
                 stride_on_conv2=False):
        super().__init__()
        self.residual, self.relu_after_add, self.relu_on_branch = residual, relu_after_add, relu_on_branch
        s1, s2 = (1, stride) if stride_on_conv2 else (stride, 1)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=s1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, stride=s2, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))
        else:
            self.shortcut = nn.Identity()

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.relu_on_branch:
            out = F.relu(out)
        if self.residual:
            out = out + self.shortcut(x)
        return F.relu(out) if self.relu_after_add else out


_MISTAKES = {
    "putting the last ReLU on the branch before the addition (relu(bn2(...)) + shortcut(x), no ReLU after)": dict(
        relu_on_branch=True, relu_after_add=False
    ),
    "leaving out the ReLU after the addition": dict(relu_after_add=False),
    "applying a ReLU to the branch before the addition as well as after it": dict(relu_on_branch=True),
    "putting the stride on conv2 instead of conv1": dict(stride_on_conv2=True),
    "leaving out the skip connection (out + shortcut(x))": dict(residual=False),
}


def _randomized(cin, cout, stride, seed, **flags):
    torch.manual_seed(seed)
    ref = _RefBlock(cin, cout, stride, **flags)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in ref.modules():
            if isinstance(module, nn.Conv2d):
                module.weight.copy_(torch.randn(module.weight.shape, generator=g) * 0.4)
            elif isinstance(module, nn.BatchNorm2d):
                c = module.num_features
                module.weight.copy_(0.5 + torch.rand(c, generator=g))
                module.bias.copy_(torch.randn(c, generator=g) * 0.3)
                module.running_mean.copy_(torch.randn(c, generator=g) * 0.3)
                module.running_var.copy_(0.5 + torch.rand(c, generator=g))
    return ref


def _key_advice(missing, unexpected, shapes, projection):
    notes = []
    if any(k.endswith(("conv1.bias", "conv2.bias", "shortcut.0.bias")) for k in unexpected):
        notes.append("the convolutions take bias=False (the batch norm after each one has its own shift)")
    if projection and any(k.startswith("shortcut.0") for k in missing):
        notes.append(
            "a block that changes the stride or the channel count needs the projection shortcut "
            "nn.Sequential(1x1 conv, BatchNorm2d)"
        )
    elif projection and any(k.startswith("shortcut.1") for k in missing):
        notes.append("the projection shortcut needs a BatchNorm2d after its 1x1 convolution")
    if not projection and any(k.startswith("shortcut.") for k in unexpected):
        notes.append("a block with stride 1 and in_channels == out_channels uses the identity shortcut (no parameters)")
    if any(k == "shortcut.0.weight" for k, _, _ in shapes):
        notes.append("the projection is a 1x1 convolution with the block's stride")
    return "; ".join(notes)


def _load(block, ref, label):
    """Load the reference's state into the learner's block, explaining structural mismatches."""
    check_true(isinstance(block, nn.Module), f"BasicBlock{label} is not an nn.Module")
    mine = block.state_dict()
    theirs = ref.state_dict()
    missing = [k for k in theirs if k not in mine]
    unexpected = [k for k in mine if k not in theirs]
    shapes = [(k, tuple(mine[k].shape), tuple(v.shape)) for k, v in theirs.items() if k in mine and mine[k].shape != v.shape]
    if missing or unexpected or shapes:
        parts = []
        if missing:
            parts.append(f"missing {missing}")
        if unexpected:
            parts.append(f"unexpected {unexpected}")
        for k, got, exp in shapes:
            parts.append(f"{k} has shape {got}, expected {exp}")
        advice = _key_advice(missing, unexpected, shapes, isinstance(ref.shortcut, nn.Sequential))
        raise GradeFailure(
            f"BasicBlock{label}'s state dict does not match the specified layout: " + "; ".join(parts)
            + (f". Hint: {advice}" if advice else "")
        )
    block.load_state_dict(theirs, strict=True)
    return block


def _make(learner, cin, cout, stride, seed, residual=True):
    ref = _randomized(cin, cout, stride, seed, residual=residual)
    label = f"({cin}, {cout}, stride={stride}" + (", residual=False)" if not residual else ")")
    block = _load(learner.BasicBlock(cin, cout, stride=stride, residual=residual), ref, label)
    return block, ref, label


def _mistake_outputs(ref, x, training):
    out = {}
    cin, cout = ref.conv1.in_channels, ref.conv1.out_channels
    stride = ref.conv1.stride[0] * ref.conv2.stride[0]
    for what, flags in _MISTAKES.items():
        if flags.get("stride_on_conv2") and stride == 1:
            continue
        wrong = _RefBlock(cin, cout, stride, **flags)
        wrong.load_state_dict(ref.state_dict())
        wrong.train(training)
        with torch.no_grad():
            out[what] = wrong(x)
    return out


def _input(shape, seed):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def test_identity_block_structure(learner):
    """an identity block (stride 1, same channels) has conv1, bn1, conv2, bn2 and a parameter-free shortcut"""
    _make(learner, 4, 4, 1, seed=1)


def test_projection_block_structure(learner):
    """a block that downsamples or widens has a 1x1-conv + BN projection shortcut"""
    _make(learner, 3, 6, 2, seed=2)
    _make(learner, 3, 6, 1, seed=3)
    _make(learner, 4, 4, 2, seed=4)


def test_forward_training_mode(learner):
    """the block's output in training mode equals the reference's (identity and projection blocks)"""
    for cin, cout, stride in [(4, 4, 1), (3, 6, 2), (4, 4, 2)]:
        block, ref, label = _make(learner, cin, cout, stride, seed=10 + cin + stride)
        block.train()
        ref.train()
        x = _input((4, cin, 8, 7), seed=20 + stride)
        mistakes = _mistake_outputs(ref, x, training=True)
        with torch.no_grad():
            expected = ref(x)
            got = block(x)
        check_close(got, expected, name=f"BasicBlock{label}(x) in training mode", rtol=RTOL, atol=ATOL,
                    mistakes=mistakes)


def test_forward_eval_mode(learner):
    """in eval mode the block uses the running statistics, as the reference does"""
    for cin, cout, stride in [(4, 4, 1), (3, 6, 2)]:
        block, ref, label = _make(learner, cin, cout, stride, seed=30 + stride)
        x = _input((2, cin, 6, 6), seed=31)
        for module in (block, ref):  # one training step's worth of running-statistics updates, then eval
            module.train()
            with torch.no_grad():
                module(x * 2 + 0.5)
            module.eval()
        mistakes = _mistake_outputs(ref, x, training=False)
        with torch.no_grad():
            expected = ref(x)
            got = block(x)
        check_close(got, expected, name=f"BasicBlock{label}(x) in eval mode", rtol=RTOL, atol=ATOL, mistakes=mistakes)


def test_gradients(learner):
    """gradients of the input and of every parameter equal the reference's"""
    block, ref, label = _make(learner, 3, 5, 2, seed=40)
    block.train()
    ref.train()
    x = _input((3, 3, 7, 8), seed=41)
    upstream = _input((3, 5, 4, 4), seed=42)
    grads = {}
    for who, module in (("learner", block), ("ref", ref)):
        xs = x.clone().requires_grad_(True)
        module.zero_grad()
        out = module(xs)
        if who == "learner":
            out = learner_tensor(out, f"BasicBlock{label}(x)", shape=tuple(upstream.shape), grad=True)
        (out * upstream).sum().backward()
        grads[who] = (xs.grad, {name: p.grad for name, p in module.named_parameters()})
    check_close(grad_of_input(grads["learner"][0], f"BasicBlock{label}"), grads["ref"][0],
                name=f"the gradient of x through BasicBlock{label}",
                rtol=RTOL, atol=ATOL)
    for name, expected in grads["ref"][1].items():
        got = grads["learner"][1].get(name)
        check_true(got is not None, f"no gradient reached the parameter {name} of your block")
        check_close(got, expected, name=f"the gradient of {name}", rtol=RTOL, atol=ATOL)


def grad_of_input(grad, what: str):
    if grad is None:
        raise GradeFailure(f"no gradient reached the input through {what}: is the output built from x with "
                           "operations autograd follows (no .detach(), torch.tensor(...) or torch.no_grad())?")
    return grad


def _zero_branch(module):
    with torch.no_grad():
        module.bn2.weight.zero_()
        module.bn2.bias.zero_()


def test_gradient_reaches_input_through_shortcuts(learner):
    """with every residual branch zeroed, a residual stack still passes the gradient to its input"""
    specs = [(3, 4, 2), (4, 4, 1), (4, 4, 1), (4, 4, 1)]
    blocks, refs = [], []
    for i, (cin, cout, stride) in enumerate(specs):
        block, ref, _ = _make(learner, cin, cout, stride, seed=50 + i)
        _zero_branch(block)
        _zero_branch(ref)
        blocks.append(block)
        refs.append(ref)
    stack, ref_stack = nn.Sequential(*blocks).train(), nn.Sequential(*refs).train()
    x = _input((2, 3, 8, 8), seed=60)
    grads = []
    for model in (stack, ref_stack):
        xs = x.clone().requires_grad_(True)
        out = model(xs)
        if model is stack:
            out = learner_tensor(out, "the output of a stack of your blocks", grad=True)
        out.sum().backward()
        grads.append(xs.grad)
    check_true(
        grads[0] is not None and bool(grads[0].abs().sum() > 0),
        "no gradient reaches the input of a stack of your residual blocks when their branches output zeros: "
        "the skip connection must add shortcut(x) to the branch, so d out / d x keeps the shortcut's Jacobian",
    )
    check_close(grads[0], grads[1], name="the input gradient of a residual stack with zeroed branches",
                rtol=RTOL, atol=ATOL)
    # Identity blocks only: the gradient of sum(out) is exactly 1 where x > 0.
    blocks = []
    for i in range(5):
        block, _, _ = _make(learner, 4, 4, 1, seed=70 + i)
        _zero_branch(block)
        blocks.append(block)
    x = _input((2, 4, 5, 5), seed=71)
    xs = x.clone().requires_grad_(True)
    learner_tensor(nn.Sequential(*blocks).train()(xs), "the output of 5 identity blocks", grad=True).sum().backward()
    check_close(
        grad_of_input(xs.grad, "5 identity blocks"),
        (x > 0).to(x.dtype),
        name="the input gradient of 5 identity blocks with zeroed branches (should be 1 where x > 0, else 0)",
        rtol=0,
        atol=1e-6,
        mistakes={"leaving out the ReLU after the addition": torch.ones_like(x)},
    )


def test_plain_stack_blocks_gradient(learner):
    """with the branches zeroed, a stack of plain blocks (residual=False) passes no gradient at all"""
    blocks = []
    for i in range(3):
        block, _, _ = _make(learner, 4, 4, 1, seed=80 + i, residual=False)
        _zero_branch(block)
        blocks.append(block)
    x = _input((2, 4, 5, 5), seed=81)
    xs = x.clone().requires_grad_(True)
    out = learner_tensor(nn.Sequential(*blocks).train()(xs), "the output of a plain stack", shape=tuple(x.shape))
    check_true(
        bool((out == 0).all()),
        "a plain block (residual=False) whose branch outputs zeros should output relu(0) = 0 everywhere; "
        "yours does not: does residual=False still add the shortcut?",
    )
    if out.requires_grad:
        out.sum().backward()
    check_true(
        xs.grad is None or bool((xs.grad == 0).all()),
        "a plain stack with zeroed branches should pass no gradient to its input, yours passes some",
    )


def test_defaults(learner):
    """BasicBlock(in, out) defaults to stride=1 and residual=True"""
    ref = _randomized(4, 4, 1, 90)
    block = _load(learner.BasicBlock(4, 4), ref, "(4, 4)")
    block.eval()
    ref.eval()
    x = _input((2, 4, 6, 6), seed=91)
    with torch.no_grad():
        check_close(block(x), ref(x), name="BasicBlock(4, 4)(x) with the default stride and residual", rtol=RTOL,
                    atol=ATOL, mistakes={"a default of residual=False (the block is residual unless told otherwise)":
                                         _randomized(4, 4, 1, 90, residual=False).eval()(x)})


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: the block's forward keeps every tensor there (training and eval mode), and its
    output equals the reference's in float64 on the CPU"""
    for cin, cout, stride in [(4, 4, 1), (3, 6, 2)]:
        block, ref, label = _make(learner, cin, cout, stride, seed=100 + cin + stride)
        x = _input((2, cin, 6, 6), seed=101)
        for training in (True, False):
            block.train(training)
            ref.train(training)
            mode = "training" if training else "eval"
            check_follows_device(lambda module, x: module(x), block, x)
            with torch.no_grad():
                got = to_device(block, device)(to_device(x, device))
                expected = trusted(lambda module, x: module(x), ref, x)
            got = learner_tensor(got, f"BasicBlock{label}(x) on {device.type}", shape=tuple(expected.shape))
            check_true(got.device.type == device.type, f"BasicBlock{label}(x) is on {got.device.type}, x on {device.type}")
            check_close(got, expected, name=f"BasicBlock{label}(x) in {mode} mode on {device.type}",
                        **tolerance(device, cpu=(RTOL, ATOL)))
