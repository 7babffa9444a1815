"""Reference solution for exercise 0.8.5 (shown by `tracker solution 0.8.5` after a pass)."""

from __future__ import annotations

import time

import torch
from torch.utils.data import DataLoader


def make_naive_loader(dataset, batch_size):
    return DataLoader(dataset, batch_size=batch_size, shuffle=False, num_workers=0)


def make_tuned_loader(dataset, batch_size, multiprocessing_context=None):
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=False,
        drop_last=False,
        num_workers=4,  # the samples wait on I/O, so more workers than cores still helps
        persistent_workers=True,  # no new worker start-up every epoch
        prefetch_factor=2,
        pin_memory=torch.cuda.is_available(),
        multiprocessing_context=multiprocessing_context,
    )


def measure_throughput(loader, epochs=1):
    samples = 0
    start = time.perf_counter()
    for _ in range(epochs):
        for inputs, _targets in loader:
            samples += len(inputs)
    elapsed = time.perf_counter() - start
    return samples / elapsed
