"""Forbidden means the kernel, not the name: torch operators refused at the operator level.

A ``FORBIDDEN`` name such as ``torch.nn.functional.softmax`` stands for an operator (``aten::softmax`` and its
kernel ``aten::_softmax``). The same operator is reachable under many names: ``torch.softmax``,
``Tensor.softmax``, ``torch.ops.aten.softmax.int``, ``torch.ops.aten._softmax``, ``torch._VF``,
``torch._C._nn``, or inside another routine that uses it. While the learner's code runs, two modes watch:

- a ``TorchFunctionMode`` sees every torch function, method and ``torch.ops`` call and refuses one that
  is, or names, a forbidden operator;
- a ``TorchDispatchMode`` sees the aten kernels those calls end up in, after torch's own decompositions,
  and refuses a forbidden kernel however it was reached.

Only a call made by the learner's own code is refused: the nearest frame outside torch must be the
learner's. A grader's function that the learner's code calls back (a loss function handed in, say) runs
its own reference operations freely, and the modes are off entirely while graders compute references.

This module is imported only in the grading child, and only by exercises that forbid torch routines.
"""

from __future__ import annotations

import dis
import os
import sys
import types
from typing import Any, Callable, Iterable

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

_TORCH_DIR = os.path.dirname(os.path.abspath(torch.__file__)) + os.sep
_HERE = os.path.dirname(os.path.abspath(__file__)) + os.sep
# Routines whose kernels have other names than theirs (a trailing * is a prefix).
KERNELS_OF = {
    "torch.nn.functional.unfold": ("im2col",),
    "torch.nn.functional.fold": ("col2im",),
    "torch.nn.functional.scaled_dot_product_attention": ("scaled_dot_product_attention", "_scaled_dot_product_*"),
}


def aten_names() -> set[str]:
    return {name.split("::", 1)[1].split(".", 1)[0] for name in torch._C._dispatch_get_all_op_names()
            if name.startswith("aten::")}


def _related(attr: str, name: str) -> bool:
    """``attr`` is the kernel of the routine ``name`` (cross_entropy -> cross_entropy_loss, relu -> relu_)."""
    attr = attr.lstrip("_")
    return attr == name or attr.startswith(name + "_")


def kernels(dotted: str, obj: Any, known: set[str]) -> set[str]:
    """The aten operators that ``obj`` (the routine named ``dotted``) stands for."""
    if dotted in KERNELS_OF:
        out = set()
        for name in KERNELS_OF[dotted]:
            if name.endswith("*"):
                out.update(k for k in known if k.startswith(name[:-1]) and "backward" not in k)
            else:
                out.add(name)
        return out
    if isinstance(obj, type):
        return set()  # a module class: its forward calls routines that are forbidden by their own names
    name = getattr(obj, "__name__", "")
    if isinstance(obj, (types.BuiltinFunctionType, types.MethodDescriptorType)) and name in known:
        return {name}
    if isinstance(obj, types.FunctionType):
        attrs = {i.argval for i in dis.get_instructions(obj) if i.opname in ("LOAD_ATTR", "LOAD_METHOD")}
        return {a for a in attrs if isinstance(a, str) and a in known and _related(a, name.rstrip("_") or name)}
    return set()


def variants(ops: set[str], known: set[str]) -> set[str]:
    """An operator with its internal kernels: softmax -> _softmax, svd -> linalg_svd, _linalg_svd,
    scaled_dot_product_attention -> _scaled_dot_product_flash_attention_for_cpu. Backward kernels are left
    out (they also run for allowed operators)."""
    out = set(ops)
    for op in ops:
        base = op.removeprefix("linalg_").removeprefix("special_")
        for name in (f"_{op}", f"linalg_{base}", f"_linalg_{base}", f"special_{base}"):
            if name in known:
                out.add(name)
        out.update(k for k in known if k.startswith(f"_{op}_") and "backward" not in k)
    return out


