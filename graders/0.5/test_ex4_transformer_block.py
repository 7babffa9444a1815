"""Grader for exercise 0.5.4: a transformer block, pre-norm and post-norm, vs ``nn.TransformerEncoderLayer``.

The reference is ``nn.TransformerEncoderLayer(..., dropout=0.0, batch_first=True, norm_first=...)`` with
random weights, biases and layer-norm affine parameters (so that norm1 and norm2 are told apart), copied
into the learner's block with a strict ``load_state_dict``. It runs in training mode (dropout is 0) so
that PyTorch's inference fast path, which zeroes padded positions, is never taken; outputs at padded
positions are not compared anyway.

Probes come from a grader-side block with one thing changed: the other norm placement, a missing residual
around either sub-layer, the residual taken from the normalised input in a pre-norm block, the sub-layer
output normalised before the residual is added, norm1 and norm2 swapped, the wrong activation or the tanh
GELU, an ignored layer_norm_eps, and a padding mask ignored or read with the opposite polarity.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_defaults, check_true, learner_tensor
from gradelib.devices import check_follows_device, to_device, tolerance, trusted
from torch import nn

FORBIDDEN = [
    "torch.nn.TransformerEncoderLayer",
    "torch.nn.TransformerEncoder",
    "torch.nn.TransformerDecoderLayer",
    "torch.nn.Transformer",
]

# Captured before any learner code runs; the learner's code cannot reach this name.
_EncoderLayer = nn.TransformerEncoderLayer
_sdpa = F.scaled_dot_product_attention

# nn.MultiheadAttention's key-padding check imports this (and sympy) on first use: import it now so that
# the second it takes is not charged to a test.
import torch.fx.experimental.symbolic_shapes  # noqa: E402,F401

RTOL, ATOL = 1e-4, 1e-5
D, NHEAD, FF = 16, 4, 32


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is fastest, and avoids thread contention on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _reference(norm_first: bool, activation: str, seed: int, eps: float = 1e-5) -> nn.TransformerEncoderLayer:
    torch.manual_seed(seed)
    ref = _EncoderLayer(
        D,
        NHEAD,
        FF,
        dropout=0.0,
        activation=activation,
        layer_norm_eps=eps,
        batch_first=True,
        norm_first=norm_first,
    )
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in ref.named_parameters():
            if name.startswith("norm") and name.endswith("weight"):
                p.copy_(1 + 0.3 * torch.randn(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(0.3 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(p.shape[1]))
    return ref.train()


def _learner_copy(learner, ref, norm_first: bool, activation: str, eps: float = 1e-5) -> nn.Module:
    block = learner.TransformerBlock(
        D, NHEAD, FF, norm_first=norm_first, activation=activation, layer_norm_eps=eps
    )
    check_true(isinstance(block, nn.Module), "TransformerBlock should be an nn.Module")
    expected = {name: tuple(t.shape) for name, t in ref.named_parameters()}
    got = {name: tuple(p.shape) for name, p in block.named_parameters()}
    missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
    if missing or extra:
        raise GradeFailure(
            "the parameters should have the names of nn.TransformerEncoderLayer"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; unexpected: {', '.join(extra)}" if extra else "")
        )
    wrong = [f"{n} is {got[n]}, expected {expected[n]}" for n in expected if got[n] != expected[n]]
    if wrong:
        raise GradeFailure("parameter shapes differ from nn.TransformerEncoderLayer: " + "; ".join(wrong))
    block.load_state_dict(ref.state_dict(), strict=False)
    return block


def _manual(
    ref,
    x,
    *,
    norm_first,
    activation,
    kpm=None,
    causal=False,
    kpm_keep=False,
    placement=None,
    attn_residual=True,
    ff_residual=True,
    residual_from_normed=False,
    norm_sublayer=False,
    swap_norms=False,
    eps=None,
    scale=None,
):
    """The block written out, with the knobs that the classic mistakes turn."""
    p = {name: t.detach() for name, t in ref.named_parameters()}
    B, T, E = x.shape
    d = E // NHEAD
    eps = ref.norm1.eps if eps is None else eps
    n1, n2 = ("norm2", "norm1") if swap_norms else ("norm1", "norm2")

    def norm(name, h):
        return F.layer_norm(h, (E,), p[f"{name}.weight"], p[f"{name}.bias"], eps)

    keep = torch.ones(B, 1, T, T, dtype=torch.bool)
    if kpm is not None:
        keep = keep & (kpm if kpm_keep else ~kpm)[:, None, None, :]
    if causal:
        keep = keep & torch.ones(T, T, dtype=torch.bool).tril()

    def sa(h):
        qkv = h @ p["self_attn.in_proj_weight"].T + p["self_attn.in_proj_bias"]
        q, k, v = (t.view(B, T, NHEAD, d).transpose(1, 2) for t in qkv.chunk(3, dim=-1))
        o = _sdpa(q, k, v, attn_mask=keep, scale=scale).transpose(1, 2).reshape(B, T, E)
        return o @ p["self_attn.out_proj.weight"].T + p["self_attn.out_proj.bias"]

    act = {"relu": F.relu, "gelu": F.gelu, "gelu_tanh": lambda t: F.gelu(t, approximate="tanh")}[activation]

    def ff(h):
        return act(h @ p["linear1.weight"].T + p["linear1.bias"]) @ p["linear2.weight"].T + p["linear2.bias"]

    pre = norm_first if placement is None else placement == "pre"
    if pre:
        h = norm(n1, x)
        x = (h if residual_from_normed else x) * attn_residual + sa(h)
        h = norm(n2, x)
        x = (h if residual_from_normed else x) * ff_residual + ff(h)
    elif norm_sublayer:
        x = x + norm(n1, sa(x))
        x = x + norm(n2, ff(x))
    else:
        x = norm(n1, x * attn_residual + sa(x))
        x = norm(n2, x * ff_residual + ff(x))
    return x


def _mistakes(ref, x, norm_first, activation, **kw):
    other = "gelu" if activation == "relu" else "relu"
    m = {
        ("computing a pre-norm block (norm_first=True) although norm_first=False asks for post-norm "
         "(normalise each residual sum)"
         if not norm_first else
         "computing a post-norm block (norm_first=False) although norm_first=True asks for pre-norm "
         "(normalise each sub-layer's input)"): _manual(
            ref, x, norm_first=norm_first, activation=activation, placement="post" if norm_first else "pre", **kw
        ),
        "forgetting the residual connection around the attention": _manual(
            ref, x, norm_first=norm_first, activation=activation, attn_residual=False, **kw
        ),
        "forgetting the residual connection around the feed-forward network": _manual(
            ref, x, norm_first=norm_first, activation=activation, ff_residual=False, **kw
        ),
        "swapping norm1 and norm2 (norm1 belongs to the attention, norm2 to the feed-forward network)": _manual(
            ref, x, norm_first=norm_first, activation=activation, swap_norms=True, **kw
        ),
        f"using {other} instead of {activation}": _manual(ref, x, norm_first=norm_first, activation=other, **kw),
    }
    d = D // NHEAD
    # d_model = 16 and d_head = 4 here, so 1/d_head and 1/sqrt(d_model) are the same mistake's value.
    for scale, wrong in ((1 / d, "1/d_head (= 1/sqrt(d_model) here)"), (1.0, "no scale at all")):
        m[f"scaling the attention scores by {wrong} instead of 1/sqrt(d_head)"] = _manual(
            ref, x, norm_first=norm_first, activation=activation, scale=scale, **kw
        )
    if activation == "gelu":
        m["the tanh approximation of GELU (nn.TransformerEncoderLayer uses the exact erf GELU)"] = _manual(
            ref, x, norm_first=norm_first, activation="gelu_tanh", **kw
        )
    if norm_first:
        m["adding the normalised input as the residual (norm(x) + SA(norm(x)) instead of x + SA(norm(x)))"] = (
            _manual(ref, x, norm_first=True, activation=activation, residual_from_normed=True, **kw)
        )
    else:
        m["normalising the sub-layer's output before adding the residual (x + norm(SA(x)) instead of norm(x + SA(x)))"] = (
            _manual(ref, x, norm_first=False, activation=activation, norm_sublayer=True, **kw)
        )
    return m


def _x(B=2, T=6, seed=0):
    return torch.randn(B, T, D, generator=torch.Generator().manual_seed(seed))


def _compare(learner, norm_first, activation, seed, what):
    ref = _reference(norm_first, activation, seed)
    block = _learner_copy(learner, ref, norm_first, activation)
    x = _x(seed=seed + 100)
    got = block(x)
    check_true(isinstance(got, torch.Tensor), f"forward should return a tensor, got {type(got).__name__}")
    expected = ref(x)
    check_close(
        got,
        expected,
        name=f"the output of the {what} block with activation={activation!r}",
        rtol=RTOL,
        atol=ATOL,
        mistakes=_mistakes(ref, x, norm_first, activation),
    )


def test_parameters(learner):
    """parameters have the names and shapes of nn.TransformerEncoderLayer's"""
    ref = _reference(False, "relu", seed=1)
    block = _learner_copy(learner, ref, False, "relu")
    for name, tensor in ref.state_dict().items():
        check_close(block.state_dict()[name], tensor, name=f"{name} after load_state_dict", rtol=0, atol=0)


