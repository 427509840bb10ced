"""Training data: sources (tensorflow-datasets, IDX files, image folders) and tf.data.

A source gives the training images as uint8 `[N, H, W, C]`: in memory, or, for
a folder of image files, as an `ImageFolder` decoded on the fly.
`training_batches` turns either into the stream `WGANGP.train_step` consumes:
one element per iteration, float32 `[n_critic, batch, H, W, C]`. Its order
depends only on the seed, so a resumed run sees the same data as an
uninterrupted one, and a folder gives the same stream cached or not.
"""

import gzip
import os
import socket

import numpy as np
import tensorflow as tf

from wgan_gp_tf import toys
from wgan_gp_tf.errors import ConfigError, DataError
from wgan_gp_tf.image_folder import ImageFolder, square_resize

# tensorflow-datasets downloads MNIST from here; checked first because tfds
# itself retries for minutes before giving up when it is unreachable.
_TFDS_DOWNLOAD_HOST = "storage.googleapis.com"

_IDX_IMAGES_MAGIC = 0x00000803
_IDX_LABELS_MAGIC = 0x00000801

# File stems of the IDX layout of the original repo's MNIST_data/ folder.
_IDX_SPLITS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

# The image shape `(H, W, C)` of each data set.
DATASETS = {"mnist": (28, 28, 1), "fashion_mnist": (28, 28, 1), "celeb_a": (64, 64, 3),
            "cifar10": (32, 32, 3)}

# Data sets whose `data_dir` is a folder of IDX files; for the others it is
# any folder of images, centre-cropped and resized to the data set's shape.
IDX_DATASETS = ("mnist", "fashion_mnist")


def is_image_folder(dataset, data_dir):
    """Whether `data_dir` is a folder of images (it is IDX files for MNIST-like sets)."""
    return bool(data_dir) and dataset not in IDX_DATASETS


def image_shape(dataset):
    """The `(H, W, C)` of a data set's images, or `(D,)` of a toy's points.

    Raises:
        ConfigError: unknown data set; the message lists the valid ones.
    """
    if toys.is_toy(dataset):
        return (toys.DIMENSIONS[dataset],)
    if dataset not in DATASETS:
        raise ConfigError(
            f"unknown dataset {dataset!r}; choose one of: "
            f"{', '.join([*DATASETS, *toys.DIMENSIONS])}")
    return DATASETS[dataset]


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


