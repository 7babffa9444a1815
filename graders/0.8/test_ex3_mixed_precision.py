"""Grader for exercise 0.8.3: a mixed-precision training step.

Form: the catalogue's, device-aware through the ``device`` fixture: bf16 autocast without loss scaling
on the CPU, fp16 autocast with an enabled GradScaler on CUDA. Forward hooks record the dtype the layers
actually ran in; parameter updates are compared with a reference step on the same device. The GradScaler
protocol (scale, unscale before clipping, scaler.step skipping non-finite steps, update) is checked on
every device by handing the learner an ENABLED scaler (the CPU has one since PyTorch 2.3), so a CPU-only
learner is held to the CUDA recipe too.

Probes: no autocast, float16 on the CPU, the model cast to 16 bits, gradients not zeroed between steps,
``optimizer.step()`` instead of ``scaler.step``, ``loss.backward()`` on the unscaled loss (GradScaler's own
refusal is reworded to name it), clipping the
scaled gradients (no ``unscale_``), ignoring max_grad_norm, never calling ``scaler.update()``, returning the
scaled loss, and a step taken on inf/NaN gradients.
"""

from __future__ import annotations

import copy

import pytest
import torch
import torch._dynamo  # noqa: F401  (building an optimizer imports it, and it rewraps torch.manual_seed)
from gradelib import GradeFailure, check_close, check_number, check_true

INIT_SCALE = 1024.0


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is faster than two, and much steadier on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _expected_dtype(device: torch.device) -> torch.dtype:
    return torch.float16 if device.type == "cuda" else torch.bfloat16


def _model(device: torch.device) -> torch.nn.Module:
    g = torch.Generator().manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 4))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.3)
    return model.to(device)


def _batch(device: torch.device, seed: int = 1, bad: bool = False):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(8, 16, generator=g)
    y = torch.randint(0, 4, (8,), generator=g)
    if bad:
        x[0, 0] = float("inf")
    return x.to(device), y.to(device)


def _scaler(device: torch.device, enabled: bool) -> torch.amp.GradScaler:
    return torch.amp.GradScaler(device.type, init_scale=INIT_SCALE, growth_interval=1, enabled=enabled)


def _sgd(model):
    return torch.optim.SGD(model.parameters(), lr=0.1)


def _sim_step(model, x, y, opt, scaler, device, max_norm=None, *, direct_step=False,
              clip_before_unscale=False, ignore_clip=False, no_zero_grad=False, no_update=False):
    """The reference step; the knobs reproduce the classic mistakes."""
    if not no_zero_grad:
        opt.zero_grad(set_to_none=True)
    with torch.autocast(device_type=device.type, dtype=_expected_dtype(device)):
        loss = torch.nn.functional.cross_entropy(model(x), y)
    scaler.scale(loss).backward()
    if max_norm is not None and not ignore_clip:
        if not clip_before_unscale:
            scaler.unscale_(opt)
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    if direct_step:
        opt.step()
        return float(loss)
    scaler.step(opt)
    if not no_update:
        scaler.update()
    return float(loss)


def _flat(model) -> torch.Tensor:
    return torch.cat([p.detach().float().reshape(-1).cpu() for p in model.parameters()])


def _delta(step_fn, device, bad=False) -> torch.Tensor:
    model = _model(device)
    before = _flat(model)
    step_fn(model, *_batch(device, bad=bad))
    return _flat(model) - before


def _check_delta(got, expected, name, mistakes=None):
    slack = 0.05 * float(expected.abs().max())
    check_close(got, expected, name=name, rtol=0.05, atol=slack, mistakes=mistakes)


def _learner_float(value, name="train_step") -> float:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        raise GradeFailure(f"{name} should return the loss as a Python float (use float(loss)), got a tensor")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise GradeFailure(f"{name} should return the loss as a Python float, got {type(value).__name__}")
    return float(value)


def _guarded(fn, *args):
    """Call the learner's step; turn GradScaler's own protocol assertions into a named mistake."""
    try:
        return fn(*args)
    except AssertionError as exc:
        text = str(exc)
        if "_scale is None" in text or "No inf checks were recorded" in text:
            raise GradeFailure(
                "the GradScaler refused the step (" + text.split(".")[0] + "): this is what calling "
                "loss.backward() instead of scaler.scale(loss).backward(), or optimizer.step() instead of "
                "scaler.step(optimizer), gives"
            ) from None
        raise


