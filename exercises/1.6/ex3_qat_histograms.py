"""Exercise 1.6.3: the histogram summaries that TensorBoard shows, and saturation, for QAT monitoring.

During quantization-aware training you log each layer's weights and activations with
``SummaryWriter.add_histogram``. TensorBoard stores, per tensor and step, a histogram plus five numbers
(its ``HistogramProto`` fields ``min``, ``max``, ``num``, ``sum``, ``sum_squares``). Reading these
plots, two problems stand out: *saturation* (spikes at the ends of the quantizer's range: values are
clipped, and their gradient is zero under the straight-through estimator) and *under-use* (a narrow spike:
the data uses only a few of the 256 codes, so the scale is too large). Compute those diagnostics.

Quantizer convention (as ``torch.fake_quantize_per_tensor_affine``):
``code = round(x / scale) + zero_point``, with ``torch.round`` (round half to even: 2.5 -> 2), then clamped
to ``[qmin, qmax]``. An element is *clipped low* when its unclamped code is below ``qmin`` and *clipped high*
when it is above ``qmax``. These are exactly the elements whose gradient the fake-quantize's
straight-through estimator sets to zero. Note that a value a little beyond ``(qmax - zero_point) * scale``
that still rounds to ``qmax`` is NOT clipped.

``torch.histc``, ``torch.histogram``, ``torch.histogramdd``, ``numpy.histogram`` and
``torch.fake_quantize_per_tensor_affine`` are off-limits while your code runs (the grader uses them as
references). ``torch.bincount``, ``torch.unique`` and the like are fine.

The grader runs your code on its device (a GPU when there is one): create every tensor on the input's
device (``device=x.device``), never hard-code ``"cuda"``, and read back a few totals, not one value per
element (each ``.item()`` waits for the GPU).

Tolerances: counts and code counts exact; edges within rtol 1e-9; ``sum`` and ``sum_squares`` within rtol
1e-5; fractions within 1e-12 absolute (they are ratios of integer counts).
"""

from __future__ import annotations

import torch


def histogram_summary(x: torch.Tensor, bins: int) -> dict:
    """Summarize ``x`` (any shape, float32) the way TensorBoard stores a histogram.

    Return a dict with keys:

    * ``"min"``, ``"max"``, ``"sum"``, ``"sum_squares"``: Python floats over all elements
      (``sum_squares`` is the sum of ``x ** 2``); ``"num"``: the number of elements, a Python int.
    * ``"edges"``: a ``torch.float64`` tensor of ``bins + 1`` equal-width bin edges,
      ``edges[i] = lo + (hi - lo) * i / bins`` with ``lo, hi = min(x), max(x)``. If ``lo == hi``, use
      ``lo - 0.5`` and ``hi + 0.5`` instead (numpy's convention).
    * ``"counts"``: a ``torch.int64`` tensor of ``bins`` counts; bin ``i`` holds the values ``v`` with
      ``edges[i] <= v < edges[i + 1]``, except that the last bin is closed: it also holds ``v == edges[-1]``.
      The counts therefore sum to ``num``.
    """
    raise NotImplementedError("write histogram_summary")


def clipped_fraction(x: torch.Tensor, scale: float, zero_point: int, qmin: int, qmax: int) -> dict:
    """Return ``{"low": ..., "high": ..., "total": ...}``: the fractions (Python floats in [0, 1]) of the
    elements of ``x`` clipped low, clipped high, and either."""
    raise NotImplementedError("write clipped_fraction")


def levels_used(x: torch.Tensor, scale: float, zero_point: int, qmin: int, qmax: int) -> int:
    """The number of distinct (clamped) integer codes that the elements of ``x`` map to, a Python int."""
    raise NotImplementedError("write levels_used")


def diagnose(
    x: torch.Tensor,
    scale: float,
    zero_point: int,
    qmin: int,
    qmax: int,
    max_clipped: float = 0.01,
    min_level_fraction: float = 0.25,
) -> str:
    """Return ``"saturated"`` if the total clipped fraction is greater than ``max_clipped``; otherwise
    ``"underused"`` if ``levels_used / (qmax - qmin + 1)`` is less than ``min_level_fraction``; otherwise
    ``"ok"``."""
    raise NotImplementedError("write diagnose")