def test_post_norm(learner):
    """post-norm (norm_first=False) equals nn.TransformerEncoderLayer, with ReLU and with GELU"""
    _compare(learner, False, "relu", seed=2, what="post-norm")
    _compare(learner, False, "gelu", seed=3, what="post-norm")


def test_pre_norm(learner):
    """pre-norm (norm_first=True) equals nn.TransformerEncoderLayer, with ReLU and with GELU"""
    _compare(learner, True, "relu", seed=4, what="pre-norm")
    _compare(learner, True, "gelu", seed=5, what="pre-norm")


def test_masks(learner):
    """a key padding mask (True = padding) and causal=True, in both placements"""
    lengths = torch.tensor([5, 4, 3])  # every row has padding, so that reading the mask backwards is named
    kpm = torch.arange(6)[None, :] >= lengths[:, None]
    real = ~kpm
    causal_mask = torch.ones(6, 6, dtype=torch.bool).triu(1)  # the reference's convention: True = not allowed
    for norm_first, seed in ((False, 6), (True, 7)):
        what = "pre-norm" if norm_first else "post-norm"
        ref = _reference(norm_first, "gelu", seed)
        block = _learner_copy(learner, ref, norm_first, "gelu")
        x = _x(B=3, seed=seed + 100)
        for causal in (False, True):
            got = block(x, key_padding_mask=kpm, causal=causal)
            expected = ref(x, src_mask=causal_mask if causal else None, src_key_padding_mask=kpm)
            kw = {"norm_first": norm_first, "activation": "gelu", "causal": causal}
            # Masking the query rows instead of the key columns leaves every real position attending to padding:
            # at the real positions that is the same as no mask at all.
            mistakes = {"ignoring key_padding_mask, or masking the padded query rows instead of the padded key "
                        "columns (keep[:, None, None, :], over the keys)": _manual(ref, x, **kw)}
            if causal:
                mistakes["ignoring causal=True"] = _manual(ref, x, kpm=kpm, norm_first=norm_first, activation="gelu")
            else:
                mistakes["reading key_padding_mask as True = keep (True marks padding)"] = _manual(
                    ref, x, kpm=kpm, kpm_keep=True, **kw
                )
            check_true(
                isinstance(got, torch.Tensor) and tuple(got.shape) == (3, 6, D),
                f"forward should return a tensor of shape (3, 6, {D})",
            )
            check_close(
                got[real],
                expected[real],
                name=f"the {what} output at real (non-padding) positions with a padding mask"
                + (" and causal=True" if causal else ""),
                rtol=RTOL,
                atol=ATOL,
                mistakes={name: value[real] for name, value in mistakes.items()},
            )


