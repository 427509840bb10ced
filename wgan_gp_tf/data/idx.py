"""MNIST-format IDX files, the layout of the original repository's MNIST_data/."""

import gzip
import os

import numpy as np

from wgan_gp_tf.errors import DataError

_IDX_IMAGES_MAGIC = 0x00000803
_IDX_LABELS_MAGIC = 0x00000801

# File stems of the IDX layout of the original repo's MNIST_data/ folder.
_IDX_SPLITS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_SPLIT_IMAGES = {"train": "the 60,000 training images", "test": "the 10,000 test images"}


def describe_idx_files():
    """The four files, each with what it holds, for messages that say what to pass."""
    return ", ".join(f"{images}.gz ({_SPLIT_IMAGES[split]}), {labels}.gz (their labels)"
                     for split, (images, labels) in _IDX_SPLITS.items())


def holds_idx_files(folder):
    """Whether `folder` has all four IDX files (gzipped or not)."""
    return all(_idx_file(folder, stem) for stems in _IDX_SPLITS.values() for stem in stems)


def read_idx(path, expected_magic):
    """Reads one IDX file (gzipped or not) into a uint8 array.

    Args:
        path: the file.
        expected_magic: `0x803` for images `[N, rows, cols]`, `0x801` for
            labels `[N]`.

    Returns:
        The array, shaped by the header.

    Raises:
        DataError: the file is unreadable, truncated, or not that kind of IDX.
    """
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as stream:
            content = stream.read()
    except (OSError, EOFError) as error:
        raise DataError(f"cannot read {path}: {error}") from None
    if len(content) < 4:
        raise DataError(f"{path} is not an IDX file: only {len(content)} bytes")
    magic = int.from_bytes(content[:4], "big")
    if magic != expected_magic:
        raise DataError(
            f"{path} is not an IDX file of the expected kind: magic "
            f"0x{magic:08x}, expected 0x{expected_magic:08x}")
    dims = expected_magic & 0xFF
    header_size = 4 + 4 * dims
    if len(content) < header_size:
        raise DataError(f"{path} is truncated: its header needs {header_size} "
                        f"bytes, the file has {len(content)}")
    shape = tuple(int.from_bytes(content[4 + 4 * i:8 + 4 * i], "big")
                  for i in range(dims))
    size = int(np.prod(shape))
    if len(content) - header_size != size:
        raise DataError(
            f"{path} is truncated or padded: header says {shape} "
            f"({size} bytes), file holds {len(content) - header_size}")
    return np.frombuffer(content, np.uint8, offset=header_size).reshape(shape)


def _idx_file(folder, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    return None


def _find_idx_file(data_dir, stem):
    path = _idx_file(data_dir, stem)
    if path is None:
        raise DataError(
            f"{data_dir} has no {stem}.gz; --data_dir must be a folder of the four "
            f"MNIST-format IDX files, {describe_idx_files()} (the layout of the original "
            f"MNIST_data/)")
    return path


def load_idx_folder(data_dir, split="train"):
    """Reads an MNIST-format split from a folder of IDX files.

    Args:
        data_dir: a folder holding e.g. `train-images-idx3-ubyte.gz` and
            `train-labels-idx1-ubyte.gz` (gzipped or not).
        split: `"train"` or `"test"`.

    Returns:
        `(images uint8 [N, H, W, 1], labels uint8 [N])`.

    Raises:
        DataError: the folder or a file is missing or malformed.
    """
    if not os.path.isdir(data_dir):
        raise DataError(
            f"data folder {data_dir} does not exist; pass --data_dir=<folder "
            f"of MNIST IDX .gz files>, or leave it out to download with "
            f"tensorflow-datasets")
    images_stem, labels_stem = _IDX_SPLITS[split]
    images = read_idx(_find_idx_file(data_dir, images_stem), _IDX_IMAGES_MAGIC)
    labels = read_idx(_find_idx_file(data_dir, labels_stem), _IDX_LABELS_MAGIC)
    if len(images) != len(labels):
        raise DataError(
            f"{data_dir}: {len(images)} {split} images but {len(labels)} labels")
    return images[..., np.newaxis], labels
