"""Which device a grading run uses: CUDA, then MPS, then CPU, unless the learner names one.

Only the grading child imports torch; the parent passes the request through TRACKER_DEVICE.
"""

from __future__ import annotations

import os

CHOICES = ("auto", "cuda", "mps", "cpu")
ENV = "TRACKER_DEVICE"


def requested() -> str:
    value = os.environ.get(ENV, "auto").strip().lower() or "auto"
    return value if value in CHOICES else "auto"


def resolve(request: str | None = None) -> str:
    """The torch device type to grade on. An explicit request that this machine lacks falls back to CPU."""
    import torch

    request = request or requested()
    cuda = torch.cuda.is_available()
    mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    if request == "cuda":
        return "cuda" if cuda else "cpu"
    if request == "mps":
        return "mps" if mps else "cpu"
    if request == "cpu":
        return "cpu"
    return "cuda" if cuda else ("mps" if mps else "cpu")


def describe(device: str) -> str:
    """A human name for the device, such as 'NVIDIA GeForce RTX 3060 Ti' or 'CPU (x86_64, 2 cores)'."""
    import platform

    import torch

    if device == "cuda":
        return torch.cuda.get_device_name(0)
    if device == "mps":
        return f"Apple GPU (MPS, {platform.machine()})"
    return f"CPU ({platform.machine()}, {os.cpu_count()} cores)"

