"""The real images' features, computed once per classifier, data and machine.

Every evaluation compares generated images with the same real ones, and so
does every run on the same data set, so their features in the reference
classifier's eyes are written to `<directory>/<machine>/<key>.npy` the first
time and read back after. The key hashes the classifier's files and the
images' bytes. The machine folder (TensorFlow's version and the CPU, as for
XLA's cache) keeps apart features that other kernels computed, which agree
only up to rounding: a cached evaluation gives the very figures of one that
computes them.
"""

import hashlib
import logging
import os

import numpy as np

from wgan_gp_tf import files
from wgan_gp_tf.core import xla_cache

logger = logging.getLogger(__name__)

_CHUNK = 1 << 20


class FeatureCache:
    """Features of real images kept in a folder.

    Args:
        directory: the folder; the features go to a subfolder per TensorFlow
            version and CPU.
    """

    def __init__(self, directory):
        self.directory = xla_cache.machine_directory(directory)

    def features(self, classifier, images, compute):
        """`compute()`'s features of `images` in `classifier`, from the cache if there.

        Args:
            classifier: identified by the files at its `path`; one without a
                `path` is not cached.
            images: the array the features are of.
            compute: computes them, returning an array.

        Returns:
            The features; read from the cache, or computed and written to it.
            A cache that cannot be read or written costs the time, with a
            warning, never the figures.
        """
        path = getattr(classifier, "path", None)
        if self.directory is None or path is None:
            return compute()
        entry = os.path.join(self.directory, f"{_key(path, images)}.npy")
        try:
            return np.load(entry, allow_pickle=False)
        except (FileNotFoundError, NotADirectoryError):
            pass
        except (OSError, ValueError) as error:
            logger.warning("computing the real features again: cannot read %s (%s)",
                           entry, error)
        features = compute()
        _write(entry, features)
        return features


def _key(classifier_path, images):
    digest = hashlib.sha256()
    for name in _files(classifier_path):
        digest.update(os.path.relpath(name, classifier_path).encode() + b"\0")
        with open(name, "rb") as file:
            while chunk := file.read(_CHUNK):
                digest.update(chunk)
    images = np.ascontiguousarray(images)
    digest.update(f"{images.dtype.str} {images.shape}".encode())
    digest.update(images.data)
    return digest.hexdigest()


def _files(path):
    if os.path.isfile(path):
        return [path]
    return sorted(os.path.join(folder, name) for folder, _, names in os.walk(path)
                  for name in names)


def _write(entry, features):
    try:
        os.makedirs(os.path.dirname(entry), exist_ok=True)
        with files.replacing(entry) as temporary, open(temporary, "wb") as file:
            np.save(file, features, allow_pickle=False)
    except OSError as error:
        logger.warning("the real features are not cached: cannot write %s (%s)", entry,
                       error.strerror or error)