def test_amp_settings(learner):
    """amp_settings: float16 + GradScaler on CUDA, bfloat16 without one on CPU and MPS"""
    for device_type, expected in (("cuda", (torch.float16, True)), ("cpu", (torch.bfloat16, False)),
                                  ("mps", (torch.bfloat16, False))):
        got = learner.amp_settings(device_type)
        if got == expected:
            continue
        why = ""
        if device_type == "cpu" and got and got[0] == torch.float16:
            why = (" float16 autocast on the CPU is the wrong choice: bfloat16 keeps float32's range and is what "
                   "CPU autocast supports best.")
        if device_type == "cuda" and got and got[0] == torch.bfloat16:
            why = " On CUDA this exercise uses float16 with a GradScaler (the classic recipe)."
        if got and len(got) == 2 and got[0] == expected[0] and got[1] != expected[1]:
            why = " Loss scaling is needed exactly for float16 (narrow exponent range), i.e. on CUDA here."
        raise GradeFailure(f"amp_settings({device_type!r}) returned {got!r}, expected {expected!r}.{why}")


def test_make_scaler(learner, device):
    """make_scaler gives a GradScaler enabled only on CUDA"""
    scaler = learner.make_scaler(device)
    check_true(isinstance(scaler, torch.amp.GradScaler),
               f"make_scaler should return a torch.amp.GradScaler, got {type(scaler).__name__}")
    want = device.type == "cuda"
    check_true(
        scaler.is_enabled() == want,
        f"the scaler for {device.type} is {'enabled' if scaler.is_enabled() else 'disabled'}; expected "
        f"{'enabled (float16 needs loss scaling)' if want else 'disabled (bfloat16 needs no loss scaling)'}",
    )


def test_forward_runs_under_autocast(learner, device):
    """the layers run in the autocast dtype while weights and gradients stay float32"""
    model = _model(device)
    seen: list[torch.dtype] = []
    hooks = [m.register_forward_hook(lambda mod, inp, out: seen.append(out.dtype))
             for m in model if isinstance(m, torch.nn.Linear)]
    x, y = _batch(device)
    loss = learner.train_step(model, x, y, torch.nn.CrossEntropyLoss(), _sgd(model), _scaler(device, False), device)
    for h in hooks:
        h.remove()
    _learner_float(loss)
    want = _expected_dtype(device)
    check_true(bool(seen), "train_step never called the model")
    if any(d != want for d in seen):
        why = ""
        if all(d == torch.float32 for d in seen):
            why = " This is what running the forward pass outside torch.autocast gives."
        elif device.type == "cpu" and torch.float16 in seen:
            why = " This is what float16 autocast on the CPU gives; use bfloat16 there."
        raise GradeFailure(f"the Linear layers produced {sorted({str(d) for d in seen})} on {device.type}; "
                           f"expected {want} under autocast.{why}")
    bad = [(n, p.dtype) for n, p in model.named_parameters() if p.dtype != torch.float32]
    check_true(not bad, f"parameters {bad[:2]} are no longer float32: casting the model itself to low precision "
                        "loses the float32 master weights; let autocast cast per operation")
    grads = [p.grad.dtype for p in model.parameters() if p.grad is not None]
    check_true(all(d == torch.float32 for d in grads), f"gradients have dtypes {set(grads)}, expected float32")


def test_two_steps_match_reference(learner, device):
    """two steps with the device's usual scaler match the reference (gradients cleared between steps)"""
    def run(step_fn):
        model = _model(device)
        opt = _sgd(model)
        scaler = _scaler(device, device.type == "cuda")
        losses = [step_fn(model, *_batch(device, seed=s), opt, scaler) for s in (1, 2)]
        return _flat(model), losses

    loss_fn = torch.nn.CrossEntropyLoss()
    start = _flat(_model(device))
    got, got_losses = run(lambda m, x, y, o, s: _learner_float(learner.train_step(m, x, y, loss_fn, o, s, device)))
    exp, exp_losses = run(lambda m, x, y, o, s: _sim_step(m, x, y, o, s, device))
    acc, _ = run(lambda m, x, y, o, s: _sim_step(m, x, y, o, s, device, no_zero_grad=True))
    _check_delta(got - start, exp - start, "the parameter change after two train_step calls",
                 {"not clearing the gradients between steps (they accumulate)": acc - start})
    check_close(torch.tensor(got_losses), torch.tensor(exp_losses), name="the losses returned by the two steps",
                rtol=0.02, atol=1e-3)


