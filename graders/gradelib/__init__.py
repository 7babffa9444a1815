"""Helpers that graders use to compare the learner's answers with a trusted reference and to explain,
in the learner's words, what is wrong: shape, dtype, the largest difference and where it is, the
tolerance used, and which classic mistake a wrong answer looks like.

Conventions for grader authors:
- compute expected values with references captured at import time (``_sdpa = F.scaled_dot_product_attention``)
  or inside the grader; ``FORBIDDEN`` names are unavailable only to the learner's code;
- pass known-wrong alternatives as ``mistakes={"what the mistake is": wrong_value}`` so that a wrong answer
  that equals one of them is named;
- raise ``NotStarted`` (via ``answer``) for quiz answers still ``None``.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pytest
import torch

from tracker.grading.sandbox import NotStarted, verify

__all__ = [
    "GradeFailure",
    "NotStarted",
    "answer",
    "as_float",
    "check_close",
    "check_defaults",
    "check_number",
    "check_shape",
    "check_true",
    "grad_of",
    "learner_tensor",
    "length",
    "logits_and_loss",
    "member",
    "numbers",
    "needs_cuda",
    "seal",
    "to_tensor",
    "unpack",
    "unseal",
]

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU: CUDA is not available here")


class GradeFailure(AssertionError):
    """A check failed; the text is shown to the learner as is."""


def to_tensor(value: Any, name: str = "the result") -> torch.Tensor:
    """Accept a tensor, an ndarray, a list or a number; anything else is a clear failure."""
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(value))
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return torch.tensor(value)
    if isinstance(value, (list, tuple)):
        try:
            tensor = torch.tensor(value)
            # Python floats are doubles: keep them so (torch.tensor would make them float32).
            return torch.tensor(value, dtype=torch.float64) if tensor.is_floating_point() else tensor
        except (TypeError, ValueError):
            pass
    raise GradeFailure(f"{name} should be a tensor (or array), but it is {type(value).__name__}: {_short(value)}")


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def check_shape(value: Any, shape: tuple[int, ...], name: str = "the result") -> torch.Tensor:
    tensor = to_tensor(value, name)
    if tuple(tensor.shape) != tuple(shape):
        raise GradeFailure(f"{name} has shape {tuple(tensor.shape)}, expected {tuple(shape)}")
    return tensor


def _matches(actual: torch.Tensor, candidate: Any, rtol: float, atol: float) -> bool:
    try:
        other = to_tensor(candidate).to(torch.float64).cpu()
    except GradeFailure:
        return False
    if other.shape != actual.shape:
        return False
    return bool(torch.allclose(actual.to(torch.float64).cpu(), other, rtol=rtol, atol=atol, equal_nan=True))


def check_close(
    actual: Any,
    expected: Any,
    *,
    name: str = "the result",
    rtol: float = 1e-5,
    atol: float = 1e-6,
    dtype: torch.dtype | None = None,
    mistakes: Mapping[str, Any] | None = None,
) -> None:
    """Fail with a learner-facing message unless actual equals expected within the tolerance.

    The message gives the shape or dtype mismatch, or the largest difference, where it is, both values and
    the tolerance; when the wrong answer equals one of ``mistakes`` it names that mistake.
    """
    verify()
    exp = to_tensor(expected, "the expected value").detach().cpu()
    act = to_tensor(actual, name).cpu()
    if dtype is not None and act.dtype != dtype:
        raise GradeFailure(f"{name} has dtype {act.dtype}, expected {dtype}")
    if act.shape != exp.shape:
        hint = ""
        if act.numel() == exp.numel():
            hint = " (same number of elements: a transpose or a reshape in the wrong order?)"
        raise GradeFailure(f"{name} has shape {tuple(act.shape)}, expected {tuple(exp.shape)}{hint}")
    if act.is_complex() or exp.is_complex():
        raise GradeFailure(f"{name} is complex; expected real values")
    a64, e64 = act.to(torch.float64), exp.to(torch.float64)
    nan_bad = torch.isnan(a64) & ~torch.isnan(e64)
    if bool(nan_bad.any()):
        index = tuple(int(i) for i in torch.nonzero(nan_bad)[0])
        raise GradeFailure(
            f"{name} has NaN at index {list(index)} where {_fmt(float(e64[index]))} was expected"
            + (f" ({int(nan_bad.sum())} NaN values in all)" if int(nan_bad.sum()) > 1 else "")
            + _diagnose(act, mistakes, rtol, atol)
        )
    if bool(torch.allclose(a64, e64, rtol=rtol, atol=atol, equal_nan=True)):
        return
    diff = (a64 - e64).abs()
    diff = torch.where(torch.isnan(diff), torch.zeros_like(diff), diff)
    allowed = atol + rtol * e64.abs()
    outside = ~torch.isclose(a64, e64, rtol=rtol, atol=atol, equal_nan=True)
    # The headline is the worst violation of the tolerance (the largest excess over what is allowed), which
    # is not always the largest absolute difference: that one can sit on a large value, within rtol.
    excess = torch.where(outside, diff - allowed, torch.full_like(diff, -float("inf")))
    excess = torch.where(torch.isnan(excess), torch.full_like(excess, float("inf")), excess)
    flat = int(torch.argmax(excess))
    index = [int(i) for i in np.unravel_index(flat, tuple(exp.shape))] if exp.dim() else []
    where = f" at index {index}" if index else ""
    bad = int(outside.sum())
    worst = float(diff.reshape(-1)[flat])
    got, wanted = float(a64.reshape(-1)[flat]), float(e64.reshape(-1)[flat])
    lead = "the difference from the reference" if exp.numel() == 1 else "the worst difference from the reference"
    raise GradeFailure(
        f"{name}: {lead} is {_fmt(worst)}{where} (expected {_fmt(wanted)}, got {_fmt(got)}, "
        f"allowed {_fmt(float(allowed.reshape(-1)[flat]))}); "
        f"{bad} of {exp.numel()} values are outside rtol={rtol:g}, atol={atol:g}"
        + _diagnose(act, mistakes, rtol, atol)
    )


def _diagnose(actual: torch.Tensor, mistakes: Mapping[str, Any] | None, rtol: float, atol: float) -> str:
    for description, wrong in (mistakes or {}).items():
        if _matches(actual, wrong, rtol, atol):
            return f". This is what {description} gives."
    return ""


def check_number(
    actual: Any,
    expected: float,
    *,
    name: str,
    rtol: float = 1e-6,
    atol: float = 0.0,
    mistakes: Mapping[str, float] | None = None,
    reveal: bool = True,
) -> None:
    """Compare one number; ``mistakes`` maps a description (a noun phrase: "This is what {it} gives.") to
    the value that mistake produces. ``reveal=False`` keeps the expected value out of the message, for
    quiz answers."""
    verify()
    if isinstance(actual, np.ndarray) and actual.size == 1:
        actual = actual.item()
    elif isinstance(actual, torch.Tensor) and actual.numel() == 1:
        actual = actual.item()
    if isinstance(actual, bool) or not isinstance(actual, (int, float, np.number)):
        raise GradeFailure(f"{name} should be a number, but it is {type(actual).__name__}: {_short(actual)}")
    actual = float(actual)
    if abs(actual - expected) <= atol + rtol * abs(expected):
        return
    wanted = f", expected {_fmt(expected)}" if reveal else ""
    for description, wrong in (mistakes or {}).items():
        if abs(actual - wrong) <= atol + rtol * abs(wrong):
            raise GradeFailure(f"{name}: got {_fmt(actual)}{wanted}. This is what {description} gives.")
    tolerance = f" (rtol={rtol:g}, atol={atol:g})" if reveal else " (not within the tolerance)"
    raise GradeFailure(f"{name}: got {_fmt(actual)}{wanted}{tolerance}")


def as_float(value: Any, name: str = "the result") -> float:
    """One number from the learner (a Python or NumPy number, or a one-element array or tensor)."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    elif isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.detach().cpu().item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise GradeFailure(f"{name} should be a number, but it is {type(value).__name__}: {_short(value)}")
    return float(value)


