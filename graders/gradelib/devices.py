"""Device-aware grading: run the learner's code where the learner's tensors live, compare with a trusted
reference, and catch the classic device mistakes on any machine, a CPU-only one included.

For grader authors:

- ``to_device(value, device)`` moves tensors (in lists, tuples and dicts) and modules to the grading device.
  Inputs are drawn on the CPU from a seeded generator first, so every device grades the same numbers.
  MPS has no float64: there float64 becomes float32.
- ``trusted(fn, *args)`` runs a reference on the CPU in float64 (the values graders trust); the learner's
  output is compared with it at ``tolerance(device, ...)``, which states the tolerance per device.
- ``check_follows_device(fn, *args)`` catches a tensor created inside the learner's code without the input's
  device (``torch.zeros(n)`` where ``torch.zeros(n, device=x.device)`` is meant) and a hard-coded ``.cuda()``
  or ``"cuda"``. It first runs the code on torch's ``meta`` device, which stands in for a GPU (a CPU tensor
  that meets a meta tensor is refused, as a GPU refuses it); code that needs values (``.item()``, ``float(t)``)
  cannot run there, so it then runs on the CPU while following where every tensor came from.
- ``check_host_syncs(fn, *args, most=k)`` counts ``.item()``, ``.tolist()``, ``.numpy()``, ``float(t)``,
  ``int(t)`` and ``bool(t)`` in the learner's code: on a GPU each one waits for the device to finish, so one
  inside a loop over tokens or elements is the classic slow loop.

Each check names the learner's line and the fix; none needs a GPU.
"""

from __future__ import annotations

import copy
import functools
import os
import sys
import types
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch
from torch.overrides import TorchFunctionMode

from gradelib import GradeFailure
from tracker.grading.sandbox import is_learner_frame

__all__ = [
    "HOST_SYNCS",
    "check_follows_device",
    "check_host_syncs",
    "count_host_syncs",
    "on_device",
    "same_verdict_everywhere",
    "to_device",
    "tolerance",
    "trusted",
]

# --- moving values and stating tolerances ---------------------------------------------------------


def _map(value: Any, fn: Callable[[torch.Tensor], torch.Tensor]) -> Any:
    if isinstance(value, torch.Tensor):
        return fn(value)
    if isinstance(value, torch.nn.Module):
        return copy.deepcopy(value)._apply(fn)
    if isinstance(value, tuple):
        return tuple(_map(v, fn) for v in value)
    if isinstance(value, list):
        return [_map(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _map(v, fn) for k, v in value.items()}
    return value


def to_device(value: Any, device: torch.device | str) -> Any:
    """``value`` with every tensor (and module) on ``device``; float64 becomes float32 on MPS, which lacks it."""
    device = torch.device(device)

    def move(t: torch.Tensor) -> torch.Tensor:
        if device.type == "mps" and t.dtype == torch.float64:
            t = t.to(torch.float32)
        return t.to(device)

    return _map(value, move)


def trusted(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A reference computed where it is trusted: every argument copied to the CPU, floats in float64."""

    def widen(t: torch.Tensor) -> torch.Tensor:
        t = t.detach().cpu()
        return t.to(torch.float64) if t.is_floating_point() else t

    return fn(*_map(args, widen), **_map(kwargs, widen))


# (rtol, atol) for float32 work. CUDA and MPS sum in other orders than the CPU (and MPS in float32 only),
# so their tolerance is looser; TF32 is off while grading (graders/conftest.py), or it would be far looser.
_FLOAT32 = {"cpu": (1e-5, 1e-6), "cuda": (1e-4, 1e-5), "mps": (1e-3, 1e-4)}


def tolerance(device: torch.device | str, **per_device: tuple[float, float]) -> dict[str, float]:
    """``dict(rtol=..., atol=...)`` for ``device``: the grader's own figures (``cpu=(1e-6, 0), cuda=...``)
    where given, else float32 defaults."""
    kind = torch.device(device).type
    rtol, atol = per_device.get(kind) or per_device.get("cpu") or _FLOAT32.get(kind, _FLOAT32["cpu"])
    if kind != "cpu" and kind not in per_device and "cpu" in per_device:
        # Only the CPU figure given: no tighter than the device's float32 default.
        rtol, atol = max(rtol, _FLOAT32.get(kind, _FLOAT32["cpu"])[0]), max(atol, _FLOAT32.get(kind, _FLOAT32["cpu"])[1])
    return {"rtol": rtol, "atol": atol}


def _move_modules(value: Any, device: torch.device) -> None:
    for v in value if isinstance(value, (list, tuple)) else value.values() if isinstance(value, dict) else [value]:
        if isinstance(v, torch.nn.Module):
            v.to(device)  # in place: the grader's module and its optimizer keep their parameters
        elif isinstance(v, (list, tuple, dict)):
            _move_modules(v, device)


def _keep_modules(value: Any, fn: Callable[[torch.Tensor], torch.Tensor]) -> Any:
    if isinstance(value, torch.nn.Module):
        return value
    if isinstance(value, tuple):
        return tuple(_keep_modules(v, fn) for v in value)
    if isinstance(value, list):
        return [_keep_modules(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _keep_modules(v, fn) for k, v in value.items()}
    return fn(value) if isinstance(value, torch.Tensor) else value


class _LearnerOnDevice:
    """The learner's module, its functions called with their tensors (and modules) on ``device`` and their
    results brought back to the CPU for the grader's comparisons. Classes are handed out as they are."""

    def __init__(self, module: types.ModuleType, device: torch.device):
        object.__setattr__(self, "_module", module)
        object.__setattr__(self, "_device", device)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._module, name)
        if not isinstance(value, types.FunctionType):
            return value
        device = self._device

        @functools.wraps(value)
        def call(*args: Any, **kwargs: Any) -> Any:
            moved: list[tuple[torch.Tensor, torch.Tensor]] = []

            def move(t: torch.Tensor) -> torch.Tensor:
                there = _to(t, device)
                if there is not t:
                    moved.append((t, there))
                return there

            _move_modules((args, kwargs), device)
            try:
                out = value(*_keep_modules(args, move), **_keep_modules(kwargs, move))
            finally:
                _move_modules((args, kwargs), torch.device("cpu"))
                with torch.no_grad():
                    for here, there in moved if device.type != "meta" else ():  # what the code changed in place shows in the grader's tensor
                        if there.dtype == here.dtype and not torch.equal(there.cpu(), here):
                            here.copy_(there)
            return _keep_modules(out, lambda t: t.cpu())

        call.__learner_function__ = value  # type: ignore[attr-defined]
        return call

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._module, name, getattr(value, "__learner_function__", value))


