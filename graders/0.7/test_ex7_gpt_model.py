"""Grader for exercise 0.7.7: a GPT-2 style model built from scratch.

GPT-2 small is built on the meta device (no memory, well under a second once torch's meta kernels are
loaded, which the grader does at import) and its parameters counted; the closed-form count is compared
with 124,439,808 and with built tiny models. The forward pass is compared with the grader's own
functional GPT-2 (pre-norm blocks, tanh GELU, tied head) loaded with the learner's state_dict after the
weights are re-randomised so that every part matters. Causality by perturbation, the loss at init against
ln(V), one-batch overfitting with the grader's AdamW, and top-k sampling against the model's own logits
follow. Probes: an untied head, a missing position embedding or biases, a bias on lm_head, a 3x MLP;
post-norm blocks, exact GELU, no final LayerNorm, no position embedding, no causal mask, no 1/sqrt(hs);
PyTorch's default N(0, 1) embedding init; a summed loss; top-k keeping k + 1 or k - 1 tokens or the
wrong end; sampling that ignores the generator or the block size.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_number, check_true, logits_and_loss
from gradelib.devices import check_follows_device, check_host_syncs

GPT2_SMALL = 124_439_808
TOL = dict(rtol=1e-4, atol=1e-4)

_grad = torch.autograd.grad


def _warm_up() -> None:
    """Load torch's lazily imported pieces while the grader is imported, not inside a timed test: the
    meta-device kernels (the first meta model takes seconds otherwise) and what the first optimizer step
    imports (torch._dynamo)."""
    with torch.device("meta"), torch.no_grad():
        lin = torch.nn.Linear(4, 4)
        emb = torch.nn.Embedding(4, 4)
        torch.nn.LayerNorm(4)
        torch.nn.init.normal_(lin.weight, std=0.02)
        torch.nn.init.normal_(emb.weight, std=0.02)
        torch.nn.init.zeros_(lin.bias)
        lin.weight.normal_(0, 0.02)
        lin.bias.zero_()
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.AdamW([w], lr=0.1)
    w.sum().backward()
    opt.step()


_warm_up()


def _cfg(learner, **kw):
    return learner.GPTConfig(**kw)


TINY = dict(block_size=16, vocab_size=32, n_layer=2, n_head=2, n_embd=32)


def _count_mistakes(block_size, V, L, C):
    right = V * C + block_size * C + L * (12 * C * C + 13 * C) + 2 * C
    return right, {
        "counting the tied lm_head weight a second time (untied embedding and head)": right + V * C,
        "leaving out the position embedding wpe": right - block_size * C,
        "giving lm_head a bias": right + V,
        "leaving out every bias (Linear and LayerNorm)": right - L * (9 * C + 2 * C) - C,
        "leaving out the final LayerNorm ln_f": right - 2 * C,
        "an MLP of width 3C instead of 4C": right - L * (2 * C * C + C),
    }


def test_count_parameters_gpt2_small(learner):
    """count_parameters(GPTConfig()) is exactly 124,439,808 (tied embedding counted once)"""
    right, mistakes = _count_mistakes(1024, 50257, 12, 768)
    assert right == GPT2_SMALL
    got = learner.count_parameters(learner.GPTConfig())
    check_number(got, GPT2_SMALL, name="count_parameters(GPT-2 small)", rtol=0, mistakes=mistakes)


def _unique_numel(model) -> int:
    return sum(p.numel() for p in model.parameters())


def test_gpt2_small_built_on_meta_device(learner):
    """GPT(GPTConfig()) built on the meta device has exactly 124,439,808 parameters, head tied"""
    try:
        with torch.device("meta"):
            model = learner.GPT(learner.GPTConfig())
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise GradeFailure(
            f"building GPT(GPTConfig()) under `with torch.device('meta')` failed: {type(exc).__name__}: {exc} "
            "(create tensors through modules and in-place init calls only: no .item(), no device='cpu')"
        ) from None
    _, mistakes = _count_mistakes(1024, 50257, 12, 768)
    got = _unique_numel(model)
    check_number(got, GPT2_SMALL, name="the parameter count of GPT(GPTConfig())", rtol=0, mistakes=mistakes)
    check_true(
        model.lm_head.weight is model.transformer.wte.weight,
        "lm_head.weight and transformer.wte.weight should be the same Parameter (weight tying)",
    )


def test_count_parameters_matches_built_models(learner):
    """the closed form equals the built model's count on other configurations"""
    for kw in (TINY, dict(block_size=8, vocab_size=50, n_layer=3, n_head=4, n_embd=16)):
        cfg = _cfg(learner, **kw)
        with torch.device("meta"):
            model = learner.GPT(cfg)
        right, mistakes = _count_mistakes(kw["block_size"], kw["vocab_size"], kw["n_layer"], kw["n_embd"])
        check_number(_unique_numel(model), right, name=f"the parameter count of GPT({kw})", rtol=0, mistakes=mistakes)
        check_number(learner.count_parameters(cfg), right, name=f"count_parameters({kw})", rtol=0, mistakes=mistakes)


