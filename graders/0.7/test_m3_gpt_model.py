"""Grader for milestone 0.7.m3: GPT-2 small exactly, plus nanoGPT's optimiser groups and LR schedule.

GPT-2 small is built on the meta device and its unique parameters counted (124,439,808 with the head
tied). A tiny model's logits are compared with the grader's own functional GPT-2 (pre-norm, tanh GELU,
learned positions, tied head) loaded with the learner's re-randomised weights; causality by perturbation;
the loss at init against ln(V); the AdamW groups (2-D parameters decayed, the tied matrix once, 1-D
parameters not) and the warmup + cosine schedule against their closed forms; one-batch overfitting with
the learner's own optimiser; top-k sampling against the model's own logits. Probes: an untied head,
post-norm blocks, exact GELU, no 1/sqrt(hs), no causal mask, decaying biases and LayerNorms, the tied
matrix twice, a warmup starting at 0, top-k that keeps too many tokens.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_number, check_true, learner_tensor, logits_and_loss

GPT2_SMALL = 124_439_808
TINY = dict(block_size=16, vocab_size=32, n_layer=2, n_head=2, n_embd=32)


def _warm_up() -> None:
    """Load the meta kernels and the optimizer's lazy imports at import time, not in a timed test."""
    with torch.device("meta"), torch.no_grad():
        lin = torch.nn.Linear(4, 4)
        torch.nn.Embedding(4, 4)
        torch.nn.LayerNorm(4)
        torch.nn.init.normal_(lin.weight, std=0.02)
        torch.nn.init.zeros_(lin.bias)
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.AdamW([w], lr=0.1)
    w.sum().backward()
    opt.step()


_warm_up()


def _tiny(learner, seed=0, **over):
    kw = dict(TINY, **over)
    torch.manual_seed(seed)
    return learner.GPT(learner.GPTConfig(**kw)), kw


def _unique_numel(model):
    return sum(p.numel() for p in {id(p): p for p in model.parameters()}.values())


def test_gpt2_small_parameter_count(learner):
    """GPT-2 small built on the meta device has exactly 124,439,808 parameters (head tied)"""
    with torch.device("meta"):
        model = learner.GPT(learner.GPTConfig())
    n = _unique_numel(model)
    untied = GPT2_SMALL + 50257 * 768
    check_number(
        n,
        GPT2_SMALL,
        name="the number of parameters of GPT-2 small",
        rtol=0,
        mistakes={"an lm_head that is not tied to the token embedding": untied},
    )
    check_true(model.lm_head.weight is model.transformer.wte.weight, "lm_head.weight must be the same Parameter as transformer.wte.weight")


def _randomise(model, seed=1):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias") or p.dim() == 1:
                p.copy_(torch.randn(p.shape, generator=g) * 0.1 + (1.0 if "ln" in name and name.endswith("weight") else 0.0))
            else:
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)


def _ref_logits(sd, idx, kw, post_norm=False, exact_gelu=False, no_scale=False, no_mask=False):
    C, H = kw["n_embd"], kw["n_head"]
    B, T = idx.shape
    hs = C // H

    def ln(x, name):
        return F.layer_norm(x, (C,), sd[name + ".weight"], sd[name + ".bias"], 1e-5)

    def lin(x, name):
        return F.linear(x, sd[name + ".weight"], sd.get(name + ".bias"))

    x = sd["transformer.wte.weight"][idx] + sd["transformer.wpe.weight"][:T]
    mask = torch.ones(T, T, dtype=torch.bool).triu(1)
    for layer in range(kw["n_layer"]):
        p = f"transformer.h.{layer}."

        def attn(h):
            q, k, v = lin(h, p + "attn.c_attn").split(C, dim=2)
            q, k, v = (t.view(B, T, H, hs).transpose(1, 2) for t in (q, k, v))
            s = q @ k.transpose(-2, -1) / (1.0 if no_scale else math.sqrt(hs))
            if not no_mask:
                s = s.masked_fill(mask, float("-inf"))
            y = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, C)
            return lin(y, p + "attn.c_proj")

        def mlp(h):
            return lin(F.gelu(lin(h, p + "mlp.c_fc"), approximate="none" if exact_gelu else "tanh"), p + "mlp.c_proj")

        if post_norm:
            x = ln(x + attn(x), p + "ln_1")
            x = ln(x + mlp(x), p + "ln_2")
        else:
            x = x + attn(ln(x, p + "ln_1"))
            x = x + mlp(ln(x, p + "ln_2"))
    x = ln(x, "transformer.ln_f")
    return x @ sd["transformer.wte.weight"].T