def _to(t: torch.Tensor, device: torch.device) -> torch.Tensor:
    if device.type == "mps" and t.dtype == torch.float64:
        t = t.to(torch.float32)
    return t.to(device)


def on_device(module: types.ModuleType, device: torch.device | str) -> Any:
    """The learner's module with its functions running on ``device`` (a grader's ``learner`` fixture:
    ``return on_device(learner, device)``). On the CPU every move is a no-op: the same tensors go through."""
    return _LearnerOnDevice(module, torch.device(device))


# --- where in the learner's code ------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    file: str
    line: int
    function: str

    def __str__(self) -> str:
        return f"line {self.line} of {Path(self.file).name} (in {self.function})"


def _learner_site() -> Site | None:
    frame = sys._getframe(1)
    while frame is not None:
        if is_learner_frame(frame.f_code.co_filename):
            return Site(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)
        frame = frame.f_back
    return None


def _name(func: Any) -> str:
    name = getattr(func, "__name__", str(func))
    owner = getattr(func, "__objclass__", None)
    qualname = getattr(func, "__qualname__", "")
    if (isinstance(owner, type) and issubclass(torch.Tensor, owner)) or qualname.startswith(("Tensor.", "TensorBase.")):
        return f".{name}()"
    return f"torch.{name}"


