"""Grader for exercise 0.8.1: a lazy-loading Dataset with transforms.

Form: the catalogue's. Each test writes a small image folder (``labels.csv`` plus one ``.npy`` file per
sample, rows deliberately NOT in file-name order) into pytest's ``tmp_path``. File opens are counted with a
Python audit hook (``sys.addaudithook``, the "open" event, which ``open``, ``io.open``, ``os.open`` and so
``numpy.load`` raise), restricted to that folder, so nothing in any library is patched. The dataset is then
read directly and through ``DataLoader`` (in-process and with two forked worker processes).

Probes: eager loading in ``__init__``, re-reading labels.csv on every item, indexing by sorted file names
instead of the rows of labels.csv, reshaping HWC to CHW instead of permuting, forgetting / 255, transforms
not applied or applied in reverse order, Normalize as (x - mean) * std or in place, a flip of the height
axis, and a flip when the draw is >= p.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from gradelib import GradeFailure, check_close, check_true, length
from torch.utils.data import DataLoader

N, H, W, C = 12, 5, 7, 3



@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is faster than two, and much steadier on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

class _OpenCounter:
    """Records the paths opened under ``root`` while active (fed by a process-wide audit hook)."""

    def __init__(self) -> None:
        self.root: str | None = None
        self.paths: list[str] = []

    def __enter__(self):
        self.paths = []
        return self

    def __exit__(self, *exc):
        self.root = None

    def start(self, root: Path) -> "_OpenCounter":
        self.root = os.path.realpath(root) + os.sep
        return self

    def hook(self, event: str, args) -> None:
        if event != "open" or self.root is None or not args:
            return
        path = args[0]
        if isinstance(path, int):
            return
        try:
            full = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return
        if full.startswith(self.root):
            self.paths.append(os.path.basename(full))


_COUNTER = _OpenCounter()
sys.addaudithook(_COUNTER.hook)  # audit hooks cannot be removed; this one is idle unless a test starts it


def _counting(root: Path) -> _OpenCounter:
    return _COUNTER.start(root)


def _write_folder(root: Path, seed: int = 0):
    rng = np.random.default_rng(seed)
    arrays = {f"img_{k:03d}.npy": rng.integers(0, 256, size=(H, W, C), dtype=np.uint8) for k in range(N)}
    labels = {name: int(rng.integers(0, 10)) for name in arrays}
    order = [f"img_{k:03d}.npy" for k in rng.permutation(N)]  # rows NOT in file-name order
    root.mkdir(parents=True, exist_ok=True)
    for name, arr in arrays.items():
        np.save(root / name, arr)
    with open(root / "labels.csv", "w", newline="") as fh:
        fh.write("file,label\n")
        for name in order:
            fh.write(f"{name},{labels[name]}\n")
    return order, arrays, labels


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "images"
    order, arrays, labels = _write_folder(root)
    return root, order, arrays, labels


def _to_tensor(arr: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(arr).permute(2, 0, 1).to(torch.float32) / 255


def _item(value, where: str):
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        raise GradeFailure(f"{where} should return a pair (image, label), got {type(value).__name__}")
    return value


def _sample_opens(paths) -> list[str]:
    return [p for p in paths if p != "labels.csv"]


def test_constructor_is_lazy(learner, folder):
    """the constructor reads labels.csv and opens no sample file"""
    root, *_ = folder
    with _counting(root) as c:
        ds = learner.LazyImageDataset(root)
    samples = _sample_opens(c.paths)
    check_true(
        not samples,
        f"LazyImageDataset.__init__ opened {len(samples)} sample file(s) ({', '.join(samples[:3])}...): "
        "loading every file up front is eager loading; keep only names and labels and open a file in __getitem__",
    )
    size = length(ds, "LazyImageDataset")
    check_true(size == N, f"len(dataset) is {size}, expected {N} (one per row of labels.csv)")


def test_items_follow_labels_csv(learner, folder):
    """item i is row i of labels.csv: a float32 (C, H, W) tensor of pixel / 255 and its int label"""
    root, order, arrays, labels = folder
    ds = learner.LazyImageDataset(root)
    images, got_labels = [], []
    for i in range(N):
        image, label = _item(ds[i], f"dataset[{i}]")
        if not isinstance(image, torch.Tensor):
            raise GradeFailure(f"dataset[{i}] returned an image of type {type(image).__name__}, expected a tensor")
        images.append(image)
        got_labels.append(int(label))
    got = torch.stack(images) if all(im.shape == images[0].shape for im in images) else images[0]
    expected = torch.stack([_to_tensor(arrays[name]) for name in order])
    sorted_names = sorted(arrays)
    check_true(got.dtype == torch.float32, f"images have dtype {got.dtype}, expected torch.float32")
    check_close(
        got,
        expected,
        name="the images of items 0..11",
        rtol=1e-6,
        atol=1e-6,
        mistakes={
            "reshaping (H, W, C) to (C, H, W) instead of permuting the axes (it scrambles the pixels)": torch.stack(
                [torch.from_numpy(arrays[n]).reshape(C, H, W).float() / 255 for n in order]
            ),
            "forgetting to divide by 255": expected * 255,
            "indexing by the sorted file names instead of the rows of labels.csv": torch.stack(
                [_to_tensor(arrays[n]) for n in sorted_names]
            ),
        },
    )
    check_true(
        got_labels == [labels[name] for name in order],
        f"the labels of items 0..11 are {got_labels}, expected {[labels[n] for n in order]} (row i of labels.csv)",
    )


def test_getitem_opens_one_file(learner, folder):
    """each item opens exactly one file, its own sample, and never re-reads labels.csv"""
    root, order, *_ = folder
    ds = learner.LazyImageDataset(root)
    for i in (3, 0, 11, 3):
        with _counting(root) as c:
            _item(ds[i], f"dataset[{i}]")
        if "labels.csv" in c.paths:
            raise GradeFailure(f"dataset[{i}] re-read labels.csv: read the index once, in __init__")
        check_true(
            c.paths == [order[i]],
            f"dataset[{i}] opened {c.paths or 'no file'}; expected exactly one open of {order[i]} (row {i} of "
            "labels.csv)" + (" -- are all samples loaded at once?" if len(c.paths) > 1 else ""),
        )


def test_normalize_and_compose(learner):
    """Normalize is (x - mean[c]) / std[c] per channel; Compose applies transforms first to last"""
    g = torch.Generator().manual_seed(4)
    x = torch.rand(C, H, W, generator=g)
    x_orig = x.clone()
    mean, std = [0.5, 0.4, 0.3], [0.2, 0.25, 0.5]
    got = learner.Normalize(mean, std)(x)
    m, s = torch.tensor(mean).reshape(3, 1, 1), torch.tensor(std).reshape(3, 1, 1)
    check_true(torch.equal(x, x_orig), "Normalize modified its input in place; return a new tensor")
    check_close(
        got,
        (x - m) / s,
        name="Normalize(mean, std)(x) on a (3, 5, 7) image",
        rtol=1e-6,
        atol=1e-6,
        mistakes={"(x - mean) * std instead of (x - mean) / std": (x - m) * s},
    )
    composed = learner.Compose([lambda t: t + 1, lambda t: t * 2])(x)
    check_close(
        composed,
        (x + 1) * 2,
        name="Compose([t + 1, t * 2])(x)",
        rtol=1e-6,
        atol=1e-6,
        mistakes={"applying the transforms last to first": x * 2 + 1},
    )


def test_random_horizontal_flip(learner):
    """RandomHorizontalFlip flips the width axis when torch.rand(1) < p: never for p=0, always for p=1"""
    x = torch.arange(C * H * W, dtype=torch.float32).reshape(C, H, W)
    check_close(learner.RandomHorizontalFlip(1.0)(x), x.flip(-1), name="RandomHorizontalFlip(p=1)(x)", rtol=0, atol=0,
                mistakes={"flipping the height axis instead of the width (last) axis": x.flip(-2),
                          "never flipping at p=1 (flip when the draw is < p, not >= p)": x})
    check_close(learner.RandomHorizontalFlip(0.0)(x), x, name="RandomHorizontalFlip(p=0)(x)", rtol=0, atol=0)
    torch.manual_seed(2024)
    flip = learner.RandomHorizontalFlip(0.3)
    got = torch.stack([flip(x) for _ in range(16)])
    torch.manual_seed(2024)
    draws = [float(torch.rand(1)) for _ in range(16)]
    expected = torch.stack([x.flip(-1) if d < 0.3 else x for d in draws])
    check_close(
        got,
        expected,
        name="16 calls of RandomHorizontalFlip(p=0.3) after torch.manual_seed(2024)",
        rtol=0,
        atol=0,
        mistakes={"flipping when the draw is >= p (that flips with probability 1 - p)": torch.stack(
            [x.flip(-1) if d >= 0.3 else x for d in draws])},
    )


def test_dataset_applies_transforms(learner, folder):
    """the dataset applies transform to the image and target_transform to the label"""
    root, order, arrays, labels = folder
    mean, std = [0.5, 0.5, 0.5], [0.25, 0.5, 1.0]
    ds = learner.LazyImageDataset(root, transform=learner.Normalize(mean, std), target_transform=lambda y: y + 100)
    m, s = torch.tensor(mean).reshape(3, 1, 1), torch.tensor(std).reshape(3, 1, 1)
    for i in (0, 5):
        image, label = _item(ds[i], f"dataset[{i}]")
        raw = _to_tensor(arrays[order[i]])
        check_close(image, (raw - m) / s, name=f"the transformed image of item {i}", rtol=1e-6, atol=1e-6,
                    mistakes={"not applying transform": raw})
        check_true(int(label) == labels[order[i]] + 100,
                   f"item {i} has label {label!r}, expected target_transform(label) = {labels[order[i]] + 100}")


def test_dataloader_batches(learner, folder):
    """a DataLoader batches the dataset (5, 5, 2), reading each file exactly once per epoch"""
    root, order, arrays, labels = folder
    ds = learner.LazyImageDataset(root)
    length(ds, "LazyImageDataset")
    with _counting(root) as c:
        batches = list(DataLoader(ds, batch_size=5, shuffle=False, num_workers=0))
    check_true(len(batches) == 3, f"the DataLoader gave {len(batches)} batches, expected 3 (5 + 5 + 2 samples)")
    images = torch.cat([b[0] for b in batches])
    got_labels = torch.cat([torch.as_tensor(b[1]) for b in batches])
    check_close(images, torch.stack([_to_tensor(arrays[n]) for n in order]), name="the batched images",
                rtol=1e-6, atol=1e-6)
    check_true(got_labels.tolist() == [labels[n] for n in order], "the batched labels are not those of labels.csv")
    samples = sorted(_sample_opens(c.paths))
    check_true(
        samples == sorted(order),
        f"one epoch opened {len(samples)} sample files ({len(set(samples))} distinct); expected each of the {N} "
        "files exactly once",
    )


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="worker check needs fork")
def test_dataloader_with_workers(learner, folder):
    """the dataset works in two DataLoader worker processes and gives the same batches"""
    root, order, arrays, labels = folder
    mean, std = [0.1, 0.2, 0.3], [0.5, 0.5, 0.5]
    ds = learner.LazyImageDataset(root, transform=learner.Compose([learner.Normalize(mean, std)]))
    length(ds, "LazyImageDataset")
    loader = DataLoader(ds, batch_size=4, shuffle=False, num_workers=2, multiprocessing_context="fork")
    gc.freeze()  # keeps a full collection over pytest's and torch's heap out of the fork (it can take seconds)
    try:
        batches = list(loader)
    finally:
        del loader
        gc.unfreeze()
    images = torch.cat([b[0] for b in batches])
    m, s = torch.tensor(mean).reshape(3, 1, 1), torch.tensor(std).reshape(3, 1, 1)
    expected = torch.stack([(_to_tensor(arrays[n]) - m) / s for n in order])
    check_close(images, expected, name="the images from a 2-worker DataLoader", rtol=1e-6, atol=1e-6)
    got_labels = torch.cat([torch.as_tensor(b[1]) for b in batches]).tolist()
    check_true(got_labels == [labels[n] for n in order], "the labels from a 2-worker DataLoader are not those of labels.csv")


def test_flip_default_probability(learner):
    """RandomHorizontalFlip's p defaults to 0.5, as the stub's signature says"""
    from gradelib import check_defaults

    check_defaults(learner.RandomHorizontalFlip, "RandomHorizontalFlip", p=0.5)