def _from_learner(is_learner_frame: Callable[[str], bool]) -> bool:
    """Whether the nearest frame outside torch and the tracker is the learner's."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (filename.startswith(_TORCH_DIR) or filename.startswith(_HERE)):
            return is_learner_frame(filename)
        frame = frame.f_back
    return False


def _op_name(func: Any) -> str:
    packet = getattr(func, "_overloadpacket", None)
    if packet is not None:
        return packet.__name__
    return getattr(func, "__name__", "") or ""


def _spelled(func: Any) -> str:
    if isinstance(func, torch._ops.OpOverload):
        return f"torch.ops.aten.{func._overloadpacket.__name__}.{func._overloadname}"
    if isinstance(func, torch._ops.OpOverloadPacket):
        return f"torch.ops.aten.{func.__name__}"
    owner = getattr(func, "__objclass__", None)
    if owner is not None:
        return f"torch.Tensor.{func.__name__}"
    module = getattr(func, "__module__", None) or "torch"
    return f"{module}.{getattr(func, '__name__', func)}"


class OperatorGuard:
    """The forbidden operators of one exercise and the two modes that refuse them to learner code."""

    def __init__(self, named: dict[str, Any], is_learner_frame: Callable[[str], bool], forbidden: type[Exception]):
        known = aten_names()
        self.label: dict[str, str] = {}
        self.objects: dict[int, str] = {}
        self.dotted: dict[str, str] = {}
        self._keep: list[Any] = []  # strong references, so that ids stay unique
        for dotted, obj in named.items():
            if not dotted.startswith("torch."):
                continue
            short = dotted.replace("torch.nn.functional.", "F.").replace("torch.nn.", "nn.")
            self.objects[id(obj)] = short
            self.dotted[short] = dotted
            self._keep.append(obj)
            for op in variants(kernels(dotted, obj, known), known):
                self.label.setdefault(op, short)
        self.is_learner_frame = is_learner_frame
        self.forbidden = forbidden

    def __bool__(self) -> bool:
        return bool(self.label or self.objects)

    def refusal(self, func: Any) -> Exception:
        name = _op_name(func)
        listed = self.objects.get(id(func)) or self.label.get(name, name)
        spelled = _spelled(func)
        reached = "" if spelled == self.dotted.get(listed, listed) else f" (reached as {spelled})"
        return self.forbidden(
            f"{listed} is off-limits in this exercise{reached}: the point is to write it yourself "
            "from basic tensor operations"
        )

    def modes(self) -> list[Any]:
        return [_FunctionGuard(self), _DispatchGuard(self)] if self.label else [_FunctionGuard(self)]


class _FunctionGuard(TorchFunctionMode):
    def __init__(self, guard: OperatorGuard):
        super().__init__()
        self.guard = guard

    def __torch_function__(self, func, types, args=(), kwargs=None):
        guard = self.guard
        if (id(func) in guard.objects or _op_name(func) in guard.label) and _from_learner(guard.is_learner_frame):
            raise guard.refusal(func)
        return func(*args, **(kwargs or {}))


class _DispatchGuard(TorchDispatchMode):
    def __init__(self, guard: OperatorGuard):
        super().__init__()
        self.guard = guard

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        guard = self.guard
        if func._overloadpacket.__name__ in guard.label and _from_learner(guard.is_learner_frame):
            raise guard.refusal(func)
        return func(*args, **(kwargs or {}))


def combined(guards: Iterable[OperatorGuard]) -> OperatorGuard | None:
    guards = [g for g in guards if g]
    if not guards:
        return None
    if len(guards) == 1:
        return guards[0]
    first = guards[0]
    merged = OperatorGuard({}, first.is_learner_frame, first.forbidden)
    for g in guards:
        merged.label.update(g.label)
        merged.objects.update(g.objects)
        merged.dotted.update(g.dotted)
        merged._keep.extend(g._keep)
    return merged