def test_forward_matches_reference(learner):
    """logits equal a functional GPT-2 (pre-norm, tanh GELU, learned positions, tied head)"""
    model, kw = _tiny(learner, seed=3)
    _randomise(model)
    model.eval()
    idx = torch.randint(0, kw["vocab_size"], (3, 12), generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        logits, loss = logits_and_loss(model, idx)
        sd = {k: v.detach() for k, v in model.state_dict().items()}
        check_true("lm_head.weight" in sd and "transformer.wte.weight" in sd, "state_dict keys must follow GPT-2's names")
        ref = lambda **f: _ref_logits(sd, idx, kw, **f)  # noqa: E731
        check_close(
            logits,
            ref(),
            name="the logits",
            rtol=1e-4,
            atol=1e-4,
            mistakes={
                "post-norm blocks (LayerNorm after the residual add)": ref(post_norm=True),
                "the exact (erf) GELU instead of the tanh approximation": ref(exact_gelu=True),
                "leaving out the 1/sqrt(head size) scaling": ref(no_scale=True),
                "attention without the causal mask": ref(no_mask=True),
            },
        )


def test_causal_by_perturbation(learner):
    """changing token t leaves every logit before t unchanged"""
    model, kw = _tiny(learner, seed=5)
    _randomise(model, seed=6)
    model.eval()
    idx = torch.randint(0, kw["vocab_size"], (2, 16), generator=torch.Generator().manual_seed(7))
    t = 9
    other = idx.clone()
    other[:, t] = (other[:, t] + 5) % kw["vocab_size"]
    with torch.no_grad():
        a, b = logits_and_loss(model, idx)[0], logits_and_loss(model, other)[0]
    diff = float((a[:, :t] - b[:, :t]).abs().max())
    check_true(diff < 1e-5, f"changing token {t} changed the logits at earlier positions by up to {diff:.3g}: the mask must hide the future")
    check_true(float((a[:, t:] - b[:, t:]).abs().max()) > 1e-4, f"changing token {t} did not change the logits at positions >= {t}")


def test_loss_at_init(learner):
    """the loss at init is the mean cross-entropy and is within 0.1 of ln(vocab_size)"""
    model, kw = _tiny(learner, seed=8, vocab_size=512, block_size=32, n_head=4, n_embd=64)
    g = torch.Generator().manual_seed(9)
    idx = torch.randint(0, 512, (8, 32), generator=g)
    targets = torch.randint(0, 512, (8, 32), generator=g)
    logits, loss = logits_and_loss(model, idx, targets)
    ce = float(F.cross_entropy(logits.detach().reshape(-1, 512), targets.reshape(-1)))
    check_number(float(loss), ce, name="the loss compared with the cross-entropy of your logits", rtol=1e-5,
                 mistakes={"the summed cross-entropy instead of the mean": ce * idx.numel()})
    check_true(
        abs(float(loss) - math.log(512)) < 0.1,
        f"the loss at init is {float(loss):.3f}, expected within 0.1 of ln(512) = {math.log(512):.3f}: initialise "
        "Linear and Embedding weights with std 0.02 (PyTorch's default embedding init is N(0, 1))",
    )


def test_configure_optimizers(learner):
    """AdamW with two groups: 2-D parameters decayed (tied matrix once), 1-D parameters not"""
    model, _ = _tiny(learner, seed=10)
    opt = model.configure_optimizers(0.1, 3e-4, betas=(0.9, 0.95))
    check_true(isinstance(opt, torch.optim.AdamW), f"configure_optimizers should return torch.optim.AdamW, got {type(opt).__name__}")
    check_true(len(opt.param_groups) == 2, f"expected 2 parameter groups, got {len(opt.param_groups)}")
    named = list(model.named_parameters())
    exp_decay = [n for n, p in named if p.dim() >= 2]
    exp_no = [n for n, p in named if p.dim() < 2]
    name_of = {}
    for n, p in named:
        name_of.setdefault(id(p), n)
    got = [[name_of.get(id(p), "<not a model parameter>") for p in g["params"]] for g in opt.param_groups]
    if got[0] != exp_decay:
        if len(got[0]) == len(exp_decay) + 1 and set(got[0]) == set(exp_decay):
            raise GradeFailure("the decayed group holds the tied embedding/lm_head matrix twice: each parameter once")
        extra = [n for n in got[0] if n not in exp_decay]
        if extra:
            raise GradeFailure(f"the decayed group holds 1-D parameters {extra[:3]}: biases and LayerNorms are not decayed")
        raise GradeFailure(f"the decayed group is {got[0]}, expected {exp_decay}")
    check_true(got[1] == exp_no, f"the no-decay group is {got[1]}, expected {exp_no}")
    check_number(opt.param_groups[0]["weight_decay"], 0.1, name="group 0's weight_decay")
    check_number(opt.param_groups[1]["weight_decay"], 0.0, name="group 1's weight_decay", atol=0)
    check_number(opt.param_groups[0]["lr"], 3e-4, name="the learning rate")
    check_true(tuple(opt.param_groups[0]["betas"]) == (0.9, 0.95), f"betas are {opt.param_groups[0]['betas']}, expected (0.9, 0.95)")


def _lr(step, max_lr, min_lr, warm, total):
    if step < warm:
        return max_lr * (step + 1) / warm
    if step > total:
        return min_lr
    r = (step - warm) / (total - warm)
    return min_lr + 0.5 * (1 + math.cos(math.pi * r)) * (max_lr - min_lr)


def test_lr_schedule(learner):
    """get_lr: linear warmup from max_lr/warmup, cosine decay to min_lr, then constant"""
    args = (6e-4, 6e-5, 10, 50)
    for step in [0, 1, 5, 9, 10, 11, 25, 30, 49, 50, 51, 80]:
        exp = _lr(step, *args)
        check_number(
            learner.get_lr(step, *args),
            exp,
            name=f"get_lr({step}, max_lr=6e-4, min_lr=6e-5, warmup_steps=10, max_steps=50)",
            rtol=1e-9,
            mistakes={
                "a warmup that starts at 0 (max_lr * step / warmup_steps)": 6e-4 * step / 10 if step < 10 else float("nan"),
                "a cosine decaying to 0 instead of min_lr": 0.5 * (1 + math.cos(math.pi * (step - 10) / 40)) * 6e-4
                if 10 <= step <= 50 else float("nan"),
            },
        )


def test_overfits_one_batch(learner):
    """with configure_optimizers(0.0, 1e-2) a tiny model's loss on one batch falls below 0.1 in 150 steps"""
    model, kw = _tiny(learner, seed=11)
    g = torch.Generator().manual_seed(12)
    idx = torch.randint(0, kw["vocab_size"], (4, kw["block_size"]), generator=g)
    targets = torch.randint(0, kw["vocab_size"], (4, kw["block_size"]), generator=g)
    opt = model.configure_optimizers(0.0, 1e-2)
    losses = []
    for _ in range(150):
        _, loss = logits_and_loss(model, idx, targets)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(float(loss))
        if losses[-1] < 0.1:
            return
    raise GradeFailure(f"after 150 steps the loss on one batch is {losses[-1]:.3f} (from {losses[0]:.3f}); it should fall below 0.1")


def test_generate_top_k(learner):
    """generate keeps the prompt, crops to block_size, uses the generator, draws only among the top k"""
    model, kw = _tiny(learner, seed=13)
    _randomise(model, seed=14)
    model.eval()
    k = 3
    prompt = torch.randint(0, kw["vocab_size"], (8, 4), generator=torch.Generator().manual_seed(15))
    out = model.generate(prompt.clone(), 20, temperature=2.0, top_k=k, generator=torch.Generator().manual_seed(16))
    out = learner_tensor(out, "generate's result", shape=(8, 24))
    check_true(bool((out[:, :4] == prompt).all()), "generate must return the prompt followed by the new tokens")
    again = model.generate(prompt.clone(), 20, temperature=2.0, top_k=k, generator=torch.Generator().manual_seed(16))
    check_true(isinstance(again, torch.Tensor) and again.shape == out.shape and bool((again == out).all()), "identically seeded generators gave different samples: use the generator given")
    worst = 0
    with torch.no_grad():
        for t in range(4, 24):
            logits = logits_and_loss(model, out[:, max(0, t - kw["block_size"]) : t])[0][:, -1, :]
            rank = (torch.argsort(logits, -1, descending=True) == out[:, t : t + 1]).float().argmax(-1)
            worst = max(worst, int(rank.max()))
    check_true(worst < k, f"a token of rank {worst + 1} was drawn with top_k={k}: only the {k} largest logits may be kept")