def test_layer_norm_eps(learner):
    """layer_norm_eps is passed to both layer norms"""
    eps = 0.5
    ref = _reference(False, "relu", seed=8, eps=eps)
    block = _learner_copy(learner, ref, False, "relu", eps=eps)
    x = _x(seed=108)
    check_close(
        block(x),
        ref(x),
        name=f"the post-norm output with layer_norm_eps={eps}",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "ignoring layer_norm_eps (using 1e-5)": _manual(ref, x, norm_first=False, activation="relu", eps=1e-5)
        },
    )


def test_pre_norm_identity_path(learner):
    """a pre-norm block whose sub-layers output zero is the identity: the residual path is untouched"""
    ref = _reference(True, "relu", seed=9)
    with torch.no_grad():
        for name in ("self_attn.out_proj.weight", "self_attn.out_proj.bias", "linear2.weight", "linear2.bias"):
            ref.get_parameter(name).zero_()
    block = _learner_copy(learner, ref, True, "relu")
    x = _x(seed=109)
    check_close(
        block(x),
        x,
        name="the output of a pre-norm block with zeroed out_proj and linear2",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "normalising the residual stream (a post-norm block)": _manual(
                ref, x, norm_first=True, activation="relu", placement="post"
            ),
            "adding the normalised input as the residual": _manual(
                ref, x, norm_first=True, activation="relu", residual_from_normed=True
            ),
        },
    )