@pytest.fixture
def scaler_device(device):
    if device.type not in ("cpu", "cuda"):
        pytest.skip(f"the GradScaler protocol check runs on CPU or CUDA, not {device.type}")
    return device


def test_scaler_protocol(learner, scaler_device):
    """with an enabled GradScaler: scaled backward, scaler.step, scaler.update, and the unscaled loss returned"""
    device = scaler_device
    loss_fn = torch.nn.CrossEntropyLoss()
    scaler = _scaler(device, True)
    result = {}

    def learner_step(model, x, y):
        result["loss"] = _learner_float(_guarded(learner.train_step, model, x, y, loss_fn, _sgd(model), scaler, device))

    got = _delta(learner_step, device)
    ref_loss = {}

    def sim(**knobs):
        def step(model, x, y):
            ref_loss["v"] = _sim_step(model, x, y, _sgd(model), _scaler(device, True), device, **knobs)
        return _delta(step, device)

    expected = sim()
    if not torch.isfinite(got).all():
        raise GradeFailure("the parameters became inf/NaN after one step with an enabled GradScaler")
    _check_delta(got, expected, "the parameter change after one step with an enabled GradScaler (scale 1024)", {
        "calling optimizer.step() instead of scaler.step(optimizer): the gradients are still multiplied by the "
        "scale": sim(direct_step=True),
    })
    check_number(result["loss"], ref_loss["v"], name="the loss returned by train_step", rtol=0.02,
                 mistakes={"returning the scaled loss (return the loss itself)": ref_loss["v"] * INIT_SCALE,
                           "returning the loss scaled again after scaler.update() (return the loss itself)":
                               ref_loss["v"] * INIT_SCALE * 2})
    check_number(scaler.get_scale(), 2 * INIT_SCALE, name="the scale after one finite step (growth_interval=1)",
                 mistakes={"never calling scaler.update() (the scale never adapts)": INIT_SCALE})


def test_unscale_before_clipping(learner, scaler_device):
    """gradients are unscaled (scaler.unscale_) before clip_grad_norm_ sees them"""
    device = scaler_device
    loss_fn = torch.nn.CrossEntropyLoss()
    max_norm = 0.05

    def learner_step(model, x, y):
        _guarded(learner.train_step, model, x, y, loss_fn, _sgd(model), _scaler(device, True), device, max_norm)

    def sim(**knobs):
        return _delta(lambda m, x, y: _sim_step(m, x, y, _sgd(m), _scaler(device, True), device, max_norm, **knobs),
                      device)

    got = _delta(learner_step, device)
    if not torch.isfinite(got).all():
        raise GradeFailure("the parameters became inf/NaN after one clipped step with an enabled GradScaler")
    _check_delta(got, sim(), f"the parameter change after one step clipped to max_grad_norm={max_norm}", {
        "clipping the SCALED gradients (call scaler.unscale_(optimizer) before clip_grad_norm_)": sim(
            clip_before_unscale=True),
        "ignoring max_grad_norm": sim(ignore_clip=True),
    })


def test_non_finite_step_is_skipped(learner, scaler_device):
    """a step with inf/NaN gradients is skipped and the scale is halved"""
    device = scaler_device
    loss_fn = torch.nn.CrossEntropyLoss()
    scaler = _scaler(device, True)

    def learner_step(model, x, y):
        _guarded(learner.train_step, model, x, y, loss_fn, _sgd(model), scaler, device)

    got = _delta(learner_step, device, bad=True)
    check_true(
        bool((got == 0).all()),
        "a batch with an inf input changed the parameters"
        + (" to inf/NaN" if not torch.isfinite(got).all() else "")
        + ": step with scaler.step(optimizer), which skips steps whose gradients are not finite, "
        "not optimizer.step()",
    )
    check_number(scaler.get_scale(), INIT_SCALE / 2, name="the scale after a non-finite step (backoff 0.5)",
                 mistakes={"never calling scaler.update() (the scale never adapts)": INIT_SCALE})