def numbers(value: Any, name: str = "the result") -> torch.Tensor:
    """A learner's sequence of numbers (a list of floats, an array, a tensor) as a float64 tensor."""
    if isinstance(value, (np.ndarray, torch.Tensor)):
        return to_tensor(value, name).to(torch.float64).reshape(-1)
    if not isinstance(value, (list, tuple)):
        raise GradeFailure(f"{name} should be a list of numbers, but it is {type(value).__name__}: {_short(value)}")
    return torch.tensor([as_float(v, f"each entry of {name}") for v in value], dtype=torch.float64)


def member(owner: Any, attribute: str, what: str) -> Any:
    """``owner.attribute`` (or ``owner[attribute]`` for a dict), or a failure naming what is missing."""
    if isinstance(owner, dict):
        if attribute not in owner:
            raise GradeFailure(f"{what} has no entry {attribute!r} (it has {sorted(map(str, owner))})")
        return owner[attribute]
    if not hasattr(owner, attribute):
        raise GradeFailure(f"{what} has no attribute {attribute!r}")
    return getattr(owner, attribute)


def check_defaults(fn: Any, name: str, **expected: Any) -> None:
    """The default values the stub's signature states (``check_defaults(learner.fit, "fit", lr=1.0)``):
    graders call with every argument, so a changed default would otherwise go unseen."""
    import inspect

    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        raise GradeFailure(f"{name} should be a function or class, but it is {type(fn).__name__}") from None
    try:  # an unwritten stub is not started, not passed: its signature is the stub's own
        body = inspect.getsource(fn.__init__ if isinstance(fn, type) else fn)
    except (OSError, TypeError):
        body = ""
    if "raise NotImplementedError" in body:
        raise NotStarted(f"{name} still raises NotImplementedError")
    for parameter, value in expected.items():
        got = signature.parameters.get(parameter)
        if got is None:
            raise GradeFailure(f"{name} has no parameter {parameter!r}; keep the stub's signature")
        if got.default is inspect.Parameter.empty:
            raise GradeFailure(f"{name}'s {parameter} has no default; the stub gives it {value!r}")
        if type(got.default) is not type(value) and not (isinstance(value, float) and isinstance(got.default, int)) \
                or got.default != value:
            raise GradeFailure(f"{name}'s {parameter} defaults to {got.default!r}; the stub says {value!r}")


