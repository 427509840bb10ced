"""Image folders as training data: any png/jpeg/bmp/gif files, decoded in tf.data.

Each image is centre-cropped to a square and resized to the data set's shape,
as the original wgan_gp_celeba.py does, so a folder of photos of any size
feeds a 64x64 DCGAN. Files that fail to decode are named, or skipped and
counted on request.
"""

import dataclasses
import logging
import os

import numpy as np
import tensorflow as tf

from wgan_gp_tf.errors import DataError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")

# How many undecodable files an error message names before "and N more".
_NAMED_FILES = 5

logger = logging.getLogger(__name__)


def square_resize(image, shape):
    """Centre-crops an image to a square and resizes it, as wgan_gp_celeba.py does.

    Args:
        image: uint8 `[h, w, c]` with `c` of 1 to 4 (alpha is dropped).
        shape: the `(H, W, C)` wanted, `C` 1 (grayscale) or 3 (RGB).

    Returns:
        uint8 `[H, W, C]`; bilinear with antialiasing when shrinking.
    """
    channels = tf.shape(image)[-1]
    rgb = tf.cond(channels >= 3,
                  lambda: tf.ensure_shape(image[..., :3], [None, None, 3]),
                  lambda: tf.image.grayscale_to_rgb(image[..., :1]))
    if shape[-1] == 1:
        rgb = tf.image.rgb_to_grayscale(rgb)
    height, width = tf.shape(rgb)[0], tf.shape(rgb)[1]
    side = tf.minimum(height, width)
    square = tf.image.crop_to_bounding_box(rgb, (height - side) // 2, (width - side) // 2,
                                           side, side)
    resized = tf.image.resize(square, shape[:2], antialias=True)
    return tf.cast(tf.clip_by_value(tf.round(resized), 0, 255), tf.uint8)


def decode_file(path, shape):
    """Reads and decodes one png/jpeg/bmp/gif file (a GIF's first frame) to `shape`."""
    image = tf.io.decode_image(tf.io.read_file(path), expand_animations=False)
    return square_resize(image, shape)