def test_gradients(learner):
    """gradients reach every parameter and the input, and equal nn.TransformerEncoderLayer's"""
    for norm_first, seed in ((False, 10), (True, 11)):
        ref = _reference(norm_first, "gelu", seed)
        block = _learner_copy(learner, ref, norm_first, "gelu")
        x = _x(seed=seed + 100)
        upstream = _x(seed=seed + 200)
        xl = x.clone().requires_grad_(True)
        out = block(xl)
        out = learner_tensor(out, "the output", shape=tuple(upstream.shape), grad=True)
        (out * upstream).sum().backward()
        xr = x.clone().requires_grad_(True)
        (ref(xr) * upstream).sum().backward()
        params = dict(block.named_parameters())
        what = "pre-norm" if norm_first else "post-norm"
        for name, p in ref.named_parameters():
            check_true(params[name].grad is not None, f"no gradient reached {name} ({what})")
            check_close(params[name].grad, p.grad, name=f"the gradient of {name} ({what})", rtol=RTOL, atol=ATOL)
        check_close(xl.grad, xr.grad, name=f"the gradient with respect to x ({what})", rtol=RTOL, atol=ATOL)


def test_defaults(learner):
    """the default arguments the stub states"""
    check_defaults(learner.TransformerBlock, "TransformerBlock", norm_first=False, activation='relu')


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: the block keeps every tensor there (padding and causal masks included), and
    its output at the real positions equals the block's in float64 on the CPU"""
    lengths = torch.tensor([6, 4])
    kpm = torch.arange(6)[None, :] >= lengths[:, None]
    real = ~kpm
    for norm_first, seed in ((False, 40), (True, 41)):
        what = "pre-norm" if norm_first else "post-norm"
        ref = _reference(norm_first, "relu", seed)
        block = _learner_copy(learner, ref, norm_first, "relu")
        x = _x(seed=seed + 100)
        check_follows_device(lambda block, x, kpm: block(x, key_padding_mask=kpm, causal=True), block, x, kpm)
        got = to_device(block, device)(*to_device((x,), device), key_padding_mask=to_device(kpm, device), causal=True)
        got = learner_tensor(got, f"the {what} block's output", shape=tuple(x.shape))
        check_true(got.device.type == device.type, f"the {what} block's output is on {got.device.type}, x on {device.type}")
        expected = trusted(lambda ref, x, kpm: _manual(ref, x, norm_first=norm_first, activation="relu", kpm=kpm, causal=True),
                           ref, x, kpm)
        check_close(got.cpu()[real], expected[real], name=f"the {what} output at real positions (padding mask, causal=True) "
                    f"on {device.type}", **tolerance(device, cpu=(RTOL, ATOL)))