def _find_idx_file(data_dir, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(data_dir, name)
        if os.path.isfile(path):
            return path
    raise DataError(
        f"{data_dir} has no {stem}.gz; --data_dir must be a folder of the "
        f"four MNIST-format IDX files (the layout of the original MNIST_data/)")


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


def _can_reach(host, port=443, timeout=5.0):
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError:
        return False
    return True


def load_tfds(name, split="train", shape=None):
    """Loads a tensorflow-datasets image split into memory.

    Args:
        name: the tfds name, e.g. `"mnist"`.
        split: the split.
        shape: `(H, W, C)` to centre-crop and resize the images to, if they
            differ (CelebA's 218x178 to 64x64); `None` keeps them.

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
            f"connection to {_TFDS_DOWNLOAD_HOST}); pass --data_dir=<folder of "
            f"{name} files> to train offline, e.g. --data_dir=../shared/data/mnist")

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
            f"tensorflow-datasets could not load {name!r}: {error}; pass "
            f"--data_dir=<folder of {name} files> to train offline"
        ) from None
    return (np.concatenate([images for images, _ in parts]),
            np.concatenate([labels for _, labels in parts]))


def load_training_images(dataset, data_dir=None, skip_bad_images=False, cache_images=False):
    """The training images: an array in memory, or an `ImageFolder`.

    Args:
        dataset: a name from `DATASETS`.
        data_dir: IDX folder (mnist, fashion_mnist) or image folder (the
            others); `None` uses tensorflow-datasets.
        skip_bad_images, cache_images: as in `TrainConfig`, for image folders.

    Returns:
        uint8 `[N, H, W, C]`, or an `ImageFolder` streamed from disk.

    Raises:
        ConfigError: unknown data set.
        DataError: the data cannot be found or read.
    """
    if is_image_folder(dataset, data_dir):
        folder = ImageFolder.scan(data_dir, image_shape(dataset), skip_bad_images)
        return folder.load() if cache_images else folder
    return load_images(dataset, data_dir)


def load_images(dataset, data_dir=None, split="train"):
    """Loads a data set's images, from `data_dir` if given, else from tfds.

    Args:
        dataset: a name from `DATASETS`.
        data_dir: a folder of the data set's IDX files, or of images (only a
            `"train"` split), or `None`.
        split: `"train"` or `"test"`.

    Returns:
        uint8 images `[N, H, W, C]`.

    Raises:
        ConfigError: unknown data set.
        DataError: the data cannot be found or read, or has the wrong size.
    """
    return load_labelled(dataset, data_dir, split)[0]


def load_labelled(dataset, data_dir=None, split="train"):
    """Like `load_images`, with the class labels.

    Returns:
        `(images, labels)`: uint8 `[N, H, W, C]` and int `[N]`.
    """
    expected = image_shape(dataset)
    if is_image_folder(dataset, data_dir):
        if split != "train":
            raise DataError(f"an image folder has no {split!r} split or labels; {dataset} "
                            f"from {data_dir} can only be trained on")
        images = ImageFolder.scan(data_dir, expected).load()
        return images, np.full(len(images), -1)
    if data_dir:
        images, labels = load_idx_folder(data_dir, split)
    else:
        images, labels = load_tfds(dataset, split, expected)
    if images.shape[1:] != expected:
        raise DataError(
            f"{dataset} images must be {'x'.join(map(str, expected))}, but "
            f"{data_dir or 'the tfds data'} holds "
            f"{'x'.join(map(str, images.shape[1:]))} images; point --data_dir "
            f"at the {dataset} files or choose the matching --dataset")
    return images, labels


def require_a_batch(count, batch_size):
    """Raises `DataError` if `count` images do not fill one batch."""
    if count < batch_size:
        raise DataError(
            f"only {count} training images, fewer than one batch of "
            f"{batch_size}; use a smaller --batch_size or more data")


def training_batches(images, *, batch_size, n_critic, seed,
                     value_range=(0.0, 1.0), start_iteration=0):
    """The training stream: one element of n_critic real batches per iteration.

    Batches are drawn like the original's `mnist.train.next_batch`: each data
    epoch is a fresh permutation cut into batches without replacement (a
    remainder smaller than a batch is left out of that epoch).

    Args:
        images: uint8 array `[N, H, W, C]`, or an `ImageFolder`.
        batch_size: examples per batch.
        n_critic: batches per element.
        seed: int; the order of the whole stream depends on it alone.
        value_range: `(low, high)` that pixel values 0 and 255 map to.
        start_iteration: skip the elements of the iterations before this one,
            so that a resumed run continues the same stream.

    Returns:
        An infinite `tf.data.Dataset` of float32 `[n_critic, batch_size, H, W, C]`.

    Raises:
        DataError: fewer images than one batch.
    """
    count = len(images)
    require_a_batch(count, batch_size)
    batches_per_epoch = count // batch_size
    first_epoch, first_batch = divmod(start_iteration * n_critic,
                                      batches_per_epoch)
    low, high = value_range

    def epoch_batches(epoch):
        order = tf.random.experimental.stateless_shuffle(
            tf.range(count, dtype=tf.int64), seed=tf.stack([tf.cast(seed, tf.int64), epoch]))
        order = tf.reshape(order[:batches_per_epoch * batch_size],
                           [batches_per_epoch, batch_size])
        return tf.data.Dataset.from_tensor_slices(order)

    def scale(batch):
        return tf.cast(batch, tf.float32) * ((high - low) / 255.0) + low

    index_batches = (tf.data.Dataset.counter(first_epoch)
                     .flat_map(epoch_batches)
                     .skip(first_batch))
    if isinstance(images, ImageFolder):
        batches = (images.decoded(index_batches.unbatch())
                   .batch(batch_size).batch(n_critic, drop_remainder=True)
                   .map(scale, num_parallel_calls=tf.data.AUTOTUNE))
    else:
        # In memory, one map gathers and scales: this stream feeds every step.
        pixels = tf.constant(images)
        batches = index_batches.batch(n_critic, drop_remainder=True).map(
            lambda indices: scale(tf.gather(pixels, indices)),
            num_parallel_calls=tf.data.AUTOTUNE)
    return batches.prefetch(tf.data.AUTOTUNE)
