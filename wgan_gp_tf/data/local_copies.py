"""Copies of MNIST and Fashion-MNIST a user may already have, and where the files come from.

With no `--data_dir`, these are read before tensorflow-datasets is asked to
download: Keras's download cache (`keras.datasets.mnist.load_data()` and
`fashion_mnist.load_data()` leave their files in `$KERAS_HOME/datasets`, by
default `~/.keras/datasets`) and Debian's `dataset-fashion-mnist` package.
"""

import logging
import os
import zipfile

import numpy as np

from wgan_gp_tf.data import idx
from wgan_gp_tf.errors import DataError

logger = logging.getLogger(__name__)

DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist"

_PUBLISHED = {
    "mnist": "https://yann.lecun.com/exdb/mnist/ (tensorflow-datasets downloads them from "
             "https://storage.googleapis.com/cvdf-datasets/mnist/)",
    "fashion_mnist": "https://github.com/zalandoresearch/fashion-mnist (offline on Debian "
                     "and Ubuntu: apt install dataset-fashion-mnist, which puts them in "
                     f"{DEBIAN_FASHION_MNIST})",
}


def _keras_datasets():
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "datasets")


def candidates(name):
    """The places, in order, where a copy of data set `name` may already lie."""
    if name == "mnist":
        return [os.path.join(_keras_datasets(), "mnist.npz")]
    if name == "fashion_mnist":
        return [os.path.join(_keras_datasets(), "fashion-mnist"), DEBIAN_FASHION_MNIST]
    return []


def find(name):
    """The first complete copy of `name` among `candidates(name)`, or `None`."""
    for path in candidates(name):
        if path.endswith(".npz") and os.path.isfile(path):
            return path
        if os.path.isdir(path) and idx.holds_idx_files(path):
            return path
    return None


def load(path, split):
    """A split of the copy at `path` (Keras's `.npz` or an IDX folder), as `idx` loads it.

    Raises:
        DataError: the copy cannot be read.
    """
    logger.info("reading the %s split from %s", split, path)
    if not path.endswith(".npz"):
        return idx.load_idx_folder(path, split)
    try:
        with np.load(path) as arrays:
            images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise DataError(f"cannot read {path} (Keras's copy of MNIST): {error}; delete it "
                        f"or pass --data_dir") from None
    return images[..., np.newaxis], labels


def how_to_get(name):
    """What a user offline needs to know: the files, what they hold, where they are published."""
    return (f"pass --data_dir=<folder> holding {name}'s four IDX files, "
            f"{idx.describe_idx_files()}, published "
            f"at {_PUBLISHED[name]}; a copy in {' or '.join(candidates(name))} is found "
            f"without the flag")