def _tensors(value: Any) -> list[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _tensors(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _tensors(v)]
    return []


def _device_type(value: Any) -> str | None:
    """The device type a `device=`/`.to(...)` argument names, or None when it names none."""
    if isinstance(value, torch.device):
        return value.type
    if isinstance(value, str):
        try:
            return torch.device(value).type
        except RuntimeError:
            return None
    if isinstance(value, int) and not isinstance(value, bool):
        return "cuda"  # .to(0) and device=0 mean the first GPU
    return None


# --- the classic device mistakes ------------------------------------------------------------------

_FACTORIES = {
    "zeros", "ones", "empty", "full", "arange", "linspace", "logspace", "eye", "tensor", "as_tensor",
    "rand", "randn", "randint", "randperm", "normal", "tril_indices", "triu_indices",
    "from_numpy", "empty_strided", "scalar_tensor",
}
# Calls that may meet tensors on two devices on a GPU too: indexing with CPU indices, copies, moves.
_CROSSING = {"__getitem__", "__setitem__", "to", "copy_", "type_as", "index_put_"}
_MISMATCH_WORDS = ("is not on the expected device", "Expected all tensors to be on the same device",
                   "device type", "same device")


def _is_factory(name: str) -> bool:
    return name in _FACTORIES


class DeviceMistake(GradeFailure):
    """A device mistake found in the learner's code (a failing check, never a grader error)."""


class _Watch(TorchFunctionMode):
    """Sees every torch call; acts only on calls made from the learner's own lines."""

    def __init__(self, mode: str, target: str):
        super().__init__()
        self.mode = mode  # "meta": inputs are on meta; "trace": inputs are on the CPU and followed
        self.target = target  # the device type the inputs stand for
        self.origin: dict[int, tuple[Site, str]] = {}  # id of a tensor created off the input's device
        self.followed: set[int] = set()  # ids of tensors on the input's device (trace mode)
        self.keep: list[torch.Tensor] = []  # keeps ids unique while the check runs

    def _hardcoded(self, func: Any, args: tuple, kwargs: dict, site: Site) -> None:
        name = getattr(func, "__name__", "")
        named = None
        if name in ("cuda", "mps"):
            named = name
        elif name == "to":
            for value in (*args[1:], kwargs.get("device")):
                kind = _device_type(value)
                if kind in ("cuda", "mps") and kind != self.target:
                    named = kind
        elif kwargs.get("device") is not None:
            kind = _device_type(kwargs["device"])
            if kind in ("cuda", "mps") and kind != self.target:
                named = kind
        if named:
            raise DeviceMistake(
                f"{site}: {_name(func)} hard-codes the device '{named}'; that fails on a machine without "
                f"one (a Mac's MPS, a CPU-only laptop): put new tensors on the input's device "
                f"(device=x.device, or .to(x.device))"
            )

    def _created_off_device(self, site: Site, what: str) -> DeviceMistake:
        return DeviceMistake(
            f"{site}: {what} creates a tensor on the CPU, not on the input's device; on a GPU it then "
            f"meets the GPU tensors and fails. Pass device=x.device (or use torch.zeros_like(x) and friends)"
        )

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        site = _learner_site()
        if site is None:
            return func(*args, **kwargs)
        self._hardcoded(func, args, kwargs, site)
        name = getattr(func, "__name__", "")
        inputs = _tensors(args) + _tensors(kwargs)
        if self.mode == "trace":
            return self._trace(func, name, args, kwargs, inputs, site)
        try:
            out = func(*args, **kwargs)
        except RuntimeError as exc:
            text = str(exc)
            if any(word in text for word in _MISMATCH_WORDS):
                for t in inputs:
                    if t.device.type == "cpu" and t.dim() > 0 and id(t) in self.origin:
                        raise self._created_off_device(*self.origin[id(t)]) from None
                raise DeviceMistake(
                    f"{site}: {_name(func)} mixes a tensor on the CPU with tensors on the input's device; "
                    f"create every tensor on the input's device (device=x.device)"
                ) from None
            raise
        if name not in _CROSSING and any(t.device.type == "meta" for t in inputs):
            # torch lets some calls (a matmul, an in-place update, F.linear) mix CPU and meta tensors that a
            # GPU refuses: refuse them here too.
            for t in inputs:
                if t.device.type == "cpu" and t.dim() > 0:
                    if id(t) in self.origin:
                        raise self._created_off_device(*self.origin[id(t)])
                    raise DeviceMistake(
                        f"{site}: {_name(func)} mixes a tensor on the CPU with tensors on the input's device; "
                        f"create every tensor on the input's device (device=x.device)"
                    )
        inherited = next((self.origin[id(t)] for t in inputs if id(t) in self.origin), None)
        for t in _tensors(out):
            if t.device.type == "cpu" and t.dim() > 0:
                origin = (site, _name(func)) if _is_factory(name) else inherited
                if origin is not None:
                    self._mark(t, origin)
        return out

    def _mark(self, t: torch.Tensor, origin: tuple[Site, str]) -> None:
        self.origin[id(t)] = origin
        self.keep.append(t)

    def _trace(self, func, name, args, kwargs, inputs, site):
        followed = [t for t in inputs if id(t) in self.followed]
        if followed and name not in _CROSSING:
            for t in inputs:
                if id(t) in self.origin and t.dim() > 0:
                    raise self._created_off_device(*self.origin[id(t)])
        out = func(*args, **kwargs)
        moved = (name == "to" and any(_device_type(v) is not None for v in (*args[1:], kwargs.get("device")))) or (
            kwargs.get("device") is not None
        )
        inherited = next((self.origin[id(t)] for t in inputs if id(t) in self.origin), None)
        to_cpu = name == "cpu" or (name == "to" and "cpu" in (_device_type(v) for v in (*args[1:], kwargs.get("device"))))
        for t in _tensors(out):
            if to_cpu and t.dim() > 0:
                self._mark(t, (site, _name(func)))
            elif followed or moved:
                self.followed.add(id(t))
                self.keep.append(t)
            elif t.dim() > 0 and _is_factory(name):
                self._mark(t, (site, _name(func)))
            elif t.dim() > 0 and inherited is not None:
                self._mark(t, inherited)
        return out


def _returned_on_cpu(out: Any, watch: _Watch) -> None:
    for t in _tensors(out):
        off = t.device.type == "cpu" if watch.mode == "meta" else id(t) in watch.origin
        if off and t.dim() > 0:
            made = " (made by {1} at {0})".format(*watch.origin[id(t)]) if id(t) in watch.origin else ""
            raise DeviceMistake(
                f"your function returned a tensor on the CPU{made} for inputs on another device; keep what "
                "you return on the input's device (device=x.device, no .cpu())"
            )


def check_follows_device(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Fail naming the line when ``fn`` creates tensors off its input's device or hard-codes a device.

    Runs ``fn`` on copies of the arguments on the meta device (a stand-in for a GPU that needs none); code
    that needs values there runs again on the CPU, with every tensor's origin followed.
    """
    fn = getattr(fn, "__learner_function__", fn)
    watch = _Watch("meta", "meta")
    meta_args, meta_kwargs = to_device((args, kwargs), "meta")
    try:
        with watch:
            out = fn(*meta_args, **meta_kwargs)
    except DeviceMistake:
        raise
    except NotImplementedError as exc:
        if "meta" not in str(exc).lower():
            raise  # the stub: not started
    except Exception:  # noqa: BLE001 - code that needs values cannot run on meta; follow it on the CPU
        pass
    else:
        _returned_on_cpu(out, watch)
        return
    watch = _Watch("trace", "cpu")
    cpu_args, cpu_kwargs = _map((args, kwargs), lambda t: t.detach().clone())
    watch.followed.update(id(t) for t in _tensors((cpu_args, cpu_kwargs)))
    if any(isinstance(v, torch.nn.Module) for v in (*cpu_args, *cpu_kwargs.values())):
        for v in (*cpu_args, *cpu_kwargs.values()):
            if isinstance(v, torch.nn.Module):
                watch.followed.update(id(p) for p in (*v.parameters(), *v.buffers()))
    with watch:
        out = fn(*cpu_args, **cpu_kwargs)
    _returned_on_cpu(out, watch)


# --- host syncs ----------------------------------------------------------------------------------

HOST_SYNCS = ("item", "tolist", "numpy", "__float__", "__int__", "__bool__", "__index__", "cpu")


class _Syncs(TorchFunctionMode):
    def __init__(self):
        super().__init__()
        self.count: Counter[tuple[Site, str]] = Counter()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in HOST_SYNCS:
            site = _learner_site()
            if site is not None:
                self.count[(site, name)] += 1
        return func(*args, **(kwargs or {}))


def count_host_syncs(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, Counter]:
    """``fn``'s result and how often each learner line copied a tensor's value to the host."""
    watch = _Syncs()
    with watch:
        out = fn(*args, **kwargs)
    return out, watch.count


_SPELLING = {"__float__": "float(tensor)", "__int__": "int(tensor)", "__bool__": "a tensor in an if or while",
             "__index__": "a tensor used as a Python index", "item": ".item()", "tolist": ".tolist()",
             "numpy": ".numpy()", "cpu": ".cpu()"}


def check_host_syncs(fn: Callable[..., Any], *args: Any, most: int, **kwargs: Any) -> Any:
    """Run ``fn`` and fail, naming the line, when its code copies values to the host more than ``most``
    times (each copy waits for a GPU to finish its queue). Returns ``fn``'s result."""
    out, count = count_host_syncs(fn, *args, **kwargs)
    total = sum(count.values())
    if total > most:
        (site, name), times = count.most_common(1)[0]
        raise DeviceMistake(
            f"{site}: {_SPELLING.get(name, name)} ran {times} times ({total} host syncs in all, at most {most} "
            f"needed); on a GPU each one waits for the device to finish. Keep the values in tensors on the "
            f"device and convert once at the end"
        )
    return out


# --- settings that keep verdicts equal across devices ---------------------------------------------


def same_verdict_everywhere() -> None:
    """Grading settings under which a device changes only rounding, never a verdict: no TF32 in matmul or
    cuDNN (it keeps 10 bits of mantissa), full-precision float32 matmul, deterministic algorithms where
    torch has them (warning, not failing, where it has none), no cuDNN autotuning, and seeded generators
    on every device."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS (read at its start)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cuda.matmul.allow_fp16_reduced_precision_reduction = False
    torch.backends.cuda.matmul.allow_bf16_reduced_precision_reduction = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    torch.set_float32_matmul_precision("highest")
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.manual_seed(0)  # seeds the CPU, every CUDA device and MPS
