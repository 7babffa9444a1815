"""Exercise 0.8.1: a lazy-loading image Dataset with transforms, ready for a DataLoader.

A dataset too large for memory is read one sample at a time: the constructor only indexes it, and
``__getitem__`` opens the one file it needs. The grader counts every file your code opens (through
Python's audit hooks), so eager loading, caching everything, or re-reading the index on every item all
show up.

Layout of ``root`` (the grader writes it into a temporary folder):

    root/labels.csv      first line "file,label", then one row per sample: "<file name>,<integer label>"
    root/<file name>     one sample per file: a .npy file holding a uint8 array of shape (H, W, C),
                         readable with numpy.load

Index ``i`` is ROW ``i`` of labels.csv (after the header), whatever the file names or the order of
the directory listing.

1. ``class LazyImageDataset(torch.utils.data.Dataset)``

   * ``__init__(self, root, transform=None, target_transform=None)``: ``root`` is a ``str`` or
     ``pathlib.Path``. Read ``labels.csv`` here (open it once); open NO sample file.
   * ``__len__(self)``: the number of rows.
   * ``__getitem__(self, i)`` for ``0 <= i < len(self)``: open exactly one file, the sample of row ``i``
     (do not re-read labels.csv), and convert it to a float32 tensor of shape ``(C, H, W)`` with values
     ``pixel / 255`` in ``[0, 1]`` (the ``ToTensor`` convention: the channel axis moves to the front,
     the pixels keep their positions). Apply ``transform`` (if given) to that tensor and
     ``target_transform`` (if given) to the label, a Python ``int``. Return ``(image, label)``.
   * Keep no file handles open between calls (DataLoader worker processes get a copy of the dataset).

2. Transforms: callables taking and returning a ``(C, H, W)`` tensor; none may modify its input in place.

   * ``Compose(transforms)``: applies the callables in the list, first to last.
   * ``Normalize(mean, std)``: ``mean`` and ``std`` are sequences of ``C`` floats;
     ``out[c] = (x[c] - mean[c]) / std[c]`` per channel.
   * ``RandomHorizontalFlip(p=0.5)``: flips the WIDTH axis (the last one) with probability ``p``. Draw
     exactly one number per call with ``torch.rand(1)`` (the global torch generator) and flip when it is
     ``< p``, so that ``torch.manual_seed`` makes the flips reproducible.

Tolerance: images are compared with ``rtol=1e-6, atol=1e-6``; labels and file-open counts exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset


class LazyImageDataset(Dataset):
    def __init__(self, root, transform=None, target_transform=None):
        raise NotImplementedError("write LazyImageDataset.__init__")

    def __len__(self) -> int:
        raise NotImplementedError("write LazyImageDataset.__len__")

    def __getitem__(self, i: int):
        raise NotImplementedError("write LazyImageDataset.__getitem__")


class Compose:
    def __init__(self, transforms):
        raise NotImplementedError("write Compose.__init__")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("write Compose.__call__")


class Normalize:
    def __init__(self, mean, std):
        raise NotImplementedError("write Normalize.__init__")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("write Normalize.__call__")


class RandomHorizontalFlip:
    def __init__(self, p: float = 0.5):
        raise NotImplementedError("write RandomHorizontalFlip.__init__")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("write RandomHorizontalFlip.__call__")
