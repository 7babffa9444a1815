"""Exercise 0.8.5: tune a DataLoader and measure the throughput it gains.

When reading a sample is slow (disk or network latency, decoding), a ``DataLoader`` with
``num_workers=0`` waits for every sample in turn while the model idles. Worker processes overlap those
waits; ``persistent_workers`` keeps them alive between epochs instead of forking new ones each time;
``prefetch_factor`` sets how many batches each worker prepares ahead; ``pin_memory`` puts batches in
page-locked memory so copies to a CUDA GPU can be asynchronous (it only helps, and only makes sense,
when CUDA is present).

The grader's dataset sleeps a few milliseconds in ``__getitem__`` (simulated I/O latency) and returns
``(tensor of shape (3, 16, 16), int label)``. Its epochs are timed with your loaders.

1. ``make_naive_loader(dataset, batch_size) -> DataLoader``: the baseline, ``num_workers=0``, no
   shuffling, no pinning.

2. ``make_tuned_loader(dataset, batch_size, multiprocessing_context=None) -> DataLoader``:

   * the SAME batches in the SAME order as the naive loader: same ``batch_size``, ``shuffle=False``,
     ``drop_last=False`` (every sample, the last partial batch included);
   * ``num_workers`` of at least 4: the samples spend their time waiting, not computing, so more workers
     than CPU cores still pay off (PyTorch warns about it; the grader silences that warning);
   * ``persistent_workers=True`` and ``prefetch_factor`` of at least 2;
   * ``pin_memory=torch.cuda.is_available()``;
   * pass ``multiprocessing_context`` through to the ``DataLoader`` (the grader passes ``"fork"``);
     pass no ``worker_init_fn``/``collate_fn`` of your own.

   The grader requires the tuned loader's second epoch (workers already running) to be at least 1.5
   times as fast as a naive epoch.

3. ``measure_throughput(loader, epochs=1) -> float``: samples per second over ``epochs`` full passes.
   Every batch is an ``(inputs, targets)`` pair; count SAMPLES (``len(inputs)``, so the smaller last
   batch counts for what it holds), not batches. Time with ``time.perf_counter()`` from just before the
   first pass starts to just after the last batch of the last pass arrives, so that creating the
   iterator (starting workers) is included, and actually iterate every batch. The grader passes plain
   iterables as well as DataLoaders.

Tolerance: the throughput must lie between the samples divided by the time the call took (less 10%) and
the samples divided by the sum of the grader's simulated delays (plus 2%).
"""

from __future__ import annotations

import time

import torch
from torch.utils.data import DataLoader, Dataset


def make_naive_loader(dataset: Dataset, batch_size: int) -> DataLoader:
    """Single-process baseline loader."""
    raise NotImplementedError("write make_naive_loader")


def make_tuned_loader(dataset: Dataset, batch_size: int, multiprocessing_context=None) -> DataLoader:
    """Worker processes, persistent, prefetching; same batches as the naive loader."""
    raise NotImplementedError("write make_tuned_loader")


def measure_throughput(loader, epochs: int = 1) -> float:
    """Samples per second over ``epochs`` full passes of ``loader``."""
    raise NotImplementedError("write measure_throughput")
