"""Data sets from tensorflow-datasets, loaded into memory."""

import socket

import numpy as np
import tensorflow as tf

from wgan_gp_tf.data.image_folder import square_resize
from wgan_gp_tf.errors import DataError

# tensorflow-datasets downloads MNIST from here; checked first because tfds
# itself retries for minutes before giving up when it is unreachable.
_TFDS_DOWNLOAD_HOST = "storage.googleapis.com"


def _can_reach(host, port=443, timeout=5.0):
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError:
        return False
    return True


def load_tfds(name, split="train", shape=None, offline="pass --data_dir"):
    """Loads a tensorflow-datasets image split into memory.

    Args:
        name: the tfds name, e.g. `"mnist"`.
        split: the split.
        shape: `(H, W, C)` to centre-crop and resize the images to, if they
            differ (CelebA's 218x178 to 64x64); `None` keeps them.
        offline: what the error says to do when tensorflow-datasets cannot
            download.

    Returns:
        `(images uint8 [N, H, W, C], labels)`; labels are -1 where the data
        set has none.

    Raises:
        DataError: the data set is not prepared and cannot be downloaded.
    """
    import tensorflow_datasets as tfds

    builder = tfds.builder(name)
    if not builder.is_prepared() and not _can_reach(_TFDS_DOWNLOAD_HOST):
        raise DataError(
            f"tensorflow-datasets cannot download {name!r} (no internet "
            f"connection to {_TFDS_DOWNLOAD_HOST}); to train offline, {offline}")

    def convert(example):
        image = example["image"]
        if shape is not None and tuple(image.shape) != tuple(shape):
            image = square_resize(image, shape)
        return image, example.get("label", tf.constant(-1, tf.int64))

    try:
        builder.download_and_prepare()
        batches = (builder.as_dataset(split=split)
                   .map(convert, num_parallel_calls=tf.data.AUTOTUNE).batch(1024))
        parts = list(tfds.as_numpy(batches))
    except Exception as error:  # tfds raises many unrelated types here.
        raise DataError(
            f"tensorflow-datasets could not load {name!r}: {error}; to train offline, "
            f"{offline}") from None
    return (np.concatenate([images for images, _ in parts]),
            np.concatenate([labels for _, labels in parts]))