@dataclasses.dataclass(frozen=True)
class ImageFolder:
    """The image files of a folder, decoded in tf.data as they are needed.

    Attributes:
        files: the image paths, sorted.
        shape: `(H, W, C)` the images are cropped and resized to.
        skipped: files left out because they cannot be decoded.
    """

    files: tuple[str, ...]
    shape: tuple[int, int, int]
    skipped: tuple[str, ...] = ()

    @classmethod
    def scan(cls, data_dir, shape, skip_bad_images=False):
        """Lists the images under `data_dir`, recursively.

        Args:
            data_dir: the folder.
            shape: `(H, W, C)` of the data set.
            skip_bad_images: decode every file once now and leave out (and
                log) those that fail, instead of failing when one is read.

        Raises:
            DataError: the folder does not exist or holds no image (that
                decodes), or the first file of an extension does not decode.
        """
        if not os.path.isdir(data_dir):
            raise DataError(f"image folder {data_dir} does not exist; pass "
                            f"--data_dir=<folder of {'/'.join(IMAGE_EXTENSIONS)} files>")
        files = sorted(_image_files(data_dir))
        if not files:
            raise DataError(f"{data_dir} holds no image files (searched recursively for "
                            f"{', '.join(IMAGE_EXTENSIONS)})")
        folder = cls(tuple(files), tuple(shape))
        if not skip_bad_images:
            folder.probe()
            return folder
        bad = folder.undecodable()
        if bad:
            logger.warning("skipping %d of %d files that cannot be decoded: %s",
                           len(bad), len(files), _name_some(bad))
        bad_set = set(bad)
        good = tuple(path for path in files if path not in bad_set)
        if not good:
            raise DataError(f"none of the {len(files)} image files under {data_dir} "
                            f"can be decoded")
        return cls(good, tuple(shape), tuple(bad))

    def __len__(self):
        return len(self.files)

    def labels(self, data_dir):
        """Each file's class: the index of its top-level sub-folder in `class_names`.

        Raises:
            DataError: a file lies directly in `data_dir`, outside any class folder.
        """
        names = class_names(data_dir)
        index = {name: position for position, name in enumerate(names)}
        labels = []
        for path in self.files:
            top = os.path.relpath(path, data_dir).split(os.sep)[0]
            if top not in index:
                raise DataError(f"{path} lies outside the class folders of {data_dir}; a "
                                f"labelled image folder holds one sub-folder per class, "
                                f"with every image inside one")
            labels.append(index[top])
        return np.array(labels, np.int32)

    def decoded(self, indices):
        """The dataset of the images at `indices` (a dataset of int64), in order."""
        paths = tf.constant(self.files)
        return indices.map(lambda index: decode_file(paths[index], self.shape),
                           num_parallel_calls=tf.data.AUTOTUNE)

    def load(self):
        """Decodes every image into memory: uint8 `[N, H, W, C]`.

        Raises:
            DataError: a file cannot be decoded; it is named.
        """
        indices = tf.data.Dataset.range(len(self.files))
        try:
            return np.concatenate(list(self.decoded(indices).batch(1024).as_numpy_iterator()))
        except tf.errors.InvalidArgumentError:
            self.raise_if_undecodable()
            raise

    def probe(self):
        """Decodes the first file of each extension now.

        A kind of file TensorFlow cannot read (a 1-bit BMP) is then refused
        before training rather than at its first batch.

        Raises:
            DataError: naming the file and TensorFlow's reason.
        """
        firsts = {}
        for path in self.files:
            firsts.setdefault(os.path.splitext(path)[1].lower(), path)
        for path in firsts.values():
            try:
                decode_file(path, self.shape)
            except tf.errors.InvalidArgumentError as error:
                reason = error.message.split("}}")[-1].split("[Op:")[0].strip()
                raise DataError(f"{path} cannot be decoded ({reason}); convert such files "
                                f"(e.g. to 8-bit PNG), remove them, or pass --skip_bad_images "
                                f"to skip them") from None

    def undecodable(self):
        """The files that fail to decode (each file is decoded once)."""
        indices = tf.data.Dataset.range(len(self.files))
        decoded = tf.data.Dataset.zip(indices, self.decoded(indices)).ignore_errors()
        good = {int(index) for index, _ in decoded.as_numpy_iterator()}
        return [path for index, path in enumerate(self.files) if index not in good]

    def raise_if_undecodable(self):
        """Raises a `DataError` naming the files that fail to decode, if any."""
        bad = self.undecodable()
        if bad:
            raise DataError(
                f"{len(bad)} of {len(self.files)} image files cannot be decoded: "
                f"{_name_some(bad)}; remove them, or pass --skip_bad_images to skip them")


def class_names(data_dir):
    """The classes of a labelled image folder: its sub-folders' names, sorted.

    Raises:
        DataError: the folder does not exist or has fewer than two sub-folders.
    """
    if not os.path.isdir(data_dir):
        raise DataError(f"image folder {data_dir} does not exist")
    names = sorted(name for name in os.listdir(data_dir)
                   if os.path.isdir(os.path.join(data_dir, name)) and not name.startswith("."))
    if len(names) < 2:
        raise DataError(f"{data_dir} has {len(names)} sub-folder(s); a labelled image folder "
                        f"holds one sub-folder of images per class, two or more")
    return names


def _image_files(data_dir):
    """The image files under `data_dir`, following links but each folder once.

    A folder reached twice (a link to a parent, `loop -> .`, or two links to
    one folder) is walked only the first time, so no file is listed twice.
    """
    seen = set()
    for root, folders, names in os.walk(data_dir, followlinks=True):
        status = os.stat(root)
        if (status.st_dev, status.st_ino) in seen:
            folders.clear()
            continue
        seen.add((status.st_dev, status.st_ino))
        folders.sort()
        yield from (os.path.join(root, name) for name in names
                    if name.lower().endswith(IMAGE_EXTENSIONS))


def _name_some(paths):
    named = ", ".join(paths[:_NAMED_FILES])
    if len(paths) > _NAMED_FILES:
        named += f" and {len(paths) - _NAMED_FILES} more"
    return named