def check_true(condition: Any, message: str) -> None:
    verify()
    try:
        ok = bool(condition)
    except (TypeError, ValueError, RuntimeError):  # a many-valued tensor, or something with no truth value
        ok = False
    if not ok:
        raise GradeFailure(message)


def learner_tensor(value: Any, name: str = "the result", *, shape: tuple[int, ...] | None = None,
                   grad: bool = False) -> torch.Tensor:
    """The learner's value as the tensor it is (not detached, not converted), for checks that need its
    graph or device; ``grad=True`` also requires it to be connected to the inputs' graph."""
    if not isinstance(value, torch.Tensor):
        raise GradeFailure(f"{name} should be a torch.Tensor, but it is {type(value).__name__}: {_short(value)}")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise GradeFailure(f"{name} has shape {tuple(value.shape)}, expected {tuple(shape)}")
    if grad and value.grad_fn is None:
        what = "does not require a gradient although its inputs do:" if not value.requires_grad else "is a new leaf:"
        raise GradeFailure(
            f"{name} {what} it is not connected to the inputs' autograd graph (it has no grad_fn). Was it built "
            "with torch.tensor(...), .detach(), .item() or .numpy() part of the way, or under torch.no_grad()?"
        )
    return value


def length(value: Any, name: str = "the dataset") -> int:
    """``len(value)`` of a learner's object, whose ``__len__`` must return a non-negative int: anything else
    fails naming what it returned, instead of the TypeError ``len`` would raise."""
    method = getattr(type(value), "__len__", None)
    if method is None:
        raise GradeFailure(f"{name} has no __len__ (it is {type(value).__name__}: {_short(value)})")
    got = method(value)
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer)):
        raise GradeFailure(f"{name}: `__len__` returned {type(got).__name__} {_short(got)}; it must return an int")
    if got < 0:
        raise GradeFailure(f"{name}: `__len__` returned {int(got)}; a length is never negative")
    return int(got)


def grad_of(tensor: torch.Tensor, name: str) -> torch.Tensor:
    """``tensor.grad`` after a backward pass; no gradient is a learner-facing failure, not a crash."""
    if tensor.grad is None:
        raise GradeFailure(
            f"no gradient reached {name}: the output does not depend on it through operations autograd can "
            "follow (a .detach(), torch.tensor(...) or .item() in between?)"
        )
    return tensor.grad


def unpack(value: Any, count: int, name: str = "the result", what: str = "") -> tuple:
    """A learner's tuple of ``count`` results; anything else fails naming what was expected."""
    if not isinstance(value, (tuple, list)) or len(value) != count:
        shown = f"{type(value).__name__} of length {len(value)}" if isinstance(value, (tuple, list)) else (
            f"{type(value).__name__}: {_short(value)}")
        expected = f" ({what})" if what else ""
        raise GradeFailure(f"{name} should be a tuple of {count} values{expected}, but it is {shown}")
    return tuple(value)


def logits_and_loss(model: Any, idx: torch.Tensor, targets: torch.Tensor | None = None) -> tuple:
    """``model(idx[, targets])`` of a learner's language model, checked: logits (B, T, vocab) and a scalar
    loss, or None without targets."""
    out = model(idx) if targets is None else model(idx, targets)
    logits, loss = unpack(out, 2, "GPT.forward", "logits, loss")
    logits = learner_tensor(logits, "the logits")
    check_true(logits.dim() == 3 and tuple(logits.shape[:2]) == tuple(idx.shape),
               f"the logits have shape {tuple(logits.shape)}; expected {tuple(idx.shape)} followed by the vocabulary size")
    if targets is None:
        check_true(loss is None, "GPT.forward(idx) without targets should return loss None")
    else:
        loss = learner_tensor(loss, "the loss", shape=())
    return logits, loss


def answer(module: Any, name: str) -> Any:
    """A quiz answer from the learner's answers file; ``None`` (the stub's value) means not started."""
    if not hasattr(module, name):
        raise GradeFailure(f"{name} is missing from your answers file; restore it with `tracker reset`")
    value = getattr(module, name)
    if value is None:
        raise NotStarted(f"{name} is still None")
    return value


def seal(value: Any) -> str:
    """Encode a quiz's expected answers so that they are not plain text in the grader.

    Grader authors run ``python -c "from gradelib import seal; print(seal({...}))"`` from graders/ and paste
    the result; this hides answers from a glance, not from a determined reader.
    """
    import base64
    import json
    import zlib

    return base64.b85encode(zlib.compress(json.dumps(value).encode())).decode()


def unseal(blob: str) -> Any:
    import base64
    import json
    import zlib

    return json.loads(zlib.decompress(base64.b85decode(blob.encode())))