def _expected_shapes(block_size, V, L, C):
    shapes = {
        "transformer.wte.weight": (V, C),
        "transformer.wpe.weight": (block_size, C),
        "transformer.ln_f.weight": (C,),
        "transformer.ln_f.bias": (C,),
        "lm_head.weight": (V, C),
    }
    for i in range(L):
        p = f"transformer.h.{i}."
        shapes.update(
            {
                p + "ln_1.weight": (C,),
                p + "ln_1.bias": (C,),
                p + "attn.c_attn.weight": (3 * C, C),
                p + "attn.c_attn.bias": (3 * C,),
                p + "attn.c_proj.weight": (C, C),
                p + "attn.c_proj.bias": (C,),
                p + "ln_2.weight": (C,),
                p + "ln_2.bias": (C,),
                p + "mlp.c_fc.weight": (4 * C, C),
                p + "mlp.c_fc.bias": (4 * C,),
                p + "mlp.c_proj.weight": (C, 4 * C),
                p + "mlp.c_proj.bias": (C,),
            }
        )
    return shapes


def _tiny(learner, seed=0, **over):
    kw = dict(TINY, **over)
    torch.manual_seed(seed)
    return learner.GPT(_cfg(learner, **kw)), kw


def test_state_dict_names_and_shapes(learner):
    """parameter names and shapes are GPT-2's (transformer.h.0.attn.c_attn.weight, ...)"""
    model, kw = _tiny(learner)
    expected = _expected_shapes(kw["block_size"], kw["vocab_size"], kw["n_layer"], kw["n_embd"])
    got = {name: tuple(p.shape) for name, p in model.named_parameters(remove_duplicate=False)}
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    if missing or extra:
        raise GradeFailure(
            "the parameter names differ from GPT-2's: "
            + (f"missing {missing[:4]}{' ...' if len(missing) > 4 else ''}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"unexpected {extra[:4]}{' ...' if len(extra) > 4 else ''}" if extra else "")
        )
    for key, shape in expected.items():
        check_true(got[key] == shape, f"{key} has shape {got[key]}, expected {shape}")


def _ln(x, sd, name, eps=1e-5):
    return F.layer_norm(x, x.shape[-1:], sd[name + ".weight"], sd[name + ".bias"], eps)


def _reference_logits(
    sd, idx, n_layer, n_head, *, gelu="tanh", pre_norm=True, final_ln=True, positions=True, causal=True, scale=True
):
    B, T = idx.shape
    wte = sd["transformer.wte.weight"]
    C = wte.shape[1]
    hs = C // n_head
    x = wte[idx]
    if positions:
        x = x + sd["transformer.wpe.weight"][:T]
    mask = torch.ones(T, T, dtype=torch.bool).triu(1)
    for i in range(n_layer):
        p = f"transformer.h.{i}."

        def attn(h):
            q, k, v = F.linear(h, sd[p + "attn.c_attn.weight"], sd[p + "attn.c_attn.bias"]).split(C, dim=2)
            q, k, v = (t.view(B, T, n_head, hs).transpose(1, 2) for t in (q, k, v))
            s = q @ k.transpose(-2, -1) / (math.sqrt(hs) if scale else 1.0)
            if causal:
                s = s.masked_fill(mask, float("-inf"))
            y = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(B, T, C)
            return F.linear(y, sd[p + "attn.c_proj.weight"], sd[p + "attn.c_proj.bias"])

        def mlp(h):
            h = F.linear(h, sd[p + "mlp.c_fc.weight"], sd[p + "mlp.c_fc.bias"])
            h = F.gelu(h, approximate=gelu)
            return F.linear(h, sd[p + "mlp.c_proj.weight"], sd[p + "mlp.c_proj.bias"])

        if pre_norm:
            x = x + attn(_ln(x, sd, p + "ln_1"))
            x = x + mlp(_ln(x, sd, p + "ln_2"))
        else:
            x = _ln(x + attn(x), sd, p + "ln_1")
            x = _ln(x + mlp(x), sd, p + "ln_2")
    if final_ln:
        x = _ln(x, sd, "transformer.ln_f")
    return x @ sd["lm_head.weight"].T


def _randomise(model, seed=1):
    """Give every parameter a visible value (GPT-2's init makes biases 0 and LayerNorms identity)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1 and "ln" in name and name.endswith("weight"):
                p.copy_(1 + 0.3 * torch.randn(p.shape, generator=g))
            elif p.dim() == 1:
                p.copy_(0.3 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(p.shape[-1]) * 1.5)


def _logits(model, idx):
    return logits_and_loss(model, idx)[0]


def test_forward_matches_reference_gpt2(learner):
    """logits equal a reference GPT-2 forward loaded with your weights"""
    model, kw = _tiny(learner)
    _randomise(model)
    model.eval()
    idx = torch.randint(0, kw["vocab_size"], (3, kw["block_size"]), generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        logits = _logits(model, idx)
        sd = {k: v.detach() for k, v in model.state_dict().items()}
        ref = lambda **s: _reference_logits(sd, idx, kw["n_layer"], kw["n_head"], **s)  # noqa: E731
        check_true(
            tuple(logits.shape) == (3, kw["block_size"], kw["vocab_size"]),
            f"logits have shape {tuple(logits.shape)}, expected (B, T, vocab_size) = "
            f"(3, {kw['block_size']}, {kw['vocab_size']})",
        )
        check_close(
            logits,
            ref(),
            name="the logits",
            mistakes={
                "post-norm blocks (x = ln(x + attn(x))) instead of GPT-2's pre-norm (x = x + attn(ln_1(x)))": ref(
                    pre_norm=False
                ),
                "the exact (erf) GELU instead of GPT-2's tanh approximation": ref(gelu="none"),
                "leaving out the final LayerNorm ln_f": ref(final_ln=False),
                "leaving out the position embedding": ref(positions=False),
                "attention without the causal mask": ref(causal=False),
                "leaving out the 1/sqrt(head size) scaling": ref(scale=False),
            },
            **TOL,
        )
        short = idx[:, :5]
        expected = _reference_logits(sd, short, kw["n_layer"], kw["n_head"])
        check_close(_logits(model, short), expected, name="the logits of a sequence shorter than block_size", **TOL)


def test_causal_by_perturbation(learner):
    """changing token t changes no logits before position t"""
    model, kw = _tiny(learner)
    _randomise(model, seed=3)
    model.eval()
    idx = torch.randint(0, kw["vocab_size"], (2, 12), generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        base = _logits(model, idx)
        for t in (3, 8, 11):
            other = idx.clone()
            other[:, t] = (other[:, t] + 7) % kw["vocab_size"]
            diff = (_logits(model, other) - base).abs().amax(dim=(0, 2))
            if float(diff[:t].max()) > 1e-5:
                first = int(torch.nonzero(diff[:t] > 1e-5)[0])
                raise GradeFailure(
                    f"changing token {t} changed the logits at position {first} (by {float(diff[:t].max()):.3g}): "
                    "attention must not look at later positions"
                )
            check_true(float(diff[t]) > 1e-4, f"changing token {t} did not change the logits at position {t}")


def test_loss_at_init_near_ln_vocab(learner):
    """the loss at init is within 0.1 of ln(vocab_size) and is the mean cross-entropy"""
    model, kw = _tiny(learner, seed=5, vocab_size=512, block_size=32, n_head=4, n_embd=64)
    g = torch.Generator().manual_seed(6)
    idx = torch.randint(0, 512, (8, 32), generator=g)
    targets = torch.randint(0, 512, (8, 32), generator=g)
    logits, loss = logits_and_loss(model, idx, targets)
    ce = F.cross_entropy(logits.detach().reshape(-1, 512), targets.reshape(-1))
    check_number(
        float(loss),
        float(ce),
        name="the loss compared with the cross-entropy of your own logits",
        rtol=1e-5,
        atol=1e-6,
        mistakes={"the summed cross-entropy instead of the mean": float(ce) * idx.numel()},
    )
    if abs(float(loss) - math.log(512)) > 0.1:
        std = float(model.transformer.wte.weight.detach().std())
        raise GradeFailure(
            f"the loss at initialisation is {float(loss):.3f}, expected within 0.1 of ln(512) = {math.log(512):.3f}: "
            f"the initial logits are not close to uniform (the token embedding has std {std:.3f}; GPT-2 initialises "
            "Linear and Embedding weights with std 0.02, not PyTorch's default N(0, 1) for embeddings)"
        )


def test_overfits_one_batch(learner):
    """a tiny model trained with AdamW(lr=1e-2) drives the loss on one batch below 0.1 within 150 steps"""
    model, kw = _tiny(learner, seed=7)
    g = torch.Generator().manual_seed(8)
    idx = torch.randint(0, kw["vocab_size"], (4, kw["block_size"]), generator=g)
    targets = torch.randint(0, kw["vocab_size"], (4, kw["block_size"]), generator=g)
    params = list(model.parameters())
    check_true(len(params) > 0, "the model has no parameters")
    opt = torch.optim.AdamW(params, lr=1e-2, weight_decay=0.0)
    losses = []
    for _ in range(150):
        _, loss = logits_and_loss(model, idx, targets)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(float(loss))
        if losses[-1] < 0.1:
            return
    frozen = [n for n, p in model.named_parameters() if p.grad is None]
    raise GradeFailure(
        f"after 150 AdamW steps on one batch the loss is {losses[-1]:.3f} (from {losses[0]:.3f}); it should fall "
        "below 0.1"
        + (f". No gradient reached {frozen[:3]}: is something detached?" if frozen else "")
    )


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_generate_top_k(learner):
    """generate keeps the prompt, crops to block_size, and only draws from the top k logits"""
    model, kw = _tiny(learner, seed=9)
    _randomise(model, seed=10)
    model.eval()
    V, k, temperature = kw["vocab_size"], 3, 2.0
    prompt = torch.randint(0, V, (8, 4), generator=torch.Generator().manual_seed(11))
    n_new = 20  # 4 + 20 > block_size 16: the context must be cropped
    try:
        out = model.generate(prompt.clone(), n_new, temperature=temperature, top_k=k, generator=_gen(12))
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise GradeFailure(
            f"generate(prompt of length 4, max_new_tokens=20) failed with {type(exc).__name__}: {exc}; once the "
            "sequence is longer than block_size=16, crop the context to its last block_size tokens"
        ) from None
    check_true(
        isinstance(out, torch.Tensor) and tuple(out.shape) == (8, 4 + n_new),
        f"generate returned shape {tuple(getattr(out, 'shape', ()))}, expected (8, 24)",
    )
    check_true(bool((out[:, :4] == prompt).all()), "generate must return the prompt followed by the new tokens")
    again = model.generate(prompt.clone(), n_new, temperature=temperature, top_k=k, generator=_gen(12))
    check_true(
        bool((again == out).all()),
        "two calls with identically seeded generators differ: draw with the generator you are given",
    )
    ranks = []
    with torch.no_grad():
        for t in range(4, 4 + n_new):
            ctx = out[:, max(0, t - kw["block_size"]) : t]
            logits = logits_and_loss(model, ctx)[0][:, -1, :]
            order = torch.argsort(logits, dim=-1, descending=True)
            ranks.append((order == out[:, t : t + 1]).float().argmax(dim=-1))
    ranks = torch.stack(ranks)
    worst = int(ranks.max())
    if worst >= k:
        why = " (it keeps k + 1 tokens: an off-by-one in the threshold)" if worst == k else ""
        raise GradeFailure(
            f"with top_k={k}, generate drew a token ranked #{worst + 1} by the model's logits{why}; only the {k} "
            "largest logits may be drawn (set the others to -inf before the softmax)"
        )
    used = sorted({int(r) for r in ranks.flatten()})
    check_true(
        used == list(range(k)),
        f"with top_k={k} and temperature {temperature}, 160 draws only used ranks {[r + 1 for r in used]}: all of the "
        f"top {k} should be drawn sometimes (do you keep only k - 1 tokens, or take the argmax?)",
    )
    greedy = model.generate(prompt.clone(), 6, top_k=1, generator=torch.Generator().manual_seed(13))
    with torch.no_grad():
        expected = prompt.clone()
        for _ in range(6):
            nxt = logits_and_loss(model, expected[:, -kw["block_size"] :])[0][:, -1, :].argmax(dim=-1, keepdim=True)
            expected = torch.cat([expected, nxt], dim=1)
    check_true(
        bool((greedy == expected).all()), "with top_k=1, generate should always pick the argmax (greedy decoding)"
    )


def test_generate_stays_on_the_device(learner):
    """generate keeps its tokens on the model's device: no tensor made off it, no host sync per new token"""
    model, kw = _tiny(learner, seed=13)
    model.eval()
    prompt = torch.randint(0, kw["vocab_size"], (2, 3), generator=torch.Generator().manual_seed(14))
    with torch.no_grad():
        check_follows_device(lambda m, p: m.generate(p, 4, top_k=5), model, prompt)
        # One copy to the host per generated token is the classic slow loop; a few in all are fine.
        check_host_syncs(lambda: model.generate(prompt.clone(), 12, top_k=5, generator=_gen(15)), most=3)
